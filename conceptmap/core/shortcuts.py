"""One method per node kind, so a session types ``m.obstacle("...")``."""

from __future__ import annotations

import datetime
from typing import TypedDict, Unpack


class NodeFields(TypedDict, total=False):
    """What a node may carry besides its label and kind.

    ``owner`` and ``due`` (a date, or text ``YYYY-MM-DD``) go on actions,
    ``status`` on decisions; see :mod:`conceptmap.core.attributes`.
    """

    notes: str
    tags: list[str]
    url: str
    owner: str
    due: str | datetime.date
    status: str


class KindShortcuts:
    """``m.concept(label)`` is ``m.add(label, "concept")``, and so on for every kind."""

    def add(self, label: str, kind: str = "concept", **fields: Unpack[NodeFields]) -> str:
        raise NotImplementedError

    def topic(self, label: str, **fields: Unpack[NodeFields]) -> str:
        """Add the topic: the session's subject (a map has exactly one)."""
        return self.add(label, "topic", **fields)

    def concept(self, label: str, **fields: Unpack[NodeFields]) -> str:
        """Add a concept: a term, component or mechanism."""
        return self.add(label, "concept", **fields)

    def obstacle(self, label: str, **fields: Unpack[NodeFields]) -> str:
        """Add an obstacle: a problem or difficulty."""
        return self.add(label, "obstacle", **fields)

    def requirement(self, label: str, **fields: Unpack[NodeFields]) -> str:
        """Add a requirement: a goal or constraint a solution must meet."""
        return self.add(label, "requirement", **fields)

    def proposal(self, label: str, **fields: Unpack[NodeFields]) -> str:
        """Add a proposal: a candidate solution."""
        return self.add(label, "proposal", **fields)

    def decision(self, label: str, **fields: Unpack[NodeFields]) -> str:
        """Add a decision: what the group settled on."""
        return self.add(label, "decision", **fields)

    def shortcoming(self, label: str, **fields: Unpack[NodeFields]) -> str:
        """Add a shortcoming: a known drawback or risk of a proposal."""
        return self.add(label, "shortcoming", **fields)

    def question(self, label: str, **fields: Unpack[NodeFields]) -> str:
        """Add an open question."""
        return self.add(label, "question", **fields)

    def action(self, label: str, **fields: Unpack[NodeFields]) -> str:
        """Add an action: a next step."""
        return self.add(label, "action", **fields)

    def related(self, label: str, **fields: Unpack[NodeFields]) -> str:
        """Add a related topic (often another session)."""
        return self.add(label, "related", **fields)

    def reference(self, label: str, **fields: Unpack[NodeFields]) -> str:
        """Add a reference: a link, paper, issue or talk."""
        return self.add(label, "reference", **fields)
