"""A static SVG picture of a map: what GitHub, nbviewer and untrusted notebooks show.

:func:`svg_data` draws the map from the same positions as the HTML page, with the same
shapes and colours (:data:`~conceptmap.drawing.style.KIND_STYLES`). Every label is SVG
text, wrapped onto lines, with the full label and notes in a ``<title>`` that a viewer
shows on hover; links carry their words and an arrowhead; a legend names the kinds.
The picture is inert: no script, no event attribute, no link, image or font to fetch,
and every piece of user text escaped.

Text keeps one size (12 px for most labels) and the spacing of the nodes is scaled
instead, so that the picture is about ``WIDTH`` px wide; a map too dense for that
gets a wider picture rather than smaller text. Up to ``SETTLE`` nodes, boxes that
the narrower spacing makes overlap are nudged apart; above ``LARGE``
nodes links are drawn without their words, as on the page (their ``<title>`` keeps
them).
"""

from __future__ import annotations

import math
import os
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from ..core.files import write_text
from ..core.schema import Positions, link_text
from .html import LARGE
from .style import INK, KIND_STYLES, KindStyle

if TYPE_CHECKING:
    from ..model import ConceptMap

__all__ = ["HIGHLIGHT", "WIDTH", "escape", "svg_data", "text_width", "wrap", "write_svg"]

WIDTH = 1100
_KEEPS_APART = 12.0 / 14.0  # the picture's label size over the page's
FIT_MAX = 100  # up to this many nodes, the picture is fitted to WIDTH and nudged apart
"""The width the picture aims at, in px; labels are at least 11 px at that width."""
SETTLE = 300  # up to this many nodes, overlapping boxes are nudged apart
MARGIN = 16
FONT = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
LABEL_PX, LINK_PX, LEGEND_PX = 12.0, 11.5, 12.0  # link words: 11 px even at 0.96 scale
WRAP_PX, TOPIC_WRAP_PX = 150.0, 240.0
MAX_LINES = 8
BOLD = 1.1
NEIGHBOUR_PX = 45.0  # the median distance to a nearest neighbour is never less
GAP_PX = 12.0  # what the nudge keeps between two nodes' boxes
LINK_COLOUR, LINK_TEXT, HIGHLIGHT = "#8c959f", "#57606a", "#0550ae"
# advance widths of ' '..'~' in thousandths of an em: the wider of DejaVu Sans and
# Liberation Sans (metric twin of Arial), so that a label fits whichever font draws it
_ASCII = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636,
    636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 556, 1015, 684,
    686, 722, 770, 667, 611, 778, 752, 295, 500, 667, 557, 863, 748, 787, 667, 787, 722,
    667, 611, 732, 684, 989, 685, 667, 685, 390, 337, 390, 838, 556, 500, 613, 635, 550,
    635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392,
    634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)  # fmt: skip
_EM: dict[str, float] = {chr(32 + i): w / 1000 for i, w in enumerate(_ASCII)}
# characters XML 1.0 cannot carry at all, and the ones that end markup
_NOT_XML = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF], "\ufffd")
_NOT_XML.update({0xD800 + i: "\ufffd" for i in range(0x800)})
_ESCAPE = str.maketrans({**_NOT_XML, ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;",
                         ord('"'): "&quot;", ord("'"): "&#39;"})  # fmt: skip

Floats = npt.NDArray[np.float64]


def escape(text: str) -> str:
    """``text`` safe as XML character data or a quoted attribute value.

    >>> escape('<script>"x" & ]]>')
    '&lt;script&gt;&quot;x&quot; &amp; ]]&gt;'
    """
    return text.translate(_ESCAPE)


def _em(ch: str) -> float:
    width = _EM.get(ch)
    if width is None:  # marks take no room, CJK an em, anything else a generous guess
        mark = unicodedata.combining(ch) or unicodedata.category(ch) in ("Cf", "Mn", "Me")
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        width = _EM[ch] = 0.0 if mark else 1.0 if wide else 0.8
    return width


def text_width(text: str, px: float) -> float:
    """An upper estimate of ``text``'s width at ``px`` (no font is measured)."""
    return sum(map(_em, text)) * px


