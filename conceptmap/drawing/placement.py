"""Stable positions: each node is placed once, next to what it links to, and stays.

A map's positions are derived from its operation log, so every participant, the
HTML page, the inline view, the SVG and the replay slider see the same picture
without storing a coordinate for every node:

- The log is read change by change (the operations of one change share their
  author and timestamp). After each change, the nodes it added are placed: next
  to the nodes they are linked to (the centroid of those, then the free spot
  nearest to it on rings of growing radius), or near the topic when they are linked
  to nothing yet; then the new nodes alone get a short settling (springs to their
  neighbours, repulsion from everything near). Nodes placed before never move.
- The first change of a map, or one that adds more than ``BULK`` nodes (an import),
  is laid out whole by :func:`~conceptmap.drawing.layout.layout_positions`, beside
  what is already there.
- A ``place`` operation (a node dragged in the live view) pins nodes where a
  participant put them; it wins over the derived position.

No randomness and no trigonometry: the same log gives the same positions every time
it is read (numpy's reductions may round differently on another CPU, so two machines
can differ in the last bits). A change whose operations have not all arrived yet
(the last one read) is placed provisionally and placed again once it is complete, so
a map read live gives the same positions as one loaded afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree  # type: ignore[import-untyped]

from ..core.state import is_point
from .layout import EDGE_PX, MIN_GAP_PX, layout_positions

BULK = 100
"""A change adding more nodes than this is laid out whole rather than node by node."""

_RINGS = (1.0, 1.4, 1.9, 2.6, 3.5, 5.0)  # candidate radii, in EDGE_PX
_NEAR_RINGS = (0.3, 0.6, 1.0, 1.5, 2.2, 3.2, 4.5, 6.5, 9.0)  # to step aside from an overlap
# unit vectors every 22.5 degrees, as literals: no trigonometry, no platform rounding
_C, _S = 0.92388, 0.382683
_DIRS = np.array(
    [(1, 0), (_C, _S), (0.707107, 0.707107), (_S, _C), (0, 1), (-_S, _C), (-0.707107, 0.707107),
     (-_C, _S), (-1, 0), (-_C, -_S), (-0.707107, -0.707107), (-_S, -_C), (0, -1), (_S, -_C),
     (0.707107, -0.707107), (_C, -_S)],
    dtype=np.float64,
)  # fmt: skip
_PAD = MIN_GAP_PX * 0.6  # clear space kept between two nodes' boxes
_SETTLE_ROUNDS = 30
_STILL_PX = 0.01  # a settling round that moves no node this far is the last
_SPREAD_ROUNDS = 60
SPREAD_MAX = 3000
"""Up to this many nodes, a whole layout's overlapping boxes are pushed apart."""
# a node's box as the page draws it: 14 px text (22 px for the topic), wrapped at 200 px
# (320 px), about 0.55 em a character, plus the shape's margins
_CHAR_EM, _LINE_EM = 0.55, 1.25
_FONTS = {"topic": (22.0, 320.0), "decision": (16.0, 230.0)}  # (font px, wrap px); else 14, 200

Point = tuple[float, float]
Op = Mapping[str, Any]


