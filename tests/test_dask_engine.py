"""The Dask engine: a real local cluster gives the build the default engine gives."""

from __future__ import annotations

from pathlib import Path

from kg.build import build
from kg.dask_engine import dask_records
from kg.extract import extract_records
from kg.readers import read_papers
from kg.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"


def test_dask_output_equals_local_output(tmp_path: Path) -> None:
    read = read_papers([FIXTURES / "papers.jsonl", FIXTURES / "formats" / "arxiv_api.xml"])
    settings = Settings(n_process=2, batch_size=2)
    outputs = {}
    engines = {"local": lambda papers: extract_records(papers, settings=settings),
               "dask": lambda papers: dask_records(papers, settings=settings)}
    for name, engine in engines.items():
        out = tmp_path / name
        out.mkdir()
        report = build(read, out, engine=engine, settings=settings, log=lambda message: None, site=False)
        assert report.extracted == len(read.papers) == 5
        outputs[name] = [(out / f).read_bytes() for f in ("records.jsonl", "triples.jsonl", "graph.nt")]
    assert outputs["dask"] == outputs["local"]
