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

METHODS = ("sgd", "momentum", "nesterov")


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
        lr = np.asarray(lr, dtype=np.float64)
        mu = np.broadcast_to(np.asarray(momentum, dtype=np.float64), lr.shape)
        worst = np.zeros(np.broadcast(lr, mu).shape)
        for lam in (self.lam_min, self.lam_max):
            worst = np.maximum(worst, _radius(method, lr * lam, mu))
        return worst

    def lr_limit(self, method: str, momentum: np.ndarray | float = 0.0) -> np.ndarray:
        """The largest stable learning rate, as a function of the momentum."""
        mu = np.asarray(momentum, dtype=np.float64)
        if method == "sgd":
            return np.broadcast_to(2.0 / self.lam_max, mu.shape).copy()
        if method == "momentum":
            return (2.0 + 2.0 * mu) / self.lam_max
        if method == "nesterov":
            return (2.0 + 2.0 * mu) / ((1.0 + 2.0 * mu) * self.lam_max)
        raise ValueError(f"no stability theory for '{method}'")

    def optimum(self, method: str) -> tuple[float, float]:
        """(α*, μ*): the fastest setting (μ* = 0 for gradient descent)."""
        if method == "sgd":
            return 2.0 / (self.lam_min + self.lam_max), 0.0
        if method == "momentum":
            root_min, root_max = math.sqrt(self.lam_min), math.sqrt(self.lam_max)
            root_kappa = math.sqrt(self.kappa)
            return (2.0 / (root_min + root_max)) ** 2, ((root_kappa - 1) / (root_kappa + 1)) ** 2
        raise ValueError(f"no closed-form optimum for '{method}'")


def _radius(method: str, h: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Largest |root| of the method's characteristic polynomial at αλ = h."""
    if method == "sgd":
        return np.abs(1.0 - h)
    if method == "momentum":
        b, c = 1.0 + mu - h, mu
    elif method == "nesterov":
        b, c = (1.0 + mu) * (1.0 - h), mu * (1.0 - h)
    else:
        raise ValueError(f"no stability theory for '{method}'")
    disc = b * b - 4.0 * c
    real = np.maximum(np.abs(b + np.sqrt(np.maximum(disc, 0.0))),
                      np.abs(b - np.sqrt(np.maximum(disc, 0.0)))) / 2.0
    return np.where(disc >= 0.0, real, np.sqrt(np.abs(c)))


def quadratic_at(hessian: tuple[float, float, float]) -> Quadratic | None:
    """The curvatures of a 2-D Hessian (∂xx, ∂xy, ∂yy); None unless positive definite."""
    hxx, hxy, hyy = hessian
    mean, half_gap = (hxx + hyy) / 2.0, math.hypot((hxx - hyy) / 2.0, hxy)
    lam_min, lam_max = mean - half_gap, mean + half_gap
    if not (math.isfinite(lam_min) and lam_min > 0.0):
        return None
    return Quadratic(lam_min, lam_max)
