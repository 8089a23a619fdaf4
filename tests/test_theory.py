"""The engine reproduces what the theory of gradient methods predicts on known surfaces.

On the ravine ½(u² + κv²) the Hessian has eigenvalues λ₁ = 1 (along the valley) and
λₙ = κ (across it), whatever the rotation θ. Gradient descent at α* = 2/(λ₁ + λₙ) shrinks
both eigencomponents by (κ−1)/(κ+1) per step, and the heavy ball at its optimal (α, β)
contracts at (√κ−1)/(√κ+1) (Polyak; Goh, "Why Momentum Really Works"). The lecture form of
momentum v ← μv − εg, x ← x + v is the heavy ball x_{t+1} = x_t − ε∇f(x_t) + μ(x_t − x_{t−1}),
so α = ε and β = μ.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from descentlab import engine

START = (2.0, 1.0)
CASES = [(kappa, theta) for kappa in (10.0, 100.0) for theta in (0.0, 30.0)]


def distances(r) -> np.ndarray:
    """Distance to the ravine's minimum (the origin) after each step."""
    return np.hypot(r.positions[0, 0, :, 0], r.positions[0, 0, :, 1])


def fitted_rate(d: np.ndarray, first: int, last: int) -> float:
    """Geometric mean of the per-step contraction d_{t+1}/d_t over steps first..last."""
    return (d[last] / d[first]) ** (1.0 / (last - first))


@pytest.mark.parametrize(("kappa", "theta"), CASES)
def test_gradient_descent_rate_at_optimal_step(kappa, theta):
    """α* = 2/(1 + κ) contracts the distance by (κ−1)/(κ+1) each step."""
    r = engine.race("ravine", [("sgd", {"lr": 2.0 / (1.0 + kappa)})], START, 400,
                    params={"kappa": kappa, "theta": theta})
    rate = fitted_rate(distances(r), 200, 400)
    assert rate == pytest.approx((kappa - 1.0) / (kappa + 1.0), rel=0.01)


@pytest.mark.parametrize(("kappa", "theta"), CASES)
def test_heavy_ball_rate_at_optimal_parameters(kappa, theta):
    """α = 4/(1 + √κ)², β = ((√κ−1)/(√κ+1))² contracts at (√κ−1)/(√κ+1). The iteration is
    critically damped at both eigenvalues (a Jordan block), so the distance falls like
    t·rate^t; fitting over steps 300..600 leaves a factor 2^(1/300) ≈ 1.002."""
    root = math.sqrt(kappa)
    alpha = 4.0 / (1.0 + root) ** 2
    beta = ((root - 1.0) / (root + 1.0)) ** 2
    r = engine.race("ravine", [("momentum", {"lr": alpha, "momentum": beta})], START, 600,
                    params={"kappa": kappa, "theta": theta})
    rate = fitted_rate(distances(r), 300, 600)
    assert rate == pytest.approx((root - 1.0) / (root + 1.0), rel=0.01)
    plain = (kappa - 1.0) / (kappa + 1.0)
    assert rate < plain, "momentum must beat gradient descent on an ill-conditioned ravine"


@pytest.mark.parametrize(("kappa", "theta"), CASES)
def test_gradient_descent_stability_edge(kappa, theta):
    """The step across the valley is multiplied by 1 − lr·κ each step: 0.99 × 2/κ converges,
    1.01 × 2/κ grows by 1.02 per step until the path leaves the view and is flagged."""
    params = {"kappa": kappa, "theta": theta}
    below, above = (engine.race("ravine", [("sgd", {"lr": factor * 2.0 / kappa})], START, 1000,
                                params=params) for factor in (0.99, 1.01))
    assert below.diverged_at[0, 0] == -1
    assert below.converged_at[0, 0] > 0
    assert distances(below)[-1] < 1e-6
    assert above.diverged_at[0, 0] > 0
    d = distances(above)[: above.diverged_at[0, 0]]
    assert fitted_rate(d, len(d) // 2, len(d) - 1) == pytest.approx(1.02, rel=0.005)


def test_newton_jumps_to_the_saddle_in_one_step():
    """Newton solves the local quadratic model exactly, and x² − y² is its own model: one
    step lands on the saddle, which gradient descent from the same start flees."""
    start = (0.7, -0.4)
    newton = engine.race("saddle", ["newton"], start, 5)
    np.testing.assert_allclose(newton.positions[0, 0, 1:], 0.0, atol=1e-15)
    assert newton.converged_at[0, 0] == 1
    sgd = engine.race("saddle", [("sgd", {"lr": 0.1})], start, 5)
    assert abs(sgd.positions[0, 0, -1, 1]) > abs(start[1])


@pytest.mark.parametrize("a", [1.0, 0.5, -1.0])
def test_rosenbrock_minimum_is_reached(a):
    """Newton and Adam (annealed, so that its steps shrink) both find (a, a²)."""
    newton = engine.race("rosenbrock", ["newton"], (-1.2, 1.0), 100, params={"a": a},
                         final_only=True)
    np.testing.assert_allclose(newton.final_positions[0, 0], (a, a * a), atol=1e-10)
    adam = engine.race("rosenbrock", [{"id": "adam", "hyperparameters": {"lr": 0.05},
                                       "schedule": {"kind": "exponential", "gamma": 0.9995}}],
                       (-1.2, 1.0), 6000, params={"a": a}, final_only=True)
    np.testing.assert_allclose(adam.final_positions[0, 0], (a, a * a), atol=1e-5)
    assert adam.converged_at[0, 0] > 0


HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                     (3.584428, -1.848126)]


@pytest.mark.parametrize("minimum", HIMMELBLAU_MINIMA)
def test_himmelblau_minima_are_reached(minimum):
    """From a start in each of the four basins, Newton and Adam settle in that basin's
    minimum (known to six decimals, f = 0)."""
    start = (minimum[0] * 0.8, minimum[1] * 0.8)
    r = engine.race("himmelblau", ["newton", {"id": "adam", "hyperparameters": {"lr": 0.05},
                                              "schedule": {"kind": "exponential",
                                                           "gamma": 0.995}}],
                    start, 2000, final_only=True)
    np.testing.assert_allclose(r.final_positions[:, 0], [minimum, minimum], atol=1e-5)
    assert (r.final_loss < 1e-9).all()
    assert (r.converged_at >= 0).all()
