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
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
from jinja2 import Environment, PackageLoader, select_autoescape

from ..core.files import write_text
from ..core.perf import gc_paused
from ..core.schema import KINDS, Positions, link_text
from ..core.state import Op, edge_key
from .style import AUTHOR_COLORS, KIND_STYLES

if TYPE_CHECKING:
    from ..model import ConceptMap


#: Above this many nodes the page draws straight, unlabelled links and no hover
#: effects: vis-network's label layout and curves cost seconds per draw there.
LARGE = 500
#: Up to this many nodes a short physics run pushes overlapping labels apart.
SETTLE = 300
_OP_CODES = {"add_node": 0, "update_node": 1, "remove_node": 2, "add_edge": 3, "remove_edge": 4}
# what could end a <script> element or confuse an HTML parser, as JSON escapes
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})  # fmt: skip


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("conceptmap.drawing", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _asset(name: str) -> str:
    return (files("conceptmap.drawing") / "templates" / name).read_text(encoding="utf-8")


@cache
def vis_network_js() -> str:
    """vis-network's standalone build, as the pyvis package ships it."""
    text = (files("pyvis") / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js").read_text(
        encoding="utf-8"
    )
    return text.replace("</script", "<\\/script")  # it has none; stay safe if that changes


def _packed(text: str) -> str:
    """Text gzipped and base64-encoded: a third of the size, and no character HTML minds."""
    return base64.b64encode(gzip.compress(text.encode(), compresslevel=9, mtime=0)).decode("ascii")


@cache
def vis_network_packed() -> str:
    """vis-network packed for notebook output."""
    return _packed(vis_network_js())


def union_graph(m: ConceptMap) -> nx.MultiDiGraph[str]:
    """Every node and link the session ever had, so the replay has a place for each."""
    graph = m.graph
    history = m.history
    if not any(op["op"] in ("remove_node", "remove_edge") for op in history):
        return graph
    union: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for op in history:
        if op["op"] == "add_node":
            union.add_node(op["id"])
        elif op["op"] == "add_edge":
            union.add_edge(op["source"], op["target"])
    return union


def _positions(m: ConceptMap, positions: Positions | None) -> dict[str, list[float]]:
    if positions is None:
        from .layout import layout_positions

        positions = layout_positions(union_graph(m))
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


def page_data(m: ConceptMap, positions: Positions | None = None) -> dict[str, Any]:
    """Everything the page draws, as JSON-ready data (the map is not changed)."""
    with gc_paused(len(m) > 1000):
        return _page_data(m, positions)


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
    names = list(dict.fromkeys([*meta["participants"], *people]))
    return {
        "meta": {
            "topic": meta["topic"],
            "participants": list(meta["participants"]),
            "created": meta.get("created"),
            "date": meta.get("date"),
        },
        "kinds": {k: {**KIND_STYLES[k], "count": counts[k]} for k in KINDS},
        "authors": {n: AUTHOR_COLORS[i % len(AUTHOR_COLORS)] for i, n in enumerate(names)},
        "people": sorted(people, key=people.__getitem__),
        "nodes": nodes,
        "edges": edges,
        "ops": ops,
        "positions": _positions(m, positions),
        "large": LARGE,
        "settle": SETTLE,
    }


def script_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` left."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)


def render_html(
    m: ConceptMap, *, positions: Positions | None = None, embedded: bool = False
) -> str:
    """The page as a string; ``embedded`` packs vis-network small, for notebook output."""
    from ..version import __version__

    data = page_data(m, positions)
    with gc_paused(len(m) > 1000):
        data_json = script_json(data)
    meta = data["meta"]
    n, e = len(data["nodes"]), len(data["edges"])
    date = meta.get("date") or (meta.get("created") or "")[:10]
    return (
        _environment()
        .get_template("map.html.j2")
        .render(
            version=__version__,
            topic=meta["topic"] or "Untitled map",
            counts=f"{n} node{'s' * (n != 1)} · {e} link{'s' * (e != 1)}",
            date=date,
            participants=[(name, data["authors"][name]) for name in data["authors"]],
            steps=len(data["ops"]),
            data_json=_packed(data_json) if embedded else data_json,
            vis_js=vis_network_packed() if embedded else vis_network_js(),
            compressed=embedded,
            embedded=embedded,
            css=_asset("map.css"),
            js=_asset("map.js"),
        )
    )


def write_html(
    m: ConceptMap, path: str | os.PathLike[str], *, positions: Positions | None = None
) -> Path:
    """Write the map as one self-contained HTML file that opens offline."""
    text = render_html(m, positions=positions)
    return write_text(path, text)
