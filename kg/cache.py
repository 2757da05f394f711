"""The extraction cache of a build directory: one record per paper text and extractor version, in SQLite.

``kg build --out DIR`` keeps ``DIR/cache.sqlite``. A paper's cache key is a digest of the extractor version
(:func:`extractor_version`: the spaCy model's name and version, kg's version and every file of ``extractors/``,
code, patterns, gazetteer and trained weights) and the paper's id, title and abstract. A paper whose key is
there is not extracted again; any change to its text or to the extractors gives a new key. Each build writes a
new cache holding the records of its own papers only (taken from the old one or freshly extracted), so the
cache never grows beyond the build.

Records are stored as zlib-compressed pickles of kg's own frozen dataclasses (exact round trip, fast): the
cache is a private file of a build directory, read only by kg, and like any pickle it must not come from
someone else.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import pickle
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import extractors
from kg import __version__
from kg.errors import SinkError
from kg.settings import Settings
from kg.types import Paper, PaperRecord

CACHE_FILE = "cache.sqlite"
SCHEMA = "CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, record BLOB NOT NULL)"
_CODE_SUFFIXES = frozenset({".py", ".json", ".jsonl", ".npz", ".cfg", ".bin", ".txt", ".md"})


def extractor_version(settings: Settings) -> str:
    """A digest of everything that decides what a paper's record is (see the module doc)."""
    h = hashlib.sha256(f"kg {__version__}\nmodel {settings.model} {_model_version(settings.model)}\n"
                       f"exclude {settings.exclude}\nmodels {settings.models}\n".encode())
    roots = [Path(extractors.__file__).parent] + ([settings.models] if settings.models else [])
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in _CODE_SUFFIXES | {""}):
            if "__pycache__" not in path.parts:
                h.update(f"{path.relative_to(root)}\n".encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:32]


def _model_version(model: str) -> str:
    try:
        return importlib.metadata.version(model.replace("_", "-"))
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return "path"


def paper_cache_key(version: str, paper: Paper) -> str:
    """The cache key of one paper under one extractor version."""
    return hashlib.sha256("\x00".join((version, paper.id, paper.title, paper.abstract)).encode()).hexdigest()


def _encode(record: PaperRecord) -> bytes:
    return zlib.compress(pickle.dumps((record.entities, record.relations, record.claims), protocol=5), 3)


def _decode(paper: Paper, blob: bytes) -> PaperRecord:
    entities, relations, claims = pickle.loads(zlib.decompress(blob))  # noqa: S301 - kg's own cache file
    return PaperRecord(paper=paper, entities=entities, relations=relations, claims=claims)


class ExtractionCache:
    """The records of one build, by paper cache key.

    Args:
        path: the SQLite file to write (created if missing).
        version: the extractor version (:func:`extractor_version`).
        previous: an earlier build's cache file whose records may be reused, or None.
    """

    def __init__(self, path: Path, version: str, previous: Path | None = None) -> None:
        self.path, self.version, self.previous = path, version, previous
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        """The connection, opened on first use."""
        if self._db is None:
            try:
                self._db = sqlite3.connect(self.path)
                self._db.execute("PRAGMA journal_mode=OFF")
                self._db.execute("PRAGMA synchronous=OFF")
                self._db.execute(SCHEMA)
            except sqlite3.Error as exc:
                raise SinkError(f"cannot open the extraction cache {self.path}: {exc}") from exc
        return self._db

    def key(self, paper: Paper) -> str:
        """The cache key of ``paper``."""
        return paper_cache_key(self.version, paper)

    def reuse(self, papers: Iterable[Paper]) -> set[str]:
        """Copy the records of ``papers`` found in the previous cache into this one.

        Returns:
            The keys found (a previous cache that cannot be read counts as empty).
        """
        keys = [self.key(p) for p in papers]
        db = self.db
        if self.previous is None or not self.previous.is_file() or self.previous.resolve() == self.path.resolve():
            return {row[0] for row in db.execute("SELECT key FROM records")}
        try:
            db.execute("CREATE TEMP TABLE wanted (key TEXT PRIMARY KEY)")
            db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((k,) for k in keys))
            db.execute("ATTACH DATABASE ? AS old", (f"file:{self.previous}?mode=ro",))
            db.execute("INSERT OR IGNORE INTO records SELECT o.key, o.record FROM old.records o "
                       "JOIN wanted w ON w.key = o.key")
            db.commit()
            db.execute("DETACH DATABASE old")
        except sqlite3.Error:
            return set()
        finally:
            db.execute("DROP TABLE IF EXISTS temp.wanted")
        return {row[0] for row in db.execute("SELECT key FROM records")}

    def put(self, records: Iterable[PaperRecord]) -> None:
        """Store freshly extracted records."""
        self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?)",
                            ((self.key(r.paper), _encode(r)) for r in records))
        self.db.commit()

    def records(self, papers: Iterable[Paper]) -> Iterator[PaperRecord]:
        """The cached records of ``papers`` in their order; papers without one (they failed) are left out."""
        cursor = self.db.cursor()
        for paper in papers:
            row = cursor.execute("SELECT record FROM records WHERE key = ?", (self.key(paper),)).fetchone()
            if row is not None:
                yield _decode(paper, row[0])

    def close(self) -> None:
        """Close the connection."""
        if self._db is not None:
            self._db.close()
            self._db = None
