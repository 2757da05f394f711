"""Cross-paper canonicalization: one graph node per thing, with a stable key, and claims in canonical terms.

Entities of different papers are one node when they share a normalized form (case, hyphens, spacing and plural
ignored; the long form of an acronym is a form of the entity that defines it) or the gazetteer gives them the
same canonical name. An acronym ("SD") only links entities of the same type, so "SD" for speculative decoding
and "SD" for Stable Diffusion stay apart, and only when the corpus gives it one meaning: when papers expand it
to things their full forms keep apart ("MAE": masked autoencoders, mean absolute error), those stay apart and a
paper that uses the bare acronym joins the meaning most papers give it. The node's type is its members'
majority type; its name is the metric or dataset table's name when it has one, else the most frequent full
form, its LaTeX read (``Pok{\\'e}mon`` is Pokémon); the key is ``type:slug-of-name``.

Normalization (:mod:`kg.normalize`) makes variants one: a dataset's forms count by the dataset they are a
variant of ("ImageNet 256×256", "ImageNet-1K" and "ImageNet" are one node named ImageNet), a metric's by its
canonical name in the metric table ("FID score" is FID). Each claim then gets its canonical metric node, that
metric's direction, whether it is a rankable result, and the setting it was measured in.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from kg.ids import digest, entity_key, normalize
from kg.normalize import Metric, MetricMatch, claim_setting, dataset_table, metric_table, read_latex
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


class Canonicalizer:
    """Canonicalization in one streaming pass: :meth:`add` each record in input order, then :meth:`finish`.

    Only what the nodes are made of is kept per entity (its type, forms and paper), never whole records, so a
    build can stream its records from disk twice: once through here, once through :func:`canonical_records`.
    Claims add the canonical metrics they measure (with their phrases and papers), so a metric no entity
    became still gets its node before any record is written.
    """

    def __init__(self) -> None:
        self._types: list[EntityType] = []
        self._forms: list[tuple[str, ...]] = []
        self._papers: list[str] = []
        self._parent: list[int] = []
        self._owners: dict[tuple[str, str], int] = {}
        self._acronyms: dict[tuple[str, str], list[tuple[int, bool]]] = defaultdict(list)
        self._claim_metrics: dict[str, tuple[set[str], set[str]]] = {}

    def _find(self, i: int) -> int:
        parent = self._parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def _union(self, a: int, b: int) -> None:
        a, b = self._find(a), self._find(b)
        if a != b:
            self._parent[max(a, b)] = min(a, b)

    def _link_acronyms(self) -> None:
        """Join the entities of each acronym when its expanded uses agree (see the module doc)."""
        for link in sorted(self._acronyms):
            users = self._acronyms[link]
            meanings = Counter(self._find(i) for i, expanded in users if expanded)
            if len(meanings) <= 1:
                for i, _ in users[1:]:
                    self._union(users[0][0], i)
                continue
            first_form = {root: min(normalize(f) for i, expanded in users if expanded and self._find(i) == root
                                    for f in self._forms[i]) for root in meanings}
            majority = min(meanings, key=lambda root: (-meanings[root], first_form[root]))
            for i, expanded in users:
                if not expanded:
                    self._union(majority, i)

    def add(self, record: PaperRecord) -> None:
        """Take one record's entities."""
        for entity in record.entities:
            i = len(self._parent)
            self._parent.append(i)
            self._types.append(entity.type)
            self._forms.append(entity.forms)
            self._papers.append(record.paper.id)
            full, acronyms = _links(entity)
            for link in full:
                owner = self._owners.setdefault(link, i)
                if owner != i:
                    self._union(owner, i)
            for link in acronyms:
                self._acronyms[link].append((i, bool(full)))
        for claim in record.claims:
            match = _metric(claim, record)
            if match is not None:
                phrases, papers = self._claim_metrics.setdefault(match.metric.name, (set(), set()))
                papers.add(record.paper.id)
                if claim.metric and not match.head:
                    phrases.add(claim.metric)

    def finish(self) -> tuple[list[str], dict[str, Node]]:
        """The node key of every entity added, in order, and the nodes by key."""
        self._link_acronyms()
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
        taken = {node.name for node in nodes.values() if node.type is EntityType.METRIC}
        for name, (phrases, papers) in self._claim_metrics.items():
            if name not in taken:  # a canonical metric only claims name: a node of its own
                key = entity_key(EntityType.METRIC.value, name)
                key = key if key not in nodes else f"{key}-{digest(name, 6)}"
                nodes[key] = Node(key=key, type=EntityType.METRIC, name=name,
                                  aliases=tuple(sorted(phrases - {name})), papers=tuple(sorted(papers)))
        return keys, nodes


