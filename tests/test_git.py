"""Maps that merge in git: two clones append concurrently, and ``git merge`` just works.

Real git, real clones: each test repository sets its own user, and nothing but the
``.gitattributes`` conceptmap writes (``*.jsonl merge=union``) tells git how to merge.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from contextlib import chdir
from pathlib import Path
from typing import Any

import pytest

import conceptmap as cm
from conceptmap.errors import MapFileWarning

pytestmark = [
    pytest.mark.slow,  # real git processes: seconds, so not in `make quick`
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

MAP = Path("maps") / "locking.jsonl"
BASE = """\
concept: Web Locks
obstacle: Two tabs write the same repo
concept: Lockfile
proposal: One lock per datastore
question: Does Safari expose Web Locks?
"""
# alice and bob work offline, each on a clone; bob's changes come later in time
ALICE = [
    "rename: Web Locks => Web Locks API",
    "concept: IndexedDB",
    "Lockfile -blocks-> Two tabs write the same repo",
    "decision: Use Web Locks -chooses-> One lock per datastore",
    "action: Measure lock hold times",
]
BOB = [
    "rename: Web Locks => Browser locks",
    "remove: Lockfile",
    "requirement: Works in workers -> One lock per datastore",
    "obstacle: Does Safari expose Web Locks?",  # a re-kind of alice's question
    "Does Safari expose Web Locks? -raises-> Two tabs write the same repo",
]
ALICE_LATE = ["proposal: Does Safari expose Web Locks?"]  # a re-kind after bob's, concurrent


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def clone_pair(tmp_path: Path) -> tuple[Path, Path]:
    """Two clones of one repository holding a map (made by ``conceptmap new`` and ``add``)."""
    from click.testing import CliRunner

    from conceptmap.cli import main

    a = tmp_path / "a"
    a.mkdir()
    git(a, "init", "-q", "-b", "main")
    _user(a, "Alice")
    runner = CliRunner()
    with chdir(a):
        assert (
            runner.invoke(main, ["new", str(MAP), "--topic", "Locking", "--by", "o"]).exit_code == 0
        )
        assert runner.invoke(main, ["add", str(MAP), BASE, "--by", "o"]).exit_code == 0
    git(a, "add", "-A")
    git(a, "commit", "-q", "-m", "the session's map")
    b = tmp_path / "b"
    git(tmp_path, "clone", "-q", str(a), str(b))
    _user(b, "Bob")
    return a, b


def _user(repo: Path, name: str) -> None:
    git(repo, "config", "user.name", name)
    git(repo, "config", "user.email", f"{name.lower()}@example.org")


def edit(repo: Path, author: str, lines: list[str]) -> None:
    m = cm.ConceptMap.load(repo / MAP, author=author)
    for line in lines:
        m.apply(line)


def commit(repo: Path, message: str) -> None:
    git(repo, "commit", "-q", "-am", message)


def merge_both(a: Path, b: Path) -> None:
    """Each clone merges the other's work as it was before either merged."""
    git(a, "fetch", "-q", str(b), "main:theirs")
    git(b, "fetch", "-q", str(a), "main:theirs")
    merge_theirs(a)
    merge_theirs(b)


def merge_theirs(repo: Path) -> None:
    git(repo, "merge", "-q", "--no-edit", "theirs")
    assert "<<<<<<<" not in (repo / MAP).read_text()
    assert git(repo, "status", "--porcelain") == ""


def snapshot(m: cm.ConceptMap) -> dict[str, Any]:
    """What must be equal: nodes with attributes, links, metadata, positions, history."""
    return {
        "nodes": {n["id"]: n for n in m.nodes()},
        "edges": sorted((e["source"], e["target"], e["key"], e["author"]) for e in m.edges()),
        "meta": dict(m.meta),
        "positions": m.positions(),
        "history": [op.get("op_id") for op in m.history],
    }


def loaded(path: Path) -> tuple[cm.ConceptMap, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MapFileWarning)
        m = cm.ConceptMap.load(path)
        m.graph  # noqa: B018 (read it all)
    return m, [str(w.message) for w in caught]


@pytest.fixture
def merged(tmp_path: Path) -> tuple[Path, Path]:
    """Both clones after concurrent work, each merged with the other."""
    a, b = clone_pair(tmp_path)
    edit(a, "alice", ALICE)
    edit(b, "bob", BOB)
    edit(a, "alice", ALICE_LATE)
    commit(a, "alice's work")
    commit(b, "bob's work")
    (tmp_path / "a-before").write_bytes((a / MAP).read_bytes())
    merge_both(a, b)
    return a, b


