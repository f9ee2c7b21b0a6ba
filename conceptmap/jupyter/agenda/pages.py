"""A session page: one session described by a Markdown page of its own.

Two layouts are read. The IPFS session template: a ``# Title``, then fields
(``- **Proposed by:** @handle``, ``- **Led by:**``, ``- **Who has to be there
…:**``, ``- **Objective:**``) and ``## Details``. And the meeting-repository
page: a ``# Title``, an opening paragraph, ``## Goal`` and a ``## Team`` (or
"Attendees", "Participants") list of people. A field whose value is on the
following lines (``**Goals:**`` then a list) is read to the next field,
heading or paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...core.schema import people
from . import text
from .session import Session, topic_and_slug

__all__ = ["fields", "page_session"]

_BOLD_FIELD = re.compile(
    r"^(?:[-*+]\s+)?(?:\*\*|__)(?P<name>.+?)(?:\*\*|__)\s*(?P<colon>:?)\s*(?P<value>.*)$"
)
_PLAIN_FIELD = re.compile(r"^(?:[-*+]\s+)?(?P<name>[A-Za-z][A-Za-z ]{0,50}):(?:\s+(?P<value>.*))?$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_TITLE_PREFIX = re.compile(r"^(?:session|sessions|deep technical design|deep dive)\s*:\s*", re.I)
# a name in a list of people ends where a remark starts: "Alice (Protocol Labs)", "Bob - notes"
_REMARK = re.compile(r"\s(?:\(|[-–—]\s|:)|:\s")
_WORD = re.compile(r"[^\W_]+")

# Field kinds, each with the (lower-case) starts of the field names that name it.
_FIELDS: dict[str, tuple[str, ...]] = {
    "proposer": ("proposed by", "proposer", "author", "owner", "presenter", "submitted by"),
    "required": ("who has to be there", "necessary participants", "required participants"),
    "lead": ("led by", "lead", "leader", "facilitat", "host", "presented by"),
    "team": ("participants", "attendees", "team", "members", "people"),
    "objective": ("objective", "goal", "description", "short description", "summary", "abstract"),
    "duration": ("duration",),
}
_TEAM_SECTIONS = frozenset({"team", "attendees", "participants", "people", "members", "attendance"})
_DESCRIPTION_SECTIONS = frozenset(
    {"description", "short description", "details", "detail", "goal", "goals", "summary"}
    | {"abstract", "objective", "objectives"}
)
_AUTHOR_SECTIONS = frozenset({"authors", "author", "proposers", "owners"})


@dataclass(frozen=True)
class _Section:
    heading: str  # lower case words
    body: list[str]


def _unfenced(lines: list[str]) -> list[str]:
    """``lines`` with code blocks blanked: what is in them is an example, not a fact."""
    out, fence = [], ""
    for line in lines:
        marker = line.lstrip()[:3]
        if fence:
            fence = "" if marker == fence else fence
            out.append("")
        elif marker in ("```", "~~~"):
            fence = marker
            out.append("")
        else:
            out.append(line)
    return out


def _field(line: str) -> tuple[str, str] | None:
    """A field line's kind and value, or None; a bold field of no known kind has kind ``""``."""
    stripped = line.strip()
    bold = _BOLD_FIELD.match(stripped)
    if bold and bold["value"] and not (bold["name"].endswith(":") or bold["colon"]):
        bold = None  # "**IPFS** is a protocol": a sentence that starts in bold
    match = bold or _PLAIN_FIELD.match(stripped)
    if match is None:
        return None
    name = " ".join(match["name"].strip().rstrip(":").split()).casefold()
    value = (match["value"] or "").strip().lstrip(":").strip()
    kind = next((k for k, starts in _FIELDS.items() if name.startswith(starts)), "")
    if not kind and bold is None:
        return None  # "Note: ..." in prose is prose
    return kind, value


def _following(lines: list[str], start: int) -> list[int]:
    """The indices of a field's lines when its value starts on the next line.

    They run to the next heading or field, or to a blank line that is not followed
    by more of a list. Each line is looked at once (a page may have a million).
    """
    body: list[int] = []
    index = start
    while index < len(lines):
        line = lines[index]
        if _HEADING.match(line) or _field(line) is not None:
            break
        if line.strip():
            body.append(index)
            index += 1
            continue
        after = index
        while after < len(lines) and not lines[after].strip():
            after += 1
        more = after < len(lines) and (_LIST_ITEM.match(lines[after]) or lines[after][:1].isspace())
        if body and not more:
            break
        index = after
    return body


def _scan(lines: list[str]) -> tuple[dict[str, list[str]], set[int]]:
    """The fields by kind, and the indices of every line that is part of a field."""
    found: dict[str, list[str]] = {}
    taken: set[int] = set()
    for index, line in enumerate(lines):
        field = _field(line)
        if field is None:
            continue
        kind, value = field
        taken.add(index)
        if not value:
            following = _following(lines, index + 1)
            taken.update(following)
            value = "\n".join(lines[n].strip() for n in following)
        if kind:
            found.setdefault(kind, []).append(value)
    return found, taken


