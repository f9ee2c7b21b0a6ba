"""Several processes sharing one map file: writers, readers and a compaction.

Every worker runs in a process of its own (the ``spawn`` start method, so no
state is inherited from the test process) and turns ``MapFileWarning`` into an
error: a clean concurrent history must never look torn or inconsistent.
Workers report back through queues; a worker that fails reports its traceback.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import queue
import time
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conceptmap import ConceptMap, MapFileWarning

pytestmark = pytest.mark.slow

CTX = multiprocessing.get_context("spawn")
TOPIC = "Sharing one map"
WAIT = 60.0  # seconds: far more than anything here takes; only a hang reaches it


# -- helpers (module level, so that spawned processes can import them) ---------------------
def snapshot(m: ConceptMap) -> dict[str, Any]:
    """Everything a map says, as plain data: nodes, links and metadata."""
    g = m.graph
    return {
        "nodes": {n: dict(a) for n, a in g.nodes(data=True)},
        "edges": sorted(
            (u, v, k, sorted(a.items())) for u, v, k, a in g.edges(keys=True, data=True)
        ),
        "meta": dict(m.meta),
    }


def authors(m: ConceptMap) -> dict[str, str]:
    """label -> author of every node, read through ``m.graph``."""
    return {a["label"]: a["author"] for _, a in m.graph.nodes(data=True)}


@contextmanager
def processes(*procs: Any) -> Iterator[None]:
    """Start the processes; on the way out, end (by handle) any that still run."""
    started = []
    try:
        for p in procs:
            p.start()
            started.append(p)
        yield
        for p in started:
            p.join(WAIT)
            assert p.exitcode == 0, f"{p.name} exited with {p.exitcode}"
    finally:
        for p in started:
            if p.is_alive():
                p.terminate()
                p.join(5)


def get(q: Any, what: str) -> Any:
    try:
        return q.get(timeout=WAIT)
    except queue.Empty:
        pytest.fail(f"no word from {what} in {WAIT:g} s")


def file_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of the map file, each of which must be one JSON object."""
    data = path.read_bytes()
    assert data.endswith(b"\n"), "the map file does not end with a newline"
    lines = data.split(b"\n")[:-1]
    parsed = []
    for number, raw in enumerate(lines, 1):
        try:
            parsed.append(json.loads(raw))
        except ValueError:
            pytest.fail(f"line {number} of the map file is not JSON: {raw[:80]!r}")
    return parsed


# -- workers --------------------------------------------------------------------------------
def writer(path: str, index: int, count: int, barrier: Any, reading: Any, out: Any) -> None:
    warnings.simplefilter("error", MapFileWarning)
    try:
        barrier.wait(WAIT)
        m = ConceptMap.open(path, topic=TOPIC, author=f"writer-{index}")
        ids = []
        for j in range(count):
            if j == count // 2:
                # halfway: make sure the reader reads while there is still writing to do
                assert reading.wait(WAIT), "the reader never got going"
            ids.append(m.concept(f"w{index}-{j}"))
            # a pause, free of the lock: the file lock polls, so without one the writer
            # that holds it would take it again at once, and again, for long runs
            time.sleep(0.001)
        out.put(("ok", index, ids, len(m)))
    except BaseException:
        out.put(("error", index, traceback.format_exc(), None))


def reader(path: str, barrier: Any, reading: Any, stop: Any, out: Any) -> None:
    """Load the map over and over until told to stop; counts may never go down."""
    warnings.simplefilter("error", MapFileWarning)
    loads = refreshes = 0
    seen: list[int] = []
    try:
        barrier.wait(WAIT)
        deadline = time.monotonic() + WAIT
        while not os.path.exists(path):  # the file appears whole (written, then renamed)
            assert time.monotonic() < deadline, "the map file never appeared"
            time.sleep(0.001)
        live = ConceptMap.load(path)
        while True:
            done = stop.is_set()  # read once more after the writers finished
            fresh = ConceptMap.load(path)
            loads += 1
            n = len(fresh)
            assert not seen or n >= seen[-1], f"a fresh load saw {n} nodes after {seen[-1]}"
            seen.append(n)
            live.refresh()
            refreshes += 1
            n = live.graph.number_of_nodes()
            assert n >= seen[-1], f"the long-lived map saw {n} nodes after {seen[-1]}"
            seen.append(n)
            if loads == 3:
                reading.set()
            time.sleep(0.005)  # each load holds the lock a while: leave the writers room
            if done:
                break
        out.put(("ok", loads, refreshes, seen, snapshot(live), snapshot(fresh)))
    except BaseException:
        out.put(("error", loads, refreshes, seen, traceback.format_exc(), None))
    finally:
        reading.set()  # never leave the writers waiting


