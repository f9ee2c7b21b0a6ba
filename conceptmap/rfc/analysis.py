"""What a map says, read as an RFC would need it: one analysis behind every style.

:func:`analyse` answers the questions a draft is built from: which design the
group chose (see :mod:`conceptmap.rfc.design`), what it addresses and what it
leaves, its known shortcomings and their mitigations, the alternatives and the
other options discussed, which questions are answered and which are open, the
security risks, the next steps with their owners, related topics, references
and terms, and every link of the map. Templates only lay this out.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..core.attributes import people_of
from ..core.schema import people
from .design import Design, Option, choose_design
from .graphview import Graph, Link, Node, structural

if TYPE_CHECKING:
    from ..model import ConceptMap

__all__ = [
    "SECURITY_TAGS", "Analysis", "Decision", "Link", "Node", "Option", "Question", "analyse",
    "content_hash",
]  # fmt: skip

#: Tags (the ``tags`` attribute, any case) that make an obstacle or shortcoming a security risk.
SECURITY_TAGS = frozenset({"security", "privacy", "dos"})
_OUT_OF_SCOPE = frozenset({"out of scope", "out-of-scope", "oos"})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Decision:
    """A decision with the options it chose and rejected."""

    node: Node
    chooses: list[Option] = field(default_factory=list)
    rejects: list[Option] = field(default_factory=list)
    addresses: list[Node] = field(default_factory=list)
    considered: list[Option] = field(default_factory=list)
    supersedes: list[Node] = field(default_factory=list)
    superseded_by: list[Node] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``superseded`` when a decision supersedes it (unless recorded rejected or
        deprecated); else the recorded status; else ``accepted`` when it chooses
        something, else ``proposed``."""
        if self.superseded_by and self.node.status in ("", "accepted", "proposed"):
            return "superseded"  # a later decision says so, whatever this one said then
        if self.node.status:
            return self.node.status
        return "accepted" if self.chooses else "proposed"


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
    #: each person once (see :func:`conceptmap.core.schema.people`): the participants, the
    #: proposer and the action owners (``m.people()``), then whoever added a node or link
    participants: list[str]
    date: str
    map_file: str
    map_hash: str
    meta: dict[str, Any]
    nodes: list[Node]
    links: list[Link]
    options: list[Option]
    design: Design
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
    mitigations: dict[str, list[Node]]
    drawback_of: dict[str, list[Node]]
    #: node id -> the questions it answers
    answered_by: dict[str, list[Node]]
    #: ids of the obstacles a proposal or decision addresses
    addressed: frozenset[str]
    mermaid: str

    @property
    def primary(self) -> Option | None:
        """The design's first part (for templates written before designs had parts)."""
        return self.design.parts[0] if self.design.parts else None

    @property
    def alternatives(self) -> list[Option]:
        """Proposals the group set against the design (see :class:`Design`)."""
        return self.design.alternatives

    @property
    def others(self) -> list[Option]:
        """Proposals discussed but neither in the design nor set against it."""
        return self.design.others

    @property
    def date_is_iso(self) -> bool:
        """Whether :attr:`date` is ``YYYY-MM-DD`` (front matter writes it unquoted then)."""
        return _ISO_DATE.fullmatch(self.date) is not None

    @property
    def open_questions(self) -> list[Question]:
        """Questions nothing answers."""
        return [q for q in self.questions if not q.answers]

    @property
    def answered(self) -> list[Question]:
        """Questions something answers."""
        return [q for q in self.questions if q.answers]

    @cached_property
    def loose_shortcomings(self) -> list[Node]:
        """Shortcomings of no proposal and no part of one (risks of the whole design)."""
        owned = {n.id for o in self.options for n in o.all_shortcomings}
        return [n for n in self.shortcomings if n.id not in owned]

    @cached_property
    def security(self) -> list[Node]:
        """Obstacles and shortcomings tagged ``security``, ``privacy`` or ``dos``."""
        return [
            n
            for n in self.nodes
            if n.kind in ("obstacle", "shortcoming")
            and SECURITY_TAGS & {t.casefold() for t in n.tags}
        ]

    @cached_property
    def handled_risks(self) -> list[Node]:
        """Security-tagged obstacles something addresses: the design's security considerations.

        They are listed under Security, not Motivation; a tagged obstacle nothing
        addresses is part of the problem, listed under Motivation.
        """
        return [n for n in self.security if n.kind == "obstacle" and n.id in self.addressed]

    @cached_property
    def passing(self) -> list[Node]:
        """Obstacles nothing addresses that are no part of the problem statement: open questions.

        Those recorded after the design's first proposal (raised in passing, as notes
        follow the discussion) or tagged ``out of scope``.
        """
        order = {n.id: i for i, n in enumerate(self.nodes)}
        start = min((order[o.node.id] for o in self.design.parts), default=len(order))
        return [
            n
            for n in self.unaddressed
            if order[n.id] > start or _OUT_OF_SCOPE & {t.casefold() for t in n.tags}
        ]

    @cached_property
    def passing_ids(self) -> frozenset[str]:
        """The ids of :attr:`passing`."""
        return frozenset(n.id for n in self.passing)

    @cached_property
    def problem(self) -> list[Node]:
        """The obstacles Motivation lists: not handled risks, not raised in passing."""
        aside = {n.id for n in self.handled_risks + self.passing}
        return [n for n in self.obstacles if n.id not in aside]

    @cached_property
    def terms(self) -> list[Node]:
        """Concepts that are no part of a proposal: the terminology."""
        parts = {n.id for o in self.options for n in o.parts}
        return [n for n in self.concepts if n.id not in parts]

    @cached_property
    def structural(self) -> frozenset[tuple[str, str, str]]:
        """The links the drafts write as structure (an option's parts, a decision's choices, ...).

        Every other link is written under its source node, where that node is an item.
        """
        return frozenset(link.key for link in self.links if structural(link))


