"""``kg build``: write every server-less output of an extraction into one directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kg.extract import Extraction
from kg.sinks.jsonl import record_to_json, triple_to_json, write_jsonl
from kg.triples import build_triples


def build(result: Extraction, out_dir: Path, *, log: Callable[[str], None]) -> dict[str, Path]:
    """Write records and triples (JSON Lines) into ``out_dir``.

    Returns:
        Each output's name and path.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    triples = build_triples(result.records, result.nodes)
    outputs = {"records": out_dir / "records.jsonl", "triples": out_dir / "triples.jsonl"}
    write_jsonl(outputs["records"], (record_to_json(r) for r in result.records))
    count = write_jsonl(outputs["triples"], (triple_to_json(t) for t in triples))
    log(f"wrote {len(result.records)} records and {count} triples")
    return outputs
