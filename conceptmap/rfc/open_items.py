"""What a session has left open: one pass over the map, for the live view and the drafts.

:func:`open_items` lists, in this order:

- questions nothing answers (no ``answers`` link into them);
- obstacles no proposal or decision addresses (as ``conceptmap check`` counts them);
- proposals no decision has chosen or rejected;
- decisions with no action linked to them (either way, any relation);
- actions with no owner (the ``owner`` attribute: ``action: X {owner: @bob}``).

Within a group, nodes keep the map's order. The work is linear in the map's size:
each node looks at its own links once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from ..model import ConceptMap

__all__ = ["CODES", "OpenItem", "open_items"]

#: Each code, with the kind of node it is about and what it says; in the list's order.
CODES: dict[str, tuple[str, str]] = {
    "unanswered-question": ("question", "nothing answers this question"),
    "unaddressed-obstacle": ("obstacle", "no proposal or decision addresses this obstacle"),
    "undecided-proposal": ("proposal", "no decision has chosen or rejected this proposal"),
    "decision-without-action": ("decision", "no action follows from this decision"),
    "action-without-owner": ("action", "this action has no owner"),
}
_BY_KIND = {kind: code for code, (kind, _) in CODES.items()}


@dataclass(frozen=True)
class OpenItem:
    """One thing still open: its ``code`` (see :data:`CODES`), the node, and a sentence."""

    code: str
    node: str
    label: str
    kind: str
    message: str

    @property
    def key(self) -> str:
        """What tells items apart from one version of the map to the next."""
        return f"{self.code}:{self.node}"

    def to_dict(self) -> dict[str, str]:
        """JSON-ready, with its :attr:`key`."""
        return {"key": self.key, "code": self.code, "node": self.node, "label": self.label,
                "kind": self.kind, "message": self.message}  # fmt: skip


def _into(g: nx.MultiDiGraph[str], node: str, relations: set[str], kinds: set[str]) -> bool:
    """Whether a link of one of ``relations`` comes into ``node`` from a node of ``kinds``."""
    return any(
        (not kinds or g.nodes[u]["kind"] in kinds)
        and any(a["relation"] in relations for a in links.values())
        for u, links in g.pred[node].items()
    )


def _is_open(g: nx.MultiDiGraph[str], node: str, attrs: dict[str, Any]) -> bool:
    kind = attrs["kind"]
    if kind == "question":
        return not _into(g, node, {"answers"}, set())
    if kind == "obstacle":
        return not _into(g, node, {"addresses"}, {"proposal", "decision"})
    if kind == "proposal":
        return not _into(g, node, {"chooses", "rejects"}, {"decision"})
    if kind == "decision":
        nodes = g.nodes
        return not any(nodes[n]["kind"] == "action" for n in (*g.succ[node], *g.pred[node]))
    if kind == "action":
        return not str(attrs.get("owner") or "").strip()
    return False


def open_items(m: ConceptMap) -> list[OpenItem]:
    """What is still open in ``m`` (which is not changed), grouped as :data:`CODES` orders it.

    >>> from conceptmap import ConceptMap
    >>> m = ConceptMap("Private DHT", author="d")
    >>> print(m.apply('''
    ... question: Who runs the bootstrap nodes?
    ... obstacle: Peers leak what they look up
    ... proposal: Double hashing -addresses-> Peers leak what they look up
    ... '''))
    3 nodes added, 1 link added
    >>> [(i.code, i.label) for i in open_items(m)]  # doctest: +NORMALIZE_WHITESPACE
    [('unanswered-question', 'Who runs the bootstrap nodes?'),
     ('undecided-proposal', 'Double hashing')]
    """
    g = m.graph
    groups: dict[str, list[OpenItem]] = {code: [] for code in CODES}
    for node, attrs in g.nodes(data=True):
        code = _BY_KIND.get(attrs["kind"])
        if code is not None and _is_open(g, node, attrs):
            groups[code].append(OpenItem(code, node, attrs["label"], attrs["kind"], CODES[code][1]))
    return [item for items in groups.values() for item in items]
