"""The live map view: ``m.widget()``, an anywidget that follows the map file.

Messages, view -> kernel (the contract in DESIGN.md; other front ends rely on it):

- ``{"type": "apply", "text": "<quick-entry text>"}``, answered by
  ``{"type": "applied", "summary": "...", "error": null}`` or, with nothing applied,
  ``{"type": "applied", "summary": "", "error": "<message>"}``;
- ``{"type": "undo"}`` (this author's last change), answered the same way;
- ``{"type": "place", "positions": {"<node id>": [x, y]}}`` (a drag; an error is
  ``{"type": "error", "error": "..."}``);
- ``{"type": "ready"}`` (send the whole map), with ``"vis": true`` when the view also
  needs vis-network (``{"type": "vis", "code": <gzip, base64>}``), ``"new": true`` from
  a view that just started, and ``"rev": n`` from one that took over a network drawn
  up to revision ``n`` (no snapshot if that is current); ``{"type": "gone"}`` from a
  view that closed (the widget counts its open views).

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
import threading
import uuid
import warnings
import weakref
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    import anywidget
    import traitlets
except ImportError as exc:  # the notebook extra is not installed
    raise ImportError("m.widget() needs anywidget: pip install 'conceptmap[notebook]'") from exc

from ..core.plan import Change
from ..errors import ConceptMapError
from .live import Record, delta, mirror_of, rewritten, snapshot

if TYPE_CHECKING:
    from ..model import ConceptMap

__all__ = ["MapWidget", "delta", "show", "widget_for"]

INTERVAL = 0.25
"""How often the widget looks at the map file, in seconds."""


class MapWidget(anywidget.AnyWidget):
    """The live view of a map: follows its file, and turns gestures into quick entry.

    Get one with ``m.widget()`` (one per map object). Close it (``w.close()``) to
    stop following the file.
    """

    _esm = Path(__file__).with_name("widget.js")
    author = traitlets.Unicode(read_only=True).tag(sync=True)
    #: names this widget in the page: a view that replaces another of the same widget
    #: takes over its drawn network instead of drawing the map again
    key = traitlets.Unicode(read_only=True).tag(sync=True)

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
        #: the views open in the page (each says when it starts and when it is closed)
        self.views = 0
        #: displayed, and no view has said it started since: one is on its way
        self.displayed = False
        #: the newest picture ``show`` displayed: its display id and what it marked
        self.picture: tuple[str, list[str]] | None = None
        super().__init__()
        self.set_trait("author", m.author)
        self.set_trait("key", uuid.uuid4().hex)
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

    @property
    def shown(self) -> bool:
        """Whether a view of this widget is open in the page, or on its way there."""
        return self.views > 0 or self.displayed

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
            elif kind == "gone":
                self.views = max(0, self.views - 1)
                if not self.shown:
                    self._revive()
            elif kind == "ready":
                if content.get("new"):
                    self.views += 1
                    self.displayed = False
                self.sync()
                if content.get("vis"):
                    self.send({"type": "vis", "code": _vis_code()})
                # a view that took over a drawn network and holds this revision needs nothing
                if content.get("rev") != self._mirror.rev or content.get("vis"):
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

    def _revive(self) -> None:
        """The last view closed: the newest picture of the map becomes the live view.

        So a map keeps a live view in the notebook when its output is cleared or its
        cell is run again (the view may close after that cell already showed a picture).
        """
        if self.picture is None:
            return
        from IPython.display import update_display

        display_id, highlight = self.picture
        shown = self.bundle(highlight)
        if shown is not None:
            update_display(shown[0], metadata=shown[1], display_id=display_id, raw=True)  # type: ignore[no-untyped-call]
            self.displayed, self.picture = True, None

    # -- display -------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The view, and what shows without a kernel: the picture and the text."""
        return self.bundle(**kwargs)

    def bundle(self, highlight: Collection[str] = (), **kwargs: Any) -> Any:
        """The display data: the view, the picture (``highlight`` marked) and the text.

        ``(data, metadata)``, or None once the widget is closed.
        """
        shown = super()._repr_mimebundle_(**kwargs)
        if shown is None:
            return None
        data, metadata = shown if isinstance(shown, tuple) else (shown, {})
        # a broken picture must not break the view: only the fallback would be missing
        with contextlib.suppress(Exception), self._lock:
            data = {**data, **static_bundle(self._map, highlight)}
        return data, metadata


def static_bundle(m: ConceptMap, highlight: Collection[str] = ()) -> dict[str, Any]:
    """The picture (``image/svg+xml``), the text list (``text/html``), ``text/plain`` and JSON.

    What shows where the view cannot (no kernel, GitHub, nbviewer); the JSON
    (``application/vnd.conceptmap+json``) is the map's data, as in a static display.
    """
    from ..drawing.svg import svg_data
    from .display import MIME, _fallback, text_summary

    svg = svg_data(m, highlight=highlight)
    title = f"Concept map: {m.meta['topic'] or 'untitled'}".replace('"', "&quot;")
    picture = base64.b64encode(svg.encode()).decode("ascii")
    html = f'<img alt="{title}" src="data:image/svg+xml;base64,{picture}">' + _fallback(m)
    return {"image/svg+xml": svg, "text/html": html, "text/plain": text_summary(m),
            MIME: m.to_node_link()}  # fmt: skip


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


_LIVE: dict[str, MapWidget] = {}  # the widget ``%%conceptmap`` shows, by map (file or object)


def show(m: ConceptMap, highlight: Collection[str] = ()) -> MapWidget:
    """Show ``m`` for a ``%%conceptmap`` cell: its live view once, then pictures.

    One widget per map (by file, or by object in memory) in a kernel. The first cell
    shows the widget; later cells change the map and the view already open follows at
    once, with what the cell added marked, where it is (in the notebook, or in a panel
    of its own: JupyterLab's "Create New View for Output"). Their own output is the
    picture of the map as of that cell (``image/svg+xml``, ``highlight`` marked, and
    text), so a notebook read without a kernel (GitHub, nbviewer) shows the map as it
    grew. When no view is open any more (its output cleared, its cell run again), the
    next cell shows the widget again, and its view takes over the network the closed
    one had drawn; if the view closes after a cell already showed a picture (a cell run
    again clears its output while it runs), that picture becomes the live view. Needs
    IPython.

    Examples
    --------
    >>> import conceptmap as cm
    >>> from conceptmap.jupyter.widget import show
    >>> show(cm.ConceptMap("GraphSync", author="vmx"))  # doctest: +SKIP
    """
    from IPython.display import display

    from .display import _key

    key = _key(m)
    widget = _LIVE.get(key)
    if widget is None or widget.comm is None or widget.author != m.author:
        widget = _LIVE[key] = widget_for(m)
    widget.sync()  # the open view shows the cell's change now, not at the next poll
    if widget.shown:
        from ..drawing.svg import svg_data
        from .display import text_summary

        with widget._lock:
            picture = {"image/svg+xml": svg_data(widget._map, highlight=highlight),
                       "text/plain": text_summary(widget._map)}  # fmt: skip
        display_id = uuid.uuid4().hex  # the live view comes here if the open one closes
        display(picture, raw=True, display_id=display_id)  # type: ignore[no-untyped-call]
        widget.picture = (display_id, list(highlight))
        return widget
    shown = widget.bundle(highlight)
    if shown is not None:
        display(shown[0], metadata=shown[1], raw=True)  # type: ignore[no-untyped-call]
        widget.displayed, widget.picture = True, None
    return widget
