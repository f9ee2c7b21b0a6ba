"""The map file: its format, sharing it, and what bad files do (and do not) cause."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

import conceptmap as cm


def lines(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_new_map_file_is_a_header_and_operations(map_path: Path) -> None:
    header, topic = lines(map_path)
    assert header["format"] == "conceptmap"
    assert header["version"] == 1
    assert header["topic"] == "Locking the IPFS repo"
    assert header["created"].endswith("Z")
    assert topic["op"] == "add_node"
    assert (topic["id"], topic["kind"], topic["by"]) == ("locking-the-ipfs-repo", "topic", "alice")


def test_every_change_is_one_appended_line(map_path: Path) -> None:
    before = map_path.read_bytes()
    m = cm.ConceptMap.load(map_path, author="bob")
    m.link("Web Locks API", "depends_on", "Browser")
    after = map_path.read_bytes()
    assert after.startswith(before)
    added = [json.loads(x) for x in after[len(before) :].decode().splitlines()]
    assert [op["op"] for op in added] == ["add_node", "add_node", "add_edge"]
    assert {op["by"] for op in added} == {"bob"}
    assert len({op["at"] for op in added}) == 1  # one change, one time


def test_loading_replays_the_log(map_path: Path) -> None:
    m = cm.ConceptMap.load(map_path, author="bob")
    m.apply("obstacle: Two tabs\nproposal: Web Locks -addresses-> Two tabs")
    m.rename("Two tabs", "Two tabs write at once")
    m.remove("Web Locks")
    m.set_meta("date", "2018-07-15")
    again = cm.ConceptMap.load(map_path)
    assert again.to_node_link() == m.to_node_link()
    assert again.history == m.history
    assert again.meta["participants"] == ["alice", "bob"]


def test_another_map_object_sees_appended_operations(map_path: Path) -> None:
    reader = cm.ConceptMap.load(map_path)
    writer = cm.ConceptMap.load(map_path, author="carol")
    writer.concept("Leader election")
    assert "Leader election" in reader
    assert reader.node("Leader election")["author"] == "carol"
    assert reader.refresh() is False  # nothing new since


def test_planning_uses_the_latest_state(map_path: Path) -> None:
    a = cm.ConceptMap.load(map_path, author="a")
    b = cm.ConceptMap.load(map_path, author="b")
    a.obstacle("Stale locks")
    # b has not read a's line yet; its add must not make a second node
    assert b.add("stale locks", "obstacle") == "stale-locks"
    assert sum(op["op"] == "add_node" for op in lines(map_path)[1:]) == 2


def test_open_creates_once_and_then_loads(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "x.jsonl"
    m = cm.ConceptMap.open(path, "GraphSync", author="vmx")
    assert path.exists()
    m.concept("Selectors")
    before = path.read_bytes()
    again = cm.ConceptMap.open(path, "A different topic", author="vmx")
    assert again.meta["topic"] == "GraphSync"  # topic is only for a new map
    assert path.read_bytes() == before
    with pytest.raises(cm.MapFileError, match="exists already"):
        cm.ConceptMap.create(path, "GraphSync")
    assert path.read_bytes() == before


def test_an_empty_file_is_a_map_not_yet_begun(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.touch()
    with pytest.raises(cm.MapFileError, match="is empty"):
        cm.ConceptMap.load(path)
    m = cm.ConceptMap.open(path, "Private DHT", author="d")
    assert cm.ConceptMap.load(path).meta["topic"] == "Private DHT"
    assert len(m) == 1


def test_map_files_are_as_readable_as_any_new_file(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "shared.jsonl"
        m = cm.ConceptMap.create(path, "Shared", author="a")
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # others can read it, as with touch
        path.chmod(0o664)
        m.compact()
        assert stat.S_IMODE(path.stat().st_mode) == 0o664  # a rewrite keeps the file's mode
    finally:
        os.umask(old)


def test_save_writes_the_history_and_binds_the_file(tmp_path: Path) -> None:
    m = cm.ConceptMap("GraphSync", author="vmx")
    m.concept("Selectors")
    m.rename("Selectors", "IPLD selectors")
    path = tmp_path / "g.jsonl"
    m.save(path)
    assert [op["op"] for op in lines(path)[1:]] == ["add_node", "add_node", "update_node"]
    m.concept("Bitswap")
    assert "Bitswap" in cm.ConceptMap.load(path)
    with pytest.raises(cm.MapFileError, match="exists already"):
        m.save(path)


def test_compact_rewrites_atomically_to_an_equal_shorter_log(map_path: Path) -> None:
    m = cm.ConceptMap.load(map_path, author="bob")
    for i in range(20):
        m.concept(f"Temp {i}")
    for i in range(20):
        m.remove(f"Temp {i}")
    m.link("A", '"is stored in"', "B")
    m.set_meta("date", "2018-07-15")
    state = m.to_node_link()
    size = map_path.stat().st_size
    other = cm.ConceptMap.load(map_path)
    m.compact()
    assert map_path.stat().st_size < size / 3
    assert [op["op"] for op in lines(map_path)[1:]] == [
        "set_meta",
        "set_meta",
        "add_node",
        "add_node",
        "add_node",
        "add_edge",
        "place",  # the picture stays: every node pinned where it was drawn
    ]
    assert m.to_node_link() == state
    assert cm.ConceptMap.load(map_path).to_node_link() == state
    assert other.to_node_link() == state  # it notices the file was replaced
    assert [p.name for p in map_path.parent.iterdir() if not p.name.endswith(".lock")] == [
        map_path.name
    ]


def append_raw(path: Path, data: bytes) -> None:
    with open(path, "ab") as f:
        f.write(data)


def test_garbage_lines_are_reported_skipped_and_kept(map_path: Path) -> None:
    m = cm.ConceptMap.load(map_path, author="bob")
    m.concept("Before")
    append_raw(map_path, b'{"op":"add_node","id":"torn\n<<<<<<< HEAD\n\xff\xfe\n')
    with pytest.warns(cm.MapFileWarning):
        cm.ConceptMap.load(map_path, author="bob").concept("After")
    before = map_path.read_bytes()
    with pytest.warns(cm.MapFileWarning) as caught:
        again = cm.ConceptMap.load(map_path)
    messages = [str(w.message) for w in caught]
    assert messages == [
        f"{map_path}, line {n}: is not a complete JSON line (a torn write?); skipped"
        for n in (4, 5, 6)
    ]
    assert again.problems == messages
    assert {"Before", "After"} <= {a["label"] for _, a in again.graph.nodes(data=True)}
    assert map_path.read_bytes() == before
    assert any(f.code == "file-problem" for f in again.check())


@pytest.mark.filterwarnings("ignore::conceptmap.MapFileWarning")
def test_dangling_and_duplicate_operations_are_skipped_with_their_line(map_path: Path) -> None:
    ops = [
        {
            "op": "add_edge",
            "source": "locking-the-ipfs-repo",
            "target": "ghost",
            "relation": "relates_to",
            "by": "x",
            "at": "2026-01-01T00:00:00.000Z",
        },
        {
            "op": "add_node",
            "id": "locking-the-ipfs-repo",
            "label": "Dup",
            "kind": "concept",
            "by": "x",
            "at": "2026-01-01T00:00:00.000Z",
        },
        {"op": "remove_node", "id": "ghost", "by": "x", "at": "2026-01-01T00:00:00.000Z"},
    ]
    append_raw(map_path, b"".join(json.dumps(op).encode() + b"\n" for op in ops))
    m = cm.ConceptMap.load(map_path)
    assert len(m) == 1
    assert [p.split(": ", 1)[0] for p in m.problems] == [f"{map_path}, line {n}" for n in (3, 4, 5)]
    assert "missing node 'ghost'" in m.problems[0]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"nodes": [], "links": []}\n', ["is not a conceptmap map", "line 1"]),
        (b"hello, world\n", ["line 1 is not JSON"]),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ["line 1 is not JSON"]),
        (
            b'{"format": "conceptmap", "version": 2}\n',
            ["format version 2", "reads up to version 1"],
        ),
        (b'{"format": "conceptmap", "version": "1"}\n', ["no valid format version"]),
        (b'{"format": "conceptmap", "ver', ["first line is incomplete"]),
    ],
)
def test_files_that_are_not_maps_are_clear_errors_and_stay_untouched(
    tmp_path: Path, content: bytes, words: list[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    for attempt in (
        lambda: cm.ConceptMap.load(path),
        lambda: cm.ConceptMap.open(path, "Topic", author="x"),
        lambda: cm.ConceptMap.open(path, author="x").concept("x"),
    ):
        with pytest.raises(cm.MapFileError) as info:
            attempt()
        assert str(info.value).startswith(str(path))
        for word in words:
            assert word in str(info.value)
        assert path.read_bytes() == content


HEADER = b'{"format": "conceptmap", "version": 1}\n'
TOPIC = b'{"op": "add_node", "id": "t", "label": "Topic", "kind": "topic", "by": "x", "at": "t"}\n'


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (b'{"op": "paint", "by": "x", "at": "t"}', ["unknown operation 'paint'"]),
        (b"[1, 2]", ["operation object"]),
        (
            b'{"op": "add_node", "id": "a", "label": "x", "kind": "idea", "by": "x", "at": "t"}',
            ["unknown kind 'idea'"],
        ),
        (
            b'{"op": "add_node", "id": "a", "label": "'
            + b"x" * 100_000
            + b'", "kind": "concept", "by": "x", "at": "t"}',
            ["at most 300"],
        ),
        (
            b'{"op": "add_node", "id": "a", "label": "a\\u0000b", "kind": "concept", "by": "x",'
            b' "at": "t"}',
            ["control character U+0000"],
        ),
        (
            b'{"op": "add_node", "id": "a", "label": "x", "kind": "concept", "at": "t"}',
            ["needs a text field 'by'"],
        ),
        (
            b'{"op": "set_meta", "key": "created", "value": 5, "by": "x", "at": "t"}',
            ["'created' must be text, got 5"],
        ),
        (
            b'{"op": "set_meta", "key": "participants", "value": "x", "by": "x", "at": "t"}',
            ["'participants' must be a list of names"],
        ),
    ],
)
def test_malformed_operations_are_reported_skipped_and_kept(
    tmp_path: Path, line: bytes, words: list[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    content = HEADER + line + b"\n" + TOPIC
    path.write_bytes(content)
    with pytest.warns(cm.MapFileWarning) as caught:
        m = cm.ConceptMap.load(path, author="y")
    (message,) = [str(w.message) for w in caught]
    assert message.startswith(f"{path}, line 2: ")
    assert message.endswith("; skipped")
    for word in words:
        assert word in message
    assert m.problems == [message]
    assert [n["label"] for n in m.nodes()] == ["Topic"]  # the rest of the map loads
    assert path.read_bytes() == content
    with pytest.warns(cm.MapFileWarning):
        cm.ConceptMap.open(path, author="y").concept("After")
    assert path.read_bytes().startswith(content)  # appended after; never rewritten


def test_a_header_with_a_foreign_created_is_reported_and_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    content = b'{"format": "conceptmap", "version": 1, "created": [1]}\n' + TOPIC
    path.write_bytes(content)
    with pytest.warns(cm.MapFileWarning, match=r"line 1: the header's 'created' must be text"):
        m = cm.ConceptMap.load(path)
    assert m.meta["created"] is None
    assert m.meta["topic"] == "Topic"
    assert path.read_bytes() == content


def test_compact_refuses_a_rewrite_that_would_not_read_back(map_path: Path) -> None:
    # a lone surrogate read from a JSON escape: UTF-8 cannot hold it, so no rewrite can
    append_raw(
        map_path, b'{"op": "set_meta", "key": "room", "value": "\\ud800", "by": "x", "at": "t"}\n'
    )
    m = cm.ConceptMap.load(map_path)
    before = map_path.read_bytes()
    with pytest.raises(cm.MapFileError, match="was not compacted: its rewrite would not read"):
        m.compact()
    assert map_path.read_bytes() == before
    assert [p.name for p in map_path.parent.iterdir() if not p.name.endswith(".lock")] == [
        map_path.name
    ]


def test_a_future_version_is_its_own_error(tmp_path: Path) -> None:
    path = tmp_path / "future.jsonl"
    path.write_text('{"format": "conceptmap", "version": 99}\n')
    with pytest.raises(cm.FormatVersionError, match="upgrade conceptmap"):
        cm.ConceptMap.load(path)


def test_missing_files_and_directories(tmp_path: Path) -> None:
    with pytest.raises(cm.MapFileError, match="does not exist"):
        cm.ConceptMap.load(tmp_path / "nope.jsonl")
    with pytest.raises(cm.MapFileError, match="not a regular file"):
        cm.ConceptMap.open(tmp_path)


@pytest.mark.parametrize("short", [False, True], ids=["at once", "after a short write"])
def test_a_failed_append_changes_neither_file_nor_memory(
    map_path: Path, monkeypatch: pytest.MonkeyPatch, short: bool
) -> None:
    m = cm.ConceptMap.load(map_path, author="bob")
    before, state = map_path.read_bytes(), m.to_node_link()
    write = os.write

    def disk_full(fd: int, data: bytes) -> int:
        if short and map_path.stat().st_size == len(before):
            return write(fd, bytes(data)[: len(data) // 2])  # half the batch, then full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("conceptmap.core.store.os.write", disk_full)
    with pytest.raises(cm.MapFileError, match="could not be appended to: No space left"):
        m.apply("obstacle: Two tabs -> Web Locks")
    assert map_path.read_bytes() == before
    assert m.to_node_link() == state
    monkeypatch.undo()
    m.apply("obstacle: Two tabs -> Web Locks")
    assert len(cm.ConceptMap.load(map_path)) == 3


def test_a_map_in_a_read_only_folder_loads_but_refuses_changes(
    map_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = map_path.read_bytes()

    def read_only(self: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("filelock.FileLock.acquire", read_only)
    m = cm.ConceptMap.load(map_path)
    assert m.meta["topic"] == "Locking the IPFS repo"
    with pytest.raises(cm.MapFileError, match="cannot create its lock file: Permission denied"):
        m.concept("x")
    assert map_path.read_bytes() == before
    assert len(m) == 1


def test_node_link_json_round_trip(tmp_path: Path, example: cm.ConceptMap) -> None:
    example.set_meta("date", "2018-07-15")
    example.update("Web Locks API", tags=["browser", "api"], url="https://developer.mozilla.org")
    path = example.export(tmp_path / "x.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["conceptmap"] == 1
    assert len(data["nodes"]) == len(example)
    back = cm.import_map(path)
    assert back.to_node_link() == example.to_node_link()
    # networkx reads it too
    import networkx as nx

    g = nx.node_link_graph(data, edges="edges")
    assert g.nodes["web-locks-api"]["tags"] == ["browser", "api"]
    assert g.number_of_edges() == example.graph.number_of_edges()


def test_export_to_an_unknown_suffix_says_which_are_known(example: cm.ConceptMap) -> None:
    with pytest.raises(cm.InvalidValueError, match=r"unknown file type '\.xlsx' \(known: \.json"):
        example.export("x.xlsx")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([], "needs a 'nodes' list"),
        ({"nodes": [{"id": "a"}]}, "node 0 has no text 'label'"),
        ({"nodes": [{"id": "a", "label": "A", "kind": "thing"}]}, "unknown kind 'thing'"),
        ({"nodes": [], "edges": [{"source": "a", "target": "b"}]}, "missing node 'a'"),
        ({"nodes": ["a"]}, "node 0 is not an object"),
    ],
)
def test_bad_node_link_data_is_refused(data: object, words: str) -> None:
    with pytest.raises(cm.ConceptMapError, match=words):
        cm.from_node_link(data)


def test_node_link_data_is_a_copy_both_ways(example: cm.ConceptMap) -> None:
    example.update("Web Locks API", tags=["browser"])
    data = example.to_node_link()
    snapshot = json.dumps(data, sort_keys=True)
    copy = cm.from_node_link(data)
    assert json.dumps(data, sort_keys=True) == snapshot  # the input is not touched
    data["nodes"][0]["label"] = "changed"
    data["graph"]["participants"].append("mallory")
    next(n for n in data["nodes"] if n["id"] == "web-locks-api")["tags"].append("x")
    assert example.to_node_link() == copy.to_node_link()  # nor are the maps, through it
    assert example.node("Web Locks API")["tags"] == ["browser"]
