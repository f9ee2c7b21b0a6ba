"""Large maps stay interactive (issue 13): a 5,000-node page pans, searches, toggles a kind
and recolours in time, and its own drawing of large maps keeps what vis-network showed.

The timing test asserts ``SLACK`` times the issue's targets, on the page's main-thread CPU
time, as the machine is shared; ``benchmarks/bench_bigmap.py`` holds the targets themselves.
"""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import conceptmap as cm
from conceptmap.core.state import MapState
from conceptmap.drawing.html import LARGE
from conceptmap.drawing.style import AUTHOR_COLORS, KIND_STYLES

from .browser import launch, visit

pytestmark = pytest.mark.browser

SLACK = 3.0  # the machine is shared: a multiple of each target, not the target itself
TARGETS = {"frame": 50.0, "search": 200.0, "toggle": 200.0, "colour": 200.0}
WORDS = ["lock", "repo", "datastore", "tab", "worker", "mutex", "lease", "timeout", "peer",
         "record", "provider", "query", "block", "cid", "gateway", "pin", "cache", "index",
         "shard", "relay", "dial", "session", "bitswap", "key"]  # fmt: skip
KINDS = ("concept", "obstacle", "proposal", "question", "shortcoming", "action", "reference")
PEOPLE = ("alice", "bob", "carol", "dave", "erin", "frank")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


def big(nodes: int, links: int, seed: int = 13) -> cm.ConceptMap:
    """A seeded map: a topic, ``nodes - 1`` nodes each linked to an earlier one, then
    links inside small neighbourhoods up to ``links``; six authors."""
    rng = random.Random(seed)
    g: nx.DiGraph[str] = nx.DiGraph(participants=list(PEOPLE))
    g.add_node("n0", label="Scaling the DHT", kind="topic", author="alice")
    for i in range(1, nodes):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 4)))
        notes = f"note {i} about {rng.choice(WORDS)}"
        g.add_node(f"n{i}", label=f"{words.capitalize()} {i}", kind=rng.choice(KINDS),
                   author=rng.choice(PEOPLE), notes=notes)  # fmt: skip
        g.add_edge(f"n{i}", f"n{rng.randrange(max(0, i - 30), i)}", relation="relates_to")
    while g.number_of_edges() < links:
        u = rng.randrange(1, nodes)
        v = rng.randrange(max(0, u - 60), u)
        g.add_edge(f"n{u}", f"n{v}", relation=rng.choice(("part_of", "depends_on", "blocks")))
    return cm.ConceptMap.from_graph(g, author="test")


@pytest.fixture(scope="module")
def bigm() -> cm.ConceptMap:
    return big(1200, 2400)


