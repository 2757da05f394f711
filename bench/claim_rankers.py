"""Relations and claims of one cross-validation fold, their models refitted on cached Docs (by hand).

    python bench/claim_rankers.py [--fold 0] [--cache /tmp/kg-claims/fold0.pkl] [--pred FILE] [--relations-only]
                                  [--train-share 0.9 --seed N]

The first run does what ``kg train --held-out FOLD`` does up to the claim models (parse the pool, cross-fit two
recognizers on halves of the other folds, fit entity refinement and proposed on them, assemble every Doc, the
held-out fold's by a recognizer that never saw it) and caches the Docs (20 to 25 minutes). Every run then
fits the relation model and the six claim models on the other folds (fold FOLD+1 chooses C and thresholds),
extracts the held-out fold's relations and claims and scores them with the reference scorer: relations, claims,
claims_full and the claim attributes (with ``--relations-only``, the relations alone, per type). ``--train-share 0.9
--seed N`` fits the claim models on a seeded share of the training papers, so that runs with several seeds show how
far a refit alone moves the scores. A change to the
relation or claim features is measured in a few minutes this way, on papers that are not the test split.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.clusters import WordClusters
    from extractors.entities import EntityAssembler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from crossval import ANNOTATIONS, _scorer  # noqa: E402


def _prepare(fold: int, cache: Path) -> None:
    """Parse, cross-fit and assemble the pool; pickle the prepared Docs."""
    import spacy  # noqa: PLC0415

    from extractors.clusters import WordClusters  # noqa: PLC0415
    from extractors.training import train as t  # noqa: PLC0415
    from extractors.training.corpus import load  # noqa: PLC0415
    from kg.pipeline import build_nlp  # noqa: PLC0415
    from kg.settings import Settings  # noqa: PLC0415

    validation = (fold + 1) % 5
    everything = load(ANNOTATIONS)
    pool = [a for a in everything if a.fold != fold]
    held = [a for a in everything if a.fold == fold]
    nlp = build_nlp(Settings(n_process=1), components=())
    with tempfile.TemporaryDirectory(prefix="kg-claims-") as tmp:
        work = Path(tmp)
        t._shipped_vectors(t.MODELS_DIR, work / "vectors")
        nlp.vocab.vectors = spacy.load(work / "vectors").vocab.vectors
        docs = list(nlp.pipe((a.paper.text for a in pool + held), batch_size=64))
        recognizers = t.cross_fitted_recognizers(nlp, pool, work, work / "vectors", validation, None, print)
        annotated = []
        for item, doc in zip(pool + held, docs, strict=True):
            recognizer, precision = recognizers[t.half(item) if item.fold != fold else 0]
            annotated.append((item, recognizer(doc), precision))
        models = work / "models"
        clusters = WordClusters.fit(t.cluster_words(docs[:len(pool)]), nlp.vocab)
        t._fit_linear(annotated[:len(pool)], models, {"data": "cv", "validation_fold": validation},
                      ("entities", "proposed"), clusters, print)
        save_cached(t._assembled(annotated, fitted_assembler(models, clusters)), cache)


def fitted_assembler(models: Path, clusters: WordClusters | None) -> EntityAssembler:
    """The entity component with the boundary, refining and proposed classifiers saved in ``models``."""
    from extractors.boundaries import MODEL_FILE as BOUNDARIES_FILE  # noqa: PLC0415
    from extractors.entities import PROPOSED_FILE, REFINE_FILE, EntityAssembler, EntityRules  # noqa: PLC0415
    from extractors.gazetteer import packaged  # noqa: PLC0415
    from extractors.linear import LinearModel  # noqa: PLC0415

    return EntityAssembler(EntityRules.load(), packaged(), precision={}, refine=LinearModel.load(models / REFINE_FILE),
                           proposed=LinearModel.load(models / PROPOSED_FILE), clusters=clusters,
                           boundaries=LinearModel.load(models / BOUNDARIES_FILE))


def _record(paper, doc) -> dict:  # noqa: ANN001
    """The scorer's view of a Doc's entities, relations and claims."""
    from kg.assemble import assemble  # noqa: PLC0415

    record = assemble(paper, doc)
    return {"entities": [{"name": e.name, "type": e.type.value, "aliases": list(e.aliases)} for e in record.entities],
            "relations": [{"type": r.type.value, "head": r.head, "tail": r.tail} for r in record.relations],
            "claims": [{"value": c.value, "unit": c.unit, "metric": c.metric, "subject": c.subject,
                        "dataset": c.dataset, "direction": c.direction} for c in record.claims]}


def cached(cache: Path) -> list:
    """The prepared Docs that :func:`_prepare` pickled."""
    from extractors import contract  # noqa: PLC0415
    from extractors.training.examples import Prepared  # noqa: PLC0415
    from extractors.view import PaperView  # noqa: PLC0415

    with cache.open("rb") as f:
        return [Prepared(item, doc, PaperView.of(doc, contract.mentions(doc), contract.entities(doc)), gold_of)
                for item, doc, gold_of in pickle.load(f)]


def save_cached(prepared: list, cache: Path) -> None:
    """Pickle prepared Docs for :func:`cached` to read."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as f:
        pickle.dump([(p.item, p.doc, p.gold_of) for p in prepared], f)