def test_sessions_and_new_make_the_maps_folder_merge_by_union(tmp_path: Path) -> None:
    a, _ = clone_pair(tmp_path)
    assert "*.jsonl merge=union" in (a / "maps" / ".gitattributes").read_text().splitlines()
    check = git(a, "check-attr", "merge", "--", str(MAP))
    assert check.strip() == f"{MAP}: merge: union"
    assert git(a, "check-ignore", "maps/locking.jsonl.lock").strip() == "maps/locking.jsonl.lock"


def test_a_merge_in_either_direction_gives_the_same_map(merged: tuple[Path, Path]) -> None:
    a, b = merged
    assert (a / MAP).read_bytes() != (b / MAP).read_bytes()  # git interleaved them differently
    (ma, said_a), (mb, said_b) = loaded(a / MAP), loaded(b / MAP)
    assert snapshot(ma) == snapshot(mb)
    assert sorted(s.split(": ", 1)[1] for s in said_a) == sorted(
        s.split(": ", 1)[1] for s in said_b
    )


def test_the_merged_map_holds_both_sides_work(merged: tuple[Path, Path]) -> None:
    m, _ = loaded(merged[0] / MAP)
    labels = {n["label"]: n for n in m.nodes()}
    for label in ["IndexedDB", "Use Web Locks", "Measure lock hold times", "Works in workers"]:
        assert label in labels
    assert labels["Browser locks"]["author"] == "o"  # bob renamed last: his label wins
    assert "Web Locks API" not in labels  # bob renamed it later
    assert "Lockfile" not in labels  # bob removed it
    assert labels["Does Safari expose Web Locks?"]["kind"] == "proposal"  # alice re-kinded last
    assert m.meta["participants"] == ["o", "alice", "bob"]
    assert all("lockfile" not in (e["source"], e["target"]) for e in m.edges())


@pytest.mark.parametrize(
    ("needle", "what"),
    [
        ("changed the label of 'web-locks' from 'Web Locks' to 'Browser locks'", "rename"),
        (
            "changed the kind of 'does-safari-expose-web-locks' from 'question' to 'pro",
            "kind",
        ),
        ("removed 'Lockfile'", "remove"),
    ],
)
def test_each_conflict_is_a_warning_naming_the_file_and_both_sides(
    merged: tuple[Path, Path], needle: str, what: str
) -> None:
    for repo in merged:
        _, said = loaded(repo / MAP)
        hits = [s for s in said if needle in s]
        assert len(hits) == 1, (what, said)
        assert hits[0].startswith(f"{repo / MAP}, line ")
        assert "conflict:" in hits[0]
        assert "alice" in hits[0]
        assert "bob" in hits[0]


@pytest.mark.parametrize("bob_first", [True, False], ids=["out-of-order", "in-order"])
def test_a_reader_open_during_the_merge_follows_it(tmp_path: Path, bob_first: bool) -> None:
    a, b = clone_pair(tmp_path)
    if bob_first:  # then bob's lines, appended after alice's, belong before them
        edit(b, "bob", BOB)
    edit(a, "alice", ALICE)
    if not bob_first:
        edit(b, "bob", BOB)
    commit(a, "alice's work")
    commit(b, "bob's work")
    live = cm.ConceptMap.load(a / MAP)
    before = {n["label"] for n in live.nodes()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MapFileWarning)
        git(a, "fetch", "-q", str(b), "main:theirs")
        merge_theirs(a)  # bob's lines arrive after alice's: an append
        assert live.refresh()
        after_merge = snapshot(live)
        fresh, _ = loaded(a / MAP)
    assert after_merge == snapshot(fresh)
    assert "Works in workers" in {n["label"] for n in live.nodes()} - before


def test_a_reader_follows_a_checkout_that_reorders_the_lines(merged: tuple[Path, Path]) -> None:
    a, b = merged
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MapFileWarning)
        live = cm.ConceptMap.load(a / MAP)
        live.graph  # noqa: B018
        git(a, "fetch", "-q", str(b), "main:bobs")
        git(a, "checkout", "-q", "bobs")  # the same map, its lines in bob's order
        assert live.refresh()
        fresh, _ = loaded(a / MAP)
        assert snapshot(live) == snapshot(fresh)


def test_work_goes_on_after_the_merge_and_merges_again(merged: tuple[Path, Path]) -> None:
    a, b = merged
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MapFileWarning)
        edit(a, "alice", ["concept: After the merge"])
        edit(b, "bob", ["rename: Browser locks => Locks"])
        commit(a, "more")
        commit(b, "more")
        merge_both(a, b)
        (ma, _), (mb, _) = loaded(a / MAP), loaded(b / MAP)
    assert snapshot(ma) == snapshot(mb)
    assert {"After the merge", "Locks"} <= {n["label"] for n in ma.nodes()}


