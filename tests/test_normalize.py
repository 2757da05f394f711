"""Metric and dataset normalization: the tables, LaTeX, settings, dates, and claims in canonical terms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.canonical import canonicalize
from kg.metrics_build import build
from kg.normalize import (
    FAMILIES_PATH,
    METRICS_PATH,
    claim_setting,
    dataset_table,
    metric_table,
    paper_date,
    parse_setting,
    read_latex,
)
from kg.schema import EntityType, NodeKind, Predicate
from kg.triples import build_triples
from kg.types import Literal, NodeRef, Paper, PaperRecord, Setting

GAZETTEERS = Path(__file__).resolve().parents[2] / "shared" / "gazetteers"


@pytest.mark.parametrize(("text", "expected"), [
    ("81.7\\%", "81.7%"),
    ("ImageNet 256$\\times$256", "ImageNet 256×256"),
    ("256\\times 256", "256×256"),
    ("1.62times faster", "1.62× faster"),
    ("1.4timessim2times", "1.4×~2×"),
    ("ImageNet 512times512", "ImageNet 512×512"),
    ("3 times faster", "3 times faster"),
    ("Pok{\\'e}mon", "Pokémon"),
    ("F$_1$ of \\textbf{92.1}", "F1 of 92.1"),
    ("$\\sim$2x", "~2x"),
    ("plain text", "plain text"),
])
def test_latex_is_read(text: str, expected: str) -> None:
    assert read_latex(text) == expected


@pytest.mark.parametrize(("phrase", "name", "change", "split", "head"), [
    ("FID", "FID", False, "", False),
    ("FID score", "FID", False, "", False),
    ("FID scores", "FID", False, "", False),
    ("Fréchet Inception Distance", "FID", False, "", False),
    ("accuracy", "accuracy", False, "", False),
    ("top-1 accuracy", "accuracy", False, "", False),
    ("Top-1 Acc", "accuracy", False, "", False),
    ("competitive test accuracy", "accuracy", False, "", False),
    ("ImageNet top-1 accuracy", "accuracy", False, "", True),
    ("top-5 accuracy", "top-5 accuracy", False, "", False),
    ("accuracy drop", "accuracy", True, "", False),
    ("nonnegligible accuracy loss", "accuracy", True, "", True),
    ("validation perplexity", "perplexity", False, "val", False),
    ("pass@1", "pass@1", False, "", False),
    ("mean average precision", "mAP", False, "", False),
    ("mAP@0.5", "AP50", False, "", False),
    ("mean IoU", "mIoU", False, "", False),
    ("BLEU score", "BLEU", False, "", False),
    ("F1 scores", "F1", False, "", False),
    ("macro-F1 score", "macro F1", False, "", False),  # averaged differently: not the F1 leaderboard
    ("validation micro F1", "micro F1", False, "val", False),
    ("speed-up", "speedup", False, "", False),
    ("leading overall score", "score", False, "", False),
    ("word error rate", "WER", False, "", False),
])
def test_metric_phrases_resolve_to_canonical_metrics(phrase: str, name: str, change: bool, split: str,
                                                     head: bool) -> None:
    match = metric_table().resolve(phrase)
    assert match is not None
    assert (match.metric.name, match.change, match.split, match.head) == (name, change, split, head)


@pytest.mark.parametrize("phrase", ["model's performance", "% sparsity", "tokens", "GenEval", "approach", ""])
def test_phrases_that_name_no_metric_resolve_to_none(phrase: str) -> None:
    assert metric_table().resolve(phrase) is None


@pytest.mark.parametrize(("name", "higher", "unit", "leaderboard"), [
    ("FID", False, "", True), ("accuracy", True, "%", True), ("error rate", False, "%", True),
    ("latency", False, "ms", True), ("speedup", True, "x", True), ("pass@1", True, "%", True),
    ("BLEU", True, "", True), ("perplexity", False, "", True), ("parameters", False, "params", False),
    ("FLOPs", False, "", False),
])
def test_metrics_carry_direction_unit_and_whether_they_rank(name: str, higher: bool, unit: str,
                                                            leaderboard: bool) -> None:
    metric = metric_table().get(name)
    assert metric is not None
    assert (metric.higher_is_better, metric.unit, metric.leaderboard) == (higher, unit, leaderboard)


def test_the_table_is_data_with_sources_and_one_row_per_name() -> None:
    rows = [json.loads(line) for line in METRICS_PATH.read_text(encoding="utf-8").splitlines()]
    families = {f["family"] for f in json.loads(FAMILIES_PATH.read_text(encoding="utf-8"))["families"]}
    assert len(rows) >= 100 and len({r["name"] for r in rows}) == len(rows)
    assert all(r["family"] in families and r["sources"] for r in rows)
    assert {s for r in rows for s in r["sources"]} == {"kg_curated", "hf_evaluate", "nlp_progress", "pwc_sota",
                                                        "ibm_tdms"}


@pytest.mark.skipif(not GAZETTEERS.is_dir(), reason="the public gazetteer folder is not on this machine")
def test_the_shipped_table_is_what_the_build_writes() -> None:
    rows, _ = build(GAZETTEERS)
    assert [json.loads(line) for line in METRICS_PATH.read_text(encoding="utf-8").splitlines()] == rows


@pytest.mark.parametrize(("name", "dataset", "setting"), [
    ("ImageNet", "ImageNet", Setting()),
    ("ImageNet-1K", "ImageNet", Setting()),
    ("ImageNet1k", "ImageNet", Setting()),
    ("ILSVRC-2012", "ImageNet", Setting()),
    ("ImageNet 256×256", "ImageNet", Setting(resolution="256×256")),
    ("ImageNet 256$\\times$256", "ImageNet", Setting(resolution="256×256")),
    ("ImageNet 512times512", "ImageNet", Setting(resolution="512×512")),
    ("ImageNet-256", "ImageNet", Setting(resolution="256×256")),
    ("ImageNet-1K 256", "ImageNet", Setting(resolution="256×256")),
    ("ImageNet (64x64)", "ImageNet", Setting(resolution="64×64")),
    ("ImageNet-21K", "ImageNet", Setting(subset="21k")),
    ("ImageNet-A", "ImageNet-A", Setting()),
    ("ImageNet-100", "ImageNet-100", Setting()),
    ("TinyImagenet", "TinyImagenet", Setting()),
    ("CIFAR-10", "CIFAR-10", Setting()),
    ("MS COCO", "COCO", Setting()),
    ("COCO val2017", "COCO", Setting(split="val2017")),
    ("COCO test-dev", "COCO", Setting(split="test-dev")),
    ("FFHQ 1024", "FFHQ", Setting(resolution="1024×1024")),
    ("LibriSpeech test-other", "LibriSpeech", Setting(subset="test-other")),
    ("VOC2007", "PASCAL VOC", Setting(subset="2007")),
    ("MMLU 5-shot", "MMLU", Setting(shots="5-shot")),
    ("DPG", "DPG-Bench", Setting()),
])
def test_dataset_names_split_into_dataset_and_setting(name: str, dataset: str, setting: Setting) -> None:
    assert dataset_table().variant(name) == (dataset, setting)


@pytest.mark.parametrize(("sentence", "number", "dataset", "expected"), [
    ("We directly achieved 2.15 FID on ImageNet 256times256 and 2.84 FID on ImageNet 512times512.", "2.15",
     "ImageNet", "256×256"),
    ("We directly achieved 2.15 FID on ImageNet 256times256 and 2.84 FID on ImageNet 512times512.", "2.84",
     "ImageNet", "512×512"),
    ("DeCo attains FID of 1.62 (256x256) and 2.22 (512x512) on ImageNet.", "1.62", "ImageNet", "256×256"),
    ("DeCo attains FID of 1.62 (256x256) and 2.22 (512x512) on ImageNet.", "2.22", "ImageNet", "512×512"),
    ("On ImageNet 256×256, PixelDiT reaches 1.61 FID.", "1.61", "ImageNet", "256×256"),
    ("It yields 77.4% mIoU at 102 FPS on Cityscapes val set and 74.7% mIoU on CamVid.", "77.4", "Cityscapes", "val"),
    ("It yields 77.4% mIoU at 102 FPS on Cityscapes val set and 74.7% mIoU on CamVid.", "74.7", "CamVid", ""),
    ("On the VQAv2 test-std set, BridgeTower achieves an accuracy of 78.73%.", "78.73", "VQAv2", "test-std"),
    ("It reaches 82.7% in zero-shot ImageNet classification.", "82.7", "ImageNet", "0-shot"),
    ("A test accuracy of 84.6% on the ImageNet-1k benchmark.", "84.6", "ImageNet-1k", ""),
    ("The 5-shot MMLU accuracy of 70.2% and 5.0 ms latency.", "70.2", "MMLU", "5-shot"),
    ("Pretrained on ImageNet-21K, it reaches 88.1% top-1 accuracy.", "88.1", "ImageNet-21K", "21k"),
])
def test_a_claims_setting_is_read_around_its_number(sentence: str, number: str, dataset: str,
                                                    expected: str) -> None:
    numbers = [(sentence.index(n), sentence.index(n) + len(n)) for n in ("2.15", "2.84", "1.62", "2.22", "77.4",
                                                                          "102", "74.7") if n in sentence]
    span = (sentence.index(number), sentence.index(number) + len(number))
    mentions = [(i, i + len(dataset)) for i in range(len(sentence)) if sentence.startswith(dataset, i)]
    assert claim_setting(sentence, span, [n for n in numbers if n != span], mentions).label == expected


@pytest.mark.parametrize(("text", "label"), [("256x256", "256×256"), ("256 × 256", "256×256"), ("5 shot", "5-shot"),
                                             ("zero-shot", "0-shot"), ("21k", "21k"), ("  test-other ", "test-other")])
def test_a_setting_as_users_write_it(text: str, label: str) -> None:
    assert parse_setting(text) == label


@pytest.mark.parametrize(("paper_id", "extra", "date"), [
    ("2401.00001", {}, "2024-01"),
    ("2401.00001v2", {}, "2024-01"),
    ("1904.11093", {"update_date": "2019-05-02"}, "2019-04"),
    ("cs/9912017", {}, "1999-12"),
    ("math.AG/0112017", {}, "2001-12"),
    ("x1", {"versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}]}, "2007-04-02"),
    ("t41281670c46f2604", {"update_date": "2023-11-30"}, "2023-11-30"),
    ("t41281670c46f2604", {}, ""),
])
def test_paper_dates_come_from_metadata_or_the_arxiv_id(paper_id: str, extra: dict, date: str) -> None:
    assert paper_date(Paper(paper_id, "T", "A", "test:1", extra)) == date


# Claims in canonical terms, on hand-made records -------------------------------------------------------------


RECORDS = [
    ("2401.00001", "FastGen reaches 2.1 FID on ImageNet 256×256 and 3.0 FID on ImageNet 512×512.",
     [("Method", "FastGen", ()), ("Dataset", "ImageNet 256×256", ("ImageNet 512×512",)), ("Metric", "FID", ())],
     [("2.1", "", "FID", "FastGen", "ImageNet 256×256", "absolute"),
      ("3.0", "", "FID", "FastGen", "ImageNet 256×256", "absolute")]),
    ("2402.00002", "SlowGen has an FID score of 2.5 on ImageNet-1K at 256x256 and improves FID by 0.4.",
     [("Method", "SlowGen", ()), ("Dataset", "ImageNet-1K", ()), ("Metric", "FID score", ())],
     [("2.5", "", "FID score", "SlowGen", "ImageNet-1K", "absolute"),
      ("0.4", "", "FID", "SlowGen", "ImageNet-1K", "lower")]),
    ("2403.00003", "BigNet reaches 85.0% top-1 accuracy on ImageNet, 1.8x faster, with 86M parameters.",
     [("Model", "BigNet", ()), ("Dataset", "ImageNet", ())],
     [("85.0", "%", "top-1 accuracy", "BigNet", "ImageNet", "absolute"),
      ("1.8", "x", "faster", "BigNet", "ImageNet", "higher"),
      ("86", "params", "parameters", "BigNet", "ImageNet", "absolute")]),
]


@pytest.fixture(scope="module")
def canonical(paper_record) -> tuple[list[PaperRecord], dict]:  # noqa: ANN001 - a conftest factory
    return canonicalize([paper_record(*spec) for spec in RECORDS])


def test_dataset_variants_are_one_node_named_as_the_table_names_it(canonical: tuple[list[PaperRecord], dict]) -> None:
    records, nodes = canonical
    keys = {e.key for r in records for e in r.entities if e.type is EntityType.DATASET}
    assert keys == {"dataset:imagenet"}
    assert nodes["dataset:imagenet"].name == "ImageNet"
    assert {"ImageNet 256×256", "ImageNet-1K"} <= set(nodes["dataset:imagenet"].aliases)


def test_metric_aliases_are_one_node(canonical: tuple[list[PaperRecord], dict]) -> None:
    records, nodes = canonical
    assert {e.key for r in records for e in r.entities if e.type is EntityType.METRIC} == {"metric:fid"}
    assert nodes["metric:fid"].name == "FID" and "FID score" in nodes["metric:fid"].aliases


def test_claims_carry_metric_direction_result_and_setting(canonical: tuple[list[PaperRecord], dict]) -> None:
    records, nodes = canonical
    claims = {c.value: c for r in records for c in r.claims}
    assert [(v, claims[v].metric_key, claims[v].higher_is_better, claims[v].is_result, claims[v].setting.label)
            for v in ("2.1", "3.0", "2.5", "0.4", "85.0", "1.8", "86")] == [
        ("2.1", "metric:fid", False, True, "256×256"),
        ("3.0", "metric:fid", False, True, "512×512"),
        ("2.5", "metric:fid", False, True, "256×256"),
        ("0.4", "metric:fid", False, False, "256×256"),  # an improvement, not a result
        ("85.0", "metric:accuracy", True, True, ""),
        ("1.8", "metric:speedup", True, True, ""),  # a speed-up in x is a result of its own
        ("86", "metric:parameter", False, False, ""),  # a cost, never ranked
    ]
    assert nodes["metric:accuracy"].name == "accuracy" and nodes["metric:accuracy"].papers == ("2403.00003",)
    assert "top-1 accuracy" in nodes["metric:accuracy"].aliases


def test_triples_of_claims_and_their_metrics(canonical: tuple[list[PaperRecord], dict]) -> None:
    triples = build_triples(*canonical)
    by_claim: dict[str, dict[Predicate, object]] = {}
    for t in triples:
        if t.subject.kind is NodeKind.CLAIM:
            value = t.object.key if isinstance(t.object, NodeRef) else t.object.value
            by_claim.setdefault(t.subject.key, {})[t.predicate] = value
    claim = next(c for c in by_claim.values() if c[Predicate.VALUE] == 3.0)
    assert {p: claim.get(p) for p in (Predicate.MEASURES, Predicate.HIGHER_IS_BETTER, Predicate.IS_RESULT,
                                      Predicate.SETTING, Predicate.RESOLUTION, Predicate.MEASURED_ON)} == {
        Predicate.MEASURES: "metric:fid", Predicate.HIGHER_IS_BETTER: False, Predicate.IS_RESULT: True,
        Predicate.SETTING: "512×512", Predicate.RESOLUTION: "512×512", Predicate.MEASURED_ON: "dataset:imagenet"}
    mentions = {(t.provenance.paper_id, t.object.key) for t in triples if t.predicate is Predicate.MENTIONS
                and isinstance(t.object, NodeRef)}
    assert ("2403.00003", "metric:accuracy") in mentions  # a metric only a claim names is mentioned by its paper
    names = [t for t in triples if t.subject.key == "metric:accuracy" and t.predicate is Predicate.NAME]
    assert [t.object for t in names] == [Literal("accuracy")]
    dates = {t.subject.key: t.object for t in triples if t.predicate is Predicate.DATE}
    assert dates == {"paper:2401.00001": Literal("2024-01"), "paper:2402.00002": Literal("2024-02"),
                     "paper:2403.00003": Literal("2024-03")}


def test_node_names_have_their_latex_read(paper_record) -> None:  # noqa: ANN001 - a conftest factory
    record = paper_record("p1", "We release the PixelBytes Pok{\\'e}mon dataset.",
                          [("Dataset", "PixelBytes Pok{\\'e}mon", ())], [])
    _, nodes = canonicalize([record])
    [node] = nodes.values()
    assert (node.key, node.name, node.aliases) == ("dataset:pixelbytes-pokémon", "PixelBytes Pokémon",
                                                   ("PixelBytes Pok{\\'e}mon",))


def test_a_value_in_another_unit_is_no_result_of_the_metric(paper_record) -> None:  # noqa: ANN001
    records, _ = canonicalize([paper_record(
        "2404.00004", "TinyNet reaches 80.1% top-1 accuracy on ImageNet with 900 FLOPs, 1000 classes and 0.79 accuracy.",
        [("Model", "TinyNet", ()), ("Dataset", "ImageNet", ())],
        [("80.1", "%", "top-1 accuracy", "TinyNet", "ImageNet", "absolute"),
         ("900", "FLOPs", "accuracy", "TinyNet", "ImageNet", "absolute"),
         ("1000", "", "accuracy", "TinyNet", "ImageNet", "absolute"),
         ("0.79", "", "accuracy", "TinyNet", "ImageNet", "absolute")])])
    claims = {c.value: c for c in records[0].claims}
    assert {v: (claims[v].metric_key, claims[v].is_result) for v in claims} == {
        "80.1": ("metric:accuracy", True),
        "900": ("metric:accuracy", False),  # FLOPs are no accuracy, whatever the metric phrase says
        "1000": ("metric:accuracy", False),  # a percentage never exceeds 100
        "0.79": ("metric:accuracy", True),  # a fraction is the same result as a percentage
    }


def test_a_share_of_a_baseline_is_no_result(paper_record) -> None:  # noqa: ANN001 - a conftest factory
    records, _ = canonicalize([paper_record(
        "2405.00005", "PrunedNet keeps 99% of its accuracy on ImageNet, reaches 76.1% accuracy there and 92 percent "
        "of the teacher's accuracy, and 70% of 5 runs agree.",
        [("Model", "PrunedNet", ()), ("Dataset", "ImageNet", ())],
        [("99", "%", "accuracy", "PrunedNet", "ImageNet", "absolute"),
         ("76.1", "%", "accuracy", "PrunedNet", "ImageNet", "absolute"),
         ("92", "%", "accuracy", "PrunedNet", "ImageNet", "absolute"),
         ("70", "%", "accuracy", "PrunedNet", "ImageNet", "absolute")])])
    claims = {c.value: c for c in records[0].claims}
    assert {v: claims[v].is_result for v in claims} == {
        "99": False,  # a share of the model's own accuracy before pruning
        "76.1": True,
        "92": False,  # "percent of" is a share too
        "70": True,  # "of" and a number is no baseline phrase
    }
