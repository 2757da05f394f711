"""Cross-paper canonicalization: one graph node per thing, with a stable key, and claims in canonical terms.

Entities of different papers are one node when they share a normalized form (case, hyphens, spacing and plural
ignored; the long form of an acronym is a form of the entity that defines it) or the gazetteer gives them the
same canonical name. A bare acronym ("SD") only links entities of the same type, so "SD" for speculative
decoding and "SD" for Stable Diffusion stay apart. The node's type is its members' majority type and its name
the most frequent full form, its LaTeX read (``Pok{\\'e}mon`` is Pokémon); the key is ``type:slug-of-name``.

Normalization (:mod:`kg.normalize`) makes variants one: a dataset's forms count by the dataset they are a
variant of ("ImageNet 256×256", "ImageNet-1K" and "ImageNet" are one node named ImageNet), a metric's by its
canonical name in the metric table ("FID score" is FID). Each claim then gets its canonical metric node, that
metric's direction, whether it is a rankable result, and the setting it was measured in.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace

from kg.ids import digest, entity_key, normalize
from kg.normalize import MetricMatch, claim_setting, dataset_table, metric_table, read_latex
from kg.schema import EntityType
from kg.types import Claim, PaperEntity, PaperRecord, Setting

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
    return _canonical_claims(out, nodes)


def canonical_name(entity_type: EntityType, form: str) -> str:
    """The name under which a form meets the forms of other papers: the dataset it is a variant of, the metric
    table's name of a metric, or the form itself."""
    if entity_type is EntityType.DATASET:
        return dataset_table().variant(form)[0] or form
    if entity_type is EntityType.METRIC:
        metric = metric_table().lookup(form)
        return metric.name if metric is not None else form
    return form


def _links(entity: PaperEntity) -> set[tuple[str, str]]:
    """The keys under which an entity meets others: its full forms, its acronyms within its type."""
    links: set[tuple[str, str]] = set()
    for form in entity.forms:
        name = canonical_name(entity.type, form)
        norm = normalize(name)
        if not norm:
            continue
        links.add((entity.type.value, norm) if is_acronym(name) else ("", norm))
    if entity.canonical:
        links.add(("", normalize(canonical_name(entity.type, entity.canonical))))
    return links


def _node(entities: list[PaperEntity], papers: tuple[str, ...]) -> Node:
    type_votes = Counter(e.type for e in entities)
    node_type = max(sorted(type_votes, key=lambda t: t.value), key=lambda t: type_votes[t])
    names = Counter(canonical_name(node_type, f) for e in entities for f in e.forms)
    full = Counter({f: n for f, n in names.items() if not is_acronym(f)})
    pool = full or names
    name = read_latex(sorted(pool, key=lambda f: (-pool[f], f != f.lower(), -len(f), f))[0])
    aliases = tuple(sorted({f for e in entities for f in e.forms} - {name}))
    return Node(key=entity_key(node_type.value, name), type=node_type, name=name, aliases=aliases, papers=papers)


def _canonical_claims(records: list[PaperRecord], nodes: dict[str, Node]) -> tuple[list[PaperRecord],
                                                                                    dict[str, Node]]:
    """Every claim with its canonical metric node, direction, result flag and setting.

    A canonical metric no entity of the corpus became gets a node of its own, named as the metric table names
    it, with the phrases of the claims that measure it as aliases.
    """
    metric_keys = {node.name: key for key, node in nodes.items() if node.type is EntityType.METRIC}
    phrases: dict[str, set[str]] = defaultdict(set)
    papers: dict[str, set[str]] = defaultdict(set)
    out = []
    for record in records:
        claims = []
        for claim in record.claims:
            match = _metric(claim, record)
            if match is None:  # a metric the table does not know: the paper's Metric entity of that name, if any
                phrase = normalize(claim.metric or "")
                key = next((e.key for e in record.entities if nodes[e.key].type is EntityType.METRIC
                            and phrase in {normalize(f) for f in e.forms}), "") if phrase else ""
                claims.append(replace(claim, metric_key=key, setting=_setting(claim, record)))
                continue
            metric = match.metric
            if metric.name not in metric_keys:
                key = entity_key(EntityType.METRIC.value, metric.name)
                metric_keys[metric.name] = key if key not in nodes else f"{key}-{digest(metric.name, 6)}"
            key = metric_keys[metric.name]
            if key not in nodes:
                papers[key].add(record.paper.id)
                if claim.metric and not match.head:
                    phrases[key].add(claim.metric)
            result = metric.leaderboard and not match.change and (
                claim.direction == "absolute" or claim.unit == metric.unit == "x")
            setting = _setting(claim, record)
            claims.append(replace(claim, metric_key=key, higher_is_better=metric.higher_is_better, is_result=result,
                                  setting=replace(setting, split=setting.split or match.split)))
        out.append(replace(record, claims=tuple(claims)))
    for key, ids in papers.items():
        name = next(n for n, k in metric_keys.items() if k == key)
        nodes[key] = Node(key=key, type=EntityType.METRIC, name=name, aliases=tuple(sorted(phrases[key] - {name})),
                          papers=tuple(sorted(ids)))
    return out, nodes


def _metric(claim: Claim, record: PaperRecord) -> MetricMatch | None:
    """The canonical metric of a claim: its phrase resolved by the metric table; a phrase that is the name of the
    claim's dataset ("0.74 on GenEval") is that benchmark's score; a speed phrase with a unit of x a speed-up."""
    table = metric_table()
    phrase = claim.metric or ""
    dataset = record.entity(claim.dataset) if claim.dataset else None
    if dataset is not None and phrase and normalize(phrase) in {normalize(f) for f in dataset.forms}:
        score = table.get("score")
        return MetricMatch(score) if score is not None else None
    match = table.resolve(phrase)
    speedup = table.get("speedup")
    if claim.unit == "x" and speedup is not None and (match is None or match.metric.family == "efficiency") \
            and table.is_speed(phrase):
        return MetricMatch(speedup, change=match.change if match else False)
    return match


def _setting(claim: Claim, record: PaperRecord) -> Setting:
    """The setting of a claim's dataset: read around its number in its sentence (see :func:`claim_setting`)."""
    if not claim.dataset:
        return Setting()
    evidence, offset = claim.provenance.evidence, claim.provenance.start
    dataset = record.entity(claim.dataset)
    forms = sorted(dataset.forms if dataset is not None else (claim.dataset,), key=len, reverse=True)
    mentions: list[tuple[int, int]] = []
    for form in forms:
        for start in _occurrences(evidence, form):
            if not any(s <= start < e for s, e in mentions):
                mentions.append((start, start + len(form)))
    others = [(c.start - offset, c.end - offset) for c in record.claims
              if c is not claim and offset <= c.start < offset + len(evidence)]
    setting = claim_setting(evidence, (claim.start - offset, claim.end - offset), others, mentions)
    return setting.fill(dataset_table().variant(claim.dataset)[1])


def _occurrences(text: str, word: str) -> Iterator[int]:
    start = text.find(word)
    while start >= 0 and word:
        yield start
        start = text.find(word, start + 1)
