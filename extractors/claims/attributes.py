"""A claim's attributes: metric, direction, baseline, subject, dataset and evidence clause."""

from __future__ import annotations

import re

from spacy.tokens import Span

from extractors.claims.claim import _Claim
from extractors.claims.context import _After, _Context
from extractors.claims.patterns import UnitRule
from extractors.claims.sentence import _NOUNISH, DATASET_LABEL, SUBJECT_LABELS, _Cue

_SLASH_TAIL_RE = re.compile(r"([\w.+-]+(?:/[\w.+-]+)+)$")


class _Attributes(_Context):
    """Sets the attributes of the claims of one number."""

    of_is_baseline: bool = True
    """ "N% of X": X is the baseline unless it is what is measured (see :meth:`_set_metric`)."""

    # -- what is measured, and how it changed -------------------------------------------------------

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

    # -- who, where, and the evidence ------------------------------------------------------------

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
