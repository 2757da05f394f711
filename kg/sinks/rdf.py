"""Triples -> an rdflib Graph in standard vocabularies -> Turtle, N-Triples and JSON-LD.

Papers are schema.org ``ScholarlyArticle`` with DCTerms title, abstract, date and identifier; entities and claims
are W3C ML Schema classes (``mls:Algorithm``, ``mls:Implementation``, ``mls:Dataset``, ``mls:Task``,
``mls:EvaluationMeasure``, ``mls:ModelEvaluation``) named with SKOS labels and identified by their node key
(``dcterms:identifier``); the few terms these lack come from kg's own ontology (``kg/data/ontology.ttl``).

Each claim is also the output of an ``mls:Run`` (``run:<claim>``), ML Schema's account of an evaluation: the
run ``mls:hasOutput`` the claim, ``mls:hasInput`` the dataset it was measured on, and ``mls:executes`` the
model (an ``mls:Implementation``) it is about.

Provenance: each distinct triple is also an ``rdf:Statement`` that is ``prov:wasDerivedFrom`` one
``kg:Evidence`` per :class:`~kg.types.Provenance` it was read from (the text, its paper, sentence and span,
the extractor as a ``prov:SoftwareAgent`` and its confidence). Statement, evidence and extractor IRIs are
minted from keys (``statement:<digest>``, ``evidence:<digest>``, ``extractor:<name>``) like node IRIs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SDO, SKOS

from kg.errors import SinkError
from kg.ids import DEFAULT_BASE_IRI, check_base_iri, digest, node_iri, paper_key
from kg.schema import NodeKind, Predicate
from kg.types import NodeRef, Provenance, Triple

KG = Namespace("https://kg.example.org/ontology#")
MLS = Namespace("http://www.w3.org/ns/mls#")
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ONTOLOGY_PATH = DATA_DIR / "ontology.ttl"
SHAPES_PATH = DATA_DIR / "shapes.ttl"

CLASSES: dict[NodeKind, URIRef] = {
    NodeKind.PAPER: SDO.ScholarlyArticle,
    NodeKind.METHOD: MLS.Algorithm,
    NodeKind.MODEL: MLS.Implementation,
    NodeKind.DATASET: MLS.Dataset,
    NodeKind.TASK: MLS.Task,
    NodeKind.METRIC: MLS.EvaluationMeasure,
    NodeKind.CLAIM: MLS.ModelEvaluation,
}
"""The RDF class of each node kind."""

PROPERTIES: dict[Predicate, URIRef] = {
    Predicate.EVALUATED_ON: KG.evaluatedOn,
    Predicate.ADDRESSES: KG.addresses,
    Predicate.OUTPERFORMS: KG.outperforms,
    Predicate.USES: KG.uses,
    Predicate.MENTIONS: SDO.mentions,
    Predicate.PROPOSES: KG.proposes,
    Predicate.REPORTS: KG.reports,
    Predicate.ABOUT: KG.about,
    Predicate.MEASURED_ON: KG.measuredOn,
    Predicate.MEASURES: MLS.specifiedBy,
    Predicate.TITLE: DCTERMS.title,
    Predicate.ABSTRACT: DCTERMS.abstract,
    Predicate.DATE: DCTERMS.issued,
    Predicate.NAME: SKOS.prefLabel,
    Predicate.ALIAS: SKOS.altLabel,
    Predicate.VALUE: MLS.hasValue,
    Predicate.VALUE_TEXT: KG.valueText,
    Predicate.UNIT: KG.unit,
    Predicate.METRIC: KG.metricText,
    Predicate.DIRECTION: KG.direction,
    Predicate.BASELINE: KG.baseline,
    Predicate.EVIDENCE: KG.evidenceText,
    Predicate.HIGHER_IS_BETTER: KG.higherIsBetter,
    Predicate.IS_RESULT: KG.isResult,
    Predicate.SETTING: KG.setting,
    Predicate.SUBSET: KG.subset,
    Predicate.RESOLUTION: KG.resolution,
    Predicate.SPLIT: KG["split"],  # KG.split is str.split: Namespace is a str
    Predicate.SHOTS: KG.shots,
}
"""The RDF property of each predicate."""

RUN_PROPERTIES: dict[Predicate, URIRef] = {Predicate.MEASURED_ON: MLS.hasInput, Predicate.ABOUT: MLS.executes}
"""Claim triples that also describe the claim's run (``about`` only for a model), and the run's property."""

FORMATS: dict[str, str] = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
"""File extension -> rdflib serializer."""

_VOCABULARIES = {"kg": KG, "mls": MLS, "schema": SDO, "dcterms": DCTERMS, "skos": SKOS, "prov": PROV}
_MINTED = ("paper", "method", "model", "dataset", "task", "metric", "claim", "run", "statement", "evidence",
           "extractor")


class _Minter:
    """IRIs of nodes, statements, evidence and extractors under one base, each minted once."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._iris: dict[str, URIRef] = {}

    def __call__(self, key: str) -> URIRef:
        iri = self._iris.get(key)
        if iri is None:
            iri = self._iris[key] = URIRef(node_iri(key, self.base))
        return iri


