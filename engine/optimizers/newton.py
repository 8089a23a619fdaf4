"""The rules that need more of the surface than a gradient, so the race calls them itself:
damped Newton (the Hessian) and Polyak's step (the loss and the surface's minimum f*)."""

from __future__ import annotations

from numba import njit

from descentlab.engine.optimizers.jit import INLINE
from descentlab.engine.optimizers.spec import (
    BLACK,
    WINE,
    LrRule,
    Optimizer,
    lr,
)
from descentlab.engine.params import Param

NEWTON = 11
POLYAK = 21


@njit(**INLINE)
def newton_update(xy, g, hess, lr, damping):
    """x ← x − ε (H + λI)⁻¹ g for each 2-D point; a singular system yields Inf (flagged).

    Points are columns: xy and g are (2, n), hess is (3, n) holding ∂xx, ∂xy, ∂yy.
    """
    for i in range(xy.shape[1]):
        a = hess[0, i] + damping
        b = hess[1, i]
        c = hess[2, i] + damping
        det = a * c - b * b
        dx = (c * g[0, i] - b * g[1, i]) / det
        dy = (a * g[1, i] - b * g[0, i]) / det
        xy[0, i] -= lr * dx
        xy[1, i] -= lr * dy


@njit(**INLINE)
def polyak_update(xy, g, f, fstar, lr):
    """x ← x − ε (f(x) − f*)/‖g‖² g for each 2-D point (no step where g = 0).

    Points are columns: xy and g are (2, n), f is (n,) the loss at each point.
    """
    for i in range(xy.shape[1]):
        g2 = g[0, i] * g[0, i] + g[1, i] * g[1, i]
        if g2 > 0.0:
            step = lr * (f[i] - fstar) / g2
            xy[0, i] -= step * g[0, i]
            xy[1, i] -= step * g[1, i]


ENTRIES = (
    Optimizer(
        "newton", NEWTON, "Newton (damped)",
        "Jumps to the critical point of the local quadratic model — a saddle as readily as a "
        "minimum.",
        (lr(1.0, high=2.0),
         Param("damping", 0.0, 0.0, 100.0,
               "λ added to the Hessian's diagonal; large λ turns Newton into small "
               "gradient steps", symbol=r"\lambda")), (), (),
        (r"x_t = x_{t-1} - \varepsilon\, (H + \lambda I)^{-1} g_t",),
        "Uses the exact Hessian of the surface. Where H + λI is singular the step is "
        "infinite and the run is flagged as diverged. Surfaces only: a network's Hessian is "
        "not computed.",
        needs_hessian=True,
        color=BLACK, marker="square", step_cost=2.9, network_lr=None,
        lr_rule=LrRule("fixed", 1.0)),
    Optimizer(
        "polyak", POLYAK, "Polyak step",
        "Gradient descent whose step size is computed, not chosen: the step that would reach "
        "the minimum value f* if the surface were its tangent plane.",
        (lr(1.0, high=2.0),), (), (),
        (r"x_t = x_{t-1} - \varepsilon\, \frac{f(x_{t-1}) - f^*}{\|g_t\|^2}\, g_t",),
        "Polyak (1987), with the surface's known smallest value f*; ε = 1 is Polyak's step, "
        "smaller values damp it. Surfaces whose f* is unknown (most typed formulas) refuse "
        "it. Surfaces only: a network's f* is not known. Neither torch.optim nor optax has "
        "it.",
        needs_loss=True,
        color=WINE, marker="circle", step_cost=1.1, network_lr=None,
        lr_rule=LrRule("fixed", 1.0)),
)
