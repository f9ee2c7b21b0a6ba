"""Benchmark: the interactive HTML map stays interactive on large maps (issue 13).

Run through ``benchmarks/run.py`` (``make bench``) or alone:
``.venv/bin/python benchmarks/bench_bigmap.py [SIZE ...]`` (sizes in nodes; default
3000 5000 10000 20000). ``main()`` returns True when every target is met at 3k and 5k
nodes; 10k and 20k are measured and printed (how far toward 20k the page goes), not
judged. Needs playwright (the Python package) and Debian's Chromium at
``/usr/bin/chromium``.

Maps come from ``bench_html.make_graph`` (seeded: one topic, clusters under hubs, every
kind, labels of 10-40 characters, a fifth with notes), ``LINKS_PER_NODE`` links a node,
authored by ``len(PEOPLE)`` participants, written with ``m.write_html`` (positions from
the map's placement). Each page is opened in a 1280x800 viewport; every figure is the
median of ``ROUNDS`` rounds, each round starting from the whole map in view, nothing
selected:

- frame: the whole-map view (a large map's first view) panned by 40 px: from vis-network's
  ``beforeDrawing`` to the end of its drawing, the canvas read back one pixel (which makes
  Chromium rasterise it, as the screen would). A zoom step draws the same way.
- close (reported, not judged): the same, zoomed in to scale 0.5 at the middle of the map,
  where ``m.positions()`` packs a large map densest.
- search: ``conceptmap.search(query)`` (what Enter in the box calls; typing waits
  ``DEBOUNCE`` ms first): matching, the result list, focusing the first match and its
  details, until the next drawing is done and rasterised.
- toggle: a legend toggle hiding the largest kind, until drawn; then showing it again.
  The slower of the two counts.
- colour: the "Colour by" select switched to author, until drawn; and back to kind.
  The slower counts.

Each figure is printed as wall time (the page's clock) and as the CPU time of the page's
main thread over the step (Chrome DevTools ``Performance.getMetrics`` ``ThreadTime``;
the page's script and its canvas drawing both run there). On a shared machine the wall
time is mostly waiting for a CPU, so the targets are judged on the CPU time; on an idle
machine the two agree within a frame (16 ms) of waiting for the next animation frame.

Targets (the issue): frame <= 50 ms; search, toggle and colour <= 200 ms. The table
gives each figure's CPU time's ratio to its target (<= 1.0 meets it).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_html import VIEWPORT, Browser, build_map, make_graph

from conceptmap import ConceptMap

SIZES = (3_000, 5_000, 10_000, 20_000)
JUDGED = (3_000, 5_000)  # the range; larger maps are reported only
LINKS_PER_NODE = 3
ROUNDS = 5
PEOPLE = ("lidel", "achingbrain", "aschmahmann", "hacdias", "2color", "SgtPooki",
          "whizzzkid", "guillaumemichel", "hsanjuan", "gammazero", "marten-seemann",
          "vmx")  # fmt: skip
TARGETS = {"frame": 50.0, "search": 200.0, "toggle": 200.0, "colour": 200.0}
REPORTED = {"close": 50.0}  # a frame too, but not judged: see the module's docstring
QUERY = "cache"  # in many labels and notes: a long result list, as a user would get
DEBOUNCE = 80  # ms the search box waits after a keystroke (map.js)
LOAD_TIMEOUT_S = 300.0

_READY = "document.body.dataset.ready === '1' || !!document.body.dataset.error"
# In the page: ``window.__bench`` runs one step and resolves to its wall time (ms).
_SETUP = """
() => {
  const api = window.conceptmap, net = api.network;
  const canvas = document.querySelector("#cm-network canvas");
  const ctx = canvas.getContext("2d");
  const pixel = () => ctx.getImageData(0, 0, 1, 1); // Chromium rasterises the canvas here
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  // the next drawing, rasterised: [when it began, when it ended]; NaNs after 60 s
  const drawn = () => new Promise((resolve) => {
    let began = NaN;
    const timer = setTimeout(() => resolve([NaN, NaN]), 60000);
    net.once("beforeDrawing", () => { began = performance.now(); });
    net.once("afterDrawing", () => {
      clearTimeout(timer);
      pixel();
      resolve([began, performance.now()]);
    });
  });
  const select = document.getElementById("cm-colour");
  const counts = {};
  api.nodes.get().forEach((n) => { counts[n.kind] = (counts[n.kind] || 0) + 1; });
  const kind = Object.keys(counts).sort((a, b) => counts[b] - counts[a])[0];
  let sign = 1;
  const steps = {
    // the whole map in view, panned by 40 px: the drawing's own time
    frame: async () => {
      const v = net.getViewPosition(), scale = net.getScale(), next = drawn();
      sign = -sign;
      const x = v.x + (sign * 40) / scale;
      net.moveTo({ position: { x: x, y: v.y }, scale: scale, animation: false });
      const [began, ended] = await next;
      return ended - began;
    },
    // zoomed in to half size at the middle of the map (its densest part), panned 40 px
    close: async () => {
      const v = net.getViewPosition(), next = drawn();
      net.moveTo({ position: { x: v.x + 80, y: v.y }, scale: 0.5, animation: false });
      const [began, ended] = await next;
      return ended - began;
    },
    search: () => api.search(QUERY),
    hide: () => api.toggleKind(kind, false),
    show: () => api.toggleKind(kind, true),
    author: () => { select.value = "author"; select.dispatchEvent(new Event("change")); },
    kind: () => { select.value = "kind"; select.dispatchEvent(new Event("change")); },
  };
  window.__bench = async (name) => {
    await frame();
    if (name === "frame" || name === "close") return steps[name]();
    const next = drawn(), t0 = performance.now();
    steps[name]();
    const [, ended] = await next;
    return ended - t0;
  };
  // back to the whole map, nothing selected, no search, between steps
  window.__reset = async () => {
    api.search("");
    document.getElementById("cm-details").hidden = true;
    net.unselectAll();
    const next = drawn();
    net.fit({ animation: false });
    await next;
    await frame();
  };
  return kind;
}
""".replace("QUERY", repr(QUERY))
# what each figure is made of: the slower of two steps where there are two
FIGURES = {"frame": ("frame",), "close": ("close",), "search": ("search",),
           "toggle": ("hide", "show"), "colour": ("author", "kind")}  # fmt: skip


def big_map(nodes: int) -> ConceptMap:
    """A seeded ``nodes``-node map with ``LINKS_PER_NODE`` links a node and many authors."""
    g = make_graph(nodes, LINKS_PER_NODE * nodes)
    rng = random.Random(nodes)
    for _, a in g.nodes(data=True):
        a["author"] = rng.choice(PEOPLE)
    g.graph["participants"] = list(PEOPLE)
    return build_map(g)


class Page:
    """One open map, its steps timed in wall time (the page's clock) and in the CPU time
    of the page's main thread (where the page's script runs and its canvas is drawn)."""

    def __init__(self, browser: Browser, path: Path):
        url = path.as_uri()
        self.page, self.requests = browser.new_page(url)
        t0 = time.perf_counter()
        self.page.goto(url, timeout=LOAD_TIMEOUT_S * 1e3)
        while not self.page.evaluate(_READY):  # polled: the page's CSP forbids string eval
            if time.perf_counter() - t0 > LOAD_TIMEOUT_S:
                raise SystemExit(f"{path.name}: not drawn within {LOAD_TIMEOUT_S:.0f} s")
            time.sleep(0.05)
        self.opened = time.perf_counter() - t0
        error = self.page.evaluate("document.body.dataset.error || ''")
        if error:
            raise SystemExit(f"{path.name}: the page failed: {error}")
        self.kind = self.page.evaluate(_SETUP)
        self.cdp = self.page.context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

    def _cpu(self) -> float:
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        return next(float(m["value"]) for m in metrics if m["name"] == "ThreadTime")

    def step(self, name: str) -> tuple[float, float]:
        """(wall ms, main-thread CPU ms) of one step."""
        before = self._cpu()
        wall = float(self.page.evaluate("(name) => window.__bench(name)", name))
        return wall, (self._cpu() - before) * 1e3

    def reset(self) -> None:
        self.page.evaluate("() => window.__reset()")

    def close(self) -> None:
        self.page.close()


def measure(browser: Browser, path: Path, rounds: int) -> dict[str, Any]:
    """Open the page at ``path``; every figure's wall and CPU times over ``rounds`` rounds."""
    page = Page(browser, path)
    wall: dict[str, list[float]] = {f: [] for f in FIGURES}
    cpu: dict[str, list[float]] = {f: [] for f in FIGURES}
    try:
        for _ in range(rounds):
            for figure, steps in FIGURES.items():
                page.reset()
                times = [page.step(name) for name in steps]
                wall[figure].append(max(t[0] for t in times))
                cpu[figure].append(max(t[1] for t in times))
    finally:
        page.close()
    if page.requests:
        raise SystemExit(f"{path.name}: the page made requests: {page.requests[:3]}")
    return {"wall": wall, "cpu": cpu, "opened": page.opened, "kind": page.kind}


