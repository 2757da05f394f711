"""Draw the annotation pool from the 30,000 arXiv cs abstracts, seeded, and split it by paper (run once, by hand).

    python bench/annotations/sample.py ../shared/corpus_arxiv/arxiv_cs_30k.jsonl.gz OUTDIR

Keeps papers with an ML category (cs.LG, cs.CV, cs.CL, cs.AI, stat.ML) anywhere in their list, drops any that
`../shared/eval/reserved.py` lists or that share a title with the sample corpus, shuffles with a fixed seed and
writes batches of 50: `test_bNN` (the first 300: the test split) then `train_bNN`. The draw ignores the
`arxiv_*` pairs already in `bench/annotations` (they are this draw), so a larger POOL keeps every earlier batch
as it was and only adds batches after them (1,400 at first, 1,800 in issue 10's second round, 2,200 in its third, 2,600, 3,000 and 3,400 in its fourth, 4,200 in its fifth).
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT.parent / "shared" / "eval"))
from reserved import is_reserved  # noqa: E402

ML = {"cs.LG", "cs.CV", "cs.CL", "cs.AI", "stat.ML"}
SEED = 20261205
POOL = 4200
TEST = 300
BATCH = 50


def _norm(title: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", title.lower())


def main(source: str, out: str) -> int:
    seen = set()
    for path in (ROOT / "bench").rglob("*_abstracts.jsonl"):
        if path.name.startswith("arxiv_"):
            continue
        seen.update(_norm(json.loads(line)["title"]) for line in path.open() if line.strip())
    for path in (ROOT / "bench" / "heldout", ROOT.parent / "shared" / "eval"):
        for f in path.glob("*abstracts.jsonl"):
            seen.update(_norm(json.loads(line)["title"]) for line in f.open() if line.strip())
    papers = []
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            cats = set(d["categories"].split())
            if not cats & ML or is_reserved(d["title"], d["abstract"]) or _norm(d["title"]) in seen:
                continue
            papers.append({"id": d["id"], "title": d["title"], "abstract": d["abstract"],
                           "categories": d["categories"]})
    papers.sort(key=lambda p: p["id"])
    random.Random(SEED).shuffle(papers)
    chosen = papers[:POOL]
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    for start in range(0, POOL, BATCH):
        split = "test" if start < TEST else "train"
        number = start // BATCH if split == "test" else (start - TEST) // BATCH
        with (outdir / f"{split}_b{number:02d}_abstracts.jsonl").open("w", encoding="utf-8") as fh:
            for paper in chosen[start:start + BATCH]:
                fh.write(json.dumps(paper, ensure_ascii=False) + "\n")
    print(f"{len(papers)} eligible, {len(chosen)} drawn into {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
