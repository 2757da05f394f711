"""``kg_entities``: the paper's entities, from the trained recognizer's mentions (``kg_ner``, a spaCy ``ner``).

Around the recognizer, the rules of ``patterns/entity_rules.json`` (a table: id, type, confidence, predicate, and
the precedence of finders on overlaps) add the forms an acronym definition ties together, the other
occurrences of every mention, the gazetteer's names and, untyped, the noun chunks no finder took, and drop the
generic words the guideline never annotates. A learned decision (``models/boundaries.npz``,
:mod:`extractors.boundaries`) moves the edges of the recognizer's spans and the noun chunks first. Mentions are
grouped into entities by normalized form, acronym definition and gazetteer name; an entity's type is its mentions'
confidence-weighted vote. Two learned decisions follow: a classifier (``models/entities.npz``, features in
:func:`entity_features`, word clusters among them) drops candidate entities or corrects their type, and another
(``models/proposed.npz``, :func:`proposed_features`) says whether the paper proposes the entity.

Writes ``doc._.kg_mentions`` and ``doc._.kg_entities`` (:mod:`extractors.contract`).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path
from weakref import WeakKeyDictionary

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors import contract
from extractors.boundaries import MODEL_FILE as BOUNDARIES_FILE
from extractors.boundaries import Boundaries, DocTokens
from extractors.clusters import CLUSTERS_FILE, WordClusters
from extractors.contract import EntityRecord, MentionRecord
from extractors.gazetteer import Gazetteer, Term, any_case, first_word, packaged
from extractors.linear import MODELS_DIR, NONE, LinearModel
from extractors.syntax import syntax
from kg.ids import normalize
from kg.types import TITLE_SEPARATOR

RULES_PATH = Path(__file__).parent / "patterns" / "entity_rules.json"
PRECISION_FILE = "ner_precision.json"
PROPOSED_FILE = "proposed.npz"
REFINE_FILE = "entities.npz"
TYPES = ("Method", "Model", "Dataset", "Task", "Metric")
CHUNK = "chunk"
"""The vote of a noun phrase no finder typed: only the refining classifier can keep it, and type it."""
TITLE_NAME = "title_name"
"""The vote of the short name before the title's colon: untyped too, the refining classifier types it."""
UNTYPED = frozenset({CHUNK, TITLE_NAME})


@dataclass(frozen=True, slots=True)
class EntityRules:
    """The rule table of ``patterns/entity_rules.json``."""

    confidence: dict[str, float]
    precedence: tuple[str, ...]
    drop: frozenset[str]
    gazetteer_words: int
    title_words: int
    chunk_strip: frozenset[str]
    boundary_finders: frozenset[str]
    boundary_variants: dict[str, tuple[int, int]]

    @classmethod
    def load(cls, path: Path = RULES_PATH) -> EntityRules:
        """Read the table."""
        raw = json.loads(path.read_text(encoding="utf-8"))
        confidence = {r["id"]: float(r["confidence"]) for r in raw["rules"]
                      if isinstance(r["confidence"], (int, float))}
        by_id = {r["id"]: r for r in raw["rules"]}
        return cls(confidence=confidence, precedence=tuple(raw["precedence"]), drop=frozenset(raw["drop"]),
                   gazetteer_words=int(by_id["gazetteer"]["max_words"]),
                   title_words=int(by_id["title_name"]["max_words"]),
                   chunk_strip=frozenset(by_id["chunk"]["strip"]),
                   boundary_finders=frozenset(by_id["boundary"]["finders"]),
                   boundary_variants={k: (int(v[0]), int(v[1])) for k, v in by_id["boundary"]["variants"].items()})


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    type: str
    rule: str
    confidence: float


