"""JSON Canvas 1.0 (jsoncanvas.org): a map as cards and arrows for Obsidian.

Each node is a ``text`` card (its label, then its notes) placed by
:func:`conceptmap.layout.layout_positions` and coloured by kind; each link an
edge labelled with its phrase or relation. A card's text is Markdown: the notes
are Markdown already, and the label is escaped (:func:`escape_markdown`) so that
it shows as typed. Everything a card cannot show is kept in one ``"conceptmap"``
object at the top of the canvas (JSON Canvas allows extra keys there; readers
such as PyJSONCanvas refuse them on cards): the map's metadata, and each node's
and link's attributes by card and edge id. :func:`read_canvas` reads the export
back as an equal map, and also reads canvases written by earlier versions, which
kept them on each card and edge.

A canvas drawn by hand reads too: a text card becomes a concept labelled by its
first line (``obstacle: ...`` there sets the kind, as in quick entry) with the
rest as notes, a link card a reference, and an arrow a ``relates_to`` link whose
label is its phrase (or its relation, if the label names one). Cards edited in
Obsidian after an export take their new text.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..core.files import load_json, write_text
from ..core.schema import (
    DEFAULT_RELATION,
    EDGE_FIELDS,
    KIND_ALIASES,
    KINDS,
    MAX_LABEL_LENGTH,
    NODE_ATTRIBUTES,
    Positions,
    label_key,
    link_text,
    normalize_relation,
    slugify,
    unique_slug,
)
from ..core.state import copied
from ..drawing.style import KIND_STYLES
from ..errors import InvalidValueError
from .nodelink import MARKER, VERSION, check_node_count, checked_item, from_node_link

if TYPE_CHECKING:
    from ..model import ConceptMap


#: Card size in canvas pixels: a fixed width, a height that grows with the text.
WIDTH = 280
MIN_HEIGHT = 60
MAX_HEIGHT = 400
_LINE = 24
_CHARS_PER_LINE = 30
_LINK = 1.5 * WIDTH  # the median length of an arrow, centre to centre
_GAP = 40  # the least space between two cards, where there is room
_SEPARATE_MAX = 400  # pushing cards apart costs n^2 per round; larger maps keep the layout
_SEPARATE_ROUNDS = 30
_DECLARATION = re.compile(r"([A-Za-z_]+)\s*:\s*(\S.*)")

# Markdown that a label could start by accident. Anywhere in a line: backslash
# escapes, code spans, emphasis, strikethrough, links and images, HTML; a ':' in
# "://" and a '.' after "www" (GFM's autolinks); '&' starts an entity.
_MARKUP = re.compile(r"[\\`*_\[\]<>~]|(?<=[A-Za-z0-9]):(?=//)|(?i:(?<=\bwww))\.")
# at the start of a line, "1." or "1)" starts a numbered list
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])")
_BACKSLASHED = re.compile(
    r"\\([!-/:-@\[-`{-~])|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


def escape_markdown(text: str) -> str:
    r"""``text`` as Markdown (CommonMark, GFM) that shows it as it is.

    >>> print(escape_markdown("1. *Web* Locks & <b>"))
    1\. \*Web\* Locks &amp; \<b\>
    """
    text = _MARKUP.sub(r"\\\g<0>", text).replace("&", "&amp;")
    if text[:1] in ("#", "+", "-"):
        return "\\" + text
    return _LIST_NUMBER.sub(r"\1\\\2", text)


def unescape_markdown(text: str) -> str:
    r"""Text as Markdown shows it: backslash escapes and entities read.

    That undoes :func:`escape_markdown`, and reads what people type in Obsidian.

    >>> unescape_markdown(r"1\. \*Web\* Locks &amp; \<b\>")
    '1. *Web* Locks & <b>'
    """

    def shown(match: re.Match[str]) -> str:
        return match[1] if match[1] is not None else html.unescape(match[0])

    return _BACKSLASHED.sub(shown, text)


def card_text(label: str, notes: str = "") -> str:
    """What a node's card says: its label (escaped), then a blank line and its notes.

    >>> card_text("Web Locks API", "navigator.locks")
    'Web Locks API\\n\\nnavigator.locks'
    """
    label = escape_markdown(label)
    return f"{label}\n\n{notes}" if notes else label


def edge_label(attrs: Mapping[str, Any]) -> str:
    """What an arrow says: its phrase or relation; nothing for a plain ``relates_to``."""
    if attrs.get("relation", DEFAULT_RELATION) == DEFAULT_RELATION and not attrs.get("phrase"):
        return ""
    return link_text(dict(attrs))


def _height(text: str) -> int:
    lines = sum(max(1, math.ceil(len(line) / _CHARS_PER_LINE)) for line in text.split("\n"))
    return max(MIN_HEIGHT, min(MAX_HEIGHT, 24 + _LINE * lines))


def _placed(
    graph: nx.MultiDiGraph[str], positions: Positions, heights: dict[str, int]
) -> dict[str, tuple[float, float]]:
    """Card centres: the layout stretched to card size, then overlaps pushed apart."""
    points = {n: positions.get(n, (0.0, 0.0)) for n in graph.nodes}
    lengths = sorted(
        math.dist(points[u], points[v]) for u, v in graph.edges() if points[u] != points[v]
    )
    factor = _LINK / lengths[len(lengths) // 2] if lengths else 1.0
    centres = {n: [x * factor, y * factor] for n, (x, y) in points.items()}
    if len(centres) <= _SEPARATE_MAX:
        _separate(centres, heights)
    return {n: (x, y) for n, (x, y) in centres.items()}


def _separate(centres: dict[str, list[float]], heights: dict[str, int]) -> None:
    """Push overlapping cards apart, each time along the axis where they overlap less."""
    nodes = list(centres)
    for _ in range(_SEPARATE_ROUNDS):
        moved = False
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                pa, pb = centres[a], centres[b]
                dx, dy = pb[0] - pa[0], pb[1] - pa[1]
                over_x = WIDTH + _GAP - abs(dx)
                over_y = (heights[a] + heights[b]) / 2 + _GAP - abs(dy)
                if over_x <= 0 or over_y <= 0:
                    continue
                moved = True
                axis, push = (0, over_x) if over_x < over_y else (1, over_y)
                sign = 1.0 if (dx, dy)[axis] >= 0 else -1.0
                pa[axis] -= sign * push / 2
                pb[axis] += sign * push / 2
        if not moved:
            return


def _sides(a: tuple[int, int], b: tuple[int, int]) -> tuple[str, str]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if abs(dx) >= abs(dy):
        return ("right", "left") if dx >= 0 else ("left", "right")
    return ("bottom", "top") if dy >= 0 else ("top", "bottom")


def _claim(wanted: str, taken: set[str]) -> str:
    ident = unique_slug(wanted, taken)
    taken.add(ident)
    return ident


def canvas_data(m: ConceptMap, *, positions: Positions | None = None) -> dict[str, Any]:
    """The map as a JSON Canvas document (a fresh dict; the map is not touched).

    ``positions`` (node id to a point) defaults to
    :func:`conceptmap.layout.layout_positions` with a fixed seed, so the same
    map always gives the same canvas. They are stretched so that arrows are
    about 1.5 cards long, and cards that would overlap are pushed apart.

    >>> from conceptmap import ConceptMap
    >>> m = ConceptMap("GraphSync", author="vmx")
    >>> card = canvas_data(m, positions={"graphsync": (0.0, 0.0)})["nodes"][0]
    >>> card["text"], card["x"], card["y"], card["width"], card["height"], card["color"]
    ('GraphSync', -140, -30, 280, 60, '#b8860b')
    """
    graph = m.graph
    if positions is None:
        from ..drawing.layout import layout_positions

        positions = layout_positions(graph, seed=0)
    texts = {n: card_text(a["label"], a.get("notes", "")) for n, a in graph.nodes(data=True)}
    heights = {n: _height(text) for n, text in texts.items()}
    placed = _placed(graph, positions, heights)
    nodes = [
        _card(node, attrs["kind"], texts[node], heights[node], placed[node])
        for node, attrs in graph.nodes(data=True)
    ]
    centres = {node: (round(x), round(y)) for node, (x, y) in placed.items()}
    taken = set(graph.nodes)
    edges: list[dict[str, Any]] = []
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        from_side, to_side = _sides(centres[u], centres[v])
        edge: dict[str, Any] = {
            "id": _claim(f"{u}->{v}:{key}", taken),
            "fromNode": u,
            "fromSide": from_side,
            "toNode": v,
            "toSide": to_side,
        }
        if label := edge_label(attrs):
            edge["label"] = label
        edges.append(edge)
    return {"nodes": nodes, "edges": edges, MARKER: _saved_data(graph, edges)}


def _card(
    node: str, kind: str, text: str, height: int, centre: tuple[float, float]
) -> dict[str, Any]:
    x, y = centre
    return {
        "id": node,
        "type": "text",
        "text": text,
        "x": round(x - WIDTH / 2),
        "y": round(y - height / 2),
        "width": WIDTH,
        "height": height,
        "color": KIND_STYLES.get(kind, KIND_STYLES["concept"])["border"],
    }


def _saved_data(graph: nx.MultiDiGraph[str], edges: list[dict[str, Any]]) -> dict[str, Any]:
    """What the cards cannot show: the metadata, and the nodes' and links' attributes by id.

    ``edges`` are the canvas's edges, in the graph's order.
    """
    nodes = {
        n: {k: v for k, v in copied(a).items() if k in NODE_ATTRIBUTES}
        for n, a in graph.nodes(data=True)
    }
    links = {
        edge["id"]: {k: attrs[k] for k in EDGE_FIELDS if k in attrs}
        for edge, (_, _, attrs) in zip(edges, graph.edges(data=True), strict=True)
    }
    meta = json.loads(json.dumps(dict(graph.graph)))
    return {"version": VERSION, "graph": meta, "nodes": nodes, "edges": links}


def write_canvas(
    m: ConceptMap, path: str | os.PathLike[str], *, positions: Positions | None = None
) -> None:
    """Write :func:`canvas_data` to ``path`` (UTF-8, indented), e.g. ``map.canvas``."""
    text = json.dumps(canvas_data(m, positions=positions), ensure_ascii=False, indent=1)
    write_text(path, text + "\n")


# -- reading ---------------------------------------------------------------------------
def _parse_text(text: str) -> dict[str, Any]:
    """Label, notes and maybe kind from a card's text (its first line is the label)."""
    lines = text.strip().splitlines()
    first = lines[0].strip().lstrip("#").strip() if lines else ""
    first = unescape_markdown(first)
    fields: dict[str, Any] = {"notes": "\n".join(lines[1:]).strip()}
    declared = _DECLARATION.fullmatch(first)
    if declared and declared.group(1).lower() in (*KINDS, *KIND_ALIASES):
        word = declared.group(1).lower()
        fields["kind"] = KIND_ALIASES.get(word, word)
        first = declared.group(2).strip()
    if len(first) > MAX_LABEL_LENGTH:  # a paragraph: cut the label, keep it all in the notes
        fields["notes"] = text.strip()
        first = first[: MAX_LABEL_LENGTH - 1].rstrip() + "…"
    fields["label"] = first
    return fields


