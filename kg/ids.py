"""Deterministic name normalization, node keys and node IRIs, shared by every stage and sink."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from kg.errors import ConfigError

_WORD = re.compile(r"[^\W_]+")
_KEEP_S = ("ss", "us", "is", "ics", "as", "os")
_NO_SINGULAR = frozenset({"series", "species", "news", "lens"})
_IRI_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._:")
_BASE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`\x7f-\x9f]*[/#]")

DEFAULT_BASE_IRI = "https://kg.example.org/id/"
"""Namespace of node IRIs. example.org is a placeholder: publish a graph under a base you control."""


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


def iri_segment(text: str) -> str:
    """``text`` as one IRI path segment: all but ASCII letters, digits and ``-._:`` percent-encoded (UTF-8).

    A segment of dots only is encoded whole, so no IRI resolver reads it as ``.`` or ``..``.
    """
    if not text.strip("."):
        return "%2E" * len(text)
    # surrogatepass: a lone surrogate (possible in JSON input) still gets an encoding instead of an error.
    return "".join(c if c in _IRI_SAFE else "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
                   for c in text)


def node_iri(key: str, base: str = DEFAULT_BASE_IRI) -> str:
    """The IRI of a node key: ``method:speculative-decoding`` -> ``<base>method/speculative-decoding``.

    The part before the first colon and the rest become two segments (:func:`iri_segment`), so any key gives
    a valid IRI and different keys give different IRIs.
    """
    kind, colon, rest = key.partition(":")
    return base + (f"{iri_segment(kind)}/{iri_segment(rest)}" if colon else iri_segment(key))


def check_base_iri(base: str) -> str:
    """``base`` if it can prefix node IRIs: an absolute IRI ending in ``/`` or ``#``.

    Raises:
        ConfigError: it cannot.
    """
    if not _BASE_IRI.fullmatch(base):
        raise ConfigError(f"base IRI {base!r} must be an absolute IRI ending in '/' or '#' (no spaces, quotes "
                          "or <>{}|\\^`)")
    return base
