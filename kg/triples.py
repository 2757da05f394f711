"""Canonical records -> typed triples with provenance, each checked against :mod:`kg.schema`."""

from __future__ import annotations

from collections.abc import Iterator

from kg.canonical import Node
from kg.errors import SchemaError
from kg.ids import claim_key, paper_key
from kg.normalize import paper_date
from kg.schema import LITERAL, NodeKind, Predicate, allows
from kg.types import Claim, Literal, NodeRef, PaperRecord, Provenance, Triple


def make_triple(subject: NodeRef, predicate: Predicate, obj: NodeRef | Literal, provenance: Provenance) -> Triple:
    """A triple, if the schema allows its pattern.

    Raises:
        SchemaError: (subject kind, predicate, object kind) is not an allowed pattern.
    """
    object_kind = obj.kind if isinstance(obj, NodeRef) else LITERAL
    if not allows(subject.kind, predicate, object_kind):
        raise SchemaError(f"{subject.kind} -{predicate}-> {object_kind} is not in the schema "
                          f"(paper {provenance.paper_id}, sentence {provenance.sentence})")
    return Triple(subject, predicate, obj, provenance)


def paper_triples(record: PaperRecord, nodes: dict[str, Node], named: set[str]) -> Iterator[Triple]:
    """All triples of one paper.

    Args:
        record: a canonicalized record (entity keys set).
        nodes: the canonical nodes by key.
        named: keys whose name and aliases were already emitted; updated in place so that each node's
            name triple comes from the first paper that mentions it.
    """
    paper = record.paper
    paper_ref = NodeRef(NodeKind.PAPER, paper_key(paper.id))
    title_end = len(paper.title)
    whole = Provenance(paper.id, 0, 0, title_end, "reader", 1.0, paper.title)
    yield make_triple(paper_ref, Predicate.TITLE, Literal(paper.title), whole)
    abstract_start = len(paper.text) - len(paper.abstract)
    yield make_triple(paper_ref, Predicate.ABSTRACT, Literal(paper.abstract),
                      Provenance(paper.id, 1, abstract_start, len(paper.text), "reader", 1.0, paper.abstract[:200]))
    date = paper_date(paper)
    if date:
        yield make_triple(paper_ref, Predicate.DATE, Literal(date), whole)

    refs: dict[str, NodeRef] = {}
    for entity in record.entities:
        node = nodes[entity.key]
        ref = NodeRef(NodeKind(node.type.value), node.key)
        for form in entity.forms:
            refs[form] = ref
        first = entity.mentions[0].provenance
        yield make_triple(paper_ref, Predicate.MENTIONS, ref, first)
        if entity.proposed:
            yield make_triple(paper_ref, Predicate.PROPOSES, ref, first)
        yield from _names(ref, nodes[entity.key], named, first)

    for relation in record.relations:
        head, tail = refs[relation.head], refs[relation.tail]
        predicate = Predicate(relation.type.value)
        if head != tail and allows(head.kind, predicate, tail.kind):  # two forms canonicalized to one node: no loop
            yield make_triple(head, predicate, tail, relation.provenance)

    mentioned = {ref.key for ref in refs.values()}
    for claim in record.claims:
        if claim.metric_key and claim.metric_key not in mentioned:  # a metric only the claim names
            mentioned.add(claim.metric_key)
            metric = NodeRef(NodeKind.METRIC, claim.metric_key)
            yield make_triple(paper_ref, Predicate.MENTIONS, metric, claim.provenance)
            yield from _names(metric, nodes[claim.metric_key], named, claim.provenance)
        yield from _claim_triples(paper_ref, claim, refs)


def _names(ref: NodeRef, node: Node, named: set[str], provenance: Provenance) -> Iterator[Triple]:
    """A node's name and aliases, the first time a paper mentions it."""
    if node.key in named:
        return
    named.add(node.key)
    yield make_triple(ref, Predicate.NAME, Literal(node.name), provenance)
    for alias in node.aliases:
        yield make_triple(ref, Predicate.ALIAS, Literal(alias), provenance)


def _claim_triples(paper_ref: NodeRef, claim: Claim, refs: dict[str, NodeRef]) -> Iterator[Triple]:
    p = claim.provenance
    ref = NodeRef(NodeKind.CLAIM, claim_key(p.paper_id, claim.start, claim.end))
    yield make_triple(paper_ref, Predicate.REPORTS, ref, p)
    yield make_triple(ref, Predicate.VALUE, Literal(claim.number), p)
    yield make_triple(ref, Predicate.VALUE_TEXT, Literal(claim.value), p)
    yield make_triple(ref, Predicate.UNIT, Literal(claim.unit), p)
    yield make_triple(ref, Predicate.DIRECTION, Literal(claim.direction), p)
    yield make_triple(ref, Predicate.EVIDENCE, Literal(p.evidence), p)
    yield make_triple(ref, Predicate.IS_RESULT, Literal(claim.is_result), p)
    if claim.metric:
        yield make_triple(ref, Predicate.METRIC, Literal(claim.metric), p)
    if claim.metric_key:
        yield make_triple(ref, Predicate.MEASURES, NodeRef(NodeKind.METRIC, claim.metric_key), p)
    if claim.higher_is_better is not None:
        yield make_triple(ref, Predicate.HIGHER_IS_BETTER, Literal(claim.higher_is_better), p)
    setting = claim.setting
    for predicate, value in ((Predicate.SETTING, setting.label), (Predicate.SUBSET, setting.subset),
                             (Predicate.RESOLUTION, setting.resolution), (Predicate.SPLIT, setting.split),
                             (Predicate.SHOTS, setting.shots)):
        if value:
            yield make_triple(ref, predicate, Literal(value), p)
    if claim.baseline:
        yield make_triple(ref, Predicate.BASELINE, Literal(claim.baseline), p)
    if claim.subject and claim.subject in refs:
        yield make_triple(ref, Predicate.ABOUT, refs[claim.subject], p)
    if claim.dataset and claim.dataset in refs and refs[claim.dataset].kind is NodeKind.DATASET:
        yield make_triple(ref, Predicate.MEASURED_ON, refs[claim.dataset], p)


def build_triples(records: list[PaperRecord], nodes: dict[str, Node]) -> list[Triple]:
    """Triples of all papers, in input order."""
    named: set[str] = set()
    return [t for record in records for t in paper_triples(record, nodes, named)]
