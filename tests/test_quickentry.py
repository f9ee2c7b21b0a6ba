"""The quick-entry syntax: what it accepts, what it makes, and how it says no."""

from __future__ import annotations

import pytest

import conceptmap as cm
from conceptmap.core.quickentry import parse

DESIGN_EXAMPLE = """\
# comments start with #
topic: Locking the IPFS repo for concurrent access
concept: Web Locks API
obstacle: Two tabs write the same repo
proposal: One lock per datastore via the Web Locks API
  Notes go on indented lines under the node they belong to.
One lock per datastore via the Web Locks API -addresses-> Two tabs write the same repo
shortcoming: A crashed tab may hold its lock -drawback_of-> One lock per datastore via the Web Locks API
Web Locks API -"is implemented by"-> Browser
question: Does Safari expose Web Locks in workers?
"""  # noqa: E501 - the example from DESIGN.md, verbatim


def kinds(m: cm.ConceptMap) -> dict[str, str]:
    return {a["label"]: a["kind"] for _, a in m.graph.nodes(data=True)}


def links(m: cm.ConceptMap) -> set[tuple[str, str, str, str]]:
    g = m.graph
    return {
        (g.nodes[u]["label"], a["relation"], a["phrase"], g.nodes[v]["label"])
        for u, v, a in g.edges(data=True)
    }


def test_design_example_builds_the_map_it_describes() -> None:
    m = cm.ConceptMap(author="alice")
    change = m.apply(DESIGN_EXAMPLE)
    assert kinds(m) == {
        "Locking the IPFS repo for concurrent access": "topic",
        "Web Locks API": "concept",
        "Two tabs write the same repo": "obstacle",
        "One lock per datastore via the Web Locks API": "proposal",
        "A crashed tab may hold its lock": "shortcoming",
        "Browser": "concept",
        "Does Safari expose Web Locks in workers?": "question",
    }
    assert links(m) == {
        (
            "One lock per datastore via the Web Locks API",
            "addresses",
            "",
            "Two tabs write the same repo",
        ),
        (
            "A crashed tab may hold its lock",
            "drawback_of",
            "",
            "One lock per datastore via the Web Locks API",
        ),
        ("Web Locks API", "relates_to", "is implemented by", "Browser"),
    }
    proposal = m.node("one lock per datastore via the web locks api")
    assert proposal["notes"] == "Notes go on indented lines under the node they belong to."
    assert m.meta["topic"] == "Locking the IPFS repo for concurrent access"
    # Browser came from a link only: the result says it was made a concept
    assert change.implicit == ["browser"]
    assert "'Browser'" in str(change)


def test_applying_twice_changes_nothing_and_writes_nothing() -> None:
    m = cm.ConceptMap(author="alice")
    m.apply(DESIGN_EXAMPLE)
    history = len(m.history)
    again = m.apply(DESIGN_EXAMPLE)
    assert not again
    assert again.ops == []
    assert len(m.history) == history
    assert "nothing changed" in str(again)


@pytest.mark.parametrize(
    ("line", "relation", "phrase"),
    [
        ("A -> B", "relates_to", ""),
        ("A ->B", "relates_to", ""),
        ("A -depends_on-> B", "depends_on", ""),
        ("A -depends-on-> B", "depends_on", ""),
        ("A -Depends_On-> B", "depends_on", ""),
        ('A -"is stored in"-> B', "relates_to", "is stored in"),
        ('A -"is  stored   in"-> B', "relates_to", "is stored in"),
        ("Peer-to-peer -part_of-> B", "part_of", ""),
        ('A -"turns -> into"-> B', "relates_to", "turns -> into"),
    ],
)
def test_link_forms(line: str, relation: str, phrase: str) -> None:
    (statement,) = parse(line)
    assert statement.relation == relation
    assert statement.phrase == phrase
    assert statement.target is not None
    assert statement.target.label == "B"


def test_hyphenated_labels_are_not_arrows() -> None:
    m = cm.ConceptMap(author="a")
    m.apply("Peer-to-peer -part_of-> Content-addressed storage")
    assert links(m) == {("Peer-to-peer", "part_of", "", "Content-addressed storage")}


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("concept: X", "concept"),
        ("Concept: X", "concept"),
        ("OBSTACLE:X", "obstacle"),
        ("problem: X", "obstacle"),
        ("risk: X", "shortcoming"),
        ("todo: X", "action"),
        ("goal: X", "requirement"),
    ],
)
def test_declarations_and_aliases(line: str, kind: str) -> None:
    (statement,) = parse(line)
    assert (statement.source.label, statement.source.kind) == ("X", kind)


def test_urls_and_colons_in_labels_are_plain_labels() -> None:
    m = cm.ConceptMap(author="a")
    m.apply(
        "reference: https://github.com/ipfs/js-ipfs-repo\n"
        "https://example.org/spec -> Step 1: read the spec"
    )
    assert kinds(m) == {
        "https://github.com/ipfs/js-ipfs-repo": "reference",
        "https://example.org/spec": "concept",
        "Step 1: read the spec": "concept",
    }


def test_inline_declarations_on_both_sides() -> None:
    m = cm.ConceptMap(author="a")
    m.apply("proposal: Leader election -addresses-> obstacle: Two writers")
    assert kinds(m) == {"Leader election": "proposal", "Two writers": "obstacle"}
    assert links(m) == {("Leader election", "addresses", "", "Two writers")}


