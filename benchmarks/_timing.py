"""How the benchmarks time a contender and print a table of ratios."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """The fastest of several runs: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def table(title: str, unit: str, rows: list[tuple[str, float]], reference: str) -> None:
    """One row per contender, with its value and its ratio to ``reference``'s."""
    base = dict(rows)[reference]
    print(f"\n{title}")
    print(f"  {'contender':<42}{unit:>16}{'× engine':>12}")
    for name, value in rows:
        print(f"  {name:<42}{value:>16.4g}{value / base:>12.1f}")
