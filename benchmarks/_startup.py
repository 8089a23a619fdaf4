"""Start-up time of a fresh Python process, with a warm Numba cache and with an empty one."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def report_startup(what: str, code: str) -> None:
    """Run ``code`` (which prints its own elapsed seconds) in new processes and print two
    times: with the engine's own cache folder, filled by a first untimed run, and with
    ``NUMBA_CACHE_DIR`` pointing at an empty folder."""
    print(f"\nStart-up: fresh process, {what}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def seconds() -> float:
        return float(subprocess.check_output([sys.executable, "-c", code], env=env,
                                             text=True, cwd=ROOT))

    seconds()  # fills the cache if this version of the engine has not been compiled yet
    print(f"  warm Numba cache: {seconds():6.2f} s")
    with tempfile.TemporaryDirectory() as cache:
        env["NUMBA_CACHE_DIR"] = cache
        print(f"  empty Numba cache: {seconds():6.2f} s")
