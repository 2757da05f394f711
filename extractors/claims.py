"""``kg_claims``: the numeric claims of a paper (scores, speedups, reductions, sizes, costs).

A claim is a number that quantifies an outcome of the paper (see the "Numeric claims" section of
the annotation guideline). The component is rule-based and cheap, so it can run on every abstract:

1. regular expressions over ``doc.text`` find numbers with their scale ("16M"), unit ("1.62times",
   "88.5\\%", "83.4M trainable parameters") and ranges ("2x-3x", "5 to 10"), and drop numbers
   inside names ("LLaMA-2-7B"), sizes ("256x256"), bit-widths ("8-bit") and compounds ("256-way");
2. token windows around each number (mapped with ``doc.char_span``) and the dependency parse give
   the metric, the direction, the baseline, the subject and the dataset;
3. a number without a unit is kept only in a metric context ("FID of 1.94", "1.78 FID", "by 0.4"
   after a comparison, list items after a claim), as a count of wins ("8 out of 11 metrics") or
   as the size of a released dataset ("a dataset of 16M captions").

Every word list and unit table lives in ``patterns/claims.json``. The claims are plain dicts in
``doc._.kg_claims`` (msgpack-safe, so docs cross process boundaries).
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

PATTERNS_PATH = Path(__file__).parent / "patterns" / "claims.json"
"""The packaged word lists and unit tables."""

SUBJECT_LABELS = frozenset({"Method", "Model"})
DATASET_LABEL = "Dataset"
METRIC_LABEL = "Metric"

if not Doc.has_extension("kg_claims"):
    Doc.set_extension("kg_claims", default=None)

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+"
# A number that is not part of a name ("GPT-4", "x4"), a version, a path or a LaTeX command.
_NUMBER_RE = re.compile(rf"(?:(?<=sim)|(?<![\w.,\\@#^$×-]))(?:{_NUMBER})")  # "sim7\%" lost its "\"
_NUMBER_AT = re.compile(_NUMBER)
_SCALE_RE = re.compile(r"(?P<suf>[kKMBT])(?![A-Za-z0-9])|\s(?P<word>thousand|million|billion|trillion)\b")
_SCALE_GLOSS_RE = re.compile(r"\s?\((?:thousand|million|billion|trillion)\)")
# "256x256", "768 times 512", "256*256", "1x1": an image size or a kernel, never a claim.
_DIMENSION_RE = re.compile(r"\s?(?:[x×*]|times)\s?(?=\d)")
_DIMENSION_TAIL_RE = re.compile(rf"(?:{_NUMBER})(?:\s?[x×*]\s?(?:{_NUMBER}))*")
_RANGE_SEP_RE = re.compile(r"\s?(?:--|-|–|—|~|sim)\s?(?=\.?\d)|\s+(?P<to>to|through)\s+(?=\.?\d)")
_URL_RE = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+(?:\.[A-Za-z][\w-]*)+/\S*")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_CLAUSE_PUNCT = frozenset({",", ";", ":", "(", ")", "[", "]"})
_NOUNISH = frozenset({"NOUN", "PROPN"})
_MODIFIER_POS = frozenset({"ADJ", "ADV", "VERB", "NUM", "DET", "PRON"})
_SLASH_TAIL_RE = re.compile(r"([\w.+-]+(?:/[\w.+-]+)+)$")
# Between two items of a list of results: "0.4/0.19", "0.01-0.34 on LLaMA-2, 0.38-0.68", "1.62 (256x256) and".
_COORDINATION_RE = re.compile(
    r"^(?:\s+(?:relative|absolute|relatively|absolutely))?(?:\s*\([^()]{1,25}\))?"
    r"(?:\s+(?:on|in|for|at|with|under)\s+(?:(?!\s\d)[^,;()]){1,30}?)?(?:\s*\([^()]{1,25}\))?"
    r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*/\s*|\s*\(\s*)$")
# Between a number and the next one that lends it its unit: "5 and 10 points", "4, 8 and 16 bits".
_UNIT_LIST_RE = re.compile(r"^(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*/\s*)$")


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


@dataclass(slots=True)
class _Mention:
    """A number found in the text, before its context is read."""

    start: int  # char offsets of the value as written
    end: int
    tail: int  # end of the value with its unit words
    number: float
    unit: UnitRule | None
    kind: str = "number"  # number | range | from_to | out_of | sota_count | word_multiplier
    scaled: bool = False
    mid: tuple[int, int] | None = None  # words between number and unit noun ("trainable")
    unit_start: int = -1
    second: tuple[int, int, float] | None = None  # the "to" end of a "from A to B" pair
    range_end: int = -1  # end of the whole value when read as a range
    measure: UnitRule | None = None  # a unit outside the classes ("1.591 cm"): read as unitless
    metric: str | None = None
    direction: str | None = None


@dataclass(slots=True)
class _Claim:
    """A claim under construction, with what list neighbours may borrow."""

    value: str
    number: float
    unit: str
    start: int
    end: int
    rule: str
    confidence: float
    sent: Span
    sentence: int
    last: int  # token index of the last token the claim consumed (value, unit, metric words)
    consumed_end: int  # char offset of the same
    metric: str | None = None
    metric_explicit: bool = False
    direction: str = "absolute"
    direction_explicit: bool = False
    baseline: str | None = None
    subject: list[int] | None = None
    dataset: list[int] | None = None
    group: int = -1
    group_pos: int = 0
    evidence: tuple[int, int] = (0, 0)

    def to_dict(self) -> dict[str, Any]:
        """The msgpack-safe record stored in ``doc._.kg_claims``."""
        return {"value": self.value, "number": self.number, "unit": self.unit,
                "metric": self.metric, "direction": self.direction, "baseline": self.baseline,
                "start": self.start, "end": self.end,
                "evidence_start": self.evidence[0], "evidence_end": self.evidence[1],
                "sentence": self.sentence, "subject": self.subject, "dataset": self.dataset,
                "rule": self.rule, "confidence": self.confidence}


@dataclass(frozen=True, slots=True)
class _Cue:
    """A word giving a claim's direction."""

    token: Token
    direction: str  # higher | lower | outperform
    acceleration: bool


@Language.factory(
    "kg_claims",
    assigns=["doc._.kg_claims"],
    default_config={"patterns_path": None, "spans_key": "kg_entities", "min_confidence": 0.0},
)
def make_claim_extractor(nlp: Language, name: str, patterns_path: str | None, spans_key: str,
                         min_confidence: float) -> ClaimExtractor:
    """Create the component.

    Args:
        nlp: The pipeline (unused; spaCy passes it to every factory).
        name: The component's name in the pipeline.
        patterns_path: A patterns file like ``patterns/claims.json``; None for the packaged one.
        spans_key: The ``doc.spans`` key of the entity spans (subjects and datasets come from it).
        min_confidence: Claims below this confidence are dropped.

    Returns:
        The component.
    """
    path = PATTERNS_PATH if patterns_path is None else Path(patterns_path)
    return ClaimExtractor(name, ClaimPatterns.load(path), spans_key=spans_key,
                          min_confidence=min_confidence)


