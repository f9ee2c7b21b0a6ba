"""The interactive HTML map: one self-contained page, no network requests.

:func:`page_data` turns a map into the JSON the page draws; :func:`render_html`
puts it, vis-network (from the pyvis package's bundled copy) and the page's own
script into the Jinja2 template ``templates/map.html.j2``.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..core.files import write_text
from ..core.perf import gc_paused
from ..core.schema import KINDS, Positions, link_text, person_key
from ..core.schema import people as each_person
from ..core.state import Op, edge_key
from .style import AUTHOR_COLORS, KIND_STYLES

if TYPE_CHECKING:
    from ..model import ConceptMap


#: Above this many nodes the page draws straight, unlabelled links and no hover
#: effects: vis-network's label layout and curves cost seconds per draw there.
LARGE = 500
#: The smallest scale of the page's first view (up to ``LARGE`` nodes): 14 px labels
#: show at 11.2 px. A map that would need less starts with a part of it in view.
READABLE = 0.8
_OP_CODES = {"add_node": 0, "update_node": 1, "remove_node": 2, "add_edge": 3, "remove_edge": 4}
# what could end a <script> element or confuse an HTML parser, as JSON escapes
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})  # fmt: skip


@cache
def html_templates(package: str = "conceptmap.drawing") -> Environment:
    """The Jinja2 environment of a package's ``templates/`` folder, escaping as HTML.

    The map page's, and the atlas's (``html_templates("conceptmap.atlas")``).
    """
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def template_asset(name: str, package: str = "conceptmap.drawing") -> str:
    """A file of a package's ``templates/`` folder (a script, a style sheet), as text."""
    return (files(package) / "templates" / name).read_text(encoding="utf-8")


@cache
def vis_network_js() -> str:
    """vis-network's standalone build, as the pyvis package ships it."""
    text = (files("pyvis") / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js").read_text(
        encoding="utf-8"
    )
    return text.replace("</script", "<\\/script")  # it has none; stay safe if that changes


@cache
def page_script() -> str:
    """The page's own script: large-map drawing (``bigmap.js``), then the page (``map.js``).

    Examples
    --------
    >>> script = page_script()
    >>> script.index("window.conceptmapFast =") < script.index("conceptmapFast.install(")
    True
    """
    return template_asset("bigmap.js") + "\n" + template_asset("map.js")


def _packed(text: str) -> str:
    """Text gzipped and base64-encoded: a third of the size, and no character HTML minds."""
    return base64.b64encode(gzip.compress(text.encode(), compresslevel=9, mtime=0)).decode("ascii")


@cache
def vis_network_packed() -> str:
    """vis-network packed for notebook output."""
    return _packed(vis_network_js())


def _positions(m: ConceptMap, positions: Positions | None) -> dict[str, list[float]]:
    """Where the page draws each node: the map's own positions, removed nodes included
    (the replay shows every node where it stays), unless ``positions`` are given."""
    if positions is None:
        positions = m.positions(removed=True)
    return {node: [round(x, 1), round(y, 1)] for node, (x, y) in positions.items()}


def _timeline(history: list[Op], people: dict[str, int]) -> tuple[list[list[Any]], dict[Any, int]]:
    """The operations in the page's compact form, and the id given to each link."""
    ops: list[list[Any]] = []
    edge_ids: dict[Any, int] = {}
    for op in history:
        code = _OP_CODES.get(op["op"], 5)
        row: list[Any] = [code, people.setdefault(op["by"], len(people)), op["at"]]
        if code == 0:
            row += [op["id"], op["label"], op["kind"]]
        elif code == 1:
            row += [op["id"], op.get("label"), op.get("kind")]
        elif code == 2:
            row.append(op["id"])
        elif code in (3, 4):
            key = op["key"] if code == 4 else edge_key(op["relation"], op.get("phrase", ""))
            ident = edge_ids.setdefault((op["source"], op["target"], key), len(edge_ids))
            row.append(ident)
            if code == 3:
                label = link_text(op)
                row += [op["source"], op["target"], label]
        ops.append(row)
    return ops, edge_ids


def page_data(
    m: ConceptMap, positions: Positions | None = None, *, highlight: Iterable[str] = ()
) -> dict[str, Any]:
    """Everything the page draws, as JSON-ready data (the map is not changed).

    ``highlight`` names node ids the page marks and shows first (what a notebook
    cell just added); ids the map does not have are left out.
    """
    with gc_paused(len(m) > 1000):
        data = _page_data(m, positions)
    graph = m.graph
    data["highlight"] = sorted({node for node in highlight if node in graph})
    return data


