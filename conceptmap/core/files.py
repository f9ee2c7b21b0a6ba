"""Reading and writing the files exports are made of, with errors that name them."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ConceptMapError, MapFileError

T = TypeVar("T")


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` as UTF-8; a failure is a :class:`MapFileError` naming the file."""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise MapFileError(path, f"cannot be written: {exc.strerror}") from None
    return Path(path)


def load_json(path: str | os.PathLike[str], build: Callable[[Any], T]) -> T:
    """``build`` applied to the JSON in ``path``; any problem names the file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise MapFileError(path, f"cannot be read: {exc.strerror}") from None
    except (ValueError, RecursionError) as exc:
        raise MapFileError(path, f"is not JSON ({exc})") from None
    try:
        return build(data)
    except ConceptMapError as exc:
        raise MapFileError(path, str(exc)) from None
