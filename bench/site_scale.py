"""The HTML site of a large build: index size, draw time and search in headless Chromium (run by hand).

    kg build ../shared/corpus_arxiv/arxiv_cs_30k.jsonl.gz --site --out DIR
    python bench/site_scale.py DIR

Prints the build's leaderboards (2 rows or more, and how many have 3), the site's size and pages, then opens the
index in Debian's headless Chromium (a fresh profile; nothing is downloaded): drawn time after navigation (3
loads), bytes of the index and of what it loads, and the time of a first search (the search index loads on
first use).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from kg.build import earlier_file
from kg.leaderboard import largest_first, leaderboards
from kg.sinks.jsonl import read_triples

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def main(argv: list[str] | None = None) -> int:
    """Count the leaderboards, measure the site; prints one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="a build directory written with --site")
    args = parser.parse_args(argv)
    index = args.out / "site" / "index.html"
    if not index.exists():
        print(f"no site in {args.out}: build with --site", file=sys.stderr)
        return 2
    triples = read_triples(earlier_file(args.out, "triples.jsonl") or args.out / "triples.jsonl")
    boards = largest_first(leaderboards(triples, min_rows=2))
    print(f"{len(boards)} leaderboards with 2 rows or more, {sum(len(b.rows) >= 3 for b in boards)} with 3 or more: "
          + "; ".join(f"{b.title} ({len(b.rows)})" for b in boards[:25]))
    measure(index)
    return 0


def measure(index: Path) -> None:
    """Open the index in headless Chromium; print its size, what it loads, draw time and first-search time."""
    from selenium import webdriver  # noqa: PLC0415 - the test extra
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    site = index.parent
    assets = sum((site / "assets" / name).stat().st_size for name in ("kg.js", "kg.css", "vis-network.min.js",
                                                                      "vis-network.min.css"))
    print(f"index.html {index.stat().st_size / 1e6:.2f} MB; with its scripts and styles "
          f"{(index.stat().st_size + assets) / 1e6:.2f} MB; search-index.js (loaded on the first search) "
          f"{(site / 'search-index.js').stat().st_size / 1e6:.2f} MB")
    pages = sum(1 for _ in site.rglob("*.html"))
    biggest = max(site.rglob("*.html"), key=lambda p: p.stat().st_size)
    print(f"{pages} pages; the biggest is {biggest.relative_to(site)} ({biggest.stat().st_size / 1e6:.1f} MB)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--window-size=1400,900", f"--user-data-dir={tempfile.mkdtemp(prefix='kg-chromium-')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        draws = []
        for _ in range(3):
            driver.get(index.resolve().as_uri())
            draws.append(wait(driver, "return window.kgDrawnAt"))
        nodes = driver.execute_script("return document.body.dataset.drawnNodes")
        print(f"index drawn {min(draws):.0f}-{max(draws):.0f} ms after navigation started (3 loads, {nodes} nodes; "
              f"scale {driver.execute_script('return window.kg.network.getScale()'):.2f})")
        driver.execute_script("window.searchStarted = performance.now()")
        driver.find_element("id", "search").send_keys("imagenet")
        wait(driver, "return document.querySelector('#results li') ? 1 : null")
        took = driver.execute_script("return performance.now() - window.searchStarted")
        hits = len(driver.find_elements("css selector", "#results a"))
        print(f"first search (loads the search index): {took:.0f} ms, {hits} results")
    finally:
        driver.quit()


def wait(driver: object, script: str, timeout: float = 60.0) -> float:
    deadline = time.monotonic() + timeout
    while (value := driver.execute_script(script)) is None:  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise TimeoutError(script)
        time.sleep(0.05)
    return float(value)


if __name__ == "__main__":
    sys.exit(main())
