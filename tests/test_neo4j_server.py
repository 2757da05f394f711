"""Tests of kg.neo4j_server against the real Neo4j server (no mocks)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from neo4j import Driver, GraphDatabase
from neo4j.exceptions import AuthError, ConstraintError

from kg import neo4j_server
from kg.neo4j_server import Neo4jSettings

pytestmark = pytest.mark.neo4j


def test_start_returns_a_uri_that_runs_queries(
    neo4j_settings: Neo4jSettings, neo4j_driver: Driver
) -> None:
    assert neo4j_settings.uri.startswith(("bolt://", "neo4j://"))
    records, _, _ = neo4j_driver.execute_query("RETURN 1 AS one")
    assert [record["one"] for record in records] == [1]


def test_second_start_is_a_no_op(neo4j_settings: Neo4jSettings) -> None:
    before = neo4j_server.status()
    assert neo4j_server.start() == neo4j_settings.uri
    assert neo4j_server.status().pid == before.pid


def test_status_reports_the_running_server(neo4j_settings: Neo4jSettings) -> None:
    status = neo4j_server.status()
    assert status.running
    assert status.uri == neo4j_settings.uri
    assert status.mode in ("local", "docker")
    if status.mode == "local":
        assert status.pid is not None
        assert status.data_dir is not None and status.data_dir.is_dir()


def test_wrong_password_is_rejected(neo4j_settings: Neo4jSettings) -> None:
    wrong = (neo4j_settings.user, "wrong-password")
    with GraphDatabase.driver(neo4j_settings.uri, auth=wrong) as driver, pytest.raises(AuthError):
        driver.verify_connectivity()


def test_constraint_and_fulltext_index_work(neo4j_driver: Driver) -> None:
    label = "KgServerTest"
    neo4j_driver.execute_query(f"MATCH (n:{label}) DETACH DELETE n")
    neo4j_driver.execute_query(
        f"CREATE CONSTRAINT kg_server_test_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
    )
    neo4j_driver.execute_query(
        f"CREATE FULLTEXT INDEX kg_server_test_text IF NOT EXISTS FOR (n:{label}) ON EACH [n.text]"
    )
    try:
        neo4j_driver.execute_query("CALL db.awaitIndexes(60)")
        neo4j_driver.execute_query(
            f"UNWIND $rows AS row CREATE (:{label} {{id: row.id, text: row.text}})",
            rows=[
                {"id": 1, "text": "graph neural networks"},
                {"id": 2, "text": "convolutional networks"},
            ],
        )
        with pytest.raises(ConstraintError):
            neo4j_driver.execute_query(f"CREATE (:{label} {{id: 1}})")
        records, _, _ = neo4j_driver.execute_query(
            "CALL db.index.fulltext.queryNodes('kg_server_test_text', 'graph') YIELD node "
            "RETURN node.id AS id"
        )
        assert [record["id"] for record in records] == [1]
    finally:
        neo4j_driver.execute_query("DROP INDEX kg_server_test_text IF EXISTS")
        neo4j_driver.execute_query("DROP CONSTRAINT kg_server_test_id IF EXISTS")
        neo4j_driver.execute_query(f"MATCH (n:{label}) DETACH DELETE n")


def test_the_running_server_keeps_its_data_private(neo4j_settings: Neo4jSettings) -> None:
    status = neo4j_server.status()
    if status.mode == "local":
        assert status.data_dir is not None and stat.S_IMODE(status.data_dir.stat().st_mode) == 0o700
    if not os.environ.get("NEO4J_PASSWORD"):
        assert neo4j_settings.password == neo4j_server.stored_password()
        assert stat.S_IMODE(neo4j_server.password_file().stat().st_mode) == 0o600


def test_a_first_start_generates_a_password_and_says_where(neo4j_settings: Neo4jSettings, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_NEO4J_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEO4J_USER", "kg-no-such-user")  # failed logins of a real user would lock it a while
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    with pytest.raises(neo4j_server.Neo4jServerError, match="no Neo4j password: set NEO4J_PASSWORD, or run"):
        Neo4jSettings.from_env()
    notes: list[str] = []
    # The session's server answers at this URI with another password: the new one is generated, then refused.
    with pytest.raises(neo4j_server.Neo4jServerError, match="rejects user"):
        neo4j_server.start(uri=neo4j_settings.uri, log=notes.append)
    password = tmp_path / "home" / "password"
    assert stat.S_IMODE(password.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "home").stat().st_mode) == 0o700
    assert len(password.read_text().strip()) >= 24
    assert Neo4jSettings.from_env().password == password.read_text().strip()
    assert len(notes) == 1 and f"generated a password for Neo4j user 'kg-no-such-user' in {password}" in notes[0]


def test_a_data_dir_with_an_unknown_password_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_NEO4J_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    (data / "kg-users-initialized").write_text("neo4j\n")
    with pytest.raises(neo4j_server.Neo4jServerError, match="was set up with a password kg does not know"):
        neo4j_server.start(data_dir=data, uri="bolt://127.0.0.1:1")
    assert not (tmp_path / "home" / "password").exists()
