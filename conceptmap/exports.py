"""Writing a map to a file whose suffix names the format, and reading one back."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InvalidValueError
from .nodelink import read_json, write_json

if TYPE_CHECKING:
    from .model import ConceptMap

WRITERS: dict[str, Callable[[ConceptMap, str | os.PathLike[str]], None]] = {".json": write_json}
READERS: dict[str, Callable[..., ConceptMap]] = {".json": read_json}


def _suffix(path: str | os.PathLike[str], table: dict[str, object], verb: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in table:
        raise InvalidValueError(
            f"cannot {verb} {str(path)!r}: unknown file type {suffix or '(no suffix)'!r} "
            f"(known: {', '.join(table)})"
        )
    return suffix


def export(m: ConceptMap, path: str | os.PathLike[str]) -> Path:
    """Write ``m`` to ``path`` in the format its suffix names; returns the path."""
    WRITERS[_suffix(path, dict(WRITERS), "export to")](m, path)
    return Path(path)


def import_map(path: str | os.PathLike[str], *, author: str | None = None) -> ConceptMap:
    """Read a map from a lossless export (the format from the suffix), in memory."""
    return READERS[_suffix(path, dict(READERS), "import")](path, author=author)
