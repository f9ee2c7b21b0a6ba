"""The static SVG picture: well-formed, complete, inert, readable, and drawn as in the page."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import conceptmap as cm
from conceptmap.core.schema import link_text
from conceptmap.drawing.style import KIND_STYLES
from conceptmap.drawing.svg import HIGHLIGHT, WIDTH, escape, svg_data, wrap, write_svg

from .browser import launch

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = [
    "<script>alert(1)</script>",
    "</text></svg><script>alert(2)</script>",
    "a ]]> b <![CDATA[ c",
    "Tom & Jerry &amp; &lt;",
    "say \"hi\" and 'bye'",
    'x" onload="alert(3)',
    "שלום עולם: מנעול?",
    "مرحبا <b>بالعالم</b>",
    "a&#x3C;script&#x3E;",
]


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def node_groups(root: ET.Element) -> dict[str, ET.Element]:
    """Each node's <g>, by the label on the first line of its <title>."""
    groups = {}
    for g in root.iter(f"{NS}g"):
        title = g.find(f"{NS}title")
        if title is not None and g.find(f"{NS}text") is not None:
            groups[(title.text or "").split("\n")[0]] = g
    return groups


def drawn_label(g: ET.Element) -> str:
    """The label as drawn: its lines joined."""
    text = g.find(f"{NS}text")
    assert text is not None
    return " ".join(t.text or "" for t in text.iter(f"{NS}tspan"))


def squeeze(text: str) -> str:
    return "".join(text.split())


def hostile_map() -> cm.ConceptMap:
    m = cm.ConceptMap("<script>alert('topic')</script> & ]]>", author="<img src=x onerror=1>")
    for i, label in enumerate(HOSTILE):
        m.add(label, kind=list(KIND_STYLES)[1 + i % 10], notes=f"{label}\n<svg onload=alert(4)>")
    m.link(HOSTILE[0], "relates_to", HOSTILE[1])
    m.apply(f'{HOSTILE[3]} -"<script>x</script> & ]]>"-> {HOSTILE[4]}')
    return m


def assert_inert(text: str) -> None:
    root = parse(text)
    for el in root.iter():
        tag = el.tag.removeprefix(NS)
        assert tag not in ("script", "foreignObject", "a", "image", "use", "iframe", "style")
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (tag, name)
            assert "href" not in name.lower(), (tag, name)
            assert re.sub(r"url\(#[\w-]+\)", "", value).find("url(") < 0, (tag, value)
    assert "<script" not in text
    assert "@import" not in text
    assert "<!" not in text  # no CDATA, DOCTYPE or entity declarations


def test_the_example_parses_with_every_label_drawn_and_titled(example: cm.ConceptMap) -> None:
    root = parse(svg_data(example))
    assert root.tag == f"{NS}svg"
    groups = node_groups(root)
    assert len(groups) == len(example)
    for _, attrs in example.graph.nodes(data=True):
        g = groups[attrs["label"]]
        assert squeeze(drawn_label(g)) == squeeze(attrs["label"])
        title = g.find(f"{NS}title")
        assert title is not None
        assert attrs["kind"] in (title.text or "")
        assert (attrs.get("notes") or "") in (title.text or "")


def test_links_have_arrows_words_and_titles(example: cm.ConceptMap) -> None:
    root = parse(svg_data(example))
    links = [g for g in root.iter(f"{NS}g") if g.get("marker-end") == "url(#cm-arrow)"]
    assert len(links) == 1
    paths = list(links[0].iter(f"{NS}path"))
    assert len(paths) == example.graph.number_of_edges()
    assert root.find(f"{NS}defs/{NS}marker[@id='cm-arrow']") is not None
    words = [t.text for t in root.iter(f"{NS}text") if t.find(f"{NS}tspan") is None]
    for _, _, attrs in example.graph.edges(data=True):
        assert link_text(attrs) in words
    titles = {t.text for p in paths for t in p.findall(f"{NS}title")}
    u, v, attrs = next(iter(example.graph.edges(data=True)))
    labels = example.graph.nodes
    assert f"{labels[u]['label']} → {link_text(attrs)} → {labels[v]['label']}" in titles


