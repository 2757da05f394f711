"""Turn one annotated Doc into a :class:`~kg.types.PaperRecord`: entities with all their forms, relations and
claims by entity name, each with provenance.

Within a paper, mentions are one entity when their normalized forms are equal or an acronym links them
("Masked Token Optimization (MTO)"). The entity's type is the confidence-weighted vote of its mentions.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict

from spacy.tokens import Doc, Span

from kg.ids import normalize
from kg.schema import EntityType, RelationType, relation_allowed
from kg.types import Claim, Mention, Paper, PaperEntity, PaperRecord, Provenance, Relation

_ACRONYM = re.compile(r"[A-Z]{2,6}")
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,6}s")
ENTITIES_KEY = "kg_entities"
PROPOSED_KEY = "kg_proposed"
MAIN_KEY = "kg_main"


class _Sentences:
    """Sentence index and text by token position."""

    def __init__(self, doc: Doc) -> None:
        self.spans = list(doc.sents)
        self.starts = [s.start for s in self.spans]

    def of_token(self, i: int) -> int:
        return max(bisect_right(self.starts, i) - 1, 0)


class _Groups:
    """Union-find over mention indices."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def assemble(paper: Paper, doc: Doc) -> PaperRecord:
    """Build the paper's record from the annotations of ``kg_entities``, ``kg_relations`` and ``kg_claims``."""
    sentences = _Sentences(doc)
    spans = list(doc.spans[ENTITIES_KEY]) if ENTITIES_KEY in doc.spans else []
    confidences = doc.spans[ENTITIES_KEY].attrs.get("confidence", []) if spans else []
    proposed = {(s.start, s.end) for s in doc.spans.get(PROPOSED_KEY, [])}
    groups = _group(doc, spans)
    entities, entity_of_span = _entities(paper, spans, confidences, groups, proposed, sentences)
    main = next(iter(doc.spans.get(MAIN_KEY, [])), None)
    main_name = entity_of_span.get((main.start, main.end)) if main is not None else None
    by_name = {e.name: e for e in entities}
    relations = _relations(paper, doc, entity_of_span, by_name, sentences)
    claims = _claims(paper, doc, entity_of_span, by_name, main_name)
    return PaperRecord(paper=paper, entities=tuple(entities), relations=tuple(relations), claims=tuple(claims))


def _group(doc: Doc, spans: list[Span]) -> _Groups:
    groups = _Groups(len(spans))
    first_by_form: dict[str, int] = {}
    for i, span in enumerate(spans):
        for form in (normalize(span.text), f"kb:{span.kb_id_}" if span.kb_id_ else ""):
            if not form:
                continue
            if form in first_by_form:
                groups.union(first_by_form[form], i)
            else:
                first_by_form[form] = i
    for long_start, long_end, short_start, short_end in doc._.kg_acronyms or []:
        long_i = _mention_over(spans, long_start, long_end)
        short_i = _mention_over(spans, short_start, short_end)
        if long_i is not None and short_i is not None:
            groups.union(long_i, short_i)
    by_initials: dict[str, int] = {}
    for i, span in enumerate(spans):
        initials = _initials(span.text)
        if len(initials) >= 2:
            by_initials.setdefault(initials, i)
    for i, span in enumerate(spans):
        short = span.text[:-1] if _PLURAL_ACRONYM.fullmatch(span.text) else span.text
        if _ACRONYM.fullmatch(short) and short.lower() in by_initials:
            groups.union(by_initials[short.lower()], i)  # "STR" used for "scene text recognition" undefined
    return groups


def _mention_over(spans: list[Span], start: int, end: int) -> int | None:
    """The mention that overlaps an acronym's long (or short) form most, the longer one on a tie."""
    overlaps = [(min(s.end, end) - max(s.start, start), len(s), i) for i, s in enumerate(spans)
                if s.start < end and s.end > start]
    return max(overlaps)[2] if overlaps else None


def _initials(text: str) -> str:
    """First letters of the words of a multi-word name: "scene text recognition" -> "str"."""
    words = [w for w in re.split(r"[\s\-]+", text) if w]
    return "".join(w[0].lower() for w in words) if len(words) >= 2 and all(w[0].isalpha() for w in words) else ""


