"""kg_entities: the rule table around the recognizer (acronyms, repeats, generic words), grouping into entities,
and the trained recognizer on clear sentences."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors import contract
from extractors.boundaries import KEEP, DocTokens
from extractors.clusters import WordClusters
from extractors.entities import CHUNK, TITLE_NAME, DocFacts, EntityAssembler, EntityRules
from extractors.gazetteer import packaged
from extractors.linear import HASH_BUCKETS, LinearModel, hashed
from extractors.syntax import syntax
from extractors.training.corpus import Annotated
from extractors.training.examples import boundary_examples
from kg.types import Paper
from kg.pipeline import build_nlp
from kg.settings import Settings
from kg.types import TITLE_SEPARATOR


@pytest.fixture(scope="module")
def base_nlp() -> Language:
    """The base pipeline (parser, title boundary, acronyms) without the recognizer."""
    return build_nlp(Settings(n_process=1), components=())


@pytest.fixture(scope="module")
def assemble_entities(nlp: Language, base_nlp: Language) -> Callable[..., Doc]:
    """Parse a text, give it the recognizer's spans by hand, and run ``kg_entities`` alone."""
    component = nlp.get_pipe("kg_entities")

    def run(abstract: str, ents: list[tuple[str, str]], title: str = "A paper") -> Doc:
        return component(_with_ents(base_nlp(f"{title}{TITLE_SEPARATOR}{abstract}"), ents))

    return run


def _bare(boundaries: LinearModel | None = None) -> EntityAssembler:
    return EntityAssembler(EntityRules.load(), packaged(), precision={}, refine=None, proposed=None, clusters=None,
                           boundaries=boundaries)


def _with_ents(doc: Doc, ents: list[tuple[str, str]]) -> Doc:
    """Give a Doc the recognizer's spans by hand: each text's first occurrence, with its label."""
    spans = []
    for text, label in ents:
        start = doc.text.index(text)
        span = doc.char_span(start, start + len(text), label=label)
        assert span is not None, text
        spans.append(span)
    doc.ents = spans
    return doc


def _entities(doc: Doc) -> dict[str, tuple[str, set[str], set[str]]]:
    """Entity type, surface forms and rules by the entity's first form."""
    mentions = contract.mentions(doc)
    out = {}
    for entity in contract.entities(doc):
        own = [m for m in mentions if m.entity == entity.id]
        forms = {doc[m.start:m.end].text for m in own}
        out[doc[own[0].start:own[0].end].text] = (entity.type, forms, {m.rule for m in own})
    return out


def test_an_acronym_takes_its_long_forms_type_and_entity(assemble_entities: Callable[..., Doc]) -> None:
    doc = assemble_entities("We propose Masked Token Optimization (MTO) for pruning. MTO is fast.",
                            [("Masked Token Optimization", "Method")])
    entities = _entities(doc)
    assert entities["Masked Token Optimization"][0] == "Method"
    assert entities["Masked Token Optimization"][1] == {"Masked Token Optimization", "MTO"}
    assert {"ner", "acronym_short", "repeat"} <= entities["Masked Token Optimization"][2]


def test_a_long_form_follows_its_recognized_acronym(assemble_entities: Callable[..., Doc]) -> None:
    doc = assemble_entities("Speculative decoding (SD) accelerates inference.", [("SD", "Method")])
    assert _entities(doc)["Speculative decoding"][1] == {"Speculative decoding", "SD"}


def test_every_occurrence_is_a_mention(assemble_entities: Callable[..., Doc]) -> None:
    doc = assemble_entities("We train on ImageNet. Results on ImageNet and on imagenet differ.",
                            [("ImageNet", "Dataset")])
    assert _entities(doc)["ImageNet"][0] == "Dataset"
    repeated = [doc[m.start:m.end].text for m in contract.mentions(doc) if m.rule in ("ner", "repeat")]
    assert repeated == ["ImageNet", "ImageNet"]  # exact case for names: the repeat rule skips "imagenet"


def test_lower_case_terms_repeat_in_any_case_and_plural(assemble_entities: Callable[..., Doc]) -> None:
    doc = assemble_entities("Large language models are strong. A large language model can reason.",
                            [("Large language models", "Method")])
    (_, forms, _), = _entities(doc).values()
    assert forms == {"Large language models", "large language model"}


def test_generic_words_are_dropped(assemble_entities: Callable[..., Doc]) -> None:
    doc = assemble_entities("Our method beats the baseline on COCO.", [("method", "Method"), ("COCO", "Dataset")])
    assert set(_entities(doc)) == {"COCO"}
    assert "method" in EntityRules.load().drop


def test_gazetteer_names_and_noun_chunks_are_candidates(nlp: Language, base_nlp: Language) -> None:
    doc = base_nlp(f"A paper{TITLE_SEPARATOR}A lightweight convolutional encoder is evaluated on ImageNet.")
    candidates = {doc[c.found[0].start:c.found[0].end].text: (c.found[0].rule, c.votes)
                  for c in nlp.get_pipe("kg_entities").candidates(doc)}
    assert candidates["ImageNet"][0] == "gazetteer" and "Dataset" in candidates["ImageNet"][1]
    chunk = next(text for text in candidates if "convolutional encoder" in text)  # the boundary classifier's edges
    assert candidates[chunk] == ("chunk", {CHUNK: EntityRules.load().confidence["chunk"]})


