"""Bulk path against the UNWIND path: load the first N papers of a build's triples into an empty Neo4j both ways.

Run by hand after a large build (e.g. ``python bench/scale.py``):
``python bench/neo4j_bulk.py /tmp/kg-scale/out/triples.jsonl.gz --papers 10000``. It empties the database of
NEO4J_URI first (use a server of your own). Prints seconds, triples/s, the graph's size each way and the ratio.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

from neo4j import GraphDatabase

from kg.neo4j_server import Neo4jSettings
from kg.sinks.jsonl import iter_triples
from kg.sinks.neo4j import COUNTS, clear, load, paper_chunks
from kg.sinks.neo4j_bulk import bulk_load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("triples", type=Path)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-bulk-bench"))
    args = parser.parse_args()
    triples = [t for chunk in itertools.islice(paper_chunks(iter_triples(args.triples), 1000), args.papers // 1000)
               for t in chunk]
    settings = Neo4jSettings.from_env()
    results = {}
    with GraphDatabase.driver(settings.uri, auth=settings.auth) as driver:
        for name in ("unwind", "bulk"):
            clear(driver)
            started = time.perf_counter()
            if name == "bulk":
                bulk_load(triples, settings, work=args.work)
            else:
                load(triples, settings)
            seconds = time.perf_counter() - started
            totals = driver.execute_query(COUNTS).records[0]
            results[name] = {"seconds": round(seconds, 1), "triples_per_s": round(len(triples) / seconds),
                             "nodes": totals["nodes"], "relationships": totals["rels"]}
            print(name, json.dumps(results[name]), flush=True)
        clear(driver)
    print(json.dumps({"papers": args.papers, "triples": len(triples),
                      "speedup": round(results["unwind"]["seconds"] / results["bulk"]["seconds"], 1)}))


if __name__ == "__main__":
    main()
