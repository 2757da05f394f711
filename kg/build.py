"""``kg build``: write every server-less output of an extraction into one directory, and load Neo4j on request.

The outputs are written into a fresh directory beside the output directory (:func:`staged`), which replaces it
only when the whole build succeeded: a failed, interrupted or empty build leaves the previous one as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import InputError, SinkError, UsageError
from kg.extract import Extraction
from kg.ids import DEFAULT_BASE_IRI
from kg.neo4j_server import Neo4jSettings
from kg.sinks import neo4j as neo4j_sink
from kg.sinks.html import write_site
from kg.sinks.jsonl import record_to_json, triple_to_json, write_jsonl
from kg.sinks.rdf import write_rdf
from kg.triples import build_triples

BUILD_FILES = ("records.jsonl", "triples.jsonl")
"""A non-empty directory is replaced by a build only if it holds these (it is an earlier build)."""

_STAGING, _OLD = ".kg-staging-", ".kg-old-"


def check_out_dir(out_dir: Path) -> None:
    """Make sure a build may replace ``out_dir``: a new or empty directory, or an earlier build.

    Raises:
        UsageError: it is a file, the working directory or one of its parents, or a directory of other files.
    """
    resolved = out_dir.resolve()
    if resolved == Path.cwd().resolve() or resolved in Path.cwd().resolve().parents:
        raise UsageError(f"--out {out_dir} is the working directory or one of its parents; name a directory of "
                         "its own (a build replaces it whole)")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir} is a file, not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not all((out_dir / name).is_file() for name in BUILD_FILES):
        raise UsageError(f"--out {out_dir} holds files but no earlier build ({' and '.join(BUILD_FILES)}); a build "
                         "replaces the whole directory, so name a new or empty one")


@contextmanager
def staged(out_dir: Path) -> Iterator[Path]:
    """A fresh directory beside ``out_dir`` to build into; it replaces ``out_dir`` when the block succeeds.

    On any exception, KeyboardInterrupt included, it is removed and ``out_dir`` is left as it was. Leftovers of
    a killed build (``.NAME.kg-staging-PID``) are removed by the next build.

    Raises:
        UsageError: ``out_dir`` may not be replaced (:func:`check_out_dir`).
        SinkError: the directory cannot be created or swapped in.
    """
    check_out_dir(out_dir)
    out_dir = out_dir.resolve()
    _remove_leftovers(out_dir)
    staging = out_dir.with_name(f".{out_dir.name}{_STAGING}{os.getpid()}")
    try:
        staging.mkdir(parents=True)
    except OSError as exc:
        raise SinkError(f"cannot create {staging}: {exc.strerror or exc}") from exc
    try:
        yield staging
        _swap(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_leftovers(out_dir: Path) -> None:
    for marker in (_STAGING, _OLD):
        for path in out_dir.parent.glob(f".{out_dir.name}{marker}*"):
            pid = path.name.rpartition("-")[2]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _swap(staging: Path, out_dir: Path) -> None:
    """Put ``staging`` in the place of ``out_dir``: two renames, the old build removed after the second."""
    old = out_dir.with_name(f".{out_dir.name}{_OLD}{os.getpid()}")
    try:
        if out_dir.exists():
            out_dir.rename(old)
        try:
            staging.rename(out_dir)
        except OSError:
            if old.exists():
                old.rename(out_dir)
            raise
    except OSError as exc:
        raise SinkError(f"cannot put the new build in place of {out_dir}: {exc.strerror or exc}") from exc
    shutil.rmtree(old, ignore_errors=True)


def build(result: Extraction, out_dir: Path, *, log: Callable[[str], None], base_iri: str = DEFAULT_BASE_IRI,
          neo4j: Neo4jSettings | None = None, skipped: Callable[[str], None] = lambda message: None
          ) -> dict[str, Path]:
    """Write records and triples (JSON Lines), the RDF graph and the HTML site into ``out_dir``; with ``neo4j``,
    also load the triples there.

    Args:
        result: the extraction.
        out_dir: the directory to write (the staging directory of :func:`staged`).
        log: receives progress lines.
        base_iri: namespace of the RDF node IRIs.
        neo4j: where to load the graph, or None.
        skipped: receives one ``FILE:LINE: reason`` line per record the database rejected.

    Returns:
        Each output's name and its path relative to ``out_dir``.

    Raises:
        InputError: no paper could be processed (nothing is written).
    """
    if not result.records:
        raise InputError(f"no paper could be processed ({result.summary()}); the output directory is left as it "
                         "was")
    triples = build_triples(result.records, result.nodes)
    outputs = {"records": out_dir / "records.jsonl", "triples": out_dir / "triples.jsonl"}
    write_jsonl(outputs["records"], (record_to_json(r) for r in result.records))
    count = write_jsonl(outputs["triples"], (triple_to_json(t) for t in triples))
    log(f"wrote {len(result.records)} records and {count} triples")
    outputs.update(write_rdf(triples, out_dir, base=base_iri))
    log("wrote the RDF graph (Turtle, N-Triples, JSON-LD) and its SHACL shapes")
    outputs["site"] = write_site(triples, out_dir, log=log)
    if neo4j is not None:
        sources = {record.paper.id: record.paper.source for record in result.records}
        report = neo4j_sink.load(triples, neo4j, log=log, sources=sources, skipped=skipped)
        log(f"neo4j {neo4j.uri}: {report.summary()}")
    return {name: path.relative_to(out_dir) for name, path in outputs.items()}
