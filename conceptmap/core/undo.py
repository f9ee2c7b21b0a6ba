"""Undo: a change reverted by new operations, never by rewriting the log.

A change is the run of operations one call appended: they share their author
(``by``) and time (``at``). :func:`undo_ops` finds an author's last change that is
not undone yet and returns its inverse, operation by operation in reverse order,
each marked ``"undoes": "<at of that change>"``; undo operations are never undone
themselves, so undoing again walks further back.

The old values come from replaying the history up to the change: a removed node
comes back with its label, kind, notes, tags, url, author, creation time and links;
an update puts the old values back (and drops fields that were not set); a
``set_meta`` puts the old value back or drops the key; a ``place`` puts the nodes
back where they were pinned or drawn.

Undo refuses (nothing is written) when a later change by someone else, still in
effect, built on the change: linked to, edited or moved a node the undo would
remove, edited the fields it would put back, took the label or id it would give
back, removed a node it would link, or set the same metadata. Undoing would lose
their work, so the message names who changed what, and when.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..errors import ConceptMapError
from .schema import NODE_FIELDS, label_key
from .state import MapState, Op, edge_key

#: the field that marks an operation as part of an undo, naming the change it undoes
UNDOES = "undoes"

Drawn = Callable[[int], Mapping[str, tuple[float, float]]]
Claim = tuple[str, ...]


def last_change(history: list[Op], author: str) -> tuple[int, int] | None:
    """``(start, end)`` of ``author``'s last change not undone yet, or None."""
    undone = {op[UNDOES] for op in history if op["by"] == author and UNDOES in op}
    for end in range(len(history), 0, -1):
        op = history[end - 1]
        if op["by"] == author and UNDOES not in op and op["at"] not in undone:
            start = end - 1
            while start and (history[start - 1]["by"], history[start - 1]["at"]) == (
                author,
                op["at"],
            ):
                start -= 1
            return start, end
    return None


def undo_ops(history: list[Op], author: str, at: str, drawn: Drawn) -> tuple[list[Op], str]:
    """The operations that undo ``author``'s last change, stamped ``author`` and ``at``.

    Returns them with the time of the change they undo. ``drawn(n)`` gives the
    positions the map's nodes were drawn at after the first ``n`` operations.
    Raises :class:`ConceptMapError` when there is nothing to undo, or when a later
    change of someone else depends on this one.
    """
    found = last_change(history, author)
    if found is None:
        raise ConceptMapError(
            f"nothing to undo: {author!r} has made no change to this map that is not undone"
        )
    start, end = found
    undone = history[start]["at"]
    state = MapState.replayed(history[:start])
    pins = _pins(history[:start])
    blocks = []
    for op in history[start:end]:
        blocks.append(_inverse(state, op, pins, lambda: drawn(start)))
        state.apply(op)
    inverse = [op for block in reversed(blocks) for op in block]
    _refuse_if_built_on(history[end:], inverse, state, f"{author}'s change of {undone}")
    return [{**op, "by": author, "at": at, UNDOES: undone} for op in inverse], undone


def _pins(ops: list[Op]) -> dict[str, Any]:
    pins: dict[str, Any] = {}
    for op in ops:
        if op["op"] == "place":
            pins.update(op["positions"])
    return pins


def _inverse(
    state: MapState, op: Op, pins: dict[str, Any], drawn: Callable[[], Mapping[str, Any]]
) -> list[Op]:
    """What undoes ``op``, read from ``state`` (the map just before ``op``)."""
    graph, name = state.graph, op["op"]
    if name == "add_node":
        if op["kind"] == "topic":
            raise ConceptMapError(
                f"cannot undo the change that made {op['label']!r} the map's topic: "
                "a map keeps its topic (rename it instead)"
            )
        return [{"op": "remove_node", "id": op["id"]}]
    if name == "update_node":
        attrs = graph.nodes[op["id"]]
        touched = [f for f in NODE_FIELDS if f in op or f in op.get("unset", ())] + ["updated"]
        back: Op = {"op": "update_node", "id": op["id"]}
        back.update({f: _copy(attrs[f]) for f in touched if f in attrs})
        unset = [f for f in touched if f not in attrs]
        return [{**back, "unset": unset} if unset else back]
    if name == "remove_node":
        return _restore_node(state, op["id"])
    if name == "add_edge":
        key = edge_key(op["relation"], op.get("phrase") or "")
        return [{"op": "remove_edge", "source": op["source"], "target": op["target"], "key": key}]
    if name == "remove_edge":
        u, v, key = op["source"], op["target"], op["key"]
        return [_edge_op(u, v, graph.edges[u, v, key])]
    if name == "set_meta":
        if op["key"] in state.meta:
            return [{"op": "set_meta", "key": op["key"], "value": _copy(state.meta[op["key"]])}]
        return [{"op": "set_meta", "key": op["key"], "unset": True}]
    # place: back where each node was pinned, else where it was drawn
    positions = {}
    for node in op["positions"]:
        point = pins.get(node) or drawn().get(node)
        if point is not None:
            positions[node] = [float(point[0]), float(point[1])]
    pins.update(op["positions"])
    return [{"op": "place", "positions": positions}] if positions else []