def _unique(nodes: list[Node]) -> list[Node]:
    return list({n.id: n for n in nodes}.values())


def _option(g: Graph, node: Node) -> Option:
    parts = g.into(node.id, "part_of")
    return Option(
        node,
        addresses=g.out(node.id, "addresses", "obstacle", "requirement"),
        shortcomings=g.into(node.id, "drawback_of"),
        parts=parts,
        part_shortcomings=_unique([s for p in parts for s in g.into(p.id, "drawback_of")]),
        depends_on=g.out(node.id, "depends_on"),
        part_of=g.out(node.id, "part_of", "proposal"),
        answers=g.out(node.id, "answers", "question"),
        alternatives=_unique(
            g.out(node.id, "alternative_to", "proposal")
            + g.into(node.id, "alternative_to", "proposal")
        ),
        chosen_by=g.into(node.id, "chooses", "decision"),
        rejected_by=g.into(node.id, "rejects", "decision"),
    )


def _decision(g: Graph, node: Node, by_id: dict[str, Option]) -> Decision:
    d = Decision(
        node,
        chooses=[by_id[n.id] for n in g.out(node.id, "chooses", "proposal")],
        rejects=[by_id[n.id] for n in g.out(node.id, "rejects", "proposal")],
        addresses=g.out(node.id, "addresses", "obstacle", "requirement"),
        supersedes=g.out(node.id, "supersedes", "decision"),
        superseded_by=g.into(node.id, "supersedes", "decision"),
    )
    # what it weighed: what it chose or rejected, and their recorded alternatives
    weighed = {o.node.id: o for o in d.chooses + d.rejects}
    for o in d.chooses + d.rejects:
        weighed.update((n.id, by_id[n.id]) for n in o.alternatives)
    d.considered = list(weighed.values())
    return d


def _conclusion(g: Graph, by_id: dict[str, Option]) -> list[Option]:
    """The proposals recorded after the last obstacle, requirement, question or shortcoming."""
    found: list[Option] = []
    for node in reversed(g.nodes.values()):
        if node.kind in ("obstacle", "requirement", "question", "shortcoming"):
            break
        if node.kind == "proposal":
            found.insert(0, by_id[node.id])
    return found


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

    g = Graph(m)
    meta = m.meta
    options = [_option(g, n) for n in g.of_kind("proposal")]
    by_id = {o.node.id: o for o in options}
    decisions = [_decision(g, d, by_id) for d in g.of_kind("decision")]
    facts = [(d.node.label, d.status, d.chooses, d.rejects) for d in decisions]
    design = choose_design(options, facts, _conclusion(g, by_id))
    if len(decisions) == 1 and not decisions[0].considered:
        decisions[0].considered = options  # the session's only decision weighed them all
    addressed = {n.id for o in options for n in o.addresses}
    addressed |= {n.id for d in decisions for n in d.addresses}
    obstacles = g.of_kind("obstacle")
    topic = g.nodes[m.topic_id] if m.topic_id else None
    core = [
        n.id for n in g.nodes.values() if n.kind in ("topic", "proposal", "obstacle", "decision")
    ]
    created = str(meta.get("created") or "")
    questions = [Question(q, g.into(q.id, "answers")) for q in g.of_kind("question")]
    answered_by: dict[str, list[Node]] = {}
    for q in questions:
        for n in q.answers:
            answered_by.setdefault(n.id, []).append(q.node)
    # who typed counts as a participant too (edges included: a link is a contribution)
    authors = [n.author for n in g.nodes.values()] + [
        str(a.get("author") or "") for _, _, a in m.graph.edges(data=True)
    ]
    return Analysis(
        title=topic.label if topic else "Untitled design",
        topic=topic,
        summary=topic.notes if topic else "",
        participants=people([*people_of(m.graph), *authors]),
        date=str(meta.get("date") or created[:10]),
        map_file=m.path.name if m.path else "",
        map_hash=content_hash(m),
        meta=dict(meta),
        nodes=list(g.nodes.values()),
        links=g.links(),
        options=options,
        design=design,
        decisions=decisions,
        obstacles=obstacles,
        unaddressed=[n for n in obstacles if n.id not in addressed],
        requirements=g.of_kind("requirement"),
        shortcomings=g.of_kind("shortcoming"),
        questions=questions,
        actions=g.of_kind("action"),
        related=g.of_kind("related"),
        references=g.of_kind("reference"),
        concepts=g.of_kind("concept"),
        mitigations={n.id: g.into(n.id, "addresses") for n in g.of_kind("shortcoming")},
        drawback_of={n.id: g.out(n.id, "drawback_of") for n in g.of_kind("shortcoming")},
        answered_by=answered_by,
        addressed=frozenset(addressed),
        mermaid=flowchart(m.graph, nodes=core, direction="TB"),
    )
