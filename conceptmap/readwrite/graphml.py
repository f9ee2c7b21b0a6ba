"""GraphML: a map for yEd, Gephi, Cytoscape and ``networkx.read_graphml``.

GraphML holds only scalar values, so :func:`plain_graph` makes a copy of the
map's graph that it can hold: every node and link attribute is kept (``kind``
and ``relation`` as they are), a node's ``tags`` become a JSON list, and the
map's metadata become graph attributes, where a value that is not text
(``participants``, numbers, lists) is written as JSON and its key listed in
the graph attribute ``conceptmap:json``. :func:`read_graphml` undoes all of
that, so a GraphML export reads back as an equal map.

>>> import tempfile
>>> from conceptmap import ConceptMap
>>> m = ConceptMap("GraphSync", author="vmx")
>>> with tempfile.TemporaryDirectory() as folder:
...     write_graphml(m, f"{folder}/map.graphml")
...     read_graphml(f"{folder}/map.graphml").to_node_link() == m.to_node_link()
True
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..core.files import reading, write_text
from .nodelink import MARKER, VERSION, from_node_link

if TYPE_CHECKING:
    from ..model import ConceptMap

#: The graph attribute that lists the metadata keys written as JSON.
JSON_KEYS = f"{MARKER}:json"


def plain_graph(m: ConceptMap) -> nx.MultiDiGraph[str]:
    """A copy of the map's graph with only text values (the map is not touched).

    >>> from conceptmap import ConceptMap
    >>> m = ConceptMap("GraphSync", author="vmx")
    >>> g = plain_graph(m)
    >>> g.graph["participants"], g.graph["conceptmap:json"]
    ('["vmx"]', '["participants"]')
    """
    source = m.graph
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    encoded = []
    for key, value in source.graph.items():
        if value is None and key in ("topic", "created"):
            continue  # a map without a topic (yet); both come back as None
        if not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False)
            encoded.append(key)
        graph.graph[key] = value
    graph.graph[MARKER] = str(VERSION)
    graph.graph[JSON_KEYS] = json.dumps(encoded, ensure_ascii=False)
    for node, attrs in source.nodes(data=True):
        graph.add_node(node, **{k: _text(v) for k, v in attrs.items()})
    for u, v, key, attrs in source.edges(keys=True, data=True):
        graph.add_edge(u, v, key, **{k: _text(v) for k, v in attrs.items()})
    return graph


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def graphml_data(m: ConceptMap) -> str:
    """The map as GraphML text.

    >>> from conceptmap import ConceptMap
    >>> text = graphml_data(ConceptMap("GraphSync", author="vmx"))
    >>> '>topic</data>' in text  # the topic node's kind
    True
    """
    return "\n".join(nx.generate_graphml(plain_graph(m))) + "\n"


def write_graphml(m: ConceptMap, path: str | os.PathLike[str]) -> None:
    """Write :func:`graphml_data` to ``path`` (UTF-8), e.g. ``map.graphml``."""
    write_text(path, graphml_data(m))


def from_plain_graph(
    graph: nx.Graph[Any], *, author: str | None = None, meta: dict[str, Any] | None = None
) -> ConceptMap:
    """A new map from a graph made by :func:`plain_graph` (undoing its encoding).

    ``meta`` is the map's metadata where the file keeps it elsewhere (GEXF);
    by default it is decoded from the graph's attributes.
    """
    if meta is None:
        # networkx's reader adds node_default and edge_default (dicts) of its own
        meta = {k: v for k, v in graph.graph.items() if not isinstance(v, dict)}
        meta.pop(MARKER, None)
        for key in json.loads(meta.pop(JSON_KEYS, "[]")):
            if key in meta:
                meta[key] = json.loads(meta[key])
    nodes = []
    for node, attrs in graph.nodes(data=True):
        item = {"label": str(node), **attrs, "id": str(node)}
        if isinstance(item.get("tags"), str):
            item["tags"] = json.loads(item["tags"])
        nodes.append(item)
    edges = [{"source": str(u), "target": str(v), **a} for u, v, a in graph.edges(data=True)]
    return from_node_link({"graph": meta, "nodes": nodes, "edges": edges}, author=author)


def read_graphml(path: str | os.PathLike[str], *, author: str | None = None) -> ConceptMap:
    """Read a map from a GraphML file written by :func:`write_graphml`.

    Another program's GraphML reads too: nodes without a ``kind`` become
    concepts, links without a ``relation`` ``relates_to`` links.
    """
    with reading(path, "is not GraphML"):
        graph = nx.read_graphml(path, force_multigraph=True)
    with reading(path, "holds a value that cannot be decoded"):
        return from_plain_graph(graph, author=author)
