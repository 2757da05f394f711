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

from kg.canonical import canonicalize
from kg.leaderboard import leaderboards
from kg.schema import NodeKind
from kg.sinks.html import COLORS, LABEL, NEIGHBOURS_SHOWN, OVERVIEW, _page_path, write_site
from kg.sinks.html_chart import best_over_time
from kg.sinks.html_layout import overview_layout, separate, spiral
from kg.sinks.jsonl import read_triples
from kg.triples import build_triples
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
    expected = {site / _page_path(ref) for ref in refs if ref.kind is not NodeKind.CLAIM}
    assert set(pages(site)) == expected | {site / "index.html", site / "leaderboards.html"}
    assert {p.name for p in (site / "assets").iterdir()} == {"vis-network.min.js", "vis-network.min.css", "kg.js",
                                                             "kg.css"}
    assert (site / "search-index.js").is_file()


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
        root = "" if path.parent == site else "../"
        files = ["vis-network.min.js", "kg.js"] if page.graph else ["kg.js"]
        assert [a.get("src") or a.get("type") for a in scripts] == [
            *(["application/json"] if page.graph else []), *(f"{root}assets/{name}" for name in files)]


def test_hostile_text_is_text_on_every_page(site: Path) -> None:
    """Titles, names and aliases with markup become text: no element or attribute comes from them."""
    seen = 0
    for path in pages(site):
        page = Page(path)
        assert {tag for tag, _ in page.elements} <= SITE_TAGS, path
        assert not [name for _, attrs in page.elements for name in attrs if name.startswith("on")], path
        text = "".join(page.text)
        seen += HOSTILE_TITLE in text or HOSTILE_NAME in text
        if page.graph:
            block = path.read_text(encoding="utf-8").split('id="kg-graph">')[1].split("</script>")[0]
            assert "<" not in block and ">" not in block and "&" not in block  # tojson escaped them as \u00XX
    assert seen >= 3  # the hostile paper's page, its entity's page and the pages that link them
    index = (site / "search-index.js").read_text(encoding="utf-8")
    assert index.startswith("window.kgSearchIndex = [") and index.isascii() and "<" not in index


SITE_TAGS = {"html", "head", "meta", "title", "link", "body", "script", "header", "main", "aside", "section", "h1",
             "h2", "p", "a", "span", "q", "ul", "ol", "li", "label", "input", "div", "blockquote", "code", "table",
             "thead", "tbody", "tr", "th", "td", "strong", "fieldset", "legend", "nav", "svg", "g", "line", "polyline",
             "circle", "text"}
"""Every element a page may hold; none comes from a paper's text."""


def test_index_overview_draws_the_most_mentioned_entities_linked_by_shared_papers(site: Path,
                                                                                 triples: list[Triple]) -> None:
    graph = Page(site / "index.html").graph
    papers: dict[str, set[str]] = {}
    for t in triples:
        if t.predicate.value == "mentions" and isinstance(t.object, NodeRef):
            papers.setdefault(t.object.key, set()).add(t.subject.key)
    nodes = {n["id"]: n for n in graph["nodes"]}
    kinds = {NodeKind(n["kind"]) for n in nodes.values()}
    assert graph["overview"] and kinds <= set(OVERVIEW) and len(nodes) <= sum(OVERVIEW.values())
    for kind in kinds:  # the most mentioned of each kind are drawn
        drawn = [k for k, n in nodes.items() if n["kind"] == kind.value]
        rest = [k for k in papers if k.startswith(kind.value.lower() + ":") and k not in drawn]
        assert not rest or min(len(papers[k]) for k in drawn) >= max(len(papers[k]) for k in rest)
    for edge in graph["edges"]:
        assert papers[edge["from"]] & papers[edge["to"]]
    for key, node in nodes.items():
        assert node["color"] == COLORS[NodeKind(node["kind"])] and node["url"] and node["label"]
        assert math.isfinite(node["x"]) and math.isfinite(node["y"])
        assert node["info"]["paper"] == f"{len(papers[key])} paper{'s' if len(papers[key]) != 1 else ''}"


