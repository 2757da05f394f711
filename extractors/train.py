"""Train the entity scorer from annotated abstracts (one command; needs the ``train`` extra: scikit-learn).

    python -m extractors.train [--data bench/train] [--models extractors/models] [--folds 5]

``--data`` holds pairs ``NAME_abstracts.jsonl`` / ``NAME_gold.jsonl`` (records in the schema of
``eval/SCHEMA.md``). Each candidate span the rules propose is labelled with the type of the gold entity whose
name or alias it equals (after normalization), or ``NONE``. A multinomial logistic regression over the candidate
features (:mod:`extractors.features`) is cross-validated by paper, then fitted on everything and saved as a
:class:`~extractors.scorer.LinearModel`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from spacy.language import Language

from extractors.features import HASH_BUCKETS, dense_features, hashed, sparse_features
from extractors.scorer import MODELS_DIR, NONE, LinearModel
from kg.evaluate import normal_form
from kg.pipeline import build_nlp
from kg.readers import read_papers
from kg.settings import Settings
from kg.types import Paper

LABELS = (NONE, "Method", "Model", "Dataset", "Task", "Metric")


def main(argv: list[str] | None = None) -> int:
    """Cross-validate, fit and save the entity scorer."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / "bench" / "train")
    parser.add_argument("--models", type=Path, default=MODELS_DIR, help="where entities.npz goes")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=0.1, help="inverse regularization strength")
    args = parser.parse_args(argv)
    try:
        import sklearn  # noqa: F401, PLC0415 - only to give a clear message when it is missing
    except ImportError:
        print("training needs scikit-learn: pip install -e '.[train]'", file=sys.stderr)
        return 2
    papers = _annotated(args.data)
    nlp = build_nlp(Settings(n_process=1))

    rows, dense, labels, groups = _entity_examples(nlp, papers)
    _report("entity", labels, _cross_validate(rows, dense, labels, groups, LABELS, args.c, args.folds))
    _fit(rows, dense, labels, LABELS, args.c).save(args.models / "entities.npz")
    print(f"saved {args.models / 'entities.npz'}", file=sys.stderr)
    return 0


def _report(what: str, labels: list[str], accuracy: float) -> None:
    positives = sum(label != NONE for label in labels)
    print(f"{what}: {len(labels)} candidates, {positives} positive; cross-validated accuracy {accuracy:.3f}",
          file=sys.stderr)


def _matrix(rows: list[np.ndarray], dense: np.ndarray, mean: np.ndarray, scale: np.ndarray):  # noqa: ANN202
    from scipy.sparse import csr_matrix, hstack  # noqa: PLC0415 - scipy comes with scikit-learn

    sparse = csr_matrix((np.ones(sum(len(r) for r in rows)), np.concatenate(rows),
                         np.cumsum([0, *map(len, rows)])), shape=(len(rows), HASH_BUCKETS))
    return hstack([sparse, csr_matrix((dense - mean) / scale)]).tocsr()


def _fit(rows: list[np.ndarray], dense: np.ndarray, labels: list[str], classes: tuple[str, ...],
         c: float) -> LinearModel:
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - a training dependency only

    mean, scale = dense.mean(axis=0), dense.std(axis=0) + 1e-6
    target = np.array([classes.index(label) for label in labels])
    model = LogisticRegression(C=c, max_iter=3000).fit(_matrix(rows, dense, mean, scale), target)
    weights = np.zeros((HASH_BUCKETS + dense.shape[1], len(classes)), dtype=np.float32)
    weights[:, model.classes_] = model.coef_.T
    bias = np.full(len(classes), -30.0, dtype=np.float32)
    bias[model.classes_] = model.intercept_
    return LinearModel(labels=classes, sparse=weights[:HASH_BUCKETS], dense=weights[HASH_BUCKETS:], bias=bias,
                       mean=mean, scale=scale)


def _cross_validate(rows: list[np.ndarray], dense: np.ndarray, labels: list[str], groups: list[str],
                    classes: tuple[str, ...], c: float, folds: int) -> float:
    """Accuracy of models trained without each fold of papers, on that fold."""
    papers = sorted(set(groups))
    correct = 0
    for fold in range(folds):
        held = {p for i, p in enumerate(papers) if i % folds == fold}
        test = [g in held for g in groups]
        train_rows = [r for r, t in zip(rows, test, strict=True) if not t]
        model = _fit(train_rows, dense[~np.array(test)], [lab for lab, t in zip(labels, test, strict=True) if not t], classes, c)
        for r, d, label, t in zip(rows, dense, labels, test, strict=True):
            if t:
                probabilities = model.probabilities_of(r, d)
                correct += max(probabilities, key=probabilities.__getitem__) == label
    return correct / len(labels)


def _annotated(folder: Path) -> list[tuple[Paper, dict]]:
    """Papers with their gold records, from every ``*_abstracts.jsonl`` / ``*_gold.jsonl`` pair in the folder."""
    out = []
    for gold_path in sorted(folder.glob("*_gold.jsonl")):
        abstracts = gold_path.with_name(gold_path.name.replace("_gold", "_abstracts"))
        gold = {r["id"]: r for r in map(json.loads, gold_path.read_text(encoding="utf-8").splitlines()) if r}
        out += [(paper, gold[paper.id]) for paper in read_papers([abstracts]).papers if paper.id in gold]
    return out


def _entity_examples(nlp: Language, papers: list[tuple[Paper, dict]]
                     ) -> tuple[list[np.ndarray], np.ndarray, list[str], list[str]]:
    """Hashed sparse features, dense features, labels and paper ids of every entity candidate."""
    recognizer = nlp.get_pipe("kg_entities")
    rows: list[np.ndarray] = []
    dense: list[np.ndarray] = []
    labels: list[str] = []
    groups: list[str] = []
    for paper, gold in papers:
        types = {}
        for entity in gold["entities"]:
            for name in [entity["name"], *entity.get("aliases", [])]:
                types.setdefault(normal_form(name), entity["type"])
        doc = nlp(paper.text)
        for candidate, context in recognizer.candidates(doc, variants=True):
            rows.append(hashed(sparse_features(doc, candidate.start, candidate.end, context)))
            dense.append(dense_features(doc, candidate.start, candidate.end))
            labels.append(types.get(normal_form(doc[candidate.start:candidate.end].text), NONE))
            groups.append(paper.source)
    return rows, np.stack(dense), labels, groups


if __name__ == "__main__":
    sys.exit(main())
