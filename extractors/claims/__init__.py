"""``kg_claims``: the numeric claims of a paper (scores, speedups, reductions, sizes, costs).

A claim is a number that quantifies an outcome of the paper (see the "Numeric claims" section of
the annotation guideline). The component is rule-based and cheap, so it can run on every abstract:

1. regular expressions over ``doc.text`` find numbers with their scale ("16M"), unit ("1.62times",
   "88.5\\%", "83.4M trainable parameters") and ranges ("2x-3x", "5 to 10"), and drop numbers
   inside names ("LLaMA-2-7B"), sizes ("256x256"), bit-widths ("8-bit") and compounds ("256-way")
   (:mod:`~extractors.claims.numbers`);
2. token windows around each number (mapped with ``doc.char_span``) and the dependency parse give
   the metric, the direction, the baseline, the subject and the dataset
   (:mod:`~extractors.claims.sentence`, :mod:`~extractors.claims.context`,
   :mod:`~extractors.claims.attributes`);
3. a number without a unit is kept only in a metric context ("FID of 1.94", "1.78 FID", "by 0.4"
   after a comparison, list items after a claim), as a count of wins ("8 out of 11 metrics") or
   as the size of a released dataset ("a dataset of 16M captions") (:mod:`~extractors.claims.reading`);
   :mod:`~extractors.claims.document` then links the items of lists and drops repeats.

Every word list and unit table lives in ``patterns/claims.json`` (:mod:`~extractors.claims.patterns`).
The claims are plain dicts in ``doc._.kg_claims`` (msgpack-safe, so docs cross process boundaries).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from extractors.claims.claim import _Claim
from extractors.claims.document import extract_claims
from extractors.claims.patterns import PATTERNS_PATH, ClaimPatterns, UnitRule
from extractors.claims.sentence import DATASET_LABEL, METRIC_LABEL, SUBJECT_LABELS

__all__ = ["DATASET_LABEL", "METRIC_LABEL", "PATTERNS_PATH", "SUBJECT_LABELS", "ClaimExtractor",
           "ClaimPatterns", "UnitRule", "make_claim_extractor"]

if not Doc.has_extension("kg_claims"):
    Doc.set_extension("kg_claims", default=None)


@Language.factory(
    "kg_claims",
    assigns=["doc._.kg_claims"],
    requires=["token.dep", "token.tag"],
    default_config={"patterns_path": None, "spans_key": "kg_entities", "min_confidence": 0.0},
)
def make_claim_extractor(nlp: Language, name: str, patterns_path: str | None, spans_key: str,
                         min_confidence: float) -> ClaimExtractor:
    """Create the component.

    Args:
        nlp: The pipeline (unused; spaCy passes it to every factory).
        name: The component's name in the pipeline.
        patterns_path: A patterns file like ``patterns/claims.json``; None for the packaged one.
        spans_key: The ``doc.spans`` key of the entity spans (subjects and datasets come from it).
        min_confidence: Claims below this confidence are dropped.

    Returns:
        The component.
    """
    path = PATTERNS_PATH if patterns_path is None else Path(patterns_path)
    return ClaimExtractor(name, ClaimPatterns.load(path), spans_key=spans_key,
                          min_confidence=min_confidence)


class ClaimExtractor:
    """Writes the numeric claims of a Doc to ``doc._.kg_claims`` (a list of dicts)."""

    def __init__(self, name: str, patterns: ClaimPatterns, *, spans_key: str = "kg_entities",
                 min_confidence: float = 0.0) -> None:
        self.name = name
        self.patterns = patterns
        self.spans_key = spans_key
        self.min_confidence = min_confidence

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) and not doc.has_annotation("DEP"):
            raise ValueError(f"{self.name} needs a dependency parse: put it after the parser")
        doc._.kg_claims = [c.to_dict() for c in self.extract(doc)
                           if c.confidence >= self.min_confidence]
        return doc

    def extract(self, doc: Doc) -> list[_Claim]:
        """All claims of the Doc, in text order (see :func:`~extractors.claims.document.extract_claims`)."""
        return extract_claims(doc, self.patterns, self.spans_key)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the patterns as ``claims.json`` in the directory ``path``."""
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "claims.json").write_text(
            json.dumps(self.patterns.raw, indent=1, ensure_ascii=False), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> ClaimExtractor:
        """Load the patterns saved by :meth:`to_disk`."""
        self.patterns = ClaimPatterns.load(Path(path) / "claims.json")
        return self
