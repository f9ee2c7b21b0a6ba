from __future__ import annotations

import sys
from pathlib import Path

import pytest

import conceptmap as cm
from conceptmap.demo import example_text

# jsonschema compiles a Lark grammar for its "iri" formats at import whenever
# rfc3987-syntax is installed (JupyterLab's jupyter-events brings it, so the dev extra
# only): about 2 s of CPU in every test process that touches nbformat, for a format no
# notebook schema uses. JupyterLab's own server runs in its own process and keeps it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


@pytest.fixture
def map_path(tmp_path: Path) -> Path:
    """A new map file with a topic, written by alice."""
    path = tmp_path / "maps" / "locking.jsonl"
    cm.ConceptMap.create(path, "Locking the IPFS repo", author="alice")
    return path


@pytest.fixture
def example() -> cm.ConceptMap:
    """The worked example, in memory."""
    m = cm.ConceptMap(author="alanshaw")
    m.apply(example_text())
    return m
