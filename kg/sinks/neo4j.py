"""Triples -> Neo4j: uniqueness constraints, then fixed-shape ``UNWIND $rows`` MERGE batches.

Graph model (labels and relationship types come from :mod:`kg.schema` only):

* one node per key, labelled with its :class:`~kg.schema.NodeKind` and unique on ``key``; the five entity kinds
  also carry :data:`ENTITY_LABEL` (full-text index ``entity_names`` over ``name`` and ``aliases``);
* literal triples become node properties named after their predicate (``title``, ``name``, ``value``, ...);
  aliases are a list, and ``forms`` lists the normalized names used to reuse nodes of earlier loads;
* node triples become relationships typed with the upper-cased predicate (``EVALUATED_ON``), one per
  (subject, type, object, paper) with the provenance as properties.

Every statement is MERGE-based, so loading the same triples again, or again after a load that was killed
midway, ends in the same graph. A batch that fails for a transient reason (a lock, a timeout, a lost
connection) is retried; one the database rejects for its data (a value too large to index, a constraint) is
split until the offending rows are found, and those are skipped and reported while the rest is loaded.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver, GraphDatabase, ManagedTransaction, Session, unit_of_work
from neo4j.exceptions import AuthError, CypherSyntaxError, DriverError, Forbidden, Neo4jError

from kg.canonical import is_acronym
from kg.errors import SchemaError, SinkError
from kg.ids import normalize
from kg.neo4j_server import Neo4jSettings
from kg.schema import ENTITY_KINDS, LITERAL, PATTERNS, NodeKind, Predicate, allows
from kg.types import Literal, NodeRef, Triple

ENTITY_LABEL = "Entity"
"""Extra label of the five entity kinds, for the full-text index and queries across types."""

FULLTEXT_INDEX = "entity_names"

PROVENANCE = ("sentence", "start", "end", "extractor", "confidence", "evidence")
"""Relationship properties besides ``paper``: the provenance of the first triple that states it."""

RELATIONSHIP_TYPES: dict[Predicate, str] = {
    p: p.value.upper() for p, (_, objects) in PATTERNS.items() if LITERAL not in objects
}
"""Relationship type of every predicate whose object is a node."""

# Write-query builders ------------------------------------------------------------------------


def schema_statements() -> list[str]:
    """Uniqueness constraints on ``key`` per label (and :data:`ENTITY_LABEL`) and the full-text index."""
    labels = [kind.value for kind in NodeKind] + [ENTITY_LABEL]
    statements = [f"CREATE CONSTRAINT {label.lower()}_key IF NOT EXISTS FOR (n:{label}) REQUIRE n.key IS UNIQUE"
                  for label in labels]
    statements.append(f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS "
                      f"FOR (n:{ENTITY_LABEL}) ON EACH [n.name, n.aliases]")
    return statements


def node_statement(kind: NodeKind) -> str:
    """MERGE a batch of nodes of one kind by key.

    Rows are lists (they pack faster than maps). Entity rows are ``[key, name, names, forms]`` with the name and
    aliases of this load: the first name a node gets is kept, every other name becomes an alias, and aliases
    and forms only grow. Paper and claim rows are ``[key, properties]``, set as given.
    """
    label = NodeKind(kind).value
    if kind not in ENTITY_KINDS:
        return f"UNWIND $rows AS row MERGE (n:{label} {{key: row[0]}}) SET n += row[1]"
    return (
        f"UNWIND $rows AS row MERGE (n:{label} {{key: row[0]}}) "
        f"SET n:{ENTITY_LABEL}, n.name = coalesce(n.name, row[1]) "
        "WITH n, row, coalesce(n.aliases, []) AS aliases, coalesce(n.forms, []) AS forms "
        "SET n.aliases = [a IN aliases + [x IN row[2] WHERE NOT x IN aliases] WHERE a <> n.name], "
        "n.forms = forms + [f IN row[3] WHERE NOT f IN forms]"
    )


def match_label(kind: NodeKind) -> str:
    """The label relationship batches find a node by: :data:`ENTITY_LABEL` for entities (fewer statements)."""
    return ENTITY_LABEL if kind in ENTITY_KINDS else NodeKind(kind).value


def relationship_statement(predicate: Predicate, subject: NodeKind, obj: NodeKind) -> str:
    """MERGE a batch of relationships of one type between nodes found by :func:`match_label`, one per paper.

    Rows are ``[start key, end key, paper, *provenance]`` in the order of :data:`PROVENANCE`.

    Raises:
        SchemaError: the pattern is not in the schema or the predicate takes a literal.
    """
    if predicate not in RELATIONSHIP_TYPES or not allows(subject, predicate, obj):
        raise SchemaError(f"{subject} -{predicate}-> {obj} is not a relationship of the schema")
    assignments = ", ".join(f"r.{name} = row[{i}]" for i, name in enumerate(PROVENANCE, 3))
    return (
        f"UNWIND $rows AS row MATCH (a:{match_label(subject)} {{key: row[0]}}) "
        f"MATCH (b:{match_label(obj)} {{key: row[1]}}) "
        f"MERGE (a)-[r:{RELATIONSHIP_TYPES[predicate]} {{paper: row[2]}}]->(b) SET {assignments}"
    )


ENTITIES = (f"MATCH (n:{ENTITY_LABEL}) "
            f"RETURN n.key AS key, [l IN labels(n) WHERE l <> '{ENTITY_LABEL}'][0] AS label, n.forms AS forms")
COUNTS = "CALL () { MATCH (n) RETURN count(n) AS nodes } CALL () { MATCH ()-[r]->() RETURN count(r) AS rels } " \
         "RETURN nodes, rels"
CLEAR = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"

# Rows ----------------------------------------------------------------------------------------

_CLAIM_FIELDS = ("paper_id", "sentence", "start", "end", "extractor", "confidence")


@dataclass(frozen=True, slots=True)
class Batch:
    """One write transaction: a fixed statement, its rows, and the paper each row comes from."""

    statement: str
    rows: list[list[Any]]
    what: str
    relationships: bool
    papers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Node:
    kind: NodeKind
    paper: str
    props: dict[str, Any] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)


def forms_of(names: Iterable[str]) -> list[str]:
    """Normalized full forms (acronyms left out) under which a node may be reused by a later load.

    Acronyms are left out because the canonicalizer only joins them within an entity type (see
    :mod:`kg.canonical`); two nodes of one build therefore never share a form.
    """
    return sorted({normalize(n) for n in names if not is_acronym(n)} - {""})


def _nodes(triples: list[Triple], keys: dict[str, str]) -> dict[str, _Node]:
    nodes: dict[str, _Node] = {}

    def node(ref: NodeRef, paper: str) -> _Node:
        key = keys.get(ref.key, ref.key)
        if key not in nodes:
            nodes[key] = _Node(ref.kind, paper)
        return nodes[key]

    for t in triples:
        subject = node(t.subject, t.provenance.paper_id)
        if isinstance(t.object, NodeRef):
            node(t.object, t.provenance.paper_id)
            continue
        value = t.object.value
        if t.predicate in (Predicate.NAME, Predicate.ALIAS):
            if isinstance(value, str) and value not in subject.names:
                subject.names.append(value)
            continue
        subject.props[t.predicate.value] = value
        p = t.provenance
        if subject.kind is NodeKind.PAPER:
            subject.props["id"] = p.paper_id
        elif subject.kind is NodeKind.CLAIM:
            subject.props.update(zip(_CLAIM_FIELDS, (p.paper_id, p.sentence, p.start, p.end, p.extractor,
                                                     p.confidence), strict=True))
    return nodes


def _node_row(key: str, node: _Node) -> list[Any]:
    if node.kind in ENTITY_KINDS:
        return [key, node.names[0] if node.names else None, node.names, forms_of(node.names)]
    return [key, node.props]


def _relationship_rows(triples: list[Triple], keys: dict[str, str]
                       ) -> dict[tuple[Predicate, str, str], tuple[str, list[list[Any]]]]:
    """Relationship rows by (predicate, subject label, object label) with their statement.

    The first triple of a (subject, predicate, object, paper) wins.
    """
    groups: dict[tuple[Predicate, str, str], tuple[str, list[list[Any]]]] = {}
    seen: set[tuple[str, Predicate, str, str]] = set()
    for t in triples:
        if not isinstance(t.object, NodeRef):
            continue
        s, o, p = keys.get(t.subject.key, t.subject.key), keys.get(t.object.key, t.object.key), t.provenance
        if (s, t.predicate, o, p.paper_id) in seen:
            continue
        seen.add((s, t.predicate, o, p.paper_id))
        group = (t.predicate, match_label(t.subject.kind), match_label(t.object.kind))
        statement = relationship_statement(t.predicate, t.subject.kind, t.object.kind)  # checks the pattern
        groups.setdefault(group, (statement, []))
        groups[group][1].append([s, o, p.paper_id, *(getattr(p, name) for name in PROVENANCE)])
    return groups


def plan(triples: list[Triple], *, batch_size: int, keys: dict[str, str] | None = None) -> list[Batch]:
    """The write batches for some triples: nodes by kind first, then relationships by pattern.

    Args:
        triples: the triples to load.
        batch_size: most rows per batch.
        keys: incoming entity key -> existing node key, for nodes reused from earlier loads.
    """
    keys = keys or {}
    nodes = _nodes(triples, keys)
    batches: list[Batch] = []
    for kind in NodeKind:
        of_kind = [(key, node) for key, node in nodes.items() if node.kind is kind]
        batches += _chunks(node_statement(kind), [_node_row(key, node) for key, node in of_kind],
                           [node.paper for _, node in of_kind], f"{kind.value} nodes", batch_size,
                           relationships=False)
    groups = _relationship_rows(triples, keys)
    order = {p: i for i, p in enumerate(Predicate)}
    for p, s, o in sorted(groups, key=lambda g: (order[g[0]], g[1], g[2])):
        statement, rows = groups[(p, s, o)]
        batches += _chunks(statement, rows, [row[2] for row in rows], f"({s})-[{RELATIONSHIP_TYPES[p]}]->({o})",
                           batch_size, relationships=True)
    return batches


def _chunks(statement: str, rows: list[list[Any]], papers: list[str], what: str, size: int, *,
            relationships: bool) -> Iterator[Batch]:
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        yield Batch(statement, chunk, f"{what} rows {start + 1}-{start + len(chunk)}", relationships,
                    papers[start:start + size])


# Loading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load did.

    Attributes:
        triples: triples given.
        nodes: node rows written (one per node).
        relationships: relationship rows written (one per subject, type, object and paper).
        batches: write transactions committed.
        retried: failed batch attempts that were retried.
        rejected: rows the database rejected for their data (skipped and reported; the rest was loaded).
        reused: incoming entity nodes mapped onto a node of an earlier load that shares a normalized form.
        nodes_created: nodes that did not exist before.
        relationships_created: relationships that did not exist before.
        total_nodes: nodes in the database after the load.
        total_relationships: relationships in the database after the load.
        seconds: wall time.
    """

    triples: int
    nodes: int
    relationships: int
    batches: int
    retried: int
    rejected: int
    reused: int
    nodes_created: int
    relationships_created: int
    total_nodes: int
    total_relationships: int
    seconds: float

    def summary(self) -> str:
        """One line for the end of a run."""
        rate = self.triples / self.seconds if self.seconds else 0.0
        return (f"loaded {self.triples} triples as {self.nodes} nodes and {self.relationships} relationships "
                f"in {self.batches} batches ({self.seconds:.1f}s, {rate:,.0f} triples/s): "
                f"{self.nodes_created} nodes and {self.relationships_created} relationships new, "
                f"{self.reused} entities reused, {self.retried} retries, {self.rejected} rows rejected; "
                f"the graph has {self.total_nodes} nodes "
                f"and {self.total_relationships} relationships")


