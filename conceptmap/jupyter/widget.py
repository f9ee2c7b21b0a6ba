"""The live map view: ``m.widget()``, an anywidget that follows the map file.

Messages, view -> kernel (the contract in DESIGN.md; other front ends rely on it):

- ``{"type": "apply", "text": "<quick-entry text>"}``, answered by
  ``{"type": "applied", "summary": "...", "error": null}`` or, with nothing applied,
  ``{"type": "applied", "summary": "", "error": "<message>"}``;
- ``{"type": "undo"}`` (this author's last change), answered the same way;
- ``{"type": "place", "positions": {"<node id>": [x, y]}}`` (a drag; an error is
  ``{"type": "error", "error": "..."}``);
- ``{"type": "ready"}`` (a view was drawn: send it the whole map), with ``"vis": true``
  when it also needs vis-network (``{"type": "vis", "code": <gzip, base64>}``).

Kernel -> view, besides the answers: ``{"type": "snapshot", "rev": n, ...}`` (the
whole map, for a new view, or after the log was rewritten) and ``{"type": "delta",
"base": n - 1, "rev": n, ...}``: only what changed (see :func:`delta`). A view whose
``rev`` is not a delta's ``base`` asks for a snapshot again.

Following the file: every ``interval`` seconds the widget asks its map whether the log
grew (:meth:`ConceptMap.refresh`, one ``stat``). In a kernel that runs on the kernel's
own event loop, on the thread that runs cells and handles widget messages, so nothing
the widget does can interleave with a cell. Where no loop runs (a script, the tests) a
daemon thread polls, under a lock the message handlers take too. A map object is not
thread-safe, so for a map with a file the widget reads and writes through its own
object on that file (same author: an undo there is this author's undo anywhere), and
the caller's object picks the widget's changes up from the file like any other
writer's. An in-memory map has no file: the widget uses it directly.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import threading
import warnings
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    import anywidget
    import traitlets
except ImportError as exc:  # the notebook extra is not installed
    raise ImportError("m.widget() needs anywidget: pip install 'conceptmap[notebook]'") from exc

from ..core.plan import Change
from ..core.schema import KINDS, RELATIONS, link_text
from ..core.state import Op, edge_key
from ..errors import ConceptMapError
from ..rfc.open_items import open_items

if TYPE_CHECKING:
    from ..model import ConceptMap

__all__ = ["MapWidget", "delta", "widget_for"]

INTERVAL = 0.25
"""How often the widget looks at the map file, in seconds."""
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


class MapWidget(anywidget.AnyWidget):
    """The live view of a map: follows its file, and turns gestures into quick entry.

    Get one with ``m.widget()`` (one per map object). Close it (``w.close()``) to
    stop following the file.
    """

    _esm = Path(__file__).with_name("widget.js")
    author = traitlets.Unicode(read_only=True).tag(sync=True)

    def __init__(self, m: ConceptMap, *, interval: float = INTERVAL) -> None:
        self._source = m
        self._map = _own(m)
        self._lock = threading.RLock()
        self._mirror = mirror_of(self._map)
        self._handle: asyncio.TimerHandle | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.interval = interval
        #: the last error a poll met (the poll goes on), for whoever wonders why nothing moves
        self.poll_error: str | None = None
        #: how the file is followed: "event loop", "thread", or None (closed)
        self.following: str | None = None
        super().__init__()
        self.set_trait("author", m.author)
        self.on_msg(self._receive)
        self._follow()

    # -- what the views were sent ------------------------------------------------------
    @property
    def map(self) -> ConceptMap:
        """The map this widget shows (the object it was made for)."""
        return self._source

    @property
    def rev(self) -> int:
        """How many deltas were sent: the views' version of the map."""
        return self._mirror.rev

    @property
    def nodes(self) -> dict[str, Record]:
        """The nodes as the views have them, by id (a copy)."""
        return dict(self._mirror.nodes)

    @property
    def links(self) -> dict[str, Record]:
        """The links as the views have them, by link id (a copy)."""
        return dict(self._mirror.links)

    @property
    def open_items(self) -> list[Record]:
        """The open items as the views list them."""
        return list(self._mirror.open.values())

    # -- following the file -------------------------------------------------------------
    def sync(self) -> Record | None:
        """Send the views what changed in the map; returns the message (None: nothing)."""
        with self._lock:
            m, mirror = self._map, self._mirror
            message: Record | None
            if rewritten(m, mirror):
                self._mirror = mirror_of(self._map)
                self._mirror.rev = mirror.rev + 1
                message = snapshot(m, self._mirror)
            else:
                message = delta(m, mirror)
            if message is not None:
                self.send(message)
            return message

    def _tick(self) -> None:
        try:
            if self.comm is None:
                self._unfollow()
                return
            self.sync()
            self.poll_error = None
        except Exception as exc:  # a poll must never end the loop or the thread
            self.poll_error = f"{type(exc).__name__}: {exc}"

    def _follow(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            self.following = "event loop"
            self._handle = loop.call_later(self.interval, self._loop_tick, loop)
            return
        self.following = "thread"
        thread = threading.Thread(
            target=_poll, args=(weakref.ref(self), self._stop, self.interval),
            name="conceptmap-widget", daemon=True,
        )  # fmt: skip
        self._thread = thread
        thread.start()

    def _loop_tick(self, loop: asyncio.AbstractEventLoop) -> None:
        self._tick()
        if self.following == "event loop":
            self._handle = loop.call_later(self.interval, self._loop_tick, loop)

    def _unfollow(self) -> None:
        self.following = None
        self._stop.set()
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def close(self) -> None:
        """Stop following the file and close the views."""
        m = getattr(self, "_source", None)  # None: called by __del__ of a widget never made
        if m is not None:
            self._unfollow()
            if _WIDGETS.get(m) is self:
                del _WIDGETS[m]
        super().close()

    # -- messages from the views ---------------------------------------------------------
    def _receive(self, _widget: Any, content: Any, _buffers: Any) -> None:
        try:
            self.handle(content)
        except Exception as exc:  # never a traceback in the notebook
            self.send({"type": "error", "error": f"{type(exc).__name__}: {exc}"})

    def handle(self, content: Any) -> None:
        """Act on one message from a view (see the module's docstring)."""
        kind = content.get("type") if isinstance(content, dict) else None
        with self._lock:
            if kind == "apply":
                self._answer(lambda: self._map.apply(_text(content.get("text"))))
            elif kind == "undo":
                self._answer(self._map.undo)
            elif kind == "place":
                self._place(content.get("positions"))
            elif kind == "ready":
                self.sync()
                if content.get("vis"):
                    self.send({"type": "vis", "code": _vis_code()})
                self.send(snapshot(self._map, self._mirror))
            else:
                self.send({"type": "error", "error": f"unknown message type {kind!r}"})

    def _answer(self, change: Callable[[], Change]) -> None:
        try:
            done = change()
        except Exception as exc:  # every apply is answered: the view waits for it
            error = str(exc) if isinstance(exc, ConceptMapError) else f"{type(exc).__name__}: {exc}"
            self.send({"type": "applied", "summary": "", "error": error})
            return
        self.sync()
        self.send({"type": "applied", "summary": str(done), "error": None})

    def _place(self, positions: Any) -> None:
        try:
            if not isinstance(positions, dict):
                raise ConceptMapError(f"positions must be an object, not {positions!r:.60}")
            self._map.place(positions)
        except ConceptMapError as exc:
            self.send({"type": "error", "error": str(exc)})
        self.sync()

    # -- display -------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The view, and what shows without a kernel: the picture and the text."""
        shown = super()._repr_mimebundle_(**kwargs)
        if shown is None:
            return None
        data, metadata = shown if isinstance(shown, tuple) else (shown, {})
        # a broken picture must not break the view: only the fallback would be missing
        with contextlib.suppress(Exception), self._lock:
            data = {**data, **static_bundle(self._map)}
        return data, metadata


def static_bundle(m: ConceptMap) -> dict[str, str]:
    """The picture (``image/svg+xml``), the text list (``text/html``) and ``text/plain``."""
    from ..drawing.svg import svg_data
    from .display import _fallback, text_summary

    svg = svg_data(m)
    title = f"Concept map: {m.meta['topic'] or 'untitled'}".replace('"', "&quot;")
    picture = base64.b64encode(svg.encode()).decode("ascii")
    html = f'<img alt="{title}" src="data:image/svg+xml;base64,{picture}">' + _fallback(m)
    return {"image/svg+xml": svg, "text/html": html, "text/plain": text_summary(m)}


def _own(m: ConceptMap) -> ConceptMap:
    """The object the widget works through: its own one on ``m``'s file, if it has one."""
    if m.path is None:
        return m
    with warnings.catch_warnings():  # what the file holds was reported when ``m`` read it
        warnings.simplefilter("ignore")
        return type(m).load(m.path, author=m.author)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ConceptMapError(f"the text to apply must be a string, not {value!r:.60}")
    return value


def _vis_code() -> str:
    from ..drawing.html import vis_network_packed

    return vis_network_packed()


def _poll(ref: weakref.ref[MapWidget], stop: threading.Event, interval: float) -> None:
    """The polling thread: holds the widget weakly, so a dropped widget ends it."""
    while not stop.wait(interval):
        widget = ref()
        if widget is None:
            return
        widget._tick()
        del widget


_WIDGETS: weakref.WeakKeyDictionary[ConceptMap, MapWidget] = weakref.WeakKeyDictionary()


def widget_for(m: ConceptMap) -> MapWidget:
    """The live view of ``m``: the same widget each time, unless it was closed."""
    widget = _WIDGETS.get(m)
    if widget is None or widget.comm is None:
        widget = _WIDGETS[m] = MapWidget(m)
    return widget