def to_graph(triples: Iterable[Triple], *, base: str = DEFAULT_BASE_IRI) -> Graph:
    """The RDF graph of ``triples``: the triples themselves, node classes, and provenance (see module doc).

    Args:
        triples: typed triples, e.g. from :func:`kg.triples.build_triples`.
        base: namespace of the minted IRIs (an absolute IRI ending in ``/`` or ``#``).

    Raises:
        ConfigError: ``base`` is not a usable namespace.
    """
    mint = _Minter(check_base_iri(base))
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in _VOCABULARIES.items():
        graph.bind(prefix, namespace)
    for prefix in _MINTED:
        graph.bind(prefix, mint.base + prefix + "/")
    evidence: dict[Provenance, URIRef] = {}
    for triple in triples:
        subject = _node(graph, mint, triple.subject)
        predicate = PROPERTIES[triple.predicate]
        if isinstance(triple.object, NodeRef):
            obj: URIRef | Literal = _node(graph, mint, triple.object)
            object_id: tuple[str, str | int | float | bool] = ("node", triple.object.key)
        else:
            value = triple.object.value
            obj = rdf_literal(triple.predicate, value)
            object_id = ("literal", value)
        graph.add((subject, predicate, obj))
        if isinstance(triple.object, NodeRef) and triple.object.kind is NodeKind.CLAIM:
            run = mint("run:" + triple.object.key.removeprefix("claim:"))
            graph.add((run, RDF.type, MLS.Run))
            graph.add((run, MLS.hasOutput, obj))
        elif triple.predicate in RUN_PROPERTIES and isinstance(triple.object, NodeRef) \
                and (triple.predicate is Predicate.MEASURED_ON or triple.object.kind is NodeKind.MODEL):
            run = mint("run:" + triple.subject.key.removeprefix("claim:"))
            graph.add((run, RUN_PROPERTIES[triple.predicate], obj))
        statement = mint("statement:" + digest(json.dumps([triple.subject.key, triple.predicate, *object_id]), 16))
        source = evidence.get(triple.provenance)
        if source is None:
            source = evidence[triple.provenance] = _evidence(graph, mint, triple.provenance)
        graph.add((statement, RDF.type, RDF.Statement))
        graph.add((statement, RDF.subject, subject))
        graph.add((statement, RDF.predicate, predicate))
        graph.add((statement, RDF.object, obj))
        graph.add((statement, PROV.wasDerivedFrom, source))
    return graph


