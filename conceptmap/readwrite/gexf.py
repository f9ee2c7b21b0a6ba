"""GEXF 1.2: a map for Gephi and ``networkx.read_gexf``.

Nodes and links carry the attributes of :func:`conceptmap.graphml.plain_graph`
(``kind`` and ``relation`` as they are, ``tags`` as a JSON list, text XML
cannot hold as a marked JSON string) and Gephi's ``viz`` colour of their kind;
a node's GEXF label is its label, a link's its phrase or relation. GEXF has no
graph attributes, so the map's metadata go, as JSON, into the file's
``<meta><description>`` (the topic is there too: the 1.2 schema has no graph
name); its ``lastmodifieddate`` is the day of the map's latest change, which
keeps the output the same from one day to the next. The file is valid against
the GEXF 1.2draft schema.

:func:`read_gexf` reads an export back as an equal map. It checks what
networkx's reader would trip over (``<attributes>`` without a class, a colour
without one of r, g, b) first, so a broken file is an error that says what is
wrong.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, SubElement, parse

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from ..core.files import check_size, loads, reading, write_text
from ..core.schema import link_text
from ..drawing.style import KIND_STYLES
from ..errors import InvalidValueError
from .graphml import encode_text, from_plain_graph, json_text, plain_graph

if TYPE_CHECKING:
    from ..model import ConceptMap


def _rgb(colour: str) -> dict[str, Any]:
    value = int(colour.lstrip("#"), 16)
    return {"r": value >> 16, "g": (value >> 8) & 0xFF, "b": value & 0xFF, "a": 1.0}


def gexf_graph(m: ConceptMap) -> nx.MultiDiGraph[str]:
    """The graph written to GEXF: :func:`~conceptmap.graphml.plain_graph` plus display data."""
    graph = plain_graph(m)
    graph.graph = {}
    for node, attrs in m.graph.nodes(data=True):
        style = KIND_STYLES.get(attrs["kind"], KIND_STYLES["concept"])
        graph.nodes[encode_text(node)]["viz"] = {"color": _rgb(style["color"])}
    labels = [link_text(attrs) for _, _, attrs in m.graph.edges(data=True)]
    for (_, _, attrs), label in zip(graph.edges(data=True), labels, strict=True):
        attrs["label"] = encode_text(label)
    return graph


def _last_change(m: ConceptMap) -> str:
    g = m.graph
    stamps = [str(m.meta.get("created") or "")]
    stamps += [str(a.get("updated") or a.get("created") or "") for _, a in g.nodes(data=True)]
    stamps += [str(a.get("created") or "") for _, _, a in g.edges(data=True)]
    return max(stamps)[:10]


def gexf_data(m: ConceptMap) -> str:
    """The map as GEXF 1.2 text (the map is not changed).

    >>> from conceptmap import ConceptMap
    >>> text = gexf_data(ConceptMap("GraphSync", author="vmx"))
    >>> '<node id="graphsync" label="GraphSync">' in text
    True
    """
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(gexf_graph(m))
    graph = writer.xml.find("graph")
    if graph is not None:
        graph.attrib.pop("name", None)  # not in the 1.2draft schema
    meta = writer.xml.find("meta")
    if meta is not None:
        day = _last_change(m)
        if day:
            meta.set("lastmodifieddate", day)
        description = SubElement(meta, "description")
        description.text = json_text(m.meta)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + str(writer)


def write_gexf(m: ConceptMap, path: str | os.PathLike[str]) -> None:
    """Write :func:`gexf_data` to ``path`` (UTF-8), e.g. ``map.gexf``."""
    write_text(path, gexf_data(m))


def _meta(description: str | None) -> dict[str, Any]:
    """The map's metadata from the file's description (another program's is text)."""
    try:
        meta = loads(description or "{}")  # NaN or Infinity there is an error
    except json.JSONDecodeError:
        meta = None
    return meta if isinstance(meta, dict) else {"description": description}


def _check_attributes(graph: Element) -> None:
    for attributes in graph.findall("{*}attributes"):
        if attributes.get("class") not in ("node", "edge"):
            raise InvalidValueError(
                f'<attributes> must have class="node" or class="edge", '
                f"not {attributes.get('class')!r}"
            )


def _is_channel(value: str | None) -> bool:
    """Whether ``value`` is a colour channel as networkx reads one: a whole number 0-255."""
    return value is not None and value.isascii() and value.strip().isdigit() and int(value) < 256


def _check_colours(graph: Element) -> None:
    for colour in graph.iterfind(".//{*}node/{*}color"):
        if not all(_is_channel(colour.get(c)) for c in "rgb"):
            nodes = graph.iterfind(".//{*}node")  # which one, for the message: rare, so slow
            node = next((n for n in nodes if colour in list(n)), colour)
            raise InvalidValueError(
                f"node {node.get('id')!r} has a colour (viz:color) without a whole number "
                f"0-255 for each of r, g and b: {dict(colour.attrib)!r:.80}"
            )


def check_gexf(root: Element) -> None:
    """Refuse what networkx's GEXF reader would fail on without saying what it is."""
    for graph in root.findall("{*}graph"):
        _check_attributes(graph)
        _check_colours(graph)


def read_gexf(path: str | os.PathLike[str], *, author: str | None = None) -> ConceptMap:
    """Read a map from a GEXF file written by :func:`write_gexf`.

    Another program's GEXF reads too: nodes without a ``kind`` become
    concepts, links without a ``relation`` ``relates_to`` links. Files larger
    than ``limit("file size")`` (100 MiB) are refused unread.
    """
    check_size(path)
    with reading(path, "is not GEXF", also=(AttributeError,)):  # as in read_graphml
        # expat (>= 2.4.1, as Python ships it) refuses runaway entity expansion
        root = parse(path).getroot()  # noqa: S314
        check_gexf(root)
        graph = nx.read_gexf(path)
    with reading(path, "holds a value that cannot be decoded"):
        meta = _meta(root.findtext("{*}meta/{*}description"))
        return from_plain_graph(graph, author=author, meta=meta)
