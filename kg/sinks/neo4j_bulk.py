"""Triples -> an empty Neo4j through its bulk path: CSV files read by ``LOAD CSV ... CALL { } IN TRANSACTIONS``.

The first load of a large build does not need MERGE: every node and relationship is new. The triples are
streamed into one CSV file per node label and per relationship pattern, which the server reads itself in
transactions of :data:`ROWS_PER_TRANSACTION` rows with plain CREATE (nodes found by their unique key). The
graph is the one the UNWIND path (:mod:`kg.sinks.neo4j`) makes from the same triples: same labels, keys,
properties and relationships. A database holding any node is refused.

The server must read the files kg writes: the local launcher does (same machine, file URLs allowed); a server
elsewhere needs the build directory mounted at the same path, or the UNWIND path (``kg build --neo4j``).

CSV text fields are quoted, with ``"`` doubled and ``\\`` doubled (Neo4j's CSV reader reads ``\\"`` as a
quote by default); an empty unquoted field is a missing property. Alias and form lists are joined with the unit
separator U+001F, which the readers remove from every text.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from neo4j import Driver
from neo4j.exceptions import DriverError, Neo4jError

from kg.errors import SinkError
from kg.neo4j_server import Neo4jSettings
from kg.schema import ENTITY_KINDS, NodeKind
from kg.sinks.neo4j import (COUNTS, ENTITY_LABEL, PROVENANCE, RELATIONSHIP_TYPES, LoadReport, _nodes,
                            _relationship_rows, connect, ensure_schema, forms_of, paper_chunks)
from kg.types import Triple

ROWS_PER_TRANSACTION = 10_000
SEPARATOR = "\x1f"
PAPER_COLUMNS = ("id", "title", "abstract", "date")
CLAIM_COLUMNS = ("value", "value_text", "unit", "metric", "direction", "baseline", "evidence", "higher_is_better",
                 "is_result", "setting", "subset", "resolution", "split", "shots", "paper_id", "sentence", "start",
                 "end", "extractor", "confidence")
_CASTS = {"value": "toFloat", "confidence": "toFloat", "sentence": "toInteger", "start": "toInteger",
          "end": "toInteger", "higher_is_better": "toBoolean", "is_result": "toBoolean"}
COUNT_NODES = "MATCH (n) RETURN count(n) AS n"


def csv_field(value: Any) -> str:
    """One CSV field as Neo4j's reader reads it back: None empty (a missing property), text quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '""') + '"'


def _value(column: str) -> str:
    cast = _CASTS.get(column)
    return f"{cast}(row.{column})" if cast else f"row.{column}"


def node_statement(kind: NodeKind, url: str) -> str:
    """CREATE the nodes of one label from a CSV file, in transactions."""
    label = kind.value
    if kind in ENTITY_KINDS:
        lists = ", ".join(f"{name}: CASE row.{name} WHEN '' THEN [] ELSE split(row.{name}, '{SEPARATOR}') END"
                          for name in ("aliases", "forms"))
        props = f"key: row.key, name: row.name, {lists}"
        labels = f"{label}:{ENTITY_LABEL}"
    else:
        columns = PAPER_COLUMNS if kind is NodeKind.PAPER else CLAIM_COLUMNS
        props = ", ".join(["key: row.key", *(f"{c}: {_value(c)}" for c in columns)])
        labels = label
    return (f"LOAD CSV WITH HEADERS FROM '{url}' AS row CALL (row) {{ CREATE (n:{labels} {{{props}}}) }} "
            f"IN TRANSACTIONS OF {ROWS_PER_TRANSACTION} ROWS")


def relationship_statement(rel: str, subject: str, obj: str, url: str) -> str:
    """CREATE the relationships of one pattern from a CSV file, in transactions."""
    props = ", ".join(["paper: row.paper", *(f"{p}: {_value(p)}" for p in PROVENANCE)])
    return (f"LOAD CSV WITH HEADERS FROM '{url}' AS row CALL (row) {{ MATCH (a:{subject} {{key: row.s}}) "
            f"MATCH (b:{obj} {{key: row.o}}) CREATE (a)-[:{rel} {{{props}}}]->(b) }} "
            f"IN TRANSACTIONS OF {ROWS_PER_TRANSACTION} ROWS")


