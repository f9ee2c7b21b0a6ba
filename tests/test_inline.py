"""The map inline in a notebook: one picture everywhere, readable, light on the notebook.

Issue 10: the page, the SVG and the replay draw every node where ``m.positions()`` puts
it; the inline view opens readable on what the cell added and leaves the wheel to the
notebook until clicked; every display carries an SVG that Markdown made from the notebook
shows; ``show`` keeps one interactive page per map in a notebook.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

import conceptmap as cm
from conceptmap.drawing.html import READABLE, page_data
from conceptmap.drawing.svg import HIGHLIGHT, escape, svg_data
from conceptmap.jupyter import display
from conceptmap.jupyter.display import MAX_FRAME, MIME, SVG, frame_height, mimebundle, show

from .browser import launch, map_frame, visit

WORDS = ["lock", "datastore", "repo", "tab", "worker", "peer", "record", "provider", "lookup",
         "bucket", "routing", "cache", "key", "rotation", "revocation", "keyspace", "gateway",
         "session", "block", "pin", "garbage", "index", "shard", "relay", "dial"]  # fmt: skip
KINDS = ["concept", "obstacle", "proposal", "question", "shortcoming", "requirement"]
RELATIONS = ["relates_to", "part_of", "depends_on", "addresses", "drawback_of"]


def cells(nodes: int, count: int, seed: int = 10) -> list[str]:
    """Quick entry for ``count`` cells that grow a map to ``nodes`` nodes (a session)."""
    rnd = random.Random(seed)
    labels, lines = ["Scaling up the DHT"], ["topic: Scaling up the DHT"]
    while len(labels) < nodes:
        label = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 4))).capitalize()
        label += f" {len(labels)}"
        other = labels[max(0, len(labels) - rnd.randint(1, 10))]
        lines.append(f"{rnd.choice(KINDS)}: {label} -{rnd.choice(RELATIONS)}-> {other}")
        labels.append(label)
    per = -(-len(lines) // count)
    return ["\n".join(lines[i : i + per]) for i in range(0, len(lines), per)]


def grown(nodes: int = 60, count: int = 8) -> tuple[cm.ConceptMap, set[str]]:
    """A map grown cell by cell, and what its last cell added."""
    m = cm.ConceptMap(author="alice")
    added: set[str] = set()
    for text in cells(nodes, count):
        before = set(m.graph)
        m.apply(text)
        added = set(m.graph) - before
    return m, added


def replayed_map() -> cm.ConceptMap:
    m = cm.ConceptMap("Private DHT", author="alice")
    m.apply("obstacle: Peers see lookups\nproposal: Onion routing -addresses-> Peers see lookups")
    m.author = "bob"
    m.link("Onion routing", "depends_on", "Relays")
    m.apply("Relays -part_of-> Private DHT\nquestion: Who runs relays? -> Relays")
    m.remove("Relays")
    m.set_kind("Onion routing", "decision")
    m.apply("concept: Mixnets -alternative_to-> Onion routing")
    return m


# -- one picture everywhere --------------------------------------------------------


def test_the_page_draws_the_maps_positions_removed_nodes_included() -> None:
    m = replayed_map()
    data = page_data(m)
    every = m.positions(removed=True)
    assert "relays" in every
    assert "relays" not in m.graph
    assert set(data["positions"]) == set(every)
    for node, (x, y) in every.items():
        assert data["positions"][node] == pytest.approx([x, y], abs=0.05), node
    given = {node: (float(i), 2.0 * i) for i, node in enumerate(m.graph)}
    assert page_data(m, given)["positions"] == {n: [x, y] for n, (x, y) in given.items()}
    assert "settle" not in data  # no physics run left to configure


def test_the_svg_keeps_the_maps_layout() -> None:
    m, _ = grown(30, 4)
    positions = m.positions()
    text = svg_data(m)
    centres = {}
    for node, attrs in m.graph.nodes(data=True):
        title = re.escape(escape(attrs["label"]))
        match = re.search(rf'<title>{title}\n.*?<tspan x="([-\d.]+)"', text, re.S)
        assert match, node
        centres[node] = float(match.group(1))
    far = [(a, b) for a in positions for b in positions if positions[b][0] - positions[a][0] > 300]
    assert far
    assert all(centres[b] > centres[a] for a, b in far)  # left stays left of right


# -- the bundle -------------------------------------------------------------------


def test_every_display_carries_the_svg_and_only_the_interactive_one_the_page() -> None:
    m, added = grown(20, 3)
    interactive = mimebundle(m, highlight=added)
    static = mimebundle(m, interactive=False, highlight=added)
    assert set(interactive) == {"text/plain", "text/html", SVG, MIME}
    assert set(static) == {"text/plain", SVG, MIME}
    assert interactive[SVG] == static[SVG] == svg_data(m, highlight=added)
    assert f'stroke="{HIGHLIGHT}"' in static[SVG]
    assert m._repr_mimebundle_()[SVG] == svg_data(m)
    assert "<iframe" not in json.dumps(static)


def test_the_html_holds_the_page_with_its_highlight_over_the_picture() -> None:
    m, added = grown(20, 3)
    out = mimebundle(m, highlight=added | {"no-such-node"})["text/html"]
    assert "\n" not in out
    src = re.search(r"<img alt=\"[^\"]*\" src='([^']*)'", out)
    assert src
    assert unquote(src.group(1)) == f"data:{SVG}," + svg_data(m, highlight=added)
    page = html.unescape(re.search(r"srcdoc='([^']*)'", out).group(1))  # type: ignore[union-attr]
    packed = re.search(r'id="cm-data-gz">([^<]*)<', page).group(1)  # type: ignore[union-attr]
    data = json.loads(gzip.decompress(base64.b64decode(packed)))
    assert data["highlight"] == sorted(added)
    assert f"height:{frame_height(m)}px" in out


def test_a_small_map_gets_a_small_frame_a_big_one_a_limited_one() -> None:
    small = cm.ConceptMap("Locking", author="a")
    small.apply("obstacle: Two tabs -> Locking\nproposal: Web Locks -addresses-> Two tabs")
    m60, _ = grown(60, 8)
    heights = [frame_height(small), frame_height(m60), frame_height(grown(200, 10)[0])]
    assert heights[0] < 500
    assert heights[0] < heights[1] <= MAX_FRAME
    assert heights[2] == MAX_FRAME


# -- Markdown made from the notebook shows the picture ----------------------------

FORBIDDEN_TEXT = ("function", "vis.", "conceptmap.", "DecompressionStream", "<script", "<!DOCTYPE")


class Seen(HTMLParser):
    """What an HTML fragment shows as text (outside iframes), and its tags by name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: dict[str, list[dict[str, str | None]]] = defaultdict(list)
        self.framed = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag].append(dict(attrs))
        self.framed += tag == "iframe"

    def handle_endtag(self, tag: str) -> None:
        self.framed -= tag == "iframe" and self.framed > 0

    def handle_data(self, data: str) -> None:
        if not self.framed:
            self.text.append(data)