def canonical_records(records: Iterable[PaperRecord], keys: Iterator[str],
                      nodes: dict[str, Node]) -> Iterator[PaperRecord]:
    """The records with ``PaperEntity.key`` set from ``keys`` (:meth:`Canonicalizer.finish`, in order) and
    their claims in canonical terms (:func:`canonical_claims`)."""
    metric_keys = {node.name: key for key, node in nodes.items() if node.type is EntityType.METRIC}
    for record in records:
        entities = tuple(replace(entity, key=next(keys)) for entity in record.entities)
        yield canonical_claims(replace(record, entities=entities), nodes, metric_keys)


def canonicalize(records: list[PaperRecord]) -> tuple[list[PaperRecord], dict[str, Node]]:
    """Give every entity its node key and every claim its canonical metric (in memory).

    Returns:
        The records with ``PaperEntity.key`` set, and the nodes by key.
    """
    canonicalizer = Canonicalizer()
    for record in records:
        canonicalizer.add(record)
    keys, nodes = canonicalizer.finish()
    return list(canonical_records(records, iter(keys), nodes)), nodes


def canonical_name(entity_type: EntityType, form: str) -> str:
    """The name under which a form meets the forms of other papers: the dataset it is a variant of, the metric
    table's name of a metric, or the form itself."""
    if entity_type is EntityType.DATASET:
        return dataset_table().variant(form)[0] or form
    if entity_type is EntityType.METRIC:
        metric = metric_table().lookup(form)
        return metric.name if metric is not None else form
    return form


def _is_table_name(entity_type: EntityType, name: str) -> bool:
    """Whether a name is the metric or dataset table's own name for what it denotes."""
    if entity_type is EntityType.DATASET:
        return dataset_table().variant(name)[0] == name
    metric = metric_table().lookup(name) if entity_type is EntityType.METRIC else None
    return metric is not None and metric.name == name


def _links(entity: PaperEntity) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The keys under which an entity meets others: its full forms and gazetteer name, and its acronyms within
    its type."""
    full: set[tuple[str, str]] = set()
    acronyms: set[tuple[str, str]] = set()
    for form in (*entity.forms, entity.canonical):
        name = canonical_name(entity.type, form)
        norm = normalize(name)
        if not norm:
            continue
        if is_acronym(name):
            acronyms.add((entity.type.value, norm))
        else:
            full.add(("", norm))
    return full, acronyms


def _node(types: list[EntityType], forms: list[tuple[str, ...]], papers: tuple[str, ...]) -> Node:
    type_votes = Counter(types)
    node_type = max(sorted(type_votes, key=lambda t: t.value), key=lambda t: type_votes[t])
    names = Counter(canonical_name(node_type, f) for group in forms for f in group)
    tabled = Counter({f: n for f, n in names.items() if _is_table_name(node_type, f)})
    full = Counter({f: n for f, n in names.items() if not is_acronym(f)})
    pool = tabled or full or names
    name = read_latex(sorted(pool, key=lambda f: (-pool[f], f != f.lower(), -len(f), f))[0])
    aliases = tuple(sorted({f for group in forms for f in group} - {name}))
    return Node(key=entity_key(node_type.value, name), type=node_type, name=name, aliases=aliases, papers=papers)


def canonical_claims(record: PaperRecord, nodes: dict[str, Node], metric_keys: dict[str, str]) -> PaperRecord:
    """A keyed record whose every claim has its canonical metric node, direction, result flag and setting.

    Args:
        record: the record, entity keys set.
        nodes: the nodes of :meth:`Canonicalizer.finish` (with the metrics only claims name).
        metric_keys: the key of each metric node by name.
    """
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
        result = metric.leaderboard and not match.change and _fits(claim, metric) and (
            claim.direction == "absolute" or claim.unit == metric.unit == "x") and not (
            claim.unit == "%" and metric_table().is_share(_after(claim)))
        setting = _setting(claim, record)
        claims.append(replace(claim, metric_key=metric_keys[metric.name], higher_is_better=metric.higher_is_better,
                              is_result=result, setting=replace(setting, split=setting.split or match.split)))
    return replace(record, claims=tuple(claims))


def _after(claim: Claim) -> str:
    """The words of a claim's evidence right after its number."""
    offset = claim.end - claim.provenance.start
    return claim.provenance.evidence[offset:offset + 40] if offset >= 0 else ""


def _fits(claim: Claim, metric: Metric) -> bool:
    """A value a leaderboard of the metric can hold: in the metric's unit, a percentage or a plain number where
    the other is, or unitless; never a percentage above 100 (900M FLOPs or "1000" are no ImageNet accuracy)."""
    if metric.unit == "%" and claim.number > 100:
        return False
    return claim.unit in ("", metric.unit) or {claim.unit, metric.unit} == {"%", ""}


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
