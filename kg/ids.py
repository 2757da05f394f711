"""Deterministic name normalization and node keys, shared by every stage and sink."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
_KEEP_S = ("ss", "us", "is", "ics", "as", "os")
_NO_SINGULAR = frozenset({"series", "species", "news", "lens"})


def singular(word: str) -> str:
    """English plural -> singular for one lower-case word, conservatively ("LLMs" -> "llm")."""
    if len(word) <= 3 or word in _NO_SINGULAR or not word.endswith("s") or word.endswith(_KEEP_S):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zzes", "shes")) or word.endswith(("tches", "rches")):
        return word[:-2]
    return word[:-1]


def words(name: str) -> list[str]:
    """Lower-case word tokens of a name, "+" kept as "plus" so "PixelCNN++" != "PixelCNN"."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("+", " plus ")
    return _WORD.findall(text)


def normalize(name: str) -> str:
    """The form two names must share to be the same thing.

    Case, hyphens, spacing and a plural last word are ignored:
    "Large Language Models", "large-language model" and "LargeLanguageModel" all give "largelanguagemodel".
    """
    tokens = words(name)
    if tokens:
        tokens[-1] = singular(tokens[-1])
    return "".join(tokens)


def slug(name: str) -> str:
    """A readable, URL-safe form of a name: "Masked Token Optimization" -> "masked-token-optimization"."""
    tokens = words(name)
    if tokens:
        tokens[-1] = singular(tokens[-1])
    return "-".join(tokens) or "x" + digest(name, 8)


def digest(text: str, length: int = 12) -> str:
    """A short, stable hex digest of a text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def entity_key(type_name: str, name: str) -> str:
    """The node key of an entity: ``method:speculative-decoding``."""
    return f"{type_name.lower()}:{slug(name)}"


def paper_key(paper_id: str) -> str:
    """The node key of a paper."""
    return f"paper:{paper_id}"


def claim_key(paper_id: str, start: int, end: int) -> str:
    """The node key of a claim: its paper and the character span of its number."""
    return f"claim:{paper_id}:{start}-{end}"


def title_id(title: str) -> str:
    """A paper id for inputs without one: a digest of the normalized title."""
    return "t" + digest(" ".join(words(title)), 16)
