"""Mermaid: a map as a ``flowchart LR`` for Markdown (GitHub, GitLab, RFC drafts).

Node ids are ``n0``, ``n1``, ... in the map's order, so no label or keyword
(``end``, ``graph``, ...) can clash with the syntax. Every label and link text
is written in double quotes with Mermaid's entity codes (``#quot;``, ``#35;``,
...) for the characters that mean something to Mermaid's parser, to its text
preprocessing or to the HTML it renders, so any label draws as typed. Kinds are
classes (``classDef``/``class``) coloured as in the HTML page.

The export is one way: a drawing does not hold authors or times.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import networkx as nx

from ..core.files import write_text
from ..core.schema import KINDS, link_text
from ..drawing.style import KIND_STYLES
from ..errors import InvalidValueError

if TYPE_CHECKING:
    from ..model import ConceptMap

#: The node shape of each kind, as Mermaid's (opening, closing) brackets.
SHAPES: dict[str, tuple[str, str]] = {
    "topic": ("([", "])"),  # stadium
    "concept": ("(", ")"),  # rounded
    "requirement": ("{{", "}}"),  # hexagon
    "decision": ("{", "}"),  # rhombus
    "question": ("(", ")"),
    "related": ("(", ")"),
}
_BOX = ("[", "]")
DIRECTIONS = ("LR", "RL", "TB", "BT")

# Entity codes for what Mermaid would read as syntax inside a quoted string:
# '"' ends it, '`' right after the opening quote starts a Markdown string, '#'
# starts an entity code, '%' can start a directive (%%{init}%%), '<', '>', '&'
# would be read as HTML by the renderer, and '\' followed by 'n' is a line break
# (in any label; mermaid's common.ts turns "\n" into "<br>").
_ENTITIES = {
    "\\": "#92;",
    '"': "#quot;",
    "#": "#35;",
    "%": "#37;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
}
_SPECIAL = re.compile(r"""["#%&<>`\\\x00-\x1f\x7f-\x9f\u2028\u2029]""")
# Mermaid's lexer reads any line holding "direction LR" (etc.) as a direction
# statement, whatever comes before it on the line.
_DIRECTION = re.compile(r"(direction)\s(?=\s*(?:TB|BT|RL|LR|TD))")
# Before parsing, Mermaid drops the last ';' of a line matching one of these
# (meant for `style x fill:#f00;`), which would break an entity code in a label.
_STYLE_LINE = re.compile(r"(style|classDef).*:")


def escape(text: str) -> str:
    """``text`` for a double-quoted Mermaid string: any text, drawn as it is.

    >>> escape('Say "hi" to <b>#1</b>')
    'Say #quot;hi#quot; to #lt;b#gt;#35;1#lt;/b#gt;'
    """

    def code(match: re.Match[str]) -> str:
        char = match.group()
        return _ENTITIES.get(char) or f"#{ord(char)};"

    text = _SPECIAL.sub(code, text)
    text = _DIRECTION.sub(r"\1#32;", text)
    if _STYLE_LINE.search(text):
        text = text.replace(":", "#58;")
    return text


def _node_line(ident: str, label: str, kind: str) -> str:
    opening, closing = SHAPES.get(kind, _BOX)
    return f'    {ident}{opening}"{escape(label)}"{closing}'


def flowchart(
    graph: nx.MultiDiGraph[str], *, direction: str = "LR", nodes: Iterable[str] | None = None
) -> str:
    """A Mermaid flowchart of ``graph`` (or of ``nodes`` and the links among them).

    The graph is only read. The same graph always gives the same text.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Web Locks API", kind="concept")
    >>> g.add_node("b", label='Two tabs write "the" repo', kind="obstacle")
    >>> g.add_edge("a", "b", "addresses", relation="addresses", phrase="")
    'addresses'
    >>> print(flowchart(g))  # doctest: +NORMALIZE_WHITESPACE
    flowchart LR
        n0("Web Locks API")
        n1["Two tabs write #quot;the#quot; repo"]
        n0 -->|"addresses"| n1
        classDef concept fill:#cfe3f7,stroke:#5b8bd0,color:#000000
        classDef obstacle fill:#eda69f,stroke:#c0392b,color:#000000
        class n0 concept
        class n1 obstacle
    """
    if direction not in DIRECTIONS:
        raise InvalidValueError(
            f"unknown direction {direction!r} (valid directions: {', '.join(DIRECTIONS)})"
        )
    wanted = list(graph.nodes) if nodes is None else [n for n in nodes if n in graph]
    ids = {node: f"n{i}" for i, node in enumerate(dict.fromkeys(wanted))}
    lines = [f"flowchart {direction}"]
    by_kind: dict[str, list[str]] = {}
    for node, ident in ids.items():
        attrs = graph.nodes[node]
        kind = str(attrs.get("kind", "concept"))
        lines.append(_node_line(ident, str(attrs.get("label", node)), kind))
        by_kind.setdefault(kind, []).append(ident)
    for u, v, attrs in graph.edges(data=True):
        if u in ids and v in ids:
            lines.append(f'    {ids[u]} -->|"{escape(link_text(attrs))}"| {ids[v]}')
    kinds = [k for k in KINDS if k in by_kind]
    for kind in kinds:
        style = KIND_STYLES[kind]
        text = "#ffffff" if kind == "decision" else "#000000"  # dark fill, light text
        lines.append(
            f"    classDef {kind} fill:{style['color']},stroke:{style['border']},color:{text}"
        )
    for kind in kinds:
        lines.append(f"    class {','.join(by_kind[kind])} {kind}")
    return "\n".join(lines) + "\n"


def mermaid_data(m: ConceptMap, *, direction: str = "LR") -> str:
    """The map as Mermaid flowchart text (the map is not changed).

    >>> from conceptmap import ConceptMap
    >>> print(mermaid_data(ConceptMap("GraphSync", author="vmx")), end="")
    flowchart LR
        n0(["GraphSync"])
        classDef topic fill:#f6d365,stroke:#b8860b,color:#000000
        class n0 topic
    """
    return flowchart(m.graph, direction=direction)


def write_mermaid(m: ConceptMap, path: str | os.PathLike[str]) -> None:
    """Write :func:`mermaid_data` to ``path`` (UTF-8), e.g. ``map.mmd``."""
    write_text(path, mermaid_data(m))
