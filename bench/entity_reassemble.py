"""A fold's cached Docs with their entities assembled again by entity models refitted on them (by hand).

    python bench/entity_reassemble.py SOURCE TARGET [--fold 0] [--cross-fit]

Reads the Docs ``bench/claim_rankers.py`` caches (SOURCE), fits the word clusters, the boundary, refining and
proposed classifiers on the other folds (fold FOLD+1 chooses C and thresholds), assembles every Doc's entities again
and writes a cache of the same kind (TARGET) for ``bench/claim_rankers.py --cache TARGET``. A change to the entity
features is so measured through relations and claims in about 25 minutes instead of the 22 of a new cache plus the
fit. With ``--cross-fit`` the training Docs' entities come from models fitted on the other half of the training folds
(the halves the recognizers are cross-fitted on), so the relation and claim models learn from entities as noisy as
the held-out fold's; without it, from models fitted on all of them (what ``kg train`` does). Every recognizer
mention weighs as the shipped ``ner_precision.json`` says (the cache does not keep each half's own).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from claim_rankers import fitted_assembler, save_cached  # noqa: E402


def main() -> int:
    """Refit the entity models on a cached fold and write the reassembled Docs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--cross-fit", action="store_true",
                        help="the training Docs' entities by the other half's models")
    args = parser.parse_args()
    from extractors.clusters import WordClusters  # noqa: PLC0415
    from extractors.entities import PRECISION_FILE, EntityAssembler  # noqa: PLC0415
    from extractors.linear import MODELS_DIR  # noqa: PLC0415
    from extractors.training import train as t  # noqa: PLC0415

    with args.source.open("rb") as f:
        cached = [(item, doc) for item, doc, _ in pickle.load(f)]
    precision = json.loads((MODELS_DIR / PRECISION_FILE).read_text(encoding="utf-8"))
    annotated = [(item, doc, precision) for item, doc in cached]
    pool = [a for a in annotated if a[0].fold != args.fold]
    held = [a for a in annotated if a[0].fold == args.fold]
    clusters = WordClusters.fit(t.cluster_words(doc for _, doc, _ in pool), cached[0][1].vocab)
    meta = {"data": "cv", "validation_fold": (args.fold + 1) % 5}

    def fitted(part: list) -> EntityAssembler:
        with tempfile.TemporaryDirectory(prefix="kg-entities-") as tmp:
            models = Path(tmp)
            t._fit_linear(part, models, meta, ("entities", "proposed"), clusters, print)
            return fitted_assembler(models, clusters)

    whole = fitted(pool)
    prepared = t._assembled(held, whole)
    if args.cross_fit:
        for h in (0, 1):
            prepared += t._assembled([a for a in pool if t.half(a[0]) == h],
                                     fitted([a for a in pool if t.half(a[0]) != h]))
    else:
        prepared += t._assembled(pool, whole)
    save_cached(prepared, args.target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
