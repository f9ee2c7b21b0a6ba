"""Issue 9, `conceptmap sessions`: what an agenda may make it read, and how it writes.

Every test here failed before the fix; each names the item of issue 9 it reproduces.
Runs that used to hang (a FIFO, /dev/zero, a pathological line) go through a child
process with a timeout, so they fail instead of hanging the suite. Only public names
are used (``conceptmap`` and ``conceptmap.cli.main``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import conceptmap as cm
from conceptmap.cli import main

WAIT = 20.0  # seconds for a child run that should take one or two
HEADER = "| Topic | Proposed by | Participants | Description |\n|---|---|---|---|\n"
SECRET = "SECRET-7f3a9c"
PAGE = f"""\
# Deep Technical Design: A page from elsewhere

- **Proposed by:** @mallory
- **Who has to be there in order for it to work:** @mallory
- **Objective:** {SECRET} objective

## Details

{SECRET} details
"""
INSIDE_PAGE = PAGE.replace(SECRET, "INSIDE-OK").replace("elsewhere", "this folder")


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def child_env() -> dict[str, str]:
    """The environment of a child: it imports the same conceptmap as this process."""
    root = str(Path(cm.__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}


# A child running `conceptmap ARGS...` with its address space capped (a read of
# /dev/zero then ends in MemoryError instead of eating the machine's memory).
CHILD = r"""
import resource, sys
from conceptmap.cli import main

cap = 2 * 1024**3
resource.setrlimit(resource.RLIMIT_AS, (cap, resource.RLIM_INFINITY))
main(sys.argv[1:], prog_name="conceptmap")
"""


def run_child(*args: object, what: str, wait: float = WAIT) -> subprocess.CompletedProcess[str]:
    """``conceptmap ARGS`` in a child process; a run past ``wait`` seconds fails the test."""
    try:
        return subprocess.run(
            [sys.executable, "-c", CHILD, *map(str, args)],
            capture_output=True,
            text=True,
            timeout=wait,
            env=child_env(),
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"conceptmap sessions hung on {what} (killed after {wait:g} s)")


def agenda(folder: Path, rows: list[tuple[str, str]], name: str = "agenda.md") -> Path:
    """An agenda of (topic, description) rows; rows start on line 3."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    body = "".join(f"| {topic} | @org | | {text} |\n" for topic, text in rows)
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def written_text(*folders: Path) -> str:
    """Everything the run wrote into these folders, as text."""
    return "".join(
        p.read_text(encoding="utf-8", errors="replace")
        for folder in folders
        if folder.exists()
        for p in sorted(folder.iterdir())
        if p.is_file()
    )


# -- item 12: which agenda pages are read -------------------------------------------------


@pytest.mark.parametrize("how", ["parent", "absolute", "symlink"])
def test_pages_outside_the_agenda_folder_are_not_read(tmp_path: Path, how: str) -> None:
    # issue 9, item 12: pages outside the agenda's folder were read into map and notebook
    outside = tmp_path / "private" / "outside.md"
    outside.parent.mkdir()
    outside.write_text(PAGE, encoding="utf-8")
    folder = tmp_path / "agenda"
    folder.mkdir()
    (folder / "inside.md").write_text(INSIDE_PAGE, encoding="utf-8")
    link = {"parent": "../private/outside.md", "absolute": str(outside), "symlink": "leak.md"}[how]
    if how == "symlink":
        (folder / "leak.md").symlink_to(outside)
    path = agenda(folder, [("Leaky", f"[details]({link})"), ("Inside", "[details](inside.md)")])
    nb, maps = tmp_path / "nb", tmp_path / "maps"
    result = run("sessions", path, "-o", nb, "--maps", maps)
    assert result.exit_code == 0, result.output
    assert SECRET not in written_text(nb, maps), f"the page behind {link!r} was read"
    assert "INSIDE-OK" in written_text(nb, maps)  # pages in the folder still are
    assert Path(link).name in result.stderr, f"no warning about {link!r}: {result.stderr!r}"


