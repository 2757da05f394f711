"""The extraction job: read papers, run the pipeline, assemble records, canonicalize across papers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc

from kg.assemble import assemble
from kg.canonical import Node, canonicalize
from kg.errors import one_line
from kg.pipeline import ParseFailure, build_nlp, parse
from kg.readers import ReadProblem, ReadResult, problem_at, read_papers
from kg.settings import Settings
from kg.types import Paper, PaperRecord

SAMPLE_DIR = Path(__file__).parent / "data" / "sample"
"""The bundled sample corpus: four captures of daily paper listing pages."""


@dataclass(slots=True)
class Extraction:
    """Canonical records of all papers, the nodes they map to, and what could not be read or processed."""

    records: list[PaperRecord]
    nodes: dict[str, Node]
    read: ReadResult
    problems: list[ReadProblem] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the end of a run."""
        skipped = len(self.read.problems) + len(self.problems)
        return (f"{len(self.records)} papers, {len(self.nodes)} entities, "
                f"{sum(len(r.relations) for r in self.records)} relations, "
                f"{sum(len(r.claims) for r in self.records)} claims; "
                f"{self.read.merged} duplicates merged, {skipped} records or files skipped")


def extract(paths: Iterable[Path], *, settings: Settings | None = None,
            progress: Callable[[int, int], None] | None = None) -> Extraction:
    """Run the whole extraction over files and directories.

    Args:
        paths: inputs (captures, JSON Lines or directories of them).
        settings: model and parallelism.
        progress: called after each paper with the number done and the total.
    """
    return extract_papers(read_papers(paths), settings=settings, progress=progress)


def extract_records(papers: list[Paper], *, settings: Settings | None = None,
                    progress: Callable[[int, int], None] | None = None) -> Iterator[PaperRecord | ReadProblem]:
    """Run the pipeline over papers in this machine's worker processes: each paper's record, in input order.

    A paper the pipeline or the assembly raises on gives a :class:`ReadProblem` at its file and line instead.

    Args:
        papers: the papers.
        settings: model and parallelism.
        progress: called after each paper with the number done and the total.
    """
    settings = settings or Settings()
    nlp = build_nlp(settings)
    for done, outcome in enumerate(parse(nlp, papers, assemble_or_problem, settings, total=len(papers)), 1):
        yield outcome
        if progress is not None:
            progress(done, len(papers))


def assemble_or_problem(paper: Paper, doc: Doc | ParseFailure) -> PaperRecord | ReadProblem:
    """The record of a parsed paper, or the problem that keeps it out (the per-record policy)."""
    if isinstance(doc, ParseFailure):
        return problem_at(paper, f"the pipeline failed on this paper ({doc.reason}); skipped")
    try:
        return assemble(paper, doc)
    except Exception as exc:  # noqa: BLE001 - the per-record policy: report the paper, go on
        reason = one_line(f"{type(exc).__name__}: {exc}")[:300]
        return problem_at(paper, f"assembling its record failed ({reason}); skipped")


def extract_papers(read: ReadResult, *, settings: Settings | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Extraction:
    """Run the pipeline over papers already read, assemble their records and canonicalize them (in memory).

    A paper the pipeline or the assembly raises on is reported in :attr:`Extraction.problems` and left out.

    Args:
        read: the papers and the problems met reading them.
        settings: model and parallelism.
        progress: called after each paper with the number done and the total.
    """
    records: list[PaperRecord] = []
    problems: list[ReadProblem] = []
    for outcome in extract_records(read.papers, settings=settings, progress=progress):
        (problems if isinstance(outcome, ReadProblem) else records).append(outcome)  # type: ignore[arg-type]
    canonical, nodes = canonicalize(records)
    return Extraction(records=canonical, nodes=nodes, read=read, problems=problems)
