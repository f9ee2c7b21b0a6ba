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
from typing import Any, NamedTuple

import networkx as nx
import numpy as np
import numpy.typing as npt
from scipy.sparse import csgraph, csr_array  # type: ignore[import-untyped]
from scipy.spatial import cKDTree  # type: ignore[import-untyped]

__all__ = ["COMPONENT_GAP_PX", "EDGE_PX", "MIN_GAP_PX", "layout_positions"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

EDGE_PX = 150.0
"""The median length of a link in the result, in vis-network pixels."""
MIN_GAP_PX = 40.0
"""The distance the last step tries to keep between any two nodes."""
COMPONENT_GAP_PX = 150.0
"""The space between the bounding boxes of two packed components."""

_ALL_PAIRS_MAX = 300  # all-pairs stress costs n^2 per round: up to ~0.25 s at 300 nodes
_ALL_PAIRS_ROUNDS = 100
_ALL_PAIRS_TOL = 5e-3  # stop once no node moves more than this (in link lengths)
_BATCH_CELLS = _ALL_PAIRS_MAX**2  # per numpy call
_ALL_PAIRS_CELLS = 3 * _BATCH_CELLS  # in all (a round costs ~25 ns per cell)
_PIVOTS = 30
_POWER_ROUNDS = 200
_POWER_TOL = 1e-6
_JITTER = 1e-2  # in link lengths
_PIVOT_WEIGHT = 0.1  # below 1 the links count more than the pivots: shorter links
_SPARSE_ROUNDS = 30
_FORCE_ROUNDS = 30
_FORCE_K = 0.5  # the force model's ideal distance, in median link lengths after stress
_FORCE_NEIGHBOURS = 16
_GAP_ROUNDS = 10
_GAP_NEIGHBOURS = 8
_TINY = 1e-12


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


def _adjacency(n: int, edges: Ints) -> csr_array:
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    return csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def _components(n: int, edges: Ints) -> list[tuple[Ints, Ints]]:
    """``(members, edges in local indices)`` per component, largest first."""
    count, labels = csgraph.connected_components(_adjacency(n, edges), directed=False)
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
    for batch in _all_pairs_batches(sizes):
        layouts = _all_pairs_layouts([comps[c][1] for c in batch], [sizes[c] for c in batch], rng)
        raw.update(zip(batch, layouts, strict=True))
    result = []
    for c, (n, (_, edges)) in enumerate(zip(sizes, comps, strict=True)):
        if n <= 2:
            result.append(np.array([[0.0, 0.0], [EDGE_PX, 0.0]])[:n])
            continue
        xy = _upright(raw[c] if c in raw else _sparse_layout(n, edges, rng))
        xy *= EDGE_PX / _median_edge(xy, edges)
        result.append(_keep_apart(xy, MIN_GAP_PX))
    return result


def _all_pairs_batches(sizes: list[int]) -> list[list[int]]:
    """The components for all-pairs stress: 3 to ``_ALL_PAIRS_MAX`` nodes, smallest first
    while their n^2 cells fit ``_ALL_PAIRS_CELLS`` (the rest get sparse stress), in runs
    of up to ``_BATCH_CELLS`` padded cells: a thousand fragments share each numpy call."""
    todo, cells = [], 0
    for c in reversed(range(len(sizes))):
        if 3 <= sizes[c] <= _ALL_PAIRS_MAX and cells + sizes[c] ** 2 <= _ALL_PAIRS_CELLS:
            todo.append(c)
            cells += sizes[c] ** 2
    batches: list[list[int]] = []
    for c in reversed(todo):  # largest first: a run is padded to its first's size
        if batches and (len(batches[-1]) + 1) * sizes[batches[-1][0]] ** 2 <= _BATCH_CELLS:
            batches[-1].append(c)
        else:
            batches.append([c])
    return batches


class _Terms(NamedTuple):
    """The stress terms of a layout: each node wants a set distance to certain others."""

    src: Ints  # link terms, both directions: src wants to be 1 from dst
    dst: Ints
    anchors: Ints  # (k,) the nodes of the dense terms (pivots, or every node)
    weight: Floats  # (..., n, k) each term's weight
    pull: Floats  # (..., n, k) weight times the wanted distance from node to anchor
    total: Floats  # (..., n) every node's sum of term weights


def _all_pairs_layouts(
    edge_lists: list[Ints], sizes: list[int], rng: np.random.Generator
) -> list[Floats]:
    """Stress majorization over all pairs from a classical MDS start, for components
    padded to the size of the first (padding has no terms, so it moves nothing)."""
    m = sizes[0]
    dist = np.zeros((len(sizes), m, m))
    for b, (edges, n) in enumerate(zip(edge_lists, sizes, strict=True)):
        dist[b, :n, :n] = csgraph.shortest_path(_adjacency(n, edges), unweighted=True)
    weight = np.zeros_like(dist)
    np.divide(1.0, dist * dist, out=weight, where=dist > 0)
    total = np.maximum(weight.sum(axis=-1), _TINY)  # padding: no terms, no weight
    none, anchors = np.zeros(0, dtype=np.int64), np.arange(m, dtype=np.int64)
    terms = _Terms(none, none, anchors, weight, weight * dist, total)
    xy = _classical_mds(dist, np.array(sizes))
    xy += rng.uniform(-_JITTER, _JITTER, size=xy.shape)
    x, y = xy[..., 0], xy[..., 1]
    for _ in range(_ALL_PAIRS_ROUNDS):
        nx_, ny_ = _stress_round(x, y, terms)
        moved = max(float(np.abs(nx_ - x).max()), float(np.abs(ny_ - y).max()))
        x, y = nx_, ny_
        if moved < _ALL_PAIRS_TOL:
            break
    return [np.stack([x[b, :n], y[b, :n]], axis=1) for b, n in enumerate(sizes)]


def _sparse_layout(n: int, edges: Ints, rng: np.random.Generator) -> Floats:
    """PivotMDS, then sparse stress, then a short force-directed polish."""
    pivots, dist = _pivots(_adjacency(n, edges))
    xy = _pivot_mds(dist)
    # nodes at equal distances from every pivot start on one point: jitter parts them
    xy = xy / _median_edge(xy, edges) + rng.uniform(-_JITTER, _JITTER, size=xy.shape)
    weight = _PIVOT_WEIGHT * _region_weights(dist)
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    total = np.bincount(src, minlength=n) + weight.sum(axis=1)
    anchors = np.array(pivots, dtype=np.int64)
    terms = _Terms(src, dst, anchors, weight, weight * dist.T, total)
    x, y = xy[:, 0], xy[:, 1]
    for _ in range(_SPARSE_ROUNDS):
        x, y = _stress_round(x, y, terms)
    xy = np.stack([x, y], axis=1)
    return _force_polish(xy / _median_edge(xy, edges), src, dst)


def _stress_round(x: Floats, y: Floats, t: _Terms) -> tuple[Floats, Floats]:
    """One Jacobi round of localized stress majorization (Gansner, Koren & North 2004):
    each node moves to the weighted mean of the places its terms want it at."""
    sx, sy = np.zeros_like(x), np.zeros_like(y)
    if len(t.src):
        dx, dy = x[t.src] - x[t.dst], y[t.src] - y[t.dst]
        inv = 1.0 / np.maximum(np.sqrt(dx * dx + dy * dy), _TINY)
        # bincount adds in array order: the same bits every run
        sx += np.bincount(t.src, x[t.dst] + dx * inv, minlength=len(x))
        sy += np.bincount(t.src, y[t.dst] + dy * inv, minlength=len(y))
    # x is (nodes,) or (components, nodes): the dense terms work on the last axis
    ax, ay = x[..., None, t.anchors], y[..., None, t.anchors]
    dx, dy = x[..., :, None] - ax, y[..., :, None] - ay
    scale = dx * dx
    scale += dy * dy
    np.sqrt(scale, out=scale)
    # a node on top of its anchor has zero weight there (distance 0), so no 0/0
    np.maximum(scale, _TINY, out=scale)
    np.divide(t.pull, scale, out=scale)
    # sum of w a + s (p - a) over anchors a as sum of (w - s) a + p sum s: fewer passes
    spread = scale.sum(axis=-1)
    np.subtract(t.weight, scale, out=scale)
    sx += (scale * ax).sum(axis=-1) + x * spread
    sy += (scale * ay).sum(axis=-1) + y * spread
    return sx / t.total, sy / t.total


# -- starts: PivotMDS and classical MDS ----------------------------------------------------
def _pivots(adj: csr_array) -> tuple[list[int], Floats]:
    """Up to ``_PIVOTS`` nodes, each farthest from those before (max-min) from the
    best-linked (often the topic), and their distances to every node."""
    chosen = [int(np.argmax(np.diff(adj.indptr)))]
    rows: list[Floats] = []
    nearest = np.full(adj.shape[0], np.inf)
    while len(chosen) <= _PIVOTS:
        # every link weighs 1, so Dijkstra's distances are breadth-first hop counts
        rows.append(csgraph.shortest_path(adj, indices=[chosen[-1]])[0])
        nearest = np.minimum(nearest, rows[-1])
        chosen.append(int(np.argmax(nearest)))
        if nearest[chosen[-1]] == 0:  # every node is a pivot already
            break
    return chosen[: len(rows)], np.array(rows)


def _pivot_mds(dist: Floats) -> Floats:
    """The two main axes of the double-centred squared distances (Brandes & Pich 2006)."""
    k = dist.shape[0]
    sq = dist * dist
    c = sq - sq.mean(axis=1, keepdims=True) - sq.mean(axis=0, keepdims=True) + sq.mean()
    c = np.ascontiguousarray(-0.5 * c.T)
    # C^T C by columns, not BLAS: BLAS kernels sum in a CPU-dependent order (last bits)
    gram = np.empty((k, k))
    for a in range(k):
        gram[a] = (c[:, a, None] * c).sum(axis=0)
    return _main_axes(gram, c)


def _classical_mds(dist: Floats, sizes: Ints) -> Floats:
    """Classical MDS of each padded distance matrix in ``dist`` (components, m, m)."""
    m = dist.shape[-1]
    real = (np.arange(m) < sizes[:, None]).astype(np.float64)
    n = sizes[:, None].astype(np.float64)
    sq = dist * dist
    row = sq.sum(axis=-1) / n  # padding adds zeros: the means of the real rows
    mean = (row * real).sum(axis=-1, keepdims=True) / n
    c = -0.5 * (sq - row[..., :, None] - row[..., None, :] + mean[..., None])
    c *= real[..., :, None] * real[..., None, :]
    return _main_axes(c, c)


def _main_axes(gram: Floats, c: Floats) -> Floats:
    """The two main axes ``c v`` of ``c`` (..., n, k), from the eigenvectors ``v`` of
    ``gram`` (..., k, k), scaled as in classical MDS."""
    k = gram.shape[-1]
    axes: list[Floats] = []
    for start in (np.linspace(1.0, 2.0, k), np.linspace(-1.0, 1.0, k)):
        v = np.broadcast_to(start, gram.shape[:-1])
        for _ in range(_POWER_ROUNDS):
            for u in axes:
                v = v - (v * u).sum(axis=-1, keepdims=True) * u
            w = (gram * v[..., None, :]).sum(axis=-1)
            norm = np.sqrt((w * w).sum(axis=-1, keepdims=True))
            # rank below 2 (a path): the axis stays flat
            w = np.where(norm > _TINY, w / np.maximum(norm, _TINY), 0.0)
            v, w = w, v
            if float(np.abs(v - w).max()) < _POWER_TOL:
                break
        axes.append(v)
    cols = []
    for v in axes:
        col = (c * v[..., None, :]).sum(axis=-1)
        norm = np.sqrt((col * col).sum(axis=-1, keepdims=True))
        # |c v| is the eigenvalue; MDS coordinates want its square root
        cols.append(np.where(norm > _TINY, col / np.sqrt(np.maximum(norm, _TINY)), 0.0))
    return np.stack(cols, axis=-1)


def _region_weights(dist: Floats) -> Floats:
    """Sparse-stress weights (nodes x pivots): node i's term for pivot p stands for the
    nodes of p's region at most half as far from p as i."""
    k, n = dist.shape
    nearest = np.argmin(dist, axis=0)
    counts = np.empty((k, n))
    for a in range(k):
        region = np.sort(dist[a, nearest == a])
        counts[a] = np.searchsorted(region, dist[a] / 2, side="right")
    weight = np.zeros((k, n))
    np.divide(np.maximum(counts, 1.0), dist * dist, out=weight, where=dist > 0)
    return np.ascontiguousarray(weight.T)


# -- polish --------------------------------------------------------------------------------
def _near(
    x: Floats, y: Floats, count: int, reach: float
) -> tuple[Floats, Floats, Floats, npt.NDArray[np.bool_]]:
    """Distances, unit vectors away from and slot use for each node's ``count`` nearest."""
    n = len(x)
    points = np.stack([x, y], axis=1)
    _, idx = cKDTree(points).query(points, k=min(count + 1, n), distance_upper_bound=reach)
    rows = np.arange(n)[:, None]
    valid = (idx < n) & (idx != rows)
    idx = np.where(valid, idx, rows)
    dx, dy = x[:, None] - x[idx], y[:, None] - y[idx]
    d = np.sqrt(dx * dx + dy * dy)
    # two nodes on one point still need a way apart: along x, the later node to the right
    same = valid & (d < _TINY)
    safe = np.where(same | ~valid, 1.0, d)
    ux = np.where(same, np.where(rows > idx, 1.0, -1.0), dx / safe)
    uy = np.where(same, 0.0, dy / safe)
    return d, ux, uy, valid


def _force_polish(xy: Floats, src: Ints, dst: Ints) -> Floats:
    """Fruchterman-Reingold rounds with repulsion from the nearest nodes only."""
    n = len(xy)
    x, y = xy[:, 0].copy(), xy[:, 1].copy()
    k = _FORCE_K
    for r in range(_FORCE_ROUNDS):
        d, ux, uy, valid = _near(x, y, _FORCE_NEIGHBOURS, 3 * k)
        push = np.where(valid, k * k / np.maximum(d, 1e-3 * k), 0.0)
        fx, fy = (push * ux).sum(axis=1), (push * uy).sum(axis=1)
        dx, dy = x[src] - x[dst], y[src] - y[dst]
        length = np.sqrt(dx * dx + dy * dy)
        fx -= np.bincount(src, dx * length / k, minlength=n)
        fy -= np.bincount(src, dy * length / k, minlength=n)
        # cooling: large moves first, then settle; no node moves more than ``step``
        step = 0.5 * (1 - r / _FORCE_ROUNDS)
        size = np.sqrt(fx * fx + fy * fy)
        scale = np.minimum(size, step) / np.maximum(size, _TINY)
        x, y = x + fx * scale, y + fy * scale
    return np.stack([x, y], axis=1)


def _keep_apart(xy: Floats, gap: float) -> Floats:
    """Push apart nodes closer than ``gap`` (a few rounds: crowded spots may stay)."""
    x, y = xy[:, 0].copy(), xy[:, 1].copy()
    for _ in range(_GAP_ROUNDS):
        d, ux, uy, valid = _near(x, y, _GAP_NEIGHBOURS, gap)
        close = valid & (d < gap)
        if not close.any():
            break
        # a quarter of the shortfall each: pushes from several neighbours add up
        push = np.where(close, (gap - d) * 0.25, 0.0)
        x, y = x + (push * ux).sum(axis=1), y + (push * uy).sum(axis=1)
    return np.stack([x, y], axis=1)


def _median_edge(xy: Floats, edges: Ints) -> float:
    """The median link length, or 1 if that is 0 (dividing by it must be safe)."""
    d = xy[edges[:, 0]] - xy[edges[:, 1]]
    median = float(np.median(np.sqrt((d * d).sum(axis=1)))) if len(edges) else 0.0
    return median if median > _TINY else 1.0


def _upright(xy: Floats) -> Floats:
    """``xy`` centred and turned so that its long axis is horizontal (screens are wide)."""
    c: Floats = xy - xy.mean(axis=0)
    sxx, syy = float((c[:, 0] * c[:, 0]).sum()), float((c[:, 1] * c[:, 1]).sum())
    sxy = float((c[:, 0] * c[:, 1]).sum())
    half = (sxx - syy) / 2
    root = math.sqrt(half * half + sxy * sxy)
    if root <= _TINY * (sxx + syy):  # round: any direction will do
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