def with_fitted_relations(prepared: list, fold: int, models: Path) -> list:
    """The Docs with the relations of a model fitted on every fold but ``fold`` (fold ``fold + 1`` chooses C and
    thresholds), saved in ``models``."""
    from extractors.relations import RELATION_LABELS, RelationExtractor  # noqa: PLC0415
    from extractors.training import train as t  # noqa: PLC0415
    from extractors.training.examples import relation_examples, with_relations  # noqa: PLC0415

    train = [p for p in prepared if p.item.fold != fold]
    relations = RelationExtractor(t._save_linear(models / "relations.npz", relation_examples(train), RELATION_LABELS,
                                                 {"data": "cv", "validation_fold": (fold + 1) % 5},
                                                 t._relation_thresholds, print))
    return [with_relations(p, relations) for p in prepared]


def main() -> int:
    """Fit the claim models on the cached Docs and score the held-out fold."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--pred", type=Path, default=None, help="also write the held-out fold's records here")
    parser.add_argument("--relations-only", action="store_true", help="fit and score the relation model only")
    parser.add_argument("--train-share", type=float, default=1.0,
                        help="fit the claim models on this seeded share of the training papers (refit variance)")
    parser.add_argument("--seed", type=int, default=0, help="the seed of --train-share")
    args = parser.parse_args()
    cache = args.cache or Path(f"/tmp/kg-claims/fold{args.fold}.pkl")
    if not cache.exists():
        _prepare(args.fold, cache)
    from extractors import contract  # noqa: PLC0415
    from extractors.claims import ClaimExtractor, ClaimModels  # noqa: PLC0415
    from extractors.claims.candidates import number_candidates  # noqa: PLC0415
    from extractors.claims.patterns import PATTERNS_PATH, ClaimPatterns  # noqa: PLC0415
    from extractors.training import train as t  # noqa: PLC0415
    from extractors.training.examples import claim_examples  # noqa: PLC0415

    patterns = ClaimPatterns.load(PATTERNS_PATH)
    meta = {"data": "cv", "validation_fold": (args.fold + 1) % 5}
    with tempfile.TemporaryDirectory(prefix="kg-claims-") as tmp:
        models = Path(tmp)
        prepared = with_fitted_relations(cached(cache), args.fold, models)
        train = [p for p in prepared if p.item.fold != args.fold]
        if args.train_share < 1.0:
            keep = random.Random(args.seed)
            train = [p for p in train if keep.random() < args.train_share]
        held = [p for p in prepared if p.item.fold == args.fold]
        if args.relations_only:
            return _report(args, held, {p.item.paper.id: _record(p.item.paper, p.doc) for p in held})
        t.save_claim_models(claim_examples(train, lambda doc: number_candidates(doc.text, patterns)), models, meta,
                            print)
        extractor = ClaimExtractor(patterns, ClaimModels(models))
        held_examples = claim_examples(held, lambda doc: number_candidates(doc.text, patterns))
        for attribute, attribute_examples in held_examples.attributes.items():
            ranker = extractor.models.get(attribute)
            print(f"{attribute} ranker on fold {args.fold}: {t._ranking_accuracy(ranker, attribute_examples):.3f}")
        pred = {}
        for p in held:
            contract.write(p.doc, contract.CLAIMS, extractor.extract(p.doc))
            pred[p.item.paper.id] = _record(p.item.paper, p.doc)
    return _report(args, held, pred)


def _report(args: argparse.Namespace, held: list, pred: dict[str, dict]) -> int:
    """Write the held-out fold's records when asked, and print its scores."""
    if args.pred:
        args.pred.write_text("".join(json.dumps({"id": k, **v}) + "\n" for k, v in pred.items()), encoding="utf-8")
    scorer = _scorer(args.shared)
    report, _ = scorer.score({p.item.paper.id: p.item.gold for p in held}, pred)
    print(f"fold {args.fold} ({len(held)} abstracts): relations={report['relations']['f1']:.3f} "
          f"claims={report['claims']['f1']:.3f} claims_full={report['claims_full']['f1']:.3f}  " +
          "  ".join(f"{k}={v['accuracy']:.3f}" for k, v in report["claim_attributes"].items() if v["accuracy"]))
    print("  ".join(f"{k.split(':')[1]}={v['f1']:.3f}" for k, v in report.items() if k.startswith("relation:")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
