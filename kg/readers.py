"""Read papers from listing-page captures and JSON Lines, reporting every broken record by file and line.

Two layouts are read into one :class:`~kg.types.Paper` type:

* captures of daily paper listing pages (``.txt``): page chrome, then a title line and an abstract line
  per paper; the first title may be glued to "Subscribe";
* JSON Lines (``.jsonl``, ``.json``) in the layouts of :mod:`kg.layouts`: the arXiv metadata snapshot
  (``abstract``) or API (``summary``), OpenAlex works (``abstract_inverted_index``) and Semantic Scholar papers
  (``paperId``); other fields are kept in :attr:`Paper.extra`;
* arXiv API responses (``.xml``, ``.atom``): Atom entries, read by :mod:`kg.atom`.

Each may be gzip-compressed (``.jsonl.gz``; :mod:`kg.compressed`).

A broken file or record (empty, binary, invalid UTF-8, missing fields, an over-long line, a paper over the
limits below, a duplicate id, an unreadable directory, a broken link) becomes a :class:`ReadProblem`;
everything else is still read. The limits are checked before the pipeline sees a text, so the work per paper
stays bounded and linear in its length. Control characters and bidirectional-text controls are removed from
titles and abstracts; files in UTF-8 (with or without a byte order mark) and UTF-16 or UTF-32 with a byte order
mark are read. The same paper twice (same normalized title) is merged into its first occurrence.
"""

from __future__ import annotations

import codecs
import errno
import io
import json
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import layouts
from kg.atom import entry_id, read_entries
from kg.compressed import DECOMPRESSION_ERRORS, inner_suffix, open_binary
from kg.errors import InputError
from kg.ids import title_id, words
from kg.types import TITLE_SEPARATOR, Paper

MAX_LINE_BYTES = 1_000_000
"""Longer lines are reported and skipped (an abstract is a few kilobytes)."""

MAX_PAPER_CHARS = 20_000
"""Longest paper text (title, a blank line, abstract) handed to the pipeline; longer papers are skipped.

Ten times the longest abstract of the sample corpus (arXiv caps abstracts at 1,920 characters). It bounds the
time per paper: the extractors' pair and feature loops grow faster than linearly in long texts
(``bench/robustness.py``)."""

MAX_ID_CHARS = 256
"""Longest paper id (arXiv ids have about 20 characters; the database indexes ids, so they stay small)."""

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects in a JSON Lines record (the arXiv layout has 2)."""

CAPTURE_SUFFIXES = frozenset({".txt"})
JSONL_SUFFIXES = frozenset({".jsonl", ".json", ".ndjson"})
ATOM_SUFFIXES = frozenset({".xml", ".atom"})

_CHROME = re.compile(
    r"(Get trending papers in your email inbox( once a day)?!|Subscribe|new|Daily Papers"
    r"|byAK and the research community"
    r"|(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}(, \d{4})?)"
)
_GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?\s+[A-Z(\"]")
_SPACE = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""C0 and C1 control characters other than whitespace: read as a space."""
_FORMAT = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
"""Bidirectional-text controls and byte order marks: removed (they can make a title display as another text)."""
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
"""Byte order marks of the other encodings read (UTF-32 first: its little-endian mark starts like UTF-16's)."""


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


def clean_text(text: str) -> str:
    """``text`` with control characters read as spaces, bidirectional controls removed, whitespace collapsed."""
    return _SPACE.sub(" ", _CONTROL.sub(" ", _FORMAT.sub("", text))).strip()


def problem_at(paper: Paper, message: str) -> ReadProblem:
    """A problem reported at the file and line a paper was read from."""
    path, _, line = paper.source.rpartition(":")
    return ReadProblem(path, int(line), message) if path and line.isdigit() else ReadProblem(paper.source, None,
                                                                                            message)


