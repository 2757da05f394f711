"""``kg_entities``: Method, Model, Dataset, Task and Metric mentions, and which ones the paper proposes.

Three sources of candidates, then one overlap resolution:

1. the gazetteer (``gazetteers/terms.jsonl``: Papers with Code, Hugging Face and curated names);
2. noun phrases over whitespace words (:mod:`extractors.words`), typed by their head word, cue words around
   them ("the X dataset", "X, a novel framework", "benchmarks named X") and the lexicon;
3. acronyms from ``kg_acronyms``: the long form is typed like a phrase and the short form takes its type
   wherever it occurs; the acronym of an adjective ("autoregressive (AR)") counts only with its noun ("AR models").

Names joined by "and", "or" or commas share the type of the surest among them.

Writes ``doc.spans["kg_entities"]`` (label: the type; ``span.id_``: the rule that produced it;
``span.kb_id_``: the gazetteer's name for it, if any; the group's ``attrs["confidence"]``: one confidence per
span) and ``doc.spans["kg_proposed"]`` (mentions of what the paper introduces).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup

from extractors.features import CandidateContext, dense_features, sparse_features
from extractors.lexicon import Lexicon, load_lexicon
from extractors.scorer import MODEL_PATH, NONE, LinearModel
from extractors.words import METRIC_AT, Kind, Word, sentence_words
from kg.ids import singular

TERMS_PATH = Path(__file__).parent / "gazetteers" / "terms.jsonl"
TYPES = ("Method", "Model", "Dataset", "Task", "Metric")

# Heads that name a task after a data noun ("video compression") but a technique right after a technique
# word ("neural compression", "next-token prediction").
_AMBIGUOUS_TASK_HEADS = frozenset({
    "rendering", "modeling", "modelling", "prediction", "search", "compression", "coding", "inference", "reasoning",
    "matching", "interpolation", "alignment", "transfer", "adaptation", "extraction", "processing", "generation",
    "estimation", "retrieval", "completion", "expansion", "conditioning", "acceleration", "regression"})
# Of those, heads that name a technique unless a data noun stands before them: "entropy coding",
# "next token prediction", "domain transfer" vs "video coding", "depth prediction".
_METHOD_LEANING_HEADS = frozenset({"prediction", "coding", "transfer", "adaptation", "rendering", "alignment",
                                   "matching", "interpolation", "extraction"})
_TECHNIQUE_MODIFIERS = frozenset({
    "masked", "autoregressive", "auto-regressive", "parallel", "neural", "beam", "greedy", "random", "random-order",
    "bilinear", "nearest-neighbor", "contrastive", "adversarial", "variational", "stochastic", "probabilistic",
    "bayesian", "sparse", "latent", "hierarchical", "recursive", "recurrent", "convolutional", "attentional", "guided",
    "speculative", "iterative", "progressive", "distributed", "federated", "quantized", "low-rank", "self-supervised",
    "supervised", "unsupervised", "semi-supervised", "next-token", "next-scale", "n-gram", "gradient-based",
    "learned", "learnable", "adaptive", "causal", "bidirectional", "multi-head", "retrieval-based", "diffusion-based",
    "transformer-based", "explicit", "implicit", "discrete", "continuous", "intra-scale", "inter-scale", "tree-based",
    "draft", "lookahead", "non-autoregressive", "semi-autoregressive", "residual", "tensor", "vector", "scalar",
    "product", "arithmetic", "optimal", "dynamic", "linear", "gated", "bits-back", "lossless", "lossy"})
# Heads of metric phrases that are too vague unless a measurement word stands right before them.
_WEAK_METRIC_HEADS = frozenset({"time", "cost", "costs", "size", "sizes", "quality", "rate", "rates", "score",
                                "scores", "error", "errors", "diversity", "complexity", "parameters", "numbers",
                                "probability", "count", "counts", "degree", "drop", "ratio", "efficiency", "usage",
                                "consumption", "overhead", "footprint", "bandwidth", "fidelity", "distortion",
                                "speed", "memory", "likelihood"})
_TRAILING_CUES = {
    "method": "Method", "methods": "Method", "approach": "Method", "approaches": "Method", "technique": "Method",
    "techniques": "Method", "framework": "Method", "frameworks": "Method", "paradigm": "Method",
    "task": "Task", "tasks": "Task", "problem": "Task",
    "dataset": "Dataset", "datasets": "Dataset", "benchmark": "Dataset", "benchmarks": "Dataset",
    "corpus": "Dataset", "corpora": "Dataset", "database": "Dataset",
    "metric": "Metric", "metrics": "Metric",
    "model": "Model", "models": "Model", "network": "Model", "networks": "Model", "architecture": "Model",
    "architectures": "Model",
}
# Words after a dataset name that belong to the split, not the name: "Cityscapes test set".
_SPLIT_WORDS = frozenset({"test", "val", "validation", "dev", "train", "training", "set", "sets", "split", "splits",
                          "subset", "subsets"})
# Generic trailing words dropped when what remains already names a technique: "speculative decoding mechanism".
_TRAILING_GENERIC = frozenset({"scheme", "schemes", "mechanism", "mechanisms", "process", "processes", "strategy",
                               "strategies", "algorithm", "algorithms", "method", "methods", "approach",
                               "approaches", "technique", "techniques", "framework", "frameworks", "paradigm"})
_DIGIT = re.compile(r"\d")
_SURE = 0.8  # scored candidates at least this sure compete by length
_COORDINATORS = frozenset({",", "and", "or", "/", "&"})
_VERSIONED = re.compile(r".*\d")
_MODEL_NAME = re.compile(r"-(?:[SBLHG]|XL|XXL|Tiny|Small|Base|Large|Huge|Giant|Mini|Nano)$|"
                         r"(?:Net|Former|former|GPT|BERT|Encoder|Decoder|Tokenizer|Transformer)s?$")
_METRIC_NAME = re.compile(r"(?i)(?:-score|-rate|flops|-measure|-error)$")
_BASE_NAME = re.compile(r"(\+\+|[-_ ]?v?\d[\w.]*)$")
_PLURAL_ACRONYM = re.compile(r"[A-Z][A-Za-z]*[A-Z]s")
_DIMENSION = re.compile(r"\d+D")
_PLAIN_NUMBER = re.compile(r"\d+(\.\d+)?[KMB]?")
_CAMEL_OR_DIGIT = re.compile(r"[a-z][A-Z]|[A-Z]{2}|\d")
_MAX_WORDS = 6

if not Doc.has_extension("kg_acronyms"):
    Doc.set_extension("kg_acronyms", default=None)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A typed span proposal before overlaps are resolved."""

    start: int
    end: int
    type: str
    rule: str
    confidence: float
    canonical: str = ""
    type_confidence: float | None = None

    @property
    def type_weight(self) -> float:
        """How sure the rules are of the type (the scorer's confidence is about being an entity at all)."""
        return self.confidence if self.type_confidence is None else self.type_confidence


