"""The live map in Chromium, in a real JupyterLab: from a cell or a gesture to the map drawn.

Part of ``bench_widget.py`` (item 5); not run alone by ``run.py``. A 200-node map (the
same shape as the other items); a notebook whose first cell opens it and records, after
every cell, when the cell ended (``time.time()`` in IPython's ``post_run_cell`` hook,
written to a file); the page records when the widget's network was last drawn
(``afterDrawing``, epoch ms from ``performance.timeOrigin``). Both clocks are the
machine's. "Still" is no drawing for 300 ms; the figure is the last drawing's time.

- cell: each of ``LAB_ROUNDS`` ``%%conceptmap`` cells adds one node and a link; the
  first map cell shows the widget, later ones a picture, and the open view follows
  (the cell sends it the change as it runs). From the end of the cell (and, for
  context, from its start) to the map redrawn and still.
- gesture: a line typed in the widget's entry box; from the Enter key (recorded in the
  page) to the new node drawn and the map still: kernel round trip included.
- arrival: another process (this one) appends a node; from the append to the node
  drawn: includes waiting for the next poll of the file (every 0.25 s).
- view shown again: the view's own cell run again, which clears its output; the view
  that replaces it (in that cell, or in the newest picture's output) takes over the
  drawn network. From Shift+Enter to the map redrawn and still there.
- new view: ``display(m.widget())`` in a cell, a second view with nothing to take
  over: the whole map sent and drawn (for context).
- static page (issue 10's display, ``conceptmap.jupyter.display.show``): from the end of
  its cell to its page's ``data-ready`` seen by polling (every 20 ms; for context).
"""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from lab import CHROMIUM, CHROMIUM_ARGS, jupyter_lab, kernel_ready, poll

import conceptmap as cm

NODES = 200
LAB_ROUNDS = 10
TARGET_MS = 200.0
STILL_MS = 300
KINDS = ["concept", "question", "obstacle", "proposal", "decision"]
NOW = "(performance.timeOrigin + performance.now())"


def _notebook(root: Path) -> Path:
    import nbformat

    setup = (
        "%load_ext conceptmap\nimport time, conceptmap as cm\n"
        "from IPython.display import display\n"
        "m = cm.ConceptMap.open('map.jsonl', author='alice')\n"
        "def _at(name):\n"
        "    def hook(*_):\n"
        "        with open(name, 'a') as f:\n"
        "            f.write(f'{time.time()}\\n')\n"
        "    return hook\n"
        "get_ipython().events.register('pre_run_cell', _at('starts.txt'))\n"
        "get_ipython().events.register('post_run_cell', _at('ends.txt'))"
    )
    cells = [setup, "%%conceptmap m\nconcept: Cell 0 -relates_to-> Item 3"]
    cells += [
        f"%%conceptmap m\nconcept: Cell {i} -relates_to-> Item {i * 7 % (NODES - 1) + 1}"
        for i in range(1, LAB_ROUNDS + 1)
    ]
    cells += ["display(m.widget())"] * 3
    cells += ["from conceptmap.jupyter.display import show\nshow(m)"] * 3
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path = root / "bench.ipynb"
    nbformat.write(nb, path)
    cm.ConceptMap.create(root / "map.jsonl", "Bench session", author="alice").apply(
        "\n".join(
            [f"{KINDS[i % len(KINDS)]}: Item {i}" for i in range(1, NODES)]
            + [f"Item {i} -relates_to-> Item {max(1, i // 2)}" for i in range(2, NODES)]
        )
    )
    return path


def _ends(root: Path, name: str = "ends.txt") -> list[float]:
    path = root / name
    return [float(x) for x in path.read_text().split()] if path.exists() else []


def _run_cell(page: Any, root: Path, seconds: float = 120) -> float:
    """Run the selected cell (Shift+Enter, which selects the next); its end, epoch ms."""
    before = len(_ends(root))
    page.keyboard.press("Shift+Enter")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ends = _ends(root)
        if len(ends) > before:
            return ends[before] * 1000
        time.sleep(0.02)
    raise RuntimeError("the cell never ended")


def _still(page: Any, node: str) -> float:
    """Epoch ms of the last drawing once ``node`` is drawn in the newest view, and still."""
    state = "[...document.querySelectorAll('.cm-w')].at(-1).__conceptmap.state"
    return float(
        poll(
            page,
            f"(() => {{ const s = {state}; return s && s.data && s.data.nodes.get({node!r})"
            f" && {NOW} - s.drawnAt > {STILL_MS} && s.drawnAt; }})()",
            120,
        )
    )


