"""Hyperparameter search, and a fair comparison of optimizers, on the batched kernel.

``search`` tries ``budget`` settings of an optimizer — on a grid, at random, or at random
and then again around the best (coarse to fine) — and keeps the one whose run ends lowest;
it repeats the whole search ``repeats`` times with fresh random draws, so the answer is a
distribution of "best found", which is what Bergstra & Bengio compare: with one
hyperparameter that barely matters, a grid of k² trials tries only k values of the one that
does, random search tries k².

``compare`` is the answer to "is Adam really better, or only better tuned?": every optimizer
gets the same tuning budget (random search on tuning starts), then each is judged with its
best setting on held-out starts and noise seeds it was not tuned on.

Every trial of every repeat is one run of one batched race: a search of 100 repeats × 64
trials is a single kernel call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from descentlab.engine.errors import EngineError
from descentlab.engine.maps import Axis, start_point
from descentlab.engine.objective import Objective, objective
from descentlab.engine.outcome import CONVERGED, classify
from descentlab.engine.race import GradientOptions, RaceSession, Run, make_run

Method = Literal["grid", "random", "coarse_to_fine"]
METHODS = ("grid", "random", "coarse_to_fine")


@dataclass
class SearchResult:
    """``trials[r, k]`` the k-th setting tried in repeat r (one column per axis) and
    ``scores[r, k]`` its final loss (∞ if it diverged); the best of each repeat."""

    axes: tuple[Axis, ...]
    method: str
    trials: np.ndarray
    scores: np.ndarray
    best: np.ndarray
    best_score: np.ndarray


@dataclass
class Comparison:
    """Per optimizer: the setting its tuning found, and on the held-out starts × seeds the
    final losses, the steps to converge (−1: never) and whether each run converged."""

    optimizers: list[str]
    tuned: list[dict[str, float]]
    final_loss: np.ndarray
    steps: np.ndarray
    converged: np.ndarray


def _axes(space: Mapping[str, Sequence] | Sequence, run: Run) -> tuple[Axis, ...]:
    """The searched axes, checked against the optimizer; errors name ``space.<name>`` (a
    mapping) or ``space.<index>`` (a list of axes)."""
    if isinstance(space, Mapping):
        fields = [f"space.{name}" for name in space]
        specs = [Axis.of((name, *spec), f) for (name, spec), f in zip(space.items(), fields,
                                                                       strict=True)]
    else:
        fields = [f"space.{i}" for i in range(len(space))]
        specs = [Axis.of(a, f) for a, f in zip(space, fields, strict=True)]
    ranges = {p.name: p for p in run.optimizer.hyperparameters}
    for axis, where in zip(specs, fields, strict=True):
        p = ranges.get(axis.name)
        if p is None:
            raise EngineError(f"{run.optimizer.name} has no hyperparameter '{axis.name}' (it "
                              f"has {', '.join(ranges)})", field=f"{where}.name")
        if axis.lo < p.low or axis.hi > p.high:
            raise EngineError(f"{axis.name} of {run.optimizer.name} lies in "
                              f"[{p.low:g}, {p.high:g}]", field=where)
    if not specs:
        raise EngineError("a search needs at least one hyperparameter", field="space")
    return tuple(specs)


def _uniform(axes: Sequence[Axis], rng: np.random.Generator, n: int,
             box: np.ndarray | None = None) -> np.ndarray:
    """n settings drawn uniformly (log-uniformly on log axes) from the axes, or from a
    sub-box (rows: low, high per axis, in the axes' own units)."""
    out = np.empty((n, len(axes)))
    for j, axis in enumerate(axes):
        lo, hi = (axis.lo, axis.hi) if box is None else box[:, j]
        u = rng.random(n)
        out[:, j] = np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo))) \
            if axis.scale == "log" else lo + u * (hi - lo)
    return out


