"""The atlas of a meeting: a static site of every session, that opens offline.

:func:`write_atlas` writes, into one folder::

    .nojekyll               GitHub Pages serves the files as they are
    index.html              a card per session, sortable and filterable
    meeting.html            the meeting map: sessions joined (see :mod:`.meeting`)
    open.html               every open item and every action of the meeting
    search.html             search across every session's labels and notes
    assets/                 atlas.css, atlas.js, search-index.js (the search data)
    sessions/<slug>/        map.html (the map page), draft.html and draft.md (its RFC)

Every link is relative and the site makes no network request, so it opens by double
click (``file://``) and publishes as it is (GitHub Pages). The data pages need is in
the pages or in ``.js`` files loaded by ``<script src>``: a page opened from a file
may not ``fetch()`` another. All user text is escaped (Jinja2 autoescaping, text
nodes in scripts, JSON with ``<``, ``>`` and ``&`` escaped).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..core.files import write_text
from ..drawing.html import PageExtras, html_templates, script_json, template_asset, write_html
from ..errors import FileError
from ..rfc.open_items import CODES
from .markdown import render_markdown, split_front_matter
from .meeting import joins, meeting_map
from .search import index_script
from .sessions import Card, Session, card, load_sessions
from .workers import each

__all__ = ["write_atlas", "write_site"]

#: The heading of each group of open items on the open items page.
HEADINGS = {
    "unanswered-question": "Open questions",
    "unaddressed-obstacle": "Obstacles nothing addresses",
    "undecided-proposal": "Proposals not decided",
    "decision-without-action": "Decisions with no action",
    "action-without-owner": "Actions with no owner",
}
_ASSETS = ("atlas.css", "atlas.js")


_PACKAGE = "conceptmap.atlas"


def _render(template: str, **context: Any) -> str:
    from ..version import __version__

    return html_templates(_PACKAGE).get_template(template).render(version=__version__, **context)


def _folder(path: Path) -> Path:
    """``path`` as a folder, made if missing; one that cannot be is a :class:`FileError`."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(path, f"cannot be made a folder: {exc.strerror}") from None
    return path


def _map_script(pages: dict[str, str] | None = None) -> str:
    """The script a map page runs after its own: ``#node=`` focus, meeting click-through."""
    return template_asset("map-extra.js", _PACKAGE).replace("/*PAGES*/null", script_json(pages))


def _session_pages(out: Path, s: Session, meeting: str) -> None:
    """A session's map page, its draft as Markdown and as HTML, linked both ways."""
    folder = _folder(out / "sessions" / s.slug)
    extras = PageExtras(
        links=(
            ("Sessions", "../../index.html"),
            ("Draft RFC", "draft.html"),
            ("Meeting map", "../../meeting.html"),
        ),
        script=_map_script(),
    )
    write_html(s.map, folder / "map.html", extras=extras)
    draft = s.map.rfc()
    write_text(folder / "draft.md", draft)
    front, rest = split_front_matter(draft)
    body = render_markdown(rest, trace_to="map.html")
    page = _render("draft.html.j2", page="draft", root="../../", title=s.topic,
                   meeting=meeting, body=body, front=front)  # fmt: skip
    write_text(folder / "draft.html", page)


def _open_groups(cards: list[Card]) -> dict[str, list[tuple[str, list[Any]]]]:
    """Each session's open items grouped under :data:`HEADINGS`, in :data:`CODES` order."""
    groups = {}
    for c in cards:
        by_code: dict[str, list[Any]] = {code: [] for code in CODES}
        for item in c.open:
            by_code[item.code].append(item)
        groups[c.session.slug] = [(HEADINGS[k], items) for k, items in by_code.items() if items]
    return groups


def _overview(out: Path, cards: list[Card], meeting: str) -> None:
    """The pages about the whole meeting: index, open items, search, and their assets."""
    totals = {
        "total_nodes": sum(c.size for c in cards),
        "total_open": sum(len(c.open) for c in cards),
        "total_actions": sum(len(c.actions) for c in cards),
    }
    common = {"root": "", "meeting": meeting, "cards": cards, **totals}
    pages = {
        "index": ("Sessions", {}),
        "open": ("Open items and actions", {"groups": _open_groups(cards)}),
        "search": ("Search", {}),
    }
    for page, (title, more) in pages.items():
        text = _render(f"{page}.html.j2", page=page, title=title, **common, **more)
        write_text(out / f"{page}.html", text)
    for name in _ASSETS:
        write_text(out / "assets" / name, template_asset(name, _PACKAGE))
    # GitHub Pages would otherwise run Jekyll, which turns draft.md (it has front
    # matter) into a draft.html of its own, over ours
    write_text(out / ".nojekyll", "")


def _meeting_page(out: Path, sessions: list[Session], meeting: str) -> None:
    m = meeting_map(sessions, joins(sessions))
    pages = {s.slug: f"sessions/{s.slug}/map.html" for s in sessions}
    extras = PageExtras(
        title=f"{meeting}: the meeting map",
        links=(
            ("Sessions", "index.html"),
            ("Open items & actions", "open.html"),
            ("Search", "search.html"),
        ),
        script=_map_script(pages),
    )
    write_html(m, out / "meeting.html", extras=extras)


def write_site(
    sessions: list[Session], out: str | os.PathLike[str], *, title: str = "The meeting"
) -> Path:
    """Write the atlas of ``sessions`` into the folder ``out`` (made if missing).

    Files the atlas writes are replaced; other files in ``out`` are left alone
    (the pages of a session no longer in ``sessions`` stay, linked from nowhere).
    Returns the index page's path.

    Examples
    --------
    >>> import tempfile
    >>> from conceptmap import ConceptMap
    >>> from conceptmap.atlas.sessions import sessions_of
    >>> m = ConceptMap("GraphSync", author="d")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     index = write_site(sessions_of([("graphsync", m)]), tmp, title="IPFS Camp")
    ...     "IPFS Camp" in index.read_text()
    True
    """
    root = Path(out)
    _folder(root / "assets")
    cards = [card(s) for s in sessions]
    each(lambda i: _session_pages(root, sessions[i], title), len(sessions))
    _meeting_page(root, sessions, title)
    write_text(root / "assets" / "search-index.js", index_script(sessions))
    _overview(root, cards, title)
    return root / "index.html"


def write_atlas(
    maps: str | os.PathLike[str], out: str | os.PathLike[str], *, title: str = "The meeting"
) -> Path:
    """Write the atlas of every map in the folder ``maps`` into the folder ``out``.

    Returns the index page's path. A folder without maps is a
    :class:`~conceptmap.errors.FileError`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from conceptmap import ConceptMap
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = ConceptMap.create(tmp / "maps" / "dht.jsonl", "Private DHT", author="d")
    >>> write_atlas(tmp / "maps", tmp / "site").name
    'index.html'
    >>> sorted(p.name for p in (tmp / "site" / "sessions" / "dht").iterdir())
    ['draft.html', 'draft.md', 'map.html']
    """
    return write_site(load_sessions(maps), out, title=title)
