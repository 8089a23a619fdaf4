"""Damped Newton: the one rule that needs the Hessian, so the race calls it itself."""

from __future__ import annotations

from numba import njit

from descentlab.engine.optimizers.jit import INLINE
from descentlab.engine.optimizers.spec import BLACK, LrRule, Optimizer, lr
from descentlab.engine.params import Param

NEWTON = 11


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
)
