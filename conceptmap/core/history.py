"""A map's history: who changed what, and how two versions of a map differ.

A version is a map file, or a map as git holds it at some revision
(``git:REV:path``, read with ``git show``). :func:`read_version` loads either into
a :class:`~conceptmap.core.state.MapState`; :func:`history_lines` tells the changes
of one; :func:`diff` compares two. Nothing here writes a file.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import FileError, InvalidValueError, MapFileError
from .replay import read_ops
from .schema import link_text
from .state import MapState, Op
from .store import parse_bytes

#: node attributes that say who and when, not what: a diff does not compare them
_WHO_AND_WHEN = ("author", "created", "updated")
GIT_PREFIX = "git:"


@dataclass
class Version:
    """A map as read from a file or from git, and what was skipped reading it."""

    name: str
    state: MapState
    problems: list[str] = field(default_factory=list)


def version_bytes(spec: str) -> bytes:
    """The bytes of a map file, or of ``git:REV:path`` as git holds it at ``REV``.

    A git path is taken from the current folder, as ``git show REV:./path`` does.
    """
    if not spec.startswith(GIT_PREFIX):
        try:
            return Path(spec).read_bytes()
        except FileNotFoundError:
            raise MapFileError(spec, "does not exist") from None
        except OSError as exc:
            raise MapFileError(spec, f"cannot be read: {exc.strerror}") from None
    rev, colon, path = spec[len(GIT_PREFIX) :].partition(":")
    if not colon or not rev or not path:
        raise InvalidValueError(
            f"{spec!r} is not git:REV:PATH (for example git:HEAD~1:maps/x.jsonl)"
        )
    git = shutil.which("git")
    if git is None:
        raise FileError(spec, "cannot be read: git is not installed")
    if not path.startswith(("./", "../", "/")):
        path = f"./{path}"
    done = subprocess.run([git, "show", f"{rev}:{path}"], capture_output=True, check=False)
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise MapFileError(spec, f"cannot be read from git: {reason[0] if reason else 'failed'}")
    return done.stdout


def read_version(spec: str) -> Version:
    """A map file (or ``git:REV:path``) replayed, with what was skipped as messages.

    >>> read_version("maps/x.jsonl").state.meta["topic"]  # doctest: +SKIP
    'Locking the IPFS repo'
    """
    batch = parse_bytes(spec, version_bytes(spec))
    state = MapState()
    skipped = read_ops(state, batch.ops, batch.header)
    problems = [f"{spec}, line {n}: {text}" for n, text in sorted([*batch.problems, *skipped])]
    return Version(spec, state, problems)


# -- history -------------------------------------------------------------------------
def changes(history: list[Op]) -> Iterator[list[Op]]:
    """The history's changes: runs of operations that share their author and time."""
    run: list[Op] = []
    for op in history:
        if run and (op["by"], op["at"]) != (run[0]["by"], run[0]["at"]):
            yield run
            run = []
        run.append(op)
    if run:
        yield run


def history_lines(state: MapState, since: str | None = None) -> list[str]:
    """One line per change: when, who, and what it did (``since``: from that time on).

    >>> from conceptmap.core.state import MapState
    >>> s = MapState()
    >>> s.apply({"op": "add_node", "id": "t", "label": "DHT", "kind": "topic",
    ...          "by": "ann", "at": "2026-01-01T10:00:00.000Z"})
    >>> history_lines(s)
    ["2026-01-01T10:00:00.000Z ann: added topic 'DHT'"]
    """
    if since is not None:
        since = _since(since)
    labels: dict[str, str] = {}
    lines = []
    for change in changes(state.history):
        first = change[0]
        words = [_told(op, labels) for op in change]
        if since is not None and first["at"] < since:
            continue
        undo = f" (undo of the change of {first['undoes']})" if "undoes" in first else ""
        lines.append(f"{first['at']} {first['by']}{undo}: {', '.join(w for w in words if w)}")
    return lines


def _since(text: str) -> str:
    """``text`` as a time to compare ``at`` with, or a clear error."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValueError(
            f"--since {text!r} is not a date or time (expected 2026-11-27 or 2026-11-27T10:00:00Z)"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


def _told(op: Op, labels: dict[str, str]) -> str:
    """What one operation did, in words; ``labels`` follows the nodes' labels."""
    name = op["op"]

    def label(node: Any) -> str:
        return repr(labels.get(node, node))

    if name == "add_node":
        labels[op["id"]] = op["label"]
        return f"added {op['kind']} {op['label']!r}"
    if name == "update_node":
        said = []
        if "label" in op:
            said.append(f"renamed {label(op['id'])} to {op['label']!r}")
            labels[op["id"]] = op["label"]
        if "kind" in op:
            said.append(f"made {label(op['id'])} a {op['kind']}")
        rest = [f for f in op if f not in _NOT_FIELDS]
        if rest:
            said.append(f"changed the {', '.join(rest)} of {label(op['id'])}")
        return ", ".join(said)
    if name == "remove_node":
        return f"removed {label(op['id'])}"
    if name in ("add_edge", "remove_edge"):
        how = link_text(op) if name == "add_edge" else op["key"].replace("_", " ")
        verb = "linked" if name == "add_edge" else "unlinked"
        return f"{verb} {label(op['source'])} -{how}-> {label(op['target'])}"
    if name == "set_meta":
        return f"set the {op['key']}"
    return f"moved {len(op['positions'])} nodes"


