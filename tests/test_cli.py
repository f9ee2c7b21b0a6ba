"""The CLI, through click's CliRunner, checked afterwards through the library."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import conceptmap as cm
from conceptmap.cli import main


def run(*args: str | Path, input: str | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def test_new_add_show_check_round(tmp_path: Path) -> None:
    path = tmp_path / "maps" / "dht.jsonl"
    result = run("new", path, "--topic", "Scaling up the DHT", "--by", "diasdavid")
    assert result.exit_code == 0, result.output
    result = run(
        "add",
        path,
        "--by",
        "stebalien",
        "obstacle: Lookups take too many hops",
        "proposal: Priority peer stack -addresses-> Lookups take too many hops",
        "question: How big may the routing table grow?",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "3 nodes added, 1 link added"
    m = cm.ConceptMap.load(path)
    assert m.node("Priority peer stack")["author"] == "stebalien"
    assert m.meta["participants"] == ["diasdavid", "stebalien"]

    shown = run("show", path)
    assert shown.exit_code == 0
    assert "Scaling up the DHT" in shown.stdout
    assert "kinds: topic 1, obstacle 1, proposal 1, question 1" in shown.stdout
    assert "participants: diasdavid, stebalien" in shown.stdout

    info = json.loads(run("show", path, "--json").stdout)
    assert info["kinds"] == {"topic": 1, "obstacle": 1, "proposal": 1, "question": 1}
    assert info["links"] == 1

    checked = run("check", path)
    assert checked.exit_code == 0  # warnings only
    assert "nothing answers the question 'How big may the routing table grow?'" in checked.stdout
    assert "no shortcoming of the proposal 'Priority peer stack' is recorded" in checked.stdout
    assert checked.stdout.strip().endswith("0 errors, 3 warnings")
    assert run("check", path, "--strict").exit_code == 1
    findings = json.loads(run("check", path, "--json").stdout)
    assert {f["code"] for f in findings} == {
        "design", "unanswered-question", "orphan", "no-shortcoming"
    }  # fmt: skip
    assert "the draft features 'Priority peer stack'" in checked.stdout  # what, and why


def test_add_from_a_file_and_from_stdin(tmp_path: Path, map_path: Path) -> None:
    notes = tmp_path / "notes.cm"
    notes.write_text("concept: IndexedDB\nIndexedDB -part_of-> Browser\n", encoding="utf-8")
    assert run("add", map_path, "-f", notes, "--by", "bob").exit_code == 0
    assert run("add", map_path, "-f", "-", input="concept: Web Locks API\n").exit_code == 0
    m = cm.ConceptMap.load(map_path)
    assert {"IndexedDB", "Browser", "Web Locks API"} <= {n["label"] for n in m.nodes()}


def test_author_comes_from_the_environment(map_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCEPTMAP_AUTHOR", "lidel")
    assert run("add", map_path, "concept: Service worker").exit_code == 0
    assert cm.ConceptMap.load(map_path).node("Service worker")["author"] == "lidel"


def test_add_prints_near_duplicate_warnings_on_stderr(map_path: Path) -> None:
    assert run("add", map_path, "proposal: Someguy as a routing sidecar").exit_code == 0
    result = run("add", map_path, "Someguy sidecar -addresses-> Slow lookups")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "2 nodes added, 1 link added; created as concepts because a link named them: "
        "'Someguy sidecar', 'Slow lookups'"
    )
    assert result.stderr.strip() == (
        "warning: 'Someguy sidecar' is new; did you mean 'Someguy as a routing sidecar'?"
    )
    assert "Someguy sidecar" in cm.ConceptMap.load(map_path)  # applied all the same


def test_add_removes_and_renames_and_undo_takes_it_back(map_path: Path) -> None:
    run("add", map_path, "concept: Kademlia -part_of-> Locking the IPFS repo", "--by", "bob")
    renamed = run("add", map_path, "rename: Kademlia => Kademlia DHT", "--by", "bob")
    assert renamed.stdout.strip() == "1 node updated"
    removed = run("add", map_path, "remove: Kademlia DHT", "--by", "bob")
    assert removed.stdout.strip() == "1 node removed"
    assert run("add", map_path, "remove: Kademlia DHT").stdout.strip().startswith("nothing")
    undone = run("undo", map_path, "--by", "bob")
    assert undone.exit_code == 0, undone.output
    assert undone.stdout.strip().endswith(": 1 node added, 1 link added")
    m = cm.ConceptMap.load(map_path)
    assert m.node("Kademlia DHT")["id"] == "kademlia"
    refused = run("undo", map_path, "--by", "carol")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: nothing to undo: 'carol' has made no change")


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (
            ["add", "{map}", "obstcle: x"],
            1,
            "Error: line 1 ('obstcle: x'): unknown kind 'obstcle'; did you mean 'obstacle'?",
        ),
        (["add", "{map}", "-f", "{cm}"], 1, "notes.cm, line 2 ('A -solves-> B'): unknown relation"),
        (["add", "{map}"], 2, "give quick-entry LINES or -f FILE"),
        (["add", "{missing}", "concept: x"], 1, "does not exist"),
        (["new", "{map}", "--topic", "Again"], 1, "exists already"),
        (["new", "{map}"], 2, "Missing option '--topic'"),
        (["show", "{foreign}"], 1, "is not a conceptmap map (line 1 is not its header)"),
        (["check", "{future}"], 1, "format version 7"),
        (["add", "{future}", "concept: x"], 1, "format version 7"),
        (["export", "{map}", "-o", "{tmp}/x.xlsx"], 1, "unknown file type '.xlsx'"),
        (["import", "{foreign}", "-o", "{map}"], 1, "exists already"),
        (["import", "{cm}", "-o", "{tmp}/new.jsonl"], 1, "unknown file type '.cm'"),
        (["frobnicate"], 2, "No such command 'frobnicate'"),
    ],
)
def test_mistakes_are_one_line_on_stderr_and_change_no_file(
    tmp_path: Path, map_path: Path, args: list[str], code: int, words: str
) -> None:
    files = {
        "map": map_path,
        "cm": tmp_path / "notes.cm",
        "foreign": tmp_path / "foreign.json",
        "future": tmp_path / "future.jsonl",
        "missing": tmp_path / "missing.jsonl",
        "tmp": tmp_path,
    }
    files["cm"].write_text("concept: fine\nA -solves-> B\n")
    files["foreign"].write_text('{"nodes": [], "links": []}\n')
    files["future"].write_text('{"format": "conceptmap", "version": 7}\n')
    before = {p: p.read_bytes() for p in files.values() if p.is_file()}
    result = run(*[a.format(**files) for a in args])
    assert result.exit_code == code
    assert words in result.stderr
    assert "Traceback" not in result.output + result.stderr
    if code == 1:
        assert result.stderr.startswith("Error: ")
        assert len(result.stderr.strip().splitlines()) == 1
    assert {p: p.read_bytes() for p in files.values() if p.is_file()} == before
    assert not (tmp_path / "x.xlsx").exists()
    assert not (tmp_path / "new.jsonl").exists()


def test_a_torn_line_is_a_warning_on_stderr(map_path: Path) -> None:
    with open(map_path, "ab") as f:
        f.write(b'{"op":"add_no')
    result = run("show", map_path)
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: {map_path}, line 3: is incomplete (13 bytes with no newline: a torn write); "
        "skipped\n"
    )
    checked = run("check", map_path)
    assert checked.exit_code == 1  # a damaged file is an error finding
    assert "[file-problem]" in checked.stdout


def test_export_import_compact(tmp_path: Path, map_path: Path) -> None:
    run("add", map_path, "obstacle: Stale locks", "concept: x", "concept: y")
    out = tmp_path / "x.json"
    assert run("export", map_path, "-o", out).exit_code == 0
    copy = tmp_path / "copy.jsonl"
    result = run("import", out, "-o", copy)
    assert result.exit_code == 0, result.output
    assert cm.ConceptMap.load(copy).to_node_link() == cm.ConceptMap.load(map_path).to_node_link()
    state = cm.ConceptMap.load(map_path).to_node_link()
    result = run("compact", map_path)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"compacted {map_path}: ")
    assert cm.ConceptMap.load(map_path).to_node_link() == state


def test_demo_builds_the_worked_example(tmp_path: Path) -> None:
    result = run("demo", "-o", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    paths = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": /" in line)
    m = cm.ConceptMap.load(paths["map"])
    assert m.meta["topic"] == "Locking the IPFS repo for concurrent access"
    assert len(m) >= 30
    assert len({n["kind"] for n in m.nodes()}) >= 8
    assert Path(paths["json"]).is_file()
    draft = Path(paths["rfc"]).read_text(encoding="utf-8")
    assert draft == m.rfc()  # the draft of the map file it wrote, hash and all
    assert "## Appendix: where each node went" in draft
    page = Path(paths["html"]).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Locking the IPFS repo for concurrent access" in page
    # running it again replaces its own map instead of failing
    assert run("demo", "-o", tmp_path / "demo").exit_code == 0
    assert len(cm.ConceptMap.load(paths["map"])) == len(m)


def test_version() -> None:
    assert run("--version").stdout.strip() == f"conceptmap, version {cm.__version__}"


# -- issue 10, item 8: no lock file beside what is not a map, .gitignore for lock files ------

NOT_MAPS = {  # case: (file name, exit code, message)
    "missing": ("missing.jsonl", 1, "does not exist"),
    "notebook": ("x.ipynb", 1, "line 1: is not a conceptmap map (line 1 is not JSON)"),
    "empty": ("empty.jsonl", 1, "is empty, not a conceptmap map"),
    "text": ("notes.jsonl", 1, "is not a conceptmap map (its first line is incomplete)"),
    "folder": ("folder.jsonl", 2, "is a directory"),  # click refuses it first
}


def not_a_map(tmp_path: Path, case: str) -> Path:
    path = tmp_path / NOT_MAPS[case][0]
    if case == "notebook":
        path.write_text('{\n "cells": [],\n "nbformat": 4\n}\n')
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "text":
        path.write_text("obstacle: no newline at the end")
    elif case == "folder":
        path.mkdir()
    return path


@pytest.mark.parametrize("case", NOT_MAPS)
@pytest.mark.parametrize(
    "command",
    [
        ["show"],
        ["check"],
        ["export", "-o", "{tmp}/x.html"],
        ["rfc"],
        ["rfc", "-o", "{tmp}/x.md"],
        ["compact"],
        ["add", "concept: x"],
    ],
)
def test_a_command_on_what_is_not_a_map_leaves_no_lock_file(
    tmp_path: Path, case: str, command: list[str]
) -> None:
    path = not_a_map(tmp_path, case)
    before = sorted(p.name for p in tmp_path.iterdir())
    name, *rest = command
    content = path.read_bytes() if path.is_file() else None
    result = run(name, path, *[a.format(tmp=tmp_path) for a in rest])
    _, code, message = NOT_MAPS[case]
    assert result.exit_code == code
    if code == 1:
        assert result.stderr == f"Error: {path}{', ' if case == 'notebook' else ': '}{message}\n"
    else:
        assert message in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no .lock, no output
    assert (path.read_bytes() if path.is_file() else None) == content


def test_new_over_a_file_that_is_there_leaves_no_lock_file(tmp_path: Path) -> None:
    path = not_a_map(tmp_path, "notebook")
    text = path.read_text()
    result = run("new", path, "--topic", "T")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: exists already\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.ipynb"]
    assert path.read_text() == text


@pytest.mark.parametrize("case", ["notebook", "text", "folder"])
def test_opening_what_is_not_a_map_leaves_no_lock_file(tmp_path: Path, case: str) -> None:
    path = not_a_map(tmp_path, case)
    message = "is not a regular file" if case == "folder" else NOT_MAPS[case][2]
    with pytest.raises(cm.MapFileError, match=re.escape(message)):
        cm.ConceptMap.open(path, "T")
    with pytest.raises(cm.MapFileError, match=re.escape(NOT_MAPS[case][2])):
        cm.ConceptMap.load(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.slow  # waits for a lock another thread holds
def test_reading_a_map_still_waits_for_its_lock(
    map_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from filelock import FileLock

    import conceptmap.core.store as store

    monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.2)
    with FileLock(f"{map_path}.lock"):  # another writer holds it
        result = run("show", map_path)
        assert result.exit_code == 1
        assert "could not get its lock" in result.stderr
        with pytest.raises(cm.MapFileError, match="could not get its lock"):
            cm.ConceptMap.load(map_path)
    assert run("show", map_path).exit_code == 0


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, "# conceptmap: "),  # written, with why
        ("*.lock\n", "*.lock\n"),  # there: left alone
        ("  *.lock  \n", "  *.lock  \n"),
        ("build/\n", "build/\n# conceptmap: "),  # appended
        ("build/", "build/\n# conceptmap: "),  # after a last line with no newline
        ("*.jsonl.lock\n", "*.jsonl.lock\n# conceptmap: "),
    ],
)
def test_new_keeps_lock_files_out_of_git(tmp_path: Path, before: str | None, after: str) -> None:
    ignore = tmp_path / "maps" / ".gitignore"
    if before is not None:
        ignore.parent.mkdir()
        ignore.write_text(before)
    path = tmp_path / "maps" / "x.jsonl"
    result = run("new", path, "--topic", "T", "--by", "ann")
    assert result.exit_code == 0, result.output
    assert cm.ConceptMap.load(path).meta["topic"] == "T"
    text = ignore.read_text()
    assert text.startswith(after)
    assert "*.lock" in [line.strip() for line in text.splitlines()]
    assert text.endswith("\n")
    wrote = f"wrote {ignore} (*.lock: lock files stay out of git)"
    assert (wrote in result.stdout) is (text != before)
    # a second map in the folder changes nothing
    assert run("new", tmp_path / "maps" / "y.jsonl", "--topic", "U").exit_code == 0
    assert ignore.read_text() == text


def test_new_leaves_a_linked_gitignore_alone(tmp_path: Path) -> None:
    shared = tmp_path / "shared-ignore"
    shared.write_text("build/\n")
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / ".gitignore").symlink_to(shared)
    assert run("new", tmp_path / "maps" / "x.jsonl", "--topic", "T").exit_code == 0
    assert shared.read_text() == "build/\n"
