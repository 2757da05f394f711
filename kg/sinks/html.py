"""Triples -> offline HTML pages: the corpus graph (``site/index.html``) and a page per entity and per paper.

Graphs are built with pyvis and drawn by the vis-network copy pyvis ships, written once to ``site/assets/``
and shared by every page. Pages are Jinja2 templates (``kg/data/html/``) with autoescaped text; graph data
goes into a JSON ``<script>`` block that is never executed, and ``kg.js`` builds tooltips and lists as DOM
nodes with ``textContent``, so no text of a paper is ever parsed as HTML. Each page's Content-Security-Policy
allows scripts and styles from files only and no connections: nothing is fetched from the network.
"""

from __future__ import annotations

import math
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyvis  # type: ignore[import-untyped]
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pyvis.network import Network  # type: ignore[import-untyped]

from kg.errors import SinkError
from kg.ids import digest, paper_key
from kg.schema import NodeKind, Predicate
from kg.sinks.html_layout import Position, corpus_layout, spiral
from kg.types import NodeRef, Provenance, Triple

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "data" / "html"
VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
ASSETS = {"vis-network.min.js": VIS_DIR / "vis-network.min.js", "vis-network.min.css": VIS_DIR / "vis-network.css",
          "kg.js": TEMPLATE_DIR / "kg.js", "kg.css": TEMPLATE_DIR / "kg.css"}

COLORS: dict[NodeKind, str] = {
    NodeKind.PAPER: "#8d99ae",
    NodeKind.METHOD: "#1f77b4",
    NodeKind.MODEL: "#9467bd",
    NodeKind.DATASET: "#2ca02c",
    NodeKind.TASK: "#ff7f0e",
    NodeKind.METRIC: "#d62728",
    NodeKind.CLAIM: "#17becf",
}
"""Node colour per kind (the legend)."""

NEIGHBOURS_SHOWN = 120
"""At most this many neighbours in a page's graph; its lists name them all."""

_FILE_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,99}")
_CLAIM_FIELDS = {Predicate.VALUE_TEXT: "value", Predicate.UNIT: "unit", Predicate.METRIC: "metric",
                 Predicate.DIRECTION: "direction", Predicate.BASELINE: "baseline", Predicate.EVIDENCE: "evidence"}


@dataclass
class _Node:
    """What the pages show of one node."""

    ref: NodeRef
    name: str = ""
    aliases: list[str] = field(default_factory=list)
    source: Provenance | None = None
    fields: dict[str, str] = field(default_factory=dict)


