"""Benchmarks of the map file: loading a large log, and appending to a small and a large map.

Run through ``benchmarks/run.py`` (``make bench``) or alone:
``.venv/bin/python benchmarks/bench_store.py``. ``main()`` returns True when every target
ratio is met.

1. load: ``ConceptMap.load`` of a 10,000-node / 30,000-edge log against the floor of any
   JSONL reader, ``[json.loads(line) for line in file]``. Target: load / json <= 3.0.
2. append: one ``m.concept(...)`` (lock, stat, plan, append, fsync, apply) on a 10-node map
   and on a 10,000-node / 30,000-edge map, both files in one directory. Target:
   big / small <= 2.0 (an append must not cost more because the map is big).
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from conceptmap import KINDS, RELATIONS, ConceptMap
from conceptmap.core.schema import label_key, slugify

SEED = 20261124
N_NODES = 10_000
N_EDGES = 30_000
TOPIC = "Locking the IPFS repo for concurrent access"
AUTHORS = ("alice", "bob", "carol", "dave")

LOAD_ROUNDS = 7
LOAD_TARGET = 3.0
APPEND_ROUNDS = 10
APPENDS_PER_ROUND = 20  # per map and round: 200 appends per map in all
APPEND_TARGET = 2.0

_WORDS_TEXT = (
    "lock repo datastore blockstore tab worker browser safari chrome firefox web api "
    "mutex lease timeout heartbeat crash recovery journal log append fsync rename atomic "
    "write read cache index shard bucket peer node dht routing record provider query "
    "graphsync selector block cid multihash codec dag protobuf cbor json car file path "
    "gateway pin unpin garbage collection quota size limit stream backpressure message "
    "session want have bitswap ledger credit debt strategy priority queue scheduler "
    "retry backoff jitter latency bandwidth round trip window batch flush sync async "
    "promise callback event emitter listener handle resource leak memory disk storage "
    "indexeddb localstorage level leveldb badger flatfs s3 keystore key private public "
    "encryption signature identity libp2p transport tcp quic websocket webrtc relay nat "
    "hole punching dial listen address multiaddr protocol negotiation version upgrade "
    "migration schema config option default flag experiment release test benchmark ci"
)
WORDS = _WORDS_TEXT.split()
SENTENCE_TAILS = (
    "Raised by {a} during the discussion.",
    "See the notes from the last session.",
    "Needs a prototype before we decide.",
    "Only matters when two tabs are open at once.",
    "Measured on a cold cache; numbers are rough.",
    "Open: who owns this after the release?",
)


# -- building the map file ---------------------------------------------------------------
def _label(rng: random.Random, taken: set[str]) -> str:
    """A label of 10-60 characters, unique by label key."""
    while True:
        target = rng.randint(10, 60)
        words: list[str] = []
        while len(" ".join(words)) < target:
            words.append(rng.choice(WORDS))
        text = " ".join(words)
        if len(text) > 60:
            text = text[:60].rstrip()
        if len(text) < 10:
            continue
        text = text[0].upper() + text[1:]
        key = label_key(text)
        if key not in taken:
            taken.add(key)
            return text


def _notes(rng: random.Random) -> str:
    first = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 20))).capitalize() + "."
    tail = rng.choice(SENTENCE_TAILS).format(a=rng.choice(AUTHORS))
    return f"{first}\n{tail}" if rng.random() < 0.5 else f"{first} {tail}"


def write_big_map(path: Path, n_nodes: int = N_NODES, n_edges: int = N_EDGES) -> None:
    """Write a realistic map log (topic + ``n_nodes`` nodes + ``n_edges`` edges), seeded."""
    rng = random.Random(SEED)
    start = datetime(2026, 11, 24, 5, 0, 0, tzinfo=UTC)
    clock = [start]

    def at() -> str:
        clock[0] += timedelta(milliseconds=rng.randint(5, 4000))
        return clock[0].isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def dump(obj: dict[str, Any]) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"

    kinds = [k for k in KINDS if k != "topic"]
    relations = list(RELATIONS)
    taken: set[str] = {label_key(TOPIC)}
    ids: list[str] = []
    used_ids: set[str] = {slugify(TOPIC)}
    header = {"format": "conceptmap", "version": 1, "topic": TOPIC, "created": at()}
    lines = [dump(header)]
    topic_op = {"op": "add_node", "id": slugify(TOPIC), "label": TOPIC, "kind": "topic"}
    lines.append(dump({**topic_op, "by": AUTHORS[0], "at": at()}))
    for _ in range(n_nodes):
        label = _label(rng, taken)
        base = slugify(label)
        node, n = base, 1
        while node in used_ids:
            n += 1
            node = f"{base}-{n}"
        used_ids.add(node)
        ids.append(node)
        op: dict[str, Any] = {"op": "add_node", "id": node, "label": label}
        op["kind"] = rng.choice(kinds)
        if rng.random() < 0.3:
            op["notes"] = _notes(rng)
        op["by"], op["at"] = rng.choice(AUTHORS), at()
        lines.append(dump(op))
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < n_edges:
        u, v = rng.randrange(n_nodes), rng.randrange(n_nodes)
        if u == v or (u, v) in pairs:
            continue
        pairs.add((u, v))
        relation = rng.choice(relations)
        op = {"op": "add_edge", "source": ids[u], "target": ids[v], "relation": relation}
        if relation == "relates_to" and rng.random() < 0.5:
            op["phrase"] = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 4)))
        op["by"], op["at"] = rng.choice(AUTHORS), at()
        lines.append(dump(op))
    path.write_text("".join(lines), encoding="utf-8")


def check_big_map(path: Path) -> None:
    m = ConceptMap.load(path, author="bench")
    nodes, edges = m.graph.number_of_nodes(), m.graph.number_of_edges()
    if (nodes, edges) != (N_NODES + 1, N_EDGES) or m.problems:
        raise SystemExit(f"{path}: built {nodes} nodes / {edges} edges, problems {m.problems[:3]}")


# -- timing helpers ------------------------------------------------------------------------
def _timed(fn: Callable[[], object]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _middle_mean(values: list[float]) -> float:
    """Mean of the middle half (drops the fastest and slowest quarter)."""
    ordered = sorted(values)
    q = len(ordered) // 4
    middle = ordered[q : len(ordered) - q] or ordered
    return statistics.fmean(middle)


def _verdict(ratio: float, target: float) -> str:
    return "OK" if ratio <= target else "MISSED"


def _fs_type(path: Path) -> str:
    """The file system type of ``path`` (Linux /proc/self/mounts), or '?'."""
    best, kind = "", "?"
    try:
        with open("/proc/self/mounts", encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and str(path).startswith(parts[1]) and len(parts[1]) > len(best):
                    best, kind = parts[1], parts[2]
    except OSError:
        pass
    return kind


# -- 1. load -------------------------------------------------------------------------------
def bench_load(path: Path) -> bool:
    def json_only() -> object:
        with open(path, "rb") as f:
            return [json.loads(line) for line in f]

    def load() -> object:
        return ConceptMap.load(path, author="bench").graph.number_of_nodes()

    json_only()
    load()  # warm-up: page cache, imports
    t_json: list[float] = []
    t_load: list[float] = []
    for r in range(LOAD_ROUNDS):
        order = [(json_only, t_json), (load, t_load)]
        for fn, times in order if r % 2 == 0 else order[::-1]:
            times.append(_timed(fn))
    mj, ml = statistics.median(t_json), statistics.median(t_load)
    ratio = ml / mj
    size = path.stat().st_size / 1e6
    print(
        f"load {N_NODES // 1000}k/{N_EDGES // 1000}k ({size:.1f} MB, {LOAD_ROUNDS} rounds, "
        f"median): json.loads {mj:.3f} s, ConceptMap.load {ml:.3f} s, "
        f"ratio {ratio:.2f} (target <= {LOAD_TARGET}) {_verdict(ratio, LOAD_TARGET)}"
    )
    print(f"  json.loads runs: {' '.join(f'{t:.3f}' for t in t_json)}")
    print(f"  load runs:       {' '.join(f'{t:.3f}' for t in t_load)}")
    return ratio <= LOAD_TARGET


# -- 2. append -----------------------------------------------------------------------------
def _raw_append_times(path: Path, n: int) -> list[float]:
    """The floor of a durable append: open O_APPEND, write one op line, fsync, close."""
    line = (
        b'{"op":"add_node","id":"raw","label":"Raw append","kind":"concept",'
        b'"by":"bench","at":"2026-11-24T05:06:17.123Z"}\n'
    )
    path.write_bytes(b"")
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        times.append(time.perf_counter() - t0)
    return times


def bench_append(tmp: Path, big_source: Path) -> bool:
    small_path, big_path = tmp / "small.jsonl", tmp / "big.jsonl"
    small = ConceptMap.open(small_path, TOPIC, author="bench")
    for i in range(9):
        small.concept(f"Small map concept {i}")
    small.link("Small map concept 0", "depends_on", "Small map concept 1")
    shutil.copyfile(big_source, big_path)
    big = ConceptMap.open(big_path, TOPIC, author="bench")
    assert len(small) == 10, len(small)
    assert len(big) == N_NODES + 1, len(big)

    maps = {"small": small, "big": big}
    times: dict[str, list[float]] = {"small": [], "big": []}
    raw: list[float] = []
    counter = 0
    for name in maps:  # warm-up: one append each, not timed
        counter += 1
        maps[name].concept(f"new {counter}")
    for r in range(APPEND_ROUNDS):
        names = ["small", "big"] if r % 2 == 0 else ["big", "small"]
        for name in names:
            m, bucket = maps[name], times[name]
            gc.collect()
            for _ in range(APPENDS_PER_ROUND):
                counter += 1
                label = f"new {counter}"
                t0 = time.perf_counter()
                m.concept(label)
                bucket.append(time.perf_counter() - t0)
        raw += _raw_append_times(tmp / "raw.jsonl", APPENDS_PER_ROUND // 2)

    ms = 1e3
    s_med, b_med = statistics.median(times["small"]), statistics.median(times["big"])
    s_mid, b_mid = _middle_mean(times["small"]), _middle_mean(times["big"])
    r_med = statistics.median(raw)
    ratio = b_med / s_med
    n = len(times["small"])
    print(
        f"append ({n} per map, {APPEND_ROUNDS} rounds interleaved, median): "
        f"10 nodes {s_med * ms:.3f} ms, {N_NODES // 1000}k/{N_EDGES // 1000}k {b_med * ms:.3f} ms, "
        f"ratio {ratio:.2f} (target <= {APPEND_TARGET}) {_verdict(ratio, APPEND_TARGET)}"
    )
    print(
        f"  mean of middle half: 10 nodes {s_mid * ms:.3f} ms, big {b_mid * ms:.3f} ms, "
        f"ratio {b_mid / s_mid:.2f}"
    )
    print(
        f"  floor (open+write+fsync+close of one line, same dir, {_fs_type(tmp)}): "
        f"median {r_med * ms:.3f} ms = {r_med / s_med:.0%} of a small-map append"
    )
    p90 = {k: statistics.quantiles(v, n=10)[-1] * ms for k, v in times.items()}
    print(f"  p90: 10 nodes {p90['small']:.3f} ms, big {p90['big']:.3f} ms")
    return ratio <= APPEND_TARGET


# -----------------------------------------------------------------------------------------
def main() -> bool:
    with tempfile.TemporaryDirectory(prefix="conceptmap-bench-") as name:
        tmp = Path(name)
        source = tmp / "load.jsonl"
        t0 = time.perf_counter()
        write_big_map(source)
        check_big_map(source)
        print(
            f"built {source.name}: {N_NODES + 1} nodes, {N_EDGES} edges, "
            f"{source.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s "
            f"(temp dir on {_fs_type(tmp)})"
        )
        ok = bench_load(source)
        ok = bench_append(tmp, source) and ok
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
