"""Node-link JSON: the lossless export of a map's state (not its history).

The layout is networkx's node-link format (``networkx.node_link_graph(data,
edges="edges")`` reads it), with a ``"conceptmap"`` marker and every node and
link attribute kept, so :func:`read_json` gives back an equal map.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..core.files import load_json, write_text
from ..core.schema import EDGE_FIELDS, NODE_OPTIONAL
from ..core.state import Op, copied
from ..errors import InvalidValueError

if TYPE_CHECKING:
    from ..model import ConceptMap

MARKER = "conceptmap"
VERSION = 1


def node_link_data(m: ConceptMap) -> dict[str, Any]:
    """The map as a JSON-ready dict (a fresh copy; the map is not touched).

    >>> from conceptmap import ConceptMap
    >>> data = node_link_data(ConceptMap("GraphSync", author="vmx"))
    >>> data["graph"]["topic"], [n["kind"] for n in data["nodes"]]
    ('GraphSync', ['topic'])
    """
    g = m.graph
    return {
        MARKER: VERSION,
        "directed": True,
        "multigraph": True,
        "graph": json.loads(json.dumps(dict(g.graph))),
        "nodes": [{"id": n, **copied(a)} for n, a in g.nodes(data=True)],
        "edges": [
            {"source": u, "target": v, "key": k, **copied(a)}
            for u, v, k, a in g.edges(keys=True, data=True)
        ],
    }


def checked_item(kind: str, index: int, item: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """``item`` if it is an object with text ``fields``; else an error naming it by position."""
    if not isinstance(item, dict):
        raise InvalidValueError(f"{kind} {index} is not an object: {item!r:.60}")
    missing = [f for f in fields if not isinstance(item.get(f), str)]
    if missing:
        raise InvalidValueError(f"{kind} {index} has no text {', '.join(map(repr, missing))}")
    return item


def from_node_link(data: Any, *, author: str | None = None) -> ConceptMap:
    """A new in-memory map from :func:`node_link_data` output (``data`` is not changed)."""
    from ..model import ConceptMap

    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise InvalidValueError("node-link data needs a 'nodes' list")
    edges = data.get("edges", data.get("links", []))
    if not isinstance(edges, list):
        raise InvalidValueError("node-link data needs an 'edges' list")
    meta = data.get("graph") or {}
    if not isinstance(meta, dict):
        raise InvalidValueError("node-link 'graph' must be an object of metadata")
    fallback = author or "conceptmap"
    ops: list[Op] = []
    for i, raw in enumerate(data["nodes"]):
        item = checked_item("node", i, raw, ("id", "label"))
        op: Op = {"op": "add_node", "id": item["id"], "label": item["label"]}
        op["kind"] = item.get("kind", "concept")
        op.update({k: item[k] for k in NODE_OPTIONAL if item.get(k) not in (None, "")})
        op.update(
            by=item.get("author") or fallback, at=item.get("created") or meta.get("created", "")
        )
        ops.append(op)
    for i, raw in enumerate(edges):
        item = checked_item("edge", i, raw, ("source", "target"))
        op = {"op": "add_edge", "source": item["source"], "target": item["target"]}
        op["relation"] = item.get("relation", "relates_to")
        if item.get("phrase"):
            op["phrase"] = item["phrase"]
        op.update(
            by=item.get("author") or fallback, at=item.get("created") or meta.get("created", "")
        )
        ops.append(op)
    by = (meta.get("participants") or [fallback])[0]
    at = meta.get("created") or ""
    head = [
        {"op": "set_meta", "key": k, "value": v, "by": by, "at": at}
        for k, v in meta.items()
        if k not in ("topic", "created")
    ]
    created = meta.get("created")
    return ConceptMap.from_ops(
        [*head, *ops], author=author, created=created if isinstance(created, str) else None
    )


def from_graph(graph: nx.Graph[Any], *, author: str | None = None) -> ConceptMap:
    """A new map from any networkx graph; ``graph`` is left exactly as it was.

    A node's ``label`` (else its id) and ``kind`` (else ``concept``) are used,
    and an edge's ``relation`` (else ``relates_to``) and ``phrase``; parallel
    edges with the same relation and phrase become one link.
    """
    nodes = [
        {
            **{k: v for k, v in a.items() if k in (*NODE_OPTIONAL, "kind", "author", "created")},
            "id": str(n),
            "label": str(a.get("label", n)),
        }
        for n, a in graph.nodes(data=True)
    ]
    edges: dict[tuple[str, str, Any, Any], dict[str, Any]] = {}
    for u, v, a in graph.edges(data=True):
        edge: dict[str, Any] = {
            "source": str(u),
            "target": str(v),
            **{k: a[k] for k in EDGE_FIELDS if k in a},
        }
        # parallel edges that say the same thing are one link of a map
        edges.setdefault((edge["source"], edge["target"], a.get("relation"), a.get("phrase")), edge)
    return from_node_link(
        {"graph": dict(graph.graph), "nodes": nodes, "edges": list(edges.values())}, author=author
    )


def write_json(m: ConceptMap, path: str | os.PathLike[str]) -> None:
    """Write :func:`node_link_data` to ``path`` (UTF-8, indented, key order kept)."""
    text = json.dumps(node_link_data(m), ensure_ascii=False, indent=1)
    write_text(path, text + "\n")


def read_json(path: str | os.PathLike[str], *, author: str | None = None) -> ConceptMap:
    """Read a map written by :func:`write_json` (as a new in-memory map)."""
    return load_json(path, lambda data: from_node_link(data, author=author))
