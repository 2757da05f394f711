"""Trained scorers: multinomial logistic regressions over hashed sparse features and optional dense ones.

Trained by ``python -m extractors.train`` and shipped as ``models/entities.npz`` (entity candidates); inference is
plain numpy: the weights of the candidate's hashed sparse features plus its standardized dense features.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from extractors.features import hashed

MODELS_DIR = Path(__file__).parent / "models"
MODEL_PATH = MODELS_DIR / "entities.npz"
NONE = "NONE"
"""The label of a candidate that is no entity."""


@dataclass(frozen=True)
class LinearModel:
    """Weights of a scorer.

    Attributes:
        labels: the classes, :data:`NONE` first.
        sparse: one row of class weights per hash bucket.
        dense: class weights of the standardized dense features (no rows when there are none).
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
    def load(cls, path: Path) -> LinearModel | None:
        """The model saved at ``path``, or None when there is none."""
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            return cls(labels=tuple(str(x) for x in data["labels"]), sparse=data["sparse"], dense=data["dense"],
                       bias=data["bias"], mean=data["mean"], scale=data["scale"])

    def save(self, path: Path) -> None:
        """Write the weights (compressed) to ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, labels=np.array(self.labels), sparse=self.sparse.astype(np.float16),
                            dense=self.dense.astype(np.float32), bias=self.bias.astype(np.float32),
                            mean=self.mean.astype(np.float32), scale=self.scale.astype(np.float32))

    def probabilities(self, features: list[str], dense: np.ndarray | None = None) -> dict[str, float]:
        """Probability of each label given named sparse features and, when the model has them, dense ones."""
        return self.probabilities_of(hashed(features), dense)

    def probabilities_of(self, buckets: np.ndarray, dense: np.ndarray | None = None) -> dict[str, float]:
        """Probability of each label given hashed sparse features (bucket indices) and dense ones."""
        logits = self.bias + self.sparse[buckets].astype(np.float32).sum(0)
        if dense is not None and self.dense.shape[0] and dense.shape[0] == self.dense.shape[0]:
            logits = logits + ((dense - self.mean) / self.scale) @ self.dense
        logits = logits - logits.max()
        weights = np.exp(logits)
        return dict(zip(self.labels, (weights / weights.sum()).tolist(), strict=True))
