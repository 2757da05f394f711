"""The claims of a whole Doc: each number read in its sentence, then lists linked and repeats dropped."""

from __future__ import annotations

import bisect
import dataclasses
import re

from spacy.tokens import Doc, Span

from extractors.claims.claim import _Claim
from extractors.claims.numbers import _Mention, scan_numbers
from extractors.claims.patterns import ClaimPatterns
from extractors.claims.reading import _COORDINATION_RE, _Reading

_URL_RE = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+(?:\.[A-Za-z][\w-]*)+/\S*")


def extract_claims(doc: Doc, patterns: ClaimPatterns, spans_key: str) -> list[_Claim]:
    """All claims of the Doc, in text order.

    Args:
        doc: A parsed Doc (sentences and dependencies are read when present).
        patterns: The compiled patterns.
        spans_key: The ``doc.spans`` key of the entity spans (subjects and datasets come from it).

    Returns:
        The claims, one per value (a title claim that the abstract repeats is dropped).
    """
    text = _URL_RE.sub(lambda m: " " * len(m.group(0)), doc.text)
    mentions = scan_numbers(text, patterns)
    if not mentions:
        return []
    sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    sent_starts = [s.start for s in sents]
    entities = _entities(doc, spans_key)
    claims: list[_Claim] = []
    pending: list[_Mention] = []  # bare numbers that a later list item may still claim
    for k, mention in enumerate(mentions):
        made = _read(patterns, doc, text, mentions, k, claims, (sents, sent_starts), entities)
        if made:
            claims.extend(_adopt(patterns, text, pending, made[0]))
            claims.extend(made)
            pending = []
        elif mention.unit is None and mention.kind in ("number", "range"):
            pending.append(mention)
    _share_in_groups(claims)
    for c in claims:
        if not c.direction_explicit and c.unit == "x":
            c.direction = "higher"  # a multiplier states a gain unless the text says otherwise
    claims.sort(key=lambda c: c.start)
    return _dedupe(doc.text, claims)


def _entities(doc: Doc, spans_key: str) -> list[Span]:
    if spans_key not in doc.spans:
        return []
    return sorted(doc.spans[spans_key], key=lambda s: (s.start_char, -s.end_char))


def _read(patterns: ClaimPatterns, doc: Doc, text: str, mentions: list[_Mention], k: int,
          claims: list[_Claim], sentences: tuple[list[Span], list[int]], entities: list[Span]) -> list[_Claim]:
    """The claims of ``mentions[k]`` (two for "from 1.95 to 1.98"), or none."""
    m = mentions[k]
    unit = m.unit.unit if m.unit else None
    following = (mentions[k + 1].start if k + 1 < len(mentions) else len(text),
                 next((n.start for n in mentions[k + 1:] if (n.unit.unit if n.unit else None) == unit),
                      len(text)))
    value_span = doc.char_span(m.start, m.end, alignment_mode="expand")
    tail_span = doc.char_span(m.start, max(m.tail, m.end), alignment_mode="expand")
    if value_span is None or tail_span is None or len(value_span) == 0:
        return []
    first, last = value_span[0], tail_span[-1]
    sents, starts = sentences
    index = bisect.bisect_right(starts, first.i) - 1
    sent = sents[index]
    before = [c for c in claims if c.sent.start == sent.start]
    reading = _Reading(patterns, doc, text, m, first, last, sent, before, entities, following)
    made = reading.claims()
    for claim in made:
        claim.sentence = index
    return made


def _adopt(patterns: ClaimPatterns, text: str, pending: list[_Mention], claim: _Claim) -> list[_Claim]:
    """ "62.7/42.1 and 38.0/23.2 retrieval accuracy": earlier bare items of a unitless claim's list."""
    if claim.unit or claim.rule in ("out_of", "sota_count", "data_count"):
        return []
    adopted: list[_Claim] = []
    start = claim.start
    for m in reversed(pending):
        if m.start < claim.sent.start_char or not _COORDINATION_RE.match(text[m.tail:start]):
            break
        item = dataclasses.replace(claim, value=text[m.start:m.end], number=m.number, start=m.start,
                                   end=m.end, rule="list_item",
                                   confidence=patterns.confidence["list"])
        if claim.group < 0:
            claim.group = claim.start
        item.group = claim.group
        adopted.append(item)
        start = m.start
    return adopted[::-1]


def _share_in_groups(claims: list[_Claim]) -> None:
    """Coordinated claims ("1.9x and 2.8x", "0.4/0.19") lend each other metric and direction."""
    groups: dict[int, list[_Claim]] = {}
    for c in claims:
        if c.group >= 0:
            groups.setdefault(c.group, []).append(c)
    for members in groups.values():
        for c in members:
            donors = sorted((d for d in members if d is not c),
                            key=lambda d: abs(d.start - c.start))
            if not c.metric_explicit:
                donor = next((d for d in donors if d.metric_explicit
                              and (d.unit == c.unit or c.metric is None)), None)
                if donor is not None:
                    c.metric = donor.metric
            if not c.direction_explicit:
                donor = next((d for d in donors if d.direction_explicit and d.unit == c.unit), None)
                if donor is not None:
                    c.direction = donor.direction
            if c.baseline is None:
                donor = next((d for d in donors if d.baseline), None)
                if donor is not None:
                    c.baseline = donor.baseline
            if c.subject is None:
                c.subject = next((d.subject for d in donors if d.subject), None)
            if c.dataset is None:
                c.dataset = next((d.dataset for d in donors if d.dataset), None)


def _dedupe(text: str, claims: list[_Claim]) -> list[_Claim]:
    """Drop a title claim that the abstract repeats, and repeated offsets."""
    cut = text.find("\n\n")
    abstract_keys = {(round(c.number, 6), c.unit) for c in claims if c.start > cut >= 0}
    out: list[_Claim] = []
    seen: set[int] = set()
    for c in claims:
        if c.start in seen:
            continue
        if 0 <= cut and c.start < cut and (round(c.number, 6), c.unit) in abstract_keys:
            continue
        seen.add(c.start)
        out.append(c)
    return out