def markdown_of(bundle: dict[str, Any]) -> str:
    """``jupyter nbconvert --to markdown`` of a notebook holding one map output, as
    GitHub's cmark-gfm renders it (raw HTML kept: GitHub's tag filter aside)."""
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    cmark = pytest.importorskip("cmarkgfm.cmark")
    notebook = nbformat.v4.new_notebook()
    output = nbformat.v4.new_output("display_data", data=bundle)
    notebook.cells.append(nbformat.v4.new_code_cell("%%conceptmap m", outputs=[output]))
    body, resources = nbconvert.MarkdownExporter().from_notebook_node(notebook)
    pictures = dict(resources.get("outputs", {}))
    rendered = str(
        cmark.markdown_to_html_with_extensions(
            body,
            options=cmark.Options.CMARK_OPT_UNSAFE,
            extensions=["table", "autolink", "strikethrough", "tasklist"],
        )
    )
    for name, data in pictures.items():  # the extracted SVG, as a viewer would load it
        rendered = rendered.replace(f'src="{name}"', f'data-file="{name}" data-svg="{len(data)}"')
    return rendered


@pytest.mark.parametrize("interactive", [True, False], ids=["interactive", "static"])
def test_markdown_of_a_notebook_shows_the_picture_and_no_script(interactive: bool) -> None:
    m, added = grown(20, 3)
    rendered = markdown_of(mimebundle(m, interactive=interactive, highlight=added))
    seen = Seen()
    seen.feed(rendered)
    shown = "".join(seen.text)
    assert [w for w in FORBIDDEN_TEXT if w in shown] == [], shown[:300]
    assert "script" not in seen.tags
    images = seen.tags["img"]
    assert len(images) == 1, rendered[:300]
    if interactive:
        assert unquote(images[0]["src"] or "") == f"data:{SVG}," + svg_data(m, highlight=added)
    else:
        assert images[0]["data-svg"]  # nbconvert wrote the SVG to a file the <img> shows


