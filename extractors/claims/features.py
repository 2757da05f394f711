"""Features of the claim models, beside the models that read them (``kg train`` fits them, ``kg_claims`` reads them).

* :func:`claim_features`: is a number candidate a claim, which unit, which direction;
* :func:`choices`: the candidates for a claim's metric (Metric mentions and noun phrases of its sentence),
  subject (the paper's Methods, Models and Datasets) and dataset (its Datasets), each with a "none" choice;
* :func:`choice_features`: how one choice relates to the number (same sentence, distance, dependency path,
  prepositions, what the paper proposes, the relations ``kg_relations`` found for it) and, for a dataset, where
  it stands among the paper's other datasets (nearest to the number, first named, most named).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from extractors.claims.candidates import NumberCandidate
from extractors.contract import EntityRecord
from extractors.view import SYSTEMS, PaperView, bucket, dependency_path

ATTRIBUTES = ("metric", "subject", "dataset")
SUBJECT_TYPES = SYSTEMS | {"Dataset"}
"""What a claim can be about: a method or model, or a dataset the paper releases (its size)."""
_WINDOW = 10
_STRIP = frozenset({"DET", "NUM", "PRON", "PUNCT", "SYM", "CCONJ", "ADP"})


@dataclass(frozen=True, slots=True)
class Choice:
    """One candidate value of a claim attribute.

    Attributes:
        source: ``none``, ``entity`` (a mention of the paper's entity) or ``phrase`` (a noun phrase).
        entity: the entity id (for ``entity``), else None.
        start: first token of the mention or phrase nearest the number (-1 for ``none``).
        end: one past its last token.
        text: the phrase as written ("" for ``none``).
        rank: for a dataset, its place among the claim's choices by nearness to the number (0 the nearest; -1
            for ``none`` and for other attributes).
    """

    source: str
    entity: int | None
    start: int
    end: int
    text: str
    rank: int = -1


NO_CHOICE = Choice("none", None, -1, -1, "")


def number_span(view: PaperView, candidate: NumberCandidate) -> Span:
    """The tokens of a candidate's value."""
    doc = view.doc
    span = doc.char_span(candidate.start, candidate.end, alignment_mode="expand")
    return span if span is not None and len(span) else doc[len(doc) - 1:len(doc)]


def _tail_token(view: PaperView, candidate: NumberCandidate, span: Span) -> int:
    """Index of the first token after the value and its unit words."""
    doc = view.doc
    after = doc.char_span(candidate.start, max(candidate.tail, candidate.end), alignment_mode="expand")
    return after.end if after is not None else span.end


def claim_rows(view: PaperView, candidates: list[NumberCandidate]) -> list[list[str]]:
    """The features of every candidate of a Doc (a value written earlier in the Doc is marked as a repeat)."""
    seen: set[str] = set()
    rows = []
    for candidate in candidates:
        rows.append(claim_features(view, candidate, repeated=candidate.value in seen))
        seen.add(candidate.value)
    return rows


def claim_features(view: PaperView, candidate: NumberCandidate, *, repeated: bool = False) -> list[str]:
    """Named features of a number candidate: its form, its words around, its place in the sentence."""
    doc = view.doc
    span = number_span(view, candidate)
    sentence = span.sent
    index = view.sentence_of[span.start]
    root = span.root
    after = _tail_token(view, candidate, span)
    before = [t.lower_ for t in doc[max(sentence.start, span.start - 3):span.start]]
    following = [t.lower_ for t in doc[after:min(sentence.end, after + 3)]]
    number = candidate.number
    unit = candidate.unit or "none"
    features = [
        "bias", f"unit={unit}", f"rule={candidate.rule}", f"role={candidate.role}", f"scaled={candidate.scaled}|{unit}",
        f"magnitude={_magnitude(number)}|{unit}", f"integer={float(number).is_integer()}|{unit}",
        f"year={float(number).is_integer() and 1950 <= number <= 2100}", f"sentence={min(index, 6)}",
        f"title={index == 0}", f"dep={root.dep_}", f"head={root.head.lemma_.lower()}", f"head_pos={root.head.pos_}",
        f"dep+unit={root.dep_}|{unit}", f"value_words={min(len(candidate.value.split()), 3)}",
        f"repeated={repeated}",
    ]
    features += [f"before{k}={w}" for k, w in enumerate(reversed(before), 1)]
    features += [f"after{k}={w}" for k, w in enumerate(following, 1)]
    if before:
        features += [f"before1+unit={before[-1]}|{unit}"]
    if len(before) >= 2:
        features.append(f"before12={before[-2]}_{before[-1]}")
    if following:
        features.append(f"after1+unit={following[0]}|{unit}")
    features += [f"sentence_verb={t.lemma_.lower()}" for t in sentence if t.pos_ in ("VERB", "AUX") and t.dep_ != "aux"]
    features += [f"sentence_word={t.lower_}" for t in sentence
                 if t.lower_ in ("we", "our", "outperform", "outperforms", "than", "over", "by", "from", "to", "vs",
                                 "versus", "up", "only", "achieve", "achieves", "reduce", "reduces", "improve",
                                 "improves", "faster", "lower", "higher", "fewer", "less", "more", "while")]
    window = doc[max(sentence.start, span.start - 6):min(sentence.end, after + 4)]
    features += [f"window={t.lemma_.lower()}" for t in window if t.is_alpha and not (span.start <= t.i < span.end)]
    verb = next((t for t in [root, *root.ancestors] if t.pos_ in ("VERB", "AUX")), None)
    if verb is not None:
        features += [f"verb={verb.lemma_.lower()}", f"verb+unit={verb.lemma_.lower()}|{unit}"]
    opened = sum(1 for t in doc[sentence.start:span.start] if t.text == "(") - \
        sum(1 for t in doc[sentence.start:span.start] if t.text == ")")
    features.append(f"in_parentheses={opened > 0}")
    inside = next((m for ms in view.mentions.values() for m in ms if m.start <= span.start and span.end <= m.end), None)
    if inside is not None:
        features.append(f"in_mention={view.by_id[inside.entity].type}")
    near = _nearest_mentions(view, span)
    for type_name, distance in near.items():
        features.append(f"near_{type_name}={bucket(distance)}")
    return features