@Language.factory(
    "kg_entities",
    assigns=["doc.spans"],
    requires=["token.tag", "token.dep"],
    default_config={"spans_key": "kg_entities", "proposed_key": "kg_proposed", "terms_path": None,
                    "model_path": None, "use_model": True, "threshold": 0.8, "new_threshold": 0.5},
)
def make_entity_recognizer(nlp: Language, name: str, spans_key: str, proposed_key: str, terms_path: str | None,
                           model_path: str | None, use_model: bool, threshold: float,
                           new_threshold: float) -> EntityRecognizer:
    """Create the entity recognizer.

    Args:
        nlp: the pipeline (its vocabulary and tokenizer build the gazetteer matchers; the lemmatizer's word
            lists tell English words from names).
        name: the component name.
        spans_key: span group for entity mentions.
        proposed_key: span group for mentions of what the paper introduces.
        terms_path: gazetteer JSONL file; the packaged one when None.
        model_path: trained scorer (``python -m extractors.train``); the packaged one when None.
        use_model: score candidates with the trained scorer when there is one; else the rules alone decide.
        threshold: a candidate the rules typed is dropped when the scorer gives it at least this probability of
            being no entity.
        new_threshold: the same for candidates the rules left untyped (they need more evidence).
    """
    scorer = LinearModel.load(Path(model_path) if model_path else MODEL_PATH) if use_model else None
    return EntityRecognizer(nlp, spans_key=spans_key, proposed_key=proposed_key,
                            terms=load_terms(Path(terms_path) if terms_path else TERMS_PATH), scorer=scorer,
                            threshold=threshold, new_threshold=new_threshold)


def load_terms(path: Path) -> list[dict]:
    """Gazetteer entries: ``{"type", "name", "aliases", "source"}`` per line."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def english_words(nlp: Language) -> frozenset[str]:
    """Dictionary words known to the pipeline's lemmatizer (empty when it has none)."""
    if "lemmatizer" not in nlp.pipe_names:
        return frozenset()
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return frozenset()
    return frozenset(w for words in lookups.get_table("lemma_index").values() for w in words)


