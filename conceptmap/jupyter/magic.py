"""``%load_ext conceptmap`` and the ``%%conceptmap`` cell magic.

::

    %%conceptmap maps/locking.jsonl        (or the name of a ConceptMap variable)
    obstacle: Two tabs write the same repo
    proposal: One lock per datastore -addresses-> Two tabs write the same repo

The cell is quick-entry text applied to the map (all or nothing; running it
again changes nothing), and the cell's output shows the map with what the cell added
marked. With anywidget (the ``notebook`` extra) the first such cell shows the map's
live view (``m.widget()``, one widget per map in a kernel); later cells change the
map and that view follows at once, where it is, and their own output is the picture of
the map as of that cell (SVG), for where no kernel runs (GitHub, nbviewer). When the
view is gone (its output cleared, its cell run again), the next cell shows it again.
Without anywidget the newest output is the map's interactive page and earlier ones
turn into pictures. Either way a notebook carries one interactive view per map. An
error names the line as the editor numbers it (the ``%%conceptmap`` line is line 1).
IPython is imported only here, so the library itself does not need it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ..core.plan import Change
from ..errors import ConceptMapError
from ..model import ConceptMap

_OPEN: dict[str, ConceptMap] = {}  # maps opened by path in this kernel, by real path


def _find(target: str, namespace: dict[str, Any]) -> ConceptMap:
    from IPython.core.error import UsageError

    named = namespace.get(target)
    if isinstance(named, ConceptMap):
        return named
    if not target:
        found = [
            v for k, v in namespace.items() if isinstance(v, ConceptMap) and not k.startswith("_")
        ]
        if len({id(v) for v in found}) == 1:
            return found[0]
        raise UsageError(
            "%%conceptmap needs a map: give the name of a ConceptMap variable or a map file "
            "path, e.g. %%conceptmap maps/session.jsonl"
        )
    if target.isidentifier():
        raise UsageError(f"%%conceptmap: there is no ConceptMap variable named {target!r}")
    key = os.path.realpath(target)
    for value in namespace.values():  # the notebook's own map on that file: its author
        if isinstance(value, ConceptMap) and value.path and os.path.realpath(value.path) == key:
            return value
    if key not in _OPEN:
        _OPEN[key] = ConceptMap.open(target)
    return _OPEN[key]


EXAMPLE = "obstacle: Two tabs write the same repo"


def conceptmap_cell(line: str, cell: str, namespace: dict[str, Any]) -> ConceptMap | None:
    """Apply ``cell`` to the map ``line`` names; return the map to display.

    ``cell`` is the body, under the ``%%conceptmap`` line: its first line is
    line 2 of the cell, and errors say so.
    """
    return apply_cell(line, cell, namespace)[0]


def apply_cell(line: str, cell: str, namespace: dict[str, Any]) -> tuple[ConceptMap, Change]:
    """Apply ``cell`` to the map ``line`` names, print what changed; the map and the change."""
    from IPython.core.error import UsageError

    target = line.strip()
    if not cell.strip():
        raise UsageError(_empty(target))
    try:
        m = _find(target, namespace)
        # a blank line for the magic's own: the body's numbers are the editor's
        change = m.apply("\n" + cell, source="cell")
    except ConceptMapError as exc:
        raise UsageError(str(exc)) from None
    print(change, file=sys.stdout)
    return m, change


def touched(change: Change) -> list[str]:
    """The nodes a change added, re-labelled or linked: what its cell's output marks."""
    found = dict.fromkeys(change.created)
    for op in change.ops:
        for name in ("id", "source", "target"):
            if isinstance(op.get(name), str) and op["op"] != "remove_node":
                found[op[name]] = None
    return list(found)


def show(m: ConceptMap, highlight: list[str]) -> None:
    """Show the map under the cell: its live widget, or without anywidget its page."""
    try:
        from .widget import show as show_live
    except ImportError:  # the notebook extra is not installed: the static display
        from .display import show as show_static

        show_static(m, highlight=highlight)
        return
    show_live(m, highlight)


def _empty(target: str) -> str:
    if not target:
        return (
            "%%conceptmap: the cell is empty; name the map on its first line and write one "
            f"fact per line under it, e.g. %%conceptmap maps/session.jsonl, then {EXAMPLE}"
        )
    return (
        f"%%conceptmap {target}: nothing to add; write one fact per line under the "
        f"%%conceptmap line, e.g. {EXAMPLE}"
    )


def _body_lines_kept(lines: list[str]) -> list[str]:
    """An IPython clean-up transform for ``%%conceptmap`` cells (raw lines in, lines out).

    IPython drops the blank lines above a cell magic, which would shift the line
    numbers of the body, and refuses an empty body before the magic sees it
    (with a bare "the cell body is empty"). Moved under the magic's line, the
    blank lines keep the body's numbers the editor's, and an empty body reaches
    the magic, which says what to write.
    """
    blank = 0
    while blank < len(lines) and not lines[blank].strip():
        blank += 1
    if blank == len(lines) or lines[blank].split()[0] != "%%conceptmap":
        return lines
    head = lines[blank] if lines[blank].endswith("\n") else lines[blank] + "\n"
    body = ["\n"] * blank + lines[blank + 1 :]
    return [head, *(body or ["\n"])]


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%conceptmap`` (called by ``%load_ext conceptmap``)."""

    def magic(line: str, cell: str) -> None:
        m, change = apply_cell(line, cell, ipython.user_ns)
        # the newest output of a map is its live view; the ones before become pictures
        show(m, touched(change))

    magic.__doc__ = __doc__
    ipython.register_magic_function(magic, magic_kind="cell", magic_name="conceptmap")
    cleanup = getattr(ipython, "input_transformers_cleanup", None)
    if isinstance(cleanup, list) and _body_lines_kept not in cleanup:
        cleanup.insert(0, _body_lines_kept)  # before IPython drops the leading blank lines