_NOT_FIELDS = {"op", "id", "label", "kind", "by", "at", "op_id", "was", "undoes", "unset"}
_NOT_FIELDS |= set(_WHO_AND_WHEN)


# -- diff ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Difference:
    """One node or link added (``+``), removed (``-``) or changed (``~``), and by whom."""

    author: str
    sign: str
    text: str


@dataclass
class Diff:
    """How one version of a map differs from another."""

    old: str
    new: str
    items: list[Difference] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """``{"nodes added": 2, ...}``: how many of each kind of difference there are."""
        found: dict[str, int] = {}
        for what, sign in _SECTIONS:
            n = sum(1 for i in self.items if i.sign == sign and _is_link(i) == (what == "links"))
            if n:
                found[f"{what} {_WORDS[sign]}"] = n
        return found

    def __str__(self) -> str:
        lines = [f"{self.old} -> {self.new}"]
        for author in sorted({item.author for item in self.items}):
            lines.append(f"{author}:")
            for what, sign in _SECTIONS:
                lines += [
                    f"  {i.sign} {i.text}"
                    for i in self.items
                    if i.author == author and i.sign == sign and _is_link(i) == (what == "links")
                ]
        said = [f"{n} {what}" for what, n in self.counts().items()]
        lines.append(", ".join(said) or "no differences")
        return "\n".join(lines)


_WORDS = {"+": "added", "~": "changed", "-": "removed"}
_SECTIONS = [(what, sign) for what in ("nodes", "links") for sign in _WORDS]


def _is_link(item: Difference) -> bool:
    return item.text.startswith("link ")


def diff(old: Version, new: Version) -> Diff:
    """The nodes and links ``new`` added, removed and changed since ``old``, by author.

    Who removed or changed something is read from ``new``'s history.
    """
    a, b = old.state, new.state
    last = _last_ops(b.history)
    found = Diff(old.name, new.name)
    for node, attrs in b.graph.nodes(data=True):
        if node not in a.graph:
            found.items.append(Difference(attrs["author"], "+", _node(attrs)))
            continue
        before = a.graph.nodes[node]
        changed = sorted(
            f for f in {*attrs, *before} - set(_WHO_AND_WHEN) if attrs.get(f) != before.get(f)
        )
        if changed:
            who = last.get(("update_node", node), {}).get("by", attrs["author"])
            said = "; ".join(f"{f}: {before.get(f)!r} -> {attrs.get(f)!r}" for f in changed)
            found.items.append(Difference(who, "~", f"{_node(attrs)} ({said})"))
    for node, attrs in a.graph.nodes(data=True):
        if node not in b.graph:
            who = last.get(("remove_node", node), {}).get("by", "(unknown)")
            found.items.append(Difference(who, "-", _node(attrs)))
    old_edges = {(u, v, k): d for u, v, k, d in a.graph.edges(keys=True, data=True)}
    new_edges = {(u, v, k): d for u, v, k, d in b.graph.edges(keys=True, data=True)}
    for edge, attrs in new_edges.items():
        if edge not in old_edges:
            found.items.append(Difference(attrs["author"], "+", _link(b, edge, attrs)))
    for edge, attrs in old_edges.items():
        if edge not in new_edges:
            removal = last.get(("remove_edge", edge)) or last.get(("remove_node", edge[0]))
            removal = removal or last.get(("remove_node", edge[1])) or {}
            who = removal.get("by", "(unknown)")
            found.items.append(Difference(who, "-", _link(a, edge, attrs)))
    return found


def _last_ops(history: list[Op]) -> dict[tuple[Any, ...], Op]:
    """The last operation of each name on each node or link: who did it last."""
    last: dict[tuple[Any, ...], Op] = {}
    for op in history:
        name = op["op"]
        if name in ("update_node", "remove_node"):
            last[(name, op["id"])] = op
        elif name == "remove_edge":
            last[(name, (op["source"], op["target"], op["key"]))] = op
    return last


def _node(attrs: dict[str, Any]) -> str:
    return f"{attrs['kind']} {attrs['label']!r}"


def _link(state: MapState, edge: tuple[str, str, str], attrs: dict[str, Any]) -> str:
    u, v, _ = edge

    def label(node: str) -> str:
        return repr(state.graph.nodes[node]["label"]) if node in state.graph else repr(node)

    return f"link {label(u)} -{link_text(attrs)}-> {label(v)}"