class EntityRecognizer:
    """Finds typed entity mentions; see the module docstring for the rules."""

    def __init__(self, nlp: Language, *, spans_key: str, proposed_key: str, terms: list[dict],
                 scorer: LinearModel | None = None, threshold: float = 0.8, new_threshold: float = 0.5) -> None:
        self.scorer = scorer
        self.threshold = threshold
        self.new_threshold = new_threshold
        self.spans_key = spans_key
        self.proposed_key = proposed_key
        self.lex: Lexicon = load_lexicon()
        self.english = english_words(nlp)
        self.func_words = self.lex.verbal_words
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact_type: dict[str, str] = {}
        self.lower_type: dict[str, str] = {}
        self.canonical: dict[str, str] = {}
        self._add_terms(nlp, terms)

    def _add_terms(self, nlp: Language, terms: Iterable[dict]) -> None:
        exact: dict[str, set[str]] = {t: set() for t in TYPES}
        lower: dict[str, set[str]] = {t: set() for t in TYPES}
        for term in terms:
            for form in (term["name"], *term["aliases"]):
                variants = [form, _pluralize(form)] if _match_lowercase(form) else \
                    [form, form + "s"] if form[-1:].isalpha() and not form.endswith("s") else [form]
                for variant in variants:
                    self.canonical.setdefault(variant.lower(), term["name"])
                    if _match_lowercase(form):
                        self.lower_type.setdefault(variant.lower(), term["type"])
                        lower[term["type"]].add(variant)
                    else:
                        self.exact_type.setdefault(variant, term["type"])
                        exact[term["type"]].add(variant)
        for type_name in TYPES:
            self.exact.add(type_name, list(nlp.tokenizer.pipe(sorted(exact[type_name]))))
            self.lower.add(type_name, list(nlp.tokenizer.pipe(sorted(lower[type_name]))))

    def known_type(self, text: str) -> str | None:
        """Gazetteer type of a surface form: exact case for names, any case for lower-case terms."""
        return self.exact_type.get(text) or self.lower_type.get(text.lower())

    def __call__(self, doc: Doc) -> Doc:
        title_end = _title_end(doc)
        if self.scorer is None:
            candidates = [c for c, _ in self.candidates(doc) if c.type != NONE]
        else:
            candidates = self._score(doc, self.candidates(doc), self.scorer)
        candidates.extend(self._acronyms(doc, candidates))
        candidates = self._adjective_acronyms(doc, candidates)
        chosen = self._tidy(doc, _share_list_types(doc, _resolve(doc, candidates, by_confidence=self.scorer is not None)))
        spans = [Span(doc, c.start, c.end, label=c.type, span_id=c.rule,
                      kb_id=c.canonical or self.canonical.get(doc[c.start:c.end].text.lower(), ""))
                 for c in chosen]
        doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, spans=spans,
                                              attrs={"confidence": [c.confidence for c in chosen]})
        doc.spans[self.proposed_key] = self._proposed(doc, spans, title_end)
        return doc

    def candidates(self, doc: Doc, *, variants: bool | None = None) -> list[tuple[Candidate, CandidateContext]]:
        """The candidate spans the rules propose, one per span, with the context the scorer reads.

        Typed candidates come from the gazetteer, phrase rules and the title's name. With ``variants`` (by default
        when there is a scorer), phrases the rules could not type and boundary variants ("visual token pruning"
        -> "token pruning") are candidates too, typed :data:`NONE`. Of several candidates for one span, a typed
        one wins over an untyped one, then the surer.
        """
        if variants is None:
            variants = self.scorer is not None
        title_end = _title_end(doc)
        found: list[Candidate] = list(self._gazetteer(doc))
        for sent in doc.sents:
            words = sentence_words(sent, in_title=sent.start < title_end, func_words=self.func_words)
            found.extend(self._phrases(doc, words, in_title=sent.start < title_end, variants=variants))
        found.extend(self._title_name(doc, title_end))
        occurrences = Counter(doc[c.start:c.end].text.lower() for c in found)
        best: dict[tuple[int, int], Candidate] = {}
        for c in found:
            kept = best.get((c.start, c.end))
            if kept is None or (c.type != NONE, c.confidence) > (kept.type != NONE, kept.confidence):
                best[(c.start, c.end)] = c
        out = []
        for c in sorted(best.values(), key=lambda c: (c.start, c.end)):
            span = doc[c.start:c.end]
            out.append((c, CandidateContext(
                rule=c.rule, rule_type=c.type, in_title=c.start < title_end,
                occurrences=occurrences[span.text.lower()], proposed=self._introduced(span) or _named(span, self.lex),
                gazetteer_type=self.known_type(span.text) or "")))
        return out

    def _score(self, doc: Doc, candidates: list[tuple[Candidate, CandidateContext]],
               scorer: LinearModel) -> list[Candidate]:
        """Candidates typed and weighed by the trained scorer; the ones it calls no entity are dropped.

        The name before the title's colon and both forms of an acronym the text defines are kept whatever the
        scorer says: the paper itself declares them names.
        """
        declared = {(a, b) for pair in doc._.kg_acronyms or [] for a, b in ((pair[0], pair[1]), (pair[2], pair[3]))}
        out = []
        for c, context in candidates:
            probabilities = scorer.probabilities(sparse_features(doc, c.start, c.end, context),
                                                 dense_features(doc, c.start, c.end))
            none = probabilities.get(NONE, 0.0)
            protected = c.rule == "title_name" or (c.start, c.end) in declared
            if none >= (self.threshold if c.type != NONE else self.new_threshold) and not protected:
                continue
            type_name = c.type if c.type != NONE else max((t for t in probabilities if t != NONE),
                                                          key=probabilities.__getitem__)
            confidence = max(1.0 - none, 0.9) if protected else 1.0 - none
            out.append(replace(c, type=type_name, confidence=round(confidence, 4), type_confidence=c.confidence))
        return out

    def _tidy(self, doc: Doc, chosen: list[Candidate]) -> list[Candidate]:
        """Drop one common word that heads a longer entity of the paper: a back-reference to it ("attention"
        beside "adaptive attention", "tokenization" beside "image tokenization"); shorten over-qualified tasks."""
        heads = {doc[c.end - 1].lower_ for c in chosen if c.end - c.start > 1}
        kept = [c for c in chosen if not (c.end - c.start == 1 and doc[c.start].is_lower and
                                          doc[c.start].lower_ in heads and c.rule != "gazetteer")]
        tasks = {doc[c.start:c.end].text.lower() for c in kept if c.type == "Task"}
        return [self._known_task_suffix(doc, c, tasks) if c.type == "Task" else c for c in kept]

    def _known_task_suffix(self, doc: Doc, task: Candidate, tasks: set[str]) -> Candidate:
        """A task named with qualifiers before a known task keeps the known task: "Non-autoregressive End-to-End
        Speech Recognition" -> "Speech Recognition", "NYUv2 depth estimation" -> "depth estimation"."""
        words = [t for t in doc[task.start:task.end] if t.i == task.start or doc[t.i - 1].whitespace_]
        for k, word in enumerate(words[1:], start=1):
            if self.known_type(doc[task.start:word.i].text) == "Dataset":
                return replace(task, start=word.i)  # "ImageNet classification": the dataset is its own entity
            suffix = doc[word.i:task.end]
            if self.known_type(suffix.text) != "Task" and suffix.text.lower() not in tasks:
                continue
            qualifier = doc[words[k - 1].i:word.i].text  # "3D object detection" is a task of its own
            return replace(task, start=word.i) if k >= 2 and not _DIGIT.search(qualifier) else task
        return task

    # -- candidates -------------------------------------------------------------------------------------------

    def _gazetteer(self, doc: Doc) -> Iterator[Candidate]:
        for matcher, confidence in ((self.exact, 0.9), (self.lower, 0.8)):
            for match_id, start, end in matcher(doc):
                if _inside_word(doc, start, end):
                    continue
                yield Candidate(start, end, doc.vocab.strings[match_id], "gazetteer", confidence,
                                self.canonical.get(doc[start:end].text.lower(), ""))

    def _phrases(self, doc: Doc, words: list[Word], *, in_title: bool, variants: bool) -> Iterator[Candidate]:
        for word in words:
            if METRIC_AT.fullmatch(word.text):
                yield Candidate(word.start, word.end, "Metric", "phrase:metric_at", 0.8)
        for run in _runs(words):
            phrase = self._trim(run, in_title=in_title)
            if phrase is None:
                continue
            core, cue = phrase
            if _describes_a_name(doc, run):
                continue
            if variants:
                yield from _variants(run, core)
            typed = self._type_phrase(doc, core, cue, words)
            if typed is not None:
                if typed[0] == "Dataset":  # "CelebA face (dataset)": the name without the description after it
                    last = max((i for i, w in enumerate(core) if w.kind in (Kind.NAME, Kind.PROPER, Kind.NUM)),
                               default=len(core) - 1)
                    core = core[:last + 1]
                if typed[0] == "Metric":
                    while len(core) > 1 and core[0].kind is Kind.ADJ and core[0].lower not in self.lex.measure_modifiers:
                        core = core[1:]
                yield Candidate(core[0].start, core[-1].end, *typed)
            else:  # "DDRNet-23-slim yields": a name before a word the tagger took for a noun
                if variants:
                    yield Candidate(core[0].start, core[-1].end, NONE, "phrase:untyped", 0.0)
                for word in core[:-1]:
                    if word.kind is Kind.NAME and not _DIMENSION.fullmatch(word.text):
                        type_name, confidence = self._type_name(doc, [word], None, words)
                        yield Candidate(word.start, word.end, type_name, "phrase:name", confidence)

    def _trim(self, run: list[Word], *, in_title: bool) -> tuple[list[Word], str | None] | None:
        """Drop leading evaluative words and a trailing generic cue word ("framework", "dataset", "test set")."""
        words = list(run)
        while words and (words[0].lower in self.lex.strip_leading or words[0].kind is Kind.NUM or
                         (in_title and len(words) > 1 and (words[0].lower in self.lex.title_verbs or
                                                           words[0].lower.endswith("ing")))):
            words.pop(0)
        while len(words) > 1 and words[-1].lower in _SPLIT_WORDS and \
                any(w.kind in (Kind.NAME, Kind.PROPER) for w in words[:-1]):
            words.pop()
        cue = None
        if len(words) > 1 and words[-1].lower in _TRAILING_CUES:
            cue = _TRAILING_CUES[words[-1].lower]
            plural = words[-1].lower.endswith("s")
            named = words[-2].kind is Kind.NAME or (
                words[-2].kind is Kind.PROPER and not self._is_english(words[-2].lower))
            if cue != "Model" or (named and (not plural or len(words) == 2)):
                words.pop()
            else:
                cue = None
        if len(words) > 2 and words[-1].lower in _TRAILING_GENERIC and self._names_technique(words[:-1]):
            words.pop()
        elif len(words) >= 2 and words[-1].lower in self.lex.weak_method_heads and \
                self.known_type(" ".join(w.text for w in words[:-1])) in ("Method", "Model"):
            words.pop()  # "self-attention layers", "LoRA modules": the known technique itself
        if words and words[-1].kind is Kind.NAME:
            while len(words) > 1 and words[0].kind in (Kind.NOUN, Kind.GERUND):
                words.pop(0)
        if not words or len(words) > _MAX_WORDS or words[-1].kind is Kind.ADJ:
            return None
        text = " ".join(w.lower for w in words)
        if text in self.lex.generic_words or text in self.lex.research_fields or _DIMENSION.fullmatch(text):
            return None
        if words[-1].lower in self.lex.hardware_heads or text in self.lex.non_entity_names or \
                words[-1].lower in self.lex.non_entity_names:
            return None  # hardware, software, number formats, data modalities: not annotated
        if all(w.lower in self.lex.generic_words or w.lower in self.lex.strip_leading for w in words) and \
                words[-1].kind not in (Kind.NAME, Kind.PROPER):
            return None
        return words, cue

    def _names_technique(self, words: list[Word]) -> bool:
        head = words[-1].lower
        return self.known_type(" ".join(w.text for w in words)) in ("Method", "Model") or \
            head in self.lex.method_heads or singular(head) in self.lex.method_heads

    def _type_phrase(self, doc: Doc, words: list[Word], cue: str | None,
                     sentence: list[Word]) -> tuple[str, str, float] | None:
        """Type of a trimmed phrase, the rule that decided it, and a confidence; None when it is no entity."""
        text = " ".join(w.lower for w in words)
        head = words[-1]
        head_lower = head.lower
        modifiers = [w.lower for w in words[:-1]]
        known = self.known_type(doc[words[0].start:head.end].text)
        if known is not None:
            return known, "phrase:gazetteer", 0.85
        if text in self.lex.metric_exact:
            return "Metric", "phrase:metric", 0.85
        if head.kind is Kind.NUM and len(words) > 1 and words[-2].kind in (Kind.NAME, Kind.PROPER):
            base = self.known_type(doc[words[0].start:words[-2].end].text)
            return base or "Model", "phrase:versioned", 0.8  # "Vicuna 7B", "Llama 2", "ImageNet-1K 256"
        if head.kind in (Kind.NAME, Kind.PROPER):
            if len(words) == 1 and head.kind is Kind.PROPER and self._is_english(head_lower):
                return None  # "Paint", "Visual": a capitalized word, not a name
            type_name, confidence = self._type_name(doc, words, cue, sentence)
            return type_name, "phrase:name", confidence
        if cue == "Dataset" and not any(w.kind in (Kind.NAME, Kind.PROPER) for w in words):
            return None  # "a synthetic dataset", "collected text": a description, not a named dataset
        if cue is not None and cue not in ("Model", "Task"):
            return cue, f"phrase:cue_{cue.lower()}", 0.75
        if not modifiers:
            if head_lower in self.lex.task_single_words:
                return "Task", "phrase:task_word", 0.7
            if head_lower in self.lex.single_word_methods:
                return "Method", "phrase:method_word", 0.6
            return None  # one common word: "masking", "routing", "calibration"
        if head_lower in self.lex.task_heads or singular(head_lower) in self.lex.task_heads:
            if head_lower in _AMBIGUOUS_TASK_HEADS:
                before = modifiers[-1]
                if before in _TECHNIQUE_MODIFIERS or (
                        head_lower in _METHOD_LEANING_HEADS and before not in self.lex.data_nouns):
                    return "Method", "phrase:technique", 0.6
            return "Task", "phrase:task_head", 0.7
        if head_lower in self.lex.metric_heads:
            if head_lower in _WEAK_METRIC_HEADS and modifiers[-1] not in self.lex.measure_modifiers:
                return None
            if not _measures(sentence, self.lex):
                return None  # a quantity mentioned, not one results are reported in
            return "Metric", "phrase:metric_head", 0.65
        if head_lower in self.lex.weak_method_heads:
            if not any(self._technique(w) for w in words[:-1]):
                return None  # "visual representations", "shallow layers": parts, not techniques
            return "Method", "phrase:method_head", 0.6
        if head_lower in self.lex.method_heads or singular(head_lower) in self.lex.method_heads:
            return "Method", "phrase:method_head", 0.6
        if head.kind is Kind.GERUND:
            return "Method", "phrase:gerund", 0.5
        if len(modifiers) >= 2 and any(m == "based" or m.endswith("-based") for m in modifiers[1:]):
            return "Method", "phrase:based", 0.5  # "partial convolution based padding"
        return None

    def _technique(self, word: Word) -> bool:
        """A word that makes a structural head a technique: "gated" layers, "sampling" module, "SC-PA" block."""
        if word.kind is Kind.NAME:
            return True
        lower = word.lower
        return lower in self.lex.technique_words or singular(lower) in self.lex.technique_words or \
            (lower in self.lex.method_heads and lower not in self.lex.weak_method_heads and
             lower not in self.lex.generic_words) or \
            any(part in self.lex.technique_words for part in lower.split("-"))

    def _is_english(self, word: str) -> bool:
        return word in self.english or singular(word) in self.english

    def _type_name(self, doc: Doc, words: list[Word], cue: str | None,
                   sentence: list[Word]) -> tuple[str, float]:
        """Type of a phrase headed by a name ("PixelCNN", "GPT-4", "Cityscapes") from the name and its context."""
        text = doc[words[0].start:words[-1].end].text
        head = words[-1].text
        known = self.known_type(text) or self.known_type(_BASE_NAME.sub("", head))
        if known is not None:
            return known, 0.85
        if cue is not None:
            return cue, 0.75
        context = _context_cue(words, sentence, self.lex)
        if context is not None:
            return context, 0.7
        if _METRIC_NAME.search(head):
            return "Metric", 0.6  # "F-score", "BD-rate", "TFLOPs"
        if _PLURAL_ACRONYM.fullmatch(head):
            return "Method", 0.6  # plural acronym of a class: "LLMs", "CNNs"
        if (_VERSIONED.match(text) and not _DIMENSION.fullmatch(head)) or _MODEL_NAME.search(text):
            return "Model", 0.55  # "GPT-4", "xAR-B", "SAM-Base", "... Decoder", "...Net"
        return "Method", 0.45

    def _title_name(self, doc: Doc, title_end: int) -> Iterator[Candidate]:
        """The name before a title's colon ("Mustafar: Promoting ..."), typed by how the abstract describes it."""
        colon = next((t.i for t in doc[:min(title_end, 8)] if t.text == ":"), None)
        if colon is None or colon == 0:
            return
        name = doc[0:colon]
        if not any(c.isalpha() for c in name.text) or len(name.text.split()) > 4 or \
                name[0].lower_ in self.lex.title_verbs or any(t.is_stop and t.is_lower for t in name):
            return  # "From Pixels to Prose", "Scaling Laws in Patchification": a phrase, not a name
        type_name = self.known_type(name.text)
        confidence = 0.85
        if type_name is None:
            type_name, confidence = "Method", 0.6
            for sent in list(doc.sents)[1:]:
                words = sentence_words(sent, in_title=False, func_words=self.func_words)
                here = [w for w in words if w.text == name.text]
                cue = _context_cue(here, words, self.lex) if here else None
                if cue is not None:
                    type_name, confidence = cue, 0.75
                    break
            else:
                type_name = self._title_head_type(doc, colon, title_end) or type_name
        yield Candidate(0, colon, type_name, "title_name", confidence)

    def _title_head_type(self, doc: Doc, colon: int, title_end: int) -> str | None:
        """Model or Method from the head noun after a title's colon: "PEPSI++: Fast and Lightweight Network for"."""
        head = None
        for token in doc[colon + 1:title_end]:
            if token.is_punct or token.lower_ in ("for", "with", "via", "in", "of", "to", "on", "from", "by"):
                break
            head = token
        found = _cue_type(head.lower_, self.lex, with_methods=True) if head is not None else None
        return found if found in ("Method", "Model") else None

    def _acronyms(self, doc: Doc, candidates: list[Candidate]) -> Iterator[Candidate]:
        """Long forms typed as phrases; every occurrence of the short form takes the long form's type."""
        by_span = {(c.start, c.end): c for c in candidates}
        for long_start, long_end, short_start, short_end in doc._.kg_acronyms or []:
            known = by_span.get((long_start, long_end))
            if known is None:
                typed = self._type_long_form(doc, long_start, long_end)
                if typed is None:
                    continue
                type_name, confidence = typed
            else:
                type_name, confidence = known.type, known.confidence
            inside = [c.confidence for c in candidates if long_start <= c.start and c.end <= long_end]
            # the defined name wins over a known term inside it: "Sorted Speculative Decoding (S2D)"
            yield Candidate(long_start, long_end, type_name, "acronym:long", max([confidence, *inside]))
            for start, end in _occurrences(doc, doc[short_start:short_end].text):
                other = by_span.get((start, end))  # Method or Model: as the long form says ("ATM" of "... Mapper"),
                same_kind = other is not None and {type_name, other.type} <= {"Method", "Model"} and \
                    other.rule != "gazetteer"  # unless the short form is a known name ("ViT")
                yield Candidate(start, end, type_name, "acronym:short",
                                max(confidence, 0.7, other.confidence if same_kind else 0.0))

    def _adjective_acronyms(self, doc: Doc, candidates: list[Candidate]) -> list[Candidate]:
        """An acronym of an adjective ("autoregressive (AR)") names nothing alone: "AR" is dropped, and "AR
        models" / "AR decoding" become Methods like "autoregressive models"."""
        shorts = {doc[s:e].text for long_start, long_end, s, e in doc._.kg_acronyms or []
                  if doc[long_end - 1].pos_ == "ADJ" or doc[long_end - 1].tag_ == "JJ"}
        if not shorts:
            return candidates
        kept = [c for c in candidates if doc[c.start:c.end].text not in shorts]
        nouns = self.lex.method_heads | self.lex.model_cue_words
        for short in shorts:
            for start, end in _occurrences(doc, short):
                if end < len(doc) and doc[end].lower_ in nouns:
                    kept.append(Candidate(start, end + 1, "Method", "acronym:adjective", 0.8))
        return kept

    def _type_long_form(self, doc: Doc, start: int, end: int) -> tuple[str, float] | None:
        """A long form is typed like a phrase; an untyped one is a Method only if written as a name."""
        span = doc[start:end]
        words = [w for w in sentence_words(span, in_title=start < _title_end(doc)) if w.kind is not Kind.FUNC]
        if not words:
            return None
        if words[-1].kind is Kind.ADJ:
            return None  # "autoregressive (AR)": an abbreviated adjective, not a thing
        typed = self._type_phrase(doc, words, None, words)
        if typed is not None:
            return typed[0], max(typed[2], 0.7)
        if all(w.text[:1].isupper() for w in words if len(w.text) > 3):
            sentence = sentence_words(span.sent, in_title=start < _title_end(doc), func_words=self.func_words)
            inside = [w for w in sentence if start <= w.start < end]
            return _context_cue(inside, sentence, self.lex) or "Method", 0.6
        return None

    # -- proposed ---------------------------------------------------------------------------------------------

    def _proposed(self, doc: Doc, spans: list[Span], title_end: int) -> list[Span]:
        """Mentions of what the paper introduces: "we propose X", "called X", a title "X: ...", "our X".

        The short and long forms of an acronym are proposed together.
        """
        proposed: set[str] = set()
        for span in spans:
            in_title = _title_name(span, title_end) or (
                span.start == 0 and span.label_ in ("Method", "Model") and span.end < title_end and
                doc[span.end].lower_ in ("for", "via", "with", "in", "through", "towards", "toward"))
            if span.label_ in ("Task", "Metric") and not in_title:
                continue
            if in_title or self._introduced(span) or _named(span, self.lex):
                proposed.add(span.text)
        for long_start, long_end, short_start, short_end in doc._.kg_acronyms or []:
            long_text, short_text = doc[long_start:long_end].text, doc[short_start:short_end].text
            if long_text in proposed or short_text in proposed:
                proposed |= {long_text, short_text}
        return [span for span in spans if span.text in proposed]

    def _introduced(self, span: Span) -> bool:
        """Object (or its appositive) of a propose verb with "we"/"this paper" as subject."""
        head = span.root
        for _ in range(4):
            if head.dep_ not in ("dobj", "appos", "conj", "attr", "oprd", "nsubjpass", "pobj", "npadvmod", "dep"):
                return False
            head = head.head
            if head.lemma_.lower() in self.lex.propose_verbs and head.pos_ == "VERB":
                subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
                return not subjects or any(s.lower_ in ("we", "paper", "work", "i") for s in subjects) or \
                    head.dep_ in ("xcomp", "conj", "advcl")
        return False


