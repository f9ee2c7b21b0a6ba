"""Sessions from the Markdown tables of an agenda, one per row that names a topic.

Tables are read as people write them: rows with more or fewer cells than the
header, rows without a leading or trailing pipe, tabs, escaped pipes (``\\|``),
``<br>`` inside cells, unnamed columns. A table is a session table when its
header names a topic column and one more kind (:mod:`.headers`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ...core.schema import people
from . import text
from .headers import column_kinds
from .session import Session, topic_and_slug

__all__ = ["Row", "Table", "cells", "find_tables", "table_sessions"]

_ESCAPED_PIPE = "\x00"
_SEPARATOR_CELL = re.compile(r"^:?-+:?$")
# rows of a schedule that are no session
_PAUSES = frozenset(
    {"lunch", "break", "coffee", "coffee break", "tea break", "dinner", "breakfast", "snacks"}
)
_NOT_WORD = re.compile(r"[\W_]+")
# "10:00" or "10:00-10:45" in a "Time" column is when, not how long
_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}(?:\s*[-–]\s*\d{1,2}[:.]\d{2})?$")


@dataclass(frozen=True)
class Row:
    """A session read from a table row, with the local pages the row links to."""

    session: Session
    line: int  # 1-based line number in the agenda
    pages: list[str]


@dataclass(frozen=True)
class Table:
    """A Markdown table: its header cells and the line its header is on (1-based)."""

    header: list[str]
    line: int


def cells(line: str) -> list[str]:
    """The cells of a table row; an escaped pipe stays inside its cell.

    >>> cells("| a \\\\| b | c")
    ['a | b', 'c']
    """
    body = line.replace("\\|", _ESCAPED_PIPE).strip()
    body = body.removeprefix("|")
    if body.endswith("|"):
        body = body[:-1]
    return [cell.replace(_ESCAPED_PIPE, "|").strip() for cell in body.split("|")]


def _is_row(line: str) -> bool:
    return bool(line.strip()) and "|" in line.replace("\\|", "")


def _is_separator(line: str) -> bool:
    return _is_row(line) and all(
        _SEPARATOR_CELL.match(cell.replace(" ", "")) for cell in cells(line)
    )


def find_tables(lines: list[str]) -> list[Table]:
    """Every Markdown table of ``lines`` (a header row above a ``|---|`` row).

    >>> find_tables(["intro", "| A | B |", "|---|---|", "| 1 | 2 |"])
    [Table(header=['A', 'B'], line=2)]
    """
    return [
        Table(cells(lines[number - 1]), number)
        for number in range(1, len(lines))
        if _is_separator(lines[number]) and _is_row(lines[number - 1])
    ]


def table_sessions(lines: list[str], name: str, duration: str) -> list[Row]:
    """The sessions of every session table in ``lines``, in order.

    ``name`` is the agenda's file name (for ``Session.source``), ``duration``
    the agenda's own, used where a row gives none.

    >>> [r.session.topic for r in table_sessions(["|Objective|Proposed by|", "|-|-|",
    ...     "| [Fast IPNS](26.md) | @hugomrdias |"], "a.md", "")]
    ['Fast IPNS']
    """
    rows: list[Row] = []
    for table in find_tables(lines):
        kinds = column_kinds(table.header)
        body = _body(lines, table)
        if "topic" not in kinds:
            continue
        # a column of topics alone is a list of ideas, unless they link to session pages
        if len(kinds) < 2 and not any(_links_a_page(row[kinds["topic"]]) for _, row in body):
            continue
        for number, cells_ in body:
            row = _row(cells_, table.header, kinds, duration)
            if row is not None:
                session, pages = row
                source = f"{name}, line {number}"
                rows.append(Row(replace(session, source=source), number, pages))
    return rows


def _body(lines: list[str], table: Table) -> list[tuple[int, list[str]]]:
    """The rows under a table's header, with their 1-based line numbers."""
    body, number = [], table.line + 1  # 0-based index of the first body row
    while number < len(lines) and _is_row(lines[number]):
        body.append((number + 1, cells(lines[number])))
        number += 1
    return body


def _links_a_page(cell: str) -> bool:
    """Whether a title cell is a link to a local page (not a URL, not an image)."""
    page = text.title(cell)[1]
    return bool(page) and page in text.page_targets(cell)


def _row(
    row: list[str], header: list[str], kinds: dict[str, int], duration: str
) -> tuple[Session, list[str]] | None:
    width = len(header)
    extra = [cell for cell in row[width:] if not text.is_unknown(cell)]
    row = row[:width] + [""] * (width - len(row))

    def cell(kind: str) -> str:
        return row[kinds[kind]] if kind in kinds else ""

    title, page = text.title(cell("topic"))
    if not title or " ".join(_NOT_WORD.sub(" ", title.casefold()).split()) in _PAUSES:
        return None
    topic, slug = topic_and_slug(title)
    # the other cells: unnamed columns, columns of no known kind, cells past the header
    others = [c for i, c in enumerate(row) if i not in kinds.values()] + extra
    # cells past the header are kept as part of the description, not dropped
    description = " ".join([cell("description"), *(c for c in extra if not text.only_people(c))])
    ordered = [cell("topic"), *(c for i, c in enumerate(row) if i != kinds["topic"]), *extra]
    found_links, pages = text.links_and_pages(" ".join(ordered))
    session = Session(
        topic=topic,
        proposer=_proposer(cell("proposer"), others),
        participants=text.names(cell("participants")),
        description=text.prose(description.strip()),
        duration=_duration(cell("duration")) or duration,
        source="",
        links=found_links,
        slug=slug,
    )
    return session, list(dict.fromkeys(([page] if page in pages else []) + pages))


def _duration(cell: str) -> str:
    value = text.clean(text.plain(cell))
    return "" if _CLOCK.match(value) else value


def _proposer(cell: str, others: list[str]) -> list[str]:
    """Who proposed a session: the proposer cell's names, else handles elsewhere in the row.

    A proposer cell of avatar HTML names nobody; the handle then sits in an
    unnamed column (``**[@handle](…)**``), or failing that in the avatar's link.
    """
    if found := text.names(cell):
        return found
    if found := [h for c in others if text.only_people(c) for h in text.handles(c)]:
        return people(found)
    return text.profile_handles(cell)
