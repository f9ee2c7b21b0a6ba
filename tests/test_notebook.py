"""The map in a real Jupyter kernel: its display and the %%conceptmap magic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

# every test here starts a real kernel
pytestmark = pytest.mark.slow

MIME = "application/vnd.conceptmap+json"


def run_notebook(cells: list[str], cwd: Path) -> list[list[dict]]:  # type: ignore[type-arg]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    ).execute()
    return [cell.outputs for cell in nb.cells]


def test_magic_applies_cells_idempotently_and_shows_the_map(tmp_path: Path) -> None:
    cell = (
        "%%conceptmap maps/dht.jsonl\n"
        "obstacle: Lookups take too many hops\n"
        "proposal: Priority peer stack -addresses-> Lookups take too many hops\n"
        'Priority peer stack -"keeps"-> Long-lived peers\n'
    )
    outputs = run_notebook(
        [
            "%load_ext conceptmap",
            "import conceptmap as cm\n"
            "m = cm.ConceptMap.open('maps/dht.jsonl', 'Scaling up the DHT', author='alice')",
            cell,
            cell,
            "len(cm.ConceptMap.load('maps/dht.jsonl').history)",
            "%%conceptmap maps/dht.jsonl\nobstcle: typo",
        ],
        tmp_path,
    )
    first, second = outputs[2], outputs[3]
    assert first[0]["text"].strip() == (
        "3 nodes added, 2 links added; created as concepts because a link named them: "
        "'Long-lived peers'"
    )
    assert second[0]["text"].strip() == "nothing changed: the map already says all of this"
    display = first[1]["data"]
    assert set(display) == {"text/plain", "text/html", MIME}
    assert '<iframe sandbox="allow-scripts"' in display["text/html"]
    # the text fallback lists the links, readable where the iframe is stripped
    assert "Priority peer stack —addresses→ Lookups take too many hops" in display["text/html"]
    assert "Priority peer stack —keeps→ Long-lived peers" in display["text/html"]
    data = display[MIME]
    data = json.loads(data) if isinstance(data, str) else data
    assert {n["label"] for n in data["nodes"]} == {
        "Scaling up the DHT",
        "Lookups take too many hops",
        "Priority peer stack",
        "Long-lived peers",
    }
    assert second[1]["data"][MIME] == display[MIME]
    assert outputs[4][0]["data"]["text/plain"] == "6"  # topic + 3 nodes + 2 links, once
    # a mistake is one line, no traceback (IPython prints UsageError to stderr)
    (error,) = outputs[5]
    assert error["name"] == "stderr"
    assert error["text"].startswith(
        "UsageError: cell, line 1 ('obstcle: typo'): unknown kind 'obstcle'; "
        "did you mean 'obstacle'?"
    )
    assert "Traceback" not in error["text"]
