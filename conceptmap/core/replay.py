"""Reading a log into a state: in the replay order, each operation once.

:func:`read_ops` is how every reader applies what it read from a map file (the
whole file, or what was appended since); the order is
:mod:`conceptmap.core.order`'s. Lines that arrive in order are applied as they
come. A line whose key is smaller than one applied already (the other side of a
git merge, read as an append) means the map is replayed from its first line in
the new order, so a map read live is the map loaded afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import BadOperation, SkippedOperation
from .order import Key, keyed
from .state import MapState, Op
from .store import FORMAT, reread

Problems = list[tuple[int, str]]


def read_ops(
    state: MapState, ops: Iterable[tuple[int, Any]], header: dict[str, Any] | None = None
) -> Problems:
    """Apply operations read from a file, with their line numbers, to ``state``.

    A line that does not apply (malformed, or not fitting the map) is skipped
    and returned with its number and why; so is a header whose ``created`` is
    not text (it is ignored). A conflict settled by the replay order (see
    :mod:`conceptmap.core.order`) is returned too, and the operation applied.
    A second copy of the header (a union merge can make one) is passed over.
    """
    problems: Problems = []
    if header is not None:
        created = header.get("created")
        if created is not None and not isinstance(created, str):
            problems.append(
                (1, f"the header's 'created' must be text, got {created!r:.60}; ignored")
            )
            created = None
        state.meta["created"] = created
    read = keyed(_without_headers(ops), state.last, state.seen, state.clock)
    found = read.found
    replay = bool(found) and found[0][0] < state.last
    state.last, state.clock = read.last, read.clock
    if replay:
        problems.extend(_replay(state, found))
    else:
        problems.extend(_apply_all(state, found, set()))
    return problems


def _without_headers(ops: Iterable[tuple[int, Any]]) -> list[tuple[int, Any]]:
    kept = []
    for number, op in ops:
        if type(op) is dict and "op" not in op and op.get("format") == FORMAT:
            continue  # the header again: both sides of a union merge have it
        kept.append((number, op))
    return kept


def _apply_all(state: MapState, found: list[tuple[Key, int, Any]], told: set[int]) -> Problems:
    """Apply in order; ``told`` are ids of operations whose problems were reported before."""
    problems: Problems = []
    apply = state.apply
    for key, number, op in found:
        try:
            apply(op, key, number)
        except (SkippedOperation, BadOperation) as exc:
            state.skipped.append((key, number, op))
            if id(op) not in told:
                problems.append((number, f"{exc}; skipped"))
        if state.conflicts:
            if id(op) not in told:
                problems.extend((number, text) for text in state.conflicts)
            state.conflicts.clear()
    return problems


def _replay(state: MapState, found: list[tuple[Key, int, Any]]) -> Problems:
    """Replay everything read so far and ``found``, in order, into ``state`` (in place)."""
    records = [(key, line, op) for (key, line), op in zip(state.keys, state.history, strict=True)]
    records += state.skipped
    records += found
    records.sort(key=lambda r: r[0])  # stable: equal keys keep the order they came in
    told = {id(op) for _, _, op in state.skipped}  # skipped before: said so already
    created, seen, clock, last = state.meta.get("created"), state.seen, state.clock, state.last
    state.reset()
    state.meta["created"] = created
    state.seen, state.clock, state.last = seen, clock, last
    return _apply_all(state, records, told)


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
    return difference(state, again)


def difference(state: MapState, other: MapState) -> str | None:
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
