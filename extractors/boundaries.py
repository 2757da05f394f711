"""Where a mention starts and ends: a learned choice among the variants of a span (``models/boundaries.npz``).

The recognizer and the noun chunks often take a word too many or too few: "Robust Keypoint Extraction" where the
paper's task is "keypoint extraction", "incremental training approach" for "incremental training". Each span of
the finders named in the rule table's ``boundary`` rule is read with its variants (``variants``: how many tokens
to move its start and its end by), and a classifier trained on the annotations picks one; the span is kept as it
is unless another variant is likelier.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from extractors.clusters import WordClusters
from extractors.gazetteer import Gazetteer
from extractors.linear import LinearModel

KEEP = "keep"
"""The variant that leaves a span as it is."""
MODEL_FILE = "boundaries.npz"


@dataclass(frozen=True, slots=True)
class DocTokens:
    """What the finders and the boundary features read of every token, gathered in one pass over a Doc.

    Attributes:
        text: the Doc's text.
        lowered: the text, lower-cased.
        starts: each token's first character.
        ends: each token's end character.
        lower: each token, lower-cased.
        pos: each token's part of speech.
        case: each token's case class ("T" title, "U" upper, "l" lower, "o" other).
        bare: each token is punctuation or white space.
    """

    text: str
    lowered: str
    starts: list[int]
    ends: list[int]
    lower: list[str]
    pos: list[str]
    case: list[str]
    bare: list[bool]

    @classmethod
    def of(cls, doc: Doc) -> DocTokens:
        """Read the Doc."""
        text = doc.text
        starts, ends, lower, pos, case, bare = [], [], [], [], [], []
        for t in doc:
            starts.append(t.idx)
            ends.append(t.idx + len(t))
            lower.append(t.lower_)
            pos.append(t.pos_)
            case.append("T" if t.is_title else "U" if t.is_upper else "l" if t.is_lower else "o")
            bare.append(t.is_punct or t.is_space)
        return cls(text, text.lower(), starts, ends, lower, pos, case, bare)

    def span_text(self, start: int, end: int) -> str:
        """The text of tokens ``start`` to ``end`` (exclusive)."""
        return self.text[self.starts[start]:self.ends[end - 1]]


@dataclass(frozen=True, slots=True)
class Boundaries:
    """The span variants of the rule table and the classifier that picks among them.

    Attributes:
        variants: each variant's moves of a span's start and end, in tokens (``keep`` is ``(0, 0)``).
        finders: the finders whose spans are read.
        model: the classifier; None leaves every span as it is.
    """

    variants: dict[str, tuple[int, int]]
    finders: frozenset[str]
    model: LinearModel | None

    def spans(self, tokens: DocTokens, start: int, end: int) -> dict[str, tuple[int, int]]:
        """The variants of a span that are spans of the Doc, ``keep`` first; a variant that moves an edge onto
        punctuation or white space is none."""
        out = {}
        for name, (move_start, move_end) in self.variants.items():
            s, e = start + move_start, end + move_end
            if name == KEEP or (0 <= s < e <= len(tokens.bare) and not tokens.bare[s] and not tokens.bare[e - 1]):
                out[name] = (s, e)
        return out

    def choose(self, tokens: DocTokens, spans: list[tuple[int, int, str]], gazetteer: Gazetteer,
               clusters: WordClusters | None) -> list[tuple[int, int]]:
        """The chosen variant of each (start, end, finder) span (one batch per Doc)."""
        if self.model is None or not spans:
            return [(s, e) for s, e, _ in spans]
        options = [self.spans(tokens, s, e) for s, e, _ in spans]
        rows = [boundary_features(tokens, s, e, finder, variants, gazetteer, clusters)
                for (s, e, finder), variants in zip(spans, options, strict=True)]
        scores = self.model.scores(rows)
        column = {label: i for i, label in enumerate(self.model.labels)}
        out = []
        for row, variants in zip(scores, options, strict=True):
            best = max(variants, key=lambda v: (row[column[v]] if v in column else -1.0, v == KEEP))
            out.append(variants[best])
        return out


def boundary_features(tokens: DocTokens, start: int, end: int, finder: str, variants: dict[str, tuple[int, int]],
                      gazetteer: Gazetteer, clusters: WordClusters | None) -> list[str]:
    """Named features of a span for the boundary classifier: the finder, the parts of speech, the words at and
    around its edges and, for each variant, how often the paper writes it, whether the gazetteer knows it and the
    parts of speech at its edges."""
    last = end - 1
    tags = tokens.pos[start:end]
    features = [
        "bias", f"finder={finder}", f"length={min(end - start, 6)}|{finder}",
        f"tags={'_'.join(tags[:3])}..{tags[-1]}", f"first={tokens.lower[start]}", f"first_pos={tags[0]}",
        f"last={tokens.lower[last]}", f"last_pos={tags[-1]}", f"case={''.join(tokens.case[start:min(end, start + 5)])}",
    ]
    if start > 0:
        features += [f"prev={tokens.lower[start - 1]}", f"prev_pos={tokens.pos[start - 1]}"]
    if end < len(tokens.pos):
        features += [f"next={tokens.lower[end]}", f"next_pos={tokens.pos[end]}"]
    if clusters is not None:
        features += clusters.features("first", tokens.lower[start]) + clusters.features("last", tokens.lower[last])
    for name, (s, e) in variants.items():
        text = tokens.span_text(s, e)
        features += [f"{name}:count={min(tokens.lowered.count(text.lower()), 4)}",
                     f"{name}:known={gazetteer.lookup(text) is not None}",
                     f"{name}:edges={tokens.pos[s]}_{tokens.pos[e - 1]}"]
    return features
