"""A live Descent Lab server and Debian's Chromium, for the browser tests and benchmark.

The server runs as the real command (``python -m descentlab serve``) on a free loopback
port; Chromium is the system's, driven by Playwright without its own browser downloads.
The page exposes its live objects as ``window.descentLab`` and marks each finished race
on ``<body>`` (``data-race="ready"``, ``data-race-id``), which is what these helpers wait on.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
READY_TIMEOUT = 300.0  # a cold Numba cache compiles the engine before the first connection


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``python -m descentlab serve`` on a free port, stopped on exit."""

    def __init__(self, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> LabServer:
        env = {**os.environ, "DESCENTLAB_LOG_LEVEL": "warning", "DESCENTLAB_ACCESS_LOG": "false"}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "descentlab", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port)], cwd=ROOT, env=env, stdout=out,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError(f"the server was not ready in {READY_TIMEOUT} s")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.base}{path}", timeout=60) as r:
            return json.loads(r.read())

    def post(self, path: str, body: dict) -> Any:
        request = urllib.request.Request(f"{self.base}{path}", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as r:
            return json.loads(r.read())


# The start of a page function ``async (png) => {…}`` that reads a base64 PNG's pixels:
# ``image`` and its RGBA bytes ``data``, for the measurements Plotly's WebGL leaves no
# element to take.
PNG_PIXELS = """async (png) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + png;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, image.width, image.height).data;
"""


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless, with nothing phoning home."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def race_id(page: Any) -> int:
    """The id of the last race the page finished drawing (0: none yet)."""
    return page.evaluate("() => Number(document.body.dataset.raceId || 0)")


def wait_race(page: Any, after: int, timeout: float = 60_000) -> int:
    """Wait until a race newer than ``after`` is complete and drawn; its id."""
    page.wait_for_function(
        "(after) => Number(document.body.dataset.raceId || 0) > after"
        " && document.body.dataset.race === 'ready'", arg=after, timeout=timeout)
    return race_id(page)


def open_lab(page: Any, base: str, fragment: str = "") -> int:
    """Load the page (with a ``#…`` state) and wait for its first race."""
    page.goto(f"{base}/{fragment}")
    return wait_race(page, 0)


def lab(page: Any, expression: str, arg: Any = None) -> Any:
    """Evaluate ``(lab, arg) => …`` against the page's ``window.descentLab``."""
    return page.evaluate(f"(arg) => ({expression})(window.descentLab, arg)", arg)


def wait_3d_markers(page: Any, plot: str, points: list[list[float]],
                    timeout: float = 15_000) -> None:
    """Wait until the 3-D view in element ``plot`` draws its run markers (its last trace) at
    exactly ``points``, one [x, y] per run."""
    page.wait_for_function(
        """([plot, want]) => { const d = document.querySelector(`#${plot} .graph`).data;
          const m = d[d.length - 1];
          return m.x.length === want.length
            && want.every((p, i) => Math.abs(m.x[i] - p[0]) < 1e-12
                                  && Math.abs(m.y[i] - p[1]) < 1e-12); }""",
        arg=[plot, points], timeout=timeout)


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
