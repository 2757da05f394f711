"""Leaderboards: ranking by the metric's direction, one row per system and paper, settings apart, filters; the
command line; and the canned Cypher queries giving the same rows on a real Neo4j.

The papers are hand-made and go through the real canonicalization and triple building, so the expected boards
are known exactly and do not move when the extractors change.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from neo4j import Driver

from kg import queries, sparql
from kg.canonical import canonicalize
from kg.leaderboard import Leaderboard, canonical_filters, largest_first, leaderboards, to_csv
from kg.neo4j_server import Neo4jSettings
from kg.sinks.jsonl import triple_to_json, write_jsonl
from kg.sinks.neo4j import clear, load
from kg.sinks.rdf import serialize, to_graph
from kg.triples import build_triples
from kg.types import Triple

KG = shutil.which("kg") or "kg"

PAPERS = [
    ("2401.00001", "FastGen reaches 2.1 FID on ImageNet 256×256 and 3.0 FID on ImageNet 512×512.",
     [("Method", "FastGen", ()), ("Dataset", "ImageNet 256×256", ("ImageNet 512×512",)), ("Metric", "FID", ()),
      ("Task", "image generation", ())],
     [("2.1", "", "FID", "FastGen", "ImageNet 256×256", "absolute"),
      ("3.0", "", "FID", "FastGen", "ImageNet 256×256", "absolute")]),
    ("2402.00002", "SlowGen has an FID score of 2.5 on ImageNet at 256x256, 1.9 FID with guidance, and improves "
                   "FID by 0.4.",
     [("Method", "SlowGen", ()), ("Dataset", "ImageNet", ()), ("Metric", "FID score", ()),
      ("Task", "image generation", ())],
     [("2.5", "", "FID score", "SlowGen", "ImageNet", "absolute"),
      ("1.9", "", "FID", "SlowGen", "ImageNet", "absolute"),
      ("0.4", "", "FID", "SlowGen", "ImageNet", "lower")]),
    ("2403.00003", "FastGen gets 2.3 FID on ImageNet-256, while TinyGen gets 4.0 FID on ImageNet-256.",
     [("Method", "FastGen", ()), ("Method", "TinyGen", ()), ("Dataset", "ImageNet-256", ())],
     [("2.3", "", "FID", "FastGen", "ImageNet-256", "absolute"),
      ("4.0", "", "FID", "TinyGen", "ImageNet-256", "absolute")]),
    ("2404.00004", "BigNet reaches 85.0% top-1 accuracy on ImageNet and 88.1% accuracy on ImageNet-21K; TinyNet "
                   "reaches 80.0% accuracy on ImageNet, 3.5x faster.",
     [("Model", "BigNet", ()), ("Model", "TinyNet", ()), ("Dataset", "ImageNet", ("ImageNet-21K",)),
      ("Task", "image classification", ())],
     [("85.0", "%", "top-1 accuracy", "BigNet", "ImageNet", "absolute"),
      ("88.1", "%", "accuracy", "BigNet", "ImageNet-21K", "absolute"),
      ("80.0", "%", "accuracy", "TinyNet", "ImageNet", "absolute"),
      ("3.5", "x", "faster", "TinyNet", "ImageNet", "higher")]),
    ("2405.00005", "A model whose name we do not give reaches 1.5 FID on ImageNet 256x256.",
     [("Dataset", "ImageNet 256x256", ())],
     [("1.5", "", "FID", None, "ImageNet 256x256", "absolute")]),
]


@pytest.fixture(scope="module")
def triples(paper_record) -> list[Triple]:  # noqa: ANN001 - a conftest factory
    return build_triples(*canonicalize([paper_record(*spec) for spec in PAPERS]))


def _rows(board: Leaderboard) -> list[tuple[Any, ...]]:
    return [(r.rank, r.system, r.value, r.paper) for r in board.rows]


def test_every_leaderboard_of_the_papers(triples: list[Triple]) -> None:
    boards = {(b.dataset, b.metric, b.setting): b for b in leaderboards(triples)}
    assert {k: _rows(b) for k, b in boards.items()} == {
        ("ImageNet", "FID", "256×256"): [(1, None, 1.5, "2405.00005"), (2, "SlowGen", 1.9, "2402.00002"),
                                         (3, "FastGen", 2.1, "2401.00001"), (4, "FastGen", 2.3, "2403.00003"),
                                         (5, "TinyGen", 4.0, "2403.00003")],
        ("ImageNet", "FID", "512×512"): [(1, "FastGen", 3.0, "2401.00001")],
        ("ImageNet", "accuracy", ""): [(1, "BigNet", 85.0, "2404.00004"), (2, "TinyNet", 80.0, "2404.00004")],
        ("ImageNet", "accuracy", "21k"): [(1, "BigNet", 88.1, "2404.00004")],
        ("ImageNet", "speedup", ""): [(1, "TinyNet", 3.5, "2404.00004")],
    }
    fid = boards[("ImageNet", "FID", "256×256")]
    assert not fid.higher_is_better and boards[("ImageNet", "accuracy", "")].higher_is_better
    assert fid.tasks == ("image generation",)
    row = fid.rows[1]
    assert (row.unit, row.date, row.title, row.confidence, row.value_text) == ("", "2024-02", "Paper 2402.00002",
                                                                               0.7, "1.9")
    assert row.evidence.startswith("SlowGen has an FID score of 2.5")


@pytest.mark.parametrize(("filters", "boards"), [
    ({"dataset": "imagenet-256"}, 5),  # an alias of the dataset node
    ({"dataset": "dataset:imagenet", "metric": "FID score"}, 2),  # the key; an alias of the metric node
    ({"metric": "fid", "setting": "256×256"}, 1),
    ({"setting": "21K"}, 1),  # one part of a setting, any case
    ({"task": "image classification"}, 3),
    ({"task": "task:image-generation", "setting": "512×512"}, 1),
    ({"dataset": "CIFAR-10"}, 0),
])
def test_filters(triples: list[Triple], filters: dict[str, str], boards: int) -> None:
    assert len(leaderboards(triples, **filters)) == boards


def test_the_list_is_largest_first_and_min_rows_drops_small_boards(triples: list[Triple]) -> None:
    assert [b.summary() for b in largest_first(leaderboards(triples, min_rows=2))] == [
        {"dataset": "ImageNet", "metric": "FID", "setting": "256×256", "rows": 5, "best": 1.5, "unit": "",
         "system": None, "paper": "2405.00005"},
        {"dataset": "ImageNet", "metric": "accuracy", "setting": "", "rows": 2, "best": 85.0, "unit": "%",
         "system": "BigNet", "paper": "2404.00004"}]


@pytest.mark.parametrize(("given", "expected"), [
    ({"dataset": "ImageNet 256x256"}, {"dataset": "ImageNet", "metric": "*", "setting": "256×256"}),
    ({"dataset": "ImageNet-21K", "setting": "5 shot"}, {"dataset": "ImageNet", "metric": "*", "setting": "5-shot"}),
    ({"dataset": "ImageNet"}, {"dataset": "ImageNet", "metric": "*", "setting": "*"}),
    ({"metric": "top-1 accuracy"}, {"dataset": "*", "metric": "accuracy", "setting": "*"}),
    ({"metric": "Fréchet Inception Distance"}, {"dataset": "*", "metric": "FID", "setting": "*"}),
    ({"metric": "my own metric", "setting": "256x256"}, {"dataset": "*", "metric": "my own metric",
                                                         "setting": "256×256"}),
])
def test_filters_as_users_write_them(given: dict[str, str], expected: dict[str, str]) -> None:
    assert canonical_filters(**given) == expected


def test_slugs_are_file_names_unique_per_board(triples: list[Triple]) -> None:
    slugs = [b.slug for b in leaderboards(triples)]
    assert len(set(slugs)) == len(slugs)
    assert all(s.replace("-", "").replace("×", "").isalnum() for s in slugs), slugs
    assert slugs[0].startswith("imagenet-fid-256")


def test_csv_has_a_header_and_one_line_per_row(triples: list[Triple]) -> None:
    rows = [r for b in leaderboards(triples, metric="accuracy") for r in b.row_dicts()]
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert [(r["system"], r["value"], r["setting"]) for r in parsed] == [
        ("BigNet", "85.0", ""), ("TinyNet", "80.0", ""), ("BigNet", "88.1", "21k")]
    assert to_csv([]) == ""


@pytest.fixture(scope="module")
def build_dir(triples: list[Triple], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    write_jsonl(out / "triples.jsonl", (triple_to_json(t) for t in triples))
    return out


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=120, check=False)


def test_cli_lists_leaderboards_with_two_rows_or_more(build_dir: Path) -> None:
    result = _kg("leaderboard", "--out", str(build_dir), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [(b["dataset"], b["metric"], b["setting"], b["rows"]) for b in json.loads(result.stdout)] == [
        ("ImageNet", "FID", "256×256", 5), ("ImageNet", "accuracy", "", 2)]


def test_cli_rows_with_filters_as_users_write_them(build_dir: Path) -> None:
    result = _kg("leaderboard", "--out", str(build_dir), "--dataset", "ImageNet 256x256", "--metric", "FID score")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["dataset", "metric", "setting", "rank", "system"]
    assert [line.split()[3:5] for line in lines[2:]] == [["1", "1.5"], ["2", "SlowGen"], ["3", "FastGen"],
                                                         ["4", "FastGen"], ["5", "TinyGen"]]
    result = _kg("leaderboard", "--out", str(build_dir), "--task", "image classification", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1 + 4


def test_cli_says_when_no_leaderboard_matches(build_dir: Path) -> None:
    result = _kg("leaderboard", "--out", str(build_dir), "--dataset", "COCO val2017", "--metric", "mAP")
    assert result.returncode == 0 and result.stdout.strip() == "(no rows)"
    assert result.stderr.startswith("kg: warning: no leaderboard has results for dataset COCO, metric mAP, "
                                    "setting val2017;") and result.stderr.count("\n") == 1, result.stderr


def test_cli_without_a_build_fails_with_one_line(tmp_path: Path) -> None:
    result = _kg("leaderboard", "--out", str(tmp_path))
    assert result.returncode == 1 and result.stderr.startswith("kg: error: cannot read ")


# The SPARQL twins, and the canned Cypher queries on a real Neo4j ---------------------------------------------


@pytest.fixture(scope="module")
def store(triples: list[Triple], tmp_path_factory: pytest.TempPathFactory) -> pyoxigraph.Store:
    out = tmp_path_factory.mktemp("rdf")
    serialize(to_graph(triples), out / "graph.nt", "nt")
    return sparql.open_store(out)


QUERY_FILTERS = [
    {"dataset": "ImageNet", "metric": "FID"}, {"dataset": "*", "metric": "*"}, {"dataset": "imagenet-256", "metric": "*"},
    {"metric": "FID score", "setting": "256×256"}, {"dataset": "*", "metric": "*", "setting": "21K"},
    {"dataset": "*", "metric": "*", "task": "image classification"}, {"dataset": "CIFAR-10", "metric": "*"},
]
"""Parameters of the leaderboard queries (those not given take the queries' defaults: ImageNet and FID)."""


@pytest.mark.parametrize("filters", QUERY_FILTERS)
def test_sparql_twin_gives_the_same_rows(triples: list[Triple], store: pyoxigraph.Store,
                                         filters: dict[str, str]) -> None:
    expected = [r for b in leaderboards(triples, **{"dataset": "ImageNet", "metric": "FID", **filters})
                for r in b.row_dicts()]
    assert sparql.run(sparql.get("leaderboard"), filters, store) == expected


def test_sparql_twin_lists_the_same_leaderboards(triples: list[Triple], store: pyoxigraph.Store) -> None:
    for min_rows in (1, 2, 5):
        expected = [b.summary() for b in largest_first(leaderboards(triples, min_rows=min_rows))]
        assert sparql.run(sparql.get("leaderboards"), {"min_rows": str(min_rows)}, store) == expected


@pytest.fixture(scope="class")
def loaded(triples: list[Triple], neo4j_settings: Neo4jSettings, neo4j_driver: Driver) -> Iterator[Neo4jSettings]:
    """The hand-made papers alone in the database, for one test class."""
    clear(neo4j_driver)
    load(triples, neo4j_settings)
    yield neo4j_settings
    clear(neo4j_driver)


@pytest.mark.neo4j
@pytest.mark.usefixtures("neo4j_database_lock")
class TestCypherGivesTheSameRows:
    @pytest.mark.parametrize("filters", QUERY_FILTERS)
    def test_leaderboard(self, triples: list[Triple], loaded: Neo4jSettings, filters: dict[str, str]) -> None:
        expected = [r for b in leaderboards(triples, **{"dataset": "ImageNet", "metric": "FID", **filters})
                    for r in b.row_dicts()]
        assert queries.run(queries.get("leaderboard"), filters, loaded) == expected

    def test_leaderboards(self, triples: list[Triple], loaded: Neo4jSettings) -> None:
        for min_rows in ("1", "2", "5"):
            expected = [b.summary() for b in largest_first(leaderboards(triples, min_rows=int(min_rows)))]
            assert queries.run(queries.get("leaderboards"), {"min_rows": min_rows}, loaded) == expected