class ClaimExtractor:
    """Writes the numeric claims of a Doc to ``doc._.kg_claims`` (a list of dicts)."""

    def __init__(self, name: str, patterns: ClaimPatterns, *, spans_key: str = "kg_entities",
                 min_confidence: float = 0.0) -> None:
        self.name = name
        self.patterns = patterns
        self.spans_key = spans_key
        self.min_confidence = min_confidence

    @property
    def _multiplier(self) -> UnitRule:
        """The first "x" entry of the unit table."""
        return next(u for u in self.patterns.units if u.unit == "x")

    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_claims = [c.to_dict() for c in self.extract(doc)
                           if c.confidence >= self.min_confidence]
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the patterns as ``claims.json`` in the directory ``path``."""
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "claims.json").write_text(
            json.dumps(self.patterns.raw, indent=1, ensure_ascii=False), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> ClaimExtractor:
        """Load the patterns saved by :meth:`to_disk`."""
        self.patterns = ClaimPatterns.load(Path(path) / "claims.json")
        return self

    # -- the whole Doc --------------------------------------------------------------------------

    def extract(self, doc: Doc) -> list[_Claim]:
        """All claims of the Doc, in text order."""
        text = _URL_RE.sub(lambda m: " " * len(m.group(0)), doc.text)
        mentions = self._scan(text)
        if not mentions:
            return []
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        sent_starts = [s.start for s in sents]
        entities = self._entities(doc)
        claims: list[_Claim] = []
        pending: list[_Mention] = []  # bare numbers that a later list item may still claim
        for k, mention in enumerate(mentions):
            made = self._read(doc, text, mentions, k, claims, (sents, sent_starts), entities)
            if made:
                claims.extend(self._adopt(text, pending, made[0]))
                claims.extend(made)
                pending = []
            elif mention.unit is None and mention.kind in ("number", "range"):
                pending.append(mention)
        self._share_in_groups(claims)
        for c in claims:
            if not c.direction_explicit and c.unit == "x":
                c.direction = "higher"  # a multiplier states a gain unless the text says otherwise
        claims.sort(key=lambda c: c.start)
        return self._dedupe(doc.text, claims)

    def _adopt(self, text: str, pending: list[_Mention], claim: _Claim) -> list[_Claim]:
        """ "62.7/42.1 and 38.0/23.2 retrieval accuracy": earlier bare items of a unitless claim's list."""
        if claim.unit or claim.rule in ("out_of", "sota_count", "data_count"):
            return []
        adopted: list[_Claim] = []
        start = claim.start
        for m in reversed(pending):
            if m.start < claim.sent.start_char or not _COORDINATION_RE.match(text[m.tail:start]):
                break
            item = dataclasses.replace(claim, value=text[m.start:m.end], number=m.number, start=m.start,
                                       end=m.end, rule="list_item",
                                       confidence=self.patterns.confidence["list"])
            if claim.group < 0:
                claim.group = claim.start
            item.group = claim.group
            adopted.append(item)
            start = m.start
        return adopted[::-1]

    def _entities(self, doc: Doc) -> list[Span]:
        if self.spans_key not in doc.spans:
            return []
        return sorted(doc.spans[self.spans_key], key=lambda s: (s.start_char, -s.end_char))

    # -- lexical stage: numbers, scales, units, ranges ------------------------------------------

    def _scan(self, text: str) -> list[_Mention]:
        """Numbers of the text with their unit, in text order (names and sizes left out)."""
        mentions = self._scan_words(text)
        taken = [(m.start, m.tail) for m in mentions]
        consumed = 0
        for match in _NUMBER_RE.finditer(text):
            start = match.start()
            if start < consumed or any(a <= start < b for a, b in taken):
                continue
            mention, consumed = self._number_at(text, start, match.end())
            if mention is not None:
                mentions.append(mention)
        mentions.sort(key=lambda m: m.start)
        return self._borrow_units(text, mentions)

    def _borrow_units(self, text: str, mentions: list[_Mention]) -> list[_Mention]:
        """ "5 and 10 points": a bare number takes the unit of the list item after it."""
        kept: list[_Mention] = []
        lender: _Mention | None = None
        for m in reversed(mentions):
            if (m.unit is None and m.measure is None and m.kind in ("number", "range") and lender is not None
                    and lender.unit is not None and _UNIT_LIST_RE.match(text[m.tail:lender.start])):
                if lender.unit.reject:
                    continue  # "4, 8 and 16 bits": bit-widths
                m.unit = lender.unit
            if m.unit is not None and m.unit.reject:
                lender = m
                continue
            kept.append(m)
            lender = m
        return kept[::-1]

    def _scan_words(self, text: str) -> list[_Mention]:
        """Claims spelled with words: wins ("8 out of 11"), "three times faster", "twice as fast"."""
        p = self.patterns
        found: list[_Mention] = []
        for m in p.out_of_re.finditer(text):
            rest = m.group("rest").split()
            metric = next((w for w in rest if w.lower() not in p.np_stop_words), None)
            found.append(_Mention(m.start("n"), m.end("n"), m.end(), self._word_value(m.group("n")),
                                  None, kind="out_of", metric=metric, direction="higher"))
        for m in p.sota_count_re.finditer(text):
            found.append(_Mention(m.start("n"), m.end("n"), m.end(), self._word_value(m.group("n")),
                                  None, kind="sota_count", metric=m.group("cue"), direction="higher"))
        multiplier = self._multiplier
        for regex in (p.word_multiplier_re, p.twice_re, p.magnitude_re):
            for m in regex.finditer(text):
                number = 10.0 if "magnitude" in m.group("n").lower() else self._word_value(m.group("n"))
                found.append(_Mention(m.start("n"), m.end("n"), m.end(), number, multiplier,
                                      kind="word_multiplier"))
        found.sort(key=lambda f: (f.start, -f.tail))
        kept: list[_Mention] = []
        for mention in found:
            if not kept or mention.start >= kept[-1].tail:
                kept.append(mention)
        return kept

    def _word_value(self, word: str) -> float:
        low = word.lower()
        return float(low) if low.isdigit() else self.patterns.word_numbers.get(low, 0.0)

    def _number_at(self, text: str, start: int, end: int) -> tuple[_Mention | None, int]:
        """Read the number starting at ``start`` with its scale, unit and range.

        Returns:
            The mention (None when the number is not a candidate) and the offset up to which the
            text is consumed.
        """
        if text.startswith(".", end) and end + 1 < len(text) and text[end + 1].isdigit():
            return None, end + 2  # a version number "1.5.2"
        if self.patterns.excluded_before_re.search(text, max(0, start - 12), start):
            return None, end  # "O(1)", "Table 2"
        dim = _DIMENSION_RE.match(text, end)
        if dim:
            tail = _DIMENSION_TAIL_RE.match(text, dim.end())
            return None, tail.end() if tail else dim.end()
        number, pos, scaled = self._scaled(text, start, end)
        unit, unit_match = self._unit_at(text, pos)
        if unit is None and not self._ends_cleanly(text, pos):
            return None, pos
        if unit is None and self.patterns.factor_before_re.search(text, max(0, start - 40), start):
            unit = self._multiplier  # "reduced by a factor of 4"
        after_unit = unit_match.end() if unit_match else pos
        mention = _Mention(start, pos, after_unit, number, unit, scaled=scaled,
                           unit_start=unit_match.start() if unit_match else -1)
        if unit is not None and unit.measure:
            mention.unit, mention.measure = None, unit
        if unit_match is not None and unit_match.groupdict().get("mid"):
            mention.mid = unit_match.span("mid")
        if unit is not None and unit_match is not None and unit_match.groupdict().get("prefix"):
            mention.number *= self.patterns.unit_prefixes[unit_match.group("prefix")]  # "4.1 GFLOPs"
        self._extend_range(text, mention)
        return mention, mention.tail

    def _scaled(self, text: str, start: int, end: int) -> tuple[float, int, bool]:
        """The number's value with a scale suffix or word applied, and where it ends."""
        number = float(text[start:end].replace(",", ""))
        scale = _SCALE_RE.match(text, end)
        if scale is None:
            return number, end, False
        factor = (self.patterns.scale_suffixes.get(scale.group("suf") or "")
                  or self.patterns.scale_words.get(scale.group("word") or ""))
        if not factor:
            return number, end, False
        return number * factor, scale.end(), True

    def _unit_at(self, text: str, pos: int) -> tuple[UnitRule | None, re.Match[str] | None]:
        """The first unit of the table written at ``pos`` (past a "(million)" gloss)."""
        gloss = _SCALE_GLOSS_RE.match(text, pos)
        at = gloss.end() if gloss else pos
        for rule in self.patterns.units:
            m = rule.pattern.match(text, at)
            if m is None:
                continue
            mid = m.groupdict().get("mid")
            if mid and rule.mid_must_be_metric and not self._is_metric_words(mid):
                continue
            if mid and mid.lower() in self.patterns.np_stop_words:
                continue
            return rule, m
        return None, None

    def _ends_cleanly(self, text: str, pos: int) -> bool:
        """False for "3D", "6G", "1080Ti", "8-token", "256-way": the number is part of a word."""
        if pos >= len(text):
            return True
        ch = text[pos]
        if ch.isalpha() or ch in "^_":
            return False
        return not (ch == "-" and pos + 1 < len(text) and text[pos + 1].isalpha())

    def _extend_range(self, text: str, mention: _Mention) -> None:
        """Widen the mention to a range ("2x-3x", "5 to 10", "148M to 1.3B", "100-1000+")."""
        sep = _RANGE_SEP_RE.match(text, mention.tail)
        if sep is None:
            return
        second = _NUMBER_AT.match(text, sep.end())
        if second is None:
            return
        number2, pos2, _ = self._scaled(text, second.start(), second.end())
        if text.startswith("+", pos2):
            pos2 += 1
        if not self._ends_cleanly(text, pos2) and self._unit_at(text, pos2)[0] is None:
            return
        unit2, match2 = self._unit_at(text, pos2)
        if unit2 is not None and unit2.measure:
            if mention.unit is not None:
                return
            mention.measure, unit2 = unit2, None
        first_unit = mention.unit
        if first_unit is not None and unit2 is not None and unit2.unit != first_unit.unit:
            return
        if unit2 is not None and unit2.reject:
            return
        is_to = sep.group("to") is not None
        if is_to and text[mention.start - 1:mention.start] == "/":
            return  # "from 65.0%/47.0% to 77.8%/66.0%": pairs, not a range
        if is_to and re.search(r"\bfrom\s+$", text[max(0, mention.start - 6):mention.start]):
            mention.kind = "from_to"
            mention.second = (second.start(), pos2, number2)
        else:
            mention.kind = "range"
        tight = first_unit is not None and first_unit.tight and match2 is not None
        mention.range_end = match2.end() if tight and match2 is not None else pos2
        if mention.kind == "range":
            mention.end = mention.range_end
        if first_unit is None and unit2 is not None and match2 is not None:
            mention.unit = unit2
            mention.unit_start = match2.start()
            if match2.groupdict().get("mid"):
                mention.mid = match2.span("mid")
        mention.tail = match2.end() if match2 else pos2

    def _is_metric_words(self, words: str) -> bool:
        p = self.patterns
        return any(w in p.score_acronyms or w.lower() in p.score_metrics for w in words.split())

    # -- context stage: one mention -> claims -----------------------------------------------------

    def _read(self, doc: Doc, text: str, mentions: list[_Mention], k: int, claims: list[_Claim],
              sentences: tuple[list[Span], list[int]], entities: list[Span]) -> list[_Claim]:
        """The claims of ``mentions[k]`` (two for "from 1.95 to 1.98"), or none."""
        m = mentions[k]
        unit = m.unit.unit if m.unit else None
        following = (mentions[k + 1].start if k + 1 < len(mentions) else len(text),
                     next((n.start for n in mentions[k + 1:] if (n.unit.unit if n.unit else None) == unit),
                          len(text)))
        value_span = doc.char_span(m.start, m.end, alignment_mode="expand")
        tail_span = doc.char_span(m.start, max(m.tail, m.end), alignment_mode="expand")
        if value_span is None or tail_span is None or len(value_span) == 0:
            return []
        first, last = value_span[0], tail_span[-1]
        sents, starts = sentences
        index = bisect.bisect_right(starts, first.i) - 1
        sent = sents[index]
        before = [c for c in claims if c.sent.start == sent.start]
        reading = _Reading(self.patterns, doc, text, m, first, last, sent, before, entities, following)
        made = reading.claims()
        for claim in made:
            claim.sentence = index
        return made

    def _share_in_groups(self, claims: list[_Claim]) -> None:
        """Coordinated claims ("1.9x and 2.8x", "0.4/0.19") lend each other metric and direction."""
        groups: dict[int, list[_Claim]] = {}
        for c in claims:
            if c.group >= 0:
                groups.setdefault(c.group, []).append(c)
        for members in groups.values():
            for c in members:
                donors = sorted((d for d in members if d is not c),
                                key=lambda d: abs(d.start - c.start))
                if not c.metric_explicit:
                    donor = next((d for d in donors if d.metric_explicit
                                  and (d.unit == c.unit or c.metric is None)), None)
                    if donor is not None:
                        c.metric = donor.metric
                if not c.direction_explicit:
                    donor = next((d for d in donors if d.direction_explicit and d.unit == c.unit), None)
                    if donor is not None:
                        c.direction = donor.direction
                if c.baseline is None:
                    donor = next((d for d in donors if d.baseline), None)
                    if donor is not None:
                        c.baseline = donor.baseline
                if c.subject is None:
                    c.subject = next((d.subject for d in donors if d.subject), None)
                if c.dataset is None:
                    c.dataset = next((d.dataset for d in donors if d.dataset), None)

    def _dedupe(self, text: str, claims: list[_Claim]) -> list[_Claim]:
        """Drop a title claim that the abstract repeats, and repeated offsets."""
        cut = text.find("\n\n")
        abstract_keys = {(round(c.number, 6), c.unit) for c in claims if c.start > cut >= 0}
        out: list[_Claim] = []
        seen: set[int] = set()
        for c in claims:
            if c.start in seen:
                continue
            if 0 <= cut and c.start < cut and (round(c.number, 6), c.unit) in abstract_keys:
                continue
            seen.add(c.start)
            out.append(c)
        return out


