"""Reading session agendas: the IPFS deep-dive tables, session pages, and messy tables."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from conceptmap.core.schema import slugify
from conceptmap.errors import FileError
from conceptmap.jupyter.agenda import Session, read_agenda

AGENDAS = Path(__file__).parent / "data" / "agendas"
SEED = AGENDAS / "deep-dive-sessions.md"
README = AGENDAS / "deep-dives-README.md"

SEED_TOPICS = [
    "Private DHT",
    "Scaling up the DHT",
    "Reducing the information leakage on a libp2p dial",
    "GraphSync",
    "Locking the IPFS repo for concurrent access",
    "Proposing and Discussing Open Research Questions",
    "Get the RFC Process (RFC #1) ready to ratify",
    "Setting the Working Group Lifecycle (RFC #2)",
    "Designing for better Coordination and Planning across the Ecosystem",
]
GRAPHSYNC_OBJECTIVE = "Have a plan how to implement GraphSync back to front."


def write(tmp_path: Path, text: str, name: str = "agenda.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read_warned(path: Path) -> tuple[list[Session], list[str]]:
    """The sessions of an agenda and the warnings reading it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sessions = read_agenda(path)
    return sessions, [str(w.message) for w in caught]


def read(path: Path) -> list[Session]:
    """The sessions of an agenda whose missing pages are not what the test is about."""
    return read_warned(path)[0]


def by_topic(sessions: list[Session]) -> dict[str, Session]:
    return {session.topic: session for session in sessions}


# -- the seed agenda -----------------------------------------------------------


def test_the_seed_agenda_yields_its_nine_sessions_in_order() -> None:
    sessions = read(SEED)
    assert [s.topic for s in sessions] == SEED_TOPICS
    assert [s.slug for s in sessions] == [slugify(topic) for topic in SEED_TOPICS]
    assert all(s.duration == "75 minutes" for s in sessions)
    assert [s.source for s in sessions] == [
        f"deep-dive-sessions.md, line {n}" for n in range(29, 38)
    ]


@pytest.mark.parametrize(
    ("topic", "proposer", "participants"),
    [
        ("Private DHT", ["@diasdavid"], []),  # ???
        # the row's three, and the page's attendees (its lead and required are among the three)
        ("GraphSync", ["@diasdavid"], ["@diasdavid", "@stebalien", "@vmx", "@b5", "@mib-kd743naq"]),
        (
            "Locking the IPFS repo for concurrent access",
            ["@alanshaw"],
            [
                "@diasdavid",
                "@achingbrain",
                "@alanshaw",
                "@pgte",
                "@hugomrdias",
                "@satazor",
                "@lidel",
                "@olizilla",
            ],
        ),
        ("Proposing and Discussing Open Research Questions", ["@miyazono"], []),  # N/A
        ("Get the RFC Process (RFC #1) ready to ratify", ["@flyingzumwalt"], []),  # empty
        (
            "Setting the Working Group Lifecycle (RFC #2)",
            ["@flyingzumwalt"],
            ["At least a few Working Group captains"],
        ),
    ],
)
def test_seed_proposers_and_participants(
    topic: str, proposer: list[str], participants: list[str]
) -> None:
    session = by_topic(read(SEED))[topic]
    assert session.proposer == proposer
    assert session.participants == participants


@pytest.mark.parametrize(
    ("topic", "description"),
    [
        ("Private DHT", ""),  # TBD, and an extra empty cell
        ("Scaling up the DHT", ""),
        (
            "Get the RFC Process (RFC #1) ready to ratify",
            "Review RFC #1 -- the RFC process. Submit a PR with final changes. "
            "Start FCP (Final Comment Period)",
        ),
        # links to a page that does not exist: nothing to follow, no prose of its own
        ("Designing for better Coordination and Planning across the Ecosystem", ""),
    ],
)
def test_seed_descriptions(topic: str, description: str) -> None:
    assert by_topic(read(SEED))[topic].description == description


