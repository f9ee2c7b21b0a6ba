"""Node positions for drawing a map with vis-network, computed before the page is written.

With positions from :func:`layout_positions` and physics off, vis-network draws even a
10,000-node map at once. networkx's layouts are too slow for that (``spring_layout``
takes ~50 s at 5,000 nodes), so this module has its own, on numpy and scipy:

1. Links count undirected, once per pair; each connected component is laid out alone.
2. Up to ``_ALL_PAIRS_MAX`` nodes, a component gets stress majorization over all pairs
   (the model of Graphviz's ``neato``: graph distances become drawing distances) from a
   classical MDS start; small components are computed together, in padded batches, up
   to ``_ALL_PAIRS_CELLS`` node pairs in all (the rest take the path below).
3. A larger one starts from PivotMDS (Brandes & Pich 2006: breadth-first distances from
   a few far-apart pivots, projected to 2D), gets a few rounds of sparse stress
   (Ortmann, Klimenta & Brandes 2016: the links plus weighted terms to the pivots), then
   a short force-directed polish (Fruchterman-Reingold, repulsion only from the nearest
   nodes, found with a k-d tree) that tightens clusters and evens out crowded spots.
4. Each component is turned to lie wide, scaled so that the median link is ``EDGE_PX``
   long, nudged so that nodes keep ``MIN_GAP_PX`` apart where they can, and the
   components are packed in rows, largest first.

Determinism: the result depends only on the node order, the set of linked pairs and
``seed``. All arithmetic is ``+ - * /`` and ``sqrt`` (exactly rounded on every CPU),
summed in a fixed order, with seeded PCG64 jitter: no BLAS/LAPACK (their kernels sum in
CPU-dependent orders), no ``exp``/``log``/trigonometry, no threads.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy.sparse import csgraph  # type: ignore[import-untyped]

from .stress import (
    TINY,
    adjacency,
    all_pairs_batches,
    all_pairs_layouts,
    median_edge,
    near,
    sparse_layout,
)

__all__ = ["COMPONENT_GAP_PX", "EDGE_PX", "MIN_GAP_PX", "layout_positions"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

EDGE_PX = 150.0
"""The median length of a link in the result, in vis-network pixels."""
MIN_GAP_PX = 40.0
"""The distance the last step tries to keep between any two nodes."""
COMPONENT_GAP_PX = 150.0
"""The space between the bounding boxes of two packed components."""

_GAP_ROUNDS = 10
_GAP_NEIGHBOURS = 8


def layout_positions(
    graph: nx.Graph[Any] | nx.MultiDiGraph[str], *, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """Positions for every node of ``graph``, in vis-network pixels.

    The median link is ``EDGE_PX`` long, nodes keep ``MIN_GAP_PX`` apart where the graph
    allows it, and connected components are packed in rows without overlapping. The same
    nodes (in the same order), links and ``seed`` give exactly the same floats on every
    run. ``graph`` is not modified.

    Parameters
    ----------
    graph
        Any networkx graph; link direction, parallel links and self-loops do not matter.
    seed
        Seeds the jitter that separates nodes which would start on the same point.

    Returns
    -------
    dict
        ``{node: (x, y)}`` for every node, in the graph's node order.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("b", "c")])
    >>> pos = layout_positions(g)
    >>> sorted(pos)
    ['a', 'b', 'c']
    >>> ab = ((pos["a"][0] - pos["b"][0]) ** 2 + (pos["a"][1] - pos["b"][1]) ** 2) ** 0.5
    >>> 100 < ab < 200
    True
    >>> layout_positions(g) == pos
    True
    """
    nodes = list(graph)
    if not nodes:
        return {}
    comps = _components(len(nodes), _simple_edges(graph, nodes))
    parts = zip((members for members, _ in comps), _component_pixels(comps, seed), strict=True)
    xy = _pack(len(nodes), list(parts))
    return {node: (x, y) for node, (x, y) in zip(nodes, xy.tolist(), strict=True)}


# -- graph preparation ---------------------------------------------------------------------
def _simple_edges(graph: nx.Graph[Any], nodes: list[Any]) -> Ints:
    """Each linked pair once, as sorted ``(i, j)`` node indices with ``i < j``, in order."""
    index = {node: i for i, node in enumerate(nodes)}
    flat = [index[end] for pair in graph.edges() for end in pair]
    uv = np.array(flat, dtype=np.int64).reshape(-1, 2)
    uv = uv[uv[:, 0] != uv[:, 1]]
    uv.sort(axis=1)
    n = len(nodes)
    # np.unique sorts, so the result does not depend on the order links were added
    keys = np.unique(uv[:, 0] * n + uv[:, 1])
    return np.stack([keys // n, keys % n], axis=1)


def _components(n: int, edges: Ints) -> list[tuple[Ints, Ints]]:
    """``(members, edges in local indices)`` per component, largest first."""
    count, labels = csgraph.connected_components(adjacency(n, edges), directed=False)
    order = np.argsort(labels, kind="stable")  # each component's members in node order
    starts = np.searchsorted(labels[order], np.arange(count + 1))
    edge_labels = labels[edges[:, 0]]
    edge_order = np.argsort(edge_labels, kind="stable")
    edge_starts = np.searchsorted(edge_labels[edge_order], np.arange(count + 1))
    # ties in size go by first node: scipy's label numbers are no order of ours
    rank = sorted(range(count), key=lambda c: (starts[c] - starts[c + 1], order[starts[c]]))
    local = np.empty(n, dtype=np.int64)
    result = []
    for c in rank:
        members = order[starts[c] : starts[c + 1]]
        local[members] = np.arange(len(members))
        result.append((members, local[edges[edge_order[edge_starts[c] : edge_starts[c + 1]]]]))
    return result


# -- components: stress layouts ------------------------------------------------------------
def _component_pixels(comps: list[tuple[Ints, Ints]], seed: int) -> list[Floats]:
    """Positions in pixels for each ``(members, local edges)`` component, in order."""
    rng = np.random.default_rng(seed % 2**64)
    sizes = [len(members) for members, _ in comps]
    raw: dict[int, Floats] = {}
    for batch in all_pairs_batches(sizes):
        layouts = all_pairs_layouts([comps[c][1] for c in batch], [sizes[c] for c in batch], rng)
        raw.update(zip(batch, layouts, strict=True))
    result = []
    for c, (n, (_, edges)) in enumerate(zip(sizes, comps, strict=True)):
        if n <= 2:
            result.append(np.array([[0.0, 0.0], [EDGE_PX, 0.0]])[:n])
            continue
        xy = _upright(raw[c] if c in raw else sparse_layout(n, edges, rng))
        xy *= EDGE_PX / median_edge(xy, edges)
        result.append(_keep_apart(xy, MIN_GAP_PX))
    return result


# -- starts: PivotMDS and classical MDS ----------------------------------------------------


# -- polish --------------------------------------------------------------------------------


def _keep_apart(xy: Floats, gap: float) -> Floats:
    """Push apart nodes closer than ``gap`` (a few rounds: crowded spots may stay)."""
    x, y = xy[:, 0].copy(), xy[:, 1].copy()
    for _ in range(_GAP_ROUNDS):
        d, ux, uy, valid = near(x, y, _GAP_NEIGHBOURS, gap)
        close = valid & (d < gap)
        if not close.any():
            break
        # a quarter of the shortfall each: pushes from several neighbours add up
        push = np.where(close, (gap - d) * 0.25, 0.0)
        x, y = x + (push * ux).sum(axis=1), y + (push * uy).sum(axis=1)
    return np.stack([x, y], axis=1)


def _upright(xy: Floats) -> Floats:
    """``xy`` centred and turned so that its long axis is horizontal (screens are wide)."""
    c: Floats = xy - xy.mean(axis=0)
    sxx, syy = float((c[:, 0] * c[:, 0]).sum()), float((c[:, 1] * c[:, 1]).sum())
    sxy = float((c[:, 0] * c[:, 1]).sum())
    half = (sxx - syy) / 2
    root = math.sqrt(half * half + sxy * sxy)
    if root <= TINY * (sxx + syy):  # round: any direction will do
        return c
    major = (sxx + syy) / 2 + root
    # the eigenvector of the covariance for ``major``, from its better-conditioned row
    vx, vy = (major - syy, sxy) if sxx >= syy else (sxy, major - sxx)
    norm = math.sqrt(vx * vx + vy * vy)
    vx, vy = vx / norm, vy / norm
    return np.stack([c[:, 0] * vx + c[:, 1] * vy, c[:, 1] * vx - c[:, 0] * vy], axis=1)


# -- packing -------------------------------------------------------------------------------
def _pack(n: int, parts: list[tuple[Ints, Floats]]) -> Floats:
    """Components' boxes in rows (shelf packing), in order, rows ~1.5x the stack's height."""
    gap = COMPONENT_GAP_PX
    lows = [xy.min(axis=0) for _, xy in parts]
    spans = [xy.max(axis=0) - low for (_, xy), low in zip(parts, lows, strict=True)]
    area = sum((float(w) + gap) * (float(h) + gap) for w, h in spans)
    limit = max(max(float(w) for w, _ in spans), math.sqrt(area * 1.5))
    out = np.zeros((n, 2))
    cx = cy = row_height = 0.0
    for (members, xy), low, (w, h) in zip(parts, lows, spans, strict=True):
        if cx > 0 and cx + w > limit:
            cx, cy, row_height = 0.0, cy + row_height + gap, 0.0
        out[members] = xy - low + np.array([cx, cy])
        cx += float(w) + gap
        row_height = max(row_height, float(h))
    centred: Floats = out - (out.min(axis=0) + out.max(axis=0)) / 2
    return centred
