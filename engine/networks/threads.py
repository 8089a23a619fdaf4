"""Run independent compiled calls on a few threads.

Every kernel here releases the GIL, so plain Python threads run them truly in parallel;
each task owns its output slices and its workspace, so results do not depend on which
thread ran what. One task, or a one-thread machine, runs in the calling thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numba

THREADS = max(1, int(numba.config.NUMBA_NUM_THREADS))
_POOL = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="descentlab-networks")


def run_all(tasks: Sequence[Callable[[], None]]) -> None:
    """Call every task, spread over the pool; exceptions are re-raised here."""
    if len(tasks) <= 1 or THREADS == 1:
        for task in tasks:
            task()
        return
    for future in [_POOL.submit(task) for task in tasks]:
        future.result()


def split(count: int, parts: int) -> list[tuple[int, int]]:
    """``count`` items cut into at most ``parts`` contiguous, nearly equal ranges."""
    parts = max(1, min(parts, count))
    bounds = [round(count * k / parts) for k in range(parts + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(parts)]
