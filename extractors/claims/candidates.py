"""Number candidates: every number the lexical scanner reads, as a possible claim.

A "from A to B" change gives two candidates (roles ``from`` and ``to``); a range is one (``range``); everything
else is ``single`` (or the scanner's kind for counts spelled in words: ``out_of``, ``sota_count``,
``word_multiplier``). Whether a candidate is a claim, and of what, is decided later by the trained models.
URLs are blanked before the scanner reads the text, and so is LaTeX markup (``latex_math_pattern`` and
``latex_markup_pattern`` of ``patterns/claims.json``): "$3.4\\times$" reads as "3.4 times". Blanking keeps every
character offset, so a candidate's offsets point into the Doc's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.claims.numbers import scan_numbers
from extractors.claims.patterns import ClaimPatterns

_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b\S+\.(?:com|org|io|net)/\S*")


@dataclass(frozen=True, slots=True)
class NumberCandidate:
    """A number of the text with the unit the scanner read.

    Attributes:
        value: the number as written.
        number: its value (the first number of a range).
        unit: the scanner's unit ("" when none).
        start: first character of the value.
        end: one past its last character.
        tail: one past the unit words.
        role: single, from, to, range, or a counting kind.
        rule: the unit rule (or kind) that read it.
        scaled: written with a scale ("16M", "2 billion").
    """

    value: str
    number: float
    unit: str
    start: int
    end: int
    tail: int
    role: str
    rule: str
    scaled: bool


def _spaces(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _blank_latex(text: str, patterns: ClaimPatterns) -> str:
    """The text with the delimiters of inline math and LaTeX markup blanked: "$3.4\\times$" reads "3.4 times"."""
    chars = list(patterns.latex_markup_re.sub(_spaces, text))
    for m in patterns.latex_math_re.finditer(text):
        chars[m.start()] = chars[m.end() - 1] = " "
    return "".join(chars)


def number_candidates(text: str, patterns: ClaimPatterns) -> list[NumberCandidate]:
    """The candidates of a text, in text order (URLs are never read, LaTeX markup is read as plain text)."""
    blanked = _blank_latex(_URL_RE.sub(_spaces, text), patterns)
    out: list[NumberCandidate] = []
    for m in scan_numbers(blanked, patterns):
        unit = m.unit.unit if m.unit is not None else ""
        rule = m.unit.rule if m.unit is not None else m.kind
        if m.kind == "from_to" and m.second is not None:
            start2, end2, number2 = m.second
            out.append(NumberCandidate(text[m.start:m.end], m.number, unit, m.start, m.end, m.end, "from", rule,
                                       m.scaled))
            out.append(NumberCandidate(text[start2:end2], number2, unit, start2, end2, m.tail, "to", rule,
                                       m.scaled))
            continue
        role = "single" if m.kind == "number" else m.kind
        out.append(NumberCandidate(text[m.start:m.end], m.number, unit, m.start, m.end, m.tail, role, rule,
                                   m.scaled))
    return sorted(out, key=lambda c: c.start)
