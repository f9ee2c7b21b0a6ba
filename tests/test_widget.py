"""The live map view, driven through its message contract, with no browser.

Messages go in through ipywidgets' own entry (``_handle_custom_msg``) and what the widget
sends is captured (``send`` patched), each through a JSON round trip, as the comm would.
Widgets made for one test are closed after it, so no poller outlives its test.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import conceptmap as cm
from conceptmap.jupyter.widget import MapWidget

from .browser import launch

Message = dict[str, Any]
Outbox = Callable[[MapWidget], list[Message]]
SLOW = 3600.0  # a poll interval that never comes: the test syncs by hand


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Outbox]:
    """What each widget sent, in order; every widget made in the test is closed after it."""
    boxes: dict[int, list[Message]] = {}
    made: list[MapWidget] = []
    init = MapWidget.__init__

    def send(self: MapWidget, content: Message, buffers: Any = None) -> None:
        boxes.setdefault(id(self), []).append(json.loads(json.dumps(content)))

    def tracked_init(self: MapWidget, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(MapWidget, "send", send)
    monkeypatch.setattr(MapWidget, "__init__", tracked_init)
    yield lambda w: boxes.setdefault(id(w), [])
    for w in made:
        w.close()


def message(w: MapWidget, content: Any) -> None:
    """A message from a view, through ipywidgets' entry point."""
    w._handle_custom_msg(content, [])


def of_type(box: list[Message], kind: str) -> list[Message]:
    return [m for m in box if m["type"] == kind]


