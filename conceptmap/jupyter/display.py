"""How a map shows itself in Jupyter: the page in a sandboxed iframe, a picture, text.

:func:`mimebundle` gives the display data, in two forms:

- interactive: ``text/html`` holds the same page as :func:`~conceptmap.drawing.html.write_html`
  in ``<iframe srcdoc>`` (sandboxed: scripts run, but cannot reach the notebook), laid
  over the static picture (for where iframes are stripped: untrusted notebooks, Markdown
  made from the notebook), then a plain-text fallback (counts and links);
- static: no page, only the picture (``image/svg+xml``), text and JSON: small, and what
  GitHub and nbviewer show.

Both carry ``image/svg+xml``, ``text/plain`` and ``application/vnd.conceptmap+json``.
:func:`show` displays a map interactive and turns the earlier display of the same map
into the picture and text it showed, so that a notebook of many cells holds one page
and one copy of the map's data per map, not one per cell.
Nothing in the output needs the network or a kernel. The ``text/html`` is a single
line (the page's line breaks are written ``&#10;``), so it stays one HTML block where
it is read as Markdown.
"""

from __future__ import annotations

import html
import os
import uuid
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from ..core.schema import link_text

if TYPE_CHECKING:
    from ..model import ConceptMap

__all__ = ["MIME", "frame_height", "html_output", "mimebundle", "show", "text_summary"]

MIME = "application/vnd.conceptmap+json"
SVG = "image/svg+xml"
WIDTH = 1100
"""The output width the frame is sized for, in px (a notebook's output area, about)."""
MIN_FRAME, MAX_FRAME = 320, 900
"""The frame's height, in px: a small map gets a small frame, a large one no more than this."""
CHROME = 150  # the page's header, tools, legend and replay bar, in px
_PAD = 16  # what the page keeps free around the map, in px
_NODE = (110.0, 30.0)  # about half a node's box beyond its centre, in px
# The page goes in single quotes: JSON's many double quotes then need no escaping.
# Its line breaks go in as character references, so the output is one line: a blank
# line would end the HTML block when the output is read as Markdown (nbconvert --to
# markdown, a notebook viewer), and the rest of the page would show as text.
_SRCDOC = str.maketrans({"&": "&amp;", "'": "&#39;", "\n": "&#10;", "\r": "&#13;"})
# The picture as a data: URL in a single-quoted attribute: what a URL or the attribute
# would read otherwise is percent-encoded (``&`` too: the HTML parser would decode it).
_DATA_URL = str.maketrans({"%": "%25", "#": "%23", "&": "%26", "'": "%27", "\n": "%0A",
                           "\r": "%0D", "\t": "%09"})  # fmt: skip


def text_summary(m: ConceptMap) -> str:
    """A few lines for ``text/plain``: what the map holds and who added to it."""
    info = m.summary()
    kinds = ", ".join(f"{n} {k}" for k, n in info["kinds"].items()) or "empty"
    lines = [repr(m), f"kinds: {kinds}"]
    if info["participants"]:
        lines.append("participants: " + ", ".join(info["participants"]))
    return "\n".join(lines)


def _fallback(m: ConceptMap) -> str:
    graph = m.graph
    labels = {n: a["label"] for n, a in graph.nodes(data=True)}
    items = "".join(
        f"<li>{html.escape(labels[u])} —{html.escape(link_text(a))}→ {html.escape(labels[v])}</li>"
        for u, v, a in graph.edges(data=True)
    )
    orphans = [labels[n] for n in graph if graph.degree(n) == 0]
    if orphans:
        items += "".join(f"<li>{html.escape(label)}</li>" for label in orphans)
    summary = html.escape(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} links")
    return (
        f'<details class="conceptmap-text"><summary>{summary} (as text)</summary>'
        f"<ul>{items}</ul></details>"
    )


def frame_height(m: ConceptMap, width: int = WIDTH) -> int:
    """The inline frame's height in px for ``m``, in an output ``width`` px wide.

    The map's height at the smallest scale the page first shows it at (labels still
    readable; a map of more than ``LARGE`` nodes as wide as the frame), under the page's
    header and over its replay bar; between ``MIN_FRAME`` and ``MAX_FRAME``.

    >>> from conceptmap import ConceptMap
    >>> frame_height(ConceptMap("GraphSync", author="vmx"))
    320
    """
    from ..drawing.html import LARGE, READABLE

    positions = m.positions()
    if not positions:
        return MIN_FRAME
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    wide = max(xs) - min(xs) + 2 * _NODE[0]
    tall = max(ys) - min(ys) + 2 * _NODE[1]
    scale = READABLE if len(positions) <= LARGE else min(1.0, (width - 2 * _PAD) / wide)
    return max(MIN_FRAME, min(MAX_FRAME, round(CHROME + tall * scale + 2 * _PAD)))


