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
from ..core.schema import EDGE_FIELDS, NODE_OPTIONAL, limit, over_limit, unstorable
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
    """A new in-memory map from :func:`node_link_data` output (``data`` is not changed).

    What a map file could not hold is refused with an :class:`InvalidValueError`
    saying where it is: more nodes than ``limit("nodes")`` (200,000; see
    :data:`~conceptmap.core.schema.LIMITS`), metadata holding a number that is not
    finite (NaN, Infinity) or a lone surrogate, a label or notes holding one, or
    ``participants`` that are not a list of names.

    >>> m = from_node_link({"graph": {"room": "B"}, "nodes": [{"id": "a", "label": "A"}]})
    >>> m.meta["room"], [n["label"] for n in m.nodes()]
    ('B', ['A'])
    """
    from ..model import ConceptMap

    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise InvalidValueError("node-link data needs a 'nodes' list")
    edges = data.get("edges", data.get("links", []))
    if not isinstance(edges, list):
        raise InvalidValueError("node-link data needs an 'edges' list")
    meta = data.get("graph") or {}
    if not isinstance(meta, dict):
        raise InvalidValueError("node-link 'graph' must be an object of metadata")
    check_node_count(len(data["nodes"]))
    _check_participants(meta)
    _check_metadata(meta)
    fallback = author or "conceptmap"
    ops = [
        *_meta_ops(meta, fallback),
        *[_node_op(i, raw, meta, fallback) for i, raw in enumerate(data["nodes"])],
        *[_edge_op(i, raw, meta, fallback) for i, raw in enumerate(edges)],
    ]
    created = meta.get("created")
    return ConceptMap.from_ops(
        ops, author=author, created=created if isinstance(created, str) else None
    )


def check_node_count(count: int) -> None:
    """Refuse a file of more than ``limit("nodes")`` nodes, saying how to raise it."""
    most = limit("nodes")
    if count > most:
        raise over_limit("nodes", f"holds {count:,} nodes", f"{most:,} nodes")


def _check_participants(meta: dict[str, Any]) -> None:
    participants = meta.get("participants")
    if participants is None:
        return
    if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
        raise InvalidValueError(
            f"the metadata 'participants' must be a list of names, got {participants!r:.60}"
        )


def _stamp(item: dict[str, Any], meta: dict[str, Any], fallback: str) -> dict[str, Any]:
    """Who added ``item`` and when: its own fields, else the map's."""
    return {
        "by": item.get("author") or fallback,
        "at": item.get("created") or meta.get("created", ""),
    }


def _meta_ops(meta: dict[str, Any], fallback: str) -> list[Op]:
    by = (meta.get("participants") or [fallback])[0]
    at = meta.get("created") or ""
    return [
        {"op": "set_meta", "key": k, "value": v, "by": by, "at": at}
        for k, v in meta.items()
        if k not in ("topic", "created")
    ]


def _node_op(i: int, raw: Any, meta: dict[str, Any], fallback: str) -> Op:
    item = checked_item("node", i, raw, ("id", "label"))
    op: Op = {"op": "add_node", "id": item["id"], "label": item["label"]}
    op["kind"] = item.get("kind", "concept")
    op.update({k: item[k] for k in NODE_OPTIONAL if item.get(k) not in (None, "")})
    op.update(_stamp(item, meta, fallback))
    return op


def _edge_op(i: int, raw: Any, meta: dict[str, Any], fallback: str) -> Op:
    item = checked_item("edge", i, raw, ("source", "target"))
    op: Op = {"op": "add_edge", "source": item["source"], "target": item["target"]}
    op["relation"] = item.get("relation", "relates_to")
    if item.get("phrase"):
        op["phrase"] = item["phrase"]
    op.update(_stamp(item, meta, fallback))
    return op


def _check_metadata(meta: dict[str, Any]) -> None:
    """Refuse metadata a map file cannot hold (NaN, a lone surrogate), saying where.

    JSON is checked where it is parsed (:func:`conceptmap.core.files.loads`) and
    XML cannot hold either; this is for values that come from elsewhere: a
    GraphML ``double``, a graph built in Python. Labels, phrases and notes are
    checked when the map replays them (:func:`~conceptmap.core.schema.clean_label`).
    """
    for key, value in meta.items():
        problem = unstorable(key, f"the metadata key {key!r}") or unstorable(
            value, f"the metadata {key!r}"
        )
        if problem:
            raise InvalidValueError(problem)


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
