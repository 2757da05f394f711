"""Training examples of the linear models, read off gold-annotated Docs with the same feature functions the
components use at run time.

A prepared Doc carries the gold entities in the contract's extensions (as if the recognizer were perfect), so
features see exactly what they see in the pipeline. Labels come from the gold record: relation types of entity
pairs, which number candidates are claims (same value and unit class as a gold claim, nearest to its evidence
first), and each claim's unit, direction, metric, subject and dataset.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc

from extractors import contract
from extractors.claims import CLAIM, YES
from extractors.claims.candidates import NumberCandidate
from extractors.claims.features import ATTRIBUTES, choice_features, choices, claim_rows
from extractors.entities import proposed_features
from extractors.linear import NONE
from extractors.relations import pair_features
from extractors.training.corpus import Annotated, gold_records
from extractors.view import PaperView
from kg.evaluate import normal_form, same_metric, same_value, unit_class


@dataclass(slots=True)
class Examples:
    """Named feature lists with their labels and the paper each came from (for folds)."""

    rows: list[list[str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    papers: list[str] = field(default_factory=list)

    def add(self, row: list[str], label: str, paper: str) -> None:
        """One example."""
        self.rows.append(row)
        self.labels.append(label)
        self.papers.append(paper)


@dataclass(slots=True)
class Prepared:
    """A parsed Doc of an annotated paper with the gold entities written into it."""

    item: Annotated
    doc: Doc
    gold_ids: dict[int, int]
    view: PaperView


def prepare(item: Annotated, doc: Doc) -> Prepared:
    """Write the gold entities into a parsed Doc."""
    mentions, entities, ids = gold_records(doc, item.gold)
    contract.write(doc, contract.MENTIONS, mentions)
    contract.write(doc, contract.ENTITIES, entities)
    return Prepared(item, doc, ids, PaperView.of(doc, mentions, entities))


def _entity_id(prepared: Prepared, name: str | None) -> int | None:
    """The Doc entity id of a gold entity name (or alias)."""
    if not name:
        return None
    form = normal_form(name)
    for index, entity in enumerate(prepared.item.gold.get("entities") or []):
        forms = {normal_form(f) for f in [entity["name"], *(entity.get("aliases") or [])]}
        if form in forms:
            return prepared.gold_ids.get(index)
    return None


def proposed_examples(prepared: Iterable[Prepared]) -> Examples:
    """One example per gold entity: proposed or not."""
    out = Examples()
    for p in prepared:
        acronym_tokens = {i for a in contract.acronyms(p.doc) for i in (*range(a.long_start, a.long_end),
                                                                         *range(a.short_start, a.short_end))}
        for entity in p.view.entities:
            mentions = p.view.mentions.get(entity.id, [])
            if not mentions:
                continue
            defined = any(m.start in acronym_tokens for m in mentions)
            row = proposed_features(p.doc, entity.type, mentions, known=_known(p.doc, mentions), defined=defined)
            out.add(row, "proposed" if entity.proposed else NONE, p.item.paper.id)
    return out


def _known(doc: Doc, mentions: list) -> bool:
    from extractors.gazetteer import packaged  # noqa: PLC0415 - loaded once, only when training

    return any(packaged().lookup(doc[m.start:m.end].text) is not None for m in mentions)


def relation_examples(prepared: Iterable[Prepared]) -> Examples:
    """One example per candidate entity pair, labelled with its gold relation type or NONE."""
    out = Examples()
    for p in prepared:
        gold: dict[tuple[int, int], str] = {}
        for relation in p.item.gold.get("relations") or []:
            head, tail = _entity_id(p, relation["head"]), _entity_id(p, relation["tail"])
            if head is not None and tail is not None:
                gold.setdefault((head, tail), relation["type"])
        for head, tail, allowed in p.view.pairs():
            label = gold.get((head.id, tail.id), NONE)
            out.add(pair_features(p.view, head, tail), label if label in allowed else NONE, p.item.paper.id)
    return out


def claim_labels(prepared: Prepared, candidates: list[NumberCandidate]) -> list[dict | None]:
    """The gold claim each candidate is (or None): same value and unit class, the one whose evidence holds the
    candidate first; each gold claim is used once."""
    text = prepared.doc.text
    gold = prepared.item.gold.get("claims") or []
    used: set[int] = set()
    out: list[dict | None] = []
    for candidate in candidates:
        options = [j for j, g in enumerate(gold) if j not in used and same_value(candidate.value, g["value"])]
        if not options:
            out.append(None)
            continue
        def rank(j: int) -> tuple[bool, bool]:
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


def claim_examples(prepared: Iterable[Prepared], scan) -> ClaimExamples:  # noqa: ANN001 - scan: Doc -> candidates
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
            out.unit.add(row, unit_class(gold["unit"]) or "", paper)
            out.direction.add(row, gold.get("direction") or "absolute", paper)
            for attribute in ATTRIBUTES:
                options = choices(p.view, candidate, attribute)
                answer = [_is_answer(p, attribute, option.text, option.entity, gold.get(attribute)) for option in options]
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
    return entity is not None and entity == _entity_id(p, gold)
