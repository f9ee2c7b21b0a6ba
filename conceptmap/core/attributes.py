"""Node attributes: an action's owner and due date, a decision's status, a url, tags.

Quick entry writes them in braces at the end of a node's label::

    action: Measure GC lock hold times {owner: @alanshaw, due: 2026-12-15}
    decision: Use Web Locks per datastore {status: accepted}
    reference: Web Locks API {url: https://developer.mozilla.org/docs/Web/API/Web_Locks_API}
    obstacle: Unbounded lock queue {tags: security, dos}

The rules (:func:`split_attributes`):

- the block is the last thing on the label: a ``{`` after white space, then
  ``key: value`` pairs separated by commas, then ``}``; anything else with
  braces (``Set {a, b}``, ``f{x: 1}``, braces mid-label) is part of the label;
- a new pair starts at a comma followed by ``word:`` (not ``word://``), so a
  value may hold commas: ``tags`` splits its value at them, the others refuse them;
- ``\\{`` keeps such a block in the label as it is, without the backslash.

Values are checked and normalised (:func:`clean_attribute`): ``owner`` is one
handle or name, a one-word name becoming a handle (``alanshaw`` and
``@alanshaw`` are both stored ``@alanshaw``; ``Alan Shaw`` stays as it is);
``due`` is a date ``YYYY-MM-DD``; ``status`` one of :data:`STATUSES`; ``url`` an
``http(s)`` address; ``tags`` a list of words, each once. ``owner`` and ``due``
go on actions and ``status`` on decisions only (:data:`ATTRIBUTE_KINDS`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import InvalidValueError
from .schema import clean_label, clean_notes, label_key, people, suggest

if TYPE_CHECKING:
    import networkx as nx

#: What a node may carry in braces, with what each holds.
ATTRIBUTES: dict[str, str] = {
    "owner": "who will do an action: a handle (@alanshaw) or a name",
    "due": "when an action is due: a date, YYYY-MM-DD",
    "status": "where a decision stands",
    "url": "a web address, http:// or https://",
    "tags": "words, separated by commas",
}

#: A decision's status, as MADR and the IETF name them.
STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")

#: The kinds an attribute may be set on; an attribute not listed goes on any kind.
ATTRIBUTE_KINDS: dict[str, tuple[str, ...]] = {
    "owner": ("action",),
    "due": ("action",),
    "status": ("decision",),
}

MAX_OWNER_LENGTH = 100

# `{` after white space, a first `key:` and no other brace up to the closing one at the end
_BLOCK = re.compile(r"(?P<escape>\\?)\{(?P<body>\s*[A-Za-z][\w-]*\s*:[^{}]*)\}\s*$")
# where a pair starts: the block's start or a comma, then `key:` that is not `scheme://`
_KEY = re.compile(r"(?:^|,)\s*(?P<key>[A-Za-z][\w-]*)\s*:(?!//)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# a handle or a name: letters and digits, with . _ ' - and single spaces inside
_OWNER = re.compile(r"[^\W_](?:[\w.'-]| (?! ))*")


def split_attributes(text: str) -> tuple[str, dict[str, str]]:
    r"""``(label, {key: raw value})`` of a label that may end in an attribute block.

    Nothing is checked here but the block's shape: see :func:`parse_attributes`.

    >>> split_attributes("Measure GC {owner: @alanshaw, due: 2026-12-15}")
    ('Measure GC', {'owner': '@alanshaw', 'due': '2026-12-15'})
    >>> split_attributes("Set {a, b}"), split_attributes(r"Record \{name: text}")
    (('Set {a, b}', {}), ('Record {name: text}', {}))
    """
    match = _BLOCK.search(text)
    if match is None or (match.start() > 0 and not text[match.start() - 1].isspace()):
        return text, {}
    if match["escape"]:
        return text[: match.start()] + text[match.start() + 1 :], {}
    body, pairs = match["body"], {}
    starts = list(_KEY.finditer(body))
    for i, start in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        key = start["key"].lower()
        if key in pairs:
            raise InvalidValueError(f"the attribute {key!r} is given twice")
        pairs[key] = body[start.end() : end].strip()
    return text[: match.start()].rstrip(), pairs


def parse_attributes(pairs: Mapping[str, str]) -> dict[str, Any]:
    """Check raw ``key: value`` pairs (as typed) and return their clean values.

    >>> parse_attributes({"tags": "security, DoS", "status": "Accepted"})
    {'tags': ['security', 'DoS'], 'status': 'accepted'}
    """
    return {key: clean_attribute(key, value) for key, value in pairs.items()}


def clean_attribute(key: str, value: Any) -> Any:
    """The value of attribute ``key``, checked and normalised; raise if it is not one.

    >>> clean_attribute("owner", "alanshaw"), clean_attribute("due", "2026-12-15")
    ('@alanshaw', '2026-12-15')
    """
    if key not in ATTRIBUTES:
        names = list(ATTRIBUTES)
        raise InvalidValueError(
            f"unknown attribute {key!r}{suggest(key, names)} "
            f"(valid attributes: {', '.join(names)}; to keep a '{{' in a label, write '\\{{')"
        )
    if isinstance(value, str) and not value.strip():
        raise InvalidValueError(f"the attribute {key!r} needs a value: {{{key}: ...}}")
    return _CLEANERS[key](value)


def clean_owner(value: Any) -> str:
    """One person: ``@handle`` for a one-word name (with or without its ``@``), else the name.

    >>> clean_owner("alanshaw"), clean_owner(" @alanshaw "), clean_owner("Alan  Shaw")
    ('@alanshaw', '@alanshaw', 'Alan Shaw')
    """
    if not isinstance(value, str):
        raise InvalidValueError(f"an owner is a handle or a name, not {value!r}")
    name = " ".join(value.split()).removeprefix("@").strip()
    if not _OWNER.fullmatch(name) or len(name) > MAX_OWNER_LENGTH:
        raise InvalidValueError(
            f"owner {value!r} is not one handle or name (an action has one owner: "
            "write @handle or a name of letters, digits, spaces and . _ ' -)"
        )
    return name if " " in name else f"@{name}"


def clean_due(value: Any) -> str:
    """A date as ``YYYY-MM-DD`` (a :class:`datetime.date` is written so).

    >>> clean_due(datetime.date(2026, 12, 15))
    '2026-12-15'
    """
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and _DATE.fullmatch(text):
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise InvalidValueError(f"due {value!r} is no day of the calendar") from None
    raise InvalidValueError(
        f"due must be a date written YYYY-MM-DD, such as 2026-12-15, not {value!r}"
    )


def clean_status(value: Any) -> str:
    """One of :data:`STATUSES` (any case).

    >>> clean_status("Accepted")
    'accepted'
    """
    name = value.strip().lower() if isinstance(value, str) else value
    if name in STATUSES:
        return str(name)
    hint = suggest(name, STATUSES) if isinstance(name, str) else ""
    raise InvalidValueError(
        f"unknown status {value!r}{hint} (valid statuses: {', '.join(STATUSES)})"
    )


def clean_url(value: Any) -> str:
    """An ``http://`` or ``https://`` address with a host, without spaces.

    >>> clean_url(" https://example.org/a,b ")
    'https://example.org/a,b'
    """
    text = value.strip() if isinstance(value, str) else ""
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = urlsplit("")
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"\s", text):
        raise InvalidValueError(f"url must be an http:// or https:// address, not {value!r}")
    return clean_label(text)


def clean_tags(value: Any) -> list[str]:
    """Tags as a list of words (from a list, or a comma-separated text), each once.

    Two tags that differ only in case or spacing are one; the first spelling stays.

    >>> clean_tags("security, DoS, Security")
    ['security', 'DoS']
    """
    if isinstance(value, str):
        value = [t for t in value.split(",") if t.strip()]
    if not isinstance(value, list | tuple):
        raise InvalidValueError(f"tags must be a list of words, not {value!r}")
    tags: dict[str, str] = {}
    for tag in value:
        text = clean_label(tag)
        tags.setdefault(label_key(text), text)
    return list(tags.values())


_CLEANERS = {
    "owner": clean_owner,
    "due": clean_due,
    "status": clean_status,
    "url": clean_url,
    "tags": clean_tags,
}


def clean_fields(**given: Any) -> dict[str, Any]:
    """The optional node fields given (``notes`` and the :data:`ATTRIBUTES`), checked.

    ``None`` means not given. Through the Python API, ``tags`` is a list (a text
    is refused: it is easily a mistake for one tag) and ``url`` any address, as
    imports hold file paths too; quick entry checks both as :func:`clean_attribute`.

    >>> clean_fields(notes="n ", owner="@bob", tags=None)
    {'notes': 'n', 'owner': '@bob'}
    """
    fields: dict[str, Any] = {}
    for name, value in given.items():
        if value is None:
            continue
        if name == "notes":
            fields[name] = clean_notes(value)
        elif name == "url":
            fields[name] = clean_label(value)
        elif name == "tags" and not isinstance(value, list | tuple):
            raise InvalidValueError(f"tags must be a list of words, not {value!r}")
        else:
            fields[name] = clean_attribute(name, value)
    return fields


def check_kind(fields: Iterable[str], kind: str, label: str) -> None:
    """Refuse an attribute that does not go on a node of ``kind`` (see :data:`ATTRIBUTE_KINDS`).

    >>> check_kind(["owner"], "concept", "GC")
    Traceback (most recent call last):
    ...
    conceptmap.errors.InvalidValueError: 'owner' goes on an action, and 'GC' is a concept \
