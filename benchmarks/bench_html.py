"""Benchmarks of the interactive HTML map against pyvis, and of the notebook display's size.

Run through ``benchmarks/run.py`` (``make bench``) or alone:
``.venv/bin/python benchmarks/bench_html.py``. ``main()`` returns True when every target
is met. Needs pyvis, playwright (the Python package) and Debian's Chromium at
``/usr/bin/chromium``; playwright's own browsers are not used.

1. export: ``m.write_html(path, positions=pos)`` of a 10,000-node / 30,000-edge map (the
   layout computed beforehand, not timed) against pyvis's ``Network(
   cdn_resources="in_line")`` + ``from_nx`` + ``write_html`` of the same graph.
   Target: pyvis / ours >= 100.
2. to the graph at rest, 1,000 nodes / 3,000 edges: the wall time from the export call
   until Chromium shows the graph at rest. Ours: ``m.write_html(path)`` (layout included)
   + open the file in a fresh page of an already-launched browser + wait for the page's
   ``document.body.dataset.ready === "1"`` (set after vis-network's first drawing; our
   page draws with physics off at the precomputed positions). Floor: the same with the
   positions computed beforehand. pyvis: export as in 1, open the page, wait for
   vis-network's ``'stabilized'`` event (its physics simulation has stopped).
   Targets: pyvis / ours >= 40, ours / floor <= 4.
3. to the graph at rest, 5,000 nodes / 15,000 edges: as in 2. Target: pyvis / ours >= 25.
4. notebook display of a 50-node map: the size of ``m._repr_mimebundle_()`` (the sum of
   its values' lengths, non-strings JSON-encoded). Target: <= 350 KB (it was 250 KB before
   every display carried the map's SVG twice: as ``image/svg+xml`` and as the ``<img>``
   under the page that Markdown exports show; what a whole notebook holds is measured by
   ``bench_notebook.py``).

Every page is opened with every request but the page's own file routed and aborted (there
is no network here), and counted: pyvis's page still asks a CDN for Bootstrap; ours must
ask for nothing. pyvis's wait is capped at ``PYVIS_CAP_S`` from the export call; a page not
at rest by then counts as ``PYVIS_CAP_S``, and the table says so.

A page is opened with ``page.goto`` (which returns at the load event) and then polled for
its signal, so a wall time covers both. For context, 2 and 3 print our page's own
``conceptmap.readyAt`` per run and, from one more untimed load with a hook, every drawing
vis-network made (page clock) and when the load event fired; pyvis's page reports when
its network was built, first drawn, done with its 1000 stabilization iterations (its
loading bar goes) and at rest.
"""

from __future__ import annotations

import gc
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from conceptmap import KINDS, RELATIONS, ConceptMap
from conceptmap.core.schema import label_key
from conceptmap.drawing.layout import layout_positions

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

SEED = 20261124
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
TOPIC = "Locking the IPFS repo across tabs"
AUTHORS = ("alice", "bob", "carol", "dave")

EXPORT_SIZE = (10_000, 30_000)
EXPORT_ROUNDS = 3
EXPORT_TARGET = 100.0  # pyvis / ours >= this
SMALL_SIZE = (1_000, 3_000)
SMALL_ROUNDS = 3
SMALL_TARGET = 40.0  # pyvis / ours >= this
FLOOR_TARGET = 4.0  # ours / floor <= this
LARGE_SIZE = (5_000, 15_000)
LARGE_ROUNDS = 2
LARGE_TARGET = 25.0  # pyvis / ours >= this
NOTEBOOK_SIZE = (50, 100)
NOTEBOOK_TARGET_KB = 350.0  # bundle size <= this (the SVG, twice, is about 80 KB of it)
PYVIS_CAP_S = 120.0
PAGE_TIMEOUT_S = 120.0  # for our pages: far above what they need

