"""How the benchmarks time a contender and print a table of ratios."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """The fastest of several runs: the least disturbed by the rest of the machine."""
    return best_of_each({"": fn}, repeats)[""]


def best_of_each(contenders: Mapping[str, Callable[[], object]], rounds: int
                 ) -> dict[str, float]:
    """The fastest run of each contender, timed in turns: every round runs each once, so a
    spell in which the machine runs slow falls on all of them alike, not on one alone."""
    best = dict.fromkeys(contenders, math.inf)
    for _ in range(rounds):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def table(title: str, unit: str, rows: list[tuple[str, float]], reference: str) -> None:
    """One row per contender, with its value and its ratio to ``reference``'s."""
    base = dict(rows)[reference]
    print(f"\n{title}")
    print(f"  {'contender':<42}{unit:>16}{'× engine':>12}")
    for name, value in rows:
        print(f"  {name:<42}{value:>16.4g}{value / base:>12.1f}")
