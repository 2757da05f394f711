"""Typed triples: every one fits the schema and carries provenance; the schema rejects what it does not list."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kg.errors import SchemaError
from kg.extract import Extraction, extract
from kg.schema import LITERAL, PATTERNS, EntityType, NodeKind, Predicate, RelationType, allows
from kg.settings import Settings
from kg.triples import build_triples, make_triple
from kg.types import Literal, NodeRef, PaperRecord, Provenance, Relation

FIXTURES = Path(__file__).parent / "fixtures"
PROV = Provenance("p1", 1, 0, 4, "test", 1.0, "text")


@pytest.fixture(scope="module")
def extraction() -> Extraction:
    return extract([FIXTURES / "papers.jsonl", FIXTURES / "capture.txt"], settings=Settings(n_process=1))


@pytest.mark.parametrize(("subject", "predicate", "obj"), [
    (NodeKind.METHOD, Predicate.EVALUATED_ON, NodeKind.TASK),
    (NodeKind.DATASET, Predicate.USES, NodeKind.METHOD),
    (NodeKind.TASK, Predicate.OUTPERFORMS, NodeKind.METHOD),
    (NodeKind.METHOD, Predicate.ADDRESSES, NodeKind.DATASET),
    (NodeKind.PAPER, Predicate.REPORTS, NodeKind.METHOD),
    (NodeKind.CLAIM, Predicate.MEASURED_ON, NodeKind.TASK),
    (NodeKind.METHOD, Predicate.TITLE, LITERAL),
])
def test_schema_rejects_patterns_it_does_not_list(subject: NodeKind, predicate: Predicate, obj: str) -> None:
    assert not allows(subject, predicate, obj)
    target = Literal("x") if obj == LITERAL else NodeRef(NodeKind(obj), "k:o")
    with pytest.raises(SchemaError, match="is not in the schema"):
        make_triple(NodeRef(subject, "k:s"), predicate, target, PROV)


def test_every_predicate_has_a_pattern() -> None:
    assert set(PATTERNS) == set(Predicate)


def test_all_triples_fit_the_schema_and_carry_provenance(extraction: Extraction) -> None:
    triples = build_triples(extraction.records, extraction.nodes)
    papers = {r.paper.id: r.paper for r in extraction.records}
    assert triples
    for triple in triples:
        obj = triple.object.kind if isinstance(triple.object, NodeRef) else LITERAL
        assert allows(triple.subject.kind, triple.predicate, obj)
        prov = triple.provenance
        assert prov.paper_id in papers and prov.extractor and 0 < prov.confidence <= 1
        text = papers[prov.paper_id].text
        assert 0 <= prov.start <= prov.end <= len(text)


def test_entity_mentions_point_at_their_text(extraction: Extraction) -> None:
    for record in extraction.records:
        for entity in record.entities:
            for mention in entity.mentions:
                p = mention.provenance
                assert record.paper.text[p.start:p.end] == mention.text
                assert mention.text in p.evidence


def test_claims_become_nodes_with_value_unit_and_links(extraction: Extraction) -> None:
    triples = build_triples(extraction.records, extraction.nodes)
    claims = {t.subject.key for t in triples if t.subject.kind is NodeKind.CLAIM}
    assert claims
    by_claim: dict[str, dict[Predicate, object]] = {}
    for t in triples:
        if t.subject.kind is NodeKind.CLAIM:
            by_claim.setdefault(t.subject.key, {})[t.predicate] = t.object
    lantern = [c for c in by_claim.values() if c[Predicate.VALUE_TEXT] == Literal("1.75")]
    assert len(lantern) == 1
    claim = lantern[0]
    assert claim[Predicate.VALUE] == Literal(1.75) and claim[Predicate.UNIT] == Literal("x")
    assert claim[Predicate.DIRECTION] == Literal("higher")
    about = claim[Predicate.ABOUT]
    assert isinstance(about, NodeRef) and about.kind in (NodeKind.METHOD, NodeKind.MODEL)
    assert about.key.endswith(":lantern")


def test_node_names_are_emitted_once(extraction: Extraction) -> None:
    triples = build_triples(extraction.records, extraction.nodes)
    names = [t.subject.key for t in triples if t.predicate is Predicate.NAME]
    assert len(names) == len(set(names)) == len(extraction.nodes)


def test_a_relation_between_two_forms_of_one_node_is_no_loop(extraction: Extraction) -> None:
    record = next(r for r in extraction.records if sum(e.type is EntityType.METHOD for e in r.entities) >= 2)
    first, second = [e for e in record.entities if e.type is EntityType.METHOD][:2]
    uses = Relation(RelationType.USES, first.name, second.name, PROV)
    apart = replace(record, relations=(uses,))
    merged = replace(apart, entities=tuple(replace(e, key=first.key) if e is second else e for e in record.entities))

    def uses_triples(rec: PaperRecord) -> list[tuple[str, str]]:
        return [(t.subject.key, t.object.key) for t in build_triples([rec], extraction.nodes)
                if t.predicate is Predicate.USES]

    assert uses_triples(apart) == [(first.key, second.key)]
    assert uses_triples(merged) == []