def measure(root: Path, url: str, browser: Any) -> dict[str, list[float]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/lab/tree/bench.ipynb")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    kernel_ready(url)
    for _ in range(6):  # JupyterLab may drop the first run while the kernel connects
        page.locator(".jp-Cell").first.locator(".jp-InputPrompt").click()
        page.keyboard.press("Shift+Enter")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not _ends(root):
            time.sleep(0.1)
        if _ends(root):
            break
    _run_cell(page, root)
    _still(page, "cell-0")
    page.mouse.move(5, 5)  # off the map: a view under the pointer redraws on hover
    got: dict[str, list[float]] = {
        "cell": [], "cell, from its start": [], "gesture": [], "arrival": [],
        "arrival: delta to still": [], "new view": [],
    }  # fmt: skip
    for i in range(1, LAB_ROUNDS + 1):
        time.sleep(0.3)
        end = _run_cell(page, root)
        drawn = _still(page, f"cell-{i}")
        got["cell"].append(drawn - end)
        got["cell, from its start"].append(drawn - _ends(root, "starts.txt")[-1] * 1000)
    entry = page.get_by_label("quick entry")
    page.evaluate(
        "document.addEventListener('keydown', (e) => { if (e.key === 'Enter') "
        f"window.__enterAt = {NOW}; }}, true)"
    )
    for i in range(LAB_ROUNDS):
        entry.fill(f"concept: Gesture {i} -relates_to-> Item {i + 20}")
        entry.press("Enter")
        page.mouse.move(5, 5)
        drawn = _still(page, f"gesture-{i}")
        got["gesture"].append(drawn - page.evaluate("window.__enterAt"))
    try:
        got["view shown again"] = _again(page, root)
    except RuntimeError as exc:  # reported, not fatal: it is context, not a target
        print(f"   view shown again: not measured ({exc})"[:200])
    other = cm.ConceptMap.open(root / "map.jsonl", author="bob")
    for i in range(LAB_ROUNDS):
        time.sleep(0.1 + 0.025 * i)  # rounds start at different phases of the poll
        other.apply(f"concept: Remote {i} -relates_to-> Item {i + 40}")
        appended = time.time() * 1000
        drawn = _still(page, f"remote-{i}")
        got["arrival"].append(drawn - appended)
        got["arrival: delta to still"].append(
            drawn - page.evaluate("document.querySelector('.cm-w').__conceptmap.state.deltaAt")
        )
    page.locator(".jp-Cell").nth(LAB_ROUNDS + 2).locator(".jp-InputPrompt").click()
    page.mouse.move(5, 5)
    for _ in range(3):
        views = page.locator(".cm-w").count()
        end = _run_cell(page, root)
        poll(page, f"document.querySelectorAll('.cm-w').length > {views}")
        got["new view"].append(_still(page, "remote-0") - end)
    got["static page"] = _static(page, root)
    page.close()
    return got


def _again(page: Any, root: Path) -> list[float]:
    """The view's own cell run again (its output cleared): from Shift+Enter to the new view,
    which took over the drawn network, redrawn and still (wherever it came back)."""
    times = []
    for _ in range(1):  # once: where the view comes back depends on the order of messages
        holder = page.evaluate(
            "[...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
            ".findIndex((c) => c.querySelector('.cm-w'))"
        )
        page.locator(".jp-Notebook .jp-Cell").nth(holder).locator(".jp-InputPrompt").click()
        page.mouse.move(5, 5)  # off the map: no hover redraws
        _run_cell(page, root)
        drawn = poll(
            page,
            "(() => { const w = document.querySelector('.cm-w').__conceptmap; const s = w.state;"
            " return w.adopted && w.renderedAt > window.__enterAt && s.drawnAt > w.renderedAt"
            f" && {NOW} - s.drawnAt > {STILL_MS} && s.drawnAt; }})()",
            60,
        )
        times.append(float(drawn) - page.evaluate("window.__enterAt"))
        time.sleep(0.3)
    return times


def _static(page: Any, root: Path) -> list[float]:
    """From the end of a cell showing the static page to that page's data-ready."""
    times = []
    for _ in range(3):
        frames_before = {id(f) for f in page.frames}
        end = _run_cell(page, root)
        deadline = time.monotonic() + 60
        seen = None
        while seen is None and time.monotonic() < deadline:
            with contextlib.suppress(Exception):  # a sandboxed frame draws only in view
                page.locator(".jp-OutputArea iframe").last.scroll_into_view_if_needed(timeout=500)
            for frame in page.frames:
                if frame.url == "about:srcdoc" and id(frame) not in frames_before:
                    try:
                        if frame.evaluate("document.body.dataset.ready === '1'"):
                            seen = time.time() * 1000
                    except Exception:  # replaced while asked
                        continue
            time.sleep(0.02)
        times.append((seen or float("inf")) - end)
        time.sleep(0.5)
    return times


def main() -> dict[str, bool]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _notebook(root)
        with jupyter_lab(root) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                got = measure(root, url, browser)
            finally:
                browser.close()
    print(f"5. in JupyterLab, {NODES} nodes, to the map redrawn and still (ms)")
    for name, values in got.items():
        print(
            f"   {name:>11}: median {statistics.median(values):6.0f}, "
            f"min {min(values):5.0f}, max {max(values):5.0f}  ({len(values)} runs)"
        )
    cell, gesture, arrived = (
        statistics.median(got[k]) for k in ("cell", "gesture", "arrival: delta to still")
    )
    static = statistics.median(got["static page"])
    print(
        f"   / target: cell {cell / TARGET_MS:.2f}, gesture {gesture / TARGET_MS:.2f}, "
        f"a change arriving {arrived / TARGET_MS:.2f}; cell / static page {cell / static:.2f}"
    )
    return {
        f"cell to redrawn at {NODES} nodes <= {TARGET_MS:.0f} ms": cell <= TARGET_MS,
        f"gesture to redrawn at {NODES} nodes <= {TARGET_MS:.0f} ms": gesture <= TARGET_MS,
        f"a change arriving to redrawn at {NODES} nodes <= {TARGET_MS:.0f} ms": (
            arrived <= TARGET_MS
        ),
    }


if __name__ == "__main__":
    print(main())
