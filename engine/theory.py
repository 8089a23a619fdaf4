"""What theory predicts for gradient descent, the heavy ball and Nesterov on a quadratic.

On f(x) = ½ xᵀAx every method here is linear, so each eigenvalue λ of A evolves on its
own and everything follows from the extreme eigenvalues λ₁ ≤ … ≤ λₙ (Polyak 1964; Goh,
"Why Momentum Really Works", Distill 2017):

- gradient descent x ← x − αg contracts λ's component by |1 − αλ|: it converges iff
  0 < αλₙ < 2, fastest at α* = 2/(λ₁ + λₙ);
- the heavy ball (the lectures' momentum, v ← μv − αg, x ← x + v) has for each λ the
  characteristic polynomial z² − (1 + μ − αλ)z + μ: it converges iff 0 ≤ μ < 1 and
  0 < αλₙ < 2 + 2μ, fastest at α* = (2/(√λ₁ + √λₙ))², μ* = ((√κ − 1)/(√κ + 1))²;
- Nesterov (the gradient at x + μv) has z² − (1 + μ)(1 − αλ)z + μ(1 − αλ): it converges iff
  0 < αλₙ < (2 + 2μ)/(1 + 2μ) (with |μ(1 − αλ)| < 1).

Away from a quadratic the same formulas hold near a minimum with the Hessian's eigenvalues
there: the local-quadratic prediction, exact only in the limit of small steps' neighbourhood.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from descentlab.engine.optimizers.catalog import OPTIMIZERS
from descentlab.engine.optimizers.spec import QuadraticTheory

METHODS = tuple(o.id for o in OPTIMIZERS.values() if o.quadratic is not None)
"""The optimizers whose behaviour on a quadratic the theory predicts (each definition
carries its own formulas, ``Optimizer.quadratic``)."""


def _theory(method: str) -> QuadraticTheory:
    optimizer = OPTIMIZERS.get(method)
    if optimizer is None or optimizer.quadratic is None:
        raise ValueError(f"no stability theory for '{method}'")
    return optimizer.quadratic


@dataclass(frozen=True)
class Quadratic:
    """The extreme curvatures that decide stability and rate."""

    lam_min: float
    lam_max: float

    @property
    def kappa(self) -> float:
        return self.lam_max / self.lam_min

    def rate(self, method: str, lr: np.ndarray, momentum: np.ndarray | float = 0.0
             ) -> np.ndarray:
        """The asymptotic contraction per step (spectral radius of the iteration), for
        arrays of learning rates and momenta: < 1 converges, > 1 diverges."""
        radius = _theory(method).radius
        lr = np.asarray(lr, dtype=np.float64)
        mu = np.broadcast_to(np.asarray(momentum, dtype=np.float64), lr.shape)
        worst = np.zeros(np.broadcast(lr, mu).shape)
        for lam in (self.lam_min, self.lam_max):
            worst = np.maximum(worst, radius(lr * lam, mu))
        return worst

    def lr_limit(self, method: str, momentum: np.ndarray | float = 0.0) -> np.ndarray:
        """The largest stable learning rate, as a function of the momentum."""
        return np.asarray(_theory(method).lr_limit(self.lam_max,
                                                   np.asarray(momentum, dtype=np.float64)))

    def optimum(self, method: str) -> tuple[float, float]:
        """(α*, μ*): the fastest setting (μ* = 0 for gradient descent)."""
        optimum = _theory(method).optimum
        if optimum is None:
            raise ValueError(f"no closed-form optimum for '{method}'")
        return optimum(self.lam_min, self.lam_max)

    def has_optimum(self, method: str) -> bool:
        return _theory(method).optimum is not None


def quadratic_at(hessian: tuple[float, float, float]) -> Quadratic | None:
    """The curvatures of a 2-D Hessian (∂xx, ∂xy, ∂yy); None unless positive definite."""
    hxx, hxy, hyy = hessian
    mean, half_gap = (hxx + hyy) / 2.0, math.hypot((hxx - hyy) / 2.0, hxy)
    lam_min, lam_max = mean - half_gap, mean + half_gap
    if not (math.isfinite(lam_min) and lam_min > 0.0):
        return None
    return Quadratic(lam_min, lam_max)