def test_nodes_have_their_kinds_shape_outline_and_colours(example: cm.ConceptMap) -> None:
    groups = node_groups(parse(svg_data(example)))
    for _, attrs in example.graph.nodes(data=True):
        style = KIND_STYLES[attrs["kind"]]
        shape = groups[attrs["label"]][1]  # after the title
        assert shape.tag == NS + ("rect" if style["shape"] == "box" else "ellipse")
        assert shape.get("fill") == style["color"]
        assert shape.get("stroke") == style["border"]
        assert float(shape.get("stroke-width", "0")) == style["border_width"]
        dashes = shape.get("stroke-dasharray")
        assert ([float(d) for d in dashes.split()] if dashes else []) == list(style["dashes"])
        text = groups[attrs["label"]].find(f"{NS}text")
        assert text is not None
        assert text.get("fill") == style["text"]


def bbox(shape: ET.Element) -> tuple[float, float, float, float]:
    if shape.tag == f"{NS}ellipse":
        cx, cy, rx, ry = (float(shape.get(k, "0")) for k in ("cx", "cy", "rx", "ry"))
        return cx - rx, cy - ry, cx + rx, cy + ry
    x, y, w, h = (float(shape.get(k, "0")) for k in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def test_the_example_is_about_1100_px_wide_with_labels_of_11_px_or_more(
    example: cm.ConceptMap,
) -> None:
    root = parse(svg_data(example))
    x0, y0, width, height = map(float, (root.get("viewBox") or "").split())
    assert float(root.get("width", "0")) == pytest.approx(width, abs=1)  # 1 unit = 1 px
    assert 0.85 * WIDTH <= width <= 1.15 * WIDTH
    sizes = [float(g.get("font-size", "0")) for g in root.iter() if g.get("font-size")]
    assert min(sizes) * min(1.0, WIDTH / width) >= 11
    boxes = [bbox(g[1]) for g in node_groups(root).values()]
    for left, top, right, bottom in boxes:  # everything inside the picture
        assert x0 <= left <= right <= x0 + width
        assert y0 <= top <= bottom <= y0 + height
    for a, b in itertools.combinations(boxes, 2):  # and no node hides another
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_positions_come_from_the_map_and_keep_their_order(example: cm.ConceptMap) -> None:
    page = example.positions()  # as the page, the inline view and the replay draw them
    groups = node_groups(parse(svg_data(example)))
    centre = {}
    for node, attrs in example.graph.nodes(data=True):
        left, top, right, bottom = bbox(groups[attrs["label"]][1])
        centre[node] = ((left + right) / 2, (top + bottom) / 2)
    # the nudge that keeps labels apart moves nodes a little, never across the map
    far = [(a, b) for a, b in itertools.combinations(page, 2) if page[b][0] - page[a][0] > 400]
    assert far
    assert all(centre[b][0] > centre[a][0] for a, b in far)
    given = {node: (float(i % 5) * 300, float(i // 5) * 300) for i, node in enumerate(page)}
    again = node_groups(parse(svg_data(example, given)))
    order = list(page)
    first, last = (example.graph.nodes[n]["label"] for n in (order[0], order[-1]))
    assert bbox(again[first][1])[1] < bbox(again[last][1])[1]  # row 0 above the last row


def test_highlighted_nodes_get_a_ring_and_a_legend_entry(example: cm.ConceptMap) -> None:
    plain = parse(svg_data(example))
    marked = parse(svg_data(example, highlight={"web-locks-api", "no-such-node"}))
    rings = [el for el in marked.iter() if el.get("stroke") == HIGHLIGHT]
    assert len(rings) == 2  # the ring, and the legend's swatch
    ring = node_groups(marked)["Web Locks API"][1]
    assert ring.get("stroke") == HIGHLIGHT
    assert not [el for el in plain.iter() if el.get("stroke") == HIGHLIGHT]
    legend = [t.text for t in marked.iter(f"{NS}text")]
    assert "highlighted" in legend
    assert "concepts 21" in legend


@pytest.mark.parametrize("label", HOSTILE)
def test_a_hostile_label_is_drawn_as_text(label: str) -> None:
    m = cm.ConceptMap("T", author="a")
    m.add(label, kind="obstacle", notes=label)
    text = svg_data(m)
    assert_inert(text)
    g = node_groups(parse(text))[label]
    assert squeeze(drawn_label(g)) == squeeze(label)


def test_hostile_topic_author_notes_and_link_words_stay_text() -> None:
    m = hostile_map()
    text = svg_data(m)
    assert_inert(text)
    root = parse(text)
    assert (root.find(f"{NS}title").text or "").startswith(m.meta["topic"])  # type: ignore[union-attr]
    words = [t.text for t in root.iter(f"{NS}text")]
    assert "<script>x</script> & ]]>" in words
    titles = [t.text or "" for t in root.iter(f"{NS}title")]
    assert any("<svg onload=alert(4)>" in t for t in titles)


def test_text_the_model_refuses_is_still_made_safe(example: cm.ConceptMap) -> None:
    # defence in depth: a graph changed behind the model's back
    example.graph.nodes["ipfs-repo"]["label"] = "line\u2028sep \x07bell \ud800 \u202erlo"
    text = svg_data(example)
    assert_inert(text)
    assert "\x07" not in text
    assert "\ud800" not in text
    text.encode("utf-8")  # no lone surrogate left
    assert "line\u2028sep" in text  # a valid character, shown as it is
    assert escape("\x00\x08\x0b\x0c\x1f\ufffe\uffff") == "\ufffd" * 7
    assert escape("\t\n") == "\t\n"


def test_same_map_same_bytes_and_the_map_is_not_changed(example: cm.ConceptMap) -> None:
    before = nx.node_link_data(example.graph, edges="edges")
    assert svg_data(example) == svg_data(example)
    assert nx.node_link_data(example.graph, edges="edges") == before


def test_parallel_links_and_loops_are_drawn_apart() -> None:
    m = cm.ConceptMap("T", author="a")
    m.apply("A -depends_on-> B\nA -blocks-> B\nB -> A\nA -> A\nA -part_of-> A\nT -> A")
    root = parse(svg_data(m))
    paths = [p.get("d") for g in root.iter(f"{NS}g") if g.get("marker-end") for p in g]
    assert len(paths) == len(set(paths)) == 6
    assert not re.search(r"nan|inf", " ".join(p or "" for p in paths))


@pytest.mark.parametrize(
    "positions", [None, {}, {"t": (0.0, 0.0), "a": (0.0, 0.0), "b": (0.0, 0.0)}]
)
def test_odd_positions_still_give_a_picture(positions: dict[str, Any] | None) -> None:
    m = cm.ConceptMap("T", author="a")
    m.apply("A -> B\nB -> T")
    text = svg_data(m, positions)
    assert not re.search(r"nan|inf", text)
    assert len(node_groups(parse(text))) == 3


def test_an_empty_map_is_an_empty_picture() -> None:
    root = parse(svg_data(cm.ConceptMap(author="a")))
    assert node_groups(root) == {}
    assert (root.find(f"{NS}title").text or "").startswith("Untitled map")  # type: ignore[union-attr]


def test_large_maps_leave_link_words_to_titles() -> None:
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph(topic="Big")
    g.add_node("t", label="Big", kind="topic")
    for i in range(600):
        g.add_node(f"n{i}", label=f"Node {i}", kind="concept")
        g.add_edge(f"n{i}", "t" if i < 10 else f"n{i // 10}", relation="part_of")
    root = parse(svg_data(cm.ConceptMap.from_graph(g, author="a")))
    words = [t for t in root.iter(f"{NS}text") if t.find(f"{NS}tspan") is None]
    assert [t.text for t in words if t.text == "part of"] == []
    assert len(node_groups(root)) == 601


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", [""]),
        ("Web Locks API", ["Web Locks API"]),
        ("https://developer.mozilla.org/en-US/docs/Web/API/Web_Locks_API",
         ["https://developer.", "mozilla.org/en-US/docs/", "Web/API/Web_Locks_API"]),
        ("x" * 1000, ["x" * 21] * 7 + ["x" * 19 + "…"]),
    ],
)  # fmt: skip
def test_labels_wrap_at_word_and_url_boundaries(text: str, lines: list[str]) -> None:
    assert wrap(text, 150) == lines


def test_write_svg_writes_the_picture(example: cm.ConceptMap, tmp_path: Path) -> None:
    path = write_svg(example, tmp_path / "map.svg")
    assert path == tmp_path / "map.svg"
    assert path.read_text(encoding="utf-8") == svg_data(example)
    assert [p.name for p in tmp_path.iterdir()] == ["map.svg"]  # no temporary file left


# -- in Chromium ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


def open_svg(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    """The SVG opened as a document; every request but its own is recorded and aborted."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requests: list[str] = []
    console: list[str] = []

    def route(r: Any) -> None:
        requests.append(r.request.url)
        r.continue_() if r.request.url == path.as_uri() else r.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))

    def dialog(d: Any) -> None:
        console.append(f"dialog: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(path.as_uri())
    return page, requests, console


DRAWN = """() => [...document.querySelectorAll('g > title')].filter(t =>
    t.parentNode.querySelector('text')).map(t => {
  const g = t.parentNode, text = g.querySelector('text'), shape = t.nextElementSibling;
  const tb = text.getBBox(), sb = shape.getBBox();
  return {label: [...text.querySelectorAll('tspan')].map(s => s.textContent).join(' '),
          text: [tb.x, tb.y, tb.width, tb.height], shape: [sb.x, sb.y, sb.width, sb.height],
          ellipse: shape.tagName === 'ellipse'};
})"""


@pytest.mark.browser
@pytest.mark.parametrize("which", ["example", "hostile"])
def test_chromium_draws_every_label_inside_its_shape_and_asks_for_nothing(
    browser: Any, example: cm.ConceptMap, tmp_path: Path, which: str
) -> None:
    m = example if which == "example" else hostile_map()
    path = write_svg(m, tmp_path / "map.svg")
    page, requests, console = open_svg(browser, path)
    assert requests == [path.as_uri()]
    assert console == []
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    drawn = page.evaluate(DRAWN)
    labels = sorted(squeeze(a["label"]) for _, a in m.graph.nodes(data=True))
    assert sorted(squeeze(d["label"]) for d in drawn) == labels
    for d in drawn:
        (tx, ty, tw, th), (sx, sy, sw, sh) = d["text"], d["shape"]
        assert tw > 0, d
        assert th > 0, d
        # the real font's text fits the shape drawn from estimated widths
        slack = 0.15 * sw if d["ellipse"] else 1.0
        assert sx - slack <= tx <= tx + tw <= sx + sw + slack, d
        assert sy - 1 <= ty <= ty + th <= sy + sh + 1, d


@pytest.mark.browser
def test_chromium_shows_the_svg_as_an_image(
    browser: Any, example: cm.ConceptMap, tmp_path: Path
) -> None:
    path = write_svg(example, tmp_path / "map.svg")
    html = tmp_path / "page.html"
    html.write_text(f'<img id="map" src="{path.name}" alt="map">', encoding="utf-8")
    page = browser.new_page()
    requests: list[str] = []

    def route(r: Any) -> None:
        requests.append(r.request.url)
        r.continue_() if r.request.url in (html.as_uri(), path.as_uri()) else r.abort()

    page.route("**/*", route)
    page.goto(html.as_uri())
    page.wait_for_function("document.getElementById('map').complete")
    natural = page.evaluate("[document.getElementById('map').naturalWidth, "
                            "document.getElementById('map').naturalHeight]")  # fmt: skip
    root = parse(path.read_text(encoding="utf-8"))
    assert natural == [math.ceil(float(root.get("width", "0"))),
                       math.ceil(float(root.get("height", "0")))]  # fmt: skip
    assert requests == [html.as_uri(), path.as_uri()]
    shot = page.locator("#map").screenshot()
    assert len(shot) > 30_000  # a drawn map, not a blank picture
