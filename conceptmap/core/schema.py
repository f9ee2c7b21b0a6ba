"""The vocabulary of a map: node kinds, relations, and what makes a good label.

Everything here is pure: it checks and normalises values and says, in a plain
sentence, what was expected when a value is wrong.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import unicodedata
from collections.abc import Container, Iterable, Mapping
from typing import Any

from ..errors import InvalidValueError

#: Node kinds, in the order an RFC reads them. Each maps to its meaning.
KINDS: dict[str, str] = {
    "topic": "the session's subject; exactly one",
    "concept": "a term, component, mechanism",
    "obstacle": "a problem or difficulty",
    "requirement": "a goal or constraint a solution must meet",
    "proposal": "a candidate solution",
    "decision": "what the group settled on",
    "shortcoming": "a known drawback or risk of a proposal",
    "question": "an open question",
    "action": "a next step",
    "related": "a related topic (often another session)",
    "reference": "a link, paper, issue, talk",
}

#: Short words people type for a kind during a session.
KIND_ALIASES: dict[str, str] = {
    "problem": "obstacle",
    "goal": "requirement",
    "constraint": "requirement",
    "idea": "proposal",
    "solution": "proposal",
    "risk": "shortcoming",
    "drawback": "shortcoming",
    "todo": "action",
    "ref": "reference",
}

#: Typed relations. A free linking phrase is stored with ``relates_to``.
RELATIONS: dict[str, str] = {
    "relates_to": "a general link (the default)",
    "part_of": "the source is a part of the target",
    "depends_on": "the source needs the target",
    "blocks": "the source prevents the target",
    "addresses": "a proposal or decision that tackles an obstacle or requirement",
    "alternative_to": "two proposals for the same problem",
    "raises": "the source brings up a question or obstacle",
    "answers": "the source answers a question",
    "chooses": "a decision picks a proposal",
    "rejects": "a decision turns a proposal down",
    "drawback_of": "a shortcoming of a proposal",
    "cites": "the source refers to a reference",
    "supersedes": "a decision replaces an earlier decision",
}

DEFAULT_RELATION = "relates_to"

#: Longer labels are almost always a paste gone wrong; notes hold long text.
#: what a node carries in the graph besides its id: the fields operations set ...
NODE_FIELDS = ("label", "kind", "notes", "tags", "url", "owner", "due", "status")
#: ... plus who added it and when
NODE_ATTRIBUTES = (*NODE_FIELDS, "author", "created", "updated")
#: ... of which these are written (to a log or an export) only when set
NODE_OPTIONAL = ("notes", "tags", "url", "owner", "due", "status", "updated")
#: what an edge carries in the graph
EDGE_FIELDS = ("relation", "phrase", "author", "created")
#: the operations a map file holds
OP_NAMES = (
    "add_node", "update_node", "remove_node", "add_edge", "remove_edge", "set_meta", "place"
)  # fmt: skip

#: node id -> (x, y), in the pixels of the HTML page
Positions = Mapping[str, tuple[float, float]]

MAX_LABEL_LENGTH = 300
MAX_ID_LENGTH = 60

# Limits on what an imported file may hold, so that a broken or hostile file is
# refused with a sentence instead of exhausting memory. Each is raised by setting
# its environment variable (a whole number), read by the library and so the CLI.
#: the most nodes an imported file may hold
MAX_NODES = 200_000
#: the largest file that is imported: 100 MiB
MAX_FILE_BYTES = 100 * 2**20
#: the longest notes of any node, in characters: 1 Mi (labels: MAX_LABEL_LENGTH)
MAX_TEXT_LENGTH = 2**20
#: limit -> (the environment variable that raises it, its default)
LIMITS: dict[str, tuple[str, int]] = {
    "nodes": ("CONCEPTMAP_MAX_NODES", MAX_NODES),
    "file size": ("CONCEPTMAP_MAX_FILE_BYTES", MAX_FILE_BYTES),
    "notes length": ("CONCEPTMAP_MAX_TEXT_LENGTH", MAX_TEXT_LENGTH),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NOTES_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# half of a UTF-16 pair on its own: not a character, and UTF-8 cannot encode it
_SURROGATE = re.compile("[\ud800-\udfff]")
_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
_NOT_WORD = re.compile(r"[\W_]+")
# invisible: two labels that differ only by these look the same, so they are dropped
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# they reorder the text around them, so a label could read as another: refused
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def suggest(value: str, choices: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(value.lower(), list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _choice_error(what: str, value: str, choices: Iterable[str]) -> InvalidValueError:
    names = list(choices)
    return InvalidValueError(
        f"unknown {what} {value!r}{suggest(value, names)} (valid {what}s: {', '.join(names)})"
    )


def normalize_kind(kind: str) -> str:
    """Return the canonical kind for ``kind`` (case-insensitive, aliases allowed).

    >>> normalize_kind("Obstacle"), normalize_kind("risk")
    ('obstacle', 'shortcoming')
    """
    if not isinstance(kind, str):
        raise InvalidValueError(f"a kind must be a string, not {type(kind).__name__}")
    name = kind.strip().lower()
    if name in KINDS:
        return name
    if name in KIND_ALIASES:
        return KIND_ALIASES[name]
    raise _choice_error("kind", kind, KINDS)


def normalize_relation(relation: str) -> str:
    """Return the canonical relation name; ``-`` and spaces count as ``_``.

    >>> normalize_relation("depends-on")
    'depends_on'
    """
    if not isinstance(relation, str):
        raise InvalidValueError(f"a relation must be a string, not {type(relation).__name__}")
    name = re.sub(r"[\s-]+", "_", relation.strip().lower())
    if name in RELATIONS:
        return name
    raise _choice_error("relation", relation, RELATIONS)


def clean_label(label: str) -> str:
    """Return ``label`` with its white space folded, or raise if it is unusable.

    Zero-width characters (U+200B-U+200D, U+2060, U+FEFF) are removed, so a label
    cannot look like another and name a different node; bidirectional overrides
    and isolates (U+202A-U+202E, U+2066-U+2069) and lone surrogates (U+D800-U+DFFF,
    which no file can hold as UTF-8) are refused.

    >>> clean_label("  Web   Locks\u200b API ")
    'Web Locks API'
    """
    if not isinstance(label, str):
        raise InvalidValueError(f"a label must be a string, not {type(label).__name__}")
    bad = _CONTROL.search(label.replace("\t", " ").replace("\n", " ").replace("\r", " "))
    if bad:
        raise InvalidValueError(
            f"label {_preview(label)} contains the control character U+{ord(bad.group()):04X}"
        )
    _refuse_surrogate(label, f"label {_preview(label)}")
    bidi = _BIDI_CONTROL.search(label)
    if bidi:
        raise InvalidValueError(
            f"label {_preview(label)} contains the bidirectional control character "
            f"U+{ord(bidi.group()):04X}, which can make it read as other text"
        )
    text = " ".join(_ZERO_WIDTH.sub("", label).split())
    if not text:
        raise InvalidValueError("a label cannot be empty")
    if len(text) > MAX_LABEL_LENGTH:
        raise InvalidValueError(
            f"label {_preview(text)} is {len(text)} characters long; labels are at most "
            f"{MAX_LABEL_LENGTH} (put longer text in the notes)"
        )
    return text


def clean_phrase(phrase: str) -> str:
    """Return a linking phrase with folded white space ('' for none)."""
    if not isinstance(phrase, str):
        raise InvalidValueError(f"a phrase must be a string, not {type(phrase).__name__}")
    if not phrase.strip():
        return ""
    return clean_label(phrase)


def clean_notes(notes: str) -> str:
    """Return notes without trailing white space; tabs and newlines are kept.

    Notes longer than ``limit("notes length")`` characters (1 Mi; see
    :data:`LIMITS`), control characters and lone surrogates are refused.

    >>> clean_notes("navigator.locks  \\n\\tLine two.\\n")
    'navigator.locks\\n\\tLine two.'
    """
    if not isinstance(notes, str):
        raise InvalidValueError(f"notes must be a string, not {type(notes).__name__}")
    longest = limit("notes length")
    if len(notes) > longest:
        raise over_limit(
            "notes length", f"notes are {len(notes):,} characters long", f"{longest:,} characters"
        )
    bad = _NOTES_CONTROL.search(notes)
    if bad:
        raise InvalidValueError(f"notes contain the control character U+{ord(bad.group()):04X}")
    _refuse_surrogate(notes, "notes")
    return "\n".join(line.rstrip() for line in notes.strip().splitlines())


def _refuse_surrogate(text: str, what: str) -> None:
    bad = _SURROGATE.search(text)
    if bad:
        raise InvalidValueError(f"{what} {surrogate_problem(bad.group())}")


def surrogate_problem(char: str) -> str:
    """What to say of a lone surrogate ``char`` found in some text."""
    return (
        f"contains the lone surrogate U+{ord(char):04X}, which is not a character "
        "(half of a UTF-16 pair, which UTF-8 cannot hold)"
    )


def unstorable(value: Any, where: str = "") -> str | None:
    """What in ``value`` (JSON-like data) a map file cannot hold, or None.

    A map file is UTF-8 JSON, so text must not hold a lone surrogate and numbers
    must be finite (JSON has no NaN or Infinity). The answer starts with where
    the value is, after ``where``.

    >>> unstorable({"room": ["B", float("nan")]})
    "['room'][1] is NaN; JSON holds only finite numbers"
    >>> unstorable({"room": "B"}) is None
    True
    """
    if isinstance(value, float) and not math.isfinite(value):
        return f"{where} is {_NON_FINITE[repr(value)]}; JSON holds only finite numbers".lstrip()
    if isinstance(value, str):
        bad = _SURROGATE.search(value)
        return f"{where} {surrogate_problem(bad.group())}".lstrip() if bad else None
    items: Iterable[tuple[Any, Any]] = ()
    if isinstance(value, dict):
        items = value.items()
        for key in value:
            if problem := unstorable(key, f"{where} the key {key!r}".lstrip()):
                return problem
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    for key, item in items:
        if problem := unstorable(item, f"{where}[{key!r}]"):
            return problem
    return None


def limit(name: str) -> int:
    """The limit called ``name`` in :data:`LIMITS`: its environment variable, else the default.

    >>> limit("nodes")
    200000
    """
    variable, default = LIMITS[name]
    value = os.environ.get(variable)
    if value is None:
        return default
    number = value.strip().replace("_", "").replace(",", "")
    if not (number.isascii() and number.isdigit()):
        raise InvalidValueError(
            f"the environment variable {variable} must be a whole number, got {value!r}"
        )
    return int(number)


def over_limit(name: str, what: str, allowed: str) -> InvalidValueError:
    """The error for ``what`` (``"holds 200,001 nodes"``) over the limit ``name`` (``allowed``).

    It says how to raise the limit.

    >>> print(over_limit("nodes", "holds 200,001 nodes", "200,000 nodes"))
    ... # doctest: +NORMALIZE_WHITESPACE
    holds 200,001 nodes, more than the limit of 200,000 nodes (to raise it, set the
    environment variable CONCEPTMAP_MAX_NODES)
    """
    variable, _ = LIMITS[name]
    return InvalidValueError(
        f"{what}, more than the limit of {allowed} "
        f"(to raise it, set the environment variable {variable})"
    )


def label_key(label: str) -> str:
    """The form two labels share when they name the same node.

    >>> label_key("Web  locks API") == label_key("web locks api")
    True
    """
    return unicodedata.normalize("NFC", " ".join(_ZERO_WIDTH.sub("", label).split())).casefold()


def slugify(label: str) -> str:
    """A stable, readable id for a label: lower case words joined by ``-``.

    >>> slugify("One lock per datastore (Web Locks API)")
    'one-lock-per-datastore-web-locks-api'
    """
    text = unicodedata.normalize("NFKC", label).casefold()
    slug = _NOT_WORD.sub("-", text).strip("-")[:MAX_ID_LENGTH].rstrip("-")
    return slug or "node"


def _preview(text: str, width: int = 40) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def unique_slug(base: str, taken: Container[str]) -> str:
    """``base``, or ``base-2``, ``base-3``, ... : the first one not in ``taken``.

    >>> unique_slug("dht", {"dht", "dht-2"})
    'dht-3'
    """
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def relation_words(relation: str) -> str:
    """A relation as people say it.

    >>> relation_words("depends_on")
    'depends on'
    """
    return relation.replace("_", " ")


def link_text(attrs: Mapping[str, Any]) -> str:
    """What a link says: its phrase, else its relation in words.

    >>> link_text({"relation": "depends_on", "phrase": ""})
    'depends on'
    """
    phrase = attrs.get("phrase") or ""
    return str(phrase) if phrase else relation_words(str(attrs.get("relation", DEFAULT_RELATION)))


def person_key(name: str) -> str:
    """The form two spellings of one person's name share.

    An agenda names people by handle (``@lidel``), a map records who typed a
    line by name (``lidel``): compared without the leading ``@``, with white
    space folded and case ignored, they are one person.

    >>> person_key("@Lidel") == person_key(" lidel ")
    True
    """
    text = unicodedata.normalize("NFC", " ".join(_ZERO_WIDTH.sub("", name).split()))
    return text.removeprefix("@").strip().casefold()


def people(names: Iterable[str]) -> list[str]:
    """Each person in ``names`` once, in the order they first appear.

    A person is spelled as first written, except that a handle (``@lidel``, as
    an agenda names people) wins over a bare name (``lidel``, as a map records
    authors) wherever either comes first. A name that is empty without its
    ``@`` names nobody and is left out. The names are not changed otherwise:
    what a map records stays in ``m.meta["participants"]``; this is what is shown.

    >>> people(["@diasdavid", "@alanshaw", "organiser", "alanshaw", "Lidel", "@lidel"])
    ['@diasdavid', '@alanshaw', 'organiser', '@lidel']
    """
    shown: dict[str, str] = {}
    for name in names:
        key = person_key(name)
        if key and (key not in shown or (_handle(name) and not _handle(shown[key]))):
            shown[key] = name
    return list(shown.values())


def _handle(name: str) -> bool:
    return name.lstrip().startswith("@")
