"""The Doc contract: typed records in, the same records out, across serialization."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

from extractors import contract
from extractors.contract import AcronymPair, ClaimRecord, EntityRecord, MentionRecord, RelationRecord


def test_records_round_trip_through_doc_bytes(parse: Callable[..., Doc]) -> None:
    doc = parse("We propose Masked Token Optimization (MTO). MTO reaches 81.7% accuracy on ImageNet.")
    copy = Doc(doc.vocab).from_bytes(doc.to_bytes())
    for reader in (contract.acronyms, contract.mentions, contract.entities, contract.relations, contract.claims):
        assert reader(copy) == reader(doc)
    assert contract.acronyms(doc) and isinstance(contract.acronyms(doc)[0], AcronymPair)
    assert all(isinstance(m, MentionRecord) for m in contract.mentions(doc))
    assert all(isinstance(e, EntityRecord) for e in contract.entities(doc))
    assert all(isinstance(r, RelationRecord) for r in contract.relations(doc))
    assert all(isinstance(c, ClaimRecord) for c in contract.claims(doc))


def test_mentions_point_at_entities_and_tokens(parse: Callable[..., Doc]) -> None:
    doc = parse("We fine-tune BERT on GLUE and SQuAD. BERT improves F1 by 2 points.")
    ids = {e.id for e in contract.entities(doc)}
    assert ids == set(range(len(ids)))
    for mention in contract.mentions(doc):
        assert mention.entity in ids and 0 <= mention.start < mention.end <= len(doc)


def test_unknown_extensions_are_refused(parse: Callable[..., Doc]) -> None:
    with pytest.raises(ValueError, match="unknown kg extension"):
        contract.write(parse("A text."), "kg_other", [])


def test_a_doc_no_component_saw_reads_empty(parse: Callable[..., Doc]) -> None:
    blank = parse("A text.").vocab
    doc = Doc(blank, words=["A", "text"])
    assert contract.mentions(doc) == [] and contract.claims(doc) == []
