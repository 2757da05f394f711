"""Word clusters: k-means centroids over the recognizer's word vectors (``models/clusters.npz``).

A linear model that reads a word's cluster as well as the word itself generalizes to words it never saw in
training: "segmentation" falls in the cluster of "detection" and "recognition". The centroids are fitted by
``kg train`` on the words of the training pool and shipped with those words' clusters; any other word's cluster is
the centroid nearest (by cosine) to its vector, which the floret vectors give for any string.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from spacy.vocab import Vocab

CLUSTERS_FILE = "clusters.npz"
SIZES = (64, 256)
"""The granularities fitted: a coarse and a fine partition of the words."""
SEED = 0
MEMO_WORDS = 200_000
"""Words whose clusters are remembered; the memo starts over beyond that (a backfill meets millions)."""


@dataclass
class WordClusters:
    """Centroids (unit rows) per granularity, and the vectors to place words with.

    Attributes:
        centroids: for each number of clusters, its centroids, one unit row each.
        vocab: the vocabulary whose vectors place a word.
        table: the clusters of the words they were fitted on (looked up, not placed).
    """

    centroids: dict[int, np.ndarray]
    vocab: Vocab
    table: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _memo: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path, vocab: Vocab) -> WordClusters | None:
        """The clusters saved at ``path``, or None when there are none or the vocabulary has no vectors."""
        if not path.exists() or not vocab.vectors.shape[0]:
            return None
        with np.load(path, allow_pickle=False) as data:
            centroids = {int(key[1:]): data[key].astype(np.float32) for key in data.files if key.startswith("k")}
            table = dict(zip(data["words"].tolist(), map(tuple, data["ids"].tolist()), strict=True))
        return cls(centroids, vocab, table)

    @classmethod
    def fit(cls, words: Iterable[str], vocab: Vocab, sizes: tuple[int, ...] = SIZES) -> WordClusters:
        """k-means (fixed seed) of the vectors of ``words``, one partition per size (at most one cluster a word);
        the centroids as :meth:`save` writes them (float16), so a fitted and a loaded partition place words alike."""
        from sklearn.cluster import KMeans  # noqa: PLC0415 - a training dependency only

        distinct = sorted(set(words))
        if not distinct:
            raise ValueError("no words to cluster")
        vectors = _unit(np.stack([vocab.get_vector(w) for w in distinct]).astype(np.float32))
        centroids = {}
        for k in sizes:
            fitted = KMeans(n_clusters=min(k, len(distinct)), n_init=1, max_iter=100, random_state=SEED).fit(vectors)
            centroids[k] = _unit(fitted.cluster_centers_.astype(np.float32)).astype(np.float16).astype(np.float32)
        clusters = cls(centroids, vocab)
        clusters.table.update((w, clusters.of(w)) for w in distinct)
        return clusters

    def save(self, path: Path) -> None:
        """Write the centroids (float16) and the clusters of the fitted words to ``path``."""
        words = sorted(self.table)
        np.savez_compressed(path, **{f"k{k}": c.astype(np.float16) for k, c in self.centroids.items()},
                            words=np.array(words, dtype=str),
                            ids=np.array([self.table[w] for w in words], dtype=np.int16).reshape(len(words), -1))

    def of(self, word: str) -> tuple[int, ...]:
        """The word's cluster in each partition (in :attr:`centroids` order); lower-cased first. The fitted words
        are looked up; any other word is placed by its vector (and remembered)."""
        word = word.lower()
        found = self.table.get(word) or self._memo.get(word)
        if found is None:
            vector = _unit(self.vocab.get_vector(word).astype(np.float32)[None, :])[0]
            found = tuple(int((c @ vector).argmax()) for c in self.centroids.values())
            if len(self._memo) >= MEMO_WORDS:
                self._memo.clear()
            self._memo[word] = found
        return found

    def features(self, name: str, word: str, suffix: str = "") -> list[str]:
        """Named features ``NAME_cK=ID`` of a word, one per partition, with an optional ``|suffix``."""
        tail = f"|{suffix}" if suffix else ""
        return [f"{name}_c{k}={i}{tail}" for k, i in zip(self.centroids, self.of(word), strict=True)]


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)
