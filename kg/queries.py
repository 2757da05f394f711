"""Canned Cypher queries: ``queries/*.cypher`` loaded by name, typed and checked parameters, table or JSON output.

Each file starts with a header of ``//`` comment lines::

    // name: leaderboard
    // description: ranked claims for a dataset and a metric, best first
    // param: dataset STRING ImageNet — dataset name, alias or key
    // param: direction STRING(absolute|higher|lower) absolute — which claims
    // param: limit INTEGER(1..1000) 20 — most rows

A parameter line gives the name, the type, the default (everything up to the `` — ``) and a description. The
types are ``STRING``, ``INTEGER``, ``FLOAT``, ``BOOLEAN``, ``LIST<STRING>`` (written comma-separated) and
``FULLTEXT`` (a string searched in a full-text index, whose Lucene query characters are escaped so that the text
is matched as words). A type may be followed by a range, ``(LOW..HIGH)`` for numbers, or choices, ``(a|b|c)``
for strings. Every value is checked before it is sent: numbers are in range (an undeclared integer range is the
driver's, 0 to 2**63 - 1, and floats are finite), strings and list items are non-empty and at most
:data:`MAX_TEXT` characters. Values reach the server only as driver parameters.

The files are package data (``kg/data/queries`` links to ``queries/`` in a source tree), found with
:mod:`importlib.resources`.
"""

from __future__ import annotations

import importlib.resources
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import RoutingControl
from neo4j.exceptions import DriverError, Neo4jError

from kg.errors import SinkError, UsageError
from kg.neo4j_server import Neo4jSettings
from kg.sinks.neo4j import connect

QUERY_DIR = Path(str(importlib.resources.files("kg") / "data" / "queries"))
"""Where the canned queries live (package data of ``kg``)."""

MAX_TEXT = 1000
"""Longest string parameter value, and longest item of a list."""

MAX_ITEMS = 100
"""Most items of a list parameter."""

_HEADER = re.compile(r"^(?://|#)\s*(name|description|param):\s*(.*?)\s*$")  # // in .cypher, # in .rq files
_PARAM = re.compile(r"^(\w+)\s+(STRING|INTEGER|FLOAT|BOOLEAN|LIST<STRING>|FULLTEXT)(?:\(([^()]*)\))?"
                    r"\s+(.*?)\s+—\s+(.+)$")
_RANGE = re.compile(r"^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)$")
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}
_INT64 = (0, 2**63 - 1)
_CELL_WIDTH = 60


class QueryError(UsageError):
    """A canned query is unknown, malformed, or given a bad parameter."""


def escape_fulltext(text: str) -> str:
    """``text`` as a Lucene query that matches its words: query characters escaped, ``AND``/``OR``/``NOT`` lower-cased
    (the index's analyzer lower-cases anyway)."""
    return _LUCENE_SPECIAL.sub(r"\\\1", text.lower())