class Placer:
    """Positions for a map, kept up to date by feeding it the log's operations in order."""

    def __init__(self) -> None:
        self._placed: dict[str, Point] = {}  # every node ever placed, removed ones too
        self._pinned: dict[str, Point] = {}
        self._alive: dict[str, None] = {}  # the map's nodes, in the order they came
        self._links: Counter[tuple[str, str]] = Counter()  # undirected pairs, counted
        self._sizes: dict[str, Point] = {}  # half width and half height of each node's box
        self._batch: list[Op] = []
        self._key: tuple[Any, Any] | None = None
        self._provisional: tuple[int, dict[str, Point]] | None = None
        self._future: dict[str, Point] = {}  # where place operations read ahead put nodes

    # -- feeding ---------------------------------------------------------------------
    def feed(self, ops: Iterable[Op], *, one_change: bool = False) -> None:
        """Read more operations of the log, in order.

        ``one_change``: the operations are one change whatever their authors and
        times say (an import, whose operations keep each node's own author and time).
        A node that a ``place`` operation of every node (``"all": true``, as
        ``compact`` and the save of an import write) further on in ``ops`` pins is put
        there at once: such a map reads without placing anything.
        """
        ops = list(ops)
        for op in ops:
            if (
                op.get("op") == "place"
                and op.get("all") is True
                and isinstance(op.get("positions"), dict)
            ):
                for node, xy in op["positions"].items():
                    point = _point(xy)
                    if point is not None:
                        self._future[node] = point
        if one_change:
            self._commit()
            self._key = (object(), None)  # equal to no key an operation can have
        for op in ops:
            key = self._key if one_change else (op.get("by"), op.get("at"))
            if key != self._key:
                self._commit()
                self._key = key
            self._batch.append(op)
            if self._provisional is not None:
                self._provisional = None

    def _commit(self) -> None:
        if self._batch:
            provisional = self._provisional
            new = _apply(self._batch, self._alive, self._links, self._pinned, self._sizes)
            if provisional is not None and provisional[0] == len(self._batch):
                self._placed.update(provisional[1])  # placed already, from the same inputs
            else:
                self._placed.update(self._place(new, self._placed))
            self._batch = []
            self._provisional = None

    # -- reading -----------------------------------------------------------------------
    def positions(self) -> dict[str, Point]:
        """``{node id: (x, y)}`` for the map's nodes, in vis-network pixels."""
        every = self.every_position()
        return {n: every[n] for n in self._alive_now()}

    def every_position(self) -> dict[str, Point]:
        """Positions of every node the map ever had (the replay shows removed ones too)."""
        placed = dict(self._placed)
        if self._batch:
            placed.update(self._pending())
        placed.update(self._pinned_now())
        return placed

    def _pending(self) -> dict[str, Point]:
        """The last change, placed on copies: it may still grow."""
        if self._provisional is None or self._provisional[0] != len(self._batch):
            alive, links, pinned = dict(self._alive), Counter(self._links), dict(self._pinned)
            sizes = dict(self._sizes)
            new = _apply(self._batch, alive, links, pinned, sizes)
            self._provisional = (len(self._batch), self._place(new, self._placed, links, sizes))
        return self._provisional[1]

    def _alive_now(self) -> list[str]:
        if not self._batch:
            return list(self._alive)
        alive = dict(self._alive)
        _apply(self._batch, alive, Counter(), {}, {})
        return list(alive)

    def _pinned_now(self) -> dict[str, Point]:
        if not self._batch:
            return self._pinned
        pinned = dict(self._pinned)
        _apply(self._batch, {}, Counter(), pinned, {})
        return pinned

    # -- placing -----------------------------------------------------------------------
    def _place(
        self,
        new: list[str],
        placed: dict[str, Point],
        links: Counter[tuple[str, str]] | None = None,
        sizes: dict[str, Point] | None = None,
    ) -> dict[str, Point]:
        links = self._links if links is None else links
        sizes = self._sizes if sizes is None else sizes
        new = [n for n in new if n not in placed]
        ready = {n: self._future[n] for n in new if n in self._future}
        new = [n for n in new if n not in ready]
        if not new:
            return ready
        if ready:
            placed = {**placed, **ready}
        neighbours = _neighbours(links)
        if not placed or len(new) > BULK:
            return {**ready, **_bulk(new, neighbours, placed, sizes)}
        return {**ready, **_greedy(new, neighbours, placed, sizes)}


def _apply(
    batch: list[Op],
    alive: dict[str, None],
    links: Counter[tuple[str, str]],
    pinned: dict[str, Point],
    sizes: dict[str, Point],
) -> list[str]:
    """Apply one change's structure to the given tables; return the nodes it added."""
    added: list[str] = []
    for op in batch:
        name = op.get("op")
        if name in ("add_node", "update_node") and isinstance(op.get("label"), str):
            sizes[str(op.get("id"))] = _box(op["label"], op.get("kind"))
        if name == "add_node" and isinstance(op.get("id"), str) and op["id"] not in alive:
            alive[op["id"]] = None
            added.append(op["id"])
        elif name == "remove_node" and op.get("id") in alive:
            del alive[op["id"]]
        elif name in ("add_edge", "remove_edge"):
            u, v = op.get("source"), op.get("target")
            if isinstance(u, str) and isinstance(v, str) and u != v:
                pair = (u, v) if u < v else (v, u)
                links[pair] += 1 if name == "add_edge" else -1
                if links[pair] <= 0:
                    del links[pair]
        elif name == "place" and isinstance(op.get("positions"), dict):
            for node, xy in op["positions"].items():
                point = _point(xy)
                if point is not None:
                    pinned[node] = point
    return [n for n in added if n in alive]