def wait_until(check: Callable[[], bool], timeout: float = 1.0) -> float:
    """Seconds until ``check()`` held; fails after ``timeout``."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not within {timeout} s")
        time.sleep(0.01)
    return time.monotonic() - start


def grown(path: Path, n: int) -> cm.ConceptMap:
    """A map file of ``n`` nodes of several kinds (many of them open items), each linked."""
    m = cm.ConceptMap.create(path, "Locking the IPFS repo", author="alice")
    kinds = ["concept", "question", "obstacle", "proposal", "decision", "action"]
    lines = [f"{kinds[i % len(kinds)]}: Item {i}" for i in range(1, n)]
    lines += [f"Item {i} -relates_to-> Item {max(1, i // 2)}" for i in range(2, n)]
    m.apply("\n".join(lines))
    return m


# -- one widget per map -----------------------------------------------------------------
def test_the_same_map_gives_the_same_widget_until_it_is_closed(outbox: Outbox) -> None:
    m = cm.ConceptMap("GraphSync", author="vmx")
    w = m.widget()
    assert m.widget() is w
    assert w.author == "vmx"
    assert w.map is m
    other = cm.ConceptMap("GraphSync", author="vmx")
    assert other.widget() is not w
    w.close()
    assert m.widget() is not w


# -- apply ------------------------------------------------------------------------------
def test_apply_answers_with_the_summary_after_the_delta(outbox: Outbox) -> None:
    m = cm.ConceptMap("Locking the IPFS repo", author="alice")
    w = MapWidget(m, interval=SLOW)
    message(
        w,
        {
            "type": "apply",
            "text": "obstacle: Two tabs write\nWeb Locks -addresses-> Two tabs write",
        },
    )
    delta, applied = outbox(w)
    assert applied == {
        "type": "applied",
        "summary": "2 nodes added, 1 link added; created as concepts because a link named "
        "them: 'Web Locks'",
        "error": None,
    }
    assert delta["type"] == "delta"
    assert (delta["base"], delta["rev"]) == (0, 1)
    added = {n["id"]: n for n in delta["nodes"]["added"]}
    assert added["two-tabs-write"]["kind"] == "obstacle"
    assert added["two-tabs-write"]["author"] == "alice"
    assert set(delta["positions"]) == {"two-tabs-write", "web-locks"}
    assert delta["positions"]["web-locks"] == list(m.positions()["web-locks"])
    [link] = delta["links"]["added"]
    assert (link["from"], link["to"], link["relation"], link["text"]) == (
        "web-locks",
        "two-tabs-write",
        "addresses",
        "addresses",
    )
    assert delta["by"] == {"alice": "2 nodes added, 1 link added"}
    assert delta["summary"] == "alice: 2 nodes added, 1 link added"
    assert "two-tabs-write" in w.nodes
    assert m.find("Web Locks") == "web-locks"


def test_a_warning_is_part_of_the_summary(outbox: Outbox) -> None:
    m = cm.ConceptMap("Locking", author="alice")
    m.concept("Web Locks API")
    w = MapWidget(m, interval=SLOW)
    message(w, {"type": "apply", "text": "concept: Web Lock API"})
    [applied] = of_type(outbox(w), "applied")
    assert applied["summary"].startswith("1 node added\nwarning: 'Web Lock API' is new")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("concept: Fine\nbogus: Two tabs", "line 2 ('bogus: Two tabs'): unknown kind 'bogus'"),
        ("remove: Nothing like this", "no node is labelled 'Nothing like this'"),
        (42, "the text to apply must be a string, not 42"),
        ("concept: Fine\ntopic: Another", "a map has one topic"),
    ],
)
def test_an_apply_error_applies_nothing_and_says_why(outbox: Outbox, text: Any, error: str) -> None:
    m = cm.ConceptMap("Locking", author="alice")
    before = len(m.history)
    w = MapWidget(m, interval=SLOW)
    message(w, {"type": "apply", "text": text})
    [answer] = outbox(w)
    assert answer["type"] == "applied"
    assert answer["summary"] == ""
    assert error in answer["error"]
    assert len(m.history) == before
    assert w.rev == 0


def test_applying_again_changes_nothing(outbox: Outbox) -> None:
    m = cm.ConceptMap("Locking", author="alice")
    w = MapWidget(m, interval=SLOW)
    message(w, {"type": "apply", "text": "concept: Lease"})
    outbox(w).clear()
    message(w, {"type": "apply", "text": "concept: Lease"})
    assert outbox(w) == [
        {
            "type": "applied",
            "summary": "nothing changed: the map already says all of this",
            "error": None,
        }
    ]


# -- gestures, as the view writes them ----------------------------------------------------
def test_editing_gestures_become_changes_in_the_delta(outbox: Outbox) -> None:
    m = cm.ConceptMap("Locking", author="alice")
    m.apply("proposal: Web Locks\nquestion: Safari?\nWeb Locks -raises-> Safari?")
    w = MapWidget(m, interval=SLOW)
    box = outbox(w)
    # the details panel: rename, re-kind, notes (indented lines under a declaration)
    message(w, {"type": "apply", "text": "rename: Web Locks => Web Locks API"})
    message(w, {"type": "apply", "text": "decision: Web Locks API"})
    message(
        w,
        {
            "type": "apply",
            "text": "decision: Web Locks API\n  One lock per repo.\n  Held by a tab.",
        },
    )
    changed = [n for d in of_type(box, "delta") for n in d["nodes"]["changed"]]
    assert [n["label"] for n in changed] == ["Web Locks API"] * 3
    assert [n["kind"] for n in changed] == ["proposal", "decision", "decision"]
    assert changed[-1]["notes"] == "One lock per repo.\nHeld by a tab."
    # removing a link, then a node (its links go with it)
    box.clear()
    message(w, {"type": "apply", "text": "remove: Web Locks API -raises-> Safari?"})
    [delta, _] = box
    assert delta["links"]["removed"] == [json.dumps(["web-locks", "safari", "raises"])]
    message(w, {"type": "apply", "text": 'Web Locks API -"is tested in"-> Safari?'})
    box.clear()
    message(w, {"type": "apply", "text": "remove: Safari?"})
    delta = box[0]
    assert delta["nodes"]["removed"] == ["safari"]
    assert delta["links"]["removed"] == [
        json.dumps(["web-locks", "safari", "relates_to:is tested in"])
    ]
    assert w.links == {}
    assert delta["open"]["removed"] == ["unanswered-question:safari"]
    assert "unanswered-question:safari" not in {i["key"] for i in w.open_items}


def test_place_pins_nodes_under_the_widgets_author(outbox: Outbox) -> None:
    m = cm.ConceptMap("Locking", author="alice")
    m.apply("concept: Lease\nconcept: Heartbeat")
    w = MapWidget(m, interval=SLOW)
    message(w, {"type": "place", "positions": {"lease": [120.5, -40]}})
    assert m.positions()["lease"] == (120.5, -40.0)
    assert m.history[-1]["op"] == "place"
    assert m.history[-1]["by"] == "alice"
    [delta] = outbox(w)
    assert delta["positions"] == {"lease": [120.5, -40.0]}  # the others stay where they were
    assert delta["nodes"] == {"added": [], "changed": [], "removed": []}


@pytest.mark.parametrize(
    ("positions", "error"),
    [
        ({"no-such-node": [1, 2]}, "no node is labelled 'no-such-node'"),
        ({"lease": [1]}, "a position is (x, y) in finite numbers"),
        ([1, 2], "positions must be an object"),
    ],
)
def test_a_bad_place_is_an_error_message(outbox: Outbox, positions: Any, error: str) -> None:
    m = cm.ConceptMap("Locking", author="alice")
    m.concept("Lease")
    before = len(m.history)
    w = MapWidget(m, interval=SLOW)
    message(w, {"type": "place", "positions": positions})
    [answer] = outbox(w)
    assert answer["type"] == "error"
    assert error in answer["error"]
    assert len(m.history) == before


def test_undo_is_this_authors_last_change_answered_like_apply(
    outbox: Outbox, map_path: Path
) -> None:
    m = cm.ConceptMap.open(map_path, author="carol")
    bob = cm.ConceptMap.open(map_path, author="bob")
    w = MapWidget(m, interval=SLOW)
    message(
        w, {"type": "apply", "text": "obstacle: Two tabs write\nLocks -addresses-> Two tabs write"}
    )
    bob.concept("Lease")
    w.sync()
    outbox(w).clear()
    message(w, {"type": "undo"})
    delta, applied = outbox(w)
    assert applied["error"] is None
    assert applied["summary"].startswith("undid the change of ")
    assert sorted(delta["nodes"]["removed"]) == ["locks", "two-tabs-write"]
    assert len(delta["links"]["removed"]) == 1
    assert "lease" in w.nodes  # bob's change stays
    outbox(w).clear()
    message(w, {"type": "undo"})
    [answer] = outbox(w)
    assert answer == {
        "type": "applied",
        "summary": "",
        "error": "nothing to undo: 'carol' has made no change to this map that is not undone",
    }


@pytest.mark.parametrize("content", [{"type": "explode"}, "not an object", None])
def test_an_unknown_message_is_an_error_message_not_a_traceback(
    outbox: Outbox, content: Any
) -> None:
    w = MapWidget(cm.ConceptMap("Locking", author="alice"), interval=SLOW)
    message(w, content)
    [answer] = outbox(w)
    assert answer["type"] == "error"
    assert "unknown message type" in answer["error"]


def test_a_new_view_gets_the_whole_map_and_vis_network_once_asked(outbox: Outbox) -> None:
    m = cm.ConceptMap("Locking", author="alice")
    m.apply("question: Safari?\nobstacle: Crash")
    w = MapWidget(m, interval=SLOW)
    message(w, {"type": "ready", "vis": True})
    vis, snap = outbox(w)
    code = gzip.decompress(base64.b64decode(vis["code"])).decode()
    assert "vis-network" in code[:200]
    assert snap["type"] == "snapshot"
    assert snap["author"] == "alice"
    assert snap["topic"] == "Locking"
    assert {n["id"] for n in snap["nodes"]} == set(m.graph)
    assert set(snap["positions"]) == set(m.graph)
    assert [i["code"] for i in snap["open"]] == ["unanswered-question", "unaddressed-obstacle"]
    assert snap["kinds"]["obstacle"]["shape"] == "box"
    assert "addresses" in snap["relations"]
    outbox(w).clear()
    message(w, {"type": "ready"})
    assert [x["type"] for x in outbox(w)] == ["snapshot"]


# -- following the file ------------------------------------------------------------------
@pytest.mark.slow  # waits on the file poller's real clock
def test_another_writer_shows_up_within_a_second(outbox: Outbox, map_path: Path) -> None:
    m = cm.ConceptMap.open(map_path, author="alice")
    w = MapWidget(m)
    assert w.following == "thread"
    bob = cm.ConceptMap.open(map_path, author="bob")
    bob.apply("question: Safari?\nobstacle: Crash\nproposal: Lease -addresses-> Crash")
    wait_until(lambda: bool(of_type(outbox(w), "delta")))
    [delta] = of_type(outbox(w), "delta")
    assert delta["by"] == {"bob": "3 nodes added, 1 link added"}
    assert delta["summary"] == "bob: 3 nodes added, 1 link added"
    assert {n["author"] for n in delta["nodes"]["added"]} == {"bob"}
    assert {"safari", "crash", "lease"} <= set(w.nodes)
    assert {i["code"] for i in delta["open"]["added"]} == {
        "unanswered-question",
        "undecided-proposal",
    }
    assert w.poll_error is None


@pytest.mark.slow
def test_the_cli_writing_shows_up_within_a_second(outbox: Outbox, map_path: Path) -> None:
    m = cm.ConceptMap.open(map_path, author="alice")
    w = MapWidget(m)
    add = ["add", str(map_path), "obstacle: Crash", "--by", "carol"]
    subprocess.run(
        [sys.executable, "-m", "conceptmap", *add],
        check=True,
        capture_output=True,
    )
    wait_until(lambda: "crash" in w.nodes)
    assert w.nodes["crash"]["author"] == "carol"


@pytest.mark.slow  # waits on the file poller's real clock
def test_in_an_event_loop_the_loop_polls_and_stops_on_close(outbox: Outbox, map_path: Path) -> None:
    async def scenario() -> MapWidget:
        w = MapWidget(cm.ConceptMap.open(map_path, author="alice"), interval=0.05)
        assert w.following == "event loop"
        assert w._thread is None
        cm.ConceptMap.open(map_path, author="bob").concept("Lease")
        for _ in range(100):
            await asyncio.sleep(0.01)
            if "lease" in w.nodes:
                break
        assert "lease" in w.nodes
        w.close()
        assert w.following is None
        cm.ConceptMap.open(map_path, author="bob").concept("Heartbeat")
        await asyncio.sleep(0.2)
        return w

    w = asyncio.run(scenario())
    assert "heartbeat" not in w.nodes
    assert len(of_type(outbox(w), "delta")) == 1


@pytest.mark.slow  # waits on the file poller's real clock
def test_the_poller_stops_on_close(outbox: Outbox, map_path: Path) -> None:
    m = cm.ConceptMap.open(map_path, author="alice")
    w = m.widget()
    thread = w._thread
    assert thread is not None
    assert thread.is_alive()
    w.close()
    thread.join(timeout=1)
    assert not thread.is_alive()
    assert w.following is None
    cm.ConceptMap.open(map_path, author="bob").concept("Lease")
    time.sleep(0.4)
    assert outbox(w) == []


def test_a_rewritten_log_sends_a_snapshot(outbox: Outbox, map_path: Path) -> None:
    m = cm.ConceptMap.open(map_path, author="alice")
    m.apply("concept: Lease\nconcept: Gone")
    w = MapWidget(m, interval=SLOW)
    other = cm.ConceptMap.open(map_path, author="bob")
    other.remove("Gone")
    other.compact()
    sent = w.sync()
    assert sent is not None
    assert sent["type"] == "snapshot"
    assert sent["rev"] == 1
    assert {n["id"] for n in sent["nodes"]} == {"locking-the-ipfs-repo", "lease"}
    assert w.sync() is None


@pytest.mark.slow  # waits on the file poller's real clock
def test_an_unchanged_map_sends_nothing(outbox: Outbox, map_path: Path) -> None:
    m = cm.ConceptMap.open(map_path, author="alice")
    w = MapWidget(m, interval=0.02)
    time.sleep(0.2)
    m.set_meta("date", "2026-11-27")  # nothing the view shows
    time.sleep(0.1)
    assert outbox(w) == []
    assert w.rev == 0


@pytest.mark.slow  # builds and follows 300-node maps
def test_a_delta_grows_with_the_change_not_the_map(outbox: Outbox, tmp_path: Path) -> None:
    sizes = {}
    for size in (50, 300):
        path = tmp_path / f"map-{size}.jsonl"
        w = MapWidget(grown(path, size), interval=SLOW)
        message(w, {"type": "ready"})
        snapshot_bytes = len(json.dumps(outbox(w)[-1]))
        bob = cm.ConceptMap.open(path, author="bob")
        bob.apply("obstacle: A new thing -blocks-> Item 7")
        delta = w.sync()
        assert delta is not None
        assert delta["type"] == "delta"
        assert len(delta["nodes"]["added"]) == 1
        assert len(delta["open"]["added"]) == 1
        sizes[size] = len(json.dumps(delta))
        assert sizes[size] < snapshot_bytes / 5
    assert sizes[300] <= sizes[50] * 1.2


# -- display without a kernel -------------------------------------------------------------
def test_the_mime_bundle_keeps_the_picture_and_the_text(
    outbox: Outbox, example: cm.ConceptMap
) -> None:
    w = MapWidget(example, interval=SLOW)
    data, _ = w._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == w.model_id
    assert data["image/svg+xml"].startswith("<svg")
    assert "Web Locks API" in data["image/svg+xml"]
    assert data["text/html"].startswith('<img alt="Concept map: ')
    assert 'class="conceptmap-text"' in data["text/html"]
    assert data["text/plain"].startswith("<ConceptMap ")


@pytest.mark.slow
def test_in_a_kernel_the_kernels_loop_follows_the_file(map_path: Path) -> None:
    """No thread in a kernel: the poll runs on its loop, here while a cell awaits."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    sources = [
        "import asyncio, threading, conceptmap as cm\n"
        f"m = cm.ConceptMap.open({str(map_path)!r}, author='alice')\n"
        "before = threading.active_count()\n"
        "w = m.widget()\n"
        "print(w.following, threading.active_count() - before)",
        f"cm.ConceptMap.open({str(map_path)!r}, author='bob').concept('Lease')\n"
        "await asyncio.sleep(1)\n"
        "print(w.nodes['lease']['author'], w.rev)",
        "w",
    ]
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    assert nb.cells[0].outputs[0]["text"] == "event loop 0\n"
    assert nb.cells[1].outputs[0]["text"] == "bob 1\n"
    data = nb.cells[2].outputs[0]["data"]
    assert {"application/vnd.jupyter.widget-view+json", "image/svg+xml", "text/html"} <= set(data)


