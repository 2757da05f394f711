"""Triples -> N-Triples, streamed paper by paper: the graph of :func:`kg.sinks.rdf.to_graph` without rdflib.

rdflib holds a whole graph in memory (about 450 RDF triples per paper); a large build instead formats each
paper's RDF triples as lines and writes them at once, gzip-compressed when the file name ends in ``.gz``. The
lines are the same RDF triples as :func:`~kg.sinks.rdf.to_graph` makes (``tests/test_ntriples.py`` compares the
two graphs); a line may repeat where two papers state the same triple, which leaves the graph unchanged.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from rdflib import RDF, RDFS
from rdflib.namespace import DCTERMS, PROV, XSD

from kg.errors import SinkError
from kg.ids import check_base_iri, digest, node_iri, paper_key
from kg.schema import ENTITY_KINDS, NodeKind, Predicate
from kg.sinks.rdf import CLASSES, KG, MLS, PROPERTIES, RUN_PROPERTIES
from kg.types import NodeRef, Provenance, Triple

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_TYPE = f"<{RDF.type}>"


def literal(value: str | int | float | bool) -> str:
    """A literal in N-Triples with rdflib's lexical forms (``"1.75"^^xsd:double``, ``"3"^^xsd:integer``)."""
    if isinstance(value, bool):
        return f'"{str(value).lower()}"^^<{XSD.boolean}>'
    if isinstance(value, int):
        return f'"{value}"^^<{XSD.integer}>'
    if isinstance(value, float):
        text = "NaN" if math.isnan(value) else ("INF" if value > 0 else "-INF") if math.isinf(value) else repr(value)
        return f'"{text}"^^<{XSD.double}>'
    return f'"{value.translate(_ESCAPES)}"'


def _object_literal(predicate: Predicate, value: str | int | float | bool) -> str:
    """A triple's literal object as :func:`kg.sinks.rdf.rdf_literal` types it: values as doubles, dates as dates."""
    if predicate is Predicate.VALUE:
        return literal(float(value))
    if predicate is Predicate.DATE:
        return f'"{value}"^^<{XSD.date if len(str(value)) == 10 else XSD.gYearMonth}>'
    return literal(value)


class NTriplesWriter:
    """Writes the RDF of each paper's triples to an open text file, entity and extractor nodes typed once.

    Args:
        fh: the text file to write to.
        base: namespace of the minted IRIs.
    """

    def __init__(self, fh: IO[str], base: str) -> None:
        self.fh, self.base = fh, check_base_iri(base)
        self.lines = 0
        self._typed: set[str] = set()

    def _iri(self, key: str) -> str:
        return f"<{node_iri(key, self.base)}>"

    def _node(self, ref: NodeRef, out: dict[str, None]) -> str:
        iri = self._iri(ref.key)
        if ref.kind not in ENTITY_KINDS or ref.key not in self._typed:
            if ref.kind in ENTITY_KINDS:
                self._typed.add(ref.key)
            out[f"{iri} {_TYPE} <{CLASSES[ref.kind]}> ."] = None
            identifier = ref.key.removeprefix("paper:") if ref.kind is NodeKind.PAPER else ref.key
            out[f"{iri} <{DCTERMS.identifier}> {literal(identifier)} ."] = None
        return iri

    def _evidence(self, p: Provenance, out: dict[str, None]) -> str:
        iri = self._iri("evidence:" + digest(json.dumps([p.paper_id, p.sentence, p.start, p.end, p.extractor,
                                                         p.confidence, p.evidence]), 16))
        agent = self._iri("extractor:" + p.extractor)
        out[f"{iri} {_TYPE} <{KG.Evidence}> ."] = None
        out[f"{iri} <{PROV.value}> {literal(p.evidence)} ."] = None
        out[f"{iri} <{PROV.wasQuotedFrom}> {self._iri(paper_key(p.paper_id))} ."] = None
        out[f"{iri} <{KG.sentence}> {literal(int(p.sentence))} ."] = None
        out[f"{iri} <{KG.start}> {literal(int(p.start))} ."] = None
        out[f"{iri} <{KG.end}> {literal(int(p.end))} ."] = None
        out[f"{iri} <{KG.confidence}> {literal(float(p.confidence))} ."] = None
        out[f"{iri} <{PROV.wasAttributedTo}> {agent} ."] = None
        if "extractor:" + p.extractor not in self._typed:
            self._typed.add("extractor:" + p.extractor)
            out[f"{agent} {_TYPE} <{PROV.SoftwareAgent}> ."] = None
            out[f"{agent} <{RDFS.label}> {literal(p.extractor)} ."] = None
        return iri

    def write(self, triples: Iterable[Triple]) -> None:
        """Write the RDF of one paper's triples."""
        out: dict[str, None] = {}
        evidence: dict[Provenance, str] = {}
        for triple in triples:
            subject = self._node(triple.subject, out)
            predicate = f"<{PROPERTIES[triple.predicate]}>"
            object_id: tuple[str, str | int | float | bool]
            if isinstance(triple.object, NodeRef):
                obj = self._node(triple.object, out)
                object_id = ("node", triple.object.key)
            else:
                value = triple.object.value
                obj = _object_literal(triple.predicate, value)
                object_id = ("literal", value)
            out[f"{subject} {predicate} {obj} ."] = None
            if isinstance(triple.object, NodeRef) and triple.object.kind is NodeKind.CLAIM:
                run = self._iri("run:" + triple.object.key.removeprefix("claim:"))
                out[f"{run} {_TYPE} <{MLS.Run}> ."] = None
                out[f"{run} <{MLS.hasOutput}> {obj} ."] = None
            elif triple.predicate in RUN_PROPERTIES and isinstance(triple.object, NodeRef) \
                    and (triple.predicate is Predicate.MEASURED_ON or triple.object.kind is NodeKind.MODEL):
                run = self._iri("run:" + triple.subject.key.removeprefix("claim:"))
                out[f"{run} <{RUN_PROPERTIES[triple.predicate]}> {obj} ."] = None
            statement = self._iri("statement:" + digest(json.dumps([triple.subject.key, triple.predicate,
                                                                    *object_id]), 16))
            source = evidence.get(triple.provenance)
            if source is None:
                source = evidence[triple.provenance] = self._evidence(triple.provenance, out)
            out[f"{statement} {_TYPE} <{RDF.Statement}> ."] = None
            out[f"{statement} <{RDF.subject}> {subject} ."] = None
            out[f"{statement} <{RDF.predicate}> {predicate} ."] = None
            out[f"{statement} <{RDF.object}> {obj} ."] = None
            out[f"{statement} <{PROV.wasDerivedFrom}> {source} ."] = None
        self.fh.write("\n".join(out))
        self.fh.write("\n" if out else "")
        self.lines += len(out)


def open_text(path: Path) -> IO[str]:
    """``path`` opened for writing text, through gzip (level 1: fast) when its name ends in ``.gz``.

    Raises:
        SinkError: it cannot be opened.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".gz":
            return gzip.open(path, "wt", encoding="utf-8", compresslevel=1)
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise SinkError(f"cannot write {path}: {exc.strerror or exc}") from exc
