"""Time per paper against its length, an abstract over the limit, and how fast Ctrl-C stops a build.

Builds abstracts of growing length from the sample corpus's own abstracts, runs the whole extraction of one paper
(the pipeline and the assembly, in one process) on each, and prints seconds per paper and per 10,000 characters:
linear time keeps the last column flat. Then times ``kg extract`` end to end on a 1 MB abstract, which the
reader refuses with a warning before spaCy sees it. Last, starts ``kg build`` on the sample corpus with two
processes, sends SIGINT to its process group (as a terminal's Ctrl-C does) after each delay, and prints how long
it took to exit and its exit code.

    python bench/robustness.py [--sizes 5000 20000 50000 100000] [--interrupt-after 2 8 20 40]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.assemble import assemble
from kg.extract import SAMPLE_DIR
from kg.pipeline import build_nlp
from kg.readers import MAX_PAPER_CHARS, read_papers
from kg.settings import Settings
from kg.types import Paper


def abstract_of(size: int, abstracts: list[str]) -> str:
    """The sample abstracts joined until ``size`` characters."""
    text = ""
    while len(text) < size:
        text += " ".join(abstracts) + " "
    return text[:size].rsplit(" ", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_500, 5_000, 10_000, MAX_PAPER_CHARS - 100])
    parser.add_argument("--interrupt-after", type=float, nargs="+", default=[2.0, 8.0, 20.0, 40.0], metavar="S")
    args = parser.parse_args()
    abstracts = [p.abstract for p in read_papers([SAMPLE_DIR]).papers]
    nlp = build_nlp(Settings(n_process=1))
    nlp("Warm-up. " + abstracts[0])
    print(f"{'characters':>10s}  {'seconds':>8s}  {'s per 10k chars':>15s}")
    for size in args.sizes:
        paper = Paper(id="bench", title="A long paper", abstract=abstract_of(size, abstracts), source="bench:1")
        started = time.perf_counter()
        assemble(paper, nlp(paper.text))
        seconds = time.perf_counter() - started
        print(f"{len(paper.text):10,d}  {seconds:8.2f}  {seconds / len(paper.text) * 10_000:15.3f}")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "huge.jsonl"
        huge = {"id": "huge", "title": "A 1 MB abstract", "abstract": abstract_of(999_000, abstracts)}
        good = {"id": "good", "title": "A good paper", "abstract": abstracts[0]}
        path.write_text(json.dumps(huge) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "kg", "extract", str(path), "-o", str(Path(tmp) / "o.jsonl")],
                                capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        warning = next((line for line in result.stderr.splitlines() if "warning" in line), "")
        print(f"kg extract with a {path.stat().st_size:,}-byte abstract line: exit {result.returncode} in "
              f"{seconds:.1f}s (model loading included): {warning}")

        for delay in args.interrupt_after:
            build = subprocess.Popen([sys.executable, "-m", "kg", "build", "--out", str(Path(tmp) / "out"),
                                      "--processes", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, start_new_session=True)
            time.sleep(delay)
            interrupted = time.perf_counter()
            os.killpg(build.pid, signal.SIGINT)
            _, stderr = build.communicate()
            last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
            print(f"kg build interrupted after {delay:.0f}s: exit {build.returncode} in "
                  f"{time.perf_counter() - interrupted:.2f}s, last line {last!r}")


if __name__ == "__main__":
    main()
