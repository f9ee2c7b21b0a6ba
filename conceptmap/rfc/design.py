"""Which design a draft features: what the group chose, never a guess presented as settled.

:func:`choose_design` takes, in this order:

1. ``decision``: the proposals the map's decisions choose, all of them, as parts
   of one design (with the proposals ``part_of`` them); a decision whose status
   is ``rejected``, ``deprecated`` or ``superseded`` chooses nothing;
2. ``umbrella``: else a proposal other proposals are ``part_of``, with its parts;
3. ``linked``: else proposals linked to each other by ``part_of``/``depends_on``;
4. ``conclusion``: else the proposals the session ended on, recorded after every
   obstacle, requirement, question and shortcoming (notes follow the discussion,
   and a session's outcome ends with its solution), if one of them addresses or
   answers something;
5. ``best-supported``: only then the proposal addressing most obstacles (then
   requirements, questions answered, parts), which the draft says is the
   session's best-supported option, not its choice.

Where two candidates are as good, the map's order breaks the tie (the earlier
umbrella or group, the later best-supported proposal: conclusions come last) and
:attr:`Design.tied` names the others (``conceptmap check`` warns). Alternatives
are proposals linked ``alternative_to`` a part, rejected by a decision, or, when a
decision settled the design, left out of it; without a decision, the rest are
other options discussed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .graphview import Node

__all__ = ["INACTIVE", "Design", "Option", "choose_design"]

#: Decision statuses that no longer choose anything.
INACTIVE = frozenset({"rejected", "deprecated", "superseded"})


@dataclass
class Option:
    """A proposal with what speaks for and against it."""

    node: Node
    addresses: list[Node] = field(default_factory=list)  # obstacles and requirements
    shortcomings: list[Node] = field(default_factory=list)
    parts: list[Node] = field(default_factory=list)  # whatever is part_of it
    part_shortcomings: list[Node] = field(default_factory=list)  # drawbacks of its parts
    depends_on: list[Node] = field(default_factory=list)
    part_of: list[Node] = field(default_factory=list)  # proposals it is a part of
    answers: list[Node] = field(default_factory=list)  # questions it answers
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

    @property
    def all_shortcomings(self) -> list[Node]:
        """Its own shortcomings, then its parts' (each once)."""
        return list({n.id: n for n in self.shortcomings + self.part_shortcomings}.values())

    @property
    def proposal_parts(self) -> list[Node]:
        """The proposals that are part of this one."""
        return [n for n in self.parts if n.kind == "proposal"]

    @property
    def other_parts(self) -> list[Node]:
        """The parts that are no proposals (components, mechanisms)."""
        return [n for n in self.parts if n.kind != "proposal"]


@dataclass
class Design:
    """The featured design: its ``parts`` (proposals), why, and what else was discussed."""

    parts: list[Option]
    basis: str  # decision, umbrella, linked, best-supported, or none
    reason: str
    tied: list[Option] = field(default_factory=list)
    alternatives: list[Option] = field(default_factory=list)
    others: list[Option] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        """Whether a decision chose it (else it is the session's proposal, not a choice)."""
        return self.basis == "decision"

    @property
    def drawbacks(self) -> list[Node]:
        """The shortcomings of every part and of the parts' parts, each once."""
        return list({n.id: n for o in self.parts for n in o.all_shortcomings}.values())

    @property
    def addresses(self) -> list[Node]:
        """What the parts address, each once."""
        return list({n.id: n for o in self.parts for n in o.addresses}.values())

    @property
    def ids(self) -> set[str]:
        """The ids of its parts."""
        return {o.node.id for o in self.parts}


#: (the decision's label, its status, the options it chooses, the options it rejects)
DecisionFacts = tuple[str, str, Sequence[Option], Sequence[Option]]


def _names(options: Iterable[Option]) -> str:
    quoted = [f"“{o.node.label}”" for o in options]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _with_parts(seeds: Iterable[Option], by_id: dict[str, Option]) -> list[Option]:
    """``seeds`` and every proposal part_of one of them, transitively, in the map's order."""
    found: set[str] = set()
    todo = [o.node.id for o in seeds]
    while todo:
        node = todo.pop()
        if node not in found:
            found.add(node)
            todo.extend(n.id for n in by_id[node].proposal_parts)
    return [o for o in by_id.values() if o.node.id in found]


