"""The CLI, through click's CliRunner, checked afterwards through the library."""

from __future__ import annotations

import json
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
    assert {f["code"] for f in findings} == {"unanswered-question", "orphan", "no-shortcoming"}


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
