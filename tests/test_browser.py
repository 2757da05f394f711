"""The HTML site in real headless Chromium (Debian's chromium and chromedriver; nothing is downloaded).

Pages are opened from ``file://``; Chrome's performance log records every request and its console log every
error. These tests fail instead of skipping when CI is set and the browser is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kg.canonical import canonicalize
from kg.extract import SAMPLE_DIR, extract
from kg.settings import Settings
from kg.sinks.html import NEIGHBOURS_SHOWN, OVERVIEW, write_site
from kg.triples import build_triples

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--window-size=1400,900")
KG = shutil.which("kg") or "kg"


@dataclass
class Visit:
    """What one page load did."""

    drawn_at_ms: float
    requests: list[dict[str, str]]
    console: list[dict[str, Any]]


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless Chromium driven by chromedriver, with performance and console logs on.

    Selenium Manager (which would download a browser or driver) is never asked: the driver's path is given,
    and a call to it fails the test.
    """
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).is_file()]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.selenium_manager import SeleniumManager
    except ImportError:
        missing.append("selenium (the test extra)")
    if missing:
        message = f"headless Chromium is not available: missing {', '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message + " (with CI set this fails)")

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SeleniumManager, "binary_paths", _no_selenium_manager)
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _no_selenium_manager(*args: object) -> None:
    pytest.fail("Selenium Manager was asked for a browser or driver", pytrace=False)


def drain(driver: Any) -> None:
    """Drop the log entries so far, so that the next visit sees only its own."""
    driver.get_log("performance")
    driver.get_log("browser")


def visit(driver: Any, page: Path | None = None, timeout: float = 30.0) -> Visit:
    """Open ``page`` (without one: wait for the page a click opened) until its graph is drawn.

    Returns:
        When it was drawn, and the requests and console messages since the last :func:`drain`.
    """
    if page is not None:
        drain(driver)
        driver.get(page.resolve().as_uri())
    deadline = time.monotonic() + timeout
    while (drawn := driver.execute_script("return window.kgDrawnAt")) is None:
        assert time.monotonic() < deadline, f"{driver.current_url} was not drawn within {timeout}s"
        time.sleep(0.05)
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append({"url": message["params"]["request"]["url"],
                             "document": message["params"].get("documentURL", "")})
    return Visit(float(drawn), requests, driver.get_log("browser"))


def assert_offline_and_clean(visit: Visit) -> None:
    assert visit.requests, "the performance log recorded no request at all"
    for request in visit.requests:
        assert request["url"].startswith(("file://", "data:")), request
    assert visit.console == [], visit.console


def graph_data(driver: Any) -> dict[str, Any]:
    return driver.execute_script("return JSON.parse(document.getElementById('kg-graph').textContent)")


