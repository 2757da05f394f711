"""The one contract between the annotated spaCy Doc and the rest of kg.

kg's components write, and :mod:`kg.assemble` reads, only what this module declares: typed records kept in Doc
extensions. Records are frozen dataclasses; in the Doc they are stored as plain dicts (msgpack-safe, so Docs
cross process boundaries) and turned back into records by the readers below, never read by position.

Token offsets index the Doc; character offsets index ``doc.text``. Entities are numbered per Doc in order of
their first mention (:attr:`EntityRecord.id`); mentions, relations and claims refer to them by that number.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, TypeVar

from spacy.tokens import Doc

ACRONYMS = "kg_acronyms"
MENTIONS = "kg_mentions"
ENTITIES = "kg_entities"
RELATIONS = "kg_relations"
CLAIMS = "kg_claims"
EXTENSIONS = (ACRONYMS, MENTIONS, ENTITIES, RELATIONS, CLAIMS)
"""The Doc extensions (``doc._.NAME``) kg's components write, in pipeline order."""

for _name in EXTENSIONS:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@dataclass(frozen=True, slots=True)
class AcronymPair:
    """A long form and the short form defined with it ("Masked Token Optimization (MTO)"), token offsets."""

    long_start: int
    long_end: int
    short_start: int
    short_end: int


@dataclass(frozen=True, slots=True)
class MentionRecord:
    """One occurrence of an entity.

    Attributes:
        start: first token.
        end: one past the last token.
        entity: the :attr:`EntityRecord.id` it belongs to.
        rule: what found it: ``ner`` (the trained recognizer) or a rule id of ``patterns/entity_rules.json``.
        confidence: how sure the finder is, in [0, 1].
    """

    start: int
    end: int
    entity: int
    rule: str
    confidence: float


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """One entity of the paper.

    Attributes:
        id: its number in this Doc (order of first mention).
        type: Method, Model, Dataset, Task or Metric.
        proposed: the paper introduces it.
        proposed_confidence: the proposed classifier's probability.
        canonical: the gazetteer's name for it ("" when unknown).
    """

    id: int
    type: str
    proposed: bool
    proposed_confidence: float
    canonical: str


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """A relation between two entities, with the sentence that states it best.

    Attributes:
        type: evaluated_on, addresses, outperforms or uses.
        head: :attr:`EntityRecord.id` of the head.
        tail: :attr:`EntityRecord.id` of the tail.
        sentence: index of the evidence sentence (0 is the title).
        rule: the extractor's rule or model id.
        confidence: the classifier's probability.
    """

    type: str
    head: int
    tail: int
    sentence: int
    rule: str
    confidence: float


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """A number that quantifies an outcome, with what it is about.

    Attributes:
        value: the number as written.
        number: its numeric value (the first number of a range).
        unit: one of the guideline's units, "" when unitless.
        start: first character of the number.
        end: one past its last character.
        sentence: index of its sentence.
        evidence_start: first character of the evidence clause.
        evidence_end: one past its last character.
        metric: the measured quantity as a phrase of the text, or None.
        subject: :attr:`EntityRecord.id` of what achieves it, or None.
        dataset: :attr:`EntityRecord.id` of the Dataset it is measured on, or None.
        baseline: what it is compared against, as a phrase of the text, or None.
        direction: higher, lower or absolute.
        rule: the unit rule that read the number.
        confidence: the claim classifier's probability.
    """

    value: str
    number: float
    unit: str
    start: int
    end: int
    sentence: int
    evidence_start: int
    evidence_end: int
    metric: str | None
    subject: int | None
    dataset: int | None
    baseline: str | None
    direction: str
    rule: str
    confidence: float


_R = TypeVar("_R", AcronymPair, MentionRecord, EntityRecord, RelationRecord, ClaimRecord)


def write(doc: Doc, extension: str, records: list[Any]) -> None:
    """Store records in ``doc._.<extension>`` as plain dicts."""
    if extension not in EXTENSIONS:
        raise ValueError(f"unknown kg extension {extension!r}")
    doc._.set(extension, [asdict(r) for r in records])


def read(doc: Doc, extension: str, record_type: type[_R]) -> list[_R]:
    """The records stored by :func:`write` (empty when the component did not run)."""
    names = {f.name for f in fields(record_type)}
    return [record_type(**{k: v for k, v in raw.items() if k in names}) for raw in doc._.get(extension) or []]


def acronyms(doc: Doc) -> list[AcronymPair]:
    """``kg_acronyms``' pairs."""
    return read(doc, ACRONYMS, AcronymPair)


def mentions(doc: Doc) -> list[MentionRecord]:
    """``kg_entities``' mentions, in text order."""
    return read(doc, MENTIONS, MentionRecord)


def entities(doc: Doc) -> list[EntityRecord]:
    """``kg_entities``' entities, by id."""
    return read(doc, ENTITIES, EntityRecord)


def relations(doc: Doc) -> list[RelationRecord]:
    """``kg_relations``' relations."""
    return read(doc, RELATIONS, RelationRecord)


def claims(doc: Doc) -> list[ClaimRecord]:
    """``kg_claims``' claims, in text order."""
    return read(doc, CLAIMS, ClaimRecord)
