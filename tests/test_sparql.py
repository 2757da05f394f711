"""kg sparql: canned SPARQL queries on a build's RDF in pyoxigraph; parameters as escaped RDF terms; twins of the
Cypher queries (their rows are compared with Neo4j's on the sample corpus in test_queries.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pyoxigraph
import pytest

from kg import queries, sparql
from kg.errors import InputError
from kg.queries import QueryError
from kg.sinks.jsonl import read_triples
from kg.sinks.rdf import write_rdf

FIXTURES = Path(__file__).parent / "fixtures"
KG = shutil.which("kg") or "kg"
NOT_TWINS = {"lineage": "shortest paths and their node lists have no SPARQL 1.1 form",
             "search_entities": "a full-text index with Lucene scores (Neo4j's) that the RDF store does not have"}


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build directory with the RDF of the fixture triples (a hostile paper among them)."""
    out = tmp_path_factory.mktemp("build")
    write_rdf(read_triples(FIXTURES / "rdf_triples.jsonl"), out)
    return out


@pytest.fixture(scope="module")
def store(build: Path) -> pyoxigraph.Store:
    return sparql.open_store(build)


def test_every_cypher_query_has_a_twin_with_the_same_parameters_or_a_reason() -> None:
    twins = sparql.available()
    cypher = queries.available()
    assert len(twins) >= 12
    assert set(twins) <= set(cypher)
    assert set(cypher) - set(twins) == set(NOT_TWINS)
    for name, twin in twins.items():
        assert twin.query.description == cypher[name].description, name
        assert twin.query.params == cypher[name].params, name


def test_every_twin_runs_with_its_defaults(store: pyoxigraph.Store) -> None:
    for name, query in sparql.available().items():
        rows = sparql.run(query, {}, store)
        assert isinstance(rows, list), name
        assert all(isinstance(row[c], list) for row in rows for c in query.lists), name


def test_rows_are_python_values(store: pyoxigraph.Store) -> None:
    [row] = sparql.run(sparql.get("entity_claims"), {"entity": "LANTERN"}, store)
    assert row == {"entity": "LANTERN", "value": 1.75, "unit": "x", "metric": "speedup", "direction": "higher",
                   "dataset": "ImageNet", "baseline": "greedy decoding", "paper": "2401.00001",
                   "evidence": "On ImageNet, LANTERN achieves a 1.75times speedup over greedy decoding."}
    [row] = sparql.run(sparql.get("methods_on_dataset"), {"dataset": "imagenet-1k"}, store)
    assert (row["system"], row["count"], row["papers"]) == ("LANTERN", 1, ["2401.00001"])


@pytest.mark.parametrize("text", ['" } UNION { ?s ?p ?o } #', "x\\\" ) || true || (\"", "$limit", "\n}"])
def test_a_parameter_is_a_literal_never_query_text(store: pyoxigraph.Store, text: str) -> None:
    query = sparql.get("papers_for_entity")
    assert f'"{text}"' not in query.text({"entity": text}) or text == "$limit"
    assert sparql.run(query, {"entity": text}, store) == []


def test_lists_and_integers_are_written_as_terms() -> None:
    text = sparql.get("largest_speedups").text({"words": 'speed, "fast', "limit": "3"})
    assert 'VALUES ?word { "speed" "\\"fast" }' in text and text.rstrip().endswith("LIMIT 3")
    with pytest.raises(QueryError, match="takes a whole number"):
        sparql.get("largest_speedups").text({"limit": "3; DROP"})
    with pytest.raises(QueryError, match="has no parameter colour"):
        sparql.get("largest_speedups").text({"colour": "red"})


def test_a_query_file_runs_with_or_without_a_header(store: pyoxigraph.Store, tmp_path: Path) -> None:
    plain = tmp_path / "titles.rq"
    plain.write_text("SELECT ?title WHERE { ?p <http://purl.org/dc/terms/title> ?title } ORDER BY ?title",
                     encoding="utf-8")
    assert len(sparql.run(sparql.get(str(plain)), {}, store)) == 2
    with_header = tmp_path / "named.rq"
    with_header.write_text("# name: named\n# description: a title\n# param: id STRING 2401.00001 — paper id\n"
                           "SELECT ?t WHERE { ?p <http://purl.org/dc/terms/identifier> $id ; "
                           "<http://purl.org/dc/terms/title> ?t }", encoding="utf-8")
    [row] = sparql.run(sparql.get(str(with_header)), {}, store)
    assert row["t"].startswith("LANTERN")


def test_unknown_queries_and_missing_graphs_are_errors(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="unknown SPARQL query 'nope'.*leaderboard"):
        sparql.get("nope")
    with pytest.raises(QueryError, match="unknown SPARQL query"):
        sparql.get("../pyproject")
    with pytest.raises(InputError, match="no RDF graph in"):
        sparql.open_store(tmp_path)


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KG, *args], capture_output=True, text=True, timeout=120, check=False)


def test_cli_list_and_run(build: Path) -> None:
    result = _kg("sparql", "--list")
    assert result.returncode == 0, result.stderr
    assert {line.split(None, 1)[0] for line in result.stdout.splitlines()} == set(sparql.available())
    result = _kg("sparql", "most_used_datasets", "--out", str(build), "--format", "json", "--param", "limit=1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"dataset": "ImageNet", "key": "dataset:imagenet", "papers": 1,
                                          "systems": 1}]
    result = _kg("sparql", "papers_for_entity", "--out", str(build), "--param", "entity=lantern")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["entity", "paper", "title", "proposes"]


@pytest.mark.parametrize(("args", "message"), [
    (("sparql", "nope"), "kg: error: unknown SPARQL query 'nope'"),
    (("sparql", "leaderboard", "--param", "limit=x"), "kg: error: parameter limit takes a whole number"),
    (("sparql", "leaderboard", "--param", "setting="), "kg: error: parameter setting needs a non-empty value"),
    (("sparql",), "kg: error: give a SPARQL query NAME or FILE, or --list"),
])
def test_cli_usage_errors_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    result = _kg(*args)
    assert result.returncode == 2 and result.stderr.startswith(message), result.stderr
    assert result.stderr.count("\n") == 1


def test_cli_without_a_build_fails_with_one_line(tmp_path: Path) -> None:
    result = _kg("sparql", "graph_stats", "--out", str(tmp_path))
    assert result.returncode == 1 and result.stderr.startswith("kg: error: no RDF graph in ")
