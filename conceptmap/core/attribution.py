"""Who made a change and when: every operation carries both."""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime


def now() -> str:
    """The current UTC time, ISO 8601 with milliseconds: ``2026-11-24T05:06:17.123Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def default_author() -> str:
    """``$CONCEPTMAP_AUTHOR``, else the login name, else ``"anonymous"``."""
    name = os.environ.get("CONCEPTMAP_AUTHOR", "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = ""
    return name or "anonymous"
