"""The sessions of a meeting: its maps, read from a folder, and what each card shows.

A :class:`Session` is one map with the name its pages get in the site (its
``slug``); :func:`card` is what the index shows of it: topic, date, people,
counts by kind, the decisions, what is left open, the actions and their owners.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.schema import KINDS, slugify, unique_slug
from ..errors import FileError
from ..model import ConceptMap
from ..rfc.open_items import OpenItem, open_items

__all__ = ["Action", "Card", "Session", "actions_of", "card", "load_sessions", "sessions_of"]


@dataclass(frozen=True)
class Session:
    """One session of the meeting: its map and the slug its pages are named by."""

    slug: str
    map: ConceptMap
    source: str = ""

    @property
    def topic(self) -> str:
        """The session's topic, or its slug for a map without one."""
        return str(self.map.meta.get("topic") or self.slug)

    @property
    def date(self) -> str:
        """The session's date (``date`` in the metadata, else the day the map was made)."""
        meta = self.map.meta
        return str(meta.get("date") or meta.get("created") or "")[:10]


@dataclass(frozen=True)
class Action:
    """A next step: the action node, its owner and due date where the map has them."""

    node: str
    label: str
    owner: str = ""
    due: str = ""


@dataclass(frozen=True)
class Card:
    """What the index shows of a session."""

    session: Session
    participants: list[str]
    counts: dict[str, int]
    decisions: list[str]
    open: list[OpenItem]
    actions: list[Action]
    size: int = 0


def _text(value: Any) -> str:
    """An attribute as one line of text: lists (several owners) joined by commas."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value if str(v).strip())
    return "" if value is None else str(value).strip()


def actions_of(m: ConceptMap) -> list[Action]:
    """The map's actions in the map's order, with ``owner`` and ``due`` where set."""
    return [
        Action(node, a["label"], _text(a.get("owner")), _text(a.get("due")))
        for node, a in m.graph.nodes(data=True)
        if a["kind"] == "action"
    ]


def card(session: Session) -> Card:
    """The index card of ``session`` (its map is not changed).

    >>> m = ConceptMap("Private DHT", author="d")
    >>> _ = m.apply("decision: Double hashing\\nquestion: Who runs bootstrap nodes?")
    >>> c = card(Session("private-dht", m))
    >>> c.decisions, c.counts["question"], [i.label for i in c.open][:1]
    (['Double hashing'], 1, ['Who runs bootstrap nodes?'])
    """
    m = session.map
    graph = m.graph
    counts = dict.fromkeys(KINDS, 0)
    decisions = []
    for _, a in graph.nodes(data=True):
        counts[a["kind"]] += 1
        if a["kind"] == "decision":
            decisions.append(a["label"])
    return Card(
        session=session,
        participants=m.people(),  # the agenda's people, authors and owners, each once
        counts=counts,
        decisions=decisions,
        open=open_items(m),
        actions=actions_of(m),
        size=graph.number_of_nodes(),
    )


def sessions_of(maps: list[tuple[str, ConceptMap]]) -> list[Session]:
    """Sessions for ``(name, map)`` pairs, each with a distinct slug made from its name."""
    taken: set[str] = set()
    sessions = []
    for name, m in maps:
        slug = unique_slug(slugify(name), taken)
        taken.add(slug)
        sessions.append(Session(slug, m, name))
    return sessions


def load_sessions(folder: str | os.PathLike[str]) -> list[Session]:
    """Every map (``*.jsonl``) in ``folder``, in file name order, as sessions.

    A folder with no map is a :class:`~conceptmap.errors.FileError`.
    """
    root = Path(folder)
    if not root.is_dir():
        raise FileError(root, "is not a folder of maps")
    paths = sorted(root.glob("*.jsonl"))
    if not paths:
        raise FileError(root, "holds no map (no *.jsonl file)")
    return sessions_of([(path.stem, ConceptMap.load(path)) for path in paths])
