"""The shared word lists of ``patterns/lexicon.json``, loaded once and typed."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

PATTERNS_DIR = Path(__file__).parent / "patterns"


@dataclass(frozen=True)
class Lexicon:
    """Word lists that steer the rule-based components (see ``patterns/lexicon.json``)."""

    strip_leading: frozenset[str]
    generic_words: frozenset[str]
    research_fields: frozenset[str]
    task_heads: frozenset[str]
    task_single_words: frozenset[str]
    method_heads: frozenset[str]
    metric_heads: frozenset[str]
    metric_exact: frozenset[str]
    model_cue_words: frozenset[str]
    method_cue_words: frozenset[str]
    dataset_cue_words: frozenset[str]
    task_cue_words: frozenset[str]
    metric_cue_words: frozenset[str]
    propose_verbs: frozenset[str]
    naming_words: frozenset[str]
    outperform_verbs: frozenset[str]
    measure_modifiers: frozenset[str]
    verbal_words: frozenset[str]
    title_verbs: frozenset[str]
    hardware_heads: frozenset[str]
    non_entity_names: frozenset[str]
    weak_method_heads: frozenset[str]
    technique_words: frozenset[str]
    single_word_methods: frozenset[str]
    result_words: frozenset[str]
    data_nouns: frozenset[str]


@cache
def load_lexicon(path: Path = PATTERNS_DIR / "lexicon.json") -> Lexicon:
    """Load the lexicon file; every list becomes a lower-case frozenset."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Lexicon(**{f.name: frozenset(w.lower() for w in data[f.name]) for f in fields(Lexicon)})
