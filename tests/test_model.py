"""The ConceptMap API: nodes, links, ids, attribution, and its errors."""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any

import networkx as nx
import pytest

import conceptmap as cm

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def m() -> cm.ConceptMap:
    return cm.ConceptMap("Scaling up the DHT", author="alice")


def test_every_kind_has_a_shortcut_that_makes_that_kind(m: cm.ConceptMap) -> None:
    for kind in cm.KINDS:
        if kind == "topic":
            continue
        node = getattr(m, kind)(f"A {kind}", notes=f"about {kind}")
        assert m.graph.nodes[node]["kind"] == kind
        assert m.graph.nodes[node]["notes"] == f"about {kind}"
    assert len(cm.KINDS) == 11
    assert {a["kind"] for _, a in m.graph.nodes(data=True)} == set(cm.KINDS)


def test_nodes_and_edges_carry_author_and_utc_time(m: cm.ConceptMap) -> None:
    m.concept("Kademlia")
    m.author = "bob"
    m.link("Kademlia", "part_of", "DHT")
    g = m.graph
    assert g.nodes["kademlia"]["author"] == "alice"
    assert g.nodes["dht"]["author"] == "bob"
    (edge,) = g.edges(data=True)
    assert edge[2]["author"] == "bob"
    stamped: list[dict[str, Any]] = [attrs for _, attrs in g.nodes(data=True)]
    for attrs in [*stamped, edge[2]]:
        assert ISO.match(attrs["created"]), attrs["created"]
        parsed = datetime.fromisoformat(attrs["created"].replace("Z", "+00:00"))
        offset = parsed.utcoffset()
        assert offset is not None
        assert offset.total_seconds() == 0
    assert m.meta["participants"] == ["alice", "bob"]


def test_ids_are_stable_slugs_and_labels_match_loosely(m: cm.ConceptMap) -> None:
    node = m.add("Priority  Peer Stack", "proposal")
    assert node == "priority-peer-stack"
    assert m.add("priority peer STACK", "proposal") == node
    assert m.id_of("PRIORITY peer stack") == node
    assert m.id_of(node) == node  # ids name nodes too
    assert m.node(node)["label"] == "Priority Peer Stack"
    assert "priority peer stack" in m
    assert "something else" not in m


def test_slug_collisions_get_distinct_ids(m: cm.ConceptMap) -> None:
    a = m.concept("C++")
    b = m.concept("C")
    c = m.concept("c#")
    assert len({a, b, c}) == 3
    assert (a, b, c) == ("c", "c-2", "c-3")
    assert m.node("C")["id"] == "c-2"


def test_unicode_labels_get_readable_ids(m: cm.ConceptMap) -> None:
    assert m.concept("Ünïcödé Straße") == "ünïcödé-strasse"
    assert m.concept("???") == "node"


def test_rename_keeps_id_links_and_frees_the_old_label(m: cm.ConceptMap) -> None:
    m.link("Bitswap", "depends_on", "DHT")
    m.rename("bitswap", "Bitswap 1.2")
    assert m.node("Bitswap 1.2")["id"] == "bitswap"
    assert m.find("Bitswap") is None
    assert m.graph.has_edge("bitswap", "dht", "depends_on")
    assert m.graph.nodes["bitswap"]["updated"] >= m.graph.nodes["bitswap"]["created"]
    with pytest.raises(cm.InvalidValueError, match="labelled 'DHT' exists already"):
        m.rename("Bitswap 1.2", "dht")


def test_rekind_update_and_remove(m: cm.ConceptMap) -> None:
    m.obstacle("Sybil attacks")
    m.link("Sybil attacks", "blocks", "Open membership")
    m.set_kind("Sybil attacks", "shortcoming")
    assert m.node("Sybil attacks")["kind"] == "shortcoming"
    m.update("Sybil attacks", notes="Cheap identities", tags=["security"], url="https://x.org")
    node = m.node("sybil attacks")
    assert (node["notes"], node["tags"], node["url"]) == (
        "Cheap identities",
        ["security"],
        "https://x.org",
    )
    m.remove("Sybil attacks")
    assert m.find("Sybil attacks") is None
    assert m.graph.number_of_edges() == 0  # its links went with it
    assert m.find("Open membership") is not None


