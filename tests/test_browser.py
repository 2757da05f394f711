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

from kg.extract import SAMPLE_DIR, extract
from kg.settings import Settings
from kg.sinks.html import write_site
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


def test_index_draws_every_node_offline_without_errors(browser: Any, hostile_site: Path) -> None:
    page = visit(browser, hostile_site / "index.html")
    assert_offline_and_clean(page)
    count = len(graph_data(browser)["nodes"])
    assert count > 10
    assert browser.execute_script("return document.body.dataset.drawnNodes") == str(count)
    assert browser.execute_script("return Object.keys(window.kg.network.getPositions()).length") == count
    painted = browser.execute_script("""
        const canvas = document.querySelector('#graph canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) painted += pixels[i] > 0;
        return painted;""")
    assert painted > 1000, "the canvas is blank"


@pytest.mark.parametrize("title", ['<img src=x onerror="window.__pwned=1"> ScriptFormer',
                                   "<script>window.__pwned=1</script> BoldNet"])
def test_hostile_paper_shows_its_title_as_text_and_runs_nothing(browser: Any, hostile_site: Path,
                                                                title: str) -> None:
    visit(browser, hostile_site / "index.html")
    node = next(n for n in graph_data(browser)["nodes"] if n["info"]["name"].startswith(title))
    page = visit(browser, hostile_site / node["url"])
    assert_offline_and_clean(page)
    assert browser.execute_script("return window.__pwned") is None
    assert browser.find_element("tag name", "h1").text.endswith(node["info"]["name"])
    assert title in browser.find_element("tag name", "main").text
    assert browser.execute_script("return document.querySelectorAll('main img, main svg, main iframe').length") == 0


def test_tooltips_show_hostile_text_as_text(browser: Any, hostile_site: Path) -> None:
    visit(browser, hostile_site / "index.html")
    nodes = graph_data(browser)["nodes"]
    hostile = [n for n in nodes if "<" in n["info"]["name"]]  # both hostile papers
    hostile += [n for n in nodes if "<" in n["info"]["paper"] and n not in hostile][:2]  # entities of them
    assert len(hostile) >= 3
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


def test_search_finds_an_entity_and_opens_its_page(browser: Any, hostile_site: Path) -> None:
    visit(browser, hostile_site / "index.html")
    browser.find_element("id", "search").send_keys("imagenet")
    link = browser.find_element("css selector", "#results a")
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


# The sample corpus -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the bundled sample corpus (449 papers and a few thousand entities)."""
    result = extract([SAMPLE_DIR], settings=Settings())
    triples = build_triples(result.records, result.nodes)
    return write_site(triples, tmp_path_factory.mktemp("corpus"), log=lambda message: None).parent


def test_corpus_index_draws_within_five_seconds(browser: Any, corpus_site: Path) -> None:
    page = visit(browser, corpus_site / "index.html")
    assert_offline_and_clean(page)
    count = len(graph_data(browser)["nodes"])
    assert count > 3000  # papers and entities of the sample corpus: a graph of corpus size
    assert browser.execute_script("return document.body.dataset.drawnNodes") == str(count)
    assert page.drawn_at_ms < 5000, f"drawn {page.drawn_at_ms:.0f} ms after navigation started"


def test_corpus_entity_page_draws_its_neighbourhood(browser: Any, corpus_site: Path) -> None:
    page = visit(browser, corpus_site / "method" / "speculative-decoding.html")
    assert_offline_and_clean(page)
    data = graph_data(browser)
    assert data["total"] > 20
    assert browser.execute_script("return document.body.dataset.drawnNodes") == str(len(data["nodes"]))
