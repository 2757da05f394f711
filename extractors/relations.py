"""``kg_relations``: evaluated_on, addresses, outperforms and uses between the paper's entities, learned.

Every ordered pair of entities whose types a relation allows (a Method or Model as head; a Dataset, Task or
Method/Model as tail) is a candidate, whatever the head: the paper's own method or any other system. A
multinomial logistic regression (``models/relations.npz``, trained by ``kg train``) reads the features of
:func:`pair_features` (the types, what the paper proposes, how many entities of the tail's type the paper names,
whether the two names share words, the words that govern each end or the list it is an item of, and in every
sentence naming both the words and the dependency path between them) and gives each relation type, or none, a
probability; a relation is kept when its probability clears its type's threshold (the model's ``meta``), chosen
for the best F1 on the validation fold counting the gold relations that no pair of found entities can carry, as
the scorer counts them.

Writes ``doc._.kg_relations`` (:mod:`extractors.contract`).
"""

from __future__ import annotations

import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors import contract
from extractors.contract import EntityRecord, MentionRecord, RelationRecord
from extractors.linear import MODELS_DIR, NONE, LinearModel
from extractors.view import PaperView, bucket, dependency_path

MODEL_FILE = "relations.npz"
RELATION_LABELS = (NONE, "evaluated_on", "addresses", "outperforms", "uses")
_MAX_BETWEEN = 10
_MAX_CONJUNCTS = 8
_MAX_SENTENCES = 3


@Language.factory("kg_relations", assigns=["doc._.kg_relations"], requires=["doc._.kg_entities", "token.dep"],
                  default_config={"model_dir": None})
def make_relation_extractor(nlp: Language, name: str, model_dir: str | None) -> RelationExtractor:
    """Create the component.

    Args:
        nlp: the pipeline (unused).
        name: the component name.
        model_dir: where ``relations.npz`` is; the packaged models when None.
    """
    return RelationExtractor(LinearModel.load((Path(model_dir) if model_dir else MODELS_DIR) / MODEL_FILE))



class RelationExtractor:
    """Scores every candidate pair; see the module docstring."""

    def __init__(self, model: LinearModel | None) -> None:
        self.model = model
        self.thresholds: dict[str, float] = dict(model.meta.get("thresholds", {})) if model is not None else {}

    def __call__(self, doc: Doc) -> Doc:
        contract.write(doc, contract.RELATIONS, self.extract(doc))
        return doc

    def extract(self, doc: Doc) -> list[RelationRecord]:
        """The relations the classifier keeps."""
        if self.model is None:
            return []
        view = PaperView.of(doc, contract.mentions(doc), contract.entities(doc))
        candidates = list(view.pairs())
        rows = [pair_features(view, head, tail) for head, tail, _ in candidates]
        out = []
        for (head, tail, allowed), probabilities in zip(candidates, self.model.scores(rows), strict=True):
            label, p = max(((lab, float(probabilities[self.model.labels.index(lab)])) for lab in allowed),
                           key=lambda lp: lp[1])
            if p >= self.thresholds.get(label, 0.5):
                out.append(RelationRecord(type=label, head=head.id, tail=tail.id,
                                          sentence=evidence_sentence(view, head, tail), rule="model",
                                          confidence=round(p, 4)))
        return out


def _closest_per_sentence(view: PaperView, head: EntityRecord, tail: EntityRecord
                          ) -> list[tuple[MentionRecord, MentionRecord]]:
    """In every sentence naming both, the head and tail mentions nearest each other; the nearest pair first."""
    best: dict[int, tuple[int, MentionRecord, MentionRecord]] = {}
    for h in view.mentions[head.id]:
        for t in view.mentions[tail.id]:
            sentence = view.sentence(h)
            if sentence != view.sentence(t):
                continue
            distance = max(t.start - h.end, h.start - t.end)
            if sentence not in best or distance < best[sentence][0]:
                best[sentence] = (distance, h, t)
    return [(h, t) for _, h, t in sorted(best.values(), key=lambda x: (x[0], x[1].start))]


def evidence_sentence(view: PaperView, head: EntityRecord, tail: EntityRecord) -> int:
    """The sentence naming both nearest each other, else the tail's first."""
    together = _closest_per_sentence(view, head, tail)
    return view.sentence(together[0][1] if together else view.mentions[tail.id][0])


