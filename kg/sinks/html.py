"""Triples -> an offline HTML site for researchers: ``site/index.html`` and a page per leaderboard, entity and paper.

The index opens on what people look for: the largest leaderboards, the most studied tasks, datasets and methods,
the newest papers, a search box, and an overview graph of the most studied entities linked by the papers that
mention them together (at most 45 nodes, :data:`OVERVIEW`, so it stays readable and small whatever the corpus
size). Each leaderboard (:mod:`kg.leaderboard`) has a page with its table and an SVG chart of the best value over
time (:mod:`kg.sinks.html_chart`). Entity and paper pages draw their neighbourhood, capped at a readable size, and list
everything.

Graphs are built with pyvis and drawn by the vis-network copy pyvis ships, written once to ``site/assets/``
and shared by every page that draws one. Pages are Jinja2 templates (``kg/data/html/``) with autoescaped text;
graph data goes into a JSON ``<script>`` block that is never executed, the search index into
``search-index.js`` (a JSON value, loaded on the first search), and ``kg.js`` builds tooltips and lists as DOM
nodes with ``textContent``, so no text of a paper is ever parsed as HTML. Each page's Content-Security-Policy
allows scripts and styles from files only and no connections: nothing is fetched from the network.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import pyvis  # type: ignore[import-untyped]
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pyvis.network import Network  # type: ignore[import-untyped]

from kg.errors import SinkError
from kg.ids import digest, paper_key
from kg.leaderboard import Leaderboard, largest_first, leaderboards
from kg.schema import ENTITY_KINDS, NodeKind, Predicate
from kg.sinks.html_chart import best_over_time, number
from kg.sinks.html_layout import Position, overview_layout, separate, spiral
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

NEIGHBOURS_SHOWN = 30
"""At most this many neighbours in a page's graph (entities first, the most connected first); its lists name all."""

LABEL = 32
"""Characters of a node's label in a page's graph (its tooltip and page give the whole name)."""

OVERVIEW = {NodeKind.TASK: 12, NodeKind.DATASET: 12, NodeKind.METHOD: 10, NodeKind.MODEL: 6, NodeKind.METRIC: 5}
"""How many of the most studied entities of each kind the index's overview graph draws (few enough to read)."""

OVERVIEW_LINKS = 3
"""Each overview node keeps its links to the entities it shares most papers with, at most this many."""

LISTED = 20
"""Rows of each list of the index (leaderboards, tasks, datasets, methods and models, newest papers)."""

_OVERVIEW_KINDS = (NodeKind.TASK, NodeKind.DATASET, NodeKind.METHOD, NodeKind.MODEL, NodeKind.METRIC)

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
            elif triple.predicate in (Predicate.ABSTRACT, Predicate.DATE, Predicate.SETTING):
                node.fields[triple.predicate.value] = str(value)
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
        count = _Site(_Corpus(triples), leaderboards(triples, min_rows=2)).write(fresh)
        shutil.rmtree(site, ignore_errors=True)
        fresh.rename(site)
    except OSError as exc:
        raise SinkError(f"cannot write the HTML site in {site}: {exc.strerror or exc}") from exc
    log(f"wrote the HTML site: index, {count['leaderboards']} leaderboards and {count['pages']} entity and "
        "paper pages")
    return site / "index.html"


