"""Loading triples into the real Neo4j: counts, provenance, idempotency, incremental loads, kill and rerun, retries.

Every test starts from an empty database (the session's single community database is shared by test modules).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from kg.canonical import Node
from kg.errors import SinkError
from kg.neo4j_server import Neo4jSettings
from kg.schema import NodeKind, Predicate
from kg.sinks.neo4j import RELATIONSHIP_TYPES, clear, forget_statements, load
from kg.triples import build_triples
from kg.types import Literal, NodeRef, PaperRecord, Provenance, Triple

pytestmark = [pytest.mark.neo4j, pytest.mark.usefixtures("neo4j_database_lock")]


FIXTURES = Path(__file__).parent / "fixtures"
KG = shutil.which("kg") or "kg"

# Loads sample triples from a pickle in a child process and prints each committed batch, so that the test can
# kill it midway.
CHILD = """
import pickle, sys
from kg.neo4j_server import Neo4jSettings
from kg.sinks.neo4j import load
triples = pickle.loads(open(sys.argv[1], "rb").read())
load(triples, Neo4jSettings.from_env(), batch_size=200, progress=lambda done, total: print(done, total, flush=True))
"""


WRITES_FROM = len(forget_statements()) * 3 + 3  # 449 papers in batches of 200: papers, then their old facts deleted


@pytest.fixture(scope="module")
def triples(sample_corpus: tuple[list[PaperRecord], dict[str, Node]]) -> list[Triple]:
    return build_triples(*sample_corpus)


@pytest.fixture(scope="module")
def full_snapshot(triples: list[Triple], neo4j_settings: Neo4jSettings, neo4j_driver: Driver) -> Snapshot:
    """The graph of one uninterrupted load of the whole sample corpus into an empty database."""
    clear(neo4j_driver)
    load(triples, neo4j_settings)
    return snapshot(neo4j_driver)


@pytest.fixture
def empty(neo4j_driver: Driver) -> Iterator[Driver]:
    """An empty database before and after the test."""
    clear(neo4j_driver)
    yield neo4j_driver
    clear(neo4j_driver)


Snapshot = tuple[frozenset[str], frozenset[str]]


def snapshot(driver: Driver) -> Snapshot:
    """Every node (labels, properties) and relationship (ends, type, properties) as canonical JSON."""
    nodes = driver.execute_query("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props").records
    rels = driver.execute_query("MATCH (a)-[r]->(b) RETURN a.key AS a, type(r) AS type, b.key AS b, "
                                "properties(r) AS props").records
    return (frozenset(json.dumps([sorted(r["labels"]), r["props"]], sort_keys=True) for r in nodes),
            frozenset(json.dumps([r["a"], r["type"], r["b"], r["props"]], sort_keys=True) for r in rels))


def checksum(snap: Snapshot) -> str:
    return hashlib.sha256("\n".join(sorted(snap[0]) + sorted(snap[1])).encode()).hexdigest()


def counts(driver: Driver) -> tuple[int, int]:
    record = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS r").records[0]
    return record["n"], rels["r"]


def expected_sizes(triples: list[Triple]) -> tuple[int, int]:
    """Distinct nodes, and distinct (subject, predicate, object, paper) relationships."""
    nodes = {r.key for t in triples for r in (t.subject, t.object) if isinstance(r, NodeRef)}
    rels = {(t.subject.key, t.predicate, t.object.key, t.provenance.paper_id) for t in triples
            if isinstance(t.object, NodeRef)}
    return len(nodes), len(rels)


def test_load_writes_every_node_and_relationship(empty: Driver, neo4j_settings: Neo4jSettings,
                                                 triples: list[Triple]) -> None:
    report = load(triples, neo4j_settings)
    nodes, rels = expected_sizes(triples)
    assert (report.nodes, report.relationships) == (nodes, rels)
    assert (report.nodes_created, report.relationships_created) == (nodes, rels)
    assert (report.total_nodes, report.total_relationships) == counts(empty) == (nodes, rels)
    assert report.triples == len(triples) and report.retried == 0 and report.reused == 0
    assert report.batches < len(triples) / 100  # batched, never one statement per triple


def test_relationships_carry_the_provenance_of_their_first_triple(empty: Driver, neo4j_settings: Neo4jSettings,
                                                                    triples: list[Triple]) -> None:
    load(triples, neo4j_settings)
    first: dict[Predicate, tuple[Triple, NodeRef]] = {}
    for t in triples:
        if isinstance(t.object, NodeRef):
            first.setdefault(t.predicate, (t, t.object))
    assert set(first) == set(RELATIONSHIP_TYPES)
    for predicate, (t, obj) in first.items():
        records = empty.execute_query(
            f"MATCH (a {{key: $s}})-[r:{RELATIONSHIP_TYPES[predicate]} {{paper: $paper}}]->(b {{key: $o}}) "
            "RETURN properties(r) AS props", s=t.subject.key, o=obj.key, paper=t.provenance.paper_id).records
        p = t.provenance
        assert [r["props"] for r in records] == [{"paper": p.paper_id, "sentence": p.sentence, "start": p.start,
                                                   "end": p.end, "extractor": p.extractor,
                                                   "confidence": p.confidence, "evidence": p.evidence}]


def test_literals_become_node_properties(empty: Driver, neo4j_settings: Neo4jSettings,
                                         triples: list[Triple]) -> None:
    load(triples, neo4j_settings)
    claim = next(t.subject for t in triples if t.subject.kind is NodeKind.CLAIM)
    literals = {t.predicate.value: t.object.value for t in triples
                if t.subject == claim and isinstance(t.object, Literal)}
    p = next(t.provenance for t in triples if t.subject == claim)
    [record] = empty.execute_query("MATCH (c:Claim {key: $key}) RETURN properties(c) AS props",
                                   key=claim.key).records
    assert record["props"] == {"key": claim.key, **literals, "paper_id": p.paper_id, "sentence": p.sentence,
                               "start": p.start, "end": p.end, "extractor": p.extractor,
                               "confidence": p.confidence}
    assert isinstance(record["props"]["value"], float)

    entity = next(t.subject for t in triples if t.predicate is Predicate.ALIAS)
    literals_of_entity = [(t.predicate, t.object.value) for t in triples
                          if t.subject == entity and isinstance(t.object, Literal)]
    name = next(value for predicate, value in literals_of_entity if predicate is Predicate.NAME)
    aliases = [value for predicate, value in literals_of_entity if predicate is Predicate.ALIAS]
    [record] = empty.execute_query("MATCH (e:Entity {key: $key}) RETURN e.name AS name, e.aliases AS aliases, "
                                   "labels(e) AS labels", key=entity.key).records
    assert (record["name"], record["aliases"]) == (name, [a for a in aliases if a != name])
    assert sorted(record["labels"]) == sorted(["Entity", entity.kind.value])

    paper = next(t for t in triples if t.predicate is Predicate.TITLE)
    [record] = empty.execute_query("MATCH (p:Paper {key: $key}) RETURN p.id AS id, p.title AS title",
                                   key=paper.subject.key).records
    assert isinstance(paper.object, Literal)
    assert (record["id"], record["title"]) == (paper.provenance.paper_id, paper.object.value)


def test_loading_twice_changes_nothing(neo4j_settings: Neo4jSettings, neo4j_driver: Driver,
                                       triples: list[Triple], full_snapshot: Snapshot) -> None:
    clear(neo4j_driver)
    load(triples, neo4j_settings)
    report = load(triples, neo4j_settings)
    claims = {t.subject.key for t in triples if t.subject.kind is NodeKind.CLAIM}
    assert report.nodes_created == len(claims) and report.orphans == 0  # each paper's facts replaced, no more
    assert snapshot(neo4j_driver) == full_snapshot


def test_loading_new_papers_only_adds(neo4j_settings: Neo4jSettings, neo4j_driver: Driver,
                                      sample_corpus: tuple[list[PaperRecord], dict[str, Node]],
                                      full_snapshot: Snapshot) -> None:
    records, nodes = sample_corpus
    half = len(records) // 2
    first, second = build_triples(records[:half], nodes), build_triples(records[half:], nodes)
    clear(neo4j_driver)
    load(first, neo4j_settings)
    after_first = snapshot(neo4j_driver)
    report = load(second, neo4j_settings)
    after_second = snapshot(neo4j_driver)
    assert after_first[0] < after_second[0] and after_first[1] < after_second[1]  # nothing changed, only added
    assert report.reused == 0
    assert after_second == full_snapshot  # A then B is the graph of A and B loaded together


def test_killed_load_rerun_ends_in_the_same_graph(neo4j_settings: Neo4jSettings, neo4j_driver: Driver,
                                                   triples: list[Triple], full_snapshot: Snapshot,
                                                   tmp_path: Path) -> None:
    clear(neo4j_driver)
    data = tmp_path / "triples.pickle"
    data.write_bytes(pickle.dumps(triples))
    env = {**os.environ, "NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data)], stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    done = total = 0
    for line in child.stdout:
        done, total = map(int, line.split())
        if done >= WRITES_FROM + 5:  # the first batches delete what the papers stated before: nothing here
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL and WRITES_FROM + 5 <= done < total
    partial = counts(neo4j_driver)
    assert 0 < sum(partial) < len(full_snapshot[0]) + len(full_snapshot[1])

    load(triples, neo4j_settings)
    rerun = snapshot(neo4j_driver)
    assert checksum(rerun) == checksum(full_snapshot)
    assert rerun == full_snapshot


def test_a_failed_batch_is_reported_and_retried(empty: Driver, neo4j_settings: Neo4jSettings,
                                                triples: list[Triple]) -> None:
    load(triples, neo4j_settings)
    before = snapshot(empty)
    paper = next(t.subject.key for t in triples if t.subject.kind is NodeKind.PAPER)
    messages: list[str] = []
    with empty.session() as session:
        blocker = session.begin_transaction()  # holds the write lock of a paper the first batch merges
        blocker.run("MATCH (p:Paper {key: $key}) SET p.locked = true", key=paper).consume()

        def log(message: str) -> None:
            messages.append(message)
            if not blocker.closed():
                blocker.rollback()

        report = load(triples, neo4j_settings, timeout=3.0, log=log)
    assert report.retried == 1
    assert len(messages) == 1
    assert messages[0].startswith("batch 1/") and "(Paper nodes rows 1-" in messages[0]
    assert "failed (attempt 1/3)" in messages[0] and messages[0].endswith("; retrying")
    assert snapshot(empty) == before


def test_a_batch_failing_every_attempt_is_an_error(empty: Driver, neo4j_settings: Neo4jSettings,
                                                   triples: list[Triple]) -> None:
    paper = next(t.subject.key for t in triples if t.subject.kind is NodeKind.PAPER)
    empty.execute_query("CREATE (:Paper {key: $key})", key=paper)
    messages: list[str] = []
    with empty.session() as session, session.begin_transaction() as blocker:
        blocker.run("MATCH (p:Paper {key: $key}) SET p.locked = true", key=paper).consume()
        with pytest.raises(SinkError, match=r"batch 1/\d+ \(Paper nodes rows 1-\d+\) failed \(attempt 2/2\).*"
                                            "rerun the load, it is idempotent"):
            load(triples, neo4j_settings, timeout=0.5, attempts=2, log=messages.append)
        blocker.rollback()
    assert len(messages) == 1 and "attempt 1/2" in messages[0]


def test_new_entities_reuse_earlier_nodes_with_a_shared_normalized_form(empty: Driver,
                                                                        neo4j_settings: Neo4jSettings) -> None:
    def paper(pid: str, key: str, name: str, aliases: tuple[str, ...]) -> list[Triple]:
        prov = Provenance(pid, 1, 0, 5, "test", 1.0, "text")
        ref, paper_ref = NodeRef(NodeKind.METHOD, key), NodeRef(NodeKind.PAPER, f"paper:{pid}")
        return [Triple(paper_ref, Predicate.TITLE, Literal(f"title {pid}"), prov),
                Triple(paper_ref, Predicate.MENTIONS, ref, prov),
                Triple(ref, Predicate.NAME, Literal(name), prov),
                *(Triple(ref, Predicate.ALIAS, Literal(a), prov) for a in aliases)]

    load(paper("a", "method:speculative-decoding", "speculative decoding", ("SD",)), neo4j_settings)
    report = load(paper("b", "method:speculative-decoding-x", "Speculative Decodings", ("SpecDec",)),
                  neo4j_settings)
    assert report.reused == 1
    report = load(paper("c", "method:sd", "SD", ()), neo4j_settings)  # an acronym alone joins nothing
    assert report.reused == 0
    rows = empty.execute_query("MATCH (m:Method) OPTIONAL MATCH (p:Paper)-[:MENTIONS]->(m) "
                               "WITH m, p ORDER BY p.id "
                               "RETURN m.key AS key, m.name AS name, m.aliases AS aliases, m.forms AS forms, "
                               "collect(p.id) AS papers ORDER BY key").records
    assert [r.data() for r in rows] == [
        {"key": "method:sd", "name": "SD", "aliases": [], "forms": [], "papers": ["c"]},
        {"key": "method:speculative-decoding", "name": "speculative decoding",
         "aliases": ["SD", "Speculative Decodings", "SpecDec"], "forms": ["speculativedecoding"],
         "papers": ["a", "b"]},
    ]


def test_unreachable_server_is_a_clear_error(neo4j_settings: Neo4jSettings) -> None:
    nowhere = Neo4jSettings("bolt://127.0.0.1:1", neo4j_settings.user, neo4j_settings.password)
    with pytest.raises(SinkError, match=r"cannot reach Neo4j at bolt://127.0.0.1:1 .*kg neo4j start"):
        load([], nowhere)


def test_kg_build_neo4j_loads_and_reports(empty: Driver, neo4j_settings: Neo4jSettings, tmp_path: Path) -> None:
    result = subprocess.run([KG, "build", str(FIXTURES / "papers.jsonl"), "--out", str(tmp_path / "out"),
                             "--neo4j-uri", neo4j_settings.uri], capture_output=True, text=True, timeout=600,
                            check=False, env={**os.environ, "NEO4J_USER": neo4j_settings.user,
                                              "NEO4J_PASSWORD": neo4j_settings.password})
    assert result.returncode == 0, result.stderr
    assert f"kg: neo4j {neo4j_settings.uri}: loaded " in result.stderr
    lines = (tmp_path / "out" / "triples.jsonl").read_text(encoding="utf-8").splitlines()
    assert f"loaded {len(lines)} triples" in result.stderr
    ids = [r["id"] for r in empty.execute_query("MATCH (p:Paper) RETURN p.id AS id ORDER BY id").records]
    assert ids == ["2401.00001", "2401.00002", "2401.00003"]
    keys = {row[end]["key"] for row in map(json.loads, lines) for end in ("s", "o") if "key" in row[end]}
    assert counts(empty)[0] == len(keys)


def test_rows_rejected_for_their_data_are_skipped_and_the_rest_loaded(empty: Driver,
                                                                      neo4j_settings: Neo4jSettings) -> None:
    def paper(pid: str) -> list[Triple]:
        prov = Provenance(pid, 0, 0, 5, "test", 1.0, "text")
        ref, method = NodeRef(NodeKind.PAPER, f"paper:{pid}"), NodeRef(NodeKind.METHOD, "method:fastdiff")
        return [Triple(ref, Predicate.TITLE, Literal(f"title of {pid[:20]}"), prov),
                Triple(ref, Predicate.MENTIONS, method, prov), Triple(method, Predicate.NAME, Literal("FastDiff"), prov)]

    huge = "x" * 40_000  # a key too large for the uniqueness constraint's index
    triples = paper("a") + paper(huge) + paper("b")
    skipped: list[str] = []
    report = load(triples, neo4j_settings, batch_size=2, sources={"a": "a.jsonl:1", huge: "big.jsonl:7"},
                  skipped=skipped.append)
    assert report.rejected == 1 and report.retried == 0
    assert len(skipped) == 1 and skipped[0].startswith("big.jsonl:7: Neo4j rejected the Paper nodes row 'paper:xxx")
    assert "Property value is too large to index" in skipped[0] and skipped[0].endswith("; skipped")
    papers = empty.execute_query("MATCH (p:Paper)-[:MENTIONS]->(:Method {key: 'method:fastdiff'}) "
                                 "RETURN p.key AS key ORDER BY key").records
    assert [r["key"] for r in papers] == ["paper:a", "paper:b"]
