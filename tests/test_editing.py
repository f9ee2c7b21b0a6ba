"""Editing in the quick-entry syntax: remove, rename, and the near-duplicate warnings."""

from __future__ import annotations

import pytest

import conceptmap as cm
from conceptmap.core import similar
from conceptmap.core.quickentry import parse

BASE = """\
topic: Private DHT
proposal: Someguy as a routing sidecar
concept: Kademlia
concept: Web Locks API
concept: IndexedDB
Web Locks API -depends_on-> IndexedDB
Web Locks API -"is implemented by"-> Browser
Web Locks API -> IndexedDB
Kademlia -part_of-> Someguy as a routing sidecar
"""


@pytest.fixture
def m() -> cm.ConceptMap:
    m = cm.ConceptMap(author="alice")
    m.apply(BASE)
    return m


def links(m: cm.ConceptMap) -> set[tuple[str, str, str]]:
    g = m.graph
    return {
        (g.nodes[u]["label"], a["phrase"] or a["relation"], g.nodes[v]["label"])
        for u, v, a in g.edges(data=True)
    }


ALL_LINKS = {
    ("Web Locks API", "depends_on", "IndexedDB"),
    ("Web Locks API", "is implemented by", "Browser"),
    ("Web Locks API", "relates_to", "IndexedDB"),
    ("Kademlia", "part_of", "Someguy as a routing sidecar"),
}


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        ("remove: Web Locks API -depends_on-> IndexedDB", "depends_on"),
        ("remove: web locks api -depends-on-> indexeddb", "depends_on"),
        ('remove: Web Locks API -"is implemented by"-> Browser', "is implemented by"),
        ('remove: Web Locks API -"Is  implemented by"-> Browser', "is implemented by"),
        ("remove: Web Locks API -> IndexedDB", "relates_to"),
        ("remove: concept: Web Locks API -> IndexedDB", "relates_to"),
    ],
)
def test_remove_one_link_in_each_form(m: cm.ConceptMap, line: str, gone: str) -> None:
    nodes = len(m)
    change = m.apply(line)
    assert [op["op"] for op in change.ops] == ["remove_edge"]
    assert str(change) == "1 link removed"
    assert links(m) == {link for link in ALL_LINKS if link[1] != gone}
    assert len(m) == nodes
    assert not m.apply(line)  # a re-run: the link is gone already


def test_remove_a_node_takes_its_links(m: cm.ConceptMap) -> None:
    change = m.apply("remove: web locks  API")
    assert [op["op"] for op in change.ops] == ["remove_node"]
    assert str(change) == "1 node removed"
    assert "Web Locks API" not in m
    assert links(m) == {("Kademlia", "part_of", "Someguy as a routing sidecar")}
    again = m.apply("remove: Web Locks API")
    assert not again
    assert str(again) == "nothing changed: the map already says all of this"


def test_rename_keeps_the_id_the_links_and_the_history(m: cm.ConceptMap) -> None:
    before = m.node("Kademlia")
    change = m.apply("rename: Kademlia => Kademlia DHT")
    assert [op["op"] for op in change.ops] == ["update_node"]
    assert str(change) == "1 node updated"
    after = m.node("Kademlia DHT")
    assert after["id"] == before["id"] == "kademlia"
    assert (after["author"], after["created"]) == (before["author"], before["created"])
    assert ("Kademlia DHT", "part_of", "Someguy as a routing sidecar") in links(m)
    assert "Kademlia" not in m
    assert not m.apply("rename: Kademlia => Kademlia DHT")  # old gone, new there: a re-run
    assert not m.apply("rename: Kademlia DHT => Kademlia DHT")


def test_renaming_the_topic_renames_the_map(m: cm.ConceptMap) -> None:
    m.apply("rename: Private DHT => Private routing")
    assert m.meta["topic"] == "Private routing"
    assert m.topic_id == "private-dht"


def test_a_rename_can_change_only_the_case(m: cm.ConceptMap) -> None:
    m.apply("rename: kademlia => KADEMLIA")
    assert m.node("kademlia")["label"] == "KADEMLIA"


def test_later_lines_of_a_text_see_the_new_label(m: cm.ConceptMap) -> None:
    text = "rename: Kademlia => Kademlia DHT\nKademlia DHT -> Web Locks API\nobstacle: Kademlia DHT"
    change = m.apply(text)
    assert m.node("Kademlia DHT")["kind"] == "obstacle"
    assert ("Kademlia DHT", "relates_to", "Web Locks API") in links(m)
    assert change.created == []
    assert not m.apply(text)


