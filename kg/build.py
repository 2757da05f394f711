"""``kg build``: write every server-less output of an extraction into one directory, and load Neo4j on request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kg.extract import Extraction
from kg.ids import DEFAULT_BASE_IRI
from kg.neo4j_server import Neo4jSettings
from kg.sinks import neo4j as neo4j_sink
from kg.sinks.html import write_site
from kg.sinks.jsonl import record_to_json, triple_to_json, write_jsonl
from kg.sinks.rdf import write_rdf
from kg.triples import build_triples


def build(result: Extraction, out_dir: Path, *, log: Callable[[str], None], base_iri: str = DEFAULT_BASE_IRI,
          neo4j: Neo4jSettings | None = None) -> dict[str, Path]:
    """Write records and triples (JSON Lines), the RDF graph and the HTML site into ``out_dir``; with ``neo4j``,
    also load the triples there.

    Returns:
        Each output's name and path.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    triples = build_triples(result.records, result.nodes)
    outputs = {"records": out_dir / "records.jsonl", "triples": out_dir / "triples.jsonl"}
    write_jsonl(outputs["records"], (record_to_json(r) for r in result.records))
    count = write_jsonl(outputs["triples"], (triple_to_json(t) for t in triples))
    log(f"wrote {len(result.records)} records and {count} triples")
    outputs.update(write_rdf(triples, out_dir, base=base_iri))
    log("wrote the RDF graph (Turtle, N-Triples, JSON-LD) and its SHACL shapes")
    outputs["site"] = write_site(triples, out_dir, log=log)
    if neo4j is not None:
        log(f"neo4j {neo4j.uri}: {neo4j_sink.load(triples, neo4j, log=log).summary()}")
    return outputs
