"""Turning requests ("declare this node", "link these two") into operations.

A :class:`Plan` is computed against the current state plus what it has planned
so far, and changes nothing until the caller commits its ``ops``. That is what
makes a quick-entry cell all-or-nothing and re-running it a no-op: a request
the map already satisfies plans no operation at all.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidValueError, NodeNotFoundError, TopicError
from .attributes import ATTRIBUTE_KINDS, check_kind, clean_fields
from .schema import (
    DEFAULT_RELATION,
    NODE_FIELDS,
    clean_label,
    clean_phrase,
    label_key,
    link_text,
    normalize_kind,
    normalize_relation,
    slugify,
    unique_slug,
)
from .similar import index_of
from .state import MapState, Op, edge_key, is_point


class _Taken:
    """The ids in the graph or planned, without copying either."""

    def __init__(self, *parts: Container[str]) -> None:
        self.parts = parts

    def __contains__(self, ident: object) -> bool:
        return any(ident in part for part in self.parts)


_WORDS = {
    "add_node": ("node added", "nodes added"),
    "update_node": ("node updated", "nodes updated"),
    "remove_node": ("node removed", "nodes removed"),
    "add_edge": ("link added", "links added"),
    "remove_edge": ("link removed", "links removed"),
    "set_meta": ("metadata set", "metadata set"),
    "place": ("node pinned", "nodes pinned"),
}


@dataclass(repr=False)
class Change:
    """What one call changed: the operations written and the nodes it created.

    ``implicit`` lists the nodes created as concepts because a link named them;
    ``warnings`` says which new labels look like labels the map has already;
    ``undid`` is the time of the change an undo reverted. ``str(change)`` (and its
    ``repr``, which a notebook shows) is the summary, with the warnings under it.

    >>> Change([{"op": "add_node"}, {"op": "add_edge"}, {"op": "add_edge"}])
    1 node added, 2 links added
    """

    ops: list[Op] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    implicit: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    undid: str | None = None

    def __bool__(self) -> bool:
        return bool(self.ops)

    def summary(self) -> str:
        """One line: how many nodes and links were added, removed, ... (no warnings)."""
        if not self.ops:
            return "nothing changed: the map already says all of this"
        counts: Counter[str] = Counter()
        for op in self.ops:
            positions = op.get("positions")
            counts[op["op"]] += len(positions) if isinstance(positions, dict) else 1
        parts = [f"{n} {_WORDS[name][n != 1]}" for name, n in counts.items() if name in _WORDS]
        text = ", ".join(parts)
        if self.undid is not None:
            text = f"undid the change of {self.undid}: {text}"
        if self.implicit:
            names = ", ".join(repr(self.labels.get(i, i)) for i in self.implicit)
            text += f"; created as concepts because a link named them: {names}"
        return text

    def __str__(self) -> str:
        return "\n".join([self.summary(), *(f"warning: {w}" for w in self.warnings)])

    __repr__ = __str__


def parse_relation(relation: str, phrase: str = "") -> tuple[str, str]:
    """Split a relation argument into ``(relation, phrase)``.

    A relation written in double quotes is a free linking phrase.

    >>> parse_relation('"is stored in"')
    ('relates_to', 'is stored in')
    """
    text = relation.strip() if isinstance(relation, str) else relation
    if isinstance(text, str) and len(text) >= 2 and text[0] == text[-1] == '"':
        phrase, text = text[1:-1], DEFAULT_RELATION
    name = normalize_relation(text or DEFAULT_RELATION)
    phrase = clean_phrase(phrase)
    if phrase and name != DEFAULT_RELATION:
        raise InvalidValueError(
            f"a linking phrase goes with {DEFAULT_RELATION!r}, not {name!r} ({phrase!r})"
        )
    return name, phrase


@dataclass
class Plan:
    """Operations planned against ``state``, all stamped with one author and time."""

    state: MapState
    author: str
    at: str
    ops: list[Op] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    implicit: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _pending: dict[str, Op] = field(default_factory=dict)  # label key -> add_node op
    _pending_ids: set[str] = field(default_factory=set)
    _pending_edges: set[tuple[str, str, str]] = field(default_factory=set)
    # label keys whose node this plan removes (None) or renames (the id)
    _relabelled: dict[str, str | None] = field(default_factory=dict)
    _removed: set[str] = field(default_factory=set)
    _removed_edges: set[tuple[str, str, str]] = field(default_factory=set)
    _renamed: dict[str, str] = field(default_factory=dict)  # node id -> its new label

    def _op(self, name: str, **fields: Any) -> Op:
        op: Op = {"op": name, **fields, "by": self.author, "at": self.at}
        self.ops.append(op)
        return op

    def find(self, label: str) -> str | None:
        """The id of the node ``label`` names, planned or existing, else None."""
        key = label_key(label)
        pending = self._pending.get(key)
        if pending is not None:
            return str(pending["id"])
        return self._existing(key)

    def _existing(self, key: str) -> str | None:
        if key in self._relabelled:
            return self._relabelled[key]
        return self.state.index.get(key)

    def _is_node(self, ident: str) -> bool:
        return ident in self.state.graph and ident not in self._removed

    def _topic(self) -> str | None:
        for op in self._pending.values():
            if op["kind"] == "topic":
                return str(op["id"])
        return self.state.topic_id

    def _new_id(self, label: str) -> str:
        return unique_slug(slugify(label), _Taken(self.state.graph, self._pending_ids))

    def declare(self, label: str, kind: str = "concept", **fields: Any) -> str:
        """Make sure a node ``label`` exists with this kind (and these fields, if given).

        ``fields`` are ``notes`` and the attributes of :mod:`conceptmap.core.attributes`;
        ``None`` leaves a field as it is.
        """
        label, kind = clean_label(label), normalize_kind(kind)
        self._check_fields(fields)
        wanted = {"kind": kind, **clean_fields(**fields)}
        check_kind([k for k, v in fields.items() if v is not None], kind, label)
        key = label_key(label)
        if key in self._pending:
            op = self._pending[key]
            self._check_topic(op["id"], op["label"], op["kind"], kind)
            op.update(wanted)
            return str(op["id"])
        node = self._existing(key)
        if node is None:
            self._check_topic(None, label, None, kind)
            node = self._new_id(label)
            op = self._op("add_node", id=node, label=label, **wanted)
            self._pending[key] = op
            self._pending_ids.add(node)
            self.created.append(node)
            return node
        self._update(node, wanted)
        return node

    def ref(self, label: str) -> str:
        """The id of the node a label (any case) or an id names; raise if none."""
        if not isinstance(label, str):
            raise NodeNotFoundError(f"a node is named by its label, not {label!r}")
        node = self.find(label)
        if node is None and self._is_node(label):
            node = label
        if node is None:
            raise NodeNotFoundError(f"no node is labelled {label!r}")
        return node

    def named(self, label: str) -> str | None:
        """The node ``label`` (or an id) names; None if it named one once but no longer.

        That is a re-run of a cell that removed or renamed it. A label that never
        named a node is an error, which suggests the closest label.
        """
        node = self.find(label)
        if node is not None:
            return node
        index = index_of(self.state)
        if label_key(label) in index.ever:
            return None
        if self._is_node(label):
            return label
        if label in index.ever_ids:
            return None
        raise NodeNotFoundError(
            f"no node is labelled {label!r}{index.suggestion(label, self._removed)}"
        )

    @staticmethod
    def _check_fields(fields: Mapping[str, Any], verb: str = "set", start: int = 2) -> None:
        unknown = sorted(set(fields) - set(NODE_FIELDS[start:]))
        if unknown:
            names = NODE_FIELDS[start:]
            raise InvalidValueError(
                f"cannot {verb} {', '.join(map(repr, unknown))} "
                f"(a node has a {', '.join(names[:-1])} and {names[-1]})"
            )

    def set_attributes(self, node: str, fields: Mapping[str, Any]) -> None:
        """Set fields (notes, attributes) of a node, existing or planned, keeping its kind."""
        pending = next((op for op in self._pending.values() if op["id"] == node), None)
        kind = pending["kind"] if pending is not None else self.state.graph.nodes[node]["kind"]
        self.declare(self._renamed.get(node) or self._label(node), str(kind), **fields)

    def update(self, node: str, fields: dict[str, Any]) -> None:
        """Change an existing node's label, kind, notes or attributes."""
        self._check_fields(fields, "update", 0)
        wanted = dict(fields)
        if any(name in wanted for name in ATTRIBUTE_KINDS):
            kind = normalize_kind(wanted.get("kind", self.state.graph.nodes[node]["kind"]))
            check_kind([k for k, v in wanted.items() if v is not None], kind, self._label(node))
        if "label" in wanted:
            wanted["label"] = clean_label(wanted["label"])
            other = self.find(wanted["label"])
            if other is not None and other != node:
                raise InvalidValueError(
                    f"cannot rename to {wanted['label']!r}: a node labelled "
                    f"{self._label(other)!r} exists already"
                )
        if "kind" in wanted:
            wanted["kind"] = normalize_kind(wanted["kind"])
        wanted.update(clean_fields(**{k: wanted.pop(k, None) for k in NODE_FIELDS[2:]}))
        self._update(node, {k: v for k, v in wanted.items() if v is not None})
        old = self._label(node)
        if wanted.get("label", old) != old:  # later requests see the new label, not the old
            self._relabelled[label_key(old)] = None
            self._relabelled[label_key(wanted["label"])] = node
            self._renamed[node] = wanted["label"]

    def _update(self, node: str, wanted: dict[str, Any]) -> None:
        attrs = self.state.graph.nodes[node]
        changes = {k: v for k, v in wanted.items() if attrs.get(k) != v}
        if changes:
            self._check_topic(
                node, attrs["label"], attrs["kind"], changes.get("kind", attrs["kind"])
            )
            self._op("update_node", id=node, **changes)

    def _check_topic(self, node: str | None, label: str, old: str | None, new: str) -> None:
        topic = self._topic()
        if new == "topic" and topic is not None and topic != node:
            current = self._label(topic)
            raise TopicError(
                f"the map's topic is already {current!r}; a map has one topic, so "
                f"{label!r} cannot be one too (rename the topic instead)"
            )
        if old == "topic" and new != "topic":
            raise TopicError(f"{label!r} is the map's topic and cannot become a {new}")

    def _label(self, node: str) -> str:
        for op in self._pending.values():
            if op["id"] == node:
                return str(op["label"])
        return str(self.state.graph.nodes[node]["label"])

    def remove(self, node: str) -> None:
        """Remove a node (and so its links); the topic cannot go."""
        if node in self._removed:
            return
        if node == self._topic():
            raise TopicError(f"{self._label(node)!r} is the map's topic; rename it instead")
        self._op("remove_node", id=node)
        self._removed.add(node)
        self._relabelled[label_key(self._renamed.get(node) or self._label(node))] = None

    def unlink(self, source: str, relation: str, target: str, phrase: str = "") -> None:
        """Remove the link between two labels (or ids)."""
        u, v = self.ref(source), self.ref(target)
        key = edge_key(*parse_relation(relation, phrase))
        if not self.state.graph.has_edge(u, v, key):
            raise NodeNotFoundError(f"there is no link {source!r} -{key}-> {target!r}")
        self._op("remove_edge", source=u, target=v, key=key)

    def disconnect(self, u: str, relation: str, v: str, phrase: str = "") -> None:
        """Remove the link ``u -relation-> v`` (ids); nothing if it was there once but is gone.

        A link that was never there is an error that names the links there are.
        """
        key = edge_key(relation, phrase)
        if (u, v, key) in self._removed_edges:
            return
        if self.state.graph.has_edge(u, v, key):
            self._op("remove_edge", source=u, target=v, key=key)
            self._removed_edges.add((u, v, key))
            return
        for op in reversed(self.state.history):  # a re-run: the link is gone already
            if (
                op["op"] == "add_edge"
                and (op["source"], op["target"]) == (u, v)
                and edge_key(op["relation"], op.get("phrase") or "") == key
            ):
                return
        there: dict[Any, dict[str, Any]] = self.state.graph.get_edge_data(u, v, default={})
        named = sorted(link_text(a) for a in there.values())
        hint = f" (they are linked by: {', '.join(named)})" if named else ""
        arrow = f'"{phrase}"' if phrase else relation
        raise NodeNotFoundError(
            f"there is no link {self._label(u)!r} -{arrow}-> {self._label(v)!r}{hint}"
        )

    def warn_near(self) -> None:
        """Add a warning for each label this plan brings in that is close to an existing one."""
        index = index_of(self.state)
        skip = self._removed | self._renamed.keys()
        new = [str(op["label"]) for op in self._pending.values()]
        for renamed, label in self._renamed.items():  # not a change of case: a new label
            if label_key(label) != label_key(index.labels.get(renamed, "")):
                new.append(label)
        for label in new:
            node = index.near(label, exclude=skip)
            if node is not None:
                self.warnings.append(f"{label!r} is new; did you mean {index.labels[node]!r}?")

    def place(self, positions: Mapping[str, Any]) -> None:
        """Pin nodes (named by label or id) at ``(x, y)``, in the page's pixels."""
        points: dict[str, list[float]] = {}
        for label, point in positions.items():
            if not is_point(point):
                raise InvalidValueError(
                    f"a position is (x, y) in finite numbers, not {point!r:.60} (for {label!r})"
                )
            points[self.ref(label)] = [round(float(point[0]), 1), round(float(point[1]), 1)]
        if points:
            self._op("place", positions=points)

    def set_meta(self, key: str, value: Any) -> None:
        """Set map-level metadata; ``value`` is copied (through JSON)."""
        if not isinstance(key, str) or not key:
            raise InvalidValueError(f"a metadata key is a non-empty text, not {key!r}")
        if key in ("topic", "created"):
            raise InvalidValueError(f"{key!r} is not set by set_meta (rename the topic node)")
        try:  # a copy through JSON: the caller's object stays theirs, and fits the file
            value = json.loads(json.dumps(value, allow_nan=False))
        except (TypeError, ValueError):
            raise InvalidValueError(f"metadata must be JSON data; {key!r} is {value!r}") from None
        if self.state.meta.get(key) != value:
            self._op("set_meta", key=key, value=value)

    def resolve(self, label: str, *, linked: bool = True) -> str:
        """The node a label (or id) names; a new ``concept`` if it names none yet.

        Such a concept is ``implicit`` (the result names it) when a link made it.
        """
        node = self.find(clean_label(label))
        if node is None and self._is_node(label):
            node = label
        if node is not None:
            return node
        node = self.declare(label, "concept")
        if linked:
            self.implicit.append(node)
        return node

    def link(
        self, source: str, relation: str, target: str, phrase: str = ""
    ) -> tuple[str, str, str]:
        """Make sure the link exists between two labels; returns ``(source, target, key)``."""
        relation, phrase = parse_relation(relation, phrase)
        return self.connect(self.resolve(source), relation, self.resolve(target), phrase)

    def connect(self, u: str, relation: str, v: str, phrase: str = "") -> tuple[str, str, str]:
        """Make sure the link exists between two node ids (relation already checked)."""
        key = edge_key(relation, phrase)
        if not self.state.graph.has_edge(u, v, key) and (u, v, key) not in self._pending_edges:
            fields: dict[str, Any] = {"source": u, "target": v, "relation": relation}
            if phrase:
                fields["phrase"] = phrase
            self._op("add_edge", **fields)
            self._pending_edges.add((u, v, key))
        return u, v, key
