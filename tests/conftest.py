from __future__ import annotations

import sys
from pathlib import Path

import pytest

import conceptmap as cm
from conceptmap.demo import example_text

from .quick import QUICK, spread

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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In ``make quick``, a sample of each big parametrized table (tests/quick.py)."""
    if not QUICK:
        return
    tables: dict[tuple[str, str], list[pytest.Item]] = {}
    for item in items:
        if isinstance(item, pytest.Function) and hasattr(item, "callspec"):
            tables.setdefault((item.nodeid.split("::")[0], item.originalname), []).append(item)
    dropped = {
        id(item) for table in tables.values() for item in set(table).difference(spread(table))
    }
    if dropped:
        config.hook.pytest_deselected(items=[i for i in items if id(i) in dropped])
        items[:] = [i for i in items if id(i) not in dropped]