def test_unlink_removes_one_link_only(m: cm.ConceptMap) -> None:
    m.link("A", "depends_on", "B")
    m.link("A", '"is cached by"', "B")
    m.unlink("a", '"is  cached by"', "b")
    assert [k for _, _, k in m.graph.edges(keys=True)] == ["depends_on"]
    with pytest.raises(cm.NodeNotFoundError, match="no link"):
        m.unlink("A", "blocks", "B")


def test_link_is_idempotent_and_parallel_relations_coexist(m: cm.ConceptMap) -> None:
    m.link("A", "depends_on", "B")
    m.link("a", "depends-on", "B")
    m.link("A", "blocks", "B")
    m.link("A", "relates_to", "B", phrase="feeds")
    assert sorted(k for _, _, k in m.graph.edges(keys=True)) == [
        "blocks",
        "depends_on",
        "relates_to:feeds",
    ]


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (
            lambda m: m.add("X", "obstcle"),
            [
                "unknown kind 'obstcle'",
                "did you mean 'obstacle'?",
                "valid kinds: topic, concept, obstacle",
            ],
        ),
        (
            lambda m: m.link("A", "adresses", "B"),
            ["unknown relation 'adresses'", "valid relations: relates_to, part_of"],
        ),
        (lambda m: m.link("A", "depends_on", "B", phrase="x"), ["phrase goes with 'relates_to'"]),
        (lambda m: m.add(""), ["cannot be empty"]),
        (lambda m: m.add("x" * 301), ["at most 300"]),
        (lambda m: m.add("tab\x1b[31m"), ["control character U+001B"]),
        (lambda m: m.add("ok", notes="bad\x00"), ["control character U+0000"]),
        (lambda m: m.topic("Another topic"), ["topic is already 'Scaling up the DHT'"]),
        (lambda m: m.remove("Scaling up the DHT"), ["is the map's topic"]),
        (lambda m: m.remove("ghost"), ["no node is labelled 'ghost'"]),
        (lambda m: m.update("Scaling up the DHT", colour="red"), ["cannot update 'colour'"]),
        (lambda m: m.set_meta("topic", "x"), ["rename the topic node"]),
        (lambda m: m.set_meta("when", object()), ["metadata must be JSON data"]),
        (lambda m: m.set_meta("n", float("nan")), ["metadata must be JSON data"]),
        (lambda m: m.concept("x", tags="abc"), ["tags must be a list"]),
        (lambda m: m.concept("x", tags=[1]), ["a label must be a string"]),
        (lambda m: m.update("Scaling up the DHT", notes=3), ["notes must be a string"]),
    ],
)
def test_mistakes_are_errors_that_say_what_was_expected(m: cm.ConceptMap, call, words) -> None:  # type: ignore[no-untyped-def]
    before = m.to_node_link()
    with pytest.raises(cm.ConceptMapError) as info:
        call(m)
    for word in words:
        assert word in str(info.value)
    assert m.to_node_link() == before


def test_meta_lives_in_graph_graph(m: cm.ConceptMap) -> None:
    m.set_meta("participants", ["@diasdavid", "@stebalien"])
    m.set_meta("date", "2018-07-15")
    assert m.graph.graph is m.meta
    assert m.meta["topic"] == "Scaling up the DHT"
    assert m.meta["date"] == "2018-07-15"
    # people who already added something stay participants
    assert m.meta["participants"] == ["@diasdavid", "@stebalien", "alice"]
    m.rename("Scaling up the DHT", "Scaling the DHT")
    assert m.meta["topic"] == "Scaling the DHT"


def test_values_passed_in_are_copied(m: cm.ConceptMap) -> None:
    tags: list[str] = ["dht"]
    room: dict[str, Any] = {"name": "A", "seats": [4]}
    m.concept("Kademlia", tags=tags)
    m.set_meta("room", room)
    tags.append("changed")
    room["seats"].append(5)
    assert m.node("Kademlia")["tags"] == ["dht"]
    assert m.meta["room"] == {"name": "A", "seats": [4]}
    m.node("Kademlia")["tags"].append("x")  # what comes out is a copy too
    assert m.node("Kademlia")["tags"] == ["dht"]


