"""Pointwise against listwise claim attribute rankers, cross-validated inside the pool (by hand).

    python bench/ranker_cv.py [--cache /tmp/kg-claims/fold0.pkl] [--attributes subject dataset metric]

Reads the Docs that ``bench/claim_rankers.py`` cached for fold 0 and never looks at fold 0: the relation model is
fitted on folds 1-4, and each attribute ranker is fitted on three of those folds and scored on the fourth (the share
of claims whose top choice, "none" included, is right), for each fit and each C. Minutes, not the harness's
quarter hour; ``RANKER_FITS`` in ``extractors/training/train.py`` was chosen with it and with the harness.
"""

from __future__ import annotations

import argparse
import pickle
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
    from extractors import contract  # noqa: PLC0415
    from extractors.claims.candidates import number_candidates  # noqa: PLC0415
    from extractors.claims.patterns import PATTERNS_PATH, ClaimPatterns  # noqa: PLC0415
    from extractors.relations import RELATION_LABELS, RelationExtractor  # noqa: PLC0415
    from extractors.training import train as t  # noqa: PLC0415
    from extractors.training.corpus import fold_of  # noqa: PLC0415
    from extractors.training.examples import Prepared, claim_examples, relation_examples, with_relations  # noqa: PLC0415
    from extractors.view import PaperView  # noqa: PLC0415

    with args.cache.open("rb") as f:
        pool = [Prepared(item, doc, PaperView.of(doc, contract.mentions(doc), contract.entities(doc)), gold_of)
                for item, doc, gold_of in pickle.load(f) if item.fold != 0]
    with tempfile.TemporaryDirectory(prefix="kg-ranker-cv-") as tmp:
        model = t._save_linear(Path(tmp) / "relations.npz", relation_examples(pool), RELATION_LABELS,
                               {"data": "cv", "validation_fold": 1}, t._relation_thresholds, print)
    pool = [with_relations(p, RelationExtractor(model)) for p in pool]
    patterns = ClaimPatterns.load(PATTERNS_PATH)
    examples = claim_examples(pool, lambda doc: number_candidates(doc.text, patterns))
    fits = {"pointwise": t._fit, "listwise": t._fit_ranker}
    for attribute in args.attributes:
        rows = examples.attributes[attribute]
        folds = np.array([fold_of(p) for p in rows.papers])
        for name, fit in fits.items():
            for c in t.C_GRID:
                scores = [t._ranking_accuracy(fit(t._subset(rows, folds != k), (t.NONE, t.YES), c),
                                              t._subset(rows, folds == k)) for k in (1, 2, 3, 4)]
                print(f"{attribute} {name} C={c}: " + " ".join(f"{s:.3f}" for s in scores) +
                      f"  mean {np.mean(scores):.4f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