def test_a_local_session_page_link_is_followed_for_the_description() -> None:
    graphsync = by_topic(read(SEED))["GraphSync"]
    assert graphsync.links == ["graphsync.md"]
    assert graphsync.description.startswith(GRAPHSYNC_OBJECTIVE)
    assert "Bonus points for finding a better name than GraphSync" in graphsync.description
    assert graphsync.duration == "75 minutes"  # the agenda's duration, not the page's


def test_a_dangling_local_link_is_kept_as_a_link_and_warned_about() -> None:
    sessions, warned = read_warned(SEED)
    assert by_topic(sessions)[SEED_TOPICS[-1]].links == ["team-coordination-at-scale.md"]
    assert warned == [
        f"{SEED}, line 37: the linked page 'team-coordination-at-scale.md' does not exist "
        f"(looked for {AGENDAS.resolve() / 'team-coordination-at-scale.md'}); "
        "the session is read without it"
    ]


# -- the second agenda: fewer columns, missing cells ----------------------------


def test_the_readme_agenda_yields_all_its_rows() -> None:
    sessions = read(README)
    assert len(sessions) == 21
    assert sessions[0].topic == "Private DHT"
    assert sessions[-1].topic == "Designing HTTP API Docs that Work"
    assert all(s.duration == "2 hours" for s in sessions)  # "(take breaks as needed)" dropped
    assert all(s.source.startswith("deep-dives-README.md, line ") for s in sessions)


@pytest.mark.parametrize(
    ("topic", "proposer", "description", "links"),
    [
        ("Private DHT", ["@diasdavid"], "", []),
        ("Scaling up the DHT", ["@diasdavid"], "Scaling the DHT to millions of nodes", []),
        # no trailing pipe, no description cell at all
        ("Live Streaming Capabilities through IPFS to X thousand", ["@diasdavid"], "", []),
        ("Sharing IPLD Graphs (Implementation + API)", ["@diasdavid"], "", []),
        # tabs around the cells and a bare URL as the whole description
        (
            "Identity for DApps",
            ["@diasdavid"],
            "",
            ["https://github.com/ipfs/dynamic-data-and-capabilities/issues/7"],
        ),
        (
            "Upgrading the HTTP-API to a RPC API (stop the nonsense)",
            ["@diasdavid"],
            "We desperately need a new remote API https://github.com/ipfs/http-api-spec/issues/116",
            ["https://github.com/ipfs/http-api-spec/issues/116"],
        ),
        ("Designing HTTP API Docs that Work", ["@Mr0grog"], "", ["http-api-docs-that-work.md"]),
    ],
)
def test_readme_rows_with_missing_cells(
    topic: str, proposer: list[str], description: str, links: list[str]
) -> None:
    session = by_topic(read(README))[topic]
    assert (session.proposer, session.participants) == (proposer, [])
    assert session.description == description
    assert session.links == links


def test_a_table_without_participants_takes_them_from_the_linked_page() -> None:
    sessions = by_topic(read(README))
    graphsync = sessions["GraphSync"]
    # required, lead, then the epilogue's attendees
    assert graphsync.participants == ["@diasdavid", "@stebalien", "@vmx", "@b5", "@mib-kd743naq"]
    assert graphsync.description.startswith(GRAPHSYNC_OBJECTIVE)
    worker = sessions["Design Service Worker Lib for Web Development"]
    assert worker.participants == ["@vasco-santos", "@hugomrdias", "@lidel"]  # required + lead
    assert worker.description == "Bootstrap work on Service Worker Lib for Web Browser apps"


def test_the_readme_agenda_warns_once_per_missing_page() -> None:
    _, warned = read_warned(README)
    missing = [
        (41, "team-coordination-at-scale.md"),
        (42, "base32.md"),
        (43, "Dapp-SDK-for-IPFS.md"),
        (53, "http-api-docs-that-work.md"),
    ]
    assert len(warned) == len(missing)
    for message, (line, page) in zip(warned, missing, strict=True):
        assert message.startswith(f"{README}, line {line}: the linked page {page!r} does not exist")


