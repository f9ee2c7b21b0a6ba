"""Op ids, the replay order, and the history commands (diff, log, merge).

The property at the heart of maps that merge in git: whatever interleaving of two
clones' lines a union merge makes, with lines and the header repeated, the map read
is the same, and so is a map read live in two pieces.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import conceptmap as cm
from conceptmap.cli import main
from conceptmap.core.files import git_files, merge_maps_by_union
from conceptmap.core.history import diff, history_lines, read_version
from conceptmap.core.merging import merge_maps, union_lines
from conceptmap.core.order import key_of
from conceptmap.core.replay import read_ops
from conceptmap.core.state import MapState
from conceptmap.core.store import encode, parse_bytes
from conceptmap.errors import MapFileError, MapFileWarning
from tests.quick import examples
from tests.test_properties import operations, perform

SETTINGS = settings(
    max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
HEADER = {"format": "conceptmap", "version": 1, "topic": "T", "created": "2026-01-01T00:00:00Z"}


def two_clones(
    base: list[Any], schedule: list[tuple[bool, Any]]
) -> tuple[list[Any], list[Any], list[Any]]:
    """The base's operations, then each clone's, made by the API in the scheduled order."""
    m0 = cm.ConceptMap("T", author="base")
    for op in base:
        perform(m0, op)
    ops0 = json.loads(json.dumps(m0.history))
    sides = [cm.ConceptMap.from_ops(ops0, author=who) for who in ("alice", "bob")]
    for second, op in schedule:
        perform(sides[second], op)
    tails = [m.history[len(ops0) :] for m in sides]
    return ops0, tails[0], tails[1]


def state_of(*chunks: list[bytes]) -> MapState:
    """A state read from the given lines (after the header), one chunk after another."""
    state = MapState()
    for i, lines in enumerate(chunks):
        batch = parse_bytes("m", encode(HEADER) + b"".join(lines))
        read_ops(state, batch.ops, batch.header if i == 0 else None)
    return state


def picture(state: MapState) -> dict[str, Any]:
    return {
        "nodes": dict(state.graph.nodes.items()),
        "edges": sorted(state.graph.edges(keys=True, data=True), key=lambda e: e[:3]),
        "meta": state.meta,
        "order": [key_of(op) or json.dumps(op) for op in state.history],
    }


def shuffle(a: list[bytes], b: list[bytes], picks: list[bool]) -> list[bytes]:
    """An interleaving of ``a`` and ``b`` that keeps each one's order, as a merge does."""
    merged, i, j = [], 0, 0
    for pick in picks:
        if pick and j < len(b):
            merged.append(b[j])
            j += 1
        elif i < len(a):
            merged.append(a[i])
            i += 1
    return merged + a[i:] + b[j:]


@SETTINGS
@given(
    base=st.lists(operations, max_size=6),
    schedule=st.lists(st.tuples(st.booleans(), operations), max_size=14),
    picks=st.lists(st.booleans(), max_size=30),
    copies=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=4),
    header_again=st.none() | st.integers(0, 40),
    split=st.integers(0, 60),
)
def test_any_union_of_two_clones_reads_as_one_map(
    base: list[Any],
    schedule: list[tuple[bool, Any]],
    picks: list[bool],
    copies: list[tuple[int, int]],
    header_again: int | None,
    split: int,
) -> None:
    ops0, a, b = two_clones(base, schedule)
    common = [encode(op) for op in ops0]
    ours, theirs = [encode(op) for op in a], [encode(op) for op in b]
    want = picture(state_of(common + ours + theirs))
    lines = common + shuffle(ours, theirs, picks)
    for source, place in copies:  # a union merge may keep a line twice
        if lines:
            line = lines[source % len(lines)]
            lines.insert(max(place % (len(lines) + 1), source % len(lines) + 1), line)
    if header_again is not None:
        lines.insert(header_again % (len(lines) + 1), encode(HEADER))
    assert picture(state_of(lines)) == want
    # read live: what was there first, then the rest (as an append after a merge)
    cut = split % (len(lines) + 1)
    assert picture(state_of(lines[:cut], lines[cut:])) == want


def test_lines_without_op_ids_keep_their_file_order() -> None:
    # written before op ids, with clocks that disagree: the link needs the node first
    ops = [
        {"op": "add_node", "id": "t", "label": "T", "kind": "topic", "by": "a", "at": "x"},
        {"op": "add_node", "id": "n", "label": "N", "kind": "concept", "by": "a", "at": "9"},
        {"op": "add_edge", "source": "n", "target": "t", "relation": "part_of", "by": "b",
         "at": "1"},
    ]  # fmt: skip
    state = state_of([encode(op) for op in ops])
    assert [op["op"] for op in state.history] == ["add_node", "add_node", "add_edge"]


