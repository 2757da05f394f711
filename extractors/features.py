"""Features of an entity candidate, shared by the trained scorer and its training command.

A candidate span gets dense features from the pipeline's shared ``tok2vec`` output (``doc.tensor``: the mean
over the span, its last token, the tokens just before and after it) and sparse features (its words, shapes,
the rule that proposed it and the type the rules gave it, its context), hashed into a fixed number of buckets
with CRC32 so that training and inference agree without storing a vocabulary.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np
from spacy.tokens import Doc

HASH_BUCKETS = 1 << 16

_SHAPE = re.compile(r"[A-Z]+|[a-z]+|\d+|[^A-Za-z\d]+")


@dataclass(frozen=True, slots=True)
class CandidateContext:
    """What the features of a candidate need besides its span."""

    rule: str
    rule_type: str
    in_title: bool
    occurrences: int
    proposed: bool
    gazetteer_type: str


def dense_features(doc: Doc, start: int, end: int) -> np.ndarray:
    """Contextual vectors of the span from ``doc.tensor`` (zeros when the pipeline has no tensor)."""
    tensor = doc.tensor
    width = tensor.shape[1] if tensor.ndim == 2 and tensor.shape[0] == len(doc) else 0
    if width == 0:
        return np.zeros(0, dtype=np.float32)
    zero = np.zeros(width, dtype=np.float32)
    parts = [tensor[start:end].mean(axis=0), tensor[end - 1], tensor[start - 1] if start > 0 else zero,
             tensor[end] if end < len(doc) else zero]
    return np.concatenate(parts).astype(np.float32)


def sparse_features(doc: Doc, start: int, end: int, context: CandidateContext) -> list[str]:
    """Named sparse features of the span (hashed later by :func:`hashed`)."""
    span = doc[start:end]
    head, first = span[-1], span[0]
    before = doc[start - 1].lower_ if start > 0 else "^"
    before2 = doc[start - 2].lower_ if start > 1 else "^"
    after = doc[end].lower_ if end < len(doc) else "$"
    features = [
        "bias",
        f"rule={context.rule}", f"rule_type={context.rule_type}", f"gaz={context.gazetteer_type}",
        f"rule_type+head={context.rule_type}|{head.lower_}",
        f"head={head.lower_}", f"head_lemma={head.lemma_.lower()}", f"head_suffix={head.lower_[-4:]}",
        f"head_shape={_shape(head.text)}", f"head_tag={head.tag_}",
        f"first={first.lower_}", f"first_tag={first.tag_}", f"first_shape={_shape(first.text)}",
        f"n={min(len(span), 6)}", f"before={before}", f"before2={before2}|{before}", f"after={after}",
        f"title={context.in_title}", f"occurrences={min(context.occurrences, 4)}", f"proposed={context.proposed}",
        f"case={'upper' if span.text.isupper() else 'title' if span.text.istitle() else 'lower' if span.text.islower() else 'mixed'}",
    ]
    features += [f"word={t.lower_}" for t in span[:-1]]
    features += [f"bigram={a.lower_}|{b.lower_}" for a, b in zip(span, span[1:], strict=False)]
    return features


def hashed(features: list[str]) -> np.ndarray:
    """Bucket indices of named features (stable across runs and machines)."""
    return np.fromiter((zlib.crc32(f.encode("utf-8")) % HASH_BUCKETS for f in features), dtype=np.int64,
                       count=len(features))


def _shape(text: str) -> str:
    """Collapsed character classes: "GPT-4" -> "A-0", "ImageNet" -> "AaAa"."""
    out = []
    for part in _SHAPE.findall(text):
        out.append("A" if part[0].isupper() else "a" if part[0].islower() else "0" if part[0].isdigit() else "-")
    return "".join(out)[:8]
