"""Every canned query against the real Neo4j: exact answers on a hand-made graph, cross-checks on the sample corpus.

The hand-made graph (five papers, below) is built from PaperRecords with the real :func:`build_triples`, so its
answers are known exactly and do not move when the extractors improve; the sample corpus answers are computed
independently in Python from the same triples.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from kg import queries, sparql
from kg.canonical import Node
from kg.leaderboard import largest_first, leaderboards
from kg.neo4j_server import Neo4jSettings
from kg.normalize import metric_table
from kg.queries import QueryError
from kg.schema import EntityType, NodeKind, Predicate, RelationType
from kg.sinks.neo4j import clear, load
from kg.sinks.rdf import serialize, to_graph
from kg.triples import build_triples
from kg.types import (
    Claim,
    Literal,
    Mention,
    NodeRef,
    Paper,
    PaperEntity,
    PaperRecord,
    Provenance,
    Relation,
    Triple,
)

pytestmark = [pytest.mark.neo4j, pytest.mark.usefixtures("neo4j_database_lock")]


KG = shutil.which("kg") or "kg"

# The hand-made graph -------------------------------------------------------------------------------------------

ENTITIES: dict[str, tuple[EntityType, str, tuple[str, ...]]] = {
    "method:fastdiff": (EntityType.METHOD, "FastDiff", ("FD", "Fast Diffusion")),
    "method:slowdiff": (EntityType.METHOD, "SlowDiff", ()),
    "method:attention": (EntityType.METHOD, "attention", ()),
    "method:dropout": (EntityType.METHOD, "dropout", ()),
    "model:bignet": (EntityType.MODEL, "BigNet", ()),
    "model:tinynet": (EntityType.MODEL, "TinyNet", ()),
    "dataset:imagenet": (EntityType.DATASET, "ImageNet", ("ImageNet-1k",)),
    "dataset:coco": (EntityType.DATASET, "COCO", ("MS COCO",)),
    "dataset:cifar-10": (EntityType.DATASET, "CIFAR-10", ()),
    "task:image-generation": (EntityType.TASK, "image generation", ()),
    "task:image-classification": (EntityType.TASK, "image classification", ()),
    "metric:fid": (EntityType.METRIC, "FID", ()),
    "metric:accuracy": (EntityType.METRIC, "accuracy", ()),
}

# paper id -> title, proposed keys, other mentioned keys, relations (type, head key, tail key),
# claims (value text, number, unit, metric, subject key, dataset key, baseline, direction)
PAPERS: dict[str, dict[str, Any]] = {
    "p1": {"title": "FastDiff: Fast Diffusion for Image Generation", "proposes": ["method:fastdiff"],
           "mentions": ["method:slowdiff", "method:attention", "dataset:imagenet", "task:image-generation",
                        "metric:fid"],
           "relations": [("evaluated_on", "method:fastdiff", "dataset:imagenet"),
                         ("addresses", "method:fastdiff", "task:image-generation"),
                         ("outperforms", "method:fastdiff", "method:slowdiff"),
                         ("uses", "method:fastdiff", "method:attention")],
           "claims": [("1.5", 1.5, "", "FID", "method:fastdiff", "dataset:imagenet", None, "absolute"),
                      ("3.2", 3.2, "x", "speedup", "method:fastdiff", None, "SlowDiff", "higher")]},
    "p2": {"title": "SlowDiff: Careful Diffusion", "proposes": ["method:slowdiff"],
           "mentions": ["method:attention", "method:dropout", "dataset:imagenet", "dataset:coco",
                        "task:image-generation", "metric:fid"],
           "relations": [("evaluated_on", "method:slowdiff", "dataset:imagenet"),
                         ("evaluated_on", "method:slowdiff", "dataset:coco"),
                         ("addresses", "method:slowdiff", "task:image-generation"),
                         ("uses", "method:slowdiff", "method:attention"),
                         ("uses", "method:slowdiff", "method:dropout")],
           "claims": [("2.5", 2.5, "", "FID", "method:slowdiff", "dataset:imagenet", None, "absolute"),
                      ("12.0", 12.0, "", "FID", "method:slowdiff", "dataset:coco", None, "absolute")]},
    "p3": {"title": "BigNet: Scaling Image Classifiers", "proposes": ["model:bignet"],
           "mentions": ["method:fastdiff", "method:slowdiff", "method:attention", "method:dropout",
                        "dataset:imagenet", "task:image-classification", "metric:accuracy"],
           "relations": [("evaluated_on", "model:bignet", "dataset:imagenet"),
                         ("addresses", "model:bignet", "task:image-classification"),
                         ("uses", "model:bignet", "method:fastdiff"),
                         ("uses", "model:bignet", "method:attention"),
                         ("uses", "model:bignet", "method:dropout"),
                         ("outperforms", "model:bignet", "method:slowdiff")],
           "claims": [("85.0", 85.0, "%", "accuracy", "model:bignet", "dataset:imagenet", None, "absolute"),
                      ("1.8", 1.8, "x", "faster", "model:bignet", None, "SlowDiff", "higher"),
                      ("2.0", 2.0, "points", "accuracy", None, "dataset:imagenet", None, "higher")]},
    "p4": {"title": "TinyNet: Small Classifiers", "proposes": ["model:tinynet"],
           "mentions": ["model:bignet", "method:dropout", "dataset:imagenet", "dataset:cifar-10",
                        "task:image-classification", "metric:accuracy"],
           "relations": [("evaluated_on", "model:tinynet", "dataset:imagenet"),
                         ("evaluated_on", "model:tinynet", "dataset:cifar-10"),
                         ("addresses", "model:tinynet", "task:image-classification"),
                         ("uses", "model:tinynet", "model:bignet"),
                         ("uses", "model:tinynet", "method:dropout"),
                         ("outperforms", "model:bignet", "model:tinynet")],
           "claims": [("80.0", 80.0, "%", "accuracy", "model:tinynet", "dataset:imagenet", None, "absolute"),
                      ("10", 10.0, "x", "speedup", "model:tinynet", None, "BigNet", "higher"),
                      ("5", 5.0, "x", "memory", "model:tinynet", None, None, "lower"),
                      ("0.5", 0.5, "%", "accuracy", "model:tinynet", "dataset:imagenet", None, "lower")]},
    "p5": {"title": "A Survey of Image Generation", "proposes": [],
           "mentions": ["method:fastdiff", "method:slowdiff", "dataset:coco", "dataset:imagenet",
                        "task:image-generation", "metric:fid"],
           "relations": [("evaluated_on", "method:fastdiff", "dataset:coco"),
                         ("evaluated_on", "method:fastdiff", "dataset:imagenet"),
                         ("addresses", "method:fastdiff", "task:image-generation")],
           "claims": [("9.0", 9.0, "", "FID", "method:fastdiff", "dataset:coco", None, "absolute"),
                      ("4", 4.0, "x", "speedup", None, None, None, "higher")]},
}
TITLES = {pid: spec["title"] for pid, spec in PAPERS.items()}


def _record(pid: str, spec: dict[str, Any]) -> PaperRecord:
    paper = Paper(pid, spec["title"], f"The abstract of {pid}.", f"test:{pid}")
    prov = Provenance(pid, 1, 0, 10, "test", 0.9, f"evidence of {pid}")
    name = {key: ENTITIES[key][1] for key in ENTITIES}
    entities = []
    for key in spec["proposes"] + spec["mentions"]:
        etype, ename, aliases = ENTITIES[key]
        entities.append(PaperEntity(etype, ename, aliases, key in spec["proposes"],
                                    (Mention(etype, ename, prov),), key=key))
    relations = [Relation(RelationType(t), name[h], name[o], Provenance(pid, 2, 20, 40, "test:rel", 0.6, f"{t} {h}"))
                 for t, h, o in spec["relations"]]
    claims = [Claim(value, number, unit, metric, name.get(subject or ""), name.get(dataset or ""), baseline, direction,
                    100 + 10 * i, 103 + 10 * i, Provenance(pid, 3, 90 + 10 * i, 120 + 10 * i, "test:claim", 0.8,
                                                           f"claim {i} of {pid}"), **_canonical(metric, direction))
              for i, (value, number, unit, metric, subject, dataset, baseline, direction) in enumerate(spec["claims"])]
    return PaperRecord(paper, tuple(entities), tuple(relations), tuple(claims))


def _canonical(metric: str, direction: str) -> dict[str, Any]:
    """What canonicalization gives a claim of the hand-made graph: its metric's node when the graph has one (FID,
    accuracy), that metric's direction, and whether it is a result (an absolute value of it)."""
    key = f"metric:{metric.lower()}"
    table = metric_table().lookup(metric)
    if key not in ENTITIES or table is None:
        return {}
    return {"metric_key": key, "higher_is_better": table.higher_is_better, "is_result": direction == "absolute"}