def _match_lowercase(form: str) -> bool:
    """Multi-word names and long lower-case words match in any case; acronyms and CamelCase only exactly."""
    if _CAMEL_OR_DIGIT.search(form):
        return False
    return " " in form or "-" in form or (form.islower() and len(form) >= 5)


def _pluralize(form: str) -> str:
    if form.endswith(("s", "x", "sh", "ch")):
        return form
    if form.endswith("y") and not form.endswith(("ay", "ey", "oy", "uy")):
        return form[:-1] + "ies"
    return form + "s"


def _inside_word(doc: Doc, start: int, end: int) -> bool:
    """A match that starts or ends in the middle of a whitespace word ("ViT" in "ViT-B/16")."""
    before = start > 0 and not doc[start - 1].whitespace_ and doc[start - 1].text not in "(\"'[“"
    after = end < len(doc) and not doc[end - 1].whitespace_ and doc[end].text not in ")\"'],.;:”!?" and \
        doc[end].tag_ != "POS"
    return before or after


def _title_end(doc: Doc) -> int:
    first = next(iter(doc.sents), None)
    return first.end if first is not None else 0


def _runs(words: list[Word]) -> Iterator[list[Word]]:
    """Maximal noun-phrase-like runs of words: modifiers then a noun, name or nominal gerund."""
    run: list[Word] = []
    for word in [*words, Word(0, 0, "", Kind.FUNC)]:
        continues = word.kind in (Kind.NAME, Kind.PROPER, Kind.NOUN, Kind.ADJ, Kind.GERUND) or (
            word.kind is Kind.NUM and run and run[-1].kind in (Kind.NAME, Kind.PROPER) and _PLAIN_NUMBER.fullmatch(word.text))
        if continues:
            run.append(word)
            continue
        while run and run[-1].kind is Kind.ADJ:
            run.pop()
        if run:
            yield run
        run = []


