"""Positions for vis-network: complete, deterministic, readable, and fast enough to test."""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pytest

from conceptmap.drawing.layout import EDGE_PX, layout_positions

Positions = Mapping[Any, tuple[float, float]]


def clustered_map(n_nodes: int, n_edges: int, seed: int = 7) -> nx.MultiDiGraph[str]:
    """A concept-map-like graph: a tree of communities under a topic, each community a
    tree of concepts plus extra links inside it, a few links to the parent or a sibling
    community, very few anywhere; some links also run backwards (parallel edges)."""
    rng = random.Random(seed)
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node("topic", kind="topic", label="Topic")
    communities: list[list[str]] = []
    while g.number_of_nodes() < n_nodes:
        members: list[str] = []
        for _ in range(min(rng.randint(10, 100), n_nodes - g.number_of_nodes())):
            node = f"c{g.number_of_nodes()}"
            g.add_node(node, kind="concept", label=node.upper())
            if members:  # early members get more children: hubs, as in real maps
                g.add_edge(members[int(len(members) * rng.random() ** 2)], node)
            members.append(node)
        anchor = rng.choice(rng.choice(communities)) if communities else "topic"
        g.add_edge(anchor, members[0], relation="part_of")
        communities.append(members)
    pairs = {frozenset(e) for e in g.edges()}
    while len(pairs) < n_edges:
        here, other = rng.choice(communities), rng.choice(communities)
        u, v = rng.choice(here), rng.choice(here if rng.random() < 0.9 else other)
        if u != v and frozenset((u, v)) not in pairs:
            pairs.add(frozenset((u, v)))
            g.add_edge(u, v, relation="depends_on")
            if rng.random() < 0.05:
                g.add_edge(v, u, relation="contradicts")
    return g


def with_components() -> nx.MultiDiGraph[str]:
    """A clustered component, three trees, a linked pair, isolated nodes, a self-loop."""
    g = clustered_map(120, 240, seed=3)
    for t in range(3):
        tree = nx.random_labeled_tree(6 + 8 * t, seed=t)
        g.add_edges_from((f"t{t}.{u}", f"t{t}.{v}") for u, v in tree.edges())
    g.add_edge("pair.a", "pair.b")
    g.add_edge("pair.b", "pair.a")
    g.add_nodes_from(f"alone{i}" for i in range(7))
    g.add_edge("alone3", "alone3")
    return g


