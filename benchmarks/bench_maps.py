"""Maps: the general basin map against a kernel written for exactly one optimizer and surface.

    python benchmarks/bench_maps.py [--quick] [--passes] [--cluster]

1. A 512 × 512 basin map, Adam (lr 0.05) on Himmelblau, 500 steps — 1.3·10⁸ point-steps —
   on every thread: ``engine.basin_map`` (which also judges every cell), the bare
   ``race(..., final_only=True)`` under it, and a hand-specialised Numba kernel for exactly
   Adam on Himmelblau (chunks of starts over ``prange``, no dispatch, final points only):
   the limit a general map can approach. Medians of interleaved rounds, in wall and in CPU
   time, with the load average (the machine is shared). Beside it the same hand kernel
   judging every step (the step each start converges and diverges, checked equal to the
   race's): what the statuses a map reports cost at the least. On a two-core AVX-512
   machine, 512², seven rounds: that kernel 0.70× the bare one, ``race(final_only=True)``
   0.46×, ``basin_map`` 0.42× — the general race 0.66× the judging hand kernel.
2. A 256² hyperparameter map (momentum's lr × μ on the κ = 100 ravine), which races one
   run per cell, at 500 and at 50 steps (what a cell costs beside its steps), against a
   basin map of the same size.
3. The first tile of a streamed 512² map: how soon the page can draw something, and the
   bytes of a whole 512² map document as the API sends it (plain and zstd).
4. With ``--passes``: one thread, one chunk of the race kernel's size, what each pass of a
   step costs per point-step — Adam's rule alone (``update``), then the surface's evaluation,
   then judging and the copy of x before the step — against the hand-specialised kernel on
   the same points: where the general kernel's time goes. Measured here (two runs): the hand
   kernel 1.78–1.80 ns, the rule alone 1.84–1.93, with the evaluation 2.28–2.41, with judging
   and the copy 3.20–3.23. The rule's pass alone costs what the hand kernel's whole step does
   (both wait on the square root and the division; the hand kernel evaluates meanwhile).
   On a two-core machine with AVX-512 (one run each), where the hand kernel and every pass
   vectorise eight doubles wide: 0.74, 0.82, 1.21 and 1.94 ns while ``judge`` carried the
   rare repair after a divergence inlined; 0.72, 0.79, 1.18 and 1.57 since the kernel calls
   ``repair`` itself (``race_kernel.judge``), which took the 512² map from 0.38–0.44× of the
   hand kernel (six runs, median 0.41) to 0.44× (three runs).
   Tried on the whole race, results byte-identical, none kept: judging inside each surface's
   evaluation loop (one thread 2.97 → 2.80 ns per point-step in one run, but 0.45–0.63× of
   the hand kernel over three rounds on two threads against a steady 0.58–0.60, and a cold
   compile of 133 → 224 s); the same judged evaluation as a compiled call (0.55×); views
   that own no reference count in the step loop (no change); strip-mining a chunk into
   blocks of 8–64 points (the evaluation hides under the division at ≤ 16 points, but each
   block's set-up, about 10 ns, costs as much as it saves); on the AVX-512 machine, a kernel
   compiled on demand for each (optimizer, surface) pair — each rule split into a preamble
   its coordinates share and the step of one coordinate, picked with the surface's formula
   by overloads on literal codes, one loop per point doing rule, evaluation and judging,
   5.5 s to compile a pair, loaded from the cache by a second process — no faster than the
   general kernel with the repair still inlined in ``judge`` (one thread, CPU time: 0.49×
   the hand kernel against 0.50×; 0.48 against 0.48 on two threads). Against the general
   kernel, 256² × 300 steps, lr 0.01, one thread: SGD 1.20–1.73× as fast on the polynomial
   surfaces, Adam 0.77–1.07×, both 0.74–1.02× where the formula calls cos or exp. The fused
   loop still stores what the passes store for each point (x, its copy, g, f, the state, the
   step of convergence); only leaving out the divergence test, which a map cannot, took it
   to 0.62×.
5. With ``--cluster``: a 2048² map (Adam on Himmelblau, 200 steps) in this process and on a
   two-worker ``LocalCluster`` (one thread each, started and warmed before the clock runs):
   the cost of shipping tiles, the same bytes either way.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time
from collections.abc import Callable

import numba
import numpy as np
import zstandard
from _timing import best_of
from numba import njit, prange

from descentlab import engine
from descentlab.engine import race_kernel as RK
from descentlab.engine.objective import objective
from descentlab.engine.optimizers import kernels as K
from descentlab.engine.race import GradientOptions, RaceSession, make_run
from descentlab.engine.surfaces.dispatch import value_grad_batch
from descentlab.server.jsonio import dumps
from descentlab.server.map_schemas import BasinMapRequest
from descentlab.server.map_translate import MapStream, map_document

CHUNK = 512
HAND = "hand-specialised kernel (Adam × Himmelblau)"


def interleaved(contenders: dict[str, Callable[[], object]], rounds: int
                ) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and CPU seconds of every contender in each round, the contenders taking turns,
    so that a slow spell of the shared machine falls on all of them alike. CPU time counts
    only the time this process's threads ran: on a machine loaded past its cores, wall time
    varied ±30 % between runs, the CPU-time ratio ±5 %."""
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            c, t = time.process_time(), time.perf_counter()
            fn()
            wall[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    return wall, cpu


def median_ratio(seconds: dict[str, list[float]], name: str) -> float:
    """The median over rounds of the hand kernel's time over ``name``'s in the same round."""
    return statistics.median(h / s for h, s in zip(seconds[HAND], seconds[name], strict=True))


@njit(cache=True, nogil=True, error_model="numpy")
def _adam_himmelblau_chunk(x, y, steps, lr, b1, b2, eps):
    """Adam on Himmelblau for one chunk of starts, in place: no surface dispatch, no
    divergence bookkeeping, final points only."""
    n = x.size
    mx, my, vx, vy = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    p1, p2 = 1.0, 1.0
    for _ in range(steps):
        p1 *= b1
        p2 *= b2
        c1, c2 = 1.0 / (1.0 - p1), 1.0 / (1.0 - p2)
        for i in range(n):
            a = x[i] * x[i] + y[i] - 11.0
            b = x[i] + y[i] * y[i] - 7.0
            gx = 4.0 * a * x[i] + 2.0 * b
            gy = 2.0 * a + 4.0 * b * y[i]
            mx[i] = b1 * mx[i] + (1.0 - b1) * gx
            my[i] = b1 * my[i] + (1.0 - b1) * gy
            vx[i] = b2 * vx[i] + (1.0 - b2) * gx * gx
            vy[i] = b2 * vy[i] + (1.0 - b2) * gy * gy
            x[i] -= lr * mx[i] * c1 / (math.sqrt(vx[i] * c2) + eps)
            y[i] -= lr * my[i] * c1 / (math.sqrt(vy[i] * c2) + eps)


@njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def adam_himmelblau(x, y, steps, lr, b1, b2, eps):
    chunks = (x.size + CHUNK - 1) // CHUNK
    for c in prange(chunks):
        lo, hi = c * CHUNK, min((c + 1) * CHUNK, x.size)
        _adam_himmelblau_chunk(x[lo:hi], y[lo:hi], steps, lr, b1, b2, eps)


@njit(cache=True, nogil=True, error_model="numpy")
def _adam_himmelblau_judged_chunk(x, y, steps, lr, b1, b2, eps, fstar, tol, gtol, bound, conv,
                                  div):
    """The hand kernel that also judges every step as a race does: the step each point first
    converges (|g| ≤ gtol or |f − f*| ≤ tol) and first diverges (not finite, or out of
    bounds), at the top of each step where the point's gradient is taken anyway. A diverged
    point is held where it was found bad; a race puts it back one step, which a map would
    redo for those few points alone. This is the least the statuses a map reports can cost."""
    n = x.size
    mx, my, vx, vy = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    p1, p2 = 1.0, 1.0
    gtol2 = gtol * gtol
    for t in range(steps + 1):
        p1 *= b1
        p2 *= b2
        c1, c2 = 1.0 / (1.0 - p1), 1.0 / (1.0 - p2)
        for i in range(n):
            xi, yi = x[i], y[i]
            a = xi * xi + yi - 11.0
            b = xi + yi * yi - 7.0
            f = a * a + b * b
            gx = 4.0 * a * xi + 2.0 * b
            gy = 2.0 * a + 4.0 * b * yi
            live = div[i] < 0
            sane = ((abs(xi) <= bound) & (abs(yi) <= bound) & (abs(f) < np.inf)
                    & (abs(gx) < np.inf) & (abs(gy) < np.inf))
            near = (gx * gx + gy * gy <= gtol2) | (abs(f - fstar) <= tol)
            conv[i] = t if (conv[i] < 0) & near & sane & live else conv[i]
            div[i] = t if live & ~sane else div[i]
            mx[i] = b1 * mx[i] + (1.0 - b1) * gx
            my[i] = b1 * my[i] + (1.0 - b1) * gy
            vx[i] = b2 * vx[i] + (1.0 - b2) * gx * gx
            vy[i] = b2 * vy[i] + (1.0 - b2) * gy * gy
            still = live & sane
            x[i] = xi - lr * mx[i] * c1 / (math.sqrt(vx[i] * c2) + eps) if still else xi
            y[i] = yi - lr * my[i] * c1 / (math.sqrt(vy[i] * c2) + eps) if still else yi


@njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def adam_himmelblau_judged(x, y, steps, lr, b1, b2, eps, judging, conv, div):
    fstar, tol, gtol, bound = judging
    chunks = (x.size + CHUNK - 1) // CHUNK
    for c in prange(chunks):
        lo, hi = c * CHUNK, min((c + 1) * CHUNK, x.size)
        _adam_himmelblau_judged_chunk(x[lo:hi], y[lo:hi], steps, lr, b1, b2, eps, fstar, tol,
                                      gtol, bound, conv[lo:hi], div[lo:hi])


PASSES = ("Adam's rule (update) alone", "+ evaluation", "+ judging and the copy of x")


@njit(cache=True, nogil=True, error_model="numpy")
def _passes(upto, starts, steps, code, h, sc0, surf_code, sp, ops, consts, judging):
    """The race kernel's step on one chunk (columns of ``starts``), its passes up to ``upto``
    (0: the rule, 1: + the evaluation, 2: + the copy of x and judging), through the same
    inlined functions the kernel calls, with no recording, noise or clipping."""
    n = starts.shape[1]
    fstar, use_fstar, tol, gtol, bound = judging
    xc = starts.copy()
    gc = np.empty((2, n))
    fc = np.empty(n)
    state = np.zeros((2, 2 * n))
    sc = sc0.copy()
    x_prev = np.empty((2, n))
    conv = np.full(n, -1, dtype=np.int64)
    div = np.full(n, -1, dtype=np.int64)
    x_flat, g_flat, x_prev_flat = xc.reshape(2 * n), gc.reshape(2 * n), x_prev.reshape(2 * n)
    value_grad_batch(surf_code, sp, ops, consts, xc, fc, gc)
    for s in range(steps):
        if upto >= 2:
            RK.copy_flat(x_prev_flat, x_flat)
        K.update(code, x_flat, g_flat, state, sc, s + 1, 0.05, h, n)
        if upto >= 1:
            value_grad_batch(surf_code, sp, ops, consts, xc, fc, gc)
        if upto >= 2 and RK.judge(s + 1, xc, fc, gc, conv, div, fstar, use_fstar, tol, gtol,
                                  bound):
            RK.repair(s + 1, xc, fc, gc, x_prev, conv, div, 0, bound, surf_code, sp, ops, consts)
    return xc


def passes(steps: int, rounds: int) -> None:
    """Per point-step, on one thread: each pass of the general step, and the hand kernel."""
    obj = objective("himmelblau", None)
    x0, x1, y0, y1 = obj.view
    side = int(math.sqrt(RK.CHUNK))
    grid = np.meshgrid(np.linspace(x0, x1, side), np.linspace(y0, y1, RK.CHUNK // side))
    starts = np.ascontiguousarray(np.stack([g.ravel() for g in grid]))
    # What the race would hand its kernel for this run: code, hyperparameters, scalar state.
    race = RaceSession(obj, [make_run(("adam", {"lr": 0.05}), GradientOptions())],
                       starts.T.copy(), steps, record=False)
    common = (starts, steps, race.codes[0], race.H[0].copy(), race.SC[0].copy(),
              *obj.kernel_args, race._judging)
    repeats = max(1, 2_000_000 // (starts.shape[1] * steps))

    def hand() -> None:
        for _ in range(repeats):
            _adam_himmelblau_chunk(starts[0].copy(), starts[1].copy(), steps, 0.05, 0.9,
                                   0.999, 1e-8)

    def up_to(upto: int) -> Callable[[], object]:
        return lambda: [_passes(upto, *common) for _ in range(repeats)]

    contenders = {HAND: hand, **{name: up_to(upto) for upto, name in enumerate(PASSES)}}
    for fn in contenders.values():
        fn()  # compile
    _, cpu = interleaved(contenders, rounds)
    cells = starts.shape[1] * steps * repeats
    print(f"\none chunk ({starts.shape[1]} starts) × {steps} steps, one thread, Adam on "
          f"Himmelblau: CPU ns per point-step, medians of {rounds} interleaved rounds")
    for name in contenders:
        print(f"  {name:<44}{statistics.median(cpu[name]) / cells * 1e9:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 256² map and fewer repeats")
    parser.add_argument("--passes", action="store_true",
                        help="also what each pass of the general step costs, one thread")
    parser.add_argument("--cluster", action="store_true",
                        help="also a 2048² map in process and on a two-worker LocalCluster")
    args = parser.parse_args()
    side, steps, repeats = (256, 500, 2) if args.quick else (512, 500, 3)
    adam = ("adam", {"lr": 0.05})
    view = engine.get_surface("himmelblau").view
    m = engine.basin_map("himmelblau", adam, resolution=side, steps=steps)
    starts = np.stack(np.meshgrid(m.x, m.y), axis=-1).reshape(-1, 2)

    def hand() -> None:
        x, y = starts[:, 0].copy(), starts[:, 1].copy()
        adam_himmelblau(x, y, steps, 0.05, 0.9, 0.999, 1e-8)

    surface = objective("himmelblau", None)
    judging = np.array([surface.f_star, 1e-6, 1e-6, surface.bound])  # the race's defaults

    def judged_hand() -> tuple[np.ndarray, np.ndarray]:
        x, y = starts[:, 0].copy(), starts[:, 1].copy()
        conv, div = np.full(x.size, -1), np.full(x.size, -1)
        adam_himmelblau_judged(x, y, steps, 0.05, 0.9, 0.999, 1e-8, judging, conv, div)
        return conv, div

    hand()  # compile
    conv, div = judged_hand()
    raced = engine.race("himmelblau", [adam], starts, steps, final_only=True)
    print(f"the judging hand kernel's statuses against the race's: convergence step equal for "
          f"{np.mean(conv == raced.converged_at[0]):.2%} of starts, divergence step for "
          f"{np.mean(div == raced.diverged_at[0]):.2%}")
    cells = side * side * steps
    contenders = {
        "hand-specialised kernel (Adam × Himmelblau)": hand,
        "the same, judging every step": judged_hand,
        "engine.race(final_only=True)": lambda: engine.race(
            "himmelblau", [adam], starts, steps, final_only=True),
        "engine.basin_map (race + judging)": lambda: engine.basin_map(
            "himmelblau", adam, view=view, resolution=side, steps=steps),
    }
    load = os.getloadavg()[0]
    wall, cpu = interleaved(contenders, 3 if args.quick else 7)
    print(f"\n{side}² basin map, Adam on Himmelblau, {steps} steps, "
          f"{numba.get_num_threads()} threads, load average {load:.1f} → "
          f"{os.getloadavg()[0]:.1f}; medians of {len(wall[HAND])} interleaved rounds")
    print(f"  {'contender':<44}{'seconds':>9}{'point-steps/s':>15}{'× hand':>8}"
          f"{'× hand, CPU':>13}")
    for name in contenders:
        print(f"  {name:<44}{statistics.median(wall[name]):>9.3f}"
              f"{cells / statistics.median(wall[name]):>15.3e}"
              f"{median_ratio(wall, name):>8.2f}{median_ratio(cpu, name):>13.2f}")

    hp_side = 128 if args.quick else 256
    ravine = {"params": {"kappa": 100}, "resolution": hp_side}
    momentum = ("momentum", {"lr": 0.01, "momentum": 0.9})
    maps = {f"engine.hyperparameter_map ({steps} steps)": lambda: engine.hyperparameter_map(
                "ravine", "momentum", (2, 1), x=("lr", 1e-3, 0.1, "log"),
                y=("momentum", 0, 0.99), steps=steps, **ravine),
            "engine.hyperparameter_map (50 steps)": lambda: engine.hyperparameter_map(
                "ravine", "momentum", (2, 1), x=("lr", 1e-3, 0.1, "log"),
                y=("momentum", 0, 0.99), steps=50, **ravine),
            f"engine.basin_map, same size ({steps} steps)": lambda: engine.basin_map(
                "ravine", momentum, steps=steps, **ravine)}
    wall, _ = interleaved(maps, 3 if args.quick else 5)
    print(f"\n{hp_side}² maps, momentum on the κ = 100 ravine: the cost of a cell "
          f"(a hyperparameter map races one run per cell; a basin map one point of one run)")
    print(f"  {'contender':<48}{'seconds':>9}{'µs / cell':>11}")
    for name in maps:
        seconds = statistics.median(wall[name])
        print(f"  {name:<48}{seconds:>9.3f}{seconds / hp_side ** 2 * 1e6:>11.2f}")

    request = BasinMapRequest.model_validate({
        "surface": {"id": "himmelblau"}, "optimizer": {"id": "adam",
                                                      "hyperparameters": {"lr": 0.05}},
        "resolution": side, "steps": steps})

    def first_pieces() -> None:
        stream = MapStream(request, 500, 4096)
        stream.meta()
        stream.next_frame()

    first = best_of(first_pieces, repeats)
    print(f"\nstreamed {side}² map: meta and coarse pass ready {first * 1e3:.0f} ms after "
          f"the request (target ≤ 100 ms)")
    started = time.perf_counter()
    stream = MapStream(request, 500, 4096)
    while not stream.done:
        stream.next_frame()
    print(f"  the whole stream: {time.perf_counter() - started:.2f} s")
    encoded = dumps(map_document(m))
    print(f"  a whole {side}² map document: {len(encoded) / 1e6:.2f} MB of JSON, "
          f"{len(zstandard.ZstdCompressor().compress(encoded)) / 1e6:.2f} MB with zstd")
    if args.passes:
        passes(steps, 7)
    if args.cluster:
        cluster_overhead(adam)


def cluster_overhead(adam: tuple) -> None:
    """A 2048² map here and on two worker processes; the difference is what Dask costs."""
    from distributed import Client, LocalCluster

    side, steps = 2048, 200

    def here() -> engine.MapResult:
        return engine.basin_map("himmelblau", adam, resolution=side, steps=steps)

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        engine.basin_map("himmelblau", adam, resolution=64, steps=steps, client=client)
        started = time.perf_counter()
        remote = engine.basin_map("himmelblau", adam, resolution=side, steps=steps,
                                  client=client)
        on_cluster = time.perf_counter() - started
    started = time.perf_counter()
    local = here()
    in_process = time.perf_counter() - started
    same = all(np.array_equal(getattr(local, k), getattr(remote, k))
               for k in ("status", "basin", "step", "final", "loss"))
    print(f"\n{side}² basin map, Adam on Himmelblau, {steps} steps "
          f"({side * side * steps:.2e} point-steps)")
    print(f"  in process ({numba.get_num_threads()} threads): {in_process:.2f} s")
    print(f"  two-worker LocalCluster:  {on_cluster:.2f} s "
          f"(overhead {on_cluster / in_process - 1:+.0%}); same bytes: {same}")


if __name__ == "__main__":
    main()
