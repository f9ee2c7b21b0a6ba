"""Telling a conflict: a change that overwrote or removed what its author had not seen.

A change is stamped with what it replaces (``"was"``, see
:meth:`~conceptmap.core.state.MapState.stamp`): a rename or re-kind the old label
or kind, a removal the links the node had. When the replay (in the order of
:mod:`conceptmap.core.order`) finds something else there, another participant
changed it concurrently, in a clone merged since: the operation still applies
(the later change wins, and a removal takes every link with it), and these
functions say so, naming both sides.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx

from .order import CONFLICTING, OP_ID, WAS

Op = dict[str, Any]


def replaced(op: Op, graph: nx.MultiDiGraph[str]) -> dict[str, Any]:
    """What an operation about to be committed replaces, as its ``was`` (empty: nothing).

    A rename or re-kind: the old label or kind; a removal: the node's links.
    """
    node = op.get("id")
    if not isinstance(node, str) or node not in graph:
        return {}
    if op.get("op") == "update_node":
        attrs = graph.nodes[node]
        return {f: attrs[f] for f in CONFLICTING if f in op and op[f] != attrs.get(f)}
    if op.get("op") == "remove_node":
        return {"links": sorted(map(list, links_of(graph, node)))}
    return {}


def links_of(graph: nx.MultiDiGraph[str], node: str) -> set[tuple[str, str, str]]:
    """Every link to or from ``node``, as ``(source, target, key)``."""
    return {*graph.in_edges(node, keys=True), *graph.out_edges(node, keys=True)}


def renamed_over(
    op: Op, fields: dict[str, Any], attrs: dict[str, Any], history: list[Op]
) -> list[str]:
    """The conflicts of an ``update_node`` whose ``was`` is not what ``attrs`` hold."""
    was = op[WAS]
    if not isinstance(was, dict):
        return []
    found = []
    for name in CONFLICTING:
        now = attrs.get(name)
        if name in fields and name in was and now != was[name] and now != fields[name]:
            setter = next(
                (o for o in reversed(history) if o.get("id") == op["id"] and name in o), None
            )
            whom = f" by {setter['by']} at {setter['at']}" if setter else ""
            found.append(
                f"conflict: {op['by']} changed the {name} of {op['id']!r} from "
                f"{was[name]!r} to {fields[name]!r} at {op['at']} (op {op.get(OP_ID)}), "
                f"but it had been changed to {now!r}{whom} in a change {op['by']} had "
                f"not seen; the later change wins: {fields[name]!r}"
            )
    return found


def removed_unseen(
    op: Op, graph: nx.MultiDiGraph[str], links: Iterable[tuple[str, str, str]]
) -> list[str]:
    """The conflict of a ``remove_node`` that takes links its author had not seen."""
    was = op[WAS].get("links") if isinstance(op[WAS], dict) else None
    if not isinstance(was, list):
        return []
    known = {tuple(link) for link in was if isinstance(link, list)}
    unseen = sorted(link for link in links if link not in known)
    if not unseen:
        return []
    label = graph.nodes[op["id"]]["label"]
    said = ", ".join(f"{u} -{k}-> {v} (by {graph.edges[u, v, k]['author']})" for u, v, k in unseen)
    return [
        f"conflict: {op['by']} removed {label!r} at {op['at']} (op {op.get(OP_ID)}), "
        f"and with it links added in a change {op['by']} had not seen: {said}; "
        "the removal wins"
    ]