# -- the view, in Chromium, against a real widget ---------------------------------------
PAGE = """<!doctype html><html><body><div id="host" style="width:1100px"></div><script>
window.sent = []; window.handlers = {};
window.model = {get: (k) => ({author: "alice"})[k], on: (e, f) => { handlers[e] = f; },
  off: () => {}, send: (m) => sent.push(m)};
</script></body></html>"""
WIDGET_JS = Path(cm.__file__).parent / "jupyter" / "widget.js"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


class Bridge:
    """A page running widget.js with a fake anywidget model, wired to a real MapWidget."""

    def __init__(self, page: Any, widget: MapWidget, box: list[Message]) -> None:
        self.page, self.widget, self.box = page, widget, box
        self.from_view: list[Message] = []
        page.set_content(PAGE)
        page.evaluate(
            """async (src) => {
              const url = URL.createObjectURL(new Blob([src], {type: "text/javascript"}));
              const mod = await import(url);
              mod.default.render({model, el: document.getElementById("host")});
            }""",
            WIDGET_JS.read_text(),
        )

    def pump(self, rounds: int = 8) -> None:
        """Carry messages both ways for a while."""
        for _ in range(rounds):
            for content in self.page.evaluate("window.sent.splice(0)"):
                self.from_view.append(content)
                message(self.widget, content)
            if self.box:
                out, self.box[:] = list(self.box), []
                self.page.evaluate("ms => ms.forEach(m => handlers['msg:custom'](m))", out)
            self.page.wait_for_timeout(60)

    def state(self, expression: str) -> Any:
        return self.page.evaluate(
            f"(() => {{ const s = document.querySelector('.cm-w').__conceptmap.state; "
            f"return {expression}; }})()"
        )

    def at(self, node: str) -> tuple[float, float]:
        """Where a node is drawn, in the page's pixels."""
        point = self.page.evaluate(
            """(id) => {
              const net = document.querySelector('.cm-w').__conceptmap.state.network;
              const p = net.canvasToDOM(net.getPositions([id])[id]);
              const box = document.querySelector('.cm-w-map canvas').getBoundingClientRect();
              return [box.left + p.x, box.top + p.y];
            }""",
            node,
        )
        return point[0], point[1]


