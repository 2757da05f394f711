"""Lookups in the shipped gazetteer (``gazetteers/terms.jsonl``): a surface form's known type and canonical name.

Names with capitals inside or digits ("ResNet-50", "MMLU") match only exactly; multi-word and long lower-case
terms ("speculative decoding") match in any case; every form also matches with a plural "s".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TERMS_PATH = Path(__file__).parent / "gazetteers" / "terms.jsonl"

_CAMEL_OR_DIGIT = re.compile(r"[a-z][A-Z]|[A-Z]{2}|\d")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Term:
    """A gazetteer entry: its type and canonical name."""

    type: str
    name: str


class Gazetteer:
    """Known names of Methods, Models, Datasets, Tasks and Metrics."""

    def __init__(self, entries: list[dict]) -> None:
        self.exact: dict[str, Term] = {}
        self.lower: dict[str, Term] = {}
        for entry in entries:
            term = Term(entry["type"], entry["name"])
            for form in (entry["name"], *entry.get("aliases", [])):
                table, key = (self.lower, form.lower()) if any_case(form) else (self.exact, form)
                for variant in (key, plural(key)):
                    table.setdefault(variant, term)
        self.word_starts = frozenset(word[:n] for word in {first_word(key) for key in (*self.exact, *self.lower)}
                                     for n in range(1, len(word) + 1))
        """Every beginning of a name's first word: a token whose own first word is none of them starts no name."""

    @classmethod
    def load(cls, path: Path = TERMS_PATH) -> Gazetteer:
        """The gazetteer of a ``terms.jsonl`` file."""
        with path.open(encoding="utf-8") as fh:
            return cls([json.loads(line) for line in fh if line.strip()])

    def lookup(self, text: str) -> Term | None:
        """The entry a surface form names, if any."""
        return self.exact.get(text) or self.lower.get(text.lower())


@cache
def packaged() -> Gazetteer:
    """The shipped gazetteer, loaded once per process."""
    return Gazetteer.load()


def first_word(text: str) -> str:
    """The first run of word characters, lower-cased ("" when none)."""
    match = _WORD.search(text)
    return match.group(0).lower() if match else ""


def any_case(form: str) -> bool:
    """Multi-word names and long lower-case words match in any case; acronyms and CamelCase only exactly."""
    if _CAMEL_OR_DIGIT.search(form):
        return False
    return " " in form or "-" in form or (form.islower() and len(form) >= 5)


def plural(form: str) -> str:
    """The plural of a name's last word ("LLM" -> "LLMs", "query" -> "queries")."""
    if form.endswith(("s", "x", "sh", "ch")):
        return form
    if form.endswith("y") and not form.endswith(("ay", "ey", "oy", "uy")):
        return form[:-1] + "ies"
    return form + "s"
