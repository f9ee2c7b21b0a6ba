"""Writing a map to a file whose suffix names the format, and reading one back.

============ ============================ ===================
suffix       format                       module
============ ============================ ===================
``.json``    node-link JSON (lossless)    :mod:`.nodelink`
``.graphml`` GraphML (lossless)           :mod:`.graphml`
``.gexf``    GEXF, for Gephi (lossless)   :mod:`.gexf`
``.mmd``     Mermaid flowchart            :mod:`.mermaid`
``.dot``     Graphviz DOT                 :mod:`.dot`
``.canvas``  JSON Canvas (lossless)       :mod:`.canvas`
``.html``    the interactive page         :mod:`~conceptmap.drawing.html`
``.svg``     a static picture             :mod:`~conceptmap.drawing.svg`
============ ============================ ===================

The lossless formats read back as an equal map (:func:`import_map`); ``.canvas``
also reads a canvas drawn by hand in Obsidian.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InvalidValueError
from .canvas import read_canvas, write_canvas
from .dot import write_dot
from .gexf import read_gexf, write_gexf
from .graphml import read_graphml, write_graphml
from .mermaid import write_mermaid
from .nodelink import read_json, write_json

if TYPE_CHECKING:
    from ..model import ConceptMap

Writer = Callable[["ConceptMap", str | os.PathLike[str]], object]
Reader = Callable[..., "ConceptMap"]


def _write_html(m: ConceptMap, path: str | os.PathLike[str]) -> None:
    from ..drawing.html import write_html  # jinja2 and the page assets load only when wanted

    write_html(m, path)


def _write_svg(m: ConceptMap, path: str | os.PathLike[str]) -> None:
    from ..drawing.svg import write_svg

    write_svg(m, path)


WRITERS: dict[str, Writer] = {
    ".json": write_json,
    ".graphml": write_graphml,
    ".gexf": write_gexf,
    ".mmd": write_mermaid,
    ".dot": write_dot,
    ".canvas": write_canvas,
    ".html": _write_html,
    ".svg": _write_svg,
}
READERS: dict[str, Reader] = {
    ".json": read_json,
    ".graphml": read_graphml,
    ".gexf": read_gexf,
    ".canvas": read_canvas,
}


def _suffix(path: str | os.PathLike[str], table: dict[str, object], verb: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in table:
        raise InvalidValueError(
            f"cannot {verb} {str(path)!r}: unknown file type {suffix or '(no suffix)'!r} "
            f"(known: {', '.join(table)})"
        )
    return suffix


def export(m: ConceptMap, path: str | os.PathLike[str]) -> Path:
    """Write ``m`` to ``path`` in the format its suffix names; returns the path.

    >>> import tempfile
    >>> from conceptmap import ConceptMap
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(export(ConceptMap("GraphSync"), f"{folder}/map.mmd").read_text())
    flowchart LR
        n0(["GraphSync"])
        classDef topic fill:#f6d365,stroke:#b8860b,color:#000000
        class n0 topic
    <BLANKLINE>
    """
    WRITERS[_suffix(path, dict(WRITERS), "export to")](m, path)
    return Path(path)


def import_map(path: str | os.PathLike[str], *, author: str | None = None) -> ConceptMap:
    """Read a map from a lossless export (the format from the suffix), in memory.

    Whatever is wrong with the file is one :class:`~conceptmap.errors.MapFileError`
    naming it and the problem. Files are refused over these limits
    (:data:`~conceptmap.core.schema.LIMITS`), each raised by setting an
    environment variable: 100 MiB (``CONCEPTMAP_MAX_FILE_BYTES``), 200,000 nodes
    (``CONCEPTMAP_MAX_NODES``), notes of 1 Mi characters
    (``CONCEPTMAP_MAX_TEXT_LENGTH``).
    """
    return READERS[_suffix(path, dict(READERS), "import")](path, author=author)
