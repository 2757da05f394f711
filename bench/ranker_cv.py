"""Pointwise against listwise claim attribute rankers, cross-validated inside the pool (by hand).

    python bench/ranker_cv.py [--cache /tmp/kg-claims/fold0.pkl] [--attributes subject dataset metric]

Reads the Docs that ``bench/claim_rankers.py`` cached for fold 0 and never looks at fold 0: the relation model is
fitted on folds 1-4, and each attribute ranker is fitted on three of those folds and scored on the fourth (the share
of claims whose top choice, "none" included, is right), for each fit and each C. Minutes, not the harness's
quarter hour; ``RANKER_FITS`` in ``extractors/training/train.py`` was chosen with it and with the harness.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    """Print each attribute's ranking accuracy per fit, C and fold."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/kg-claims/fold0.pkl"))
    parser.add_argument("--attributes", nargs="+", default=["subject", "dataset", "metric"])
    args = parser.parse_args()
    if not args.cache.exists():
        print(f"ranker_cv: no cache at {args.cache}: run bench/claim_rankers.py first", file=sys.stderr)
        return 2
    from claim_rankers import cached, with_fitted_relations  # noqa: PLC0415
    from extractors.claims.candidates import number_candidates  # noqa: PLC0415
    from extractors.claims.patterns import PATTERNS_PATH, ClaimPatterns  # noqa: PLC0415
    from extractors.training import train as t  # noqa: PLC0415
    from extractors.training.corpus import fold_of  # noqa: PLC0415
    from extractors.training.examples import claim_examples  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="kg-ranker-cv-") as tmp:
        pool = with_fitted_relations([p for p in cached(args.cache) if p.item.fold != 0], 0, Path(tmp))
    patterns = ClaimPatterns.load(PATTERNS_PATH)
    examples = claim_examples(pool, lambda doc: number_candidates(doc.text, patterns))
    for attribute in args.attributes:
        rows = examples.attributes[attribute]
        for name, fit in t.RANKER_FITTERS.items():
            for c in t.C_GRID:
                scores = [t._ranking_accuracy(fit(t._subset(rows, lambda p, k=k: fold_of(p) != k), (t.NONE, t.YES), c),
                                              t._subset(rows, lambda p, k=k: fold_of(p) == k)) for k in (1, 2, 3, 4)]
                print(f"{attribute} {name} C={c}: " + " ".join(f"{s:.3f}" for s in scores) +
                      f"  mean {np.mean(scores):.4f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    sys.exit(main())
