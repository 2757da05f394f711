"""``kg_title_boundary``: the title is one sentence and the abstract starts a new one."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.types import TITLE_SEPARATOR


@Language.factory("kg_title_boundary", assigns=["token.is_sent_start"])
def make_title_boundary(nlp: Language, name: str) -> TitleBoundary:
    """Create the component; put it before the parser, which keeps boundaries set earlier."""
    return TitleBoundary()


class TitleBoundary:
    """Presets sentence starts around the blank line that ends the title.

    The title's tokens never start a sentence ("SpecTr: Fast Speculative Decoding" is one), the first token
    of the abstract always does, and the second never does: left to itself the parser sometimes splits
    "Speculative | decoding (SD) accelerates ..." right after a preset boundary.
    """

    def __call__(self, doc: Doc) -> Doc:
        cut = doc.text.find(TITLE_SEPARATOR)
        if cut < 0:
            return doc
        for token in doc:
            if token.idx > cut and not token.is_space:
                token.is_sent_start = True
                if token.i + 1 < len(doc):
                    doc[token.i + 1].is_sent_start = False
                break
            if token.i > 0 and not token.is_space:
                token.is_sent_start = False
        return doc
