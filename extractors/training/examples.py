"""Training examples of the linear models, read off annotated Docs with the feature functions the components use
at run time.

A prepared Doc carries entities in the contract's extensions: either the gold ones (as if the recognizer were
perfect) or the ones the pipeline finds with a recognizer that never saw the paper (cross-fitting), so that the
later models learn from the entities they will meet. Predicted entities are matched to gold ones by a shared
normalized form, as the scorer matches them. Labels come from the gold record: which variant of a span is a gold
entity's form (boundaries), which candidate entities are entities and of which type, which are proposed, relation
types of entity pairs, which number candidates are claims (same value, the gold claim whose evidence holds them
first), and each claim's unit, direction, metric, subject and dataset.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc

from extractors import contract
from extractors.boundaries import DocTokens, boundary_features
from extractors.claims import CLAIM, YES
from extractors.claims.candidates import NumberCandidate
from extractors.claims.features import ATTRIBUTES, choice_features, choices, claim_rows
from extractors.entities import DocFacts, EntityAssembler, proposed_features
from extractors.linear import NONE
from extractors.relations import pair_features
from extractors.training.corpus import Annotated, gold_records
from extractors.view import PaperView
from kg.evaluate import normal_form, same_metric, same_value, unit_class


@dataclass(slots=True)
class Examples:
    """Named feature lists with their labels and the paper each came from (for folds); for the relation model also
    the gold labels no example carries, as (paper, label): a relation whose end the entities never found counts
    against recall as the scorer counts it."""

    rows: list[list[str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    papers: list[str] = field(default_factory=list)
    unreachable: list[tuple[str, str]] = field(default_factory=list)

    def add(self, row: list[str], label: str, paper: str) -> None:
        """One example."""
        self.rows.append(row)
        self.labels.append(label)
        self.papers.append(paper)


@dataclass(slots=True)
class Prepared:
    """An annotated paper's Doc with entities in it, and which gold entity each of them is."""

    item: Annotated
    doc: Doc
    view: PaperView
    gold_of: dict[int, int]

    def entity_of(self, name: str | None) -> int | None:
        """The Doc entity that is the gold entity a gold name (or alias) refers to."""
        index = _gold_index(self.item.gold, name)
        return next((e for e, g in self.gold_of.items() if g == index), None) if index is not None else None


def _gold_forms(gold: dict) -> list[set[str]]:
    return [{normal_form(f) for f in [e["name"], *(e.get("aliases") or [])]} - {""}
            for e in gold.get("entities") or []]


def _gold_index(gold: dict, name: str | None) -> int | None:
    form = normal_form(name)
    if not form:
        return None
    return next((j for j, forms in enumerate(_gold_forms(gold)) if form in forms), None)


def with_gold_entities(item: Annotated, doc: Doc) -> Prepared:
    """Write the gold entities into a parsed Doc."""
    mentions, entities, ids = gold_records(doc, item.gold)
    contract.write(doc, contract.MENTIONS, mentions)
    contract.write(doc, contract.ENTITIES, entities)
    return Prepared(item, doc, PaperView.of(doc, mentions, entities), {e: g for g, e in ids.items()})


def with_predicted_entities(item: Annotated, doc: Doc) -> Prepared:
    """A Doc the pipeline's entity component annotated, its entities matched one-to-one to gold entities by a
    shared normalized form (first match in order, as the scorer does)."""
    mentions, entities = contract.mentions(doc), contract.entities(doc)
    forms: dict[int, set[str]] = {}
    for m in mentions:
        forms.setdefault(m.entity, set()).add(normal_form(doc[m.start:m.end].text))
    used: set[int] = set()
    gold_of: dict[int, int] = {}
    gold_forms = _gold_forms(item.gold)
    for entity in entities:
        match = next((j for j, g in enumerate(gold_forms) if j not in used and g & forms.get(entity.id, set())),
                     None)
        if match is not None:
            used.add(match)
            gold_of[entity.id] = match
    return Prepared(item, doc, PaperView.of(doc, mentions, entities), gold_of)


def with_relations(prepared: Prepared, extractor: Callable[[Doc], Doc]) -> Prepared:
    """The paper with the relations a relation component finds written into its Doc (the claim models read them)."""
    doc = extractor(prepared.doc)
    view = PaperView.of(doc, contract.mentions(doc), contract.entities(doc), contract.relations(doc))
    return Prepared(prepared.item, doc, view, prepared.gold_of)


def boundary_examples(annotated: Iterable[tuple[Annotated, Doc]], assembler: EntityAssembler) -> Examples:
    """One example per span of the boundary finders of which some variant is a gold entity's form: that variant
    (``keep`` first)."""
    out = Examples()
    boundaries = assembler.boundaries
    for item, doc in annotated:
        gold_forms = set().union(*_gold_forms(item.gold))
        tokens = DocTokens.of(doc)
        for finder in sorted(boundaries.finders):
            for found in assembler.found_by(doc, tokens, finder, []):
                variants = boundaries.spans(tokens, found.start, found.end)
                label = next((name for name, (s, e) in variants.items()
                              if normal_form(tokens.span_text(s, e)) in gold_forms), None)
                if label is not None:
                    out.add(boundary_features(tokens, found.start, found.end, finder, variants, assembler.gazetteer,
                                              assembler.clusters), label, item.paper.id)
    return out