# -- a realistic concept map ---------------------------------------------------------------
_WORDS_TEXT = (
    "lock repo datastore blockstore tab worker browser web api mutex lease timeout "
    "heartbeat crash recovery journal log append fsync rename atomic write read cache index "
    "shard bucket peer dht routing record provider query graphsync selector block cid "
    "multihash codec dag protobuf cbor car file path gateway pin garbage collection quota "
    "stream backpressure message session bitswap ledger strategy priority queue scheduler "
    "retry backoff latency bandwidth batch flush sync async promise event listener handle "
    "memory disk storage indexeddb leveldb badger flatfs keystore key encryption signature "
    "identity libp2p transport quic websocket webrtc relay nat dial multiaddr protocol "
    "version upgrade migration schema config option default flag release test benchmark"
)
_WORDS = _WORDS_TEXT.split()
_VERBS = ("Add", "Measure", "Write", "Prototype", "Ask", "Document", "Drop", "Benchmark", "Review")
_HUB_KINDS = ("concept", "obstacle", "requirement", "proposal", "related", "question")
# what a node of each kind tends to hang off, and by which relation (child -> parent)
_CHILDREN: dict[str, list[tuple[str, str, float]]] = {
    "topic": [("concept", "part_of", 3), ("obstacle", "blocks", 2), ("requirement", "part_of", 2),
              ("question", "relates_to", 1), ("related", "relates_to", 1)],
    "concept": [("concept", "part_of", 4), ("concept", "depends_on", 2),
                ("obstacle", "blocks", 1), ("question", "relates_to", 1),
                ("reference", "relates_to", 1)],
    "obstacle": [("proposal", "addresses", 3), ("question", "relates_to", 1),
                 ("concept", "relates_to", 1), ("reference", "relates_to", 1)],
    "requirement": [("proposal", "addresses", 2), ("concept", "depends_on", 1),
                    ("question", "relates_to", 1)],
    "proposal": [("shortcoming", "drawback_of", 3), ("proposal", "alternative_to", 1),
                 ("decision", "chooses", 1), ("question", "relates_to", 1),
                 ("action", "relates_to", 1), ("reference", "relates_to", 1)],
    "question": [("proposal", "answers", 2), ("decision", "answers", 1),
                 ("reference", "relates_to", 1)],
    "decision": [("action", "relates_to", 3), ("question", "relates_to", 1)],
    "shortcoming": [("question", "relates_to", 1), ("proposal", "addresses", 1)],
    "action": [("action", "depends_on", 1)],
    "related": [("concept", "relates_to", 2), ("reference", "relates_to", 1)],
    "reference": [("concept", "relates_to", 1)],
}  # fmt: skip
_PHRASES = ("is tested by", "was measured in", "replaces", "is a special case of", "feeds")
_NOTE_TAILS = (
    "Raised by {a} during the discussion.",
    "Needs a prototype before we decide.",
    "Only matters when two tabs are open at once.",
    "Measured on a cold cache; numbers are rough.",
    "Open: who owns this after the release?",
)


def _label(rng: random.Random, kind: str, taken: set[str]) -> str:
    """A label of 10-40 characters in the style of its kind, unique by label key."""
    while True:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(2, 5))]
        if kind == "question":
            text = rng.choice(("Can ", "Should ", "Why does ", "How do we ")) + " ".join(words)
            text = text[:39].rstrip() + "?"
        elif kind == "action":
            text = rng.choice(_VERBS) + " " + " ".join(words)
        elif kind == "reference":
            text = rng.choice(("RFC ", "Issue #", "PR #", "Paper ")) + str(rng.randint(10, 9999))
            text += ": " + " ".join(words[:3])
        elif kind == "decision":
            text = "Use " + " ".join(words)
        else:
            text = " ".join(words)
            text = text[0].upper() + text[1:]
        text = text[:40].rstrip()
        if len(text) < 10:
            continue
        key = label_key(text)
        if key not in taken:
            taken.add(key)
            return text


def _notes(rng: random.Random) -> str:
    first = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 14))).capitalize() + "."
    return f"{first} {rng.choice(_NOTE_TAILS).format(a=rng.choice(AUTHORS))}"


