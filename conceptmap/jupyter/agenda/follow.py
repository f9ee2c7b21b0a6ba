"""Following a row's links to its session page, and what the page adds to the row.

An agenda may come from anyone, so what it makes the reader open is limited: a
linked page is read only if it lies inside the agenda's folder (links with
``..``, absolute paths and symbolic links leading out are not followed), is a
regular file (no FIFO, no device) and is at most :data:`MAX_PAGE_BYTES`. A page
that is missing or not read is a :class:`~conceptmap.errors.MapFileWarning`
naming the agenda, the line and the link; the session is still produced.
"""

from __future__ import annotations

import os
import stat
import warnings
from dataclasses import replace
from pathlib import Path

from ...core.schema import people
from ...errors import MapFileWarning
from .pages import page_session
from .session import Session
from .tables import Row

__all__ = ["MAX_PAGE_BYTES", "follow"]

#: the largest session page that is read, in bytes
MAX_PAGE_BYTES = 1_000_000
#: how many of a row's local links are looked at
MAX_PAGES_PER_ROW = 5


class _NotRead(Exception):
    """Why a linked page is not read."""


def follow(row: Row, agenda: Path) -> Session:
    """The row's session with what its first readable linked page adds.

    The page fills the row's empty description, proposer and duration; its
    lead, required participants and team are participants too, so they are
    merged into the row's participants (each person once). Every local link
    that is missing or refused is a warning, the session is produced anyway.
    """
    session, merged = row.session, False
    # a row links to its page, perhaps a details page too: a row of a thousand
    # links is not a thousand files to open
    for link in row.pages[:MAX_PAGES_PER_ROW]:
        where = f"{agenda}, line {row.line}"
        try:
            lines = _page_lines(agenda, link)
        except _NotRead as why:
            message = f"{where}: the linked page {link!r} {why}; the session is read without it"
            warnings.warn(message, MapFileWarning, stacklevel=3)
            continue
        if merged or lines is None:
            continue
        page = page_session(lines, Path(link.split("#", 1)[0]).name, linked=True)
        if page is not None:
            session, merged = _merge(session, page), True
    return session


def _merge(row: Session, page: Session) -> Session:
    return replace(
        row,
        description=row.description or page.description,
        participants=people([*row.participants, *page.participants]),
        proposer=row.proposer or page.proposer,
        duration=row.duration or page.duration,
    )


def _page_lines(agenda: Path, link: str) -> list[str] | None:
    """The lines of the page ``link`` names; None when not a text page, _NotRead when refused."""
    target = link.split("#", 1)[0].split("?", 1)[0]
    folder = agenda.parent
    if not target:
        return None
    try:
        real, root = (folder / target).resolve(), folder.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        raise _NotRead("cannot be resolved (a loop of symbolic links?)") from None
    if not real.is_relative_to(root):
        raise _NotRead("is outside the agenda's folder")
    if real == agenda.resolve():
        return None  # a link to the agenda itself, e.g. its own table of contents
    try:
        # O_NOFOLLOW: not a link put there since; O_NONBLOCK: a FIFO does not hang the open
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise _NotRead(f"does not exist (looked for {real})") from None
    except OSError as exc:
        raise _NotRead(f"cannot be opened ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _NotRead("is not a regular file")
        data = f.read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        raise _NotRead(f"is larger than {MAX_PAGE_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        return None
