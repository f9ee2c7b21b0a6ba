"""What a session has left open (conceptmap.rfc.open_items), case by case."""

from __future__ import annotations

from typing import Any, cast

import networkx as nx
import pytest

import conceptmap as cm
from conceptmap.rfc.open_items import CODES, OpenItem, open_items


def codes(text: str) -> list[tuple[str, str]]:
    m = cm.ConceptMap("Locking the IPFS repo", author="alice")
    m.apply(text)
    return [(item.code, item.label) for item in open_items(m)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # questions: open until something answers them
        ("question: Safari?", [("unanswered-question", "Safari?")]),
        ("question: Safari? -raises-> concept: Workers", [("unanswered-question", "Safari?")]),
        ("concept: Yes, since 15.4 -answers-> question: Safari?", []),
        # obstacles: open until a proposal or a decision addresses them
        ("obstacle: Crash", [("unaddressed-obstacle", "Crash")]),
        ("concept: Lease -addresses-> obstacle: Crash", [("unaddressed-obstacle", "Crash")]),
        ("decision: Leases -addresses-> obstacle: Crash", [
            ("decision-without-action", "Leases")]),
        ("proposal: Lease -addresses-> obstacle: Crash", [("undecided-proposal", "Lease")]),
        # proposals: open until a decision chooses or rejects them
        ("proposal: Lease", [("undecided-proposal", "Lease")]),
        ("proposal: Lease -alternative_to-> proposal: Mutex",
         [("undecided-proposal", "Lease"), ("undecided-proposal", "Mutex")]),
        ("concept: Someone -chooses-> proposal: Lease", [("undecided-proposal", "Lease")]),
        ("decision: Go -rejects-> proposal: Lease", [("decision-without-action", "Go")]),
        # decisions: open until an action is linked, either way
        ("decision: Go -chooses-> proposal: Lease", [("decision-without-action", "Go")]),
        ("action: Build it -depends_on-> decision: Go", [("action-without-owner", "Build it")]),
        ("decision: Go -\"leads to\"-> action: Build it", [("action-without-owner", "Build it")]),
        ("decision: Go -> concept: Build it", [("decision-without-action", "Go")]),
        # actions: open until they have an owner (the quick-entry attribute)
        ("action: Build it {owner: @bob} -depends_on-> decision: Go", []),
        ("action: Build it {due: 2026-12-15} -depends_on-> decision: Go",
         [("action-without-owner", "Build it")]),
        # concepts, shortcomings, ... are never open items
        ("concept: Lease\nshortcoming: Slow\nrequirement: Fast\nrelated: DHT", []),
    ],
)  # fmt: skip
def test_what_is_open(text: str, expected: list[tuple[str, str]]) -> None:
    assert codes(text) == expected


def test_groups_come_in_order_and_nodes_in_the_maps_order() -> None:
    found = codes(
        "action: B1\nproposal: P2\nquestion: Q2\nobstacle: O1\nquestion: Q1\n"
        "decision: D1\nproposal: P1"
    )
    assert found == [
        ("unanswered-question", "Q2"),
        ("unanswered-question", "Q1"),
        ("unaddressed-obstacle", "O1"),
        ("undecided-proposal", "P2"),
        ("undecided-proposal", "P1"),
        ("decision-without-action", "D1"),
        ("action-without-owner", "B1"),
    ]
    assert list(CODES) == [
        "unanswered-question",
        "unaddressed-obstacle",
        "undecided-proposal",
        "decision-without-action",
        "action-without-owner",
    ]


class _Stub:
    """Only what open_items reads: a graph (for an attribute the syntax cannot set yet)."""

    def __init__(self, graph: nx.MultiDiGraph[str]) -> None:
        self.graph = graph


@pytest.mark.parametrize(("owner", "is_open"), [("@alanshaw", False), ("", True), (None, True)])
def test_an_action_with_an_owner_is_not_open(owner: str | None, is_open: bool) -> None:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    attrs: dict[str, Any] = {"label": "Measure", "kind": "action"}
    if owner is not None:
        attrs["owner"] = owner
    graph.add_node("measure", **attrs)
    found = open_items(cast(cm.ConceptMap, _Stub(graph)))
    assert [i.code for i in found] == (["action-without-owner"] if is_open else [])


def test_the_same_findings_as_the_review(example: cm.ConceptMap) -> None:
    """Open questions and obstacles are what ``check`` asks about, node for node."""
    reviewed = {
        (f.code, f.nodes[0])
        for f in example.check()
        if f.code in ("unanswered-question", "unaddressed-obstacle")
    }
    found = {(i.code, i.node) for i in open_items(example)}
    assert reviewed
    assert {x for x in found if x[0] in ("unanswered-question", "unaddressed-obstacle")} == reviewed


def test_an_item_as_data_and_the_map_unchanged(example: cm.ConceptMap) -> None:
    before = len(example.history), nx.to_dict_of_dicts(example.graph)
    items = open_items(example)
    assert (len(example.history), nx.to_dict_of_dicts(example.graph)) == before
    item = items[0]
    assert isinstance(item, OpenItem)
    assert item.to_dict() == {
        "key": f"{item.code}:{item.node}",
        "code": item.code,
        "node": item.node,
        "label": example.node(item.node)["label"],
        "kind": example.node(item.node)["kind"],
        "message": CODES[item.code][1],
    }