class _Site:
    """Paths, graph data and template contexts of every page of one corpus."""

    def __init__(self, corpus: _Corpus, boards: list[Leaderboard]) -> None:
        self.corpus = corpus
        self.boards = largest_first(boards)
        self.env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        # tojson escapes < > & ' as \u00XX, so no text can close the <script> block the graph data sits in
        self.env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}
        self.paths = {key: _page_path(node.ref) for key, node in corpus.nodes.items()
                      if node.ref.kind is not NodeKind.CLAIM}
        self.boards_of: dict[str, list[Leaderboard]] = defaultdict(list)
        """The leaderboards of each dataset and metric, and those each system has a row on."""
        for board in self.boards:
            for key in dict.fromkeys([board.dataset_key, board.metric_key, *(r.system_key for r in board.rows)]):
                if key:
                    self.boards_of[key].append(board)
        self.degree = {key: len(corpus.neighbours(key)) for key in corpus.nodes}
        self.papers_of = {key: {t.subject.key for t in corpus.into[key] if t.predicate is Predicate.MENTIONS}
                          for key, node in corpus.nodes.items() if node.ref.kind in ENTITY_KINDS}
        counts = Counter(node.ref.kind for node in corpus.nodes.values())
        self.counts = {kind.value: counts[kind] for kind in NodeKind}
        self.legend = [{"kind": kind.value, "color": COLORS[kind], "count": counts[kind]} for kind in NodeKind]
        for key, node in corpus.nodes.items():
            reporters = [t.subject.key for t in corpus.into[key] if t.predicate is Predicate.REPORTS]
            if node.ref.kind is NodeKind.CLAIM and reporters:
                self.paths[key] = f"{self.paths[reporters[0]]}#{_anchor(key)}"

    def write(self, site: Path) -> dict[str, int]:
        """Write every page under ``site``; returns the number of leaderboard pages and of entity and paper pages."""
        self._render("index.html", site / "index.html", root="", title="kg: leaderboards, tasks and datasets",
                     graph=self._overview(), **self._index())
        self._render("leaderboards.html", site / "leaderboards.html", root="", title="kg: every leaderboard",
                     graph=None, boards=[self._board_link(b) for b in self.boards])
        (site / "leaderboard").mkdir()
        for board in self.boards:
            self._render("leaderboard.html", site / _board_path(board), root="../", title=board.title,
                         graph=None, **self._board(board))
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
        (site / "search-index.js").write_text(self._search_index(), encoding="utf-8")
        return {"leaderboards": len(self.boards), "pages": count}

    def _render(self, template: str, path: Path, **context: Any) -> None:
        path.write_text(self.env.get_template(template).render(**context), encoding="utf-8")

    # the index -----------------------------------------------------------------------------------------------

    def _index(self) -> dict[str, Any]:
        def top(kinds: tuple[NodeKind, ...]) -> list[dict[str, Any]]:
            keys = [k for k, papers in self.papers_of.items() if self.corpus.nodes[k].ref.kind in kinds]
            ranked = sorted(keys, key=lambda k: (-len(self.papers_of[k]), self.corpus.nodes[k].name, k))[:LISTED]
            return [{**self._link(k), "papers": len(self.papers_of[k])} for k in ranked]

        papers = [k for k, n in self.corpus.nodes.items() if n.ref.kind is NodeKind.PAPER]
        dated = sorted((k for k in papers if self.corpus.nodes[k].fields.get("date")),
                       key=lambda k: (self.corpus.nodes[k].fields["date"], k), reverse=True)
        newest = (dated + [k for k in papers if not self.corpus.nodes[k].fields.get("date")])[:LISTED]
        return {"counts": self.counts, "board_count": len(self.boards), "dated": bool(dated),
                "boards": [self._board_link(b) for b in self.boards[:LISTED]], "tasks": top((NodeKind.TASK,)),
                "datasets": top((NodeKind.DATASET,)), "systems": top((NodeKind.METHOD, NodeKind.MODEL)),
                "papers": [{**self._link(k), "date": self.corpus.nodes[k].fields.get("date", "")} for k in newest],
                "legend": [item for item in self.legend if item["kind"] in {k.value for k in _OVERVIEW_KINDS}]}

    def _overview(self) -> dict[str, Any]:
        """The most studied entities of each kind, linked to those they share most papers with."""
        chosen: list[str] = []
        for kind, size in OVERVIEW.items():
            keys = [k for k in self.papers_of if self.corpus.nodes[k].ref.kind is kind and self.papers_of[k]]
            chosen += sorted(keys, key=lambda k: (-len(self.papers_of[k]), self.corpus.nodes[k].name, k))[:size]
        shared: Counter[tuple[str, str]] = Counter()
        of_paper: dict[str, list[str]] = defaultdict(list)
        for key in chosen:
            for paper in self.papers_of[key]:
                of_paper[paper].append(key)
        for keys in of_paper.values():
            shared.update(combinations(sorted(keys), 2))
        kept: dict[tuple[str, str], int] = {}
        for key in chosen:
            mine = sorted(((n, pair) for pair, n in shared.items() if key in pair), key=lambda x: (-x[0], x[1]))
            kept.update({pair: n for n, pair in mine[:OVERVIEW_LINKS]})
        sizes = {key: round(min(8 + 2 * math.sqrt(len(self.papers_of[key])), 30), 1) for key in chosen}
        labels = {key: _clip(self.corpus.nodes[key].name, 28) for key in chosen}
        # a dot's size is its radius; its label, about 8 px a character at the overview's font size, is drawn
        # under it: each node keeps a box as wide as the label and as high as dot and label on either side
        boxes = {key: (max(4.2 * len(labels[key]), sizes[key]) + 6, sizes[key] + 22) for key in chosen}
        positions = overview_layout(chosen, kept, boxes)
        net = Network()
        for key in chosen:
            node = self.corpus.nodes[key]
            papers = len(self.papers_of[key])
            x, y = positions[key]
            net.add_node(key, label=labels[key], color=COLORS[node.ref.kind], x=round(x, 1), y=round(y, 1),
                         size=sizes[key],
                         kind=node.ref.kind.value, url=self.paths[key],
                         info={"name": node.name, "kind": node.ref.kind.value, "aliases": node.aliases[:5],
                               "evidence": "", "paper": f"{papers} paper{'s' if papers != 1 else ''}"})
        for (a, b), n in sorted(kept.items()):
            net.add_edge(a, b, predicate=f"{n} paper{'s' if n != 1 else ''} mention both",
                         width=round(min(1 + math.log2(n), 6), 1))
        nodes, edges, *_ = net.get_network_data()
        return {"nodes": nodes, "edges": edges, "overview": True}

    def _search_index(self) -> str:
        """``search-index.js``: every entity and paper with its page, kind and other names, most studied first."""
        entries = [(len(self.papers_of.get(key, ())), node.ref.kind.value, node.name, key)
                   for key, node in self.corpus.nodes.items() if node.ref.kind is not NodeKind.CLAIM]
        rows = [[name, kind, self.paths[key], " ".join(self.corpus.nodes[key].aliases)[:300]]
                for _, kind, name, key in sorted(entries, key=lambda e: (-e[0], e[2], e[3]))]
        data = json.dumps(rows, ensure_ascii=True, separators=(",", ":"))
        # as tojson does: no markup characters even in a script file, should it ever be inlined
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return f"window.kgSearchIndex = {data};\n"

    # leaderboards --------------------------------------------------------------------------------------------

    def _board_link(self, board: Leaderboard) -> dict[str, Any]:
        best = board.rows[0]
        return {"url": _board_path(board), "title": board.title, "dataset": board.dataset,
                "metric": board.metric, "setting": board.setting, "rows": len(board.rows),
                "best": number(best.value), "unit": best.unit, "system": best.system or ""}

    def _board(self, board: Leaderboard) -> dict[str, Any]:
        rows = [{"rank": r.rank, "system": self._link(r.system_key) if r.system_key else None,
                 "value": number(r.value), "value_text": r.value_text, "unit": r.unit,
                 "paper": {"name": r.title or r.paper, "url": self.paths.get(paper_key(r.paper), "")},
                 "paper_id": r.paper, "date": r.date or "", "evidence": r.evidence,
                 "confidence": r.confidence, "claim_url": self.paths.get(r.claim, "")} for r in board.rows]
        return {"board": board, "dataset": self._link(board.dataset_key), "metric": self._link(board.metric_key),
                "direction": "higher is better" if board.higher_is_better else "lower is better",
                "rows": rows, "chart": best_over_time(board)}

    # graphs --------------------------------------------------------------------------------------------------

    def _neighbourhood(self, key: str) -> dict[str, Any]:
        order = [*_OVERVIEW_KINDS, NodeKind.PAPER, NodeKind.CLAIM]
        neighbours = sorted(self.corpus.neighbours(key), key=lambda k: (
            order.index(self.corpus.nodes[k].ref.kind) // len(_OVERVIEW_KINDS), -self.degree[k],
            self.corpus.nodes[k].name, k))
        shown = [key, *neighbours[:NEIGHBOURS_SHOWN]]
        # the page's graph box is about 2.5 times as wide as it is high: the spiral is stretched to match, then
        # nodes are pushed apart until no two labels overlap
        points = [(0.0, 0.0), *spiral((0.0, 0.0), len(shown) - 1, start=3, spacing=55.0)]
        boxes = {k: (4.0 * len(_clip(self.corpus.nodes[k].name, LABEL)) + 8, 22.0) for k in shown}
        positions = separate({k: (2.2 * x, y) for k, (x, y) in zip(shown, points, strict=True)}, boxes)
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
            net.add_node(key, label=_clip(node.name, LABEL), color=COLORS[node.ref.kind], x=round(x, 1),
                         y=round(y, 1),
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
        return {"aliases": node.aliases, "papers": list(papers.values()), "claims": claims, "relations": relations,
                "boards": [self._board_link(b) for b in self.boards_of.get(key, ())]}

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
        return {"paper_id": paper_id, "abstract": node.fields.get("abstract", ""), "date": node.fields.get("date", ""),
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


def _board_path(board: Leaderboard) -> str:
    """The page of a leaderboard, relative to the site."""
    return f"leaderboard/{board.slug}.html"


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
