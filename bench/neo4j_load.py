"""Loading the sample corpus triples into Neo4j: batched ``UNWIND`` MERGEs against one MERGE per triple (run by hand).

    kg neo4j start && python bench/neo4j_load.py [--runs 5] [--batch-size 2000]

Both load the same triples into the same server, each from a fresh database (every node, constraint and index
dropped, then kg's constraints created again, so both MERGE through the same unique-key indexes). The batched
load is :func:`kg.sinks.neo4j.load` as ``kg build --neo4j`` runs it; the baseline sends one MERGE statement per
triple in its own auto-commit transaction, the way a naive loader writes. Prints triples/s of each, the ratio
and the node and relationship counts each produced. THE DATABASE IS WIPED.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from neo4j import Driver

from kg.extract import SAMPLE_DIR, extract
from kg.neo4j_server import Neo4jSettings
from kg.schema import ENTITY_KINDS
from kg.sinks.neo4j import (
    ENTITY_LABEL,
    RELATIONSHIP_TYPES,
    clear,
    connect,
    ensure_schema,
    load,
)
from kg.triples import build_triples
from kg.types import NodeRef, Triple


def fresh(driver: Driver) -> None:
    """An empty database with kg's constraints and index only."""
    clear(driver)
    for record in driver.execute_query("SHOW CONSTRAINTS YIELD name").records:
        driver.execute_query(f"DROP CONSTRAINT {record['name']}")
    for record in driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'").records:
        driver.execute_query(f"DROP INDEX {record['name']}")
    ensure_schema(driver)


def per_triple_statement(triple: Triple) -> str:
    """The one MERGE a naive loader sends for a triple (labels, types and property names from the schema)."""
    s = triple.subject.kind.value
    if isinstance(triple.object, NodeRef):
        return (f"MERGE (a:{s} {{key: $s}}) MERGE (b:{triple.object.kind.value} {{key: $o}}) "
                f"MERGE (a)-[r:{RELATIONSHIP_TYPES[triple.predicate]} {{paper: $paper}}]->(b) SET r += $props")
    label = f", n:{ENTITY_LABEL}" if triple.subject.kind in ENTITY_KINDS else ""
    if triple.predicate.value == "alias":
        return f"MERGE (n:{s} {{key: $s}}) SET n.aliases = coalesce(n.aliases, []) + $value{label}"
    return f"MERGE (n:{s} {{key: $s}}) SET n.{triple.predicate.value} = $value{label}"


def load_per_triple(driver: Driver, triples: list[Triple]) -> None:
    """One auto-commit MERGE per triple."""
    with driver.session() as session:
        for t in triples:
            p = t.provenance
            params: dict[str, object] = {"s": t.subject.key}
            if isinstance(t.object, NodeRef):
                params |= {"o": t.object.key, "paper": p.paper_id,
                           "props": {"sentence": p.sentence, "start": p.start, "end": p.end,
                                     "extractor": p.extractor, "confidence": p.confidence, "evidence": p.evidence}}
            else:
                params["value"] = t.object.value
            session.run(per_triple_statement(t), params).consume()


def counts(driver: Driver) -> tuple[int, int]:
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS r").records[0]["r"]
    return nodes, rels


def main() -> int:
    """Time both loads and print rows/s and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="batched loads (the median is reported)")
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()
    settings = Neo4jSettings.from_env()
    result = extract([SAMPLE_DIR])
    triples = build_triples(result.records, result.nodes)
    print(f"{len(triples)} triples of {len(result.records)} papers; server {settings.uri}", flush=True)
    with connect(settings) as driver:
        batched = []
        for run in range(args.runs):
            fresh(driver)
            started = time.perf_counter()
            load(triples, settings, batch_size=args.batch_size)
            batched.append(time.perf_counter() - started)
            print(f"batched run {run + 1}: {batched[-1]:.2f}s", flush=True)
        batched_counts = counts(driver)
        fresh(driver)
        started = time.perf_counter()
        load_per_triple(driver, triples)
        single = time.perf_counter() - started
        single_counts = counts(driver)
        clear(driver)
    b = statistics.median(batched)
    print(f"batched   (UNWIND, {args.batch_size} rows/batch): {b:6.2f}s  {len(triples) / b:8,.0f} triples/s  "
          f"nodes, relationships {batched_counts}")
    print(f"per triple (one MERGE each, auto-commit):   {single:6.2f}s  {len(triples) / single:8,.0f} triples/s  "
          f"nodes, relationships {single_counts}")
    print(f"ratio {single / b:.1f}x; whole sample corpus loaded in {b:.2f}s (bound 5s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
