"""Turn one annotated Doc into a :class:`~kg.types.PaperRecord`: entities with all their forms, relations and
claims by entity name, each with provenance.

Reads only the records of :mod:`extractors.contract`; the grouping of mentions into entities, their types and the
relation and claim decisions were made by the components.
"""

from __future__ import annotations

from collections import defaultdict

from spacy.tokens import Doc

from extractors import contract
from extractors.contract import EntityRecord, MentionRecord
from kg.schema import EntityType, RelationType, relation_allowed
from kg.types import Claim, Mention, Paper, PaperEntity, PaperRecord, Provenance, Relation


def assemble(paper: Paper, doc: Doc) -> PaperRecord:
    """Build the paper's record from the records ``kg_entities``, ``kg_relations`` and ``kg_claims`` wrote."""
    sentences = list(doc.sents)
    sentence_of = {}
    for index, sentence in enumerate(sentences):
        for i in range(sentence.start, sentence.end):
            sentence_of[i] = index
    by_entity: dict[int, list[MentionRecord]] = defaultdict(list)
    for mention in contract.mentions(doc):
        by_entity[mention.entity].append(mention)
    entities: dict[int, PaperEntity] = {}
    for record in contract.entities(doc):
        if by_entity[record.id]:
            entities[record.id] = _entity(paper, doc, record, by_entity[record.id], sentences, sentence_of)
    relations = []
    for r in contract.relations(doc):
        head, tail = entities.get(r.head), entities.get(r.tail)
        if head is None or tail is None or not relation_allowed(head.type, RelationType(r.type), tail.type):
            continue
        sentence = sentences[r.sentence]
        relations.append(Relation(type=RelationType(r.type), head=head.name, tail=tail.name, provenance=Provenance(
            paper_id=paper.id, sentence=r.sentence, start=sentence.start_char, end=sentence.end_char,
            extractor=f"kg_relations:{r.rule}", confidence=r.confidence, evidence=sentence.text)))
    claims = []
    for c in contract.claims(doc):
        subject = entities.get(c.subject) if c.subject is not None else None
        dataset = entities.get(c.dataset) if c.dataset is not None else None
        claims.append(Claim(
            value=c.value, number=c.number, unit=c.unit, metric=c.metric,
            subject=subject.name if subject else None,
            dataset=dataset.name if dataset is not None and dataset.type is EntityType.DATASET else None,
            baseline=c.baseline, direction=c.direction, start=c.start, end=c.end,
            provenance=Provenance(paper_id=paper.id, sentence=c.sentence, start=c.evidence_start, end=c.evidence_end,
                                  extractor=f"kg_claims:{c.rule}", confidence=c.confidence,
                                  evidence=doc.text[c.evidence_start:c.evidence_end])))
    return PaperRecord(paper=paper, entities=tuple(entities.values()), relations=tuple(relations),
                       claims=tuple(claims))


def _entity(paper: Paper, doc: Doc, record: EntityRecord, mentions: list[MentionRecord], sentences: list,
            sentence_of: dict[int, int]) -> PaperEntity:
    entity_type = EntityType(record.type)
    forms = _forms(doc, mentions, title_end=len(paper.title))
    return PaperEntity(
        type=entity_type, name=forms[0], aliases=tuple(forms[1:]), proposed=record.proposed,
        mentions=tuple(Mention(type=entity_type, text=doc[m.start:m.end].text, provenance=Provenance(
            paper_id=paper.id, sentence=sentence_of[m.start], start=doc[m.start].idx,
            end=doc[m.end - 1].idx + len(doc[m.end - 1].text), extractor=f"kg_entities:{m.rule}",
            confidence=m.confidence, evidence=sentences[sentence_of[m.start]].text)) for m in mentions),
        canonical=record.canonical)


def _forms(doc: Doc, mentions: list[MentionRecord], *, title_end: int) -> list[str]:
    """Distinct surface forms, most complete first: long forms before acronyms, the abstract's before the title's."""
    seen: dict[str, tuple] = {}
    for m in mentions:
        span = doc[m.start:m.end]
        text = span.text
        if text in seen:
            continue
        is_short = text.isupper() or (sum(c.isupper() for c in text) >= 2 and " " not in text and len(text) <= 8)
        seen[text] = (is_short, span.start_char < title_end, -len(text), span.start_char)
    return sorted(seen, key=lambda t: seen[t])
