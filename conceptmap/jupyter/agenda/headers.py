"""Which column of an agenda table holds what: the header words people use.

A header is compared word by word, ignoring case, punctuation, emphasis and
emoji (``**Proposed by:**``, ``Topic/Project``, ``🗣 Presenter``). When a
header names two kinds, the later word decides, as in English the last noun
does: "Session lead" is a proposer, "Proposed topic" a topic, "Session title"
a topic.
"""

from __future__ import annotations

import html
import re

__all__ = ["KINDS", "column_kinds", "header_kinds"]

#: the kinds of column a session table may have, in the order they are looked for
KINDS = ("topic", "proposer", "participants", "description", "duration")

# (kind, words): each entry is a regular expression over the normalised header,
# matched on whole words. Several kinds per entry: the later ones are fallbacks
# for when the first is taken ("| Topic | Objective |": the objective describes).
_SYNONYMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("topic",), r"topics?|titles?|sessions?|subjects?|themes?|talks?|deep dives?"),
    (("topic",), r"projects?"),
    (("topic", "description"), r"objectives?|proposals?"),
    (
        ("proposer",),
        r"proposed by|proposers?|presenters?|presented by|leads?|led by|leaders?|owners?"
        r"|hosts?|hosted by|authors?|submitted by|submitters?|facilitators?|facilitated by"
        r"|organi[sz]ers?|organi[sz]ed by|speakers?|champions?|run by|requested by",
    ),
    (
        ("participants",),
        r"participants?|attendees?|attending|who|team|teams|people|members|volunteers?"
        r"|interested",
    ),
    (
        ("description",),
        r"descriptions?|desc|details?|goals?|summary|summaries|notes?|abstracts?|about"
        r"|synopsis|outcomes?|purpose",
    ),
    (("duration",), r"duration|length|time|minutes|mins"),
)
_PATTERNS = tuple((kinds, re.compile(rf"\b(?:{words})\b")) for kinds, words in _SYNONYMS)
_NOT_WORD = re.compile(r"[\W_]+")


def _normalise(header: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", html.unescape(header).casefold()).split())


def header_kinds(header: str) -> tuple[str, ...]:
    """The kinds a header cell may name, best first; ``()`` when it names none.

    >>> header_kinds("**Proposed by:**"), header_kinds("Topic/Project")
    (('proposer',), ('topic',))
    >>> header_kinds("Session lead"), header_kinds("Session title")
    (('proposer',), ('topic',))
    >>> header_kinds("Objective"), header_kinds("Value")
    (('topic', 'description'), ())
    """
    text = _normalise(header)
    best: tuple[int, tuple[str, ...]] | None = None
    for kinds, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if best is None or match.start() > best[0]:
                best = (match.start(), kinds)
    return best[1] if best else ()


def column_kinds(header: list[str]) -> dict[str, int]:
    """Which column holds which kind of value; the first column of a kind wins.

    >>> column_kinds(["Objective", "Proposed by"])
    {'topic': 0, 'proposer': 1}
    >>> column_kinds(["Topic", "", "Objective", "Lead", "Who"])
    {'topic': 0, 'description': 2, 'proposer': 3, 'participants': 4}
    """
    kinds: dict[str, int] = {}
    for index, name in enumerate(header):
        kind = next((k for k in header_kinds(name) if k not in kinds), None)
        if kind is not None:
            kinds[kind] = index
    return kinds
