"""Writers killed at any moment: what they were told was written stays readable.

A child process appends nodes in a loop and prints each label only after
``add`` returned (the line is written and synced). The test kills it with
SIGKILL at a random moment; the map must then load, hold every printed label,
and report (as ``MapFileWarning``) exactly the lines it could not read.
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from conceptmap import ConceptMap, MapFileWarning
from conceptmap.core.store import TORN_END, encode

pytestmark = pytest.mark.slow

TOPIC = "Crashing writers"
CHILD = r"""
import sys
from conceptmap import ConceptMap

path, prefix, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = ConceptMap.open(path, topic="Crashing writers", author=prefix)
notes = "n" * size
j = 0
while True:
    label = f"{prefix}-{j}"
    m.concept(label, notes=notes)
    print(label, flush=True)  # only after add() returned
    j += 1
"""
LINE = re.compile(r", line (\d+): ")
WAIT = 60.0  # seconds: only a hang reaches it


def line_of(message: str) -> int:
    """The line number a MapFileWarning message names."""
    found = LINE.search(message)
    assert found, message
    return int(found.group(1))


def load_recording(path: Path, m: ConceptMap | None = None) -> tuple[ConceptMap, list[str]]:
    """Load (or refresh ``m``), returning the MapFileWarning messages it issued."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if m is None:
            m = ConceptMap.load(path)
        else:
            m.refresh()
    assert all(issubclass(w.category, MapFileWarning) for w in caught), caught
    return m, [str(w.message) for w in caught]


def unreadable_lines(data: bytes) -> set[int]:
    """Numbers of the lines a reader must skip: not JSON, or not finished by a newline."""
    *complete, tail = data.split(b"\n")
    bad = set()
    for number, raw in enumerate(complete, 1):
        try:
            json.loads(raw)
        except ValueError:
            bad.add(number)
    if tail:
        bad.add(len(complete) + 1)
    return bad


def labels_by(m: ConceptMap) -> dict[str, str]:
    return {a["label"]: a["author"] for _, a in m.graph.nodes(data=True)}


def test_killed_writers_lose_nothing_they_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    expected: dict[str, str] = {}
    live: ConceptMap | None = None  # one reader that lives through every crash
    torn = 0
    for r in range(15):
        prefix = f"r{r}"
        size = rng.choice((0, 100, 4096, 65536))  # the notes: longer lines, longer writes
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), prefix, str(size)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        stdout, stderr = child.stdout, child.stderr
        assert stdout is not None
        assert stderr is not None
        try:
            printed = []
            for _ in range(rng.randint(1, 4)):
                line = stdout.readline()
                if not line.endswith("\n"):
                    child.wait(WAIT)
                    pytest.fail(f"the child stopped by itself (seed {seed}):\n{stderr.read()}")
                printed.append(line.strip())
            time.sleep(rng.uniform(0, 0.04))
        finally:
            child.kill()
            child.wait(WAIT)
        with stdout, stderr:
            rest, err = stdout.read(), stderr.read()
        assert child.returncode == -signal.SIGKILL, err
        printed += rest.split("\n")[:-1]  # a last line cut off by the kill was not reported
        assert printed == [f"{prefix}-{j}" for j in range(len(printed))]
        if r % 4 == 3:
            # a kill rarely tears a line (the write is short, the fsync after it long):
            # tear one by hand, as a kill in the middle of the write would have
            op = {"op": "add_node", "id": "x", "label": f"{prefix} torn", "kind": "concept"}
            whole = encode({**op, "notes": "n" * size, "by": prefix, "at": "2024"})
            with open(path, "ab") as f:
                f.write(whole[: rng.randint(16, len(whole) - 2)])  # never a whole JSON object

        data = path.read_bytes()
        m, messages = load_recording(path)
        assert path.read_bytes() == data, "loading changed the file"
        context = f"round {r}, seed {seed}, messages {messages}"
        # exactly the unreadable lines are reported, each with the file and its number
        assert all(msg.startswith(f"{path}, line ") for msg in messages), context
        reported = {line_of(msg) for msg in messages}
        assert reported == unreadable_lines(data), context
        assert len(messages) == len(reported), context
        torn += not data.endswith(b"\n")

        who = labels_by(m)
        for label in printed:
            expected[label] = prefix
        for label, author in expected.items():  # this round's and every earlier round's
            assert who.get(label) == author, f"{label} lost ({context})"
        # the child wrote what it printed and at most the one add() it was killed in
        mine = [lb for lb, a in who.items() if a == prefix and lb != TOPIC]
        mine.sort(key=lambda label: int(label.rpartition("-")[2]))
        assert mine in (printed, [*printed, f"{prefix}-{len(printed)}"]), context
        if len(mine) > len(printed):
            expected[mine[-1]] = prefix
        assert m.meta["topic"] == TOPIC
        assert len(m) == len(expected) + 1, context

        # a map that has lived through every crash so far reads the same, incrementally
        if live is None:
            live = m
        else:
            live, _ = load_recording(path, live)
            assert labels_by(live) == who, context
    # the file as a whole: every unreadable line is a fragment of a killed write
    data = path.read_bytes()
    for number in unreadable_lines(data):
        raw = data.split(b"\n")[number - 1]
        assert raw.startswith(b'{"op":"add_node"'), raw[:80]
    assert torn >= 3  # at least the lines torn by hand


