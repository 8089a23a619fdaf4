"""Integer-coded dispatch from a surface code to its compiled formula, over a batch of points.

The branch on ``code`` sits outside each loop over points so that every loop body is one
inlined formula that LLVM can vectorise; a plain per-point dispatch would defeat SIMD.
Points are columns: ``xy`` and ``g`` are (2, n), ``h`` is (3, n), all C-contiguous, so each
loop reads unit-stride rows (measured here on Rosenbrock: 1.6 ns per point for (n, 2) rows
indexed ``xy[i, 0]``, 0.4 through flat views with stride 2, 0.18 for columns).
``value_grad_batch`` is inlined into its callers at Numba's IR level: called, it increments
and decrements the reference count of each array argument on entry and exit, atomically —
70 ns a call, measured, more than a whole step of one path. ``hessian_batch`` serves only
Newton's method and stays a call, which halves the race kernel's compile time.
Code 0 is a user expression, evaluated by the expression machine from ``ops``/``consts``.
Codes 23–25 are the two-weight networks: for them ``p`` is the data vector of the network's
dataset (``Surface.kernel_params``), and each formula sums over its points.
Codes are part of the engine's contract with cached kernels: append new ones, never renumber.
"""

from __future__ import annotations

from numba import njit

from descentlab.engine.expressions.vm import expr_hessian_batch, expr_value_grad_batch
from descentlab.engine.networks import two_param_formulas as N
from descentlab.engine.surfaces import formulas as F

JIT = F.JIT
INLINE = {**JIT, "inline": "always"}

EXPRESSION = 0
BOWL = 1
ROSENBROCK = 2
RAVINE = 3
SADDLE = 4
MONKEY_SADDLE = 5
DOUBLE_WELL = 6
FLAT_QUARTIC = 7
PLATEAU = 8
CLIFF = 9
DECEPTIVE = 10
SHARP_AND_FLAT = 11
BEALE = 12
BOOTH = 13
HIMMELBLAU = 14
MATYAS = 15
THREE_HUMP_CAMEL = 16
SIX_HUMP_CAMEL = 17
GOLDSTEIN_PRICE = 18
RASTRIGIN = 19
ACKLEY = 20
STYBLINSKI_TANG = 21
EASOM = 22
LINEAR_NET = 23
NEURON = 24
LOGISTIC = 25


@njit(**INLINE)
def value_grad_batch(code, p, ops, consts, xy, f, g):
    """f[i], g[:, i] = value and gradient at the point xy[:, i], for every column i."""
    n = xy.shape[1]
    if code == EXPRESSION:
        expr_value_grad_batch(ops, consts, xy, f, g)
    elif code == BOWL:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.bowl_fg(xy[0, i], xy[1, i], p)
    elif code == ROSENBROCK:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.rosenbrock_fg(xy[0, i], xy[1, i], p)
    elif code == RAVINE:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.ravine_fg(xy[0, i], xy[1, i], p)
    elif code == SADDLE:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.saddle_fg(xy[0, i], xy[1, i], p)
    elif code == MONKEY_SADDLE:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.monkey_saddle_fg(xy[0, i], xy[1, i], p)
    elif code == DOUBLE_WELL:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.double_well_fg(xy[0, i], xy[1, i], p)
    elif code == FLAT_QUARTIC:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.flat_quartic_fg(xy[0, i], xy[1, i], p)
    elif code == PLATEAU:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.plateau_fg(xy[0, i], xy[1, i], p)
    elif code == CLIFF:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.cliff_fg(xy[0, i], xy[1, i], p)
    elif code == DECEPTIVE:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.deceptive_fg(xy[0, i], xy[1, i], p)
    elif code == SHARP_AND_FLAT:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.sharp_and_flat_fg(xy[0, i], xy[1, i], p)
    elif code == BEALE:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.beale_fg(xy[0, i], xy[1, i], p)
    elif code == BOOTH:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.booth_fg(xy[0, i], xy[1, i], p)
    elif code == HIMMELBLAU:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.himmelblau_fg(xy[0, i], xy[1, i], p)
    elif code == MATYAS:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.matyas_fg(xy[0, i], xy[1, i], p)
    elif code == THREE_HUMP_CAMEL:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.three_hump_camel_fg(xy[0, i], xy[1, i], p)
    elif code == SIX_HUMP_CAMEL:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.six_hump_camel_fg(xy[0, i], xy[1, i], p)
    elif code == GOLDSTEIN_PRICE:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.goldstein_price_fg(xy[0, i], xy[1, i], p)
    elif code == RASTRIGIN:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.rastrigin_fg(xy[0, i], xy[1, i], p)
    elif code == ACKLEY:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.ackley_fg(xy[0, i], xy[1, i], p)
    elif code == STYBLINSKI_TANG:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.styblinski_tang_fg(xy[0, i], xy[1, i], p)
    elif code == EASOM:
        for i in range(n):
            f[i], g[0, i], g[1, i] = F.easom_fg(xy[0, i], xy[1, i], p)
    elif code == LINEAR_NET:
        for i in range(n):
            f[i], g[0, i], g[1, i] = N.linear_net_fg(xy[0, i], xy[1, i], p)
    elif code == NEURON:
        for i in range(n):
            f[i], g[0, i], g[1, i] = N.neuron_fg(xy[0, i], xy[1, i], p)
    elif code == LOGISTIC:
        for i in range(n):
            f[i], g[0, i], g[1, i] = N.logistic_fg(xy[0, i], xy[1, i], p)


