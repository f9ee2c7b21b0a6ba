"""Benchmark of ``conceptmap.drawing.layout``: speed against networkx, and whether links stay short.

Run through ``benchmarks/run.py`` (``make bench``) or alone:
``.venv/bin/python benchmarks/bench_layout.py``. ``main()`` returns True when every target
is met.

On a seeded, concept-map-like graph of 5,000 nodes and 15,000 links (a tree of
communities under a topic; inside each, a tree of concepts plus extra links; a few links
to the parent or a sibling community, very few anywhere; some links in both directions):

1. speed: ``networkx.spring_layout(G, seed=...)`` once (it takes ~50 s) against
   ``layout_positions(G)`` (median of 3). Target: spring / ours >= 20.
2. quality: median link length / median distance between random node pairs, on our
   layout. Target: < 0.5 (a layout that ignored the links would give ~1).

For context it also prints spring_layout's quality ratio and our time at 300 and 1,000
nodes (three times as many links as nodes, like the big graph).
"""

from __future__ import annotations

import functools
import gc
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import networkx as nx

from conceptmap.drawing.layout import layout_positions

SEED = 20261124
N_NODES = 5_000
N_EDGES = 15_000
ROUNDS = 3
SPEED_TARGET = 20.0
QUALITY_TARGET = 0.5
RANDOM_PAIRS = 20_000
SMALL_SIZES = (300, 1_000)


def concept_map_graph(n_nodes: int, n_edges: int, seed: int = SEED) -> nx.MultiDiGraph[str]:
    """A seeded concept-map-like graph of ``n_nodes`` nodes and ``n_edges`` linked pairs."""
    rng = random.Random(seed)
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node("topic", kind="topic", label="Topic")
    communities: list[list[str]] = []
    parent: list[int] = []  # each community's parent community, -1 for the topic
    while g.number_of_nodes() < n_nodes:
        members: list[str] = []
        for _ in range(min(rng.randint(10, 100), n_nodes - g.number_of_nodes())):
            node = f"concept-{g.number_of_nodes()}"
            g.add_node(node, kind="concept", label=f"Concept {g.number_of_nodes()}")
            if members:  # early members get more children: hubs, as in real maps
                g.add_edge(members[int(len(members) * rng.random() ** 2)], node)
            members.append(node)
        up = rng.randrange(len(communities)) if communities and rng.random() < 0.9 else -1
        g.add_edge(rng.choice(communities[up]) if up >= 0 else "topic", members[0])
        communities.append(members)
        parent.append(up)
    _add_links(g, rng, communities, parent, n_edges)
    return g


def _add_links(
    g: nx.MultiDiGraph[str],
    rng: random.Random,
    communities: list[list[str]],
    parent: list[int],
    n_edges: int,
) -> None:
    children: dict[int, list[int]] = {}
    for c, p in enumerate(parent):
        children.setdefault(p, []).append(c)
    nodes = list(g)
    pairs = {frozenset(e) for e in g.edges()}
    while len(pairs) < n_edges:
        c, r = rng.randrange(len(communities)), rng.random()
        if r < 0.02:  # anywhere
            u, v = rng.sample(nodes, 2)
        elif r < 0.12 and parent[c] >= 0:  # to the parent community
            u, v = rng.choice(communities[c]), rng.choice(communities[parent[c]])
        elif r < 0.16 and parent[c] >= 0:  # to a sibling community
            sibling = rng.choice(children[parent[c]])
            u, v = rng.choice(communities[c]), rng.choice(communities[sibling])
        else:  # inside the community
            u, v = rng.choice(communities[c]), rng.choice(communities[c])
        if u != v and frozenset((u, v)) not in pairs:
            pairs.add(frozenset((u, v)))
            g.add_edge(u, v, relation="depends_on")
            if rng.random() < 0.05:
                g.add_edge(v, u, relation="contradicts")


def quality_ratio(g: nx.Graph[Any], pos: Mapping[Any, Any]) -> float:
    """Median link length / median distance between seeded random pairs of nodes."""
    links = {frozenset(e) for e in g.edges() if e[0] != e[1]}
    edge = statistics.median(math.dist(pos[u], pos[v]) for u, v in map(tuple, links))
    rng = random.Random(SEED)
    nodes = list(g)
    pairs = (rng.sample(nodes, 2) for _ in range(RANDOM_PAIRS))
    return edge / statistics.median(math.dist(pos[u], pos[v]) for u, v in pairs)


def _timed(fn: Callable[[], object]) -> tuple[float, Any]:
    gc.collect()
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def _verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def main() -> bool:
    t_build, g = _timed(lambda: concept_map_graph(N_NODES, N_EDGES))
    links = nx.Graph(g).number_of_edges()
    print(
        f"built a concept-map-like graph: {g.number_of_nodes()} nodes, {links} linked pairs "
        f"({g.number_of_edges()} edges) in {t_build:.1f} s"
    )
    t_spring, spring = _timed(lambda: nx.spring_layout(g, seed=SEED))
    ours_times: list[float] = []
    for _ in range(ROUNDS):
        t, pos = _timed(lambda: layout_positions(g))
        ours_times.append(t)
    t_ours = statistics.median(ours_times)
    speedup = t_spring / t_ours
    quality = quality_ratio(g, pos)
    fast, good = speedup >= SPEED_TARGET, quality < QUALITY_TARGET
    print(
        f"layout {N_NODES // 1000}k/{N_EDGES // 1000}k: networkx.spring_layout {t_spring:.1f} s "
        f"(once), layout_positions {t_ours:.3f} s (median of {ROUNDS}), "
        f"speed-up {speedup:.0f}x (target >= {SPEED_TARGET:.0f}) {_verdict(fast)}"
    )
    print(
        f"  quality (median link / median random pair): ours {quality:.3f} "
        f"(target < {QUALITY_TARGET}) {_verdict(good)}, spring_layout "
        f"{quality_ratio(g, spring):.3f}"
    )
    print(f"  layout_positions runs: {' '.join(f'{t:.3f}' for t in ours_times)}")
    for n in SMALL_SIZES:
        small = concept_map_graph(n, 3 * n)
        times = [_timed(functools.partial(layout_positions, small))[0] for _ in range(ROUNDS)]
        print(
            f"  {n} nodes / {3 * n} links: {statistics.median(times):.3f} s "
            f"(median of {ROUNDS}), quality {quality_ratio(small, layout_positions(small)):.3f}"
        )
    return fast and good


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
