"""The numerical core of :mod:`conceptmap.drawing.layout`: stress majorization and its helpers.

All-pairs stress for small components, PivotMDS with sparse stress and a short
force-directed polish for large ones; see :mod:`conceptmap.drawing.layout` for the why,
and for what keeps every result deterministic.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.sparse import csgraph, csr_array  # type: ignore[import-untyped]
from scipy.spatial import cKDTree  # type: ignore[import-untyped]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

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
TINY = 1e-12


def adjacency(n: int, edges: Ints) -> csr_array:
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    return csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def all_pairs_batches(sizes: list[int]) -> list[list[int]]:
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


def all_pairs_layouts(
    edge_lists: list[Ints], sizes: list[int], rng: np.random.Generator
) -> list[Floats]:
    """Stress majorization over all pairs from a classical MDS start, for components
    padded to the size of the first (padding has no terms, so it moves nothing)."""
    m = sizes[0]
    dist = np.zeros((len(sizes), m, m))
    for b, (edges, n) in enumerate(zip(edge_lists, sizes, strict=True)):
        dist[b, :n, :n] = csgraph.shortest_path(adjacency(n, edges), unweighted=True)
    weight = np.zeros_like(dist)
    np.divide(1.0, dist * dist, out=weight, where=dist > 0)
    total = np.maximum(weight.sum(axis=-1), TINY)  # padding: no terms, no weight
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


def sparse_layout(n: int, edges: Ints, rng: np.random.Generator) -> Floats:
    """PivotMDS, then sparse stress, then a short force-directed polish."""
    pivots, dist = _pivots(adjacency(n, edges))
    xy = _pivot_mds(dist)
    # nodes at equal distances from every pivot start on one point: jitter parts them
    xy = xy / median_edge(xy, edges) + rng.uniform(-_JITTER, _JITTER, size=xy.shape)
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
    return _force_polish(xy / median_edge(xy, edges), src, dst)


def _stress_round(x: Floats, y: Floats, t: _Terms) -> tuple[Floats, Floats]:
    """One Jacobi round of localized stress majorization (Gansner, Koren & North 2004):
    each node moves to the weighted mean of the places its terms want it at."""
    sx, sy = np.zeros_like(x), np.zeros_like(y)
    if len(t.src):
        dx, dy = x[t.src] - x[t.dst], y[t.src] - y[t.dst]
        inv = 1.0 / np.maximum(np.sqrt(dx * dx + dy * dy), TINY)
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
    np.maximum(scale, TINY, out=scale)
    np.divide(t.pull, scale, out=scale)
    # sum of w a + s (p - a) over anchors a as sum of (w - s) a + p sum s: fewer passes
    spread = scale.sum(axis=-1)
    np.subtract(t.weight, scale, out=scale)
    sx += (scale * ax).sum(axis=-1) + x * spread
    sy += (scale * ay).sum(axis=-1) + y * spread
    return sx / t.total, sy / t.total


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
            w = np.where(norm > TINY, w / np.maximum(norm, TINY), 0.0)
            v, w = w, v
            if float(np.abs(v - w).max()) < _POWER_TOL:
                break
        axes.append(v)
    cols = []
    for v in axes:
        col = (c * v[..., None, :]).sum(axis=-1)
        norm = np.sqrt((col * col).sum(axis=-1, keepdims=True))
        # |c v| is the eigenvalue; MDS coordinates want its square root
        cols.append(np.where(norm > TINY, col / np.sqrt(np.maximum(norm, TINY)), 0.0))
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


def near(
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
    same = valid & (d < TINY)
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
        d, ux, uy, valid = near(x, y, _FORCE_NEIGHBOURS, 3 * k)
        push = np.where(valid, k * k / np.maximum(d, 1e-3 * k), 0.0)
        fx, fy = (push * ux).sum(axis=1), (push * uy).sum(axis=1)
        dx, dy = x[src] - x[dst], y[src] - y[dst]
        length = np.sqrt(dx * dx + dy * dy)
        fx -= np.bincount(src, dx * length / k, minlength=n)
        fy -= np.bincount(src, dy * length / k, minlength=n)
        # cooling: large moves first, then settle; no node moves more than ``step``
        step = 0.5 * (1 - r / _FORCE_ROUNDS)
        size = np.sqrt(fx * fx + fy * fy)
        scale = np.minimum(size, step) / np.maximum(size, TINY)
        x, y = x + fx * scale, y + fy * scale
    return np.stack([x, y], axis=1)


def median_edge(xy: Floats, edges: Ints) -> float:
    """The median link length, or 1 if that is 0 (dividing by it must be safe)."""
    d = xy[edges[:, 0]] - xy[edges[:, 1]]
    median = float(np.median(np.sqrt((d * d).sum(axis=1)))) if len(edges) else 0.0
    return median if median > TINY else 1.0