def _box(label: str, kind: Any) -> Point:
    """Half the width and half the height of the box the page draws around ``label``."""
    font, wrap = _FONTS.get(kind, (14.0, 200.0))
    width = len(label) * font * _CHAR_EM
    lines = 1 + int(width // wrap)
    return (min(width, wrap) / 2 + 8, lines * font * _LINE_EM / 2 + 6)


def _point(xy: Any) -> Point | None:
    """``xy`` as a point, or None for anything else (a foreign value is ignored)."""
    return (float(xy[0]), float(xy[1])) if is_point(xy) else None


def _neighbours(links: Counter[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for u, v in links:
        found.setdefault(u, []).append(v)
        found.setdefault(v, []).append(u)
    return found


def _bulk(
    new: list[str],
    neighbours: dict[str, list[str]],
    placed: dict[str, Point],
    sizes: dict[str, Point],
) -> dict[str, Point]:
    """Lay the new nodes out together, to the right of what is already placed."""
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(new)
    wanted = set(new)
    graph.add_edges_from((u, v) for u in new for v in neighbours.get(u, ()) if v in wanted)
    laid = layout_positions(graph)
    if len(new) <= SPREAD_MAX:
        laid = _spread(laid, sizes)
    if not placed:
        return laid
    right = max(x for x, _ in placed.values()) + 2 * EDGE_PX
    top = min(y for _, y in placed.values())
    left = min(x for x, _ in laid.values())
    up = min(y for _, y in laid.values())
    return {n: (x - left + right, y - up + top) for n, (x, y) in laid.items()}


def _spread(laid: dict[str, Point], sizes: dict[str, Point]) -> dict[str, Point]:
    """Push apart the boxes a layout made overlap (it spaces points, not labels).

    Each round finds the overlapping pairs with a k-d tree and moves both nodes of a
    pair half the overlap apart, along the axis that needs the shorter move.
    """
    ids = list(laid)
    if len(ids) < 2:
        return laid
    default = _box("x" * 12, "concept")
    pos = np.array([laid[n] for n in ids], dtype=np.float64)
    half = np.array([sizes.get(n, default) for n in ids], dtype=np.float64) + _PAD / 2
    reach = 2 * float(np.sqrt((half * half).sum(axis=1)).max())
    for _ in range(_SPREAD_ROUNDS):
        pairs = cKDTree(pos).query_pairs(reach, output_type="ndarray")
        if not len(pairs):
            break
        i, j = pairs[:, 0], pairs[:, 1]
        gap = pos[j] - pos[i]
        overlap = half[i] + half[j] - np.abs(gap)
        hit = (overlap > 0).all(axis=1)
        if not hit.any():
            break
        i, j, gap, overlap = i[hit], j[hit], gap[hit], overlap[hit]
        axis = (overlap[:, 1] * 2 < overlap[:, 0]).astype(np.int64)  # moving up/down is cheaper
        rows = np.arange(len(i))
        sign = np.where(gap[rows, axis] >= 0, 1.0, -1.0)
        push = np.zeros_like(gap)
        push[rows, axis] = sign * (overlap[rows, axis] / 2 + 0.5)
        np.add.at(pos, i, -push)
        np.add.at(pos, j, push)
    return {n: (float(pos[k, 0]), float(pos[k, 1])) for k, n in enumerate(ids)}


def _greedy(
    new: list[str],
    neighbours: dict[str, list[str]],
    placed: dict[str, Point],
    sizes: dict[str, Point],
) -> dict[str, Point]:
    """Place the new nodes one by one next to their neighbours, then settle them."""
    default = _box("x" * 12, "concept")
    ids = list(placed)
    points = np.array([placed[n] for n in ids], dtype=np.float64).reshape(-1, 2)
    halves = np.array([sizes.get(n, default) for n in ids], dtype=np.float64).reshape(-1, 2)
    # only nodes near a candidate can be in its way: a k-d tree finds them
    tree = cKDTree(points)
    reach = _RINGS[-1] * EDGE_PX + 2 * float(halves.max(initial=default[0])) + _PAD
    home = points[0]  # the first node placed: the topic, as a rule
    done: dict[str, Point] = {}
    done_points: list[np.ndarray] = []
    done_halves: list[np.ndarray] = []
    todo = list(new)
    while todo:
        # a node with a neighbour already down goes first, so chains grow outward
        pick = next(
            (n for n in todo if any(v in placed or v in done for v in neighbours.get(n, ()))),
            todo[0],
        )
        todo.remove(pick)
        anchors = [
            placed.get(v) or done[v] for v in neighbours.get(pick, ()) if v in placed or v in done
        ]
        centre = np.mean(np.array(anchors), axis=0) if anchors else home
        rings = _RINGS if anchors else tuple(r + 1.5 for r in _RINGS)
        near = sorted(tree.query_ball_point(centre, reach + 1.5 * EDGE_PX))
        near_points = np.vstack([points[near].reshape(-1, 2), *done_points])
        near_halves = np.vstack([halves[near].reshape(-1, 2), *done_halves])
        half = np.array(sizes.get(pick, default), dtype=np.float64)
        spot = _free_spot(centre, rings, near_points, near_halves, half)
        done[pick] = (float(spot[0]), float(spot[1]))
        done_points.append(spot.reshape(1, 2))
        done_halves.append(half.reshape(1, 2))
    settled = _settle(done, neighbours, placed, sizes, default, tree, reach)
    return _unoverlap(settled, placed, sizes, default)


def _unoverlap(
    done: dict[str, Point], placed: dict[str, Point], sizes: dict[str, Point], default: Point
) -> dict[str, Point]:
    """Move any new node whose box still overlaps another to the nearest free spot."""
    result = dict(done)
    everything = {**placed, **result}
    ids = list(everything)
    points = np.array([everything[n] for n in ids], dtype=np.float64)
    halves = np.array([sizes.get(n, default) for n in ids], dtype=np.float64)
    row = {n: i for i, n in enumerate(ids)}
    for node in done:
        i = row[node]
        others = np.ones(len(ids), dtype=bool)
        others[i] = False
        here = points[i : i + 1]
        if _clearance(here, points[others], halves[others], halves[i])[0] >= 0:
            continue
        spot = _free_spot(points[i], _NEAR_RINGS, points[others], halves[others], halves[i])
        points[i] = spot
        result[node] = (float(spot[0]), float(spot[1]))
    return result


def _clearance(
    candidates: np.ndarray, points: np.ndarray, halves: np.ndarray, half: np.ndarray
) -> np.ndarray:
    """For each candidate, the clear space between its box and the nearest other box."""
    gap = np.abs(candidates[:, None, :] - points[None, :, :]) - (halves[None, :, :] + half)
    return np.asarray(gap.max(axis=2).min(axis=1))


def _free_spot(
    centre: np.ndarray,
    rings: tuple[float, ...],
    points: np.ndarray,
    halves: np.ndarray,
    half: np.ndarray,
) -> np.ndarray:
    """The first candidate around ``centre`` that keeps its distance, else the roomiest."""
    best, best_room = centre, -np.inf
    for ring in rings:
        candidates = centre + _DIRS * (ring * EDGE_PX)
        room = _clearance(candidates, points, halves, half)
        i = int(np.argmax(room))
        if room[i] >= _PAD:
            return np.asarray(candidates[i])
        if room[i] > best_room:
            best, best_room = candidates[i], float(room[i])
    return np.asarray(best)


def _settle(
    done: dict[str, Point],
    neighbours: dict[str, list[str]],
    placed: dict[str, Point],
    sizes: dict[str, Point],
    default: Point,
    tree: cKDTree,
    reach: float,
) -> dict[str, Point]:
    """A few rounds of springs and box repulsion that move only the new nodes.

    Every round moves all the new nodes at once (whole-array numpy: a change has at
    most ``BULK`` of them), so a 100-node session replays in a few milliseconds a change.
    """
    movers = list(done)
    index = {n: i for i, n in enumerate(movers)}
    pos = np.array([done[n] for n in movers], dtype=np.float64)
    # the placed nodes that can be reached: near where the new nodes start
    ids = list(placed)
    found = tree.query_ball_point(pos, reach, return_sorted=False)
    near = np.unique(np.concatenate([np.asarray(f, dtype=np.int64) for f in found]))
    fixed = np.array([placed[ids[i]] for i in near], dtype=np.float64).reshape(-1, 2)
    fixed_half = np.array([sizes.get(ids[i], default) for i in near], dtype=np.float64)
    halves = np.array([sizes.get(n, default) for n in movers], dtype=np.float64)
    all_half = np.vstack([fixed_half.reshape(-1, 2), halves])
    springs = _springs(movers, index, neighbours, placed)
    rows = np.arange(len(movers))
    for round_ in range(_SETTLE_ROUNDS):
        step = EDGE_PX * 0.1 * (1 - round_ / _SETTLE_ROUNDS)
        others = np.vstack([fixed, pos])
        diff = pos[:, None, :] - others[None, :, :]
        # how far each pair of boxes (plus padding) overlaps along each axis
        overlap = all_half[None, :, :] + halves[:, None, :] + _PAD - np.abs(diff)
        overlap[rows, len(fixed) + rows] = 0.0  # not itself
        hit = (overlap > 0).all(axis=2)
        # push out along the axis that needs the shorter move
        vertical = overlap[:, :, 1] < overlap[:, :, 0]
        sign = np.where(diff >= 0, 1.0, -1.0) * overlap
        force = np.stack(
            [
                np.where(hit & ~vertical, sign[:, :, 0], 0.0).sum(axis=1),
                np.where(hit & vertical, sign[:, :, 1], 0.0).sum(axis=1),
            ],
            axis=1,
        )
        force += springs.pull(pos)
        norm = np.sqrt((force * force).sum(axis=1))
        move = np.minimum(norm, step)
        if float(move.max(initial=0.0)) < _STILL_PX:
            break  # settled: what further rounds would move could not be seen
        pos += force * (move / np.maximum(norm, 1e-9))[:, None]
    return {n: (float(pos[i, 0]), float(pos[i, 1])) for i, n in enumerate(movers)}


class _Springs:
    """The links of the moving nodes, as arrays: each pulls toward ``EDGE_PX`` apart."""

    def __init__(self, src: list[int], mover: list[int], point: list[Point]) -> None:
        self.src = np.array(src, dtype=np.int64)
        self.mover = np.array(mover, dtype=np.int64)  # the other end, if it moves too
        self.point = np.array(point, dtype=np.float64).reshape(-1, 2)  # else where it is

    def pull(self, pos: np.ndarray) -> np.ndarray:
        force = np.zeros_like(pos)
        if not len(self.src):
            return force
        target = np.where((self.mover >= 0)[:, None], pos[self.mover], self.point)
        delta = target - pos[self.src]
        length = np.sqrt((delta * delta).sum(axis=1))
        scale = np.where(length > 0, 0.3 * (length - EDGE_PX) / np.maximum(length, 1e-12), 0.0)
        np.add.at(force, self.src, delta * scale[:, None])
        return force


def _springs(
    movers: list[str],
    index: dict[str, int],
    neighbours: dict[str, list[str]],
    placed: dict[str, Point],
) -> _Springs:
    ends: list[tuple[int, int, Point]] = []  # (mover, other mover or -1, other's point)
    for i, node in enumerate(movers):
        for v in neighbours.get(node, ()):
            if v in index:
                ends.append((i, index[v], (0.0, 0.0)))
            elif v in placed:
                ends.append((i, -1, placed[v]))
    return _Springs([e[0] for e in ends], [e[1] for e in ends], [e[2] for e in ends])
