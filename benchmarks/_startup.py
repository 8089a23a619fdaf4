"""Start-up time of a fresh Python process, with a warm Numba cache and with an empty one."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import Rounds, cpu_speeds

ROOT = Path(__file__).resolve().parents[1]


def report_startup(what: str, code: str) -> None:
    """Run ``code`` (which prints its own elapsed seconds) in new processes and print two
    times: with the engine's own cache folder, filled by a first untimed run, and with
    ``NUMBA_CACHE_DIR`` pointing at an empty folder."""
    print(f"\nStart-up: fresh process, {what}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def seconds() -> str:
        """The child's own figure, and the machine's speed read while it ran."""
        speeds = []
        with subprocess.Popen([sys.executable, "-c", code], env=env, text=True, cwd=ROOT,
                              stdout=subprocess.PIPE) as child:
            while child.poll() is None:
                speeds.append(cpu_speeds())
                time.sleep(0.25)
            out, _ = child.communicate()
        if child.returncode:
            raise subprocess.CalledProcessError(child.returncode, code, out)
        return f"{float(out):6.2f} s   ({Rounds({}, speeds).machine()})"

    seconds()  # fills the cache if this version of the engine has not been compiled yet
    print(f"  warm Numba cache: {seconds()}")
    with tempfile.TemporaryDirectory() as cache:
        env["NUMBA_CACHE_DIR"] = cache
        print(f"  empty Numba cache: {seconds()}")
