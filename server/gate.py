"""Admission control for engine work, so that a busy server stays responsive.

Every computation (a race, a stream segment, a grid) runs in a worker thread — the compiled
kernels release the GIL, so the event loop keeps answering ``/healthz`` — and holds one of
``slots`` permits while it runs. A new request that finds no free permit waits up to
``queue_timeout`` seconds (a short burst is absorbed) and then gets a 503 with Retry-After,
rather than piling up behind work it would time out on anyway. A stream takes a permit per
segment, so a slow reader never holds one while it reads, and it waits without a deadline
once started (the semaphore is fair, so it is never starved).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
import anyio.to_thread

from descentlab.server.errors import ApiError, item

T = TypeVar("T")


@dataclass
class Counters:
    """What the gate has seen; read by /readyz and by the tests."""

    busy: int = 0
    computations: int = 0
    rejected: int = 0
    streams_finished: int = 0
    streams_cancelled: int = 0


class Gate:
    """At most ``slots`` engine computations at once, each in a worker thread."""

    def __init__(self, slots: int, queue_timeout: float, retry_after: int):
        self.slots = slots
        self.queue_timeout = queue_timeout
        self.retry_after = retry_after
        self.counters = Counters()
        self._permits = anyio.Semaphore(slots)

    async def admit(self) -> None:
        """Take a permit, waiting at most ``queue_timeout``; raise a 503 otherwise."""
        try:
            self._permits.acquire_nowait()
            return
        except anyio.WouldBlock:
            pass
        with anyio.move_on_after(self.queue_timeout):
            await self._permits.acquire()
            return
        self.counters.rejected += 1
        raise ApiError(503, [item([], f"the server is busy computing {self.slots} "
                                      f"requests; retry in {self.retry_after} s", "busy")],
                       headers={"Retry-After": str(self.retry_after)})

    async def run(self, fn: Callable[..., T], *args: object, queue: bool = True) -> T:
        """``fn(*args)`` in a worker thread under a permit. ``queue=False``: wait for one
        as long as it takes (a stream that has already started)."""
        if queue:
            await self.admit()
        else:
            await self._permits.acquire()
        self.counters.busy += 1
        try:
            return await anyio.to_thread.run_sync(fn, *args)
        finally:
            self.counters.busy -= 1
            self.counters.computations += 1
            self._permits.release()
