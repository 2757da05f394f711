"""Dask engine throughput: ``kg build --engine dask`` with a local cluster of 1 and of 2 workers, from scratch.

Run by hand: ``python bench/dask_workers.py [--papers 600] [--work DIR]``. Prints seconds and papers/s per
worker count, their ratio, and whether the two builds wrote the same triples.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus_arxiv" / "arxiv_cs_30k.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=600)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-dask-bench"))
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    lines = gzip.decompress(args.corpus.read_bytes()).decode("utf-8").splitlines(keepends=True)
    inputs = args.work / "papers.jsonl"
    inputs.write_text("".join(lines[:args.papers]), encoding="utf-8")
    rates = {}
    for workers in (1, 2):
        out = args.work / f"out{workers}"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kg", "build", str(inputs), "--out", str(out), "-q", "--no-site",
                        "--engine", "dask", "--processes", str(workers)], check=True)
        seconds = time.perf_counter() - started
        rates[workers] = args.papers / seconds
        print(json.dumps({"workers": workers, "seconds": round(seconds, 1), "papers_per_s": round(rates[workers], 2)}),
              flush=True)
    same = (args.work / "out1" / "triples.jsonl").read_bytes() == (args.work / "out2" / "triples.jsonl").read_bytes()
    print(json.dumps({"ratio": round(rates[2] / rates[1], 2), "identical_triples": same}))


if __name__ == "__main__":
    main()
