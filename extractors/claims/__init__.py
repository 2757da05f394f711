"""``kg_claims``: the numeric claims of a paper (scores, speedups, reductions, sizes, costs), learned.

A claim is a number that quantifies an outcome of the paper (see the "Numeric claims" section of the annotation
guideline). Rules do what rules do well; trained models make the decisions:

1. the lexical scanner (:mod:`~extractors.claims.numbers`, tables in ``patterns/claims.json``) reads every number
   with its scale, unit and range, and leaves out numbers inside names, sizes and versions
   (:mod:`~extractors.claims.candidates`);
2. a classifier (``models/claims.npz``) decides which numbers are claims, another (``units.npz``) their unit
   class and a third (``directions.npz``) their direction, over :func:`~extractors.claims.features.claim_features`;
3. rankers (``metric.npz``, ``subject.npz``, ``dataset.npz``) choose each claim's metric among the Metric
   mentions and noun phrases around it, its subject among the paper's Methods, Models and Datasets (a dataset the
   paper releases is the subject of its size) and its dataset among its Datasets, or none
   (:func:`~extractors.claims.features.choice_features`; they also read the relations ``kg_relations`` found,
   such as the datasets the paper's method is evaluated on);
4. the baseline is the phrase after a comparison cue ("over", "than", "compared to"; ``baseline_cues``).

Writes ``doc._.kg_claims`` (:mod:`extractors.contract`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors import contract
from extractors.claims.candidates import NumberCandidate, number_candidates
from extractors.claims.features import ATTRIBUTES, Choice, choice_features, choices, claim_rows, number_span
from extractors.claims.patterns import PATTERNS_PATH, ClaimPatterns
from extractors.contract import ClaimRecord
from extractors.linear import MODELS_DIR, NONE, LinearModel
from extractors.view import PaperView

__all__ = ["ClaimExtractor", "ClaimModels", "make_claim_extractor"]

CLAIM = "claim"
YES = "yes"


class ClaimModels:
    """The six trained models of ``kg_claims`` (any of them may be missing before ``kg train`` has run)."""

    FILES = {"claim": "claims.npz", "unit": "units.npz", "direction": "directions.npz",
             **{attribute: f"{attribute}.npz" for attribute in ATTRIBUTES}}

    def __init__(self, directory: Path) -> None:
        self.models = {name: LinearModel.load(directory / file) for name, file in self.FILES.items()}

    def get(self, name: str) -> LinearModel | None:
        """One model by name (claim, unit, direction, metric, subject, dataset)."""
        return self.models[name]


@Language.factory(
    "kg_claims",
    assigns=["doc._.kg_claims"],
    requires=["doc._.kg_entities", "doc._.kg_relations", "token.dep"],
    default_config={"patterns_path": None, "model_dir": None},
)
def make_claim_extractor(nlp: Language, name: str, patterns_path: str | None, model_dir: str | None
                         ) -> ClaimExtractor:
    """Create the component.

    Args:
        nlp: the pipeline (unused).
        name: the component name.
        patterns_path: a patterns file like ``patterns/claims.json``; the packaged one when None.
        model_dir: where the trained models are; the packaged ones when None.
    """
    return ClaimExtractor(ClaimPatterns.load(Path(patterns_path) if patterns_path else PATTERNS_PATH),
                          ClaimModels(Path(model_dir) if model_dir else MODELS_DIR))


class ClaimExtractor:
    """Writes the numeric claims of a Doc; see the module docstring."""

    def __init__(self, patterns: ClaimPatterns, models: ClaimModels) -> None:
        self.patterns = patterns
        self.models = models
        model = models.get("claim")
        self.threshold = float(model.meta.get("threshold", 0.5)) if model is not None else 0.5

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) and not doc.has_annotation("DEP"):
            raise ValueError("kg_claims needs a dependency parse: put it after the parser")
        contract.write(doc, contract.CLAIMS, self.extract(doc))
        return doc

    def candidates(self, doc: Doc) -> list[NumberCandidate]:
        """The numbers the scanner reads in the Doc."""
        return number_candidates(doc.text, self.patterns)

    def extract(self, doc: Doc) -> list[ClaimRecord]:
        """The claims of the Doc, in text order."""
        model = self.models.get("claim")
        if model is None:
            return []
        view = PaperView.of(doc, contract.mentions(doc), contract.entities(doc), contract.relations(doc))
        candidates = self.candidates(doc)
        rows = claim_rows(view, candidates)
        probabilities = model.scores(rows)[:, model.labels.index(CLAIM)] if rows else []
        out = []
        for candidate, features, p in zip(candidates, rows, probabilities, strict=True):
            if p >= self.threshold:
                out.append(self._record(view, candidate, features, float(p)))
        return out

    def _record(self, view: PaperView, candidate: NumberCandidate, features: list[str], p: float) -> ClaimRecord:
        span = number_span(view, candidate)
        sentence = span.sent
        chosen = {attribute: self.choose(view, candidate, attribute, features) for attribute in ATTRIBUTES}
        metric = chosen["metric"]
        return ClaimRecord(
            value=candidate.value, number=candidate.number, unit=self._label("unit", features, candidate.unit),
            start=candidate.start, end=candidate.end, sentence=view.sentence_of[span.start],
            evidence_start=sentence.start_char, evidence_end=sentence.end_char,
            metric=metric.text or None, subject=chosen["subject"].entity, dataset=chosen["dataset"].entity,
            baseline=baseline(view, span, self.patterns.baseline_cues, self.patterns.baseline_stop_words),
            direction=self._label("direction", features, "absolute"), rule=candidate.rule, confidence=round(p, 4))

    def _label(self, name: str, features: list[str], default: str) -> str:
        model = self.models.get(name)
        if model is None:
            return default
        probabilities = model.probabilities(features)
        return max(probabilities, key=probabilities.__getitem__)

    def choose(self, view: PaperView, candidate: NumberCandidate, attribute: str, features: list[str]) -> Choice:
        """The best-ranked value of one attribute, or the "none" choice."""
        model = self.models.get(attribute)
        options = choices(view, candidate, attribute)
        if model is None or len(options) == 1:
            return options[0]
        scores = model.scores([choice_features(view, candidate, attribute, c, features) for c in options])
        column = model.labels.index(YES)
        return options[int(scores[:, column].argmax())]


def baseline(view: PaperView, span: Span, cues: Iterable[tuple[str, ...]], stop_words: frozenset[str]) -> str | None:
    """The phrase after a comparison cue that follows the number in its sentence: an entity mention, else up to
    six words that are not punctuation or a clause word."""
    doc = view.doc
    sentence = span.sent
    words = [t.lower_ for t in doc[span.end:sentence.end]]
    cue_words = sorted((list(c) for c in cues), key=len, reverse=True)
    for offset in range(len(words)):
        cue = next((c for c in cue_words if words[offset:offset + len(c)] == c), None)
        if cue is None:
            continue
        start = span.end + offset + len(cue)
        for ms in view.mentions.values():
            for m in ms:
                if start <= m.start <= start + 2:
                    return doc[m.start:m.end].text
        end = start
        while end < sentence.end and end - start < 6 and not doc[end].is_punct and \
                doc[end].lower_ not in stop_words:
            end += 1
        return doc[start:end].text or None
    return None