@dataclass(frozen=True, slots=True)
class DocFacts:
    """What the entity features read of the whole Doc, computed once per Doc.

    Attributes:
        title_end: the title's end (a character offset, -1 when there is no title).
        colon: the token index of the title's colon.
        sentence_starts: the first token of each sentence.
        title_name: the tokens before the title's colon without edge punctuation (start, end), or None.
        title_head: the lower-cased lemma of the last word after the title's colon before a preposition or
            punctuation ("-" if none): "benchmark" in "VinQA: A Benchmark for ...", a name's apposition.
    """

    title_end: int
    colon: int | None
    sentence_starts: list[int]
    title_name: tuple[int, int] | None
    title_head: str

    @classmethod
    def of(cls, doc: Doc) -> DocFacts:
        """The facts of a Doc (read once, then remembered while the Doc lives: the title-name finder and the
        classifiers read them)."""
        known = _FACTS.get(doc)
        if known is None:
            known = _FACTS[doc] = cls._read(doc)
        return known

    @classmethod
    def _read(cls, doc: Doc) -> DocFacts:
        title_end = doc.text.find(TITLE_SEPARATOR)
        colon = next((t.i for t in doc if t.text == ":" and (title_end < 0 or t.idx < title_end)), None)
        name, head = None, "-"
        if colon is not None and title_end >= 0:
            start, end = 0, colon
            while start < end and doc[start].is_punct:
                start += 1
            while end > start and doc[end - 1].is_punct:
                end -= 1
            name = (start, end) if start < end else None
            words = takewhile(lambda t: t.idx < title_end and t.pos_ not in ("ADP", "SCONJ")
                              and (t.pos_ != "PUNCT" or t.text == "-"), doc[colon + 1:])
            head = next((t.lemma_.lower() for t in reversed(list(words)) if t.is_alpha), "-")
        return cls(title_end, colon, [s.start for s in syntax(doc).sentences], name, head)

    def in_title(self, span: Span) -> bool:
        """The span is in the title."""
        return self.title_end < 0 or span.start_char < self.title_end

    def sentence(self, token: int) -> int:
        """Index of the sentence holding a token."""
        return max(bisect_right(self.sentence_starts, token) - 1, 0)


_FACTS: WeakKeyDictionary[Doc, DocFacts] = WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class CandidateEntity:
    """Mentions that name one thing, before the refining classifier decides on them.

    Attributes:
        found: its mentions, in text order.
        votes: the summed confidence of its mentions per type.
        known: the gazetteer's entry for one of its forms.
        defined: the text defines it with an acronym.
    """

    found: list[_Found]
    votes: dict[str, float]
    known: Term | None
    defined: bool

    def features(self, doc: Doc, facts: DocFacts, clusters: WordClusters | None) -> list[str]:
        """The refining classifier's features (:func:`entity_features`)."""
        return entity_features(doc, facts, self.found, self.votes, known=self.known, defined=self.defined,
                               clusters=clusters)


@Language.factory(
    "kg_entities",
    assigns=["doc._.kg_mentions", "doc._.kg_entities"],
    requires=["doc.ents", "doc._.kg_acronyms"],
    default_config={"rules_path": None, "model_dir": None},
)
def make_entity_assembler(nlp: Language, name: str, rules_path: str | None, model_dir: str | None
                          ) -> EntityAssembler:
    """Create the component.

    Args:
        nlp: the pipeline (its word vectors place words in clusters).
        name: the component name.
        rules_path: the rule table; the packaged ``patterns/entity_rules.json`` when None.
        model_dir: where ``ner_precision.json``, ``clusters.npz``, ``boundaries.npz``, ``entities.npz`` and
            ``proposed.npz`` are; the packaged models when None.
    """
    return EntityAssembler.load(Path(model_dir) if model_dir else MODELS_DIR, nlp,
                                Path(rules_path) if rules_path else RULES_PATH)


