"""Errors kg reports to users and the exit codes of the ``kg`` command; every message names what failed and where.

A run ends with one of :class:`ExitCode`. An error is printed as one line, ``kg: error: <message>``, after its
:attr:`KGError.detail` (such as the tail of a server log) when it has one; a skipped record is one line,
``kg: warning: FILE:LINE: <reason>``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What the ``kg`` command's exit status means."""

    OK = 0
    """Everything was read and written."""
    ERROR = 1
    """The command failed; its outputs were left as they were."""
    USAGE = 2
    """A bad option, argument or setting."""
    SKIPPED = 3
    """The outputs were written, but some records or files were skipped (see the warnings)."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C (SIGINT); the outputs were left as they were."""


class KGError(Exception):
    """Base class for errors kg reports to users.

    Args:
        message: one line saying what failed, where, and what to do.
        detail: more lines printed before the message (a log tail), or "".
    """

    exit_code = ExitCode.ERROR

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class UsageError(KGError):
    """An option, argument or environment setting has a value kg cannot use."""

    exit_code = ExitCode.USAGE


class InputError(KGError):
    """An input path cannot be read at all (missing, a directory without inputs, unreadable)."""


class ConfigError(UsageError):
    """A setting is invalid, e.g. the spaCy model cannot be loaded."""


class SchemaError(KGError):
    """A triple does not fit the graph schema."""


class SinkError(KGError):
    """Writing an output (file, database) failed."""


class SkippedError(KGError):
    """Records or files were skipped and ``--strict`` makes that fatal."""


def one_line(text: str) -> str:
    """``text`` with every run of whitespace, newlines included, as one space (messages are one line)."""
    return " ".join(text.split())
