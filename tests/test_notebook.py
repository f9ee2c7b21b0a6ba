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


CELL = (
    "%%conceptmap maps/dht.jsonl\n"
    "obstacle: Lookups take too many hops\n"
    "proposal: Priority peer stack -addresses-> Lookups take too many hops\n"
    'Priority peer stack -"keeps"-> Long-lived peers\n'
)
WIDGET = "application/vnd.jupyter.widget-view+json"
# without anywidget (the notebook extra) the magic falls back to the static display
NO_ANYWIDGET = "import sys\nsys.modules['anywidget'] = None"


@pytest.mark.parametrize("live", [True, False], ids=["widget", "without-anywidget"])
def test_magic_applies_cells_idempotently_and_shows_the_map(tmp_path: Path, live: bool) -> None:
    outputs = run_notebook(
        [
            "%load_ext conceptmap" if live else f"{NO_ANYWIDGET}\n%load_ext conceptmap",
            "import conceptmap as cm\n"
            "m = cm.ConceptMap.open('maps/dht.jsonl', 'Scaling up the DHT', author='alice')",
            CELL,
            CELL,
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
    shown = {"text/plain", "text/html", "image/svg+xml", MIME}
    if live:  # the live view once, then the picture of the map as of each cell
        display, later = first[1]["data"], second[1]["data"]
        assert set(display) == shown | {WIDGET}
        assert display["text/html"].startswith('<img alt="Concept map: Scaling up the DHT"')
    else:  # the newest output is the page; the one before became its picture
        later, display = first[1]["data"], second[1]["data"]
        assert set(display) == shown
        assert '<iframe sandbox="allow-scripts"' in display["text/html"]
    assert set(later) == {"text/plain", "image/svg+xml"}
    assert "Priority peer stack" in "".join(later["image/svg+xml"])
    assert "<svg" in "".join(display["image/svg+xml"])
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
    assert outputs[4][0]["data"]["text/plain"] == "6"  # topic + 3 nodes + 2 links, once
    # a mistake is one line, no traceback (IPython prints UsageError to stderr)
    (error,) = outputs[5]
    assert error["name"] == "stderr"
    assert error["text"].startswith(
        "UsageError: cell, line 2 ('obstcle: typo'): unknown kind 'obstcle'; "
        "did you mean 'obstacle'?"
    )
    assert "Traceback" not in error["text"]


def test_one_widget_per_map_follows_every_cell(tmp_path: Path) -> None:
    """Cells on one map, by variable and by path, share one widget, which saw each change."""
    outputs = run_notebook(
        [
            "%load_ext conceptmap",
            "import conceptmap as cm\n"
            "m = cm.ConceptMap.open('maps/dht.jsonl', 'Scaling up the DHT', author='alice')",
            "%%conceptmap m\nobstacle: Lookups take too many hops",
            "%%conceptmap maps/dht.jsonl\nproposal: Priority peer stack",
            "from conceptmap.jupyter import widget\n"
            "[w] = set(widget._LIVE.values())\n"
            "print(w is m.widget(), w.rev, sorted(w.nodes), w.following)",
        ],
        tmp_path,
    )
    shown = [sorted(out[-1]["data"]) for out in outputs[2:4]]
    assert shown == [
        ["application/vnd.conceptmap+json", WIDGET, "image/svg+xml", "text/html", "text/plain"],
        ["image/svg+xml", "text/plain"],  # the view is open (on its way): a picture
    ]
    assert "Priority peer stack" in "".join(outputs[3][-1]["data"]["image/svg+xml"])
    # made by the first cell, the widget got the second cell's change as one delta (rev 1)
    assert outputs[4][0]["text"] == (
        "True 1 ['lookups-take-too-many-hops', 'priority-peer-stack', 'scaling-up-the-dht'] "
        "event loop\n"
    )


def test_magic_errors_name_the_editors_line_and_empty_cells_say_what_to_write(
    tmp_path: Path,
) -> None:
    outputs = run_notebook(
        [
            "%load_ext conceptmap",
            "import conceptmap as cm\nm = cm.ConceptMap('Private DHT', author='ann')",
            "%%conceptmap m\nconcept: fine\n\nobstcle: typo",
            "\n\n%%conceptmap m\nproposal: P\nconcept: P",
            "%%conceptmap",
            "%%conceptmap maps/x.jsonl",
            "%%conceptmap maps/x.jsonl\n   \n",
            "%%conceptmap m\n\nobstacle: Peers leak lookups",
            "len(m)",
        ],
        tmp_path,
    )
    errors = [outputs[i] for i in range(2, 7)]
    for cell in errors:
        (error,) = cell
        assert error["name"] == "stderr"
        assert error["text"].startswith("UsageError: ")
        assert error["text"].count("\n") == 1  # one line, no traceback
    texts = [cell[0]["text"].removeprefix("UsageError: ").strip() for cell in errors]
    assert texts[0].startswith("cell, line 4 ('obstcle: typo'): unknown kind 'obstcle'")
    assert texts[1] == (
        "cell, line 5 ('concept: P'): 'P' is declared a concept here but a proposal on line 4"
    )
    assert texts[2].startswith("%%conceptmap: the cell is empty; name the map on its first line")
    assert (
        texts[3]
        == texts[4]
        == (
            "%%conceptmap maps/x.jsonl: nothing to add; write one fact per line under the "
            "%%conceptmap line, e.g. obstacle: Two tabs write the same repo"
        )
    )
    assert not (tmp_path / "maps").exists()  # an empty cell opens no map
    assert outputs[7][0]["text"] == "1 node added\n"
    assert outputs[8][0]["data"]["text/plain"] == "2"
