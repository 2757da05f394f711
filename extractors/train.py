"""Train the entity scorer from annotated abstracts (one command; needs the ``train`` extra: scikit-learn).

    python -m extractors.train [--data bench/train] [--out extractors/models/entities.npz] [--folds 5]

``--data`` holds pairs ``NAME_abstracts.jsonl`` / ``NAME_gold.jsonl`` (records in the schema of
``eval/SCHEMA.md``). Each candidate span the rules propose is labelled with the type of the gold entity whose
name or alias it equals (after normalization), or ``NONE``. A multinomial logistic regression over the
candidate features (:mod:`extractors.features`) is cross-validated by paper, then fitted on everything and
saved for :class:`~extractors.scorer.EntityScorer`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from extractors.features import HASH_BUCKETS, dense_features, hashed, sparse_features
from extractors.scorer import MODEL_PATH, NONE, EntityScorer
from kg.evaluate import normal_form
from kg.pipeline import build_nlp
from kg.readers import read_papers
from kg.settings import Settings

LABELS = (NONE, "Method", "Model", "Dataset", "Task", "Metric")


def main(argv: list[str] | None = None) -> int:
    """Build the training matrix, report cross-validation, fit and save the scorer."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / "bench" / "train")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=0.1, help="inverse regularization strength")
    args = parser.parse_args(argv)
    try:
        from scipy.sparse import csr_matrix, hstack
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        print("training needs scikit-learn: pip install -e '.[train]'", file=sys.stderr)
        return 2

    rows, dense, labels, groups = _examples(args.data)
    print(f"{len(labels)} candidates from {len(set(groups))} papers; "
          f"{sum(label != NONE for label in labels)} labelled as entities", file=sys.stderr)
    mean, scale = dense.mean(axis=0), dense.std(axis=0) + 1e-6
    sparse = csr_matrix((np.ones(sum(len(r) for r in rows)), np.concatenate(rows),
                         np.cumsum([0, *map(len, rows)])), shape=(len(rows), HASH_BUCKETS))
    matrix = hstack([sparse, csr_matrix((dense - mean) / scale)]).tocsr()
    target = np.array([LABELS.index(label) for label in labels])
    groups_array = np.array(groups)

    papers = sorted(set(groups))
    correct = total = 0
    for fold in range(args.folds):
        held = {p for i, p in enumerate(papers) if i % args.folds == fold}
        test = np.isin(groups_array, list(held))
        model = LogisticRegression(C=args.c, max_iter=3000).fit(matrix[~test], target[~test])
        predicted = model.predict(matrix[test])
        correct += int((predicted == target[test]).sum())
        total += int(test.sum())
    print(f"cross-validated candidate accuracy {correct / total:.3f} over {total} candidates", file=sys.stderr)

    model = LogisticRegression(C=args.c, max_iter=3000).fit(matrix, target)
    weights = np.zeros((matrix.shape[1], len(LABELS)), dtype=np.float32)
    weights[:, model.classes_] = model.coef_.T
    bias = np.full(len(LABELS), -30.0, dtype=np.float32)
    bias[model.classes_] = model.intercept_
    EntityScorer(labels=LABELS, sparse=weights[:HASH_BUCKETS], dense=weights[HASH_BUCKETS:], bias=bias,
                 mean=mean, scale=scale).save(args.out)
    print(f"saved {args.out}", file=sys.stderr)
    return 0


def _examples(folder: Path) -> tuple[list[np.ndarray], np.ndarray, list[str], list[str]]:
    """Hashed sparse features, dense features, labels and paper ids of every candidate in the folder."""
    nlp = build_nlp(Settings(n_process=1))
    recognizer = nlp.get_pipe("kg_entities")
    rows: list[np.ndarray] = []
    dense: list[np.ndarray] = []
    labels: list[str] = []
    groups: list[str] = []
    for gold_path in sorted(folder.glob("*_gold.jsonl")):
        abstracts = gold_path.with_name(gold_path.name.replace("_gold", "_abstracts"))
        gold = {r["id"]: r for r in map(json.loads, gold_path.read_text(encoding="utf-8").splitlines()) if r}
        for paper in read_papers([abstracts]).papers:
            if paper.id not in gold:
                continue
            forms = {}
            for entity in gold[paper.id]["entities"]:
                for name in [entity["name"], *entity.get("aliases", [])]:
                    forms.setdefault(normal_form(name), entity["type"])
            doc = nlp(paper.text)
            for candidate, context in recognizer.candidates(doc, variants=True):
                rows.append(hashed(sparse_features(doc, candidate.start, candidate.end, context)))
                dense.append(dense_features(doc, candidate.start, candidate.end))
                labels.append(forms.get(normal_form(doc[candidate.start:candidate.end].text), NONE))
                groups.append(f"{abstracts.name}:{paper.id}")
    return rows, np.stack(dense), labels, groups


if __name__ == "__main__":
    sys.exit(main())
