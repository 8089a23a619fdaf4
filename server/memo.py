"""Recent results kept in memory, by the canonical form of the request that made them.

The page asks for a network's decision boundary at every frame it plays: each request
names the whole race, and running the race again for each would cost a second a frame.
Races are deterministic — the same inputs give the same numbers, byte for byte — so the
result of an earlier request is exactly what a new one would compute, and remembering it
is correct without any invalidation. The memo is bounded by count and by bytes (the least
recently used go first; a result larger than the whole allowance is not kept) and locked,
because the worker threads that compute results also store them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class MemoCounters:
    """Lookups that found a result and lookups that did not."""

    hits: int = 0
    misses: int = 0


class Memo(Generic[T]):
    """At most ``entries`` results of at most ``max_bytes`` in all (``size`` measures one)."""

    def __init__(self, entries: int, max_bytes: int, size: Callable[[T], int]):
        self.entries, self.max_bytes, self.size = entries, max_bytes, size
        self.counters = MemoCounters()
        self._items: OrderedDict[Hashable, tuple[T, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> T | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.counters.misses += 1
                return None
            self.counters.hits += 1
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: T) -> None:
        nbytes = self.size(value)
        if self.entries == 0 or nbytes > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while len(self._items) > self.entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        return self._bytes
