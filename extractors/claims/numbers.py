"""Lexical stage of ``kg_claims``: the numbers of a text with their scale, unit and range.

Regular expressions over the text find numbers with their scale ("16M"), unit ("1.62times", "88.5\\%",
"83.4M trainable parameters") and ranges ("2x-3x", "5 to 10"), numbers spelled with words ("8 out of
11", "three times faster"), and drop numbers inside names ("LLaMA-2-7B"), sizes ("256x256"),
bit-widths ("8-bit") and compounds ("256-way").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.claims.patterns import ClaimPatterns, UnitRule

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+"
# A number that is not part of a name ("GPT-4", "x4"), a version, a path or a LaTeX command; a minus sign after a
# space, a bracket or "=" is a sign ("(-5.6% mAP)", "ICC=-0.15"), and the value is read without it.
_NUMBER_RE = re.compile(rf"(?:(?<=sim)|(?<=[\s(\[=:]-)|(?<![\w.,\\@#^$×-]))(?:{_NUMBER})")  # "sim7\%" lost its "\"
_NUMBER_AT = re.compile(_NUMBER)
_SCALE_RE = re.compile(r"(?P<suf>[kKMBT])(?![A-Za-z0-9])|\s(?P<word>thousand|million|billion|trillion)\b")
_SCALE_GLOSS_RE = re.compile(r"\s?\((?:thousand|million|billion|trillion)\)")
# "256x256", "768 times 512", "256*256", "1x1": an image size or a kernel, never a claim.
_DIMENSION_RE = re.compile(r"\s?(?:[x×*]|times)\s?(?=\d)")
_DIMENSION_TAIL_RE = re.compile(rf"(?:{_NUMBER})(?:\s?[x×*]\s?(?:{_NUMBER}))*")
_RANGE_SEP_RE = re.compile(r"\s?(?:--|-|–|—|~|sim)\s?(?=\.?\d)|\s+(?P<to>to|through)\s+(?=\.?\d)")
# Between a bare number and the number whose unit it takes: a list ("5 and 10 points") or a spread ("92.7 ± 0.7%").
_UNIT_LIST_RE = re.compile(r"^(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*/\s*|\s*(?:±|\+/-|\+-|pm)\s*)$")


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


def scan_numbers(text: str, patterns: ClaimPatterns) -> list[_Mention]:
    """Numbers of the text with their unit, in text order (names and sizes left out).

    Args:
        text: The Doc's text (URLs and LaTeX markup blanked out).
        patterns: The compiled patterns.

    Returns:
        The mentions, before their context is read.
    """
    return _Scanner(patterns).scan(text)


class _Scanner:
    """Finds the numbers of a text, with their scale, unit and range."""

    def __init__(self, patterns: ClaimPatterns) -> None:
        self.patterns = patterns

    @property
    def _multiplier(self) -> UnitRule:
        """The first "x" entry of the unit table."""
        return next(u for u in self.patterns.units if u.unit == "x")

    def scan(self, text: str) -> list[_Mention]:
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
        """ "5 and 10 points", "92.7 ± 0.7%": a bare number takes the unit of the list item or spread after it."""
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