def test_page_graphs_are_capped_and_keep_their_labels_apart(site: Path) -> None:
    drawn = 0
    for path in pages(site):
        graph = Page(path).graph
        if not graph or graph.get("overview"):
            continue
        nodes = graph["nodes"]
        drawn += len(nodes) > 2
        assert len(nodes) <= NEIGHBOURS_SHOWN + 1 and all(len(n["label"]) <= LABEL for n in nodes), path
        for i, a in enumerate(nodes):
            for b in nodes[i + 1:]:
                width = 4.0 * (len(a["label"]) + len(b["label"])) + 16
                assert abs(a["x"] - b["x"]) >= width - 1e-6 or abs(a["y"] - b["y"]) >= 44 - 1e-6, (path, a["id"],
                                                                                                   b["id"])
    assert drawn


def test_index_lists_leaderboards_entities_and_papers_as_plain_links(site: Path) -> None:
    page = Page(site / "index.html")
    links = [a["href"] for tag, a in page.elements if tag == "a" and a.get("href")]
    assert "leaderboards.html" in links
    assert sum(1 for link in links if link.startswith(("method/", "model/", "dataset/", "task/"))) >= 3
    assert sum(1 for link in links if link.startswith("paper/")) == 2
    text = " ".join(" ".join(page.text).split())
    assert "Most studied tasks" in text and "Most used datasets" in text and "Newest papers" in text


def test_tooltip_data_has_name_type_aliases_and_evidence(site: Path) -> None:
    nodes = {n["id"]: n for n in Page(site / "method" / "lantern.html").graph["nodes"]}
    assert nodes["dataset:imagenet"]["info"] == {
        "name": "ImageNet", "kind": "Dataset", "aliases": ["ImageNet-1K"],
        "evidence": "On ImageNet, LANTERN achieves a 1.75times speedup over greedy decoding.",
        "paper": "LANTERN: Accelerating Visual Autoregressive Models with Relaxed Speculative Decoding"}
    key = "method:script-window-pwned-1-script"
    nodes = {n["id"]: n for n in Page(site / _page_path(NodeRef(NodeKind.METHOD, key))).graph["nodes"]}
    hostile = nodes[key]["info"]
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
    claim = next(n for n in page.graph["nodes"] if n["kind"] == "Claim")
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


def test_overview_layout_fills_its_box_deterministically_and_keeps_labels_apart() -> None:
    nodes = [f"n{i}" for i in range(12)]
    weights = {("n0", f"n{i}"): i for i in range(1, 12)} | {("n1", "n2"): 3}
    boxes = {n: (40.0, 16.0) for n in nodes}
    positions = overview_layout(nodes, weights, boxes, width=800, height=400)
    assert positions == overview_layout(nodes, weights, boxes, width=800, height=400)
    assert set(positions) == set(nodes)
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            (ax, ay), (bx, by) = positions[a], positions[b]
            assert abs(ax - bx) >= 80 - 1e-6 or abs(ay - by) >= 32 - 1e-6, (a, b)


def test_separate_pushes_overlapping_boxes_apart_along_the_shorter_axis() -> None:
    moved = separate({"a": (0.0, 0.0), "b": (10.0, 50.0)}, {"a": (50.0, 10.0), "b": (50.0, 10.0)})
    assert moved == {"a": (0.0, 0.0), "b": (10.0, 50.0)}  # boxes apart already
    moved = separate({"a": (0.0, 0.0), "b": (90.0, 5.0)}, {"a": (50.0, 10.0), "b": (50.0, 10.0)})
    (ax, ay), (bx, by) = moved["a"], moved["b"]
    assert bx - ax >= 100 and (ay, by) == (0.0, 5.0)


def test_spiral_spreads_points_evenly() -> None:
    points = spiral((10.0, -5.0), 50, spacing=20.0)
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1:])
    assert closest > 10.0
    assert math.dist(points[0], (10.0, -5.0)) == pytest.approx(20.0)


