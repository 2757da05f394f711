"""Extraction on Dask: batches of papers mapped over a cluster's workers, the pipeline loaded once per worker.

``kg build --engine dask`` starts a local cluster of ``--processes`` single-threaded worker processes, or joins
any running cluster with ``--scheduler ADDRESS`` (every worker needs kg and the spaCy model installed). A worker
plugin builds the pipeline when the worker starts; each task parses one batch and assembles its records there,
so only papers and records cross the network. Results come back in input order, so a build's output is the
same as with the local engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from distributed import Client, LocalCluster, WorkerPlugin, get_worker
from spacy.language import Language

from kg.errors import ConfigError
from kg.extract import assemble_or_problem
from kg.pipeline import build_nlp, parse_batch
from kg.readers import ReadProblem
from kg.settings import Settings
from kg.types import Paper, PaperRecord

PLUGIN = "kg-pipeline"


class PipelinePlugin(WorkerPlugin):
    """Loads kg's pipeline once in each worker, when it starts (or joins)."""

    name = PLUGIN

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.nlp: Language | None = None

    def setup(self, worker: object) -> None:
        """Build the pipeline in the worker process."""
        self.nlp = build_nlp(self.settings)


def extract_batch(papers: list[Paper]) -> list[PaperRecord | ReadProblem]:
    """In a worker: parse a batch with the worker's pipeline and assemble each paper's record."""
    plugin = get_worker().plugins[PLUGIN]
    assert isinstance(plugin, PipelinePlugin) and plugin.nlp is not None
    docs = parse_batch(plugin.nlp, [paper.text for paper in papers])
    return [assemble_or_problem(paper, doc) for paper, doc in zip(papers, docs, strict=True)]


def dask_records(papers: list[Paper], *, settings: Settings, scheduler: str | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 log: Callable[[str], None] = lambda message: None) -> Iterator[PaperRecord | ReadProblem]:
    """Each paper's record (or the problem that keeps it out), in input order, extracted on Dask.

    Args:
        papers: the papers.
        settings: the model, batch size and, for a local cluster, the number of workers (``n_process``).
        scheduler: a running cluster's scheduler address, or None for a local cluster.
        progress: called after each batch with the number of papers done and the total.
        log: receives a line naming the cluster.

    Raises:
        ConfigError: the scheduler cannot be reached.
    """
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="30s")
        else:
            cluster = LocalCluster(n_workers=settings.n_process, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    try:
        client.register_plugin(PipelinePlugin(settings))
        log(f"dask: {len(client.scheduler_info()['workers'])} workers at {client.scheduler.address}")
        batches = [papers[i:i + settings.batch_size] for i in range(0, len(papers), settings.batch_size)]
        futures = client.map(extract_batch, batches, pure=False)
        done = 0
        for future in futures:
            outcomes = future.result()
            yield from outcomes
            done += len(outcomes)
            if progress is not None:
                progress(done, len(papers))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