def _saved(data: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    """What the canvas's ``conceptmap`` object keeps for its cards or edges, by id."""
    saved = data.get(MARKER)
    by_id = saved.get(where, {}) if isinstance(saved, dict) else {}
    if not isinstance(by_id, dict):
        raise InvalidValueError(f"the canvas's {MARKER!r} {where!r} must be an object by id")
    return by_id


def _saved_for(
    raw: dict[str, Any], saved: dict[str, Any], fields: tuple[str, ...]
) -> dict[str, Any]:
    """The saved ``fields`` of a card or edge (else its own, as older canvases kept them)."""
    found = saved.get(raw["id"], raw.get(MARKER))
    return {k: v for k, v in found.items() if k in fields} if isinstance(found, dict) else {}


def _shows(text: str, label: str, notes: str) -> bool:
    """Whether a card's ``text`` is as exported (earlier versions did not escape the label)."""
    return text in (card_text(label, notes), f"{label}\n\n{notes}" if notes else label)


def _card_fields(raw: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any] | None:
    """The node fields a card gives, or None for a card that is no node (a group)."""
    kind = raw.get("type")
    if kind == "text":
        text = raw.get("text")
        if not isinstance(text, str):
            raise InvalidValueError(f"text card {raw['id']!r} has no text")
        if saved and _shows(text, str(saved.get("label")), str(saved.get("notes") or "")):
            return saved
        if not text.strip():
            return None
        return {**saved, **_parse_text(text)}
    if kind == "link" and isinstance(raw.get("url"), str) and raw["url"].strip():
        return {"kind": "reference", "url": raw["url"], **saved, "label": raw["url"]}
    if kind == "file" and isinstance(raw.get("file"), str) and raw["file"].strip():
        return {"kind": "reference", "url": raw["file"], **saved, "label": Path(raw["file"]).stem}
    return None  # a group, or a card of a kind this version does not know


def _nodes(
    cards: list[Any], saved: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, str | None]]:
    """Map nodes from cards, and each card's node id (None for a card that is none)."""
    cards = [checked_item("node", i, raw, ("id", "type")) for i, raw in enumerate(cards)]
    kept = {c["id"]: _saved_for(c, saved, NODE_ATTRIBUTES) for c in cards}
    # cards from an export keep their ids; new cards get slugs that none of those has
    taken = {ident for ident, fields in kept.items() if fields}
    ids: dict[str, str | None] = {}
    by_label: dict[str, str] = {}
    nodes: list[dict[str, Any]] = []
    for card in cards:
        fields = _card_fields(card, kept[card["id"]])
        if fields is None:
            ids[card["id"]] = None
            continue
        key = label_key(str(fields.get("label")))
        if key in by_label:  # a card copied in Obsidian, or two cards saying the same
            ids[card["id"]] = by_label[key]
            continue
        ident = card["id"] if card["id"] in taken else _claim(slugify(fields["label"]), taken)
        ids[card["id"]] = by_label[key] = ident
        nodes.append({"kind": "concept", **fields, "id": ident})
    return nodes, ids


