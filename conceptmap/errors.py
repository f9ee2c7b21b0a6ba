"""The exceptions conceptmap raises.

Every error a user can cause derives from :class:`ConceptMapError`, so a caller
(the CLI, a notebook magic) catches one class and shows its message::

    ConceptMapError
    ├── ParseError          quick-entry text that cannot be applied (line numbers)
    ├── FileError           a file that cannot be read or written (path, line):
    │   │                   an agenda, a template, a notebook
    │   └── MapFileError    a map file, or an export or import of one
    │       ├── FormatVersionError  a map written by a newer conceptmap
    │       └── LockFileError       the map's lock file cannot be made
    ├── TemplateError       an RFC template that fails to render
    ├── NodeNotFoundError   a label or id that names no node
    ├── InvalidValueError   a bad kind, relation, label or attribute
    ├── TopicError          a second topic, or removing the only one
    ├── BadOperation        a malformed operation in a map file
    └── SkippedOperation    a well-formed operation that does not fit the map

Warnings about a map file that loaded anyway (a torn last line, a skipped
operation) are :class:`MapFileWarning`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass


class ConceptMapError(Exception):
    """Base class of every error caused by user input."""


class InvalidValueError(ConceptMapError, ValueError):
    """A kind, relation, label or attribute value that is not allowed."""


class NodeNotFoundError(ConceptMapError, KeyError):
    """A label or id that names no node of the map."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class TopicError(ConceptMapError):
    """A map has exactly one topic: declaring a second one, or removing it."""


class FileError(ConceptMapError):
    """A file that cannot be read or written: an agenda, a template, a notebook.

    The message names the file and, where there is one, the line.
    """

    def __init__(self, path: str | os.PathLike[str], message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class MapFileError(FileError):
    """A map file, or an export or import of a map, that cannot be read or written."""


class LockFileError(MapFileError):
    """The map's lock file cannot be made (a folder we may not write): reading still works."""


class FormatVersionError(MapFileError):
    """A map file written in a format version this conceptmap cannot read."""


class TemplateError(ConceptMapError):
    """An RFC template that fails to render; the message names the template and line."""


class BadOperation(ConceptMapError):
    """An operation that is not well formed: the file holds something foreign."""


class SkippedOperation(ConceptMapError):
    """A well-formed operation that does not fit the state (a dangling edge, ...)."""


class MapFileWarning(UserWarning):
    """A map file loaded, but something in it was skipped (and left as it was)."""


@dataclass(frozen=True)
class LineError:
    """One bad line of quick-entry text."""

    line: int
    text: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line} ({self.text.strip()!r}): {self.message}"


class ParseError(ConceptMapError):
    """Quick-entry text with one or more bad lines; nothing of it was applied.

    ``errors`` lists every bad line; the message shows them all.
    """

    def __init__(self, errors: Sequence[LineError], source: str | None = None) -> None:
        self.errors = list(errors)
        self.source = source
        prefix = f"{source}, " if source else ""
        lines = [f"{prefix}{e}" for e in self.errors]
        if len(lines) > 1:
            lines.insert(0, f"{len(lines)} lines could not be applied (nothing was changed):")
        super().__init__("\n".join(lines))

    @property
    def line(self) -> int:
        """The number of the first bad line."""
        return self.errors[0].line
