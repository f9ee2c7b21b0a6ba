"""RFC generation grows linearly: a 10,000-node map costs at most 12x a 1,000-node one.

Both maps have the same shape (the same mix of kinds and relations per node), built
with seeded randomness, and are timed in the same run (the fastest of several runs:
the 1,000-node draft takes ~40 ms, where a shared machine's noise is large).
"""

from __future__ import annotations

import gc
import random
import sys
import time

import networkx as nx

import conceptmap as cm

TARGET = 12.0
ROUNDS = 5
KIND_MIX = ["concept"] * 5 + ["obstacle"] * 2 + ["requirement", "proposal", "shortcoming",
            "question", "action", "related", "reference", "decision"]  # fmt: skip
RELATION_FOR = {
    "proposal": "addresses", "shortcoming": "drawback_of", "decision": "chooses",
    "action": "answers", "reference": "relates_to", "concept": "part_of",
}  # fmt: skip


def build(n: int, seed: int = 7) -> cm.ConceptMap:
    """A map of ``n`` nodes and about 3n links, the same shape at every size."""
    rng = random.Random(seed)
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph(topic="Bench")
    g.add_node("topic", label="Bench", kind="topic")
    kinds = {}
    for i in range(n - 1):
        kinds[f"n{i}"] = rng.choice(KIND_MIX)
        g.add_node(f"n{i}", label=f"Node {i} {rng.choice(['alpha', 'beta', 'gamma'])}",
                   kind=kinds[f"n{i}"], notes="Some notes about it.")  # fmt: skip
    ids = list(kinds)
    for _ in range(3 * n):
        u, v = rng.choice(ids), rng.choice(ids)
        if u != v:
            g.add_edge(u, v, relation=RELATION_FOR.get(kinds[u], "relates_to"))
    return cm.ConceptMap.from_graph(g, author="bench")


def timed(m: cm.ConceptMap, style: str, rounds: int) -> float:
    """The fastest of ``rounds`` runs: on a shared machine, the least disturbed one."""
    times = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        m.rfc(style)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> bool:
    small, big = build(1_000), build(10_000)
    ok = True
    for style in ("ipip", "rust", "ietf", "adr"):
        t1, t10 = timed(small, style, 5 * ROUNDS), timed(big, style, ROUNDS)
        ratio = t10 / t1
        ok &= ratio <= TARGET
        verdict = "OK" if ratio <= TARGET else "MISSED"
        print(f"rfc {style}: 1,000 nodes {t1:.3f} s, 10,000 nodes {t10:.3f} s, "
              f"ratio {ratio:.1f} (target <= {TARGET:g}) {verdict}")  # fmt: skip
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
