"""``kg_acronyms``: long form and short form defined together, "Masked Token Optimization (MTO)".

The matching follows Schwartz & Hearst (2003): every letter of the short form must appear, in order, in the
long form, and the short form's first letter must start a word of the long form. Both orders are found:
"long form (SF)" and "SF (long form)".
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors import contract
from extractors.contract import AcronymPair


_SHORT = re.compile(r"[A-Za-z][\w\-+./&]{0,14}")
_LETTER = re.compile(r"[A-Za-z]")
_REPEAT = re.compile(r"([A-Za-z])([2-5])(?![\d.])")
_BREAK_WORDS = frozenset({"we", "our", "is", "are", "was", "were", "be", "been", "called", "termed", "dubbed",
                          "named", "namely", "i.e.", "e.g.", "which", "that", "this", "these", "and", "or", "as"})


@Language.factory("kg_acronyms", assigns=["doc._.kg_acronyms"], default_config={"max_short_len": 12})
def make_acronym_detector(nlp: Language, name: str, max_short_len: int) -> AcronymDetector:
    """Create the acronym detector.

    Args:
        nlp: the pipeline.
        name: the component name.
        max_short_len: longest short form considered, in characters.
    """
    return AcronymDetector(max_short_len=max_short_len)


class AcronymDetector:
    """Writes ``doc._.kg_acronyms``: :class:`~extractors.contract.AcronymPair` records, title pair first."""

    def __init__(self, *, max_short_len: int) -> None:
        self.max_short_len = max_short_len

    def __call__(self, doc: Doc) -> Doc:
        pairs: list[AcronymPair] = []
        for open_tok in doc:
            if open_tok.text != "(":
                continue
            close = _closing(doc, open_tok.i)
            if close is None:
                continue
            inner = doc[open_tok.i + 1:close]
            before = _words_before(doc, open_tok.i)
            long_span = _long_form(before, inner.text) if self._is_short(inner.text) else None
            if long_span is not None:
                pairs.append(AcronymPair(long_span.start, long_span.end, inner.start, inner.end))
            elif before is not None and len(inner) >= 2:
                short = _last_word(before)
                if self._is_short(short.text) and _long_form(inner, short.text) == inner:
                    pairs.append(AcronymPair(inner.start, inner.end, short.start, short.end))
        title_pair = self._title_pair(doc)
        if title_pair is not None and title_pair not in pairs:
            pairs.insert(0, title_pair)
        contract.write(doc, contract.ACRONYMS, pairs)
        return doc

    def _title_pair(self, doc: Doc) -> AcronymPair | None:
        """A title "S2D: Sorted Speculative Decoding for ..." defines its short form by the words after the colon."""
        title = next(iter(doc.sents), None)
        if title is None:
            return None
        colon = next((t.i for t in title[:6] if t.text == ":"), None)
        if colon is None or colon == 0 or not self._is_short(doc[0:colon].text):
            return None
        start = colon + 1
        while start < title.end and doc[start].lower_ in ("a", "an", "the"):
            start += 1
        short = doc[0:colon].text
        for reading in _readings(short):  # "CM3": Causal Masked Multimodal Model before "Causal Masked"
            for end in range(start + 2, min(start + 9, title.end) + 1):
                prefix = doc[start:end]
                if prefix[-1].is_punct or prefix[-1].lower_ in _BREAK_WORDS:
                    break
                if _spelled_by(prefix, reading, short) == prefix:
                    return AcronymPair(start, end, 0, colon)
        return None

    def _is_short(self, text: str) -> bool:
        if not (2 <= len(text) <= self.max_short_len) or not _SHORT.fullmatch(text):
            return False
        capitals = sum(c.isupper() for c in text)
        return capitals >= 2 or (capitals == 1 and not text[0].isupper() and len(text) <= 6)


def _closing(doc: Doc, start: int) -> int | None:
    for i in range(start + 1, min(start + 12, len(doc))):
        if doc[i].text == ")":
            return i
        if doc[i].text in ("(", ".", ";") or doc[i].is_sent_start:
            return None
    return None


def _words_before(doc: Doc, paren: int) -> Span | None:
    """The words before "(" in the same sentence, stopping at punctuation other than hyphens."""
    start = paren
    while start > 0:
        token = doc[start - 1]
        if token.is_sent_end or token.is_space or (token.is_punct and token.text not in "-/+'"):
            break
        standalone = token.whitespace_ and (token.i == 0 or doc[token.i - 1].whitespace_)
        if standalone and token.lower_ in _BREAK_WORDS:
            break
        start -= 1
        if paren - start >= 12:
            break
    return doc[start:paren] if start < paren else None


def _last_word(span: Span) -> Span:
    """The last whitespace-delimited word of a span ("Pick-or-Mix" is one word)."""
    end = span.end
    start = end - 1
    while start > span.start and not span.doc[start - 1].whitespace_:
        start -= 1
    return span.doc[start:end]


def _long_form(candidates: Span | None, short: str) -> Span | None:
    """The shortest tail of ``candidates`` whose letters spell ``short`` (Schwartz & Hearst).

    A digit right after a letter first reads as that letter repeated ("S2D": Sorted Speculative Decoding),
    then as a version number that the long form need not spell.
    """
    if candidates is None:
        return None
    for reading in _readings(short):
        span = _spelled_by(candidates, reading, short)
        if span is not None:
            return span
    return None


def _readings(short: str) -> list[list[str]]:
    """The letters a long form must spell, most specific first: digits as repeats ("S2D" -> s, s, d), then
    digits as a version the long form need not spell; a plural "s" never counts ("LLMs")."""
    stem = short[:-1] if short.endswith("s") and sum(c.isupper() for c in short[:-1]) >= 2 else short
    repeated = _REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), stem)
    return [[c.lower() for c in spelled if c.isalpha()] for spelled in dict.fromkeys((repeated, stem))]


def _spelled_by(candidates: Span, letters: list[str], short: str) -> Span | None:
    if not letters:
        return None
    text = candidates.text
    li = len(text) - 1
    for si in range(len(letters) - 1, -1, -1):
        char = letters[si]
        while li >= 0 and (text[li].lower() != char or (si == 0 and li > 0 and text[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        li -= 1
    begin = candidates.start_char + max(text.rfind(" ", 0, li + 1) + 1, 0)
    span = candidates.doc.char_span(begin, candidates.end_char, alignment_mode="expand")
    if span is None or not _LETTER.search(span.text):
        return None
    n_words = len(span.text.split())
    if n_words > min(len(letters) + 5, 2 * len(letters)) or span.text.lower() == short.lower():
        return None
    return span
