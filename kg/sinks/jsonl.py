"""Records (the evaluation interchange format of SCHEMA.md) and triples as JSON Lines."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kg.compressed import DECOMPRESSION_ERRORS, open_binary
from kg.errors import InputError, SchemaError, SinkError
from kg.schema import LITERAL, NodeKind, Predicate, allows
from kg.types import Literal, NodeRef, PaperRecord, Provenance, Triple


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
                    "evidence_span": [c.provenance.start, c.provenance.end], "sentence": c.provenance.sentence,
                    "metric_key": c.metric_key, "higher_is_better": c.higher_is_better, "is_result": c.is_result,
                    "setting": c.setting.label}
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


def triple_from_json(row: dict[str, Any]) -> Triple:
    """The inverse of :func:`triple_to_json`.

    Raises:
        SchemaError: the triple's pattern is not in the schema.
        KeyError, TypeError, ValueError: the row is not a triple.
    """
    subject = NodeRef(NodeKind(row["s"]["kind"]), str(row["s"]["key"]))
    predicate = Predicate(row["p"])
    obj: NodeRef | Literal
    if "key" in row["o"]:
        obj = NodeRef(NodeKind(row["o"]["kind"]), str(row["o"]["key"]))
    elif isinstance(row["o"]["value"], str | int | float | bool):
        obj = Literal(row["o"]["value"])
    else:
        raise TypeError(f"literal value {row['o']['value']!r} is not a string, number or boolean")
    object_kind = obj.kind if isinstance(obj, NodeRef) else LITERAL
    if not allows(subject.kind, predicate, object_kind):
        raise SchemaError(f"{subject.kind} -{predicate}-> {object_kind} is not in the schema")
    p = row["provenance"]
    provenance = Provenance(str(p["paper_id"]), int(p["sentence"]), int(p["start"]), int(p["end"]),
                            str(p["extractor"]), float(p["confidence"]), str(p["evidence"]))
    return Triple(subject, predicate, obj, provenance)


def read_triples(path: Path) -> list[Triple]:
    """The triples of a ``triples.jsonl`` (or ``triples.jsonl.gz``) file written by ``kg build``.

    Unlike paper inputs, a broken line is not skipped: a graph re-exported without some of its triples would
    look complete and be wrong.

    Raises:
        InputError: the file cannot be read or a line is not a triple (``FILE:LINE: reason``).
    """
    return list(iter_triples(path))


def iter_triples(path: Path) -> Iterator[Triple]:
    """The triples of a build's triples file, one at a time (see :func:`read_triples`).

    Raises:
        InputError: the file cannot be read or a line is not a triple (``FILE:LINE: reason``).
    """
    try:
        with io.TextIOWrapper(open_binary(path), encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                try:
                    triple = triple_from_json(json.loads(line))
                except (KeyError, TypeError, ValueError, SchemaError) as exc:
                    reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
                    raise InputError(f"{path}:{number}: not a triple: {reason}") from exc
                yield triple
    except (UnicodeDecodeError, *DECOMPRESSION_ERRORS) as exc:  # BadGzipFile is an OSError: caught first
        raise InputError(f"{path}: invalid UTF-8 or a broken gzip stream") from exc
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write one JSON object per line (atomically: a temporary file renamed into place, removed if the writing
    fails or is interrupted); returns the count.

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
    finally:
        tmp.unlink(missing_ok=True)  # after a failure or an interrupt; gone already after the rename
    return count
