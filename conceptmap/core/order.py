"""The order a log is replayed in, so that a union-merged log reads the same either way.

Participants who work offline append to their own clone of a map, and git merges
the clones with ``merge=union``: the merged file holds both sides' new lines, in
an interleaving git chose, a line possibly twice. Loading it must give one map
whichever interleaving it is. Three things make that so:

- **Op ids.** Every operation a change appends carries ``"op_id": "<token>.<n>"``:
  ``token`` is 10 random hex digits drawn once per change, ``n`` the operation's
  place in its change (0, 1, ...). An operation is identified by its time, author
  and op id together, so a line read twice is applied once.
- **A causal clock.** A change is stamped ``at`` = the current UTC time, or one
  millisecond after the latest ``at`` in the map if that is later (a hybrid
  logical clock): whatever a writer had read is older than what it writes, even
  when its clock is behind another participant's.
- **A canonical order.** Operations are replayed sorted by their key
  ``(at, by, token, n)``. A file written by one live session is already in that
  order, so nothing moves; the two sides of a merge are interleaved by time.

A line with no op id (written before op ids, by ``compact``, or an import) keeps
its place: its key is the largest key before it in the file, so it stays right
after the line it followed.

Concurrent edits are settled by that order: the later change wins (later ``at``,
then author, then token). A rename or re-kind records the value it replaced
(``"was"``), so a change that overwrote a value it had not seen is reported as a
conflict; a link or an edit to a node removed concurrently is skipped, and the
removal wins.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

#: the field of an operation that identifies it within its change's time and author
OP_ID = "op_id"
#: the field of a rename or re-kind that holds the values it replaced
WAS = "was"
#: the fields whose concurrent change is reported as a conflict
CONFLICTING = ("label", "kind")

Key = tuple[str, str, str, int]
#: the key before every other: lines with no op id at the top of a file keep their order
FIRST: Key = ("", "", "", -1)


def new_token() -> str:
    """A change's random part of its op ids: 10 hex digits.

    >>> len(new_token()), new_token() != new_token()
    (10, True)
    """
    return secrets.token_hex(5)


def op_id(token: str, n: int) -> str:
    """The op id of the ``n``-th operation of the change ``token``.

    >>> op_id("9f2c4e1a7b", 0)
    '9f2c4e1a7b.0'
    """
    return f"{token}.{n}"


def key_of(op: Any) -> Key | None:
    """The replay key of an operation with an op id; None for one without.

    >>> key_of({"op_id": "9f2c4e1a7b.2", "at": "2026-01-01T00:00:00.000Z", "by": "ann"})
    ('2026-01-01T00:00:00.000Z', 'ann', '9f2c4e1a7b', 2)
    >>> key_of({"at": "2026-01-01T00:00:00.000Z", "by": "ann"}) is None
    True
    """
    if type(op) is not dict:
        return None
    ident, at, by = op.get(OP_ID), op.get("at"), op.get("by")
    if type(ident) is not str or type(at) is not str or type(by) is not str:
        return None
    token, dot, n = ident.rpartition(".")
    if dot and n.isdigit() and len(n) < 10:
        return (at, by, token, int(n))
    return (at, by, ident, 0)


@dataclass
class Keyed:
    """Operations read, with their keys, in replay order; what a reader needs to know."""

    found: list[tuple[Key, int, Any]]
    #: the largest key among them (or the one before them)
    last: Key
    #: the latest time among the operations with op ids (or the one before)
    clock: str | None


def keyed(ops: list[tuple[int, Any]], last: Key, seen: set[Key], clock: str | None = None) -> Keyed:
    """The operations read, with their keys, in replay order, duplicates left out.

    ``last`` is the largest key read before (a line without op id gets the largest
    key before it); ``seen`` holds the keys read before, and gets these; ``clock``
    is the latest time read before. One pass: reading a map is hot.
    """
    found: list[tuple[Key, int, Any]] = []
    append, add = found.append, seen.add
    running = last
    prev = FIRST
    ordered = True
    for number, op in ops:
        key: Key | None = None
        if type(op) is dict:
            ident, at, by = op.get(OP_ID), op.get("at"), op.get("by")
            if type(ident) is str and type(at) is str and type(by) is str:
                token, dot, n = ident.rpartition(".")
                key = (at, by, token, int(n)) if dot and n.isdigit() and len(n) < 10 else None
                if key is None:
                    key = (at, by, ident, 0)
                if key in seen:
                    continue  # the same operation twice: a union merge keeps both copies
                add(key)
                if key > running:
                    running = key
                if (clock is None or at > clock) and is_stamp(at):
                    clock = at
        if key is None:
            key = running
        if key < prev:
            ordered = False
        prev = key
        append((key, number, op))
    if not ordered:
        found.sort(key=_first)  # stable: lines of equal key keep their file order
    return Keyed(found, running, clock)


def _first(item: tuple[Key, int, Any]) -> Key:
    return item[0]


def is_stamp(at: Any) -> bool:
    """Whether ``at`` is a time as conceptmap writes it (``2026-11-24T05:06:17.123Z``)."""
    return type(at) is str and len(at) == 24 and at[10] == "T" and at[-1] == "Z"


def after(latest: str | None, now: str) -> str:
    """``now``, or one millisecond after ``latest`` if that is not before ``now``.

    >>> after("2026-01-01T00:00:05.000Z", "2026-01-01T00:00:01.000Z")
    '2026-01-01T00:00:05.001Z'
    >>> after("2026-01-01T00:00:05.000Z", "2026-01-01T00:00:09.000Z")
    '2026-01-01T00:00:09.000Z'
    """
    if latest is None or latest < now:
        return now
    try:
        moment = datetime.fromisoformat(latest.replace("Z", "+00:00"))
    except ValueError:
        return now
    later = moment.astimezone(UTC) + timedelta(milliseconds=1)
    return later.isoformat(timespec="milliseconds").replace("+00:00", "Z")
