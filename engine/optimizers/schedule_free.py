"""Schedule-free SGD and AdamW (Defazio et al. 2024): no decaying schedule, but three
sequences — z takes the base optimizer's steps, x is the running average of the z's, and
the gradient is taken at y, between them.

The drawn and judged point is x, the point optax's ``schedule_free_eval_params`` returns
for evaluation. The state keeps z − x, which starts at zero as every state does (optax
starts z at the parameters); y − x = (1 − β₁)(z − x) is derived from it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from descentlab.engine.optimizers.jit import INLINE, running_product
from descentlab.engine.optimizers.spec import (
    MAGENTA,
    ROSE,
    SECOND_MOMENT,
    Derived,
    LrRule,
    Optimizer,
    StateVar,
    eps,
    lr,
    weight_decay,
)
from descentlab.engine.params import Param

SCHEDULE_FREE_SGD = 19
SCHEDULE_FREE_ADAMW = 20


@njit(**INLINE)
def _averaging_weight(sc, lr):
    """c_t = w_t / Σ w: the weight of the new z in x, with w_t = (max ε so far)², optax's
    weight_lr_power = 2 (0 while every rate so far was 0, as optax's nan_to_num)."""
    if lr > sc[0]:
        sc[0] = lr
    w = sc[0] * sc[0]
    sc[1] += w
    return w / sc[1] if sc[1] > 0.0 else 0.0


@njit(**INLINE)
def schedule_free_point(x, S, h, out):
    """y = x + (1 − β₁)(z − x) = β₁x + (1 − β₁)z, where the gradient is taken."""
    b1 = h[0]
    for i in range(x.size):
        out[i] = x[i] + (1.0 - b1) * S[0, i]


@njit(**INLINE)
def schedule_free_sgd_step(x, g, S, sc, t, lr, h):
    """z ← z − ε(g + λy); x ← (1 − c)x + cz. h = [β₁, λ]; sc = [max ε, Σ w]."""
    b1, wd = h[0], h[1]
    c = _averaging_weight(sc, lr)
    for i in range(x.size):
        y = x[i] + (1.0 - b1) * S[0, i]
        z = x[i] + S[0, i] - lr * (g[i] + wd * y)
        x[i] = (1.0 - c) * x[i] + c * z
        S[0, i] = z - x[i]


@njit(**INLINE)
def schedule_free_adamw_step(x, g, S, sc, t, lr, h):
    """z ← z − ε(g/(√v̂ + δ) + λy) with v̂ RMSProp's bias-corrected average of g²;
    x ← (1 − c)x + cz. h = [β₁, β₂, δ, λ]; sc = [max ε, Σ w, β₂ᵗ]."""
    b1, b2, eps, wd = h[0], h[1], h[2], h[3]
    c = _averaging_weight(sc, lr)
    sc[2] = running_product(sc[2], b2)
    bc2 = 1.0 - sc[2]
    for i in range(x.size):
        S[1, i] = b2 * S[1, i] + (1.0 - b2) * g[i] * g[i]
        y = x[i] + (1.0 - b1) * S[0, i]
        z = x[i] + S[0, i] - lr * (g[i] / (math.sqrt(S[1, i] / bc2) + eps) + wd * y)
        x[i] = (1.0 - c) * x[i] + c * z
        S[0, i] = z - x[i]


def _beta1() -> Param:
    return Param("beta1", 0.9, 0.01, 0.999,
                 "β₁: where the gradient is taken, y = β₁x + (1 − β₁)z (optax's b1)",
                 symbol=r"\beta_1")


Z_OFFSET = StateVar("z_offset", r"z - x",
                    "z − x: where the base optimizer's own sequence z is, from the drawn "
                    "average x")
Y_OFFSET = Derived("y_offset", "y − x", "where the gradient is taken (y), from the drawn x",
                   r"y - x")


def _y_offset(state, lr, t, hp, state_before) -> dict[str, np.ndarray]:
    return {"y_offset": (1.0 - hp["beta1"]) * state["z_offset"]}


_SEQUENCES = (r"y_t = \beta_1 x_{t-1} + (1-\beta_1) z_{t-1}", r"g_t = \nabla f(y_t)")
_AVERAGE = (r"c_t = \frac{\max_{k\le t} \varepsilon_k^2}{\sum_{j\le t} \max_{k\le j}"
            r" \varepsilon_k^2}",
            r"x_t = (1-c_t)\, x_{t-1} + c_t\, z_t")
_NOTE = ("The drawn and judged point is x, what optax.contrib.schedule_free_eval_params "
         "returns; the gradient is taken at y (optax's parameter). The averaging weight "
         "uses optax's weight_lr_power = 2. Use the run's warm-up for optax's warmup_steps. "
         "The state shows z − x (z starts at x, as optax's does).")

ENTRIES = (
    Optimizer(
        "schedule_free_sgd", SCHEDULE_FREE_SGD, "Schedule-free SGD",
        "SGD steps on a sequence z; the drawn point x is their running average, and the "
        "gradient is taken between the two: no decaying schedule needed.",
        (lr(0.01), _beta1(), weight_decay()), (Z_OFFSET,), (0.0, 0.0),
        (*_SEQUENCES, r"z_t = z_{t-1} - \varepsilon (g_t + \lambda y_t)", *_AVERAGE),
        "Defazio et al. (2024), as optax.contrib.schedule_free_sgd 0.2.8 (not in "
        "torch.optim); λ is optax's weight_decay, added to the gradient at y. " + _NOTE,
        color=ROSE, marker="circle", step_cost=1.4, network_lr=1.0,
        gradient_at="β₁x + (1 − β₁)z", lr_rule=LrRule("curvature", 0.5),
        derived=(Y_OFFSET,), derive=_y_offset),
    Optimizer(
        "schedule_free_adamw", SCHEDULE_FREE_ADAMW, "Schedule-free AdamW",
        "Adam's scaling without its momentum, on a sequence z whose running average x is "
        "drawn; the gradient is taken between them.",
        (lr(0.05), _beta1(),
         Param("beta2", 0.999, 0.0, 0.99999,
               "β₂: decay of the second moment (squared gradients)", symbol=r"\beta_2"),
         eps(), weight_decay(0.0, decoupled=True)),
        (Z_OFFSET, SECOND_MOMENT), (0.0, 0.0, 1.0),
        (*_SEQUENCES, r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2",
         r"z_t = z_{t-1} - \varepsilon \left(\frac{g_t}{\sqrt{v_t/(1-\beta_2^t)} + \delta}"
         r" + \lambda y_t\right)", *_AVERAGE),
        "Defazio et al. (2024), as optax.contrib.schedule_free_adamw 0.2.8 (not in "
        "torch.optim): RMSProp's bias-corrected scaling, δ outside the root, λ decoupled "
        "(added after the scaling, at y). " + _NOTE,
        color=MAGENTA, marker="hexagon", step_cost=2.2, network_lr=0.01,
        gradient_at="β₁x + (1 − β₁)z", derived=(Y_OFFSET,), derive=_y_offset),
)
