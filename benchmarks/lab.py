"""A JupyterLab server and a Chromium page on it, for the benchmarks that need a real one.

Not a benchmark itself (``run.py`` runs only ``bench_*.py``). The server listens on
127.0.0.1 with no token, in a temporary root, and is stopped by its own process id.
"""

from __future__ import annotations

import contextlib
import json
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

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def jupyter_lab(root: Path) -> Iterator[str]:
    """A ``jupyter lab`` serving ``root``; yields its URL."""
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / ".jupyter-config")}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", "--IdentityProvider.token=", "--ServerApp.password=",
         "--allow-root", f"--ServerApp.root_dir={root}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{url}/api/status", timeout=1)  # loopback only
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("jupyter lab did not start within 60 s")
        yield url
    finally:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()


def kernel_ready(url: str, seconds: float = 120) -> None:
    """Wait until a kernel is idle with a client connected."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            with urllib.request.urlopen(f"{url}/api/kernels", timeout=2) as reply:  # loopback
                kernels = json.load(reply)
            if any(k["execution_state"] == "idle" and k["connections"] for k in kernels):
                return
        time.sleep(0.25)
    raise RuntimeError(f"no kernel was ready within {seconds:g} s")


def poll(page: Any, expression: str, seconds: float = 60) -> Any:
    """Evaluate ``expression`` in the page until it is truthy; its value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):  # the page is between two states
            value = page.evaluate(expression)
            if value:
                return value
        time.sleep(0.02)
    raise RuntimeError(f"not within {seconds:g} s: {expression}")


def run_all(page: Any) -> None:
    """Run every cell from the menu (again while JupyterLab drops the first Run All)."""
    started = (
        "[...document.querySelectorAll('.jp-InputPrompt')]"
        ".some(e => /\\[[0-9*]+\\]/.test(e.textContent))"
    )
    for _ in range(6):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        with contextlib.suppress(RuntimeError):
            poll(page, started, 20)
            return
    raise RuntimeError("the notebook's cells never started")
