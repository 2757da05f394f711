"""Five-fold cross-validation of the whole extraction over the training pool of ``bench/annotations`` (by hand).

    python bench/crossval.py [--folds 0 1 2 3 4] [--work /tmp/kg-cv]

For each fold k, ``kg train`` rebuilds every model without fold k (fold k+1 validates; the word vectors, trained
without labels, are the packaged ones), ``kg extract`` runs with
those models on fold k, and the reference scorer compares it with gold. Prints each fold and the pooled scores
(counts summed over folds). The test split is never read.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "bench" / "annotations"
MEASURES = ("entities_typed", "relations", "claims", "claims_full", "merge")


def _scorer(shared: Path):  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("score", shared / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    """Train and score each fold."""
    from extractors.training.corpus import load  # noqa: PLC0415 - after argument parsing

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-cv"))
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    scorer = _scorer(args.shared)
    pool = load(ANNOTATIONS)
    pooled_gold: dict[str, dict] = {}
    pooled_pred: dict[str, dict] = {}
    for k in args.folds:
        work = args.work / f"fold{k}"
        work.mkdir(parents=True, exist_ok=True)
        items = [a for a in pool if a.fold == k]
        abstracts = work / "abstracts.jsonl"
        abstracts.write_text("".join(json.dumps({"id": a.paper.id, "title": a.paper.title,
                                                 "abstract": a.paper.abstract}) + "\n" for a in items))
        gold = {a.paper.id: a.gold for a in items}
        subprocess.run([sys.executable, "-m", "extractors.training.train", "--models", str(work / "models"),
                        "--held-out", str(k), "--validation", str((k + 1) % 5), "--only", "ner", "entities", "proposed",
                        "relations", "claims"], check=True)
        env = {**os.environ, "KG_MODELS": str(work / "models")}
        subprocess.run([sys.executable, "-m", "kg", "extract", str(abstracts), "-o", str(work / "pred.jsonl"), "-q"],
                       check=True, env=env)
        pred = scorer.load(str(work / "pred.jsonl"))
        report, _ = scorer.score(gold, pred)
        print(f"fold {k}: " + "  ".join(f"{m}={report[m]['f1']:.3f}" for m in MEASURES), flush=True)
        pooled_gold.update(gold)
        pooled_pred.update(pred)
    report, _ = scorer.score(pooled_gold, pooled_pred)
    print("pooled: " + "  ".join(f"{m}={report[m]['f1']:.3f}" for m in MEASURES))
    attrs = report["claim_attributes"]
    print("claim attributes: " + "  ".join(f"{k}={v['accuracy']:.3f}" for k, v in attrs.items() if v["accuracy"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
