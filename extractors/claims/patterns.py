"""The word lists and unit tables of ``kg_claims``, compiled from ``patterns/claims.json``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PATTERNS_PATH = Path(__file__).parents[1] / "patterns" / "claims.json"
"""The packaged word lists and unit tables."""


@dataclass(frozen=True, slots=True)
class UnitRule:
    """One entry of the unit table: how a unit is written and how it reads the number."""

    unit: str
    pattern: re.Pattern[str]
    rule: str
    tight: bool = False
    reject: bool = False
    mid_must_be_metric: bool = False
    measure: bool = False  # a unit outside the unit classes ("cm", "dB"): the number is read as unitless


@dataclass(frozen=True)
class ClaimPatterns:
    """The compiled contents of ``patterns/claims.json``."""

    units: tuple[UnitRule, ...]
    scale_suffixes: dict[str, float]
    scale_words: dict[str, float]
    unit_prefixes: dict[str, float]
    word_numbers: dict[str, float]
    score_metrics: frozenset[str]
    score_acronyms: frozenset[str]
    factor_before_re: re.Pattern[str]
    excluded_before_re: re.Pattern[str]
    out_of_re: re.Pattern[str]
    sota_count_re: re.Pattern[str]
    word_multiplier_re: re.Pattern[str]
    twice_re: re.Pattern[str]
    magnitude_re: re.Pattern[str]
    baseline_cues: tuple[tuple[str, ...], ...]
    baseline_stop_words: frozenset[str]
    np_stop_words: frozenset[str]
    latex_math_re: re.Pattern[str]
    latex_markup_re: re.Pattern[str]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClaimPatterns:
        """Compile the JSON contents (see ``patterns/claims.json`` for each key)."""

        def words(key: str) -> frozenset[str]:
            return frozenset(w.lower() for w in data[key])

        rules = data["unit_rules"]
        units = tuple(
            UnitRule(unit=u["unit"], pattern=re.compile(u["pattern"]), rule=rules[u["unit"]],
                     tight=u.get("tight", False), reject=u.get("reject", False),
                     mid_must_be_metric=u.get("mid_must_be_metric", False), measure=u.get("measure", False))
            for u in data["units"])
        return cls(
            units=units,
            scale_suffixes={k: float(v) for k, v in data["scale_suffixes"].items()},
            scale_words={k: float(v) for k, v in data["scale_words"].items()},
            unit_prefixes={k: float(v) for k, v in data["unit_prefixes"].items()},
            word_numbers={k: float(v) for k, v in data["word_numbers"].items()},
            score_metrics=words("score_metrics"),
            score_acronyms=frozenset(data["score_acronyms"]),
            factor_before_re=re.compile(data["factor_before_pattern"], re.IGNORECASE),
            excluded_before_re=re.compile(data["excluded_before_pattern"]),
            out_of_re=re.compile(data["out_of_pattern"], re.IGNORECASE),
            sota_count_re=re.compile(data["sota_count_pattern"]),
            word_multiplier_re=re.compile(data["word_multiplier_pattern"], re.IGNORECASE),
            twice_re=re.compile(data["twice_pattern"], re.IGNORECASE),
            magnitude_re=re.compile(data["magnitude_pattern"], re.IGNORECASE),
            baseline_cues=tuple(sorted((tuple(q.lower().split()) for q in data["baseline_cues"]), key=len,
                                       reverse=True)),
            baseline_stop_words=words("baseline_stop_words"),
            np_stop_words=words("np_stop_words"),
            latex_math_re=re.compile(data["latex_math_pattern"]),
            latex_markup_re=re.compile(data["latex_markup_pattern"]),
        )

    @classmethod
    def load(cls, path: Path) -> ClaimPatterns:
        """Read and compile a patterns file."""
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