@pytest.mark.slow
@pytest.mark.parametrize("how", ["fifo", "dev-zero-symlink", "dev-zero-absolute", "huge-file"])
def test_only_regular_files_of_sane_size_are_read_as_pages(tmp_path: Path, how: str) -> None:
    # issue 9, item 12: a FIFO page hung, /dev/zero exhausted memory, huge pages were read
    folder = tmp_path / "agenda"
    folder.mkdir()
    if how == "fifo":
        os.mkfifo(folder / "page.md")
        link = "page.md"
    elif how == "dev-zero-symlink":
        (folder / "page.md").symlink_to("/dev/zero")
        link = "page.md"
    elif how == "dev-zero-absolute":
        link = "/dev/zero"
    else:
        (folder / "page.md").write_text(PAGE + "filler line\n" * 200_000, encoding="utf-8")
        link = "page.md"
    path = agenda(folder, [("Strange page", f"[details]({link})"), ("Plain", "A plain row")])
    nb, maps = tmp_path / "nb", tmp_path / "maps"
    done = run_child("sessions", path, "-o", nb, "--maps", maps, what=how)
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(p.name for p in nb.iterdir()) == ["plain.ipynb", "strange-page.ipynb"]
    assert SECRET not in written_text(nb, maps), f"the page behind {link!r} was read"
    assert max(p.stat().st_size for p in [*nb.iterdir(), *maps.iterdir()]) < 100_000
    assert Path(link).name in done.stderr, f"no warning about {link!r}: {done.stderr!r}"


# -- item 13: agenda lines parse in linear time -------------------------------------------

SHAPES = {"brackets": "[", "empty links": "[](", "open links": "[x](y"}


