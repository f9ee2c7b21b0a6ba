"""What a reviewer would ask about a map, and a short summary of it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..core.schema import KINDS, people
from ..core.similar import LabelIndex, pairs

if TYPE_CHECKING:
    import networkx as nx

    from ..model import ConceptMap

    Graph = nx.MultiDiGraph[str]

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer would ask about: ``code``, ``severity``, the nodes, a sentence."""

    code: str
    severity: Severity
    message: str
    nodes: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.severity}: {self.message} [{self.code}]"


def _incoming(g: Graph, node: str, relation: str, kinds: tuple[str, ...] = ()) -> bool:
    return any(
        a["relation"] == relation and (not kinds or g.nodes[u]["kind"] in kinds)
        for u, _, a in g.in_edges(node, data=True)
    )


def _outgoing(g: Graph, node: str, relation: str) -> bool:
    return any(a["relation"] == relation for _, _, a in g.out_edges(node, data=True))


def _proposal_findings(g: Graph, node: str, label: str, proposals: int) -> list[Finding]:
    """``proposals`` is how many the map has (counted once, so a check stays linear)."""
    found = []
    if not _incoming(g, node, "drawback_of"):
        found.append(
            Finding(
                "no-shortcoming",
                "warning",
                f"no shortcoming of the proposal {label!r} is recorded",
                (node,),
            )
        )
    compared = (
        _incoming(g, node, "alternative_to") or _outgoing(g, node, "alternative_to")
        or _incoming(g, node, "chooses") or _incoming(g, node, "rejects")
    )  # fmt: skip
    if proposals > 1 and not compared:
        found.append(
            Finding(
                "not-compared",
                "warning",
                f"the proposal {label!r} is never compared with the other "
                "proposals (no alternative_to, chooses or rejects)",
                (node,),
            )
        )
    return found


def check(m: ConceptMap) -> list[Finding]:
    """Review ``m``: errors make the map unusable as a session's record, warnings ask questions.

    >>> from conceptmap import ConceptMap
    >>> m = ConceptMap("Private DHT", author="d")
    >>> m.obstacle("Peers leak what they look up")
    'peers-leak-what-they-look-up'
    >>> [f.code for f in check(m)]
    ['unaddressed-obstacle', 'orphan']
    """
    g = m.graph
    proposals = sum(1 for _, a in g.nodes(data=True) if a["kind"] == "proposal")
    findings: list[Finding] = []
    if m.topic_id is None:
        findings.append(Finding("no-topic", "error", "the map has no topic node"))
    for problem in m.problems:
        findings.append(Finding("file-problem", "error", problem))
    for node, a in g.nodes(data=True):
        label = a["label"]
        if a["kind"] == "obstacle" and not _incoming(
            g, node, "addresses", ("proposal", "decision")
        ):
            findings.append(
                Finding(
                    "unaddressed-obstacle",
                    "warning",
                    f"no proposal addresses the obstacle {label!r}",
                    (node,),
                )
            )
        if a["kind"] == "question" and not _incoming(g, node, "answers"):
            findings.append(
                Finding(
                    "unanswered-question",
                    "warning",
                    f"nothing answers the question {label!r}",
                    (node,),
                )
            )
        if a["kind"] == "proposal":
            findings.extend(_proposal_findings(g, node, label, proposals))
        if a["kind"] == "decision" and not _outgoing(g, node, "chooses"):
            findings.append(
                Finding(
                    "empty-decision",
                    "warning",
                    f"the decision {label!r} chooses no proposal",
                    (node,),
                )
            )
        if a["kind"] != "topic" and g.degree(node) == 0:
            findings.append(
                Finding(
                    "orphan", "warning", f"the {a['kind']} {label!r} is linked to nothing", (node,)
                )
            )
    findings.extend(_near_duplicates(g))
    return findings


def design_findings(m: ConceptMap) -> list[Finding]:
    r"""Which design a draft of ``m`` features and why (``info``), and a ``warning`` on a tie.

    >>> from conceptmap import ConceptMap
    >>> m = ConceptMap("Private DHT", author="d")
    >>> print(m.apply("proposal: Double hashing\nproposal: Onion routing"))
    2 nodes added
    >>> for f in design_findings(m):
    ...     print(f)  # doctest: +NORMALIZE_WHITESPACE
    info: the draft features 'Onion routing': no decision chooses a proposal; “Onion
      routing” is the best-supported one (it addresses 0 obstacles and 0 requirements and
      answers 0 questions) [design]
    warning: 'Onion routing' and 'Double hashing' are as well supported: the draft
      features the first; link them (part_of, depends_on) or record a decision [design-tie]
    """
    from .analysis import analyse

    design = analyse(m).design
    if not design.parts:
        return []
    names = " + ".join(repr(o.node.label) for o in design.parts)
    why = design.reason if design.decided else f"no decision chooses a proposal; {design.reason}"
    found = [
        Finding("design", "info", f"the draft features {names}: {why}",
                tuple(o.node.id for o in design.parts)),
    ]  # fmt: skip
    if design.tied:
        others = " and ".join(repr(o.node.label) for o in design.tied)
        found.append(
            Finding(
                "design-tie",
                "warning",
                f"{names} and {others} are as well supported: the draft features the first; "
                "link them (part_of, depends_on) or record a decision",
                tuple(o.node.id for o in design.parts + design.tied),
            )
        )
    return found


def _near_duplicates(g: Graph) -> list[Finding]:
    """Labels so close they may name one thing twice (see :mod:`conceptmap.core.similar`).

    Linear in the map: labels are indexed by their words, not compared pair by pair.
    """
    index = LabelIndex.of((node, a["label"]) for node, a in g.nodes(data=True))
    return [
        Finding(
            "near-duplicate",
            "warning",
            f"the {g.nodes[u]['kind']} {index.labels[u]!r} and the {g.nodes[v]['kind']} "
            f"{index.labels[v]!r} have near-duplicate labels: one thing twice?",
            (u, v),
        )
        for u, v in pairs(index)
    ]


def summary(m: ConceptMap) -> dict[str, Any]:
    """Counts by kind and relation, participants and dates, as plain data for ``show``."""
    g = m.graph
    kinds = Counter(a["kind"] for _, a in g.nodes(data=True))
    relations = Counter(a["relation"] for _, _, a in g.edges(data=True))
    return {
        "topic": m.meta["topic"],
        "path": str(m.path) if m.path else None,
        "nodes": g.number_of_nodes(),
        "links": g.number_of_edges(),
        "kinds": {k: kinds[k] for k in KINDS if kinds[k]},
        "relations": dict(sorted(relations.items())),
        "participants": people(m.meta["participants"]),  # each person once
        "created": m.meta.get("created"),
        "operations": len(m.history),
        "meta": {k: v for k, v in m.meta.items() if k not in ("topic", "participants", "created")},
    }