def _variants(run: list[Word], core: list[Word]) -> Iterator[Candidate]:
    """Other boundaries of a phrase for the scorer to weigh: the untrimmed run, and the core without its
    first word or with its last two words only ("visual token pruning" -> "token pruning")."""
    spans = {(run[0].start, run[-1].end)}
    if len(core) > 1:
        spans.add((core[1].start, core[-1].end))
    if len(core) > 2:
        spans.add((core[-2].start, core[-1].end))
    for start, end in sorted(spans - {(core[0].start, core[-1].end)}):
        yield Candidate(start, end, NONE, "phrase:variant", 0.0)


def _measures(sentence: list[Word], lex: Lexicon) -> bool:
    """The sentence reports or compares results: it has a number or a word such as "improves" or "reduces"."""
    return any(w.kind is Kind.NUM or w.lower in lex.result_words for w in sentence)


def _describes_a_name(doc: Doc, run: list[Word]) -> bool:
    """An indefinite appositive of a name: "ARPG, a novel visual autoregressive model" describes ARPG."""
    root = doc[run[-1].end - 1]
    before = doc[run[0].start - 1] if run[0].start > 0 else None
    return root.dep_ == "appos" and root.head.tag_ == "NNP" and before is not None and before.lower_ in ("a", "an")


def _cue_type(word: str, lex: Lexicon, *, with_methods: bool) -> str | None:
    options = [(lex.dataset_cue_words, "Dataset"), (lex.model_cue_words, "Model"), (lex.task_cue_words, "Task"),
               (lex.metric_cue_words, "Metric")]
    if with_methods:
        options.insert(2, (lex.method_cue_words, "Method"))
    for cue_words, type_name in options:
        if word in cue_words or singular(word) in cue_words:
            return type_name
    return None


