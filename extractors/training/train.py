"""``kg train``: rebuild every shipped model from the annotated abstracts, deterministically.

    kg train [--data bench/annotations] [--models extractors/models] [--only NAME ...]

1. The training pool (every annotation pair not named ``*test*``) is parsed once by the base pipeline.
2. The entity recognizer (``models/ner``) is trained with ``spacy train`` from ``training/ner.cfg`` on folds 1-4;
   fold 0 picks the best checkpoint and measures each label's precision (``ner_precision.json``, the mentions'
   confidence).
3. The linear models (proposed, relations, claims, units, directions, metric, subject, dataset) are fitted on
   folds 1-4 first, to choose their regularization and thresholds on fold 0, then on the whole pool.

Fixed seeds throughout: the same annotations give the same weights. Needs the ``train`` extra (scikit-learn).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import spacy
from spacy.tokens import DocBin

from extractors.claims import CLAIM, YES, ClaimModels
from extractors.claims.candidates import number_candidates
from extractors.claims.patterns import PATTERNS_PATH, ClaimPatterns
from extractors.entities import PRECISION_FILE, PROPOSED_FILE
from extractors.linear import HASH_BUCKETS, MODELS_DIR, NONE, LinearModel, hashed
from extractors.relations import MODEL_FILE as RELATIONS_FILE
from extractors.relations import RELATION_LABELS
from extractors.training.corpus import VALIDATION_FOLD, Annotated, fold_of, gold_spans, load
from extractors.training.examples import Examples, Prepared, claim_examples, prepare, proposed_examples, \
    relation_examples
from kg.errors import ConfigError
from kg.pipeline import build_nlp
from kg.settings import Settings

DATA_DIR = Path(__file__).resolve().parents[2] / "bench" / "annotations"
NER_CONFIG = Path(__file__).parent / "ner.cfg"
MODELS = ("ner", "proposed", "relations", "claims")
C_GRID = (0.1, 0.3, 1.0)
SEED = 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry (also ``kg train``)."""
    parser = argparse.ArgumentParser(prog="kg train", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="annotation pairs (default: bench/annotations)")
    parser.add_argument("--models", type=Path, default=MODELS_DIR, help="where the models go")
    parser.add_argument("--only", nargs="+", choices=MODELS, default=list(MODELS), help="rebuild only these")
    parser.add_argument("--max-epochs", type=int, metavar="N", help="cap the recognizer's epochs (default: ner.cfg's)")
    parser.add_argument("--held-out", type=int, metavar="FOLD", help="leave this fold out (cross-validation)")
    parser.add_argument("--validation", type=int, default=VALIDATION_FOLD, metavar="FOLD",
                        help="the fold that picks checkpoints and thresholds (default: 0)")
    args = parser.parse_args(argv)
    train(data=args.data, models=args.models, only=tuple(args.only), held_out=args.held_out,
          validation=args.validation, max_epochs=args.max_epochs, log=lambda m: print(f"kg: {m}", file=sys.stderr))
    return 0


def train(*, data: Path, models: Path, only: tuple[str, ...] = MODELS, held_out: int | None = None,
          validation: int = VALIDATION_FOLD, max_epochs: int | None = None,
          log: Callable[[str], None] = lambda m: None) -> None:
    """Rebuild the chosen models from the annotations in ``data`` into ``models``.

    Args:
        data: the annotation pairs.
        models: where the models go.
        only: which models to rebuild.
        held_out: a fold left out entirely (cross-validation); None trains on the whole pool.
        validation: the fold that picks checkpoints, regularization and thresholds.
        max_epochs: cap on the recognizer's training epochs (``ner.cfg``'s when None).
        log: progress lines.
    """
    try:
        import sklearn  # noqa: F401, PLC0415 - a training dependency only
    except ImportError as exc:
        raise ConfigError("training needs scikit-learn: pip install -e '.[train]'") from exc
    started = time.perf_counter()
    pool = [item for item in load(data) if item.fold != held_out]
    if not pool:
        raise ConfigError(f"no annotated abstracts in {data}")
    digest = _digest(pool)
    log(f"train: {len(pool)} annotated abstracts (digest {digest}); parsing")
    nlp = build_nlp(Settings(n_process=1), components=())
    docs = list(nlp.pipe((a.paper.text for a in pool), batch_size=64, n_process=2))
    prepared = [prepare(item, doc) for item, doc in zip(pool, docs, strict=True)]
    models.mkdir(parents=True, exist_ok=True)
    if "ner" in only:
        _train_ner(nlp, pool, models, digest, validation, max_epochs, log)
    meta = {"data": digest, "examples": 0, "validation_fold": validation}
    if "proposed" in only:
        _save_linear(models / PROPOSED_FILE, proposed_examples(prepared), ("NONE", "proposed"), meta,
                     _binary_threshold("proposed"), log)
    if "relations" in only:
        _save_linear(models / RELATIONS_FILE, relation_examples(prepared), RELATION_LABELS, meta,
                     _relation_thresholds, log)
    if "claims" in only:
        patterns = ClaimPatterns.load(PATTERNS_PATH)
        examples = claim_examples(prepared, lambda doc: number_candidates(doc.text, patterns))
        files = ClaimModels.FILES
        _save_linear(models / files["claim"], examples.claim, (NONE, CLAIM), meta, _binary_threshold(CLAIM), log)
        _save_linear(models / files["unit"], examples.unit, _classes(examples.unit), meta, None, log)
        _save_linear(models / files["direction"], examples.direction, _classes(examples.direction), meta, None, log)
        for attribute, attribute_examples in examples.attributes.items():
            _save_linear(models / files[attribute], attribute_examples, (NONE, YES), meta, None, log)
    log(f"train: done in {time.perf_counter() - started:.0f} s")


