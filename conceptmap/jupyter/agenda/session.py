"""What an agenda yields: one :class:`Session` per proposed session, and how it is named."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ...core.schema import MAX_LABEL_LENGTH, slugify

__all__ = ["Session", "topic_and_slug"]

# a title slug is cut to this many characters before the hash is added
_SLUG_PREFIX = 50


@dataclass(frozen=True)
class Session:
    """One proposed session of an agenda.

    Unknown values are ``""`` or ``[]``; ``source`` says where the session was
    read (``"deep-dive-sessions.md, line 27"``); ``links`` are the link targets
    of its row, the title's link first.

    >>> Session("GraphSync", ["@vmx"], [], "", "", "agenda.md, line 3", [], "graphsync").slug
    'graphsync'
    """

    topic: str
    proposer: list[str]
    participants: list[str]
    description: str
    duration: str
    source: str
    links: list[str]
    slug: str


def topic_and_slug(title: str) -> tuple[str, str]:
    """A session's topic (cut to the label limit) and the slug its files are named by.

    A title longer than a label may be is cut with "…"; its slug is the start of
    the title's slug and a hash of the whole title, so two long titles that
    start alike get different names, whatever else the agenda holds.

    >>> topic, slug = topic_and_slug(" ".join(["Scaling the DHT"] * 25))
    >>> len(topic), topic[-12:], slug
    (300, 'Scaling the…', 'scaling-the-dht-scaling-the-dht-scaling-the-dht-sc-a2e35f9d')
    """
    if len(title) <= MAX_LABEL_LENGTH:
        return title, slugify(title)
    digest = hashlib.sha1(title.encode(), usedforsecurity=False).hexdigest()[:8]
    start = slugify(title)[:_SLUG_PREFIX].rstrip("-")
    return title[: MAX_LABEL_LENGTH - 1].rstrip() + "…", f"{start}-{digest}"
