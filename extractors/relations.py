"""``kg_relations``: evaluated_on, addresses, outperforms and uses between entity mentions.

Abstracts are written around one contribution, so most relations start at the paper's main proposed
Method or Model (the name before the title's colon, else the first thing "we propose"):

* addresses: main -> each Task of the paper, except a task only said of another Method/Model ("MLLMs excel in
  tasks like X"): that one addresses it;
* evaluated_on: main -> each Dataset it does not itself introduce;
* uses: main -> the other things the paper proposes (its parts), and Methods/Models/Datasets named in sentences
  where the paper describes its own approach ("we use X", "it combines X", "RSD's drafting uses X"), unless the sentence
  contrasts with them ("unlike X", "instead of X");
* outperforms: the subject of "outperforms / surpasses / beats" (or the main entity when the subject is
  "we", "our method", "it") -> the Methods/Models in the object, or after "than", "over", "compared to".

Writes ``doc._.kg_relations``: ``[type, head_start, head_end, tail_start, tail_end, rule, confidence]``
with token offsets of the mention spans in ``doc.spans["kg_entities"]``, and ``doc.spans["kg_main"]``: the
main entity's mention (empty when the paper proposes no Method or Model).
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from extractors.lexicon import Lexicon, load_lexicon
from kg.ids import normalize

if not Doc.has_extension("kg_relations"):
    Doc.set_extension("kg_relations", default=None)

SYSTEMS = ("Method", "Model")
_SELF_WORDS = frozenset({"we", "our", "ours", "it", "its", "this", "proposed", "approach", "method", "model",
                         "framework", "system", "technique", "network", "architecture", "module", "paper", "work"})
_CONTRAST = re.compile(r"\b(unlike|instead of|rather than|without|in contrast to|contrary to|compared to|"
                       r"compared with|versus|vs\.?|than|over|outperform\w*|surpass\w*|beat\w*|exceed\w*|eliminat\w*|"
                       r"avoid\w*|replac\w*|existing|prior|previous|conventional|traditional|standard|"
                       r"limitations?|suffer\w*|struggle\w*|fail\w*)\b", re.I)
_NAME_LIKE = re.compile(r"[a-z0-9][A-Z]|[A-Z]{2}|\d|^([A-Z][\w-]*\s+){1,}[A-Z][\w-]*$")
_WE = re.compile(r"\b(we|our)\b", re.I)
_SELF_SUBJECT = re.compile(r"\s*(it|this (method|model|approach|framework|design)|the proposed)\b", re.I)
_COMPARE = re.compile(r"\b(than|over|compared (to|with)|relative to|versus|vs\.?|against)\b", re.I)


@Language.factory("kg_relations", assigns=["doc._.kg_relations", "doc.spans"], requires=["doc.spans"],
                  default_config={"spans_key": "kg_entities", "proposed_key": "kg_proposed"})
def make_relation_extractor(nlp: Language, name: str, spans_key: str, proposed_key: str) -> RelationExtractor:
    """Create the relation extractor.

    Args:
        nlp: the pipeline.
        name: the component name.
        spans_key: span group holding entity mentions (from ``kg_entities``).
        proposed_key: span group holding mentions of what the paper introduces.
    """
    return RelationExtractor(spans_key=spans_key, proposed_key=proposed_key)


class RelationExtractor:
    """Finds relations between entity mentions; see the module docstring for the rules."""

    def __init__(self, *, spans_key: str, proposed_key: str) -> None:
        self.spans_key = spans_key
        self.proposed_key = proposed_key
        self.lex: Lexicon = load_lexicon()

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.spans[self.spans_key]) if self.spans_key in doc.spans else []
        proposed = list(doc.spans[self.proposed_key]) if self.proposed_key in doc.spans else []
        relations: list[list] = []
        main = _main_entity(doc, proposed, spans)
        doc.spans["kg_main"] = [main] if main is not None else []
        outperforms = self._outperforms(doc, spans, main)
        if main is not None:
            beaten = {doc[r[3]:r[4]].text for r in outperforms if doc[r[1]:r[2]].text == main.text}
            relations += self._from_main(doc, main, spans, proposed, beaten)
        relations += outperforms
        doc._.kg_relations = _dedupe(relations)
        return doc

    def _from_main(self, doc: Doc, main: Span, spans: list[Span], proposed: list[Span],
                   beaten: set[str]) -> list[list]:
        out: list[list] = []
        main_text = main.text
        proposed_texts = {p.text for p in proposed}
        for span in spans:
            if span.text == main_text:
                continue
            sentence = span.sent
            if span.label_ == "Task":
                owner = self._task_owner(doc, span, main, spans)
                out.append(_rel("addresses", owner, span, "main_task" if owner is main else "subject_task", 0.6))
            elif span.label_ == "Dataset" and span.text not in proposed_texts:
                out.append(_rel("evaluated_on", main, span, "main_dataset", 0.6))
            elif span.label_ in SYSTEMS and span.text in proposed_texts:
                out.append(_rel("uses", main, span, "main_part", 0.6))
            elif span.label_ in SYSTEMS and span.text not in beaten and self._used_in(sentence, span) and \
                    self._part_of_approach(doc, span, main, spans):
                out.append(_rel("uses", main, span, "main_uses", 0.45))
        return out

    def _task_owner(self, doc: Doc, task: Span, main: Span, spans: list[Span]) -> Span:
        """Who addresses ``task``: the other Method/Model its clause is about ("MLLMs excel in tasks like X"),
        unless the title, "we" or the main entity also speak of the task; else the main entity."""
        key = normalize(task.text)
        title_end = next(iter(doc.sents)).end
        for mention in (s for s in spans if normalize(s.text) == key):
            if mention.start < title_end or _WE.search(mention.sent.text) or \
                    any(s.text == main.text and s.sent.start == mention.sent.start for s in spans):
                return main
        verb = next((t for t in task.root.ancestors if t.pos_ in ("VERB", "AUX")), None)
        subject = self._subject_entity(verb, spans, None) if verb is not None else None
        return subject if subject is not None and subject.text != main.text else main

    def _part_of_approach(self, doc: Doc, span: Span, main: Span, spans: list[Span]) -> bool:
        """Evidence that the paper builds on ``span`` rather than naming it as background.

        Background is what only the abstract's first sentence mentions. Otherwise one of: it is mentioned more
        than once, in a sentence with the main entity or with "we"/"our", or it is a known (gazetteer) name.
        """
        sentences = {s.sent.start for s in spans if normalize(s.text) == normalize(span.text)}
        first_abstract = next((s for s in doc.sents if s.start > 0 and not s.text.isspace()), None)
        if first_abstract is not None and sentences == {first_abstract.start}:
            return False
        forms = _main_forms(doc, main)
        main_sentences = {s.sent.start for s in spans if s.text in forms}
        return len([s for s in spans if normalize(s.text) == normalize(span.text)]) > 1 or \
            bool(sentences & main_sentences) or bool(span.kb_id_) or \
            any(_WE.search(doc[start].sent.text) or _SELF_SUBJECT.match(doc[start].sent.text) for start in sentences)

    def _used_in(self, sentence: Span, span: Span) -> bool:
        """``span`` is not what the sentence contrasts the approach with ("unlike X", "outperforms X")."""
        before = sentence.doc[sentence.start:span.start].text
        return not _CONTRAST.search(before[-60:])

    def _outperforms(self, doc: Doc, spans: list[Span], main: Span | None) -> list[list]:
        out: list[list] = []
        for token in doc:
            if token.lower_ == "than" and main is not None and token.i > 0 and \
                    any(t.tag_ in ("JJR", "RBR") for t in doc[max(token.sent.start, token.i - 8):token.i]):
                out += self._better_than(doc, token, spans, main)
                continue
            if token.lemma_.lower() not in self.lex.outperform_verbs or token.pos_ != "VERB":
                continue
            if token.lemma_.lower() in ("improve", "advance", "best") and not _has_compared(token):
                continue
            head = self._subject_entity(token, spans, main)
            if head is None:
                continue
            for tail in _object_entities(token, spans):
                if tail.label_ in SYSTEMS and tail.text != head.text:
                    out.append(_rel("outperforms", head, tail, "outperform_verb", 0.6))
        return out

    def _better_than(self, doc: Doc, than: Token, spans: list[Span], main: Span) -> list[list]:
        """"X is faster than Y", "learns better representations than approaches (e.g., Y, Z)": main beats Y, Z."""
        head = next((s for s in spans if s.start < than.i and s.start >= than.sent.start and s.label_ in SYSTEMS
                     and s.text == main.text), None)
        if head is None:
            subject_words = {t.lower_ for t in than.sent[:max(1, than.i - than.sent.start)]}
            if not subject_words & _SELF_WORDS:
                return []
            head = main
        end = next((t.i for t in doc[than.i + 1:than.sent.end] if t.text in (";",) or t.lower_ == "while"),
                   than.sent.end)
        return [_rel("outperforms", head, s, "better_than", 0.5) for s in spans
                if than.i < s.start < end and s.label_ in SYSTEMS and s.text != main.text]

    def _subject_entity(self, verb: Token, spans: list[Span], main: Span | None) -> Span | None:
        """The Method/Model doing the verb; "we" / "our method" / "it" stand for the main entity."""
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if not subjects and verb.dep_ in ("conj", "advcl", "xcomp", "relcl", "acl"):
            return self._subject_entity(verb.head, spans, main) if verb.head != verb else None
        for subject in subjects:
            covering = [s for s in spans if s.start <= subject.i < s.end and s.label_ in SYSTEMS]
            if covering:
                return covering[0]
            words = {t.lower_ for t in subject.subtree}
            if main is not None and words & _SELF_WORDS:
                return main
        return None


def _main_entity(doc: Doc, proposed: list[Span], spans: list[Span]) -> Span | None:
    """The paper's main contribution.

    Among proposed Methods and Models, ranked: not a title slogan, the name before the title's colon, not a
    known (gazetteer) term, the phrase the title starts with, one the title mentions, the one mentioned most, a
    name (acronym, CamelCase, Title Case), the first.
    Without any, the Method or Model the title mentions, else the one mentioned most.
    """
    title_end = next(iter(doc.sents)).end
    systems = [p for p in proposed if p.label_ in SYSTEMS]
    if not systems and any(p.label_ == "Dataset" for p in proposed):
        return None  # a dataset paper: what it releases is no method that uses or addresses things
    counts = Counter(normalize(s.text) for s in spans)
    titled = {normalize(s.text) for s in spans if s.start < title_end}
    if systems:
        return min(systems, key=lambda s: (
            _slogan(doc, s, counts),
            not (s.start == 0 and s.end < title_end and doc[s.end].text == ":"), bool(s.kb_id_), s.start != 0,
            normalize(s.text) not in titled, -min(counts[normalize(s.text)], 3), not _NAME_LIKE.search(s.text),
            s.start))
    candidates = [s for s in spans if s.label_ in SYSTEMS]
    if not candidates:
        return None
    in_title = [s for s in candidates if s.start < title_end]
    if in_title:
        return in_title[0]
    return max(candidates, key=lambda s: (counts[normalize(s.text)], -s.start))


def _slogan(doc: Doc, span: Span, counts: Counter) -> bool:
    """A phrase the title starts with that the abstract never repeats, in any form: "Look, Compare, Decide",
    "Learned Compression" (names such as "PixelCNN++" are one word and stay)."""
    return span.start == 0 and " " in span.text and sum(counts[normalize(f)] for f in _main_forms(doc, span)) == 1


def _main_forms(doc: Doc, main: Span) -> set[str]:
    """The main entity's text and the other form of the acronym it belongs to ("RSD" for "Recursive ...")."""
    forms = {main.text}
    for long_start, long_end, short_start, short_end in doc._.kg_acronyms or []:
        long, short = doc[long_start:long_end].text, doc[short_start:short_end].text
        if main.text in (long, short):
            forms |= {long, short}
    return forms


def _has_compared(verb: Token) -> bool:
    return bool(_COMPARE.search(verb.sent.text[verb.idx - verb.sent.start_char:]))


def _object_entities(verb: Token, spans: list[Span]) -> list[Span]:
    """Entity spans in the verb's object, or after "than / over / compared to" in its clause."""
    objects = [c for c in verb.children if c.dep_ in ("dobj", "attr", "prep", "advcl", "npadvmod")]
    positions = {t.i for o in objects for t in o.subtree}
    return [s for s in spans if s.start in positions]


def _rel(kind: str, head: Span, tail: Span, rule: str, confidence: float) -> list:
    return [kind, head.start, head.end, tail.start, tail.end, rule, confidence]


def _dedupe(relations: list[list]) -> list[list]:
    seen: set[tuple] = set()
    out = []
    for relation in relations:
        key = tuple(relation[:5])
        if key not in seen:
            seen.add(key)
            out.append(relation)
    return out