def connect(settings: Neo4jSettings) -> Driver:
    """A driver whose connection and credentials were checked.

    Raises:
        SinkError: the server does not answer or rejects the credentials.
    """
    driver = GraphDatabase.driver(settings.uri, auth=settings.auth, notifications_min_severity="OFF")
    try:
        driver.verify_connectivity()
    except AuthError as exc:
        driver.close()
        raise SinkError(f"Neo4j at {settings.uri} rejects user {settings.user!r}; "
                        "set NEO4J_USER/NEO4J_PASSWORD") from exc
    except (DriverError, Neo4jError) as exc:
        driver.close()
        raise SinkError(f"cannot reach Neo4j at {settings.uri} ({_reason(exc)}); start it with `kg neo4j start` "
                        "or set NEO4J_URI") from exc
    return driver


def ensure_schema(driver: Driver) -> None:
    """Create the constraints and the full-text index if missing, and wait until they are online."""
    for statement in schema_statements():
        driver.execute_query(statement)
    driver.execute_query("CALL db.awaitIndexes(300)")


def reuse_keys(driver: Driver, triples: list[Triple]) -> dict[str, str]:
    """Map incoming entity nodes that are not in the database onto existing nodes of the same label.

    An incoming node is reused when it shares a normalized form (:func:`forms_of`) with an existing node
    of its label that is not itself one of the incoming nodes (those were kept apart by this build's
    canonicalization). Ties go to the node sharing most forms, then to the smallest key.

    Returns:
        Incoming key -> existing key.
    """
    names: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, str] = {}
    for t in triples:
        for ref in (t.subject, t.object):
            if isinstance(ref, NodeRef) and ref.kind in ENTITY_KINDS:
                labels[ref.key] = ref.kind.value
        if t.predicate in (Predicate.NAME, Predicate.ALIAS) and isinstance(t.object, Literal):
            names[t.subject.key].append(str(t.object.value))
    existing = driver.execute_query(ENTITIES).records
    keys = {r["key"] for r in existing}
    index: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in existing:
        if r["key"] not in labels:
            for form in r["forms"] or ():
                index[(r["label"], form)].append(r["key"])
    mapping: dict[str, str] = {}
    for key in (k for k in labels if k not in keys):
        shared = Counter(k for form in forms_of(names[key]) for k in index.get((labels[key], form), ()))
        if shared:
            mapping[key] = min(shared, key=lambda k: (-shared[k], k))
    return mapping