def make_graph(n_nodes: int, n_edges: int, seed: int = SEED, notes: float = 0.2) -> nx.DiGraph[str]:
    """A seeded concept-map-like ``DiGraph`` of exactly ``n_nodes`` and ``n_edges``.

    One topic; clusters of very different sizes under hubs, which hang off the topic or
    off earlier hubs; inside a cluster every node first hangs off an earlier one (a tree,
    kinds and relations following what a session would say), then the remaining links
    mostly join nodes of one cluster (about a fifth of the clusters stay pure trees) and
    some join clusters. Node attributes ``label``, ``kind``, ``author``, ``created`` and,
    for a share ``notes`` of them, ``notes``; edge attributes ``relation`` (``phrase`` on
    a few ``relates_to`` links), ``author``, ``created``.
    """
    rng = random.Random(seed)
    clock = [datetime(2026, 11, 24, 9, 0, 0, tzinfo=UTC)]

    def stamp() -> dict[str, str]:
        clock[0] += timedelta(milliseconds=rng.randint(200, 20_000))
        at = clock[0].isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return {"author": rng.choice(AUTHORS), "created": at}

    g: nx.DiGraph[str] = nx.DiGraph()
    taken = {label_key(TOPIC)}
    g.add_node("n0", label=TOPIC, kind="topic", **stamp())
    kind_of = {"n0": "topic"}
    pairs: set[tuple[str, str]] = set()

    def add_edge(u: str, v: str, relation: str) -> bool:
        if u == v or (u, v) in pairs or (v, u) in pairs or len(pairs) >= n_edges:
            return False
        pairs.add((u, v))
        attrs: dict[str, Any] = {"relation": relation, **stamp()}
        if relation == "relates_to" and rng.random() < 0.15:
            attrs["phrase"] = rng.choice(_PHRASES)
        g.add_edge(u, v, **attrs)
        return True

    def add_node(kind: str) -> str:
        node = f"n{g.number_of_nodes()}"
        attrs: dict[str, Any] = {"label": _label(rng, kind, taken), "kind": kind, **stamp()}
        if rng.random() < notes:
            attrs["notes"] = _notes(rng)
        g.add_node(node, **attrs)
        kind_of[node] = kind
        return node

    def child_of(parent: str) -> str:
        options = _CHILDREN[kind_of[parent]]
        kind, relation, _ = rng.choices(options, weights=[w for *_, w in options])[0]
        node = add_node(kind)
        add_edge(node, parent, relation)
        return node

    # cluster sizes: heavy-tailed, summing to the nodes left after the topic
    left = n_nodes - 1
    sizes: list[int] = []
    while left > 0:
        size = min(left, max(2, int(rng.paretovariate(1.3) * 8)), max(2, n_nodes // 8))
        sizes.append(size)
        left -= size
    clusters: list[list[str]] = []
    hubs: list[str] = []
    for size in sizes:
        parent = "n0" if not hubs or rng.random() < 0.3 else rng.choice(hubs)
        hub = add_node(rng.choice(_HUB_KINDS))
        add_edge(hub, parent, rng.choice(("part_of", "relates_to", "depends_on")))
        members = [hub]
        for _ in range(size - 1):
            # prefer recent nodes and the hub: deep chains and bushy hubs both occur
            r = rng.random()
            parent = hub if r < 0.25 else members[-1 - int(rng.random() ** 2 * len(members))]
            members.append(child_of(parent))
        hubs.append(hub)
        clusters.append(members)
    dense = [c for c in clusters if len(c) >= 3 and rng.random() < 0.8]
    weights = [len(c) for c in dense]
    relations = list(RELATIONS)
    while len(pairs) < n_edges:
        a = rng.choices(dense, weights)[0]
        b = a if rng.random() < 0.85 else rng.choices(dense, weights)[0]
        u, v = rng.choice(a), rng.choice(b)
        ku, kv = kind_of[u], kind_of[v]
        if kv == "reference":
            relation = "cites"
        elif kv == "question" and ku in ("proposal", "decision"):
            relation = "answers"
        elif ku == "question":
            relation = "raises" if rng.random() < 0.3 else "relates_to"
        else:
            relation = rng.choice(relations) if rng.random() < 0.4 else "relates_to"
        add_edge(u, v, relation)
    assert g.number_of_nodes() == n_nodes, g.number_of_nodes()
    assert g.number_of_edges() == n_edges, g.number_of_edges()
    return g


def pyvis_graph(g: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """The same graph, plain, for pyvis: node labels, and link labels as our page shows them."""
    plain: nx.DiGraph[str] = nx.DiGraph()
    plain.add_nodes_from((n, {"label": a["label"]}) for n, a in g.nodes(data=True))
    plain.add_edges_from(
        (u, v, {"label": a.get("phrase") or a["relation"].replace("_", " ")})
        for u, v, a in g.edges(data=True)
    )
    return plain


def build_map(g: nx.DiGraph[str]) -> ConceptMap:
    m = ConceptMap.from_graph(g, author="bench")
    assert (m.graph.number_of_nodes(), m.graph.number_of_edges()) == (len(g), g.size())
    return m


# -- timing helpers ------------------------------------------------------------------------
def _timed(fn: Callable[[], object]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _pyvis_export(plain: nx.DiGraph[str], path: Path) -> None:
    """pyvis's export as its users write it; ``from_nx`` changes the graph: give a copy."""
    from pyvis.network import Network

    # the baseline: a default Network (undirected) with its resources inlined
    net = Network(cdn_resources="in_line")
    net.from_nx(plain)
    net.write_html(str(path))


def _at_least(ratio: float, capped: bool) -> str:
    return f">= {ratio:.1f}" if capped else f"{ratio:.1f}"


def _ok(good: bool) -> str:
    return "OK" if good else "MISSED"


def _secs(values: list[float]) -> str:
    return " ".join(f"{v:.3f}" for v in values)


# -- the browser -----------------------------------------------------------------------------
# pyvis's page assigns the global ``network`` once vis-network's constructor returns (its
# first layout done, the stabilization run queued with setTimeout): an accessor on
# ``window`` hooks the network's events before any of them can fire, and keeps the
# page-clock times (ms since navigation start) of each.
_PYVIS_HOOK = """
(() => {
  const b = (window.__bench = {});
  let net;
  Object.defineProperty(window, "network", {
    configurable: true,
    get() { return net; },
    set(value) {
      net = value;
      if (!value || b.hooked || typeof value.once !== "function") return;
      b.hooked = true;
      b.constructed = performance.now();
      value.once("afterDrawing", () => { b.firstDraw = performance.now(); });
      value.once("stabilizationIterationsDone", () => { b.iterationsDone = performance.now(); });
      value.once("stabilized", (p) => {
        b.stabilized = performance.now();
        b.iterations = p && p.iterations;
      });
    },
  });
})();
"""
_PYVIS_AT_REST = "window.__bench !== undefined && window.__bench.stabilized !== undefined"
_OURS_READY = "document.body.dataset.ready === '1' || !!document.body.dataset.error"


class Browser:
    """One Chromium for the whole run; every measurement opens a fresh page (and context)."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._manager = sync_playwright()
        self._p = self._manager.start()
        self.browser = self._p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.version = self.browser.version

    def close(self) -> None:
        self.browser.close()
        self._p.stop()

    def new_page(self, url: str, init_script: str | None = None) -> tuple[Any, list[str]]:
        """A page whose every request but ``url`` is aborted and recorded."""
        page = self.browser.new_page(viewport=VIEWPORT)
        others: list[str] = []

        def route(r: Any) -> None:
            if r.request.url == url:
                r.continue_()
            else:
                others.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        if init_script:
            page.add_init_script(init_script)
        return page, others


class OursRun:
    """One timed run of our page: export, open, first drawing."""

    def __init__(self, total: float, export: float, ready_at: float, requests: list[str]):
        self.total, self.export, self.ready_at, self.requests = total, export, ready_at, requests


def ours_to_ready(
    browser: Browser, m: ConceptMap, path: Path, positions: dict[str, Any] | None
) -> OursRun:
    """``m.write_html`` (with the layout unless ``positions``), open, wait until drawn."""
    url = path.as_uri()
    gc.collect()
    t0 = time.perf_counter()
    m.write_html(path, positions=positions)
    export = time.perf_counter() - t0
    page, others = browser.new_page(url)
    try:
        page.goto(url, timeout=PAGE_TIMEOUT_S * 1e3)
        page.wait_for_function(_OURS_READY, polling="raf", timeout=PAGE_TIMEOUT_S * 1e3)
        total = time.perf_counter() - t0
        error = page.evaluate("document.body.dataset.error || ''")
        if error:
            raise SystemExit(f"{path.name}: the page failed: {error}")
        ready_at = float(page.evaluate("window.conceptmap.readyAt"))
    finally:
        page.close()
    return OursRun(total, export, ready_at, others)


class PyvisRun:
    """One timed run of pyvis: export, open, until vis-network's 'stabilized' event."""

    def __init__(
        self, total: float, export: float, capped: bool, events: dict[str, Any], requests: list[str]
    ):
        self.total, self.export, self.capped = total, export, capped
        self.events, self.requests = events, requests

    def describe(self) -> str:
        e = self.events

        def at(key: str) -> str:
            return f"{e[key] / 1e3:.1f} s" if isinstance(e.get(key), int | float) else "never"

        rest = at("stabilized")
        if e.get("iterations") is not None:
            rest += f" ({e['iterations']} iterations)"
        return (
            f"page clock: network built {at('constructed')}, first drawing {at('firstDraw')}, "
            f"1000 stabilization iterations done (loading bar hidden) {at('iterationsDone')}, "
            f"at rest {rest}"
        )


def pyvis_to_rest(browser: Browser, plain: nx.DiGraph[str], path: Path, cap: float) -> PyvisRun:
    """pyvis's export, open, wait for 'stabilized'; ``cap`` seconds from the export call."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    url = path.as_uri()
    graph = plain.copy()
    gc.collect()
    t0 = time.perf_counter()
    _pyvis_export(graph, path)
    export = time.perf_counter() - t0
    page, others = browser.new_page(url, _PYVIS_HOOK)
    capped, loaded = False, False
    events: dict[str, Any] = {}
    try:
        left = cap - (time.perf_counter() - t0)
        page.goto(url, timeout=max(left, 0.001) * 1e3)
        loaded = True
        left = cap - (time.perf_counter() - t0)
        page.wait_for_function(_PYVIS_AT_REST, polling=100, timeout=max(left, 0.001) * 1e3)
        total = time.perf_counter() - t0
    except PlaywrightTimeout:
        capped, total = True, cap
    try:
        if loaded:  # a page still in its load event (a long first layout) would block this
            events = page.evaluate("window.__bench || {}")
    finally:
        page.close()
    if not capped and not events.get("hooked"):
        raise SystemExit(f"{path.name}: the hook on pyvis's `network` did not run")
    return PyvisRun(min(total, cap), export, capped, events, others)


# Times each of our page's drawings (page clock), for the context line of 2 and 3. Used
# on one extra, untimed load only, so the timed runs open the page exactly as users do.
_OURS_DRAWS_HOOK = """
(() => {
  const d = (window.__draws = { spans: [] });
  let api;
  Object.defineProperty(window, "conceptmap", {
    configurable: true,
    get() { return api; },
    set(value) {
      api = value;
      let net;
      Object.defineProperty(value, "network", {
        configurable: true,
        enumerable: true,
        get() { return net; },
        set(n) {
          net = n;
          let began = 0;
          n.on("beforeDrawing", () => { began = performance.now(); });
          n.on("afterDrawing", () => {
            const end = performance.now();
            d.spans.push([began, end, n.body.edgeIndices.length]);
          });
        },
      });
    },
  });
  addEventListener("load", () => { d.load = performance.now(); });
})();
"""


def our_drawings(browser: Browser, path: Path) -> str:
    """Each drawing of one more load of the page (page clock), and when 'load' fired."""
    url = path.as_uri()
    page, _ = browser.new_page(url, _OURS_DRAWS_HOOK)
    try:
        page.goto(url, timeout=PAGE_TIMEOUT_S * 1e3)
        page.wait_for_function(_OURS_READY, polling="raf", timeout=PAGE_TIMEOUT_S * 1e3)
        page.wait_for_timeout(500)
        d = page.evaluate("window.__draws")
        ready_at = float(page.evaluate("window.conceptmap.readyAt"))
    finally:
        page.close()
    spans = d["spans"]
    if not spans:
        return f"one more load: readyAt {ready_at:.0f} ms; its drawings could not be hooked"
    nth = next((i for i, (_, end, _e) in enumerate(spans) if abs(end - ready_at) < 0.5), None)
    which = f"end of drawing {nth + 1}" if nth is not None else "no drawing's end"
    draws = ", ".join(f"{b:.0f}+{e - b:.0f}{'' if n else ' (no links yet)'}" for b, e, n in spans)
    return (
        f"one more load, page clock: readyAt {ready_at:.0f} ms ({which}); load event "
        f"{d.get('load', math.nan):.0f} ms; drawings (start+duration, ms): {draws}"
    )


# -- 1. export ---------------------------------------------------------------------------------
def bench_export(tmp: Path) -> bool:
    n, e = EXPORT_SIZE
    g = make_graph(n, e)
    m, plain = build_map(g), pyvis_graph(g)
    t0 = time.perf_counter()
    pos = layout_positions(m.graph)
    t_layout = time.perf_counter() - t0
    ours_path, pyvis_path = tmp / "export-ours.html", tmp / "export-pyvis.html"
    ours = [_timed(lambda: m.write_html(ours_path, positions=pos)) for _ in range(EXPORT_ROUNDS)]
    graph = plain.copy()
    t_pyvis = _timed(lambda: _pyvis_export(graph, pyvis_path))
    t_ours = statistics.median(ours)
    ratio = t_pyvis / t_ours
    good = ratio >= EXPORT_TARGET
    mb = 1e6
    print(f"1. export {n // 1000}k nodes / {e // 1000}k links to HTML, layout aside")
    print(
        f"   ours  m.write_html(path, positions=pos), median of {EXPORT_ROUNDS}: "
        f"{t_ours:.3f} s (runs {_secs(ours)}), {ours_path.stat().st_size / mb:.1f} MB"
    )
    print(
        f"   pyvis Network(cdn_resources='in_line') + from_nx + write_html, "
        f"once: {t_pyvis:.2f} s, {pyvis_path.stat().st_size / mb:.1f} MB"
    )
    print(
        f"   pyvis / ours = {ratio:.1f} (target >= {EXPORT_TARGET:.0f}) {_ok(good)}; "
        f"layout_positions beforehand (not timed above): {t_layout:.2f} s"
    )
    return good


# -- 2. and 3. until the graph is at rest in Chromium --------------------------------------
def bench_rest(
    browser: Browser, tmp: Path, number: int, size: tuple[int, int], rounds: int, target: float
) -> bool:
    n, e = size
    g = make_graph(n, e)
    m, plain = build_map(g), pyvis_graph(g)
    layout_times: list[float] = []
    pos: dict[str, tuple[float, float]] = {}
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        pos = layout_positions(m.graph)
        layout_times.append(time.perf_counter() - t0)
    ours: list[OursRun] = []
    floor: list[OursRun] = []
    tag = f"{n}-{e}"
    for r in range(rounds):
        order: list[tuple[list[OursRun], dict[str, Any] | None]] = [(ours, None), (floor, pos)]
        for bucket, given in order if r % 2 == 0 else order[::-1]:
            name = "ours" if given is None else "floor"
            bucket.append(ours_to_ready(browser, m, tmp / f"{tag}-{name}-{r}.html", given))
    context = our_drawings(browser, tmp / f"{tag}-floor-0.html")
    pv = pyvis_to_rest(browser, plain, tmp / f"{tag}-pyvis.html", PYVIS_CAP_S)

    t_ours = statistics.median(r.total for r in ours)
    t_floor = statistics.median(r.total for r in floor)
    ratio = pv.total / t_ours
    over_floor = t_ours / t_floor
    checks_floor = number == 2
    ours_requests = sum(len(r.requests) for r in ours + floor)
    good = ratio >= target and ours_requests == 0
    if checks_floor:
        good = good and over_floor <= FLOOR_TARGET
    print(
        f"{number}. from the export call to the graph at rest in Chromium, "
        f"{n:,} nodes / {e:,} links"
    )
    for label, runs in (("ours ", ours), ("floor", floor)):
        what = "layout included" if runs is ours else "positions given"
        totals = [r.total for r in runs]
        print(
            f"   {label} write_html ({what}) + open + first drawing, median of {rounds}: "
            f"{statistics.median(totals):.3f} s (runs {_secs(totals)}); "
            f"write_html {statistics.median(r.export for r in runs):.3f} s; "
            f"readyAt {' '.join(f'{r.ready_at:.0f}' for r in runs)} ms"
        )
    cap_note = f" (NOT at rest after {PYVIS_CAP_S:.0f} s: counted as {PYVIS_CAP_S:.0f} s)"
    print(
        f"   pyvis export + open + 'stabilized', once: "
        f"{'>= ' if pv.capped else ''}{pv.total:.2f} s{cap_note if pv.capped else ''}; "
        f"export {pv.export:.2f} s"
    )
    print(f"         {pv.describe()}")
    print(
        f"   layout_positions alone: {statistics.median(layout_times):.3f} s "
        f"(median of {rounds}: {_secs(layout_times)})"
    )
    print(f"   ours: {context}")
    hosts = sorted({u.split("/")[2] if "://" in u else u for u in pv.requests})
    print(
        f"   requests tried (all aborted): ours {ours_requests} in {2 * rounds} page loads, "
        f"pyvis {len(pv.requests)} ({', '.join(hosts) or 'none'})"
    )
    verdict = (
        f"   pyvis / ours = {_at_least(ratio, pv.capped)} (target >= {target:.0f}) "
        f"{_ok(ratio >= target)}"
    )
    if checks_floor:
        verdict += (
            f"; ours / floor = {over_floor:.2f} (target <= {FLOOR_TARGET:.0f}) "
            f"{_ok(over_floor <= FLOOR_TARGET)}"
        )
    verdict += f"; ours made {ours_requests} requests (must be 0) {_ok(ours_requests == 0)}"
    print(verdict)
    return good


# -- 4. notebook display -------------------------------------------------------------------
def bench_notebook() -> bool:
    n, e = NOTEBOOK_SIZE
    m = build_map(make_graph(n, e, notes=0.5))
    bundle = m._repr_mimebundle_()
    if "text/html" not in bundle:
        raise SystemExit(f"the display failed: {bundle.get('text/plain')}")
    texts = {k: v if isinstance(v, str) else json.dumps(v) for k, v in bundle.items()}
    chars = {k: len(v) for k, v in texts.items()}
    utf8 = {k: len(v.encode()) for k, v in texts.items()}
    kb = sum(utf8.values()) / 1e3
    good = kb <= NOTEBOOK_TARGET_KB
    print(f"4. notebook display of a {n}-node / {e}-link map: m._repr_mimebundle_()")
    print("   " + ", ".join(f"{k} {chars[k] / 1e3:.1f}k chars" for k in texts))
    print(
        f"   total {sum(chars.values()) / 1e3:.1f}k characters, {kb:.1f} KB as UTF-8 "
        f"(target <= {NOTEBOOK_TARGET_KB:.0f} KB) {_ok(good)}"
    )
    return good


# -----------------------------------------------------------------------------------------
def _warm_up(browser: Browser, tmp: Path) -> None:
    """Untimed: imports, templates and caches of both exporters, Chromium's first pages;
    and a check that both pages' signals work (pyvis's small page comes to rest)."""
    g = make_graph(*NOTEBOOK_SIZE)
    m, plain = build_map(g), pyvis_graph(g)
    ours_to_ready(browser, m, tmp / "warm-ours.html", None)
    pv = pyvis_to_rest(browser, plain, tmp / "warm-pyvis.html", PAGE_TIMEOUT_S)
    if pv.capped:
        raise SystemExit("pyvis's 50-node page never reported 'stabilized': check the hook")


def main() -> bool:
    from importlib.metadata import version

    start = time.perf_counter()
    print(
        f"pyvis {version('pyvis')}, networkx {nx.__version__}, playwright {version('playwright')}; "
        f"graphs seeded {SEED}, {len(KINDS)} kinds; {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="conceptmap-bench-html-") as name:
        tmp = Path(name)
        browser = Browser()
        try:
            print(f"Chromium {browser.version} ({CHROMIUM}), viewport {VIEWPORT}")
            _warm_up(browser, tmp)
            ok = bench_export(tmp)
            ok = bench_rest(browser, tmp, 2, SMALL_SIZE, SMALL_ROUNDS, SMALL_TARGET) and ok
            ok = bench_rest(browser, tmp, 3, LARGE_SIZE, LARGE_ROUNDS, LARGE_TARGET) and ok
        finally:
            browser.close()
        ok = bench_notebook() and ok
    print(f"({time.perf_counter() - start:.0f} s in all; load average {os.getloadavg()[0]:.2f})")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
