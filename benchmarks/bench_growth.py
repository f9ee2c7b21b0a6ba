"""check() and the adr draft grow linearly with the map, up to 50,000 nodes.

check() runs in every session notebook and the adr draft makes one record per
decision, so both once grew faster than the map: check() was quadratic in the
number of proposals (87 s at 50k nodes), the adr draft had a slope of 1.68 above
20k. Here each is timed at 5k, 10k, 20k and 50k nodes of the same shape (the
fastest of a few runs), and the growth slope is the least-squares slope of
log(time) against log(nodes): 1 is linear, 2 quadratic.

Targets: check() at 50k nodes in <= 2 s; both slopes <= 1.25.
"""

from __future__ import annotations

import gc
import math
import sys
import time
from collections.abc import Callable
from functools import partial

from bench_rfc import build

import conceptmap as cm

SIZES = (5_000, 10_000, 20_000, 50_000)
MAX_CHECK_50K = 2.0
MAX_SLOPE = 1.25


def fastest(run: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def slope(sizes: tuple[int, ...], times: list[float]) -> float:
    """The least-squares slope of log(time) against log(size)."""
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in times]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main() -> bool:
    maps: dict[int, cm.ConceptMap] = {n: build(n) for n in SIZES}
    ok = True
    for name, run in (
        ("check()", lambda m: m.check()),
        ("rfc adr", lambda m: m.rfc("adr")),
    ):
        times = [fastest(partial(run, maps[n]), 3 if n < 50_000 else 2) for n in SIZES]
        s = slope(SIZES, times)
        cells = ", ".join(f"{n // 1000}k {t:.2f} s" for n, t in zip(SIZES, times, strict=True))
        good = s <= MAX_SLOPE and (name != "check()" or times[-1] <= MAX_CHECK_50K)
        ok &= good
        print(
            f"{name}: {cells}; slope {s:.2f} (target <= {MAX_SLOPE:g}"
            + (f", 50k <= {MAX_CHECK_50K:g} s" if name == "check()" else "")
            + f") {'OK' if good else 'MISSED'}"
        )
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