def test_undo_after_a_merge_undoes_the_authors_own_last_change(merged: tuple[Path, Path]) -> None:
    a, _ = merged
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MapFileWarning)
        m = cm.ConceptMap.load(a / MAP, author="bob")
        before = {n["label"] for n in m.nodes()}
        m.undo()  # bob's last change added a link
        assert {n["label"] for n in m.nodes()} == before
        assert not any(e["relation"] == "raises" for e in m.edges())
        fresh, _ = loaded(a / MAP)
    assert snapshot(fresh) == snapshot(m)


def test_compact_after_a_merge_keeps_the_map(merged: tuple[Path, Path]) -> None:
    a, _ = merged
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MapFileWarning)
        m, _ = loaded(a / MAP)
        want = snapshot(m)
        m.compact()
    again, said = loaded(a / MAP)
    assert said == []  # a compacted map has no conflicts left to tell
    got = snapshot(again)
    assert (got["nodes"], got["edges"]) == (want["nodes"], want["edges"])
    assert got["positions"].keys() == want["positions"].keys()
    for node, (x, y) in got["positions"].items():  # compact pins them to 0.1 px
        assert (x, y) == pytest.approx(want["positions"][node], abs=0.051)


def test_diff_and_log_read_a_map_from_git(merged: tuple[Path, Path]) -> None:
    from click.testing import CliRunner

    from conceptmap.cli import main
    from conceptmap.core.history import diff, read_version

    a, _ = merged
    with chdir(a), warnings.catch_warnings():
        warnings.simplefilter("ignore", MapFileWarning)
        result = CliRunner().invoke(main, ["diff", f"git:HEAD^1:{MAP}", str(MAP)])
        assert result.exit_code == 0, result.output
        want = diff(read_version(f"git:HEAD^1:{MAP}"), read_version(str(MAP)))
        assert result.stdout == f"{want}\n"
        assert "bob:\n  + requirement 'Works in workers'" in result.stdout
        assert "alice:" not in result.stdout  # HEAD^1 is alice's side: nothing of hers is new
        logged = CliRunner().invoke(main, ["log", f"git:HEAD^2:{MAP}"])
        assert logged.exit_code == 0, logged.output
        assert "alice" not in logged.stdout  # bob's side, before the merge
        assert "bob: removed 'Lockfile'" in logged.stdout
        missing = CliRunner().invoke(main, ["log", f"git:nope:{MAP}"])
    assert missing.exit_code == 1
    assert missing.output.startswith(f"Error: git:nope:{MAP}: cannot be read from git: ")


def test_the_live_view_follows_a_merge_that_reorders_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("anywidget")
    from conceptmap.jupyter.widget import MapWidget

    monkeypatch.setattr(MapWidget, "send", lambda self, content, buffers=None: None)
    a, b = clone_pair(tmp_path)
    edit(b, "bob", BOB)  # bob's lines come first in time, after alice's in the file
    edit(a, "alice", ALICE)
    commit(a, "alice's work")
    commit(b, "bob's work")
    m = cm.ConceptMap.load(a / MAP, author="alice")
    w = MapWidget(m, interval=3600.0)  # synced by hand
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MapFileWarning)
            git(a, "fetch", "-q", str(b), "main:theirs")
            merge_theirs(a)
            sent = w.sync()
            fresh, _ = loaded(a / MAP)
            m.refresh()  # the widget reads through its own map object; this one follows too
        assert sent is not None
        assert sent["type"] == "snapshot"  # the history was replayed in a new order
        assert {n["id"] for n in sent["nodes"]} == {n["id"] for n in fresh.nodes()}
        assert snapshot(m) == snapshot(fresh)
        assert w.sync() is None
    finally:
        w.close()


def test_a_rebase_gives_the_map_a_merge_gives(tmp_path: Path) -> None:
    a, b = clone_pair(tmp_path)
    edit(a, "alice", ALICE)
    edit(b, "bob", BOB)
    edit(a, "alice", ALICE_LATE)
    commit(a, "alice's work")
    commit(b, "bob's work")
    live = cm.ConceptMap.load(a / MAP)
    git(a, "fetch", "-q", str(b), "main:theirs")
    git(b, "fetch", "-q", str(a), "main:theirs")
    git(a, "rebase", "-q", "theirs")  # alice's commits replayed on bob's: her lines move down
    merge_theirs(b)
    assert git(a, "status", "--porcelain") == ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MapFileWarning)
        (ma, _), (mb, _) = loaded(a / MAP), loaded(b / MAP)
        live.refresh()
        assert snapshot(live) == snapshot(ma)
    assert snapshot(ma) == snapshot(mb)
