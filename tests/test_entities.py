"""kg_entities: typed mentions on real sentences of the sample corpus (capture quirks included)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

from extractors.entities import Candidate, _resolve


def _mentions(doc: Doc) -> set[tuple[str, str]]:
    return {(span.text, span.label_) for span in doc.spans["kg_entities"]}


@pytest.mark.parametrize(("abstract", "expected"), [
    # gazetteer names, the "on X" dataset pattern, task heads
    ("Extensive experiments with various deep network models on ImageNet classification and semantic segmentation "
     "demonstrate that the proposed padding scheme consistently outperforms standard zero padding.",
     {("ImageNet", "Dataset"), ("semantic segmentation", "Task")}),
    # acronym: long form and short form, short form typed like the long form everywhere
    ("Multimodal large language models (MLLMs) have advanced rapidly. We adapt MLLMs to dense prediction.",
     {("Multimodal large language models", "Method"), ("MLLMs", "Method")}),
    # "termed"/"called" names, a dataset named by its cue word
    ("We call it partial convolution based padding. We also build two pixel retrieval benchmarks named PROxford "
     "and PRParis.", {("partial convolution based padding", "Method"), ("PROxford", "Dataset"),
                      ("PRParis", "Dataset")}),
    # versioned names are models; "the X dataset"
    ("We fine-tune LLaMA-2-7B and Mistral-7B on the GSM8K dataset and compare with GPT-4.",
     {("LLaMA-2-7B", "Model"), ("Mistral-7B", "Model"), ("GSM8K", "Dataset"), ("GPT-4", "Model")}),
    # metrics, including the lost multiplication sign of the captures
    ("DDRNet-23-slim yields 77.4% mIoU at 102 FPS on Cityscapes test set, and achieves a 1.62times speedup "
     "with lower inference latency.",
     {("mIoU", "Metric"), ("FPS", "Metric"), ("Cityscapes", "Dataset"), ("speedup", "Metric"),
      ("inference latency", "Metric"), ("DDRNet-23-slim", "Model")}),
    # technique vs task for ambiguous heads: "next-token prediction" is a method, "video compression" a task
    ("Autoregressive models trained with next-token prediction are compared with diffusion models for video "
     "compression.",
     {("next-token prediction", "Method"), ("diffusion models", "Method"), ("video compression", "Task")}),
    # a framework cue after the name; an architecture cue before it
    ("We introduce FrozenSeg, a novel framework for open-vocabulary segmentation.",
     {("FrozenSeg", "Method"), ("open-vocabulary segmentation", "Task")}),
    ("To address these challenges, we introduce a novel MoE architecture, BlockFFN, as well as its training "
     "technique.", {("BlockFFN", "Model")}),
    # "called the X": the cue before the naming word types X, and the short form follows the long form
    ("It consists of a plug-and-play EEG encoder called the Adaptive Thinking Mapper (ATM), which is aligned with "
     "image embeddings.", {("Adaptive Thinking Mapper", "Model"), ("ATM", "Model")}),
    # the acronym of an adjective names a class only with its noun: "AR models", never "AR" alone
    ("We introduce AiM, an autoregressive (AR) image generative model. Our best AiM model surpasses all existing AR "
     "models of comparable parameter counts.", {("AR models", "Method")}),
    # a metric at a cut-off is its own entity, not part of the dataset name before it
    ("AR2 improves Natural Questions R@5 to 77.9%, TriviaQA R@5 to 78.2% and MS-MARCO MRR@10 to 39.5%.",
     {("TriviaQA", "Dataset"), ("R@5", "Metric")}),
    # a task named after a known model class keeps both
    ("Our method speeds up LLM inference by 2x.", {("LLM inference", "Task"), ("LLM", "Method")}),
])
def test_expected_mentions(parse: Callable[[str], Doc], abstract: str, expected: set[tuple[str, str]]) -> None:
    assert expected <= _mentions(parse(abstract))


@pytest.mark.parametrize(("abstract", "absent"), [
    # generic words, research fields, hardware, URLs, numbers with units
    ("Our method achieves state-of-the-art performance in computer vision on a single 2080Ti GPU. The code is "
     "available at https://github.com/Gorilla-Lab-SCUT/PaDT.",
     {"method", "state-of-the-art performance", "computer vision", "2080Ti GPU", "GPU",
      "https://github.com/Gorilla-Lab-SCUT/PaDT"}),
    ("Our approach can achieve around 5times speedup, while the baseline introduces only 1.4timessim2times speedup.",
     {"5times", "1.4timessim2times", "approach", "baseline"}),
    ("Unlike autoregressive (AR) decoders, our model runs in parallel; AR decoding is slow.", {"AR"}),
    # a range with units and a "-based" adjective are no names
    ("Our PC-based (de)compression algorithm runs 2x-3x faster than neural compression algorithms.",
     {"2x-3x", "PC-based"}),
    # a capitalized ordinary word is not a name; evaluative adjectives are not part of a metric
    ("Paint with Words gives high image quality with comparable accuracy.", {"Paint", "Words", "high image quality"}),
])
def test_no_generic_mentions(parse: Callable[[str], Doc], abstract: str, absent: set[str]) -> None:
    assert not {text for text, _ in _mentions(parse(abstract))} & absent


@pytest.mark.parametrize(("title", "abstract", "proposed"), [
    ("LANTERN: Accelerating Visual Autoregressive Models with Relaxed Speculative Decoding",
     "We introduce LANTERN, a relaxed speculative decoding method.", {"LANTERN"}),
    ("Masked Token Optimization", "We propose Masked Token Optimization (MTO), a pre-training strategy.",
     {"Masked Token Optimization", "MTO"}),
    ("Pick-or-Mix: Dynamic Channel Sampling for ConvNets",
     "we propose an effective module for dynamic channel sampling, namely Pick-or-Mix (PiX), which is simple.",
     {"Pick-or-Mix", "PiX"}),
    ("A study", "Speculative decoding (SD) accelerates large language model inference.", set()),
])
def test_proposed(parse: Callable[..., Doc], title: str, abstract: str, proposed: set[str]) -> None:
    doc = parse(abstract, title=title)
    found = {span.text for span in doc.spans["kg_proposed"]}
    assert proposed <= found
    if not proposed:
        assert found == set()


def test_spans_carry_rule_confidence_and_gazetteer_name(parse: Callable[[str], Doc]) -> None:
    doc = parse("We compare with convolutional neural networks and ConvNets on ImageNet.")
    group = doc.spans["kg_entities"]
    assert len(group.attrs["confidence"]) == len(group)
    by_text = {span.text: span for span in group}
    assert by_text["ImageNet"].id_ == "gazetteer" and by_text["ImageNet"].kb_id_ == "ImageNet"
    assert by_text["ConvNets"].kb_id_ == by_text["convolutional neural networks"].kb_id_
    assert all(0.0 < c <= 1.0 for c in group.attrs["confidence"])


@pytest.mark.parametrize(("title", "task"), [
    # qualifiers before a known task are dropped; "3D" makes a task of its own
    ("Paraformer: Parallel Transformer for Non-autoregressive End-to-End Speech Recognition", "Speech Recognition"),
    ("Sparse Queries for Monocular 3D Object Detection", "Monocular 3D Object Detection"),
])
def test_over_qualified_tasks_keep_the_known_task(parse: Callable[..., Doc], title: str, task: str) -> None:
    tasks = {text for text, label in _mentions(parse("We study it.", title=title)) if label == "Task"}
    assert task in tasks


def test_a_title_name_is_typed_by_the_noun_after_the_colon(parse: Callable[..., Doc]) -> None:
    doc = parse("We propose PEPSI++, which is fast.", title="PEPSI++: Fast and Lightweight Network for Image Inpainting")
    assert ("PEPSI++", "Model") in _mentions(doc)


@pytest.mark.parametrize(("long_confidence", "winner"), [(0.85, "discrete diffusion models"), (0.6, "diffusion models")])
def test_sure_phrases_keep_their_modifiers(parse: Callable[[str], Doc], long_confidence: float, winner: str) -> None:
    doc = parse("ARDMs need fewer steps than discrete diffusion models.")
    start = next(t.i for t in doc if t.text == "discrete")
    phrase = Candidate(start, start + 3, "Method", "phrase:method_head", long_confidence)
    known = Candidate(start + 1, start + 3, "Method", "gazetteer", 0.97)
    assert [doc[c.start:c.end].text for c in _resolve(doc, [known, phrase], by_confidence=True)] == [winner]