def _pieces(word: str, limit: float, px: float) -> Iterator[str]:
    """``word`` in pieces that fit ``limit``, cut after a ``/``, ``-`` or ``.`` where it can be."""
    while word:
        cut, width = len(word), 0.0
        for i, ch in enumerate(word):
            width += _em(ch) * px
            if width > limit and i:
                cut = i
                break
        soft = max(word.rfind(c, 0, cut) for c in "/-._?&=") if cut < len(word) else -1
        cut = soft + 1 if soft >= cut // 2 else cut
        yield word[:cut]
        word = word[cut:]


def wrap(text: str, limit: float, px: float = LABEL_PX) -> list[str]:
    """``text`` as lines no wider than ``limit`` px; at most ``MAX_LINES``, the last cut with …

    >>> wrap("One lock per datastore via the Web Locks API", 150)
    ['One lock per datastore', 'via the Web Locks API']
    """
    space = _em(" ") * px
    pieces = ((p, i > 0) for word in text.split() for i, p in enumerate(_pieces(word, limit, px)))
    lines: list[str] = []
    line, used = "", 0.0
    for piece, glued in pieces:
        width, glue = text_width(piece, px), 0.0 if glued else space
        if line and used + glue + width <= limit:
            line, used = line + ("" if glued else " ") + piece, used + glue + width
            continue
        if line:
            lines.append(line)
        line, used = piece, width
        if len(lines) == MAX_LINES:  # the rest is cut anyway
            break
    lines.append(line)
    if len(lines) > MAX_LINES:
        last = lines[MAX_LINES - 1]
        while last and text_width(last + "…", px) > limit:
            last = last[:-1]
        lines = [*lines[: MAX_LINES - 1], last + "…"]
    return lines


class Node(NamedTuple):
    """One node as drawn: its text, box size and style."""

    id: str
    kind: str
    label: str
    title: str
    lines: list[str]
    px: float
    bold: bool
    half: tuple[float, float]
    style: KindStyle


def _node(node: str, label: str, kind: str, notes: str) -> Node:
    style = KIND_STYLES.get(kind, KIND_STYLES["concept"])
    heavy = kind in ("topic", "decision")
    px = max(LABEL_PX, round(LABEL_PX + (style["font_size"] - 14) * 0.6))
    # bold text is up to a tenth wider: measured as if a tenth larger
    size = px * (BOLD if heavy else 1.0)
    lines = wrap(label, TOPIC_WRAP_PX if kind == "topic" else WRAP_PX, size)
    w = max(text_width(line, size) for line in lines)
    h = len(lines) * px * 1.25
    if style["shape"] == "ellipse":
        half = (w / 2 * 1.15 + 10, h / 2 * 1.3 + 6)
    else:
        pill = min(style["radius"], h / 2 + 6)
        half = (w / 2 + 8 + pill * 0.4, h / 2 + 6)
    title = f"{label}\n({kind})" + (f"\n\n{notes}" if notes else "")
    return Node(node, kind, label, title, lines, px, heavy, half, style)


def _node_positions(m: ConceptMap, positions: Positions | None) -> dict[str, tuple[float, float]]:
    """Where each node goes: the map's positions, as every view draws them, or ``positions``."""
    given = m.positions() if positions is None else positions
    return {node: (float(x), float(y)) for node, (x, y) in given.items()}


def _given(m: ConceptMap, nodes: list[Node], positions: Positions | None) -> Floats:
    """The positions of ``nodes``; any without one go in a row under the others."""
    given = _node_positions(m, positions)
    xy = np.array([given.get(n.id, (math.nan, math.nan)) for n in nodes], dtype=float)
    lost = np.isnan(xy[:, 0])
    if lost.any():
        known = xy[~lost] if not lost.all() else np.zeros((1, 2))
        low, left = known[:, 1].max() + 150, known[:, 0].min()
        xy[lost] = [(left + 200 * i, low) for i in range(int(lost.sum()))]
    return xy


