"""Hypothesis: replaying the file gives the map in memory, text applies idempotently,
and no input, however odd, raises anything but a ConceptMapError."""

from __future__ import annotations

import contextlib
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import conceptmap as cm
from conceptmap.core.quickentry import parse
from tests.quick import examples

SETTINGS = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# a small alphabet makes clashing labels (same node, other case or spacing) likely
labels = st.text(alphabet="abAB -é", min_size=1, max_size=5).filter(lambda s: s.strip())
kinds = st.sampled_from([k for k in cm.KINDS if k != "topic"])
relations = st.sampled_from(list(cm.RELATIONS))
phrases = st.sampled_from(["", "is stored in", "feeds"])

operations = st.one_of(
    st.tuples(st.just("add"), labels, kinds, st.none() | st.text(max_size=20)),
    st.tuples(st.just("link"), labels, relations, labels, phrases),
    st.tuples(st.just("unlink"), labels, relations, labels, phrases),
    st.tuples(st.just("rename"), labels, labels),
    st.tuples(st.just("set_kind"), labels, kinds),
    st.tuples(st.just("remove"), labels),
    st.tuples(st.just("set_meta"), st.sampled_from(["date", "room"]), st.text(max_size=8)),
    st.tuples(st.just("author"), st.sampled_from(["alice", "bob", "carol"])),
)


def perform(m: cm.ConceptMap, op: tuple[Any, ...]) -> None:
    name, *args = op
    try:
        if name == "add":
            m.add(args[0], args[1], notes=args[2]) if args[2] is not None else m.add(*args[:2])
        elif name == "link":
            relation = args[1] if not args[3] else "relates_to"
            m.link(args[0], relation, args[2], phrase=args[3])
        elif name == "unlink":
            relation = args[1] if not args[3] else "relates_to"
            m.unlink(args[0], relation, args[2], phrase=args[3])
        elif name == "author":
            m.author = args[0]
        else:
            getattr(m, name)(*args)
    except cm.ConceptMapError:
        pass  # refused requests must leave no trace; the equality below checks that


