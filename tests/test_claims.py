"""kg_claims: the number scanner's candidates (rules, exact) and the learned claims on clear sentences."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

from extractors import contract
from extractors.claims.candidates import number_candidates
from extractors.claims.features import SUBJECT_TYPES, choices
from extractors.claims.patterns import PATTERNS_PATH, ClaimPatterns
from extractors.view import PaperView

PATTERNS = ClaimPatterns.load(PATTERNS_PATH)


@pytest.mark.parametrize(("text", "expected"), [
    # the lost multiplication sign, LaTeX percent, points, ranges kept whole
    ("AdaEAGLE achieves a 1.62times speedup over the vanilla AR decoding.", [("1.62", "x", "single")]),
    ("MustDrop reduces about 88.5\\% FLOPs on LLaVA with a compression ratio of 92.2\\% while keeping accuracy.",
     [("88.5", "%", "single"), ("92.2", "%", "single")]),
    ("we improve by 5 to 10 mIoU points on the COCO dataset", [("5 to 10", "points", "range")]),
    ("a speedup of 2x-3x for quantized implementations", [("2x-3x", "x", "range")]),
    ("It runs 5-40 times faster and is three times smaller.",
     [("5-40", "x", "range"), ("three", "x", "word_multiplier")]),
    # units after the number; the GPU name and the model name are no numbers
    ("DDRNet-23-slim yields 77.4% mIoU at 102 FPS on Cityscapes test set on a single 2080Ti GPU.",
     [("77.4", "%", "single"), ("102", "FPS", "single")]),
    ("PAN has only 272K parameters and DreamFit has 83.4M trainable parameters.",
     [("272K", "params", "single"), ("83.4M", "params", "single")]),
    ("The training can be completed within 200 GPU days, and runs at 10ms per image.",
     [("200", "days", "single"), ("10", "ms", "single")]),
    ("reaching 41 images/s while preserving a FID of 2.27", [("41", "images/s", "single"), ("2.27", "", "single")]),
    ("Model sizes can be reduced by a factor of 4 by quantizing weights to 8-bits.", [("4", "x", "single")]),
    # "from A to B" is two numbers; counts of wins are spelled with words
    ("only a negligible FID increase from 1.95 to 1.98.", [("1.95", "", "from"), ("1.98", "", "to")]),
    ("ARLON outperforms the baseline on eight out of eleven metrics.", [("eight", "", "out_of")]),
    # LaTeX math and markup read as plain text: the unit inside or after the math, the number after "$"
    ("reaching up to 3.4$\\times$ higher return with $27\\%$ fewer tokens",
     [("3.4", "x", "single"), ("27", "%", "single")]),
    ("speed-ups of 1.4--2.3$\\times$ and up to \\textbf{30}\\% less memory",
     [("1.4--2.3", "x", "range"), ("30", "%", "single")]),
    ("a 3.4 $\\times$ speedup", [("3.4", "x", "single")]),
    # a spread lends its unit to the mean, as a list's last item does to the others
    ("an accuracy of 92.67 +/- 0.73% and $81.2 \\pm 1.3\\%$", [("92.67", "%", "single"), ("0.73", "%", "single"),
                                                            ("81.2", "%", "single"), ("1.3", "%", "single")]),
    # a minus sign after a space, a bracket or "=" is a sign, not a name's hyphen
    ("the student retains accuracy (-5.6% mAP) with ICC=-0.15 against GPT-4", [("5.6", "%", "single"),
                                                                             ("0.15", "", "single")]),
    # no number at all: URLs, big-O, names with digits, resolutions
    ("Code is at https://github.com/hyx1999/SAM-Decoding and https://huggingface.co/x/y2.", []),
    ("time complexity of O(1) per step on ICFHR2016 READ", []),
    ("we represent a 256times256 image as an 8times8 feature map", []),
])
def test_number_candidates(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert [(c.value, c.unit, c.role) for c in number_candidates(text, PATTERNS)] == expected


@pytest.mark.parametrize("text", ["Our model reaches 84.6% accuracy, a gain from 80.1% to 84.6%.",
                                  "a $3.4\\times$ speedup and \\textbf{27}\\% less memory ($\\sim$2 GB)"])
def test_candidates_point_into_the_text(text: str) -> None:
    for candidate in number_candidates(text, PATTERNS):
        assert text[candidate.start:candidate.end] == candidate.value


@pytest.mark.parametrize(("abstract", "value", "unit"), [
    ("We propose FastDecode, a decoding method for large language models. FastDecode achieves a 2.5x speedup over "
     "autoregressive decoding on MT-Bench.", "2.5", "x"),
    ("We introduce SegNext, a segmentation network. SegNext reaches 83.1% mIoU on Cityscapes, outperforming "
     "previous methods.", "83.1", "%"),
])
def test_headline_results_are_claims(parse: Callable[..., Doc], abstract: str, value: str, unit: str) -> None:
    claims = contract.claims(parse(abstract))
    assert (value, unit) in {(c.value, c.unit) for c in claims}
    claim = next(c for c in claims if c.value == value)
    assert parse(abstract).text[claim.evidence_start:claim.evidence_end].find(value) >= 0


def test_a_speedup_is_higher_and_about_the_proposed_method(parse: Callable[..., Doc]) -> None:
    doc = parse("We propose FastDecode, a decoding method for large language models. FastDecode achieves a 2.5x "
                "speedup over autoregressive decoding on MT-Bench.")
    entities = {e.id: e for e in contract.entities(doc)}
    mentions = contract.mentions(doc)
    claim = next(c for c in contract.claims(doc) if c.value == "2.5")
    assert claim.direction == "higher"
    assert claim.metric == "speedup"
    assert claim.subject is not None
    subject_forms = {doc[m.start:m.end].text for m in mentions if m.entity == claim.subject}
    assert "FastDecode" in subject_forms and entities[claim.subject].type in ("Method", "Model")


def test_no_claims_without_numbers(parse: Callable[..., Doc]) -> None:
    doc = parse("We study how transformers learn. Our analysis explains several known phenomena.")
    assert contract.claims(doc) == []


def test_a_claim_can_be_about_a_system_or_a_dataset_and_is_measured_on_a_dataset(parse: Callable[..., Doc]) -> None:
    doc = parse("We introduce SegNext, a segmentation network. SegNext reaches 83.1% mIoU on Cityscapes, outperforming "
                "previous methods.")
    view = PaperView.of(doc, contract.mentions(doc), contract.entities(doc), contract.relations(doc))
    candidate = next(c for c in number_candidates(doc.text, PATTERNS) if c.value == "83.1")
    subjects = {view.by_id[c.entity].type for c in choices(view, candidate, "subject") if c.entity is not None}
    datasets = {view.by_id[c.entity].type for c in choices(view, candidate, "dataset") if c.entity is not None}
    assert "Dataset" in subjects and subjects <= SUBJECT_TYPES
    assert datasets == {"Dataset"}


def test_a_metric_named_in_another_sentence_is_one_of_the_claims_metric_choices(parse: Callable[..., Doc]) -> None:
    doc = parse("We measure mean intersection over union (mIoU) on Cityscapes. Our SegNext network reaches 83.1% "
                "there, while the previous best network stays at 80.2%.")
    view = PaperView.of(doc, contract.mentions(doc), contract.entities(doc), contract.relations(doc))
    candidate = next(c for c in number_candidates(doc.text, PATTERNS) if c.value == "83.1")
    named = {c.text for c in choices(view, candidate, "metric") if c.entity is not None}
    metrics = {doc[m.start:m.end].text for m in contract.mentions(doc) if view.by_id[m.entity].type == "Metric"}
    assert metrics and named and named <= metrics


def test_dataset_choices_are_ranked_by_nearness_to_the_number(parse: Callable[..., Doc]) -> None:
    doc = parse("We evaluate SegNext on ImageNet and on Cityscapes. SegNext reaches 83.1% mIoU on Cityscapes.")
    view = PaperView.of(doc, contract.mentions(doc), contract.entities(doc), contract.relations(doc))
    candidate = next(c for c in number_candidates(doc.text, PATTERNS) if c.value == "83.1")
    ranked = {c.text: c.rank for c in choices(view, candidate, "dataset") if c.entity is not None}
    assert ranked == {"Cityscapes": 0, "ImageNet": 1}