def _linked_groups(options: list[Option]) -> list[list[Option]]:
    """Proposals joined by part_of/depends_on between proposals, biggest group first."""
    by_id = {o.node.id: o for o in options}
    neighbours: dict[str, set[str]] = {o.node.id: set() for o in options}
    for o in options:
        for n in o.depends_on + o.part_of:
            if n.id in by_id:
                neighbours[o.node.id].add(n.id)
                neighbours[n.id].add(o.node.id)
    seen: set[str] = set()
    groups = []
    for o in options:
        if o.node.id in seen:
            continue
        group, todo = set(), [o.node.id]
        while todo:
            node = todo.pop()
            if node not in group:
                group.add(node)
                todo.extend(neighbours[node])
        seen |= group
        groups.append([p for p in options if p.node.id in group])
    return sorted(groups, key=len, reverse=True)  # stable: the map's order breaks ties


def choose_design(
    options: list[Option], decisions: Sequence[DecisionFacts], conclusion: Sequence[Option] = ()
) -> Design:
    """The design a draft features, and the alternatives and other options (see the module).

    ``conclusion`` is the proposals the map ends on (see rule 4 of the module).
    """
    by_id = {o.node.id: o for o in options}
    active = [d for d in decisions if d[1].casefold() not in INACTIVE]
    chosen = [o for d in active for o in d[2]]
    if chosen:
        labels = ", ".join(f"“{d[0]}”" for d in active if d[2])
        names = _names({o.node.id: o for o in chosen}.values())
        parts = _with_parts(chosen, by_id)
        extra = len(parts) - len({o.node.id for o in chosen})
        reason = f"the decision {labels} chooses {names}"
        if extra:
            plural = "s" if extra > 1 else ""
            reason += (
                f", with {extra} proposal{plural} part of {'them' if len(chosen) > 1 else 'it'}"
            )
        design = Design(parts, "decision", reason)
    else:
        design = _undecided(options, by_id, list(conclusion))
    rejected = {o.node.id for d in active for o in d[3]}
    _sort_the_rest(design, options, rejected)
    return design


def _support(o: Option) -> tuple[int, int, int, int]:
    return (len(o.obstacles), len(o.requirements), len(o.answers), len(o.parts))


def _undecided(options: list[Option], by_id: dict[str, Option], conclusion: list[Option]) -> Design:
    umbrellas = sorted(
        ([o, *(p for p in _with_parts([o], by_id) if p is not o)]
         for o in options if o.proposal_parts and not o.part_of),
        key=len, reverse=True,
    )  # fmt: skip
    if umbrellas:
        top = umbrellas[0]
        tied = [u[0] for u in umbrellas[1:] if len(u) == len(top)]
        parts = ", ".join(f"“{o.node.label}”" for o in top[1:])
        reason = f"“{top[0].node.label}” has the parts {parts}"
        return Design(top, "umbrella", reason, tied)
    groups = [g for g in _linked_groups(options) if len(g) > 1]
    if groups:
        tied = [g[0] for g in groups[1:] if len(g) == len(groups[0])]
        reason = f"{_names(groups[0])} depend on or are part of each other, so they form one design"
        return Design(groups[0], "linked", reason, tied)
    if not options:
        return Design([], "none", "the map has no proposal")
    if any(_support(o) != (0, 0, 0, 0) for o in conclusion):
        reason = (
            f"the session ended on {_names(conclusion)}, "
            "recorded after every obstacle, requirement, question and shortcoming"
        )
        return Design(conclusion, "conclusion", reason)
    # the most support; of equals, the later one (a session's conclusion comes last)
    order = {o.node.id: i for i, o in enumerate(options)}
    ranked = sorted(options, key=lambda o: (*(-x for x in _support(o)), -order[o.node.id]))
    best = ranked[0]
    tied = [o for o in ranked[1:] if _support(o) == _support(best)]
    obstacles, requirements, answers, _ = _support(best)
    reason = (
        f"“{best.node.label}” is the best-supported one "
        f"(it addresses {obstacles} obstacles and {requirements} requirements and "
        f"answers {answers} questions)"
    )
    if len(options) == 1:
        reason = f"“{best.node.label}” is the only proposal"
    return Design([best], "best-supported", reason, tied)


def _sort_the_rest(design: Design, options: list[Option], rejected: set[str]) -> None:
    """Alternatives: set against the design (linked, rejected, left out); the rest: others."""
    ids = design.ids
    against = {n.id for o in design.parts for n in o.alternatives}
    for o in options:
        if o.node.id in ids:
            continue
        if design.decided or o.node.id in against | rejected:
            design.alternatives.append(o)
        else:
            design.others.append(o)