def _boolean(text: str) -> bool:
    if text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    raise ValueError(text)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _items(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


_CASTS: dict[str, Callable[[str], Any]] = {
    "STRING": str,
    "FULLTEXT": str,
    "INTEGER": int,
    "FLOAT": _finite,
    "BOOLEAN": _boolean,
    "LIST<STRING>": _items,
}

_KINDS = {"STRING": "text", "FULLTEXT": "text", "INTEGER": "a whole number", "FLOAT": "a finite number",
          "BOOLEAN": "true or false", "LIST<STRING>": "comma-separated text"}


@dataclass(frozen=True, slots=True)
class Param:
    """A declared parameter: name, type, default (as written), description, and its range or choices.

    Attributes:
        bounds: ``"LOW..HIGH"`` for a number, ``"a|b|c"`` for a string, "" when undeclared.
    """

    name: str
    type: str
    default: str
    description: str
    bounds: str = ""

    def cast(self, text: str) -> Any:
        """The value of ``text`` as this parameter's type, checked.

        Raises:
            QueryError: ``text`` is not a value of the type, is out of range, empty or too long (the message
                names the parameter).
        """
        shown = repr(text if len(text) <= 40 else text[:39] + "…")
        try:
            value = _CASTS[self.type](text.strip())
        except ValueError as exc:
            raise QueryError(f"parameter {self.name} takes {_KINDS[self.type]}, not {shown}") from exc
        if self.type == "BOOLEAN":
            return value
        if self.type in ("INTEGER", "FLOAT"):
            low, high = self.range()
            if not low <= value <= high:
                raise QueryError(f"parameter {self.name} takes {_KINDS[self.type]} from {low} to {high}, not {shown}")
            return value
        texts = value if isinstance(value, list) else [value]
        if not texts or not all(texts):
            raise QueryError(f"parameter {self.name} needs a non-empty value")
        if len(texts) > MAX_ITEMS or any(len(t) > MAX_TEXT for t in texts):
            raise QueryError(f"parameter {self.name} takes at most {MAX_ITEMS} values of at most {MAX_TEXT} "
                             f"characters, not {shown}")
        if self.bounds and value not in self.bounds.split("|"):
            raise QueryError(f"parameter {self.name} takes one of {', '.join(self.bounds.split('|'))}, not {shown}")
        return escape_fulltext(value) if self.type == "FULLTEXT" else value

    def range(self) -> tuple[float, float]:
        """The declared range of a number parameter, else the driver's integer range or all finite floats."""
        match = _RANGE.match(self.bounds)
        if match is not None:
            low, high = match.groups()
            return (int(low), int(high)) if self.type == "INTEGER" else (float(low), float(high))
        return _INT64 if self.type == "INTEGER" else (-math.inf, math.inf)


@dataclass(frozen=True, slots=True)
class CannedQuery:
    """One ``.cypher`` file: its header and its text."""

    name: str
    description: str
    params: tuple[Param, ...]
    text: str

    def bind(self, values: Mapping[str, str]) -> dict[str, Any]:
        """Every parameter cast to its type: the given text, else the default.

        Raises:
            QueryError: a name that is not a parameter of the query, or a value that does not cast.
        """
        known = {p.name for p in self.params}
        unknown = sorted(set(values) - known)
        if unknown:
            raise QueryError(f"query {self.name} has no parameter {', '.join(unknown)} "
                             f"(parameters: {', '.join(sorted(known)) or 'none'})")
        return {p.name: p.cast(values.get(p.name, p.default)) for p in self.params}


def parse(path: Path) -> CannedQuery:
    """Read one ``.cypher`` file.

    Raises:
        QueryError: the header lacks a name or description, a parameter line is malformed, or the name is not
            the file's stem.
    """
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        match = _HEADER.match(line)
        if match is None:
            if line.startswith(("//", "#")):
                continue
            break
        key, value = match.groups()
        if key != "param":
            fields[key] = value
            continue
        param = _PARAM.match(value)
        if param is None or not _bounds_fit(param[2], param[3] or ""):
            raise QueryError(f"{path}: bad parameter line {value!r} (want: NAME TYPE[(LOW..HIGH) or (a|b)] DEFAULT "
                             "— DESCRIPTION)")
        name, kind, bounds, default, description = param.groups()
        params.append(Param(name, kind, default, description, bounds or ""))
    if fields.get("name") != path.stem or not fields.get("description"):
        raise QueryError(f"{path}: the header needs '// name: {path.stem}' and '// description: ...'")
    query = CannedQuery(fields["name"], fields["description"], tuple(params), text)
    for p in params:
        p.cast(p.default)
    return query


def _bounds_fit(kind: str, bounds: str) -> bool:
    """Whether a declared range or choice list suits the type (ranges for numbers, choices for strings)."""
    if not bounds:
        return True
    if kind in ("INTEGER", "FLOAT"):
        match = _RANGE.match(bounds)
        return match is not None and (kind == "FLOAT" or "." not in bounds.replace("..", ""))
    return kind == "STRING" and all(choice.strip() for choice in bounds.split("|"))


def available(directory: Path = QUERY_DIR) -> dict[str, CannedQuery]:
    """Every canned query by name, sorted by name."""
    return {q.name: q for q in map(parse, sorted(directory.glob("*.cypher")))}


def get(name: str, directory: Path = QUERY_DIR) -> CannedQuery:
    """The canned query called ``name``.

    Raises:
        QueryError: no such query (the message lists the known ones).
    """
    path = directory / f"{name}.cypher"
    if not re.fullmatch(r"\w+", name) or not path.is_file():
        raise QueryError(f"unknown query {name!r}; known queries: {', '.join(available(directory))}")
    return parse(path)


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    """``["k=v", ...]`` -> ``{"k": "v"}``.

    Raises:
        QueryError: an item without ``=``.
    """
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param takes NAME=VALUE, not {item!r}")
        values[key.strip()] = value
    return values


def run(query: CannedQuery, values: Mapping[str, str], settings: Neo4jSettings) -> list[dict[str, Any]]:
    """Run a canned query, read-only, with its parameters cast; every row as a dict in the query's column order.

    Raises:
        QueryError: a bad parameter.
        SinkError: the server cannot be reached or the query fails there.
    """
    parameters = query.bind(values)
    with connect(settings) as driver:
        try:
            records = driver.execute_query(query.text, parameters, routing_=RoutingControl.READ).records
        except (Neo4jError, DriverError) as exc:
            reason = " ".join(str(getattr(exc, "message", None) or exc).split())[:300]
            raise SinkError(f"query {query.name} failed on the server: {reason}") from exc
    return [record.data() for record in records]


def to_json(rows: list[dict[str, Any]]) -> str:
    """The rows as a JSON list of objects."""
    return json.dumps(rows, ensure_ascii=False, indent=2, default=str)


def to_table(rows: list[dict[str, Any]]) -> str:
    """The rows as an aligned text table; long cells are cut to 60 characters."""
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        text = ""
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, list):
        text = ", ".join(_cell(v) for v in value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= _CELL_WIDTH else text[:_CELL_WIDTH - 1] + "…"
