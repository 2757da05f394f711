"""Cross-paper canonicalization: one graph node per thing, with a stable key.

Entities of different papers are one node when they share a normalized form (case, hyphens, spacing and plural
ignored; the long form of an acronym is a form of the entity that defines it) or the gazetteer gives them the
same canonical name. A bare acronym ("SD") only links entities of the same type, so "SD" for speculative
decoding and "SD" for Stable Diffusion stay apart. The node's type is its members' majority type and its name
the most frequent full form; the key is ``type:slug-of-name``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from kg.ids import digest, entity_key, normalize
from kg.schema import EntityType
from kg.types import PaperEntity, PaperRecord

_ACRONYM = re.compile(r"[A-Z][A-Za-z0-9\-]{0,7}")


@dataclass(frozen=True, slots=True)
class Node:
    """A canonical entity: the graph node several papers' entities became."""

    key: str
    type: EntityType
    name: str
    aliases: tuple[str, ...]
    papers: tuple[str, ...]


def is_acronym(form: str) -> bool:
    """A short form such as "SD", "LLMs" or "PiX" (at least two capitals, no spaces)."""
    return bool(_ACRONYM.fullmatch(form)) and sum(c.isupper() for c in form) >= 2


class Canonicalizer:
    """Canonicalization in one streaming pass: :meth:`add` each record in input order, then :meth:`finish`.

    Only what the nodes are made of is kept per entity (its type, forms and paper), never whole records, so a
    build can stream its records from disk twice: once through here, once to apply :meth:`finish`'s keys.
    """

    def __init__(self) -> None:
        self._types: list[EntityType] = []
        self._forms: list[tuple[str, ...]] = []
        self._papers: list[str] = []
        self._parent: list[int] = []
        self._owners: dict[tuple[str, str], int] = {}

    def _find(self, i: int) -> int:
        parent = self._parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def add(self, record: PaperRecord) -> None:
        """Take one record's entities."""
        for entity in record.entities:
            i = len(self._parent)
            self._parent.append(i)
            self._types.append(entity.type)
            self._forms.append(entity.forms)
            self._papers.append(record.paper.id)
            for link in _links(entity):
                owner = self._owners.setdefault(link, i)
                if owner != i:
                    a, b = self._find(owner), self._find(i)
                    if a != b:
                        self._parent[max(a, b)] = min(a, b)

    def finish(self) -> tuple[list[str], dict[str, Node]]:
        """The node key of every entity added, in order, and the nodes by key."""
        members: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self._parent)):
            members[self._find(i)].append(i)
        nodes: dict[str, Node] = {}
        keys = [""] * len(self._parent)
        for root in sorted(members):
            group = members[root]
            node = _node([self._types[i] for i in group], [self._forms[i] for i in group],
                         tuple(sorted({self._papers[i] for i in group})))
            if node.key in nodes:
                node = replace(node, key=f"{node.key}-{digest('|'.join(sorted(node.aliases + (node.name,))), 6)}")
            nodes[node.key] = node
            for i in group:
                keys[i] = node.key
        return keys, nodes


def apply_keys(records: Iterable[PaperRecord], keys: Iterator[str]) -> Iterator[PaperRecord]:
    """The records with ``PaperEntity.key`` set from ``keys`` (:meth:`Canonicalizer.finish`, in order)."""
    for record in records:
        entities = tuple(replace(entity, key=next(keys)) for entity in record.entities)
        yield replace(record, entities=entities)


def canonicalize(records: list[PaperRecord]) -> tuple[list[PaperRecord], dict[str, Node]]:
    """Give every entity its node key.

    Returns:
        The records with ``PaperEntity.key`` set, and the nodes by key.
    """
    canonicalizer = Canonicalizer()
    for record in records:
        canonicalizer.add(record)
    keys, nodes = canonicalizer.finish()
    return list(apply_keys(records, iter(keys))), nodes


def _links(entity: PaperEntity) -> set[tuple[str, str]]:
    """The keys under which an entity meets others: its full forms, its acronyms within its type."""
    links: set[tuple[str, str]] = set()
    for form in entity.forms:
        norm = normalize(form)
        if not norm:
            continue
        links.add((entity.type.value, norm) if is_acronym(form) else ("", norm))
    if entity.canonical:
        links.add(("", normalize(entity.canonical)))
    return links


def _node(types: list[EntityType], forms: list[tuple[str, ...]], papers: tuple[str, ...]) -> Node:
    type_votes = Counter(types)
    node_type = max(sorted(type_votes, key=lambda t: t.value), key=lambda t: type_votes[t])
    full = Counter(f for group in forms for f in group if not is_acronym(f))
    short = Counter(f for group in forms for f in group if is_acronym(f))
    pool = full or short
    name = sorted(pool, key=lambda f: (-pool[f], f != f.lower(), -len(f), f))[0]
    aliases = tuple(sorted({f for group in forms for f in group} - {name}))
    return Node(key=entity_key(node_type.value, name), type=node_type, name=name, aliases=aliases, papers=papers)
