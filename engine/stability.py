"""How large a learning rate the start allows: the curvature there, and for the methods whose
stability on a quadratic is known (gradient descent, the heavy ball, Nesterov: see
``engine.theory``) the largest rate whose steps do not grow.

A race that "explodes" has most often a rate past this limit: with lr·λ_max > 2 gradient
descent overshoots the valley's walls by more than it started with, step after step. The page
warns beside such a rate. The judgement is local (the Hessian at the start, not along the
path), which is what a student can check against the picture before pressing play.
"""

from __future__ import annotations

import math

import numpy as np

from descentlab.engine.objective import Objective
from descentlab.engine.race import Run


def _top(hxx: np.ndarray, hxy: np.ndarray, hyy: np.ndarray) -> np.ndarray:
    """The larger eigenvalue of the symmetric 2×2 matrix [[hxx, hxy], [hxy, hyy]]."""
    return (hxx + hyy) / 2.0 + np.hypot((hxx - hyy) / 2.0, hxy)


def largest_curvature(obj: Objective, points: np.ndarray) -> np.ndarray:
    """λ_max of the Hessian at each row of ``points`` (NaN where it is not finite)."""
    with np.errstate(invalid="ignore", over="ignore"):
        top = _top(*obj.hessian(points).T)
    return np.where(np.isfinite(top), top, np.nan)


def lr_limit(run: Run, hessian: np.ndarray) -> dict | None:
    """The largest stable learning rate of ``run`` where the Hessian is (∂xx, ∂xy, ∂yy), with
    the rule that gave it; None where theory says nothing (adaptive methods, Newton) or the
    curvature is not positive. Per-coordinate rates scale the gradient by S = diag(sx, sy):
    the iteration then sees S·H, whose eigenvalues are those of S^½ H S^½."""
    theory = run.optimizer.quadratic
    if theory is None:
        return None
    sx, sy = run.optimizer.gradient_scale(run.hyperparameters)
    hxx, hxy, hyy = (float(v) for v in hessian)
    with np.errstate(invalid="ignore", over="ignore"):
        lam = float(_top(np.float64(sx * hxx), np.float64(math.sqrt(sx * sy) * hxy),
                         np.float64(sy * hyy)))
    if not (math.isfinite(lam) and lam > 0.0):
        return None
    momentum = run.hyperparameters.get("momentum", 0.0)
    limit = float(theory.lr_limit(np.float64(lam), np.float64(momentum)))
    return {"lr_limit": limit, "rule": theory.rule}
