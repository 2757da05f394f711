"""kg_acronyms: long and short forms defined together, on sentences of the sample corpus."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

from extractors import contract


@pytest.mark.parametrize(("sentence", "pairs"), [
    ("Driven by the success of Masked Language Modeling (MLM), the realm of self-supervised learning grows.",
     [("Masked Language Modeling", "MLM")]),
    ("To overcome these challenges, we introduce Patch-as-Decodable Token (PaDT), a unified paradigm.",
     [("Patch-as-Decodable Token", "PaDT")]),
    ("we propose an effective module for dynamic channel sampling, namely Pick-or-Mix (PiX), which works.",
     [("Pick-or-Mix", "PiX")]),
    ("Speculative decoding (SD) accelerates large language model inference.", [("Speculative decoding", "SD")]),
    ("Multimodal large language models (MLLMs) have advanced rapidly in recent years.",
     [("Multimodal large language models", "MLLMs")]),
    ("Channel pruning approaches for convolutional neural networks (ConvNets) deactivate the channels.",
     [("convolutional neural networks", "ConvNets")]),
    ("We use PiX (Pick-or-Mix) in every block.", [("Pick-or-Mix", "PiX")]),
    ("We propose Sorted Speculative Decoding (S2D) for multi-target models.", [("Sorted Speculative Decoding", "S2D")]),
    # no pair: a unit or a word in parentheses, or letters that do not match
    ("a comprehensive dataset of over 16M (million) synthetically generated captions", []),
    ("the picking decision is made per pixel (see Figure 2) based on the input", []),
    ("We evaluate the model (BERT) on several tasks.", []),
])
def test_pairs(parse: Callable[[str], Doc], sentence: str, pairs: list[tuple[str, str]]) -> None:
    doc = parse(sentence)
    found = [(doc[p.long_start:p.long_end].text, doc[p.short_start:p.short_end].text) for p in contract.acronyms(doc)]
    assert found == pairs
