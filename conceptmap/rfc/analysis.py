"""What a map says, read as an RFC would need it: one analysis behind every style.

:func:`analyse` answers the questions a draft is built from: which proposal is
the one put forward (the one a decision chooses, else the one addressing most
obstacles), what it addresses and what it leaves, its known shortcomings, the
alternatives, which questions are answered and which are open, the next steps,
related topics, references and terms. Templates only lay this out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.schema import people

if TYPE_CHECKING:
    from ..model import ConceptMap


@dataclass(frozen=True, slots=True)
class Node:
    """One node as a template sees it."""

    id: str
    kind: str
    label: str
    notes: str
    author: str
    created: str
    url: str = ""


@dataclass
class Option:
    """A proposal with what speaks for and against it."""

    node: Node
    addresses: list[Node] = field(default_factory=list)  # obstacles and requirements
    shortcomings: list[Node] = field(default_factory=list)
    parts: list[Node] = field(default_factory=list)
    depends_on: list[Node] = field(default_factory=list)
    alternatives: list[Node] = field(default_factory=list)
    chosen_by: list[Node] = field(default_factory=list)
    rejected_by: list[Node] = field(default_factory=list)

    @property
    def obstacles(self) -> list[Node]:
        """The obstacles this option addresses."""
        return [n for n in self.addresses if n.kind == "obstacle"]

    @property
    def requirements(self) -> list[Node]:
        """The requirements this option meets."""
        return [n for n in self.addresses if n.kind == "requirement"]


@dataclass
class Decision:
    """A decision with the options it chose and rejected."""

    node: Node
    chooses: list[Option] = field(default_factory=list)
    rejects: list[Option] = field(default_factory=list)
    addresses: list[Node] = field(default_factory=list)
    considered: list[Option] = field(default_factory=list)


@dataclass
class Question:
    """A question and what answers it (nothing, if it is open)."""

    node: Node
    answers: list[Node] = field(default_factory=list)


@dataclass
class Analysis:
    """Everything an RFC template needs, derived from one map."""

    title: str
    topic: Node | None
    summary: str
    #: each person once (see :func:`conceptmap.core.schema.people`): editors, authors, deciders
    participants: list[str]
    date: str
    map_file: str
    map_hash: str
    meta: dict[str, Any]
    nodes: list[Node]
    options: list[Option]
    primary: Option | None
    alternatives: list[Option]
    decisions: list[Decision]
    obstacles: list[Node]
    unaddressed: list[Node]
    requirements: list[Node]
    shortcomings: list[Node]
    questions: list[Question]
    actions: list[Node]
    related: list[Node]
    references: list[Node]
    concepts: list[Node]
    mermaid: str

    @property
    def open_questions(self) -> list[Question]:
        """Questions nothing answers."""
        return [q for q in self.questions if not q.answers]

    @property
    def answered(self) -> list[Question]:
        """Questions something answers."""
        return [q for q in self.questions if q.answers]

    @property
    def loose_shortcomings(self) -> list[Node]:
        """Shortcomings linked to no proposal (risks of the whole design)."""
        owned = {n.id for o in self.options for n in o.shortcomings}
        return [n for n in self.shortcomings if n.id not in owned]

    @property
    def terms(self) -> list[Node]:
        """Concepts that are not parts of the primary proposal: the terminology."""
        parts = {n.id for n in self.primary.parts} if self.primary else set()
        return [n for n in self.concepts if n.id not in parts]


class _Graph:
    """Lookups over the map's links by node and relation, in the map's order."""

    def __init__(self, m: ConceptMap) -> None:
        self.graph = graph = m.graph
        self.nodes = {
            n: Node(
                n, a["kind"], a["label"], a["notes"], a["author"], a["created"], a.get("url", "")
            )
            for n, a in graph.nodes(data=True)
        }

    def of_kind(self, kind: str) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind == kind]

    def into(self, node: str, relation: str, *kinds: str) -> list[Node]:
        # straight from networkx's adjacency: a node's links cost its degree, and
        # no index of the whole map is built (that grew faster than the map)
        found = [
            self.nodes[u]
            for u, links in self.graph.pred[node].items()
            if any(a["relation"] == relation for a in links.values())
        ]
        return [n for n in found if not kinds or n.kind in kinds]

    def out(self, node: str, relation: str, *kinds: str) -> list[Node]:
        found = [
            self.nodes[v]
            for v, links in self.graph.succ[node].items()
            if any(a["relation"] == relation for a in links.values())
        ]
        return [n for n in found if not kinds or n.kind in kinds]


def _unique(nodes: list[Node]) -> list[Node]:
    return list({n.id: n for n in nodes}.values())


def _option(g: _Graph, node: Node) -> Option:
    return Option(
        node,
        addresses=g.out(node.id, "addresses", "obstacle", "requirement"),
        shortcomings=g.into(node.id, "drawback_of"),
        parts=g.into(node.id, "part_of"),
        depends_on=g.out(node.id, "depends_on"),
        alternatives=_unique(
            g.out(node.id, "alternative_to", "proposal")
            + g.into(node.id, "alternative_to", "proposal")
        ),
        chosen_by=g.into(node.id, "chooses", "decision"),
        rejected_by=g.into(node.id, "rejects", "decision"),
    )


def _decision(g: _Graph, node: Node, by_id: dict[str, Option]) -> Decision:
    d = Decision(
        node,
        chooses=[by_id[n.id] for n in g.out(node.id, "chooses", "proposal")],
        rejects=[by_id[n.id] for n in g.out(node.id, "rejects", "proposal")],
        addresses=g.out(node.id, "addresses", "obstacle", "requirement"),
    )
    # what it weighed: what it chose or rejected, and their recorded alternatives
    weighed = {o.node.id: o for o in d.chooses + d.rejects}
    for o in d.chooses + d.rejects:
        weighed.update((n.id, by_id[n.id]) for n in o.alternatives)
    d.considered = list(weighed.values())
    return d


def _primary(options: list[Option]) -> Option | None:
    chosen = [o for o in options if o.chosen_by and not o.rejected_by]
    if chosen:
        return chosen[0]
    # the one addressing most obstacles, then requirements; the map's order breaks ties
    ranked = sorted(options, key=lambda o: (-len(o.obstacles), -len(o.requirements)))
    return ranked[0] if ranked else None


def content_hash(m: ConceptMap) -> str:
    """SHA-256 of the map file's bytes, or of its content (as JSON) when in memory."""
    if m.path is not None and m.path.exists():
        return hashlib.sha256(m.path.read_bytes()).hexdigest()
    g, digest = m.graph, hashlib.sha256()
    items: list[Any] = [dict(g.graph), *g.nodes(data=True), *g.edges(keys=True, data=True)]
    for item in items:  # line by line: no copy of the whole map in memory at once
        digest.update(json.dumps(item, sort_keys=True, ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()


def analyse(m: ConceptMap) -> Analysis:
    """Read ``m`` as an RFC needs it (``m`` is not changed)."""
    from ..readwrite.mermaid import flowchart

    g = _Graph(m)
    meta = m.meta
    options = [_option(g, n) for n in g.of_kind("proposal")]
    primary = _primary(options)
    by_id = {o.node.id: o for o in options}
    decisions = [_decision(g, d, by_id) for d in g.of_kind("decision")]
    if len(decisions) == 1 and not decisions[0].considered:
        decisions[0].considered = options  # the session's only decision weighed them all
    addressed = {n.id for o in options for n in o.addresses}
    addressed |= {n.id for d in decisions for n in d.addresses}
    obstacles = g.of_kind("obstacle")
    topic_id = m.topic_id
    topic = g.nodes[topic_id] if topic_id else None
    core = [
        n.id for n in g.nodes.values() if n.kind in ("topic", "proposal", "obstacle", "decision")
    ]
    created = str(meta.get("created") or "")
    return Analysis(
        title=topic.label if topic else "Untitled design",
        topic=topic,
        summary=topic.notes if topic else "",
        participants=people(meta.get("participants", [])),
        date=str(meta.get("date") or created[:10]),
        map_file=m.path.name if m.path else "",
        map_hash=content_hash(m),
        meta=dict(meta),
        nodes=list(g.nodes.values()),
        options=options,
        primary=primary,
        alternatives=[o for o in options if o is not primary],
        decisions=decisions,
        obstacles=obstacles,
        unaddressed=[n for n in obstacles if n.id not in addressed],
        requirements=g.of_kind("requirement"),
        shortcomings=g.of_kind("shortcoming"),
        questions=[Question(q, g.into(q.id, "answers")) for q in g.of_kind("question")],
        actions=g.of_kind("action"),
        related=g.of_kind("related"),
        references=g.of_kind("reference"),
        concepts=g.of_kind("concept"),
        mermaid=flowchart(m.graph, nodes=core, direction="TB"),
    )