def _grid(axes: Sequence[Axis], budget: int) -> np.ndarray:
    """The largest full grid within the budget: k values per axis, k^d ≤ budget."""
    k = max(1, int(np.floor(budget ** (1.0 / len(axes)) + 1e-9)))
    mesh = np.meshgrid(*[a.centres(k) for a in axes], indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def _scores(obj: Objective, base: Run, axes: Sequence[Axis], settings: np.ndarray,
            starts: np.ndarray, steps: int):
    """Race every setting from every start: final losses (settings, starts), ∞ where a run
    diverged, and the judged outcomes."""
    runs = [base._replace(hyperparameters={**base.hyperparameters,
                                           **{a.name: float(v) for a, v in zip(axes, row,
                                                                              strict=True)}})
            for row in settings]
    result = RaceSession(obj, runs, starts, steps, record=False).finish()
    judged = classify(result)
    loss = np.where(result.diverged_at >= 0, np.inf, result.final_loss)
    return loss, judged


def search(surface, optimizer, start: Sequence[float] | None, space: Mapping[str, Sequence],
           *,
           budget: int = 25, method: Method = "random", repeats: int = 100,
           steps: int = 300, seed: int = 0, params: Mapping[str, float] | None = None,
           noise_std: float = 0.0) -> SearchResult:
    """Search ``space`` (``{"lr": (1e-4, 1, "log"), "momentum": (0, 0.99)}``) with
    ``budget`` trials per repeat; a trial's score is its final loss after ``steps``. With
    ``start=None`` the surface's suggested start."""
    if method not in METHODS:
        raise EngineError(f"method is one of {', '.join(METHODS)}, not '{method}'",
                          field="method")
    if not 1 <= int(budget) <= 10_000 or not 1 <= int(repeats) <= 10_000:
        raise EngineError("budget and repeats must lie between 1 and 10,000", field="budget")
    obj = objective(surface, params)
    base = make_run(optimizer, GradientOptions(noise_std=float(noise_std), seed=int(seed)))
    axes = _axes(space, base)
    point = start_point(obj, start)[None, :]
    rng = np.random.default_rng(seed)
    if method == "grid":
        trials = np.broadcast_to(_grid(axes, budget), (repeats, *_grid(axes, budget).shape))
    elif method == "random":
        trials = np.stack([_uniform(axes, rng, budget) for _ in range(repeats)])
    else:
        trials = _coarse_to_fine(obj, base, axes, point, steps, budget, repeats, rng)
    flat = trials.reshape(-1, len(axes))
    loss, _ = _scores(obj, base, axes, flat, point, steps)
    scores = loss[:, 0].reshape(trials.shape[:2])
    best = np.argmin(scores, axis=1)
    rows = np.arange(repeats)
    return SearchResult(axes, method, np.array(trials), scores, trials[rows, best],
                        scores[rows, best])


def _coarse_to_fine(obj, base, axes, point, steps, budget, repeats, rng) -> np.ndarray:
    """Half the budget at random over the space, half at random in a box a quarter of the
    space's width (in its own scale) around the best of the first half."""
    first = max(1, budget // 2)
    coarse = np.stack([_uniform(axes, rng, first) for _ in range(repeats)])
    loss, _ = _scores(obj, base, axes, coarse.reshape(-1, len(axes)), point, steps)
    best = coarse[np.arange(repeats), np.argmin(loss[:, 0].reshape(repeats, first), axis=1)]
    fine = []
    for r in range(repeats):
        box = np.empty((2, len(axes)))
        for j, axis in enumerate(axes):
            if axis.scale == "log":
                width = (np.log(axis.hi) - np.log(axis.lo)) / 8
                centre = np.log(best[r, j])
                box[:, j] = np.exp(np.clip([centre - width, centre + width],
                                           np.log(axis.lo), np.log(axis.hi)))
            else:
                width = (axis.hi - axis.lo) / 8
                box[:, j] = np.clip([best[r, j] - width, best[r, j] + width], axis.lo,
                                    axis.hi)
        fine.append(_uniform(axes, rng, budget - first, box))
    return np.concatenate([coarse, np.stack(fine)], axis=1)


def compare(surface, optimizers: Sequence, *, budget: int = 20,
            space: Mapping[str, Mapping[str, Sequence]] | None = None,
            tuning_starts: Sequence[Sequence[float]] | np.ndarray,
            test_starts: Sequence[Sequence[float]] | np.ndarray,
            seeds: Sequence[int] = (0,), noise_std: float = 0.0, steps: int = 300,
            seed: int = 0, params: Mapping[str, float] | None = None) -> Comparison:
    """Tune each optimizer by random search with the same ``budget`` (its learning rate
    over 1e-4 … 1 on a log scale unless ``space`` says otherwise; score: the mean final
    loss over ``tuning_starts``), then run it with its best setting from every held-out
    start under every noise seed."""
    obj = objective(surface, params)
    tune = np.asarray(tuning_starts, dtype=np.float64)
    test = np.asarray(test_starts, dtype=np.float64)
    ids, tuned, losses, steps_to, converged = [], [], [], [], []
    rng = np.random.default_rng(seed)
    for spec in optimizers:
        base = make_run(spec, GradientOptions(noise_std=float(noise_std), seed=int(seed)))
        own = (space or {}).get(base.optimizer.id, {"lr": (1e-4, 1.0, "log")})
        axes = _axes(own, base)
        trials = _uniform(axes, rng, budget)
        loss, _ = _scores(obj, base, axes, trials, tune, steps)
        best = trials[int(np.argmin(np.mean(loss, axis=1)))]
        setting = {**base.hyperparameters,
                   **{a.name: float(v) for a, v in zip(axes, best, strict=True)}}
        runs = [base._replace(hyperparameters=setting,
                              gradient=GradientOptions(noise_std=float(noise_std),
                                                       seed=int(s)))
                for s in seeds]
        result = RaceSession(obj, runs, test, steps, record=False).finish()
        judged = classify(result)
        ids.append(base.optimizer.id if base.label == base.optimizer.name else base.label)
        tuned.append(setting)
        losses.append(result.final_loss)
        steps_to.append(np.where(judged.status == CONVERGED, judged.step, -1))
        converged.append(judged.status == CONVERGED)
    return Comparison(ids, tuned, np.stack(losses), np.stack(steps_to), np.stack(converged))
