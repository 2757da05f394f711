"""The streamed N-Triples writer makes the graph rdflib makes from the same triples."""

from __future__ import annotations

import gzip
import io
from itertools import groupby
from pathlib import Path

import pytest
from rdflib import Graph

from kg.sinks.jsonl import read_triples
from kg.sinks.ntriples import NTriplesWriter, literal, open_text
from kg.sinks.rdf import to_graph

FIXTURES = Path(__file__).parent / "fixtures"


def _streamed(triples: list, base: str = "https://kg.example.org/id/") -> str:
    buffer = io.StringIO()
    writer = NTriplesWriter(buffer, base)
    for _, group in groupby(triples, key=lambda t: t.provenance.paper_id):
        writer.write(list(group))
    return buffer.getvalue()


def test_streamed_graph_equals_rdflib_graph() -> None:
    triples = read_triples(FIXTURES / "rdf_triples.jsonl")
    streamed = Graph().parse(data=_streamed(triples), format="nt")
    expected = to_graph(triples)
    assert len(streamed) == len(expected) > 300
    assert set(streamed) == set(expected)


@pytest.mark.parametrize(("value", "text"), [
    (1.75, '"1.75"^^<http://www.w3.org/2001/XMLSchema#double>'),
    (3, '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    (True, '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'),
    ('say "hi"\\\n', '"say \\"hi\\"\\\\\\n"'),
])
def test_literals_use_rdflib_lexical_forms(value: object, text: str) -> None:
    assert literal(value) == text  # type: ignore[arg-type]
    assert len(Graph().parse(data=f"<urn:a> <urn:b> {text} .", format="nt")) == 1


def test_gz_names_are_compressed(tmp_path: Path) -> None:
    with open_text(tmp_path / "g.nt.gz") as fh:
        NTriplesWriter(fh, "https://kg.example.org/id/").write(read_triples(FIXTURES / "rdf_triples.jsonl")[:5])
    text = gzip.decompress((tmp_path / "g.nt.gz").read_bytes()).decode()
    assert len(Graph().parse(data=text, format="nt")) > 5
