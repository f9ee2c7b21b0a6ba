"""Opening pages in Debian's Chromium through playwright, for the browser tests.

Outside CI a machine without Chromium skips those tests, saying why; under CI
(``CI=true``) they must run, so a missing browser is a failure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch() -> Iterator[Any]:
    """A Chromium browser for a test session, or a skip (a failure under CI)."""
    missing = None
    if not CHROMIUM.exists():
        missing = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            missing = "the playwright package is not installed (pip install -e '.[dev]')"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run under CI: {missing}")
        pytest.skip(missing)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """A page opened with every request, console message and dialog recorded."""

    page: Any
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def visit(browser: Any, url: str, *, frame: bool = False, timeout: float = 30_000) -> Visit:
    """Open ``url``; any request but the page itself is recorded and aborted."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    seen = Visit(page)

    def route(r: Any) -> None:
        seen.requests.append(r.request.url)
        r.continue_() if r.request.url == url else r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: seen.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: seen.console.append(f"pageerror: {e}"))

    def dialog(d: Any) -> None:
        seen.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(url)
    wait_ready(map_frame(page) if frame else page, timeout)
    return seen


def wait_ready(target: Any, timeout: float = 30_000) -> None:
    """Wait until the map is drawn and at rest (or failed).

    Polled from here: playwright's wait_for_function evaluates strings, which the
    page's Content-Security-Policy (rightly) forbids.
    """
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        if target.evaluate("document.body.dataset.ready === '1' || !!document.body.dataset.error"):
            return
        time.sleep(0.02)
    raise AssertionError(f"the map was not drawn within {timeout / 1000:g} s")


def map_frame(page: Any) -> Any:
    """The frame that holds the map (the srcdoc iframe of a notebook output)."""
    page.wait_for_selector("iframe")
    for _ in range(200):  # the element can be there before its frame is attached
        frames = [f for f in page.frames if f.url == "about:srcdoc"]
        if frames:
            return frames[0]
        page.wait_for_timeout(50)
    raise AssertionError("the map's iframe never got its srcdoc frame")
