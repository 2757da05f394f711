"""The bulk path (CSV files and LOAD CSV) makes the graph the UNWIND path makes, and refuses a non-empty database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver
from test_neo4j_load import snapshot

from kg.canonical import Node
from kg.errors import SinkError
from kg.neo4j_server import Neo4jSettings
from kg.sinks.neo4j import clear, load
from kg.sinks.neo4j_bulk import bulk_load, csv_field
from kg.triples import build_triples
from kg.types import PaperRecord

pytestmark = [pytest.mark.neo4j, pytest.mark.usefixtures("neo4j_database_lock")]


@pytest.fixture
def empty(neo4j_driver: Driver) -> Iterator[Driver]:
    clear(neo4j_driver)
    yield neo4j_driver
    clear(neo4j_driver)


def test_bulk_graph_equals_unwind_graph(empty: Driver, neo4j_settings: Neo4jSettings, tmp_path: Path,
                                        sample_corpus: tuple[list[PaperRecord], dict[str, Node]]) -> None:
    triples = build_triples(*sample_corpus)
    load(triples, neo4j_settings)
    expected = snapshot(empty)
    clear(empty)
    report = bulk_load(triples, neo4j_settings, work=tmp_path)
    assert snapshot(empty) == expected
    assert (report.nodes_created, report.relationships_created) == (len(expected[0]), len(expected[1]))
    assert not (tmp_path / ".neo4j-bulk").exists()


def test_bulk_refuses_a_database_that_is_not_empty(empty: Driver, neo4j_settings: Neo4jSettings,
                                                   tmp_path: Path) -> None:
    empty.execute_query("CREATE (:Paper {key: 'paper:x'})")
    with pytest.raises(SinkError, match=r"--bulk loads an empty database only, and the one at .* holds 1 nodes"):
        bulk_load([], neo4j_settings, work=tmp_path)


@pytest.mark.parametrize(("value", "field"), [
    (None, ""), ("", '""'), ('say "x"', '"say ""x"""'), ("88.5\\%", '"88.5\\\\%"'), (1.5, "1.5"), (3, "3"),
])
def test_csv_fields(value: object, field: str) -> None:
    assert csv_field(value) == field
