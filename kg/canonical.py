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


def canonicalize(records: list[PaperRecord]) -> tuple[list[PaperRecord], dict[str, Node]]:
    """Give every entity its node key.

    Returns:
        The records with ``PaperEntity.key`` set, and the nodes by key.
    """
    items = [(r, e) for r in records for e in r.entities]
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owners: dict[tuple[str, str], int] = {}
    for i, (_, entity) in enumerate(items):
        for link in _links(entity):
            if link in owners:
                a, b = find(owners[link]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owners[link] = i
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        members[find(i)].append(i)

    nodes: dict[str, Node] = {}
    key_of: dict[int, str] = {}
    for root in sorted(members):
        group = [items[i] for i in members[root]]
        node = _node([e for _, e in group], tuple(sorted({r.paper.id for r, _ in group})))
        if node.key in nodes:
            node = replace(node, key=f"{node.key}-{digest('|'.join(sorted(node.aliases + (node.name,))), 6)}")
        nodes[node.key] = node
        for i in members[root]:
            key_of[i] = node.key

    out: list[PaperRecord] = []
    index = 0
    for record in records:
        entities = []
        for entity in record.entities:
            entities.append(replace(entity, key=key_of[index]))
            index += 1
        out.append(replace(record, entities=tuple(entities)))
    return out, nodes


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


def _node(entities: list[PaperEntity], papers: tuple[str, ...]) -> Node:
    type_votes = Counter(e.type for e in entities)
    node_type = max(sorted(type_votes, key=lambda t: t.value), key=lambda t: type_votes[t])
    full = Counter(f for e in entities for f in e.forms if not is_acronym(f))
    short = Counter(f for e in entities for f in e.forms if is_acronym(f))
    pool = full or short
    name = sorted(pool, key=lambda f: (-pool[f], f != f.lower(), -len(f), f))[0]
    aliases = tuple(sorted({f for e in entities for f in e.forms} - {name}))
    return Node(key=entity_key(node_type.value, name), type=node_type, name=name, aliases=aliases, papers=papers)
