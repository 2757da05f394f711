"""A parsed Doc's sentences and noun chunks, computed once per Doc.

kg's components run after the parser and change neither; each of them reads both many times per paper. The
memo holds a Doc weakly and keeps only token offsets (a Span would keep its Doc alive), so it ends with the Doc.
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


@dataclass(frozen=True, slots=True)
class _Offsets:
    sentences: list[tuple[int, int]]
    sentence_of: list[int]
    noun_chunks: list[tuple[int, int]]


_MEMO: WeakKeyDictionary[Doc, _Offsets] = WeakKeyDictionary()


def syntax(doc: Doc) -> Syntax:
    """The sentences and noun chunks of a parsed Doc (read once, then remembered while the Doc lives)."""
    known = _MEMO.get(doc)
    if known is None:
        sentences = [(s.start, s.end) for s in doc.sents]
        sentence_of = [0] * len(doc)
        for index, (start, end) in enumerate(sentences):
            sentence_of[start:end] = [index] * (end - start)
        known = _MEMO[doc] = _Offsets(sentences, sentence_of, [(c.start, c.end) for c in doc.noun_chunks])
    return Syntax([doc[s:e] for s, e in known.sentences], known.sentence_of, [doc[s:e] for s, e in known.noun_chunks])
