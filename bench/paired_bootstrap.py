"""How far a difference between two runs on one fold is from zero: a paired bootstrap over papers (by hand).

    python bench/paired_bootstrap.py A.jsonl B.jsonl [--fold 0] [--samples 2000]

A and B are the records two variants wrote for the same held-out fold (``bench/claim_rankers.py --pred FILE``). Each
paper is scored on its own by the reference scorer. Resampling the fold's papers with replacement then gives, for
each measure, B's F1 minus A's and the interval that holds 95% of the resampled differences. The interval says how
much the choice of papers moves a difference, not how much a refit of the same code does (for that, run
``bench/claim_rankers.py --train-share 0.95`` with several seeds). Merge is left out: it pairs mentions across
papers. The test split is never read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from crossval import ANNOTATIONS, _scorer  # noqa: E402

MEASURES = ("entities_typed", "relations", "claims", "claims_full")


def _counts(scorer, gold: dict[str, dict], pred: dict[str, dict]) -> np.ndarray:  # noqa: ANN001
    """True positives, predictions and gold items per paper and measure: shape (papers, measures, 3)."""
    out = np.zeros((len(gold), len(MEASURES), 3))
    for i, (paper, record) in enumerate(gold.items()):
        report, _ = scorer.score({paper: record}, {paper: pred[paper]} if paper in pred else {})
        out[i] = [[report[m]["tp"], report[m]["pred"], report[m]["gold"]] for m in MEASURES]
    return out


def _f1(totals: np.ndarray) -> np.ndarray:
    """Micro F1 of summed counts (last axis: tp, pred, gold)."""
    denominator = totals[..., 1] + totals[..., 2]
    return np.divide(2 * totals[..., 0], denominator, out=np.zeros_like(denominator), where=denominator > 0)


def main() -> int:
    """Print each measure's F1 for A and B, the difference and its 95% bootstrap interval."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    from extractors.training.corpus import load  # noqa: PLC0415

    scorer = _scorer(args.shared)
    gold = {a.paper.id: a.gold for a in load(ANNOTATIONS) if a.fold == args.fold}
    a, b = _counts(scorer, gold, scorer.load(str(args.a))), _counts(scorer, gold, scorer.load(str(args.b)))
    rng = np.random.default_rng(0)
    draws = rng.integers(0, len(gold), size=(args.samples, len(gold)))
    differences = _f1(b[draws].sum(axis=1)) - _f1(a[draws].sum(axis=1))
    low, high = np.percentile(differences, [2.5, 97.5], axis=0)
    print(f"fold {args.fold}: {len(gold)} papers, {args.samples} resamples")
    for k, measure in enumerate(MEASURES):
        fa, fb = _f1(a.sum(axis=0))[k], _f1(b.sum(axis=0))[k]
        print(f"{measure:15s} A {fa:.3f}  B {fb:.3f}  B-A {fb - fa:+.3f}  95% [{low[k]:+.3f}, {high[k]:+.3f}]  "
              f"B ahead in {np.mean(differences[:, k] > 0):.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