def hand_made_triples() -> list[Triple]:
    """The triples of the five hand-made papers."""
    records = [_record(pid, spec) for pid, spec in PAPERS.items()]
    nodes = {key: Node(key, etype, ename, aliases, ()) for key, (etype, ename, aliases) in ENTITIES.items()}
    return build_triples(records, nodes)


Run = Callable[..., list[dict[str, Any]]]


@pytest.fixture(scope="module")
def run(neo4j_settings: Neo4jSettings) -> Run:
    """Run a canned query by name with keyword parameters (given as text, as on the command line)."""

    def query(name: str, **params: object) -> list[dict[str, Any]]:
        return queries.run(queries.get(name), {k: str(v) for k, v in params.items()}, neo4j_settings)

    return query


# Exact answers on the hand-made graph ---------------------------------------------------------------------------


@pytest.fixture(scope="class")
def hand_made_graph(neo4j_settings: Neo4jSettings, neo4j_driver: Driver) -> Iterator[None]:
    """The hand-made graph alone in the database, for one test class."""
    clear(neo4j_driver)
    load(hand_made_triples(), neo4j_settings)
    yield
    clear(neo4j_driver)


@pytest.mark.usefixtures("hand_made_graph")
class TestHandMadeGraph:
    """Exact answers of every canned query."""

    def test_graph_stats(self, run: Run) -> None:
        assert {(r["kind"], r["name"]): r["count"] for r in run("graph_stats")} == {
            ("label", "Paper"): 5, ("label", "Method"): 4, ("label", "Model"): 2, ("label", "Dataset"): 3,
            ("label", "Task"): 2, ("label", "Metric"): 2, ("label", "Entity"): 13, ("label", "Claim"): 13,
            ("relationship", "MENTIONS"): 34, ("relationship", "PROPOSES"): 4, ("relationship", "EVALUATED_ON"): 8,
            ("relationship", "ADDRESSES"): 5, ("relationship", "OUTPERFORMS"): 3, ("relationship", "USES"): 8,
            ("relationship", "REPORTS"): 13, ("relationship", "ABOUT"): 11, ("relationship", "MEASURED_ON"): 8,
            ("relationship", "MEASURES"): 8,
        }

    def test_most_used_datasets(self, run: Run) -> None:
        assert run("most_used_datasets") == [
            {"dataset": "ImageNet", "key": "dataset:imagenet", "papers": 5, "systems": 4},
            {"dataset": "COCO", "key": "dataset:coco", "papers": 2, "systems": 2},
            {"dataset": "CIFAR-10", "key": "dataset:cifar-10", "papers": 1, "systems": 1},
        ]
        assert [r["dataset"] for r in run("most_used_datasets", limit=1)] == ["ImageNet"]

    @pytest.mark.parametrize("dataset", ["ImageNet", "imagenet-1k", "dataset:imagenet"])
    def test_methods_on_dataset_by_name_alias_or_key(self, run: Run, dataset: str) -> None:
        assert [(r["system"], r["kind"], r["count"], r["papers"]) for r in run("methods_on_dataset", dataset=dataset)] \
            == [("FastDiff", "Method", 2, ["p1", "p5"]), ("BigNet", "Model", 1, ["p3"]),
                ("SlowDiff", "Method", 1, ["p2"]), ("TinyNet", "Model", 1, ["p4"])]

    @pytest.mark.parametrize(("params", "expected"), [
        ({}, [(1, "FastDiff", 1.5, "p1"), (2, "SlowDiff", 2.5, "p2")]),  # ImageNet and FID
        ({"dataset": "MS COCO", "metric": "fid"}, [(1, "FastDiff", 9.0, "p5"), (2, "SlowDiff", 12.0, "p2")]),
        ({"dataset": "ImageNet", "metric": "accuracy"}, [(1, "BigNet", 85.0, "p3"), (2, "TinyNet", 80.0, "p4")]),
        ({"dataset": "ImageNet", "metric": "FID", "limit": 1}, [(1, "FastDiff", 1.5, "p1")]),
        ({"dataset": "ImageNet", "metric": "FID", "task": "image classification"}, []),
        ({"dataset": "CIFAR-10", "metric": "FID"}, []),
    ])
    def test_leaderboard_respects_the_metric_direction(self, run: Run, params: dict[str, object],
                                                       expected: list[tuple[object, ...]]) -> None:
        rows = run("leaderboard", **params)
        assert [(r["rank"], r["system"], r["value"], r["paper"]) for r in rows] == expected

    def test_leaderboards(self, run: Run) -> None:
        assert [(r["dataset"], r["metric"], r["rows"], r["best"], r["system"]) for r in run("leaderboards")] == [
            ("COCO", "FID", 2, 9.0, "FastDiff"), ("ImageNet", "FID", 2, 1.5, "FastDiff"),
            ("ImageNet", "accuracy", 2, 85.0, "BigNet")]

    def test_outperforms_both_ways(self, run: Run) -> None:
        assert [(r["relation"], r["other"], r["kind"], r["papers"]) for r in run("outperforms", method="SlowDiff")] \
            == [("outperformed by", "BigNet", "Model", ["p3"]), ("outperformed by", "FastDiff", "Method", ["p1"])]
        assert [(r["relation"], r["other"], r["papers"]) for r in run("outperforms", method="bignet")] == [
            ("outperforms", "SlowDiff", ["p3"]), ("outperforms", "TinyNet", ["p4"])]

    def test_tasks_methods(self, run: Run) -> None:
        assert run("tasks_methods") == [
            {"task": "image classification", "systems": 2, "top_methods": ["BigNet", "TinyNet"]},
            {"task": "image generation", "systems": 2, "top_methods": ["FastDiff", "SlowDiff"]},
        ]
        assert [r["top_methods"] for r in run("tasks_methods", per_task=1, limit=1)] == [["BigNet"]]

    def test_methods_used_together(self, run: Run) -> None:
        assert run("methods_used_together") == [
            {"first": "attention", "second": "dropout", "count": 2, "papers": ["p2", "p3"]}]
        assert [(r["first"], r["second"], r["count"]) for r in run("methods_used_together", min_papers=1)] == [
            ("attention", "dropout", 2), ("attention", "FastDiff", 1), ("dropout", "BigNet", 1),
            ("dropout", "FastDiff", 1)]

    def test_lineage_follows_uses_chains_up_to_the_depth(self, run: Run) -> None:
        assert [(r["depth"], r["entity"], r["kind"], r["chain"]) for r in run("lineage", method="TinyNet")] == [
            (1, "BigNet", "Model", ["TinyNet", "BigNet"]),
            (1, "dropout", "Method", ["TinyNet", "dropout"]),
            (2, "FastDiff", "Method", ["TinyNet", "BigNet", "FastDiff"]),
            (2, "attention", "Method", ["TinyNet", "BigNet", "attention"]),
        ]
        assert [r["entity"] for r in run("lineage", method="TinyNet", depth=1)] == ["BigNet", "dropout"]
        assert run("lineage", method="attention") == []

    def test_similar_papers_by_shared_entities(self, run: Run) -> None:
        assert [(r["paper"], r["count"], r["shared"]) for r in run("similar_papers", paper="p1")] == [
            ("p2", 5, ["FID", "ImageNet", "SlowDiff", "attention", "image generation"]),
            ("p5", 5, ["FID", "FastDiff", "ImageNet", "SlowDiff", "image generation"]),
            ("p3", 4, ["FastDiff", "ImageNet", "SlowDiff", "attention"]),
            ("p4", 1, ["ImageNet"]),
        ]
        assert [r["title"] for r in run("similar_papers", paper="paper:p1", limit=1)] == [TITLES["p2"]]

    def test_largest_speedups(self, run: Run) -> None:
        assert [(r["speedup"], r["system"], r["baseline"], r["paper"]) for r in run("largest_speedups")] == [
            (10.0, "TinyNet", "BigNet", "p4"), (4.0, None, None, "p5"), (3.2, "FastDiff", "SlowDiff", "p1"),
            (1.8, "BigNet", "SlowDiff", "p3")]
        assert [r["speedup"] for r in run("largest_speedups", words="memory")] == []

    @pytest.mark.parametrize(("text", "names"), [
        ("coco", ["COCO"]), ("fd", ["FastDiff"]), ("diffusion", ["FastDiff"]), ("imagenet*", ["ImageNet"]),
        ("image", ["image classification", "image generation"]), ("nothing", []),
    ])
    def test_search_entities_over_names_and_aliases(self, run: Run, text: str, names: list[str]) -> None:
        assert sorted(r["name"] for r in run("search_entities", text=text)) == names

    def test_search_entities_row(self, run: Run) -> None:
        [row] = run("search_entities", text="COCO")
        assert (row["name"], row["kind"], row["key"], row["aliases"], row["papers"]) == (
            "COCO", "Dataset", "dataset:coco", ["MS COCO"], 2)

    def test_neighbourhood(self, run: Run) -> None:
        assert [(r["relationship"], r["direction"], r["neighbour"], r["kind"]) for r in
                run("neighbourhood", entity="TinyNet")] == [
            ("ABOUT", "in", "0.5 %", "Claim"), ("ABOUT", "in", "10 x", "Claim"), ("ABOUT", "in", "5 x", "Claim"),
            ("ABOUT", "in", "80.0 %", "Claim"),
            ("ADDRESSES", "out", "image classification", "Task"),
            ("EVALUATED_ON", "out", "CIFAR-10", "Dataset"), ("EVALUATED_ON", "out", "ImageNet", "Dataset"),
            ("MENTIONS", "in", TITLES["p4"], "Paper"),
            ("OUTPERFORMS", "in", "BigNet", "Model"),
            ("PROPOSES", "in", TITLES["p4"], "Paper"),
            ("USES", "out", "BigNet", "Model"), ("USES", "out", "dropout", "Method"),
        ]

    def test_claims_without_subject(self, run: Run) -> None:
        assert [(r["paper"], r["value"], r["unit"], r["metric"], r["evidence"]) for r in
                run("claims_without_subject")] == [("p3", "2.0", "points", "accuracy", "claim 2 of p3"),
                                                   ("p5", "4", "x", "speedup", "claim 1 of p5")]

    def test_single_paper_entities(self, run: Run) -> None:
        assert run("single_paper_entities") == [
            {"kind": "Dataset", "entities": 3, "single_paper": 1, "percent": 33.3, "examples": ["CIFAR-10"]},
            {"kind": "Method", "entities": 4, "single_paper": 0, "percent": 0.0, "examples": []},
            {"kind": "Metric", "entities": 2, "single_paper": 0, "percent": 0.0, "examples": []},
            {"kind": "Model", "entities": 2, "single_paper": 1, "percent": 50.0, "examples": ["TinyNet"]},
            {"kind": "Task", "entities": 2, "single_paper": 0, "percent": 0.0, "examples": []},
        ]

    def test_papers_for_entity(self, run: Run) -> None:
        assert run("papers_for_entity", entity="BigNet") == [
            {"entity": "BigNet", "paper": "p3", "title": TITLES["p3"], "proposes": True},
            {"entity": "BigNet", "paper": "p4", "title": TITLES["p4"], "proposes": False},
        ]

    def test_entity_claims(self, run: Run) -> None:
        assert [(r["value"], r["unit"], r["metric"], r["direction"], r["dataset"], r["baseline"], r["paper"])
                for r in run("entity_claims", entity="tinynet")] == [
            (80.0, "%", "accuracy", "absolute", "ImageNet", None, "p4"),
            (10.0, "x", "speedup", "higher", None, "BigNet", "p4"),
            (5.0, "x", "memory", "lower", None, None, "p4"),
            (0.5, "%", "accuracy", "lower", "ImageNet", None, "p4"),
        ]

    @pytest.mark.parametrize("text", ["(", '"abc', "FastDiff)", "fast* AND", "title:x", "\\", "a && b || !c"])
    def test_search_entities_escapes_lucene_syntax(self, run: Run, text: str) -> None:
        rows = run("search_entities", text=text)
        assert all(isinstance(r["name"], str) for r in rows)
        assert [r["name"] for r in run("search_entities", text="FastDiff)")] == ["FastDiff"]

    def test_every_query_takes_hostile_parameters_without_a_traceback(self, run: Run,
                                                                      neo4j_driver: Driver) -> None:
        before = neo4j_driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
        hostile = ["-1", "0", "99999999999999999999", "1e400", "NaN", "(", '"abc', "", " ", "x" * 2000, "\x00",
                   "' OR 1=1 //", "}) MATCH (n) DETACH DELETE n //", "a,,b", ",", "true", "\u202e", "$limit"]
        outcomes = {"rows": 0, "refused": 0}
        for name, query in queries.available().items():
            for param in query.params:
                for value in hostile:
                    try:
                        rows = run(name, **{param.name: value})
                    except QueryError as exc:
                        assert str(exc).startswith(f"parameter {param.name} ") and "\n" not in str(exc)
                        outcomes["refused"] += 1
                    else:
                        assert isinstance(rows, list)
                        outcomes["rows"] += 1
        assert outcomes["rows"] and outcomes["refused"]
        assert neo4j_driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"] == before

    def test_every_query_is_tested_here(self) -> None:
        tested = {name for name in queries.available()
                  if f'"{name}"' in Path(__file__).read_text(encoding="utf-8")}
        assert tested == set(queries.available())

    def test_cli_json_is_a_list_of_row_objects(self, neo4j_settings: Neo4jSettings) -> None:
        result = _kg("query", "most_used_datasets", "--param", "limit=2", "--format", "json",
                     "--neo4j-uri", neo4j_settings.uri)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == [
            {"dataset": "ImageNet", "key": "dataset:imagenet", "papers": 5, "systems": 4},
            {"dataset": "COCO", "key": "dataset:coco", "papers": 2, "systems": 2}]

    def test_cli_table(self, neo4j_settings: Neo4jSettings) -> None:
        result = _kg("query", "lineage", "--param", "method=TinyNet", "--param", "depth=1",
                     "--neo4j-uri", neo4j_settings.uri)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].split() == ["method", "depth", "entity", "kind", "chain"]
        assert [line.split()[:3] for line in lines[2:]] == [["TinyNet", "1", "BigNet"], ["TinyNet", "1", "dropout"]]


