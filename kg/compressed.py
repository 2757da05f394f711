"""Input files as bytes, gzip-compressed or not: arXiv and OpenAlex dumps come as ``.jsonl.gz``."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"

DECOMPRESSION_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)
"""What reading a truncated or corrupt gzip file raises part-way."""


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it starts with the gzip magic number (whatever its name)."""
    fh = path.open("rb")
    if fh.read(2) != GZIP_MAGIC:
        fh.seek(0)
        return fh
    fh.close()
    return gzip.open(path, "rb")  # type: ignore[return-value]


def inner_suffix(path: Path) -> str:
    """The suffix that names the layout, lower case: ``.jsonl`` for ``day.jsonl.gz``."""
    suffix = path.suffix.lower()
    return Path(path.stem).suffix.lower() if suffix == ".gz" else suffix
