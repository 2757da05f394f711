"""kg_relations: which entity pairs are candidates, the features they get, and the trained classifier on clear
abstracts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

from extractors import contract
from extractors.contract import EntityRecord
from extractors.relations import pair_features
from extractors.view import PaperView, allowed_labels


@pytest.mark.parametrize(("head", "tail", "allowed"), [
    ("Method", "Dataset", ("evaluated_on", "uses")),
    ("Model", "Task", ("addresses",)),
    ("Method", "Model", ("outperforms", "uses")),
    ("Model", "Metric", ()),
    ("Dataset", "Task", ()),
    ("Task", "Method", ()),
])
def test_allowed_labels_follow_the_schema(head: str, tail: str, allowed: tuple[str, ...]) -> None:
    assert allowed_labels(head, tail) == allowed


ABSTRACT = ("We propose FlashNet, a network for image super-resolution. FlashNet is evaluated on Set5 and "
            "Urban100, where it outperforms SwinIR. FlashNet builds on the Transformer.")


def _named(doc: Doc) -> dict[int, str]:
    names: dict[int, str] = {}
    for m in contract.mentions(doc):
        names.setdefault(m.entity, doc[m.start:m.end].text)
    return names


def test_pairs_are_every_system_with_every_allowed_tail(parse: Callable[..., Doc]) -> None:
    doc = parse(ABSTRACT, title="FlashNet: Fast Image Super-Resolution")
    view = PaperView.of(doc, contract.mentions(doc), contract.entities(doc))
    pairs = list(view.pairs())
    assert pairs
    for head, tail, allowed in pairs:
        assert head.type in ("Method", "Model") and head.id != tail.id
        assert allowed == allowed_labels(head.type, tail.type)
        features = pair_features(view, head, tail)
        assert features == pair_features(view, head, tail)  # deterministic
        assert f"types={head.type}>{tail.type}" in features


def test_the_proposed_network_is_evaluated_on_the_datasets_it_names(parse: Callable[..., Doc]) -> None:
    doc = parse(ABSTRACT, title="FlashNet: Fast Image Super-Resolution")
    names = _named(doc)
    found = {(r.type, names[r.head], names[r.tail]) for r in contract.relations(doc)}
    assert ("evaluated_on", "FlashNet", "Urban100") in found
    assert ("addresses", "FlashNet", "image super-resolution") in {(t, h, n.lower()) for t, h, n in found}
    for relation in contract.relations(doc):
        assert 0.0 <= relation.confidence <= 1.0
        assert relation.rule == "model"


def test_the_view_names_the_relations_each_entity_takes_part_in(parse: Callable[..., Doc]) -> None:
    doc = parse(ABSTRACT, title="FlashNet: Fast Image Super-Resolution")
    ids = {name: entity for entity, name in _named(doc).items()}
    view = PaperView.of(doc, contract.mentions(doc), contract.entities(doc), contract.relations(doc))
    flashnet, urban = ids["FlashNet"], ids["Urban100"]
    assert f"evaluated_on:tail:{'main' if view.main == flashnet else 'other'}" in view.roles[urban]
    assert "evaluated_on:head:other" in view.roles[flashnet]
    assert PaperView.of(doc, contract.mentions(doc), contract.entities(doc)).roles == {}


def test_every_item_of_a_list_gets_the_words_that_introduce_the_list(parse: Callable[..., Doc]) -> None:
    doc = parse(ABSTRACT, title="FlashNet: Fast Image Super-Resolution")
    ids = {name: entity for entity, name in _named(doc).items()}
    view = PaperView.of(doc, contract.mentions(doc), contract.entities(doc))
    flashnet, set5, urban = (view.by_id[ids[name]] for name in ("FlashNet", "Set5", "Urban100"))
    first, second = pair_features(view, flashnet, set5), pair_features(view, flashnet, urban)
    assert "tail_prep=on|Method>Dataset" in first or "tail_prep=on|Model>Dataset" in first
    assert {f for f in first if f.startswith("tail_prep=")} == {f for f in second if f.startswith("tail_prep=")}


def test_a_pair_named_together_in_two_sentences_is_read_in_both(parse: Callable[..., Doc]) -> None:
    doc = parse("We propose FlashNet for image super-resolution. FlashNet beats SwinIR on Set5. "
                "With half the parameters, FlashNet also outperforms SwinIR on Urban100.",
                title="FlashNet: Fast Image Super-Resolution")
    ids = {name: entity for entity, name in _named(doc).items()}
    view = PaperView.of(doc, contract.mentions(doc), contract.entities(doc))
    features = pair_features(view, view.by_id[ids["FlashNet"]], view.by_id[ids["SwinIR"]])
    between = {f.split("|")[0] for f in features if f.startswith("between=")}
    assert {"between=beat", "between=outperform"} <= between


def test_a_pair_whose_names_share_words_says_which_name_holds_the_other(parse: Callable[..., Doc]) -> None:
    doc = parse("We propose FlashNet-ViT, a network for image super-resolution that builds on ViT. FlashNet-ViT is "
                "evaluated on Set5, where it outperforms SwinIR.", title="FlashNet-ViT: Fast Image Super-Resolution")
    ids = {name: entity for entity, name in _named(doc).items()}
    view = PaperView.of(doc, contract.mentions(doc), contract.entities(doc))
    flashnet, vit, swinir = (view.by_id[ids[name]] for name in ("FlashNet-ViT", "ViT", "SwinIR"))

    def overlap(head: EntityRecord, tail: EntityRecord) -> set[str]:
        return {f.split("|")[0] for f in pair_features(view, head, tail) if f.startswith("overlap=")}

    assert overlap(flashnet, vit) == {"overlap=tail_in_head"}
    assert overlap(vit, flashnet) == {"overlap=head_in_tail"}
    assert overlap(flashnet, swinir) == {"overlap=none"}
