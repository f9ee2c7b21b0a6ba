"""The replay engine: applying operations to a graph.

A map's state is a networkx ``MultiDiGraph`` plus an index from label keys to
node ids. Operations are plain dicts, exactly as they are stored in a map file
(see :mod:`conceptmap.core.store`); :meth:`MapState.apply` checks one and applies it.
It is the only code that changes the graph, so the file and the memory always
agree on what an operation means.

Fields an operation has beyond the ones it needs are ignored (an undo's
``undoes``, for one), except these, which an undo writes to give back what was
there before: ``author`` and ``created`` on ``add_node`` and ``add_edge`` (who
added it first, and when; default ``by`` and ``at``), ``updated`` on
``update_node`` (default ``at``), ``unset`` on ``update_node`` (a list of
``tags``, ``url``, ``owner``, ``due``, ``status``, ``updated``: fields to drop)
and on ``set_meta`` (``true``: drop the key; no ``value`` then).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx

from ..errors import BadOperation, ConceptMapError, SkippedOperation
from .attributes import clean_due, clean_owner, clean_status
from .schema import (
    KINDS,
    NODE_FIELDS,
    NODE_OPTIONAL,
    OP_NAMES,
    RELATIONS,
    clean_label,
    clean_notes,
    clean_phrase,
    label_key,
)
from .store import reread

Op = dict[str, Any]

# Metadata the package reads with a type in mind: a value of another type in a
# file (``"created": 5``) would load and then break an export, so it is refused.
TEXT_META = ("created", "date", "source", "duration")
NAME_LIST_META = ("participants", "proposer")
# attributes a file may hold only in their normal form (see core/attributes.py); a url
# stays any text, as imports (a canvas file card) and older maps hold other addresses
_CHECKED = {"owner": clean_owner, "due": clean_due, "status": clean_status}


def edge_key(relation: str, phrase: str) -> str:
    """The key of an edge among the edges between the same two nodes.

    >>> edge_key("depends_on", ""), edge_key("relates_to", "Is stored in")
    ('depends_on', 'relates_to:is stored in')
    """
    return f"{relation}:{label_key(phrase)}" if phrase else relation


def copied(attrs: dict[str, Any]) -> dict[str, Any]:
    """A copy of node or edge attributes that shares no list with the graph."""
    return {k: list(v) if isinstance(v, list) else v for k, v in attrs.items()}


def _str(op: Op, name: str) -> str:
    value = op.get(name)
    if not isinstance(value, str):
        raise BadOperation(f"{op.get('op')} needs a text field {name!r}, got {value!r}")
    return value


def _node_fields(op: Op) -> dict[str, Any]:
    """The node attributes an add/update operation sets, checked."""
    fields: dict[str, Any] = {}
    for name in NODE_FIELDS:
        if name not in op:
            continue
        value = op[name]
        try:
            if name == "label":
                fields[name] = clean_label(value)
            elif name == "kind":
                if not isinstance(value, str) or value not in KINDS:
                    raise BadOperation(f"unknown kind {value!r}")
                fields[name] = value
            elif name == "notes":
                fields[name] = clean_notes(value)
            elif name == "tags":
                if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
                    raise BadOperation(f"tags must be a list of strings, got {value!r}")
                fields[name] = list(value)
            elif name in _CHECKED:
                fields[name] = _CHECKED[name](value)
            elif not isinstance(value, str):
                raise BadOperation(f"url must be text, got {value!r}")
            else:
                fields[name] = value
        except BadOperation:
            raise
        except ConceptMapError as exc:
            raise BadOperation(str(exc)) from None
    return fields


class MapState:
    """A graph, its label index and its metadata, changed only by operations."""

    def __init__(self) -> None:
        self.graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        self.meta: dict[str, Any] = self.graph.graph
        self.meta["topic"] = None
        self.meta["participants"] = []
        self.index: dict[str, str] = {}
        self.topic_id: str | None = None
        self.history: list[Op] = []
        self._dispatch: dict[str, Callable[[Op], None]] = {
            "add_node": self._add_node,
            "update_node": self._update_node,
            "remove_node": self._remove_node,
            "add_edge": self._add_edge,
            "remove_edge": self._remove_edge,
            "set_meta": self._set_meta,
            "place": self._place,
        }

    @classmethod
    def replayed(cls, ops: list[Op], created: Any = None) -> MapState:
        """A new state from operations known to be good (a history)."""
        state = cls()
        for op in ops:
            state.apply(op)
        state.meta["created"] = created
        return state

    # -- applying -----------------------------------------------------------
    def apply(self, op: Op) -> None:
        """Check ``op`` and apply it; raise without changing anything if it is bad."""
        if not isinstance(op, dict):
            raise BadOperation(f"expected an operation object, got {type(op).__name__}")
        name = op.get("op")
        handler = self._dispatch.get(name) if isinstance(name, str) else None
        if handler is None:
            raise BadOperation(
                f"unknown operation {op.get('op')!r} (expected one of {', '.join(OP_NAMES)})"
            )
        by = op.get("by")
        if type(by) is not str or type(op.get("at")) is not str:  # a fast check: replay is hot
            _str(op, "by")
            _str(op, "at")
        handler(op)
        self.history.append(op)
        if by not in self.meta["participants"]:
            self.meta["participants"].append(by)

    def _node_id(self, op: Op, name: str = "id") -> str:
        node = _str(op, name)
        if node not in self.graph:
            raise SkippedOperation(f"{op['op']} refers to the missing node {node!r}")
        return node

    def _add_node(self, op: Op) -> None:
        node = _str(op, "id")
        fields = _node_fields(op)
        if "label" not in fields or "kind" not in fields:
            raise BadOperation("add_node needs a label and a kind")
        if node in self.graph:
            raise SkippedOperation(f"node {node!r} exists already")
        key = label_key(fields["label"])
        if key in self.index:
            raise SkippedOperation(f"a node labelled {fields['label']!r} exists already")
        if fields["kind"] == "topic" and self.topic_id is not None:
            raise SkippedOperation(f"the map has a topic already ({self.topic_id!r})")
        fields.setdefault("notes", "")
        fields["author"], fields["created"] = _attribution(op)
        if isinstance(op.get("updated"), str):
            fields["updated"] = op["updated"]
        self.graph.add_node(node, **fields)
        self.index[key] = node
        if fields["kind"] == "topic":
            self._set_topic(node)

    def _update_node(self, op: Op) -> None:
        node = self._node_id(op)
        fields = _node_fields(op)
        unset = _unset(op)
        attrs = self.graph.nodes[node]
        if "label" in fields:
            new_key, old_key = label_key(fields["label"]), label_key(attrs["label"])
            if new_key != old_key and new_key in self.index:
                raise SkippedOperation(f"a node labelled {fields['label']!r} exists already")
        if "kind" in fields and fields["kind"] != attrs["kind"]:
            if fields["kind"] == "topic" and self.topic_id is not None:
                raise SkippedOperation(f"the map has a topic already ({self.topic_id!r})")
            if attrs["kind"] == "topic":
                self._set_topic(None)
        if "label" in fields:
            del self.index[label_key(attrs["label"])]
            self.index[label_key(fields["label"])] = node
        attrs.update(fields)
        attrs["updated"] = op["updated"] if isinstance(op.get("updated"), str) else op["at"]
        for name in unset:
            attrs.pop(name, None)
        if attrs["kind"] == "topic":
            self._set_topic(node)

    def _remove_node(self, op: Op) -> None:
        node = self._node_id(op)
        attrs = self.graph.nodes[node]
        del self.index[label_key(attrs["label"])]
        if attrs["kind"] == "topic":
            self._set_topic(None)
        self.graph.remove_node(node)

    def _add_edge(self, op: Op) -> None:
        source, target, relation = op.get("source"), op.get("target"), op.get("relation")
        if not isinstance(source, str) or not isinstance(target, str):
            raise BadOperation(
                f"add_edge needs a text source and target, got {source!r}, {target!r}"
            )
        if not isinstance(relation, str):
            raise BadOperation(f"add_edge needs a text field 'relation', got {relation!r}")
        graph = self.graph
        for node in (source, target):
            if node not in graph:
                raise SkippedOperation(f"add_edge refers to the missing node {node!r}")
        if relation not in RELATIONS:
            raise BadOperation(f"unknown relation {relation!r}")
        phrase = op.get("phrase", "")
        if phrase:
            try:
                phrase = clean_phrase(phrase)
            except ConceptMapError as exc:
                raise BadOperation(str(exc)) from None
        key = edge_key(relation, phrase)
        if graph.has_edge(source, target, key):
            raise SkippedOperation(f"the edge {source} -{key}-> {target} exists already")
        author, created = _attribution(op)
        graph.add_edge(
            source, target, key, relation=relation, phrase=phrase, author=author, created=created
        )

    def _remove_edge(self, op: Op) -> None:
        source, target, key = _str(op, "source"), _str(op, "target"), _str(op, "key")
        if not self.graph.has_edge(source, target, key):
            raise SkippedOperation(f"there is no edge {source} -{key}-> {target} to remove")
        self.graph.remove_edge(source, target, key)

    def _set_meta(self, op: Op) -> None:
        key = _str(op, "key")
        if key == "topic":
            raise BadOperation("the topic is set by the topic node, not by set_meta")
        if op.get("unset") is True:
            if key == "participants":
                raise BadOperation("the participants cannot be unset")
            self.meta.pop(key, None)
            return
        if "value" not in op:
            raise BadOperation("set_meta needs a value")
        value = op["value"]
        if key in TEXT_META and not isinstance(value, str):
            raise BadOperation(f"the metadata {key!r} must be text, got {value!r:.60}")
        if key in NAME_LIST_META and (
            not isinstance(value, list) or not all(isinstance(p, str) for p in value)
        ):
            raise BadOperation(f"the metadata {key!r} must be a list of names, got {value!r:.60}")
        if key == "participants":
            # people who already added something stay participants
            value = list(dict.fromkeys([*value, *self.meta["participants"]]))
        self.meta[key] = value

    def _place(self, op: Op) -> None:
        # positions live in the log only (drawing/placement.py reads them from there);
        # the state checks that they are points of nodes the map has
        positions = op.get("positions")
        if not isinstance(positions, dict) or not positions:
            raise BadOperation("place needs 'positions': {node id: [x, y]}")
        for node, point in positions.items():
            if node not in self.graph:
                raise SkippedOperation(f"place refers to the missing node {node!r}")
            if not is_point(point):
                raise BadOperation(f"place needs [x, y] in finite numbers, got {point!r:.60}")

    def _set_topic(self, node: str | None) -> None:
        self.topic_id = node
        self.meta["topic"] = self.graph.nodes[node]["label"] if node is not None else None


def _attribution(op: Op) -> tuple[str, str]:
    """Who added a node or link and when: ``author``/``created`` if given, else ``by``/``at``."""
    author, created = op.get("author", op["by"]), op.get("created", op["at"])
    if not isinstance(author, str) or not isinstance(created, str):
        raise BadOperation(f"{op['op']} needs text 'author' and 'created' where it has them")
    return author, created


_UNSETTABLE = ("tags", "url", "owner", "due", "status", "updated")


def _unset(op: Op) -> list[str]:
    """The fields an ``update_node`` drops (checked before anything changes)."""
    unset = op.get("unset", [])
    if not isinstance(unset, list) or not all(name in _UNSETTABLE for name in unset):
        raise BadOperation(f"update_node 'unset' lists fields of {_UNSETTABLE}, got {unset!r:.60}")
    return list(unset)


def is_point(value: Any) -> bool:
    """Whether ``value`` is ``[x, y]`` in finite numbers (as a ``place`` operation holds).

    >>> is_point([1, 2.5]), is_point([float("nan"), 0]), is_point([True, 1])
    (True, False, False)
    """
    return (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(
            isinstance(c, int | float) and not isinstance(c, bool) and abs(c) < 1e9 for c in value
        )
    )


def read_ops(
    state: MapState, ops: Iterable[tuple[int, Any]], header: dict[str, Any] | None = None
) -> list[tuple[int, str]]:
    """Apply operations read from a file, with their line numbers, to ``state``.

    A line that does not apply (malformed, or not fitting the map) is skipped
    and returned with its number and why; so is a header whose ``created`` is
    not text (it is ignored).
    """
    problems = []
    if header is not None:
        created = header.get("created")
        if created is not None and not isinstance(created, str):
            problems.append(
                (1, f"the header's 'created' must be text, got {created!r:.60}; ignored")
            )
            created = None
        state.meta["created"] = created
    apply = state.apply
    for number, op in ops:
        try:
            apply(op)
        except (SkippedOperation, BadOperation) as exc:
            problems.append((number, f"{exc}; skipped"))
    return problems


def rewrite_problem(state: MapState, records: list[Op]) -> str | None:
    """Why a map file holding ``records`` would not read back as ``state``; None if it would.

    ``compact`` asks before it replaces a map: the records are encoded and parsed
    as the file would be, replayed into a new state, and compared.
    """
    batch = reread(records)
    again = MapState()
    problems = sorted([*batch.problems, *read_ops(again, batch.ops, batch.header)])
    if problems:
        number, text = problems[0]
        return f"line {number} of the rewrite: {text}"
    return _difference(state, again)


def _difference(state: MapState, other: MapState) -> str | None:
    """How ``other`` differs from ``state`` (nodes, links, metadata), or None if it does not."""
    nodes, other_nodes = (dict(s.graph.nodes.items()) for s in (state, other))
    if nodes != other_nodes:
        return "its nodes differ"
    edges, others = (
        {(u, v, k): a for u, v, k, a in s.graph.edges(keys=True, data=True)} for s in (state, other)
    )
    if edges != others:
        return "its links differ"
    if state.meta != other.meta:
        keys = sorted(
            k for k in {*state.meta, *other.meta} if state.meta.get(k) != other.meta.get(k)
        )
        return f"its metadata differ ({', '.join(map(repr, keys))})"
    return None


def minimal_ops(state: MapState) -> list[Op]:
    """The shortest list of operations that rebuilds ``state`` (used by ``compact``)."""
    meta = state.meta
    participants = list(meta.get("participants", []))
    by = participants[0] if participants else "conceptmap"
    at = meta.get("created") or "1970-01-01T00:00:00.000Z"
    ops: list[Op] = []
    if participants:
        ops.append(
            {"op": "set_meta", "key": "participants", "value": participants, "by": by, "at": at}
        )
    for key, value in meta.items():
        if key not in ("topic", "participants", "created"):
            ops.append({"op": "set_meta", "key": key, "value": value, "by": by, "at": at})
    for node, a in state.graph.nodes(data=True):
        op: Op = {"op": "add_node", "id": node, "label": a["label"], "kind": a["kind"]}
        # every field the node has, so it reads back the same (empty notes are the default)
        op.update({k: a[k] for k in NODE_OPTIONAL if k in a and (a[k] or k != "notes")})
        op.update(by=a["author"], at=a["created"])
        ops.append(op)
    for u, v, a in state.graph.edges(data=True):
        op = {"op": "add_edge", "source": u, "target": v, "relation": a["relation"]}
        if a.get("phrase"):
            op["phrase"] = a["phrase"]
        op.update(by=a["author"], at=a["created"])
        ops.append(op)
    return ops
