"""conceptmap sessions: notebooks and maps from an agenda, and a generated notebook run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import conceptmap as cm
from conceptmap.cli import main

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

AGENDA = Path(__file__).parent / "data" / "agendas" / "deep-dive-sessions.md"


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_one_valid_notebook_and_map_per_session(tmp_path: Path) -> None:
    result = run(
        "sessions", AGENDA, "-o", tmp_path / "nb", "--maps", tmp_path / "maps", "--by", "org"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(
        "9 sessions: 9 notebooks and 9 maps written, 0 files kept"
    )
    notebooks = sorted((tmp_path / "nb").glob("*.ipynb"))
    assert len(notebooks) == 9
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3"
        sources = [c.source for c in nb.cells]
        assert any(s.startswith("%load_ext conceptmap") for s in sources)
        assert any(s.startswith("%%conceptmap m") for s in sources)
        assert any("write_html" in s and "write_rfc" in s for s in sources)
    m = cm.ConceptMap.load(tmp_path / "maps" / "locking-the-ipfs-repo-for-concurrent-access.jsonl")
    assert m.meta["topic"] == "Locking the IPFS repo for concurrent access"
    assert m.meta["proposer"] == ["@alanshaw"]
    assert len(m.meta["participants"]) >= 8
    assert m.meta["source"].startswith("deep-dive-sessions.md")
    assert "multiple tabs" in m.node(m.meta["topic"])["notes"]


def test_existing_files_are_kept_and_maps_never_replaced(tmp_path: Path) -> None:
    args = ("sessions", AGENDA, "-o", tmp_path / "nb", "--maps", tmp_path / "maps")
    run(*args)
    map_path = tmp_path / "maps" / "graphsync.jsonl"
    cm.ConceptMap.load(map_path).concept("Selectors")
    nb_path = tmp_path / "nb" / "graphsync.ipynb"
    nb_path.write_text(nb_path.read_text().replace("Deep technical design", "EDITED"))
    before = map_path.read_bytes(), nb_path.read_bytes()
    again = run(*args)
    assert "kept" in again.stdout
    assert (map_path.read_bytes(), nb_path.read_bytes()) == before
    forced = run(*args, "--force")
    assert forced.exit_code == 0
    assert map_path.read_bytes() == before[0]  # never a map
    assert b"EDITED" not in nb_path.read_bytes()  # the notebook, with --force


@pytest.mark.slow
def test_a_generated_notebook_runs_and_writes_map_html_and_rfc(tmp_path: Path) -> None:
    run("sessions", AGENDA, "-o", tmp_path / "nb", "--maps", tmp_path / "maps")
    path = tmp_path / "nb" / "graphsync.ipynb"
    nb = nbformat.read(path, as_version=4)
    # what a participant types during the session
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        "%%conceptmap m\nobstacle: Round trips per block\n"
        "proposal: Selectors -addresses-> Round trips per block"
    ))  # fmt: skip
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    m = cm.ConceptMap.load(tmp_path / "maps" / "graphsync.jsonl")
    assert {"Round trips per block", "Selectors"} <= {n["label"] for n in m.nodes()}
    assert (tmp_path / "maps" / "graphsync.html").read_text().startswith("<!DOCTYPE html>")
    draft = (tmp_path / "maps" / "graphsync.md").read_text()
    assert "Selectors" in draft
    assert "## Appendix: where each node went" in draft


NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_in_the_repository_runs(tmp_path: Path, path: Path) -> None:
    import shutil

    root = path.parent.parent
    shutil.copytree(root / "maps", tmp_path / "maps")  # run on copies: the repository stays
    (tmp_path / "notebooks").mkdir()
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path / "notebooks")}},
    ).execute()  # fmt: skip
    stem = tmp_path / "maps" / path.stem
    assert Path(f"{stem}.html").is_file()
    assert Path(f"{stem}.md").read_text(encoding="utf-8").startswith("---\n")


def test_the_worked_session_is_a_real_map() -> None:
    m = cm.ConceptMap.load(
        Path(__file__).parent.parent / "maps" / "locking-the-ipfs-repo-for-concurrent-access.jsonl"
    )
    assert len(m) >= 30
    assert len({n["kind"] for n in m.nodes()}) >= 8
    for label in ("Web Locks API", "IndexedDB transactions", "Stale locks after a crash",
                  "Service worker", "One leader context owns the repo"):  # fmt: skip
        assert label in m


def test_sessions_with_the_same_slug_get_distinct_files(tmp_path: Path) -> None:
    agenda = tmp_path / "agenda.md"
    agenda.write_text(
        "| Topic | Proposed by | Participants | Description |\n|---|---|---|---|\n"
        "| Private DHT | @a | @b | first |\n| Private  DHT! | @c | @d | second |\n",
        encoding="utf-8",
    )
    result = run("sessions", agenda, "-o", tmp_path / "nb", "--maps", tmp_path / "maps")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "nb").glob("*.ipynb")) == [
        "private-dht-2.ipynb", "private-dht.ipynb"
    ]  # fmt: skip
    second = cm.ConceptMap.load(tmp_path / "maps" / "private-dht-2.jsonl")
    assert second.meta["proposer"] == ["@c"]
    assert second.node(second.meta["topic"])["notes"] == "second"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, "# conceptmap: a map's lock file (<map>.jsonl.lock) belongs to the machine"),
        ("*.lock\n", "*.lock\n"),  # a user's file that has the line: left as it is
        ("*.html\n# mine\n", "*.html\n# mine\n# conceptmap: "),  # appended to, nothing lost
    ],
)
def test_sessions_keeps_lock_files_out_of_git(
    tmp_path: Path, before: str | None, after: str
) -> None:
    maps = tmp_path / "maps"
    ignore = maps / ".gitignore"
    if before is not None:
        maps.mkdir()
        ignore.write_text(before, encoding="utf-8")
    result = run("sessions", AGENDA, "-o", tmp_path / "nb", "--maps", maps, "--by", "org")
    assert result.exit_code == 0, result.output
    text = ignore.read_text(encoding="utf-8")
    assert text.startswith(after)
    assert [line for line in text.splitlines() if line.strip() == "*.lock"] == ["*.lock"]
    assert (f"wrote {ignore}" in result.stdout) is (before != text)
    assert not (tmp_path / "nb" / ".gitignore").exists()
    # every map's lock file is ignored, and the maps are real ones
    assert all(cm.ConceptMap.load(p).meta["topic"] for p in maps.glob("*.jsonl"))
    again = run("sessions", AGENDA, "-o", tmp_path / "nb", "--maps", maps)
    assert again.exit_code == 0
    assert ignore.read_text(encoding="utf-8") == text
    assert f"wrote {ignore}" not in again.stdout


def test_the_facts_cell_names_each_participant_once(tmp_path: Path) -> None:
    from conceptmap.jupyter.agenda import Session
    from conceptmap.jupyter.notebooks import write_sessions

    # a session page may name a lead by name and the same person by handle
    session = Session(
        "Private DHT", ["@a"], ["@lidel", "@B", "lidel"], "", "", "page.md, line 3", [], "dht"
    )
    done = write_sessions([session], tmp_path / "nb", tmp_path / "maps", author="org")
    assert done.failed == []
    facts = nbformat.read(tmp_path / "nb" / "dht.ipynb", as_version=4).cells[0].source
    assert "- **Participants:** @lidel, @B\n" in facts
    m = cm.ConceptMap.load(tmp_path / "maps" / "dht.jsonl")
    assert m.meta["participants"] == ["@lidel", "@B", "lidel", "org"]  # as recorded
    assert m.summary()["participants"] == ["@lidel", "@B", "org"]  # as shown


def test_a_gitignore_that_cannot_be_read_stops_sessions_before_any_is_written(
    tmp_path: Path,
) -> None:
    maps = tmp_path / "maps"
    (maps / ".gitignore").mkdir(parents=True)
    result = run("sessions", AGENDA, "-o", tmp_path / "nb", "--maps", maps)
    assert result.exit_code == 1
    # the seed agenda's one missing page is warned about first; then the one error
    *warned, error = result.stderr.splitlines()
    assert error == f"Error: {maps / '.gitignore'}: cannot be read: Is a directory"
    assert len(warned) == 1
    assert warned[0].startswith(f"warning: {AGENDA}, line 37: the linked page")
    assert sorted(p.name for p in maps.iterdir()) == [".gitignore"]
    assert list((tmp_path / "nb").iterdir()) == []
