"""arXiv API responses (Atom XML) -> papers: one per ``<entry>``, with ``id``, ``title`` and ``summary``.

Parsed with expat as a stream (a response of any size is never held as a tree), so every entry knows its line.
An entry without a title or summary is reported at its line; XML that is not well-formed stops the file at the
error's line, the entries before it being kept. Expat reads no external entities, and its limits on entity
expansion stop "billion laughs" documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from kg.compressed import DECOMPRESSION_ERRORS, open_binary

ATOM = "http://www.w3.org/2005/Atom"
ARXIV_ABS = re.compile(r"^https?://arxiv\.org/abs/(?P<id>.+?)(?:v\d+)?$")
"""An entry id such as ``http://arxiv.org/abs/2401.00001v2``: the paper id without its version."""

_FIELDS = {f"{ATOM} id": "id", f"{ATOM} title": "title", f"{ATOM} summary": "summary"}


@dataclass(slots=True)
class AtomEntry:
    """The fields of one ``<entry>`` and the line it starts on; ``error`` when parsing stopped there."""

    line: int
    fields: dict[str, str] = field(default_factory=dict)
    error: str = ""


def entry_id(raw: str) -> str:
    """``http://arxiv.org/abs/2401.00001v2`` -> ``2401.00001``; other ids as given."""
    match = ARXIV_ABS.match(raw.strip())
    return match.group("id") if match else raw.strip()


def read_entries(path: Path, *, chunk_bytes: int = 1 << 16) -> Iterator[AtomEntry]:
    """The entries of an Atom file in order; the last one has ``error`` set if the XML is broken there.

    Raises:
        OSError: the file cannot be read.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    done: list[AtomEntry] = []
    stack: list[str] = []
    current: AtomEntry | None = None
    text: list[str] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        nonlocal current
        stack.append(name)
        if name == f"{ATOM} entry":
            current = AtomEntry(parser.CurrentLineNumber)
        text.clear()

    def end(name: str) -> None:
        nonlocal current
        stack.pop()
        if current is not None and name in _FIELDS and stack and stack[-1] == f"{ATOM} entry":
            current.fields[_FIELDS[name]] = "".join(text)
        elif name == f"{ATOM} entry" and current is not None:
            done.append(current)
            current = None
        text.clear()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    with open_binary(path) as fh:
        while True:
            try:
                chunk = fh.read(chunk_bytes)
            except DECOMPRESSION_ERRORS:
                yield from done
                yield AtomEntry(parser.CurrentLineNumber, error="gzip file is truncated or corrupt from here; the "
                                                                "rest of the file is skipped")
                return
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                yield from done
                yield AtomEntry(exc.lineno, error=f"not well-formed XML ({expat.ErrorString(exc.code)}); the rest "
                                                  "of the file is skipped")
                return
            yield from done
            done.clear()
            if not chunk:
                return
