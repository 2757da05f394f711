"""``kg build``: write every server-less output of an extraction into one directory, and load Neo4j on request.

The outputs are written into a fresh directory beside the output directory (:func:`staged`), which replaces it
only when the whole build succeeded: a failed, interrupted or empty build leaves the previous one as it was.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg.cache import CACHE_FILE, ExtractionCache, extractor_version
from kg.canonical import Canonicalizer, Node, canonical_records
from kg.errors import InputError, SinkError, UsageError
from kg.ids import DEFAULT_BASE_IRI
from kg.neo4j_server import Neo4jSettings
from kg.readers import ReadProblem, ReadResult
from kg.settings import Settings
from kg.sinks import neo4j as neo4j_sink
from kg.sinks.html import write_site
from kg.sinks.jsonl import iter_triples, read_triples, record_to_json, triple_to_json
from kg.sinks.ntriples import NTriplesWriter, open_text
from kg.sinks.rdf import serialize, to_graph, write_rdf_companions
from kg.triples import paper_triples
from kg.types import Paper, PaperRecord

BUILD_FILES = ("records.jsonl", "triples.jsonl")
"""A non-empty directory is replaced by a build only if it holds these, or their ``.gz`` (an earlier build)."""

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
    if out_dir.is_dir() and any(out_dir.iterdir()) and not all(earlier_file(out_dir, name) for name in BUILD_FILES):
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


LARGE_BUILD = 2_000
"""Above this many papers, records, triples and the N-Triples graph are gzip-compressed and the site is not
written unless asked for (its pages are about 80 KB per paper)."""

RDF_FORMATS = ("nt", "ttl", "jsonld")

Engine = Callable[[list[Paper]], Iterator[PaperRecord | ReadProblem]]
"""Extraction of papers not in the cache: a record or a problem per paper, in input order."""


@dataclass(slots=True)
class BuildReport:
    """What a build read, extracted, reused and wrote."""

    read: ReadResult
    problems: list[ReadProblem] = field(default_factory=list)
    papers: int = 0
    entities: int = 0
    relations: int = 0
    claims: int = 0
    triples: int = 0
    reused: int = 0
    extracted: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the end of a run."""
        skipped = len(self.read.problems) + len(self.problems)
        return (f"{self.papers} papers ({self.extracted} extracted, {self.reused} from the cache), {self.entities} "
                f"entities, {self.relations} relations, {self.claims} claims; {self.read.merged} duplicates "
                f"merged, {skipped} records or files skipped")


def earlier_file(out_dir: Path, name: str) -> Path | None:
    """``DIR/NAME`` or ``DIR/NAME.gz``, whichever an earlier build wrote, or None."""
    for path in (out_dir / name, out_dir / f"{name}.gz"):
        if path.is_file():
            return path
    return None


