"""GraphML: a map for yEd, Gephi, Cytoscape, igraph and ``networkx.read_graphml``.

GraphML holds only scalar values, so :func:`plain_graph` makes a copy of the
map's graph that it can hold: every node and link attribute is kept (``kind``
and ``relation`` as they are), a node's ``tags`` become a JSON list, and the
map's metadata become graph attributes, where a value that is not text
(``participants``, numbers, lists), or is text XML cannot carry as it is, is
written as JSON and its key listed in the graph attribute ``conceptmap:json``.

The file is valid against the GraphML schema, which other tools rely on:

- node ids are XML name tokens; a node whose id is not one (an id from another
  program, ``"Web Locks API"``) gets ``n0``, ``n1``, ... and every node keeps
  its real id in its ``id`` data;
- edges are ``e0``, ``e1``, ... ; the multigraph key is their ``key`` data;
- the graph's data come before its nodes and edges (graph-tool reads them only
  there);
- a metadata key that is no name token, or would clash with the marker keys or
  networkx's ``node_default``/``edge_default``, is written as ``meta:`` and the
  key with other characters as ``.XX`` (UTF-8 bytes in hex);
- text XML 1.0 cannot hold (control characters, U+FFFE) is written as
  ``conceptmap:json:`` and the text as a JSON string (ASCII), and a carriage
  return as ``&#13;``, so that it is not read back as a line feed.

:func:`read_graphml` undoes all of that (and reads files written by earlier
versions), so a GraphML export reads back as an equal map.

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
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, SubElement, indent, tostring

import networkx as nx

from ..core.files import check_size, loads, reading, write_text
from ..core.schema import unique_slug
from ..errors import InvalidValueError
from .nodelink import MARKER, VERSION, check_node_count, from_node_link

if TYPE_CHECKING:
    from ..model import ConceptMap

#: The graph attribute that lists the metadata keys written as JSON.
JSON_KEYS = f"{MARKER}:json"
#: The start of a node or link value written as a JSON string.
JSON_TEXT = f"{MARKER}:json:"
#: The start of a metadata key written in escaped form.
META_PREFIX = "meta:"
#: Graph attribute names a metadata key must not take as it is.
RESERVED = frozenset({MARKER, JSON_KEYS, "node_default", "edge_default"})

NAMESPACE = "http://graphml.graphdrawing.org/xmlns"
_SCHEMA = "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"

# what XML 1.0 cannot hold: anything outside its Char production
_XML_UNSAFE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# XML 1.0 (fifth edition) NameChar: an NMTOKEN is one or more of them
_NAME_CHARS = (
    ":A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
    "\\-.0-9\xb7\u0300-\u036f\u203f\u2040"
)
_NMTOKEN = re.compile(f"[{_NAME_CHARS}]+")
_NOT_NAME_CHAR = re.compile(f"[^{_NAME_CHARS}]|\\.")
_ESCAPED_BYTES = re.compile(r"(?:\.[0-9A-F]{2})+")


# -- encoding values and names ------------------------------------------------------
def json_text(value: Any) -> str:
    """``value`` as JSON text that XML can hold (ASCII escapes only where needed)."""
    text = json.dumps(value, ensure_ascii=False)
    return text if not _XML_UNSAFE.search(text) else json.dumps(value)


def encode_text(value: str) -> str:
    """A node or link value as XML can hold it: as it is, or as a marked JSON string.

    >>> encode_text("Web Locks API"), encode_text("bell \\x07")
    ('Web Locks API', 'conceptmap:json:"bell \\\\u0007"')
    """
    if _XML_UNSAFE.search(value) or value.startswith(JSON_TEXT):
        return JSON_TEXT + json.dumps(value)
    return value


def decode_text(value: Any) -> Any:
    """Undo :func:`encode_text` (any other value is returned as it is)."""
    if isinstance(value, str) and value.startswith(JSON_TEXT):
        text = loads(value[len(JSON_TEXT) :])
        if not isinstance(text, str):
            raise InvalidValueError(f"{value!r:.60} is not a JSON string")
        return text
    return value


def metadata_name(key: str) -> str:
    """The graph attribute name of the metadata ``key``: a name token, not a reserved one.

    >>> metadata_name("date"), metadata_name("room name"), metadata_name("conceptmap")
    ('date', 'meta:room.20name', 'meta:conceptmap')
    """
    if _NMTOKEN.fullmatch(key) and key not in RESERVED and not key.startswith(META_PREFIX):
        return key
    escaped = _NOT_NAME_CHAR.sub(lambda c: "".join(f".{b:02X}" for b in c[0].encode()), key)
    return META_PREFIX + escaped


def metadata_key(name: str) -> str:
    """Undo :func:`metadata_name`."""
    if not name.startswith(META_PREFIX):
        return name
    escaped = name[len(META_PREFIX) :]
    return _ESCAPED_BYTES.sub(lambda c: bytes.fromhex(c[0].replace(".", "")).decode(), escaped)


# -- writing ----------------------------------------------------------------------------
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
        if not isinstance(value, str) or not value or value != encode_text(value):
            value = json_text(value)  # networkx reads empty <data> as no value at all
            encoded.append(key)
        graph.graph[metadata_name(key)] = value
    graph.graph[MARKER] = str(VERSION)
    graph.graph[JSON_KEYS] = json_text(encoded)
    for node, attrs in source.nodes(data=True):
        graph.add_node(encode_text(node), **{k: _text(v) for k, v in attrs.items()})
    for u, v, key, attrs in source.edges(keys=True, data=True):
        graph.add_edge(
            encode_text(u),
            encode_text(v),
            encode_text(key),
            **{k: _text(a) for k, a in attrs.items()},
        )
    return graph


def _text(value: Any) -> str:
    return encode_text(value) if isinstance(value, str) else json_text(value)


def _node_ids(graph: nx.MultiDiGraph[str]) -> dict[str, str]:
    """Each node's id in the file: its own if it is a name token, else ``n<i>``."""
    ids = {node: node for node in graph.nodes if _NMTOKEN.fullmatch(node)}
    taken = set(ids)
    for i, node in enumerate(graph.nodes):
        if node not in ids:
            ids[node] = unique_slug(f"n{i}", taken)
            taken.add(ids[node])
    return {node: ids[node] for node in graph.nodes}


