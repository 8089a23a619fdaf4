"""Notice when Numba compiles, so that a first start can say what it is doing.

Numba compiles a kernel on its first call unless its on-disk cache holds the machine code.
Only a real compile fires Numba's ``numba:compile`` event — a cache hit does not — so
listening to it tells a cold start from a warm one as it happens. Guessing from the cache
folder instead would be wrong in a fresh clone: Numba drops an entry whose source file has
a new timestamp, so a full folder can still mean a minute of compiling.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from numba.core import event


def cache_folder() -> str:
    """Where compiled kernels are kept (set by the engine's Numba configuration)."""
    return os.environ.get("NUMBA_CACHE_DIR") or "Numba's default cache folder"


class _Listener(event.Listener):
    """Calls ``on_compile`` when an outermost compile starts; the kernels it calls compile
    inside it and are not counted again."""

    def __init__(self, on_compile: Callable[[], None]):
        self.on_compile = on_compile
        self.depth = 0

    def on_start(self, ev: event.Event) -> None:
        if self.depth == 0:
            self.on_compile()
        self.depth += 1

    def on_end(self, ev: event.Event) -> None:
        self.depth -= 1


@contextmanager
def on_compile(callback: Callable[[], None]) -> Iterator[None]:
    """Call ``callback`` each time Numba starts compiling a kernel inside the block."""
    with event.install_listener("numba:compile", _Listener(callback)):
        yield
