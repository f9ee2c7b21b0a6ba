"""How a map shows itself in Jupyter: the page in a sandboxed iframe, over text.

The ``text/html`` output holds the same page as :func:`~conceptmap.html.write_html`
in ``<iframe srcdoc>`` (sandboxed: scripts run, but cannot reach the notebook),
after a plain-text fallback (counts and links) that an untrusted notebook, whose
iframes are stripped, still shows. Nothing in it needs the network or a kernel.
The output is a single line (the page's line breaks are written ``&#10;``), so it
stays one HTML block where it is read as Markdown.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from ..core.schema import link_text

if TYPE_CHECKING:
    from ..model import ConceptMap

MIME = "application/vnd.conceptmap+json"
FRAME_HEIGHT = 620
# The page goes in single quotes: JSON's many double quotes then need no escaping.
# Its line breaks go in as character references, so the output is one line: a blank
# line would end the HTML block when the output is read as Markdown (nbconvert --to
# markdown, a notebook viewer), and the rest of the page would show as text.
_SRCDOC = str.maketrans({"&": "&amp;", "'": "&#39;", "\n": "&#10;", "\r": "&#13;"})


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


def html_output(m: ConceptMap) -> str:
    """The ``text/html`` output: the page in a sandboxed iframe, then the text fallback."""
    from ..drawing.html import render_html

    page = render_html(m, embedded=True)
    srcdoc = page.translate(_SRCDOC)
    title = html.escape(f"Concept map: {m.meta['topic'] or 'untitled'}")
    return (
        f'<iframe sandbox="allow-scripts" title="{title}" srcdoc=\'{srcdoc}\' '
        f'style="width:100%;height:{FRAME_HEIGHT}px;border:1px solid #d0d7de;'
        f'border-radius:6px"></iframe>' + _fallback(m)
    )


def mimebundle(m: ConceptMap) -> dict[str, Any]:
    """The display data for Jupyter; never raises (a broken display must not break a cell)."""
    try:
        return {"text/plain": text_summary(m), "text/html": html_output(m), MIME: m.to_node_link()}
    except Exception as exc:
        return {"text/plain": f"<ConceptMap: cannot be displayed: {exc}>"}