def _entities(paper: Paper, spans: list[Span], confidences: list[float], groups: _Groups,
              proposed: set[tuple[int, int]], sentences: _Sentences
              ) -> tuple[list[PaperEntity], dict[tuple[int, int], str]]:
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(spans)):
        members[groups.find(i)].append(i)
    entities: list[PaperEntity] = []
    entity_of_span: dict[tuple[int, int], str] = {}
    for root in sorted(members):
        indices = members[root]
        votes: dict[str, float] = defaultdict(float)
        for i in indices:
            votes[spans[i].label_] += confidences[i] if i < len(confidences) else 0.5
        type_name = max(sorted(votes), key=lambda t: votes[t])
        mentions = tuple(_mention(paper, spans[i], type_name, confidences, i, sentences) for i in indices)
        forms = _forms([spans[i] for i in indices], title_end=len(paper.title))
        name = forms[0]
        entity = PaperEntity(type=EntityType(type_name), name=name, aliases=tuple(forms[1:]),
                             proposed=any((spans[i].start, spans[i].end) in proposed for i in indices),
                             mentions=mentions, canonical=next((spans[i].kb_id_ for i in indices if spans[i].kb_id_), ""))
        entities.append(entity)
        for i in indices:
            entity_of_span[(spans[i].start, spans[i].end)] = name
    return entities, entity_of_span


def _forms(spans: list[Span], *, title_end: int) -> list[str]:
    """Distinct surface forms, most complete first: long forms before acronyms, the abstract's before the title's."""
    seen: dict[str, tuple] = {}
    for span in spans:
        text = span.text
        if text in seen:
            continue
        is_short = text.isupper() or (sum(c.isupper() for c in text) >= 2 and " " not in text and len(text) <= 8)
        seen[text] = (is_short, span.start_char < title_end, -len(text), span.start_char)
    return sorted(seen, key=lambda t: seen[t])


def _mention(paper: Paper, span: Span, type_name: str, confidences: list[float], i: int,
             sentences: _Sentences) -> Mention:
    sentence = sentences.of_token(span.start)
    return Mention(type=EntityType(type_name), text=span.text, provenance=Provenance(
        paper_id=paper.id, sentence=sentence, start=span.start_char, end=span.end_char,
        extractor=f"kg_entities:{span.id_ or 'rule'}", confidence=round(confidences[i], 3) if i < len(confidences)
        else 0.5, evidence=sentences.spans[sentence].text))


def _relations(paper: Paper, doc: Doc, entity_of_span: dict[tuple[int, int], str],
               by_name: dict[str, PaperEntity], sentences: _Sentences) -> list[Relation]:
    out: dict[tuple[str, str, str], Relation] = {}
    for kind, head_start, head_end, tail_start, tail_end, rule, confidence in doc._.kg_relations or []:
        head = entity_of_span.get((head_start, head_end))
        tail = entity_of_span.get((tail_start, tail_end))
        if head is None or tail is None or head == tail:
            continue
        relation_type = RelationType(kind)
        if not relation_allowed(by_name[head].type, relation_type, by_name[tail].type):
            continue
        key = (kind, head, tail)
        if key in out:
            continue
        sentence = sentences.of_token(tail_start)
        sent = sentences.spans[sentence]
        out[key] = Relation(type=relation_type, head=head, tail=tail, provenance=Provenance(
            paper_id=paper.id, sentence=sentence, start=sent.start_char, end=sent.end_char,
            extractor=f"kg_relations:{rule}", confidence=confidence, evidence=sent.text))
    return list(out.values())


def _claims(paper: Paper, doc: Doc, entity_of_span: dict[tuple[int, int], str],
            by_name: dict[str, PaperEntity], main_name: str | None) -> list[Claim]:
    out: list[Claim] = []
    for raw in doc._.kg_claims or []:
        subject = _entity_at(doc, raw.get("subject"), entity_of_span) or main_name
        dataset = _entity_at(doc, raw.get("dataset"), entity_of_span)
        if dataset is not None and by_name[dataset].type is not EntityType.DATASET:
            dataset = None
        start, end = raw["evidence_start"], raw["evidence_end"]
        out.append(Claim(
            value=raw["value"], number=float(raw["number"]), unit=raw["unit"], metric=raw.get("metric"),
            subject=subject, dataset=dataset, baseline=raw.get("baseline"), direction=raw["direction"],
            start=raw["start"], end=raw["end"], provenance=Provenance(paper_id=paper.id, sentence=raw["sentence"], start=start, end=end,
                                  extractor=f"kg_claims:{raw.get('rule', 'rule')}",
                                  confidence=float(raw.get("confidence", 0.5)), evidence=doc.text[start:end])))
    return out


def _entity_at(doc: Doc, char_span: list[int] | None, entity_of_span: dict[tuple[int, int], str]) -> str | None:
    if not char_span:
        return None
    span = doc.char_span(char_span[0], char_span[1], alignment_mode="expand")
    return entity_of_span.get((span.start, span.end)) if span is not None else None