@pytest.mark.browser
def test_the_view_draws_the_map_and_turns_gestures_into_quick_entry(
    browser: Any, outbox: Outbox, map_path: Path
) -> None:
    m = cm.ConceptMap.open(map_path, author="alice")
    m.apply("proposal: Web Locks\nquestion: Safari?\nWeb Locks -raises-> Safari?")
    w = MapWidget(m, interval=SLOW)
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    view = Bridge(page, w, outbox(w))
    view.pump()
    assert view.from_view[0] == {"type": "ready", "new": True, "vis": True}
    assert w.views == 1
    assert view.state("[s.data.nodes.length, s.data.edges.length]") == [3, 1]
    assert page.locator(".cm-w-map canvas").count() == 1
    assert page.locator(".cm-w-open li").all_inner_texts() == ["Safari?", "Web Locks"]
    # the entry box: Enter applies, and the view shows the line it applied
    entry = page.get_by_label("quick entry")
    entry.fill("obstacle: Two tabs write")
    entry.press("Enter")
    view.pump()
    assert view.from_view[-1] == {"type": "apply", "text": "obstacle: Two tabs write"}
    assert page.inner_text(".cm-w-status") == "✓ obstacle: Two tabs write — 1 node added"
    assert entry.input_value() == ""
    assert view.state("s.data.nodes.get('two-tabs-write').label") == "Two tabs write"
    # an error leaves the text in the box and says why
    entry.fill("obstcle: typo")
    entry.press("Enter")
    view.pump()
    assert "unknown kind 'obstcle'" in page.inner_text(".cm-w-status")
    assert entry.input_value() == "obstcle: typo"
    # double-click on empty space: type the node there, Enter; it stays where the click was
    x, y = view.at("web-locks")
    page.mouse.dblclick(x + 250, y + 120)
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "new node"
    page.keyboard.type("concept: Placed here")
    page.keyboard.press("Enter")
    view.pump()
    assert view.from_view[-2] == {"type": "apply", "text": "concept: Placed here"}
    assert view.from_view[-1]["type"] == "place"
    assert list(view.from_view[-1]["positions"]) == ["placed-here"]
    px, py = view.at("placed-here")
    assert abs(px - (x + 250)) < 15  # vis reads the tap's centre, a few px off
    assert abs(py - (y + 120)) < 15
    assert m.positions()["placed-here"] == tuple(view.from_view[-1]["positions"]["placed-here"])
    # link: drag from one node to another, then pick the relation
    page.evaluate("document.querySelector('.cm-w').__conceptmap.state.network.fit()")
    page.locator("button", has_text="link").click()
    page.mouse.move(*view.at("web-locks"))
    page.mouse.down()
    page.mouse.move(*view.at("two-tabs-write"), steps=12)
    page.mouse.up()
    page.get_by_label("relation").select_option("addresses")
    page.locator(".cm-w-details button", has_text="link").click()
    view.pump()
    assert view.from_view[-1] == {
        "type": "apply",
        "text": "Web Locks -addresses-> Two tabs write",
    }
    assert m.graph.has_edge("web-locks", "two-tabs-write", "addresses")
    # the open list leads to the node's details: rename there
    page.locator(".cm-w-open button", has_text="Safari?").click()
    label = page.get_by_label("label", exact=True)
    label.fill("Does Safari have Web Locks?")
    label.press("Enter")
    view.pump()
    assert view.from_view[-1]["text"] == "rename: Safari? => Does Safari have Web Locks?"
    assert page.locator(".cm-w-open li").first.inner_text() == "Does Safari have Web Locks?"
    # drag a node: place (once it is in view)
    page.evaluate("document.querySelector('.cm-w').__conceptmap.focusNode('two-tabs-write')")
    page.wait_for_timeout(500)
    x, y = view.at("two-tabs-write")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 80, y + 40, steps=8)
    page.mouse.up()
    view.pump()
    placed = view.from_view[-1]
    assert placed["type"] == "place"
    assert list(placed["positions"]) == ["two-tabs-write"]
    assert m.history[-1]["op"] == "place"
    # another writer: highlighted, attributed
    cm.ConceptMap.open(map_path, author="bob").concept("Lease")
    w.sync()
    view.pump()
    assert page.inner_text(".cm-w-activity") == "bob: 1 node added"
    assert view.state("s.fresh.get('lease')") == "bob"
    # undo this author's last change (the drag)
    page.locator("button", has_text="undo").click()
    view.pump()
    assert view.from_view[-1] == {"type": "undo"}
    assert page.inner_text(".cm-w-status").startswith("✓ undo — undid the change of ")
    assert errors == []
    page.close()