def read_papers(paths: Iterable[Path]) -> ReadResult:
    """Read every paper from files and directories (``.txt`` captures and JSON Lines).

    Args:
        paths: files, or directories whose readable files are taken in name order.

    Returns:
        The merged papers in input order, with every problem met.

    Raises:
        InputError: when no path names a readable file or a directory holding one.
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
                result.problems.append(problem_at(
                    item, f"duplicate id {item.id[:80]!r} (first read at {seen_ids[item.id]}); record skipped"))
                continue
            seen_titles[title_form] = item
            seen_ids[item.id] = item.source
            result.papers.append(item)
    return result


def _expand(paths: Iterable[Path], result: ReadResult) -> Iterator[Path]:
    """The input files of ``paths``; every path that cannot be used is reported in ``result``."""
    suffixes = CAPTURE_SUFFIXES | JSONL_SUFFIXES | ATOM_SUFFIXES
    for path in paths:
        mode, problem = _mode(path)
        if problem is not None:
            result.problems.append(ReadProblem(str(path), None, problem))
        elif stat.S_ISREG(mode):
            yield path
        elif not stat.S_ISDIR(mode):
            result.problems.append(ReadProblem(str(path), None, "not a regular file or directory; skipped"))
        else:
            try:
                entries = sorted(p for p in path.iterdir() if inner_suffix(p) in suffixes)
            except OSError as exc:
                result.problems.append(ReadProblem(str(path), None,
                                                   f"cannot list directory: {exc.strerror or exc}; skipped"))
                continue
            for entry in entries:
                mode, problem = _mode(entry)
                if problem is None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
                    problem = "not a regular file or directory; skipped"
                if problem is not None:
                    result.problems.append(ReadProblem(str(entry), None, problem))
                elif stat.S_ISREG(mode):
                    yield entry
            if not entries:
                result.problems.append(ReadProblem(str(path), None, "directory holds no .txt, .jsonl or .xml files"))


def _mode(path: Path) -> tuple[int, str | None]:
    """The file mode of ``path`` (links followed), or why it cannot be used."""
    try:
        return path.stat().st_mode, None
    except FileNotFoundError:
        return 0, "dangling symbolic link; skipped" if path.is_symlink() else "no such file or directory"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return 0, "symbolic link loop; skipped"
        return 0, f"cannot read: {exc.strerror or exc}; skipped"


def _encoding(head: bytes) -> str:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return "utf-8"


def _read_file(path: Path) -> Iterator[Paper | ReadProblem]:
    try:
        with open_binary(path) as fh:
            head = fh.read(8192)
    except DECOMPRESSION_ERRORS:
        yield ReadProblem(str(path), None, "gzip file is truncated or corrupt; skipped")
        return
    except OSError as exc:
        yield ReadProblem(str(path), None, f"cannot read file: {exc.strerror or exc}")
        return
    encoding = _encoding(head)
    text = head.decode(encoding, errors="ignore").lstrip("\ufeff")
    if not text.strip():
        yield ReadProblem(str(path), None, "empty file")
        return
    if encoding == "utf-8" and b"\x00" in head:
        utf16 = max(head[0::2].count(0), head[1::2].count(0)) > len(head) // 4
        hint = " (UTF-16 without a byte order mark?)" if utf16 else ""
        yield ReadProblem(str(path), None, f"binary file (NUL bytes), not text{hint}; skipped")
        return
    suffix = inner_suffix(path)
    jsonl = suffix in JSONL_SUFFIXES or text.lstrip().startswith("{")
    atom = not jsonl and (suffix in ATOM_SUFFIXES or text.lstrip().startswith("<?xml"))
    found = False
    for item in (_read_atom if atom else _read_jsonl if jsonl else _read_capture)(path, encoding):
        found = True
        yield item
    if not found:
        yield ReadProblem(str(path), None, "no <entry> elements found (not an arXiv API response?)" if atom else
                          "no records found (only blank lines)" if jsonl else
                          "no title and abstract lines found (only page chrome?)")


def _bounded_lines(readline: Callable[[int], str | bytes], limit: int) -> Iterator[tuple[int, str | bytes | int]]:
    """Numbered lines of a file; a line over ``limit`` bytes or characters is read past and given as its size."""
    number = 0
    while True:
        raw = readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) <= limit or raw[-1:] in ("\n", b"\n"):
            yield number, raw
            continue
        size = len(raw)
        while raw[-1:] not in ("\n", b"\n"):
            raw = readline(limit)
            if not raw:
                break
            size += len(raw)
        yield number, size


def _lines(path: Path, encoding: str) -> Iterator[_Line]:
    """Decoded, cleaned lines; over-long and undecodable lines are reported in place of their text."""
    binary = encoding == "utf-8"
    unit = "bytes" if binary else "characters"
    with open_binary(path) if binary else io.TextIOWrapper(open_binary(path), encoding=encoding) as fh:
        readline: Callable[[int], str | bytes] = fh.readline
        lines = _bounded_lines(readline, MAX_LINE_BYTES)
        number = 0
        while True:
            try:
                number, raw = next(lines)
            except StopIteration:
                return
            except DECOMPRESSION_ERRORS:
                yield _Line(number + 1, None, ReadProblem(
                    str(path), number + 1, "gzip file is truncated or corrupt from here; the rest of the file is "
                    "skipped"))
                return
            except UnicodeDecodeError as exc:
                yield _Line(number + 1, None, ReadProblem(
                    str(path), number + 1, f"invalid {encoding.upper()} ({exc.reason}); the rest of the file is "
                    "skipped"))
                return
            if isinstance(raw, int):
                yield _Line(number, None, ReadProblem(
                    str(path), number, f"line of {raw:,} {unit} exceeds the {MAX_LINE_BYTES:,}-{unit[:-1]} limit; "
                    "skipped"))
                continue
            if isinstance(raw, bytes):
                try:
                    raw = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield _Line(number, None, ReadProblem(str(path), number,
                                                          f"invalid UTF-8 at byte {exc.start}; skipped"))
                    continue
            yield _Line(number, raw)


def _size_problem(title: str, abstract: str) -> str | None:
    size = len(title) + len(TITLE_SEPARATOR) + len(abstract)
    if size > MAX_PAPER_CHARS:
        return (f"paper of {size:,} characters (title and abstract) exceeds the {MAX_PAPER_CHARS:,}-character "
                "limit; skipped")
    return None


def _looks_like_abstract(text: str) -> bool:
    return len(text) >= 300 or (len(text) >= 120 and bool(_SENTENCE_END.search(text)))


def _read_capture(path: Path, encoding: str) -> Iterator[Paper | ReadProblem]:
    """Pair title lines with the abstract line after them, skipping page chrome."""
    title: tuple[int, str] | None = None
    for line in _lines(path, encoding):
        if line.text is None:
            if line.problem is not None:
                yield line.problem
            title = None
            continue
        text = clean_text(line.text)
        if not text or _CHROME.fullmatch(text):
            continue
        text = _GLUED_SUBSCRIBE.sub("", text)
        if _looks_like_abstract(text):
            if title is None:
                yield ReadProblem(str(path), line.number, "abstract without a title line before it; skipped")
                continue
            number, title_text = title
            title = None
            problem = _size_problem(title_text, text)
            if problem is not None:
                yield ReadProblem(str(path), number, problem)
                continue
            yield Paper(id=title_id(title_text), title=title_text, abstract=text, source=f"{path}:{number}")
        else:
            if title is not None:
                yield ReadProblem(str(path), title[0], f"title {title[1][:80]!r} has no abstract line; skipped")
            title = (line.number, text)
    if title is not None:
        yield ReadProblem(str(path), title[0], f"title {title[1][:80]!r} has no abstract line; skipped")


def _json_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text (strings ignored), in one pass."""
    depth = deepest = 0
    for bracket in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _fields(record: dict) -> tuple[dict[str, Any], str | None]:
    """The id, title and abstract of a JSON object in any layout of :mod:`kg.layouts`, or why it has none."""
    found = {role: layouts.pick(record, names) for role, names in (
        ("id", layouts.ID_FIELDS), ("title", layouts.TITLE_FIELDS), ("abstract", layouts.ABSTRACT_FIELDS))}
    missing = [role for role, hit in found.items() if hit is None]
    if {"title", "abstract"} <= set(missing):
        return {}, f"unknown record layout: looked for {layouts.looked_for()}; skipped"
    if missing:
        return {}, f"missing field(s) {', '.join(missing)} (looked for {layouts.looked_for()}); skipped"
    fields = {role: hit[1] for role, hit in found.items() if hit is not None}
    fields["_names"] = [hit[0] for hit in found.values() if hit is not None]
    id_name, abstract_name = fields["_names"][0], fields["_names"][2]
    fields["id"] = layouts.paper_id(id_name, fields["id"])
    try:
        fields["abstract"] = layouts.abstract_text(abstract_name, fields["abstract"])
    except ValueError as exc:
        return {}, f"{exc}; skipped"
    return fields, None