def load(triples: list[Triple], settings: Neo4jSettings, *, batch_size: int = 2000, attempts: int = 3,
         timeout: float | None = None, log: Callable[[str], None] = lambda message: None,
         progress: Callable[[int, int], None] | None = None, sources: Mapping[str, str] | None = None,
         skipped: Callable[[str], None] = lambda message: None) -> LoadReport:
    """Load triples into Neo4j, idempotently.

    Args:
        triples: the triples of a build.
        settings: how to connect.
        batch_size: most rows per write transaction.
        attempts: tries per transaction that fails for a transient reason; each failure is reported through
            ``log`` and the transaction tried again.
        timeout: seconds a batch transaction may run (default: the server's limit).
        log: receives failure reports.
        progress: called after each committed batch with the number done and the total.
        sources: paper id -> ``FILE:LINE`` it was read from, to report a rejected row where its paper is.
        skipped: receives ``FILE:LINE: reason`` for each row the database rejects for its data; the row is
            left out and the rest of its batch loaded.

    Raises:
        SinkError: the server cannot be reached or rejects the statement itself, or a transaction failed
            ``attempts`` times (rerunning the load is safe: every write is a MERGE).
    """
    started = time.perf_counter()
    with connect(settings) as driver:
        ensure_schema(driver)
        keys = reuse_keys(driver, triples)
        batches = plan(triples, batch_size=batch_size, keys=keys)
        with driver.session() as session:
            writer = _Writer(session, unit_of_work(timeout=timeout)(_write), attempts, log,
                             lambda paper, message: skipped(f"{(sources or {}).get(paper, f'paper {paper}')}: "
                                                            f"{message}"))
            for number, batch in enumerate(batches, 1):
                writer.write(batch, f"batch {number}/{len(batches)}")
                if progress is not None:
                    progress(number, len(batches))
        totals = driver.execute_query(COUNTS).records[0]
    return LoadReport(
        triples=len(triples), nodes=sum(len(b.rows) for b in batches if not b.relationships),
        relationships=sum(len(b.rows) for b in batches if b.relationships), batches=len(batches),
        retried=writer.retried, rejected=writer.rejected, reused=len(keys), nodes_created=writer.nodes_created,
        relationships_created=writer.relationships_created, total_nodes=totals["nodes"],
        total_relationships=totals["rels"], seconds=time.perf_counter() - started)