# -- %%conceptmap's display: the live view once, then pictures -----------------------------
def test_a_cell_shows_the_view_once_then_pictures_until_the_view_is_gone(
    outbox: Outbox, monkeypatch: pytest.MonkeyPatch, map_path: Path
) -> None:
    import IPython.display

    from conceptmap.jupyter import widget as live

    shown: list[dict[str, Any]] = []
    updated: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(IPython.display, "display", lambda data, **_: shown.append(data))
    monkeypatch.setattr(
        IPython.display,
        "update_display",
        lambda data, display_id, **_: updated.append((display_id, data)),
    )
    monkeypatch.setattr(live, "_LIVE", {})
    m = cm.ConceptMap.open(map_path, author="alice")
    w = live.show(m)
    assert "application/vnd.jupyter.widget-view+json" in shown[-1]
    assert w.shown  # on its way: the next cell does not show a second one
    m.concept("Lease")
    assert live.show(m, ["lease"]) is w
    assert set(shown[-1]) == {"image/svg+xml", "text/plain"}
    assert "Lease" in shown[-1]["image/svg+xml"]
    assert w.picture is not None
    picture_id = w.picture[0]
    assert "lease" in w.nodes  # the open view got the cell's change at once
    message(w, {"type": "ready", "new": True})
    assert (w.views, w.displayed) == (1, False)
    message(w, {"type": "gone"})  # its output was cleared: the newest picture comes alive
    [(display_id, data)] = updated
    assert display_id == picture_id
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "Lease" in data["image/svg+xml"]
    assert w.displayed
    assert not w.picture  # mypy narrowed it to a tuple above
    message(w, {"type": "ready", "new": True})
    message(w, {"type": "gone"})  # and again, with no picture since: the next cell shows it
    assert not w.shown
    assert live.show(m) is w
    assert "application/vnd.jupyter.widget-view+json" in shown[-1]
    assert len(shown) == 3
    assert len(updated) == 1
    bob = cm.ConceptMap.open(map_path, author="bob")
    assert live.show(bob) is not w  # another author: another widget, which applies as bob


