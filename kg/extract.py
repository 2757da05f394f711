"""The extraction job: read papers, run the pipeline, assemble records, canonicalize across papers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.assemble import assemble
from kg.canonical import Node, canonicalize
from kg.pipeline import build_nlp, parse
from kg.readers import ReadProblem, ReadResult, read_papers
from kg.settings import Settings
from kg.types import PaperRecord

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
    settings = settings or Settings()
    read = read_papers(paths)
    nlp = build_nlp(settings)
    records: list[PaperRecord] = []
    problems: list[ReadProblem] = []
    for paper, doc in parse(nlp, read.papers, settings, total=len(read.papers)):
        records.append(assemble(paper, doc))
        if progress is not None:
            progress(len(records), len(read.papers))
    canonical, nodes = canonicalize(records)
    return Extraction(records=canonical, nodes=nodes, read=read, problems=problems)
