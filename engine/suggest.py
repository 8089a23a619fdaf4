"""A learning rate for every optimizer that suits a surface: derived from the surface, then
checked by racing it.

A rate that suits Rosenbrock's valley makes SGD explode on Himmelblau at step 3, so each
surface suggests its own. Each optimizer says how (its ``lr_rule``): from the curvature the
race meets — the largest Hessian eigenvalue at the start and at the global minimum, since
gradient descent is stable below 2/λ_max — or from the distance to travel, for the adaptive
methods whose steps are about ε per coordinate whatever the gradient, or a fixed value.
Then the whole line-up races from the surface's first start: a rate whose run diverges, or
ends higher than it began, is halved and raced again.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from descentlab.engine.objective import Objective, objective
from descentlab.engine.optimizers.catalog import OPTIMIZERS, Optimizer
from descentlab.engine.race import race
from descentlab.engine.stability import largest_curvature

CHECK_STEPS = 300
HALVINGS = 20


def _largest_curvature(obj: Objective, points: np.ndarray) -> float:
    """λ_max of the Hessian over ``points`` (0 where it is not positive anywhere)."""
    tops = largest_curvature(obj, points)
    finite = tops[np.isfinite(tops)]
    return max(0.0, float(finite.max())) if finite.size else 0.0


def _first_guess(opt: Optimizer, curvature: float, distance: float, slope: float) -> float:
    rule = opt.lr_rule
    if rule.basis == "fixed":
        return rule.factor
    if rule.basis == "distance" or curvature <= 0.0:
        # Without curvature (a plane, a kink), a gradient step travels ε|g|: a few percent
        # of the way.
        return rule.factor * distance if rule.basis == "distance" else \
            0.05 * distance / max(slope, 1e-12)
    return rule.factor / curvature


def suggest_rates(obj: Objective, start: tuple[float, float]) -> dict[str, float]:
    """Every optimizer's suggested learning rate for a race on ``obj`` from ``start`` (but
    those that step towards f* where ``obj`` does not know it)."""
    x0, x1, y0, y1 = obj.view
    point = np.array([start], dtype=np.float64)
    minima = [c for c in obj.surface.critical_points(obj.params)
              if c.kind == "global_min"] if obj.surface is not None else []
    targets = np.array([[c.x, c.y] for c in minima]) if minima else np.zeros((0, 2))
    distance = float(np.min(np.hypot(*(targets - point).T))) if len(targets) else \
        0.1 * math.hypot(x1 - x0, y1 - y0)
    distance = max(distance, 1e-3 * math.hypot(x1 - x0, y1 - y0))
    f0, g0 = obj.value_grad(point)
    curvature = _largest_curvature(obj, np.concatenate([point, targets[:1]]))
    slope = float(np.hypot(*g0[0]))
    rates = {}
    for opt in OPTIMIZERS.values():
        if opt.needs_loss and obj.f_star is None:  # it cannot race here (Polyak's step)
            continue
        low, high = next((p.low, p.high) for p in opt.hyperparameters if p.name == "lr")
        rates[opt.id] = min(max(_first_guess(opt, curvature, distance, slope), low), high)
    # Rates that did not diverge, largest first: the fallback of an optimizer that ends
    # higher at every rate (Newton walking to a saddle does, whatever its step). A rate that
    # went down is kept as it is: the race is deterministic, so it is never halved again.
    finite: dict[str, float] = {}
    descended: set[str] = set()
    for _ in range(HALVINGS):
        result = race(obj, [(o, {"lr": lr}) for o, lr in rates.items()], start, CHECK_STEPS,
                      final_only=True)
        diverged = result.diverged_at[:, 0] >= 0
        bad = diverged | ~(result.final_loss[:, 0] < f0[0])
        for o, lost, failed in zip(list(rates), diverged, bad, strict=True):
            if not lost:
                finite.setdefault(o, rates[o])
            if failed:
                rates[o] = max(rates[o] / 2.0, _lowest(OPTIMIZERS[o]))
            else:
                descended.add(o)
        if not bad.any():
            return rates
    return {o: lr if o in descended else finite.get(o, lr) for o, lr in rates.items()}


def _lowest(opt: Optimizer) -> float:
    return next(p.low for p in opt.hyperparameters if p.name == "lr")


@lru_cache(maxsize=64)
def catalogue_rates(surface_id: str) -> dict[str, float]:
    """The suggestions for a catalogue surface at its defaults, from its first start."""
    obj = objective(surface_id)
    return suggest_rates(obj, tuple(obj.surface.starts[0]))

