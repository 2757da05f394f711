"""Shared pytest fixtures."""

from __future__ import annotations

import dataclasses
import fcntl
import os
from collections.abc import Iterator

import pytest
from neo4j import Driver, GraphDatabase
from spacy.language import Language
from spacy.tokens import Doc

from kg import neo4j_server
from kg.neo4j_server import Neo4jServerError, Neo4jSettings
from kg.canonical import Node
from kg.extract import SAMPLE_DIR, extract
from kg.pipeline import build_nlp
from kg.schema import EntityType
from kg.types import TITLE_SEPARATOR, Claim, Mention, Paper, PaperEntity, PaperRecord, Provenance

# spaCy pipeline ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The full kg pipeline (model and kg components), built once per session."""
    return build_nlp()


@pytest.fixture(scope="session")
def parse(nlp: Language):  # noqa: ANN201 - returns a function
    """Parse ``title`` and ``abstract`` the way the pipeline sees a paper."""

    def run(abstract: str, title: str = "A paper") -> Doc:
        return nlp(f"{title}{TITLE_SEPARATOR}{abstract}")

    return run

# Hand-made records ----------------------------------------------------------------------------


def make_record(paper_id: str, abstract: str, entities: list[tuple[str, str, tuple[str, ...]]],
                claims: list[tuple[str, str, str | None, str | None, str | None, str]]) -> PaperRecord:
    """A paper as the extractors would record it.

    Args:
        paper_id: its id (an arXiv id gives it a date).
        abstract: its abstract; every entity and claim is read from it as one sentence.
        entities: (type, name, aliases).
        claims: (number as written in the abstract, unit, metric, subject, dataset, direction).
    """
    paper = Paper(paper_id, f"Paper {paper_id}", abstract, "test:1")
    offset = len(paper.text) - len(abstract)
    sentence = Provenance(paper_id, 1, offset, len(paper.text), "test", 0.9, abstract)
    made = []
    for number, unit, metric, subject, dataset, direction in claims:
        start = offset + abstract.index(number)
        made.append(Claim(number, float(number), unit, metric, subject, dataset, None, direction, start,
                          start + len(number), dataclasses.replace(sentence, extractor="kg_claims:test",
                                                                   confidence=0.7)))
    return PaperRecord(paper, tuple(PaperEntity(EntityType(t), name, aliases, False,
                                                (Mention(EntityType(t), name, sentence),))
                                    for t, name, aliases in entities), (), tuple(made))


@pytest.fixture(scope="session")
def paper_record():  # noqa: ANN201 - returns a function
    """:func:`make_record`: a hand-made paper record."""
    return make_record

# Sample corpus --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sample_corpus() -> tuple[list[PaperRecord], dict[str, Node]]:
    """Records and canonical nodes of the bundled sample corpus, extracted once per test session."""
    result = extract([SAMPLE_DIR])
    return result.records, result.nodes


# Neo4j server ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Neo4jSettings]:
    """Settings of a running Neo4j server, started for the session when none answers.

    The tests that use it fail when CI is set and the server cannot be started, and are skipped
    otherwise. A server this fixture started is stopped at the end of the session; one that was
    already running is left running.
    """
    was_running = neo4j_server.status().running
    try:
        uri = neo4j_server.start()
    except Neo4jServerError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the Neo4j server could not be started: {exc}", pytrace=False)
        pytest.skip(f"the Neo4j server could not be started (with CI set this fails): {exc}")
    yield dataclasses.replace(Neo4jSettings.from_env(), uri=uri)
    if not was_running:
        neo4j_server.stop()


@pytest.fixture(scope="module")
def neo4j_database_lock() -> Iterator[None]:
    """Hold the database for one test module against other test sessions on this machine (the community
    server has one database)."""
    neo4j_server.cache_dir().mkdir(parents=True, exist_ok=True)
    with (neo4j_server.cache_dir() / "tests-database.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_settings: Neo4jSettings) -> Iterator[Driver]:
    """A driver connected to the session's Neo4j server, closed at the end of the session."""
    with GraphDatabase.driver(neo4j_settings.uri, auth=neo4j_settings.auth) as driver:
        yield driver
