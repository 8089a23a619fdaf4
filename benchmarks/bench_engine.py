"""Engine benchmarks: the contenders side by side in one process, with ratios.

    python benchmarks/bench_engine.py            # everything
    python benchmarks/bench_engine.py --quick    # fewer repeats, no cold-compile run

1. One path: the six race optimizers × 1000 steps on Rosenbrock — the engine against a
   pure-Python loop and a NumPy loop (and torch.optim / JAX when installed).
2. Batched: 65,536 starts × 6 optimizers × 500 steps, final points only — the engine on all
   cores against NumPy vectorised over the starts (and torch when installed).
3. Step cost of each optimizer (six identical runs × 1000 steps on Rosenbrock, one
   thread), relative to SGD, beside the estimate the engine balances threads with.
4. Start-up: a fresh process from ``import descentlab`` to its first race, with a warm Numba
   cache and with an empty one.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _contenders import BATCH_LR, LR, SIX, numpy_paths, python_path
from _startup import report_startup
from _timing import best_of, table, timed_rounds

from descentlab import engine
from descentlab.engine.optimizers.catalog import get_optimizer

START = (-1.5, 2.0)
T = TypeVar("T")


def engine_race(steps: int, starts=START, final_only: bool = False, lrs=LR):
    return engine.race("rosenbrock", [(o, {"lr": lrs[o]}) for o in SIX], start=starts,
                       steps=steps, final_only=final_only)


def torch_paths(opt: str, steps: int, starts: np.ndarray, lrs=LR):
    import torch

    p = torch.tensor(np.asarray(starts, dtype=np.float64).T.copy(), requires_grad=True)
    lr = lrs[opt]
    kinds = {"sgd": lambda: torch.optim.SGD([p], lr=lr),
             "momentum": lambda: torch.optim.SGD([p], lr=lr, momentum=0.9),
             "nesterov": lambda: torch.optim.SGD([p], lr=lr, momentum=0.9, nesterov=True),
             "adagrad": lambda: torch.optim.Adagrad([p], lr=lr, eps=1e-8),
             "rmsprop": lambda: torch.optim.RMSprop([p], lr=lr, alpha=0.9, eps=1e-8),
             "adam": lambda: torch.optim.Adam([p], lr=lr)}
    optim = kinds[opt]()
    for _ in range(steps):
        optim.zero_grad()
        x, y = p[0], p[1]
        ((1 - x) ** 2 + 100 * (y - x * x) ** 2).sum().backward()
        optim.step()
    return p.detach().numpy().T


def on_threads(threads: int, fn: Callable[[], T]) -> T:
    """``fn()`` with Numba limited to ``threads`` threads."""
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        return fn()
    finally:
        numba.set_num_threads(before)


IDLE = 0.005


def one_path(repeats: int, seconds: float) -> None:
    steps = 1000
    engine_race(steps)  # compile (or load from cache) outside the timing
    # An engine race here takes well under a millisecond: many rounds cost little, and taking
    # the contenders in turns over a window of seconds lets neither a short disturbance nor a
    # spell of the machine running slow (which lasts seconds) set any figure.
    threads = numba.get_num_threads()
    more = 2 * steps
    rounds = timed_rounds({
        "pure Python": lambda: [python_path(o, steps) for o in SIX],
        # a race after the machine idled: the virtual machine wakes its CPUs first
        "after idling": lambda: engine_race(steps),
        # The other races follow one another, as a notebook loop or a slider drag asks them.
        # What a race costs whatever its length (resolving the request, arrays, dispatch):
        "set-up": lambda: engine_race(1),
        "race": lambda: engine_race(steps),
        # the kernel's own cost per step: a 3000-step race less the 1000-step one
        "longer race": lambda: engine_race(steps + more),
        "one thread": lambda: on_threads(1, lambda: engine_race(steps))},
        max(repeats, 20) * 10, seconds=seconds, watch=True,
        untimed_before={"after idling": lambda: time.sleep(IDLE)})
    best = rounds.best
    t_engine = best["race"]
    rows = [(f"engine.race, end to end ({threads} threads)", t_engine / (6 * steps) * 1e9),
            ("engine.race, end to end (1 thread)", best["one thread"] / (6 * steps) * 1e9),
            (f"engine kernel alone, per step ({threads} threads)",
             (best["longer race"] - t_engine) / (6 * more) * 1e9),
            ("set-up of a race (a 1-step race)", best["set-up"] / (6 * steps) * 1e9),
            (f"engine.race after {IDLE * 1e3:.0f} ms idle ({threads} threads)",
             best["after idling"] / (6 * steps) * 1e9),
            ("pure Python loop", best["pure Python"] / (6 * steps) * 1e9)]
    t_np = best_of(lambda: [numpy_paths(o, steps, np.array([START]), LR[o]) for o in SIX],
                   max(1, repeats // 10))
    rows.append(("NumPy loop", t_np / (6 * steps) * 1e9))
    try:
        import torch  # noqa: F401

        t_torch = best_of(lambda: [torch_paths(o, steps, np.array([START])) for o in SIX], 1)
        rows.append(("torch.optim (float64)", t_torch / (6 * steps) * 1e9))
    except ImportError:
        print("  (torch not installed: skipped)")
    table("One path: 6 optimizers × 1000 steps on Rosenbrock", "ns / opt-step", rows,
          rows[0][0])
    print(f"  {rounds.machine()}")
    race = engine_race(steps)
    for i, opt in enumerate(SIX):
        ref = python_path(opt, steps)
        assert np.allclose(race.final_positions[i, 0], ref, rtol=1e-9, atol=1e-12), opt


def batched(repeats: int, seconds: float) -> None:
    n, steps = 65_536, 500
    rng = np.random.default_rng(0)
    starts = np.column_stack([rng.uniform(-2, 2, n), rng.uniform(-1, 3, n)])
    engine_race(steps, starts[:1024], final_only=True, lrs=BATCH_LR)
    def run() -> object:
        return engine_race(steps, starts, final_only=True, lrs=BATCH_LR)

    rounds = timed_rounds({"engine": run, "one thread": lambda: on_threads(1, run)}, repeats,
                          seconds=seconds, watch=True)
    t_engine, t_one = rounds.best["engine"], rounds.best["one thread"]
    diverged = run().diverged_at >= 0
    work = n * 6 * steps
    rows = [(f"engine ({numba.get_num_threads()} threads)", work / t_engine),
            ("engine (1 thread)", work / t_one)]
    sub = 8192
    t_np = best_of(lambda: [numpy_paths(o, steps, starts[:sub], BATCH_LR[o]) for o in SIX], 1)
    rows.append(("NumPy vectorised over starts", sub * 6 * steps / t_np))
    try:
        import torch  # noqa: F401

        t_torch = best_of(lambda: [torch_paths(o, steps, starts[:sub], BATCH_LR) for o in SIX],
                          1)
        rows.append(("torch.optim over starts", sub * 6 * steps / t_torch))
    except ImportError:
        print("  (torch not installed: skipped)")
    print(f"\nBatched: {n:,} starts × 6 optimizers × {steps} steps "
          f"(engine {t_engine:.3f} s, {diverged.mean():.1%} of runs diverged; "
          f"others timed on {sub:,} starts)")
    print(f"  {'contender':<42}{'point-steps / s':>18}{'engine ×':>12}")
    for name, rate in rows:
        print(f"  {name:<42}{rate:>18.3e}{rows[0][1] / rate:>12.1f}")
    print(f"  {rounds.machine()}")


def step_costs(repeats: int) -> None:
    """Measure what each optimizer's ``step_cost`` estimates: the kernel's time per step of each
    optimizer, relative to SGD's (one path, where one thread runs a share of the runs). The
    difference of a 3000- and a 1000-step race leaves out the fixed set-up. All the races are
    timed in turns, so that a slow spell of the machine does not skew one optimizer's row."""
    def run(opt_id: str, steps: int) -> object:
        return engine.race("rosenbrock", [opt_id] * 6, start=START, steps=steps)

    ids = [opt.id for opt in engine.optimizers()]
    for opt_id in ids:
        run(opt_id, 10)
    rounds = on_threads(1, lambda: timed_rounds(
        {f"{o} {n}": lambda o=o, n=n: run(o, n) for o in ids for n in (1000, 3000)},
        repeats))
    cost = {o: (rounds.best[f"{o} 3000"] - rounds.best[f"{o} 1000"]) / (6 * 2000) for o in ids}
    print("\nStep cost per optimizer in the kernel: 6 identical runs on Rosenbrock, 1 thread")
    print(f"  {'optimizer':<20}{'ns / step':>12}{'× SGD':>10}{'estimate':>10}")
    for opt_id, seconds in cost.items():
        estimate = get_optimizer(opt_id).step_cost
        print(f"  {opt_id:<20}{seconds * 1e9:>12.1f}{seconds / cost['sgd']:>10.2f}"
              f"{estimate:>10.2f}")


def startup() -> None:
    report_startup("import descentlab → first race returned",
                   "import time; t=time.perf_counter(); import descentlab; "
                   "descentlab.race('rosenbrock', ['sgd', 'adam'], (-1.5, 2), 100); "
                   "print(time.perf_counter()-t)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, skip cold start")
    args = parser.parse_args()
    repeats = 5 if args.quick else 20
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min), "
          f"Numba threads {numba.config.NUMBA_NUM_THREADS}")
    one_path(repeats, 5.0 if args.quick else 30.0)
    batched(3 if args.quick else 5, 0.0 if args.quick else 20.0)
    step_costs(5 if args.quick else 20)
    if not args.quick:
        startup()


if __name__ == "__main__":
    main()