def build(read: ReadResult, out_dir: Path, *, engine: Engine, settings: Settings, log: Callable[[str], None],
          previous: Path | None = None, base_iri: str = DEFAULT_BASE_IRI, rdf: tuple[str, ...] = ("nt",),
          site: bool | None = None, compress: bool | None = None) -> BuildReport:
    """Extract what the cache lacks, then stream records and triples through canonicalization into the outputs.

    Peak memory does not grow with the corpus beyond a few small values per entity: records live in the cache
    (:mod:`kg.cache`), are read once to canonicalize (:class:`~kg.canonical.Canonicalizer`) and once more to
    write records, triples and N-Triples paper by paper.

    Args:
        read: the papers and the problems met reading them.
        out_dir: the directory to write (the staging directory of :func:`staged`).
        engine: extracts the papers the cache lacks (this machine's processes, or Dask).
        settings: the extraction settings (part of the cache key).
        log: receives progress lines.
        previous: the earlier build whose cache may be reused, or None.
        base_iri: namespace of the RDF node IRIs.
        rdf: RDF serializations to write; ``nt`` is streamed, ``ttl`` and ``jsonld`` go through rdflib (in memory).
        site: write the HTML site (default: for builds of at most :data:`LARGE_BUILD` papers).
        compress: gzip records, triples and N-Triples (default: above :data:`LARGE_BUILD` papers).

    Raises:
        InputError: no paper could be processed (nothing is written).
    """
    report = BuildReport(read=read)
    large = len(read.papers) > LARGE_BUILD
    suffix = ".gz" if (large if compress is None else compress) else ""
    cache = ExtractionCache(out_dir / CACHE_FILE, extractor_version(settings),
                            previous / CACHE_FILE if previous is not None else None)
    try:
        found = cache.reuse(read.papers)
        todo = [paper for paper in read.papers if cache.key(paper) not in found]
        report.reused, report.extracted = len(read.papers) - len(todo), 0
        log(f"{report.reused} papers from the cache, {len(todo)} to extract")
        fresh: list[PaperRecord] = []
        for outcome in engine(todo) if todo else iter(()):
            if isinstance(outcome, ReadProblem):
                report.problems.append(outcome)
                continue
            fresh.append(outcome)
            if len(fresh) >= 256:
                cache.put(fresh)
                report.extracted += len(fresh)
                fresh.clear()
        cache.put(fresh)
        report.extracted += len(fresh)
        canonicalizer = Canonicalizer()
        for record in cache.records(read.papers):
            canonicalizer.add(record)
            report.papers += 1
        if not report.papers:
            raise InputError(f"no paper could be processed ({report.summary()}); the output directory is left as "
                             "it was")
        keys, nodes = canonicalizer.finish()
        del canonicalizer
        report.entities = len(nodes)
        report.outputs = _write_streamed(cache.records(read.papers), keys, nodes, out_dir, suffix, base_iri, report)
    finally:
        cache.close()
    log(f"wrote {report.papers} records and {report.triples} triples")
    extra = [fmt for fmt in rdf if fmt != "nt"]
    want_site = not large if site is None else site
    if extra or want_site:
        triples = read_triples(report.outputs["triples"])
        if extra:
            graph = to_graph(triples, base=base_iri)
            for fmt in extra:
                report.outputs[f"rdf {fmt}"] = out_dir / f"graph.{fmt}"
                serialize(graph, report.outputs[f"rdf {fmt}"], fmt)
        if want_site:
            report.outputs["site"] = write_site(triples, out_dir, log=log)
    report.outputs.update(write_rdf_companions(out_dir))
    log(f"wrote the RDF graph ({', '.join(rdf)}) and its SHACL shapes")
    report.outputs = {name: path.relative_to(out_dir) for name, path in report.outputs.items()}
    return report


def _write_streamed(records: Iterator[PaperRecord], keys: list[str], nodes: dict[str, Node], out_dir: Path,
                    suffix: str, base_iri: str, report: BuildReport) -> dict[str, Path]:
    outputs = {"records": out_dir / f"records.jsonl{suffix}", "triples": out_dir / f"triples.jsonl{suffix}",
               "rdf nt": out_dir / f"graph.nt{suffix}"}
    named: set[str] = set()
    with (open_text(outputs["records"]) as records_fh, open_text(outputs["triples"]) as triples_fh,
          open_text(outputs["rdf nt"]) as nt_fh):
        writer = NTriplesWriter(nt_fh, base_iri)
        for record in canonical_records(records, iter(keys), nodes):
            records_fh.write(json.dumps(record_to_json(record), ensure_ascii=False) + "\n")
            triples = list(paper_triples(record, nodes, named))
            triples_fh.writelines(json.dumps(triple_to_json(t), ensure_ascii=False) + "\n" for t in triples)
            writer.write(triples)
            report.triples += len(triples)
            report.relations += len(record.relations)
            report.claims += len(record.claims)
    return outputs


def load_neo4j(report: BuildReport, out_dir: Path, neo4j: Neo4jSettings, *, log: Callable[[str], None],
               skipped: Callable[[str], None], prune: bool = False, bulk: bool = False) -> None:
    """Load a written build's triples into Neo4j, streamed from its triples file.

    Args:
        report: the build.
        out_dir: where it was written.
        neo4j: the server.
        log: receives progress lines.
        skipped: receives one ``FILE:LINE: reason`` line per row the database rejected.
        prune: also remove the papers the database holds that this build does not.
        bulk: load an empty database through the bulk path (:mod:`kg.sinks.neo4j_bulk`).
    """
    triples = iter_triples(out_dir / report.outputs["triples"])
    sources = {paper.id: paper.source for paper in report.read.papers}
    if bulk:
        from kg.sinks.neo4j_bulk import bulk_load  # noqa: PLC0415

        result = bulk_load(triples, neo4j, work=out_dir, log=log)
    else:
        result = neo4j_sink.load(triples, neo4j, log=log, sources=sources, skipped=skipped, prune=prune)
    log(f"neo4j {neo4j.uri}: {result.summary()}")
