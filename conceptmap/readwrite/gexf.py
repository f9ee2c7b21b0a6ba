"""GEXF: a map for Gephi and ``networkx.read_gexf``.

Nodes and links carry the attributes of :func:`conceptmap.graphml.plain_graph`
(``kind`` and ``relation`` as they are, ``tags`` as a JSON list) and Gephi's
``viz`` colour of their kind; a node's GEXF label is its label, a link's its
phrase or relation. GEXF has no graph attributes, so the map's metadata go,
as JSON, into the file's ``<meta><description>``; its ``lastmodifieddate`` is
the day of the map's latest change, which keeps the output the same from one
day to the next. :func:`read_gexf` reads an export back as an equal map.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import SubElement, parse

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from ..core.files import reading, write_text
from ..core.schema import link_text
from ..drawing.style import KIND_STYLES
from .graphml import from_plain_graph, plain_graph

if TYPE_CHECKING:
    from ..model import ConceptMap


def _rgb(colour: str) -> dict[str, Any]:
    value = int(colour.lstrip("#"), 16)
    return {"r": value >> 16, "g": (value >> 8) & 0xFF, "b": value & 0xFF, "a": 1.0}


def gexf_graph(m: ConceptMap) -> nx.MultiDiGraph[str]:
    """The graph written to GEXF: :func:`~conceptmap.graphml.plain_graph` plus display data."""
    graph = plain_graph(m)
    graph.graph = {"name": str(m.meta.get("topic") or "")}
    for _, attrs in graph.nodes(data=True):
        style = KIND_STYLES.get(attrs["kind"], KIND_STYLES["concept"])
        attrs["viz"] = {"color": _rgb(style["color"])}
    for _, _, attrs in graph.edges(data=True):
        attrs["label"] = link_text(attrs)
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
    meta = writer.xml.find("meta")
    if meta is not None:
        day = _last_change(m)
        if day:
            meta.set("lastmodifieddate", day)
        description = SubElement(meta, "description")
        description.text = json.dumps(m.meta, ensure_ascii=False)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + str(writer)


def write_gexf(m: ConceptMap, path: str | os.PathLike[str]) -> None:
    """Write :func:`gexf_data` to ``path`` (UTF-8), e.g. ``map.gexf``."""
    write_text(path, gexf_data(m))


def _meta(description: str | None) -> dict[str, Any]:
    """The map's metadata from the file's description (another program's is text)."""
    try:
        meta = json.loads(description or "{}")
    except ValueError:
        meta = None
    return meta if isinstance(meta, dict) else {"description": description}


def read_gexf(path: str | os.PathLike[str], *, author: str | None = None) -> ConceptMap:
    """Read a map from a GEXF file written by :func:`write_gexf`.

    Another program's GEXF reads too: nodes without a ``kind`` become
    concepts, links without a ``relation`` ``relates_to`` links.
    """
    with reading(path, "is not GEXF"):
        graph = nx.read_gexf(path)
        # the same parser networkx just used on the same file; expat (>= 2.4.1, as
        # Python ships it) refuses runaway entity expansion
        description = parse(path).getroot().findtext("{*}meta/{*}description")  # noqa: S314
    with reading(path, "holds a value that cannot be decoded"):
        return from_plain_graph(graph, author=author, meta=_meta(description))
