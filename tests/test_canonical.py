"""Cross-paper canonicalization: one node per thing, stable keys."""

from __future__ import annotations

import pytest

from kg.canonical import canonicalize, is_acronym
from kg.ids import entity_key, normalize, singular, slug
from kg.schema import EntityType
from kg.types import Mention, Paper, PaperEntity, PaperRecord, Provenance


def _entity(type_name: str, name: str, *aliases: str, canonical: str = "") -> PaperEntity:
    prov = Provenance("p", 1, 0, len(name), "test", 1.0, name)
    return PaperEntity(type=EntityType(type_name), name=name, aliases=aliases, proposed=False,
                       mentions=(Mention(EntityType(type_name), name, prov),), canonical=canonical)


def _record(paper_id: str, *entities: PaperEntity) -> PaperRecord:
    return PaperRecord(paper=Paper(paper_id, f"Title {paper_id}", "Abstract.", "test:1"),
                       entities=entities, relations=(), claims=())


def _keys(*records: PaperRecord) -> list[list[str]]:
    out, _ = canonicalize(list(records))
    return [[e.key for e in r.entities] for r in out]


@pytest.mark.parametrize(("a", "b"), [
    (("Method", "speculative decoding"), ("Method", "Speculative Decoding")),  # case
    (("Method", "pre-training"), ("Method", "pretraining")),  # hyphen
    (("Method", "large language model"), ("Method", "Large Language Models")),  # plural
    (("Method", "mixture-of-experts"), ("Method", "Mixture of Experts")),  # hyphens vs spaces
])
def test_variants_become_one_node(a: tuple[str, str], b: tuple[str, str]) -> None:
    keys = _keys(_record("p1", _entity(*a)), _record("p2", _entity(*b)))
    assert keys[0] == keys[1]


def test_acronym_joins_its_long_form_across_papers() -> None:
    keys = _keys(_record("p1", _entity("Method", "large language models", "LLMs")),
                 _record("p2", _entity("Method", "LLMs")))
    assert keys[0] == keys[1] == ["method:large-language-model"]


def test_same_acronym_of_different_types_stays_apart() -> None:
    keys = _keys(_record("p1", _entity("Method", "speculative decoding", "SD")),
                 _record("p2", _entity("Model", "Stable Diffusion", "SD")))
    assert keys[0] != keys[1]


def test_gazetteer_canonical_name_joins_unrelated_forms() -> None:
    keys = _keys(_record("p1", _entity("Method", "ConvNets", canonical="convolutional neural networks")),
                 _record("p2", _entity("Method", "convolutional neural networks", "CNNs")))
    assert keys[0] == keys[1]


def test_different_things_stay_apart() -> None:
    keys = _keys(_record("p1", _entity("Model", "PixelCNN++")), _record("p2", _entity("Model", "PixelCNN")))
    assert keys[0] != keys[1]


def test_node_type_is_the_majority_and_name_the_most_frequent_full_form() -> None:
    records = [_record("p1", _entity("Model", "Transformer")), _record("p2", _entity("Method", "Transformers")),
               _record("p3", _entity("Method", "transformer"))]
    out, nodes = canonicalize(records)
    node = nodes[out[0].entities[0].key]
    assert node.type is EntityType.METHOD and node.key == "method:transformer"
    assert node.papers == ("p1", "p2", "p3")
    assert set(node.aliases) == {"Transformer", "Transformers", "transformer"} - {node.name}


def test_keys_do_not_depend_on_input_order() -> None:
    a = _record("p1", _entity("Method", "Masked Token Optimization", "MTO"))
    b = _record("p2", _entity("Method", "masked token optimization"))
    assert _keys(a, b)[0] == _keys(b, a)[1]


@pytest.mark.parametrize(("word", "expected"), [
    ("models", "model"), ("llms", "llm"), ("strategies", "strategy"), ("processes", "process"), ("caches", "cache"),
    ("matches", "match"), ("loss", "loss"), ("analysis", "analysis"), ("series", "series"), ("bias", "bias")])
def test_singular(word: str, expected: str) -> None:
    assert singular(word) == expected


def test_key_and_normal_forms() -> None:
    assert normalize("Large-Language Models") == normalize("large language model") == "largelanguagemodel"
    assert normalize("PixelCNN++") != normalize("PixelCNN")
    assert slug("Masked Token Optimization") == "masked-token-optimization"
    assert entity_key("Method", "Speculative Decoding") == "method:speculative-decoding"
    assert slug("!!!").startswith("x")
    assert is_acronym("LLMs") and is_acronym("PiX") and not is_acronym("Transformer")


def test_an_acronym_with_two_meanings_keeps_them_apart() -> None:
    records = [_record("p1", _entity("Method", "masked autoencoders", "MAE")),
               _record("p2", _entity("Method", "mean absolute error", "MAE")),
               _record("p3", _entity("Method", "masked autoencoders", "MAE")),
               _record("p4", _entity("Method", "MAE"))]
    keys = _keys(*records)
    assert keys[0] == keys[2] == keys[3] == ["method:masked-autoencoder"]  # a bare use joins the majority
    assert keys[1] == ["method:mean-absolute-error"]
    assert _keys(*reversed(records)) == list(reversed(keys))


def test_an_acronym_canonical_name_links_within_its_type_only() -> None:
    keys = _keys(_record("p1", _entity("Metric", "MAE")),
                 _record("p2", _entity("Method", "masked autoencoders", "MAE", canonical="MAE")),
                 _record("p3", _entity("Metric", "mean absolute error")))
    assert keys[0] == keys[2] != keys[1]
