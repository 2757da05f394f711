"""The HTML site, read as files: pages, links, graph data, escaping, layout (the browser tests draw it)."""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.schema import NodeKind
from kg.sinks.html import COLORS, _page_path, write_site
from kg.sinks.html_layout import corpus_layout, spiral
from kg.sinks.jsonl import read_triples
from kg.types import NodeRef, Triple

FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1"> """quoted""" \'single\' back\\slash ' \
                "<script>window.__pwned=1</script>"
HOSTILE_NAME = "<script>window.__pwned=1</script>"


class Page(HTMLParser):
    """The parts of a page the tests look at: elements with their attributes, text, and the graph data."""

    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_data = False
        self.data = ""
        self.feed(path.read_text(encoding="utf-8"))
        self.graph: dict[str, Any] = json.loads(self.data) if self.data else {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_data = tag == "script" and dict(attrs).get("id") == "kg-graph"

    def handle_endtag(self, tag: str) -> None:
        self._in_data = False

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data += data
        else:
            self.text.append(data)


@pytest.fixture(scope="module")
def triples() -> list[Triple]:
    return read_triples(FIXTURES / "rdf_triples.jsonl")


@pytest.fixture(scope="module")
def site(triples: list[Triple], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    index = write_site(triples, out, log=lambda message: None)
    assert index == out / "site" / "index.html"
    return index.parent


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_one_page_per_paper_and_entity_and_shared_assets(site: Path, triples: list[Triple]) -> None:
    refs = {t.subject for t in triples} | {t.object for t in triples if isinstance(t.object, NodeRef)}
    expected = {site / _page_path(ref) for ref in refs if ref.kind is not NodeKind.CLAIM} | {site / "index.html"}
    assert set(pages(site)) == expected
    assert {p.name for p in (site / "assets").iterdir()} == {"vis-network.min.js", "vis-network.min.css", "kg.js",
                                                             "kg.css"}


def test_every_link_and_resource_is_a_local_file(site: Path) -> None:
    for path in pages(site):
        page = Page(path)
        anchors = {a["id"] for _, a in page.elements if a.get("id")}
        for tag, attrs in page.elements:
            for name in ("href", "src", "action", "srcset", "poster", "data"):
                url = attrs.get(name)
                if url is None:
                    continue
                parts = urlsplit(url)
                assert not parts.scheme and not parts.netloc, (path, tag, url)
                target = (path.parent / parts.path).resolve() if parts.path else path
                assert target.is_file(), (path, url)
                if parts.fragment and target == path:
                    assert parts.fragment in anchors, (path, url)
        for node in page.graph.get("nodes", []):
            if node["url"]:
                assert (site / node["url"].partition("#")[0]).is_file(), node["url"]
    for css in (site / "assets").glob("*.css"):
        urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", css.read_text(encoding="utf-8"))
        assert all(u.startswith("data:") for u in urls), urls
        assert "@import" not in css.read_text(encoding="utf-8")


def test_pages_forbid_scripts_other_than_the_site_files_and_any_connection(site: Path) -> None:
    for path in pages(site):
        page = Page(path)
        policy = next(a["content"] or "" for t, a in page.elements
                      if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
        assert "default-src 'none'" in policy and "script-src 'self'" in policy
        scripts = [a for t, a in page.elements if t == "script"]
        assert [a.get("src") or a.get("type") for a in scripts] == [
            "application/json", *(f"{'' if path.parent == site else '../'}assets/{name}"
                                  for name in ("vis-network.min.js", "kg.js"))]


def test_hostile_text_is_text_on_every_page(site: Path) -> None:
    """Titles, names and aliases with markup become text: no element or attribute comes from them."""
    seen = 0
    for path in pages(site):
        page = Page(path)
        assert {tag for tag, _ in page.elements} <= {"html", "head", "meta", "title", "link", "body", "script",
                                                     "header", "main", "aside", "section", "h1", "h2", "p", "a",
                                                     "span", "q", "ul", "ol", "li", "label", "input", "div",
                                                     "blockquote", "code", "table", "thead", "tbody", "tr", "th",
                                                     "td"}, path
        assert not [name for _, attrs in page.elements for name in attrs if name.startswith("on")], path
        text = "".join(page.text)
        seen += HOSTILE_TITLE in text or HOSTILE_NAME in text
        block = path.read_text(encoding="utf-8").split('id="kg-graph">')[1].split("</script>")[0]
        assert "<" not in block and ">" not in block and "&" not in block  # tojson escaped them as \u00XX
    assert seen >= 3  # the hostile paper's page, its entity's page and the pages that link them


def test_index_holds_every_node_coloured_by_kind_sized_by_degree(site: Path, triples: list[Triple]) -> None:
    graph = Page(site / "index.html").graph
    nodes = {n["id"]: n for n in graph["nodes"]}
    refs = {t.subject for t in triples} | {t.object for t in triples if isinstance(t.object, NodeRef)}
    assert set(nodes) == {ref.key for ref in refs}
    links = {(t.subject.key, t.object.key) for t in triples if isinstance(t.object, NodeRef)}
    assert {(e["from"], e["to"]) for e in graph["edges"]} == links
    for ref in refs:
        node = nodes[ref.key]
        assert node["color"] == COLORS[ref.kind] and node["kind"] == ref.kind.value
        assert math.isfinite(node["x"]) and math.isfinite(node["y"])
    degree = {key: len({b for a, b in links if a == key} | {a for a, b in links if b == key}) for key in nodes}
    ordered = sorted(nodes, key=lambda k: degree[k])
    assert [nodes[k]["size"] for k in ordered] == sorted(nodes[k]["size"] for k in ordered)


def test_tooltip_data_has_name_type_aliases_and_evidence(site: Path) -> None:
    nodes = {n["id"]: n for n in Page(site / "index.html").graph["nodes"]}
    assert nodes["dataset:imagenet"]["info"] == {
        "name": "ImageNet", "kind": "Dataset", "aliases": ["ImageNet-1K"],
        "evidence": "On ImageNet, LANTERN achieves a 1.75times speedup over greedy decoding.",
        "paper": "LANTERN: Accelerating Visual Autoregressive Models with Relaxed Speculative Decoding"}
    hostile = nodes["method:script-window-pwned-1-script"]["info"]
    assert (hostile["name"], hostile["aliases"], hostile["paper"]) == (HOSTILE_NAME, ["javascript:alert(1)"],
                                                                       HOSTILE_TITLE)


def test_entity_page_shows_its_papers_relations_and_claims(site: Path) -> None:
    page = Page(site / "method" / "lantern.html")
    text = " ".join(" ".join(page.text).split())
    for expected in ("Papers (2)", "proposes it", "Relations (5)", "evaluated on", "outperforms", "Claims (1)",
                     "1.75 x", "greedy decoding", "We introduce LANTERN, a relaxed speculative decoding method"):
        assert expected in text, expected
    assert page.graph["total"] == 8  # 2 papers, 5 entities, 1 claim
    assert {n["id"] for n in page.graph["nodes"]} >= {"method:lantern", "dataset:imagenet", "paper:2401.00001"}


def test_paper_page_shows_its_abstract_entities_and_anchored_claims(site: Path) -> None:
    page = Page(site / "paper" / "2401.00001.html")
    text = " ".join(" ".join(page.text).split())
    assert "On ImageNet, LANTERN achieves a 1.75times speedup" in text
    assert "Entities (6)" in text and "Claims (1)" in text and "proposed here" in text
    claim = next(n for n in Page(site / "index.html").graph["nodes"] if n["kind"] == "Claim")
    assert claim["url"].startswith("paper/2401.00001.html#")
    assert claim["url"].partition("#")[2] in {a.get("id") for _, a in page.elements}


def test_site_is_deterministic_and_replaces_stale_pages(triples: list[Triple], tmp_path: Path) -> None:
    first = write_site(triples, tmp_path / "a", log=lambda message: None).parent
    again = write_site(triples, tmp_path / "b", log=lambda message: None).parent
    assert [p.relative_to(first) for p in pages(first)] == [p.relative_to(again) for p in pages(again)]
    assert all(p.read_bytes() == (again / p.relative_to(first)).read_bytes() for p in pages(first))
    fewer = [t for t in triples if "2401.00001" in t.provenance.paper_id]
    write_site(fewer, tmp_path / "a", log=lambda message: None)
    assert not (first / "method" / "script-window-pwned-1-script.html").exists()
    assert (first / "method" / "lantern.html").exists()
    assert not (tmp_path / "a" / "site.tmp").exists()


@pytest.mark.parametrize(("kind", "key", "path"), [
    (NodeKind.METHOD, "method:speculative-decoding", r"method/speculative-decoding\.html"),
    (NodeKind.PAPER, "paper:2401.00001", r"paper/2401\.00001\.html"),
    (NodeKind.PAPER, "paper:../../etc/passwd", r"paper/etc-passwd_[0-9a-f]{12}\.html"),
    (NodeKind.PAPER, 'paper:h3"><svg onload=x>', r"paper/h3-svg-onload-x_[0-9a-f]{12}\.html"),
    (NodeKind.DATASET, "dataset:Ünïcode", r"dataset/n-code_[0-9a-f]{12}\.html"),
    (NodeKind.TASK, "task:a.", r"task/a_[0-9a-f]{12}\.html"),
    (NodeKind.TASK, "task:", r"task/_[0-9a-f]{12}\.html"),
])
def test_page_paths_are_plain_file_names(kind: NodeKind, key: str, path: str) -> None:
    assert re.fullmatch(path, _page_path(NodeRef(kind, key)))


@given(st.text(max_size=30), st.text(max_size=30))
def test_any_two_keys_get_their_own_safe_page(a: str, b: str) -> None:
    pa, pb = _page_path(NodeRef(NodeKind.PAPER, "paper:" + a)), _page_path(NodeRef(NodeKind.PAPER, "paper:" + b))
    assert re.fullmatch(r"paper/[a-z0-9][a-z0-9._-]*\.html|paper/_[0-9a-f]{12}\.html", pa), pa
    assert (pa == pb) == (a == b)


def test_layout_places_every_node_near_its_papers() -> None:
    papers = ["p1", "p2", "p3"]
    owners = {"shared": ["p1", "p2"], "own1": ["p1"], "own2": ["p1"], "own3": ["p3"], "orphan": []}
    positions = corpus_layout(papers, owners)
    assert set(positions) == {*papers, *owners}
    assert positions == corpus_layout(papers, owners)
    (x1, y1), (x2, y2) = positions["p1"], positions["p2"]
    assert positions["shared"] == pytest.approx(((x1 + x2) / 2, (y1 + y2) / 2))
    distance = math.dist(positions["own1"], positions["p1"])
    assert distance < math.dist(positions["own1"], positions["p3"]) and distance < 100
    assert len(set(positions.values())) == len(positions)


def test_spiral_spreads_points_evenly() -> None:
    points = spiral((10.0, -5.0), 50, spacing=20.0)
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1:])
    assert closest > 10.0
    assert math.dist(points[0], (10.0, -5.0)) == pytest.approx(20.0)
