"""Input layouts users have: arXiv API (Atom XML and ``summary``), OpenAlex works, Semantic Scholar papers."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.readers import read_papers

FORMATS = Path(__file__).parent / "fixtures" / "formats"


@pytest.mark.parametrize(("name", "ids", "first_words"), [
    ("arxiv_api.xml", ["2211.17192", "2302.01318"], "Inference from large autoregressive models like Transformers"),
    ("arxiv_api_summary.jsonl", ["2211.17192"], "Inference from large autoregressive models like Transformers"),
    ("openalex_works.jsonl", ["W2963403868", "W2194775991"], "The dominant sequence transduction models are based on"),
    ("semantic_scholar.jsonl", ["204e3073870fae3d05bcbc2f6a8e263d9b72e776"], "The dominant sequence transduction"),
])
def test_each_layout_reads_id_title_and_abstract(name: str, ids: list[str], first_words: str) -> None:
    papers = read_papers([FORMATS / name]).papers
    assert [p.id for p in papers] == ids
    assert papers[0].abstract.startswith(first_words)
    assert all(p.title and "\n" not in p.abstract for p in papers)


def test_openalex_inverted_index_is_put_back_in_word_order() -> None:
    paper = read_papers([FORMATS / "openalex_works.jsonl"]).papers[0]
    assert paper.title == "Attention Is All You Need"
    assert paper.abstract == ("The dominant sequence transduction models are based on complex recurrent networks. We "
                              "propose the Transformer, sequence model achieving 28.4 BLEU on WMT 2014 "
                              "English-to-German.")
    assert paper.extra["publication_year"] == 2017 and "abstract_inverted_index" not in paper.extra


def test_atom_keeps_entry_lines_and_strips_versions() -> None:
    result = read_papers([FORMATS / "arxiv_api.xml"])
    assert [p.source.rpartition(":")[2] for p in result.papers] == ["7", "24"]
    assert [str(p) for p in result.problems] == [
        f"{FORMATS / 'arxiv_api.xml'}:37: entry without abstract (looked for <id>, <title>, <summary>); skipped"]


def test_broken_xml_keeps_the_entries_before_the_error() -> None:
    result = read_papers([FORMATS / "broken_api.xml"])
    assert [p.id for p in result.papers] == ["2302.01318"]
    assert [(p.line, p.message.split(" (")[0]) for p in result.problems] == [(10, "not well-formed XML")]


@pytest.mark.parametrize(("name", "line", "message"), [
    ("openalex_works.jsonl", 3, "missing field(s) abstract (looked for id (id or paperId), title (title or "
                                "display_name), abstract (abstract or summary or abstract_inverted_index)); skipped"),
    ("semantic_scholar.jsonl", 2, "missing field(s) abstract"),
    ("semantic_scholar.jsonl", 3, "unknown record layout: looked for id (id or paperId), title (title or "
                                  "display_name), abstract (abstract or summary or abstract_inverted_index); skipped"),
])
def test_records_without_the_fields_name_what_was_looked_for(name: str, line: int, message: str) -> None:
    problems = {p.line: p.message for p in read_papers([FORMATS / name]).problems}
    assert problems[line].startswith(message)


@pytest.mark.parametrize(("index", "reason"), [
    ('{"x": 1}', "not a list of positions"),
    ('{"x": [-1]}', "not a list of positions"),
    ('[["x", 0]]', "must be an object"),
])
def test_bad_inverted_index_is_one_warning(tmp_path: Path, index: str, reason: str) -> None:
    path = tmp_path / "works.jsonl"
    path.write_text(f'{{"id": "W1", "title": "T", "abstract_inverted_index": {index}}}\n', encoding="utf-8")
    result = read_papers([path])
    assert result.papers == [] and reason in result.problems[0].message and result.problems[0].line == 1


def test_directory_reads_every_layout() -> None:
    result = read_papers([FORMATS])
    assert {p.id for p in result.papers} >= {"2211.17192", "2302.01318", "W2963403868"}
