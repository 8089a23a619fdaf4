"""Per-coordinate step sizes from squared gradients: AdaGrad, RMSProp (plain and with
Nesterov momentum) and AdaDelta."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from descentlab.engine.optimizers.jit import INLINE
from descentlab.engine.optimizers.spec import (
    DECAYED,
    EFFECTIVE_LR,
    FOREST,
    OLIVE,
    ORANGE,
    PURPLE,
    SQUARES,
    VELOCITY,
    LrRule,
    Optimizer,
    StateVar,
    decay,
    eps,
    lr,
    momentum,
    weight_decay,
)

ADAGRAD = 3
RMSPROP = 4
ADADELTA = 9
RMSPROP_NESTEROV = 10


@njit(**INLINE)
def adagrad_step(x, g, S, sc, t, lr, h):
    """h = [δ, λ], λ coupled (added to the gradient) as torch.optim.Adagrad's."""
    eps, wd = h[0], h[1]
    for i in range(x.size):
        gi = g[i] + wd * x[i]
        S[0, i] += gi * gi
        x[i] -= lr * gi / (math.sqrt(S[0, i]) + eps)


@njit(**INLINE)
def rmsprop_step(x, g, S, sc, t, lr, h):
    """h = [ρ, δ, λ], λ coupled as torch.optim.RMSprop's."""
    rho, eps, wd = h[0], h[1], h[2]
    for i in range(x.size):
        gi = g[i] + wd * x[i]
        S[0, i] = rho * S[0, i] + (1.0 - rho) * gi * gi
        x[i] -= lr * gi / (math.sqrt(S[0, i]) + eps)


@njit(**INLINE)
def adadelta_step(x, g, S, sc, t, lr, h):
    """Zeiler's AdaDelta: the step's units come from the leaky average of past steps.
    h = [ρ, δ, λ], λ coupled as torch.optim.Adadelta's."""
    rho, eps, wd = h[0], h[1], h[2]
    for i in range(x.size):
        gi = g[i] + wd * x[i]
        S[0, i] = rho * S[0, i] + (1.0 - rho) * gi * gi
        delta = math.sqrt(S[1, i] + eps) / math.sqrt(S[0, i] + eps) * gi
        S[1, i] = rho * S[1, i] + (1.0 - rho) * delta * delta
        x[i] -= lr * delta


@njit(**INLINE)
def rmsprop_nesterov_step(x, g, S, sc, t, lr, h):
    """Goodfellow et al., algorithm 8.6; g was taken at the interim point x + αv."""
    rho, mu, eps = h[0], h[1], h[2]
    for i in range(x.size):
        S[0, i] = rho * S[0, i] + (1.0 - rho) * g[i] * g[i]
        S[1, i] = mu * S[1, i] - lr * g[i] / (math.sqrt(S[0, i]) + eps)
        x[i] += S[1, i]


@njit(**INLINE)
def rmsprop_nesterov_point(x, S, h, out):
    """The interim point x + αv, where the gradient is taken."""
    mu = h[1]
    for i in range(x.size):
        out[i] = x[i] + mu * S[1, i]


def _divided_by_root_of_s(state, lr, t, hp, state_before) -> dict[str, np.ndarray]:
    return {"effective_lr": lr / (np.sqrt(state["s"]) + hp["eps"])}


def _adadelta_step_size(state, lr, t, hp, state_before) -> dict[str, np.ndarray]:
    """ε·√(Δ_{t−1} + δ)/√(s_t + δ): the step uses the Δ of the frame before."""
    delta = state["delta"]
    before = state_before["delta"][:, None] if state_before is not None else delta[:, :1]
    previous = np.concatenate([before, delta[:, :-1]], axis=1)
    return {"effective_lr": lr * np.sqrt(previous + hp["eps"])
            / np.sqrt(state["s"] + hp["eps"])}