def test_a_later_declaration_gives_a_linked_label_its_kind() -> None:
    m = cm.ConceptMap(author="a")
    change = m.apply("A -addresses-> B\nobstacle: B\nproposal: A")
    assert kinds(m) == {"A": "proposal", "B": "obstacle"}
    assert change.implicit == []


def test_a_line_with_only_a_label_is_not_made_by_a_link() -> None:
    m = cm.ConceptMap(author="a")
    change = m.apply("Browser\nA -> B")
    assert change.created == ["browser", "a", "b"]
    assert change.implicit == ["a", "b"]
    assert str(change) == (
        "3 nodes added, 1 link added; created as concepts because a link named them: 'A', 'B'"
    )


def test_editing_lines_parse_next_to_the_others() -> None:
    statements = parse("concept: A\nremove: B\nrename: C => D\nremove: E -> F\nG -> H")
    assert [s.edit for s in statements] == [None, "remove", "rename", "remove", None]


def test_declaring_again_rekinds_and_keeps_notes() -> None:
    m = cm.ConceptMap(author="a")
    m.apply("obstacle: Stale locks\n  A crashed tab keeps its lock.")
    change = m.apply("concept: stale   LOCKS")
    node = m.node("Stale locks")
    assert node["kind"] == "concept"
    assert node["label"] == "Stale locks"  # the first spelling stays
    assert node["notes"] == "A crashed tab keeps its lock."
    assert [op["op"] for op in change.ops] == ["update_node"]


def test_notes_belong_to_the_declared_side_of_a_link() -> None:
    m = cm.ConceptMap(author="a")
    m.apply(
        "shortcoming: Slow -drawback_of-> Polling\n  Every tab polls every second.\n\n  Costly."
    )
    assert m.node("Slow")["notes"] == "Every tab polls every second.\n\nCostly."
    assert m.node("Polling")["notes"] == ""


def test_indented_text_as_a_whole_is_dedented() -> None:
    m = cm.ConceptMap(author="a")
    m.apply(
        """
        concept: IndexedDB
          Notes under it.
        IndexedDB -part_of-> Browser
        """
    )
    assert m.node("IndexedDB")["notes"] == "Notes under it."
    assert links(m) == {("IndexedDB", "part_of", "", "Browser")}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "obstcle: Two tabs",
            1,
            ["unknown kind 'obstcle'", "did you mean 'obstacle'?", "valid kinds: topic, concept"],
        ),
        (
            "A -adresses-> B",
            1,
            [
                "unknown relation 'adresses'",
                "did you mean 'addresses'?",
                "valid relations: relates_to",
            ],
        ),
        ("concept: ok\nA->B", 2, ["'->' is not a link here"]),
        ("concept: ok\n\n-> B", 3, ["needs a node on both sides"]),
        ("A -> B -> C", 1, ["one link"]),
        ("# notes\n  orphan note", 2, ["indented note must follow"]),
        ("A -> B\n  note of a plain link", 2, ["indented note must follow"]),
        ("concept:", 1, ["needs a label"]),
        ("concept: X\nobstacle: X", 2, ["declared a obstacle here but a concept on line 1"]),
        ("concept: X\n  one\nconcept: x\n  two", 3, ["has notes on line 1 already"]),
        ("concept: " + "x" * 100_000, 1, ["100000 characters long", "at most 300"]),
        ("concept: bell\x07", 1, ["control character U+0007"]),
    ],
)
def test_errors_name_the_line_quote_it_and_say_what_was_expected(
    text: str, line: int, words: list[str]
) -> None:
    m = cm.ConceptMap("T", author="a")
    before = m.to_node_link()
    with pytest.raises(cm.ParseError) as info:
        m.apply(text, source="notes.cm")
    message = str(info.value)
    assert info.value.line == line
    assert f"notes.cm, line {line} (" in message
    for word in words:
        assert word in message
    assert m.to_node_link() == before


def test_a_cell_with_one_bad_line_applies_nothing_and_lists_every_bad_line() -> None:
    m = cm.ConceptMap("T", author="a")
    with pytest.raises(cm.ParseError) as info:
        m.apply("concept: good one\nobstcle: bad\nconcept: another good\nA -x-> B")
    assert [e.line for e in info.value.errors] == [2, 4]
    assert str(info.value).startswith("2 lines could not be applied (nothing was changed):")
    assert len(m) == 1


def test_a_second_topic_is_refused_but_the_same_topic_is_fine() -> None:
    m = cm.ConceptMap("Private DHT", author="a")
    assert not m.apply("topic: private  dht")
    with pytest.raises(cm.ParseError, match="topic is already 'Private DHT'"):
        m.apply("concept: x\ntopic: Public DHT")
    assert len(m) == 1
    with pytest.raises(cm.ParseError, match="cannot become a concept"):
        m.apply("concept: Private DHT")


def test_comments_and_blank_lines_are_ignored() -> None:
    assert parse("# just a comment\n\n   # indented comment\n") == []


def test_non_text_is_a_parse_error() -> None:
    with pytest.raises(cm.ParseError, match="must be a string"):
        parse(b"concept: x")  # type: ignore[arg-type]
