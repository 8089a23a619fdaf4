"""Lion: steps of the same size in every coordinate, from the sign of a momentum blend."""

from __future__ import annotations

from numba import njit

from descentlab.engine.optimizers.jit import INLINE
from descentlab.engine.optimizers.spec import (
    FIRST_MOMENT,
    OLIVE,
    LrRule,
    Optimizer,
    lr,
    weight_decay,
)
from descentlab.engine.params import Param

LION = 15


@njit(**INLINE)
def lion_step(x, g, S, sc, t, lr, h):
    """x ← x − ε(sign((1−β1)g + β1 m) + λx); m ← β2 m + (1−β2)g. h = [β1, β2, λ]."""
    b1, b2, wd = h[0], h[1], h[2]
    for i in range(x.size):
        c = (1.0 - b1) * g[i] + b1 * S[0, i]
        sign = 1.0 if c > 0.0 else (-1.0 if c < 0.0 else 0.0)
        S[0, i] = b2 * S[0, i] + (1.0 - b2) * g[i]
        x[i] -= lr * (sign + wd * x[i])


ENTRIES = (
    Optimizer(
        "lion", LION, "Lion",
        "Every coordinate moves by exactly ε each step, in the direction of the sign of a "
        "blend of the gradient and its momentum: diagonal steps on a 2-D surface.",
        (lr(0.01),
         Param("beta1", 0.9, 0.0, 0.9999, "β₁: weight of the momentum in the step's sign",
               symbol=r"\beta_1"),
         Param("beta2", 0.99, 0.0, 0.9999, "β₂: decay of the momentum itself",
               symbol=r"\beta_2"),
         weight_decay(1e-3, decoupled=True)),
        (FIRST_MOMENT,), (),
        (r"c_t = (1-\beta_1) g_t + \beta_1 m_{t-1}",
         r"x_t = x_{t-1} - \varepsilon \left(\mathrm{sign}(c_t) + \lambda x_{t-1}\right)",
         r"m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t"),
        "Chen et al. (2023), as optax.lion 0.2.8 (defaults β₁ = 0.9, β₂ = 0.99, λ = 1e-3; "
        "decoupled decay). Not in torch.optim. Its rate is usually 3–10× smaller than Adam's.",
        color=OLIVE, marker="pentagon", step_cost=1.25, network_lr=0.002,
        lr_rule=LrRule("distance", 0.01)),
)