def _placed(m: ConceptMap, nodes: list[Node], positions: Positions | None) -> Floats:
    """Node centres in picture px: spacing scaled to ``WIDTH``, overlaps nudged apart."""
    xy, half = _given(m, nodes, positions), np.array([n.half for n in nodes], dtype=float)
    inner = WIDTH - 2 * MARGIN
    span = float(np.ptp(xy[:, 0]))
    scale = min(1.0, (inner - 2 * float(half[:, 0].mean())) / span) if span else 1.0
    floor = 0.0
    if len(xy) > 1:
        from scipy.spatial import cKDTree  # type: ignore[import-untyped]

        floor = NEIGHBOUR_PX / max(float(np.median(cKDTree(xy).query(xy, 2)[0][:, 1])), 1e-6)
    scale = max(scale, floor)
    if positions is None and len(xy) > FIT_MAX:
        # the map's own positions keep the page's 14 px labels apart: drawn no smaller
        # than LABEL_PX / 14 of them, the picture's labels cannot overlap, and a big map
        # makes a wider picture instead of one that needs nudging (which is slow)
        scale = max(scale, _KEEPS_APART)
        if scale >= _KEEPS_APART:
            return xy * scale
    if not 1 < len(xy) <= SETTLE:
        return xy * scale
    squeeze = 1.0
    for _ in range(3):  # the nudge may widen it: again, from closer together side by side
        spread = _spread(xy * scale * [squeeze, 1.0], half)
        wide = float((spread[:, 0] + half[:, 0]).max() - (spread[:, 0] - half[:, 0]).min())
        if wide <= inner or squeeze <= 0.6:
            break
        squeeze = max(0.6, squeeze * inner / wide)
    return spread


def _spread(xy: Floats, half: Floats, rounds: int = 100) -> Floats:
    """Push apart boxes that overlap, each pair along the axis where they overlap least."""
    from scipy.spatial import cKDTree

    reach = 2 * half.max(axis=0) + GAP_PX
    xy = xy.copy()
    for _ in range(rounds):
        pairs = cKDTree(xy / reach).query_pairs(1.0, p=np.inf, output_type="ndarray")
        if not len(pairs):
            break
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        i, j = pairs[:, 0], pairs[:, 1]
        apart = xy[j] - xy[i]
        over = half[i] + half[j] + GAP_PX - np.abs(apart)
        hit = (over > 0.5).all(axis=1)  # a pixel of the gap is not worth a round
        if not hit.any():
            break
        i, j, apart, over = i[hit], j[hit], apart[hit], over[hit]
        axis = (over[:, 1] < over[:, 0]).astype(np.intp)
        rows = np.arange(len(i))
        push = np.where(apart[rows, axis] < 0, -0.5, 0.5) * over[rows, axis]
        move = np.zeros_like(xy)
        np.add.at(move, (j, axis), push)
        np.add.at(move, (i, axis), -push)
        xy += move
    return xy


def _f(v: float) -> str:
    return f"{v:.1f}"


def _outline(style: KindStyle, x: float, y: float, hw: float, hh: float, extra: str) -> str:
    """The kind's shape centred on (x, y); ``extra`` holds its paint attributes."""
    if style["shape"] in ("ellipse", "circle"):
        return f'<ellipse cx="{_f(x)}" cy="{_f(y)}" rx="{_f(hw)}" ry="{_f(hh)}"{extra}/>'
    r = min(float(style["radius"]), hh)
    return (f'<rect x="{_f(x - hw)}" y="{_f(y - hh)}" width="{_f(2 * hw)}" '
            f'height="{_f(2 * hh)}" rx="{_f(r)}"{extra}/>')  # fmt: skip


def _paint(style: KindStyle, scale: float = 1.0) -> str:
    width = style["border_width"] * scale
    dashes = " ".join(_f(d * scale) for d in style["dashes"])
    return (f' fill="{style["color"]}" stroke="{style["border"]}" stroke-width="{_f(width)}"'
            + (f' stroke-dasharray="{dashes}"' if dashes else ""))  # fmt: skip


def _rtl(text: str) -> bool:
    """Whether ``text``'s first strong character is written right to left."""
    strong = (kind for kind in map(unicodedata.bidirectional, text) if kind in ("L", "R", "AL"))
    return next(strong, "L") != "L"