def _digest(pool: list[Annotated]) -> str:
    """A fingerprint of the training data (texts and gold records)."""
    h = hashlib.sha256()
    for item in pool:
        h.update(item.paper.text.encode("utf-8"))
        h.update(json.dumps(item.gold, sort_keys=True).encode("utf-8"))
    return h.hexdigest()[:16]


def _classes(examples: Examples) -> tuple[str, ...]:
    return tuple(sorted(set(examples.labels)))


# -- the recognizer -----------------------------------------------------------------------------------------------


def _train_ner(nlp: spacy.Language, pool: list[Annotated], models: Path, digest: str, validation: int,
               max_epochs: int | None, log: Callable[[str], None]) -> None:
    from spacy.cli.train import train as spacy_train  # noqa: PLC0415 - only when training

    train_bin, dev_bin = DocBin(), DocBin()
    dev_docs = []
    for item in pool:
        doc = nlp.make_doc(item.paper.text)
        doc.ents = gold_spans(doc, item.gold)
        if item.fold == validation:
            dev_bin.add(doc)
            dev_docs.append(doc)
        else:
            train_bin.add(doc)
    with tempfile.TemporaryDirectory(prefix="kg-train-") as tmp:
        tmp_path = Path(tmp)
        train_bin.to_disk(tmp_path / "train.spacy")
        dev_bin.to_disk(tmp_path / "dev.spacy")
        log(f"train: recognizer on {len(train_bin)} abstracts, validated on {len(dev_bin)}")
        overrides = {"paths.train": str(tmp_path / "train.spacy"), "paths.dev": str(tmp_path / "dev.spacy")}
        if max_epochs is not None:
            overrides["training.max_epochs"] = max_epochs
        spacy_train(NER_CONFIG, tmp_path / "out", use_gpu=-1, overrides=overrides)
        trained = spacy.load(tmp_path / "out" / "model-best")
    trained.replace_listeners("tok2vec", "ner", ["model.tok2vec"])
    trained.remove_pipe("tok2vec")
    trained.meta["kg"] = {"data": digest}
    target = models / "ner"
    trained.to_disk(target)
    precision = _label_precision(trained, [(nlp.make_doc(d.text), d) for d in dev_docs])
    (models / PRECISION_FILE).write_text(json.dumps(precision, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    log(f"train: recognizer precision on the validation fold {precision}")


def _label_precision(trained: spacy.Language, pairs: list) -> dict[str, float]:
    """Each label's mention precision (exact span and label) on (unannotated, gold) Doc pairs."""
    recognizer = trained.get_pipe("ner")
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for blank, gold in pairs:
        predicted = recognizer(blank)
        truth = {(e.start_char, e.end_char, e.label_) for e in gold.ents}
        for e in predicted.ents:
            total[e.label_] += 1
            right[e.label_] += (e.start_char, e.end_char, e.label_) in truth
    return {label: round(right[label] / total[label], 3) for label in sorted(total)}


# -- linear models -------------------------------------------------------------------------------------------------

Thresholds = Callable[[LinearModel, Examples], dict]


def _save_linear(path: Path, examples: Examples, classes: tuple[str, ...], meta: dict,
                 choose: Thresholds | None, log: Callable[[str], None]) -> None:
    """Choose C (and thresholds) on the validation fold, refit on everything, save."""
    held = np.array([fold_of(p) == meta["validation_fold"] for p in examples.papers])
    train_part = _subset(examples, ~held)
    valid_part = _subset(examples, held)
    best: tuple[float, float, dict] | None = None
    for c in C_GRID:
        model = _fit(train_part, classes, c)
        settings = choose(model, valid_part) if choose else {}
        quality = settings.pop("score", None) if settings else None
        if quality is None:
            quality = _accuracy(model, valid_part)
        if best is None or quality > best[0]:
            best = (quality, c, settings)
    assert best is not None
    quality, c, settings = best
    final = _fit(examples, classes, c)
    final = LinearModel(final.labels, final.weights, final.bias,
                        {**meta, "examples": len(examples.labels), "C": c, "validation": round(quality, 4), **settings})
    final.save(path)
    log(f"train: {path.name}: {len(examples.labels)} examples, C={c}, validation {quality:.3f} {settings or ''}")


def _subset(examples: Examples, mask: np.ndarray) -> Examples:
    out = Examples()
    for row, label, paper, keep in zip(examples.rows, examples.labels, examples.papers, mask, strict=True):
        if keep:
            out.add(row, label, paper)
    return out


def _fit(examples: Examples, classes: tuple[str, ...], c: float) -> LinearModel:
    from scipy.sparse import csr_matrix  # noqa: PLC0415 - scipy comes with scikit-learn
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    indices = [hashed(r) for r in examples.rows]
    matrix = csr_matrix((np.ones(sum(len(i) for i in indices), dtype=np.float32), np.concatenate(indices),
                         np.cumsum([0, *map(len, indices)])), shape=(len(indices), HASH_BUCKETS))
    matrix.sum_duplicates()
    target = np.array([classes.index(label) for label in examples.labels])
    weights = np.zeros((HASH_BUCKETS, len(classes)), dtype=np.float32)
    bias = np.full(len(classes), -30.0, dtype=np.float32)
    present = sorted(set(target.tolist()))
    if len(present) == 1:
        bias[present[0]] = 0.0
        return LinearModel(classes, weights, bias)
    model = LogisticRegression(C=c, max_iter=2000, random_state=SEED).fit(matrix, target)
    if len(model.classes_) == 2:
        weights[:, model.classes_[1]] = model.coef_[0]
        bias[model.classes_[0]] = 0.0
        bias[model.classes_[1]] = model.intercept_[0]
    else:
        weights[:, model.classes_] = model.coef_.T
        bias[model.classes_] = model.intercept_
    return LinearModel(classes, weights, bias)


def _accuracy(model: LinearModel, examples: Examples) -> float:
    if not examples.rows:
        return 0.0
    scores = model.scores(examples.rows)
    predicted = [model.labels[i] for i in scores.argmax(axis=1)]
    if set(examples.labels) <= {NONE, YES}:
        return _ranking_accuracy(model, examples)
    return sum(p == g for p, g in zip(predicted, examples.labels, strict=True)) / len(predicted)


def _ranking_accuracy(model: LinearModel, examples: Examples) -> float:
    """For rankers: the share of groups (consecutive rows of one claim, "none" first) whose top choice is right."""
    scores = model.scores(examples.rows)[:, model.labels.index(YES)]
    groups: list[list[int]] = []
    for i, row in enumerate(examples.rows):
        if row[0].endswith(":none") or not groups:
            groups.append([])
        groups[-1].append(i)
    right = sum(examples.labels[max(g, key=lambda i: scores[i])] == YES for g in groups)
    return right / len(groups)


def _f1(tp: int, predicted: int, gold: int) -> float:
    return 2 * tp / (predicted + gold) if predicted + gold else 0.0


def _binary_threshold(positive: str) -> Thresholds:
    """The probability cut-off with the best F1 of ``positive`` on the validation examples."""
    def choose(model: LinearModel, examples: Examples) -> dict:
        scores = model.scores(examples.rows)[:, model.labels.index(positive)]
        gold = np.array([label == positive for label in examples.labels])
        best = max((_f1(int((scores >= t)[gold].sum()), int((scores >= t).sum()), int(gold.sum())), -abs(t - 0.5), t)
                   for t in np.arange(0.2, 0.81, 0.05))
        return {"threshold": round(float(best[2]), 2), "score": best[0]}
    return choose


def _relation_thresholds(model: LinearModel, examples: Examples) -> dict:
    """One cut-off per relation type, each with the best F1 of that type on the validation pairs."""
    scores = model.scores(examples.rows)
    thresholds: dict[str, float] = {}
    total = [0, 0, 0]
    for label in RELATION_LABELS[1:]:
        column = scores[:, model.labels.index(label)]
        argmax = scores[:, 1:].argmax(axis=1) + 1 == model.labels.index(label)
        gold = np.array([g == label for g in examples.labels])
        options = []
        for t in np.arange(0.15, 0.81, 0.05):
            chosen = argmax & (column >= t)
            options.append((_f1(int(chosen[gold].sum()), int(chosen.sum()), int(gold.sum())), -abs(t - 0.5), t,
                            int(chosen[gold].sum()), int(chosen.sum())))
        f1, _, t, tp, predicted = max(options)
        thresholds[label] = round(float(t), 2)
        total[0] += tp
        total[1] += predicted
        total[2] += int(gold.sum())
    return {"thresholds": thresholds, "score": _f1(*total)}


if __name__ == "__main__":
    sys.exit(main())