def rejects_data(exc: Neo4jError) -> bool:
    """Whether the database rejected a statement for the values it was given (the same rows fail again).

    Such errors are a client error of a statement or schema (a wrong type, a constraint) or a failed execution
    (a value too large to index); a syntax error is kg's own and fatal; anything else is transient.
    """
    code = exc.code or ""
    return (code.startswith(("Neo.ClientError.Statement.", "Neo.ClientError.Schema.",
                             "Neo.DatabaseError.Statement.ExecutionFailed"))
            and not isinstance(exc, CypherSyntaxError))


class _Rejected(Exception):
    """A transaction the database rejected for its data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Writer:
    """Commits batches: transient failures retried, rows rejected for their data found by halving and skipped."""

    def __init__(self, session: Session, write: Callable[..., tuple[int, int]], attempts: int,
                 log: Callable[[str], None], reject: Callable[[str, str], None]) -> None:
        self.session, self.work, self.attempts, self.log, self.reject = session, write, attempts, log, reject
        self.retried = self.rejected = self.nodes_created = self.relationships_created = 0

    def write(self, batch: Batch, name: str) -> None:
        """Commit one batch; a rejected one is split in halves, down to the rows that fail alone."""
        try:
            created = self._commit(batch, name)
        except _Rejected as exc:
            if len(batch.rows) == 1:
                self.rejected += 1
                self.reject(batch.papers[0], f"Neo4j rejected {_describe(batch)} ({exc.reason}); skipped")
                return
            half = len(batch.rows) // 2
            for part in (slice(0, half), slice(half, None)):
                self.write(Batch(batch.statement, batch.rows[part], batch.what, batch.relationships,
                                 batch.papers[part]), name)
            return
        self.nodes_created += created[0]
        self.relationships_created += created[1]

    def _commit(self, batch: Batch, name: str) -> tuple[int, int]:
        attempt = 1
        while True:
            try:
                return self.session.execute_write(self.work, batch.statement, batch.rows)
            except (AuthError, CypherSyntaxError, Forbidden) as exc:
                raise SinkError(f"{name} ({batch.what}) failed: {_reason(exc)}") from exc
            except Neo4jError as exc:
                if rejects_data(exc):
                    raise _Rejected(_reason(exc)[:300]) from exc
                failure: Exception = exc
            except DriverError as exc:
                failure = exc
            message = f"{name} ({batch.what}) failed (attempt {attempt}/{self.attempts}): {_reason(failure)}"
            if attempt >= self.attempts:
                raise SinkError(f"{message}; rerun the load, it is idempotent") from failure
            self.log(f"{message}; retrying")
            self.retried += 1
            time.sleep(0.5 * 2 ** (attempt - 1))
            attempt += 1


def _describe(batch: Batch) -> str:
    """The one row of a batch, named by its key(s), shortened."""
    row = batch.rows[0]
    keys = f"{_short(row[0])} -> {_short(row[1])}" if batch.relationships else _short(row[0])
    return f"the {batch.what.split(' rows ')[0]} row {keys}"


def _short(key: object) -> str:
    text = str(key)
    return repr(text if len(text) <= 60 else text[:59] + "…")


def _write(tx: ManagedTransaction, statement: str, rows: list[list[Any]]) -> tuple[int, int]:
    counters = tx.run(statement, rows=rows).consume().counters
    return counters.nodes_created, counters.relationships_created


def _reason(exc: Exception) -> str:
    """The server's or driver's message on one line."""
    return " ".join(str(getattr(exc, "message", None) or exc).split())


def clear(driver: Driver) -> None:
    """Delete every node and relationship (constraints and indexes stay), in batched transactions."""
    with driver.session() as session:
        session.run(CLEAR).consume()
