"""The meeting map: sessions as nodes, joined where one session leads to another.

Three rules join two sessions (:func:`joins` lists them, one :class:`Join` each):

- ``shared``: both maps have a node (any kind but the topic) with the same label
  once normalised as the "did you mean" check compares labels
  (:func:`conceptmap.core.similar.words`: case, punctuation, stopwords kept, plurals
  folded): "Web Locks API" in one and "web lock API" in another;
- ``related``: a ``related`` node of one session names the other's topic (a trailing
  bracket such as "(session 37)" aside);
- ``reference``: a ``reference`` node of one session points at the other's map: its
  url or label ends in the other's file name (``graphsync.jsonl``, ``.html``, ``.md``)
  or its page in an atlas (``sessions/graphsync/map.html``).

:func:`meeting_map` turns sessions and joins into a :class:`ConceptMap` in memory
whose nodes have the sessions' slugs as ids, so the map page can draw it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ..core.schema import label_key, slugify
from ..core.similar import words
from ..model import ConceptMap
from .sessions import Session

__all__ = ["RULES", "Join", "joins", "meeting_map"]

#: What each rule says on the meeting map's link, before the labels that made it.
RULES = {
    "shared": "both have",
    "related": "lists as related",
    "reference": "cites its map",
}
#: at most this many shared labels are named on one link (the rest are counted)
NAMED = 4
#: and each in at most this many characters (a link's phrase has a length limit)
SHORT = 60
_BRACKETED = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_MAP_SUFFIXES = (".jsonl", ".html", ".md")


@dataclass(frozen=True)
class Join:
    """Why ``source`` leads to ``target`` (two session slugs): a rule and its labels."""

    source: str
    target: str
    rule: str
    labels: tuple[str, ...]

    @property
    def phrase(self) -> str:
        """What the link on the meeting map says."""
        if self.rule == "reference":
            return RULES["reference"]
        named = ", ".join(
            label if len(label) <= SHORT else label[: SHORT - 1] + "…"
            for label in self.labels[:NAMED]
        )
        more = len(self.labels) - NAMED
        return f"{RULES[self.rule]} {named}" + (f" (+{more} more)" if more > 0 else "")


def _key(label: str) -> str:
    return words(label).squashed


def _shared(sessions: list[Session]) -> list[Join]:
    """A join for each pair of sessions with labels in common (in session order)."""
    where: dict[str, dict[int, str]] = defaultdict(dict)
    for i, s in enumerate(sessions):
        for _, a in s.map.graph.nodes(data=True):
            if a["kind"] != "topic":
                where[_key(a["label"])].setdefault(i, a["label"])
    pairs: dict[tuple[int, int], list[str]] = defaultdict(list)
    for holders in where.values():
        if len(holders) < 2:
            continue
        order = sorted(holders)
        for n, i in enumerate(order):
            for j in order[n + 1 :]:
                pairs[i, j].append(holders[i])
    return [
        Join(sessions[i].slug, sessions[j].slug, "shared", tuple(sorted(labels, key=label_key)))
        for (i, j), labels in sorted(pairs.items())
    ]


def _map_name(target: str) -> str | None:
    """The map a url or path points at (a slug), or None when it points at no map."""
    path = PurePosixPath(re.split(r"[?#]", target.strip(), maxsplit=1)[0])
    if path.suffix not in _MAP_SUFFIXES:
        return None
    if path.stem in ("map", "draft") and path.parent.name:  # an atlas page
        return slugify(path.parent.name)
    return slugify(path.stem)


def _pointers(sessions: list[Session]) -> list[Join]:
    """The ``related`` and ``reference`` joins, in session and map order."""
    by_topic = {_key(_BRACKETED.sub("", s.topic)): s.slug for s in sessions}
    by_name = {slugify(s.source or s.slug): s.slug for s in sessions}
    by_name.update({s.slug: s.slug for s in sessions})
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for s in sessions:
        for _, a in s.map.graph.nodes(data=True):
            target = None
            if a["kind"] == "related":
                target = by_topic.get(_key(_BRACKETED.sub("", a["label"])))
                rule = "related"
            elif a["kind"] == "reference":
                names = (_map_name(t) for t in (a.get("url") or "", a["label"]) if t)
                target = next((by_name[n] for n in names if n in by_name), None)
                rule = "reference"
            if target is not None and target != s.slug:
                found[s.slug, target, rule].append(a["label"])
    return [Join(u, v, rule, tuple(labels)) for (u, v, rule), labels in found.items()]


def joins(sessions: list[Session]) -> list[Join]:
    """Every join between ``sessions`` by the three rules (see the module docstring).

    >>> from conceptmap.atlas.sessions import sessions_of
    >>> a, b = ConceptMap("Private DHT", author="d"), ConceptMap("GraphSync", author="d")
    >>> _ = a.apply("concept: IPLD selectors")
    >>> _ = b.apply("concept: IPLD Selectors\\nrelated: Private DHT")
    >>> [(j.source, j.target, j.phrase) for j in joins(sessions_of([("dht", a), ("gs", b)]))]
    [('dht', 'gs', 'both have IPLD selectors'), ('gs', 'dht', 'lists as related Private DHT')]
    """
    return _shared(sessions) + _pointers(sessions)


def _notes(session: Session) -> str:
    graph = session.map.graph
    decisions = [a["label"] for _, a in graph.nodes(data=True) if a["kind"] == "decision"]
    lines = [f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} links"]
    if session.date:
        lines.append(f"date: {session.date}")
    lines += [f"decision: {d}" for d in decisions]
    return "\n".join(lines)


def meeting_map(sessions: list[Session], found: list[Join] | None = None) -> ConceptMap:
    """The meeting map: one ``related`` node per session (its slug as id), a link per join.

    The same sessions give the same map: its times are the sessions' latest.
    """
    found = joins(sessions) if found is None else found
    at = max((str(s.map.meta.get("created") or "") for s in sessions), default="") or (
        "1970-01-01T00:00:00.000Z"
    )
    taken: set[str] = set()
    ops: list[dict[str, Any]] = []
    for s in sessions:
        label = s.topic if label_key(s.topic) not in taken else f"{s.topic} ({s.slug})"
        taken.add(label_key(label))
        ops.append({"op": "add_node", "id": s.slug, "label": label, "kind": "related",
                    "notes": _notes(s), "by": "atlas", "at": at})  # fmt: skip
    link = {"op": "add_edge", "relation": "relates_to", "by": "atlas", "at": at}
    ops += [{**link, "source": j.source, "target": j.target, "phrase": j.phrase} for j in found]
    return ConceptMap.from_ops(ops, author="atlas", created=at)