def keeper(path: str, author: str, commands: Any, replies: Any) -> None:
    """Keep one map open and do what the test asks, replying with what the map says."""
    warnings.simplefilter("error", MapFileWarning)
    try:
        m = ConceptMap.load(path, author=author)
        replies.put(("ok", snapshot(m)))
        while True:
            command, *args = commands.get(timeout=WAIT)
            if command == "stop":
                break
            if command == "add":
                label, other = args
                m.concept(label)
                if other is not None:
                    m.link(label, "relates_to", other)
            elif command != "look":
                raise ValueError(command)
            replies.put(("ok", snapshot(m)))
    except BaseException:
        replies.put(("error", traceback.format_exc()))


# -- tests ------------------------------------------------------------------------------------
WRITERS = 4
PER_WRITER = 250


def test_four_writers_and_a_reader_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "maps" / "x.jsonl"
    path.parent.mkdir()
    barrier = CTX.Barrier(WRITERS + 1)
    reading, stop = CTX.Event(), CTX.Event()
    results, reads = CTX.Queue(), CTX.Queue()
    writers = [
        CTX.Process(
            target=writer, args=(str(path), i, PER_WRITER, barrier, reading, results), name=f"w{i}"
        )
        for i in range(WRITERS)
    ]
    watcher = CTX.Process(
        target=reader, args=(str(path), barrier, reading, stop, reads), name="reader"
    )
    with processes(*writers, watcher):
        done = [get(results, "a writer") for _ in writers]
        stop.set()
        read = get(reads, "the reader")
    for status, index, ids, seen_by_writer in done:
        assert status == "ok", f"writer {index} failed:\n{ids}"
        assert ids == [f"w{index}-{j}" for j in range(PER_WRITER)]
        # a writer's own map holds at least its own nodes and the topic
        assert seen_by_writer >= PER_WRITER + 1
    status, loads, refreshes, seen, live, fresh = read
    assert status == "ok", f"the reader failed after {loads} loads:\n{live}"
    assert loads > 3
    assert refreshes == loads
    assert seen == sorted(seen)
    assert seen[0] < WRITERS * PER_WRITER + 1  # it read while the writers were writing
    assert seen[-1] == WRITERS * PER_WRITER + 1
    # reading incrementally (refresh) and from scratch (load) agree on every attribute
    assert live == fresh

    m = ConceptMap.load(path)
    assert len(m) == WRITERS * PER_WRITER + 1
    assert m.meta["topic"] == TOPIC
    assert [a["kind"] for _, a in m.graph.nodes(data=True)].count("topic") == 1
    who = authors(m)
    for i in range(WRITERS):
        for j in range(PER_WRITER):
            assert who[f"w{i}-{j}"] == f"writer-{i}"
    assert sorted(m.meta["participants"]) == [f"writer-{i}" for i in range(WRITERS)]
    assert live["nodes"] == snapshot(m)["nodes"]

    lines = file_lines(path)
    assert lines[0]["format"] == "conceptmap"
    ops = lines[1:]
    assert len(ops) == WRITERS * PER_WRITER + 1  # one line per node: no duplicates, no gaps
    assert all(op["op"] == "add_node" for op in ops)
    for i in range(WRITERS):
        mine = [op["label"] for op in ops if op["by"] == f"writer-{i}" and op["kind"] != "topic"]
        assert mine == [f"w{i}-{j}" for j in range(PER_WRITER)]  # each writer's order kept
    # the writers really took turns: the pause halfway alone makes fewer than 2 runs each
    switches = sum(a["by"] != b["by"] for a, b in itertools.pairwise(ops[1:]))
    assert switches > 2 * WRITERS