def _context_cue(words: list[Word], sentence: list[Word], lex: Lexicon) -> str | None:
    """A type from the words around a name: "the X dataset", "X, a novel framework", "benchmarks named X", "on X"."""
    index = next((i for i, w in enumerate(sentence) if w.start == words[-1].start), None)
    first = next((i for i, w in enumerate(sentence) if w.start == words[0].start), index)
    if index is None or first is None:
        return None
    before = [w.lower for w in sentence[max(0, first - 6):first]]
    if len(before) >= 3 and before[-1] == "," and {"a", "an"} & set(before[:-2]):
        found = _cue_type(before[-2], lex, with_methods=True)  # "a novel MoE architecture, BlockFFN"
        if found is not None:
            return found
    after = [w.lower for w in sentence[index + 1:index + 9]]
    if after:
        found = _cue_type(after[0], lex, with_methods=False)
        if found is not None:
            return found
        describes = after[0] in (",", "is", "(") or (
            after[0] == ":" and len(after) > 1 and not after[1].endswith("ing") and after[1] not in lex.title_verbs)
        if describes:
            for word in after[1:]:
                if word in (".", ";", "which", "that", "as", "to", "for", "with", "by", "on", "in", "of"):
                    break
                found = _cue_type(word, lex, with_methods=True)
                if found is not None:
                    return found
    while before and before[-1] in _COORDINATORS:
        before.pop()
    if before[-2:] == ["known", "as"] or before[-3:] == ["referred", "to", "as"]:
        before = before[:-3] + ["named"] if before[-1] == "as" and before[-2] == "to" else before[:-2] + ["named"]
    while len(before) >= 2 and before[-2] in _COORDINATORS:
        before.pop(-2)
    if len(before) >= 3 and before[-1] in ("the", "a", "an") and before[-2] in lex.naming_words:
        before.pop()  # "an EEG encoder called the Adaptive Thinking Mapper"
    if len(before) >= 2 and before[-1] in lex.naming_words:
        found = _cue_type(before[-2], lex, with_methods=True)
        if found is not None:
            return found
    if before and (before[-1] in ("on", "across") or before[-2:] == ["on", "the"]):
        sentence_text = " ".join(w.lower for w in sentence)
        if re.search(r"experiment|evaluat|benchmark|result|achiev|attain|outperform|accuracy|score|test", sentence_text):
            return "Dataset"
    return None


