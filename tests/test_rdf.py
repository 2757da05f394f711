"""RDF export: vocabulary mapping, provenance, serializations, SHACL shapes and IRI minting."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyoxigraph
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyshacl import validate
from rdflib import RDF, RDFS, Graph, Literal, URIRef, namespace
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, PROV, SH, SKOS

from kg.errors import ConfigError, InputError
from kg.ids import DEFAULT_BASE_IRI, check_base_iri, node_iri
from kg.schema import NodeKind, Predicate
from kg.sinks.jsonl import read_triples, triple_to_json
from kg.sinks.rdf import (
    CLASSES,
    FORMATS,
    KG,
    MLS,
    ONTOLOGY_PATH,
    PROPERTIES,
    SHAPES_PATH,
    rdf_literal,
    serialize,
    to_graph,
)
from kg.types import NodeRef, Triple

FIXTURES = Path(__file__).parent / "fixtures"
KG_COMMAND = shutil.which("kg") or "kg"
TRIPLES = FIXTURES / "rdf_triples.jsonl"
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
OXIGRAPH_FORMATS = {"ttl": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
                    "jsonld": pyoxigraph.RdfFormat.JSON_LD}
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's JSON-LD parser
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-F]{2})*")


@pytest.fixture(scope="module")
def triples() -> list[Triple]:
    return read_triples(TRIPLES)


@pytest.fixture(scope="module")
def graph(triples: list[Triple]) -> Graph:
    return to_graph(triples)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_PATH)


def select(graph: Graph, query: str) -> list[tuple[Any, ...]]:
    """The rows of a SPARQL SELECT query in the namespaces of :data:`NAMESPACES`."""
    return [tuple(row) for row in graph.query(query, initNs=NAMESPACES)]  # type: ignore[arg-type]


def oxigraph_count(path: Path, fmt: str) -> int:
    return sum(1 for _ in pyoxigraph.parse(path=str(path), format=OXIGRAPH_FORMATS[fmt]))


# Vocabulary ------------------------------------------------------------------------------------------------


def test_every_node_kind_and_predicate_has_a_term() -> None:
    assert set(CLASSES) == set(NodeKind)
    assert set(PROPERTIES) == set(Predicate)
    assert len(set(PROPERTIES.values())) == len(Predicate)
    assert all(isinstance(term, URIRef) for term in [*CLASSES.values(), *PROPERTIES.values()])


def test_own_terms_are_declared_in_the_shipped_ontology(graph: Graph) -> None:
    ontology = Graph().parse(ONTOLOGY_PATH)
    used = {term for triple in graph for term in triple if isinstance(term, URIRef) and term.startswith(KG)}
    assert used
    assert {term for term in used if (term, RDF.type, None) not in ontology} == set()


def test_graph_means_what_the_hand_written_one_says() -> None:
    graph = to_graph(read_triples(FIXTURES / "rdf_tiny.jsonl"))
    expected = Graph().parse(FIXTURES / "rdf_tiny_expected.ttl")
    assert isomorphic(graph, expected), _diff(graph, expected)


def test_claim_is_a_model_evaluation_with_value_measure_dataset_and_subject(graph: Graph) -> None:
    rows = select(graph, """
        SELECT ?value ?unit ?measure ?dataset ?subject ?paper WHERE {
            ?claim a mls:ModelEvaluation ; mls:hasValue ?value ; kg:unit ?unit ; mls:specifiedBy ?measure ;
                   kg:measuredOn ?dataset ; kg:about ?subject .
            ?paper kg:reports ?claim .
        }""")
    base = DEFAULT_BASE_IRI
    assert rows == [(
        Literal(1.75), Literal("x"), URIRef(base + "metric/speedup"), URIRef(base + "dataset/imagenet"),
        URIRef(base + "method/lantern"), URIRef(base + "paper/2401.00001"))]
    assert rows[0][0].datatype == namespace.XSD.double


def test_every_triple_keeps_its_provenance(triples: list[Triple], graph: Graph) -> None:
    """Each input triple, provenance included, can be read back from the statements and their evidence."""
    rows = select(graph, """
        SELECT ?s ?p ?o ?paper ?sentence ?start ?end ?extractor ?confidence ?text WHERE {
            ?statement a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                       prov:wasDerivedFrom ?evidence .
            ?s ?p ?o .
            ?evidence prov:wasQuotedFrom ?paper ; kg:sentence ?sentence ; kg:start ?start ; kg:end ?end ;
                      kg:confidence ?confidence ; prov:value ?text ; prov:wasAttributedTo [ rdfs:label ?extractor ] .
        }""")
    found = {(s, p, o, paper, sentence.toPython(), start.toPython(), end.toPython(), str(extractor),
              confidence.toPython(), str(text)) for s, p, o, paper, sentence, start, end, extractor, confidence, text
             in rows}
    expected = set()
    for t in triples:
        o = URIRef(node_iri(t.object.key)) if isinstance(t.object, NodeRef) else _literal(t)
        v = t.provenance
        expected.add((URIRef(node_iri(t.subject.key)), PROPERTIES[t.predicate], o,
                      URIRef(node_iri("paper:" + v.paper_id)), v.sentence, v.start, v.end, v.extractor, v.confidence,
                      v.evidence))
    assert found == expected


def _literal(triple: Triple) -> Literal:
    return rdf_literal(triple.predicate, triple.object.value)  # type: ignore[union-attr]


def test_claim_is_the_output_of_an_ml_schema_run(graph: Graph) -> None:
    rows = select(graph, """
        SELECT ?claim ?dataset ?measure ?date WHERE {
            ?run a mls:Run ; mls:hasOutput ?claim ; mls:hasInput ?dataset .
            ?claim mls:specifiedBy ?measure ; kg:isResult true ; kg:higherIsBetter true .
            ?paper kg:reports ?claim ; dcterms:issued ?date .
        }""")
    base = DEFAULT_BASE_IRI
    assert rows == [(URIRef(base + "claim/2401.00001:200-204"), URIRef(base + "dataset/imagenet"),
                     URIRef(base + "metric/speedup"), Literal("2024-01", datatype=namespace.XSD.gYearMonth))]
    assert not list(graph.objects(None, MLS.executes))  # LANTERN is a method (mls:Algorithm), not run as a model


# Serializations --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_serialization_parses_back_to_the_same_graph(graph: Graph, fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"graph.{fmt}"
    serialize(graph, path, fmt)
    parsed = Graph().parse(path, format=RDFLIB_FORMATS[fmt])
    assert isomorphic(parsed, graph), _diff(parsed, graph)
    assert oxigraph_count(path, fmt) == len(graph)


def test_triples_jsonl_reads_back_unchanged() -> None:
    lines = TRIPLES.read_text(encoding="utf-8").splitlines()
    assert [json.dumps(triple_to_json(t), ensure_ascii=False) for t in read_triples(TRIPLES)] == lines


@pytest.mark.parametrize(("line", "reason"), [
    ('{"s": {"kind": "Paper", "key": "paper:1"}, "p": "uses", "o": {"kind": "Method", "key": "method:x"}}',
     "Paper -uses-> Method is not in the schema"),
    ('{"s": {"kind": "Paper", "key": "paper:1"}, "p": "title", "o": {"value": "T"}}', "missing field 'provenance'"),
    ('{"s": {"kind": "Paper", "key": "paper:1"}, "p": "title", "o": {"value": ["T"]}, "provenance": {}}',
     "is not a string, number or boolean"),
    ('{"s": {"kind": "Person", "key": "p:1"}}', "'Person' is not a valid NodeKind"),
    ("not json", "Expecting value"),
])
def test_a_broken_triples_file_is_an_error_with_its_line(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "triples.jsonl"
    path.write_text(TRIPLES.read_text(encoding="utf-8").splitlines()[0] + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"{path}:2: not a triple: ") + ".*" + re.escape(reason)):
        read_triples(path)


def test_export_rewrites_a_build_in_each_format(tmp_path: Path, graph: Graph) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "triples.jsonl").write_bytes(TRIPLES.read_bytes())
    for fmt in FORMATS:
        result = subprocess.run([KG_COMMAND, "export", "rdf", "--format", fmt, "--out", str(out)],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert isomorphic(Graph().parse(out / f"graph.{fmt}", format=RDFLIB_FORMATS[fmt]), graph)
    target = tmp_path / "elsewhere.nt"
    result = subprocess.run([KG_COMMAND, "export", "rdf", "--format", "nt", "--out", str(out), "-o", str(target),
                             "--base-iri", "urn:x:kg/"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert (URIRef("urn:x:kg/method/lantern"), RDF.type, MLS.Algorithm) in Graph().parse(target, format="nt")


def test_export_without_a_build_fails_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run([KG_COMMAND, "export", "rdf", "--out", str(tmp_path)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("kg: error: cannot read ") and result.stderr.count("\n") == 1


# SHACL -----------------------------------------------------------------------------------------------------


def test_graph_conforms_to_the_shapes(graph: Graph, shapes: Graph) -> None:
    conforms, _, report = validate(graph, shacl_graph=shapes, advanced=True)
    assert conforms, report


def test_shapes_cover_every_class_emitted(graph: Graph, shapes: Graph) -> None:
    targets = set(shapes.objects(None, SH.targetClass))
    assert set(graph.objects(None, RDF.type)) <= targets
    assert len(targets) >= 5


BROKEN = [  # (case, SPARQL update that breaks the graph, class of a node the report must name)
    ("entity without a name", "DELETE WHERE { ?e skos:prefLabel 'LANTERN' }", MLS.Algorithm),
    ("dataset with a relation only methods and models have",
     "INSERT { ?d kg:uses ?m } WHERE { ?d a mls:Dataset . ?m a mls:Algorithm }", MLS.Dataset),
    ("method evaluated on a method", "INSERT { ?m kg:evaluatedOn ?m } WHERE { ?m a mls:Algorithm }", MLS.Algorithm),
    ("paper with two titles", "INSERT { ?p dcterms:title 'Another' } WHERE { ?p a schema:ScholarlyArticle }",
     namespace.SDO.ScholarlyArticle),
    ("claim value as a string",
     "DELETE { ?c mls:hasValue ?v } INSERT { ?c mls:hasValue '1.75' } WHERE { ?c mls:hasValue ?v }",
     MLS.ModelEvaluation),
    ("claim direction outside the list",
     "DELETE { ?c kg:direction ?v } INSERT { ?c kg:direction 'sideways' } WHERE { ?c kg:direction ?v }",
     MLS.ModelEvaluation),
    ("claim no paper reports", "DELETE WHERE { ?p kg:reports ?c }", MLS.ModelEvaluation),
    ("claim no run outputs", "DELETE WHERE { ?r mls:hasOutput ?c }", MLS.ModelEvaluation),
    ("result flag as a string",
     "DELETE { ?c kg:isResult ?v } INSERT { ?c kg:isResult 'yes' } WHERE { ?c kg:isResult ?v }", MLS.ModelEvaluation),
    ("paper date that is no date",
     "DELETE { ?p dcterms:issued ?d } INSERT { ?p dcterms:issued 'soon' } WHERE { ?p dcterms:issued ?d }",
     namespace.SDO.ScholarlyArticle),
    ("entity without its key",
     "DELETE { ?e dcterms:identifier ?k } WHERE { ?e a mls:Dataset ; dcterms:identifier ?k }", MLS.Dataset),
    ("evidence that ends before it starts",
     "DELETE { ?e kg:end ?v } INSERT { ?e kg:end -1 } WHERE { ?e kg:end ?v }", KG.Evidence),
    ("confidence above one",
     "DELETE { ?e kg:confidence ?v } INSERT { ?e kg:confidence '1.5'^^xsd:double } WHERE { ?e kg:confidence ?v }",
     KG.Evidence),
    ("evidence of no paper", "DELETE WHERE { ?e prov:wasQuotedFrom ?p }", KG.Evidence),
    ("extractor without a name", "DELETE WHERE { ?a rdfs:label ?l }", PROV.SoftwareAgent),
    ("statement of a triple not in the graph", "DELETE WHERE { ?m kg:evaluatedOn ?d }", RDF.Statement),
]
NAMESPACES = {"kg": KG, "mls": MLS, "schema": namespace.SDO, "dcterms": DCTERMS, "skos": SKOS, "prov": PROV,
              "xsd": namespace.XSD, "rdfs": RDFS}


@pytest.mark.parametrize(("case", "update", "cls"), BROKEN, ids=[case for case, _, _ in BROKEN])
def test_shapes_report_a_broken_graph(graph: Graph, shapes: Graph, case: str, update: str, cls: URIRef) -> None:
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    broken.update(update, initNs=NAMESPACES)
    assert set(broken) != set(graph)
    conforms, report, text = validate(broken, shacl_graph=shapes, advanced=True)
    assert not conforms
    focus = set(report.objects(None, SH.focusNode))
    assert focus & set(broken.subjects(RDF.type, cls)), text


# IRIs ------------------------------------------------------------------------------------------------------

KEYS = st.text(alphabet=st.characters(exclude_categories=()), max_size=40)
"""Any key, lone surrogates included (JSON input can carry them)."""


def _key_of(iri: str, base: str = DEFAULT_BASE_IRI) -> str:
    segments = iri.removeprefix(base).split("/")
    return ":".join(unquote(s, errors="surrogatepass") for s in segments)


@settings(max_examples=300)
@given(KEYS)
def test_node_iri_is_a_valid_iri_that_gives_back_its_key(key: str) -> None:
    iri = node_iri(key)
    assert URI.fullmatch(iri), iri
    assert pyoxigraph.NamedNode(iri).value == iri
    assert _key_of(iri) == key
    assert "/./" not in iri + "/" and "/../" not in iri + "/"


@settings(max_examples=60, deadline=None)
@given(KEYS.map(lambda k: k.encode("utf-8", "replace").decode("utf-8")), st.text(max_size=60))
def test_any_key_and_text_survive_every_format(key: str, text: str) -> None:
    graph = Graph()
    graph.bind("paper", DEFAULT_BASE_IRI + "paper/")
    graph.add((URIRef(node_iri("paper:" + key)), DCTERMS.title, Literal(text)))
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in FORMATS:
            path = Path(tmp) / f"graph.{fmt}"
            serialize(graph, path, fmt)
            data = path.read_text(encoding="utf-8")
            assert set(Graph().parse(path, format=RDFLIB_FORMATS[fmt])) == set(graph), (fmt, data)
            (parsed,) = pyoxigraph.parse(path=str(path), format=OXIGRAPH_FORMATS[fmt])
            assert (parsed.subject.value, parsed.object.value) == (node_iri("paper:" + key), text), (fmt, data)


@pytest.mark.parametrize("base", ["https://kg.example.org/id/", "urn:kg:x/", "http://example.org/kg#"])
def test_a_base_iri_can_be_configured(base: str, triples: list[Triple]) -> None:
    graph = to_graph(triples, base=base)
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    assert subjects and all(s.startswith(base) for s in subjects)


@pytest.mark.parametrize("base", ["", "kg/", "https://kg.example.org/id", "http://x y/", "http://x/<y>/", "mailto"])
def test_an_unusable_base_iri_is_refused(base: str) -> None:
    with pytest.raises(ConfigError, match="base IRI"):
        check_base_iri(base)


def _diff(a: Graph, b: Graph) -> str:
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    return f"only in the first: {sorted(only_a)[:5]}; only in the second: {sorted(only_b)[:5]}"