def _row(nodes: int, edges: int, r: dict[str, Any]) -> tuple[str, bool]:
    """A table row: each figure's median wall and CPU ms, and the CPU time's ratio to target."""
    cells, met = [], True
    for figure, target in {**TARGETS, **REPORTED}.items():
        wall = statistics.median(r["wall"][figure])
        cpu = statistics.median(r["cpu"][figure])
        met = met and (cpu <= target or figure in REPORTED)
        cells.append(f"{wall:6.0f} {cpu:5.0f} ({cpu / target:4.2f})")
    return f"{nodes:>6} {edges:>6} {r['opened']:>6.1f}  " + "  ".join(cells), met


def main(sizes: tuple[int, ...] = SIZES) -> bool:
    print(
        f"viewport {VIEWPORT}, {LINKS_PER_NODE} links a node, {len(PEOPLE)} authors, "
        f"median of {ROUNDS}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    print(
        "each figure: wall ms, the page's main-thread CPU ms and its ratio to the target "
        "(frame 50, the others 200), judged on the CPU time; toggle hides and shows the "
        f"largest kind, colour goes to author and back (the slower counts); search is what "
        f"Enter does (typing waits {DEBOUNCE} ms first)"
    )
    heads = "".join(f"  {f + ' wall cpu (ratio)':>25}" for f in {**TARGETS, **REPORTED})
    print(f"{'nodes':>6} {'links':>6} {'open s':>6}{heads}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="conceptmap-bench-bigmap-") as name:
        browser = Browser()
        try:
            for nodes in sizes:
                m = big_map(nodes)
                path = m.write_html(Path(name) / f"map-{nodes}.html")
                row, met = _row(nodes, m.graph.number_of_edges(), measure(browser, path, ROUNDS))
                judged = nodes in JUDGED
                ok = ok and (met or not judged)
                print(row, ("OK" if met else "MISSED") if judged else "(reported)")
        finally:
            browser.close()
    print(f"(load average {os.getloadavg()[0]:.2f} at the end)")
    return ok


if __name__ == "__main__":
    chosen = tuple(int(a) for a in sys.argv[1:]) or SIZES
    sys.exit(0 if main(chosen) else 1)
