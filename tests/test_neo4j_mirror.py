"""Neo4j mirrors the build: a reloaded paper's facts are replaced, unsupported entities and pruned papers go."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from neo4j import Driver

from kg.neo4j_server import Neo4jSettings
from kg.schema import NodeKind, Predicate
from kg.sinks.neo4j import clear, load
from kg.types import Literal, NodeRef, Provenance, Triple

pytestmark = [pytest.mark.neo4j, pytest.mark.usefixtures("neo4j_database_lock")]


@pytest.fixture
def empty(neo4j_driver: Driver) -> Iterator[Driver]:
    clear(neo4j_driver)
    yield neo4j_driver


def paper(pid: str, methods: list[str], dataset: str | None = None, claim: bool = False) -> list[Triple]:
    """A paper mentioning methods, the first evaluated on a dataset, with one claim about it."""
    prov = Provenance(pid, 1, 0, 5, "test", 1.0, "text")
    ref = NodeRef(NodeKind.PAPER, f"paper:{pid}")
    triples = [Triple(ref, Predicate.TITLE, Literal(f"title {pid}"), prov)]
    for name in methods:
        method = NodeRef(NodeKind.METHOD, f"method:{name}")
        triples += [Triple(ref, Predicate.MENTIONS, method, prov), Triple(method, Predicate.NAME, Literal(name), prov)]
    if dataset:
        data = NodeRef(NodeKind.DATASET, f"dataset:{dataset}")
        triples += [Triple(ref, Predicate.MENTIONS, data, prov), Triple(data, Predicate.NAME, Literal(dataset), prov),
                    Triple(NodeRef(NodeKind.METHOD, f"method:{methods[0]}"), Predicate.EVALUATED_ON, data, prov)]
    if claim:
        c = NodeRef(NodeKind.CLAIM, f"claim:{pid}:0-3")
        triples += [Triple(ref, Predicate.REPORTS, c, prov), Triple(c, Predicate.VALUE, Literal(1.5), prov),
                    Triple(c, Predicate.ABOUT, NodeRef(NodeKind.METHOD, f"method:{methods[0]}"), prov)]
    return triples


def graph(driver: Driver) -> tuple[list[str], list[str]]:
    nodes = driver.execute_query("MATCH (n) RETURN n.key AS key ORDER BY key").records
    rels = driver.execute_query("MATCH (a)-[r]->(b) RETURN a.key + ' ' + type(r) + ' ' + b.key + ' ' + r.paper AS r "
                                "ORDER BY r").records
    return [r["key"] for r in nodes], [r["r"] for r in rels]


def test_reloading_a_changed_paper_leaves_nothing_stale(empty: Driver, neo4j_settings: Neo4jSettings) -> None:
    load(paper("a", ["alpha", "beta"], "imagenet", claim=True) + paper("b", ["beta"]), neo4j_settings)
    report = load(paper("a", ["gamma"]), neo4j_settings)
    assert (report.papers, report.orphans) == (1, 2)  # alpha and imagenet: no paper mentions them any more
    assert graph(empty) == (["method:beta", "method:gamma", "paper:a", "paper:b"],
                            ["paper:a MENTIONS method:gamma a", "paper:b MENTIONS method:beta b"])


def test_loading_the_same_build_again_gives_the_same_graph(empty: Driver, neo4j_settings: Neo4jSettings) -> None:
    triples = paper("a", ["alpha"], "imagenet", claim=True) + paper("b", ["alpha", "beta"])
    load(triples, neo4j_settings)
    before = graph(empty)
    load(triples, neo4j_settings)
    assert graph(empty) == before and "claim:a:0-3" in before[0]


def test_prune_removes_papers_not_in_the_build(empty: Driver, neo4j_settings: Neo4jSettings) -> None:
    load(paper("a", ["alpha"], "imagenet", claim=True) + paper("b", ["beta"]), neo4j_settings)
    assert load(paper("b", ["beta"]), neo4j_settings).pruned == 0
    assert "paper:a" in graph(empty)[0]
    report = load(paper("b", ["beta"]), neo4j_settings, prune=True)
    assert report.pruned == 1
    assert graph(empty) == (["method:beta", "paper:b"], ["paper:b MENTIONS method:beta b"])
