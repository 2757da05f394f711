"""Wall time of ``kg extract`` against plain ``nlp.pipe`` over the same texts (run by hand).

    python bench/speed.py [--runs 3]

Both are timed as whole processes, model load included: the baseline loads the same spaCy model with all
its components and pipes the 449 distinct sample abstracts (title, blank line, abstract) with 2 processes and
batch size 64; kg extracts the same papers from the bundled captures. Prints each run and the median ratio.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = """
import sys
import spacy
from kg.extract import SAMPLE_DIR
from kg.readers import read_papers
from kg.settings import default_model
texts = [p.text for p in read_papers([SAMPLE_DIR]).papers]
nlp = spacy.load(default_model())
n = sum(len(doc) for doc in nlp.pipe(texts, n_process=2, batch_size=64))
print(len(texts), n, file=sys.stderr)
"""


def _time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    """Run both commands alternately and report the median wall times and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kg_command = [sys.executable, "-m", "kg", "extract", str(Path(__file__).parents[1] / "kg" / "data" / "sample"),
                      "-o", str(Path(tmp) / "records.jsonl"), "--quiet", "--processes", "2"]
        baseline, ours = [], []
        for run in range(args.runs):
            baseline.append(_time([sys.executable, "-c", BASELINE]))
            ours.append(_time(kg_command))
            print(f"run {run + 1}: nlp.pipe {baseline[-1]:.2f}s  kg extract {ours[-1]:.2f}s", flush=True)
    b, o = statistics.median(baseline), statistics.median(ours)
    print(f"median: nlp.pipe {b:.2f}s, kg extract {o:.2f}s, ratio {o / b:.2f} (bound 1.25)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
