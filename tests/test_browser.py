"""The HTML map in a real browser: no requests, no errors, and every control works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

import conceptmap as cm
from conceptmap.core.state import MapState

from .browser import launch, map_frame, visit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


def visible(page: Any) -> dict[str, Any]:
    state = page.evaluate(
        """() => ({
            nodes: conceptmap.nodes.get({filter: n => !n.hidden}).map(n => n.id).sort(),
            edges: conceptmap.edges.length,
            labels: conceptmap.nodes.get().map(n => n.label).sort(),
        })"""
    )
    return cast("dict[str, Any]", state)


def test_page_loads_offline_with_no_requests_and_no_errors(
    browser: Any, example: cm.ConceptMap, tmp_path: Path
) -> None:
    path = example.write_html(tmp_path / "map.html")
    seen = visit(browser, path.as_uri())
    assert seen.requests == [path.as_uri()]
    assert seen.console == []
    assert seen.page.evaluate("document.body.dataset.error") is None
    shown = visible(seen.page)
    assert shown["nodes"] == sorted(example.graph.nodes)
    assert shown["edges"] == example.graph.number_of_edges()
    header = seen.page.inner_text("header")
    assert example.meta["topic"] in header
    assert f"{len(example)} nodes · {example.graph.number_of_edges()} links" in header
    assert "alanshaw" in header
    shot = tmp_path / "map.png"
    seen.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000  # a drawn map, not a blank page


def test_legend_toggles_a_kind(browser: Any, example: cm.ConceptMap, tmp_path: Path) -> None:
    seen = visit(browser, example.write_html(tmp_path / "map.html").as_uri())
    page = seen.page
    obstacles = {n["id"] for n in example.nodes("obstacle")}
    button = page.locator('#cm-legend button[data-kind="obstacle"]')
    assert button.inner_text().strip() == f"obstacles {len(obstacles)}"
    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    assert set(visible(page)["nodes"]) == set(example.graph.nodes) - obstacles
    button.click()
    assert set(visible(page)["nodes"]) == set(example.graph.nodes)


def test_search_focuses_and_details_show_the_node(
    browser: Any, example: cm.ConceptMap, tmp_path: Path
) -> None:
    page = visit(browser, example.write_html(tmp_path / "map.html").as_uri()).page
    page.fill("#cm-search", "navigator.locks")  # words from a node's notes, not its label
    page.press("#cm-search", "Enter")
    assert page.evaluate("conceptmap.network.getSelectedNodes()") == ["web-locks-api"]
    details = page.inner_text("#cm-details")
    assert "Web Locks API" in details
    assert "added by alanshaw" in details
    assert "depends on" in details or "cites" in details  # its links are listed
    assert page.inner_text("#cm-search-count") == "1 match"


def test_slider_replays_the_session_step_by_step(browser: Any, tmp_path: Path) -> None:
    m = cm.ConceptMap("Private DHT", author="alice")
    m.apply("obstacle: Peers see lookups\nproposal: Onion routing -addresses-> Peers see lookups")
    m.author = "bob"
    m.rename("Peers see lookups", "Peers see every lookup")
    m.link("Onion routing", "depends_on", "Relays")
    m.remove("Relays")
    m.set_kind("Onion routing", "decision")
    page = visit(browser, m.write_html(tmp_path / "map.html").as_uri()).page
    history = m.history
    assert page.get_attribute("#cm-step", "max") == str(len(history))
    for k in range(len(history) + 1):
        page.evaluate(f"conceptmap.showStep({k})")
        state = MapState.replayed(history[:k])
        shown = visible(page)
        assert shown["nodes"] == sorted(state.graph.nodes), k
        assert shown["labels"] == sorted(a["label"] for _, a in state.graph.nodes(data=True)), k
        assert shown["edges"] == state.graph.number_of_edges(), k
    page.evaluate("conceptmap.showStep(3)")
    assert "bob" not in page.inner_text("#cm-step-text")
    page.locator("#cm-step").fill(str(len(history) - 1))
    assert "bob removed “Relays”" in page.inner_text("#cm-step-text")


PAYLOADS = [
    "</script><script>window.__pwned=1;alert(1)</script>",
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    "javascript:alert(1)",
    "{{ 7*7 }} {% for x in y %}{% endfor %}",
    "<svg/onload=alert(1)>",
    "\u2028</SCRIPT>\u2029<!--",
]


def test_hostile_text_stays_text(browser: Any, tmp_path: Path) -> None:
    m = cm.ConceptMap(PAYLOADS[0], author=PAYLOADS[1])
    m.set_meta("participants", [PAYLOADS[4], PAYLOADS[3]])
    m.set_meta("date", PAYLOADS[1])
    for i, payload in enumerate(PAYLOADS):
        label = payload.replace("\u2028", " ").replace("\u2029", " ")  # not allowed in labels
        m.add(f"{label} {i}", "concept", notes=payload, url="javascript:alert(1)")
        m.link(f"{label} {i}", "relates_to", PAYLOADS[0], phrase=f"{label} phrase")
    path = m.write_html(tmp_path / "hostile.html")
    seen = visit(browser, path.as_uri())
    page = seen.page
    for node in list(m.graph.nodes)[:4]:
        page.evaluate(f"conceptmap.focusNode({node!r})")
    page.fill("#cm-search", "onerror")
    page.press("#cm-search", "Enter")
    page.locator('#cm-legend button[data-kind="concept"]').click()
    page.wait_for_timeout(200)
    assert seen.dialogs == []
    assert page.evaluate("window.__pwned") is None
    assert seen.requests == [path.as_uri()]
    assert page.evaluate("document.querySelectorAll('img, svg, iframe, object, embed').length") == 0
    assert page.evaluate("document.scripts.length") == 3  # data, vis-network, the page's own
    assert page.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
    assert page.evaluate("document.title").startswith(PAYLOADS[0])
    assert PAYLOADS[1] in page.inner_text("header")  # the author's name, as text
    assert "{{ 7*7 }}" in page.inner_text("#cm-participants")  # not rendered as 49


def test_inline_output_draws_in_its_sandboxed_frame(
    browser: Any, example: cm.ConceptMap, tmp_path: Path
) -> None:
    bundle = example._repr_mimebundle_()
    assert set(bundle) == {
        "text/plain",
        "text/html",
        "image/svg+xml",
        "application/vnd.conceptmap+json",
    }
    host = tmp_path / "notebook.html"
    host.write_text(f"<!DOCTYPE html><html><body>{bundle['text/html']}</body></html>")
    seen = visit(browser, host.as_uri(), frame=True)
    frame = map_frame(seen.page)
    assert frame.evaluate("document.body.dataset.error") is None
    assert frame.evaluate("conceptmap.nodes.length") == len(example)
    assert seen.requests == [host.as_uri()]
    assert seen.console == []
    # sandboxed: the map cannot reach the notebook around it
    assert (
        frame.evaluate(
            "(() => { try { return !!parent.document; } catch (e) { return false; } })()"
        )
        is False
    )


def test_a_large_map_draws_at_once_and_still_names_its_links(browser: Any, tmp_path: Path) -> None:
    m = cm.ConceptMap("Scaling up the DHT", author="a")
    text = "\n".join(f"Peer {i} -part_of-> Bucket {i % 40}" for i in range(600))
    m.apply(text + '\nBucket 0 -"is sorted by"-> XOR distance')
    assert len(m) > 600  # above the page's "large" threshold: no physics, no link labels
    page = visit(browser, m.write_html(tmp_path / "big.html").as_uri()).page
    assert page.evaluate("conceptmap.nodes.length") == len(m)
    assert page.evaluate("conceptmap.edges.get().filter(e => e.label).length") == 0
    page.evaluate("conceptmap.focusNode('bucket-0')")
    details = page.inner_text("#cm-details")
    assert "is sorted by XOR distance" in details
    assert "← part of Peer 40\n" in details
