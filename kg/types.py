"""Data types that show the flow: Paper -> (spaCy Doc) -> PaperRecord -> Triple.

Everything here is a frozen dataclass: values are hashed for de-duplication and shared between stages.
Character offsets always index into :attr:`Paper.text` (title, a blank line, the abstract).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.schema import EntityType, NodeKind, Predicate, RelationType

TITLE_SEPARATOR = "\n\n"


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as read from an input file.

    Attributes:
        id: stable id (the JSONL record's own id, or a digest of the normalized title for captures).
        title: the title line.
        abstract: the abstract text.
        source: where it was read, ``path:line``.
        extra: other fields of the input record (authors, categories, ...), kept as given.
    """

    id: str
    title: str
    abstract: str
    source: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def text(self) -> str:
        """The text the pipeline parses: title, a blank line, the abstract."""
        return f"{self.title}{TITLE_SEPARATOR}{self.abstract}"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a fact comes from.

    Attributes:
        paper_id: the paper's id.
        sentence: sentence index in the paper's text (0 is the title).
        start: first character of the evidence in :attr:`Paper.text`.
        end: one past its last character.
        extractor: the component and rule that produced the fact, e.g. ``kg_claims:number``.
        confidence: the extractor's confidence in [0, 1].
        evidence: the sentence (or clause) the fact was read from.
    """

    paper_id: str
    sentence: int
    start: int
    end: int
    extractor: str
    confidence: float
    evidence: str


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity in a paper."""

    type: EntityType
    text: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class PaperEntity:
    """One entity of one paper with all its surface forms.

    Attributes:
        type: the entity type.
        name: the most complete surface form.
        aliases: other surface forms in the paper (acronym, plural, short form).
        proposed: the paper introduces it.
        mentions: every occurrence, first one first.
        canonical: the gazetteer's name for it, when a mention matched the gazetteer ("" otherwise).
        key: the graph node it became after cross-paper canonicalization ("" before that).
    """

    type: EntityType
    name: str
    aliases: tuple[str, ...]
    proposed: bool
    mentions: tuple[Mention, ...]
    canonical: str = ""
    key: str = ""

    @property
    def forms(self) -> tuple[str, ...]:
        """The name followed by the aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed relation between two entities of the same paper, by entity name."""

    type: RelationType
    head: str
    tail: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Setting:
    """The variant of a dataset a number was measured on: "ImageNet-21K 256×256", "COCO val2017", "5-shot".

    Empty fields are the dataset's default (ImageNet means ImageNet-1k, a plain test set is no setting).
    """

    subset: str = ""
    resolution: str = ""
    split: str = ""
    shots: str = ""

    @property
    def label(self) -> str:
        """The non-empty fields in a fixed order, comma-separated ("" for the default setting)."""
        return ", ".join(part for part in (self.subset, self.resolution, self.split, self.shots) if part)

    def fill(self, other: Setting) -> Setting:
        """This setting with its empty fields taken from ``other``."""
        return Setting(self.subset or other.subset, self.resolution or other.resolution, self.split or other.split,
                       self.shots or other.shots)


@dataclass(frozen=True, slots=True)
class Claim:
    """A number that quantifies an outcome (see the annotation guideline).

    Attributes:
        value: the number as written ("1.62", "10 million", "2-3").
        number: its numeric value (the first number of a range), for sorting and comparing.
        unit: one of the guideline's units, "" when unitless.
        metric: the measured quantity as a short phrase of the text, or None.
        subject: name of the entity that achieves it, or None.
        dataset: name of the Dataset it is measured on, or None.
        baseline: what it is compared against, or None.
        direction: "higher", "lower" or "absolute".
        start: first character of the number in :attr:`Paper.text`.
        end: one past its last character.
        provenance: evidence clause and its span.
        metric_key: the canonical Metric node the metric became ("" before canonicalization or when none).
        higher_is_better: the canonical metric's direction (None when the metric table does not know it).
        is_result: the value is a result of its metric that a leaderboard can rank (an absolute value, or a
            ratio such as a speed-up), not a change ("by 2.1 points"), a share of a baseline ("99% of its
            accuracy") or a cost.
        setting: the dataset variant the number was measured on (resolution, split, subset, shots).
    """

    value: str
    number: float
    unit: str
    metric: str | None
    subject: str | None
    dataset: str | None
    baseline: str | None
    direction: str
    start: int
    end: int
    provenance: Provenance
    metric_key: str = ""
    higher_is_better: bool | None = None
    is_result: bool = False
    setting: Setting = field(default_factory=Setting)


@dataclass(frozen=True, slots=True)
class PaperRecord:
    """Everything extracted from one paper: the interchange record of ``kg extract``."""

    paper: Paper
    entities: tuple[PaperEntity, ...]
    relations: tuple[Relation, ...]
    claims: tuple[Claim, ...]

    def entity(self, name: str) -> PaperEntity | None:
        """The entity that has ``name`` as its name or one of its aliases."""
        for entity in self.entities:
            if name in entity.forms:
                return entity
        return None


@dataclass(frozen=True, slots=True)
class NodeRef:
    """A graph node: its kind and its stable key."""

    kind: NodeKind
    key: str


@dataclass(frozen=True, slots=True)
class Literal:
    """A literal object: a string, number or boolean."""

    value: str | int | float | bool


@dataclass(frozen=True, slots=True)
class Triple:
    """A typed statement with provenance; checked against :mod:`kg.schema` when made."""

    subject: NodeRef
    predicate: Predicate
    object: NodeRef | Literal
    provenance: Provenance
