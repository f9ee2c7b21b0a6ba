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

The order operations are replayed in, and what makes a union-merged log read
the same whichever way git interleaved it, is :mod:`conceptmap.core.order`; the
state keeps what that needs (each operation's key, the ones it skipped, the
latest time it has seen). A rename or re-kind that carries ``was`` (the value it
replaced) and finds another value is applied (the later change wins) and
reported in :attr:`MapState.conflicts`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import networkx as nx

from ..errors import BadOperation, ConceptMapError, SkippedOperation
from .attributes import clean_due, clean_owner, clean_status
from .conflicts import links_of, removed_unseen, renamed_over, replaced
from .order import FIRST, OP_ID, WAS, Key, after, is_stamp, key_of, op_id
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
        self.reset()

    def reset(self) -> None:
        """Forget everything: an empty map (a replay in a new order starts here)."""
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
        #: ``(key, line)`` of each operation of the history (line 0: not read from a file)
        self.keys: list[tuple[Key, int]] = []
        #: ``(key, line, op)`` of what was read and did not apply, for a replay in a new order
        self.skipped: list[tuple[Key, int, Op]] = []
        #: the keys of the operations with op ids seen, to apply each once
        self.seen: set[Key] = set()
        #: the largest key applied: an operation with a smaller one means a replay
        self.last: Key = FIRST
        #: the latest time (``at``) seen: a new change is stamped later than this
        self.clock: str | None = None
        #: conflicts found by the last operations applied (taken by the reader)
        self.conflicts: list[str] = []
        #: node id -> (who, when) it was removed, to name the removal a later operation missed
        self.removed: dict[str, tuple[str, str]] = {}

    @classmethod
    def replayed(cls, ops: list[Op], created: Any = None) -> MapState:
        """A new state from operations known to be good (a history)."""
        state = cls()
        for op in ops:
            state.apply(op)
        state.meta["created"] = created
        return state

    # -- applying -----------------------------------------------------------
    def stamp_time(self, now: str) -> str:
        """The time for a new change: ``now``, or just after the latest time in the map.

        A writer has read the whole map, so what it writes must come after all of
        it in the replay order, even if its clock is behind another participant's.
        """
        return after(self.clock, now)

    def stamp(self, op: Op, token: str, n: int) -> None:
        """Give an operation about to be committed its op id, and what it replaces."""
        op[OP_ID] = op_id(token, n)
        was = replaced(op, self.graph)
        if was:
            op[WAS] = was

    def apply(self, op: Op, key: Key | None = None, line: int = 0) -> None:
        """Check ``op`` and apply it; raise without changing anything if it is bad.

        ``key`` is its place in the replay order (see :mod:`conceptmap.core.order`),
        given by a reader (which keeps :attr:`last` and :attr:`clock` itself); by
        default its own key, or for an operation without op id the largest so far.
        """
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
        if key is None:  # a change of this process, not a line read: keep the order's books
            key = key_of(op) or self.last
            self.seen.add(key)
            self.last = max(key, self.last)
            at = op["at"]
            if is_stamp(at) and (self.clock is None or at > self.clock):
                self.clock = at
        self.keys.append((key, line))
        if by not in self.meta["participants"]:
            self.meta["participants"].append(by)

    def _node_id(self, op: Op, name: str = "id") -> str:
        node = _str(op, name)
        if node not in self.graph:
            raise SkippedOperation(self._missing(op["op"], node))
        return node

    def _missing(self, name: str, node: str) -> str:
        removal = self.removed.get(node)
        if removal is None:
            return f"{name} refers to the missing node {node!r}"
        return (
            f"{name} refers to the node {node!r}, which {removal[0]} removed at {removal[1]} "
            "(a conflict: the removal wins)"
        )

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
        self.removed.pop(node, None)
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
        if WAS in op:
            self.conflicts += renamed_over(op, fields, attrs, self.history)
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
        if WAS in op:
            self.conflicts += removed_unseen(op, self.graph, links_of(self.graph, node))
        self.removed[node] = (op["by"], op["at"])
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
                raise SkippedOperation(self._missing("add_edge", node))
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
                raise SkippedOperation(self._missing("place", node))
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