@SETTINGS
@given(st.lists(operations, max_size=25))
def test_replaying_the_file_gives_the_map_in_memory(ops: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.jsonl"
        m = cm.ConceptMap.open(path, "Topic", author="alice")
        for op in ops:
            perform(m, op)
        loaded = cm.ConceptMap.load(path)
        assert loaded.to_node_link() == m.to_node_link()
        assert loaded.history == m.history
        assert loaded.problems == []
        # and the lossless export gives the same state back
        assert cm.from_node_link(m.to_node_link()).to_node_link() == m.to_node_link()
        m.compact()
        assert cm.ConceptMap.load(path).to_node_link() == loaded.to_node_link()


def _side(label: str, kind: str | None) -> str:
    return f"{kind}: {label}" if kind else label


lines = st.one_of(
    st.builds(_side, labels, kinds | st.none()),
    st.builds(
        lambda a, ka, rel, phrase, b, kb: (
            f"{_side(a, ka)} -{json.dumps(phrase) if phrase else rel}-> {_side(b, kb)}"
        ),
        labels,
        kinds | st.none(),
        relations,
        phrases,
        labels,
        kinds | st.none(),
    ),
    st.builds(
        lambda label, kind, note: f"{kind}: {label}\n  {note}",
        labels,
        kinds,
        st.text(alphabet="xyz .", min_size=1, max_size=10).filter(str.strip),
    ),
    st.just("# a comment"),
    st.just(""),
)


@SETTINGS
@given(st.lists(lines, max_size=15))
def test_applying_text_twice_equals_applying_it_once(text_lines: list[str]) -> None:
    text = "\n".join(text_lines)
    m = cm.ConceptMap("Topic", author="alice")
    before = m.to_node_link()
    try:
        m.apply(text)
    except cm.ParseError:
        assert m.to_node_link() == before  # all or nothing
        return
    once, history = m.to_node_link(), len(m.history)
    again = m.apply(text)
    assert again.ops == []
    assert m.to_node_link() == once
    assert len(m.history) == history


edits = st.one_of(
    st.builds("remove: {}".format, labels),
    st.builds(
        lambda a, rel, phrase, b: f"remove: {a} -{json.dumps(phrase) if phrase else rel}-> {b}",
        labels,
        relations,
        phrases,
        labels,
    ),
    st.builds("rename: {} => {}".format, labels, labels),
)


@SETTINGS
@given(st.lists(lines, max_size=12), st.lists(edits | lines, min_size=1, max_size=6))
def test_editing_text_applies_twice_as_once(seed: list[str], text_lines: list[str]) -> None:
    m = cm.ConceptMap("Topic", author="alice")
    with contextlib.suppress(cm.ParseError):
        m.apply("\n".join(seed))
    text = "\n".join(text_lines)
    before = m.to_node_link()
    try:
        m.apply(text)
    except cm.ParseError:
        assert m.to_node_link() == before  # all or nothing
        return
    once, history = m.to_node_link(), len(m.history)
    again = m.apply(text)
    assert again.ops == []
    assert m.to_node_link() == once
    assert len(m.history) == history


def same_map(m: cm.ConceptMap) -> tuple[Any, ...]:
    """Nodes, links and metadata, whatever order they were (re-)added in.

    Participants are left out: whoever undoes a change took part.
    """
    data = m.to_node_link()
    meta = {k: v for k, v in data["graph"].items() if k != "participants"}
    return (
        sorted(data["nodes"], key=lambda n: n["id"]),
        sorted(data["edges"], key=lambda e: (e["source"], e["target"], e["key"])),
        meta,
    )


@SETTINGS
@given(st.lists(operations, max_size=20), operations)
def test_a_change_then_undo_gives_back_the_same_map(ops: list[Any], last: Any) -> None:
    m = cm.ConceptMap("Topic", author="alice")
    for op in ops:
        perform(m, op)
    before, history = same_map(m), len(m.history)
    perform(m, last)
    if len(m.history) == history:
        return  # refused or already so: nothing to undo of it
    undo = m.undo()
    assert undo.undid == m.history[history]["at"]
    assert same_map(m) == before


@SETTINGS
@given(st.text())
def test_the_parser_raises_only_parse_errors(text: str) -> None:
    try:
        parse(text)
    except cm.ParseError as exc:
        errors = exc.errors
    else:
        return
    assert errors
    assert all(e.line >= 0 for e in errors)


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200))
def test_applying_arbitrary_text_raises_only_conceptmap_errors(text: str) -> None:
    m = cm.ConceptMap("Topic", author="a")
    try:
        m.apply(text)
    except cm.ConceptMapError:
        assert len(m) == 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=8,
)
op_like = st.fixed_dictionaries(
    {
        "op": st.sampled_from(
            [
                "add_node",
                "update_node",
                "remove_node",
                "add_edge",
                "remove_edge",
                "set_meta",
                "other",
            ]
        )
        | json_values
    },
    optional={
        "id": st.sampled_from(["topic", "a", "b"]) | json_values,
        "label": st.text(max_size=8) | json_values,
        "kind": st.sampled_from(list(cm.KINDS)) | json_values,
        "source": st.sampled_from(["topic", "a"]) | json_values,
        "target": st.sampled_from(["topic", "b"]) | json_values,
        "relation": st.sampled_from(list(cm.RELATIONS)) | json_values,
        "key": st.text(max_size=6) | json_values,
        "value": json_values,
        "by": st.just("x") | json_values,
        "at": st.just("2026-01-01T00:00:00.000Z") | json_values,
        "notes": json_values,
        "tags": json_values,
    },
)
file_lines = st.one_of(
    op_like.map(json.dumps), st.binary(max_size=30).map(repr), st.text(max_size=30)
)
HEADER = (
    '{"format": "conceptmap", "version": 1}\n'
    '{"op":"add_node","id":"topic","label":"T","kind":"topic","by":"x","at":"t"}\n'
)


def load_only_conceptmap_errors(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.jsonl"
        path.write_bytes(content)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", cm.MapFileWarning)
                m = cm.ConceptMap.load(path)
                m.to_node_link()
                m.check()
        except cm.ConceptMapError:
            pass
        assert path.read_bytes() == content


@SETTINGS
@given(st.lists(file_lines, max_size=12), st.booleans())
def test_loading_arbitrary_lines_raises_only_conceptmap_errors(
    body: list[str], torn_end: bool
) -> None:
    text = HEADER + "\n".join(body) + ("" if torn_end else "\n")
    load_only_conceptmap_errors(text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.binary(max_size=300))
def test_loading_arbitrary_bytes_raises_only_conceptmap_errors(content: bytes) -> None:
    load_only_conceptmap_errors(content)