# -- show(): one page per map in the notebook --------------------------------------


class Frontend:
    """What a notebook keeps of IPython's display calls: outputs, updated by display id."""

    def __init__(self) -> None:
        self.outputs: list[tuple[str, dict[str, Any]]] = []

    def display(self, bundle: dict[str, Any], *, raw: bool, display_id: str) -> None:
        assert raw
        self.outputs.append((display_id, bundle))

    def update_display(self, bundle: dict[str, Any], *, display_id: str, raw: bool) -> None:
        assert raw
        self.outputs = [(i, bundle if i == display_id else b) for i, b in self.outputs]


@pytest.fixture
def frontend(monkeypatch: pytest.MonkeyPatch) -> Frontend:
    pytest.importorskip("IPython")
    seen = Frontend()
    monkeypatch.setattr("IPython.display.display", seen.display)
    monkeypatch.setattr("IPython.display.update_display", seen.update_display)
    monkeypatch.setattr(display, "_SHOWN", {})
    return seen


def test_show_keeps_the_newest_display_interactive_and_earlier_ones_as_pictures(
    frontend: Frontend, tmp_path: Path
) -> None:
    m = cm.ConceptMap.create(tmp_path / "dht.jsonl", "Scaling up the DHT", author="alice")
    other = cm.ConceptMap("Private DHT", author="bob")
    pictures = []
    for text in cells(25, 4):
        before = set(m.graph)
        m.apply(text)
        added = set(m.graph) - before
        pictures.append(svg_data(m, highlight=added))
        show(m, highlight=added)
        show(other)
    again = cm.ConceptMap.load(tmp_path / "dht.jsonl")  # the same file: the same map
    show(again)
    mine = [b for _, b in frontend.outputs if "Scaling" in b["text/plain"]]
    assert len(mine) == 5
    assert [set(b) for b in mine] == [{"text/plain", SVG}] * 4 + [
        {"text/plain", "text/html", SVG, MIME}
    ]
    assert [b[SVG] for b in mine[:4]] == pictures  # each shows what it showed then
    theirs = [b for _, b in frontend.outputs if "Private" in b["text/plain"]]
    assert ["text/html" in b for b in theirs] == [False, False, False, True]
    assert len({i for i, _ in frontend.outputs}) == len(frontend.outputs)


