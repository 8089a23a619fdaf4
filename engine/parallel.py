"""Spread the race kernel's chunks of points over threads.

The kernel releases the GIL, so plain Python threads run chunks truly in parallel. A race
of at most one chunk (every one-path race) runs in the calling thread, with no hand-off.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from engine.race_kernel import CHUNK, advance

THREADS = max(1, int(numba.config.NUMBA_NUM_THREADS))
_POOL = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="descentlab-chunks")


def advance_in_threads(n_points: int, sc: np.ndarray, *args) -> None:
    """Call ``advance(chunk_lo, chunk_hi, sc, *args)`` over all chunks, split among threads.

    Every chunk evolves the scalar state (running products β^t) identically from the same
    start, so each thread works on its own copy and the first copy is kept.
    """
    n_chunks = -(-n_points // CHUNK)
    workers = min(THREADS, n_chunks)
    copies = [sc.copy() for _ in range(workers)]

    def call(worker: int, lo: int, hi: int) -> None:
        advance(lo, hi, copies[worker], *args)

    if workers == 1:
        call(0, 0, n_chunks)
    else:
        bounds = np.linspace(0, n_chunks, workers + 1).round().astype(int)
        futures = [_POOL.submit(call, w, int(bounds[w]), int(bounds[w + 1]))
                   for w in range(workers)]
        for future in futures:
            future.result()
    sc[:] = copies[0]
