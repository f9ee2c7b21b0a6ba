"""The notebook a session leaves: its size on disk, and what Chromium needs to show it.

Run through ``benchmarks/run.py`` (``make bench``) or alone:
``.venv/bin/python benchmarks/bench_notebook.py``. ``main()`` returns True when every
target is met. Needs nbclient and a ``python3`` kernel (the ``notebook`` extra), nbconvert,
psutil (which ipykernel brings), playwright and Debian's Chromium at ``/usr/bin/chromium``.

Each notebook is a session typed live: a first cell makes the map, then every cell adds
a few nodes and links (quick-entry text, generated deterministically) and shows the map
as ``%%conceptmap`` does: ``conceptmap.jupyter.display.show(m, highlight=<the nodes the
cell added>)``, which displays the map's page and turns the output of the cell before
into its static picture. For comparison, the same notebook as it was before ``show``:
every cell's output the whole interactive page (``display(m)``). Notebooks are executed
with nbclient in a real kernel and written with nbformat into a temporary directory.

1. size: 8 cells, the map growing to 60 nodes; the executed notebook's size on disk.
   Target: <= 600 KB.
2. memory: 40 cells, the map growing to 200 nodes (a long session); the notebook turned
   into HTML by nbconvert (its default ``lab`` template: what a saved notebook looks like
   opened in a browser), opened in Chromium and scrolled through, each map page into view
   and waited on until drawn (Chromium defers a cross-origin frame's layout until it
   comes near the viewport). Measured: the memory of all of Chromium's renderer
   processes, as the sum of their PSS (proportional set size, from
   ``/proc/<pid>/smaps_rollup`` via psutil). PSS and not the JS heap: a sandboxed srcdoc
   iframe may get a renderer process of its own (Chromium isolates sandboxed frames),
   whose heap the page's ``Performance.getMetrics`` does not see, and most of a drawn map
   is canvas, DOM and image memory outside any JS heap. PSS and not RSS: the processes
   share Chromium's code, which RSS counts once per process. Printed for context: the
   largest renderer's RSS (what a task manager shows), the renderers' PSS on a blank page
   before, and the page's own ``JSHeapUsedSize``. Target: <= 500 MB.

The "every output interactive" runs are for context, not targets (their pages now draw at
once; before issue 10 the pages' physics runs starved each other and most never drew).
"""

from __future__ import annotations

import importlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_html import CHROMIUM, CHROMIUM_ARGS  # one browser set-up for the benchmarks

SEED = 20261127
SIZE_CELLS, SIZE_NODES, SIZE_TARGET_KB = 8, 60, 600.0
MEMORY_CELLS, MEMORY_NODES, MEMORY_TARGET_MB = 40, 200, 500.0

WORDS = ["lock", "datastore", "repo", "tab", "worker", "peer", "record", "provider", "lookup",
         "bucket", "routing", "cache", "key", "rotation", "revocation", "keyspace", "gateway",
         "bitswap", "session", "block", "pin", "garbage", "collector", "index", "shard",
         "manifest", "CID", "multihash", "relay", "dial", "address", "transport"]  # fmt: skip
KINDS = ["concept", "obstacle", "proposal", "question", "shortcoming", "requirement", "reference"]
RELATIONS = ["relates_to", "part_of", "depends_on", "addresses", "drawback_of", "answers"]


def untyped(name: str) -> Any:
    """A module without type hints (nbformat, nbclient, nbconvert, psutil)."""
    return importlib.import_module(name)