def _node(graph: Graph, mint: _Minter, ref: NodeRef) -> URIRef:
    iri = mint(ref.key)
    graph.add((iri, RDF.type, CLASSES[ref.kind]))
    graph.add((iri, DCTERMS.identifier, Literal(ref.key.removeprefix("paper:") if ref.kind is NodeKind.PAPER
                                                else ref.key)))
    return iri


def rdf_literal(predicate: Predicate, value: str | int | float | bool) -> Literal:
    """A literal object: claim values as doubles, paper dates as ``xsd:date`` or ``xsd:gYearMonth``."""
    if predicate is Predicate.VALUE:
        return Literal(float(value))
    if predicate is Predicate.DATE:
        return Literal(value, datatype=XSD.date if len(str(value)) == 10 else XSD.gYearMonth)
    return Literal(value)


def _evidence(graph: Graph, mint: _Minter, provenance: Provenance) -> URIRef:
    p = provenance
    iri = mint("evidence:" + digest(json.dumps([p.paper_id, p.sentence, p.start, p.end, p.extractor,
                                                p.confidence, p.evidence]), 16))
    agent = mint("extractor:" + p.extractor)
    graph.add((iri, RDF.type, KG.Evidence))
    graph.add((iri, PROV.value, Literal(p.evidence)))
    graph.add((iri, PROV.wasQuotedFrom, mint(paper_key(p.paper_id))))
    graph.add((iri, KG.sentence, Literal(int(p.sentence))))
    graph.add((iri, KG.start, Literal(int(p.start))))
    graph.add((iri, KG.end, Literal(int(p.end))))
    graph.add((iri, KG.confidence, Literal(float(p.confidence))))
    graph.add((iri, PROV.wasAttributedTo, agent))
    graph.add((agent, RDF.type, PROV.SoftwareAgent))
    graph.add((agent, RDFS.label, Literal(p.extractor)))
    return iri


def serialize(graph: Graph, path: Path, fmt: str) -> None:
    """Write ``graph`` to ``path`` in ``fmt`` (a key of :data:`FORMATS`), atomically.

    JSON-LD gets an inline context of the graph's prefixes, so reading it needs no network.

    Raises:
        SinkError: the file cannot be written.
    """
    options: dict[str, Any] = {}
    if fmt == "jsonld":
        options = {"context": {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix},
                   "auto_compact": True}
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        graph.serialize(tmp, format=FORMATS[fmt], encoding="utf-8", **options)
        tmp.replace(path)
    except OSError as exc:
        raise SinkError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)  # after a failure or an interrupt; gone already after the rename


def write_rdf(triples: Iterable[Triple], out_dir: Path, *, base: str = DEFAULT_BASE_IRI) -> dict[str, Path]:
    """Write ``graph.ttl``, ``graph.nt``, ``graph.jsonld``, and the ``shapes.ttl`` and ``ontology.ttl`` they follow.

    Returns:
        Each output's name and path.

    Raises:
        ConfigError: ``base`` is not a usable namespace.
        SinkError: a file cannot be written.
    """
    graph = to_graph(triples, base=base)
    outputs = {}
    for fmt in FORMATS:
        outputs[f"rdf {fmt}"] = out_dir / f"graph.{fmt}"
        serialize(graph, outputs[f"rdf {fmt}"], fmt)
    outputs.update(write_rdf_companions(out_dir))
    return outputs


def write_rdf_companions(out_dir: Path) -> dict[str, Path]:
    """Copy ``shapes.ttl`` and ``ontology.ttl`` (the shapes and ontology the graph follows) into ``out_dir``.

    Raises:
        SinkError: a file cannot be written.
    """
    outputs = {}
    for name, source in (("shapes", SHAPES_PATH), ("ontology", ONTOLOGY_PATH)):
        outputs[name] = out_dir / source.name
        try:
            outputs[name].write_bytes(source.read_bytes())
        except OSError as exc:
            raise SinkError(f"cannot write {outputs[name]}: {exc.strerror or exc}") from exc
    return outputs