def refine_examples(annotated: Iterable[tuple[Annotated, Doc]], assembler: EntityAssembler) -> Examples:
    """One example per candidate entity of a Doc the recognizer annotated: its gold type, or NONE."""
    out = Examples()
    for item, doc in annotated:
        gold_forms = _gold_forms(item.gold)
        golds = item.gold.get("entities") or []
        used: set[int] = set()
        facts = DocFacts.of(doc)
        for candidate in assembler.candidates(doc):
            forms = {normal_form(doc[f.start:f.end].text) for f in candidate.found}
            match = next((j for j, g in enumerate(gold_forms) if j not in used and g & forms), None)
            if match is not None:
                used.add(match)
            out.add(candidate.features(doc, facts, assembler.clusters),
                    golds[match]["type"] if match is not None else NONE, item.paper.id)
    return out


def proposed_examples(prepared: Iterable[Prepared]) -> Examples:
    """One example per entity: whether the gold entity it is was proposed (unmatched ones were not)."""
    out = Examples()
    for p in prepared:
        acronym_tokens = {i for a in contract.acronyms(p.doc) for i in (*range(a.long_start, a.long_end),
                                                                         *range(a.short_start, a.short_end))}
        golds = p.item.gold.get("entities") or []
        facts = DocFacts.of(p.doc)
        for entity in p.view.entities:
            mentions = p.view.mentions.get(entity.id, [])
            if not mentions:
                continue
            row = proposed_features(p.doc, facts, entity.type, mentions, known=bool(entity.canonical),
                                    defined=any(m.start in acronym_tokens for m in mentions))
            gold = p.gold_of.get(entity.id)
            proposed = gold is not None and bool(golds[gold].get("proposed"))
            out.add(row, "proposed" if proposed else NONE, p.item.paper.id)
    return out


def relation_examples(prepared: Iterable[Prepared]) -> Examples:
    """One example per candidate entity pair, labelled with its gold relation type or NONE; each gold relation
    that no pair carries (an end not found, a type the pair does not allow) is one of ``unreachable``."""
    out = Examples()
    for p in prepared:
        gold: dict[tuple[int, int], str] = {}
        relations = p.item.gold.get("relations") or []
        stated = Counter(kind for kind, _, _ in {(r["type"], _gold_index(p.item.gold, r["head"]),
                                                  _gold_index(p.item.gold, r["tail"])) for r in relations})
        for relation in relations:
            head, tail = p.entity_of(relation["head"]), p.entity_of(relation["tail"])
            if head is not None and tail is not None:
                gold.setdefault((head, tail), relation["type"])
        reached: Counter[str] = Counter()
        for head, tail, allowed in p.view.pairs():
            label = gold.get((head.id, tail.id), NONE)
            label = label if label in allowed else NONE
            reached[label] += 1
            out.add(pair_features(p.view, head, tail), label, p.item.paper.id)
        out.unreachable += [(p.item.paper.id, kind) for kind, n in sorted(stated.items())
                            for _ in range(max(0, n - reached[kind]))]
    return out


def claim_labels(prepared: Prepared, candidates: list[NumberCandidate]) -> list[dict | None]:
    """The gold claim each candidate is (or None): same value, the one whose evidence holds the candidate first,
    then the same unit class; each gold claim is used once."""
    text = prepared.doc.text
    gold = prepared.item.gold.get("claims") or []
    used: set[int] = set()
    out: list[dict | None] = []
    for candidate in candidates:
        options = [j for j, g in enumerate(gold) if j not in used and same_value(candidate.value, g["value"])]
        if not options:
            out.append(None)
            continue

        def rank(j: int, candidate: NumberCandidate = candidate) -> tuple[bool, bool]:
            start = text.find(gold[j].get("evidence") or "\0")
            holds = start >= 0 and start <= candidate.start < start + len(gold[j]["evidence"])
            return (not holds, unit_class(gold[j]["unit"]) != unit_class(candidate.unit))

        best = min(options, key=rank)
        used.add(best)
        out.append(gold[best])
    return out


@dataclass(slots=True)
class ClaimExamples:
    """The examples of the six claim models."""

    claim: Examples = field(default_factory=Examples)
    unit: Examples = field(default_factory=Examples)
    direction: Examples = field(default_factory=Examples)
    attributes: dict[str, Examples] = field(default_factory=lambda: {a: Examples() for a in ATTRIBUTES})


def claim_examples(prepared: Iterable[Prepared], scan: Callable[[Doc], list[NumberCandidate]]) -> ClaimExamples:
    """Examples for the claim, unit, direction and attribute models."""
    out = ClaimExamples()
    for p in prepared:
        candidates = scan(p.doc)
        rows = claim_rows(p.view, candidates)
        paper = p.item.paper.id
        for candidate, row, gold in zip(candidates, rows, claim_labels(p, candidates), strict=True):
            if gold is None:
                out.claim.add(row, NONE, paper)
                continue
            out.claim.add(row, CLAIM, paper)
            out.unit.add(row, gold["unit"] or "", paper)
            out.direction.add(row, gold.get("direction") or "absolute", paper)
            for attribute in ATTRIBUTES:
                options = choices(p.view, candidate, attribute)
                answer = [_is_answer(p, attribute, option.text, option.entity, gold.get(attribute))
                          for option in options]
                if not any(answer):
                    continue  # the gold value is none of the choices: nothing to learn from
                for option, right in zip(options, answer, strict=True):
                    out.attributes[attribute].add(choice_features(p.view, candidate, attribute, option, row),
                                                  YES if right else NONE, paper)
    return out


def _is_answer(p: Prepared, attribute: str, text: str, entity: int | None, gold: str | None) -> bool:
    if not gold:
        return not text
    if attribute == "metric":
        return same_metric(text, gold)
    return entity is not None and entity == p.entity_of(gold)