@pytest.mark.parametrize(("title", "expected"), [
    ("Hakim: Farsi Text Embedding Model", "Hakim"),
    ("M-GroSE v2: Grounded Answers", "M-GroSE v2"),
    ("Towards Trustworthy Selective Generation: A Study", None),  # longer than the rule's max_words
    ("Hakim for Farsi Text Embedding", None),  # no colon
])
def test_a_short_name_before_the_titles_colon_is_an_untyped_candidate(base_nlp: Language, title: str,
                                                                      expected: str | None) -> None:
    doc = base_nlp(f"{title}{TITLE_SEPARATOR}We evaluate it: Hakim is fast.")
    found = [c for c in _bare().candidates(doc) if any(f.rule == "title_name" for f in c.found)]
    assert [doc[c.found[0].start:c.found[0].end].text for c in found] == ([expected] if expected else [])
    assert all(TITLE_NAME in c.votes for c in found)


@pytest.mark.parametrize(("title", "head"), [
    ("PassBench: A Large-Scale Benchmark for Battery Passports", "benchmark"),
    ("PassBench: Farsi Text Embedding Models", "model"),
    ("PassBench without a colon", "-"),
])
def test_the_refining_classifier_reads_a_title_names_subtitle_and_apposition(base_nlp: Language, title: str,
                                                                            head: str) -> None:
    doc = base_nlp(f"{title}{TITLE_SEPARATOR}We present PassBench, a new dataset of battery passports.")
    facts = DocFacts.of(doc)
    assert facts.title_head == head
    features = {c.found[0].rule: set(c.features(doc, facts, None)) for c in _bare().candidates(doc)}
    if head == "-":
        assert "title_name" not in features
    else:
        assert f"title_head={head}|{TITLE_NAME}" in features["title_name"]
        assert "appos=dataset" in features["title_name"]  # "PassBench, a new dataset"


def test_without_the_classifier_no_title_name_becomes_an_entity(base_nlp: Language) -> None:
    doc = _bare()(base_nlp(f"Hakim: Farsi Text Embedding Model{TITLE_SEPARATOR}Hakim embeds text."))
    assert "title_name" not in {m.rule for m in contract.mentions(doc)}


def test_without_the_classifier_no_noun_chunk_becomes_an_entity(base_nlp: Language) -> None:
    assembler = EntityAssembler(EntityRules.load(), packaged(), precision={}, refine=None, proposed=None,
                                clusters=None, boundaries=None)
    doc = assembler(base_nlp(f"A paper{TITLE_SEPARATOR}A lightweight convolutional encoder is evaluated on ImageNet."))
    rules = {m.rule for m in contract.mentions(doc)}
    assert rules == {"gazetteer"}
    assert [e.type for e in contract.entities(doc)] == ["Dataset"]


def test_forms_of_one_name_are_one_entity_with_the_gazetteer_name(assemble_entities: Callable[..., Doc]) -> None:
    doc = assemble_entities("We compare GPT-4 with LLaMA-2. GPT-4 wins.", [("GPT-4", "Model"), ("LLaMA-2", "Model")])
    entities = contract.entities(doc)
    assert len(entities) == 2
    assert {e.canonical for e in entities} >= {"GPT-4"}


def test_without_the_classifier_the_type_is_the_confidence_weighted_vote(base_nlp: Language) -> None:
    doc = _with_ents(base_nlp(f"A paper{TITLE_SEPARATOR}BERT is a model. We fine-tune BERT on GLUE."),
                     [("BERT", "Model"), ("GLUE", "Dataset")])
    types = {t for t, _, _ in _entities(_bare()(doc)).values()}
    assert types == {"Model", "Dataset"}


@pytest.mark.parametrize(("abstract", "expected"), [
    ("We fine-tune BERT and RoBERTa on the GLUE benchmark.",
     {("BERT", "Model"), ("RoBERTa", "Model"), ("GLUE", "Dataset")}),
    ("Our detector improves object detection on COCO, measured by mAP.",
     {("object detection", "Task"), ("COCO", "Dataset"), ("mAP", "Metric")}),
])
def test_the_recognizer_finds_clear_names(parse: Callable[..., Doc], abstract: str,
                                          expected: set[tuple[str, str]]) -> None:
    doc = parse(abstract)
    types = {e.id: e.type for e in contract.entities(doc)}
    found = {(doc[m.start:m.end].text, types[m.entity]) for m in contract.mentions(doc)}
    assert expected <= found


