"""Errors kg reports to users; every message names what failed and where."""

from __future__ import annotations


class KGError(Exception):
    """Base class for errors kg reports to users."""


class InputError(KGError):
    """An input path cannot be read at all (missing, a directory without inputs, unreadable)."""


class ConfigError(KGError):
    """A setting is invalid, e.g. the spaCy model cannot be loaded."""


class SchemaError(KGError):
    """A triple does not fit the graph schema."""


class SinkError(KGError):
    """Writing an output (file, database) failed."""