class EntityAssembler:
    """Mentions and entities from the recognizer's spans; see the module docstring."""

    def __init__(self, rules: EntityRules, gazetteer: Gazetteer, *, precision: dict[str, float],
                 refine: LinearModel | None, proposed: LinearModel | None, clusters: WordClusters | None,
                 boundaries: LinearModel | None) -> None:
        self.rules = rules
        self.gazetteer = gazetteer
        self.precision = precision
        self.clusters = clusters
        self.boundaries = Boundaries(rules.boundary_variants, rules.boundary_finders, boundaries)
        self.refine = refine
        self.refine_threshold = float(refine.meta.get("threshold", 0.5)) if refine is not None else 1.0
        self.proposed = proposed
        self.proposed_threshold = float(proposed.meta.get("threshold", 0.5)) if proposed is not None else 1.0

    @classmethod
    def load(cls, models: Path, nlp: Language, rules: Path = RULES_PATH) -> EntityAssembler:
        """The component with the models of a models directory (any of them may be missing); word clusters place
        words by the pipeline's vectors."""
        precision_path = models / PRECISION_FILE
        precision = json.loads(precision_path.read_text(encoding="utf-8")) if precision_path.exists() else {}
        return cls(EntityRules.load(rules), packaged(), precision=precision,
                   refine=LinearModel.load(models / REFINE_FILE), proposed=LinearModel.load(models / PROPOSED_FILE),
                   clusters=WordClusters.load(models / CLUSTERS_FILE, nlp.vocab),
                   boundaries=LinearModel.load(models / BOUNDARIES_FILE))

    def __call__(self, doc: Doc) -> Doc:
        mentions, entities = self.group(doc)
        contract.write(doc, contract.MENTIONS, mentions)
        contract.write(doc, contract.ENTITIES, entities)
        return doc

    # -- mentions ---------------------------------------------------------------------------------------------

    def found_by(self, doc: Doc, tokens: DocTokens, rule: str, accepted: list[_Found]) -> list[_Found]:
        """The mentions one finder finds, before the boundary classifier moves their edges."""
        return list(getattr(self, f"_rule_{rule}")(doc, tokens, accepted))

    def find(self, doc: Doc) -> list[_Found]:
        """The recognizer's spans and the rules' additions, their edges where the boundary classifier puts them,
        without overlaps (earlier finders win)."""
        tokens = DocTokens.of(doc)
        taken = [False] * len(doc)
        accepted: list[_Found] = []

        def accept(candidates: Iterable[_Found]) -> None:
            for f in candidates:
                if f.end <= f.start or any(taken[f.start:f.end]):
                    continue
                if tokens.span_text(f.start, f.end).lower() in self.rules.drop:
                    continue
                taken[f.start:f.end] = [True] * (f.end - f.start)
                accepted.append(f)

        for rule in self.rules.precedence:
            found = self.found_by(doc, tokens, rule, accepted)
            if rule in self.boundaries.finders:
                edges = self.boundaries.choose(tokens, [(f.start, f.end, rule) for f in found], self.gazetteer,
                                               self.clusters)
                found = [_Found(s, e, f.type, f.rule, f.confidence) for f, (s, e) in zip(found, edges, strict=True)]
            accept(found)
        return sorted(accepted, key=lambda f: f.start)

    def _rule_ner(self, doc: Doc, tokens: DocTokens, accepted: list[_Found]) -> Iterable[_Found]:
        for span in doc.ents:
            yield _Found(span.start, span.end, span.label_, "ner", float(self.precision.get(span.label_, 0.5)))

    def _rule_acronym_short(self, doc: Doc, tokens: DocTokens, accepted: list[_Found]) -> Iterable[_Found]:
        for pair in contract.acronyms(doc):
            long = _covering(accepted, pair.long_start, pair.long_end)
            if long is not None:
                yield _Found(pair.short_start, pair.short_end, long.type, "acronym_short",
                             self.rules.confidence["acronym_short"])

    def _rule_acronym_long(self, doc: Doc, tokens: DocTokens, accepted: list[_Found]) -> Iterable[_Found]:
        for pair in contract.acronyms(doc):
            short = _covering(accepted, pair.short_start, pair.short_end)
            if short is not None:
                yield _Found(pair.long_start, pair.long_end, short.type, "acronym_long",
                             self.rules.confidence["acronym_long"])

    def _rule_title_name(self, doc: Doc, tokens: DocTokens, accepted: list[_Found]) -> Iterable[_Found]:
        name = DocFacts.of(doc).title_name
        if name is not None and len(tokens.span_text(*name).split()) <= self.rules.title_words:
            start, end = name
            yield _Found(start, end, TITLE_NAME, "title_name", self.rules.confidence["title_name"])

    def _rule_gazetteer(self, doc: Doc, tokens: DocTokens, accepted: list[_Found]) -> Iterable[_Found]:
        text, starts, ends = tokens.text, tokens.starts, tokens.ends
        words = [first_word(text[s:e]) for s, e in zip(starts, ends, strict=True)]
        i = 0
        while i < len(doc):
            if words[i] and words[i] not in self.gazetteer.word_starts:
                i += 1
                continue
            for end in range(min(len(doc), i + self.rules.gazetteer_words), i, -1):
                term = self.gazetteer.lookup(text[starts[i]:ends[end - 1]])
                if term is not None:
                    yield _Found(i, end, term.type, "gazetteer", self.rules.confidence["gazetteer"])
                    i = end - 1
                    break
            i += 1

    def _rule_chunk(self, doc: Doc, tokens: DocTokens, accepted: list[_Found]) -> Iterable[_Found]:
        for chunk in syntax(doc).noun_chunks:
            tokens = list(chunk)
            while tokens and tokens[0].pos_ in self.rules.chunk_strip:
                tokens = tokens[1:]
            while tokens and tokens[-1].pos_ == "PUNCT":
                tokens = tokens[:-1]
            if tokens and tokens[-1].pos_ in ("NOUN", "PROPN"):
                yield _Found(tokens[0].i, tokens[-1].i + 1, CHUNK, "chunk", self.rules.confidence["chunk"])

    def _rule_repeat(self, doc: Doc, tokens: DocTokens, accepted: list[_Found]) -> Iterable[_Found]:
        seen: set[str] = set()
        content, lowered = tokens.text, tokens.lowered
        for f in list(accepted):
            text = tokens.span_text(f.start, f.end)
            if text in seen or lowered.count(_stem(text).lower()) < 2:  # once: the mention itself
                continue
            seen.add(text)
            for span in occurrences(doc, text, content):
                yield _Found(span.start, span.end, f.type, "repeat",
                             round(f.confidence * self.rules.confidence["repeat"], 4))

    # -- entities ---------------------------------------------------------------------------------------------

    def candidates(self, doc: Doc) -> list[CandidateEntity]:
        """The recognizer's and the rules' mentions grouped into candidate entities, in order of first mention."""
        found = self.find(doc)
        parent = list(range(len(found)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(a: int, b: int) -> None:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        canonical = [self.gazetteer.lookup(doc[f.start:f.end].text) for f in found]
        first: dict[str, int] = {}
        for i, f in enumerate(found):
            keys = [normalize(doc[f.start:f.end].text)]
            if canonical[i] is not None:
                keys.append("kb:" + normalize(canonical[i].name))
            for key in filter(None, keys):
                if key in first:
                    union(first[key], i)
                else:
                    first[key] = i
        defined: set[int] = set()
        for pair in contract.acronyms(doc):
            long = _index_covering(found, pair.long_start, pair.long_end)
            short = _index_covering(found, pair.short_start, pair.short_end)
            if long is not None and short is not None:
                union(long, short)
                defined.update((long, short))
        members: dict[int, list[int]] = defaultdict(list)
        for i in range(len(found)):
            members[root(i)].append(i)
        out = []
        for group_root in sorted(members):
            indices = members[group_root]
            votes: dict[str, float] = defaultdict(float)
            for i in indices:
                votes[found[i].type] += found[i].confidence
            out.append(CandidateEntity(
                found=[found[i] for i in indices], votes=dict(votes),
                known=next((canonical[i] for i in indices if canonical[i] is not None), None),
                defined=any(i in defined for i in indices)))
        return out

    def group(self, doc: Doc) -> tuple[list[MentionRecord], list[EntityRecord]]:
        """The entities the refining classifier keeps, numbered by first mention, typed, with gazetteer name and
        whether the paper proposes them (each classifier scores a Doc's rows at once)."""
        facts = DocFacts.of(doc)
        candidates = self.candidates(doc)
        refined = self.refine.scores([c.features(doc, facts, self.clusters) for c in candidates]).tolist() \
            if self.refine is not None and candidates else []
        kept: list[tuple[CandidateEntity, str]] = []
        for index, candidate in enumerate(candidates):
            type_name = max(sorted(candidate.votes), key=candidate.votes.__getitem__)
            if self.refine is None:
                if type_name in UNTYPED:
                    continue
            else:
                probabilities = dict(zip(self.refine.labels, refined[index], strict=True))
                if probabilities[NONE] >= self.refine_threshold:
                    continue
                type_name = max(TYPES, key=probabilities.__getitem__)
            kept.append((candidate, type_name))
        grouped = [[MentionRecord(f.start, f.end, entity_id, f.rule, f.confidence) for f in candidate.found]
                   for entity_id, (candidate, _) in enumerate(kept)]
        proposed = [0.0] * len(kept)
        if self.proposed is not None and kept:
            rows = [proposed_features(doc, facts, type_name, group_mentions, known=candidate.known is not None,
                                      defined=candidate.defined)
                    for (candidate, type_name), group_mentions in zip(kept, grouped, strict=True)]
            proposed = self.proposed.scores(rows)[:, self.proposed.labels.index("proposed")].tolist()
        entities = [EntityRecord(id=entity_id, type=type_name, proposed=probability >= self.proposed_threshold,
                                 proposed_confidence=round(probability, 4),
                                 canonical=candidate.known.name if candidate.known is not None else "")
                    for entity_id, ((candidate, type_name), probability) in enumerate(zip(kept, proposed, strict=True))]
        mentions = [m for group_mentions in grouped for m in group_mentions]
        return sorted(mentions, key=lambda m: m.start), entities


def form_pattern(text: str) -> re.Pattern[str]:
    """Whole-word occurrences of a surface form, singular or plural; any case for lower-case multi-word terms
    (:func:`~extractors.gazetteer.any_case`), exact case for names."""
    flags = re.IGNORECASE if any_case(text) else 0
    return re.compile(r"(?<![\w-])" + re.escape(_stem(text)) + r"(?:s|es)?(?![\w-])", flags)


def _stem(text: str) -> str:
    """A form without its plural "s"."""
    return text[:-1] if len(text) > 3 and text.endswith("s") and not text.endswith("ss") else text


def occurrences(doc: Doc, text: str, content: str) -> Iterable[Span]:
    """Token-aligned occurrences of a surface form (see :func:`form_pattern`) in the Doc's text ``content``."""
    for match in form_pattern(text).finditer(content):
        span = doc.char_span(match.start(), match.end())
        if span is not None:
            yield span


def _covering(found: list[_Found], start: int, end: int) -> _Found | None:
    index = _index_covering(found, start, end)
    return None if index is None else found[index]


def _index_covering(found: list[_Found], start: int, end: int) -> int | None:
    """The mention that overlaps a span most (at least half of it), the longer on a tie."""
    best = max(((min(f.end, end) - max(f.start, start), f.end - f.start, i) for i, f in enumerate(found)
                if f.start < end and f.end > start), default=None)
    if best is None or 2 * best[0] < end - start:
        return None
    return best[2]


def entity_features(doc: Doc, facts: DocFacts, found: list[_Found], votes: dict[str, float], *,
                    known: Term | None, defined: bool, clusters: WordClusters | None) -> list[str]:
    """Named features of a candidate entity for the refining classifier (keep or drop, and its type): the
    recognizer's votes, the rules that found it, the gazetteer, its shape, the words around its mentions and
    the clusters of its head, first word, governor and preceding word."""
    spans = [doc[f.start:f.end] for f in found]
    first = spans[0]
    text = first.text
    total = sum(votes.values()) or 1.0
    top = max(sorted(votes), key=votes.__getitem__)
    features = [
        "bias", f"vote={top}", f"vote_share={round(votes[top] / total, 1)}", f"known={known.type if known else '-'}",
        f"known+vote={known.type if known else '-'}|{top}", f"defined={defined}|{top}",
        f"rules={'+'.join(sorted({f.rule for f in found}))}", f"mentions={min(len(spans), 5)}|{top}",
        f"title={any(facts.in_title(s) for s in spans)}|{top}",
        f"first_sentence={min(facts.sentence(first.start), 4)}", f"shape={_shape(text)}|{top}",
        f"words={min(len(text.split()), 5)}|{top}", f"head={first[-1].lower_}", f"head+vote={first[-1].lower_}|{top}",
        f"first_word={first[0].lower_}", f"case={'lower' if text.islower() else 'upper' if text.isupper() else 'mixed'}",
        f"head_pos={first[-1].pos_}|{top}",
    ]
    features += [f"voted={t}" for t in votes]
    root = first.root
    features += [f"dep={root.dep_}|{top}", f"governor={root.head.lemma_.lower()}|{root.dep_}",
                 f"suffix={first[-1].lower_[-3:]}|{top}"]
    features += [f"word={t.lower_}" for t in first[:6]]
    if facts.title_name is not None and any((s.start, s.end) == facts.title_name for s in spans):
        features.append(f"title_head={facts.title_head}|{top}")
    for span in spans[:3]:
        features += [f"appos={t.lemma_.lower()}" for t in span.root.children if t.dep_ == "appos"]
        if span.start > 0:
            features.append(f"prev={doc[span.start - 1].lower_}|{top}")
        if span.end < len(doc):
            features.append(f"next={doc[span.end].lower_}|{top}")
    if clusters is not None:
        features += clusters.features("head", first[-1].text, top) + clusters.features("first", first[0].text)
        features += clusters.features("governor", root.head.lemma_, root.dep_)
        if first.start > 0:
            features += clusters.features("prev", doc[first.start - 1].text)
    return features


def proposed_features(doc: Doc, facts: DocFacts, type_name: str, mentions: list[MentionRecord], *, known: bool,
                      defined: bool) -> list[str]:
    """Named features of an entity for the "proposed" classifier: where and how it is mentioned."""
    spans = [doc[m.start:m.end] for m in mentions]
    first = spans[0]
    text = first.text
    in_title = [s for s in spans if facts.in_title(s)]
    colon = facts.colon
    features = [
        "bias", f"type={type_name}", f"known={known}", f"defined={defined}",
        f"mentions={min(len(spans), 5)}", f"title={bool(in_title)}",
        f"title_lead={any(s.start == 0 for s in in_title)}",
        f"before_colon={colon is not None and any(s.end <= colon for s in in_title)}",
        f"first_sentence={min(facts.sentence(first.start), 4)}",
        f"shape={_shape(text)}", f"words={min(len(text.split()), 4)}",
        f"type+known={type_name}|{known}", f"type+title={type_name}|{bool(in_title)}",
    ]
    for span in spans[:4]:
        before = [t.lower_ for t in doc[max(span.start - 3, 0):span.start]]
        after = [t.lower_ for t in doc[span.end:span.end + 2]]
        features += [f"prev={w}" for w in before[-2:]] + [f"next={w}" for w in after]
        if before:
            features.append(f"prev1={before[-1]}")
        sentence = span.sent
        lemmas = {t.lemma_.lower() for t in sentence}
        features += [f"sent={w}" for w in ("we", "our", "propose", "introduce", "present", "novel", "new")
                     if w in lemmas]
    return features


def _shape(text: str) -> str:
    """Collapsed character classes of a name: "GPT-4" -> "A-0", "ImageNet" -> "AaAa"."""
    out = []
    for part in re.findall(r"[A-Z]+|[a-z]+|\d+|[^A-Za-z\d]+", text):
        out.append("A" if part[0].isupper() else "a" if part[0].islower() else "0" if part[0].isdigit() else "-")
    return "".join(out)[:8]
