"""Gradient descent and the heavy ball, plain and with Nesterov's look-ahead.

These three are linear on a quadratic, so beside each rule sits its exact stability theory
(Polyak 1964; Goh, "Why Momentum Really Works", Distill 2017): per eigenvalue λ and h = αλ,
gradient descent contracts by |1 − h|; the heavy ball's characteristic polynomial is
z² − (1 + μ − h)z + μ, Nesterov's z² − (1 + μ)(1 − h)z + μ(1 − h).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from descentlab.engine.optimizers.jit import INLINE
from descentlab.engine.optimizers.spec import (
    BLUE,
    GREEN,
    VELOCITY,
    VERMILLION,
    WINE,
    LrRule,
    Optimizer,
    QuadraticTheory,
    StateVar,
    largest_root,
    lr,
    momentum,
    weight_decay,
)
from descentlab.engine.params import Param

SGD = 0
MOMENTUM = 1
NESTEROV = 2
QHM = 17


@njit(**INLINE)
def sgd_step(x, g, S, sc, t, lr, h):
    """x ← x − ε(g + λx); h = [λ]."""
    wd = h[0]
    for i in range(x.size):
        x[i] -= lr * (g[i] + wd * x[i])


@njit(**INLINE)
def heavy_ball_step(x, g, S, sc, t, lr, h):
    """Heavy ball: v ← μv − ε(g + λx); x ← x + v (Goodfellow et al., algorithm 8.2); h =
    [μ, λ]."""
    mu, wd = h[0], h[1]
    for i in range(x.size):
        S[0, i] = mu * S[0, i] - lr * (g[i] + wd * x[i])
        x[i] += S[0, i]


@njit(**INLINE)
def nesterov_step(x, g, S, sc, t, lr, h):
    """The heavy ball's step with g and the decay λx̃ both taken at the look-ahead
    x̃ = x + μv: the gradient of the regularised loss there, as torch (whose stored
    parameter is x̃) adds it."""
    mu, wd = h[0], h[1]
    for i in range(x.size):
        S[0, i] = mu * S[0, i] - lr * (g[i] + wd * (x[i] + mu * S[0, i]))
        x[i] += S[0, i]


@njit(**INLINE)
def qhm_step(x, g, S, sc, t, lr, h):
    """Quasi-hyperbolic momentum (Ma & Yarats 2019): b ← βb + (1 − β)g';
    x ← x − ε((1 − ν)g' + νb), g' = g + λx; h = [β, ν, λ]."""
    beta, nu, wd = h[0], h[1], h[2]
    for i in range(x.size):
        gi = g[i] + wd * x[i]
        S[0, i] = beta * S[0, i] + (1.0 - beta) * gi
        x[i] -= lr * ((1.0 - nu) * gi + nu * S[0, i])


@njit(**INLINE)
def nesterov_point(x, S, h, out):
    """Nesterov's look-ahead x + μv, where the gradient is taken."""
    mu = h[0]
    for i in range(x.size):
        out[i] = x[i] + mu * S[0, i]


def _flat(mu: np.ndarray, value: float) -> np.ndarray:
    return np.broadcast_to(value, np.shape(mu)).astype(np.float64)


def _sgd_optimum(lam_min: float, lam_max: float) -> tuple[float, float]:
    return 2.0 / (lam_min + lam_max), 0.0


def _heavy_ball_optimum(lam_min: float, lam_max: float) -> tuple[float, float]:
    root_min, root_max = math.sqrt(lam_min), math.sqrt(lam_max)
    root_kappa = root_max / root_min
    return (2.0 / (root_min + root_max)) ** 2, ((root_kappa - 1) / (root_kappa + 1)) ** 2


ENTRIES = (
    Optimizer(
        "sgd", SGD, "SGD", "Step straight down the gradient.",
        (lr(0.01), weight_decay()), (), (),
        (r"x_{t} = x_{t-1} - \varepsilon\, (g_t + \lambda x_{t-1})",),
        "Same as torch.optim.SGD without momentum, weight_decay included.",
        color=BLUE, marker="circle", step_cost=1.0, network_lr=0.5,
        lr_rule=LrRule("curvature", 1.0), per_coordinate_lr=True,
        quadratic=QuadraticTheory(
            "2/λ_max", radius=lambda h, mu: np.abs(1.0 - h),
            lr_limit=lambda lam, mu: _flat(mu, 2.0 / lam), optimum=_sgd_optimum)),
    Optimizer(
        "momentum", MOMENTUM, "Momentum",
        "A heavy ball with friction: velocity accumulates consistent gradients.",
        (lr(0.01), momentum(), weight_decay()), (VELOCITY,), (),
        (r"v_t = \mu v_{t-1} - \varepsilon (g_t + \lambda x_{t-1})", r"x_t = x_{t-1} + v_t"),
        "Lecture form v ← μv − εg. torch keeps b ← μb + g and steps −εb: the same path for "
        "a constant learning rate; under a schedule the lecture form keeps the velocity's "
        "magnitude when ε changes.",
        color=VERMILLION, marker="square", step_cost=1.05, network_lr=0.05,
        lr_rule=LrRule("curvature", 0.5), per_coordinate_lr=True,
        quadratic=QuadraticTheory(
            "2(1+μ)/λ_max", radius=lambda h, mu: largest_root(1.0 + mu - h, mu),
            lr_limit=lambda lam, mu: (2.0 + 2.0 * mu) / lam, optimum=_heavy_ball_optimum)),
    Optimizer(
        "nesterov", NESTEROV, "Nesterov",
        "Momentum that looks ahead: the gradient is taken where the velocity is about to "
        "carry the point.",
        (lr(0.01), momentum(), weight_decay()), (VELOCITY,), (),
        (r"\tilde x = x_{t-1} + \mu v_{t-1}", r"g_t = \nabla f(\tilde x)",
         r"v_t = \mu v_{t-1} - \varepsilon (g_t + \lambda \tilde x)", r"x_t = x_{t-1} + v_t"),
        "Goodfellow et al., algorithm 8.3. The displayed point is x; the gradient is taken at "
        "the look-ahead x + μv, which is exactly the point torch.optim.SGD(nesterov=True) "
        "stores as its parameter.",
        gradient_at="x + momentum·v",
        color=GREEN, marker="diamond", step_cost=1.45, network_lr=0.05,
        lr_rule=LrRule("curvature", 0.5), per_coordinate_lr=True,
        quadratic=QuadraticTheory(
            "2(1+μ)/((1+2μ)λ_max)",
            radius=lambda h, mu: largest_root((1.0 + mu) * (1.0 - h), mu * (1.0 - h)),
            lr_limit=lambda lam, mu: (2.0 + 2.0 * mu) / ((1.0 + 2.0 * mu) * lam))),
)

ENTRIES += (
    Optimizer(
        "qhm", QHM, "QHM",
        "Quasi-hyperbolic momentum: each step a blend of a plain gradient step (1 − ν) and a "
        "step along the averaged gradient b (ν).",
        (lr(0.01),
         Param("beta", 0.999, 0.0, 0.9999,
               "β: decay of the momentum buffer b, a leaky average of gradients",
               symbol=r"\beta"),
         Param("nu", 0.7, 0.0, 1.0, "ν: the weight of the averaged gradient b in each step; "
               "the rest is a plain gradient step", symbol=r"\nu"),
         weight_decay()),
        (StateVar("b", "b", "momentum buffer: leaky average of gradients"),), (),
        (r"g'_t = g_t + \lambda x_{t-1}",
         r"b_t = \beta b_{t-1} + (1-\beta) g'_t",
         r"x_t = x_{t-1} - \varepsilon \left((1-\nu) g'_t + \nu b_t\right)"),
        "Ma & Yarats (2019), with the paper's rule of thumb ν = 0.7, β = 0.999. Neither "
        "torch.optim nor optax 0.2.8 has it, so the paper's convention: b is an average "
        "(the (1 − β) factor), so ε keeps the meaning of a gradient step's rate; λ coupled as "
        "in the authors' qhoptim. ν = 0 is SGD, ν = 1 momentum with a damped buffer; on a "
        "quadratic its iteration has z² − (1 + β − h(1 − νβ))z + β(1 − h(1 − ν)), h = ελ, "
        "stable for ε < 2(1 + β)/((1 + β − 2βν)λ_max).",
        color=WINE, marker="triangle-down", step_cost=1.05, network_lr=1.0,
        lr_rule=LrRule("curvature", 1.0), per_coordinate_lr=True),
)
