"""The word lists of ``patterns/lexicon.json`` that the gazetteer build filters and extends name lists with."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

PATTERNS_DIR = Path(__file__).parent / "patterns"


@dataclass(frozen=True)
class Lexicon:
    """Word lists of the gazetteer build (see ``patterns/lexicon.json``)."""

    generic_words: frozenset[str]
    research_fields: frozenset[str]
    non_entity_names: frozenset[str]
    hardware_heads: frozenset[str]
    task_heads: frozenset[str]
    metric_exact: frozenset[str]


@cache
def load_lexicon(path: Path = PATTERNS_DIR / "lexicon.json") -> Lexicon:
    """Load the lexicon file; every list becomes a lower-case frozenset."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Lexicon(**{f.name: frozenset(w.lower() for w in data[f.name]) for f in fields(Lexicon)})