def _page_data(m: ConceptMap, positions: Positions | None) -> dict[str, Any]:
    graph, meta = m.graph, m.meta
    people: dict[str, int] = {}
    ops, edge_ids = _timeline(m.history, people)
    counts = dict.fromkeys(KINDS, 0)
    nodes = []
    for node, a in graph.nodes(data=True):
        counts[a["kind"]] += 1
        item = {"id": node, "label": a["label"], "kind": a["kind"], "notes": a["notes"],
                "author": a["author"], "created": a["created"]}  # fmt: skip
        item.update({k: a[k] for k in ("updated", "tags", "url") if a.get(k)})
        nodes.append(item)
    # links as [id, from, to, text]: a 30,000-link map's page is megabytes of them
    edges = [
        [
            edge_ids.setdefault((u, v, k), len(edge_ids)),
            u,
            v,
            link_text(a),
        ]
        for u, v, k, a in graph.edges(keys=True, data=True)
    ]
    spellings = [*meta["participants"], *people]
    shown = each_person(spellings)
    # one colour per person, whichever spelling (@lidel, lidel) a node's author has
    colour = {person_key(n): AUTHOR_COLORS[i % len(AUTHOR_COLORS)] for i, n in enumerate(shown)}
    return {
        "meta": {
            "topic": meta["topic"],
            "participants": shown,
            "created": meta.get("created"),
            "date": meta.get("date"),
        },
        "kinds": {k: {**KIND_STYLES[k], "count": counts[k]} for k in KINDS},
        "authors": {n: colour[person_key(n)] for n in spellings if person_key(n)},
        "people": sorted(people, key=people.__getitem__),
        "nodes": nodes,
        "edges": edges,
        "ops": ops,
        "positions": _positions(m, positions),
        "large": LARGE,
        "readable": READABLE,
    }


@dataclass(frozen=True)
class PageExtras:
    """What a page in a larger site adds to the map page (the atlas's pages use it).

    ``title`` replaces the topic in the header (a map with no topic node);
    ``links`` are ``(text, relative href)`` pairs shown in a bar above the header;
    ``script`` is page code run after the map's own (inline: the page's policy
    allows no script file), which finds the map through ``window.conceptmap``.

    >>> PageExtras(links=(("Index", "../index.html"),)).links[0][1]
    '../index.html'
    """

    title: str | None = None
    links: Sequence[tuple[str, str]] = ()
    script: str = ""


def script_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` left."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)


def render_html(
    m: ConceptMap,
    *,
    positions: Positions | None = None,
    embedded: bool = False,
    highlight: Iterable[str] = (),
    extras: PageExtras | None = None,
) -> str:
    """The page as a string; ``embedded`` packs vis-network small, for notebook output.

    ``highlight``: node ids marked and shown first (see :func:`page_data`);
    ``extras``: a site's title, links and script (see :class:`PageExtras`).
    """
    from ..version import __version__

    data = page_data(m, positions, highlight=highlight)
    with gc_paused(len(m) > 1000):
        data_json = script_json(data)
    meta = data["meta"]
    n, e = len(data["nodes"]), len(data["edges"])
    date = meta.get("date") or (meta.get("created") or "")[:10]
    extras = extras or PageExtras()
    return (
        html_templates()
        .get_template("map.html.j2")
        .render(
            version=__version__,
            topic=extras.title or meta["topic"] or "Untitled map",
            links=extras.links,
            extra_js=extras.script.replace("</script", "<\\/script"),
            counts=f"{n} node{'s' * (n != 1)} · {e} link{'s' * (e != 1)}",
            date=date,
            participants=[(name, data["authors"][name]) for name in meta["participants"]],
            steps=len(data["ops"]),
            data_json=_packed(data_json) if embedded else data_json,
            vis_js=vis_network_packed() if embedded else vis_network_js(),
            compressed=embedded,
            embedded=embedded,
            css=template_asset("map.css"),
            js=page_script(),
        )
    )


def write_html(
    m: ConceptMap,
    path: str | os.PathLike[str],
    *,
    positions: Positions | None = None,
    extras: PageExtras | None = None,
) -> Path:
    """Write the map as one self-contained HTML file that opens offline.

    ``extras``: a site's title, links and script (see :class:`PageExtras`).
    """
    text = render_html(m, positions=positions, extras=extras)
    return write_text(path, text)
