"""How many threads a compiled parallel call gets: all of them only when its work pays for
waking them.

A ``prange`` loop hands work to the threading layer's worker threads, which sleep between
calls. Waking one costs nothing on an idle machine, but when the other core is busy (the
browser drawing the last race, another request, a compile) the worker waits for the
scheduler. Measured here (2 cores, one busy with another process): a streamed 6 × 1000 race,
four kernel calls of about 0.1 ms of work each, took 32 ms on two threads and 3.1 ms on one;
a race of 256 starts × 6 optimizers × 1000 steps took 8.0 ms on two and 2.4 ms on one. On
an idle core the second thread saves at most half of a call's own time, so below a few
milliseconds of work (``PARALLEL_FROM`` point-steps, at 2–10 ns each) one thread is the
better bet. Results never depend on the thread count: every work item owns its outputs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numba

PARALLEL_FROM = 2_000_000
"""Point-steps (runs × points × steps) from which a call runs on every thread."""


@contextmanager
def threads_for(point_steps: int) -> Iterator[None]:
    """Run the calls inside on one thread when ``point_steps`` is small, on every thread of
    the calling thread's setting otherwise (Numba's thread count is per calling thread, so
    concurrent requests do not affect each other)."""
    if point_steps >= PARALLEL_FROM:
        yield
        return
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)
