"""Learning curve: extraction F1 on the validation fold against the number of training abstracts (run by hand).

    python bench/learning_curve.py [--fractions 0.25 0.5 1.0] [--work /tmp/kg-curve]

For each fraction, a seeded subset of the training pool without fold 0 is written to a scratch folder, ``kg train``
rebuilds every model from it (fold 1 validates; the word vectors are the packaged ones), ``kg extract`` runs on fold
0 and the reference scorer compares with gold. The test split is never read.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "bench" / "annotations"
MEASURES = ("entities_typed", "relations", "claims", "claims_full")


def main() -> int:
    """Train on growing subsets and score fold 0."""
    from extractors.training.corpus import is_test_name, load  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fractions", nargs="+", type=float, default=[0.25, 0.5, 1.0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-curve"))
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("score", args.shared / "eval" / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    pool = load(ANNOTATIONS)
    held = [a for a in pool if a.fold == 0]
    rest = [a for a in pool if a.fold != 0]
    args.work.mkdir(parents=True, exist_ok=True)
    abstracts = args.work / "fold0_abstracts.jsonl"
    abstracts.write_text("".join(json.dumps({"id": a.paper.id, "title": a.paper.title, "abstract": a.paper.abstract})
                                 + "\n" for a in held))
    gold = {a.paper.id: a.gold for a in held}
    order = sorted(rest, key=lambda a: a.paper.id)
    random.Random(0).shuffle(order)
    for fraction in args.fractions:
        subset = order[:round(len(order) * fraction)]
        data = args.work / f"data-{fraction}"
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        by_name: dict[str, list] = {}
        for item in subset:
            assert not is_test_name(item.name)
            by_name.setdefault(item.name, []).append(item)
        for name, items in by_name.items():
            (data / f"{name}_abstracts.jsonl").write_text("".join(json.dumps(
                {"id": a.paper.id, "title": a.paper.title, "abstract": a.paper.abstract}) + "\n" for a in items))
            (data / f"{name}_gold.jsonl").write_text("".join(json.dumps(a.gold) + "\n" for a in items))
        models = args.work / f"models-{fraction}"
        subprocess.run([sys.executable, "-m", "extractors.training.train", "--data", str(data), "--models",
                        str(models), "--validation", "1", "--only", "ner", "entities", "proposed", "relations",
                        "claims"],
                       check=True)
        pred_path = args.work / f"pred-{fraction}.jsonl"
        subprocess.run([sys.executable, "-m", "kg", "extract", str(abstracts), "-o", str(pred_path), "-q"],
                       check=True, env={**os.environ, "KG_MODELS": str(models)})
        report, _ = scorer.score(gold, scorer.load(str(pred_path)))
        print(f"{len(subset):5d} abstracts: " + "  ".join(f"{m}={report[m]['f1']:.3f}" for m in MEASURES), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