# Leaderboard pages -----------------------------------------------------------------------------------------

BOARD_PAPERS = [
    ("2301.00001", "OldGen reaches 3.0 FID on ImageNet 256x256.",
     [("Method", "OldGen", ()), ("Dataset", "ImageNet", ())], [("3.0", "", "FID", "OldGen", "ImageNet", "absolute")]),
    ("2306.00002", "MidGen reaches 2.0 FID on ImageNet 256x256.",
     [("Method", "MidGen", ()), ("Dataset", "ImageNet", ())], [("2.0", "", "FID", "MidGen", "ImageNet", "absolute")]),
    ("2402.00003", "SlowGen reaches 2.5 FID on ImageNet 256x256.",
     [("Method", "SlowGen", ()), ("Dataset", "ImageNet", ())],
     [("2.5", "", "FID", "SlowGen", "ImageNet", "absolute")]),
    ("t-undated", f"{HOSTILE_NAME} reaches 1.0 FID on ImageNet 256x256.",
     [("Method", HOSTILE_NAME, ()), ("Dataset", "ImageNet", ())],
     [("1.0", "", "FID", HOSTILE_NAME, "ImageNet", "absolute")]),
]


@pytest.fixture(scope="module")
def board_triples(paper_record) -> list[Triple]:  # noqa: ANN001 - a conftest factory
    return build_triples(*canonicalize([paper_record(*spec) for spec in BOARD_PAPERS]))


@pytest.fixture(scope="module")
def board_site(board_triples: list[Triple], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(board_triples, tmp_path_factory.mktemp("boards"), log=lambda message: None).parent


def test_a_leaderboard_page_per_leaderboard_linked_from_the_index(board_site: Path,
                                                                  board_triples: list[Triple]) -> None:
    [board] = leaderboards(board_triples, min_rows=2)
    path = board_site / "leaderboard" / f"{board.slug}.html"
    for linking in ("index.html", "leaderboards.html", "dataset/imagenet.html", "metric/fid.html"):
        assert f"leaderboard/{board.slug}.html" in (board_site / linking).read_text(encoding="utf-8"), linking
    page = Page(path)
    text = " ".join(" ".join(page.text).split())
    assert "ImageNet · FID · 256×256" in text and "lower is better" in text
    rows = [line for line in path.read_text(encoding="utf-8").split("<tr>")[2:]]
    assert [r.split("</td>")[0].removeprefix("<td>") for r in rows] == ["1", "2", "3", "4"]
    assert HOSTILE_NAME in text and "1 result of undated papers is not drawn" in text
    assert {tag for tag, _ in page.elements} <= SITE_TAGS
    assert not [name for _, attrs in page.elements for name in attrs if name.startswith("on")]


def test_the_chart_draws_dated_results_and_the_best_so_far(board_triples: list[Triple]) -> None:
    [board] = leaderboards(board_triples, min_rows=2)
    chart = best_over_time(board)
    assert chart["undated"] == 1
    points = chart["points"]
    assert [p["best"] for p in points] == [True, True, False]  # 3.0 (2023-01), 2.0 (2023-06), 2.5 (2024-02)
    assert [p["x"] for p in points] == sorted(p["x"] for p in points)
    assert points[1]["y"] > points[0]["y"]  # a lower FID is drawn lower
    line = [tuple(map(float, xy.split(","))) for xy in chart["line"].split()]
    assert line[0] == (points[0]["x"], points[0]["y"]) and line[-1][0] == chart["right"]
    assert all(chart["left"] <= x <= chart["right"] and chart["top"] <= y <= chart["bottom"] for x, y in line)
    assert [t["label"] for t in chart["xticks"]] == ["2023-01", "2023-03", "2023-05", "2023-07", "2023-09",
                                                     "2023-11", "2024-01"]
    assert chart["yticks"] and all(chart["top"] <= t["y"] <= chart["bottom"] for t in chart["yticks"])