# -- single session pages --------------------------------------------------------


def test_a_session_page_is_one_session() -> None:
    [session] = read_agenda(AGENDAS / "graphsync.md")
    assert session.topic == "GraphSync"  # "Deep Technical Design: " dropped
    assert session.slug == "graphsync"
    assert session.proposer == ["@diasdavid"]
    # required, lead, then the epilogue's attendees
    assert session.participants == ["@diasdavid", "@stebalien", "@vmx", "@b5", "@mib-kd743naq"]
    assert session.duration == "60 minutes"
    assert session.description.startswith(GRAPHSYNC_OBJECTIVE + "\n\n1. @vmx gives")
    assert session.source == "graphsync.md, line 1"
    assert "https://github.com/ipld/specs/pull/66" in session.links


def test_the_empty_template_has_no_facts_only_a_title() -> None:
    [session] = read_agenda(AGENDAS / "session-template.md")
    assert session.topic == "ENTER SESSION TITLE HERE"
    assert (session.proposer, session.participants) == ([], [])
    assert (session.description, session.duration) == ("", "")


# -- messy tables ------------------------------------------------------------------

MESSY = """\
Some intro text | with a pipe that is not a table.

- **Duration:** 45 minutes

|Title|Who|Proposer|Notes
|---|:--|--|--:
Plain row | @alice and @bob | @carol | A description
| Tabs\t|\t@dan,@erin\t|\t@frank\t|\tTabbed\tcell |
| Extra cells | @gus | @hal | first | second | |
| Escaped \\| pipe | - | N/A | a \\| b |
| Too few | @ivy
| | @nobody | @nobody | a row without a topic is skipped |
|TBD| @x | @y | an unknown topic is skipped too |

After the table.
| Not a table row either |
"""


@pytest.mark.parametrize(
    ("topic", "participants", "proposer", "description"),
    [
        ("Plain row", ["@alice", "@bob"], ["@carol"], "A description"),
        ("Tabs", ["@dan", "@erin"], ["@frank"], "Tabbed cell"),
        ("Extra cells", ["@gus"], ["@hal"], "first second"),
        ("Escaped | pipe", [], [], "a | b"),
        ("Too few", ["@ivy"], [], ""),
    ],
)
def test_messy_rows(
    tmp_path: Path, topic: str, participants: list[str], proposer: list[str], description: str
) -> None:
    session = by_topic(read_agenda(write(tmp_path, MESSY)))[topic]
    assert (session.participants, session.proposer) == (participants, proposer)
    assert session.description == description
    assert session.duration == "45 minutes"


def test_messy_table_keeps_exactly_the_rows_with_topics(tmp_path: Path) -> None:
    sessions = read_agenda(write(tmp_path, MESSY))
    assert [s.topic for s in sessions] == [
        "Plain row",
        "Tabs",
        "Extra cells",
        "Escaped | pipe",
        "Too few",
    ]
    assert [s.source for s in sessions] == [f"agenda.md, line {n}" for n in (7, 8, 9, 10, 11)]


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("@a, @b and @c", ["@a", "@b", "@c"]),
        ("@a @b @a", ["@a", "@b"]),
        ("Alice, Bob and Carol", ["Alice", "Bob", "Carol"]),
        ("mail me@example.org or @real", ["@real"]),
        ("???", []),
        ("TBD", []),
        ("n/a", []),
        ("*TBD*", []),
        ("", []),
    ],
)
def test_participant_cells(tmp_path: Path, cell: str, names: list[str]) -> None:
    path = write(tmp_path, f"| Session | Participants |\n|--|--|\n| S | {cell} |\n")
    [session] = read_agenda(path)
    assert session.participants == names
    assert session.duration == ""


