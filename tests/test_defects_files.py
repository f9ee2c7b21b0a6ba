"""Issue 9, map and export files: symlinked maps, full disks, foreign values, atomic writes.

Every test here failed before the fix; each names the item of issue 9 it reproduces.
Full disks are real: a child process lowers its own ``RLIMIT_FSIZE`` (with ``SIGXFSZ``
ignored), so a write past the limit is cut short and the next one fails with ``EFBIG``,
as on a disk that filled up mid-write. Only public names are used (``conceptmap`` and
``conceptmap.cli.main``), in this process and in the children.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import conceptmap as cm
from conceptmap.cli import main

AGENDA = Path(__file__).parent / "data" / "agendas" / "deep-dive-sessions.md"
WAIT = 60.0  # seconds: only a hang reaches it
TIMESTAMP = "2026-01-01T00:00:00.000Z"

# A child that runs ``conceptmap ARGS...`` (or a snippet of Python) with a small
# RLIMIT_FSIZE: "limit" bytes is as large as any file it writes may grow.
LIMITED = r"""
import resource, signal, sys
import conceptmap as cm
from conceptmap.cli import main

limit, what, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
if what == "cli":
    main(args, prog_name="conceptmap")
m = cm.ConceptMap.load(args[0])
try:
    getattr(m, what)(args[1])
except cm.ConceptMapError as exc:
    print(f"Error: {exc}", file=sys.stderr)
    sys.exit(1)
"""


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def child_env() -> dict[str, str]:
    """The environment of a child: it imports the same conceptmap as this process."""
    root = str(Path(cm.__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}


def limited(limit: int, what: str, *args: object) -> subprocess.CompletedProcess[str]:
    """Run LIMITED in a child with RLIMIT_FSIZE = ``limit`` bytes."""
    return subprocess.run(
        [sys.executable, "-c", LIMITED, str(limit), what, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=WAIT,
        env=child_env(),
    )


def labels(path: Path) -> list[str]:
    return [n["label"] for n in cm.ConceptMap.load(path).nodes()]


def big_map(path: Path, nodes: int = 40) -> Path:
    """A map whose every export is well over 4 KB."""
    m = cm.ConceptMap.create(path, "Writing files that survive a full disk", author="alice")
    label = "Obstacle number {} of the full disk".format
    m.apply("\n".join(f"obstacle: {label(i)}\n  Notes on it. {'x' * 80}" for i in range(nodes)))
    m.apply("\n".join(f"{label(i)} -> {label(i + 1)}" for i in range(nodes - 1)))
    return path


# -- item 1: a map opened through a symlink ---------------------------------------------


@pytest.fixture(params=["absolute", "relative"])
def linked(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, Path]:
    """(real path, symlink to it in another folder)."""
    real = tmp_path / "shared" / "maps" / "locking.jsonl"
    cm.ConceptMap.create(real, "Locking the IPFS repo", author="alice")
    link = tmp_path / "mine" / "locking.jsonl"
    link.parent.mkdir()
    link.symlink_to(real if request.param == "absolute" else os.path.relpath(real, link.parent))
    return real, link


def test_compact_through_a_symlink_keeps_the_link(linked: tuple[Path, Path]) -> None:
    # issue 9, item 1: compact through a link replaced the link with a copy
    real, link = linked
    m = cm.ConceptMap.open(link, author="bob")
    m.concept("Written through the link")
    m.compact()
    assert link.is_symlink(), "compact replaced the symlink with a regular file"
    assert link.resolve() == real.resolve()
    cm.ConceptMap.load(link, author="bob").concept("Written after compact")
    result = run("compact", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink(), "conceptmap compact replaced the symlink with a regular file"
    cm.ConceptMap.load(real, author="alice").concept("Written through the real name")
    assert labels(link) == labels(real)
    assert {"Written through the link", "Written after compact"} <= set(labels(real))
    assert "Written through the real name" in labels(link)
    assert sorted(p.name for p in link.parent.iterdir()) == ["locking.jsonl"], (
        "a file next to the link: the map was locked (or copied) under the link's name"
    )


# Holds the map's lock (through the name it is given) for HOLD seconds: the first
# append fsyncs under the lock, and this fsync sleeps first.
HOLDER = r"""
import os, sys, time
import conceptmap as cm

m = cm.ConceptMap.open(sys.argv[1], author="holder")
real_fsync = os.fsync

def slow_fsync(fd):
    os.fsync = real_fsync
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    real_fsync(fd)