def test_a_whole_notebook_runs_again_after_a_rename_and_a_removal(m: cm.ConceptMap) -> None:
    cells = ["rename: Kademlia => Kademlia DHT", "remove: Kademlia DHT", "remove: Browser"]
    for cell in cells:
        assert m.apply(cell)
    history = len(m.history)
    for cell in cells:
        assert not m.apply(cell)
    assert len(m.history) == history


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("remove: Kademila", ["no node is labelled 'Kademila'", "did you mean 'Kademlia'?"]),
        ("remove: Bowser", ["no node is labelled 'Bowser'", "did you mean 'Browser'?"]),
        ("remove: Nothing like it", ["no node is labelled 'Nothing like it'"]),
        ("rename: Kadmlia => Kad", ["no node is labelled 'Kadmlia'", "did you mean 'Kademlia'?"]),
        ("rename: Kademlia => Browser", ["cannot rename to 'Browser'", "exists already"]),
        ("remove: Kademila -> Browser", ["no node is labelled 'Kademila'"]),
        (
            "remove: Web Locks API -blocks-> IndexedDB",
            [
                "there is no link 'Web Locks API' -blocks-> 'IndexedDB'",
                "(they are linked by: depends on, relates to)",
            ],
        ),
        ("remove: Kademlia -> Browser", ["there is no link 'Kademlia' -relates_to-> 'Browser'"]),
        ("remove: Private DHT", ["'Private DHT' is the map's topic; rename it instead"]),
        ("remove:", ["remove: needs a label after the colon"]),
        ("rename: Kademlia", ["write 'rename: OLD => NEW', with one '=>'"]),
        ("rename: A => B => C", ["with one '=>'"]),
        ("rename: => B", ["a rename needs a label on both sides of '=>'"]),
        ("remove: A -> B -> C", ["a line holds one link"]),
        ("remove: A -nope-> B", ["unknown relation 'nope'"]),
        ("remvoe: Kademlia", ["unknown kind 'remvoe'; did you mean 'remove'?"]),
    ],
)
def test_editing_errors_name_the_line_and_change_nothing(
    m: cm.ConceptMap, text: str, words: list[str]
) -> None:
    before, history = m.to_node_link(), len(m.history)
    with pytest.raises(cm.ParseError) as info:
        m.apply(f"concept: Fine\n{text}", source="cell")
    message = str(info.value)
    assert "cell, line 2 (" in message
    for word in words:
        assert word in message
    assert m.to_node_link() == before
    assert len(m.history) == history


def test_an_edit_line_has_no_notes(m: cm.ConceptMap) -> None:
    with pytest.raises(cm.ParseError) as info:
        m.apply("remove: Kademlia\n  a note")
    assert info.value.line == 2
    assert "an indented note must follow a line that declares a node" in str(info.value)
    assert "Kademlia" in m


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("concept: Kademlia\nremove: Kademlia", 1, "'Kademlia' is removed on line 2"),
        ("remove: Kademlia\nKademlia -> Browser", 2, "'Kademlia' is removed on line 1"),
        ("rename: Kademlia => K\nKademlia -> Browser", 2, "'Kademlia' is renamed to 'K' on line 1"),
        ("Browser -> Kademlia\nrename: Kademlia => K", 1, "call it 'K'"),
        ("rename: Kademlia => K\nrename: K => L", 1, "'K' is renamed to 'L' on line 2"),
        ("remove: Browser\nrename: Kademlia => Browser", 2, "'Browser' is removed on line 1"),
        ("remove: A -> B\nA -> B", 2, "this link is removed on line 1; a text cannot also add it"),
    ],
)
def test_a_text_cannot_use_what_it_removes_or_renames_away(
    m: cm.ConceptMap, text: str, line: int, words: str
) -> None:
    # applied once these would work, but a second run would bring the old label back
    with pytest.raises(cm.ParseError) as info:
        m.apply(text)
    assert info.value.line == line
    assert words in str(info.value)


def test_removing_and_adding_other_links_in_one_text_is_fine(m: cm.ConceptMap) -> None:
    text = "remove: Web Locks API -> IndexedDB\nWeb Locks API -blocks-> IndexedDB"
    m.apply(text)
    assert ("Web Locks API", "blocks", "IndexedDB") in links(m)
    assert ("Web Locks API", "relates_to", "IndexedDB") not in links(m)
    assert not m.apply(text)


@pytest.mark.parametrize(
    ("line", "edit", "source", "relation", "phrase", "target"),
    [
        ("remove: A", "remove", "A", None, "", None),
        ("REMOVE:A", "remove", "A", None, "", None),
        ("remove: obstacle: A", "remove", "A", None, "", None),
        ("remove: A -depends-on-> B", "remove", "A", "depends_on", "", "B"),
        ('remove: A -"is in"-> B', "remove", "A", "relates_to", "is in", "B"),
        ("remove: A -> B", "remove", "A", "relates_to", "", "B"),
        ("rename: A  =>  B c", "rename", "A", None, "", "B c"),
        ("rename: A -> B => C", "rename", "A -> B", None, "", "C"),
    ],
)
def test_parsed_edit_lines(
    line: str,
    edit: str,
    source: str,
    relation: str | None,
    phrase: str,
    target: str | None,
) -> None:
    (st,) = parse(line)
    assert st.edit == edit
    assert (st.source.label, st.relation, st.phrase) == (source, relation, phrase)
    assert (st.target.label if st.target else None) == target
    assert st.declared() is None


