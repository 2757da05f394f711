"""The HTML site at 30,000 papers: index size, draw time and search in headless Chromium (run by hand).

    python bench/site_scale.py [--papers 2000] [--scale 30000] [--out DIR]

A 30,000-paper build is still too slow and heavy for this 2-CPU machine in one go (extraction alone takes about
an hour; builds will stream later), so this measures the site at that scale from real records: the first
``--papers`` abstracts of ``arxiv_cs_30k.jsonl.gz`` are extracted as ``kg build`` does, and their records are
replicated with new paper ids (keeping each paper's date) until there are ``--scale`` papers. Entities stay the
real ones (the replicas mention the same nodes), so the overview, the lists and the leaderboards have realistic
shapes and the search index holds 30,000 titles. Then the whole site is written and the index opened in Debian's
headless Chromium (a fresh profile; nothing is downloaded): drawn time after navigation, bytes of the index and
of what it loads, and the time of a first search (the search index loads on first use).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from kg.extract import extract
from kg.leaderboard import largest_first, leaderboards
from kg.settings import Settings
from kg.sinks.html import write_site
from kg.triples import build_triples
from kg.types import PaperRecord

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus_arxiv" / "arxiv_cs_30k.jsonl.gz"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def main(argv: list[str] | None = None) -> int:
    """Extract, replicate, write the site, measure; prints one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=2000, help="real papers extracted (default 2000)")
    parser.add_argument("--scale", type=int, default=30000, help="papers in the site (default 30000)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="arXiv JSON Lines (gzip)")
    parser.add_argument("--out", type=Path, help="where the site goes (default: a temporary directory)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="kg-site-scale-"))
    out.mkdir(parents=True, exist_ok=True)

    source = out / "papers.jsonl"
    with gzip.open(args.corpus, "rt", encoding="utf-8") as fh, source.open("w", encoding="utf-8") as dst:
        dst.writelines(itertools.islice(fh, args.papers))
    started = time.perf_counter()
    result = extract([source], settings=Settings())
    print(f"extracted {len(result.records)} real papers in {time.perf_counter() - started:.0f}s "
          f"({len(result.nodes)} entities, {sum(len(r.claims) for r in result.records)} claims)")

    real = largest_first(leaderboards(build_triples(result.records, result.nodes), min_rows=2))
    print(f"real papers: {len(real)} leaderboards with 2 rows or more, {sum(len(b.rows) >= 3 for b in real)} with 3 "
          "or more: " + "; ".join(f"{b.title} ({len(b.rows)})" for b in real[:20]))
    records = replicate(result.records, args.scale)
    started = time.perf_counter()
    triples = build_triples(records, result.nodes)
    print(f"{len(records)} papers, {len(triples)} triples in {time.perf_counter() - started:.0f}s")
    started = time.perf_counter()
    index = write_site(triples, out, log=print)
    print(f"site written in {time.perf_counter() - started:.0f}s: {out / 'site'}")
    measure(index)
    return 0


def replicate(records: list[PaperRecord], scale: int) -> list[PaperRecord]:
    """``records`` and copies of them with new ids (``<id>-c<n>``) until there are ``scale``; a copy keeps its
    paper's date (given as the record's ``date``, since the new id is no arXiv id)."""
    out = list(records[:scale])
    for n in itertools.count(1):
        for record in records:
            if len(out) >= scale:
                return out
            paper = record.paper
            copy = replace(paper, id=f"{paper.id}-c{n}", extra={**paper.extra, "date": _month(paper.id)})
            out.append(replace(record, paper=copy, claims=tuple(
                replace(c, provenance=replace(c.provenance, paper_id=copy.id)) for c in record.claims),
                entities=tuple(replace(e, mentions=tuple(replace(m, provenance=replace(m.provenance,
                                                                                       paper_id=copy.id))
                                                         for m in e.mentions)) for e in record.entities),
                relations=tuple(replace(r, provenance=replace(r.provenance, paper_id=copy.id))
                                for r in record.relations)))
    return out


def _month(arxiv_id: str) -> str:
    return f"20{arxiv_id[:2]}-{arxiv_id[2:4]}" if arxiv_id[:4].isdigit() else ""


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