# Cross-checks on the sample corpus ---------------------------------------------------------------------------


@pytest.fixture(scope="class")
def triples(sample_corpus: tuple[list[PaperRecord], dict[str, Node]], neo4j_settings: Neo4jSettings,
            neo4j_driver: Driver) -> Iterator[list[Triple]]:
    """The sample corpus triples, loaded alone in the database for one test class."""
    triples = build_triples(*sample_corpus)
    clear(neo4j_driver)
    load(triples, neo4j_settings)
    yield triples
    clear(neo4j_driver)


class TestSampleCorpus:
    """Answers computed from the sample corpus triples in Python."""

    def test_graph_stats_match_the_triples(self, run: Run, triples: list[Triple]) -> None:
        refs = {r for t in triples for r in (t.subject, t.object) if isinstance(r, NodeRef)}
        nodes = Counter(ref.kind.value for ref in refs)
        statements = {(t.subject.key, t.predicate, t.object.key, t.provenance.paper_id) for t in triples
                      if isinstance(t.object, NodeRef)}
        rels = Counter(predicate.value.upper() for _, predicate, _, _ in statements)
        stats = {(r["kind"], r["name"]): r["count"] for r in run("graph_stats")}
        entities = sum(n for kind, n in nodes.items() if kind not in ("Paper", "Claim"))
        assert stats == {**{("label", k): n for k, n in nodes.items()}, ("label", "Entity"): entities,
                         **{("relationship", k): n for k, n in rels.items()}}

    def test_most_used_datasets_match_a_counter(self, run: Run, triples: list[Triple]) -> None:
        papers: dict[str, set[str]] = defaultdict(set)
        systems: dict[str, set[str]] = defaultdict(set)
        names = {t.subject.key: t.object.value for t in triples if t.predicate is Predicate.NAME
                 and isinstance(t.object, Literal)}
        for t in triples:
            if t.predicate is Predicate.MENTIONS and isinstance(t.object, NodeRef) \
                    and t.object.kind is NodeKind.DATASET:
                papers[t.object.key].add(t.provenance.paper_id)
            if t.predicate is Predicate.EVALUATED_ON and isinstance(t.object, NodeRef):
                systems[t.object.key].add(t.subject.key)
        expected = sorted(papers, key=lambda k: (-len(papers[k]), -len(systems[k]), names[k]))[:10]
        rows = run("most_used_datasets")
        assert [(r["key"], r["papers"], r["systems"]) for r in rows] == [
            (k, len(papers[k]), len(systems[k])) for k in expected]
        top = max(papers, key=lambda k: len(papers[k]))
        assert rows[0]["papers"] == len(papers[top])
        on_top = {t.subject.key for t in triples if t.predicate is Predicate.EVALUATED_ON
                  and isinstance(t.object, NodeRef) and t.object.key == rows[0]["key"]}
        assert {names[k] for k in on_top} == {r["system"] for r in run("methods_on_dataset", dataset=rows[0]["key"],
                                                                         limit=1000)}

    def test_largest_speedups_match_the_claims(self, run: Run, triples: list[Triple]) -> None:
        claims: dict[str, dict[Predicate, str | int | float | bool]] = defaultdict(dict)
        for t in triples:
            if t.subject.kind is NodeKind.CLAIM and isinstance(t.object, Literal):
                claims[t.subject.key][t.predicate] = t.object.value
        words = ("speed", "fast", "throughput", "accelerat")
        values = sorted((float(c[Predicate.VALUE]) for c in claims.values() if c[Predicate.UNIT] == "x"
                         and c[Predicate.DIRECTION] == "higher"
                         and any(w in str(c.get(Predicate.METRIC, "")).lower() for w in words)), reverse=True)
        assert [r["speedup"] for r in run("largest_speedups", limit=1000)] == values

    def test_claims_without_subject_match(self, run: Run, triples: list[Triple]) -> None:
        claims = {t.object.key for t in triples if t.predicate is Predicate.REPORTS and isinstance(t.object, NodeRef)}
        about = {t.subject.key for t in triples if t.predicate is Predicate.ABOUT}
        assert len(run("claims_without_subject", limit=100000)) == len(claims - about)

    def test_single_paper_entities_match(self, run: Run, triples: list[Triple]) -> None:
        papers: dict[NodeRef, set[str]] = defaultdict(set)
        for t in triples:
            if t.predicate is Predicate.MENTIONS and isinstance(t.object, NodeRef):
                papers[t.object].add(t.provenance.paper_id)
        single = Counter(ref.kind.value for ref, ids in papers.items() if len(ids) == 1)
        assert {r["kind"]: r["single_paper"] for r in run("single_paper_entities")} == {
            kind: single[kind] for kind in {ref.kind.value for ref in papers}}

    @pytest.mark.parametrize("params", [{}, {"dataset": "*", "metric": "*", "limit": 100000},
                                        {"metric": "accuracy"}])
    def test_leaderboard_matches_kg_leaderboard(self, run: Run, triples: list[Triple],
                                                params: dict[str, object]) -> None:
        bound = queries.get("leaderboard").bind({k: str(v) for k, v in params.items()})
        expected = [r for b in leaderboards(triples, dataset=bound["dataset"], metric=bound["metric"])
                    for r in b.row_dicts()][:bound["limit"]]
        assert run("leaderboard", **params) == expected
        if not params:
            assert expected, "the default leaderboard (ImageNet, FID) has rows"

    def test_leaderboards_match_kg_leaderboard(self, run: Run, triples: list[Triple]) -> None:
        assert run("leaderboards", limit=1000) == [b.summary() for b in largest_first(leaderboards(triples,
                                                                                                    min_rows=2))]

    def test_sparql_twins_return_the_same_rows(self, run: Run, triples: list[Triple],
                                               tmp_path_factory: pytest.TempPathFactory) -> None:
        """Every twin with its defaults, and with parameters chosen from the data so that the rows are many."""
        out = tmp_path_factory.mktemp("rdf")
        serialize(to_graph(triples), out / "graph.nt", "nt")
        store = sparql.open_store(out)
        names = {t.subject.key: str(t.object.value) for t in triples if t.predicate is Predicate.NAME
                 and isinstance(t.object, Literal)}

        def most(predicate: Predicate, side: str) -> str:
            counts = Counter(getattr(t, side).key for t in triples if t.predicate is predicate
                             and isinstance(t.object, NodeRef))
            return max(sorted(counts), key=lambda k: counts[k])

        paper = most(Predicate.MENTIONS, "subject").removeprefix("paper:")
        chosen = {
            "claims_without_subject": {"limit": 100000}, "largest_speedups": {"limit": 1000},
            "entity_claims": {"entity": names[most(Predicate.ABOUT, "object")], "limit": 1000},
            "leaderboard": {"dataset": "*", "metric": "*", "limit": 100000}, "leaderboards": {"min_rows": 1},
            "methods_on_dataset": {"dataset": names[most(Predicate.EVALUATED_ON, "object")], "limit": 1000},
            "methods_used_together": {"min_papers": 1, "limit": 1000}, "most_used_datasets": {"limit": 1000},
            "neighbourhood": {"entity": names[most(Predicate.MENTIONS, "object")], "limit": 1000},
            "outperforms": {"method": names[most(Predicate.OUTPERFORMS, "subject")]},
            "papers_for_entity": {"entity": names[most(Predicate.MENTIONS, "object")], "limit": 1000},
            "similar_papers": {"paper": paper, "limit": 1000}, "single_paper_entities": {"examples": 3},
            "tasks_methods": {"per_task": 3, "limit": 1000}, "graph_stats": {},
        }
        twins = sparql.available()
        assert set(twins) == set(chosen)
        for name, twin in twins.items():
            for params in ({}, chosen[name]):
                expected = run(name, **params)
                assert sparql.run(twin, {k: str(v) for k, v in params.items()}, store) == expected, (name, params)
                assert expected or not params or name in ("outperforms",), (name, params)

    def test_every_default_parameter_runs(self, run: Run, triples: list[Triple]) -> None:
        for name in queries.available():
            assert isinstance(run(name), list), name


