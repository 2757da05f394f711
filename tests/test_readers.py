"""Readers: every quirk of the listing-page captures and every kind of broken input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.extract import SAMPLE_DIR
from kg.readers import MAX_LINE_BYTES, read_papers

FIXTURES = Path(__file__).parent / "fixtures"


def test_capture_pairs_titles_with_abstracts_and_skips_chrome() -> None:
    result = read_papers([FIXTURES / "capture.txt"])
    titles = [p.title for p in result.papers]
    assert titles == ["Partial Convolution based Padding", "SpecTr: Fast Speculative Decoding via Optimal Transport",
                      "Speculative Decoding: Exploiting Speculative Execution for Accelerating Seq2seq Generation"]
    assert result.problems == []


def test_capture_title_glued_to_subscribe_is_split() -> None:
    paper = read_papers([FIXTURES / "capture.txt"]).papers[0]
    assert paper.title == "Partial Convolution based Padding"
    assert paper.abstract.startswith("In this paper, we present")


def test_same_paper_twice_is_merged() -> None:
    result = read_papers([FIXTURES / "capture.txt"])
    assert result.merged == 1
    assert len({p.id for p in result.papers}) == len(result.papers) == 3


def test_capture_quirks_are_kept_verbatim() -> None:
    paper = read_papers([FIXTURES / "capture.txt"]).papers[2]
    assert "5times speedup" in paper.abstract and "1.4timessim2times" in paper.abstract
    assert "88.5\\%" in paper.abstract


def test_capture_ids_are_deterministic_and_case_insensitive(tmp_path: Path) -> None:
    first = read_papers([FIXTURES / "capture.txt"]).papers[0].id
    other = tmp_path / "other.txt"
    other.write_text("PARTIAL CONVOLUTION BASED PADDING\n" + "An abstract sentence. " * 20 + "\n", encoding="utf-8")
    assert read_papers([other]).papers[0].id == first


def test_sample_corpus_reads_449_distinct_papers() -> None:
    result = read_papers([SAMPLE_DIR])
    assert len(result.papers) == 449
    assert result.merged == 485 - 449
    assert result.problems == []


def test_jsonl_keeps_ids_and_extra_fields() -> None:
    papers = read_papers([FIXTURES / "papers.jsonl"]).papers
    assert [p.id for p in papers] == ["2401.00001", "2401.00002", "2401.00003"]
    assert papers[0].extra == {"authors": "A. Author, B. Author", "categories": "cs.CV", "update_date": "2024-01-02"}


def test_hostile_title_is_read_as_plain_text() -> None:
    paper = read_papers([FIXTURES / "papers.jsonl"]).papers[2]
    assert paper.title == "<script>alert('x')</script> MATCH (n) DETACH DELETE n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


GOOD = json.dumps({"id": "ok", "title": "A good paper", "abstract": "An abstract."}).encode() + b"\n"


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.jsonl", b"", "empty file"),
    ("blank.txt", b"\n\n  \n", "empty file"),
    ("binary.jsonl", b"\x00\x01\x02\xff" * 100, "binary file"),
])
def test_unusable_files_are_reported_and_skipped(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    bad = _write(tmp_path, name, data)
    good = _write(tmp_path, "good.jsonl", GOOD)
    result = read_papers([bad, good])
    assert [p.id for p in result.papers] == ["ok"]
    assert len(result.problems) == 1
    assert result.problems[0].path == str(bad) and message in result.problems[0].message


@pytest.mark.parametrize(("line", "message"), [
    (b'{"id": "x", "title": "T", "abstract": "caf\xe9"}', "invalid UTF-8"),
    (b'{"id": "x", "title": "T"}', "missing field(s) abstract"),
    (b'{"title": "T", "abstract": "A"}', "missing field(s) id"),
    (b'{"id": "x", "title": "T", "abstract": ""}', "missing field(s) abstract"),
    (b'{"id": "x", "title": ["T"], "abstract": "A"}', "must be text"),
    (b'{"id": "x", "title": "T", "abstract": "A"', "not valid JSON"),
    (b'["x", "T", "A"]', "expected a JSON object"),
    (b'{"id": "x", "title": "T\\ud800", "abstract": "A"}', "unpaired surrogate"),
    (b'{"id": "x", "title": "T", "abstract": "' + b"a" * (MAX_LINE_BYTES + 10) + b'"}', "exceeds"),
])
def test_broken_records_are_reported_by_line_and_the_rest_is_read(tmp_path: Path, line: bytes, message: str) -> None:
    path = _write(tmp_path, "mixed.jsonl", GOOD + line + b"\n" + GOOD.replace(b'"ok"', b'"ok2"').replace(
        b"A good paper", b"Another good paper"))
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["ok", "ok2"]
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.path, problem.line) == (str(path), 2)
    assert message in problem.message
    assert str(problem).startswith(f"{path}:2: ")


def test_five_megabyte_line_in_a_capture_is_skipped(tmp_path: Path) -> None:
    abstract = "We propose a method. " * 20
    data = ("Good title\n" + abstract + "\n" + "x" * 5_000_000 + "\nSecond title\n" + abstract + "\n").encode()
    result = read_papers([_write(tmp_path, "huge.txt", data)])
    assert [p.title for p in result.papers] == ["Good title", "Second title"]
    assert len(result.problems) == 1 and result.problems[0].line == 3
    assert "5,000,001 bytes" in result.problems[0].message


def test_duplicate_id_with_another_title_is_reported(tmp_path: Path) -> None:
    other = json.dumps({"id": "ok", "title": "Different paper", "abstract": "Other."}).encode() + b"\n"
    result = read_papers([_write(tmp_path, "dup.jsonl", GOOD + other)])
    assert len(result.papers) == 1
    assert "duplicate id 'ok'" in result.problems[0].message and result.problems[0].line == 2


def test_capture_title_without_abstract_is_reported(tmp_path: Path) -> None:
    abstract = "We propose a method. " * 20
    data = f"Orphan title\nGood title\n{abstract}\n{abstract}\n".encode()
    result = read_papers([_write(tmp_path, "orphans.txt", data)])
    assert [p.title for p in result.papers] == ["Good title"]
    messages = sorted(p.message for p in result.problems)
    assert messages[0].startswith("abstract without a title") and "'Orphan title' has no abstract" in messages[1]


def test_missing_path_is_a_problem_when_others_exist(tmp_path: Path) -> None:
    result = read_papers([tmp_path / "nope.jsonl", _write(tmp_path, "good.jsonl", GOOD)])
    assert len(result.papers) == 1
    assert "no such file" in result.problems[0].message


def test_no_readable_input_raises() -> None:
    with pytest.raises(InputError, match="no such file"):
        read_papers([Path("/nonexistent/input.jsonl")])


@pytest.mark.parametrize("name", ["arxiv_api_summary.jsonl", "openalex_works.jsonl", "arxiv_api.xml"])
def test_gzip_compressed_inputs_read_as_the_plain_files(tmp_path: Path, name: str) -> None:
    plain = Path(__file__).parent / "fixtures" / "formats" / name
    packed = _write(tmp_path, name + ".gz", gzip.compress(plain.read_bytes()))
    expected = read_papers([plain]).papers
    got = read_papers([tmp_path]).papers  # a directory's .gz inputs are read too
    assert [(p.id, p.title, p.abstract) for p in got] == [(p.id, p.title, p.abstract) for p in expected]
    assert expected


def test_truncated_gzip_keeps_the_papers_before_the_break(tmp_path: Path) -> None:
    lines = b"".join(json.dumps({"id": f"p{i}", "title": f"Paper {i}", "abstract": "A result. " * 30}).encode()
                     + b"\n" for i in range(2_000))
    path = _write(tmp_path, "day.jsonl.gz", gzip.compress(lines)[:-5_000])
    result = read_papers([path])
    assert 0 < len(result.papers) < 2_000
    assert [p.id for p in result.papers] == [f"p{i}" for i in range(len(result.papers))]
    assert len(result.problems) == 1 and "truncated or corrupt" in result.problems[0].message