def coords(pos: Positions, nodes: list[Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array([pos[v] for v in nodes], dtype=np.float64)


def edge_lengths(g: nx.Graph[Any], pos: Positions) -> list[float]:
    return [math.dist(pos[u], pos[v]) for u, v in g.edges() if u != v]


def min_distance(pos: Positions) -> float:
    xy = coords(pos, list(pos))
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(d, np.inf)
    return float(d.min())


@pytest.fixture(scope="module")
def big() -> tuple[nx.MultiDiGraph[str], Positions]:
    """~1,000 nodes: large enough for the sparse (PivotMDS + sparse stress) path."""
    g = clustered_map(1000, 2000)
    return g, layout_positions(g)


# -- edge cases ---------------------------------------------------------------------------
def test_empty_graph_has_no_positions() -> None:
    assert layout_positions(nx.MultiDiGraph()) == {}


@pytest.mark.parametrize("loop", [False, True])
def test_a_single_node_sits_at_the_origin(loop: bool) -> None:
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node("only")
    if loop:
        g.add_edge("only", "only")
    assert layout_positions(g) == {"only": (0.0, 0.0)}


def test_self_loops_are_ignored() -> None:
    g = clustered_map(60, 90)
    looped = copy.deepcopy(g)
    looped.add_edges_from((v, v) for v in list(g)[::5])
    assert layout_positions(looped) == layout_positions(g)


@pytest.mark.parametrize("size", [40, 400])  # all-pairs and sparse paths
@pytest.mark.slow  # lays out maps of hundreds of nodes
def test_direction_and_parallel_links_count_as_one_undirected_link(size: int) -> None:
    multi = clustered_map(size, 2 * size)
    simple: nx.Graph[str] = nx.Graph()
    simple.add_nodes_from(multi)
    simple.add_edges_from(multi.edges())
    assert multi.number_of_edges() > simple.number_of_edges()
    assert layout_positions(multi) == layout_positions(simple)


def test_two_linked_nodes_are_one_edge_length_apart() -> None:
    pos = layout_positions(nx.MultiDiGraph([("a", "b"), ("b", "a"), ("a", "b")]))
    assert math.dist(pos["a"], pos["b"]) == pytest.approx(EDGE_PX)


# -- completeness, determinism, no mutation -----------------------------------------------
def test_every_node_gets_finite_coordinates_in_node_order() -> None:
    g = with_components()
    pos = layout_positions(g)
    assert list(pos) == list(g)
    assert all(isinstance(c, float) and math.isfinite(c) for xy in pos.values() for c in xy)


@pytest.mark.slow  # lays out 1,000-node maps
def test_same_graph_same_floats(big: tuple[nx.MultiDiGraph[str], Positions]) -> None:
    g, pos = big
    assert layout_positions(g) == pos
    assert layout_positions(clustered_map(1000, 2000)) == pos  # built again from scratch
    small = with_components()
    assert layout_positions(small) == layout_positions(with_components())


def test_the_seed_moves_nodes_a_little() -> None:
    g = clustered_map(80, 160)
    a, b = layout_positions(g, seed=0), layout_positions(g, seed=1)
    assert a != b
    assert a == layout_positions(g, seed=0)


def test_the_input_graph_is_not_modified() -> None:
    g = with_components()
    g.graph["topic"] = "Topic"
    before = (
        list(g.nodes(data=True)),
        list(g.edges(keys=True, data=True)),
        dict(g.graph),
    )
    snapshot = copy.deepcopy(before)
    layout_positions(g)
    after = (list(g.nodes(data=True)), list(g.edges(keys=True, data=True)), dict(g.graph))
    assert after == snapshot


# -- geometry -------------------------------------------------------------------------------
def test_components_get_disjoint_bounding_boxes() -> None:
    g = with_components()
    pos = layout_positions(g)
    boxes = []
    for members in nx.connected_components(nx.Graph(g)):
        xy = coords(pos, list(members))
        boxes.append((xy.min(axis=0), xy.max(axis=0)))
    assert len(boxes) == 1 + 3 + 1 + 7
    for i, (lo1, hi1) in enumerate(boxes):
        for lo2, hi2 in boxes[i + 1 :]:
            apart_x = hi1[0] < lo2[0] or hi2[0] < lo1[0]
            apart_y = hi1[1] < lo2[1] or hi2[1] < lo1[1]
            assert apart_x or apart_y, (lo1, hi1, lo2, hi2)


def test_every_component_is_drawn_at_the_same_scale() -> None:
    # the small ones are computed together, padded to one size: padding must not show
    g = with_components()
    pos = layout_positions(g)
    for members in nx.connected_components(nx.Graph(g)):
        if len(members) > 2:
            part = g.subgraph(members)
            assert 100 <= float(np.median(edge_lengths(part, pos))) <= 200
            assert min_distance({v: pos[v] for v in members}) > 25


def test_linked_nodes_are_close_on_a_clustered_map(
    big: tuple[nx.MultiDiGraph[str], Positions],
) -> None:
    g, pos = big
    nodes = list(g)
    rng = random.Random(1)
    pairs = [rng.sample(nodes, 2) for _ in range(5000)]
    random_median = float(np.median([math.dist(pos[u], pos[v]) for u, v in pairs]))
    edge_median = float(np.median(edge_lengths(g, pos)))
    assert edge_median / random_median < 0.5
    assert 100 <= edge_median <= 200


SMALL: dict[str, Callable[[], nx.Graph[Any]]] = {
    "path": lambda: nx.path_graph(6),
    "star": lambda: nx.star_graph(12),
    "complete": lambda: nx.complete_graph(7),
    "grid": lambda: nx.grid_2d_graph(6, 6),
    "tree": lambda: nx.random_labeled_tree(60, seed=4),
    "karate": nx.karate_club_graph,
    "map 40": lambda: clustered_map(40, 60),
    "map 300": lambda: clustered_map(300, 600),
}


@pytest.mark.parametrize("name", SMALL)
@pytest.mark.slow  # lays out maps of hundreds of nodes
def test_small_graphs_are_spread_out_with_readable_links(name: str) -> None:
    g = SMALL[name]()
    pos = layout_positions(g)
    assert min_distance(pos) > 25  # no two nodes on (or nearly on) one point
    assert 100 <= float(np.median(edge_lengths(g, pos))) <= 200


def stress(g: nx.Graph[Any], pos: Positions) -> float:
    """Mean squared relative error of drawn vs graph distances, at the best scale."""
    nodes = list(g)
    graph_d = nx.floyd_warshall_numpy(nx.Graph(g), nodelist=nodes, weight=None)
    xy = coords(pos, nodes)
    drawn = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    upper = np.triu_indices(len(nodes), 1)
    d, x = graph_d[upper], drawn[upper]
    w = 1 / d**2
    scale = (w * x * d).sum() / (w * x * x).sum()
    return float((w * (scale * x - d) ** 2).sum() / len(d))


@pytest.mark.parametrize("name", ["tree", "karate", "map 40"])
@pytest.mark.slow  # runs networkx's Kamada-Kawai to compare
def test_small_graphs_are_as_good_as_kamada_kawai(name: str) -> None:
    # Kamada-Kawai minimises this stress too (slowly, with scipy.optimize): match it
    g = SMALL[name]()
    kk = nx.kamada_kawai_layout(g, weight=None)
    reference = stress(g, {v: (float(x), float(y)) for v, (x, y) in kk.items()})
    assert stress(g, layout_positions(g)) < 1.1 * reference


def test_a_path_is_drawn_straight() -> None:
    pos: Positions = layout_positions(nx.path_graph(8))
    assert math.dist(pos[0], pos[7]) > 0.95 * 7 * EDGE_PX


def test_a_cycle_is_drawn_round() -> None:
    pos: Positions = layout_positions(nx.cycle_graph(12))
    xy = coords(pos, list(range(12)))
    radii = np.sqrt(((xy - xy.mean(axis=0)) ** 2).sum(axis=1))
    assert radii.std() < 0.05 * radii.mean()


@pytest.mark.parametrize("size", [80, 600])
def test_a_layout_lies_along_the_screen(size: int) -> None:
    pos = layout_positions(nx.random_labeled_tree(size, seed=2))
    xy = coords(pos, list(pos))
    (var_x, cov), (_, var_y) = np.cov(xy.T)
    assert var_x >= var_y  # its long axis is horizontal ...
    assert abs(cov) < 0.05 * var_x  # ... not slanted
