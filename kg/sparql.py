"""Canned SPARQL queries (``queries/*.rq``) run offline on a build's RDF in an embedded store (pyoxigraph).

Each ``.rq`` file has the header of the ``.cypher`` files as ``#`` comments (name, description, typed
parameters; see :mod:`kg.queries`) and most are twins of the Cypher query of the same name: the same parameters,
the same columns, the same rows. One more header line is SPARQL's own:

    # list: papers

names the columns that are lists: GROUP_CONCAT-ed with the separator U+001F in the query, returned as lists
(Oxigraph keeps the order of a sorted subquery in GROUP_CONCAT, and the twins' tests check it).

Parameter values are written into the query as RDF terms that pyoxigraph serializes (strings quoted and escaped,
so a value can never become query text): ``$name`` stands for the term; an INTEGER is a bare integer (so
``LIMIT $limit`` works), a LIST<STRING> a space-separated list of strings for a ``VALUES ?x { $name }`` block.
Result terms become Python values: numbers, booleans and strings; an unbound variable is None.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph

from kg.errors import InputError
from kg.queries import QUERY_DIR, CannedQuery, QueryError, parse

LIST_SEPARATOR = "\u001f"
"""Separator of the items of a list column (GROUP_CONCAT's ``separator``)."""

GRAPH_FILES = ("graph.nt", "graph.nt.gz", "graph.ttl", "graph.jsonld")
"""The build's RDF files, fastest to read first."""

_FORMATS = {".nt": pyoxigraph.RdfFormat.N_TRIPLES, ".ttl": pyoxigraph.RdfFormat.TURTLE,
            ".jsonld": pyoxigraph.RdfFormat.JSON_LD}
_LIST = re.compile(r"^#\s*list:\s*(.+?)\s*$", re.MULTILINE)
_NAME = re.compile(r"\s*#\s*name:")
_VARIABLE = re.compile(r"\$(\w+)")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMBERS: dict[str, Callable[[str], int | float]] = {
    _XSD + "integer": int, _XSD + "int": int, _XSD + "long": int, _XSD + "double": float, _XSD + "float": float,
    _XSD + "decimal": lambda text: float(Decimal(text))}


@dataclass(frozen=True, slots=True)
class SparqlQuery:
    """One ``.rq`` file: its header (as a :class:`~kg.queries.CannedQuery`) and its list columns."""

    query: CannedQuery
    lists: frozenset[str]

    @property
    def name(self) -> str:
        """The query's name."""
        return self.query.name

    def text(self, values: Mapping[str, str]) -> str:
        """The query with its parameters written in as RDF terms.

        Raises:
            QueryError: an unknown parameter or a value that does not cast; ``$x`` with no parameter ``x``.
        """
        bound = self.query.bind(values)
        if not self.query.params:
            return self.query.text
        types = {p.name: p.type for p in self.query.params}

        def term(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in bound:
                raise QueryError(f"query {self.name} uses ${name} but declares no such parameter")
            value = bound[name]
            if types[name] == "INTEGER":
                return str(int(value))
            if types[name] == "LIST<STRING>":
                return " ".join(str(pyoxigraph.Literal(item)) for item in value)
            return str(pyoxigraph.Literal(value))

        return _VARIABLE.sub(term, self.query.text)


def read(path: Path) -> SparqlQuery:
    """A ``.rq`` file; one without a header is a query without parameters named after the file.

    Raises:
        QueryError: the header is malformed.
        InputError: the file cannot be read.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    query = parse(path) if _NAME.match(text) else CannedQuery(path.stem, "", (), text)
    lists = frozenset(c.strip() for line in _LIST.findall(text) for c in line.split(",") if c.strip())
    return SparqlQuery(query, lists)


def available(directory: Path = QUERY_DIR) -> dict[str, SparqlQuery]:
    """Every canned SPARQL query by name, sorted by name."""
    return {q.name: q for q in map(read, sorted(directory.glob("*.rq")))}


def get(name: str, directory: Path = QUERY_DIR) -> SparqlQuery:
    """The canned query called ``name``, or the query in the file ``name`` (a path ending in ``.rq``).

    Raises:
        QueryError: no such query (the message lists the known ones).
    """
    if name.endswith(".rq") and Path(name).is_file():
        return read(Path(name))
    path = directory / f"{name}.rq"
    if not re.fullmatch(r"\w+", name) or not path.is_file():
        raise QueryError(f"unknown SPARQL query {name!r} (a name or a .rq file); known queries: "
                         f"{', '.join(available(directory))}")
    return read(path)


def open_store(out_dir: Path) -> pyoxigraph.Store:
    """An in-memory store holding a build's RDF graph (``DIR/graph.nt`` or ``graph.nt.gz``, else ``.ttl`` or
    ``.jsonld``).

    Raises:
        InputError: the build has no RDF graph, or it cannot be read.
    """
    path = next((out_dir / name for name in GRAPH_FILES if (out_dir / name).is_file()), None)
    if path is None:
        raise InputError(f"no RDF graph in {out_dir} ({', '.join(GRAPH_FILES)}): run kg build first")
    store = pyoxigraph.Store()
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                store.bulk_load(fh, format=_FORMATS[Path(path.stem).suffix])
        else:
            store.bulk_load(path=str(path), format=_FORMATS[path.suffix])
    except (OSError, EOFError, SyntaxError, ValueError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    return store


def run(query: SparqlQuery, values: Mapping[str, str], store: pyoxigraph.Store) -> list[dict[str, Any]]:
    """Run a SELECT query with its parameters; every row as a dict in the query's column order.

    Raises:
        QueryError: a bad parameter, or a query that is not a valid SPARQL SELECT.
    """
    text = query.text(values)
    try:
        solutions = store.query(text)
    except SyntaxError as exc:
        raise QueryError(f"query {query.name} is not valid SPARQL: {exc}") from exc
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise QueryError(f"query {query.name} is not a SELECT query")
    columns = [v.value for v in solutions.variables]
    return [{c: _value(solution[c], c in query.lists) for c in columns} for solution in solutions]


def _value(term: Any, is_list: bool) -> Any:
    if term is None:
        return [] if is_list else None
    if is_list:
        return [item for item in term.value.split(LIST_SEPARATOR) if item]
    if isinstance(term, pyoxigraph.Literal):
        datatype = term.datatype.value
        if datatype in _NUMBERS:
            return _NUMBERS[datatype](term.value)
        if datatype == _XSD + "boolean":
            return term.value in ("true", "1")
    return term.value