# The hostile fixture, built with the real command ----------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``kg build`` of three papers whose titles, abstracts and ids carry markup and script."""
    out = tmp_path_factory.mktemp("hostile")
    result = subprocess.run([KG, "build", str(FIXTURES / "html_papers.jsonl"), "--out", str(out), "-q"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    return out / "site"


def test_index_draws_its_overview_offline_without_errors(browser: Any, hostile_site: Path) -> None:
    page = visit(browser, hostile_site / "index.html")
    assert_offline_and_clean(page)
    count = len(graph_data(browser)["nodes"])
    assert count >= 5
    assert browser.execute_script("return document.body.dataset.drawnNodes") == str(count)
    assert browser.execute_script("return Object.keys(window.kg.network.getPositions()).length") == count
    assert painted(browser) > 1000, "the canvas is blank"


def painted(driver: Any) -> int:
    """How many pixels of the graph's canvas are drawn."""
    return driver.execute_script("""
        const canvas = document.querySelector('#graph canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) painted += pixels[i] > 0;
        return painted;""")


def search_index(site: Path) -> list[list[str]]:
    """The rows of ``search-index.js``: name, kind, page, other names."""
    text = (site / "search-index.js").read_text(encoding="utf-8")
    return json.loads(text.removeprefix("window.kgSearchIndex = ").rstrip().removesuffix(";"))


@pytest.mark.parametrize("title", ['<img src=x onerror="window.__pwned=1"> ScriptFormer',
                                   "<script>window.__pwned=1</script> BoldNet"])
def test_hostile_paper_shows_its_title_as_text_and_runs_nothing(browser: Any, hostile_site: Path,
                                                                title: str) -> None:
    name, _, url, _ = next(row for row in search_index(hostile_site) if row[0].startswith(title))
    page = visit(browser, hostile_site / url)
    assert_offline_and_clean(page)
    assert browser.execute_script("return window.__pwned") is None
    assert browser.find_element("tag name", "h1").text.endswith(name)
    assert title in browser.find_element("tag name", "main").text
    assert browser.execute_script("return document.querySelectorAll('main img, main svg, main iframe').length") == 0


def test_tooltips_show_hostile_text_as_text(browser: Any, hostile_site: Path) -> None:
    url = next(row[2] for row in search_index(hostile_site) if row[0].startswith("<img"))
    visit(browser, hostile_site / url)
    nodes = graph_data(browser)["nodes"]
    hostile = [n for n in nodes if "<" in n["info"]["name"]]  # the hostile paper
    hostile += [n for n in nodes if "<" in n["info"]["paper"] and n not in hostile][:2]  # entities of it
    assert len(hostile) >= 2
    for node in hostile:
        text, markup = hover(browser, node["id"])
        assert node["info"]["name"] in text and node["info"]["paper"] in text, (node["id"], text)
        assert markup == 0, (node["id"], text)
    assert browser.execute_script("return window.__pwned") is None


def hover(driver: Any, node_id: str) -> tuple[str, int]:
    """Point at a node (centred in the view first) and return its tooltip's text and its count of elements
    that markup in the text would have made (img, script, svg, iframe, b)."""
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = driver.find_element("css selector", "#graph canvas")
    driver.execute_script("const net = window.kg.network;"
                          " net.moveTo({position: net.getPosition(arguments[0]), scale: 2, animation: false});",
                          node_id)
    ActionChains(driver).move_to_element_with_offset(canvas, 120, 120).move_to_element(canvas).perform()
    deadline = time.monotonic() + 5
    while True:
        tip = driver.execute_script("""
            const tip = document.querySelector('div.vis-tooltip');
            return tip && tip.style.visibility === 'visible'
                ? [tip.textContent, tip.querySelectorAll('img, script, svg, iframe, b').length] : null;""")
        if tip is not None or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert tip is not None, f"no tooltip over {node_id}"
    return tip[0], tip[1]


def results(driver: Any, timeout: float = 10.0) -> list[Any]:
    """The search results, once the search index has loaded and the list is filled."""
    deadline = time.monotonic() + timeout
    while not (links := driver.find_elements("css selector", "#results a, #results li.none")):
        assert time.monotonic() < deadline, "no search results"
        time.sleep(0.05)
    return links


def test_search_finds_an_entity_and_opens_its_page(browser: Any, hostile_site: Path) -> None:
    visit(browser, hostile_site / "index.html")
    browser.find_element("id", "search").send_keys("imagenet")
    link = results(browser)[0]
    assert link.text == "ImageNet"
    drain(browser)
    link.click()
    deadline = time.monotonic() + 10
    while not browser.current_url.endswith("/dataset/imagenet.html"):
        assert time.monotonic() < deadline, browser.current_url
        time.sleep(0.05)
    page = visit(browser)
    assert_offline_and_clean(page)
    assert int(browser.execute_script("return document.body.dataset.drawnNodes")) >= 3


def test_search_shows_hostile_names_as_text(browser: Any, hostile_site: Path) -> None:
    page = visit(browser, hostile_site / "index.html")
    browser.find_element("id", "search").send_keys("pwned")
    texts = [link.text for link in results(browser)]
    assert any("<script>window.__pwned=1</script>" in t for t in texts), texts
    assert browser.execute_script("return document.querySelectorAll('#results img, #results script').length") == 0
    assert browser.execute_script("return window.__pwned") is None
    assert_offline_and_clean(page)


def test_every_leaderboard_page_is_offline_and_shows_hostile_text_as_text(browser: Any, hostile_site: Path) -> None:
    for path in [hostile_site / "leaderboards.html", *sorted((hostile_site / "leaderboard").glob("*.html"))]:
        page = visit(browser, path)
        assert_offline_and_clean(page)
        assert browser.execute_script("return window.__pwned") is None
        assert browser.execute_script("return document.querySelectorAll('main img, main iframe, main script').length") \
            == 0


# A dated leaderboard ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def board_site(paper_record, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: ANN001 - a factory
    """Three dated papers and a hostile undated one on one leaderboard."""
    papers = [(f"23{month:02d}.0000{month}", f"Gen{month} reaches {value} FID on ImageNet 256x256.",
               [("Method", f"Gen{month}", ()), ("Dataset", "ImageNet", ())],
               [(value, "", "FID", f"Gen{month}", "ImageNet", "absolute")])
              for month, value in ((1, "3.0"), (6, "2.0"), (9, "2.5"))]
    papers.append(("t1", "<img src=x onerror=window.__pwned=1> reaches 1.0 FID on ImageNet 256x256.",
                   [("Method", "<img src=x onerror=window.__pwned=1>", ()), ("Dataset", "ImageNet", ())],
                   [("1.0", "", "FID", "<img src=x onerror=window.__pwned=1>", "ImageNet", "absolute")]))
    triples = build_triples(*canonicalize([paper_record(*spec) for spec in papers]))
    return write_site(triples, tmp_path_factory.mktemp("board"), log=lambda message: None).parent


def test_leaderboard_page_draws_its_chart_offline(browser: Any, board_site: Path) -> None:
    [path] = (board_site / "leaderboard").glob("*.html")
    page = visit(browser, path)
    assert_offline_and_clean(page)
    assert browser.execute_script("return document.querySelectorAll('svg.chart circle').length") == 3
    assert browser.execute_script("return document.querySelector('svg.chart polyline.best').getBBox().width") > 100
    assert [td.text for td in browser.find_elements("css selector", "table.board tbody td:nth-child(2)")] == [
        "<img src=x onerror=window.__pwned=1>", "Gen6", "Gen9", "Gen1"]
    assert browser.execute_script("return window.__pwned") is None
    assert browser.execute_script("return document.querySelectorAll('main img').length") == 0


# The sample corpus -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the bundled sample corpus (449 papers and a few thousand entities)."""
    result = extract([SAMPLE_DIR], settings=Settings())
    triples = build_triples(result.records, result.nodes)
    return write_site(triples, tmp_path_factory.mktemp("corpus"), log=lambda message: None).parent


def test_corpus_index_draws_a_readable_overview_within_three_seconds(browser: Any, corpus_site: Path) -> None:
    page = visit(browser, corpus_site / "index.html")
    assert_offline_and_clean(page)
    nodes = graph_data(browser)["nodes"]
    count = len(nodes)
    assert 20 <= count <= sum(OVERVIEW.values())
    for i, a in enumerate(nodes):  # no dot or label (about 7.5 px a character, under its dot) covers another's
        for b in nodes[i + 1:]:
            wide = max(3.75 * len(a["label"]), a["size"]) + max(3.75 * len(b["label"]), b["size"])
            high = a["size"] + b["size"] + 20
            assert abs(a["x"] - b["x"]) >= wide or abs(a["y"] - b["y"]) >= high, (a["label"], b["label"])
    assert browser.execute_script("return document.body.dataset.drawnNodes") == str(count)
    assert browser.execute_script("return window.kg.network.getScale()") > 0.6, "labels would be too small to read"
    assert page.drawn_at_ms < 3000, f"drawn {page.drawn_at_ms:.0f} ms after navigation started"
    links = browser.execute_script("return [...document.querySelectorAll('main a')].map(a => a.getAttribute('href'))")
    assert sum(1 for link in links if link.startswith(("task/", "dataset/", "method/", "model/"))) >= 20
    assert sum(1 for link in links if link.startswith("leaderboard/")) >= 1


def test_corpus_overview_filters_kinds(browser: Any, corpus_site: Path) -> None:
    visit(browser, corpus_site / "index.html")
    tasks = sum(1 for n in graph_data(browser)["nodes"] if n["kind"] == "Task")
    browser.find_element("css selector", "#kinds input[data-kind='Task']").click()
    hidden = browser.execute_script("return window.kg.nodes.get({filter: n => n.hidden}).length")
    assert hidden == tasks > 0


def test_corpus_entity_page_draws_a_capped_neighbourhood(browser: Any, corpus_site: Path) -> None:
    page = visit(browser, corpus_site / "method" / "speculative-decoding.html")
    assert_offline_and_clean(page)
    data = graph_data(browser)
    assert data["total"] > NEIGHBOURS_SHOWN
    assert len(data["nodes"]) == NEIGHBOURS_SHOWN + 1
    assert browser.execute_script("return document.body.dataset.drawnNodes") == str(len(data["nodes"]))
