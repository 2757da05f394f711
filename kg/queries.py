"""Canned Cypher queries: ``queries/*.cypher`` loaded by name, typed parameters, table or JSON output.

Each file starts with a header of ``//`` comment lines::

    // name: leaderboard
    // description: ranked claims for a dataset and a metric, best first
    // param: dataset STRING ImageNet — dataset name, alias or key
    // param: limit INTEGER 20 — most rows

A parameter line gives the name, the type (``STRING``, ``INTEGER``, ``FLOAT``, ``BOOLEAN`` or ``LIST<STRING>``,
written comma-separated), the default (everything up to the `` — ``) and a description. Values reach the
server only as driver parameters, cast to the declared type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import RoutingControl

from kg.errors import KGError
from kg.neo4j_server import Neo4jSettings
from kg.sinks.neo4j import connect

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
"""Where the canned queries live (beside the ``kg`` package, shipped with it)."""

_HEADER = re.compile(r"^(?://|#)\s*(name|description|param):\s*(.*?)\s*$")  # // in .cypher, # in .rq files
_PARAM = re.compile(r"^(\w+)\s+(STRING|INTEGER|FLOAT|BOOLEAN|LIST<STRING>)\s+(.*?)\s+—\s+(.+)$")
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}
_CELL_WIDTH = 60


class QueryError(KGError):
    """A canned query is unknown, malformed, or given a bad parameter."""


def _boolean(text: str) -> bool:
    if text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    raise ValueError(text)


_CASTS: dict[str, Callable[[str], Any]] = {
    "STRING": str,
    "INTEGER": int,
    "FLOAT": float,
    "BOOLEAN": _boolean,
    "LIST<STRING>": lambda text: [part.strip() for part in text.split(",") if part.strip()],
}


@dataclass(frozen=True, slots=True)
class Param:
    """A declared parameter: name, Cypher type, default (as written) and description."""

    name: str
    type: str
    default: str
    description: str

    def cast(self, text: str) -> Any:
        """The value of ``text`` as this parameter's type.

        Raises:
            QueryError: ``text`` is not a value of the type.
        """
        try:
            return _CASTS[self.type](text)
        except ValueError as exc:
            raise QueryError(f"parameter {self.name} takes {self.type} values, not {text!r}") from exc


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
        if param is None:
            raise QueryError(f"{path}: bad parameter line {value!r} (want: NAME TYPE DEFAULT — DESCRIPTION)")
        params.append(Param(*param.groups()))
    if fields.get("name") != path.stem or not fields.get("description"):
        raise QueryError(f"{path}: the header needs '// name: {path.stem}' and '// description: ...'")
    query = CannedQuery(fields["name"], fields["description"], tuple(params), text)
    for p in params:
        p.cast(p.default)
    return query


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
        SinkError: the server cannot be reached.
    """
    parameters = query.bind(values)
    with connect(settings) as driver:
        records = driver.execute_query(query.text, parameters, routing_=RoutingControl.READ).records
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
