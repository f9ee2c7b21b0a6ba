from __future__ import annotations

from pathlib import Path

import pytest

import conceptmap as cm
from conceptmap.demo import example_text


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