def _edge_fields(raw: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
    saved = _saved_for(raw, saved, EDGE_FIELDS)
    missing = [f for f in ("relation", "phrase") if saved and not isinstance(saved.get(f), str)]
    if missing:
        raise InvalidValueError(
            f"edge {raw['id']!r}: its saved attributes have no text {', '.join(map(repr, missing))}"
        )
    label = raw.get("label") or ""
    if not isinstance(label, str):
        raise InvalidValueError(f"edge {raw['id']!r} has a label that is not text: {label!r:.60}")
    if saved and label == edge_label(saved):
        return saved
    try:
        relation, phrase = normalize_relation(label or DEFAULT_RELATION), ""
    except InvalidValueError:
        relation, phrase = DEFAULT_RELATION, label
    return {**saved, "relation": relation, "phrase": phrase}


def _edges(
    arrows: list[Any], ids: dict[str, str | None], saved: dict[str, Any]
) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str, str]] = set()
    for i, raw in enumerate(arrows):
        arrow = checked_item("edge", i, raw, ("id", "fromNode", "toNode"))
        ends = [arrow["fromNode"], arrow["toNode"]]
        for end in ends:
            if end not in ids:
                raise InvalidValueError(f"edge {arrow['id']!r} links the unknown node {end!r}")
        if arrow.get("fromEnd") == "arrow" and arrow.get("toEnd", "arrow") == "none":
            ends.reverse()  # the arrow head is at the "from" end
        source, target = ids[ends[0]], ids[ends[1]]
        if source is None or target is None:
            continue  # an arrow to a group
        if source == target and ends[0] != ends[1]:
            continue  # between two cards that were merged into one node
        fields = _edge_fields(arrow, saved)
        key = (source, target, str(fields["relation"]), label_key(str(fields["phrase"])))
        if key not in seen:
            seen.add(key)
            edges.append({**fields, "source": source, "target": target})
    return edges


