"""Prodigy (Mishchenko & Defazio 2024): Adam whose step size d it estimates itself.

d grows from a tiny d₀ towards the distance to the solution, estimated from how far the
point has moved from where it started (x₀ − x) against the gradients seen on the way. That
estimate is a sum over every coordinate of one problem, unlike any other rule here, which
treats each coordinate alone: so the rule reduces per problem (``groups``, see
``kernels.update``): in a surface race each point's two coordinates, in a network all its
weights.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from descentlab.engine.optimizers.jit import INLINE, running_product
from descentlab.engine.optimizers.spec import (
    FIRST_MOMENT,
    ORANGE,
    SECOND_MOMENT,
    Derived,
    LrRule,
    Optimizer,
    StateVar,
    betas,
    eps,
    lr,
    weight_decay,
)
from descentlab.engine.params import Param

PRODIGY = 25


@njit(**INLINE)
def prodigy_step(x, g, S, sc, t, lr, h, groups):
    """Prodigy as optax.contrib.prodigy 0.2.8; x holds ``groups`` problems, problem i's
    coordinates at i, i + groups, … S = [m, v, s, x₀, d, r] (d and r, one number per
    problem, repeated in each of its coordinates; x₀ and d set at step 1, the race's state
    starting at zero); sc = [β1ᵗ, β2ᵗ]; h = [β1, β2, δ, d₀, λ, β3 = √β2]."""
    b1, b2, eps, d0, wd, b3 = h[0], h[1], h[2], h[3], h[4], h[5]
    sc[0] = running_product(sc[0], b1)
    sc[1] = running_product(sc[1], b2)
    bc = math.sqrt(1.0 - sc[1]) / (1.0 - sc[0])
    dims = x.size // groups
    for i in range(groups):
        if t == 1:
            for c in range(dims):
                j = i + c * groups
                S[3, j] = x[j]
                S[4, j] = d0
        d = S[4, i]
        dlr = d * lr * bc
        moved = 0.0  # ⟨g, x₀ − x⟩
        for c in range(dims):
            j = i + c * groups
            moved += g[j] * (S[3, j] - x[j])
        r = b3 * S[5, i] + (d / d0) * dlr * moved
        total = 0.0  # ‖s‖₁
        for c in range(dims):
            j = i + c * groups
            dg = d * g[j]
            S[0, j] = b1 * S[0, j] + (1.0 - b1) * dg
            S[1, j] = b2 * S[1, j] + (1.0 - b2) * dg * dg
            S[2, j] = b3 * S[2, j] + dlr * dg / d0
            total += abs(S[2, j])
        # optax divides 0/0 into NaN when every gradient so far was zero; d then stays.
        d_new = max(d, r / total) if total > 0.0 else d
        for c in range(dims):
            j = i + c * groups
            x[j] += -wd * dlr * x[j] - dlr * S[0, j] / (math.sqrt(S[1, j]) + d_new * eps)
            S[4, j] = d_new
            S[5, j] = r


def _prodigy_derived(state, lr, t, hp, state_before) -> dict[str, np.ndarray]:
    """The step size dε·√(1−β₂ᵗ)/(1−β₁ᵗ) the next step multiplies m/(√v + dδ) by."""
    bc = np.sqrt(1.0 - hp["beta2"] ** (t + 1)) / (1.0 - hp["beta1"] ** (t + 1))
    return {"step_size": state["d"] * lr * bc[None, :, None]}


ENTRIES = (
    Optimizer(
        "prodigy", PRODIGY, "Prodigy",
        "Adam without a learning rate to tune: it estimates its own step size d from how far "
        "it has travelled against the gradients it met, and d only grows.",
        (lr(1.0), *betas(), eps(),
         Param("d0", 1e-6, 1e-12, 1.0, "d₀: the first, deliberately tiny, estimate of d",
               log=True, symbol="d_0"),
         weight_decay(0.0, decoupled=True)),
        (FIRST_MOMENT, SECOND_MOMENT,
         StateVar("s", "s", "leaky sum of the gradients, weighted by the step sizes taken"),
         StateVar("x0", "x_0", "where the run started"),
         StateVar("d", "d", "the estimated step size (one number per point: the same in both "
                            "coordinates)"),
         StateVar("r", "r", "leaky sum of ⟨g, x₀ − x⟩: how much the gradients pointed back "
                            "to the start (the same in both coordinates)")),
        (1.0, 1.0),
        (r"\eta_t = d_{t-1}\, \varepsilon \sqrt{1-\beta_2^t}/(1-\beta_1^t)",
         r"m_t = \beta_1 m_{t-1} + (1-\beta_1) d_{t-1} g_t",
         r"v_t = \beta_2 v_{t-1} + (1-\beta_2) d_{t-1}^2 g_t^2",
         r"r_t = \beta_3 r_{t-1} + \frac{d_{t-1}}{d_0} \eta_t \langle g_t, x_0 - x_{t-1}"
         r"\rangle",
         r"s_t = \beta_3 s_{t-1} + \frac{\eta_t}{d_0} d_{t-1} g_t",
         r"d_t = \max\left(d_{t-1}, \frac{r_t}{\|s_t\|_1}\right)",
         r"x_t = x_{t-1} - \eta_t \lambda x_{t-1} - \frac{\eta_t\, m_t}{\sqrt{v_t} + d_t"
         r" \delta}"),
        "Mishchenko & Defazio (2024), as optax.contrib.prodigy 0.2.8: β₃ = √β₂, d₀ = 10⁻⁶, "
        "decoupled λ scaled by the step η_t, ε a multiplier on d (1 is the method's own "
        "rate). The sums ⟨g, x₀ − x⟩ and ‖s‖₁ run over one problem's coordinates: a point's "
        "two on a surface, every weight of a network. optax's estim_lr_coef (1) and "
        "safeguard_warmup (off) are not offered; where every gradient so far was zero, d "
        "stays (optax's 0/0 would make it NaN). Not in torch.optim.",
        color=ORANGE, marker="pentagon", step_cost=1.8, network_lr=1.0,
        lr_rule=LrRule("fixed", 1.0),
        derived=(Derived("step_size", "step size η", "d ε √(1−β₂ᵗ)/(1−β₁ᵗ): what the next "
                         "step multiplies m/(√v + dδ) by", r"\eta"),),
        derive=_prodigy_derived,
        constants=lambda value: [np.sqrt(value("beta2"))]),
)