class _Files:
    """The CSV files of a load, opened on first row."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.handles: dict[str, IO[str]] = {}
        self.rows: dict[str, int] = {}

    def write(self, name: str, header: tuple[str, ...], row: list[Any]) -> None:
        fh = self.handles.get(name)
        if fh is None:
            fh = self.handles[name] = (self.directory / f"{name}.csv").open("w", encoding="utf-8", newline="")
            fh.write(",".join(header) + "\n")
            self.rows[name] = 0
        fh.write(",".join(csv_field(v) for v in row) + "\n")
        self.rows[name] += 1

    def close(self) -> None:
        for fh in self.handles.values():
            fh.close()


def write_csv(triples: Iterable[Triple], directory: Path) -> tuple[dict[str, str], dict[str, int], int]:
    """Stream triples into CSV files; returns each file's statement, its rows, and the triples read."""
    files = _Files(directory)
    statements: dict[str, str] = {}
    count = 0
    try:
        for chunk in paper_chunks(triples, 1000):
            count += len(chunk)
            for key, node in _nodes(chunk, {}).items():
                name = node.kind.value
                if node.kind in ENTITY_KINDS:
                    if not node.names:
                        continue  # named in the paper that first mentions it, an earlier chunk
                    aliases = [n for n in dict.fromkeys(node.names) if n != node.names[0]]
                    files.write(name, ("key", "name", "aliases", "forms"),
                                [key, node.names[0], SEPARATOR.join(aliases), SEPARATOR.join(forms_of(node.names))])
                else:
                    columns = PAPER_COLUMNS if node.kind is NodeKind.PAPER else CLAIM_COLUMNS
                    files.write(name, ("key", *columns), [key, *(node.props.get(c) for c in columns)])
                statements.setdefault(name, node_statement(node.kind, (directory / f"{name}.csv").as_uri()))
            for (predicate, subject, obj), (_, rows) in _relationship_rows(chunk, {}).items():
                rel = RELATIONSHIP_TYPES[predicate]
                name = f"{subject}-{rel}-{obj}"
                for row in rows:
                    files.write(name, ("s", "o", "paper", *PROVENANCE), row)
                statements.setdefault(name, relationship_statement(rel, subject, obj,
                                                                   (directory / f"{name}.csv").as_uri()))
    finally:
        files.close()
    return statements, files.rows, count


def _require_empty(driver: Driver, settings: Neo4jSettings) -> None:
    nodes = driver.execute_query(COUNT_NODES).records[0]["n"]
    if nodes:
        raise SinkError(f"--bulk loads an empty database only, and the one at {settings.uri} holds {nodes} nodes: "
                        "load without --bulk (each paper's facts are replaced) or empty it first")


def bulk_load(triples: Iterable[Triple], settings: Neo4jSettings, *, work: Path,
              log: Callable[[str], None] = lambda message: None) -> LoadReport:
    """Load triples into an empty database through CSV files and ``LOAD CSV`` (see the module doc).

    Args:
        triples: the triples of a build, a paper's triples together.
        settings: how to connect.
        work: a directory the server can read, for the CSV files (removed afterwards).
        log: receives progress lines.

    Raises:
        SinkError: the database is not empty, the server cannot be reached, or it cannot read the files.
    """
    started = time.perf_counter()
    directory = work / ".neo4j-bulk"
    with connect(settings) as driver:
        _require_empty(driver, settings)
        ensure_schema(driver)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            statements, rows, count = write_csv(triples, directory)
            log(f"neo4j bulk: wrote {len(statements)} CSV files in {time.perf_counter() - started:.1f}s")
            created = [0, 0]
            with driver.session() as session:
                for name, statement in statements.items():  # nodes first: a label's file appears with its node
                    if "-" in name:
                        continue
                    created[0] += session.run(statement).consume().counters.nodes_created
                for name, statement in statements.items():
                    if "-" in name:
                        created[1] += session.run(statement).consume().counters.relationships_created
            totals = driver.execute_query(COUNTS).records[0]
        except (Neo4jError, DriverError) as exc:
            raise SinkError(f"bulk load into {settings.uri} failed: {' '.join(str(exc).split())[:400]} (the server "
                            "must read kg's CSV files; otherwise load without --bulk)") from exc
        except OSError as exc:
            raise SinkError(f"cannot write the bulk files in {directory}: {exc.strerror or exc}") from exc
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    node_rows = sum(n for name, n in rows.items() if "-" not in name)
    return LoadReport(triples=count, nodes=node_rows, relationships=sum(rows.values()) - node_rows,
                      batches=len(statements), retried=0, rejected=0, reused=0, papers=rows.get("Paper", 0),
                      pruned=0, orphans=0, nodes_created=created[0], relationships_created=created[1],
                      total_nodes=totals["nodes"], total_relationships=totals["rels"],
                      seconds=time.perf_counter() - started)