def test_a_change_is_stamped_after_the_latest_time_in_the_map(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    cm.ConceptMap.create(path, "T", author="ann")
    future = {"op": "add_node", "id": "f", "label": "F", "kind": "concept", "by": "ahead",
              "at": "2999-01-01T00:00:00.000Z", "op_id": "aaaaaaaaaa.0"}  # fmt: skip
    with path.open("ab") as f:
        f.write(encode(future))
    m = cm.ConceptMap.load(path, author="bob")
    change = m.apply("concept: G -> F")
    assert {op["at"] for op in change.ops} == {"2999-01-01T00:00:00.001Z"}
    assert [op["op_id"].split(".")[1] for op in change.ops] == ["0", "1"]
    assert len({op["op_id"].split(".")[0] for op in change.ops}) == 1  # one change, one token
    assert cm.ConceptMap.load(path).history[-1]["op"] == "add_edge"


def test_a_file_rewritten_in_place_is_read_again_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    m = cm.ConceptMap.create(path, "T", author="ann")
    m.apply("concept: A")
    reader = cm.ConceptMap.load(path)
    assert len(reader) == 2
    lines = path.read_bytes().splitlines(keepends=True)
    other = cm.ConceptMap("T", author="bob")
    other.apply("concept: B")
    swapped = lines[:2] + [encode(op) for op in other.history[1:]] + lines[2:]
    with path.open("r+b") as f:  # same inode, longer, lines before ours changed
        f.write(b"".join(swapped))
    assert reader.refresh()
    assert sorted(n["label"] for n in reader.nodes()) == ["A", "B", "T"]


# -- .gitattributes and .gitignore ----------------------------------------------------------
@pytest.mark.parametrize(
    ("before", "written"),
    [
        (None, True),
        ("*.png binary\n", True),
        ("*.png binary", True),  # no newline at the end: one is added
        ("*.jsonl merge=union\n", False),
        ("# mine\n*.jsonl   merge=union  \n", False),
        ("*.jsonl -merge\n", False),  # the user's choice stays
        ("*.jsonl merge=binary\n", False),
        ("# *.jsonl merge=union\n", True),  # a comment says nothing
        ("*.jsonl text\n", True),
    ],
)
def test_gitattributes_gets_merge_union_once_and_keeps_the_users_lines(
    tmp_path: Path, before: str | None, written: bool
) -> None:
    path = tmp_path / ".gitattributes"
    if before is not None:
        path.write_text(before)
    assert (merge_maps_by_union(tmp_path) == path) is written
    text = path.read_text() if path.exists() else ""
    assert text.startswith((before or "").rstrip("\n"))
    if written:
        assert text.endswith("*.jsonl merge=union\n")
    assert merge_maps_by_union(tmp_path) is None  # a second time changes nothing
    assert text.count("*.jsonl merge=union") <= 2


def test_git_files_writes_both_and_leaves_a_link_alone(tmp_path: Path) -> None:
    assert [p.name for p, _ in git_files(tmp_path)] == [".gitignore", ".gitattributes"]
    assert git_files(tmp_path) == []
    other = tmp_path / "other"
    other.mkdir()
    (other / ".gitattributes").symlink_to(tmp_path / ".gitattributes")
    assert [p.name for p, _ in git_files(other)] == [".gitignore"]


# -- diff, log, merge ----------------------------------------------------------------------
@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    old = tmp_path / "old.jsonl"
    m = cm.ConceptMap.create(old, "Locking", author="ann")
    m.apply(
        "concept: Web Locks\nobstacle: Two tabs\nconcept: Lockfile\nLockfile -blocks-> Two tabs"
    )
    new = tmp_path / "new.jsonl"
    new.write_bytes(old.read_bytes())
    m = cm.ConceptMap.load(new, author="bob")
    m.apply("rename: Web Locks => Web Locks API\nremove: Lockfile\nquestion: Safari?")
    m.apply("Safari? -raises-> Two tabs")
    return old, new


def test_diff_lists_what_changed_by_author(versions: tuple[Path, Path]) -> None:
    found = diff(*(read_version(str(p)) for p in versions))
    assert {(d.author, d.sign, d.text) for d in found.items} == {
        ("bob", "+", "question 'Safari?'"),
        ("bob", "~", "concept 'Web Locks API' (label: 'Web Locks' -> 'Web Locks API')"),
        ("bob", "-", "concept 'Lockfile'"),
        ("bob", "+", "link 'Safari?' -raises-> 'Two tabs'"),
        ("bob", "-", "link 'Lockfile' -blocks-> 'Two tabs'"),
    }
    assert found.counts() == {
        "nodes added": 1,
        "nodes changed": 1,
        "nodes removed": 1,
        "links added": 1,
        "links removed": 1,
    }
    assert str(found).splitlines()[1:] == [
        "bob:",
        "  + question 'Safari?'",
        "  ~ concept 'Web Locks API' (label: 'Web Locks' -> 'Web Locks API')",
        "  - concept 'Lockfile'",
        "  + link 'Safari?' -raises-> 'Two tabs'",
        "  - link 'Lockfile' -blocks-> 'Two tabs'",
        "1 nodes added, 1 nodes changed, 1 nodes removed, 1 links added, 1 links removed",
    ]


def test_the_diff_command_prints_the_library_diff(versions: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(main, ["diff", *map(str, versions)])
    assert result.exit_code == 0, result.output
    assert result.output == str(diff(*(read_version(str(p)) for p in versions))) + "\n"
    assert "bob:\n  + question 'Safari?'" in result.output


def test_log_tells_each_change(versions: tuple[Path, Path]) -> None:
    lines = history_lines(read_version(str(versions[1])).state)
    assert [line.split(" ", 1)[1] for line in lines] == [
        "ann: added topic 'Locking'",
        "ann: added concept 'Web Locks', added obstacle 'Two tabs', added concept 'Lockfile', "
        "linked 'Lockfile' -blocks-> 'Two tabs'",
        "bob: renamed 'Web Locks' to 'Web Locks API', removed 'Lockfile', added question 'Safari?'",
        "bob: linked 'Safari?' -raises-> 'Two tabs'",
    ]
    last = lines[-1].split(" ", 1)[0]
    result = CliRunner().invoke(main, ["log", str(versions[1]), "--since", last])
    assert result.exit_code == 0, result.output
    assert result.output == lines[-1] + "\n"


@pytest.mark.parametrize(
    ("since", "message"),
    [("yesterday", "--since 'yesterday' is not a date or time"), ("2026-13-01", "is not a date")],
)
def test_log_since_a_bad_date_is_one_line(
    versions: tuple[Path, Path], since: str, message: str
) -> None:
    result = CliRunner().invoke(main, ["log", str(versions[1]), "--since", since])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_merge_writes_the_union_and_reads_the_same_either_way(
    tmp_path: Path, versions: tuple[Path, Path]
) -> None:
    old, new = versions
    theirs = tmp_path / "theirs.jsonl"
    theirs.write_bytes(old.read_bytes())
    cm.ConceptMap.load(theirs, author="cy").apply("concept: IndexedDB -> Web Locks")
    before = {p: p.read_bytes() for p in (new, theirs)}
    runner = CliRunner()
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    for first, second, out in [(new, theirs, one), (theirs, new, two)]:
        result = runner.invoke(main, ["merge", str(first), str(second), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"wrote {out} (")
    assert {p: p.read_bytes() for p in (new, theirs)} == before  # the inputs are untouched
    assert one.read_bytes() != two.read_bytes()
    a, b = read_version(str(one)), read_version(str(two))
    assert picture(a.state) == picture(b.state)
    assert {"IndexedDB", "Safari?", "Web Locks API"} <= {
        d["label"] for _, d in a.state.graph.nodes(data=True)
    }


def test_merge_refuses_to_write_over_an_input_or_an_existing_file(
    tmp_path: Path, versions: tuple[Path, Path]
) -> None:
    old, new = versions
    before = new.read_bytes()
    with pytest.raises(MapFileError, match="one of the maps merged"):
        merge_maps(str(old), str(new), new, force=True)
    assert new.read_bytes() == before
    out = tmp_path / "out.jsonl"
    out.write_text("mine")
    result = CliRunner().invoke(main, ["merge", str(old), str(new), "-o", str(out)])
    assert result.exit_code == 1
    assert "exists already (--force replaces it)" in result.output
    assert out.read_text() == "mine"


def test_merge_of_something_that_is_no_map_writes_nothing(
    tmp_path: Path, versions: tuple[Path, Path]
) -> None:
    other = tmp_path / "notes.md"
    other.write_text("# notes\n")
    out = tmp_path / "out.jsonl"
    with pytest.raises(MapFileError, match="is not a conceptmap map"):
        merge_maps(str(versions[0]), str(other), out)
    assert not out.exists()


@pytest.mark.parametrize(
    ("first", "second", "want"),
    [
        (b"h\na\nb\n", b"h\na\nc\n", b"h\na\nb\nc\n"),
        (b"h\na\n", b"h\na\n", b"h\na\n"),
        (b"h\na\na\n", b"h\na\na\na\n", b"h\na\na\na\n"),  # counted, not a set
        (b"h\na\n", b"H\nb\n", b"h\na\nb\n"),  # the second header never comes in
        (b"h\na\ntorn", b"h\nb\n", b"h\na\nb\n"),
    ],
)
def test_union_lines(first: bytes, second: bytes, want: bytes) -> None:
    assert union_lines(first, second) == want


def test_a_git_spec_that_is_not_one_is_one_line() -> None:
    result = CliRunner().invoke(main, ["log", "git:HEAD"])
    assert result.exit_code == 1
    assert "'git:HEAD' is not git:REV:PATH" in result.output


def test_merge_reports_conflicts_as_warnings(tmp_path: Path, versions: tuple[Path, Path]) -> None:
    old, new = versions
    theirs = tmp_path / "theirs.jsonl"
    theirs.write_bytes(old.read_bytes())
    cm.ConceptMap.load(theirs, author="cy").apply("rename: Web Locks => Locks")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MapFileWarning)
        merged = merge_maps(str(new), str(theirs), tmp_path / "m.jsonl")
    said = [str(w.message) for w in caught] + merged.problems
    assert any("conflict: cy changed the label of 'web-locks'" in s for s in said)
    assert merged.state.graph.nodes["web-locks"]["label"] == "Locks"  # cy renamed later


@pytest.mark.parametrize("command", ["sessions", "new"])
def test_sessions_and_new_write_gitattributes_once(tmp_path: Path, command: str) -> None:
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / ".gitattributes").write_text("*.png binary\n")
    agenda = Path(__file__).parent / "data" / "agendas" / "graphsync.md"
    args = {
        "sessions": ["sessions", str(agenda), "-o", str(tmp_path / "nb"), "--maps", str(maps)],
        "new": ["new", str(maps / "x.jsonl"), "--topic", "GraphSync"],
    }[command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    attributes = maps / ".gitattributes"
    assert f"wrote {attributes} (*.jsonl merge=union: git merges maps line by line)" in (
        result.stdout
    )
    text = attributes.read_text()
    assert text.startswith("*.png binary\n# conceptmap: ")
    assert text.splitlines()[-1] == "*.jsonl merge=union"
    if command == "new":
        args[1] = str(maps / "y.jsonl")
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "gitattributes" not in again.stdout
    assert attributes.read_text() == text


def test_a_link_to_a_node_removed_earlier_on_the_other_side_is_skipped_and_said(
    tmp_path: Path,
) -> None:
    base = tmp_path / "base.jsonl"
    cm.ConceptMap.create(base, "T", author="ann").apply("concept: Lockfile\nconcept: Tabs")
    gone, linked = tmp_path / "gone.jsonl", tmp_path / "linked.jsonl"
    for path in (gone, linked):
        path.write_bytes(base.read_bytes())
    cm.ConceptMap.load(gone, author="bob").remove("Lockfile")  # first in time
    cy = cm.ConceptMap.load(linked, author="cy")
    cy.apply("Lockfile -blocks-> Tabs")
    cy.apply("rename: Tabs => Two")
    results = [
        merge_maps(str(x), str(y), tmp_path / f"{n}.jsonl")
        for n, (x, y) in enumerate([(gone, linked), (linked, gone)])
    ]
    for merged in results:
        assert "lockfile" not in merged.state.graph
        assert merged.state.graph.nodes["tabs"]["label"] == "Two"
        said = [p.split(": ", 1)[1] for p in merged.problems]
        assert any(
            "add_edge refers to the node 'lockfile', which bob removed at " in s
            and s.endswith("(a conflict: the removal wins); skipped")
            for s in said
        ), said
    assert picture(results[0].state) == picture(results[1].state)


def test_log_says_which_change_an_undo_undid(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    m = cm.ConceptMap.create(path, "T", author="ann")
    m.apply("concept: Lease")
    undone = m.undo().undid
    lines = history_lines(read_version(str(path)).state)
    assert lines[-1].endswith(f"ann (undo of the change of {undone}): removed 'Lease'")
    assert history_lines(read_version(str(path)).state, since="2999-01-01") == []
