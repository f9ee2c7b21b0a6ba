"""What a reviewer would ask about a map, and a short summary of it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..core.schema import KINDS

if TYPE_CHECKING:
    from ..model import ConceptMap

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer would ask about: ``code``, ``severity``, the nodes, a sentence."""

    code: str
    severity: Severity
    message: str
    nodes: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.severity}: {self.message} [{self.code}]"


def _incoming(m: ConceptMap, node: str, relation: str, kinds: tuple[str, ...] = ()) -> bool:
    g = m._state.graph
    return any(
        a["relation"] == relation and (not kinds or g.nodes[u]["kind"] in kinds)
        for u, _, a in g.in_edges(node, data=True)
    )


def _outgoing(m: ConceptMap, node: str, relation: str) -> bool:
    return any(a["relation"] == relation for _, _, a in m._state.graph.out_edges(node, data=True))


def _proposal_findings(m: ConceptMap, node: str, label: str) -> list[Finding]:
    found = []
    if not _incoming(m, node, "drawback_of"):
        found.append(
            Finding(
                "no-shortcoming",
                "warning",
                f"no shortcoming of the proposal {label!r} is recorded",
                (node,),
            )
        )
    g = m._state.graph
    others = [n for n, a in g.nodes(data=True) if a["kind"] == "proposal" and n != node]
    compared = (
        _incoming(m, node, "alternative_to") or _outgoing(m, node, "alternative_to")
        or _incoming(m, node, "chooses") or _incoming(m, node, "rejects")
    )  # fmt: skip
    if others and not compared:
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
    findings: list[Finding] = []
    if m._state.topic_id is None:
        findings.append(Finding("no-topic", "error", "the map has no topic node"))
    for problem in m.problems:
        findings.append(Finding("file-problem", "error", problem))
    for node, a in g.nodes(data=True):
        label = a["label"]
        if a["kind"] == "obstacle" and not _incoming(
            m, node, "addresses", ("proposal", "decision")
        ):
            findings.append(
                Finding(
                    "unaddressed-obstacle",
                    "warning",
                    f"no proposal addresses the obstacle {label!r}",
                    (node,),
                )
            )
        if a["kind"] == "question" and not _incoming(m, node, "answers"):
            findings.append(
                Finding(
                    "unanswered-question",
                    "warning",
                    f"nothing answers the question {label!r}",
                    (node,),
                )
            )
        if a["kind"] == "proposal":
            findings.extend(_proposal_findings(m, node, label))
        if a["kind"] == "decision" and not _outgoing(m, node, "chooses"):
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
    return findings


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
        "participants": list(m.meta["participants"]),
        "created": m.meta.get("created"),
        "operations": len(m._state.history),
        "meta": {k: v for k, v in m.meta.items() if k not in ("topic", "participants", "created")},
    }
