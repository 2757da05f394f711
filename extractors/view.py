"""A read-only view of an annotated Doc for the learned components: sentences, entities, mentions, syntax."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from extractors.contract import EntityRecord, MentionRecord, RelationRecord
from extractors.syntax import syntax
from kg.types import TITLE_SEPARATOR

SYSTEMS = frozenset({"Method", "Model"})
_ALLOWED = {"Dataset": ("evaluated_on", "uses"), "Task": ("addresses",), "Method": ("outperforms", "uses"),
            "Model": ("outperforms", "uses")}


def allowed_labels(head_type: str, tail_type: str) -> tuple[str, ...]:
    """The relation types a pair of entity types may stand in (empty when the head is no system)."""
    return _ALLOWED.get(tail_type, ()) if head_type in SYSTEMS else ()


@dataclass(frozen=True, slots=True)
class PaperView:
    """What the learned components read of a Doc: its sentences and the one of each token, where the title ends (a
    character offset, -1 without a title), entities, their mentions, noun chunks, the mentioned entities of each type
    in the order of the sentences they first appear in, and the relations each entity takes part in (its type, the
    end it is, whether the other end is the main entity)."""

    doc: Doc
    sentences: list[Span]
    sentence_of: list[int]
    title_end: int
    entities: list[EntityRecord]
    mentions: dict[int, list[MentionRecord]]
    main: int | None
    noun_chunks: list[Span]
    in_sentence: dict[int, set[int]]
    by_id: dict[int, EntityRecord]
    roles: dict[int, frozenset[str]]
    of_type: dict[str, list[int]]

    @classmethod
    def of(cls, doc: Doc, mentions: list[MentionRecord], entities: list[EntityRecord],
           relations: list[RelationRecord] | None = None) -> PaperView:
        """Index a Doc's records (the relations, when ``kg_relations`` has run)."""
        parsed = syntax(doc)
        sentence_of = parsed.sentence_of
        by_entity: dict[int, list[MentionRecord]] = defaultdict(list)
        for mention in mentions:
            by_entity[mention.entity].append(mention)
        systems = [e for e in entities if e.type in SYSTEMS and e.proposed]
        main = max(systems, key=lambda e: (e.proposed_confidence, -e.id)).id if systems else None
        in_sentence: dict[int, set[int]] = defaultdict(set)
        for mention in mentions:
            in_sentence[sentence_of[mention.start]].add(mention.entity)
        roles: dict[int, set[str]] = defaultdict(set)
        for r in relations or ():
            roles[r.head].add(f"{r.type}:head:{'main' if r.tail == main else 'other'}")
            roles[r.tail].add(f"{r.type}:tail:{'main' if r.head == main else 'other'}")
        of_type: dict[str, list[int]] = defaultdict(list)
        for entity in sorted((e for e in entities if e.id in by_entity),
                             key=lambda e: (sentence_of[by_entity[e.id][0].start], e.id)):
            of_type[entity.type].append(entity.id)
        return cls(doc, parsed.sentences, sentence_of, doc.text.find(TITLE_SEPARATOR), entities, dict(by_entity), main,
                   parsed.noun_chunks, dict(in_sentence), {e.id: e for e in entities},
                   {e: frozenset(r) for e, r in roles.items()}, dict(of_type))

    def sentence(self, mention: MentionRecord) -> int:
        """Sentence index of a mention."""
        return self.sentence_of[mention.start]

    def pairs(self) -> Iterator[tuple[EntityRecord, EntityRecord, tuple[str, ...]]]:
        """Candidate (head, tail, allowed relation types) pairs."""
        for head in self.entities:
            for tail in self.entities:
                allowed = allowed_labels(head.type, tail.type)
                if head.id != tail.id and allowed and head.id in self.mentions and tail.id in self.mentions:
                    yield head, tail, allowed


def dependency_path(a: Token, b: Token) -> tuple[str, str]:
    """The dependency labels from ``a`` up to the lowest common ancestor and down to ``b``, and its lemma."""
    up = [a, *a.ancestors]
    down = [b, *b.ancestors]
    positions = {t.i: k for k, t in enumerate(up)}
    for k, token in enumerate(down):
        if token.i in positions:
            left = [t.dep_ for t in up[:positions[token.i]]]
            right = [t.dep_ for t in down[:k]]
            path = "^".join(left[:4]) + "|" + "v".join(reversed(right[:4]))
            return path, token.lemma_.lower()
    return "none", "none"


def bucket(n: int) -> str:
    """A coarse distance class."""
    return "0" if n <= 0 else "1-2" if n <= 2 else "3-5" if n <= 5 else "6-10" if n <= 10 else "11-20" if n <= 20 else "21+"
