"""Record layouts of JSON inputs: which fields hold a paper's id, title and abstract.

Read layouts (first field present wins):

* arXiv metadata snapshot and captures converted to JSON Lines: ``id``, ``title``, ``abstract``;
* arXiv API records as JSON: ``summary`` for the abstract;
* Semantic Scholar Graph API papers: ``paperId``, ``title``, ``abstract``;
* OpenAlex works: ``id`` (``https://openalex.org/W...``), ``display_name`` or ``title``, and the abstract as
  ``abstract_inverted_index`` (word -> positions), rebuilt into text here.
"""

from __future__ import annotations

from typing import Any

ID_FIELDS = ("id", "paperId")
TITLE_FIELDS = ("title", "display_name")
ABSTRACT_FIELDS = ("abstract", "summary", "abstract_inverted_index")
MAX_INVERTED_WORDS = 20_000
"""Most word positions rebuilt from an inverted index (a paper is at most 20,000 characters)."""

_OPENALEX = "https://openalex.org/"


def pick(record: dict[str, Any], names: tuple[str, ...]) -> tuple[str, Any] | None:
    """The first of ``names`` that ``record`` has with a non-empty value, and that value."""
    for name in names:
        value = record.get(name)
        if value not in (None, "", {}):
            return name, value
    return None


def paper_id(name: str, value: Any) -> Any:
    """The id as kg keeps it: an OpenAlex work URL becomes its short id (``W2741809807``)."""
    if name == "id" and isinstance(value, str) and value.startswith(_OPENALEX):
        return value.removeprefix(_OPENALEX)
    return value


def abstract_text(name: str, value: Any) -> Any:
    """The abstract as text: an OpenAlex inverted index is put back in word order; other values as given.

    Raises:
        ValueError: an inverted index that is not ``{word: [position, ...]}`` or holds too many positions.
    """
    if name != "abstract_inverted_index":
        return value
    if not isinstance(value, dict):
        raise ValueError("abstract_inverted_index must be an object of word -> positions")
    slots: dict[int, str] = {}
    for word, positions in value.items():
        if not isinstance(positions, list) or not all(isinstance(p, int) and not isinstance(p, bool) and p >= 0
                                                      for p in positions):
            raise ValueError(f"abstract_inverted_index entry {word[:40]!r} is not a list of positions")
        for position in positions:
            slots[position] = word
        if len(slots) > MAX_INVERTED_WORDS:
            raise ValueError(f"abstract_inverted_index holds over {MAX_INVERTED_WORDS:,} words")
    return " ".join(slots[p] for p in sorted(slots))


def looked_for() -> str:
    """The fields the readers look for, for messages about records of an unknown layout."""
    return (f"id ({' or '.join(ID_FIELDS)}), title ({' or '.join(TITLE_FIELDS)}), "
            f"abstract ({' or '.join(ABSTRACT_FIELDS)})")