def _record_problem(record: dict[str, Any]) -> str | None:
    """Why the id, title and abstract of a record are not a paper, or None."""
    wrong = [name for name in ("title", "abstract") if not isinstance(record[name], str)]
    if wrong:
        return f"field(s) {', '.join(wrong)} must be text; skipped"
    paper_id = record["id"]
    if isinstance(paper_id, bool) or not isinstance(paper_id, str | int):
        return f"field id must be text or a whole number, not {json.dumps(paper_id)[:40]}; skipped"
    broken = [name for name in ("id", "title", "abstract") if _SURROGATE.search(str(record[name]))]
    if broken:
        return f"field(s) {', '.join(broken)} hold an unpaired surrogate escape (not a character); skipped"
    paper_id = str(paper_id)
    if len(paper_id) > MAX_ID_CHARS:
        return f"id of {len(paper_id):,} characters exceeds the {MAX_ID_CHARS}-character limit; skipped"
    if not paper_id.strip() or _CONTROL.search(paper_id) or _FORMAT.search(paper_id):
        return "id is blank or holds control characters; skipped"
    return None


def _read_jsonl(path: Path, encoding: str) -> Iterator[Paper | ReadProblem]:
    """One paper per JSON object line; ``id``, ``title`` and ``abstract`` are required."""
    for line in _lines(path, encoding):
        if line.text is None:
            if line.problem is not None:
                yield line.problem
            continue
        text = line.text.strip().lstrip("\ufeff")
        if not text:
            continue
        if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _json_depth(text) > MAX_JSON_DEPTH:
            yield ReadProblem(str(path), line.number, f"JSON nested deeper than {MAX_JSON_DEPTH} levels; skipped")
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield ReadProblem(str(path), line.number, f"not valid JSON ({exc.msg} at column {exc.colno}); skipped")
            continue
        except ValueError:  # an integer of more than 4,300 digits
            yield ReadProblem(str(path), line.number, "not valid JSON (a number too long to read); skipped")
            continue
        if not isinstance(record, dict):
            yield ReadProblem(str(path), line.number, f"expected a JSON object, got {type(record).__name__}; skipped")
            continue
        fields, problem = _fields(record)
        problem = problem or _record_problem(fields)
        title, abstract = (clean_text(fields["title"]), clean_text(fields["abstract"])) if problem is None else ("", "")
        if problem is None and (not title or not abstract):
            problem = "title or abstract is blank; skipped"
        problem = problem or _size_problem(title, abstract)
        if problem is not None:
            yield ReadProblem(str(path), line.number, problem)
            continue
        extra = {k: v for k, v in record.items() if k not in fields["_names"]}
        yield Paper(id=str(fields["id"]), title=title, abstract=abstract, source=f"{path}:{line.number}", extra=extra)


def _read_atom(path: Path, encoding: str) -> Iterator[Paper | ReadProblem]:
    """One paper per Atom ``<entry>`` with ``id``, ``title`` and ``summary`` (the arXiv API layout)."""
    del encoding  # the XML declaration says it; expat reads it
    for entry in read_entries(path):
        if entry.error:
            yield ReadProblem(str(path), entry.line, entry.error)
            return
        fields = {"id": entry_id(entry.fields.get("id", "")), "title": clean_text(entry.fields.get("title", "")),
                  "abstract": clean_text(entry.fields.get("summary", ""))}
        missing = [name for name in ("id", "title", "abstract") if not fields[name]]
        problem = (f"entry without {', '.join(missing)} (looked for <id>, <title>, <summary>); skipped" if missing
                   else _record_problem(fields) or _size_problem(fields["title"], fields["abstract"]))
        if problem is not None:
            yield ReadProblem(str(path), entry.line, problem)
            continue
        yield Paper(id=fields["id"], title=fields["title"], abstract=fields["abstract"],
                    source=f"{path}:{entry.line}")