def _nearest_mentions(view: PaperView, span: Span) -> dict[str, int]:
    """Token distance from the number to the nearest mention of each entity type in its sentence."""
    sentence = view.sentence_of[span.start]
    out: dict[str, int] = {}
    for entity in view.entities:
        for m in view.mentions.get(entity.id, []):
            if view.sentence(m) != sentence:
                continue
            distance = max(m.start - span.end, span.start - m.end, 0)
            out[entity.type] = min(out.get(entity.type, distance), distance)
    return out


def _magnitude(number: float) -> str:
    if number <= 0:
        return "0"
    return str(max(-3, min(12, math.floor(math.log10(number)))))


# -- attributes ---------------------------------------------------------------------------------------------------


def choices(view: PaperView, candidate: NumberCandidate, attribute: str) -> list[Choice]:
    """The candidate values of one attribute of a claim, "none" first."""
    span = number_span(view, candidate)
    if attribute == "metric":
        return [NO_CHOICE, *_metric_choices(view, span)]
    wanted = SUBJECT_TYPES if attribute == "subject" else {"Dataset"}
    out: list[Choice] = []
    distances: list[tuple[int, int]] = []
    for entity in view.entities:
        if entity.type not in wanted or entity.id not in view.mentions:
            continue
        distance, mention = min(((_distance(view, m.start, m.end, span), m) for m in view.mentions[entity.id]),
                                key=lambda pair: pair[0])
        out.append(Choice("entity", entity.id, mention.start, mention.end, view.doc[mention.start:mention.end].text))
        distances.append(distance)
    if attribute == "dataset":
        rank = {k: r for r, k in enumerate(sorted(range(len(out)), key=distances.__getitem__))}
        out = [replace(choice, rank=rank[k]) for k, choice in enumerate(out)]
    return [NO_CHOICE, *out]


def _distance(view: PaperView, start: int, end: int, span: Span) -> tuple[int, int]:
    """Sentences apart, then tokens apart."""
    return abs(view.sentence_of[start] - view.sentence_of[span.start]), max(start - span.end, span.start - end, 0)


def _metric_choices(view: PaperView, span: Span) -> list[Choice]:
    """Metric mentions and noun phrases of the number's sentence near it, and for a Metric the paper names only
    elsewhere its nearest mention (a metric a paper states once and then reports numbers of)."""
    doc = view.doc
    sentence = span.sent
    low, high = max(sentence.start, span.start - _WINDOW), min(sentence.end, span.end + _WINDOW)
    out: dict[tuple[int, int], Choice] = {}
    for entity in view.entities:
        if entity.type != "Metric":
            continue
        near = [m for m in view.mentions.get(entity.id, []) if low <= m.start and m.end <= high]
        if not near and entity.id in view.mentions:
            near = [min(view.mentions[entity.id], key=lambda m: _distance(view, m.start, m.end, span))]
        for m in near:
            out[(m.start, m.end)] = Choice("entity", entity.id, m.start, m.end, doc[m.start:m.end].text)
    for chunk in view.noun_chunks:
        if chunk.start < low or chunk.end > high:
            continue
        tokens = [t for t in chunk if not (span.start <= t.i < span.end)]
        while tokens and (tokens[0].pos_ in _STRIP or any(c.isdigit() for c in tokens[0].text)):
            tokens = tokens[1:]
        if not tokens or tokens[-1].pos_ not in ("NOUN", "PROPN", "ADJ"):
            continue
        start, end = tokens[0].i, tokens[-1].i + 1
        if any(s <= start < e or s < end <= e for s, e in out):
            continue
        out[(start, end)] = Choice("phrase", None, start, end, doc[start:end].text)
    return list(out.values())