def _occurrences(doc: Doc, text: str) -> Iterator[tuple[int, int]]:
    """Token spans of every whole-word occurrence of ``text``, singular or plural ("LLM", "LLMs")."""
    stem = text[:-1] if _PLURAL_ACRONYM.fullmatch(text) else text
    for match in re.finditer(rf"(?<![\w-]){re.escape(stem)}s?(?![\w-])", doc.text):
        span = doc.char_span(match.start(), match.end())
        if span is not None:
            yield span.start, span.end


def _resolve(doc: Doc, candidates: list[Candidate], *, by_confidence: bool = False) -> list[Candidate]:
    """One candidate per place: longer and surer ones win (when ``by_confidence``, for scored candidates: surer
    first, all above :data:`_SURE` alike, so "real-time semantic segmentation" keeps its modifier; an acronym's
    forms over other readings of them); a name inside a phrase of another type stays.

    Identical texts get one type (that of the surest candidate) throughout the document.
    """
    best: dict[tuple[int, int], Candidate] = {}
    for c in candidates:
        kept = best.get((c.start, c.end))
        if kept is None or (c.confidence, c.rule.startswith("acronym:")) > \
                (kept.confidence, kept.rule.startswith("acronym:")):
            best[(c.start, c.end)] = c
    ordered = sorted(best.values(), key=lambda c: (-min(c.confidence, _SURE), -(c.end - c.start), c.start)
                     if by_confidence else (-(c.end - c.start), -c.confidence, c.start))
    chosen: list[Candidate] = []
    for c in ordered:
        clash = False
        for k in chosen:
            if c.end <= k.start or c.start >= k.end:
                continue
            nested = k.start <= c.start and c.end <= k.end
            if nested and k.type != c.type and c.rule in ("gazetteer", "acronym:short"):
                continue
            if c.start <= k.start and k.end <= c.end and c.type == "Task" and k.type in ("Method", "Model") and \
                    k.rule in ("gazetteer", "acronym:short"):
                continue  # "LLM inference": a task named after a known model class
            clash = True
            break
        if not clash:
            chosen.append(c)
    surest: dict[str, Candidate] = {}
    for c in chosen:
        text = doc[c.start:c.end].text
        if text not in surest or c.type_weight > surest[text].type_weight:
            surest[text] = c
    return [replace(c, type=surest[doc[c.start:c.end].text].type) for c in sorted(chosen, key=lambda c: c.start)]