@njit(**JIT)
def value_grad_points(code, p, ops, consts, xy, f, g):
    """``value_grad_batch`` as an ordinary compiled call, for Python callers and for the
    race kernel's rare repair after a divergence: one compiled copy serves them all, where
    calling the inlined version from each would compile the whole dispatch again."""
    value_grad_batch(code, p, ops, consts, xy, f, g)


@njit(**JIT)
def hessian_batch(code, p, ops, consts, xy, h):
    """h[:, i] = (∂xx, ∂xy, ∂yy) at the point xy[:, i], for every column i."""
    n = xy.shape[1]
    if code == EXPRESSION:
        expr_hessian_batch(ops, consts, xy, h)
    elif code == BOWL:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.bowl_h(xy[0, i], xy[1, i], p)
    elif code == ROSENBROCK:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.rosenbrock_h(xy[0, i], xy[1, i], p)
    elif code == RAVINE:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.ravine_h(xy[0, i], xy[1, i], p)
    elif code == SADDLE:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.saddle_h(xy[0, i], xy[1, i], p)
    elif code == MONKEY_SADDLE:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.monkey_saddle_h(xy[0, i], xy[1, i], p)
    elif code == DOUBLE_WELL:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.double_well_h(xy[0, i], xy[1, i], p)
    elif code == FLAT_QUARTIC:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.flat_quartic_h(xy[0, i], xy[1, i], p)
    elif code == PLATEAU:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.plateau_h(xy[0, i], xy[1, i], p)
    elif code == CLIFF:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.cliff_h(xy[0, i], xy[1, i], p)
    elif code == DECEPTIVE:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.deceptive_h(xy[0, i], xy[1, i], p)
    elif code == SHARP_AND_FLAT:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.sharp_and_flat_h(xy[0, i], xy[1, i], p)
    elif code == BEALE:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.beale_h(xy[0, i], xy[1, i], p)
    elif code == BOOTH:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.booth_h(xy[0, i], xy[1, i], p)
    elif code == HIMMELBLAU:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.himmelblau_h(xy[0, i], xy[1, i], p)
    elif code == MATYAS:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.matyas_h(xy[0, i], xy[1, i], p)
    elif code == THREE_HUMP_CAMEL:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.three_hump_camel_h(xy[0, i], xy[1, i], p)
    elif code == SIX_HUMP_CAMEL:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.six_hump_camel_h(xy[0, i], xy[1, i], p)
    elif code == GOLDSTEIN_PRICE:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.goldstein_price_h(xy[0, i], xy[1, i], p)
    elif code == RASTRIGIN:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.rastrigin_h(xy[0, i], xy[1, i], p)
    elif code == ACKLEY:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.ackley_h(xy[0, i], xy[1, i], p)
    elif code == STYBLINSKI_TANG:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.styblinski_tang_h(xy[0, i], xy[1, i], p)
    elif code == EASOM:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = F.easom_h(xy[0, i], xy[1, i], p)
    elif code == LINEAR_NET:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = N.linear_net_h(xy[0, i], xy[1, i], p)
    elif code == NEURON:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = N.neuron_h(xy[0, i], xy[1, i], p)
    elif code == LOGISTIC:
        for i in range(n):
            h[0, i], h[1, i], h[2, i] = N.logistic_h(xy[0, i], xy[1, i], p)
