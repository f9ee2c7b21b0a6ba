"""Read session agendas: a Markdown table of proposed sessions, or one session page.

An agenda is what people actually write, so the reader forgives: rows with more
or fewer cells than the header, rows without a leading or trailing pipe, tabs,
escaped pipes (``\\|``), and cells that say ``???``, ``TBD``, ``N/A`` or ``-``
(all of which mean "unknown" and become ``""`` or ``[]``). A row that links to a
local session page (``[details](graphsync.md)``) takes the page's description,
participants and proposer where its own cells are empty.

A session page is the IPFS session-template layout: a ``# Title`` heading, then
``- **Proposed by:** @handle`` style fields and ``## Overview`` / ``## Details``
sections.

An agenda may come from anyone, so what it makes the reader open is limited: a
linked page is read only if it lies inside the agenda's folder (links with
``..``, absolute paths and symbolic links leading out are not followed), is a
regular file (no FIFO, no device) and is at most 1 MB. A page that is not read
is a :class:`~conceptmap.errors.MapFileWarning` naming the agenda line and the
link. Every pattern here runs in linear time, however long the line.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from ..core.schema import MAX_LABEL_LENGTH, slugify
from ..errors import FileError, MapFileWarning

__all__ = ["Session", "read_agenda"]


@dataclass(frozen=True)
class Session:
    """One proposed session of an agenda.

    Unknown values are ``""`` or ``[]``; ``source`` says where the session was
    read (``"deep-dive-sessions.md, line 27"``).
    """

    topic: str
    proposer: list[str]
    participants: list[str]
    description: str
    duration: str
    source: str
    links: list[str]
    slug: str


_UNKNOWN = frozenset({"", "?", "??", "???", "tbd", "tba", "n/a", "na", "-", "--", "—", "–"})
_PLACEHOLDER = re.compile(r"^_?\{.*\}_?$", re.DOTALL)  # the template's "_{your github handle}_"
_ESCAPED_PIPE = "\x00"
_SEPARATOR_CELL = re.compile(r"^:?-+:?$")
_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9][A-Za-z0-9_-]*")
# [text](target "title"): no part can match what another part may, so a line
# of a million '[' or '[](' fails at each position at once (no backtracking)
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*([^()\s\[\]]+)(?:\s[^()\[\]]*)?\)")
_BARE_URL = re.compile(r"(?<![(<\w])https?://[^\s)>|]+")
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
_BOLD_FIELD = re.compile(r"^(?:[-*+]\s+)?(?:\*\*|__)(?P<name>.+?)(?:\*\*|__)\s*:?\s*(?P<value>.*)$")
_PLAIN_FIELD = re.compile(r"^(?:[-*+]\s+)?(?P<name>[A-Za-z][A-Za-z ]{0,50}):\s+(?P<value>.*)$")
_TITLE_PREFIX = re.compile(r"^(?:session|sessions|deep technical design|deep dive)\s*:\s*", re.I)

# Column kinds, each with the (lower-case) words that name it in a header.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "topic": ("topic", "title", "session"),
    "proposer": ("propos", "author", "owner", "submitted", "lead", "host"),
    "participants": ("particip", "who", "attend", "people"),
    "description": ("descr", "detail", "goal", "summary", "about", "note", "abstract"),
    "duration": ("duration", "length", "time"),
}
_PAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "proposer": ("proposed by", "proposer", "author"),
    "lead": ("led by", "lead", "leader"),
    "required": ("who has to be there", "necessary participants", "participants"),
    "objective": ("objective", "goal", "description"),
    "duration": ("duration",),
}
_DESCRIPTION_SECTIONS = ("detail", "descr", "goal", "summary", "abstract")
#: the largest session page that is read, in bytes
MAX_PAGE_BYTES = 1_000_000
# a title slug is cut to this many characters before the hash is added
_SLUG_PREFIX = 50


def read_agenda(path: str | os.PathLike[str]) -> list[Session]:
    """The sessions of an agenda file, in the order they are listed.

    The file is either a Markdown table of sessions (every table whose header has
    a topic/title/session column) or a single session page, which yields one
    session. A missing, unreadable or unrecognisable file raises
    :class:`~conceptmap.errors.FileError`.

    >>> import tempfile
    >>> agenda = Path(tempfile.mkdtemp()) / "agenda.md"
    >>> _ = agenda.write_text("| Topic | Proposed by |\\n|---|---|\\n| GraphSync | @vmx |\\n")
    >>> [(s.topic, s.proposer, s.source) for s in read_agenda(agenda)]
    [('GraphSync', ['@vmx'], 'agenda.md, line 3')]
    """
    lines = _read_lines(path)
    name = Path(path).name
    duration = _agenda_duration(lines)
    folder = Path(path).parent
    sessions = [_follow_link(session, folder) for session in _table_sessions(lines, name, duration)]
    if sessions:
        return sessions
    page = _page_session(lines, name)
    if page is None:
        raise FileError(
            path,
            "is not an agenda: it has no Markdown table with a topic column "
            "and is not a session page (a '# Title' heading with fields such as "
            "'- **Proposed by:** @handle')",
        )
    return [page]


# -- reading -----------------------------------------------------------------


def _read_lines(path: str | os.PathLike[str]) -> list[str]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileError(path, "no such agenda file") from None
    except UnicodeDecodeError:
        raise FileError(path, "is not UTF-8 text, so it cannot be an agenda") from None
    except OSError as error:
        raise FileError(path, f"cannot be read ({error.strerror or error})") from None
    return text.splitlines()


def _is_unknown(text: str) -> bool:
    bare = text.strip().strip("*_`").strip()
    return bare.casefold() in _UNKNOWN or bool(_PLACEHOLDER.match(text.strip()))


def _clean(text: str) -> str:
    """A cell or field value, or ``""`` when it only says "unknown"."""
    text = " ".join(text.split())
    return "" if _is_unknown(text) else text


def _names(text: str) -> list[str]:
    """The people a cell names: its ``@handles`` or else its comma/"and" separated names."""
    text = _clean(text)
    found = _HANDLE.findall(text) or _NAME_SEPARATORS.split(text)
    names = [name for name in (_clean(n) for n in found) if name]
    return list(dict.fromkeys(names))


def _links(text: str) -> list[str]:
    targets = [target for _, target in _MD_LINK.findall(text)]
    targets += _BARE_URL.findall(_MD_LINK.sub(" ", text))
    return list(dict.fromkeys(targets))


def _prose(text: str) -> str:
    """A description, or ``""`` when the cell holds nothing but links."""
    text = _clean(text)
    leftover = _BARE_URL.sub(" ", _MD_LINK.sub(" ", text))
    return text if leftover.strip(" .,;:-") else ""


# -- tables ------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    body = line.replace("\\|", _ESCAPED_PIPE).strip()
    body = body.removeprefix("|")
    if body.endswith("|"):
        body = body[:-1]
    return [cell.replace(_ESCAPED_PIPE, "|").strip() for cell in body.split("|")]


def _is_row(line: str) -> bool:
    return bool(line.strip()) and "|" in line.replace("\\|", "")


def _is_separator(line: str) -> bool:
    cells = _cells(line)
    return _is_row(line) and all(_SEPARATOR_CELL.match(cell.replace(" ", "")) for cell in cells)


def _column_kinds(header: list[str]) -> dict[str, int]:
    """Which column holds which kind of value; the first matching column wins."""
    kinds: dict[str, int] = {}
    for index, name in enumerate(header):
        name = name.casefold()
        for kind, words in _COLUMNS.items():
            if kind not in kinds and any(word in name for word in words):
                kinds[kind] = index
                break
    return kinds


def _table_sessions(lines: list[str], name: str, duration: str) -> list[Session]:
    sessions: list[Session] = []
    for number in range(1, len(lines)):
        if not (_is_separator(lines[number]) and _is_row(lines[number - 1])):
            continue
        header = _cells(lines[number - 1])
        kinds = _column_kinds(header)
        if "topic" not in kinds or len(kinds) < 2:
            continue
        row = number + 1
        while row < len(lines) and _is_row(lines[row]):
            session = _row_session(_cells(lines[row]), kinds, len(header), duration)
            if session is not None:
                sessions.append(replace(session, source=f"{name}, line {row + 1}"))
            row += 1
    return sessions


def _row_session(
    cells: list[str], kinds: dict[str, int], width: int, duration: str
) -> Session | None:
    extra = [cell for cell in cells[width:] if not _is_unknown(cell)]
    cells = cells[:width] + [""] * (width - len(cells))

    def cell(kind: str) -> str:
        return cells[kinds[kind]] if kind in kinds else ""

    title = _clean(cell("topic"))
    if not title:
        return None
    topic, slug = _topic_and_slug(title)
    # Cells beyond the header are kept as part of the description, not dropped.
    description = " ".join([_clean(cell("description")), *extra]).strip()
    return Session(
        topic=topic,
        proposer=_names(cell("proposer")),
        participants=_names(cell("participants")),
        description=_prose(description),
        duration=_clean(cell("duration")) or duration,
        source="",
        links=_links(" ".join(cells + extra)),
        slug=slug,
    )


def _topic_and_slug(title: str) -> tuple[str, str]:
    """A session's topic (cut to the label limit) and the slug its files are named by.

    A title longer than a label may be is cut with "…"; its slug is the start of
    the title's slug and a hash of the whole title, so two long titles that
    start alike get different names, whatever else the agenda holds.

    >>> topic, slug = _topic_and_slug(" ".join(["Scaling the DHT"] * 25))
    >>> len(topic), topic[-12:], slug
    (300, 'Scaling the…', 'scaling-the-dht-scaling-the-dht-scaling-the-dht-sc-a2e35f9d')
    """
    if len(title) <= MAX_LABEL_LENGTH:
        return title, slugify(title)
    digest = hashlib.sha1(title.encode(), usedforsecurity=False).hexdigest()[:8]
    start = slugify(title)[:_SLUG_PREFIX].rstrip("-")
    return title[: MAX_LABEL_LENGTH - 1].rstrip() + "…", f"{start}-{digest}"


def _follow_link(session: Session, folder: Path) -> Session:
    """Fill a session's empty fields from the first local session page it links to."""
    if session.description and session.participants and session.proposer:
        return session
    for link in session.links:
        if "://" in link or link.startswith(("#", "mailto:")):
            continue
        try:
            lines = _page_lines(folder, link)
        except _NotRead as why:
            message = f"{session.source}: the page {link!r} {why}; not read"
            warnings.warn(message, MapFileWarning, stacklevel=3)
            continue
        if lines is None:
            continue
        page = _page_session(lines, Path(link.split("#", 1)[0]).name)
        if page is None:
            continue
        return replace(
            session,
            description=session.description or page.description,
            participants=session.participants or page.participants,
            proposer=session.proposer or page.proposer,
            duration=session.duration or page.duration,
        )
    return session


