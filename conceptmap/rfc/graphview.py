"""The map as the drafts read it: nodes and links as plain values, lookups by relation.

:class:`Node` and :class:`Link` are what templates see of the map's graph (which
they never touch); :func:`structural` says which links a draft writes as
structure ("addresses: ...", a decision's choices) rather than under their source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.schema import link_text

if TYPE_CHECKING:
    from ..model import ConceptMap

__all__ = ["Graph", "Link", "Node", "structural"]


@dataclass(frozen=True, slots=True)
class Node:
    """One node as a template sees it (attributes the map does not set are empty)."""

    id: str
    kind: str
    label: str
    notes: str
    author: str
    created: str
    url: str = ""
    tags: tuple[str, ...] = ()
    owner: str = ""
    due: str = ""
    status: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """One link: ``source`` -``words``-> ``target``; ``key`` tells parallel links apart."""

    source: Node
    target: Node
    relation: str
    words: str
    key: tuple[str, str, str]


def structural(link: Link) -> bool:
    """Whether the drafts write ``link`` as structure rather than under its source."""
    source, target = link.source.kind, link.target.kind
    if link.relation == "addresses" and target == "shortcoming":
        return True  # a mitigation: written under the drawback it mitigates
    wanted = _STRUCTURE.get(link.relation)
    if wanted is None:
        return False
    sources, targets = wanted
    return (sources is _ANY or source in sources) and (targets is _ANY or target in targets)


_ANY = frozenset({"*"})
#: relation: (the source kinds, the target kinds) the drafts show as structure ("*": any)
_STRUCTURE: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "addresses": (frozenset({"proposal", "decision"}), frozenset({"obstacle", "requirement"})),
    "drawback_of": (frozenset({"shortcoming"}), _ANY),
    "part_of": (_ANY, frozenset({"proposal"})),
    "depends_on": (frozenset({"proposal"}), _ANY),
    "alternative_to": (frozenset({"proposal"}), frozenset({"proposal"})),
    "chooses": (frozenset({"decision"}), frozenset({"proposal"})),
    "rejects": (frozenset({"decision"}), frozenset({"proposal"})),
    "supersedes": (frozenset({"decision"}), frozenset({"decision"})),
    "answers": (_ANY, frozenset({"question"})),
}


class Graph:
    """Lookups over the map's links by node and relation, in the map's order."""

    def __init__(self, m: ConceptMap) -> None:
        self.graph = graph = m.graph
        self.nodes = {n: node_of(n, a) for n, a in graph.nodes(data=True)}

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

    def links(self) -> list[Link]:
        nodes = self.nodes
        return [
            Link(nodes[u], nodes[v], a["relation"], link_text(a), (u, v, str(k)))
            for u, v, k, a in self.graph.edges(keys=True, data=True)
        ]


def node_of(node: str, a: dict[str, Any]) -> Node:
    tags = a.get("tags") or ()
    return Node(
        node, a["kind"], a["label"], a.get("notes") or "", a.get("author") or "",
        a.get("created") or "", str(a.get("url") or ""),
        tuple(str(t) for t in ([tags] if isinstance(tags, str) else tags)),
        str(a.get("owner") or ""), str(a.get("due") or ""), str(a.get("status") or ""),
    )  # fmt: skip
