"""Streaming, incremental builds: the cache, a build equal to one from scratch, the default output's size."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.build import build
from kg.canonical import Node
from kg.cli import main
from kg.extract import SAMPLE_DIR, extract_records
from kg.readers import ReadProblem, read_papers
from kg.settings import Settings
from kg.types import Paper, PaperRecord

FIXTURES = Path(__file__).parent / "fixtures"
ONE_PROCESS = Settings(n_process=1)


class CountingEngine:
    """The real local engine (one process), counting the papers it is asked to extract."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, papers: list[Paper]) -> Iterator[PaperRecord | ReadProblem]:
        self.asked += [p.id for p in papers]
        return extract_records(papers, settings=ONE_PROCESS)


def _lines(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def _build(paths: list[Path], out: Path, engine: CountingEngine | None = None, **options: object):  # noqa: ANN202
    out.mkdir(parents=True, exist_ok=True)
    return build(read_papers(paths), out, engine=engine or CountingEngine(), settings=ONE_PROCESS,
                 log=lambda message: None, previous=out, site=False, **options)


def test_incremental_build_equals_build_from_scratch(tmp_path: Path) -> None:
    first, second = [FIXTURES / "papers.jsonl"], [FIXTURES / "papers.jsonl", FIXTURES / "formats" / "arxiv_api.xml"]
    _build(first, tmp_path / "inc")
    engine = CountingEngine()
    report = _build(second, tmp_path / "inc", engine)
    assert engine.asked == ["2211.17192", "2302.01318"]
    assert (report.reused, report.extracted) == (3, 2)
    _build(second, tmp_path / "scratch")
    for name in ("triples.jsonl", "records.jsonl", "graph.nt"):
        assert _lines(tmp_path / "inc" / name) == _lines(tmp_path / "scratch" / name)
    keys = [e["key"] for line in _lines(tmp_path / "inc" / "records.jsonl") for e in json.loads(line)["entities"]]
    assert keys and all(keys)


def test_changed_abstract_is_extracted_again(tmp_path: Path) -> None:
    _build([FIXTURES / "papers.jsonl"], tmp_path / "out")
    rows = [json.loads(line) for line in (FIXTURES / "papers.jsonl").read_text(encoding="utf-8").splitlines()]
    rows[1]["abstract"] += " We also report 91.2% accuracy on CIFAR-10."
    changed = tmp_path / "changed.jsonl"
    changed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    engine = CountingEngine()
    _build([changed], tmp_path / "out", engine)
    assert engine.asked == [rows[1]["id"]]
    assert "CIFAR-10" in (tmp_path / "out" / "records.jsonl").read_text(encoding="utf-8")


def test_a_key_merge_by_a_new_paper_matches_the_build_from_scratch(tmp_path: Path) -> None:
    early = tmp_path / "early.jsonl"
    early.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "a", "title": "Fast decoding with speculative decoding", "abstract": "We study speculative decoding "
         "for large language models and report a 2.5x speedup on WMT."},
        {"id": "b", "title": "Drafts for LLM inference", "abstract": "SpD accelerates inference of large language "
         "models; SpD reaches a 3x speedup over greedy decoding."}]), encoding="utf-8")
    late = tmp_path / "late.jsonl"
    late.write_text(json.dumps({"id": "c", "title": "Speculative Decoding (SpD) revisited", "abstract":
                                "Speculative Decoding (SpD) drafts tokens with a small model. SpD improves "
                                "throughput by 2x on WMT."}) + "\n", encoding="utf-8")
    _build([early], tmp_path / "inc")
    _build([early, late], tmp_path / "inc")
    _build([early, late], tmp_path / "scratch")
    assert _lines(tmp_path / "inc" / "triples.jsonl") == _lines(tmp_path / "scratch" / "triples.jsonl")


def test_default_large_build_output_is_under_20_kb_per_paper(
        tmp_path: Path, sample_corpus: tuple[list[PaperRecord], dict[str, Node]]) -> None:
    records = {r.paper.id: r for r in sample_corpus[0]}
    read = read_papers([SAMPLE_DIR])
    report = build(read, tmp_path, engine=lambda papers: iter(records[p.id] for p in papers), settings=ONE_PROCESS,
                   log=lambda message: None, compress=True, site=False)
    outputs = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "cache.sqlite"]
    assert {p.name for p in outputs} == {"records.jsonl.gz", "triples.jsonl.gz", "graph.nt.gz", "shapes.ttl",
                                         "ontology.ttl"}
    per_paper = sum(p.stat().st_size for p in outputs) / report.papers
    assert report.papers == len(records) and per_paper <= 20_000
    assert len(_lines(tmp_path / "triples.jsonl.gz")) == report.triples


def test_leaderboards_and_sparql_read_a_compressed_build(
        tmp_path: Path, sample_corpus: tuple[list[PaperRecord], dict[str, Node]],
        capsys: pytest.CaptureFixture[str]) -> None:
    records = {r.paper.id: r for r in sample_corpus[0]}
    for out, compress in ((tmp_path / "plain", False), (tmp_path / "gz", True)):
        out.mkdir()
        build(read_papers([SAMPLE_DIR]), out, engine=lambda papers: iter(records[p.id] for p in papers),
              settings=ONE_PROCESS, log=lambda message: None, compress=compress, site=False)
    printed = {}
    for command in ("leaderboard", "sparql"):
        for name in ("plain", "gz"):
            args = ["leaderboards"] if command == "sparql" else []
            assert main([command, *args, "--out", str(tmp_path / name), "--format", "json"]) == 0
            printed[command, name] = json.loads(capsys.readouterr().out)
    assert printed["leaderboard", "gz"] == printed["leaderboard", "plain"] and printed["leaderboard", "gz"]
    assert printed["sparql", "gz"] == printed["sparql", "plain"] and printed["sparql", "gz"]


@pytest.mark.parametrize("formats", [("nt", "ttl"), ("nt", "jsonld")])
def test_other_rdf_formats_on_request(tmp_path: Path, formats: tuple[str, ...]) -> None:
    report = _build([FIXTURES / "papers.jsonl"], tmp_path / "out", rdf=formats)
    assert {f"rdf {f}" for f in formats} <= set(report.outputs)
    assert all((tmp_path / "out" / f"graph.{f}").stat().st_size > 0 for f in formats)
