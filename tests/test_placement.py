"""Stable positions derived from the log: placed once, next to the neighbours, kept."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import conceptmap as cm
from conceptmap.demo import example_text
from conceptmap.drawing.layout import EDGE_PX
from conceptmap.drawing.placement import BULK, Placer, _box


def placed(history: list[dict[str, Any]], chunk: int | None = None) -> Placer:
    placer = Placer()
    if chunk is None:
        placer.feed(history)
    else:
        for start in range(0, len(history), chunk):
            placer.feed(history[start : start + chunk])
            placer.positions()  # read between chunks, as a live view does
    return placer


def worked() -> cm.ConceptMap:
    m = cm.ConceptMap(author="alanshaw")
    m.apply(example_text())
    return m


def test_every_node_gets_a_finite_position() -> None:
    m = worked()
    positions = placed(m.history).positions()
    assert set(positions) == set(m.graph)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in positions.values())


@pytest.mark.parametrize("chunk", [2, 7, 50])
@pytest.mark.slow  # replays a map one piece at a time
def test_reading_the_log_bit_by_bit_gives_the_same_positions(chunk: int) -> None:
    history = worked().history
    assert placed(history, chunk).positions() == placed(history).positions()


def test_nodes_already_placed_do_not_move_when_others_come() -> None:
    m = cm.ConceptMap("Repo locking", author="a")
    m.apply("obstacle: Two tabs write\nproposal: Web Locks -addresses-> Two tabs write")
    before = placed(m.history).positions()
    m.apply("shortcoming: Crashed tab holds the lock -drawback_of-> Web Locks\n"
            "question: Safari? -> Web Locks")  # fmt: skip
    after = placed(m.history).positions()
    assert {n: after[n] for n in before} == before
    assert len(after) == len(before) + 2


def test_a_new_node_lands_next_to_what_it_links_to() -> None:
    m = worked()
    before = placed(m.history).positions()
    far = max(before, key=lambda n: math.dist(before[n], (0.0, 0.0)))
    m.link("A brand new idea", "part_of", far)
    after = placed(m.history).positions()
    new = m.id_of("A brand new idea")
    assert math.dist(after[new], after[far]) <= 3 * EDGE_PX
    others = [math.dist(after[new], p) for n, p in after.items() if n != new]
    assert min(others) > 10  # not on top of anything


@pytest.mark.parametrize("typed", ["at once", "cell by cell"])
def test_the_worked_example_has_no_overlapping_boxes(typed: str) -> None:
    # at once: one change, laid out whole and spread; cell by cell: placed greedily
    m = cm.ConceptMap("Locking the IPFS repo for concurrent access", author="alanshaw")
    text = example_text()
    cells = [text] if typed == "at once" else text.split("\n\n")
    for cell in cells:
        m.apply(cell)
    positions = placed(m.history).positions()
    boxes = {n: _box(a["label"], a["kind"]) for n, a in m.graph.nodes(data=True)}
    ids = list(positions)
    overlapping = [
        (a, b)
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
        if abs(positions[a][0] - positions[b][0]) < boxes[a][0] + boxes[b][0]
        and abs(positions[a][1] - positions[b][1]) < boxes[a][1] + boxes[b][1]
    ]
    assert overlapping == []


def test_a_place_operation_pins_a_node_and_others_stay() -> None:
    m = worked()
    history = list(m.history)
    before = placed(history).positions()
    node = next(iter(before))
    history.append({"op": "place", "positions": {node: [1234.5, -99.0]}, "by": "bob", "at": "z"})
    after = placed(history).positions()
    assert after[node] == (1234.5, -99.0)
    assert {n: p for n, p in after.items() if n != node} == {
        n: p for n, p in before.items() if n != node
    }


@pytest.mark.parametrize(
    "bad", [[float("nan"), 0], ["1", 2], [1, 2, 3], None, [True, 1], [1e300, 0]]
)
def test_a_foreign_place_value_is_ignored(bad: Any) -> None:
    history = worked().history
    node = history[0]["id"]
    before = placed(history).positions()
    history = [*history, {"op": "place", "positions": {node: bad}, "by": "x", "at": "z"}]
    assert placed(history).positions() == before


def test_removed_nodes_keep_their_place_for_the_replay() -> None:
    m = worked()
    node = m.id_of("Web Locks API")
    where = placed(m.history).positions()[node]
    m.remove("Web Locks API")
    placer = placed(m.history)
    assert node not in placer.positions()
    assert placer.every_position()[node] == where


def test_a_big_change_is_laid_out_whole_beside_the_map() -> None:
    m = cm.ConceptMap("Big import", author="a")
    lines = [f"concept: Item {i} -part_of-> Item {i // 3}" for i in range(1, BULK + 20)]
    m.apply("\n".join(lines))
    positions = placed(m.history).positions()
    topic = positions[m.topic_id or ""]
    items = [p for n, p in positions.items() if n != m.topic_id]
    assert min(x for x, _ in items) > topic[0]  # beside what was there
    assert len({(round(x), round(y)) for x, y in items}) == len(items)


def test_the_map_gives_its_positions_and_keeps_them_through_compact(map_path: Path) -> None:
    m = cm.ConceptMap.open(map_path, author="alice")
    m.apply("obstacle: Two tabs write\nproposal: Web Locks -addresses-> Two tabs write")
    before = m.positions()
    assert set(before) == set(m.graph)
    other = cm.ConceptMap.load(map_path)
    assert other.positions() == before  # another reader draws the same picture
    m.place({"Web Locks": (900, -40)})
    assert other.positions()["web-locks"] == (900.0, -40.0)
    m.compact()
    assert cm.ConceptMap.load(map_path).positions() == m.positions()
    assert cm.ConceptMap.load(map_path).meta["participants"] == ["alice"]


@pytest.mark.parametrize(
    ("where", "message"),
    [({"Nowhere": (1, 2)}, "no node is labelled"), ({"Web Locks": (float("nan"), 2)}, "finite")],
)
def test_placing_a_missing_node_or_a_bad_point_changes_nothing(
    map_path: Path, where: dict[str, tuple[float, float]], message: str
) -> None:
    m = cm.ConceptMap.open(map_path, author="alice")
    m.proposal("Web Locks")
    size = map_path.stat().st_size
    with pytest.raises(cm.ConceptMapError, match=message):
        m.place(where)
    assert map_path.stat().st_size == size