@pytest.mark.slow
@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_one_megabyte_agenda_line_parses_in_linear_time(tmp_path: Path, shape: str) -> None:
    # issue 9, item 13: the link pattern was quadratic (64 KB of '[' took 39 s)
    unit = SHAPES[shape]
    payload = unit * (1_000_000 // len(unit))
    folder = tmp_path / "agenda"
    folder.mkdir()
    path = folder / "agenda.md"
    path.write_text(
        "| Topic | Proposed by | Links |\n|---|---|---|\n"
        f"| Plain | @org | [page](page.md) |\n| Pathological | @org | {payload} |\n",
        encoding="utf-8",
    )
    nb, maps = tmp_path / "nb", tmp_path / "maps"
    done = run_child("sessions", path, "-o", nb, "--maps", maps, what=f"1 MB of {unit!r}", wait=10)
    assert done.returncode == 0, done.stderr[-2000:]
    # it completes: now time it here, without the child's start-up
    start = time.perf_counter()
    result = run("sessions", path, "-o", tmp_path / "nb2", "--maps", tmp_path / "maps2")
    elapsed = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    assert elapsed < 2.0, f"a 1 MB line of {unit!r} took {elapsed:.1f} s"


# -- item 14: writing through symlinks ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "exists", "force"),
    [
        ("notebook", False, False),  # a dangling link: the file would be created outside
        ("notebook", True, True),  # --force would overwrite the outside file
        ("map", False, False),  # a dangling map link: the map would be created outside
    ],
)
def test_sessions_never_writes_through_a_symlink(
    tmp_path: Path, kind: str, exists: bool, force: bool
) -> None:
    # issue 9, item 14: `sessions` wrote through symlinks, creating or overwriting files outside
    path = agenda(tmp_path / "agenda", [("GraphSync", "Plan GraphSync back to front")])
    nb, maps = tmp_path / "nb", tmp_path / "maps"
    nb.mkdir()
    maps.mkdir()
    outside = tmp_path / "elsewhere" / ("victim.ipynb" if kind == "notebook" else "victim.jsonl")
    outside.parent.mkdir()
    if exists:
        outside.write_text("precious\n")
    link = nb / "graphsync.ipynb" if kind == "notebook" else maps / "graphsync.jsonl"
    link.symlink_to(outside)
    result = run("sessions", path, "-o", nb, "--maps", maps, *(["--force"] if force else []))
    if exists:
        assert outside.read_text() == "precious\n", "a file outside the output folder changed"
    else:
        assert not outside.exists(), "a file was created outside the output folder"
    assert link.is_symlink()
    assert os.readlink(link) == str(outside)
    assert result.exit_code == 1, (
        f"wrote through the symlink {link} without a word: {result.output}"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    said = [line for line in result.output.splitlines() if line.startswith(("Error:", "warning:"))]
    assert any(link.name in line for line in said), result.output


# -- item 15: long titles, one failing session, an impossible folder, images --------------

PREFIX = ("Scaling the distributed hash table to millions of nodes " * 4)[:200]
LONG_A = PREFIX + " for private networks, " + "with a long tail that keeps going " * 3 + "(A)"
LONG_B = PREFIX + " for public networks, " + "with another long tail that goes on " * 3 + "(B)"


def orphan_locks(maps: Path) -> list[str]:
    return [
        p.name for p in maps.glob("*.lock") if not (maps / p.name.removesuffix(".lock")).exists()
    ]


def test_long_titles_get_short_unique_file_names_and_the_run_goes_on(tmp_path: Path) -> None:
    # issue 9, item 15: a 301-character title stopped the run part-way and left a .lock behind
    assert len(LONG_A) > 300
    assert len(LONG_B) > 300
    assert LONG_A[:200] == LONG_B[:200]
    path = agenda(
        tmp_path / "agenda",
        [("First", "one"), (LONG_A, "two"), (LONG_B, "three"), ("Last", "four")],
    )
    nb, maps = tmp_path / "nb", tmp_path / "maps"
    result = run("sessions", path, "-o", nb, "--maps", maps)
    assert result.exit_code == 0, result.output
    assert orphan_locks(maps) == [], "a .lock was left behind"
    notebooks = sorted(nb.glob("*.ipynb"))
    assert len(notebooks) == 4, [p.name for p in notebooks]
    assert all(len(p.name.encode()) <= 255 for p in [*notebooks, *maps.iterdir()])
    sources = {}
    for p in notebooks:
        meta = json.loads(p.read_text(encoding="utf-8"))["metadata"]["conceptmap"]
        m = cm.ConceptMap.load(p.parent / meta["map"])
        sources[m.meta["source"]] = p.name
    assert sorted(sources) == [f"agenda.md, line {n}" for n in (3, 4, 5, 6)]
    # a long title's file name does not depend on the other rows of the agenda
    alone = agenda(tmp_path / "other", [(LONG_B, "three")])
    assert (
        run("sessions", alone, "-o", tmp_path / "nb2", "--maps", tmp_path / "maps2").exit_code == 0
    )
    assert [p.name for p in (tmp_path / "nb2").glob("*.ipynb")] == [sources["agenda.md, line 5"]]


def test_a_failing_session_is_reported_with_its_line_and_the_others_are_written(
    tmp_path: Path,
) -> None:
    # issue 9, item 15: a failure in one session stopped the whole run part-way
    path = agenda(tmp_path / "agenda", [("Alpha", "one"), ("Beta", "two"), ("Gamma", "three")])
    nb, maps = tmp_path / "nb", tmp_path / "maps"
    (nb / "beta.ipynb").mkdir(parents=True)  # a notebook that cannot be written
    result = run("sessions", path, "-o", nb, "--maps", maps, "--force")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (nb / "alpha.ipynb").is_file()
    assert (nb / "gamma.ipynb").is_file(), "the sessions after the failing one were not written"
    assert (maps / "gamma.jsonl").is_file()
    assert "agenda.md, line 4" in result.output, result.output  # Beta's row


def test_an_output_folder_that_cannot_be_made_is_one_error_line(tmp_path: Path) -> None:
    # issue 9, item 15: an output folder under a regular file was a traceback
    path = agenda(tmp_path / "agenda", [("Alpha", "one")])
    (tmp_path / "a-file").write_text("not a folder\n")
    impossible = tmp_path / "a-file" / "sub"
    for folders in (["-o", impossible, "--maps", tmp_path / "maps"], ["--maps", impossible]):
        result = run("sessions", path, *folders)
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, result.stderr
        assert "a-file" in errors[0], result.stderr


LIVE_IMAGE = re.compile(r"(?<!\\)!\[[^\]]*\]\(\s*<?\s*(?:[A-Za-z][A-Za-z0-9+.-]*:)?//", re.I)


def test_agenda_images_do_not_stay_live_in_the_notebook(tmp_path: Path) -> None:
    # issue 9, item 15: agenda images (![x](http://...)) stayed live in the notebook
    folder = tmp_path / "agenda"
    folder.mkdir()
    page = INSIDE_PAGE + "\n![diagram](https://tracker.example/pixel.png)\n"
    (folder / "page.md").write_text(page, encoding="utf-8")
    path = agenda(
        folder,
        [
            ("Images", "See ![x](http://tracker.example/p.gif) and ![y](//cdn.example/q.png)"),
            ("Page", "[details](page.md)"),
        ],
    )
    nb = tmp_path / "nb"
    result = run("sessions", path, "-o", nb, "--maps", tmp_path / "maps")
    assert result.exit_code == 0, result.output
    for p in sorted(nb.glob("*.ipynb")):
        cells = json.loads(p.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                assert not LIVE_IMAGE.search(text), f"{p.name}: a live remote image in {text!r}"
                assert "<img" not in text.lower()