def test_the_paper_proposes_the_name_it_introduces(parse: Callable[..., Doc]) -> None:
    doc = parse("We propose FlashNet, a novel network for image super-resolution. FlashNet outperforms SwinIR.",
                title="FlashNet: Fast Image Super-Resolution")
    mentions = contract.mentions(doc)
    proposed = {doc[m.start:m.end].text for e in contract.entities(doc) if e.proposed
                for m in mentions if m.entity == e.id}
    assert "FlashNet" in proposed
    assert "SwinIR" not in proposed


def _leaning(labels: tuple[str, ...], feature: str, toward: str) -> LinearModel:
    """A boundary classifier that picks ``toward`` for spans with ``feature`` and keeps the others."""
    weights = np.zeros((HASH_BUCKETS, len(labels)), dtype=np.float32)
    weights[hashed([feature])[0], labels.index(toward)] = 10.0
    bias = np.zeros(len(labels), dtype=np.float32)
    bias[labels.index(KEEP)] = 1.0
    return LinearModel(labels, weights, bias)


def test_the_boundary_classifier_moves_the_edges_of_a_recognized_span(base_nlp: Language) -> None:
    text = f"A paper{TITLE_SEPARATOR}We study robust keypoint extraction and Dense Pose Estimation."
    doc = _with_ents(base_nlp(text), [("robust keypoint extraction", "Task"), ("Dense Pose Estimation", "Task")])
    _bare(_leaning((KEEP, "drop1"), "first=robust", "drop1"))(doc)
    forms = {doc[m.start:m.end].text for m in contract.mentions(doc)}
    assert {"keypoint extraction", "Dense Pose Estimation"} <= forms
    assert "robust keypoint extraction" not in forms


def test_no_boundary_variant_ends_on_punctuation(base_nlp: Language) -> None:
    doc = base_nlp(f"A paper{TITLE_SEPARATOR}We fine-tune BERT, a language model.")
    bert = next(t.i for t in doc if t.text == "BERT")
    spans = _bare().boundaries.spans(DocTokens.of(doc), bert, bert + 1)
    assert spans[KEEP] == (bert, bert + 1)
    assert "addnext" not in spans and spans["addprev"] == (bert - 1, bert + 1)


def test_boundary_examples_name_the_variant_the_gold_record_writes(base_nlp: Language) -> None:
    doc = _with_ents(base_nlp(f"A paper{TITLE_SEPARATOR}We study robust keypoint extraction on COCO."),
                     [("robust keypoint extraction", "Task"), ("COCO", "Dataset")])
    paper = Paper(id="p1", title="A paper", abstract="We study robust keypoint extraction on COCO.", source="t:1")
    gold = {"entities": [{"name": "keypoint extraction", "type": "Task"}, {"name": "COCO", "type": "Dataset"}]}
    examples = boundary_examples([(Annotated(paper, gold, "t_gold.jsonl"), doc)], _bare())
    by_first = {next(f for f in row if f.startswith("first=")): label
                for row, label in zip(examples.rows, examples.labels, strict=True) if "finder=ner" in row}
    assert by_first == {"first=robust": "drop1", "first=coco": KEEP}


def test_word_clusters_place_any_word_alike_when_fitted_and_loaded(nlp: Language, tmp_path: Path) -> None:
    words = ["detection", "segmentation", "recognition", "accuracy", "precision", "recall", "imagenet", "transformer"]
    clusters = WordClusters.fit(words, nlp.vocab, sizes=(3, 5))
    clusters.save(tmp_path / "clusters.npz")
    loaded = WordClusters.load(tmp_path / "clusters.npz", nlp.vocab)
    assert loaded is not None
    for word in [*words, "Hyperparameterless", "ZeroShotness"]:
        assert loaded.of(word) == clusters.of(word)
    assert all(0 <= i < k for i, k in zip(loaded.of("ZeroShotness"), (3, 5), strict=True))
    assert loaded.features("head", "Detection", "Task") == [f"head_c3={loaded.of('detection')[0]}|Task",
                                                            f"head_c5={loaded.of('detection')[1]}|Task"]


def test_the_pipeline_reads_word_clusters_and_moves_edges(nlp: Language) -> None:
    component = nlp.get_pipe("kg_entities")
    assert component.clusters is not None and component.boundaries.model is not None


def test_syntax_is_the_parse_and_is_read_once_per_doc(parse) -> None:  # noqa: ANN001 - fixture
    doc = parse("We propose FlashNet. It beats the strong baselines on Set5.", title="FlashNet")
    parsed = syntax(doc)
    assert [s.text for s in parsed.sentences] == [s.text for s in doc.sents]
    assert [c.text for c in parsed.noun_chunks] == [c.text for c in doc.noun_chunks]
    assert [parsed.sentences[parsed.sentence_of[t.i]].start for t in doc] == [t.sent.start for t in doc]
    other = parse("We propose FlashNet. It beats the strong baselines on Set5.", title="FlashNet")
    assert syntax(other).sentence_of is not parsed.sentence_of and syntax(doc).sentence_of is parsed.sentence_of
    alive = weakref.ref(doc)
    del doc, parsed
    gc.collect()
    assert alive() is None  # the memo does not keep the Doc
