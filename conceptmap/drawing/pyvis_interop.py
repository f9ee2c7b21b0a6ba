"""A ``pyvis.network.Network`` of a map, for people who already use pyvis.

pyvis's own ``Network.from_nx`` and ``add_node`` check membership in a list
for every node (quadratic: ~25 s for 10,000 nodes) and rewrite the caller's
edge attributes; this fills the same structures directly, in linear time.
No ``title`` is set: pyvis shows titles as HTML, and labels are user text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.schema import link_text
from .style import KIND_STYLES

if TYPE_CHECKING:
    from ..model import ConceptMap


def to_pyvis(m: ConceptMap, **options: Any) -> Any:
    """``pyvis.network.Network(directed=True, **options)`` holding the map's nodes and links.

    Examples
    --------
    >>> from conceptmap import ConceptMap
    >>> m = ConceptMap("GraphSync", author="vmx")
    >>> _ = m.link("Selectors", "part_of", "GraphSync")
    >>> net = to_pyvis(m)
    >>> [n["label"] for n in net.nodes], [(e["from"], e["to"]) for e in net.edges]
    (['GraphSync', 'Selectors'], [('selectors', 'graphsync')])
    """
    from pyvis.network import Network

    net = Network(directed=True, **options)
    graph = m.graph
    for node, a in graph.nodes(data=True):
        style = KIND_STYLES[a["kind"]]
        item = {
            "id": node,
            "label": a["label"],
            "shape": style["shape"],
            "color": {"background": style["color"], "border": style["border"]},
            "group": a["kind"],
        }
        net.nodes.append(item)
        net.node_ids.append(node)
        net.node_map[node] = item
    net.edges.extend(
        {
            "from": u,
            "to": v,
            "arrows": "to",
            "label": link_text(a),
        }
        for u, v, a in graph.edges(data=True)
    )
    return net
