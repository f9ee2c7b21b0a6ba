"""The worked example, end to end: what ``conceptmap demo`` and ``make demo`` run."""

from __future__ import annotations

import os
import tempfile
from importlib.resources import files
from pathlib import Path

from .model import ConceptMap

EXAMPLE = "repo-locking"
AUTHORS = ("alanshaw",)


def example_text() -> str:
    """The quick-entry notes of the worked session, "Locking the IPFS repo"."""
    return (files("conceptmap") / "examples" / f"{EXAMPLE}.cm").read_text(encoding="utf-8")


def run_demo(directory: str | os.PathLike[str] | None = None) -> dict[str, Path]:
    """Build the example map in ``directory`` (a new temporary folder if None).

    Returns the paths written, by role: ``map`` (the log), ``html`` (the
    interactive map), ``rfc`` (the draft, ipip style) and ``json`` (node-link).
    An earlier demo in the same folder is replaced.
    """
    folder = (
        Path(directory)
        if directory is not None
        else Path(tempfile.mkdtemp(prefix="conceptmap-demo-"))
    )
    folder.mkdir(parents=True, exist_ok=True)
    m = ConceptMap(author=AUTHORS[0])
    m.set_meta("participants", ["alanshaw", "achingbrain", "hugomrdias", "lidel"])
    m.set_meta("source", "IPFS dev meeting deep dives: Locking the IPFS repo for concurrent access")
    m.apply(example_text(), source=f"{EXAMPLE}.cm")
    paths = {
        "map": folder / f"{EXAMPLE}.jsonl",
        "html": folder / f"{EXAMPLE}.html",
        "rfc": folder / f"{EXAMPLE}.md",
        "json": folder / f"{EXAMPLE}.json",
    }
    m.save(paths["map"], overwrite=True)
    m.write_html(paths["html"])
    paths["rfc"].write_text(m.rfc(), encoding="utf-8")
    m.export(paths["json"])
    return paths