# -- the lines the view writes, for labels quick entry reads specially ----------------------
HELPERS = """async ([src, a, b]) => {
  const mod = await import(URL.createObjectURL(new Blob([src], {type: "text/javascript"})));
  return {
    link: mod.linkLine(a, b, "blocks", ""),
    phrase: mod.linkLine(b, a, "relates_to", 'is "held" by'),
    rename: mod.renameLine(a, "Renamed: now"),
    remove: `remove: ${mod.ref(a.label, a.kind, a.id)}`,
    declare: mod.unsayable(a.label, "declare"),
    renameTo: mod.unsayable(a.label, "rename"),
  };
}"""


@pytest.mark.browser
@pytest.mark.parametrize("label", ["Plan: B", "# of peers", "Reads -> writes", "Old => new"])
def test_the_lines_the_view_writes_name_any_label(browser: Any, label: str) -> None:
    def fresh() -> tuple[cm.ConceptMap, Message, Message]:
        m = cm.ConceptMap("Locking", author="alice")
        m.add(label, kind="obstacle")
        m.concept("Lease")
        ends = [{"id": n, **m.graph.nodes[n]} for n in (m.id_of(label), "lease")]
        return m, ends[0], ends[1]

    m, node, lease = fresh()
    page = browser.new_page()
    lines = page.evaluate(HELPERS, [WIDGET_JS.read_text(), node, lease])
    page.close()
    m.apply(lines["link"])
    m.apply(lines["phrase"])
    assert m.graph.has_edge(node["id"], "lease", "blocks")
    assert m.graph.has_edge("lease", node["id"], "relates_to:is 'held' by")
    m.apply(lines["remove"])
    assert node["id"] not in m.graph
    assert "lease" in m.graph
    m, node, lease = fresh()
    m.apply(lines["rename"])
    assert m.graph.nodes[node["id"]]["label"] == "Renamed: now"
    # what a line cannot say is refused in the view, with the reason
    assert bool(lines["declare"]) == ("->" in label)
    assert bool(lines["renameTo"]) == ("=>" in label)
