"""How the benchmarks time a contender, watch the machine's speed, and print a table of ratios.

On the virtual machines this project is measured on, the host now and then slows one virtual
CPU or both by about 1.6×, for seconds to minutes at a time: compiled kernels and the Python
interpreter alike. A figure taken in such a spell says nothing about the code. So the
one-path races are timed in turns over a window of several seconds, and every round also
times a fixed piece of pure Python on each CPU, to say how much of the window the machine ran
at its full speed.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """The fastest of several runs: the least disturbed by the rest of the machine."""
    return timed_rounds({"": fn}, repeats).best[""]


PROBE_SAMPLES = 20


_fastest_probe = [math.inf]  # ns, over the whole process: the machine's full speed


def cpu_speeds() -> dict[int, float]:
    """The time in ns of a fixed piece of pure Python (the best of a few) on each CPU this
    process may use, moving there to run it: the machine's speed is read from it."""
    cpus = os.sched_getaffinity(0)
    speeds = {}
    try:
        for cpu in sorted(cpus):
            os.sched_setaffinity(0, {cpu})
            speeds[cpu] = best_of(lambda: sum(range(100)), PROBE_SAMPLES) * 1e9
    finally:
        os.sched_setaffinity(0, cpus)
    _fastest_probe[0] = min(_fastest_probe[0], *speeds.values())
    return speeds


@dataclass
class Rounds:
    """The best time of each contender over some rounds, and the machine's speed in each."""

    best: dict[str, float]
    speeds: list[dict[int, float]] = field(default_factory=list)

    def machine(self, margin: float = 1.15) -> str:
        """One line: each CPU's best and median probe time, and the share of rounds in which
        every CPU ran within ``margin`` of the fastest probe this process has seen on any CPU
        (the machine's full speed: its CPUs are alike, so a slower one is held back)."""
        if not self.speeds:
            return "machine speed not watched"
        cpus = sorted(self.speeds[0])
        full = sum(max(s.values()) <= margin * _fastest_probe[0] for s in self.speeds)
        per_cpu = ", ".join(
            f"CPU {c} {min(s[c] for s in self.speeds):.0f} best / "
            f"{statistics.median(s[c] for s in self.speeds):.0f} median" for c in cpus)
        return (f"machine speed, sum(range(100)) in Python, ns: {per_cpu}; every CPU at full "
                f"speed in {full}/{len(self.speeds)} rounds")


def timed_rounds(contenders: Mapping[str, Callable[[], object]], rounds: int, *,
                 seconds: float = 0.0, watch: bool = False,
                 untimed_before: Mapping[str, Callable[[], object]] | None = None) -> Rounds:
    """Time the contenders in turns for at least ``rounds`` rounds and ``seconds`` seconds,
    keeping the best of each; with ``watch``, also read every CPU's speed each round. Every
    round runs each contender once, so a spell in which the machine runs slow falls on all of
    them alike, not on one alone.
    ``untimed_before[name]``, if given, runs just before contender ``name``, outside its
    timing."""
    untimed_before = untimed_before or {}
    result = Rounds(dict.fromkeys(contenders, math.inf))
    end = time.perf_counter() + seconds
    done = 0
    while done < rounds or time.perf_counter() < end:
        if watch:
            result.speeds.append(cpu_speeds())
        for name, fn in contenders.items():
            if name in untimed_before:
                untimed_before[name]()
            t0 = time.perf_counter()
            fn()
            result.best[name] = min(result.best[name], time.perf_counter() - t0)
        done += 1
    return result


def table(title: str, unit: str, rows: list[tuple[str, float]], reference: str) -> None:
    """One row per contender, with its value and its ratio to ``reference``'s."""
    base = dict(rows)[reference]
    print(f"\n{title}")
    print(f"  {'contender':<42}{unit:>16}{'× engine':>12}")
    for name, value in rows:
        print(f"  {name:<42}{value:>16.4g}{value / base:>12.1f}")