def choice_features(view: PaperView, candidate: NumberCandidate, attribute: str, choice: Choice,
                    context: list[str]) -> list[str]:
    """Named features of one choice for one claim attribute; ``context`` are the claim's own features that every
    choice conjoins with the "none" choice."""
    if choice.source == "none":
        return [f"{attribute}:none"] + [f"{attribute}:none|{f}" for f in context]
    doc = view.doc
    span = number_span(view, candidate)
    unit = candidate.unit or "none"
    target = doc[choice.start:choice.end]
    same = view.sentence_of[choice.start] == view.sentence_of[span.start]
    gap = view.sentence_of[span.start] - view.sentence_of[choice.start]
    side = "before" if choice.end <= span.start else "after" if choice.start >= span.end else "over"
    distance = max(choice.start - span.end, span.start - choice.end, 0)
    prefix = f"{attribute}:{choice.source}"
    features = [prefix, f"{prefix}|same={same}", f"{prefix}|gap={max(-2, min(gap, 3))}",
                f"{prefix}|side={side}|same={same}", f"{prefix}|distance={bucket(distance) if same else 'far'}",
                f"{prefix}|role={candidate.role}", f"{prefix}|unit={unit}"]
    if choice.entity is not None:
        entity = view.by_id[choice.entity]
        mentions = view.mentions[entity.id]
        features += [f"{prefix}|type={entity.type}", f"{prefix}|proposed={entity.proposed}",
                     f"{prefix}|main={entity.id == view.main}", f"{prefix}|main+same={entity.id == view.main}|{same}",
                     f"{prefix}|main+role={entity.id == view.main}|{candidate.role}",
                     f"{prefix}|mentions={min(len(mentions), 4)}", f"{prefix}|known={bool(entity.canonical)}",
                     f"{prefix}|in_title={view.sentence(mentions[0]) == 0}"]
        features += [f"{prefix}|relation={r}" for r in sorted(view.roles.get(entity.id, ()))] or \
            [f"{prefix}|relation=none"]
        rivals = sum(1 for e in view.in_sentence.get(view.sentence_of[span.start], ())
                     if e != entity.id and view.by_id[e].type == entity.type)
        features.append(f"{prefix}|rivals_in_sentence={min(rivals, 3)}|same={same}")
        if attribute == "dataset":
            features += _paper_rank_features(view, entity, choice.rank, prefix, same)
    if attribute == "metric":
        features += [f"{prefix}|root={target.root.lemma_.lower()}", f"{prefix}|root+unit={target.root.lemma_.lower()}|{unit}",
                     f"{prefix}|words={min(len(target), 4)}"]
    if same:
        path, lca = dependency_path(span.root, target.root)
        features += [f"{prefix}|path={path}", f"{prefix}|lca={lca}"]
        low, high = (choice.end, span.start) if side == "before" else (span.end, choice.start)
        between = [t.lower_ for t in doc[low:high]] if 0 <= high - low <= 6 else []
        features += [f"{prefix}|between={w}" for w in between]
        features.append(f"{prefix}|governor={_governor(target.root)}")
    return features


def _paper_rank_features(view: PaperView, entity: EntityRecord, rank: int, prefix: str, same: bool) -> list[str]:
    """Where an entity choice stands among the paper's entities of its type (how many there are): by nearness to
    the number (``rank``), by first appearance and by mention count."""
    same_type = view.of_type[entity.type]
    most = sorted(same_type, key=lambda e: -len(view.mentions[e]))  # stable: ties keep first-named order
    of = min(len(same_type), 4)
    return [f"{prefix}|rank={min(rank, 3)}|same={same}", f"{prefix}|rank={min(rank, 3)}|of={of}",
            f"{prefix}|first_of_type={min(same_type.index(entity.id), 3)}|of={of}",
            f"{prefix}|most_of_type={min(most.index(entity.id), 3)}|of={of}|same={same}"]


def _governor(token: Token) -> str:
    """The preposition (or relation) that attaches a phrase: "on" in "on ImageNet", "nsubj" for a subject."""
    return token.head.lower_ if token.dep_ == "pobj" else token.dep_
