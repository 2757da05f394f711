"""The word lists and unit tables of ``kg_claims``, compiled from ``patterns/claims.json``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PATTERNS_PATH = Path(__file__).parents[1] / "patterns" / "claims.json"
"""The packaged word lists and unit tables."""


@dataclass(frozen=True, slots=True)
class UnitRule:
    """One entry of the unit table: how a unit is written and what it implies."""

    unit: str
    pattern: re.Pattern[str]
    rule: str
    tight: bool = False
    needs_cue: bool = False
    reject: bool = False
    default_metric: str | None = None
    mid_must_be_metric: bool = False
    mid_is_modifier: bool = False
    noun_unit: bool = False  # the unit is a counted noun ("parameters"): the words after it are no metric
    measure: bool = False  # a unit outside the unit classes ("cm", "dB"): still needs a metric


@dataclass(frozen=True)
class ClaimPatterns:
    """The compiled contents of ``patterns/claims.json``."""

    units: tuple[UnitRule, ...]
    scale_suffixes: dict[str, float]
    scale_words: dict[str, float]
    unit_prefixes: dict[str, float]
    word_numbers: dict[str, float]
    data_count_re: re.Pattern[str]
    data_count_min: float
    creation_cues: frozenset[str]
    training_cues: tuple[str, ...]
    qualifiers: tuple[tuple[str, ...], ...]
    higher_change: frozenset[str]
    lower_change: frozenset[str]
    noun_cues: dict[str, str]
    higher_comparatives: frozenset[str]
    lower_comparatives: frozenset[str]
    acceleration_cues: frozenset[str]
    comparison_verbs: frozenset[str]
    outperform_verbs: frozenset[str]
    change_cues: frozenset[str]
    range_cues: frozenset[str]
    target_prepositions: frozenset[str]
    verb_metrics: dict[str, str]
    score_metrics: frozenset[str]
    score_acronyms: frozenset[str]
    lower_better: frozenset[str]
    cost_nouns: frozenset[str]
    retained_nouns: frozenset[str]
    quantity_nouns: frozenset[str]
    not_metric_heads: frozenset[str]
    setup_after_multiplier: frozenset[str]
    bare_scale_model_nouns: frozenset[str]
    bare_scale_owner_words: frozenset[str]
    parameter_context_words: tuple[str, ...]
    prior_work_heads: frozenset[str]
    prior_work_modifiers: frozenset[str]
    factor_before_re: re.Pattern[str]
    excluded_before_re: re.Pattern[str]
    condition_prepositions: frozenset[str]
    setting_before_words: frozenset[str]
    setting_after_re: re.Pattern[str]
    setup_verbs: frozenset[str]
    time_cues: frozenset[str]
    attributive_unit_words: frozenset[str]
    setting_metrics: frozenset[str]
    hardware_words: frozenset[str]
    external_model_cues: frozenset[str]
    of_heads: frozenset[str]
    result_verbs: frozenset[str]
    subject_gap_words: frozenset[str]
    out_of_re: re.Pattern[str]
    sota_count_re: re.Pattern[str]
    word_multiplier_re: re.Pattern[str]
    twice_re: re.Pattern[str]
    magnitude_re: re.Pattern[str]
    baseline_cues: tuple[tuple[str, ...], ...]
    baseline_stop_words: frozenset[str]
    np_stop_words: frozenset[str]
    clause_starters: frozenset[str]
    confidence: dict[str, float]
    max_window: int
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClaimPatterns:
        """Compile the JSON contents (see ``patterns/claims.json`` for each key)."""

        def words(key: str) -> frozenset[str]:
            return frozenset(w.lower() for w in data[key])

        def sequences(key: str) -> tuple[tuple[str, ...], ...]:
            return tuple(sorted((tuple(q.lower().split()) for q in data[key]), key=len, reverse=True))

        rules = data["unit_rules"]
        units = tuple(
            UnitRule(unit=u["unit"], pattern=re.compile(u["pattern"]), rule=rules[u["unit"]],
                     tight=u.get("tight", False), needs_cue=u.get("needs_cue", False),
                     reject=u.get("reject", False), default_metric=u.get("default_metric"),
                     mid_must_be_metric=u.get("mid_must_be_metric", False),
                     mid_is_modifier=u.get("mid_is_modifier", False),
                     noun_unit=u.get("noun_unit", False), measure=u.get("measure", False))
            for u in data["units"])
        count = data["data_count"]
        return cls(
            units=units,
            scale_suffixes={k: float(v) for k, v in data["scale_suffixes"].items()},
            scale_words={k: float(v) for k, v in data["scale_words"].items()},
            unit_prefixes={k: float(v) for k, v in data["unit_prefixes"].items()},
            word_numbers={k: float(v) for k, v in data["word_numbers"].items()},
            data_count_re=re.compile(count["pattern"]),
            data_count_min=float(count["min_value"]),
            creation_cues=frozenset(count["creation_cues"]),
            training_cues=tuple(count["training_cues"]),
            qualifiers=sequences("qualifiers"),
            higher_change=words("higher_change"),
            lower_change=words("lower_change"),
            noun_cues=dict(data["noun_cues"]),
            higher_comparatives=words("higher_comparatives"),
            lower_comparatives=words("lower_comparatives"),
            acceleration_cues=words("acceleration_cues"),
            comparison_verbs=words("comparison_verbs"),
            outperform_verbs=words("outperform_verbs"),
            change_cues=words("change_cues"),
            range_cues=words("range_cues"),
            target_prepositions=words("target_prepositions"),
            verb_metrics=dict(data["verb_metrics"]),
            score_metrics=words("score_metrics"),
            score_acronyms=frozenset(data["score_acronyms"]),
            lower_better=words("lower_better"),
            cost_nouns=words("cost_nouns"),
            retained_nouns=words("retained_nouns"),
            quantity_nouns=words("quantity_nouns"),
            not_metric_heads=words("not_metric_heads"),
            setup_after_multiplier=words("setup_after_multiplier"),
            bare_scale_model_nouns=words("bare_scale_model_nouns"),
            bare_scale_owner_words=words("bare_scale_owner_words"),
            parameter_context_words=tuple(w.lower() for w in data["parameter_context_words"]),
            prior_work_heads=words("prior_work_heads"),
            prior_work_modifiers=words("prior_work_modifiers"),
            factor_before_re=re.compile(data["factor_before_pattern"], re.IGNORECASE),
            excluded_before_re=re.compile(data["excluded_before_pattern"]),
            condition_prepositions=words("condition_prepositions"),
            setting_before_words=words("setting_before_words"),
            setting_after_re=re.compile(data["setting_after_pattern"]),
            setup_verbs=words("setup_verbs"),
            time_cues=words("time_cues"),
            attributive_unit_words=words("attributive_unit_words"),
            setting_metrics=words("setting_metrics"),
            hardware_words=words("hardware_words"),
            external_model_cues=words("external_model_cues"),
            of_heads=words("of_heads"),
            result_verbs=words("result_verbs"),
            subject_gap_words=words("subject_gap_words"),
            out_of_re=re.compile(data["out_of_pattern"], re.IGNORECASE),
            sota_count_re=re.compile(data["sota_count_pattern"]),
            word_multiplier_re=re.compile(data["word_multiplier_pattern"], re.IGNORECASE),
            twice_re=re.compile(data["twice_pattern"], re.IGNORECASE),
            magnitude_re=re.compile(data["magnitude_pattern"], re.IGNORECASE),
            baseline_cues=sequences("baseline_cues"),
            baseline_stop_words=words("baseline_stop_words"),
            np_stop_words=words("np_stop_words"),
            clause_starters=words("clause_starters"),
            confidence={k: float(v) for k, v in data["confidence"].items()},
            max_window=int(data["max_window"]),
            raw=data,
        )

    @classmethod
    def load(cls, path: Path) -> ClaimPatterns:
        """Read and compile a patterns file."""
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
