"""The words next to a number: direction cues, the phrase after it, the metric named before it."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from extractors.claims.sentence import _NOUNISH, _Cue, _Sentence

_CLAUSE_PUNCT = frozenset({",", ";", ":", "(", ")", "[", "]"})


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


class _Context(_Sentence):
    """Reads the direction cues and metric names around the number."""

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
