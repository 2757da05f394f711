"""Context stage of ``kg_claims``: the claims one number makes in its sentence.

A number with a unit is kept unless it sets up the experiment ("8x A100", "at 90% sparsity"). A
number without a unit is kept only in a metric context ("FID of 1.94", "1.78 FID", "by 0.4" after a
comparison, list items after a claim), as a count of wins ("8 out of 11 metrics") or as the size of
a released dataset ("a dataset of 16M captions").
"""

from __future__ import annotations

import re

from extractors.claims.attributes import _Attributes
from extractors.claims.claim import _Claim
from extractors.claims.context import _After
from extractors.claims.patterns import UnitRule
from extractors.claims.sentence import _NOUNISH, _Cue

_YEAR_RE = re.compile(r"(?:19|20)\d\d")
# Between two items of a list of results: "0.4/0.19", "0.01-0.34 on LLaMA-2, 0.38-0.68", "1.62 (256x256) and".
_COORDINATION_RE = re.compile(
    r"^(?:\s+(?:relative|absolute|relatively|absolutely))?(?:\s*\([^()]{1,25}\))?"
    r"(?:\s+(?:on|in|for|at|with|under)\s+(?:(?!\s\d)[^,;()]){1,30}?)?(?:\s*\([^()]{1,25}\))?"
    r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*/\s*|\s*\(\s*)$")


class _Reading(_Attributes):
    """The claims of one mention: which kind of claim it is, whether it is one, and its record."""

    # -- entry point ------------------------------------------------------------------------------

    def claims(self) -> list[_Claim]:
        m = self.m
        if m.kind in ("out_of", "sota_count"):
            return [self._count_claim()]
        if m.kind == "from_to":
            return self._from_to_claims()
        claim = self._single()
        return [] if claim is None else [claim]

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

    def _list_predecessor(self) -> _Claim | None:
        """The claim this number continues ("0.4/0.19", "0.01-0.34 on A, 0.38-0.68 on B")."""
        if not self.before:
            return None
        prev = self.before[-1]
        between = self.text[prev.consumed_end:self.m.start]
        if len(between) > 40 or not _COORDINATION_RE.match(between):
            return None
        return prev

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