@pytest.fixture(scope="module")
def page(
    browser: Any, bigm: cm.ConceptMap, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """A 1,200-node map's page: large, so drawn by the page's own renderer."""
    path = bigm.write_html(tmp_path_factory.mktemp("bigmap") / "map.html")
    seen = visit(browser, path.as_uri(), timeout=120_000)
    assert seen.console == []
    yield seen.page
    seen.page.close()


def counts(page: Any) -> dict[str, int]:
    return dict(
        page.evaluate(
            """() => ({
            drawnNodes: conceptmap.network.body.nodeIndices.length,
            drawnLinks: conceptmap.network.body.edgeIndices.length,
            shown: conceptmap.nodes.get({filter: n => !n.hidden}).length,
        })"""
        )
    )


def test_a_large_map_is_drawn_by_the_page_and_a_small_one_by_vis_network(
    browser: Any, page: Any, tmp_path: Path
) -> None:
    assert page.evaluate("conceptmap.fast") is True
    small = big(LARGE, LARGE)  # not above the threshold
    path = small.write_html(tmp_path / "small.html")
    assert visit(browser, path.as_uri()).page.evaluate("conceptmap.fast") is False


def test_legend_toggle_hides_a_kind_and_its_links_and_brings_them_back(page: Any) -> None:
    before = counts(page)
    assert before == {"drawnNodes": 1200, "drawnLinks": 2400, "shown": 1200}
    questions = page.evaluate("conceptmap.nodes.getIds({filter: n => n.kind === 'question'})")
    links = page.evaluate(
        """(ids) => { const q = new Set(ids);
        return conceptmap.edges.get({filter: e => q.has(e.from) || q.has(e.to)}).length; }""",
        questions,
    )
    page.locator('#cm-legend button[data-kind="question"]').click()
    hidden = counts(page)
    assert hidden["drawnNodes"] == hidden["shown"] == 1200 - len(questions)
    assert hidden["drawnLinks"] == 2400 - links
    page.locator('#cm-legend button[data-kind="question"]').click()
    assert counts(page) == before


def test_colour_by_author_outlines_each_node_in_its_authors_colour(page: Any) -> None:
    borders = """() => Object.fromEntries(conceptmap.network.body.nodeIndices.slice(0, 50)
        .map(id => [id, conceptmap.network.body.nodes[id].options.color.border]))"""
    page.select_option("#cm-colour", "author")
    page.wait_for_timeout(100)
    shown = page.evaluate(borders)
    colours = page.evaluate("conceptmap.data.authors")
    authors = page.evaluate("Object.fromEntries(conceptmap.nodes.get().map(n => [n.id, n.author]))")
    assert {shown[n] for n in shown} <= set(AUTHOR_COLORS)
    assert all(shown[n] == colours[authors[n]] for n in shown)
    page.select_option("#cm-colour", "kind")
    page.wait_for_timeout(100)
    kinds = page.evaluate("Object.fromEntries(conceptmap.nodes.get().map(n => [n.id, n.kind]))")
    assert all(c == KIND_STYLES[kinds[n]]["border"] for n, c in page.evaluate(borders).items())


def test_a_small_map_recolours_and_toggles_in_place_too(browser: Any, tmp_path: Path) -> None:
    """The in-place changes serve every map, drawn by vis-network or not."""
    m = big(40, 60)
    page = visit(browser, m.write_html(tmp_path / "small.html").as_uri()).page
    assert page.evaluate("conceptmap.fast") is False
    page.select_option("#cm-colour", "author")
    page.wait_for_timeout(100)
    shown = page.evaluate(
        """() => conceptmap.nodes.get().map(n =>
        [conceptmap.network.body.nodes[n.id].options.color.border, n.author])"""
    )
    colours = page.evaluate("conceptmap.data.authors")
    assert all(border == colours[author] for border, author in shown)
    page.locator('#cm-legend button[data-kind="concept"]').click()
    concepts = sum(1 for _, a in m.graph.nodes(data=True) if a["kind"] == "concept")
    assert page.evaluate("conceptmap.network.body.nodeIndices.length") == len(m) - concepts
    page.screenshot(path=str(tmp_path / "small.png"))  # drawn, without an error
    assert page.evaluate("document.body.dataset.error") is None


def pixel_at_node(page: Any, node: str) -> tuple[list[int], str]:
    """The canvas pixel at a node's centre, and the node's fill colour."""
    found: tuple[list[int], str] = tuple(
        page.evaluate(
            """(id) => {
            const net = conceptmap.network, n = net.body.nodes[id];
            const p = net.canvasToDOM({x: n.x, y: n.y}), c = document.querySelector("canvas");
            const r = window.devicePixelRatio || 1;
            const d = c.getContext("2d")
              .getImageData(Math.round(p.x * r), Math.round(p.y * r), 1, 1).data;
            return [[d[0], d[1], d[2]], n.options.color.background];
        }""",
            node,
        )
    )
    return found


def test_the_overview_fills_each_node_with_its_kinds_colour(page: Any) -> None:
    """Shapes only (labels too small to draw): the pixel at most nodes' centres is their
    fill (some are covered by a neighbour or an arrow)."""
    page.evaluate(
        """() => { const net = conceptmap.network;
        net.moveTo({position: net.getPosition("n600"), scale: 0.2, animation: false});
        net.redraw(); }"""
    )
    ids = page.evaluate(
        """() => { const net = conceptmap.network, c = document.querySelector("canvas");
        return net.body.nodeIndices.filter(id => { const p = net.canvasToDOM(net.body.nodes[id]);
          return p.x > 20 && p.y > 20 && p.x < c.clientWidth - 20 && p.y < c.clientHeight - 20;
        }).slice(0, 60); }"""
    )
    assert len(ids) >= 20
    hits = 0
    for node in ids:
        rgb, fill = pixel_at_node(page, node)
        hits += "#{:02x}{:02x}{:02x}".format(*rgb) == fill.lower()
    assert hits >= 0.6 * len(ids), (hits, len(ids))


def test_a_click_in_the_overview_opens_the_nodes_details(page: Any) -> None:
    page.evaluate("conceptmap.network.fit({animation: false}); conceptmap.network.redraw()")
    where = page.evaluate(
        """() => { const net = conceptmap.network, n = net.body.nodes["n0"];
        const p = net.canvasToDOM({x: n.x, y: n.y}), box = document.querySelector("canvas")
          .getBoundingClientRect();
        return [box.left + p.x, box.top + p.y]; }"""
    )
    page.mouse.click(*where)
    assert page.evaluate("conceptmap.network.getSelectedNodes()") == ["n0"]
    assert "Scaling the DHT" in page.inner_text("#cm-details")
    page.click("#cm-details-close")


def test_search_finds_notes_and_lists_a_nodes_links(page: Any) -> None:
    found = page.evaluate("conceptmap.search('note 777 about')")
    assert found == ["n777"]
    details = page.inner_text("#cm-details")
    assert "Links from here" in details
    page.evaluate("conceptmap.search('')")


def test_typing_searches_once_the_keys_rest(page: Any) -> None:
    page.fill("#cm-search", "")
    page.type("#cm-search", "note 1111 about", delay=20)  # keys 20 ms apart: no search yet
    page.wait_for_timeout(400)
    assert page.evaluate("conceptmap.network.getSelectedNodes()") == ["n1111"]
    assert page.inner_text("#cm-search-count") == "1 match"
    page.fill("#cm-search", "")
    page.evaluate("conceptmap.search('')")


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_replay_shows_each_step_on_a_large_map(
    page: Any, bigm: cm.ConceptMap, share: float
) -> None:
    history = bigm.history
    k = round(share * len(history))
    page.evaluate(f"conceptmap.showStep({k})")
    state = MapState.replayed(history[:k]).graph
    assert counts(page) == {"drawnNodes": len(state), "drawnLinks": state.number_of_edges(),
                            "shown": len(state)}  # fmt: skip


# -- the figures, on a 5,000-node / 15,000-link map ------------------------------------


def _bench() -> Any:
    """benchmarks/bench_bigmap.py: its map and its in-page measurements."""
    folder = str(Path(__file__).resolve().parent.parent / "benchmarks")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module("bench_bigmap")


@pytest.mark.slow
def test_a_5000_node_map_pans_searches_toggles_and_recolours_in_time(
    browser: Any, tmp_path: Path
) -> None:
    bench = _bench()
    path = bench.big_map(5000).write_html(tmp_path / "map-5000.html")

    class Shared:  # the test's browser, in the shape bench_bigmap.Page expects
        def new_page(self, url: str) -> tuple[Any, list[str]]:
            page = browser.new_page(viewport=bench.VIEWPORT)
            return page, []

    result = bench.measure(Shared(), path, 3)
    cpu = {f: sorted(times)[1] for f, times in result["cpu"].items() if f in TARGETS}
    slow = {f: round(ms) for f, ms in cpu.items() if ms > SLACK * TARGETS[f]}
    assert not slow, f"over {SLACK:g} x target (ms, main-thread CPU): {slow}; all: {cpu}"
