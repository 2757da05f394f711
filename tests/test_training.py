"""Training: gold projected onto Docs, fixed splits, linear models equal to scikit-learn's, deterministic `kg train`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.language import Language

from extractors.clusters import CLUSTERS_FILE
from extractors.linear import LinearModel
from extractors.training.corpus import fold_of, gold_spans, is_test_name, load
from extractors.training.examples import Examples
from extractors.training.train import _fit, _fit_ranker, _ranking_accuracy, train

ANNOTATIONS = Path(__file__).resolve().parents[1] / "bench" / "annotations"


@pytest.fixture(scope="module")
def blank() -> Language:
    return spacy.blank("en")


def test_gold_names_become_every_occurrence(blank: Language) -> None:
    doc = blank("Large language models (LLMs) help. A large language model and two LLMs beat GPT-4 on MMLU.")
    gold = {"entities": [
        {"type": "Method", "name": "Large language models", "aliases": ["LLMs"], "proposed": False},
        {"type": "Model", "name": "GPT-4", "aliases": [], "proposed": False},
        {"type": "Dataset", "name": "MMLU", "aliases": [], "proposed": False}]}
    spans = [(s.text, s.label_, s.kb_id_) for s in gold_spans(doc, gold)]
    assert spans == [("Large language models", "Method", "0"), ("LLMs", "Method", "0"),
                     ("large language model", "Method", "0"), ("LLMs", "Method", "0"), ("GPT-4", "Model", "1"),
                     ("MMLU", "Dataset", "2")]


def test_longer_forms_win_overlaps(blank: Language) -> None:
    doc = blank("We study speculative decoding and relaxed speculative decoding.")
    gold = {"entities": [{"type": "Method", "name": "speculative decoding", "aliases": [], "proposed": False},
                         {"type": "Method", "name": "relaxed speculative decoding", "aliases": [], "proposed": True}]}
    assert [s.text for s in gold_spans(doc, gold)] == ["speculative decoding", "relaxed speculative decoding"]


def test_splits_are_fixed_by_name_and_id() -> None:
    assert is_test_name("arxiv_test_b00") and not is_test_name("arxiv_train_b00")
    assert fold_of("2501.00001") == fold_of("2501.00001") and 0 <= fold_of("x") < 5
    pool, test = load(ANNOTATIONS), load(ANNOTATIONS, test=True)
    assert len(test) >= 250 and len(pool) >= 389
    assert not {a.paper.id for a in pool} & {a.paper.id for a in test}


@pytest.mark.parametrize("classes", [("NONE", "yes"), ("a", "b", "c")])
def test_linear_models_give_scikit_learns_probabilities(classes: tuple[str, ...]) -> None:
    from sklearn.linear_model import LogisticRegression

    from extractors.linear import HASH_BUCKETS, hashed
    rng = np.random.default_rng(0)
    examples = Examples()
    for i in range(120):
        label = classes[i % len(classes)]
        words = [f"w{rng.integers(12)}" for _ in range(4)] + [f"cue={label}" if rng.random() < 0.7 else "noise"]
        examples.add(words, label, f"p{i}")
    model = _fit(examples, classes, 1.0)
    from scipy.sparse import csr_matrix
    indices = [hashed(r) for r in examples.rows]
    matrix = csr_matrix((np.ones(sum(map(len, indices))), np.concatenate(indices), np.cumsum([0, *map(len, indices)])),
                        shape=(len(indices), HASH_BUCKETS))
    matrix.sum_duplicates()
    reference = LogisticRegression(C=1.0, max_iter=2000, random_state=0).fit(
        matrix, [classes.index(label) for label in examples.labels])
    expected = reference.predict_proba(matrix[:10])
    assert np.allclose(model.scores(examples.rows[:10]), expected, atol=2e-3)


def test_a_listwise_ranker_of_two_choices_is_a_logistic_regression_of_their_difference() -> None:
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    from extractors.linear import HASH_BUCKETS, hashed
    rng = np.random.default_rng(1)
    examples, differences, targets = Examples(), [], []
    for i in range(150):
        none = ["subject:none", f"none|w{rng.integers(5)}"]
        entity = ["subject:entity", f"near={rng.integers(4)}", f"w{rng.integers(6)}"]
        right = rng.random() < (0.8 if "near=0" in entity else 0.3)
        examples.add(none, "NONE" if right else "yes", f"p{i}")
        examples.add(entity, "yes" if right else "NONE", f"p{i}")
        vector = np.zeros(HASH_BUCKETS)
        np.add.at(vector, hashed(entity), 1.0)
        np.add.at(vector, hashed(none), -1.0)
        differences.append(vector)
        targets.append(int(right))
    model = _fit_ranker(examples, ("NONE", "yes"), 0.5)
    reference = LogisticRegression(C=0.5, fit_intercept=False, max_iter=5000, tol=1e-8).fit(
        csr_matrix(np.array(differences)), targets)
    weights = model.weights[:, 1].astype(np.float64)
    logits = [weights[hashed(examples.rows[k + 1])].sum() - weights[hashed(examples.rows[k])].sum()
              for k in range(0, 20, 2)]
    assert np.allclose(logits, reference.decision_function(csr_matrix(np.array(differences[:10]))), atol=2e-3)


def test_a_listwise_ranker_learns_which_choice_of_a_group_is_right() -> None:
    rng = np.random.default_rng(2)
    examples = Examples()
    for i in range(200):
        size = int(rng.integers(2, 6))
        right = int(rng.integers(size))
        for k in range(size):
            cue = "cue=on" if k == right or rng.random() < 0.1 else "cue=off"
            row = ["dataset:none", cue] if k == 0 else ["dataset:entity", cue, f"w{rng.integers(9)}"]
            examples.add(row, "yes" if k == right else "NONE", f"p{i}")
    model = _fit_ranker(examples, ("NONE", "yes"), 1.0)
    assert _ranking_accuracy(model, examples) > 0.85
    assert np.array_equal(model.weights, _fit_ranker(examples, ("NONE", "yes"), 1.0).weights)


def test_kg_train_is_deterministic(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("sample_b0_abstracts.jsonl", "sample_b0_gold.jsonl"):
        lines = (ANNOTATIONS / name).read_text(encoding="utf-8").splitlines()[:24]
        (data / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = []
    for run in ("a", "b"):
        out = tmp_path / run
        train(data=data, models=out, max_epochs=1, corpus=data / "sample_b0_abstracts.jsonl")
        runs.append(out)
    linear = sorted(p.name for p in runs[0].glob("*.npz") if p.name != CLUSTERS_FILE)
    for npz in linear:
        first, second = LinearModel.load(runs[0] / npz), LinearModel.load(runs[1] / npz)
        assert first is not None and second is not None
        assert np.array_equal(first.weights, second.weights) and first.meta == second.meta
    assert linear == ["boundaries.npz", "claims.npz", "dataset.npz", "directions.npz", "entities.npz", "metric.npz",
                      "proposed.npz", "relations.npz", "subject.npz", "units.npz"]
    with np.load(runs[0] / CLUSTERS_FILE) as first, np.load(runs[1] / CLUSTERS_FILE) as second:
        assert first.files == second.files and all(np.array_equal(first[k], second[k]) for k in first.files)
    for part in ("ner/model", "vocab/vectors"):
        assert (runs[0] / "ner" / part).read_bytes() == (runs[1] / "ner" / part).read_bytes()
    precision = json.loads((runs[0] / "ner_precision.json").read_text())
    assert set(precision) <= {"Method", "Model", "Dataset", "Task", "Metric"}
    shutil.rmtree(tmp_path)


@pytest.mark.parametrize("classes", [("NONE", "yes"), ("a", "b", "c")])
def test_scores_of_many_rows_are_the_probabilities_of_each(classes: tuple[str, ...]) -> None:
    examples = Examples()
    for i in range(60):
        examples.add([f"w{i % 7}", f"cue={classes[i % len(classes)]}"], classes[i % len(classes)], f"p{i}")
    model = _fit(examples, classes, 1.0)
    rows = [[], ["w1", "cue=" + classes[0]], [], ["w3"], ["w2", "w2", "w5"], []]
    expected = [[model.probabilities(row)[label] for label in model.labels] for row in rows]
    assert np.allclose(model.scores(rows), expected, atol=1e-6)


def test_a_gold_relation_no_entity_pair_carries_is_counted_as_unreachable(parse) -> None:  # noqa: ANN001
    from extractors.training.corpus import Annotated
    from extractors.training.examples import relation_examples, with_gold_entities
    from kg.types import Paper

    paper = Paper("t-unreachable", "FlashNet: Fast Image Super-Resolution",
                  "We propose FlashNet for image super-resolution. FlashNet is evaluated on Set5 and Urban100.", "t:1")
    gold = {"entities": [{"name": "FlashNet", "type": "Method"}, {"name": "Set5", "type": "Dataset"},
                         {"name": "image super-resolution", "type": "Task"}],
            "relations": [{"type": "evaluated_on", "head": "FlashNet", "tail": "Set5"},
                          {"type": "evaluated_on", "head": "FlashNet", "tail": "Urban100"},
                          {"type": "addresses", "head": "FlashNet", "tail": "image super-resolution"}]}
    item = Annotated(paper, gold, "unit_train")
    examples = relation_examples([with_gold_entities(item, parse(paper.abstract, title=paper.title))])
    assert sorted(label for label in examples.labels if label != "NONE") == ["addresses", "evaluated_on"]
    assert examples.unreachable == [("t-unreachable", "evaluated_on")]


def test_relation_cut_offs_count_the_relations_no_pair_can_reach() -> None:
    from extractors.relations import RELATION_LABELS
    from extractors.training.train import _relation_thresholds

    rng = np.random.default_rng(3)
    examples = Examples()
    for i in range(400):
        cue = int(rng.integers(5))
        label = "uses" if rng.random() < 0.2 + 0.15 * cue else "NONE"
        examples.add([f"cue={cue}", f"w{rng.integers(7)}"], label, f"p{i}")
    model = _fit(examples, RELATION_LABELS, 1.0)
    alone = _relation_thresholds(model, examples)
    examples.unreachable = [(f"p{i}", "uses") for i in range(600)]
    counted = _relation_thresholds(model, examples)
    assert counted["thresholds"]["uses"] < alone["thresholds"]["uses"]
    assert counted["score"] < alone["score"]