class _Reading:
    """The context of one mention: reads its metric, direction, baseline, subject and dataset."""

    def __init__(self, patterns: ClaimPatterns, doc: Doc, text: str, m: _Mention, first: Token,
                 last: Token, sent: Span, before: list[_Claim], entities: list[Span],
                 following: tuple[int, int]) -> None:
        self.p = patterns
        self.doc = doc
        self.text = text
        self.m = m
        self.first = first
        self.last = last
        self.sent = sent
        self.before = before
        self.entities = entities
        # where the next number starts, and the next number with the same unit
        self.following, self.following_same_unit = following
        # Tokens before the mention that belong to an earlier claim are never read again.
        self.floor = max([sent.start] + [c.last + 1 for c in before])
        self.left, self.qualifiers = self._skip_qualifiers(first.i - 1)
        self.of_is_baseline = True  # "N% of X": X is the baseline unless it is what is measured

    # -- entry point ------------------------------------------------------------------------------

    def claims(self) -> list[_Claim]:
        m = self.m
        if m.kind in ("out_of", "sota_count"):
            return [self._count_claim()]
        if m.kind == "from_to":
            return self._from_to_claims()
        claim = self._single()
        return [] if claim is None else [claim]

    def _governing_subject(self) -> Token | None:
        """The subject of the verb that governs the number (through participles and conjuncts)."""
        t = self.first
        for _ in range(8):
            if t.pos_ in ("VERB", "AUX") or t.head.i == t.i:
                break
            t = t.head
        if t.head.i == t.i and t.pos_ in _NOUNISH:
            return t  # a verbless parse ("Existing methods either couple ..." with "couple" as a noun)
        for _ in range(6):
            subjects = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subjects:
                return subjects[0]
            if t.head.i == t.i:
                return None
            t = t.head  # "achieving ...", "upto 45%" mis-tagged as a verb: the clause above
        return None

    def _about_prior_work(self) -> bool:
        """ "recent methods ... running at more than 100 FPS": a number about earlier work."""
        subject = self._governing_subject()
        if subject is None or subject.lemma_.lower() not in self.p.prior_work_heads:
            return False
        return any(c.lemma_.lower() in self.p.prior_work_modifiers or c.lower_ in self.p.prior_work_modifiers
                   for c in subject.children if c.dep_ in ("amod", "det", "compound", "nummod"))

    # -- claim kinds ------------------------------------------------------------------------------

    def _count_claim(self) -> _Claim:
        m = self.m
        claim = self._new(m.start, m.end, "", m.kind, self.p.confidence["count"])
        claim.metric, claim.metric_explicit = m.metric, True
        claim.direction, claim.direction_explicit = m.direction or "higher", True
        return self._finish(claim, self.last.i)

    def _from_to_claims(self) -> list[_Claim]:
        """ "FID increase from 1.95 to 1.98": two claims when the text states a change, else a range."""
        m = self.m
        assert m.second is not None
        from_tok = self.first.i - 1  # the scan saw "from" right before the number
        cue_words = list(self.doc[max(self.floor, from_tok - 6):max(from_tok, self.floor)])
        lemmas = {t.lemma_.lower() for t in cue_words} | {t.lower_ for t in cue_words}
        if lemmas & self.p.range_cues or not lemmas & self.p.change_cues:
            m.kind = "range"
            m.end = m.range_end
            claim = self._single()
            return [] if claim is None else [claim]
        span = self._np_before(from_tok, skip_cues=True)
        metric = self.doc[span[0]:span[1]].text if span else None
        if m.unit is None and not (metric and self._is_score_metric(metric)):
            return []
        unit = m.unit.unit if m.unit else ""
        rule = m.unit.rule if m.unit else "from_to"
        conf = self.p.confidence["unit" if m.unit else "unitless_comparison"]
        first = self._new(m.start, m.end, unit, rule, conf)
        s2, e2, n2 = m.second
        second = self._new(s2, e2, unit, rule, conf)
        second.number = n2
        for claim in (first, second):
            claim.metric = self._phrase(metric) if metric else None
            claim.metric_explicit = metric is not None
        first.direction_explicit = True
        second.direction = "higher" if n2 > first.number else "lower"
        second.direction_explicit = True
        second.baseline = first.value
        return [self._finish(first, self.last.i), self._finish(second, self.last.i)]

    def _single(self) -> _Claim | None:
        m, p = self.m, self.p
        if self._about_prior_work() or self._is_setting():
            return None
        after = self._after()
        cue = after.cue or self._cue_before()
        unit = m.unit
        if unit is not None:
            if not self._unit_is_outcome(unit, after, cue):
                return None
            rule = "word_multiplier" if m.kind == "word_multiplier" else unit.rule
            claim = self._new(m.start, m.end, unit.unit, rule,
                              p.confidence["unit_weak" if unit.needs_cue else "unit"])
        else:
            kind = self._unitless_kind(after, cue)
            if kind is None:
                return None
            rule, unit_name, conf_key = kind
            claim = self._new(m.start, m.end, unit_name, rule, p.confidence[conf_key])
        self._set_metric(claim, after, cue)
        if claim.metric is not None and claim.metric.lower() in p.setting_metrics:
            return None  # "a 30% masking ratio": a hyperparameter
        if claim.rule != "data_count":
            self._set_direction(claim, after, cue)
        claim.baseline = self._baseline(after, cue)
        return self._finish(claim, max(self.last.i, after.end - 1))

    # -- acceptance -------------------------------------------------------------------------------

    def _is_setting(self) -> bool:
        """ "at 90% sparsity", "the top 1% outliers": the number sets up the experiment."""
        i = self.left
        if self.p.setting_after_re.match(self.text, self.m.tail):
            return True  # "(64 tokens by default)"
        if i < self.sent.start:
            return False
        word = self.doc[i].lower_
        if word in self.p.setting_before_words:
            return True
        return (word in self.p.condition_prepositions and self.m.unit is not None
                and self.m.unit.unit == "%")

    def _unit_is_outcome(self, unit: UnitRule, after: _After, cue: _Cue | None) -> bool:
        """Settings written with a unit are not claims ("8x A100", "A100 (80GB)", "4K token budget")."""
        m, p, doc = self.m, self.p, self.doc
        nxt = self._token_after(self.last.i)
        nxt_low = nxt.lower_ if nxt is not None else ""
        if unit.unit == "x" and (nxt_low in p.setup_after_multiplier or (
                cue is not None and cue.token.lemma_.lower() in p.setup_verbs)):
            return False  # "4x super-resolution", "upscale NeRF outputs by 2-4x"
        if unit.unit in ("GB", "MB"):
            near = list(doc[max(self.sent.start, self.first.i - 4):self.first.i])
            next_words = [t for t in doc[self.last.i + 1:min(self.sent.end, self.last.i + 4)] if not t.is_punct]
            near += next_words[:1]
            if any(t.lower_ in p.hardware_words for t in near):
                return False  # the memory of the hardware used
            if nxt is not None and nxt.pos_ in _NOUNISH and not self._is_quantity(nxt):
                return False  # "a 1MB mesh": the size of an input
        if unit.noun_unit and m.unit_start >= 0 and nxt is not None and nxt.pos_ in _NOUNISH:
            unit_words = self.text[m.unit_start:m.tail].lower().split()
            if unit_words and unit_words[-1] in p.attributive_unit_words:
                return False  # "a 20,000 hour task", "4K token budget": the unit modifies a noun
        if unit.unit in ("hours", "days"):
            if nxt_low == "of" and not self._creation_context():
                return False  # "960 hours of speech": existing training data
            if m.mid is None and not self._time_context():
                return False  # "subsets of 10h and 100h" is data; "trained in 10 hours" is a cost
        if unit.unit == "tokens" and self._training_context():
            return False
        if unit.unit == "params":
            window = {t.lower_ for t in doc[max(self.sent.start, self.first.i - 6):self.first.i]}
            if window & p.external_model_cues and not window & p.bare_scale_owner_words:
                return False  # "a pre-trained CLIP model with 5 billion parameters"
        if unit.unit == "s" and _YEAR_RE.fullmatch(self.text[m.start:m.end]):
            return False
        if unit.needs_cue:
            return (cue is not None or after.metric_text != "" or self._metric_of_before() is not None
                    or bool(self.qualifiers & {"only", "just", "within", "fewer than", "less than"}))
        return True

    def _time_context(self) -> bool:
        """ "trained in 5.7 days", "takes only 6 hours", "a training time of 3 hours"."""
        doc, p = self.doc, self.p
        before = {doc[self.first.i - 1].lower_ if self.first.i > self.sent.start else ""}
        if self.left >= self.sent.start:
            before.add(doc[self.left].lower_)
        if before & p.time_cues or self.qualifiers & p.time_cues:
            return True
        if self.left >= self.floor and doc[self.left].lower_ == "of":
            span = self._np_before(self.left)
            return span is not None and self._is_quantity(doc[span[1] - 1], changes=False)
        return False

    def _unitless_kind(self, after: _After, cue: _Cue | None) -> tuple[str, str, str] | None:
        """Why a number without a unit is a claim: (rule, unit, confidence key), or None."""
        m, p = self.m, self.p
        if m.measure is None and (m.scaled or m.number >= p.data_count_min):
            count = p.data_count_re.match(self.text, m.end)
            if count and self._creation_context() and not self._training_context():
                m.mid = (count.start("mid"), count.end("noun"))
                return "data_count", "", "data_count"
        if m.scaled and m.measure is None:
            if self._bare_scale_is_model_size():
                return "params_bare", "params", "params_bare"
            return None
        if after.metric_text and self._is_score_metric(after.metric_text):
            return "value_metric", "", "unitless_metric"
        before = self._metric_of_before()
        if before is not None and self._is_score_metric(before):
            return "metric_of_value", "", "unitless_metric"
        if self._is_by() and cue is not None:
            metric = self._verb_metric(cue) or self._sentence_metric()
            if metric is not None and self._is_score_metric(metric):
                return "comparison_by", "", "unitless_comparison"
        if m.measure is not None and m.measure.default_metric and after.metric_text == "":
            return "measure", "", "unitless_metric"
        if self._list_predecessor() is not None:
            return "list_item", "", "list"
        return None

    def _bare_scale_is_model_size(self) -> bool:
        """ "our 1.5B model", "parameter counts ranging from 148M to 1.3B"."""
        p = self.p
        nxt = self._token_after(self.last.i)
        if nxt is not None and (nxt.lower_ in p.bare_scale_model_nouns
                                or self.text[self.m.end:self.m.end + 11].lower().startswith("-param")):
            window = self.doc[max(self.floor, self.first.i - 3):self.first.i]
            if any(t.lower_ in p.bare_scale_owner_words for t in window):
                return True
        tail = self.text[self.sent.start_char:self.m.start].lower()[-60:]
        return any(w in tail for w in p.parameter_context_words) and not self._follows_name()

    def _follows_name(self) -> bool:
        """ "Vicuna 7B": a size inside a model name."""
        i = self.left
        return i >= self.floor and self.doc[i].pos_ == "PROPN" and self.doc[i].text[:1].isupper()

    def _creation_context(self) -> bool:
        lemmas = {t.lemma_.lower() for t in self.sent}
        return bool(lemmas & self.p.creation_cues)

    def _training_context(self) -> bool:
        window = self.text[max(self.sent.start_char, self.m.start - 60):self.m.start].lower()
        return any(cue in window for cue in self.p.training_cues)

    # -- reading around the number ------------------------------------------------------------------

    def _skip_qualifiers(self, i: int) -> tuple[int, set[str]]:
        """Index of the first token left of ``i`` (inclusive) that is not a hedge like "up to"."""
        doc, seen = self.doc, set()
        moved = True
        while moved and i >= self.floor:
            moved = False
            for q in self.p.qualifiers:
                n = len(q)
                if i - n + 1 >= self.floor and tuple(t.lower_ for t in doc[i - n + 1:i + 1]) == q:
                    seen.add(" ".join(q))
                    i -= n
                    moved = True
                    break
        return i, seen

    def _token_after(self, i: int) -> Token | None:
        j = i + 1
        return self.doc[j] if j < self.sent.end else None

    def _cue_kind(self, token: Token, comparatives: bool) -> _Cue | None:
        p = self.p
        words = {token.lower_, token.lemma_.lower()}
        if token.pos_ == "VERB" and token.lemma_.lower() == "speed":
            return _Cue(token, "higher", True)
        accel = bool(words & p.acceleration_cues)
        if words & p.outperform_verbs:
            return _Cue(token, "outperform", False)
        if words & p.higher_change:
            return _Cue(token, "higher", accel)
        if words & p.lower_change and not (token.lower_ == "lower" and token.pos_ == "ADJ"):
            return _Cue(token, "lower", False)
        if token.pos_ == "NOUN" and token.lemma_.lower() in p.noun_cues:
            return _Cue(token, p.noun_cues[token.lemma_.lower()], False)  # "a lead of 10%"
        if comparatives:
            if words & p.higher_comparatives and token.lower_ not in p.lower_comparatives:
                return _Cue(token, "higher", accel)
            if words & p.lower_comparatives:
                return _Cue(token, "lower", False)
        return None

    def _cue_before(self) -> _Cue | None:
        """The nearest change word before the number in its clause ("reducing memory by 75%")."""
        doc, i = self.doc, self.left
        if i < self.floor:
            return None
        if doc[i].text == "(":
            # "performance degradation (<0.3%)", "improved performance (up to 3.7%)"
            for k in range(i - 1, max(self.floor, i - 4) - 1, -1):
                if not self._np_token(doc[k], k):
                    break
                cue = self._cue_kind(doc[k], comparatives=k == i - 1)
                if cue is not None:
                    return cue
            return None
        if doc[i].lower_ == "by" and i - 1 >= self.floor:
            comparative = self._cue_kind(doc[i - 1], comparatives=True)
            if comparative is not None:
                return comparative
        steps, seen_by = 0, False
        while i >= self.floor and steps < self.p.max_window:
            t = doc[i]
            if t.text in _CLAUSE_PUNCT or "\n" in t.text or t.lower_ in ("while", "whereas", "which", "that"):
                break
            if t.lower_ == "by":
                seen_by = True
            elif t.pos_ == "ADP" and t.lower_ not in ("of", "to", "than") and not seen_by:
                break  # "reducing the input length for the 7B model": the number is not what changes
            cue = self._cue_kind(t, comparatives=False)
            if cue is not None:
                return cue
            if t.pos_ == "VERB" and t.dep_ not in ("amod", "compound"):
                break
            if t.lower_ in ("and", "or") and i + 1 < len(doc) and doc[i + 1].pos_ == "VERB":
                break
            i -= 1
            steps += 1
        return self._by_verb()

    def _by_verb(self) -> _Cue | None:
        """For "by N": the comparison verb governing it, even far back ("outperforms X by 0.4")."""
        doc, i = self.doc, self.left
        if i < self.floor or doc[i].lower_ != "by":
            return None
        head = doc[i].head
        for _ in range(4):
            if head.lemma_.lower() in self.p.comparison_verbs:
                found = self._cue_kind(head, comparatives=False)
                if found is not None:
                    return found
            if head.head.i == head.i:
                break
            head = head.head
        for t in reversed(list(doc[self.sent.start:i])):
            if t.text == ";":
                break
            if t.pos_ == "VERB" and t.lemma_.lower() in self.p.comparison_verbs:
                return self._cue_kind(t, comparatives=False)
        return None

    def _is_by(self) -> bool:
        return self.left >= self.floor and self.doc[self.left].lower_ == "by"

    def _after(self) -> _After:
        """The phrase right after the number and its unit: "mIoU", "increase in throughput"."""
        doc = self.doc
        after = _After(self.last.i + 1)
        j, hi = self.last.i + 1, min(self.sent.end, self.last.i + 8)
        words: list[Token] = []
        while j < hi:
            t = doc[j]
            if t.lower_ == "speed":
                k = j + 2 if j + 1 < self.sent.end and doc[j + 1].text == "-" else j + 1
                if k < self.sent.end and doc[k].lower_ == "up":  # "2x speed-up", "30% speed up"
                    after.cue, after.cue_text = _Cue(t, "higher", True), "speedup"
                    j = k + 1
                    break
            if t.lower_ in ("relative", "absolute", "relatively", "absolutely"):
                j += 1  # "19% relative", "20.4% absolute improvement"
                continue
            cue = self._cue_kind(t, comparatives=True) if t.pos_ != "VERB" else None
            if cue is not None and cue.direction != "outperform":
                after.cue = cue
                j += 1
                break
            if not self._np_token(t, j):
                break
            words.append(t)
            j += 1
        after.end = j
        if not words and after.cue is None and j < self.sent.end and doc[j].text == "(":
            inner = self._np_from(j + 1)  # "1.5% (top-1 Acc)"
            if inner is not None and inner[1] < self.sent.end and doc[inner[1]].text == ")" \
                    and self._is_score_metric(inner):
                after.metric, after.metric_text = inner, doc[inner[0]:inner[1]].text
                after.end = inner[1] + 1
                return after
        span = self._after_metric(after, words, j)
        if span is not None and not (self.m.unit is not None and self.m.unit.noun_unit):
            head = doc[span[1] - 1]
            if not self._bad_head(head):
                after.metric = span
                after.metric_text = after.cue_text if span == self._cue_span(after) and after.cue_text \
                    else doc[span[0]:span[1]].text
        # "70% of visual tokens", "17.92% of SRResNet"
        if after.metric is None and not words and after.cue is None and j + 1 < self.sent.end \
                and doc[j].lower_ == "of":
            of_np = self._np_from(j + 1)
            if of_np is not None:
                after.of_phrase = of_np
                after.of_start = self._skip_determiners(j + 1)
                after.end = of_np[1]
        return after

    def _cue_span(self, after: _After) -> tuple[int, int] | None:
        return (after.cue.token.i, after.cue.token.i + 1) if after.cue is not None else None

    def _after_metric(self, after: _After, words: list[Token], j: int) -> tuple[int, int] | None:
        """The metric among the words after the number (see :meth:`_after`)."""
        doc, cue = self.doc, after.cue
        if cue is None:
            return self._trim(words[0].i, words[-1].i + 1) if words else None
        if words:
            costs = any(self._is_cost(w.text) for w in words)
            if cue.acceleration and cue.token.pos_ in _NOUNISH and not costs:
                return self._trim(words[0].i, cue.token.i + 1)  # "2.5x end-to-end speedups"
            return self._trim(words[0].i, words[-1].i + 1)  # "0.75% accuracy drop"
        tok = cue.token
        if tok.lower_ in ("more", "less") and j < self.sent.end and doc[j].pos_ == "ADJ":
            after.end = j + 1
            return (tok.i, j + 1)  # "10% more accurate"
        rest = self._np_from(j) if j < self.sent.end else None
        if rest is not None and after.cue_text == "":
            after.end = rest[1]
            return (tok.i, rest[1]) if tok.pos_ in _NOUNISH else rest  # "acceleration ratio"
        words_of_cue = {tok.lower_, tok.lemma_.lower()}
        of_np = self._np_from(j + 1) if j + 1 < self.sent.end and doc[j].lower_ in ("in", "of") else None
        if of_np is not None and (not cue.acceleration or self._is_cost(doc[of_np[0]:of_np[1]].text)):
            after.end = of_np[1]
            return of_np  # "20-fold increase in throughput", "69.6% acceleration in inference time"
        if cue.acceleration or not words_of_cue & (self.p.higher_change | self.p.lower_change):
            return (tok.i, tok.i + 1)  # "1.7x speedup", "25% faster"
        return None

    def _np_token(self, t: Token, j: int) -> bool:
        """May ``t`` be part of a metric phrase ("8-token CLS", "on-chip energy", "tokens/sec")?"""
        doc = self.doc
        if t.is_space or "\n" in t.text:
            return False
        hyphenated = not t.is_punct and (
            (j + 1 < self.sent.end and doc[j + 1].text == "-" and not doc[j + 1].whitespace_)
            or (j - 2 >= self.sent.start and doc[j - 1].text == "-" and not doc[j - 2].whitespace_))
        if hyphenated:
            return True
        if t.lower_ in self.p.np_stop_words:
            return False
        if t.is_punct:
            return t.text in ("-", "/", "'") and j + 1 < self.sent.end
        if t.like_num or t.pos_ == "NUM":
            return False
        if t.pos_ in ("ADP", "DET", "PRON", "CCONJ", "SCONJ", "AUX", "PART") and t.tag_ != "POS":
            return False
        return not (t.pos_ == "VERB" and t.tag_ in ("VBZ", "VBP", "VBD", "MD") and t.dep_ != "amod")

    def _skip_determiners(self, j: int) -> int:
        while j < self.sent.end and (self.doc[j].pos_ == "DET" or self.doc[j].tag_ == "PRP$"):
            j += 1
        return j

    def _np_from(self, j: int) -> tuple[int, int] | None:
        """The noun phrase starting at token ``j`` (past determiners, trimmed), or None."""
        j = self._skip_determiners(j)
        k = j
        while k < min(self.sent.end, j + 6) and self._np_token(self.doc[k], k):
            k += 1
        return self._trim(j, k) if k > j else None

    def _trim(self, a: int, b: int) -> tuple[int, int] | None:
        """Cut modifiers off both ends so that the phrase ends on a noun ("competitive test accuracy")."""
        doc = self.doc
        while b > a and (doc[b - 1].pos_ not in _NOUNISH and not self._is_quantity(doc[b - 1])
                         or doc[b - 1].is_punct):
            b -= 1
        while a < b - 1 and (doc[a].is_punct or doc[a].pos_ in _MODIFIER_POS and doc[a + 1].text != "-"
                             and not self._is_metric_word(doc[a])):
            a += 1
        return (a, b) if b > a else None

    def _np_before(self, i: int, skip_cues: bool = False) -> tuple[int, int] | None:
        """The noun phrase ending just before token ``i``; ``skip_cues`` drops "improvement" in
        "accuracy improvement of" (but keeps "speedup" of "wall clock speedup of")."""
        doc = self.doc
        end = i
        if skip_cues:
            while end - 1 >= self.floor:
                cue = self._cue_kind(doc[end - 1], comparatives=False)
                if cue is None or cue.acceleration:
                    break
                end -= 1
        k = end - 1
        while k >= self.floor and self._np_token(doc[k], k) and end - k <= 6:
            k -= 1
        return self._trim(k + 1, end) if k + 1 < end else None

    def _metric_of_before(self) -> str | None:
        """ "FID of 1.94", "sparsity levels up to 70%", "degradation (<0.3%)" -> the metric text."""
        span = self._metric_span_before()
        return self.doc[span[0]:span[1]].text if span else None

    def _metric_span_before(self) -> tuple[int, int] | None:
        doc, i = self.doc, self.left
        if i < self.floor:
            return None
        t = doc[i]
        low = t.lower_
        need_quantity = t.text in ("(", ":")  # "parameters (17.92% of X)", not "base (+4.7% on MMLU)"
        if t.text == "(" or low in ("of", ":", "="):
            span = (self._np_before(i, skip_cues=True) if low != ":" else None) or self._np_before(i)
        elif low in ("is", "are", "was", "were", "reaches", "reach", "becomes", "remains", "to", "by"):
            if low == "by":
                cue = self._by_verb()
                if cue is not None and cue.direction == "outperform":
                    return None  # "outperforms X by 2%": X is the baseline
            span = self._np_before(i)
            need_quantity = True
        elif self._np_token(t, i) and t.pos_ in _NOUNISH | {"ADJ"}:
            span = self._np_before(i + 1)  # "sparsity levels up to 70%", "FID 1.94"
            if span is None or not (self.qualifiers and self._is_quantity(doc[span[1] - 1])
                                    or self._is_score_metric(span)):
                return None
        else:
            return None
        if span is None:
            return None
        head = doc[span[1] - 1]
        if self._bad_head(head) or (need_quantity and not self._is_quantity(head)):
            return None
        return span

    def _verb_metric(self, cue: _Cue | None) -> str | None:
        """ "speed up X by 1.8x" -> "speedup"; "reducing memory consumption by 75%" -> its object."""
        if cue is None or cue.token.pos_ != "VERB":
            return None
        mapped = self.p.verb_metrics.get(cue.token.lemma_.lower())
        if mapped:
            return mapped
        if cue.direction == "outperform":
            return None
        doc = self.doc
        objects = [c for c in cue.token.children if c.dep_ in ("dobj", "nsubjpass", "obj")]
        objects += [conj for c in objects for conj in c.conjuncts]
        objects = [c for c in objects if c.i < self.first.i]
        if not objects:
            return None
        child = max(objects, key=lambda c: c.i)  # "reduces X by 4x and Y by 3x": the nearest object
        start = self._skip_determiners(child.left_edge.i)
        end = child.i + 1
        while end < self.first.i and (doc[end].pos_ in _NOUNISH or self._is_quantity(doc[end])):
            end += 1  # "communication overhead" parsed with "communication" as the object
        head = doc[end - 1]
        if head.lemma_.lower() in self.p.of_heads and end + 1 < self.first.i and doc[end].lower_ == "of":
            of_np = self._np_from(end + 1)  # "the number of model forward passes"
            if of_np is not None and of_np[1] <= self.first.i:
                end = of_np[1]
        span = self._trim(start, end) if end > start else None
        if span is None or self._bad_head(head) or self._bad_head(doc[span[1] - 1]):
            return None
        if not (self._is_quantity(head) or (head.pos_ == "NOUN" and head.text.islower())):
            return None
        return doc[span[0]:span[1]].text

    def _sentence_metric(self) -> str | None:
        """The nearest score named before the number in its sentence ("1.78 FID ... by 0.4")."""
        for c in reversed(self.before):
            if c.metric and self._is_score_metric(c.metric):
                return c.metric
        for t in reversed(list(self.doc[self.sent.start:self.first.i])):
            if self._is_metric_word(t):
                return t.text
        return None

    def _list_predecessor(self) -> _Claim | None:
        """The claim this number continues ("0.4/0.19", "0.01-0.34 on A, 0.38-0.68 on B")."""
        if not self.before:
            return None
        prev = self.before[-1]
        between = self.text[prev.consumed_end:self.m.start]
        if len(between) > 40 or not _COORDINATION_RE.match(between):
            return None
        return prev

    # -- attributes -------------------------------------------------------------------------------

    def _set_metric(self, claim: _Claim, after: _After, cue: _Cue | None) -> None:
        m, doc = self.m, self.doc
        metric: str | None = None
        if m.mid is not None:
            unit = m.unit
            if unit is None or unit.mid_is_modifier or unit.unit in ("params", "hours", "days", "epochs"):
                metric = self.text[m.mid[0]:m.tail if unit is not None else m.mid[1]].strip()
            else:
                metric = self.text[m.mid[0]:m.mid[1]].strip()
        if metric is None and after.metric_text:
            metric = after.metric_text
        if metric is None and after.of_phrase is not None:
            # "limiting overhead to 0.01% of the parameters": the verb's object is measured
            metric = self._verb_metric(cue)
            if metric is None and not self._of_is_system(after.of_phrase):
                metric = doc[after.of_phrase[0]:after.of_phrase[1]].text
                self.of_is_baseline = False
        if metric is None:
            metric = self._metric_of_before()
        if metric is None:
            metric = self._verb_metric(cue)
        if metric is None and cue is not None and cue.token.pos_ in _NOUNISH \
                and self._is_quantity(cue.token, changes=False):
            span = self._np_before(cue.token.i + 1)  # "reducing the gap ... to 1%"
            metric = doc[span[0]:span[1]].text if span else cue.token.text
        if metric is None and ((cue is not None and cue.direction == "outperform")
                               or claim.rule == "comparison_by"):
            metric = self._sentence_metric()
        if metric is None:
            default = m.unit or m.measure or self._unit_rule(claim.unit)
            metric = default.default_metric if default is not None else None
        if metric is not None:
            claim.metric, claim.metric_explicit = self._phrase(metric), True

    def _set_direction(self, claim: _Claim, after: _After, cue: _Cue | None) -> None:
        p, m, doc = self.p, self.m, self.doc
        direction: str | None = None
        if cue is not None:
            if cue.direction == "outperform":
                direction = "lower" if self._lower_is_better(claim.metric) else "higher"
            else:
                direction = cue.direction
            if direction == "higher" and cue.acceleration and claim.unit == "%" \
                    and self._is_cost(claim.metric):
                direction = "lower"  # "40% training time acceleration": the time is reduced
            if direction == "lower" and cue.token.pos_ == "VERB" and claim.unit not in ("%", "x") \
                    and self.left >= self.floor and doc[self.left].lower_ in p.target_prepositions:
                direction = "absolute"  # "minimizes the model complexity to 83.4M parameters"
        elif after.of_phrase is not None and claim.unit == "%":
            head = doc[after.of_phrase[1] - 1]
            retained = head.lemma_.lower() in p.retained_nouns or head.lower_ in p.retained_nouns
            direction = "absolute" if retained else "lower"
        if direction is None:
            direction = {"+": "higher", "−": "lower"}.get(self.text[m.start - 1:m.start])
        if direction is not None:
            claim.direction, claim.direction_explicit = direction, True

    def _baseline(self, after: _After, cue: _Cue | None) -> str | None:
        """What the number is compared against ("over X", "than X", "X% of Y", "outperforms X")."""
        doc, p = self.doc, self.p
        if after.of_phrase is not None and self.of_is_baseline:
            return self._phrase(doc[after.of_start:after.of_phrase[1]].text)
        respectively = "respectively" in self.sent.text.lower()
        j = after.end
        limit = min(self.sent.end, j + 14)
        while j < limit:
            t = doc[j]
            if t.idx >= self.following or t.text in (";", ".") or "\n" in t.text:
                break
            for words in p.baseline_cues:
                n = len(words)
                if tuple(x.lower_ for x in doc[j:j + n]) == words:
                    phrase = self._baseline_phrase(j + n, respectively)
                    if phrase:
                        return phrase
            if t.pos_ == "VERB" and t.tag_ in ("VBZ", "VBP", "VBD"):
                break
            j += 1
        return self._baseline_before(cue)

    def _baseline_phrase(self, j: int, allow_and: bool) -> str | None:
        doc, p = self.doc, self.p
        j = self._skip_determiners(j)
        k = j
        while k < min(self.sent.end, j + 10):
            t = doc[k]
            if t.is_punct and t.text not in ("-", "/", "'") or t.like_num:
                break
            if t.lower_ in p.baseline_stop_words and not (allow_and and t.lower_ == "and") \
                    and not (k + 1 < self.sent.end and doc[k + 1].text == "-"):
                break
            k += 1
        if k == j:
            return None
        text = doc[j:k].text
        return text if text.lower() not in ("that", "those", "it") else None

    def _baseline_before(self, cue: _Cue | None) -> str | None:
        """ "outperforms LlamaGen/VAR by 0.4", "Compared to Paint with Words, we improve by 5"."""
        doc, i = self.doc, self.left
        if cue is not None and cue.direction == "outperform" and self._is_by():
            span = self._np_before(i)
            if span is not None and not self._is_quantity(doc[span[1] - 1]):
                k = span[0]
                while k - 1 >= self.floor and self._np_token(doc[k - 1], k - 1) and doc[k - 1].pos_ != "VERB":
                    k -= 1  # keep the adjectives that _np_before trimmed
                return self._phrase(doc[self._skip_determiners(k):span[1]].text)
        low = self.sent.text.lower()
        for words in ("compared to ", "compared with ", "relative to "):
            if low.startswith(words):
                start = self.sent.start_char + len(words)
                comma = self.text.find(",", start, self.sent.end_char)
                if 0 < comma < self.m.start:
                    return self._phrase(self.text[start:comma])
        return None

    def _of_is_system(self, span: tuple[int, int]) -> bool:
        """Is the X of "N% of X" a system ("SRResNet") rather than a quantity ("visual tokens")?"""
        return not self._is_quantity(self.doc[span[1] - 1])

    def _phrase(self, text: str) -> str:
        words = text.strip(" ,;:()").split()
        while words and words[0].lower() in ("the", "a", "an", "our", "its", "their"):
            words.pop(0)
        return " ".join(words)

    def _unit_rule(self, unit: str) -> UnitRule | None:
        return next((u for u in self.p.units if u.unit == unit and unit and not u.reject), None)

    # -- word classes -----------------------------------------------------------------------------

    def _is_metric_word(self, t: Token) -> bool:
        return self._is_score_metric(t.text) or self._is_entity(t, only_metric=True)

    def _is_quantity(self, t: Token, *, changes: bool = True) -> bool:
        """A measured quantity: "memory", "latency", "FID"; with ``changes`` also "speedup", "drop"."""
        p = self.p
        words = {t.lower_, t.lemma_.lower()}
        if words & (p.quantity_nouns | p.cost_nouns | p.retained_nouns) or self._is_metric_word(t):
            return True
        return (changes and t.pos_ == "NOUN" and not words & p.outperform_verbs
                and bool(words & (p.acceleration_cues | p.higher_change | p.lower_change)))

    def _bad_head(self, head: Token) -> bool:
        """Heads that never end a metric phrase: generic words, names of systems ("Llama2-7b")."""
        if head.lower_ in self.p.not_metric_heads:
            return True
        if self._is_entity(head, exclude_metric=True) and not self._is_quantity(head):
            return True
        return any(ch.isdigit() for ch in head.text) and not self._is_metric_word(head)

    def _is_score_metric(self, metric: str | tuple[int, int] | None) -> bool:
        if metric is None:
            return False
        if isinstance(metric, tuple):
            metric = self.doc[metric[0]:metric[1]].text
        p = self.p
        low = f" {metric.lower()} "
        if any(f" {name} " in low for name in p.score_metrics):
            return True  # also multiword names inside a phrase: "length-controlled win rate"
        parts = [w for w in re.split(r"[\s@/\-]+", metric) if w] + metric.split()
        return (any(w in p.score_acronyms or w.lower() in p.score_metrics for w in parts)
                or any(e.label_ == METRIC_LABEL and e.text == metric for e in self.entities))

    def _lower_is_better(self, metric: str | None) -> bool:
        return bool(metric) and any(w.lower() in self.p.lower_better for w in (metric or "").split())

    def _is_cost(self, metric: str | None) -> bool:
        return bool(metric) and any(w.lower() in self.p.cost_nouns for w in (metric or "").split())

    def _is_entity(self, t: Token, *, exclude_metric: bool = False, only_metric: bool = False) -> bool:
        for e in self.entities:
            if e.start <= t.i < e.end:
                if only_metric:
                    return e.label_ == METRIC_LABEL
                if exclude_metric:
                    return e.label_ not in (METRIC_LABEL, "Task")
                return True
        return False

    # -- construction -------------------------------------------------------------------------------

    def _new(self, start: int, end: int, unit: str, rule: str, confidence: float) -> _Claim:
        value = self.text[start:end]
        number = self.m.number
        return _Claim(value=value, number=number, unit=unit, start=start, end=end, rule=rule,
                      confidence=confidence, sent=self.sent, sentence=0,
                      last=self.last.i, consumed_end=self.m.tail)

    def _finish(self, claim: _Claim, end_tok: int) -> _Claim:
        """Set the subject, dataset, evidence and list group of a claim."""
        doc = self.doc
        end_tok = min(max(end_tok, self.last.i), self.sent.end - 1)
        claim.last = end_tok
        last_end = doc[self.last.i].idx + len(doc[self.last.i].text)
        if end_tok > self.last.i and self.following >= last_end:  # "0.4/0.19" is one token: keep its tail free
            claim.consumed_end = max(claim.consumed_end, doc[end_tok].idx + len(doc[end_tok].text))
        claim.subject = self._subject()
        claim.dataset = self._dataset()
        claim.evidence = self._clause(claim.start, claim.end)
        prev = self._list_predecessor()
        if prev is not None:
            if prev.group < 0:
                prev.group = prev.start
            claim.group = prev.group
            claim.group_pos = prev.group_pos + 1
            self._split_baseline(prev, claim)
        return claim

    def _split_baseline(self, prev: _Claim, claim: _Claim) -> None:
        """ "LlamaGen/VAR by 0.4/0.19", "X and Y, respectively": one baseline per list item."""
        text = prev.baseline or claim.baseline
        if not text:
            return
        slash = _SLASH_TAIL_RE.search(text)
        if slash:
            parts = slash.group(1).split("/")
        elif "respectively" in self.sent.text.lower() and " and " in text:
            parts = [x.strip() for x in re.split(r",\s*(?:and\s+)?|\s+and\s+", text) if x.strip()]
        else:
            return
        if prev.group_pos < len(parts):
            prev.baseline = parts[prev.group_pos]
        if claim.group_pos < len(parts):
            claim.baseline = parts[claim.group_pos]

    def _subject(self) -> list[int] | None:
        """The Method/Model entity that is the subject of the verb governing the number.

        When the parse gives none, a Method/Model named right before a result verb earlier in
        the sentence ("DDRNet-23-slim yields 77.4% mIoU") is taken.
        """
        if not self.entities:
            return None
        subject = self._governing_subject()
        if subject is not None:
            best: Span | None = None
            for e in self.entities:
                if e.label_ not in SUBJECT_LABELS or e.start_char < self.m.tail and self.m.start < e.end_char:
                    continue
                if e.start <= subject.i < e.end:
                    return [e.start_char, e.end_char]
                if subject.left_edge.i <= e.start and e.end - 1 <= subject.right_edge.i:
                    best = e
            if best is not None:
                return [best.start_char, best.end_char]
        return self._subject_before_verb()

    def _subject_before_verb(self) -> list[int] | None:
        doc, p = self.doc, self.p
        found: Span | None = None
        for e in self.entities:
            if e.label_ not in SUBJECT_LABELS or e.start < self.sent.start or e.end > self.first.i:
                continue
            k = e.end
            while k < self.first.i and doc[k].lower_ in p.subject_gap_words:
                k += 1
            if k < self.first.i and doc[k].lower_ in p.result_verbs:
                found = e
        return [found.start_char, found.end_char] if found is not None else None

    def _dataset(self) -> list[int] | None:
        """The Dataset entity after the number in its clause, else the nearest before it."""
        datasets = [e for e in self.entities if e.label_ == DATASET_LABEL
                    and self.sent.start <= e.start and e.end <= self.sent.end]
        for e in datasets:
            if e.start_char >= self.m.tail and e.start_char < self.following_same_unit:
                return [e.start_char, e.end_char]
        preceding = [e for e in datasets if e.end_char <= self.m.start]
        if preceding:
            return [preceding[-1].start_char, preceding[-1].end_char]
        return None

    def _clause(self, start: int, end: int) -> tuple[int, int]:
        """Char offsets of the clause holding [start, end), within its sentence and line."""
        doc, sent = self.doc, self.sent
        lo, hi = sent.start_char, sent.end_char
        newline_before = self.text.rfind("\n", lo, start)
        if newline_before >= 0:
            lo = newline_before + 1
        newline_after = self.text.find("\n", end, hi)
        if newline_after >= 0:
            hi = newline_after
        for t in sent:
            boundary = t.text in (";", ":") or (
                t.text == "," and t.i + 1 < sent.end and doc[t.i + 1].lower_ in self.p.clause_starters
                and not doc[t.i + 1].like_num) or t.lower_ in ("while", "whereas")
            if not boundary:
                continue
            if t.idx + len(t.text) <= start and t.idx >= lo:
                lo = t.idx + (0 if t.lower_ in ("while", "whereas") else len(t.text))
            elif t.idx >= end and t.idx < hi:
                hi = t.idx
                break
        while lo < hi and self.text[lo] in " ,;:":
            lo += 1
        while hi > lo and self.text[hi - 1] in " ,;:.":
            hi -= 1
        return lo, hi


@dataclass(slots=True)
class _After:
    """What follows a number: the metric phrase, a direction word, an "of X" phrase."""

    end: int
    cue: _Cue | None = None
    cue_text: str = ""  # the cue as a metric name when spelled apart ("speed-up" -> "speedup")
    metric: tuple[int, int] | None = None
    metric_text: str = ""
    of_phrase: tuple[int, int] | None = None
    of_start: int = 0
