"""The trained entity scorer: a multinomial logistic regression over candidate features.

Trained by ``python -m extractors.train`` (see that module) and shipped as ``models/entities.npz``; inference
is plain numpy: the weights of the candidate's hashed sparse features plus its standardized dense features.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from extractors.features import CandidateContext, dense_features, hashed, sparse_features

MODEL_PATH = Path(__file__).parent / "models" / "entities.npz"
NONE = "NONE"
"""The label of a candidate that is no entity."""


@dataclass(frozen=True)
class EntityScorer:
    """Weights of the scorer.

    Attributes:
        labels: the classes, :data:`NONE` first, then entity types.
        sparse: one row of class weights per hash bucket.
        dense: class weights of the standardized dense features.
        bias: class biases.
        mean: mean of each dense feature in training.
        scale: standard deviation of each dense feature in training.
    """

    labels: tuple[str, ...]
    sparse: np.ndarray
    dense: np.ndarray
    bias: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> EntityScorer | None:
        """The scorer saved at ``path``, or None when there is none."""
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            return cls(labels=tuple(str(x) for x in data["labels"]), sparse=data["sparse"], dense=data["dense"],
                       bias=data["bias"], mean=data["mean"], scale=data["scale"])

    def save(self, path: Path = MODEL_PATH) -> None:
        """Write the weights (compressed) to ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, labels=np.array(self.labels), sparse=self.sparse.astype(np.float16),
                            dense=self.dense.astype(np.float32), bias=self.bias.astype(np.float32),
                            mean=self.mean.astype(np.float32), scale=self.scale.astype(np.float32))

    def probabilities(self, doc: Doc, start: int, end: int, context: CandidateContext) -> dict[str, float]:
        """Probability of each label for the span ``doc[start:end]``."""
        logits = self.bias + self.sparse[hashed(sparse_features(doc, start, end, context))].astype(np.float32).sum(0)
        dense = dense_features(doc, start, end)
        if dense.shape[0] == self.dense.shape[0]:
            logits = logits + ((dense - self.mean) / self.scale) @ self.dense
        logits = logits - logits.max()
        weights = np.exp(logits)
        return dict(zip(self.labels, (weights / weights.sum()).tolist()))