class _Corpus:
    """The triples indexed by node: names, attributes and the node-to-node triples in and out of each."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.nodes: dict[str, _Node] = {}
        self.out: dict[str, list[Triple]] = defaultdict(list)
        self.into: dict[str, list[Triple]] = defaultdict(list)
        self.relations: dict[str, list[Triple]] = defaultdict(list)
        """Entity-to-entity triples by the id of the paper they were read from."""
        for triple in triples:
            node = self._node(triple.subject)
            if isinstance(triple.object, NodeRef):
                self._node(triple.object)
                self.out[triple.subject.key].append(triple)
                self.into[triple.object.key].append(triple)
                if triple.subject.kind not in (NodeKind.PAPER, NodeKind.CLAIM):
                    self.relations[triple.provenance.paper_id].append(triple)
                continue
            value = triple.object.value
            if triple.predicate in (Predicate.NAME, Predicate.TITLE):
                node.name, node.source = str(value), triple.provenance
            elif triple.predicate is Predicate.ALIAS:
                node.aliases.append(str(value))
            elif triple.predicate is Predicate.ABSTRACT:
                node.fields["abstract"] = str(value)
            elif triple.predicate in _CLAIM_FIELDS:
                node.fields[_CLAIM_FIELDS[triple.predicate]] = str(value)
                node.source = triple.provenance
        for node in self.nodes.values():
            if node.ref.kind is NodeKind.CLAIM:
                f = node.fields
                node.name = " ".join(x for x in (f.get("value", ""), f.get("unit", ""), f.get("metric", "")) if x)
            node.name = node.name or node.ref.key

    def _node(self, ref: NodeRef) -> _Node:
        node = self.nodes.get(ref.key)
        if node is None:
            node = self.nodes[ref.key] = _Node(ref)
        return node

    def paper_title(self, paper_id: str) -> str:
        """The title of a paper, or its id when the triples have no title for it."""
        node = self.nodes.get(paper_key(paper_id))
        return node.name if node else paper_id

    def neighbours(self, key: str) -> list[str]:
        """Nodes linked to ``key`` in either direction, each once, in triple order."""
        seen = dict.fromkeys([_object_key(t) for t in self.out[key]] + [t.subject.key for t in self.into[key]])
        seen.pop(key, None)
        return list(seen)


def write_site(triples: Sequence[Triple], out_dir: Path, *, log: Callable[[str], None]) -> Path:
    """Write ``out_dir/site/``: ``index.html``, ``<kind>/<name>.html`` per entity and paper, and ``assets/``.

    The pages are written into a fresh directory that then replaces the old site, so pages of entities
    gone from the graph do not linger.

    Returns:
        The path of ``index.html``.

    Raises:
        SinkError: the site cannot be written.
    """
    site = out_dir / "site"
    fresh = out_dir / "site.tmp"
    try:
        shutil.rmtree(fresh, ignore_errors=True)
        (fresh / "assets").mkdir(parents=True)
        for name, source in ASSETS.items():
            shutil.copyfile(source, fresh / "assets" / name)
        count = _Site(_Corpus(triples)).write(fresh)
        shutil.rmtree(site, ignore_errors=True)
        fresh.rename(site)
    except OSError as exc:
        raise SinkError(f"cannot write the HTML site in {site}: {exc.strerror or exc}") from exc
    log(f"wrote the HTML site: index and {count} pages")
    return site / "index.html"


class _Site:
    """Paths, graph data and template contexts of every page of one corpus."""

    def __init__(self, corpus: _Corpus) -> None:
        self.corpus = corpus
        self.env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        # tojson escapes < > & ' as \u00XX, so no text can close the <script> block the graph data sits in
        self.env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}
        self.paths = {key: _page_path(node.ref) for key, node in corpus.nodes.items()
                      if node.ref.kind is not NodeKind.CLAIM}
        self.degree = {key: len(corpus.neighbours(key)) for key in corpus.nodes}
        counts = Counter(node.ref.kind for node in corpus.nodes.values())
        self.legend = [{"kind": kind.value, "color": COLORS[kind], "count": counts[kind]} for kind in NodeKind]
        for key, node in corpus.nodes.items():
            reporters = [t.subject.key for t in corpus.into[key] if t.predicate is Predicate.REPORTS]
            if node.ref.kind is NodeKind.CLAIM and reporters:
                self.paths[key] = f"{self.paths[reporters[0]]}#{_anchor(key)}"

    def write(self, site: Path) -> int:
        """Write every page under ``site``; returns the number of entity and paper pages."""
        self._render("index.html", site / "index.html", root="", title="kg: the corpus graph",
                     graph=self._index_graph(), legend=self.legend)
        count = 0
        for key, node in self.corpus.nodes.items():
            if node.ref.kind is NodeKind.CLAIM:
                continue
            context = self._paper(node) if node.ref.kind is NodeKind.PAPER else self._entity(node)
            path = site / self.paths[key]
            path.parent.mkdir(exist_ok=True)
            self._render(f"{'paper' if node.ref.kind is NodeKind.PAPER else 'entity'}.html", path, root="../",
                         title=node.name, kind=node.ref.kind.value, color=COLORS[node.ref.kind],
                         graph=self._neighbourhood(key), legend=self.legend, **context)
            count += 1
        return count

    def _render(self, template: str, path: Path, **context: Any) -> None:
        path.write_text(self.env.get_template(template).render(**context), encoding="utf-8")

    # graphs ------------------------------------------------------------------------------------------------

    def _index_graph(self) -> dict[str, Any]:
        papers = [k for k, n in self.corpus.nodes.items() if n.ref.kind is NodeKind.PAPER]
        owners = {key: sorted({t.subject.key for t in self.corpus.into[key] if t.subject.kind is NodeKind.PAPER})
                  for key, node in self.corpus.nodes.items() if node.ref.kind is not NodeKind.PAPER}
        positions = corpus_layout(papers, owners)
        return self._graph(list(self.corpus.nodes), positions, arrows="")

    def _neighbourhood(self, key: str) -> dict[str, Any]:
        order = list(NodeKind)
        neighbours = sorted(self.corpus.neighbours(key),
                            key=lambda k: (order.index(self.corpus.nodes[k].ref.kind), self.corpus.nodes[k].name))
        shown = [key, *neighbours[:NEIGHBOURS_SHOWN]]
        positions = dict(zip(shown, [(0.0, 0.0), *spiral((0.0, 0.0), len(shown) - 1, start=3, spacing=55.0)],
                             strict=True))
        graph = self._graph(shown, positions, arrows="to")
        graph["total"] = len(neighbours)
        return graph

    def _graph(self, keys: list[str], positions: dict[str, Position], *, arrows: str) -> dict[str, Any]:
        """vis-network data of ``keys`` and the triples between them, built with pyvis."""
        net = Network(directed=True)
        keep = set(keys)
        for key in keys:
            node = self.corpus.nodes[key]
            x, y = positions[key]
            net.add_node(key, label=_clip(node.name, 40), color=COLORS[node.ref.kind], x=round(x, 1), y=round(y, 1),
                         size=round(min(8 + 3 * math.sqrt(self.degree[key]), 48), 1), kind=node.ref.kind.value,
                         url=self.paths.get(key, ""), info=self._info(node))
        seen = set()
        for key in keys:
            for t in self.corpus.out[key]:
                edge = (key, t.predicate, _object_key(t))
                if edge[2] in keep and edge not in seen:
                    seen.add(edge)
                    net.add_edge(key, edge[2], predicate=_label(t.predicate), arrows=arrows)
        nodes, edges, *_ = net.get_network_data()
        return {"nodes": nodes, "edges": edges}

    def _info(self, node: _Node) -> dict[str, Any]:
        """A node's tooltip: name, type, aliases, and the sentence and paper it was read from (a paper: its abstract)."""
        info = {"name": node.name, "kind": node.ref.kind.value, "aliases": node.aliases, "evidence": "", "paper": ""}
        if node.ref.kind is NodeKind.PAPER:
            info["evidence"] = _clip(node.fields.get("abstract", ""), 300)
        elif node.source is not None:
            info["evidence"] = _clip(node.source.evidence, 300)
            info["paper"] = self.corpus.paper_title(node.source.paper_id)
        return info

    # page contexts -----------------------------------------------------------------------------------------

    def _link(self, key: str) -> dict[str, str]:
        node = self.corpus.nodes[key]
        return {"name": node.name, "kind": node.ref.kind.value, "color": COLORS[node.ref.kind],
                "url": self.paths.get(key, "")}

    def _source(self, provenance: Provenance) -> dict[str, Any]:
        key = paper_key(provenance.paper_id)
        return {"evidence": provenance.evidence, "paper": self.corpus.paper_title(provenance.paper_id),
                "url": self.paths.get(key, ""), "extractor": provenance.extractor,
                "confidence": provenance.confidence}

    def _claim(self, key: str) -> dict[str, Any]:
        node = self.corpus.nodes[key]
        links = {t.predicate: self._link(_object_key(t)) for t in self.corpus.out[key]}
        return {"anchor": _anchor(key), "url": self.paths.get(key, ""), "name": node.name, **node.fields,
                "about": links.get(Predicate.ABOUT), "dataset": links.get(Predicate.MEASURED_ON),
                "measure": links.get(Predicate.MEASURES),
                "source": self._source(node.source) if node.source else None}

    def _entity(self, node: _Node) -> dict[str, Any]:
        key = node.ref.key
        papers: dict[str, dict[str, Any]] = {}
        claims, relations = [], []
        for t in self.corpus.into[key]:
            if t.subject.kind is NodeKind.PAPER:
                entry = papers.setdefault(t.subject.key, {**self._link(t.subject.key), "proposed": False,
                                                          **self._source(t.provenance)})
                entry["proposed"] = entry["proposed"] or t.predicate is Predicate.PROPOSES
            elif t.subject.kind is NodeKind.CLAIM:
                claims.append({"role": _label(t.predicate), **self._claim(t.subject.key)})
            else:
                relations.append({"subject": self._link(t.subject.key), "predicate": _label(t.predicate),
                                  "object": self._link(key), **self._source(t.provenance)})
        relations += [{"subject": self._link(key), "predicate": _label(t.predicate),
                       "object": self._link(_object_key(t)), **self._source(t.provenance)}
                      for t in self.corpus.out[key]]
        return {"aliases": node.aliases, "papers": list(papers.values()), "claims": claims, "relations": relations}

    def _paper(self, node: _Node) -> dict[str, Any]:
        key = node.ref.key
        entities: dict[str, dict[str, Any]] = {}
        claims = []
        for t in self.corpus.out[key]:
            target = _object_key(t)
            if t.predicate is Predicate.REPORTS:
                claims.append(self._claim(target))
                continue
            entry = entities.setdefault(target, {**self._link(target), "proposed": False,
                                                 "evidence": t.provenance.evidence})
            entry["proposed"] = entry["proposed"] or t.predicate is Predicate.PROPOSES
        paper_id = key.removeprefix("paper:")
        relations = [{"subject": self._link(t.subject.key), "predicate": _label(t.predicate),
                      "object": self._link(_object_key(t)), "evidence": t.provenance.evidence}
                     for t in self.corpus.relations[paper_id]]
        return {"paper_id": paper_id, "abstract": node.fields.get("abstract", ""),
                "entities": list(entities.values()), "claims": claims, "relations": relations}


def _page_path(ref: NodeRef) -> str:
    """The page of a paper or entity, relative to the site: ``method/lantern.html``.

    A key whose part after the kind is a plain lower-case name keeps it; any other gets a cleaned name and a
    digest of the key after ``_`` (which plain names never contain), so every key has its own file.
    """
    rest = ref.key.partition(":")[2]
    if not _FILE_NAME.fullmatch(rest) or rest.endswith("."):
        rest = f"{re.sub(r'[^a-z0-9]+', '-', rest.lower()).strip('-')[:60]}_{digest(ref.key, 12)}"
    return f"{ref.kind.value.lower()}/{rest}.html"


def _object_key(triple: Triple) -> str:
    """The key of a node-to-node triple's object (the corpus indexes only those by node)."""
    assert isinstance(triple.object, NodeRef)
    return triple.object.key


def _anchor(key: str) -> str:
    return "c" + digest(key, 12)


def _label(predicate: Predicate) -> str:
    return predicate.value.replace("_", " ")


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
