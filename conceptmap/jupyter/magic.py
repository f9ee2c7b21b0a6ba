"""``%load_ext conceptmap`` and the ``%%conceptmap`` cell magic.

::

    %%conceptmap maps/locking.jsonl        (or the name of a ConceptMap variable)
    obstacle: Two tabs write the same repo
    proposal: One lock per datastore -addresses-> Two tabs write the same repo

The cell is quick-entry text applied to the map (all or nothing; running it
again changes nothing), and the cell's output is the updated map. IPython is
imported only here, so the library itself does not need it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

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
    if key not in _OPEN:
        _OPEN[key] = ConceptMap.open(target)
    return _OPEN[key]


def conceptmap_cell(line: str, cell: str, namespace: dict[str, Any]) -> ConceptMap | None:
    """Apply ``cell`` to the map ``line`` names; return the map to display."""
    from IPython.core.error import UsageError

    try:
        m = _find(line.strip(), namespace)
        change = m.apply(cell, source="cell")
    except ConceptMapError as exc:
        raise UsageError(str(exc)) from None
    print(change, file=sys.stdout)
    return m


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%conceptmap`` (called by ``%load_ext conceptmap``)."""

    def magic(line: str, cell: str) -> ConceptMap | None:
        return conceptmap_cell(line, cell, ipython.user_ns)

    magic.__doc__ = __doc__
    ipython.register_magic_function(magic, magic_kind="cell", magic_name="conceptmap")