def _picture(svg: str, title: str) -> str:
    return f"<img alt=\"{title}\" src='data:{SVG},{svg.translate(_DATA_URL)}'"


def html_output(m: ConceptMap, highlight: Iterable[str] = (), svg: str | None = None) -> str:
    """The ``text/html`` output: the page in a sandboxed iframe over the picture, then text.

    ``highlight`` names the node ids the page marks and shows first; ``svg`` is the
    picture, if it was drawn already.
    """
    from ..drawing.html import render_html
    from ..drawing.svg import svg_data

    marked = set(highlight)
    page = render_html(m, embedded=True, highlight=marked)
    if svg is None:
        svg = svg_data(m, highlight=marked)
    srcdoc = page.translate(_SRCDOC)
    title = html.escape(f"Concept map: {m.meta['topic'] or 'untitled'}")
    height = frame_height(m)
    # Where the iframe is stripped (an untrusted notebook, Markdown made from the
    # notebook), the picture under it shows; where it is not, the page covers it.
    return (
        f'<div class="conceptmap" style="position:relative;height:{height}px;overflow:hidden">'
        + _picture(svg, title)
        + ' style="display:block;max-width:100%;max-height:100%">'
        f'<iframe sandbox="allow-scripts" title="{title}" srcdoc=\'{srcdoc}\' '
        'style="position:absolute;top:0;left:0;width:100%;height:100%;box-sizing:border-box;'
        'border:1px solid #d0d7de;border-radius:6px;background:#fff"></iframe></div>' + _fallback(m)
    )


def mimebundle(
    m: ConceptMap, *, interactive: bool = True, highlight: Collection[str] = ()
) -> dict[str, Any]:
    """The display data for Jupyter; never raises (a broken display must not break a cell).

    ``interactive``: the page (``text/html``) too, besides the picture, text and JSON.
    ``highlight``: node ids to mark, in the page and the picture (what a cell added).

    >>> from conceptmap import ConceptMap
    >>> m = ConceptMap("GraphSync", author="vmx")
    >>> sorted(mimebundle(m, interactive=False))
    ['application/vnd.conceptmap+json', 'image/svg+xml', 'text/plain']
    """
    try:
        from ..drawing.svg import svg_data

        marked = set(highlight)
        svg = svg_data(m, highlight=marked)
        bundle = {"text/plain": text_summary(m), SVG: svg, MIME: m.to_node_link()}
        if interactive:
            bundle["text/html"] = html_output(m, marked, svg)
        return bundle
    except Exception as exc:
        return {"text/plain": f"<ConceptMap: cannot be displayed: {exc}>"}


# the newest interactive display of each map: its display id, and what it becomes later
_SHOWN: dict[str, tuple[str, dict[str, Any]]] = {}
# what an earlier display keeps: its picture and text; the map's data (JSON) is in the
# newest display, and each earlier copy would only add a snapshot's weight to the notebook
_KEPT = ("text/plain", SVG)


def _key(m: ConceptMap) -> str:
    return os.path.realpath(m.path) if m.path is not None else f"object {id(m)}"


def show(m: ConceptMap, highlight: Collection[str] = ()) -> None:
    """Display ``m`` interactive, and turn its previous display in this kernel static.

    For the ``%%conceptmap`` magic: each cell shows the map's page with what it added
    (``highlight``) marked, and the output of the cell before becomes the picture (and
    text) it showed, so that the notebook holds one page per map however many cells
    change it. Maps are told apart by their file (or, in memory, by object). Needs
    IPython; returns nothing, so a magic that returns its result displays nothing more.
    """
    from IPython.display import display, update_display

    key = _key(m)
    bundle = mimebundle(m, interactive=True, highlight=highlight)
    previous = _SHOWN.pop(key, None)
    if previous is not None:
        update_display(previous[1], display_id=previous[0], raw=True)  # type: ignore[no-untyped-call]
    display_id = uuid.uuid4().hex
    display(bundle, raw=True, display_id=display_id)  # type: ignore[no-untyped-call]
    _SHOWN[key] = (display_id, {k: v for k, v in bundle.items() if k in _KEPT})