def pair_features(view: PaperView, head: EntityRecord, tail: EntityRecord) -> list[str]:
    """Named features of a (head, tail) candidate pair."""
    doc = view.doc
    kinds = f"{head.type}>{tail.type}"
    heads, tails = view.mentions[head.id], view.mentions[tail.id]
    together = {view.sentence(h) for h in heads} & {view.sentence(t) for t in tails}
    is_main = head.id == view.main
    features = [
        f"types={kinds}", f"head_proposed={head.proposed}|{kinds}", f"tail_proposed={tail.proposed}|{kinds}",
        f"head_main={is_main}|{kinds}", f"main_part={is_main and tail.proposed}|{kinds}",
        f"together={min(len(together), 3)}|{kinds}", f"together+main={bool(together)}|{is_main}|{kinds}",
        f"head_count={min(len(heads), 3)}", f"tail_count={min(len(tails), 3)}|{kinds}",
        f"tail_known={bool(tail.canonical)}|{kinds}", f"head_known={bool(head.canonical)}|{kinds}",
        f"tail_first={min(view.sentence(tails[0]), 4)}|{kinds}",
        f"head_first={min(view.sentence(heads[0]), 4)}|{kinds}",
    ]
    features.append(f"tail_in_title={any(doc[t.start].idx < view.title_end for t in tails)}|{is_main}|{kinds}")
    overlap = _overlap(_words(view, heads), _words(view, tails))
    features += [f"overlap={overlap}|{kinds}", f"overlap={overlap}|{is_main}|{kinds}"]
    for h in heads[:3]:
        features += _governor_features("head", doc[h.start:h.end], f"{is_main}|{kinds}")
    same_type = view.of_type[tail.type]
    features += [f"tail_type_count={min(len(same_type), 4)}|{is_main}|{kinds}",
                 f"tail_type_rank={min(same_type.index(tail.id), 3)}|{is_main}|{kinds}"]
    for t in tails[:3]:
        sentence = view.sentences[view.sentence(t)]
        features += _governor_features("tail", doc[t.start:t.end], kinds)
        features += _governor_features("tail", doc[t.start:t.end], f"{is_main}|{kinds}")
        if any(w.lower_ in ("we", "our") for w in sentence):
            features.append(f"tail_we|{kinds}")
    for h, t in _closest_per_sentence(view, head, tail)[:_MAX_SENTENCES]:
        features += _together_features(view, head, tail, h, t, kinds)
    return features


def _words(view: PaperView, mentions: list[MentionRecord]) -> frozenset[str]:
    """The first five letters of every lower-cased word of an entity's first three mentions, split at hyphens and
    slashes too ("Voting-based ViT": "votin", "based", "vit"), so that a plural or a suffix still matches."""
    text = " ".join(view.doc[m.start:m.end].text for m in mentions[:3]).lower()
    return frozenset(w[:5] for w in re.split(r"[^a-z0-9]+", text) if len(w) > 1)


def _overlap(head: frozenset[str], tail: frozenset[str]) -> str:
    """How two entities' names share words: the tail's all in the head's ("ViT" in "Voting-based ViT"), the head's
    all in the tail's, some of them, or none."""
    if not head or not tail or not head & tail:
        return "none"
    if tail <= head:
        return "tail_in_head"
    if head <= tail:
        return "head_in_tail"
    return "some"


def _together_features(view: PaperView, head: EntityRecord, tail: EntityRecord, h: MentionRecord,
                       t: MentionRecord, kinds: str) -> list[str]:
    """The words, entities and dependency path between a head and a tail mention in one sentence."""
    doc = view.doc
    first, second = (h, t) if h.start < t.start else (t, h)
    between = doc[first.end:second.start]
    distance = len(between)
    features = [f"order={'ht' if first is h else 'th'}|{kinds}", f"distance={bucket(distance)}|{kinds}"]
    if distance <= _MAX_BETWEEN:
        words = [w.lemma_.lower() for w in between if not w.is_space]
        features += [f"between={w}|{kinds}" for w in words]
        features += [f"between_ordered={w}|{'ht' if first is h else 'th'}|{kinds}" for w in words]
        features += [f"between2={a}_{b}|{kinds}" for a, b in zip(words, words[1:], strict=False)]
        features.append(f"between_all={'_'.join(words[:5])}|{kinds}")
    else:
        features += [f"between_far={w.lemma_.lower()}|{kinds}" for w in between if w.pos_ in ("VERB", "ADP")]
    types = {e.id: e.type for e in view.entities}
    inside = sorted({types[m.entity] for ms in view.mentions.values() for m in ms
                     if first.end <= m.start and m.end <= second.start and m.entity not in (head.id, tail.id)})
    features.append(f"inside={'+'.join(inside)}|{kinds}")
    head_span, tail_span = doc[h.start:h.end], doc[t.start:t.end]
    path, lca = dependency_path(head_span.root, tail_span.root)
    features += [f"path={path}|{kinds}", f"lca={lca}|{kinds}", f"head_dep={head_span.root.dep_}|{kinds}"]
    features += [f"sentence_verb={w.lemma_.lower()}|{kinds}" for w in view.sentences[view.sentence(h)]
                 if w.pos_ == "VERB"]
    return features


def _governor_features(role: str, span: Span, kinds: str) -> list[str]:
    """The preposition and verb above a mention ("evaluated on X", "designed for X"), or above the list it is
    one item of ("evaluated on X, Y and Z")."""
    root = span.root
    for _ in range(_MAX_CONJUNCTS):
        if root.dep_ != "conj":
            break
        root = root.head
    out = [f"{role}_dep={root.dep_}|{kinds}"]
    head = root.head
    if root.dep_ == "pobj":
        out.append(f"{role}_prep={head.lower_}|{kinds}")
        head = head.head
    if head.pos_ in ("VERB", "NOUN", "ADJ"):
        out.append(f"{role}_governor={head.lemma_.lower()}|{kinds}")
    return out
