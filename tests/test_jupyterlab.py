"""End to end: a generated session notebook run in JupyterLab, in Chromium.

A real `jupyter lab` on 127.0.0.1 (temporary root, no token) serves a notebook made
by `conceptmap sessions`; Chromium opens it, runs all cells from the menu, and reads
the node count from inside the inline map's iframe. The server is stopped by its
own process id.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import conceptmap as cm

from .browser import launch

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AGENDA = Path(__file__).parent / "data" / "agendas" / "deep-dive-sessions.md"
READ_COUNT = "window.conceptmap && conceptmap.ready ? conceptmap.nodes.length : -1"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


STARTED = (
    "[...document.querySelectorAll('.jp-InputPrompt')]"
    ".some(e => /\\[[0-9*]+\\]/.test(e.textContent))"
)


def connected(url: str, seconds: float = 60) -> None:
    """Wait until the server says the notebook's kernel is idle with a client connected."""
    import json

    deadline, kernels = time.monotonic() + seconds, []
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/kernels", timeout=2) as reply:  # loopback
                kernels = json.load(reply)
        except OSError:  # the server answers 500 now and then while a kernel starts
            kernels = []
        if any(k["execution_state"] == "idle" and k["connections"] > 0 for k in kernels):
            return
        time.sleep(0.2)
    pytest.fail(f"no kernel was connected and idle within {seconds:g} s: {kernels}")


def started(page: Any, seconds: float = 15) -> bool:
    """True once some cell shows an execution count (or the running star)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if page.evaluate(STARTED):
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    jupyter = Path(sys.executable).parent / "jupyter"
    if not (Path(sys.executable).parent / "jupyter-lab").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("jupyterlab must be installed under CI (pip install -e '.[dev]')")
        pytest.skip("jupyterlab is not installed")
    port = free_port()
    env = {**os.environ, "CONCEPTMAP_AUTHOR": "lidel", "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    server = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--IdentityProvider.token=", "--ServerApp.password=", "--allow-root",
         f"--ServerApp.root_dir={tmp_path}", "--ServerApp.disable_check_xsrf=True"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=1)  # loopback only
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("jupyter lab did not start within 30 s")
        yield url, tmp_path
    finally:
        os.kill(server.pid, signal.SIGTERM)  # by its own process id
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()


def test_a_session_notebook_runs_in_jupyterlab(browser: Any, lab: tuple[str, Path]) -> None:
    import nbformat
    from click.testing import CliRunner

    from conceptmap.cli import main

    url, root = lab
    result = CliRunner().invoke(
        main, ["sessions", str(AGENDA), "-o", str(root / "notebooks"), "--maps", str(root / "maps")]
    )
    assert result.exit_code == 0, result.output
    path = root / "notebooks" / "graphsync.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        "%%conceptmap m\nobstacle: Round trips per block\n"
        "proposal: Selectors -addresses-> Round trips per block"
    ))  # fmt: skip
    nbformat.write(nb, path)

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/lab/tree/notebooks/graphsync.ipynb")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    connected(url)
    # JupyterLab can show "idle" before the kernel's session is connected, and then
    # drops a Run All: run again until the first cell has an execution count
    for _ in range(4):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        if started(page):
            break
    # the last map drawn is the one under the last %%conceptmap cell
    page.wait_for_selector(".jp-OutputArea iframe", timeout=90_000)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        # JupyterLab detaches cells scrolled out of view (and their iframes): a map
        # output is tall now (frame, picture, text), so bring the last one into view
        with contextlib.suppress(Exception):
            page.locator(".jp-OutputArea iframe").last.scroll_into_view_if_needed(timeout=2_000)
        frames = [f for f in page.frames if f.url == "about:srcdoc"]
        counts = []
        for frame in frames:
            try:
                counts.append(frame.evaluate(READ_COUNT))
            except Exception:  # a frame replaced while we asked
                counts.append(-1)
        if 3 in counts and (root / "maps" / "graphsync.md").exists():
            break
        time.sleep(0.25)
    assert 3 in counts, counts  # the topic, the obstacle and the proposal, drawn in the iframe
    m = cm.ConceptMap.load(root / "maps" / "graphsync.jsonl")
    assert len(m) == 3
    assert m.node("Selectors")["author"] == "lidel"
    assert (root / "maps" / "graphsync.html").is_file()