def fields(lines: list[str]) -> dict[str, list[str]]:
    """The page's field values by kind, in page order (a value may span several lines).

    >>> fields(["- **Led by:** @vmx", "**Goals:**", "- one", "- two", "", "Prose."])
    {'lead': ['@vmx'], 'objective': ['- one\\n- two']}
    """
    return _scan(lines)[0]


def _sections(lines: list[str]) -> list[_Section]:
    """The ``##``-or-deeper sections of a page, each up to the next heading."""
    sections: list[_Section] = []
    for line in lines:
        heading = _HEADING.match(line)
        if heading:
            # closing #s are not words, so they drop out here
            words = " ".join(_WORD.findall(text.plain(heading[2]).casefold()))
            sections.append(_Section(words if len(heading[1]) > 1 else "", []))
        elif sections:
            sections[-1].body.append(line)
    return sections


def _block(lines: list[str]) -> str:
    """Lines of prose as a text: tags and placeholders gone, ``""`` when only "unknown"."""
    stripped = "\n".join(text.prose(line) if line.strip() else "" for line in lines)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", stripped) if p.strip()]
    joined = "\n\n".join(paragraphs)
    return "" if text.is_unknown(joined) else joined


def _people(lines: list[str]) -> list[str]:
    """The people a list names: each item's handles, or its name before any remark.

    Lines that are not list items are prose: only their handles count, so a
    sentence never becomes a participant.
    """
    found: list[str] = []
    for line in lines:
        item = _LIST_ITEM.match(line)
        if item is None or text.handles(item[1]):
            found += text.handles(line)
            continue
        name = _REMARK.split(text.plain(item[1]), maxsplit=1)[0]
        if 0 < len(_WORD.findall(name)) <= 5:
            found += text.names(name)
    return people(found)


def _intro(lines: list[str], title_line: int, taken: set[int]) -> str:
    """The paragraph(s) between the title and the first heading, fields left out."""
    body: list[str] = []
    for index in range(title_line + 1, len(lines)):
        if _HEADING.match(lines[index]):
            break
        body.append("" if index in taken else lines[index])
    return _block(body)


def _title_line(lines: list[str]) -> int | None:
    return next((i for i, line in enumerate(lines) if line.startswith("# ")), None)


def page_session(lines: list[str], name: str, *, linked: bool = False) -> Session | None:
    """The session a page describes, or None when the page is not a session page.

    A page read on its own must have a ``# Title`` and a field, a team section or
    a goal; a page an agenda links to (``linked``) gives what it has.

    >>> s = page_session(["# Session: Fast IPNS", "", "## Team", "", "* [@lidel](x)",
    ...     "* Alice Smith (Protocol Labs)"], "fast.md")
    >>> s.topic, s.participants, s.source
    ('Fast IPNS', ['@lidel', 'Alice Smith'], 'fast.md, line 1')
    """
    lines = _unfenced(lines)
    title_line = _title_line(lines)
    (found, taken), sections = _scan(lines), _sections(lines)
    team = [s for s in sections if set(s.heading.split()) & _TEAM_SECTIONS]
    goals = [s for s in sections if s.heading in _DESCRIPTION_SECTIONS]
    known = found.keys() & {"proposer", "lead", "required", "team", "objective"}
    if not linked and (title_line is None or not (known or team or goals)):
        return None
    heading = lines[title_line][2:] if title_line is not None else ""
    topic, slug = topic_and_slug(text.title(_TITLE_PREFIX.sub("", heading.strip()))[0])
    authors = [s for s in sections if s.heading in _AUTHOR_SECTIONS]
    proposer = next((n for n in map(text.names, found.get("proposer", [])) if n), [])
    crew = [*found.get("required", []), *found.get("lead", []), *found.get("team", [])]
    crew_names = [name for value in crew for name in _people_in(value)]
    return Session(
        topic=topic,
        proposer=proposer or _people(_body(authors)),
        participants=people([*crew_names, *_people(_body(team))]),
        description=_description(lines, (title_line, taken), found.get("objective", []), goals),
        duration=next((d for d in map(text.clean, found.get("duration", [])) if d), ""),
        source=f"{name}, line {(title_line or 0) + 1}",
        links=text.links("\n".join(lines)),
        slug=slug,
    )


def _description(
    lines: list[str],
    title: tuple[int | None, set[int]],
    objectives: list[str],
    goals: list[_Section],
) -> str:
    """The objective field, the opening paragraph and the first goal or details section."""
    objective = next((v for v in (_block(v.split("\n")) for v in objectives) if v), "")
    title_line, taken = title
    intro = _intro(lines, title_line, taken) if title_line is not None else ""
    section = next((b for b in (_block(s.body) for s in goals) if b), "")
    return "\n\n".join(dict.fromkeys(part for part in (objective, intro, section) if part))


def _body(sections: list[_Section]) -> list[str]:
    return [line for section in sections for line in section.body]


def _people_in(value: str) -> list[str]:
    """The people of a field: a list on the following lines, or names on the field's line.

    A name of more than five words is a sentence ("Session leaders who have the
    design knowledge"), not a person.
    """
    lines = value.split("\n")
    if len(lines) > 1 or _LIST_ITEM.match(value):
        return _people(lines)
    return [n for n in text.names(value) if n.startswith("@") or len(n.split()) <= 5]
