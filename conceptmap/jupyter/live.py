"""What the live views were sent, and what changed since: the snapshot and the deltas.

:class:`Mirror` holds the map as the views last got it (nodes, links, positions, open
items, as records); :func:`delta` brings it up to date from the operations appended
since and returns only what changed, so a message grows with the change, not the map;
:func:`snapshot` is the whole map, for a view that starts from nothing. No widget,
comm or thread here: ``widget.py`` sends what these return.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.plan import Change
from ..core.schema import KINDS, RELATIONS, link_text
from ..core.state import Op, edge_key
from ..rfc.open_items import open_items

if TYPE_CHECKING:
    from ..model import ConceptMap

__all__ = ["Mirror", "Record", "delta", "link_id", "mirror_of", "rewritten", "snapshot"]

_NODE_EXTRA = ("updated", "tags", "url", "owner")
Record = dict[str, Any]


def link_id(u: str, v: str, key: str) -> str:
    """The id a link has in the view: unambiguous, whatever its ends and key hold."""
    return json.dumps([u, v, key], ensure_ascii=False)


def node_record(node: str, a: Mapping[str, Any]) -> Record:
    """A node as the view gets it."""
    item = {"id": node, "label": a["label"], "kind": a["kind"], "notes": a.get("notes") or "",
            "author": a["author"], "created": a["created"]}  # fmt: skip
    item.update({k: a[k] for k in _NODE_EXTRA if a.get(k)})
    return item


def link_record(u: str, v: str, key: str, a: Mapping[str, Any]) -> Record:
    """A link as the view gets it: ends, relation, phrase and what it says."""
    return {"id": link_id(u, v, key), "from": u, "to": v, "relation": a["relation"],
            "phrase": a.get("phrase") or "", "text": link_text(a), "author": a["author"],
            "created": a["created"]}  # fmt: skip


@dataclass
class Mirror:
    """What the views were last sent: the map as of ``seen`` operations of ``history``."""

    history: list[Op] | None = None
    seen: int = 0
    rev: int = 0
    nodes: dict[str, Record] = field(default_factory=dict)
    links: dict[str, Record] = field(default_factory=dict)
    incident: dict[str, set[str]] = field(default_factory=dict)  # node -> link ids
    positions: dict[str, list[float]] = field(default_factory=dict)
    open: dict[str, Record] = field(default_factory=dict)

    def add_link(self, record: Record) -> None:
        self.links[record["id"]] = record
        for end in (record["from"], record["to"]):
            self.incident.setdefault(end, set()).add(record["id"])

    def drop_link(self, ident: str) -> None:
        record = self.links.pop(ident, None)
        if record is not None:
            for end in (record["from"], record["to"]):
                self.incident.get(end, set()).discard(ident)


def _positions(m: ConceptMap) -> dict[str, list[float]]:
    return {n: [round(x, 1), round(y, 1)] for n, (x, y) in m.positions().items()}


def _open(m: ConceptMap) -> dict[str, Record]:
    return {item.key: item.to_dict() for item in open_items(m)}


def mirror_of(m: ConceptMap) -> Mirror:
    """The whole map as the views are sent it."""
    graph = m.graph
    mirror = Mirror(history=m.history, seen=len(m.history))
    mirror.nodes = {n: node_record(n, a) for n, a in graph.nodes(data=True)}
    for u, v, k, a in graph.edges(keys=True, data=True):
        mirror.add_link(link_record(u, v, k, a))
    mirror.positions = _positions(m)
    mirror.open = _open(m)
    return mirror


def _touched(ops: Iterable[Op]) -> tuple[set[str], set[tuple[str, str, str]]]:
    """The nodes and links (ends and key) that operations name."""
    nodes: set[str] = set()
    links: set[tuple[str, str, str]] = set()
    for op in ops:
        name = op["op"]
        if name in ("add_node", "update_node", "remove_node"):
            nodes.add(op["id"])
        elif name == "add_edge":
            links.add(
                (op["source"], op["target"], edge_key(op["relation"], op.get("phrase") or ""))
            )
        elif name == "remove_edge":
            links.add((op["source"], op["target"], op["key"]))
    return nodes, links


def _attribution(ops: list[Op]) -> dict[str, str]:
    """``{author: what they changed}``, in words."""
    by: dict[str, list[Op]] = {}
    for op in ops:
        by.setdefault(op["by"], []).append(op)
    return {author: Change(theirs).summary() for author, theirs in by.items()}


def rewritten(m: ConceptMap, mirror: Mirror) -> bool:
    """Whether the log was rewritten (compacted, replaced) since ``mirror``: a snapshot is due."""
    history = m.history
    return history is not mirror.history or len(history) < mirror.seen


def _node_changes(m: ConceptMap, mirror: Mirror, touched: set[str]) -> tuple[Record, list[str]]:
    """The touched nodes added, changed and removed; and the links that went with them."""
    graph = m.graph
    nodes: Record = {"added": [], "changed": [], "removed": []}
    gone: list[str] = []
    for n in sorted(touched):
        old = mirror.nodes.get(n)
        if n in graph:
            record = node_record(n, graph.nodes[n])
            if record != old:
                nodes["added" if old is None else "changed"].append(record)
                mirror.nodes[n] = record
        elif old is not None:
            nodes["removed"].append(n)
            del mirror.nodes[n]
            for ident in sorted(mirror.incident.pop(n, ())):
                if ident in mirror.links:
                    gone.append(ident)
                    mirror.drop_link(ident)
    return nodes, gone


def _link_changes(m: ConceptMap, mirror: Mirror, touched: set[tuple[str, str, str]]) -> Record:
    graph = m.graph
    links: Record = {"added": [], "removed": []}
    for u, v, k in sorted(touched):
        ident = link_id(u, v, k)
        if graph.has_edge(u, v, k):
            if ident not in mirror.links:
                record = link_record(u, v, k, graph.edges[u, v, k])
                links["added"].append(record)
                mirror.add_link(record)
        elif ident in mirror.links:
            links["removed"].append(ident)
            mirror.drop_link(ident)
    return links


def delta(m: ConceptMap, mirror: Mirror) -> Record | None:
    """What changed in ``m`` since ``mirror``, which is brought up to date; None if nothing.

    Only the nodes and links the new operations name are looked at, so the message
    and its cost grow with the change, not the map (positions and open items are
    compared whole, which is cheap, and only their changes are sent). Call it only
    when the log was not :func:`rewritten`.
    """
    history = m.history
    ops = history[mirror.seen :]
    if not ops:
        return None
    mirror.seen = len(history)
    touched_nodes, touched_links = _touched(ops)
    nodes, gone = _node_changes(m, mirror, touched_nodes)
    links = _link_changes(m, mirror, touched_links)
    links["removed"][:0] = gone
    now = _positions(m)
    moved = {n: xy for n, xy in now.items() if mirror.positions.get(n) != xy}
    mirror.positions = now
    still_open = _open(m)
    opened = [item for key, item in still_open.items() if mirror.open.get(key) != item]
    closed = [key for key in mirror.open if key not in still_open]
    mirror.open = still_open
    if not any([*nodes.values(), *links.values(), moved, opened, closed]):
        return None  # metadata only: nothing the view shows
    mirror.rev += 1
    by = _attribution(ops)
    return {
        "type": "delta", "base": mirror.rev - 1, "rev": mirror.rev, "nodes": nodes,
        "links": links, "positions": moved, "open": {"added": opened, "removed": closed},
        "by": by, "summary": "; ".join(f"{who}: {what}" for who, what in by.items()),
    }  # fmt: skip


def snapshot(m: ConceptMap, mirror: Mirror) -> Record:
    """The whole map, as ``mirror`` holds it, for a view that starts from nothing."""
    from ..drawing.style import AUTHOR_COLORS, KIND_STYLES

    return {
        "type": "snapshot", "rev": mirror.rev, "topic": m.meta["topic"], "author": m.author,
        "kinds": {k: dict(KIND_STYLES[k]) for k in KINDS}, "relations": list(RELATIONS),
        "colors": list(AUTHOR_COLORS), "nodes": list(mirror.nodes.values()),
        "links": list(mirror.links.values()), "positions": mirror.positions,
        "open": list(mirror.open.values()),
    }  # fmt: skip