ENTRIES = (
    Optimizer(
        "adagrad", ADAGRAD, "AdaGrad",
        "Per-coordinate steps divided by the root of all past squared gradients: they only "
        "ever shrink.",
        (lr(0.5), eps(), weight_decay()), (SQUARES,), (),
        (DECAYED, r"s_t = s_{t-1} + g_t^2",
         r"x_t = x_{t-1} - \frac{\varepsilon}{\sqrt{s_t} + \delta} g_t"),
        "ε after the square root, as torch.optim.Adagrad (torch's default ε is 1e-10); λ "
        "coupled, as torch's weight_decay.",
        color=PURPLE, marker="triangle-down", step_cost=1.25, network_lr=0.1,
        lr_rule=LrRule("distance", 0.5),
        derived=(EFFECTIVE_LR,), derive=_divided_by_root_of_s),
    Optimizer(
        "rmsprop", RMSPROP, "RMSProp",
        "AdaGrad with a leaky average, so old gradients are forgotten and steps stay alive.",
        (lr(0.01), decay(), eps(), weight_decay()), (SQUARES,), (),
        (DECAYED, r"s_t = \rho s_{t-1} + (1-\rho) g_t^2",
         r"x_t = x_{t-1} - \frac{\varepsilon}{\sqrt{s_t} + \delta} g_t"),
        "ε after the square root as in torch.optim.RMSprop (its decay is called alpha, "
        "default 0.99; the lectures use 0.9); λ coupled, as torch's weight_decay.",
        color=ORANGE, marker="triangle-up", step_cost=1.3, network_lr=0.01,
        derived=(EFFECTIVE_LR,), derive=_divided_by_root_of_s),
    Optimizer(
        "adadelta", ADADELTA, "AdaDelta",
        "No learning rate needed: the step's size comes from the leaky average of past steps.",
        (lr(1.0), decay(), eps(1e-6), weight_decay()),
        (StateVar("s", "s", "leaky average of squared gradients"),
         StateVar("delta", "\\Delta", "leaky average of squared steps")), (),
        (DECAYED, r"s_t = \rho s_{t-1} + (1-\rho) g_t^2",
         r"g'_t = \frac{\sqrt{\Delta_{t-1} + \delta}}{\sqrt{s_t + \delta}} g_t",
         r"\Delta_t = \rho \Delta_{t-1} + (1-\rho) g'^2_t", r"x_t = x_{t-1} - \varepsilon g'_t"),
        "Zeiler (2012); δ inside the roots as in the paper and torch.optim.Adadelta; lr scales "
        "the step but not the accumulated Δ, as torch; λ coupled, as torch's weight_decay.",
        color=OLIVE, marker="triangle-left", step_cost=1.5, network_lr=1.0,
        lr_rule=LrRule("fixed", 1.0),
        derived=(EFFECTIVE_LR,), derive=_adadelta_step_size),
    Optimizer(
        "rmsprop_nesterov", RMSPROP_NESTEROV, "RMSProp + Nesterov",
        "RMSProp scaling with Nesterov momentum (Goodfellow et al., algorithm 8.6).",
        (lr(0.01), decay(), momentum(r"\alpha"), eps()),
        (StateVar("s", "r", "leaky average of squared gradients"), VELOCITY), (),
        (r"\tilde x = x_{t-1} + \alpha v_{t-1}", r"g_t = \nabla f(\tilde x)",
         r"r_t = \rho r_{t-1} + (1-\rho) g_t^2",
         r"v_t = \alpha v_{t-1} - \frac{\varepsilon}{\sqrt{r_t} + \delta} g_t",
         r"x_t = x_{t-1} + v_t"),
        "Not in torch.optim. δ after the square root (the book puts it inside).",
        gradient_at="x + momentum·v",
        color=FOREST, marker="triangle-right", step_cost=1.95, network_lr=0.002,
        lr_rule=LrRule("distance", 0.01),
        derived=(EFFECTIVE_LR,), derive=_divided_by_root_of_s),
)