@pytest.mark.slow
def test_a_session_notebook_of_8_outputs_stays_small(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import conceptmap as cm\nfrom conceptmap.jupyter.display import show\n"
            "m = cm.ConceptMap(author='alice')"
        )
    ]
    nb.cells += [
        nbformat.v4.new_code_cell(
            f"before = set(m.graph)\nm.apply({text!r})\nshow(m, highlight=set(m.graph) - before)"
        )
        for text in cells(60, 8)
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    path = tmp_path / "session.ipynb"
    nbformat.write(nb, str(path))
    outputs = [o["data"] for c in nb.cells[1:] for o in c.outputs]
    assert len(outputs) == 8
    assert ["text/html" in o for o in outputs] == [False] * 7 + [True]
    assert "60 nodes" in outputs[-1]["text/plain"]
    assert path.stat().st_size <= 600_000


# -- in Chromium -------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


POSITIONS = "() => conceptmap.nodes.getIds().map(id => [id, conceptmap.network.getPosition(id)])"


def positions_in(target: Any) -> dict[str, tuple[float, float]]:
    pairs = target.evaluate(POSITIONS)
    return {mark_off(i): (round(p["x"], 1), round(p["y"], 1)) for i, p in pairs}


def mark_off(node: str) -> str:
    return node.removeprefix("\u2063")


@pytest.mark.browser
def test_colour_by_author_changes_colours_only(browser: Any, tmp_path: Path) -> None:
    m = replayed_map()
    page = visit(browser, m.write_html(tmp_path / "map.html").as_uri()).page
    before = positions_in(page)
    page.evaluate("conceptmap.network.moveNode('mixnets', 12, 34)")  # a node the user dragged
    before["mixnets"] = (12.0, 34.0)
    colours = page.evaluate("conceptmap.nodes.get().map(n => n.color.border)")
    page.select_option("#cm-colour", "author")
    assert positions_in(page) == before
    assert page.evaluate("conceptmap.nodes.get().map(n => n.color.border)") != colours


@pytest.mark.browser
def test_the_replay_shows_every_node_where_it_ends_up(browser: Any, tmp_path: Path) -> None:
    m = replayed_map()
    page = visit(browser, m.write_html(tmp_path / "map.html").as_uri()).page
    final = {n: (round(x, 1), round(y, 1)) for n, (x, y) in m.positions(removed=True).items()}
    for k in range(len(m.history) + 1):
        page.evaluate(f"conceptmap.showStep({k})")
        shown = positions_in(page)
        assert shown == {n: final[n] for n in shown}, k
    assert "relays" in final
    assert "relays" not in shown


def inline(browser: Any, tmp_path: Path, bundle: dict[str, Any], tall: bool = False) -> Any:
    """The bundle's HTML in an output 1100 px wide, as a notebook page shows it."""
    spacer = '<div style="height:3000px"></div>' if tall else ""
    host = tmp_path / "notebook.html"
    host.write_text(
        '<!DOCTYPE html><html><body style="margin:0"><div style="width:1100px">'
        f"{bundle['text/html']}</div>{spacer}</body></html>",
        encoding="utf-8",
    )
    seen = visit(browser, host.as_uri(), frame=True)
    assert seen.console == []
    return seen


VIEW = """() => {
    const n = conceptmap.network, box = document.getElementById('cm-network');
    const inView = id => { const p = n.canvasToDOM(n.getPosition(id));
        return p.x >= 0 && p.y >= 0 && p.x <= box.clientWidth && p.y <= box.clientHeight; };
    return {
        scale: n.getScale(),
        label: Math.min(...conceptmap.nodes.get().map(x => x.font.size)) * n.getScale(),
        marked: conceptmap.data.highlight.filter(inView).length,
        shown: conceptmap.nodes.getIds().filter(inView).length,
        legend: document.querySelector('#cm-legend .cm-marked')?.textContent,
    };
}"""


@pytest.mark.browser
def test_a_60_node_map_opens_readable_on_what_the_cell_added(browser: Any, tmp_path: Path) -> None:
    m = cm.ConceptMap(author="alice")
    for text in cells(60, 8):
        m.apply(text)
    anchor = m.graph.nodes[list(m.graph)[30]]["label"]
    m.apply(  # a cell adding three nodes about one thing said before
        f"question: Who pins the index? -> {anchor}\n"
        "proposal: Pin on two peers -answers-> Who pins the index?\n"
        "shortcoming: Twice the storage -drawback_of-> Pin on two peers"
    )
    added = {"who-pins-the-index", "pin-on-two-peers", "twice-the-storage"}
    assert added <= set(m.graph)
    assert len(m) == 63
    frame = map_frame(inline(browser, tmp_path, mimebundle(m, highlight=added)).page)
    view = frame.evaluate(VIEW)
    assert view["label"] >= 11  # px on screen: font size x scale
    assert view["scale"] == pytest.approx(READABLE)
    assert view["marked"] == 3  # what the cell added, in view
    assert 20 <= view["shown"] < len(m)  # the rest reachable by pan and zoom
    assert view["legend"] == "highlighted 3"
    assert frame.evaluate("innerHeight") == frame_height(m) - 2 <= MAX_FRAME  # its border
    # its ring is drawn, in the SVG's highlight colour
    ring = frame.evaluate(
        """id => { const n = conceptmap.network, b = n.getBoundingBox(id);
        const p = n.canvasToDOM({x: b.right, y: (b.top + b.bottom) / 2});
        const c = document.querySelector('#cm-network canvas').getContext('2d');
        const px = c.getImageData(Math.round(p.x), Math.round(p.y) - 1, 12, 3).data;
        const found = [];
        for (let i = 0; i < px.length; i += 4) found.push([px[i], px[i + 1], px[i + 2]]);
        return found; }""",
        "twice-the-storage",
    )
    blue = [int(HIGHLIGHT[i : i + 2], 16) for i in (1, 3, 5)]
    assert any(all(abs(a - b) < 40 for a, b in zip(p, blue, strict=True)) for p in ring)


@pytest.mark.browser
def test_a_small_map_is_shown_whole(browser: Any, tmp_path: Path) -> None:
    m = cm.ConceptMap("Locking the repo", author="a")
    m.apply("obstacle: Two tabs write -> Locking the repo\nproposal: Web Locks -addresses-> "
            "Two tabs write\nconcept: IndexedDB -part_of-> Locking the repo")  # fmt: skip
    frame = map_frame(inline(browser, tmp_path, mimebundle(m)).page)
    view = frame.evaluate(VIEW)
    assert view["shown"] == len(m)
    assert view["label"] >= 11
    assert frame.evaluate("innerHeight") == frame_height(m) - 2 < 700


@pytest.mark.browser
def test_the_wheel_scrolls_the_notebook_until_the_map_is_clicked(
    browser: Any, tmp_path: Path
) -> None:
    m, added = grown(30, 4)
    page = inline(browser, tmp_path, mimebundle(m, highlight=added), tall=True).page
    frame = map_frame(page)
    scale = frame.evaluate("conceptmap.network.getScale()")
    box = page.locator("iframe").bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -240)
    page.mouse.wheel(0, 400)
    page.wait_for_timeout(300)
    assert frame.evaluate("conceptmap.network.getScale()") == scale
    assert page.evaluate("scrollY") > 0  # the notebook scrolled instead
    assert frame.evaluate("!document.getElementById('cm-hint').hidden")  # and says why
    page.evaluate("scrollTo(0, 0)")
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    page.wait_for_timeout(200)
    zoomed = frame.evaluate("conceptmap.network.getScale()")
    assert zoomed > scale  # Ctrl (or a pinch) zooms at once
    page.mouse.click(box["x"] + 40, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -200)
    page.wait_for_timeout(200)
    assert frame.evaluate("conceptmap.network.getScale()") > zoomed
    assert page.evaluate("scrollY") == 0


@pytest.mark.browser
def test_where_the_iframe_is_stripped_the_picture_shows(browser: Any, tmp_path: Path) -> None:
    m, added = grown(20, 3)
    out = mimebundle(m, highlight=added)["text/html"]
    stripped = re.sub(r"<iframe.*?</iframe>", "", out)  # as an untrusted notebook does
    host = tmp_path / "untrusted.html"
    host.write_text(f"<!DOCTYPE html><html><body>{stripped}</body></html>", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(host.as_uri())
    size = page.evaluate(
        "new Promise(r => { const i = document.querySelector('img');"
        " i.decode().then(() => r([i.naturalWidth, i.clientWidth, i.clientHeight])); })"
    )
    natural, width, height = size
    assert natural > 500
    assert width > 500
    assert height > 100
    page.close()