def test_several_tables_are_read_in_order(tmp_path: Path) -> None:
    text = (
        "| Topic | Proposed by |\n|-|-|\n| One | @a |\n\n"
        "| Name | Value |\n|-|-|\n| ignored | table |\n\n"
        "| Session title | Description |\n|-|-|\n| Two | second |\n"
    )
    assert [s.topic for s in read_agenda(write(tmp_path, text))] == ["One", "Two"]


@pytest.mark.parametrize(
    ("cell", "links"),
    [
        ("[details](page.md)", ["page.md"]),
        ('[details]( page.md "The page" )', ["page.md"]),
        ("[a](x.md) and [b](y.md#part)", ["x.md", "y.md#part"]),
        ("[[x](x.md)", ["x.md"]),
        ("see https://example.com/x and [](", ["https://example.com/x"]),
        ("[" * 1000 + "](" * 1000 + "[x](" + "y" * 1000, []),
    ],
)
def test_links_in_cells(tmp_path: Path, cell: str, links: list[str]) -> None:
    path = write(tmp_path, f"| Topic | Details |\n|--|--|\n| S | {cell} |\n")
    [session] = read(path)  # the pages are missing: not what this is about
    assert session.links == links


def test_pages_in_subfolders_and_links_that_stay_inside_are_read(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    page = "# Inside\n\n- **Proposed by:** @vmx\n- **Objective:** Read me.\n"
    (tmp_path / "pages" / "inside.md").write_text(page, encoding="utf-8")
    (tmp_path / "alias.md").symlink_to(Path("pages") / "inside.md")
    text = "| Topic | Details |\n|--|--|\n| A | [p](pages/inside.md) |\n| B | [p](alias.md) |\n"
    sessions = read_agenda(write(tmp_path, text))
    assert [(s.description, s.proposer) for s in sessions] == [("Read me.", ["@vmx"])] * 2


def test_a_long_title_is_cut_to_a_label_and_named_by_a_hash(tmp_path: Path) -> None:
    title = "Scaling the distributed hash table " * 10
    path = write(tmp_path, f"| Topic | Proposed by |\n|--|--|\n| {title} | @a |\n")
    [session] = read_agenda(path)
    assert len(session.topic) == 300
    assert session.topic.endswith("…")
    assert title.strip().startswith(session.topic[:-1])
    start, digest = session.slug.rsplit("-", 1)
    assert slugify(title).startswith(start)
    assert len(start) <= 50
    assert len(digest) == 8


def test_reading_does_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    graphsync = by_topic(read(SEED))["GraphSync"]
    assert graphsync.description.startswith(GRAPHSYNC_OBJECTIVE)


# -- errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("# Meeting notes\n\nWe talked about the DHT.\n", "is not an agenda"),
        ("| Name | Value |\n|---|---|\n| a | b |\n", "is not an agenda"),
        ("", "is not an agenda"),
    ],
)
def test_a_file_that_is_not_an_agenda_is_a_map_file_error(
    tmp_path: Path, text: str, reason: str
) -> None:
    path = write(tmp_path, text, "notes.md")
    with pytest.raises(FileError, match=reason) as caught:
        read_agenda(path)
    assert caught.value.path == str(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_a_missing_file_is_a_map_file_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.md"
    with pytest.raises(FileError, match="no such agenda file") as caught:
        read_agenda(path)
    assert caught.value.path == str(path)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_bytes(b"\xff\xfe| Topic |\x80"), "not UTF-8"),
        (lambda p: p.mkdir(), "cannot be read"),
    ],
)
def test_an_unreadable_file_is_a_map_file_error(
    tmp_path: Path, make: Callable[[Path], object], reason: str
) -> None:
    path = tmp_path / "agenda.md"
    make(path)
    with pytest.raises(FileError, match=reason):
        read_agenda(path)


def test_the_session_is_immutable() -> None:
    session = read(SEED)[0]
    with pytest.raises(AttributeError):
        session.topic = "x"  # type: ignore[misc]
