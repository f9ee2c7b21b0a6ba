"""Agenda reading in general: header synonyms, what a cell names, what a session page gives.

The real shapes are in ``test_agenda_shapes.py``; these are the rules behind them,
each on a small agenda written for the case, so that other real agendas read right
too: header words in any case and punctuation, HTML never taken for a name, titles
without link markup, ``## Team`` lists and multi-line ``**Goals:**`` on pages, and a
linked page's people merged into the row's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import conceptmap as cm
from conceptmap.cli import main
from conceptmap.errors import FileError, MapFileWarning
from conceptmap.jupyter.agenda import Session, read_agenda

OBJECTIVES = Path(__file__).parent / "data" / "agendas" / "objectives.md"
ROW = ("T", "@p", "@w", "Some words")


def one(tmp_path: Path, text: str) -> Session:
    path = tmp_path / "agenda.md"
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of these agendas has a page missing
        [session] = read_agenda(path)
    return session


def table(header: str, row: tuple[str, ...]) -> str:
    width = header.count("|") + 1
    return f"{header}\n{'|'.join(['---'] * width)}\n| {' | '.join(row)} |\n"


# -- header synonyms ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Topic | Proposed by | Participants | Description", ROW),
        ("Title | Proposer | Attendees | Summary", ROW),
        ("**Session** | Presenter: | Who | Notes", ROW),
        ("Objective | Lead | Team | Goal", ROW),
        ("Project | Led by | Who has to be there | Details", ROW),
        ("Topic/Project | Owner | Necessary Participants | Abstract", ROW),
        ("SESSION TITLE | Session lead | People | About", ROW),
        ("🗣 Topic | 👤 Host | 👥 Attendees | 📝 Description", ROW),
        ("Objective | Proposed by | Who | Details", ROW),
        ("topic | presented by | attending | goals", ROW),
        ("Topic | Proposed&nbsp;by | Participant(s) | Description", ROW),
        ("Talk | Speaker(s) | Co-leads | Synopsis", ("T", "@p", "", "Some words")),
        # a topic and an objective: the objective describes the topic
        ("Topic | Owner | Participants | Objective", ROW),
        # a column nobody recognises is not read as anything
        ("Topic | Proposed by | Room | Summary", ("T", "@p", "", "Some words")),
        # an unnamed column holding only a handle is where the proposer is
        ("Topic | | Participants | Description", ROW),
    ],
)
def test_header_synonyms(tmp_path: Path, header: str, expected: tuple[str, ...]) -> None:
    session = one(tmp_path, table(header, ROW))
    topic, proposer, participants, description = expected
    assert session.topic == topic
    assert session.proposer == ([proposer] if proposer else [])
    assert session.participants == ([participants] if participants else [])
    assert session.description == description


# -- what a proposer cell names ----------------------------------------------------------

AVATAR = (
    '<a href="https://github.com/Kubuxu"><img src="https://github.com/Kubuxu.png?size=200"'
    ' alt="Kubo Maintainer" width="100" /></a>'
)


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        (AVATAR, ["@Kubuxu"]),  # the avatar's profile link, never its alt
        ('<img src="x.png" alt="Max Inden">', []),  # an image names nobody
        ('<img alt="@mallory" src="x.png">', []),  # not even a handle in an attribute
        (f"{AVATAR} **@mxinden**", ["@mxinden"]),  # the handle beside it wins
        ("Ian Preston (@ianopolous)", ["@ianopolous"]),
        ("Alice&nbsp;Smith<br>Bob<BR/>Carol", ["Alice Smith", "Bob", "Carol"]),
        ("@aschmahmann, Will Scott", ["@aschmahmann", "Will Scott"]),
        ("&lt;b&gt;Eve&lt;/b&gt;", ["Eve"]),  # an escaped tag is still markup
        ("<b>Carol</b> & Dan", ["Carol", "Dan"]),
        ("🙋 @dan", ["@dan"]),
        ("**[@erin](https://github.com/erin)**", ["@erin"]),
        ("[Frank](https://github.com/frank)", ["Frank"]),
        ("@a, Alice, @A", ["@a", "Alice"]),  # each person once
        ("@vmx/@stebalien", ["@vmx", "@stebalien"]),
        ("@ipfs/wg-dht", ["@ipfs/wg-dht"]),  # a team is one handle
        ("see https://medium.com/@user and @real", ["@real"]),  # a URL is nobody
        ("👋 Alice, Bob (maybe)", ["Alice", "Bob"]),
        ("everyone", []),
        ("TBD", []),
        ("???", []),
        ("\u200d", []),
        ("<!-- ask @zoe -->", []),
    ],
)
def test_proposer_cells(tmp_path: Path, cell: str, names: list[str]) -> None:
    session = one(tmp_path, f"| Topic | Proposed by |\n|--|--|\n| S | {cell} |\n")
    assert session.proposer == names


def test_handles_in_other_cells_are_read_only_when_the_cell_holds_nothing_else(
    tmp_path: Path,
) -> None:
    text = (
        "| Topic | Owner | | Slides |\n|---|---|---|---|\n"
        f"| A | {AVATAR} | **@kubo** | |\n"  # the unnamed column's handle
        "| B | | | ask @vmx for the slides |\n"  # a sentence mentioning someone: no proposer
        "| C | | | | @extra |\n"  # a handle in a cell past the header
    )
    path = tmp_path / "agenda.md"
    path.write_text(text, encoding="utf-8")
    assert [s.proposer for s in read_agenda(path)] == [["@kubo"], [], ["@extra"]]


def test_a_column_of_titles_that_link_to_pages_is_an_agenda(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\n## Team\n- @a\n- @b\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# B\n\n- **Led by:** @c\n", encoding="utf-8")
    path = tmp_path / "agenda.md"
    path.write_text("| Deep dives |\n|---|\n| [A](a.md) |\n| [B](b.md) |\n", encoding="utf-8")
    sessions = read_agenda(path)
    assert [(s.topic, s.participants) for s in sessions] == [("A", ["@a", "@b"]), ("B", ["@c"])]


def test_the_pauses_of_a_schedule_are_no_sessions(tmp_path: Path) -> None:
    text = (
        "| Time | Session | Speaker |\n|---|---|---|\n"
        "| 10:00 | Opening the DHT | @a |\n"
        "| 12:00 | Lunch 🍕 | |\n"
        "| 14:00 | ☕ Coffee break | |\n"
        "| 14:30 | Breaking changes in Kubo | @b |\n"
    )
    path = tmp_path / "agenda.md"
    path.write_text(text, encoding="utf-8")
    sessions = read_agenda(path)
    # a clock time is when a session starts, not how long it lasts
    assert [(s.topic, s.duration, s.proposer) for s in sessions] == [
        ("Opening the DHT", "", ["@a"]),
        ("Breaking changes in Kubo", "", ["@b"]),
    ]


# -- titles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "topic", "slug", "links"),
    [
        (
            "[IPFS on Mobile](./10-ipfs-on-mobile.md)",
            "IPFS on Mobile",
            "ipfs-on-mobile",
            ["./10-ipfs-on-mobile.md"],
        ),
        ("**[Fast IPNS](26.md)** 📦", "Fast IPNS 📦", "fast-ipns", ["26.md"]),
        ("[GraphSync][1]", "GraphSync", "graphsync", []),
        ("`libp2p` &amp; Rust", "libp2p & Rust", "libp2p-rust", []),
        ("<b>Bold</b> title", "Bold title", "bold-title", []),
        ("![icon](i.png) Icon title", "Icon title", "icon-title", ["i.png"]),
        ("_Italic title_", "Italic title", "italic-title", []),
        (
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "<script>alert(1)</script>",
            "script-alert-1-script",
            [],
        ),
        (
            "[Spec](https://github.com/ipfs/specs) review",
            "Spec review",
            "spec-review",
            ["https://github.com/ipfs/specs"],
        ),
    ],
)
def test_title_cells(
    tmp_path: Path,
    cell: str,
    topic: str,
    slug: str,
    links: list[str],
) -> None:
    for name in ("10-ipfs-on-mobile.md", "26.md"):
        (tmp_path / name).write_text(f"# {name}\n", encoding="utf-8")
    session = one(tmp_path, f"| Topic | Proposed by |\n|--|--|\n| {cell} | @p |\n")
    assert (session.topic, session.slug, session.links) == (topic, slug, links)


# -- session pages: people and goals -----------------------------------------------------


def linked(tmp_path: Path, page: str, row_people: str = "") -> Session:
    """The session of a one-row agenda whose title links to ``page``."""
    (tmp_path / "page.md").write_text(page, encoding="utf-8")
    return one(
        tmp_path,
        "| Topic | Proposed by | Participants |\n|--|--|--|\n"
        f"| [T](page.md) | @p | {row_people} |\n",
    )


@pytest.mark.parametrize(
    ("page", "people"),
    [
        (
            "# T\n\n## Team\n\n* [@a](https://github.com/a)\n* Bea Smith (Org)\n\n"
            "Everyone is welcome.\n",
            ["@a", "Bea Smith"],
        ),
        ("# T\n\n### Attendees\n- @a\n- @b\n", ["@a", "@b"]),
        ("# T\n\n## Participants\n1. Carl - notes\n2. @d\n", ["Carl", "@d"]),
        ("# T\n\n## Team\nWe are @a and @b, and friends.\n", ["@a", "@b"]),
        ("# T\n\n## Team\n- Anyone who has worked on the DHT and wants to help\n", []),
        ("# T\n\n- **Participants:** @a, @b\n", ["@a", "@b"]),
        ("# T\n\n**Attendees:**\n- @a\n- Dee Dee\n\n## Notes\n- @zed\n", ["@a", "Dee Dee"]),
        # the lead and who has to be there are participants too; the proposer is not
        (
            "# T\n\n- **Proposed by:** @p\n- **Led by:** @lead\n"
            "- **Who has to be there in order for it to work:** @must\n"
            "- **Who Should Attend:** @maybe\n",
            ["@must", "@lead"],
        ),
        ("# T\n\n```\n## Team\n- @in-a-code-block\n```\n", []),
        # a sentence in a field is not a person
        ("# T\n\n- **Who has to be there:** Session leaders who know the design\n", []),
    ],
)
def test_people_on_a_session_page(tmp_path: Path, page: str, people: list[str]) -> None:
    assert linked(tmp_path, page).participants == people


def test_a_pages_people_are_merged_into_the_rows_each_once(tmp_path: Path) -> None:
    page = (
        "# T\n\n- **Led by:** @vyzo\n- **Who has to be there:** @bob, Alice\n\n## Team\n- @VYZO\n"
    )
    session = linked(tmp_path, page, row_people="@Vyzo, Alice")
    assert session.participants == ["@Vyzo", "Alice", "@bob"]


@pytest.mark.parametrize(
    ("page", "description"),
    [
        ("# T\n\n**Goals:**\n- a\n- b\n\n## Notes\nAfter.\n", "- a\n- b"),
        (
            "# T\n\n- **Goal:**\n  line one\n  line two\n- **Duration:** 5 min\n",
            "line one\nline two",
        ),
        ("# T\n\n**Goal:**\nDecide X,\nand Y.\n\n## Team\n- @a\n", "Decide X,\nand Y."),
        ("# T\n\n**Goals**\n\n1. one\n2. two\n", "1. one\n2. two"),
        ("# T\n\n- **Objective:** Ship it.\n\n## Details\n\nHow.\n", "Ship it.\n\nHow."),
        ("# T\n\nOpening words.\n\n## Goal\n\nThe goal.\n", "Opening words.\n\nThe goal."),
        # a paragraph that starts in bold is a paragraph, not a field
        ("# T\n\n**IPFS** is a protocol.\n\n## Team\n- @a\n", "**IPFS** is a protocol."),
        ("# T\n\n## Goals\n\nTBD\n", ""),
        ("# T\n\n## Goal\n\n<Define what we would get>\n", ""),
        ("# T\n\n- **Goals:** _{describe the goal}_\n", ""),
    ],
)
def test_goals_on_a_session_page(tmp_path: Path, page: str, description: str) -> None:
    assert linked(tmp_path, page).description == description


def test_a_missing_title_page_warns_and_the_details_page_is_read(tmp_path: Path) -> None:
    (tmp_path / "details.md").write_text("# D\n\n- **Led by:** @lead\n", encoding="utf-8")
    path = tmp_path / "agenda.md"
    path.write_text(
        "# Agenda\n\n| Topic | Notes |\n|--|--|\n| [T](gone.md) | [details](details.md) |\n",
        encoding="utf-8",
    )
    with pytest.warns(MapFileWarning) as caught:
        [session] = read_agenda(path)
    assert [str(w.message) for w in caught] == [
        f"{path}, line 5: the linked page 'gone.md' does not exist "
        f"(looked for {tmp_path.resolve() / 'gone.md'}); the session is read without it"
    ]
    assert (session.topic, session.participants, session.links) == (
        "T",
        ["@lead"],
        ["gone.md", "details.md"],
    )


# -- through the CLI --------------------------------------------------------------------


def test_sessions_writes_every_session_and_prints_the_missing_page(tmp_path: Path) -> None:
    nb, maps = tmp_path / "nb", tmp_path / "maps"
    result = CliRunner().invoke(
        main, ["sessions", str(OBJECTIVES), "-o", str(nb), "--maps", str(maps)]
    )
    assert result.exit_code == 0, result.output
    assert f"warning: {OBJECTIVES}, line 11: the linked page 'retro.md'" in result.stderr
    assert len(list(nb.glob("*.ipynb"))) == 5
    hydras = cm.ConceptMap.load(maps / "hydra-boosters-keep-or-retire.jsonl")
    assert hydras.meta["topic"] == "Hydra boosters: keep or retire?"
    assert hydras.meta["participants"][:2] == ["@yiannisbot", "@guillaumemichel"]


# -- what is not an agenda -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "| Name | Value |\n|---|---|\n| a | b |\n",
            "its table on line 1 is headed 'Name | Value'",
        ),
        (  # a topic column alone is a list of topics, not sessions
            "# Ideas\n\n| Objective |\n|---|\n| Faster DHT |\n",
            "its table on line 3 is headed 'Objective'",
        ),
        ("# Meeting notes\n\nWe talked about the DHT.\n", "it has no Markdown table"),
    ],
)
def test_a_page_that_is_not_an_agenda_says_what_it_saw(
    tmp_path: Path, text: str, reason: str
) -> None:
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileError, match="is not an agenda") as caught:
        read_agenda(path)
    assert reason in str(caught.value)
    assert "topic column (topic, title, session, objective, project)" in str(caught.value)


# -- linear time ---------------------------------------------------------------------------

READ_IN_CHILD = r"""
import sys, warnings
from conceptmap.jupyter.agenda import read_agenda
warnings.simplefilter("ignore")
print(len(read_agenda(sys.argv[1])))
"""


@pytest.mark.slow
@pytest.mark.parametrize("unit", [" ", "(", " \t", "a ", "[x](y "])
def test_long_runs_in_cells_and_pages_read_in_linear_time(tmp_path: Path, unit: str) -> None:
    # unanchored patterns that start with \s* were quadratic: 20,000 spaces took 68 s
    run = "x" + unit * (200_000 // len(unit)) + "x"  # inside a cell, not stripped off its ends
    (tmp_path / "page.md").write_text(
        f"# T {run}\n\n- **Duration:** {run})\n\n**Goals:**\n{run}\n\n## Team\n\n- {run}\n{run}\n",
        encoding="utf-8",
    )
    path = tmp_path / "agenda.md"
    path.write_text(
        "- **Duration:** " + run + ")\n\n| Topic | Proposed by | Participants | Description |\n"
        f"|---|---|---|---|\n| [T](page.md) {run} | {run} | @a {run} | {run} |\n",
        encoding="utf-8",
    )
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    try:
        done = subprocess.run(
            [sys.executable, "-c", READ_IN_CHILD, str(path)],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading 200,000 characters of {unit!r} took over 30 s")
    assert done.stdout.strip() == "1", done.stderr[-2000:]
