"""The :class:`ConceptMap`: a typed concept graph, kept in a shared log file."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, Unpack

import networkx as nx

from .core.attribution import default_author, now
from .core.order import new_token
from .core.perf import gc_paused
from .core.plan import Change, Plan
from .core.replay import read_ops, rewrite_problem
from .core.schema import clean_label, normalize_kind
from .core.shortcuts import KindShortcuts, NodeFields
from .core.state import MapState, Op, copied, minimal_ops
from .core.store import FORMAT, VERSION, Chunk, LogStore
from .errors import (
    ConceptMapError,
    InvalidValueError,
    MapFileError,
    MapFileWarning,
    NodeNotFoundError,
)
from .outputs import MapOutputs

if TYPE_CHECKING:
    from .drawing.placement import Placer

T = TypeVar("T")


class ConceptMap(MapOutputs, KindShortcuts):
    """A map of a design session: typed nodes and links, with who added what.

    A map lives in memory (``ConceptMap("topic")``) or in a log file shared by
    several processes (:meth:`open`). Every change is an operation appended to
    the file under a lock; every read first picks up what others appended.

    Examples
    --------
    >>> m = ConceptMap("Locking the IPFS repo", author="alice")
    >>> m.obstacle("Two tabs write the same repo")
    'two-tabs-write-the-same-repo'
    >>> m.link("Web Locks API", "addresses", "two tabs write the same repo")
    ('web-locks-api', 'two-tabs-write-the-same-repo', 'addresses')
    >>> m.node("web locks api")["kind"]
    'concept'
    """

    def __init__(
        self, topic: str | None = None, *, author: str | None = None, _store: LogStore | None = None
    ) -> None:
        self.author = clean_label(author) if author is not None else default_author()
        self._store = _store
        self._state = MapState()
        self._placed: Placer | None = None
        self._fed: tuple[list[Op], int] = ([], 0)  # the history the placer read, and how far
        self._imported = 0  # how many of the history's first operations came in one import
        #: what was skipped while reading the file (also issued as MapFileWarning)
        self.problems: list[str] = []
        if _store is None:
            self._state.meta["created"] = now()
            if topic is not None:
                self.add(topic, "topic")

    # -- files ------------------------------------------------------------------
    @classmethod
    def open(
        cls, path: str | os.PathLike[str], topic: str | None = None, *, author: str | None = None
    ) -> ConceptMap:
        """Open the map at ``path``, creating it (with ``topic``) if there is none.

        ``topic`` is used only for a new map or one that has no topic yet.
        """
        store = LogStore(path)
        if store.exists() and not store.is_map():
            # not a map (a notebook given by mistake): say why, leaving no lock file beside it
            LogStore(path).read_chunk()
        with store.locked():
            if not store.exists():
                return cls._create_locked(store, topic, author, {})
            m = cls(author=author, _store=store)
            m._sync_locked()
            if topic is not None and m._state.topic_id is None:
                m.add(topic, "topic")
            return m

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        topic: str,
        *,
        author: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> ConceptMap:
        """Create a new map file; an existing map is an error and stays as it was."""
        store = LogStore(path)
        if store.exists():  # checked again under the lock; this leaves no lock file behind
            raise MapFileError(store.name, "exists already")
        with store.locked():
            if store.exists():
                raise MapFileError(store.name, "exists already")
            return cls._create_locked(store, topic, author, meta or {})

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, author: str | None = None) -> ConceptMap:
        """Load an existing map file, without changing it."""
        m = cls(author=author, _store=LogStore(path))
        m.refresh()
        return m

    @classmethod
    def from_ops(
        cls, ops: list[Op], *, author: str | None = None, created: str | None = None
    ) -> ConceptMap:
        """A new in-memory map that replays ``ops`` (as a map file holds them).

        The operations are copied (a JSON round trip, which also refuses what a
        map file could not hold); the first one that does not apply is an
        :class:`InvalidValueError` naming it.

        >>> m = ConceptMap.from_ops(
        ...     [{"op": "add_node", "id": "dht", "label": "DHT", "kind": "topic",
        ...       "by": "d", "at": "2019-07-15T10:00:00.000Z"}]
        ... )
        >>> m.topic_id, m.meta["topic"]
        ('dht', 'DHT')
        """
        state = MapState()
        for op in ops:
            try:
                state.apply(json.loads(json.dumps(op, allow_nan=False)))
            except (ConceptMapError, TypeError, ValueError) as exc:
                name = op.get("id") or f"{op.get('key') or op.get('source')}"
                raise InvalidValueError(f"cannot import {op.get('op')} {name!r}: {exc}") from None
        if created is not None:
            state.meta["created"] = created
        m = cls(author=author)
        m._state = state
        # an import is one change for placement, whatever its operations' times say
        m._imported = len(state.history)
        return m

    @classmethod
    def _create_locked(
        cls, store: LogStore, topic: str | None, author: str | None, meta: dict[str, Any]
    ) -> ConceptMap:
        m = cls(topic, author=author)
        for key, value in meta.items():
            m.set_meta(key, value)
        m._write(store, m._state.history, replace=True)
        return m

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write this map, with its history, to a new file and keep it there from now on.

        The file is a map log (``.jsonl``); for other formats use :meth:`export`.
        """
        from .readwrite import WRITERS

        suffix = Path(path).suffix.lower()
        if suffix in WRITERS:
            raise InvalidValueError(
                f"save() writes a map log (.jsonl), not {suffix}: "
                f"use m.export({str(path)!r}) for {suffix} files"
            )
        store = LogStore(path)
        ops = self._state.history
        if self._imported:
            # the file cannot say that its first operations were one import: pin the
            # picture, so the map reads back as it is drawn here
            ops = [*ops, self._pin_all()]
        with store.locked():
            self._write(store, ops, replace=overwrite)

    def compact(self) -> None:
        """Rewrite the file as the shortest log of the same map, atomically.

        The history (who changed what, in which order) goes; the map stays. The
        rewrite is read back before it replaces the file: if it would not give
        the same map, :class:`MapFileError` is raised and the file is untouched.
        """
        if self._store is None:
            raise MapFileError("<memory>", "an in-memory map has no file to compact")
        with self._store.locked():
            self._sync_locked()
            # the picture stays: every node is pinned where it was drawn
            pinned = [self._pin_all()] if len(self._state.graph) else []
            records = [self._header(), *minimal_ops(self._state), *pinned]
            problem = rewrite_problem(self._state, records)
            if problem is not None:
                raise MapFileError(
                    self._store.name,
                    f"was not compacted: its rewrite would not read back "
                    f"as the same map ({problem}); the file is as it was",
                )
            self._store.write_new(records, replace=True)
            self._store.rewind()
            self._state, self._imported = MapState(), 0
            self._sync_locked()

    def _pin_all(self) -> Op:
        """A ``place`` operation that pins every node where it is drawn now."""
        here = {n: [round(x, 1), round(y, 1)] for n, (x, y) in self.positions().items()}
        by = (self._state.meta["participants"] or ["conceptmap"])[0]
        at = self._state.meta.get("created") or now()
        return {"op": "place", "positions": here, "all": True, "by": by, "at": at}

    def _header(self) -> dict[str, Any]:
        meta = self._state.meta
        created = meta.get("created") or now()
        return {"format": FORMAT, "version": VERSION, "topic": meta["topic"], "created": created}

    def _write(self, store: LogStore, ops: list[Op], *, replace: bool) -> None:
        store.write_new([self._header(), *ops], replace=replace)
        self._store = store

    @property
    def path(self) -> Path | None:
        """The map file, or None for an in-memory map."""
        return self._store.name if self._store is not None else None

    def refresh(self) -> bool:
        """Pick up what other processes appended; True if anything changed."""
        store = self._store
        if store is None or not store.changed():
            return False
        with store.reading():
            chunk = store.read_chunk()
        return self._ingest(chunk)

    def _sync_locked(self) -> bool:
        store = self._store
        if store is None or not store.changed():
            return False
        return self._ingest(store.read_chunk())

    def _ingest(self, chunk: Chunk) -> bool:
        with gc_paused(len(chunk.body) > 100_000):
            batch = LogStore.parse(chunk)
            if batch.reset:
                self._state, self._imported = MapState(), 0
            skipped = read_ops(self._state, batch.ops, batch.header)
        for number, message in sorted([*batch.problems, *skipped]):
            text = f"{self.path}, line {number}: {message}"
            self.problems.append(text)
            warnings.warn(text, MapFileWarning, stacklevel=2)
        return bool(batch.ops) or batch.reset

    # -- changing -----------------------------------------------------------------
    def _lock(self) -> AbstractContextManager[None]:
        return self._store.locked() if self._store is not None else nullcontext()

    def _change(self, build: Callable[[Plan], T]) -> tuple[Change, T]:
        """Plan against the freshest state (under the lock), append, then apply."""
        with self._lock():
            self._sync_locked()
            plan = Plan(self._state, self.author, self._state.stamp_time(now()))
            result = build(plan)
            change = Change(plan.ops, plan.created, plan.implicit, warnings=plan.warnings)
            if plan.ops:
                self._commit(plan.ops)
                change.labels = {n: self._state.graph.nodes[n]["label"] for n in plan.created}
            return change, result

    def _commit(self, ops: list[Op]) -> None:
        """Apply in memory, then append; if either fails, neither happened.

        Each operation gets its op id first (see :mod:`conceptmap.core.order`).
        """
        state, done = self._state, len(self._state.history)
        token = new_token()
        try:
            for n, op in enumerate(ops):
                state.stamp(op, token, n)
                state.apply(op)
            if self._store is not None:
                self._store.append(ops)
        except BaseException:
            self._state = MapState.replayed(state.history[:done], state.meta.get("created"))
            raise

    def add(self, label: str, kind: str = "concept", **fields: Unpack[NodeFields]) -> str:
        """Add a node, or make the node with this label (any case) say this; returns its id.

        ``notes``, ``tags``, ``url``, ``owner``, ``due`` and ``status`` are set when
        given and kept when not (see :mod:`conceptmap.core.attributes`).

        >>> m = ConceptMap("GC", author="alan")
        >>> m.action("Measure lock hold times", owner="alanshaw", due="2026-12-15")
        'measure-lock-hold-times'
        >>> m.node("Measure lock hold times")["owner"]
        '@alanshaw'
        """
        return self._change(lambda p: p.declare(label, kind, **fields))[1]

    def link(
        self, source: str, relation: str, target: str, *, phrase: str = ""
    ) -> tuple[str, str, str]:
        """Link two nodes, named by label or id; a label that names none becomes a concept.

        ``relation`` is one of :data:`conceptmap.RELATIONS`, or a free linking
        phrase in double quotes (``'"is stored in"'``). Returns ``(source, target, key)``.
        """
        return self._change(lambda p: p.link(source, relation, target, phrase))[1]

    def apply(self, text: str, *, source: str | None = None) -> Change:
        """Apply quick-entry text: all of it, or on any error none of it.

        ``source`` names the text in error messages (a file name, "cell 3").
        """
        from .core.quickentry import parse, plan_statements

        statements = parse(text, source=source)
        return self._change(lambda p: plan_statements(p, statements, source))[0]

    def update(self, label: str, /, **fields: Any) -> Change:
        """Change a node's ``label``, ``kind``, ``notes`` or attributes (``owner``, ...)."""
        return self._change(lambda p: p.update(p.ref(label), fields))[0]

    def rename(self, label: str, new_label: str) -> Change:
        """Give a node a new label; its id, links and history stay."""
        return self.update(label, label=new_label)

    def set_kind(self, label: str, kind: str) -> Change:
        """Re-kind a node."""
        return self.update(label, kind=kind)

    def remove(self, label: str) -> Change:
        """Remove a node and every link to or from it (the topic cannot go)."""
        return self._change(lambda p: p.remove(p.ref(label)))[0]

    def unlink(self, source: str, relation: str, target: str, *, phrase: str = "") -> Change:
        """Remove the link ``source -relation-> target``."""
        return self._change(lambda p: p.unlink(source, relation, target, phrase))[0]

    def set_meta(self, key: str, value: Any) -> Change:
        """Set map-level metadata (``participants``, ``date``, ``source``, ...)."""
        return self._change(lambda p: p.set_meta(key, value))[0]

    def undo(self) -> Change:
        """Undo the last change :attr:`author` made that is not undone yet.

        The inverse is appended as new operations (marked ``undoes``), so the
        history keeps both; undoing again walks further back. A change someone else
        has built on since (linked to a node it added, ...) is not undone: that is a
        :class:`ConceptMapError` saying who changed what, and nothing is written.

        >>> m = ConceptMap("GraphSync", author="vmx")
        >>> print(m.apply("concept: Selectors"))
        1 node added
        >>> print(m.undo())  # doctest: +ELLIPSIS
        undid the change of ...: 1 node removed
        """
        from .core.undo import undo_ops

        with self._lock():
            self._sync_locked()
            at = self._state.stamp_time(now())
            ops, undone = undo_ops(self._state.history, self.author, at, self._drawn_after)
            try:
                self._commit(ops)
            except ConceptMapError as exc:
                raise ConceptMapError(f"cannot undo the change of {undone}: {exc}") from None
            return Change(ops, undid=undone)

    def _drawn_after(self, count: int) -> dict[str, tuple[float, float]]:
        """Where the nodes were drawn after the first ``count`` operations of the history."""
        from .drawing.placement import Placer

        placer = Placer()
        placer.feed(self._state.history[:count])
        return placer.positions()

    # -- positions -------------------------------------------------------------------
    def positions(self, *, removed: bool = False) -> dict[str, tuple[float, float]]:
        """``{node id: (x, y)}``: where every view draws each node, in the page's pixels.

        Derived from the log (see :mod:`conceptmap.drawing.placement`): a node is
        placed next to what it links to when it is added and then stays, unless
        :meth:`place` pins it elsewhere. ``removed=True`` adds the nodes the map
        once had (the replay shows them where they were).
        """
        placer = self._placer()
        return placer.every_position() if removed else placer.positions()

    def place(self, positions: Mapping[str, tuple[float, float]]) -> Change:
        """Pin nodes where a participant put them: ``m.place({"Web Locks API": (x, y)})``."""
        return self._change(lambda p: p.place(positions))[0]

    def _placer(self) -> Placer:
        """The placer, fed with what the log holds beyond what it has read."""
        from .drawing.placement import Placer

        history = self.history
        fed = self._fed
        if self._placed is None or fed[0] is not history or fed[1] > len(history):
            self._placed = Placer()
            imported = min(self._imported, len(history))
            self._placed.feed(history[:imported], one_change=True)
            fed = (history, imported)
        self._placed.feed(history[fed[1] :])
        self._fed = (history, len(history))
        return self._placed

    # -- looking ------------------------------------------------------------------
    @property
    def graph(self) -> nx.MultiDiGraph[str]:
        """The networkx graph, up to date with the file. Change the map, not this."""
        self.refresh()
        return self._state.graph

    @property
    def topic_id(self) -> str | None:
        """The id of the topic node (None while the map has none)."""
        self.refresh()
        return self._state.topic_id

    @property
    def meta(self) -> dict[str, Any]:
        """Map-level metadata: topic, participants, created, and what was set."""
        self.refresh()
        return self._state.meta

    @property
    def history(self) -> list[Op]:
        """Every operation since the map was created (or compacted), oldest first."""
        self.refresh()
        return self._state.history

    def id_of(self, label: str) -> str:
        """The id of the node a label (any case) or an id names."""
        self.refresh()
        return Plan(self._state, self.author, "").ref(label)

    def find(self, label: str) -> str | None:
        """The id of the node a label or id names, or None."""
        try:
            return self.id_of(label)
        except NodeNotFoundError:
            return None

    def node(self, label: str) -> dict[str, Any]:
        """A copy of a node's attributes, with its ``id``."""
        node = self.id_of(label)
        return {"id": node, **copied(self._state.graph.nodes[node])}

    def nodes(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Copies of the nodes (of one kind, if given), in the order they were added."""
        wanted = normalize_kind(kind) if kind is not None else None
        graph = self.graph
        return [
            {"id": n, **copied(a)} for n, a in graph.nodes(data=True) if wanted in (None, a["kind"])
        ]

    def edges(self) -> list[dict[str, Any]]:
        """Copies of the links, each with ``source``, ``target`` and ``key``."""
        graph = self.graph
        return [
            {"source": u, "target": v, "key": k, **copied(a)}
            for u, v, k, a in graph.edges(keys=True, data=True)
        ]

    def __len__(self) -> int:
        return int(self.graph.number_of_nodes())

    def __contains__(self, label: object) -> bool:
        return isinstance(label, str) and self.find(label) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.graph.nodes))

    def __repr__(self) -> str:
        g = self.graph
        where = f" in {str(self.path)!r}" if self.path else ""
        return (
            f"<ConceptMap {self._state.meta['topic']!r}{where}: "
            f"{g.number_of_nodes()} nodes, {g.number_of_edges()} links>"
        )