# Loading queries -------------------------------------------------------------------------------------------------


def test_every_query_file_has_a_complete_header() -> None:
    known = queries.available()
    assert len(known) >= 12
    for name, query in known.items():
        assert query.name == name and query.description
        for param in query.params:
            assert f"${param.name}" in query.text, (name, param.name)
            param.cast(param.default)


def test_parameters_are_cast_to_their_declared_types() -> None:
    bound = queries.get("leaderboard").bind({"limit": "3"})
    assert bound["limit"] == 3 and bound["metric"] == "FID" and bound["setting"] == "*"
    assert queries.get("largest_speedups").bind({"words": "speed, fast"})["words"] == ["speed", "fast"]
    with pytest.raises(QueryError, match="parameter limit takes a whole number, not 'many'"):
        queries.get("leaderboard").bind({"limit": "many"})
    with pytest.raises(QueryError, match="has no parameter colour"):
        queries.get("leaderboard").bind({"colour": "red"})


def test_unknown_query_names_the_known_ones() -> None:
    with pytest.raises(QueryError, match="unknown query 'nope'; known queries: .*leaderboard"):
        queries.get("nope")
    with pytest.raises(QueryError, match="unknown query"):
        queries.get("../pyproject")


def test_cli_list_prints_name_and_description() -> None:
    result = _kg("query", "--list")
    assert result.returncode == 0, result.stderr
    rows = [line.split(None, 1) for line in result.stdout.splitlines()]
    assert {name: desc for name, desc in rows} == {n: q.description for n, q in queries.available().items()}


def test_cli_reports_bad_input_as_a_usage_error() -> None:
    result = _kg("query", "nope")
    assert result.returncode == 2 and "kg: error: unknown query 'nope'" in result.stderr
    result = _kg("query", "leaderboard", "--param", "limit=x")
    assert result.returncode == 2 and "parameter limit takes a whole number, not 'x'" in result.stderr


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=300, check=False)
