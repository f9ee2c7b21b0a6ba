"""The atlas's search index: every session's labels and notes, as a script file.

The site opens from ``file://`` too, where a page may not ``fetch()`` a JSON file;
so the index is a ``.js`` file that sets ``window.conceptmapAtlasIndex``, loaded by
``<script src>``. Its text is JSON with ``<``, ``>`` and ``&`` escaped, so it is a
safe script whatever the labels say.
"""

from __future__ import annotations

from typing import Any

from ..drawing.html import script_json
from .sessions import Session

__all__ = ["GLOBAL", "index_data", "index_script"]

#: the name the index script gives the index on ``window``
GLOBAL = "conceptmapAtlasIndex"


def index_data(sessions: list[Session]) -> dict[str, Any]:
    """The index as plain data.

    ``sessions`` are ``[slug, topic]``; ``nodes`` are ``[session number, node id,
    label, kind, notes]`` in session and map order.

    >>> from conceptmap import ConceptMap
    >>> from conceptmap.atlas.sessions import sessions_of
    >>> m = ConceptMap("GraphSync", author="d")
    >>> _ = m.concept("Selectors", notes="IPLD selectors")
    >>> index_data(sessions_of([("gs", m)]))["nodes"][1]
    [0, 'selectors', 'Selectors', 'concept', 'IPLD selectors']
    """
    nodes = [
        [i, node, a["label"], a["kind"], a.get("notes") or ""]
        for i, s in enumerate(sessions)
        for node, a in s.map.graph.nodes(data=True)
    ]
    return {"sessions": [[s.slug, s.topic] for s in sessions], "nodes": nodes}


def index_script(sessions: list[Session]) -> str:
    """The index as the script ``assets/search-index.js`` holds."""
    return f"window.{GLOBAL} = {script_json(index_data(sessions))};\n"