def test_two_long_lived_maps_take_turns(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    ConceptMap.create(path, TOPIC, author="host")
    names = ("alice", "bob")
    commands = {name: CTX.Queue() for name in names}
    replies = {name: CTX.Queue() for name in names}
    procs = [
        CTX.Process(target=keeper, args=(str(path), n, commands[n], replies[n]), name=n)
        for n in names
    ]
    expected_nodes = {TOPIC: "host"}
    expected_edges: set[tuple[str, str, str]] = set()

    def ask(name: str, *command: Any) -> dict[str, Any]:
        commands[name].put(command)
        status, snap = get(replies[name], name)
        assert status == "ok", f"{name} failed:\n{snap}"
        return dict(snap)

    def check(name: str, snap: dict[str, Any]) -> None:
        nodes = {a["label"]: a["author"] for a in snap["nodes"].values()}
        assert nodes == expected_nodes, f"{name} sees another map"
        edges = {(u, v, dict(a)["author"]) for u, v, _, a in snap["edges"]}
        assert edges == expected_edges, f"{name} sees other links"
        assert snap["meta"]["participants"] == list(dict.fromkeys(["host", *order]))

    order: list[str] = []
    with processes(*procs):
        for name in names:
            status, snap = get(replies[name], name)
            assert status == "ok", f"{name} failed:\n{snap}"
            check(name, snap)
        previous: str | None = None
        for turn in range(20):
            for name in names:
                other = names[1 - names.index(name)]
                label = f"{name}-{turn}"
                order.append(name)
                expected_nodes[label] = name
                if previous is not None:
                    expected_edges.add((label, previous, name))
                check(name, ask(name, "add", label, previous))
                # the other map sees it on its next read, without writing anything
                check(other, ask(other, "look"))
                previous = label
        for name in names:
            commands[name].put(("stop",))
    m = ConceptMap.load(path)
    assert authors(m) == expected_nodes
    assert len(file_lines(path)) == 1 + len(expected_nodes) + len(expected_edges)


def _build_history(path: Path) -> ConceptMap:
    """A map whose log holds much that compaction drops: updates, removals, links."""
    m = ConceptMap.create(path, TOPIC, author="host")
    for i in range(40):
        m.concept(f"node {i}", notes=f"first notes {i}")
    for i in range(0, 40, 2):
        m.update(f"node {i}", notes=f"second notes {i}")
    for i in range(10):
        m.link(f"node {i}", "depends_on", f"node {i + 10}")
        m.link(f"node {i}", '"is stored in"', f"node {i + 20}")
    for i in range(30, 40):
        m.remove(f"node {i}")
    m.rename("node 1", "Node One")
    m.set_meta("source", "a test")
    return m


def test_compaction_under_a_long_lived_map(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    m = _build_history(path)
    commands, replies = CTX.Queue(), CTX.Queue()
    proc = CTX.Process(target=keeper, args=(str(path), "keeper", commands, replies))

    def ask(*command: Any) -> dict[str, Any]:
        if command:
            commands.put(command)
        status, snap = get(replies, "the keeper")
        assert status == "ok", f"the keeper failed:\n{snap}"
        return dict(snap)

    with processes(proc):
        before = snapshot(ConceptMap.load(path))
        assert ask() == before
        ino, lines = path.stat().st_ino, len(file_lines(path))

        # 1. compacted: the file is replaced by a shorter one of the same map
        m.compact()
        assert path.stat().st_ino != ino
        assert len(file_lines(path)) < lines
        assert snapshot(ConceptMap.load(path)) == before
        assert snapshot(m) == before
        assert ask("look") == before

        # 2. the keeper appends to the new file; both sides see it
        snap = ask("add", "after compaction", "node 2")
        read_to = path.stat().st_size  # the keeper has read (and written) all of it
        after = snapshot(ConceptMap.load(path))
        assert snap == after
        assert snapshot(m) == after
        assert after["nodes"]["after-compaction"]["author"] == "keeper"
        assert ("after-compaction", "node-2", "relates_to") in {e[:3] for e in after["edges"]}
        assert len(after["nodes"]) == len(before["nodes"]) + 1

        # 3. compacted again and then grown past where the keeper had read to: only the
        #    file's identity, not its size, says it was replaced
        m.compact()
        for i in range(60):
            m.concept(f"grown {i}")
        assert path.stat().st_size > read_to
        assert ask("look") == snapshot(ConceptMap.load(path))
        snap = ask("add", "last", None)
        assert snap == snapshot(ConceptMap.load(path)) == snapshot(m)
        commands.put(("stop",))
    file_lines(path)


def test_replaced_twice_and_back_on_the_old_inode(tmp_path: Path) -> None:
    """Two compactions between reads: the new file may get the old inode number back.

    On ext4 it does (each compaction frees the inode the one before took), so
    neither the inode number nor the size tells the keeper the file was replaced.
    """
    path = tmp_path / "x.jsonl"
    m = _build_history(path)
    m.compact()  # let the file settle on inode numbers the file system hands out again
    m.compact()
    commands, replies = CTX.Queue(), CTX.Queue()
    proc = CTX.Process(target=keeper, args=(str(path), "keeper", commands, replies))
    with processes(proc):
        status, snap = get(replies, "the keeper")
        assert status == "ok", snap
        read_to, ino = path.stat().st_size, path.stat().st_ino
        # changes the keeper has not read, then compactions that fold them in
        m.remove("node 3")
        m.update("node 4", notes="changed after the keeper read")
        for _ in range(10):  # on ext4 the second one is back on the keeper's inode
            m.compact()
            if path.stat().st_ino == ino:
                break
        i = 0
        while path.stat().st_size <= read_to:  # past where the keeper read to
            m.concept(f"grown {i}")
            i += 1
        commands.put(("look",))
        status, snap = get(replies, "the keeper")
        commands.put(("stop",))
        assert status == "ok", f"the keeper failed:\n{snap}"
        expected = snapshot(ConceptMap.load(path))
        assert "node-3" not in snap["nodes"]
        assert snap == expected