def test_change_reports_what_it_did(m: cm.ConceptMap) -> None:
    change = m.apply("obstacle: Slow lookups -> Routing table size")
    assert bool(change)
    assert [op["op"] for op in change.ops] == ["add_node", "add_node", "add_edge"]
    assert change.created == ["slow-lookups", "routing-table-size"]
    assert str(change) == (
        "2 nodes added, 1 link added; created as concepts because a link named them: "
        "'Routing table size'"
    )


@pytest.mark.parametrize(
    ("make", "summary"),
    [
        (lambda m: m.apply("concept: A"), "1 node added"),
        (lambda m: m.apply("concept: A\nconcept: B"), "2 nodes added"),
        (lambda m: m.apply("A"), "1 node added"),  # no link made it: not "implicit"
        (
            lambda m: m.apply("concept: A -> B"),
            "2 nodes added, 1 link added; created as concepts because a link named them: 'B'",
        ),
        (
            lambda m: m.apply("A -> B\nA -blocks-> B"),
            "2 nodes added, 2 links added; created as concepts because a link named them: 'A', 'B'",
        ),
        (lambda m: m.remove("Kademlia"), "1 node removed"),
        (lambda m: m.unlink("Kademlia", "part_of", "DHT"), "1 link removed"),
        (lambda m: m.rename("Kademlia", "K"), "1 node updated"),
        (lambda m: m.set_meta("date", "2019-07-15"), "1 metadata set"),
        (lambda m: m.place({"Kademlia": (1, 2)}), "1 node pinned"),
        (lambda m: m.place({"Kademlia": (1, 2), "DHT": (3, 4)}), "2 nodes pinned"),
        (
            lambda m: m.apply("concept: Kademlia"),
            "nothing changed: the map already says all of this",
        ),
    ],
)
def test_a_change_prints_as_its_summary(m: cm.ConceptMap, make: Any, summary: str) -> None:
    m.apply("concept: Kademlia -part_of-> DHT")
    change = make(m)
    assert str(change) == repr(change) == change.summary() == summary


def test_from_graph_leaves_the_input_untouched() -> None:
    g: nx.MultiDiGraph[int] = nx.MultiDiGraph(topic="ignored", date="2019-07-15")
    g.add_node(1, label="GraphSync", kind="topic")
    g.add_node(2, label="Selectors")
    g.add_edge(2, 1, relation="part_of", weight=3)
    g.add_edge(1, 2)
    snapshot = copy.deepcopy(nx.node_link_data(g, edges="edges"))
    m = cm.ConceptMap.from_graph(g, author="vmx")
    assert nx.node_link_data(g, edges="edges") == snapshot
    assert m.meta["topic"] == "GraphSync"
    assert m.meta["date"] == "2019-07-15"
    assert m.node("Selectors")["kind"] == "concept"
    assert sorted(a["relation"] for _, _, a in m.graph.edges(data=True)) == [
        "part_of",
        "relates_to",
    ]


def test_from_graph_rejects_what_a_map_cannot_hold() -> None:
    g: nx.Graph[str] = nx.Graph()
    g.add_node("a", label="Same")
    g.add_node("b", label="same")
    with pytest.raises(cm.InvalidValueError, match="cannot import add_node 'b'"):
        cm.ConceptMap.from_graph(g)
    g2: nx.DiGraph[str] = nx.DiGraph()
    g2.add_edge("a", "b", relation="eats")
    with pytest.raises(cm.InvalidValueError, match="unknown relation 'eats'"):
        cm.ConceptMap.from_graph(g2)


def test_repr_and_iteration(m: cm.ConceptMap) -> None:
    m.concept("X")
    assert repr(m) == "<ConceptMap 'Scaling up the DHT': 2 nodes, 0 links>"
    assert list(m) == ["scaling-up-the-dht", "x"]
    assert len(m) == 2
    assert [n["id"] for n in m.nodes("concept")] == ["x"]
