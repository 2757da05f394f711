"""Whitespace words over spaCy tokens, with a coarse kind each; the unit the entity rules work on.

spaCy splits "ImageNet-1K", "text-to-image" and "Pick-or-Mix" into several tokens; the rules need them whole.
A word is a maximal run of tokens without whitespace between them, with surrounding brackets and
punctuation split off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from spacy.tokens import Doc, Span

_CAMEL = re.compile(r"[a-z0-9][A-Z]|[A-Z]{2}")
_DIGIT_LETTER = re.compile(r"(?=.*\d)(?=.*[A-Za-z])")
_RESOLUTION = re.compile(r"\d+(x|times|\*)\d+")
_NUMBER = re.compile(r"[\d.,]+(%|\\%)?")
_NUMBER_WITH_UNIT = re.compile(r"(\d[\d.,]*(x|X|×|%)?[-–~])?"  # a range: "2x-3x", "10-20%"
                               r"\d[\d.,]*(x|X|×|times\S*|%|\\%|-?fold|[KMBT]|[KMGT]i?B|ms|MHz|GHz|FPS)\.?")
_URL = re.compile(r"://|www\.|\.(com|org|io|net|html?)\b|github|huggingface\.co")
METRIC_AT = re.compile(r"[A-Za-z][A-Za-z0-9-]*@(\d+|[A-Z][a-z]+)")  # "R@5", "MRR@10", "Pass@First"
_JUNK = re.compile(r"^[^\w(]|^[^(]*\)|^\w$|\([^)]*$")
_ADJECTIVE_SUFFIX = re.compile(r"-(based|like|aware|free|specific|level|wise|oriented|driven|guided|agnostic|centric)$")
_EDGE_PUNCT = frozenset("()[]{},.;:!?\"'`“”‘’")
_NUMBER_WORDS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                           "eleven", "twelve", "dozens", "hundreds", "thousands", "millions"})
_FUNCTION_POS = frozenset({"DET", "ADP", "CCONJ", "SCONJ", "PRON", "AUX", "PART", "PUNCT", "SYM", "INTJ", "SPACE"})
_VERBAL_DEPS = frozenset({"ROOT", "advcl", "xcomp", "pcomp", "acl", "relcl", "csubj", "ccomp", "parataxis"})


class Kind(Enum):
    """Coarse word kinds used by the phrase grammar."""

    NAME = "name"  # CamelCase, acronym, letters with digits: ImageNet, PaDT, GPT-4, LLMs
    PROPER = "proper"  # Capitalized inside a sentence of the abstract: Transformer, Mamba
    NOUN = "noun"
    ADJ = "adj"
    GERUND = "gerund"  # -ing word used as a noun: decoding, captioning
    NUM = "num"
    FUNC = "func"  # anything that ends a noun phrase


@dataclass(frozen=True, slots=True)
class Word:
    """One whitespace word: token offsets, text and kind."""

    start: int
    end: int
    text: str
    kind: Kind

    @property
    def lower(self) -> str:
        """Lower-case text."""
        return self.text.lower()


def sentence_words(sent: Span, *, in_title: bool, func_words: frozenset[str] = frozenset()) -> list[Word]:
    """Split a sentence into words and give each a kind.

    Args:
        sent: the sentence.
        in_title: the sentence is the title, where capitals do not mark names.
        func_words: words that always end a phrase ("called", "including").
    """
    doc = sent.doc
    words: list[Word] = []
    i = sent.start
    while i < sent.end:
        j = i
        while j + 1 < sent.end and not doc[j].whitespace_ and not doc[j + 1].is_space:
            j += 1
        words.extend(_split_edges(doc, i, j + 1, in_title=in_title, func_words=func_words))
        i = j + 1
    return words


def _split_edges(doc: Doc, start: int, end: int, *, in_title: bool, func_words: frozenset[str]) -> list[Word]:
    """Split leading and trailing punctuation tokens off a whitespace run."""
    out_head: list[Word] = []
    out_tail: list[Word] = []
    while start < end and doc[start].text in _EDGE_PUNCT:
        out_head.append(Word(start, start + 1, doc[start].text, Kind.FUNC))
        start += 1
    while end > start and doc[end - 1].text in _EDGE_PUNCT:
        out_tail.insert(0, Word(end - 1, end, doc[end - 1].text, Kind.FUNC))
        end -= 1
    # "models'" and "LLM's": the possessive ends the word
    if end - start > 1 and doc[end - 1].tag_ == "POS":
        out_tail.insert(0, Word(end - 1, end, doc[end - 1].text, Kind.FUNC))
        end -= 1
    middle = [Word(start, end, doc[start:end].text, _kind(doc, start, end, in_title=in_title, func_words=func_words))
              ] if start < end else []
    return out_head + middle + out_tail


def _kind(doc: Doc, start: int, end: int, *, in_title: bool, func_words: frozenset[str]) -> Kind:
    text = doc[start:end].text
    last = doc[end - 1]
    first = doc[start]
    if text.lower() in _NUMBER_WORDS or _NUMBER.fullmatch(text) or _NUMBER_WITH_UNIT.fullmatch(text) or \
            _RESOLUTION.fullmatch(text):
        return Kind.NUM
    if not any(c.isalpha() for c in text) or _URL.search(text) or _JUNK.search(text) or text.lower() in func_words \
            or METRIC_AT.fullmatch(text):
        return Kind.FUNC  # a metric at a cut-off ends a phrase: "TriviaQA R@5" is a dataset and a metric
    if _ADJECTIVE_SUFFIX.search(text.lower()):
        return Kind.ADJ  # "PC-based", "CLIP-like": describes something else
    if _CAMEL.search(text) or "++" in text or (_DIGIT_LETTER.match(text) and any(c.isupper() for c in text)):
        return Kind.NAME
    if end - start == 1 and (first.pos_ in _FUNCTION_POS or first.tag_ in ("MD", "WDT", "WP", "EX", "TO", "RB",
                                                                           "RBR", "RBS", "WRB")):
        return Kind.FUNC
    if first.text[:1].isupper() and not in_title and not first.is_sent_start:
        return Kind.PROPER
    if last.tag_ == "VBD" or (last.tag_ == "VBN" and any(c.dep_ in ("dobj", "nsubj") for c in last.children)):
        return Kind.FUNC
    if last.tag_ == "VBG":
        return Kind.GERUND if _nominal_gerund(last) else Kind.FUNC
    if end - start == 1 and last.pos_ in ("VERB", "AUX") and last.tag_ != "VBN":
        return Kind.FUNC
    if last.pos_ == "ADJ" or last.tag_ in ("JJ", "JJR", "JJS", "VBN"):
        return Kind.ADJ
    if end - start == 1 and last.pos_ == "ADV":
        return Kind.FUNC
    return Kind.NOUN


def _nominal_gerund(token) -> bool:  # noqa: ANN001 - a spaCy Token
    """Whether an -ing word is used as a noun ("image captioning") rather than a verb ("reducing memory")."""
    deps = {child.dep_ for child in token.children}
    if deps & {"dobj", "aux", "auxpass", "nsubj"}:
        return False
    return token.dep_ not in _VERBAL_DEPS or bool(deps & {"amod", "compound", "det", "poss"})
