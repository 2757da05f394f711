"""The graph schema: node kinds, predicates and the allowed (subject, predicate, object) patterns.

Every sink takes labels and relationship types from here, never from input text.
"""

from __future__ import annotations

from enum import StrEnum


class EntityType(StrEnum):
    """The five entity types of the annotation guideline."""

    METHOD = "Method"
    MODEL = "Model"
    DATASET = "Dataset"
    TASK = "Task"
    METRIC = "Metric"


class NodeKind(StrEnum):
    """Every kind of graph node: papers, the entity types, and claims."""

    PAPER = "Paper"
    METHOD = "Method"
    MODEL = "Model"
    DATASET = "Dataset"
    TASK = "Task"
    METRIC = "Metric"
    CLAIM = "Claim"


class RelationType(StrEnum):
    """Relations between entities (the guideline's four)."""

    EVALUATED_ON = "evaluated_on"
    ADDRESSES = "addresses"
    OUTPERFORMS = "outperforms"
    USES = "uses"


class Predicate(StrEnum):
    """Every predicate a triple may carry."""

    # entity -> entity
    EVALUATED_ON = "evaluated_on"
    ADDRESSES = "addresses"
    OUTPERFORMS = "outperforms"
    USES = "uses"
    # paper -> node
    MENTIONS = "mentions"
    PROPOSES = "proposes"
    REPORTS = "reports"
    # claim -> entity
    ABOUT = "about"
    MEASURED_ON = "measured_on"
    MEASURES = "measures"
    # node -> literal
    TITLE = "title"
    ABSTRACT = "abstract"
    DATE = "date"
    NAME = "name"
    ALIAS = "alias"
    VALUE = "value"
    VALUE_TEXT = "value_text"
    UNIT = "unit"
    METRIC = "metric"
    DIRECTION = "direction"
    BASELINE = "baseline"
    EVIDENCE = "evidence"
    HIGHER_IS_BETTER = "higher_is_better"
    IS_RESULT = "is_result"
    SETTING = "setting"
    SUBSET = "subset"
    RESOLUTION = "resolution"
    SPLIT = "split"
    SHOTS = "shots"


LITERAL = "Literal"
"""Marker for a literal object in :data:`PATTERNS`."""

ENTITY_KINDS = frozenset(NodeKind(t.value) for t in EntityType)
SYSTEM_KINDS = frozenset({NodeKind.METHOD, NodeKind.MODEL})

PATTERNS: dict[Predicate, tuple[frozenset[NodeKind], frozenset[str]]] = {
    Predicate.EVALUATED_ON: (SYSTEM_KINDS, frozenset({NodeKind.DATASET})),
    Predicate.ADDRESSES: (SYSTEM_KINDS, frozenset({NodeKind.TASK})),
    Predicate.OUTPERFORMS: (SYSTEM_KINDS, SYSTEM_KINDS),
    Predicate.USES: (SYSTEM_KINDS, SYSTEM_KINDS | {NodeKind.DATASET}),
    Predicate.MENTIONS: (frozenset({NodeKind.PAPER}), ENTITY_KINDS),
    Predicate.PROPOSES: (frozenset({NodeKind.PAPER}), ENTITY_KINDS),
    Predicate.REPORTS: (frozenset({NodeKind.PAPER}), frozenset({NodeKind.CLAIM})),
    Predicate.ABOUT: (frozenset({NodeKind.CLAIM}), ENTITY_KINDS),
    Predicate.MEASURED_ON: (frozenset({NodeKind.CLAIM}), frozenset({NodeKind.DATASET})),
    Predicate.MEASURES: (frozenset({NodeKind.CLAIM}), frozenset({NodeKind.METRIC})),
    Predicate.TITLE: (frozenset({NodeKind.PAPER}), frozenset({LITERAL})),
    Predicate.ABSTRACT: (frozenset({NodeKind.PAPER}), frozenset({LITERAL})),
    Predicate.DATE: (frozenset({NodeKind.PAPER}), frozenset({LITERAL})),
    Predicate.NAME: (ENTITY_KINDS, frozenset({LITERAL})),
    Predicate.ALIAS: (ENTITY_KINDS, frozenset({LITERAL})),
    Predicate.VALUE: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.VALUE_TEXT: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.UNIT: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.METRIC: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.DIRECTION: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.BASELINE: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.EVIDENCE: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.HIGHER_IS_BETTER: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.IS_RESULT: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.SETTING: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.SUBSET: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.RESOLUTION: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.SPLIT: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
    Predicate.SHOTS: (frozenset({NodeKind.CLAIM}), frozenset({LITERAL})),
}
"""Allowed subject kinds and object kinds (or :data:`LITERAL`) per predicate."""


def allows(subject: NodeKind, predicate: Predicate, obj: NodeKind | str) -> bool:
    """Whether (subject kind, predicate, object kind) is an allowed pattern."""
    subjects, objects = PATTERNS[predicate]
    return subject in subjects and obj in objects


def relation_allowed(head: EntityType, relation: RelationType, tail: EntityType) -> bool:
    """Whether a relation of this type may link entities of these types."""
    return allows(NodeKind(head.value), Predicate(relation.value), NodeKind(tail.value))
