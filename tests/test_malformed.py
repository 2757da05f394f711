"""The malformed-input corpus (``tests/fixtures/malformed/``): every broken input is reported with its reason,
by file and line, and every good record beside it survives, from the reader to a whole ``kg build``.

Inputs that cannot live in git (over-long lines and papers, deep nesting, a 40 KB id, link loops, dangling links,
a FIFO, an unreadable directory) are made here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.ids import title_id
from kg.readers import MAX_ID_CHARS, MAX_JSON_DEPTH, MAX_LINE_BYTES, MAX_PAPER_CHARS, read_papers

MALFORMED = Path(__file__).parent / "fixtures" / "malformed"
GOOD = MALFORMED / "good.jsonl"
GOOD_IDS = {"good-1", "good-2"}
KG = shutil.which("kg") or "kg"

Expected = list[tuple[int | None, str]]

STATIC: list[tuple[str, Expected, set[str]]] = [
    # file, the problems it gives (line, part of the message), the ids read from it
    ("empty.jsonl", [(None, "empty file")], set()),
    ("blank.txt", [(None, "empty file")], set()),
    ("binary.jsonl", [(None, "binary file (NUL bytes), not text; skipped")], set()),
    ("invalid_utf8.jsonl", [(2, "invalid UTF-8 at byte 34; skipped")], {"m-utf8-ok"}),
    ("bom.jsonl", [], {"m-bom"}),
    ("crlf.txt", [], {title_id("A capture with Windows line endings")}),
    ("utf16.jsonl", [], {"m-utf16"}),
    ("utf16_no_bom.jsonl", [(None, "binary file (NUL bytes), not text (UTF-16 without a byte order mark?)")], set()),
    ("missing_fields.jsonl", [(1, "missing field(s) abstract"), (2, "missing field(s) id")], set()),
    ("duplicate_ids.jsonl", [(2, "duplicate id 'm-dup' (first read at ")], {"m-dup"}),
    ("arrays.jsonl", [(1, "expected a JSON object, got list")], set()),
    ("trailing_garbage.jsonl", [(1, "not valid JSON (Extra data at column")], set()),
    ("nan_ids.jsonl", [(1, "field id must be text or a whole number, not NaN"),
                       (2, "field id must be text or a whole number, not Infinity"),
                       (3, "field id must be text or a whole number, not 2401.1")], set()),
    ("wrong_types.jsonl", [(1, "field(s) title must be text"),
                           (2, 'field id must be text or a whole number, not {"a": 1}')], set()),
    ("surrogate.jsonl", [(1, "field(s) title hold an unpaired surrogate escape")], set()),
    ("controls.jsonl", [], {"m-controls"}),
    ("hostile_titles.jsonl", [], {"m-hostile", "../../etc/passwd"}),
    ("chrome_only.txt", [(None, "no title and abstract lines found (only page chrome?)")], set()),
    ("blank_title.jsonl", [(1, "title or abstract is blank")], set()),
]

ABSTRACT = "We propose a method for image generation that is faster than earlier ones. "
TOO_LONG = 999_000  # characters: a 999 KB abstract, inside the 1 MB line limit


def _jsonl(paper_id: object, title: str, abstract: str) -> str:
    return json.dumps({"id": paper_id, "title": title, "abstract": abstract}) + "\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _huge_line(tmp: Path) -> Path:
    return _write(tmp / "huge_line.jsonl", _jsonl("h", "Over-long line", "a" * (MAX_LINE_BYTES + 10)))


def _huge_abstract(tmp: Path) -> Path:
    return _write(tmp / "huge_abstract.jsonl", _jsonl("h", "A 999 KB abstract", (ABSTRACT * 14_000)[:TOO_LONG]))


def _huge_capture(tmp: Path) -> Path:
    return _write(tmp / "huge_capture.txt", "A capture paper with a 999 KB abstract\n" + (ABSTRACT * 14_000)[:TOO_LONG]
                  + "\n")


def _deep(tmp: Path) -> Path:
    return _write(tmp / "deep.jsonl", '{"id": "d", "title": "Deep", "abstract": "A", "x": ' + "[" * 200_000
                  + "]" * 200_000 + "}\n")


def _long_id(tmp: Path) -> Path:
    return _write(tmp / "long_id.jsonl", _jsonl("x" * 40_000, "A 40 KB id", ABSTRACT))


def _huge_number_id(tmp: Path) -> Path:
    return _write(tmp / "huge_number_id.jsonl", '{"id": 1' + "0" * 5_000 + ', "title": "T", "abstract": "A"}\n')


def _link_loop(tmp: Path) -> Path:
    (tmp / "loop.jsonl").symlink_to("loop.jsonl")
    return tmp / "loop.jsonl"


def _dangling(tmp: Path) -> Path:
    (tmp / "dangling.jsonl").symlink_to("nowhere.jsonl")
    return tmp / "dangling.jsonl"


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "fifo.jsonl")
    return tmp / "fifo.jsonl"


GENERATED: list[tuple[Callable[[Path], Path], Expected]] = [
    (_huge_line, [(1, f"bytes exceeds the {MAX_LINE_BYTES:,}-byte limit; skipped")]),
    (_huge_abstract, [(1, f"characters (title and abstract) exceeds the {MAX_PAPER_CHARS:,}-character limit")]),
    (_huge_capture, [(1, f"characters (title and abstract) exceeds the {MAX_PAPER_CHARS:,}-character limit")]),
    (_deep, [(1, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")]),
    (_long_id, [(1, f"id of 40,000 characters exceeds the {MAX_ID_CHARS}-character limit")]),
    (_huge_number_id, [(1, "not valid JSON (a number too long to read)")]),
    (_link_loop, [(None, "symbolic link loop; skipped")]),
    (_dangling, [(None, "dangling symbolic link; skipped")]),
    (_fifo, [(None, "not a regular file or directory; skipped")]),
]


def _check(paths: list[Path], problem_path: Path, expected: Expected, ids: set[str]) -> None:
    result = read_papers([*paths, GOOD])
    got = [(p.path, p.line, p.message) for p in result.problems]
    assert len(got) == len(expected), got
    for (path, line, message), (want_line, want) in zip(got, expected, strict=True):
        assert (path, line) == (str(problem_path), want_line) and want in message, (path, line, message)
    assert {p.id for p in result.papers} == ids | GOOD_IDS


@pytest.mark.parametrize(("name", "expected", "ids"), STATIC, ids=[case[0] for case in STATIC])
def test_static_inputs_are_reported_and_the_good_records_survive(name: str, expected: Expected,
                                                                  ids: set[str]) -> None:
    _check([MALFORMED / name], MALFORMED / name, expected, ids)


@pytest.mark.parametrize(("make", "expected"), GENERATED, ids=[case[0].__name__.strip("_") for case in GENERATED])
def test_generated_inputs_are_reported_and_the_good_records_survive(tmp_path: Path, make: Callable[[Path], Path],
                                                                     expected: Expected) -> None:
    path = make(tmp_path)
    _check([path], path, expected, set())
    _check([tmp_path], path, expected, set())  # the same found in a directory listing


def test_control_and_bidi_characters_are_removed_and_hostile_text_kept() -> None:
    papers = {p.id: p for p in read_papers([MALFORMED / "controls.jsonl", MALFORMED / "hostile_titles.jsonl"]).papers}
    assert papers["m-controls"].title == "NUL bell and right-to-left override"
    assert papers["m-controls"].abstract == "An abstract with a next-line and isolate controls."
    assert papers["m-hostile"].title == "<script>alert('x')</script> MATCH (n) DETACH DELETE n // {{ 7*7 }} ${x}"


def _without_file_permissions() -> list[str]:
    """A command prefix under which root, too, obeys file permissions (or none when not root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root reads every directory, and setpriv (util-linux) is missing to drop that right")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def test_unreadable_directory_is_reported_and_the_good_records_survive(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "paper.jsonl").write_text(_jsonl("hidden", "Hidden", ABSTRACT), encoding="utf-8")
    locked.chmod(0)
    try:
        result = subprocess.run([*_without_file_permissions(), KG, "extract", str(locked), str(GOOD), "-o",
                                 str(tmp_path / "records.jsonl")], capture_output=True, text=True, timeout=600,
                                check=False)
    finally:
        locked.chmod(0o755)
    assert result.returncode == 3, result.stderr
    assert f"kg: warning: {locked}: cannot list directory: Permission denied; skipped" in result.stderr
    records = [json.loads(line) for line in (tmp_path / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["id"] for r in records} == GOOD_IDS


def test_the_whole_corpus_builds_with_one_line_per_problem_and_every_good_record(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(MALFORMED, corpus)
    (corpus / "good.jsonl").unlink()
    generated = [(make(corpus), problems) for make, problems in GENERATED]
    out = tmp_path / "out"
    result = subprocess.run([KG, "build", str(corpus), str(GOOD), "--out", str(out)], capture_output=True,
                            text=True, timeout=900, check=False)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("kg: warning: ")]
    expected = [(corpus / name, problems) for name, problems, _ in STATIC] + generated
    for path, problems in expected:
        for line, message in problems:
            prefix = f"kg: warning: {path}" + (f":{line}: " if line is not None else ": ")
            assert any(w.startswith(prefix) and message in w for w in warnings), (prefix, message)
    assert len(warnings) == sum(len(problems) for _, problems in expected)
    assert all(line.startswith("kg: ") or line.startswith("  ") for line in result.stderr.splitlines())
    records = [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    survivors = set().union(*(ids for _, _, ids in STATIC)) | GOOD_IDS
    assert {r["id"] for r in records} == survivors
    assert (out / "site" / "index.html").is_file() and (out / "graph.ttl").is_file()
