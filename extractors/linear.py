"""Trained linear classifiers: multinomial logistic regressions over hashed sparse features.

Each model is shipped as one ``models/NAME.npz``: its labels, one row of class weights per hash bucket, class
biases and a JSON ``meta`` (the training-set digest, thresholds chosen on the validation fold, the feature
version). Training is ``kg train``; inference is plain numpy over the named features a component computes.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MODELS_DIR = Path(__file__).parent / "models"
HASH_BUCKETS = 1 << 18
NONE = "NONE"
"""The label of "nothing": no entity, no relation, not a claim."""


_BUCKETS: dict[str, int] = {}
"""Buckets of the features seen so far: most features recur from paper to paper."""
MEMO_FEATURES = 1 << 18


def hashed(features: list[str]) -> np.ndarray:
    """Bucket indices of named features (stable across runs and machines)."""
    if len(_BUCKETS) >= MEMO_FEATURES:
        _BUCKETS.clear()
    out = list(map(_BUCKETS.get, features))
    if None in out:
        for k, bucket in enumerate(out):
            if bucket is None:
                feature = features[k]
                out[k] = _BUCKETS[feature] = zlib.crc32(feature.encode("utf-8")) % HASH_BUCKETS
    return np.array(out, dtype=np.int64)


@dataclass(frozen=True)
class LinearModel:
    """Weights of a classifier.

    Attributes:
        labels: the classes.
        weights: one row of class weights per hash bucket.
        bias: class biases.
        meta: what the model was trained on and the thresholds it is used with.
    """

    labels: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> LinearModel | None:
        """The model saved at ``path``, or None when there is none."""
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            return cls(labels=tuple(str(x) for x in data["labels"]), weights=data["weights"], bias=data["bias"],
                       meta=json.loads(str(data["meta"])))

    def save(self, path: Path) -> None:
        """Write the weights (float16, compressed) to ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, labels=np.array(self.labels), weights=self.weights.astype(np.float16),
                            bias=self.bias.astype(np.float32), meta=np.array(json.dumps(self.meta, sort_keys=True)))

    def probabilities(self, features: list[str]) -> dict[str, float]:
        """Probability of each label given named features."""
        logits = self.bias + self.weights[hashed(features)].astype(np.float32).sum(0)
        logits = logits - logits.max()
        weights = np.exp(logits)
        return dict(zip(self.labels, (weights / weights.sum()).tolist(), strict=True))

    def scores(self, rows: list[list[str]]) -> np.ndarray:
        """Probabilities of many feature lists at once (one row per list, columns in :attr:`labels` order)."""
        if not rows:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        sums = np.zeros((len(rows), len(self.labels)), dtype=np.float32)
        filled = lengths > 0
        if filled.any():  # one gather for all rows, summed row by row
            gathered = self.weights[hashed([f for row in rows for f in row])].astype(np.float32)
            sums[filled] = np.add.reduceat(gathered, (np.cumsum(lengths) - lengths)[filled], axis=0)
        logits = sums + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        return weights / weights.sum(axis=1, keepdims=True)