def test_torn_last_line_is_reported_kept_and_finished(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    alice = ConceptMap.create(path, "Torn", author="alice")
    alice.concept("first")
    alice.concept("second")
    fragment = b'{"op":"add_node","id":"x'
    with open(path, "ab") as f:  # a writer killed mid-append
        f.write(fragment)
    torn = path.read_bytes()
    number = torn.count(b"\n") + 1  # the fragment's line: header, topic, first, second, then it
    assert number == 5

    with pytest.warns(MapFileWarning) as record:
        bob = ConceptMap.load(path, author="bob")
    assert len(record) == 1
    message = str(record[0].message)
    assert message.startswith(f"{path}, line {number}: ")
    assert "incomplete" in message
    assert bob.problems == [message]
    assert labels_by(bob) == {"Torn": "alice", "first": "alice", "second": "alice"}
    assert path.read_bytes() == torn, "loading changed the file"

    # bob appends: on a line of its own after the fragment, which stays as it was;
    # bob read the fragment already, so it is not reported again (warnings are errors here)
    bob.concept("third")
    data = path.read_bytes()
    # the fragment's line is ended with TORN_END ("~\n"), so it can never parse
    assert data.startswith(torn + TORN_END)
    added = data[len(torn) + len(TORN_END) :]
    assert added.endswith(b"\n")
    assert added.count(b"\n") == 1
    op = json.loads(added)
    assert (op["op"], op["label"], op["by"]) == ("add_node", "third", "bob")
    assert data.split(b"\n")[number - 1] == fragment + TORN_END[:-1]

    with pytest.warns(MapFileWarning) as record:
        fresh = ConceptMap.load(path)
    assert [str(w.message) for w in record] == [
        f"{path}, line {number}: is not a complete JSON line (a torn write?); skipped"
    ]
    assert labels_by(fresh) == {**labels_by(bob), "third": "bob"}
    assert labels_by(bob)["third"] == "bob"

    # alice had read up to the fragment's start: she now meets it as a finished bad line,
    # and appends without another line break of her own
    with pytest.warns(MapFileWarning, match=rf", line {number}: is not a complete JSON line"):
        alice.concept("fourth")
    after = path.read_bytes()
    assert after[: len(data)] == data
    assert after[len(data) :] == encode(alice.history[-1])
    assert alice.history[-1]["label"] == "fourth"
    assert labels_by(alice) == {**labels_by(fresh), "fourth": "alice"}

    # lines after the fragment keep their true numbers, in a long-lived map and a fresh one
    duplicate = {"op": "add_node", "id": "first", "label": "first", "kind": "concept"}
    with open(path, "ab") as f:
        f.write(encode({**duplicate, "by": "mallory", "at": "2024-01-01T00:00:00.000Z"}))
    line = number + 3  # fragment, third, fourth, then the duplicate
    with pytest.warns(MapFileWarning, match=rf", line {line}: node 'first' exists already"):
        assert len(bob) == 5
    with pytest.warns(MapFileWarning) as record:
        fresh = ConceptMap.load(path)
    assert [line_of(str(w.message)) for w in record] == [number, line]
    with pytest.warns(MapFileWarning, match=rf", line {line}: node 'first' exists already"):
        assert labels_by(alice) == labels_by(fresh) == labels_by(bob)
    assert path.read_bytes().split(b"\n")[number - 1] == fragment + TORN_END[:-1]


def test_torn_line_missing_only_its_newline_stays_skipped(tmp_path: Path) -> None:
    """A writer killed between the last byte of a record and its newline.

    Readers skip the line while it is torn, so the next writer plans without it.
    Once that writer's append finishes the line, the record must not come back:
    otherwise the file says something else than what the writer was told it wrote.
    """
    path = tmp_path / "x.jsonl"
    ConceptMap.create(path, "Torn", author="alice")
    op = {"op": "add_node", "id": "foo", "label": "foo", "kind": "obstacle"}
    with open(path, "ab") as f:
        f.write(encode({**op, "by": "killed", "at": "2024-01-01T00:00:00.000Z"})[:-1])
    with pytest.warns(MapFileWarning, match="incomplete"):
        bob = ConceptMap.load(path, author="bob")
    assert "foo" not in bob
    bob.concept("foo")
    assert bob.node("foo")["author"] == "bob"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fresh = ConceptMap.load(path)
    assert fresh.node("foo")["kind"] == "concept"
    assert fresh.node("foo")["author"] == "bob"
    assert [m for m in map(str, (w.message for w in caught)) if "exists already" in m] == []