def from_canvas(data: Any, *, author: str | None = None) -> ConceptMap:
    """A new in-memory map from JSON Canvas data (``data`` is not changed).

    More cards than ``limit("nodes")`` (200,000) are refused before any is read.

    >>> card = {"type": "text", "x": 0, "y": 0, "width": 250, "height": 60}
    >>> m = from_canvas({
    ...     "nodes": [{**card, "id": "1", "text": "obstacle: Stale locks\\nafter a crash"},
    ...               {**card, "id": "2", "text": "Lock steal option"}],
    ...     "edges": [{"id": "3", "fromNode": "2", "toNode": "1", "label": "answers"}],
    ... }, author="alice")
    >>> [(n["label"], n["kind"], n["notes"]) for n in m.nodes()]
    [('Stale locks', 'obstacle', 'after a crash'), ('Lock steal option', 'concept', '')]
    >>> [(e["source"], e["relation"], e["target"]) for e in m.edges()]
    [('lock-steal-option', 'answers', 'stale-locks')]
    """
    if not isinstance(data, dict):
        raise InvalidValueError("a canvas is a JSON object with 'nodes' and 'edges'")
    cards, arrows = data.get("nodes", []), data.get("edges", [])
    if not isinstance(cards, list) or not isinstance(arrows, list):
        raise InvalidValueError("a canvas's 'nodes' and 'edges' must be lists")
    check_node_count(len(cards))
    saved = data.get(MARKER)
    meta = saved.get("graph") if isinstance(saved, dict) else None
    if not isinstance(meta, dict):
        from ..core.attribution import now

        meta = {"created": now()}
    nodes, ids = _nodes(cards, _saved(data, "nodes"))
    edges = _edges(arrows, ids, _saved(data, "edges"))
    return from_node_link({"graph": meta, "nodes": nodes, "edges": edges}, author=author)


def read_canvas(path: str | os.PathLike[str], *, author: str | None = None) -> ConceptMap:
    """Read a map from a ``.canvas`` file: an export of this module, or drawn by hand.

    Files larger than ``limit("file size")`` (100 MiB) are refused unread.
    """
    return load_json(path, lambda data: from_canvas(data, author=author))
