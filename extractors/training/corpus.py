"""Annotated abstracts for training and evaluation: loading, the fixed splits, and gold projected onto Docs.

Annotations are pairs ``NAME_abstracts.jsonl`` / ``NAME_gold.jsonl`` (records of ``eval/SCHEMA.md``). A pair
whose NAME contains ``test`` is the test split: nothing trains, tunes or selects on it. The rest is the training
pool, cut into five cross-validation folds by a hash of the paper id (fold 0 is the validation fold).

Gold names entities, not occurrences, so every occurrence of a gold name or alias becomes a mention (found as
the pipeline's repeat rule finds them, :func:`extractors.entities.form_pattern`; longer forms win overlaps); the entity ids follow first occurrence, as the pipeline numbers them.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractors.contract import EntityRecord, MentionRecord
from extractors.entities import form_pattern
from kg.readers import read_papers
from kg.types import Paper

FOLDS = 5
VALIDATION_FOLD = 0


@dataclass(frozen=True, slots=True)
class Annotated:
    """A paper with its gold record and the annotation file it came from."""

    paper: Paper
    gold: dict
    name: str

    @property
    def is_test(self) -> bool:
        """It belongs to the test split."""
        return is_test_name(self.name)

    @property
    def fold(self) -> int:
        """Its cross-validation fold (training pool only)."""
        return fold_of(self.paper.id)


def is_test_name(name: str) -> bool:
    """Annotation files named ``*test*`` hold the test split."""
    return "test" in name


def fold_of(paper_id: str) -> int:
    """A stable fold number from the paper id."""
    return zlib.crc32(paper_id.encode("utf-8")) % FOLDS


def load(folder: Path, *, test: bool = False) -> list[Annotated]:
    """The annotated papers of the training pool (or, with ``test``, of the test split), in file order."""
    out: list[Annotated] = []
    for gold_path in sorted(folder.glob("*_gold.jsonl")):
        name = gold_path.name.removesuffix("_gold.jsonl")
        if is_test_name(name) != test:
            continue
        abstracts = gold_path.with_name(f"{name}_abstracts.jsonl")
        gold = {str(r["id"]): r for r in map(json.loads, gold_path.read_text(encoding="utf-8").splitlines()) if r}
        out += [Annotated(paper, gold[paper.id], name) for paper in read_papers([abstracts]).papers
                if paper.id in gold]
    return out


def gold_spans(doc: Doc, gold: dict) -> list[Span]:
    """Every occurrence of a gold entity's forms as a span labelled with its type; ``span.kb_id_`` is the gold
    entity's index in ``gold["entities"]``. Longer spans win overlaps."""
    found: list[Span] = []
    for index, entity in enumerate(gold.get("entities") or []):
        for form in dict.fromkeys([entity["name"], *(entity.get("aliases") or [])]):
            for match in form_pattern(form).finditer(doc.text):
                start, end = match.span()
                span = (doc.char_span(start, end, label=entity["type"], kb_id=str(index))
                        or doc.char_span(start, end, label=entity["type"], kb_id=str(index),
                                         alignment_mode="contract"))
                if span is not None and len(span):
                    found.append(span)
    return sorted(filter_spans(found), key=lambda s: s.start)


def gold_records(doc: Doc, gold: dict) -> tuple[list[MentionRecord], list[EntityRecord], dict[int, int]]:
    """Gold entities as the contract's records (as if the recognizer were perfect).

    Returns:
        The mentions, the entities (numbered by first mention; gold entities never found in the text are left
        out), and the map from gold entity index to entity id.
    """
    spans = gold_spans(doc, gold)
    ids: dict[int, int] = {}
    for span in spans:
        ids.setdefault(int(span.kb_id_), len(ids))
    golds = gold.get("entities") or []
    entities = [EntityRecord(id=ids[g], type=golds[g]["type"], proposed=bool(golds[g].get("proposed")),
                             proposed_confidence=1.0, canonical="")
                for g in sorted(ids, key=ids.__getitem__)]
    mentions = [MentionRecord(s.start, s.end, ids[int(s.kb_id_)], "gold", 1.0) for s in spans]
    return mentions, entities, ids
