"""What one %%conceptmap cell costs in the kernel, and what placing new nodes costs.

1. A cell adding 5 lines to a file-backed map: parse, plan, append under the lock,
   positions, and the whole display bundle (page, SVG, text, JSON), as the magic
   does it. Timed at 50 and 200 nodes (the median of 15 cells, each adding 5 new
   lines). Targets: <= 150 ms at 200 nodes, and at most 2x the cost at 50 nodes.
2. Placing 5 new nodes into a 1000-node map (positions already known) against a
   full layout of the same map. Target: <= 1/10.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import conceptmap as cm
from conceptmap.drawing.layout import layout_positions
from conceptmap.drawing.placement import Placer

CELLS = 15
MAX_CELL_200 = 0.150
MAX_GROWTH = 2.0
MAX_PLACE_SHARE = 0.1
KINDS = ["concept", "obstacle", "proposal", "question", "shortcoming", "requirement"]


def grown(path: Path, n: int, rng: random.Random) -> cm.ConceptMap:
    """A map file of ``n`` nodes, typed in cells of 5 lines like a session."""
    m = cm.ConceptMap.create(path, "Bench session", author="scribe")
    while len(m) < n:
        m.apply(cell(len(m), rng))
    return m


def cell(start: int, rng: random.Random) -> str:
    """Five lines: new nodes, each linked to an earlier one."""
    lines = []
    for i in range(start, start + 5):
        earlier = f"Item {rng.randrange(max(i - 1, 1))}" if i > 1 else "Bench session"
        lines.append(f"{rng.choice(KINDS)}: Item {i} -relates_to-> {earlier}")
    return "\n".join(lines)


def cell_time(n: int) -> float:
    """The median cost of a 5-line cell on a map of about ``n`` nodes."""
    rng = random.Random(n)
    with tempfile.TemporaryDirectory() as folder:
        m = grown(Path(folder) / "map.jsonl", n, rng)
        m._repr_mimebundle_()  # the first display warms the page template and assets
        times = []
        for _ in range(CELLS):
            text = cell(len(m), rng)
            start = time.perf_counter()
            change = m.apply(text)
            m.positions()
            bundle = m._repr_mimebundle_()
            times.append(time.perf_counter() - start)
            assert change.ops
            assert "text/html" in bundle
    return statistics.median(times)


def placement_share() -> tuple[float, float]:
    """Seconds to place 5 new nodes into a 1000-node map, and to lay all of it out."""
    rng = random.Random(1)
    m = cm.ConceptMap("Bench", author="a")
    while len(m) < 1000:
        m.apply(cell(len(m), rng))
    history = list(m.history)
    placer = Placer()
    placer.feed(history)
    placer.positions()
    m.apply(cell(len(m), rng))
    new = m.history[len(history) :]
    start = time.perf_counter()
    placer.feed(new)
    placer.positions()
    incremental = time.perf_counter() - start
    start = time.perf_counter()
    layout_positions(m.graph)
    full = time.perf_counter() - start
    return incremental, full


def main() -> bool:
    small, big = cell_time(50), cell_time(200)
    growth = big / small
    ok_cell = big <= MAX_CELL_200 and growth <= MAX_GROWTH
    print(
        f"one 5-line cell, end to end: 50 nodes {small * 1000:.0f} ms, 200 nodes "
        f"{big * 1000:.0f} ms (target <= {MAX_CELL_200 * 1000:.0f} ms), growth {growth:.2f}x "
        f"(target <= {MAX_GROWTH:g}x) {'OK' if ok_cell else 'MISSED'}"
    )
    incremental, full = placement_share()
    share = incremental / full
    ok_place = share <= MAX_PLACE_SHARE
    print(
        f"placing 5 new nodes in a 1000-node map: {incremental * 1000:.1f} ms, full layout "
        f"{full * 1000:.0f} ms, share {share:.3f} (target <= {MAX_PLACE_SHARE:g}) "
        f"{'OK' if ok_place else 'MISSED'}"
    )
    return ok_cell and ok_place


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
