"""The static SVG of a 1,000-node map takes at most 0.5 s, layout included.

The map is ``bench_rfc.build(1000)`` (seeded: 1,000 nodes of every kind, about 3,000
links). Timed: ``svg_data(m)`` as the notebook display and ``write_svg`` call it, which
lays the map out first (the HTML page's layout), and, for context, ``svg_data(m,
positions)`` with the positions computed beforehand. Each is the fastest of several
runs, every run preceded by ``gc.collect()``.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable

from bench_rfc import build

from conceptmap.drawing.html import _positions
from conceptmap.drawing.svg import svg_data

TARGET = 0.5
ROUNDS = 7


def timed(call: Callable[[], str], rounds: int = ROUNDS) -> tuple[float, str]:
    """The fastest of ``rounds`` runs, and what the last one returned."""
    times = []
    text = ""
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        text = call()
        times.append(time.perf_counter() - start)
    return min(times), text


def main() -> bool:
    m = build(1_000)
    svg_data(build(50))  # imports and caches warm
    whole, text = timed(lambda: svg_data(m))
    positions = _positions(m, None)
    drawing, _ = timed(lambda: svg_data(m, positions))
    ok = whole <= TARGET
    width, height = (text.split(f'{name}="', 2)[1].split('"', 1)[0] for name in ("width", "height"))
    print(f"svg 1,000 nodes, {m.graph.number_of_edges():,} links: {whole:.3f} s with layout "
          f"(target <= {TARGET:g} s) {'OK' if ok else 'MISSED'}; {drawing:.3f} s from given "
          f"positions; {len(text.encode()) / 1e3:.0f} KB, {width} x {height} px")  # fmt: skip
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
