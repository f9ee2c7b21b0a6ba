"""The draft's ledger: where every node, note and link of the map was written.

Templates call the ledger (``trace`` in a template) as they write: ``trace(node,
section)`` when a node is an item of a section (it answers the hidden ``<!--
cm:ID -->`` comment, or nothing in a clean draft), ``trace.notes(node)`` when they
write its notes, ``trace.link(source, relation, target, section)`` when they write
a link as structure ("addresses: ..."), ``trace.free(node, section)`` for the
node's other links (written under it), and ``trace.rest(section)`` for whatever
link is still unwritten. The appendix reads the ledger back, so its accounting is
what the draft holds, not what it was meant to hold.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .analysis import Analysis
    from .graphview import Link, Node

_SLUG_ID = re.compile(r"\w+(?:-\w+)*")

__all__ = ["Ledger", "comment_id"]


def comment_id(node: str) -> str:
    """A node id that cannot end an HTML comment (slugs stay as they are).

    >>> comment_id("a-->b")
    'a%2D%2D%3Eb'
    """
    if _SLUG_ID.fullmatch(node):
        return node
    return "".join(c if c.isalnum() or c in "_." else f"%{ord(c):02X}" for c in node)


class Ledger:
    """Writes trace comments and remembers where each node, note and link landed."""

    def __init__(self, a: Analysis, *, clean: bool = False) -> None:
        self.clean = clean
        self.sections: dict[str, list[str]] = {n.id: [] for n in a.nodes}
        self._placed: set[str] = set()  # kept as nodes are placed: templates ask per item
        self.noted: set[str] = set()
        self.links = a.links
        self.written: dict[tuple[str, str, str], str] = {}
        self._structural = a.structural
        self._out: dict[str, list[Link]] = defaultdict(list)
        for link in a.links:
            self._out[link.source.id].append(link)

    def __call__(self, node: Node, section: str) -> str:
        placed = self.sections.setdefault(node.id, [])
        if section not in placed:
            placed.append(section)
        self._placed.add(node.id)
        return "" if self.clean else f"<!-- cm:{comment_id(node.id)} -->"

    def notes(self, node: Node) -> str:
        """``node``'s notes, counted as written."""
        if node.notes:
            self.noted.add(node.id)
        return node.notes

    def link(self, source: Node, relation: str, target: Node, section: str) -> str:
        """Count the links ``source`` -``relation``-> ``target`` as written in ``section``."""
        for link in self._out[source.id]:
            if link.relation == relation and link.target.id == target.id:
                self.written.setdefault(link.key, section)
        return ""

    def free(self, node: Node, section: str) -> list[Link]:
        """``node``'s unwritten links that no structure writes; counted as written here."""
        found = [
            link
            for link in self._out[node.id]
            if link.key not in self.written and link.key not in self._structural
        ]
        for link in found:
            self.written[link.key] = section
        return found

    def rest(self, section: str) -> list[Link]:
        """Every link not written yet, counted as written in ``section``."""
        found = [link for link in self.links if link.key not in self.written]
        for link in found:
            self.written[link.key] = section
        return found

    def placed(self) -> AbstractSet[str]:
        """Ids of the nodes some section took as an item so far (the live set, not a copy)."""
        return self._placed

    def nowhere(self) -> list[str]:
        """Ids of the nodes no section took as an item."""
        return [node for node, sections in self.sections.items() if not sections]

    def unnoted(self, nodes: list[Node]) -> list[str]:
        """Ids of the ``nodes`` with notes that were never written."""
        return [n.id for n in nodes if n.notes and n.id not in self.noted]

    def unwritten(self) -> list[Link]:
        """The links not written anywhere."""
        return [link for link in self.links if link.key not in self.written]
