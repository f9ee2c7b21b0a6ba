"""Read session agendas: a Markdown table of proposed sessions, or one session page.

An agenda is what people actually write, so the reader forgives: ragged rows,
missing pipes, escaped pipes, ``<br>`` and HTML entities in cells, avatar HTML,
unnamed columns, titles that are links, and cells that say ``???``, ``TBD``,
``N/A`` or ``-`` (all of which mean "unknown" and become ``""`` or ``[]``).

- :mod:`.headers` knows which header words name which column (topic, title,
  session, objective, project; proposed by, presenter, lead, owner; participants,
  attendees, who, team; description, goal, summary, notes; duration);
- :mod:`.tables` turns table rows into sessions;
- :mod:`.text` reads names, titles, links and prose out of Markdown and HTML;
- :mod:`.pages` reads a session page (the IPFS session template, or a page
  with a ``## Team`` list);
- :mod:`.follow` opens the page a row links to (its title's link or a
  ``[details](page.md)``), within the agenda's folder only, and merges it in.
"""

from __future__ import annotations

import os
from pathlib import Path

from ...errors import FileError
from .follow import MAX_PAGE_BYTES, follow
from .pages import fields, page_session
from .session import Session
from .tables import find_tables, table_sessions
from .text import clean

__all__ = ["MAX_PAGE_BYTES", "Session", "read_agenda"]


def read_agenda(path: str | os.PathLike[str]) -> list[Session]:
    """The sessions of an agenda file, in the order they are listed.

    The file is either a Markdown table of sessions (every table whose header
    names a topic column and one more known column) or a single session page,
    which yields one session. A linked page that is missing or may not be read
    is a :class:`~conceptmap.errors.MapFileWarning`; a missing, unreadable or
    unrecognisable file raises :class:`~conceptmap.errors.FileError`.

    >>> import tempfile
    >>> agenda = Path(tempfile.mkdtemp()) / "agenda.md"
    >>> _ = agenda.write_text("| Objective | Proposed by |\\n|---|---|\\n| GraphSync | @vmx |\\n")
    >>> [(s.topic, s.proposer, s.source) for s in read_agenda(agenda)]
    [('GraphSync', ['@vmx'], 'agenda.md, line 3')]
    """
    lines = _read_lines(path)
    name = Path(path).name
    rows = table_sessions(lines, name, _agenda_duration(lines))
    if rows:
        return [follow(row, Path(path)) for row in rows]
    page = page_session(lines, name)
    if page is None:
        raise FileError(path, _not_an_agenda(lines))
    return [page]


def _not_an_agenda(lines: list[str]) -> str:
    tables = find_tables(lines)
    seen = (
        f"its table on line {tables[0].line} is headed {' | '.join(tables[0].header)!r}, "
        if tables
        else "it has no Markdown table, "
    )
    return (
        f"is not an agenda: {seen}while an agenda's table needs a topic column (topic, "
        "title, session, objective, project) and a proposer, participants or description "
        "column; nor is it a session page (a '# Title' heading with fields such as "
        "'- **Proposed by:** @handle' or a '## Team' list)"
    )


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


def _agenda_duration(lines: list[str]) -> str:
    """The agenda's ``Duration:`` line, without its parenthetical remark."""
    duration = clean(next(iter(fields(lines).get("duration", [])), ""))
    if duration.endswith(")"):  # rfind, not a regex: linear however many "(" there are
        duration = duration[: duration.rfind("(")].rstrip()
    return duration
