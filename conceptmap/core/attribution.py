"""Who made a change and when: every operation carries both."""

from __future__ import annotations

import getpass
import os
import threading
from datetime import UTC, datetime, timedelta

_last = datetime.min.replace(tzinfo=UTC)
_lock = threading.Lock()


def now() -> str:
    """The current UTC time, ISO 8601 with milliseconds: ``2026-11-24T05:06:17.123Z``.

    Each call in a process gives a later time than the one before (a millisecond
    later at least): the operations of one change share their time, so two changes
    must not, or they would read as one (the placement of new nodes goes by change).
    """
    global _last
    with _lock:
        moment = datetime.now(UTC)
        moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        _last = max(moment, _last + timedelta(milliseconds=1))
        return _last.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def default_author() -> str:
    """``$CONCEPTMAP_AUTHOR``, else the login name, else ``"anonymous"``."""
    name = os.environ.get("CONCEPTMAP_AUTHOR", "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = ""
    return name or "anonymous"
