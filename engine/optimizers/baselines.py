"""The lectures' two baselines, which look at the surface itself rather than only at one
gradient, so the surface race calls them (like Newton and Polyak): steepest descent with an
exact line search along −g (Cauchy's method), and random search (try a few random
directions of a fixed radius, keep the best if it is lower).

Both work on a chunk of points at once: every search runs as a fixed sequence of
vectorised evaluations of all the chunk's points, and a point's answer depends only on its
own data (random search's directions only on the seed, the point's index, the step and the
trial), so a race gives the same bytes however its starts are cut into chunks or threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from descentlab.engine.noise import gaussian
from descentlab.engine.optimizers.jit import INLINE, JIT
from descentlab.engine.optimizers.spec import (
    FOREST,
    TEAL,
    Derived,
    LrRule,
    Optimizer,
    StateVar,
)
from descentlab.engine.params import Param
from descentlab.engine.surfaces.dispatch import value_grad_points

LINE_SEARCH = 22
RANDOM_SEARCH = 23

EXPAND_LIMIT = 64
"""Doublings of the trial step while bracketing: from the smallest a₀ (1e-6) 2⁶⁴a₀ reaches
past any view, so only a slice that descends with a vanishing slope can use them all up."""
REFINE_LIMIT = 35
"""Halvings of the bracket, plus the secant step: a bracket [lo, hi] is at most hi wide, so
34 halvings bring it below ``LINE_TOL`` relative to hi; the limit only bounds the loop."""
LINE_TOL = 1e-10
"""The bracket around the minimum of the slice is refined to this width relative to its
upper end."""
DIRECTION_OFFSET = 2
"""Random search's trial k draws its direction from the coordinates 2k + 2 and 2k + 3 of the
counter-based generator: gradient noise uses 0 and 1 of the same (seed, point, step)."""


@njit(**INLINE)
def exit_step(x0, x1, d0, d1, bound):
    """The step a ≥ 0 at which x + a d reaches the edge of [−bound, bound]² (inf if d = 0)."""
    edge = np.inf
    if d0 != 0.0:
        edge = min(edge, (math.copysign(bound, d0) - x0) / d0)
    if d1 != 0.0:
        edge = min(edge, (math.copysign(bound, d1) - x1) / d1)
    return edge


@njit(**JIT)
def line_search_update(xy, gu, gx, a0, bound, S, surf_code, sp, ops, consts):
    """x ← x + a d with d = −gu and a the minimiser of φ(a) = f(x + a d) on a ≥ 0.

    Bracketing: the trial step starts at a₀ (the learning rate) and doubles while the slope
    φ'(a) is negative, never past the edge of [−bound, bound]²; the first a where the slope
    is not negative (or the surface not finite) closes the bracket [lo, a]. A slice still
    descending at the edge is unbounded below as far as the race can see: the step goes to
    twice the edge and the race judges it diverged. Refining: bisection of φ''s sign
    change until the bracket is narrower than ``LINE_TOL`` relative to its upper end (at
    most 34 halvings), then one secant step inside it, which is exact on a quadratic and
    otherwise finds the zero to about rounding. The step taken is whichever of the bracket
    ends and the secant point has the smallest |φ'|. (Bisection, not a faster regula falsi:
    where a bracket holds several minima, halving picks one the way a plain reference
    does, so the two can be compared step by step.)
    Where d is not a descent direction (φ'(0) = gx·d ≥ 0, possible with noise), a = 0.

    xy, gu (the gradient the step uses) and gx (the surface's gradient at x) are (2, n);
    S[0] receives a in both coordinates.
    """
    n = xy.shape[1]
    lo = np.zeros(n)
    hi = np.zeros(n)
    slo = np.empty(n)  # φ' at lo and at hi
    shi = np.empty(n)
    edge = np.empty(n)
    expansions = np.zeros(n, dtype=np.int64)
    a = np.empty(n)
    stage = np.zeros(n, dtype=np.int64)  # 0 bracketing, 1 bisecting, 3 secant, 2 done
    trial = np.empty((2, n))
    f = np.empty(n)
    g = np.empty((2, n))
    for i in range(n):
        slope = -(gx[0, i] * gu[0, i] + gx[1, i] * gu[1, i])
        slo[i] = slope
        edge[i] = exit_step(xy[0, i], xy[1, i], -gu[0, i], -gu[1, i], bound)
        a[i] = min(a0, edge[i])
        if not slope < 0.0:
            stage[i] = 2
            a[i] = 0.0
    for _ in range(EXPAND_LIMIT + REFINE_LIMIT + 1):
        active = 0
        for i in range(n):
            active += stage[i] < 2
            trial[0, i] = xy[0, i] - a[i] * gu[0, i]
            trial[1, i] = xy[1, i] - a[i] * gu[1, i]
        if active == 0:
            break
        value_grad_points(surf_code, sp, ops, consts, trial, f, g)
        for i in range(n):
            if stage[i] == 2:
                continue
            slope = -(g[0, i] * gu[0, i] + g[1, i] * gu[1, i])
            if not (math.isfinite(slope) and math.isfinite(f[i])):
                slope = np.inf  # past where the surface is finite: the bracket closes
            if stage[i] == 3:  # the secant's point, inside the final bracket
                stage[i] = 2
                if not abs(slope) < min(abs(slo[i]), abs(shi[i])):
                    a[i] = lo[i] if abs(slo[i]) <= abs(shi[i]) else hi[i]
                continue
            if stage[i] == 0 and slope < 0.0:
                lo[i] = a[i]
                slo[i] = slope
                expansions[i] += 1
                if a[i] >= edge[i]:  # descending at the edge: leave, and be judged
                    a[i] = 2.0 * edge[i]
                    stage[i] = 2
                elif expansions[i] >= EXPAND_LIMIT:  # still descending: take this step
                    stage[i] = 2
                else:
                    a[i] = min(2.0 * a[i], edge[i])
                continue
            stage[i] = 1
            if slope < 0.0:
                lo[i] = a[i]
                slo[i] = slope
            elif slope > 0.0:
                hi[i] = a[i]
                shi[i] = slope
            else:  # φ'(a) = 0: the minimum itself
                stage[i] = 2
                continue
            if hi[i] - lo[i] > LINE_TOL * hi[i]:
                a[i] = 0.5 * (lo[i] + hi[i])
                continue
            c = lo[i] - slo[i] * (hi[i] - lo[i]) / (shi[i] - slo[i])
            if lo[i] < c < hi[i]:
                a[i] = c
                stage[i] = 3
            else:
                a[i] = lo[i] if abs(slo[i]) <= abs(shi[i]) else hi[i]
                stage[i] = 2
    for i in range(n):
        xy[0, i] -= a[i] * gu[0, i]
        xy[1, i] -= a[i] * gu[1, i]
        S[0, i] = a[i]
        S[0, n + i] = a[i]


@njit(**JIT)
def random_search_update(xy, f0, S, radius, trials, seed, first_point, t,
                         surf_code, sp, ops, consts):
    """Try ``trials`` directions u = ε z/‖z‖ (z standard normal, drawn from the seed, the
    point's index in the race, the step t and the trial k) and move to the lowest x + u if
    it is lower than f0 = f(x); otherwise stay. S[0] receives the best trial u (taken or
    not). xy is (2, n), f0 (n,)."""
    n = xy.shape[1]
    best = np.empty(n)
    ux = np.zeros(n)
    uy = np.zeros(n)
    for i in range(n):
        best[i] = np.inf
    trial = np.empty((2, n))
    du = np.empty((2, n))
    f = np.empty(n)
    g = np.empty((2, n))
    for k in range(trials):
        for i in range(n):
            z0 = gaussian(seed, first_point + i, t, DIRECTION_OFFSET + 2 * k)
            z1 = gaussian(seed, first_point + i, t, DIRECTION_OFFSET + 2 * k + 1)
            scale = radius / math.sqrt(z0 * z0 + z1 * z1)
            du[0, i] = scale * z0
            du[1, i] = scale * z1
            trial[0, i] = xy[0, i] + du[0, i]
            trial[1, i] = xy[1, i] + du[1, i]
        value_grad_points(surf_code, sp, ops, consts, trial, f, g)
        for i in range(n):
            if f[i] < best[i]:
                best[i] = f[i]
                ux[i] = du[0, i]
                uy[i] = du[1, i]
    for i in range(n):
        S[0, i] = ux[i]
        S[0, n + i] = uy[i]
        if best[i] < f0[i]:
            xy[0, i] += ux[i]
            xy[1, i] += uy[i]


def _step_length(state, lr, t, hp, state_before) -> dict[str, np.ndarray]:
    """a_t for each start and frame: the kernel keeps it in both coordinates of ``a``."""
    return {"step_length": state["a"][:, :, 0].copy()}


ENTRIES = (
    Optimizer(
        "line_search", LINE_SEARCH, "Exact line search",
        "Steepest descent that walks along −g to the lowest point of that line (Cauchy's "
        "method): each new gradient is at a right angle to the last step, so the path "
        "zig-zags at right angles.",
        (Param("lr", 0.01, 1e-6, 10.0,
               "first trial step a₀ of the bracket: the search doubles it until the line "
               "turns uphill, so it hardly matters", log=True, symbol="a_0"),),
        (StateVar("a", "a", "the step length found on the line (both coordinates)"),), (),
        (r"\varphi(a) = f(x_{t-1} - a\, g_t),\quad a = a_0, 2a_0, 4a_0, \ldots",
         r"a_t = \arg\min_{a \ge 0} \varphi(a)",
         r"x_t = x_{t-1} - a_t\, g_t"),
        "Cauchy (1847). The step a_t is found on the slice φ(a) = f(x − a g) to 1e-10: a₀ "
        "doubles until the slope φ'(a) = −∇f(x − a g)·g is no longer negative, bisection "
        "narrows that bracket to 1e-10 and a last secant step lands on the zero of φ' (exact "
        "on a quadratic, where a = gᵀg / gᵀAg). Each search costs about 40 evaluations of "
        "the surface. The rate lr is only the first trial step a₀; a line still descending "
        "at the edge of the race's bound is unbounded below as far as the race can see: "
        "the step leaves it and the run is judged diverged. Surfaces only. Neither "
        "torch.optim nor optax has it (torch's L-BFGS line search is inexact).",
        derived=(Derived("step_length", "a_t", "the step length found on the line",
                         "a_t"),),
        derive=_step_length, needs_surface=True,
        color=FOREST, marker="triangle-left", step_cost=175.0, network_lr=None,
        lr_rule=LrRule("curvature", 0.5)),
    Optimizer(
        "random_search", RANDOM_SEARCH, "Random search",
        "Tries a few random directions of a fixed length and moves to the best of them if it "
        "is lower; no gradient at all.",
        (Param("lr", 0.05, 1e-6, 10.0, "radius ε of every trial step", log=True,
               symbol=r"\varepsilon"),
         Param("trials", 8.0, 1.0, 64.0, "N: random directions tried each step",
               symbol="N", integer=True)),
        (StateVar("u", "u", "the best trial step of this step, taken or not"),), (),
        (r"z_k \sim \mathcal{N}(0, I),\quad k = 1, \ldots, N",
         r"u_k = \varepsilon\, z_k / \|z_k\|",
         r"u_t = \arg\min_{u_k} f(x_{t-1} + u_k)",
         r"x_t = x_{t-1} + [f(x_{t-1} + u_t) < f(x_{t-1})]\, u_t"),
        "The baseline of CS231n's optimisation notes, with directions of exactly radius ε "
        "(uniform on the circle); [·] is 1 when the best trial is lower, else 0. Each step "
        "costs N evaluations of the surface and never raises f. The draws come from the "
        "race's seed, each start's index, the step and the trial, so a race is reproducible "
        "and identical however it is split. Surfaces only.",
        needs_surface=True,
        color=TEAL, marker="triangle-right", step_cost=145.0, network_lr=None,
        lr_rule=LrRule("distance", 0.02)),
)
