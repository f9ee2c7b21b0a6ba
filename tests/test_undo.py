"""Undo: the last change of an author reverted by appending its inverse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import conceptmap as cm
from conceptmap.cli import main

BASE = """\
topic: Locking the IPFS repo
proposal: One lock per datastore
  One named lock per datastore.
obstacle: Two tabs write the same repo
One lock per datastore -addresses-> Two tabs write the same repo
concept: Web Locks API
Web Locks API -"is implemented by"-> Browser
"""


def same_map(m: cm.ConceptMap) -> tuple[Any, ...]:
    """The map as data, whatever order nodes and links were (re-)added in."""
    data = m.to_node_link()
    nodes = sorted(data["nodes"], key=lambda n: n["id"])
    edges = sorted(data["edges"], key=lambda e: (e["source"], e["target"], e["key"]))
    return nodes, edges, data["graph"]


@pytest.fixture
def m() -> cm.ConceptMap:
    m = cm.ConceptMap(author="alice")
    m.apply(BASE)
    m.update("Web Locks API", tags=["browser"], url="https://example.org/locks")
    m.set_meta("room", "B")
    return m


CHANGES: dict[str, Callable[[cm.ConceptMap], object]] = {
    "add a node": lambda m: m.concept("IndexedDB"),
    "apply text": lambda m: m.apply("question: Safari? -raises-> Web Locks API\nA -> B"),
    "link": lambda m: m.link("Browser", "depends_on", "Web Locks API"),
    "remove a linked node": lambda m: m.remove("One lock per datastore"),
    "remove in the syntax": lambda m: m.apply("remove: Web Locks API"),
    "unlink": lambda m: m.unlink("Web Locks API", '"is implemented by"', "Browser"),
    "rename": lambda m: m.rename("Browser", "Web browser"),
    "re-kind": lambda m: m.set_kind("Browser", "related"),
    "notes": lambda m: m.update("Web Locks API", notes="navigator.locks"),
    "tags and url": lambda m: m.update("Browser", tags=["x"], url="https://example.org"),
    "new metadata": lambda m: m.set_meta("date", "2019-07-15"),
    "changed metadata": lambda m: m.set_meta("room", {"name": "C"}),
    "rename the topic": lambda m: m.apply("rename: Locking the IPFS repo => Repo locks"),
}


@pytest.mark.parametrize("name", CHANGES)
def test_undo_gives_back_the_map_as_it_was(m: cm.ConceptMap, name: str) -> None:
    before, history = same_map(m), len(m.history)
    CHANGES[name](m)
    changed = m.history[history:]
    assert changed
    undo = m.undo()
    assert same_map(m) == before
    assert m.history[: history + len(changed)][history:] == changed  # the log only grows
    assert [op["undoes"] for op in undo.ops] == [changed[0]["at"]] * len(undo.ops)
    assert {op["by"] for op in undo.ops} == {"alice"}
    assert undo.undid == changed[0]["at"]
    assert str(undo).startswith(f"undid the change of {changed[0]['at']}: ")
    assert repr(undo) == str(undo)


def test_a_removed_node_comes_back_with_its_author_time_and_links(m: cm.ConceptMap) -> None:
    m.author = "bob"
    node, links = m.node("Web Locks API"), m.graph.edges("web-locks-api", data=True)
    saved = [dict(a) for _, _, a in links]
    m.remove("Web Locks API")
    m.undo()
    assert m.node("Web Locks API") == node
    assert node["author"] == "alice"  # bob's undo does not make him its author
    assert [dict(a) for _, _, a in m.graph.edges("web-locks-api", data=True)] == saved


def test_undo_again_walks_further_back_and_never_undoes_an_undo(m: cm.ConceptMap) -> None:
    states = []
    for line in ("concept: One", "concept: Two", "One -> Two"):
        states.append(same_map(m))
        m.apply(line)
    for expected in reversed(states):
        m.undo()
        assert same_map(m) == expected


def test_undo_takes_only_the_authors_own_changes(m: cm.ConceptMap) -> None:
    m.author = "bob"
    m.concept("Bob's idea")
    m.author = "alice"
    m.concept("Alice's idea")
    m.author = "bob"
    m.undo()
    assert "Bob's idea" not in m
    assert "Alice's idea" in m


def test_nothing_to_undo_is_a_clear_error(m: cm.ConceptMap) -> None:
    m.author = "carol"
    with pytest.raises(cm.ConceptMapError, match="nothing to undo: 'carol' has made no change"):
        m.undo()


def test_the_change_that_made_the_topic_stays() -> None:
    m = cm.ConceptMap("Private DHT", author="alice")
    with pytest.raises(cm.ConceptMapError, match="'Private DHT' the map's topic"):
        m.undo()
    assert m.meta["topic"] == "Private DHT"


@pytest.mark.parametrize(
    ("ours", "theirs", "words"),
    [
        ("concept: IndexedDB", "IndexedDB -part_of-> Browser", "the node 'IndexedDB'"),
        ("concept: IndexedDB", "rename: IndexedDB => IDB", "the node 'IndexedDB'"),
        ("Browser -blocks-> Web Locks API", "remove: Browser", "the node 'Browser'"),
        ("rename: Browser => Web browser", "concept: Browser", "the label 'browser'"),
        ("remove: Browser", "concept: Browser", "the node 'browser'"),
        ("remove: Browser", "remove: Web Locks API", "the node 'Web Locks API'"),
        (
            'remove: Web Locks API -"is implemented by"-> Browser',
            'Web Locks API -"is implemented by"-> Browser',
            "the link 'Web Locks API' -relates_to:is implemented by-> 'Browser'",
        ),
    ],
)
def test_undo_refuses_when_someone_built_on_the_change(
    m: cm.ConceptMap, ours: str, theirs: str, words: str
) -> None:
    m.apply(ours)
    m.author = "bob"
    m.apply(theirs)
    m.author = "alice"
    before, history = same_map(m), len(m.history)
    with pytest.raises(cm.ConceptMapError) as info:
        m.undo()
    message = str(info.value)
    assert message.startswith("cannot undo alice's change of ")
    assert f"bob changed {words} after it (at " in message
    assert same_map(m) == before
    assert len(m.history) == history
    # once bob undoes his change, nothing stands in the way
    m.author = "bob"
    m.undo()
    m.author = "alice"
    m.undo()


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("concept: IndexedDB", "concept: Cache API"),
        ("Web Locks API -> IndexedDB", "Web Locks API -> Browser"),
    ],
)
def test_undo_goes_ahead_past_unrelated_changes(m: cm.ConceptMap, ours: str, theirs: str) -> None:
    before = same_map(m)[:2]
    m.apply(ours)
    m.author = "bob"
    m.apply(theirs)
    with_bob = same_map(m)[:2]
    m.author = "alice"
    m.undo()
    m.author = "bob"
    m.undo()
    assert same_map(m)[:2] == before != with_bob
    assert m.meta["participants"] == ["alice", "bob"]  # participants only grow


def test_metadata_touched_by_someone_else_is_not_put_back(m: cm.ConceptMap) -> None:
    m.set_meta("date", "2019-07-15")
    m.author = "bob"
    m.set_meta("date", "2019-07-16")
    m.author = "alice"
    with pytest.raises(cm.ConceptMapError, match="bob changed the metadata 'date'"):
        m.undo()


def test_undoing_a_new_key_drops_it(m: cm.ConceptMap) -> None:
    m.set_meta("date", "2019-07-15")
    undo = m.undo()
    assert "date" not in m.meta
    assert undo.ops[0]["unset"] is True


def test_place_goes_back_to_the_old_pin_or_where_the_node_was_drawn(m: cm.ConceptMap) -> None:
    drawn = m.positions()
    m.place({"Browser": (10, 20)})
    m.place({"Browser": (30, 40), "Web Locks API": (50, 60)})
    m.undo()
    assert m.positions()["browser"] == (10.0, 20.0)
    assert m.positions()["web-locks-api"] == pytest.approx(drawn["web-locks-api"], abs=0.1)
    m.undo()
    assert m.positions()["browser"] == pytest.approx(drawn["browser"], abs=0.1)


def test_undo_in_a_file_is_appended_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    m = cm.ConceptMap.open(path, "Private DHT", author="alice")
    m.apply("concept: Kademlia -part_of-> Private DHT")
    size = path.stat().st_size
    head = path.read_bytes()
    m.remove("Kademlia")
    m.undo()
    assert path.read_bytes()[:size] == head  # never rewritten: appended to
    loaded = cm.ConceptMap.load(path)
    assert same_map(loaded) == same_map(m)
    assert loaded.problems == []
    assert sum("undoes" in op for op in loaded.history) == 2  # the node and its link
    m.compact()
    assert same_map(cm.ConceptMap.load(path)) == same_map(m)


def test_another_process_sees_the_undo(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    alice = cm.ConceptMap.open(path, "Private DHT", author="alice")
    bob = cm.ConceptMap.open(path, author="bob")
    alice.concept("Kademlia")
    bob.link("Kademlia", "part_of", "Private DHT")  # bob builds on alice's node
    with pytest.raises(cm.ConceptMapError, match="bob changed the node 'Kademlia'"):
        alice.undo()


def test_cli_undo(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    cm.ConceptMap.create(path, "Private DHT", author="alice")
    runner = CliRunner()
    assert (
        runner.invoke(main, ["add", str(path), "concept: Kademlia", "--by", "bob"]).exit_code == 0
    )
    result = runner.invoke(main, ["undo", str(path), "--by", "bob"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("undid the change of ")
    assert result.stdout.strip().endswith(": 1 node removed")
    assert "Kademlia" not in cm.ConceptMap.load(path)
    again = runner.invoke(main, ["undo", str(path), "--by", "bob"])
    assert again.exit_code == 1
    assert again.stderr.strip() == (
        "Error: nothing to undo: 'bob' has made no change to this map that is not undone"
    )