def session(nodes: int, cells: int) -> list[str]:
    """Quick-entry text of ``cells`` cells that grow one map to ``nodes`` nodes.

    Each new node links to one of the dozen added just before it (people talk about
    what was just said), now and then to one further back.
    """
    rnd = random.Random(SEED)
    labels = ["Scaling up the DHT"]
    lines = ["topic: Scaling up the DHT"]
    while len(labels) < nodes:
        words = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 5)))
        label = f"{words.capitalize()} {len(labels)}"
        near = labels[max(0, len(labels) - rnd.randint(1, 12))]
        other = near if rnd.random() < 0.8 else rnd.choice(labels)
        lines.append(f"{rnd.choice(KINDS)}: {label} -{rnd.choice(RELATIONS)}-> {other}")
        if rnd.random() < 0.3:
            lines.append(f"{label} -relates_to-> {rnd.choice(labels)}")
        labels.append(label)
    per = -(-len(lines) // cells)
    return ["\n".join(lines[i : i + per]) for i in range(0, len(lines), per)]


SETUP = """\
import conceptmap as cm
from conceptmap.jupyter.display import show
from IPython.display import display
m = cm.ConceptMap(author="alice")
"""
CELL_SHOW = """\
before = set(m.graph)
m.apply({text!r})
show(m, highlight=set(m.graph) - before)
"""
CELL_EVERY = """\
m.apply({text!r})
display(m)
"""


def executed(cells: list[str], template: str, path: Path) -> Path:
    """The notebook of ``cells``, run in a real kernel, written to ``path``."""
    nbclient, nbformat = untyped("nbclient"), untyped("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP)]
    nb.cells += [nbformat.v4.new_code_cell(template.format(text=text)) for text in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    nbformat.write(nb, str(path))
    return path


def outputs(path: Path) -> tuple[int, int]:
    """How many map outputs the notebook holds, and how many of them are pages."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    data = [o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", [])]
    maps = [d for d in data if "image/svg+xml" in d]
    return len(maps), sum("text/html" in d for d in maps)


def renderers(psutil: Any) -> tuple[float, float]:
    """The PSS of Chromium's renderer processes summed, and the largest one's RSS, in MB."""
    pss = rss = 0
    for proc in psutil.Process().children(recursive=True):
        try:
            if "--type=renderer" in " ".join(proc.cmdline()):
                info = proc.memory_full_info()
                pss, rss = pss + info.pss, max(rss, info.rss)
        except psutil.NoSuchProcess:
            continue
    return pss / 2**20, rss / 2**20


def renderer_memory(html: Path, frames: int) -> tuple[float, float, float, float, float]:
    """Chromium showing ``html``: renderers' PSS, the largest one's RSS, the page's JS heap
    (MB), seconds
    until ``frames`` map pages were drawn, and the renderers' PSS on a blank page first."""
    from playwright.sync_api import sync_playwright

    psutil = untyped("psutil")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto("about:blank")
        page.wait_for_timeout(1000)
        blank, _ = renderers(psutil)
        page.route("**/*", lambda r: r.continue_() if r.request.url == html.as_uri() else r.abort())
        start = time.perf_counter()
        page.goto(html.as_uri())
        # a reader scrolls through: Chromium lays out and draws a sandboxed (cross-origin)
        # frame only once it comes near the viewport, so each page is drawn then
        drawn = 0
        for i in range(page.locator("iframe").count()):
            page.locator("iframe").nth(i).scroll_into_view_if_needed()
            frame = page.locator("iframe").nth(i).element_handle().content_frame()
            if frame is None:
                raise SystemExit(f"iframe {i} has no document")
            while time.perf_counter() - start < 300:
                if frame.evaluate("document.body && document.body.dataset.ready === '1'"):
                    drawn += 1
                    break
                time.sleep(0.05)
        seconds = time.perf_counter() - start
        page.wait_for_timeout(1000)  # let the last draws and decodes land
        session = page.context.new_cdp_session(page)
        session.send("Performance.enable")
        metrics = {m["name"]: m["value"] for m in session.send("Performance.getMetrics")["metrics"]}
        pss, rss = renderers(psutil)
        browser.close()
    if drawn < frames:
        raise SystemExit(f"only {drawn} of {frames} map pages were drawn in {seconds:.0f} s")
    return pss, rss, metrics["JSHeapUsedSize"] / 2**20, seconds, blank


def to_html(path: Path) -> Path:
    body, _ = untyped("nbconvert").HTMLExporter().from_filename(str(path))
    out = path.with_suffix(".html")
    out.write_text(body, encoding="utf-8")
    return out


def target(value: float, limit: float, unit: str) -> str:
    return f" (target <= {limit:.0f} {unit}: {'met' if value <= limit else 'MISSED'})"


def main() -> bool:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"1. a notebook of {SIZE_CELLS} cells growing one map to {SIZE_NODES} nodes")
        for name, template in (("show", CELL_SHOW), ("every output interactive", CELL_EVERY)):
            nb = executed(session(SIZE_NODES, SIZE_CELLS), template, folder / f"size-{name}.ipynb")
            kb = nb.stat().st_size / 1000
            maps, pages = outputs(nb)
            verdict = ""
            if template is CELL_SHOW:
                ok &= kb <= SIZE_TARGET_KB
                verdict = target(kb, SIZE_TARGET_KB, "KB")
            print(f"   {name}: {kb:,.0f} KB on disk, {maps} map outputs, {pages} pages{verdict}")
        print(f"2. a notebook of {MEMORY_CELLS} cells growing one map to {MEMORY_NODES} nodes, "
              "as nbconvert HTML in Chromium")  # fmt: skip
        for name, template in (("show", CELL_SHOW), ("every output interactive", CELL_EVERY)):
            nb = executed(
                session(MEMORY_NODES, MEMORY_CELLS), template, folder / f"mem-{name}.ipynb"
            )
            maps, pages = outputs(nb)
            html = to_html(nb)
            pss, rss, heap, seconds, blank = renderer_memory(html, pages)
            verdict = ""
            if template is CELL_SHOW:
                ok &= pss <= MEMORY_TARGET_MB
                verdict = target(pss, MEMORY_TARGET_MB, "MB")
            print(
                f"   {name}: {nb.stat().st_size / 1e6:.1f} MB notebook, {maps} map outputs, "
                f"{pages} pages; renderers {pss:,.0f} MB PSS{verdict} (the largest {rss:,.0f} MB "
                f"RSS; {blank:,.0f} MB PSS on a blank page), page JS heap {heap:,.0f} MB, all "
                f"pages drawn in {seconds:.1f} s"
            )
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
