"""A parsed Doc's sentences and noun chunks, computed once per Doc.

kg's components run after the parser and change neither; each of them reads both many times per paper. The
memo holds a Doc weakly, so it ends with the Doc.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from spacy.tokens import Doc, Span


@dataclass(frozen=True, slots=True)
class Syntax:
    """The sentences of a Doc, the sentence of each token and the noun chunks."""

    sentences: list[Span]
    sentence_of: list[int]
    noun_chunks: list[Span]


_MEMO: WeakKeyDictionary[Doc, Syntax] = WeakKeyDictionary()


def syntax(doc: Doc) -> Syntax:
    """The sentences and noun chunks of a parsed Doc (read once, then remembered while the Doc lives)."""
    known = _MEMO.get(doc)
    if known is None:
        sentences = list(doc.sents)
        sentence_of = [0] * len(doc)
        for index, sentence in enumerate(sentences):
            sentence_of[sentence.start:sentence.end] = [index] * len(sentence)
        known = _MEMO[doc] = Syntax(sentences, sentence_of, list(doc.noun_chunks))
    return known