def _restore_node(state: MapState, node: str) -> list[Op]:
    """A removed node as it was, then its links."""
    graph = state.graph
    attrs = graph.nodes[node]
    add: Op = {"op": "add_node", "id": node}
    add.update({k: _copy(v) for k, v in attrs.items() if k != "notes" or v})
    edges = {
        (u, v, k): a
        for u, v, k, a in [
            *graph.in_edges(node, keys=True, data=True),
            *graph.out_edges(node, keys=True, data=True),
        ]
    }
    return [add, *(_edge_op(u, v, a) for (u, v, _), a in edges.items())]


def _edge_op(u: str, v: str, attrs: Mapping[str, Any]) -> Op:
    op: Op = {"op": "add_edge", "source": u, "target": v, "relation": attrs["relation"]}
    if attrs.get("phrase"):
        op["phrase"] = attrs["phrase"]
    op.update(author=attrs["author"], created=attrs["created"])
    return op


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


# -- what a later change may not have touched ------------------------------------------
def _claims(op: Op) -> Iterator[Claim]:
    """What an undo operation needs left as the change left it."""
    name = op["op"]
    if name == "remove_node":
        yield ("node", op["id"])
    elif name == "add_node":
        yield ("id", op["id"])
        yield ("label", label_key(op["label"]))
    elif name == "update_node":
        yield ("exists", op["id"])
        for field in [*NODE_FIELDS, *op.get("unset", ())]:
            if field in op or field in op.get("unset", ()):
                yield ("field", op["id"], field)
        if "label" in op:
            yield ("label", label_key(op["label"]))
    elif name in ("add_edge", "remove_edge"):
        key = op.get("key") or edge_key(op["relation"], op.get("phrase") or "")
        yield from (("exists", op["source"]), ("exists", op["target"]))
        yield ("edge", op["source"], op["target"], key)
    elif name == "set_meta":
        yield ("meta", op["key"])
    elif name == "place":
        for node in op["positions"]:
            yield from (("exists", node), ("pin", node))


def _touches(op: Op) -> Iterator[Claim]:
    """What a later operation changed."""
    name = op["op"]
    if name in ("add_node", "update_node", "remove_node"):
        yield ("node", op["id"])
        if name == "add_node":
            yield ("id", op["id"])
        if "label" in op:
            yield ("label", label_key(op["label"]))
        if name == "update_node":
            for field in [*NODE_FIELDS, *op.get("unset", ())]:
                if field in op or field in op.get("unset", ()):
                    yield ("field", op["id"], field)
        if name == "remove_node":
            yield ("exists", op["id"])
    elif name in ("add_edge", "remove_edge"):
        key = op.get("key") or edge_key(op["relation"], op.get("phrase") or "")
        yield from (("node", op["source"]), ("node", op["target"]))
        yield ("edge", op["source"], op["target"], key)
    elif name == "set_meta":
        yield ("meta", op["key"])
    elif name == "place":
        for node in op["positions"]:
            yield from (("node", node), ("pin", node))


def _refuse_if_built_on(later: list[Op], inverse: list[Op], state: MapState, what: str) -> None:
    """Raise if an operation in ``later`` that is still in effect touched what ``inverse`` needs.

    Operations of undos, and of changes undone since, are not in effect.
    """
    claims = {claim for op in inverse for claim in _claims(op)}
    undone = {(op["by"], op[UNDOES]) for op in later if UNDOES in op}
    for op in later:
        if UNDOES in op or (op["by"], op["at"]) in undone:
            continue
        hit = next((t for t in _touches(op) if t in claims), None)
        if hit is not None:
            raise ConceptMapError(
                f"cannot undo {what}: {op['by']} changed {_describe(hit, state)} after it "
                f"(at {op['at']}); undo refuses rather than lose that work"
            )


def _describe(claim: Claim, state: MapState) -> str:
    def label(node: str) -> str:
        return repr(state.graph.nodes[node]["label"]) if node in state.graph else repr(node)

    kind = claim[0]
    if kind in ("node", "exists", "id", "pin", "field"):
        return f"the node {label(claim[1])}"
    if kind == "edge":
        return f"the link {label(claim[1])} -{claim[3]}-> {label(claim[2])}"
    if kind == "label":
        return f"the label {claim[1]!r}"
    return f"the metadata {claim[1]!r}"
