"""Graphviz DOT: a map as a ``digraph`` for ``dot -Tsvg`` and friends.

Every id and value is a double-quoted DOT string, so no label, id or keyword
(``node``, ``edge``, ``strict``, ...) can break the syntax: a backslash is
written ``\\\\``, a double quote ``\\"`` and a line break ``\\n`` (Graphviz
reads labels as escape strings, where ``\\\\`` is one backslash). In what Graphviz
draws (labels, tooltips) ``&`` is written ``&amp;``, since Graphviz would read
``&lt;`` as an entity. Kinds are node attributes (``kind`` and ``class``, the
latter a CSS class in SVG output) with a shape and colours per kind; every
node and link attribute of the map is kept as a DOT attribute.

Graphviz (2.43) reads no quoted string over 16 KB: a value whose quoted form
would pass :data:`MAX_QUOTED_BYTES` bytes of UTF-8 is cut there and ends in
:data:`CUT` (``" … [cut]"``), so that the file still draws. Only long notes,
metadata and urls come near it (labels and ids are far shorter); the map file
keeps them whole.
"""

from __future__ import annotations

import json
import os
import re
from bisect import bisect_right
from itertools import accumulate
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..core.files import write_text
from ..core.schema import EDGE_FIELDS, link_text
from ..drawing.style import KIND_STYLES

if TYPE_CHECKING:
    from ..model import ConceptMap

#: The Graphviz node shape of each kind.
SHAPES: dict[str, str] = {
    "topic": "doubleoctagon",
    "concept": "ellipse",
    "obstacle": "octagon",
    "requirement": "hexagon",
    "proposal": "box",
    "decision": "diamond",
    "shortcoming": "invhouse",
    "question": "ellipse",
    "action": "cds",
    "related": "ellipse",
    "reference": "note",
}
_NODE_DATA = (
    "kind",
    "notes",
    "author",
    "created",
    "updated",
    "tags",
    "url",
    "owner",
    "due",
    "status",
)
_BARE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}
#: Map metadata written under its own name; other keys get a ``meta_`` prefix,
#: so that no key can set a Graphviz attribute (``bgcolor``, ``URL``, ...).
_META = ("topic", "participants", "created")
#: The longest quoted string written, in bytes between the quotes (Graphviz 2.43
#: fails at 16,382; the rest is margin).
MAX_QUOTED_BYTES = 16_000
#: What ends a value cut to fit.
CUT = " … [cut]"
# bytes a character takes once quoted (a plain one: its UTF-8); "&" only in labels
_QUOTED_SIZE = {"\\": 2, '"': 2, "\n": 2, "\r": 2}
_LABEL_SIZE = {**_QUOTED_SIZE, "&": len("&amp;")}
_WIDEST = 5  # bytes: "&amp;" (UTF-8 takes at most 4)


def quote(text: str) -> str:
    r"""``text`` as a double-quoted DOT string.

    >>> print(quote('a "b" \\ c'))
    "a \"b\" \\ c"
    >>> print(quote("x" * 20_000)[-10:])
    x … [cut]"
    """
    return _quoted(cut(text))


