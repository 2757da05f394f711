"""Read papers from listing-page captures and JSON Lines, reporting every broken record by file and line.

Two layouts are read into one :class:`~kg.types.Paper` type:

* captures of daily paper listing pages (``.txt``): page chrome, then a title line and an abstract line
  per paper; the first title may be glued to "Subscribe";
* JSON Lines (``.jsonl``, ``.json``) with ``id``, ``title`` and ``abstract`` (the arXiv metadata layout);
  other fields are kept in :attr:`Paper.extra`.

A broken file or record (empty, binary, invalid UTF-8, missing fields, an over-long line, a duplicate id)
becomes a :class:`ReadProblem`; everything else is still read. The same paper twice (same normalized
title) is merged into its first occurrence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.ids import title_id, words
from kg.types import Paper

MAX_LINE_BYTES = 1_000_000
"""Longer lines are reported and skipped (an abstract is a few kilobytes)."""

CAPTURE_SUFFIXES = frozenset({".txt"})
JSONL_SUFFIXES = frozenset({".jsonl", ".json", ".ndjson"})

_CHROME = re.compile(
    r"(Get trending papers in your email inbox( once a day)?!|Subscribe|new|Daily Papers"
    r"|byAK and the research community"
    r"|(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}(, \d{4})?)"
)
_GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?\s+[A-Z(\"]")
_SPACE = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """A file or record that could not be read, and why."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(slots=True)
class ReadResult:
    """Papers read from all inputs, the problems met, and how many duplicates were merged."""

    papers: list[Paper] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    merged: int = 0

    def summary(self) -> str:
        """One line: counts of papers read, duplicates merged and records skipped."""
        return (f"{len(self.papers)} papers read, {self.merged} duplicates merged, "
                f"{len(self.problems)} problems (records or files skipped)")


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    text: str | None  # None: the line was reported and cannot be used
    problem: ReadProblem | None = None


def read_papers(paths: Iterable[Path]) -> ReadResult:
    """Read every paper from files and directories (``.txt`` captures and JSON Lines).

    Args:
        paths: files, or directories whose readable files are taken in name order.

    Returns:
        The merged papers in input order, with every problem met.

    Raises:
        InputError: when no path names an existing file or directory.
    """
    result = ReadResult()
    seen_titles: dict[str, Paper] = {}
    seen_ids: dict[str, str] = {}
    files = list(_expand(paths, result))
    if not files:
        reasons = "; ".join(str(p) for p in result.problems) or "no input paths given"
        raise InputError(f"no readable input: {reasons}")
    for path in files:
        for item in _read_file(path):
            if isinstance(item, ReadProblem):
                result.problems.append(item)
                continue
            title_form = " ".join(words(item.title))
            if title_form in seen_titles:
                result.merged += 1
                continue
            if item.id in seen_ids:
                result.problems.append(ReadProblem(
                    str(path), _line_of(item), f"duplicate id {item.id!r} (first read at {seen_ids[item.id]}); "
                    "record skipped"))
                continue
            seen_titles[title_form] = item
            seen_ids[item.id] = item.source
            result.papers.append(item)
    return result


def _expand(paths: Iterable[Path], result: ReadResult) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir()
                           if p.is_file() and p.suffix.lower() in CAPTURE_SUFFIXES | JSONL_SUFFIXES)
            if not found:
                result.problems.append(ReadProblem(str(path), None, "directory holds no .txt or .jsonl files"))
            yield from found
        elif path.is_file():
            yield path
        else:
            result.problems.append(ReadProblem(str(path), None, "no such file or directory"))


def _read_file(path: Path) -> Iterator[Paper | ReadProblem]:
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        yield ReadProblem(str(path), None, f"cannot read file: {exc.strerror or exc}")
        return
    if not head.strip():
        yield ReadProblem(str(path), None, "empty file")
        return
    if b"\x00" in head:
        yield ReadProblem(str(path), None, "binary file (NUL bytes), not text; skipped")
        return
    if path.suffix.lower() in JSONL_SUFFIXES or head.lstrip().startswith(b"{"):
        yield from _read_jsonl(path)
    else:
        yield from _read_capture(path)


