"""Hypothesis fuzzing: the readers, the minting of ids, IRIs and page names, and the parsing of query parameters
never raise anything but their documented errors, whatever they are given."""

from __future__ import annotations

import json
import math
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import queries
from kg.ids import entity_key, node_iri, paper_key, slug, title_id
from kg.queries import Param, QueryError
from kg.readers import MAX_ID_CHARS, MAX_PAPER_CHARS, read_papers
from kg.schema import NodeKind
from kg.sinks.html import _page_path
from kg.types import NodeRef

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SAFE_IRI = re.compile(r"[A-Za-z0-9\-._:/%]+")
SAFE_PAGE = re.compile(r"[a-z]+/[a-z0-9_][a-z0-9._-]*\.html")
GOOD = json.dumps({"id": "good", "title": "A good paper", "abstract": "We propose a good method."})

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
RECORDS = st.dictionaries(st.sampled_from(["id", "title", "abstract", "authors", ""]), JSON_VALUES, max_size=5)
LINES = st.one_of(
    RECORDS.map(lambda r: json.dumps(r, allow_nan=True)),
    JSON_VALUES.map(lambda v: json.dumps(v, allow_nan=True)),
    st.text(max_size=200),
    st.sampled_from(["{", "[" * 100 + "]" * 100, '{"id": 1' + "0" * 5000 + "}", "\ufeff{}", "NaN", '{"id": -0.0}']),
)


def _read(name: str, data: bytes) -> None:
    """Read ``data`` as a file called ``name`` beside a good file: no exception, the good paper, limits kept."""
    with tempfile.TemporaryDirectory() as tmp:
        path, good = Path(tmp) / name, Path(tmp) / "zz-good.jsonl"
        path.write_bytes(data)
        good.write_text(GOOD + "\n", encoding="utf-8")
        result = read_papers([path, good])
    assert "good" in {p.id for p in result.papers}
    for paper in result.papers:
        assert 0 < len(paper.id) <= MAX_ID_CHARS and len(paper.text) <= MAX_PAPER_CHARS
        assert paper.title == paper.title.strip() and paper.abstract and "\x00" not in paper.text
    for problem in result.problems:
        assert problem.path == str(path) and "\n" not in problem.message


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["x.jsonl", "x.txt", "x.json"]))
def test_readers_take_any_bytes(data: bytes, name: str) -> None:
    _read(name, data)


@FUZZ
@given(st.lists(LINES, max_size=8), st.sampled_from(["\n", "\r\n"]), st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_readers_take_any_json_lines(lines: list[str], newline: str, encoding: str) -> None:
    _read("x.jsonl", newline.join(lines).encode(encoding, "surrogatepass"))


@FUZZ
@given(st.lists(st.text(max_size=400), max_size=8))
def test_readers_take_any_capture(lines: list[str]) -> None:
    _read("x.txt", "\n".join(lines).encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.text(max_size=MAX_ID_CHARS), st.text(max_size=200), st.sampled_from(list(NodeKind)))
def test_ids_iris_and_page_names_are_minted_for_any_text(paper_id: str, name: str, kind: NodeKind) -> None:
    keys = [paper_key(paper_id), entity_key(kind.value, name), f"{kind.value.lower()}:{name}"]
    for key in keys:
        iri = node_iri(key)
        assert SAFE_IRI.fullmatch(iri.removeprefix("https://")), iri
        assert SAFE_PAGE.fullmatch(_page_path(NodeRef(kind, key))), key
    assert re.fullmatch(r"t[0-9a-f]{16}", title_id(name))
    assert slug(name) and "/" not in slug(name)


PARAMS = [param for query in queries.available().values() for param in query.params]


@FUZZ
@given(st.sampled_from(PARAMS), st.one_of(st.text(max_size=60), st.integers().map(str), st.floats().map(str),
                                           st.sampled_from(["", " ", "-1", "1e400", "nan", "(", '"abc', "a,,b"])))
def test_query_parameters_are_checked_or_refused_with_one_line(param: Param, text: str) -> None:
    try:
        value = param.cast(text)
    except QueryError as exc:
        assert str(exc).startswith(f"parameter {param.name} ") and "\n" not in str(exc)
        return
    if param.type == "INTEGER":
        low, high = param.range()
        assert isinstance(value, int) and low <= value <= high
    elif param.type == "FLOAT":
        assert isinstance(value, float) and math.isfinite(value)
    elif param.type == "LIST<STRING>":
        assert value and all(item.strip() for item in value)
    elif param.type in ("STRING", "FULLTEXT"):
        assert value.strip()
    if param.type == "FULLTEXT":
        assert not re.search(r'(?<!\\)[+\-!(){}\[\]^"~*?:/&|]', value.replace("\\\\", "")), value


@FUZZ
@given(st.lists(st.text(max_size=20), max_size=5))
def test_param_assignments_parse_or_fail_with_one_line(items: list[str]) -> None:
    try:
        values = queries.parse_assignments(items)
    except QueryError as exc:
        assert "--param takes NAME=VALUE" in str(exc)
        return
    assert all(name == name.strip() and name for name in values)
