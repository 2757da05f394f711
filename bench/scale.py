"""Scale benchmark: ``kg build`` over 3,000, 10,000 and 29,700 papers of ``../shared/corpus_arxiv``, then 300 more.

Each step builds into the same directory, so it extracts only the papers new to it (the incremental cache) and
streams all of them through canonicalization and the writers. Per step: wall time, papers extracted and papers/s,
peak memory of the whole process tree (the sum of the processes' proportional set sizes, so pages shared by the
forked workers count once; the sum of resident sizes too), and the output size without the cache (KB per paper).
The first step is a build from scratch; the last, 300 papers added to 29,700, is the incremental case.

Run by hand: ``python bench/scale.py [--work DIR] [--sizes 3000,10000,29700,30000] [--processes 2]``.
Results are printed and appended as JSON lines to ``DIR/results.jsonl``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import psutil

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus_arxiv" / "arxiv_cs_30k.jsonl.gz"


def slices(corpus: Path, sizes: list[int], work: Path) -> list[Path]:
    """The corpus cut into files at ``sizes`` (papers ``sizes[i-1]`` to ``sizes[i]`` in file ``i``)."""
    lines = gzip.decompress(corpus.read_bytes()).decode("utf-8").splitlines(keepends=True)
    paths, start = [], 0
    for i, end in enumerate(sizes):
        path = work / "inputs" / f"part{i}_{start}_{end}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(lines[start:end]), encoding="utf-8")
        paths.append(path)
        start = end
    return paths


def run(command: list[str], interval: float = 0.5) -> dict[str, float]:
    """Run a command, polling the memory of its process tree; wall seconds and peak PSS and RSS in GB."""
    started = time.perf_counter()
    proc = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_pss = peak_rss = 0
    while proc.poll() is None:
        pss = rss = 0
        try:
            for p in [proc, *proc.children(recursive=True)]:
                info = p.memory_full_info()
                pss, rss = pss + info.pss, rss + info.rss
        except psutil.Error:
            pass
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(interval)
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{command} failed ({proc.returncode}): {stderr[-2000:]}")
    return {"seconds": time.perf_counter() - started, "peak_pss_gb": peak_pss / 1e9, "peak_rss_gb": peak_rss / 1e9}


def output_bytes(out: Path) -> int:
    """Bytes of a build's outputs, the extraction cache left out."""
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and p.name != "cache.sqlite")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-scale"))
    parser.add_argument("--sizes", default="3000,10000,29700,30000")
    parser.add_argument("--processes", default="2")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    parts = slices(args.corpus, sizes, args.work)
    out = args.work / "out"
    for i, size in enumerate(sizes):
        command = [sys.executable, "-m", "kg", "build", *map(str, parts[:i + 1]), "--out", str(out), "-q",
                   "--processes", args.processes]
        result = run(command)
        new = size - (sizes[i - 1] if i else 0)
        row = {"papers": size, "extracted": new, **result, "papers_per_s": new / result["seconds"],
               "output_kb_per_paper": output_bytes(out) / size / 1e3,
               "cache_kb_per_paper": (out / "cache.sqlite").stat().st_size / size / 1e3}
        print(json.dumps(row), flush=True)
        with (args.work / "results.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