def _quoted(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


def cut(text: str, *, label: bool = False) -> str:
    """``text``, or as much of its start as fits in a quoted DOT string, then :data:`CUT`.

    ``label``: ``text`` is to be written by :func:`quote_label` (each ``&`` grows).

    >>> cut("short")
    'short'
    >>> len(cut("漢" * 6_000).encode()) <= MAX_QUOTED_BYTES
    True
    """
    if len(text) * _WIDEST <= MAX_QUOTED_BYTES:  # most text: no need to count
        return text
    sizes = _LABEL_SIZE if label else _QUOTED_SIZE
    ends = list(accumulate(sizes.get(c) or len(c.encode()) for c in text))
    if ends[-1] <= MAX_QUOTED_BYTES:
        return text
    return text[: bisect_right(ends, MAX_QUOTED_BYTES - len(CUT.encode()))] + CUT


def quote_label(text: str) -> str:
    """``text`` as a quoted DOT label: as :func:`quote`, with ``&`` as ``&amp;``.

    >>> print(quote_label("A &lt; B"))
    "A &amp;lt; B"
    """
    return _quoted(cut(text, label=True).replace("&", "&amp;"))


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _name(key: str) -> str:
    bare = _BARE.fullmatch(key) and key.lower() not in _KEYWORDS
    return key if bare else quote(key)


def _attrs(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{_name(k)}={v}" for k, v in pairs)


def _node(node: str, attrs: dict[str, Any]) -> str:
    kind = str(attrs.get("kind", "concept"))
    style = KIND_STYLES.get(kind, KIND_STYLES["concept"])
    pairs = [
        ("label", quote_label(str(attrs.get("label", node)))),
        ("class", quote(kind)),
        ("shape", quote(SHAPES.get(kind, "box"))),
        ("fillcolor", quote(style["color"])),
        ("color", quote(style["border"])),
    ]
    if kind == "decision":
        pairs.append(("fontcolor", quote("#ffffff")))
    if attrs.get("notes"):
        pairs.append(("tooltip", quote_label(str(attrs["notes"]))))
    pairs += [(k, quote(_value(attrs[k]))) for k in _NODE_DATA if k in attrs]
    return f"  {quote(node)} [{_attrs(pairs)}];"


def _edge(u: str, v: str, key: str, attrs: dict[str, Any]) -> str:
    pairs = [("key", quote(key)), ("label", quote_label(link_text(attrs)))]
    pairs += [(k, quote(_value(attrs[k]))) for k in EDGE_FIELDS if k in attrs]
    return f"  {quote(u)} -> {quote(v)} [{_attrs(pairs)}];"


def digraph(graph: nx.MultiDiGraph[str], *, rankdir: str = "LR") -> str:
    r"""``graph`` as DOT text; the graph is only read, and gives the same text each time.

    >>> g = nx.MultiDiGraph(topic="T")
    >>> g.add_node("a", label='say "hi"', kind="concept")
    >>> print(digraph(g), end="")  # doctest: +ELLIPSIS
    digraph "T" {
      graph [label="T", labelloc="t", rankdir="LR", fontname="Helvetica", topic="T"];
      node [style="filled", fontname="Helvetica"];
      edge [fontname="Helvetica", fontsize="10"];
      "a" [label="say \"hi\"", class="concept", shape="ellipse", ..., kind="concept"];
    }
    """
    meta = graph.graph
    topic = meta.get("topic")
    name = str(topic) if topic else "conceptmap"
    head = [
        ("label", quote_label(str(topic or ""))),
        ("labelloc", quote("t")),
        ("rankdir", quote(rankdir)),
        ("fontname", quote("Helvetica")),
    ]
    head += [
        (k if k in _META else f"meta_{k}", quote(_value(v)))
        for k, v in meta.items()
        if v is not None
    ]
    lines = [
        f"digraph {quote(name)} {{",
        f"  graph [{_attrs(head)}];",
        '  node [style="filled", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize="10"];',
    ]
    lines += [_node(str(n), a) for n, a in graph.nodes(data=True)]
    lines += [_edge(str(u), str(v), str(k), a) for u, v, k, a in graph.edges(keys=True, data=True)]
    return "\n".join([*lines, "}"]) + "\n"


def dot_data(m: ConceptMap) -> str:
    """The map as Graphviz DOT text (the map is not changed).

    >>> from conceptmap import ConceptMap
    >>> print(dot_data(ConceptMap("GraphSync", author="vmx")).splitlines()[0])
    digraph "GraphSync" {
    """
    return digraph(m.graph)


def write_dot(m: ConceptMap, path: str | os.PathLike[str]) -> None:
    """Write :func:`dot_data` to ``path`` (UTF-8), e.g. ``map.dot``."""
    write_text(path, dot_data(m))