def _declare(root: Element, domain: str, names: Iterable[str], first: int) -> dict[str, str]:
    """``<key>`` elements for the attribute ``names`` of ``domain``: name -> key id."""
    keys = {name: f"d{first + i}" for i, name in enumerate(dict.fromkeys(names))}
    for name, key in keys.items():
        attributes = {"id": key, "for": domain, "attr.name": name, "attr.type": "string"}
        SubElement(root, "key", attributes)
    return keys


def _add_data(parent: Element, keys: dict[str, str], values: Mapping[str, str]) -> None:
    for name, value in values.items():
        SubElement(parent, "data", key=keys[name]).text = value


def graphml_data(m: ConceptMap) -> str:
    """The map as GraphML text (valid against the GraphML 1.0 schema).

    >>> from conceptmap import ConceptMap
    >>> text = graphml_data(ConceptMap("GraphSync", author="vmx"))
    >>> '>topic</data>' in text  # the topic node's kind
    True
    """
    graph = plain_graph(m)
    ids = _node_ids(graph)
    renamed = any(node != ident for node, ident in ids.items())
    nodes = [({"id": n} if renamed else {}) | a for n, a in graph.nodes(data=True)]
    edges = [{"key": k, **a} for _, _, k, a in graph.edges(keys=True, data=True)]
    root = Element("graphml", {"xmlns": NAMESPACE})
    root.set("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
    root.set("xsi:schemaLocation", f"{NAMESPACE} {_SCHEMA}")
    graph_keys = _declare(root, "graph", graph.graph, 0)
    node_keys = _declare(root, "node", (k for a in nodes for k in a), len(graph_keys))
    edge_keys = _declare(
        root, "edge", (k for a in edges for k in a), len(graph_keys) + len(node_keys)
    )
    element = SubElement(root, "graph", edgedefault="directed")
    _add_data(element, graph_keys, graph.graph)
    for node, values in zip(graph.nodes, nodes, strict=True):
        _add_data(SubElement(element, "node", id=ids[node]), node_keys, values)
    for i, ((u, v), values) in enumerate(zip(graph.edges(), edges, strict=True)):
        _add_data(
            SubElement(element, "edge", id=f"e{i}", source=ids[u], target=ids[v]), edge_keys, values
        )
    indent(root)
    # a carriage return in text would be read back as a line feed (XML's end-of-line
    # handling); ElementTree writes it as a reference in attributes, not in text
    text = tostring(root, encoding="unicode").replace("\r", "&#13;")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{text}\n'


def write_graphml(m: ConceptMap, path: str | os.PathLike[str]) -> None:
    """Write :func:`graphml_data` to ``path`` (UTF-8), e.g. ``map.graphml``."""
    write_text(path, graphml_data(m))


# -- reading ----------------------------------------------------------------------------
def plain_metadata(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The map's metadata from the graph attributes :func:`plain_graph` wrote."""
    listed = loads(attributes.get(JSON_KEYS) or "[]")
    if not isinstance(listed, list) or not all(isinstance(k, str) for k in listed):
        raise InvalidValueError(f"the graph attribute {JSON_KEYS!r} is not a list of keys")
    meta = {}
    for name, value in attributes.items():
        if name in (MARKER, JSON_KEYS) or (name in RESERVED and isinstance(value, dict)):
            continue  # the markers, and networkx's node_default and edge_default
        key = metadata_key(name)
        meta[key] = loads(value) if key in listed and isinstance(value, str) else value
    return meta


def _decoded(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: decode_text(v) if isinstance(v, str) and v.startswith(JSON_TEXT) else v
        for k, v in attrs.items()
    }


def from_plain_graph(
    graph: nx.Graph[Any], *, author: str | None = None, meta: dict[str, Any] | None = None
) -> ConceptMap:
    """A new map from a graph made by :func:`plain_graph` (undoing its encoding).

    ``meta`` is the map's metadata where the file keeps it elsewhere (GEXF);
    by default it is decoded from the graph's attributes. More nodes than
    ``limit("nodes")`` are refused before any is read.
    """
    check_node_count(graph.number_of_nodes())
    if meta is None:
        meta = plain_metadata(graph.graph)
    ids: dict[Any, str] = {}
    nodes = []
    for node, attrs in graph.nodes(data=True):
        item = _decoded(attrs)
        ids[node] = str(item.pop("id", None) or decode_text(str(node)))
        item = {"label": ids[node], **item, "id": ids[node]}
        if isinstance(item.get("tags"), str):
            item["tags"] = loads(item["tags"])
        nodes.append(item)
    edges = [
        {**_decoded(a), "source": ids[u], "target": ids[v]} for u, v, a in graph.edges(data=True)
    ]
    return from_node_link({"graph": meta, "nodes": nodes, "edges": edges}, author=author)


def read_graphml(path: str | os.PathLike[str], *, author: str | None = None) -> ConceptMap:
    """Read a map from a GraphML file written by :func:`write_graphml`.

    Another program's GraphML reads too: nodes without a ``kind`` become
    concepts, links without a ``relation`` ``relates_to`` links. Files larger
    than ``limit("file size")`` (100 MiB) are refused unread.
    """
    check_size(path)
    # networkx's reader meets a missing element or text (an empty <default> of a
    # boolean key, a group node without its graph) with an AttributeError
    with reading(path, "is not GraphML", also=(AttributeError,)):
        graph = nx.read_graphml(path, force_multigraph=True)
    with reading(path, "holds a value that cannot be decoded"):
        return from_plain_graph(graph, author=author)
