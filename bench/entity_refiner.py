"""The entity decisions of one cross-validation fold, refitted on cached Docs (by hand).

    python bench/entity_refiner.py [--fold 0] [--cache /tmp/kg-claims/fold0.pkl] [--without clusters boundaries]

Reads the Docs ``bench/claim_rankers.py`` caches (the held-out fold's recognized by a recognizer that never saw
it, the others by cross-fitted ones), fits the word clusters, the boundary classifier and the refining classifier
on the other folds (fold FOLD+1 chooses C and the threshold), assembles the held-out fold's entities with them and
scores them with the reference scorer: typed entities, per type, and untyped. A change to the candidates, to the
boundaries or to :func:`extractors.entities.entity_features` is measured in 7 to 12 minutes this way, on papers
that are not the test split. The recognizer's mentions weigh as the shipped ``ner_precision.json`` says (the cache
does not keep each half's own).
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

from claim_rankers import _record  # noqa: E402
from crossval import _scorer  # noqa: E402


def main() -> int:
    """Fit the refining classifier on the cached Docs and score the held-out fold's entities."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--without", nargs="+", choices=("clusters", "boundaries"), default=[],
                        help="leave these out, to measure what they add")
    args = parser.parse_args()
    cache = args.cache or Path(f"/tmp/kg-claims/fold{args.fold}.pkl")
    if not cache.exists():
        print(f"no cache at {cache}: run bench/claim_rankers.py first", file=sys.stderr)
        return 1
    from extractors import contract  # noqa: PLC0415
    from extractors.clusters import WordClusters  # noqa: PLC0415
    from extractors.entities import PRECISION_FILE, TYPES, EntityAssembler, EntityRules  # noqa: PLC0415
    from extractors.gazetteer import packaged  # noqa: PLC0415
    from extractors.linear import MODELS_DIR, NONE  # noqa: PLC0415
    from extractors.training import train as t  # noqa: PLC0415
    from extractors.training.examples import boundary_examples, refine_examples  # noqa: PLC0415

    with cache.open("rb") as f:
        cached = [(item, doc) for item, doc, _ in pickle.load(f)]
    precision = json.loads((MODELS_DIR / PRECISION_FILE).read_text(encoding="utf-8"))
    rules = EntityRules.load()
    train = [(item, doc) for item, doc in cached if item.fold != args.fold]
    held = [(item, doc) for item, doc in cached if item.fold == args.fold]
    clusters = None
    if "clusters" not in args.without:
        clusters = WordClusters.fit(t.cluster_words(doc for _, doc in train), cached[0][1].vocab)
    meta = {"data": "cv", "validation_fold": (args.fold + 1) % 5}
    with tempfile.TemporaryDirectory(prefix="kg-refine-") as tmp:
        boundaries = None
        if "boundaries" not in args.without:
            edges = boundary_examples(train, EntityAssembler(rules, packaged(), precision=precision, refine=None,
                                                             proposed=None, clusters=clusters, boundaries=None))
            boundaries = t._save_linear(Path(tmp) / "boundaries.npz", edges, t._classes(edges), meta, None, print)
        bare = EntityAssembler(rules, packaged(), precision=precision, refine=None, proposed=None, clusters=clusters,
                               boundaries=boundaries)
        refine = t._save_linear(Path(tmp) / "entities.npz", refine_examples(train, bare), (NONE, *TYPES), meta,
                                t._refine_threshold, print)
    assembler = EntityAssembler(rules, packaged(), precision=precision, refine=refine, proposed=None,
                                clusters=clusters, boundaries=boundaries)
    pred = {}
    for item, doc in held:
        assembler(doc)
        contract.write(doc, contract.RELATIONS, [])
        contract.write(doc, contract.CLAIMS, [])
        pred[item.paper.id] = _record(item.paper, doc)
    report, _ = _scorer(args.shared).score({item.paper.id: item.gold for item, _ in held}, pred)
    typed = report["entities_typed"]
    print(f"fold {args.fold} ({len(held)} abstracts): entities={typed['f1']:.3f} (p {typed['p']:.3f}, "
          f"r {typed['r']:.3f}) untyped={report['entities_untyped']['f1']:.3f}  " +
          "  ".join(f"{k.split(':')[1]}={v['f1']:.3f}" for k, v in report.items() if k.startswith("type:")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