def _node_svg(n: Node, x: float, y: float, highlighted: bool) -> str:
    hw, hh = n.half
    out = [f"<g><title>{escape(n.title)}</title>"]
    if highlighted:
        paint = f' fill="none" stroke="{HIGHLIGHT}" stroke-width="3.5"'
        out.append(_outline(n.style, x, y, hw + 6, hh + 6, paint))
    out.append(_outline(n.style, x, y, hw, hh, _paint(n.style)))
    weight = ' font-weight="bold"' if n.bold else ""
    rtl = ' direction="rtl"' if _rtl(n.label) else ""
    step = n.px * 1.25
    top = y - step * (len(n.lines) - 1) / 2 + n.px * 0.35
    out.append(f'<text y="{_f(top)}" font-size="{_f(n.px)}" fill="{n.style["text"]}"{weight}{rtl}>')
    xs = _f(x)
    for k, line in enumerate(n.lines):
        out.append(f'<tspan x="{xs}" dy="{_f(step) if k else 0}">{escape(line)}</tspan>')
    out.append("</text></g>")
    return "".join(out)


def _boundary(n: Node, x: float, y: float, dx: float, dy: float) -> tuple[float, float]:
    """Where a line from (x, y) in direction (dx, dy) leaves node ``n``'s outline."""
    hw, hh = n.half
    grow = n.style["border_width"] / 2 + 1
    norm = math.hypot(dx, dy)
    dx, dy = (dx / norm, dy / norm) if norm else (1.0, 0.0)  # two nodes in one place
    if n.style["shape"] in ("ellipse", "circle"):
        t = 1 / math.sqrt((dx / hw) ** 2 + (dy / hh) ** 2)
    else:
        t = min(hw / abs(dx) if dx else math.inf, hh / abs(dy) if dy else math.inf)
    return x + dx * (t + grow), y + dy * (t + grow)


def _links(
    m: ConceptMap, nodes: dict[str, tuple[Node, float, float]], with_words: bool
) -> tuple[str, str]:
    """The links as paths, and their words: each parallel link bends to its own side."""
    graph = m.graph
    groups = Counter((min(u, v), max(u, v)) for u, v in graph.edges())
    seen: dict[tuple[str, str], int] = {}
    paths: list[str] = []
    words: list[str] = []
    for u, v, attrs in graph.edges(data=True):
        if u not in nodes or v not in nodes:
            continue
        pair = (min(u, v), max(u, v))
        k = seen[pair] = seen.get(pair, -1) + 1
        text = link_text(attrs)
        (a, ax, ay), (b, bx, by) = nodes[u], nodes[v]
        title = f"<title>{escape(f'{a.label} → {text} → {b.label}')}</title>"
        if u == v:
            hh = a.half[1]
            lift = hh + 30 + 16 * k
            d = (f"M{_f(ax + 12)},{_f(ay - hh)} C{_f(ax + 45)},{_f(ay - lift)} "
                 f"{_f(ax - 45)},{_f(ay - lift)} {_f(ax - 12)},{_f(ay - hh - 2)}")  # fmt: skip
            mx, my = ax, ay - lift + 6
        else:
            bend = (k - (groups[pair] - 1) / 2) * 24
            (px, py), (qx, qy) = nodes[pair[0]][1:], nodes[pair[1]][1:]
            length = math.hypot(qx - px, qy - py) or 1.0
            cx = (ax + bx) / 2 - (qy - py) / length * bend * 2
            cy = (ay + by) / 2 + (qx - px) / length * bend * 2
            sx, sy = _boundary(a, ax, ay, cx - ax, cy - ay)
            ex, ey = _boundary(b, bx, by, cx - bx, cy - by)
            d = f"M{_f(sx)},{_f(sy)} Q{_f(cx)},{_f(cy)} {_f(ex)},{_f(ey)}"
            mx, my = (sx + 2 * cx + ex) / 4, (sy + 2 * cy + ey) / 4
        paths.append(f'<path d="{d}">{title}</path>')
        if with_words:
            words.append(f'<text x="{_f(mx)}" y="{_f(my + LINK_PX * 0.35)}">{escape(text)}</text>')
    return "".join(paths), "".join(words)


def _legend(counts: dict[str, int], width: float, halo: bool) -> tuple[str, int]:
    """One swatch and word per kind present, in rows that fit ``width``; and the rows."""
    items = [(KIND_STYLES[k], f"{KIND_STYLES[k]['legend']} {c}") for k, c in counts.items() if c]
    out: list[str] = []
    x = y = 0.0
    for style, text in items + ([(None, "highlighted")] if halo else []):
        need = 30 + text_width(text, LEGEND_PX)
        if x and x + need > width:
            x, y = 0.0, y + 22
        if style is None:
            paint = f' fill="none" stroke="{HIGHLIGHT}" stroke-width="2.5" rx="3"'
            out.append(f'<rect x="{_f(x + 1)}" y="{_f(y + 1)}" width="22" height="14"{paint}/>')
        else:
            swatch = style | {"radius": min(style["radius"], 7)}
            out.append(_outline(swatch, x + 12, y + 8, 11, 6, _paint(style, 0.6)))
        out.append(f'<text x="{_f(x + 29)}" y="{_f(y + 12)}">{escape(text)}</text>')
        x += need + 14
    return "".join(out), round(y / 22) + 1