def _share_list_types(doc: Doc, chosen: list[Candidate]) -> list[Candidate]:
    """Names in one list ("on ROxford, RParis and Cityscapes") share the type of the surest among them."""
    out = list(chosen)
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and _only_coordinators(doc, out[j].end, out[j + 1].start):
            j += 1
        if j > i:
            group = out[i:j + 1]
            surest = max(group, key=lambda c: c.type_weight)
            if surest.type_weight >= 0.7:
                for k in range(i, j + 1):
                    if out[k].type_weight < surest.type_weight and out[k].rule not in ("gazetteer", "phrase:gazetteer"):
                        out[k] = replace(out[k], type=surest.type)
        i = j + 1
    return out


def _only_coordinators(doc: Doc, end: int, start: int) -> bool:
    between = doc[end:start]
    return 0 < len(between) <= 3 and all(t.lower_ in _COORDINATORS for t in between)


def _title_name(span: Span, title_end: int) -> bool:
    """The name before the colon of a title: "LANTERN: Accelerating ..."."""
    return span.start == 0 and span.end < title_end and span.doc[span.end].text == ":"


def _named(span: Span, lex: Lexicon) -> bool:
    """A name right after "called", "termed", "dubbed", "namely" or "our"."""
    if span.start == 0:
        return False
    before = span.doc[span.start - 1]
    if before.text in ("(", ",") and span.start > 1:
        before = span.doc[span.start - 2]
    if before.lower_ in lex.method_cue_words | lex.model_cue_words and before.i > 0:
        before = span.doc[before.i - 1]  # "our method X"
    return before.lower_ in lex.naming_words or (before.lower_ == "our" and span[0].text[:1].isupper())