# -- near-duplicates ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "warning"),
    [
        (
            "Someguy sidecar -> Kademlia",
            "'Someguy sidecar' is new; did you mean 'Someguy as a routing sidecar'?",
        ),
        ("concept: Kademila", "'Kademila' is new; did you mean 'Kademlia'?"),  # a swap
        ("Kademlia -> Kadmlia", "'Kadmlia' is new; did you mean 'Kademlia'?"),  # dropped
        ("concept: Kademlias", "'Kademlias' is new; did you mean 'Kademlia'?"),  # plural
        ("concept: Web-Lock API", "'Web-Lock API' is new; did you mean 'Web Locks API'?"),
        ("concept: WebLocks API", "'WebLocks API' is new; did you mean 'Web Locks API'?"),
        ("concept: Web Locks", "'Web Locks' is new; did you mean 'Web Locks API'?"),
        ("concept: Indexeddb2", None),  # a digit is no typo
        ("concept: IndexedDB 3", None),
        ("concept: Browse", "'Browse' is new; did you mean 'Browser'?"),
        ("concept: Routing", None),  # one word of three is not enough
        ("concept: Sidecar for routing of everything", None),
        ("concept: A new thing", None),
        ("concept: kademlia", None),  # the same node, not a new one
    ],
)
def test_a_new_label_close_to_an_existing_one_applies_with_a_warning(
    m: cm.ConceptMap, line: str, warning: str | None
) -> None:
    change = m.apply(line)
    assert change.warnings == ([warning] if warning else [])
    if warning:
        assert f"warning: {warning}" in str(change)
        assert f"warning: {warning}" in repr(change)
        assert change.ops  # applied all the same


def test_a_rename_to_a_close_label_warns(m: cm.ConceptMap) -> None:
    change = m.apply("rename: Browser => Kademila")
    assert change.warnings == ["'Kademila' is new; did you mean 'Kademlia'?"]


def test_new_labels_of_one_text_are_not_compared_with_each_other() -> None:
    m = cm.ConceptMap(author="a")
    assert m.apply("concept: Web Locks API\nconcept: Web Locks").warnings == []


def test_removed_and_renamed_labels_are_not_suggested(m: cm.ConceptMap) -> None:
    m.apply("remove: Kademlia")
    assert m.apply("concept: Kademila").warnings == []
    m.apply("rename: Browser => Web browser")
    assert m.apply("concept: Browsers").warnings == []
    assert m.apply("concept: Web browsers").warnings == [
        "'Web browsers' is new; did you mean 'Web browser'?"
    ]


def test_big_maps_find_typos_among_sorted_neighbours(
    m: cm.ConceptMap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(similar, "SCAN_LIMIT", 2)  # as if the map were large
    for i in range(30):
        m.concept(f"Filler label {i:02d}")
    assert m.apply("concept: Kademila").warnings == ["'Kademila' is new; did you mean 'Kademlia'?"]
    assert m.apply("concept: Fller label 07").warnings == [
        "'Fller label 07' is new; did you mean 'Filler label 07'?"
    ]
    m.apply("remove: Someguy as a routing sidecar")  # the sorted lines follow removals
    assert m.apply("concept: Someguy as a routing sidecars").warnings == []


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [
        ("Kademlia", "Kademila", True),
        ("Kademlia", "Kademliax", True),
        ("Kademlia", "xKademlia", True),
        ("Kademlia", "Kedemlia", True),
        ("Kademlia", "Kedemlie", False),
        ("Session 37", "Session 38", False),
        ("Session 37", "Session 377", False),
        ("IPFS", "IPNS", False),
        ("Web Locks API", "web  locks api", True),
        ("Web Locks API", "Lock per datastore with the Web Locks API", False),
        ("Shared worker", "Run the node in a shared worker", False),
        ("GC lock", "Lock for GC", True),
        ("Browser", "Browse", True),
        ("Lock", "Lack", False),  # too short to call a typo
        ("Locks", "Lacks", False),
    ],
)
def test_what_counts_as_close(a: str, b: str, close: bool) -> None:
    assert similar.close(similar.words(a), similar.words(b)) is close
    assert similar.close(similar.words(b), similar.words(a)) is close


def test_check_reports_near_duplicate_labels_once_per_pair(m: cm.ConceptMap) -> None:
    m.add("Kademila")
    m.add("Web Lock API")
    found = [f for f in m.check() if f.code == "near-duplicate"]
    assert [(f.severity, f.nodes) for f in found] == [
        ("warning", ("kademlia", "kademila")),
        ("warning", ("web-locks-api", "web-lock-api")),
    ]
    assert found[0].message == (
        "the concept 'Kademlia' and the concept 'Kademila' have near-duplicate labels: "
        "one thing twice?"
    )


def test_the_worked_example_has_no_near_duplicates(example: cm.ConceptMap) -> None:
    assert [f for f in example.check() if f.code == "near-duplicate"] == []


def test_pairs_are_found_from_either_end() -> None:
    labels = [f"Label number {i:03d}" for i in range(50)] + ["Xabel number 007", "Kademlia"]
    index = similar.LabelIndex.of((f"n{i}", label) for i, label in enumerate(labels))
    index.add("k2", "Kademlai")
    found = {tuple(index.labels[n] for n in pair) for pair in similar.pairs(index)}
    assert found == {("Label number 007", "Xabel number 007"), ("Kademlia", "Kademlai")}