def _frame(placed: Iterable[tuple[Node, float, float]]) -> tuple[float, float, float, float]:
    """The smallest box around every node: left, top, right, bottom."""
    boxes = [(x - n.half[0], y - n.half[1], x + n.half[0], y + n.half[1]) for n, x, y in placed]
    if not boxes:
        return 0.0, 0.0, 0.0, 0.0
    left, top, right, bottom = zip(*boxes, strict=True)
    return min(left), min(top), max(right), max(bottom)


def svg_data(
    m: ConceptMap, positions: Positions | None = None, *, highlight: Collection[str] = ()
) -> str:
    """The map as an SVG document (the map is not changed); ``highlight`` marks node ids.

    Examples
    --------
    >>> from conceptmap import ConceptMap
    >>> m = ConceptMap("GraphSync", author="vmx")
    >>> _ = m.link("Selectors", "part_of", "GraphSync")
    >>> text = svg_data(m, highlight={"selectors"})
    >>> text.startswith("<svg") and ">Selectors</tspan>" in text and ">part of</text>" in text
    True
    """
    graph = m.graph
    nodes = [
        _node(n, a["label"], a["kind"], a.get("notes") or "") for n, a in graph.nodes(data=True)
    ]
    xy = _placed(m, nodes, positions) if nodes else np.zeros((0, 2))
    placed = {n.id: (n, float(x), float(y)) for n, (x, y) in zip(nodes, xy, strict=True)}
    marked = {node for node in highlight if node in placed}
    left, top, right, bottom = _frame(placed.values())
    width = max(right - left + 2 * MARGIN, 320.0)
    counts = dict.fromkeys(KIND_STYLES, 0)
    for n in nodes:
        counts[n.kind if n.kind in counts else "concept"] += 1
    legend, rows = _legend(counts, width - 2 * MARGIN, bool(marked))
    x0, y0 = left - MARGIN, top - MARGIN - rows * 22 - 8
    height = bottom - y0 + MARGIN
    paths, words = _links(m, placed, len(nodes) <= LARGE)
    topic = escape(str(m.meta.get("topic") or "Untitled map"))
    box = f'x="{_f(x0)}" y="{_f(y0)}" width="{_f(width)}" height="{_f(height)}"'
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_f(x0)} {_f(y0)} {_f(width)} '
        f'{_f(height)}" width="{math.ceil(width)}" height="{math.ceil(height)}" role="img" '
        f'font-family="{escape(FONT)}" text-anchor="middle">',
        f"<title>{topic} · concept map</title>",
        '<defs><marker id="cm-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,0L10,5L0,10z" fill="{LINK_COLOUR}"/></marker></defs>',
        f'<rect {box} fill="#fff"/>',  # legible on a dark page too
        f'<g font-size="{_f(LEGEND_PX)}" fill="{INK}" text-anchor="start" '
        f'transform="translate({_f(x0 + MARGIN)},{_f(y0 + MARGIN / 2)})">{legend}</g>',
        f'<g fill="none" stroke="{LINK_COLOUR}" stroke-width="1.2" '
        f'marker-end="url(#cm-arrow)">{paths}</g>',
        f'<g font-size="{_f(LINK_PX)}" fill="{LINK_TEXT}" stroke="#fff" stroke-width="3" '
        f'stroke-linejoin="round" paint-order="stroke">{words}</g>',
        *(_node_svg(n, x, y, n.id in marked) for n, x, y in placed.values()),
        "</svg>\n",
    ])  # fmt: skip


def write_svg(
    m: ConceptMap,
    path: str | os.PathLike[str],
    positions: Positions | None = None,
    *,
    highlight: Collection[str] = (),
) -> Path:
    """Write the map as an SVG picture (atomically); see :func:`svg_data`."""
    return write_text(path, svg_data(m, positions, highlight=highlight))
