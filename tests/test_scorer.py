"""The trained entity scorer: features, saved weights, training command, and the rules-only switch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from spacy.language import Language
from spacy.tokens import Doc

from extractors.features import HASH_BUCKETS, CandidateContext, dense_features, hashed, sparse_features
from extractors.scorer import MODEL_PATH, NONE, LinearModel
from extractors.train import LABELS, main as train

FIXTURES = Path(__file__).parent / "fixtures" / "train"
CONTEXT = CandidateContext(rule="gazetteer", rule_type="Dataset", in_title=False, occurrences=1, proposed=False,
                           gazetteer_type="Dataset")


def test_the_package_ships_a_trained_scorer() -> None:
    scorer = LinearModel.load(MODEL_PATH)
    assert scorer is not None
    assert scorer.labels == LABELS and scorer.sparse.shape == (HASH_BUCKETS, len(LABELS))


def test_probabilities_sum_to_one_and_name_every_label(parse: Callable[[str], Doc]) -> None:
    scorer = LinearModel.load(MODEL_PATH)
    assert scorer is not None
    doc = parse("We evaluate speculative decoding on ImageNet.")
    start = next(t.i for t in doc if t.text == "ImageNet")
    probabilities = scorer.probabilities(sparse_features(doc, start, start + 1, CONTEXT),
                                         dense_features(doc, start, start + 1))
    assert set(probabilities) == set(LABELS)
    assert abs(sum(probabilities.values()) - 1.0) < 1e-5
    assert max(probabilities, key=probabilities.__getitem__) == "Dataset"


def test_feature_hashing_is_stable(parse: Callable[[str], Doc]) -> None:
    doc = parse("We evaluate speculative decoding on ImageNet.")
    start = next(t.i for t in doc if t.text == "speculative")
    features = sparse_features(doc, start, start + 2, CONTEXT)
    assert "head=decoding" in features and "rule=gazetteer" in features
    assert hashed(["head=decoding"]).tolist() == [60572]  # CRC32: the same on every machine and run
    assert (hashed(features) == hashed(list(features))).all()


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    scorer = LinearModel(labels=LABELS, sparse=rng.normal(size=(HASH_BUCKETS, len(LABELS))).astype(np.float32),
                          dense=rng.normal(size=(8, len(LABELS))).astype(np.float32),
                          bias=np.zeros(len(LABELS), np.float32), mean=np.zeros(8, np.float32),
                          scale=np.ones(8, np.float32))
    scorer.save(tmp_path / "m.npz")
    loaded = LinearModel.load(tmp_path / "m.npz")
    assert loaded is not None and loaded.labels == LABELS
    assert np.allclose(loaded.sparse, scorer.sparse, atol=1e-2)
    assert LinearModel.load(tmp_path / "missing.npz") is None


def test_training_command_writes_a_scorer(tmp_path: Path) -> None:
    assert train(["--data", str(FIXTURES), "--models", str(tmp_path), "--folds", "2"]) == 0
    scorer = LinearModel.load(tmp_path / "entities.npz")
    assert scorer is not None and scorer.labels[0] == NONE


def test_without_the_model_the_rules_decide(nlp: Language) -> None:
    recognizer = nlp.get_pipe("kg_entities")
    text = "A paper\n\nWe call it partial convolution based padding and evaluate it on ImageNet."
    saved = recognizer.scorer
    try:
        recognizer.scorer = None
        doc = nlp(text)
        rules_only = {(s.text, s.label_) for s in doc.spans["kg_entities"]}
    finally:
        recognizer.scorer = saved
    assert {("partial convolution based padding", "Method"), ("ImageNet", "Dataset")} <= rules_only


@pytest.mark.parametrize("threshold", [0.0, 1.01])
def test_threshold_bounds(nlp: Language, threshold: float) -> None:
    recognizer = nlp.get_pipe("kg_entities")
    saved = (recognizer.threshold, recognizer.new_threshold)
    try:
        recognizer.threshold = recognizer.new_threshold = threshold
        doc = nlp("A paper\n\nWe evaluate speculative decoding on ImageNet.")
        found = [span.text for span in doc.spans["kg_entities"]]
    finally:
        recognizer.threshold, recognizer.new_threshold = saved
    assert (found == []) == (threshold == 0.0)