class _NotRead(Exception):
    """Why a linked page is not read."""


def _page_lines(folder: Path, link: str) -> list[str] | None:
    """The lines of the page ``link`` names; None if there is none, _NotRead if it is refused."""
    target = link.split("#", 1)[0]
    if not target:
        return None
    try:
        real, root = (folder / target).resolve(), folder.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        return None
    if not real.is_relative_to(root):
        raise _NotRead("is outside the agenda's folder")
    try:
        # O_NOFOLLOW: not a link put there since; O_NONBLOCK: a FIFO does not hang the open
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None  # a dangling link leaves the row as it is
    except OSError as exc:
        raise _NotRead(f"cannot be opened ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _NotRead("is not a regular file")
        data = f.read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        raise _NotRead(f"is larger than {MAX_PAGE_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        return None


# -- session pages -----------------------------------------------------------


def _fields(lines: list[str]) -> dict[str, str]:
    """The page's ``- **Name:** value`` fields by kind; the first of each kind wins."""
    fields: dict[str, str] = {}
    for line in lines:
        match = _BOLD_FIELD.match(line.strip()) or _PLAIN_FIELD.match(line.strip())
        if match is None:
            continue
        name = match["name"].strip().rstrip(":").strip().casefold()
        for kind, names in _PAGE_FIELDS.items():
            if kind not in fields and any(name.startswith(n) for n in names):
                fields[kind] = match["value"].strip().lstrip(":").strip()
                break
    return fields


def _agenda_duration(lines: list[str]) -> str:
    """The agenda's ``Duration:`` line, without its parenthetical remark."""
    duration = _clean(_fields(lines).get("duration", ""))
    return re.sub(r"\s*\(.*\)\s*$", "", duration)


def _section(lines: list[str], words: tuple[str, ...]) -> str:
    """The text of the first ``##`` section whose heading contains one of ``words``."""
    body: list[str] | None = None
    for line in lines:
        if line.startswith("#"):
            if body is not None:
                break
            heading = line.lstrip("#").strip().casefold()
            if line.startswith("##") and any(word in heading for word in words):
                body = []
        elif body is not None:
            body.append(line.strip())
    text = "\n".join(body or []).strip()
    return "" if _is_unknown(text) else text


def _page_session(lines: list[str], name: str) -> Session | None:
    """The session a page describes, or None when the page is not a session page."""
    title_line = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    fields = _fields(lines)
    if title_line is None or not fields.keys() & {"proposer", "lead", "required", "objective"}:
        return None
    topic, slug = _topic_and_slug(_TITLE_PREFIX.sub("", lines[title_line][2:].strip()).strip())
    parts = [_clean(fields.get("objective", "")), _section(lines, _DESCRIPTION_SECTIONS)]
    participants = _names(fields.get("required", "")) + _names(fields.get("lead", ""))
    return Session(
        topic=topic,
        proposer=_names(fields.get("proposer", "")),
        participants=list(dict.fromkeys(participants)),
        description="\n\n".join(part for part in parts if part),
        duration=_clean(fields.get("duration", "")),
        source=f"{name}, line {title_line + 1}",
        links=_links("\n".join(lines)),
        slug=slug,
    )