(declare it 'action: GC {owner: ...}')
    """
    for name in fields:
        kinds = ATTRIBUTE_KINDS.get(name)
        if kinds is not None and kind not in kinds:
            raise InvalidValueError(
                f"{name!r} goes on {' or '.join(map(_a, kinds))}, and {label!r} is {_a(kind)} "
                f"(declare it '{kinds[0]}: {label} {{{name}: ...}}')"
            )


def _a(kind: str) -> str:
    return f"an {kind}" if kind[:1] in ("a", "e", "i", "o", "u") else f"a {kind}"


def people_of(graph: nx.MultiDiGraph[str]) -> list[str]:
    """The people of a map's graph, each once: participants (agenda and authors), then owners.

    The participants are ``graph.graph["participants"]`` (an agenda's people and
    everyone who added something) and its ``proposer``; then the owners of its
    nodes, in the map's order. See :func:`conceptmap.core.schema.people` for
    which spelling is shown.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(participants=["@lidel", "alice"])
    >>> g.add_node("a", owner="@alice"); g.add_node("b", owner="@bob")
    >>> people_of(g)
    ['@lidel', '@alice', '@bob']
    """
    meta = graph.graph
    owners = [a["owner"] for _, a in graph.nodes(data=True) if a.get("owner")]
    names = [*meta.get("participants", []), *meta.get("proposer", []), *owners]
    return people(n for n in names if isinstance(n, str))
