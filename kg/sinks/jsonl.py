"""Records (the evaluation interchange format of SCHEMA.md) and triples as JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kg.errors import SinkError
from kg.types import Literal, NodeRef, PaperRecord, Triple


def record_to_json(record: PaperRecord) -> dict[str, Any]:
    """One paper's record in the schema of ``SCHEMA.md`` (plus provenance of each claim)."""
    return {
        "id": record.paper.id,
        "title": record.paper.title,
        "entities": [{"type": e.type.value, "name": e.name, "aliases": list(e.aliases), "proposed": e.proposed,
                      "key": e.key} for e in record.entities],
        "relations": [{"type": r.type.value, "head": r.head, "tail": r.tail} for r in record.relations],
        "claims": [{"value": c.value, "unit": c.unit, "metric": c.metric, "subject": c.subject,
                    "dataset": c.dataset, "baseline": c.baseline, "direction": c.direction,
                    "evidence": c.provenance.evidence, "number": c.number, "span": [c.start, c.end],
                    "evidence_span": [c.provenance.start, c.provenance.end], "sentence": c.provenance.sentence}
                   for c in record.claims],
    }


def triple_to_json(triple: Triple) -> dict[str, Any]:
    """A triple as ``{"s": {kind, key}, "p", "o": {kind, key} | {value}, "provenance": {...}}``."""
    obj: dict[str, Any]
    if isinstance(triple.object, NodeRef):
        obj = {"kind": triple.object.kind.value, "key": triple.object.key}
    else:
        assert isinstance(triple.object, Literal)
        obj = {"value": triple.object.value}
    return {"s": {"kind": triple.subject.kind.value, "key": triple.subject.key}, "p": triple.predicate.value,
            "o": obj, "provenance": asdict(triple.provenance)}


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write one JSON object per line (atomically: a temporary file renamed into place); returns the count.

    Raises:
        SinkError: the file cannot be written.
    """
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        tmp.replace(path)
    except OSError as exc:
        raise SinkError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return count
