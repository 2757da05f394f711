"""The sentence around one number: its tokens, word classes and noun phrases.

The reading of a number is built in layers, each a subclass of the one before: :class:`_Sentence`
(this module) finds noun phrases and classifies words; ``context`` reads the words next to the
number; ``attributes`` sets a claim's metric, direction, baseline, subject and dataset; ``reading``
decides which claims the number makes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from extractors.claims.claim import _Claim
from extractors.claims.numbers import _Mention
from extractors.claims.patterns import ClaimPatterns

SUBJECT_LABELS = frozenset({"Method", "Model"})
DATASET_LABEL = "Dataset"
METRIC_LABEL = "Metric"

_NOUNISH = frozenset({"NOUN", "PROPN"})
_MODIFIER_POS = frozenset({"ADJ", "ADV", "VERB", "NUM", "DET", "PRON"})


@dataclass(frozen=True, slots=True)
class _Cue:
    """A word giving a claim's direction."""

    token: Token
    direction: str  # higher | lower | outperform
    acceleration: bool


class _Sentence:
    """The state of one number's reading: the sentence, the tokens already read, the entity spans."""

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

    # -- syntax -----------------------------------------------------------------------------------

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

    def _is_by(self) -> bool:
        return self.left >= self.floor and self.doc[self.left].lower_ == "by"

    # -- noun phrases -----------------------------------------------------------------------------

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

    # -- word classes -----------------------------------------------------------------------------

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