os.fsync = slow_fsync
m.concept("Written while holding the lock")
print("done", flush=True)
"""
HOLD = 2.0


@pytest.mark.slow
@pytest.mark.parametrize("holder", ["real", "link"])
def test_the_lock_is_the_same_through_a_symlink_and_the_real_name(
    linked: tuple[Path, Path], holder: str
) -> None:
    # issue 9, item 1: a map opened through a symlink locked another lock file
    real, link = linked
    held, other = (real, link) if holder == "real" else (link, real)
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(held), str(HOLD)],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "holding"
        start = time.monotonic()
        cm.ConceptMap.load(other, author="waiter").concept("Written by the waiter")
        waited = time.monotonic() - start
        assert child.wait(WAIT) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert waited > HOLD / 2, (
        f"a write through {other.name} ({holder} held the lock) waited only {waited:.2f} s: "
        "the two names lock different lock files"
    )
    found = labels(real)
    assert found.index("Written while holding the lock") < found.index("Written by the waiter")


# Appends N nodes through the name it is given, printing each label once add() returned.
WRITER = r"""
import sys
import conceptmap as cm

path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = cm.ConceptMap.open(path, author=prefix)
for j in range(count):
    label = f"{prefix} node {j}"
    m.concept(label)
    print(label, flush=True)