def _lines(path: Path) -> Iterator[_Line]:
    """Decoded lines; over-long and undecodable lines are reported in place of their text."""
    with path.open("rb") as fh:
        number = 0
        while True:
            raw = fh.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                size = len(raw)
                while not raw.endswith(b"\n"):
                    raw = fh.readline(MAX_LINE_BYTES)
                    if not raw:
                        break
                    size += len(raw)
                yield _Line(number, None, ReadProblem(
                    str(path), number, f"line of {size:,} bytes exceeds the {MAX_LINE_BYTES:,}-byte limit; skipped"))
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield _Line(number, None, ReadProblem(
                    str(path), number, f"invalid UTF-8 at byte {exc.start}; skipped"))
                continue
            yield _Line(number, text.lstrip("\ufeff").strip())


def _looks_like_abstract(text: str) -> bool:
    return len(text) >= 300 or (len(text) >= 120 and bool(_SENTENCE_END.search(text)))


def _read_capture(path: Path) -> Iterator[Paper | ReadProblem]:
    """Pair title lines with the abstract line after them, skipping page chrome."""
    title: tuple[int, str] | None = None
    for line in _lines(path):
        if line.text is None:
            if line.problem is not None:
                yield line.problem
            title = None
            continue
        if not line.text or _CHROME.fullmatch(line.text):
            continue
        text = _GLUED_SUBSCRIBE.sub("", line.text)
        if _looks_like_abstract(text):
            if title is None:
                yield ReadProblem(str(path), line.number, "abstract without a title line before it; skipped")
                continue
            number, title_text = title
            yield Paper(id=title_id(title_text), title=title_text, abstract=text, source=f"{path}:{number}")
            title = None
        else:
            if title is not None:
                yield ReadProblem(str(path), title[0], f"title {title[1][:80]!r} has no abstract line; skipped")
            title = (line.number, text)
    if title is not None:
        yield ReadProblem(str(path), title[0], f"title {title[1][:80]!r} has no abstract line; skipped")


def _read_jsonl(path: Path) -> Iterator[Paper | ReadProblem]:
    """One paper per JSON object line; ``id``, ``title`` and ``abstract`` are required."""
    for line in _lines(path):
        if line.text is None:
            if line.problem is not None:
                yield line.problem
            continue
        if not line.text:
            continue
        try:
            record = json.loads(line.text)
        except json.JSONDecodeError as exc:
            yield ReadProblem(str(path), line.number, f"not valid JSON ({exc.msg} at column {exc.colno}); skipped")
            continue
        if not isinstance(record, dict):
            yield ReadProblem(str(path), line.number, f"expected a JSON object, got {type(record).__name__}; skipped")
            continue
        missing = [name for name in ("id", "title", "abstract") if record.get(name) in (None, "")]
        if missing:
            yield ReadProblem(str(path), line.number, f"missing field(s) {', '.join(missing)}; skipped")
            continue
        wrong = [name for name in ("title", "abstract") if not isinstance(record[name], str)]
        if isinstance(record["id"], (dict, list, bool)):
            wrong.insert(0, "id")
        if wrong:
            yield ReadProblem(str(path), line.number, f"field(s) {', '.join(wrong)} must be text; skipped")
            continue
        broken = [name for name in ("id", "title", "abstract") if _SURROGATE.search(str(record[name]))]
        if broken:
            yield ReadProblem(str(path), line.number, f"field(s) {', '.join(broken)} hold an unpaired surrogate "
                              "escape (not a character); skipped")
            continue
        title = _SPACE.sub(" ", record["title"]).strip()
        abstract = _SPACE.sub(" ", record["abstract"]).strip()
        if not title or not abstract:
            yield ReadProblem(str(path), line.number, "title or abstract is blank; skipped")
            continue
        extra = {k: v for k, v in record.items() if k not in ("id", "title", "abstract")}
        yield Paper(id=str(record["id"]), title=title, abstract=abstract, source=f"{path}:{line.number}", extra=extra)


def _line_of(paper: Paper) -> int | None:
    tail = paper.source.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None