"""


@pytest.mark.slow
def test_writers_through_a_link_and_compact_through_the_real_name_lose_nothing(
    linked: tuple[Path, Path],
) -> None:
    # issue 9, item 1: writers on the link, compact on the real name: acknowledged nodes lost
    real, link = linked
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(link), f"writer{i}", "200"],
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        for i in range(2)
    ]
    compactions = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            deadline = time.monotonic() + WAIT
            while any(w.poll() is None for w in writers) and time.monotonic() < deadline:
                cm.ConceptMap.load(real, author="compactor").compact()
                compactions += 1
            outputs = [w.communicate(timeout=WAIT)[0] for w in writers]
        finally:
            for w in writers:
                if w.poll() is None:
                    w.kill()
                    w.wait()
        found = set(labels(real))
    acknowledged = [line for out in outputs for line in out.splitlines()]
    lost = [label for label in acknowledged if label not in found]
    assert not lost, f"{len(lost)} of 400 acknowledged nodes lost ({compactions} compactions)"
    assert [w.returncode for w in writers] == [0, 0]
    assert len(acknowledged) == 400
    assert [str(w.message) for w in caught] == []
    assert link.is_symlink()
    assert labels(link) == labels(real)


# -- item 2: a full disk during `conceptmap add` ------------------------------------------

BATCH = [
    f"concept: Node {i:02d} written in one batch on a disk about to fill up" for i in range(40)
]


@pytest.mark.slow
@pytest.mark.parametrize("cut", ["between lines", "inside a line"])
def test_add_on_a_full_disk_writes_all_or_nothing(tmp_path: Path, cut: str) -> None:
    # issue 9, item 2: a failed `conceptmap add` of 40 lines left 16 of them in the map
    path = tmp_path / "maps" / "full.jsonl"
    cm.ConceptMap.create(path, "A disk that fills up", author="alice")
    before = path.read_bytes()
    # the same batch on a copy with room to spare: what the 40 lines look like on disk
    reference = tmp_path / "reference.jsonl"
    reference.write_bytes(before)
    assert run("add", reference, "--by", "bob", *BATCH).exit_code == 0
    appended = reference.read_bytes()[len(before) :]
    lines = appended.splitlines(keepends=True)
    assert len(lines) == 40
    room = sum(map(len, lines[:16])) + (len(lines[16]) // 2 if cut == "inside a line" else 0)

    done = limited(len(before) + room, "cli", "add", path, "--by", "bob", *BATCH)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("Error: "), done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    after = path.read_bytes()
    left = len(after.splitlines()) - len(before.splitlines())
    assert after == before, f"the failed add left {left} lines ({len(after) - len(before)} bytes)"
    assert labels(path) == ["A disk that fills up"]  # and it loads without a warning
    # the map is not wedged: the same add works once there is room
    assert run("add", path, "--by", "bob", *BATCH).exit_code == 0
    assert len(labels(path)) == 41


# -- item 3: foreign values in a map file -------------------------------------------------


def set_meta_line(key: str, value: object) -> bytes:
    op = {"op": "set_meta", "key": key, "value": value, "by": "x", "at": TIMESTAMP}
    return json.dumps(op).encode() + b"\n"


def load_reporting(path: Path, line: int) -> cm.ConceptMap | None:
    """Load ``path``, which has a bad value on ``line``: it must be reported with file and line.

    Either as a MapFileWarning (the line skipped, the map loaded and returned) or as a
    MapFileError (None is returned, and the file must be as it was).
    """
    before = path.read_bytes()
    where = f"{path}, line {line}"
    refused: cm.MapFileError | None = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            m = cm.ConceptMap.load(path)
        except cm.MapFileError as exc:
            refused = exc
    if refused is not None:
        assert str(refused).startswith(where), refused
        assert path.read_bytes() == before
        return None
    messages = [str(w.message) for w in caught if issubclass(w.category, cm.MapFileWarning)]
    assert any(msg.startswith(where) for msg in messages), (
        f"a foreign value on line {line} loaded without a word (warnings: {messages})"
    )
    return m


CREATED = [5, 1.5, True, {"at": TIMESTAMP}, [TIMESTAMP]]


@pytest.mark.parametrize("where", ["set_meta", "header"])
@pytest.mark.parametrize("value", CREATED, ids=[type(v).__name__ for v in CREATED])
def test_a_foreign_created_value_is_reported_and_never_breaks_export_or_compact(
    map_path: Path, tmp_path: Path, where: str, value: object
) -> None:
    # issue 9, item 3: a foreign value loaded silently; export crashed, compact broke the file
    cm.ConceptMap.load(map_path, author="bob").apply("obstacle: Two tabs -> Web Locks API")
    if where == "set_meta":
        with open(map_path, "ab") as f:
            f.write(set_meta_line("created", value))
        line = len(map_path.read_bytes().splitlines())
    else:
        head, rest = map_path.read_bytes().split(b"\n", 1)
        header = {**json.loads(head), "created": value}
        map_path.write_bytes(json.dumps(header).encode() + b"\n" + rest)
        line = 1
    m = load_reporting(map_path, line)
    if m is None:
        return  # refused, naming the file and line, and left as it was
    assert isinstance(m.meta.get("created"), str | None), m.meta
    for suffix in (".json", ".graphml", ".gexf", ".mmd", ".dot", ".canvas", ".html"):
        result = run("export", map_path, "-o", tmp_path / f"out{suffix}")
        assert result.exit_code == 0, (suffix, result.output, result.exception)
    assert run("rfc", map_path).exit_code == 0
    before = map_path.read_bytes()
    result = run("compact", map_path)
    if result.exit_code != 0:  # a compaction may refuse; it must not break the file
        assert map_path.read_bytes() == before
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cm.MapFileWarning)
        again = cm.ConceptMap.load(map_path)  # must not raise
    assert {"Two tabs", "Web Locks API"} <= {n["label"] for n in again.nodes()}


# -- item 4: every file the tool writes is written atomically -----------------------------

LIMIT = 1024  # bytes: every file below is larger


def assert_intact(folder: Path, names_before: set[str], files: dict[Path, bytes]) -> None:
    for path, data in files.items():
        now = path.read_bytes()
        assert now == data, f"{path.name} was {len(data)} bytes, is {len(now)} after a failed write"
    assert set(os.listdir(folder)) == names_before, "a temporary file was left behind"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "how"),
    [
        ("m.json", "export"),
        ("m.graphml", "export"),
        ("m.gexf", "export"),
        ("m.mmd", "export"),
        ("m.dot", "export"),
        ("m.canvas", "export"),
        ("m.html", "export"),
        ("m.md", "rfc"),
        ("m.html", "write_html"),
        ("m.md", "write_rfc"),
        ("m.json", "export-api"),
    ],
)
def test_a_failed_export_leaves_the_previous_file_intact(
    tmp_path: Path, name: str, how: str
) -> None:
    # issue 9, item 4: an export that failed on a full disk left the old file as invalid bytes
    path = big_map(tmp_path / "maps" / "m.jsonl")
    out = tmp_path / "out" / name
    out.parent.mkdir()
    method = "export" if how == "export-api" else how
    if how in ("export", "rfc"):
        assert run(how, path, "-o", out).exit_code == 0
    else:
        getattr(cm.ConceptMap.load(path), method)(out)
    good = out.read_bytes()
    assert len(good) > LIMIT
    if how in ("export", "rfc"):
        done = limited(LIMIT, "cli", how, path, "-o", out)
    else:
        done = limited(LIMIT, method, path, out)
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert done.stderr.startswith("Error: "), done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert_intact(out.parent, {name}, {out: good})


@pytest.mark.slow
def test_a_failed_notebook_write_leaves_the_previous_notebook_intact(tmp_path: Path) -> None:
    # issue 9, item 4: `sessions --force` on a full disk truncated the existing notebooks
    nb, maps = tmp_path / "nb", tmp_path / "maps"
    assert run("sessions", AGENDA, "-o", nb, "--maps", maps).exit_code == 0
    good = {p: p.read_bytes() for p in nb.iterdir()}
    assert len(good) == 9
    assert all(len(data) > LIMIT for data in good.values())
    names = set(os.listdir(nb))
    done = limited(LIMIT, "cli", "sessions", AGENDA, "-o", nb, "--maps", maps, "--force")
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert_intact(nb, names, good)
