"""The compiled training loop of one optimizer on one network: T steps, every frame recorded.

Each step: the gradient the optimizer uses (full batch, or the step's mini-batch; for the
Nesterov family at the look-ahead point), seeded noise and clipping over the whole vector,
the optimizer's own update rule from ``engine.optimizers.kernels`` applied to the flat
weight vector, then the full-batch loss, accuracy and gradient at the new weights for the
record. A full-batch run without look-ahead reuses that gradient for its next step, as the
2-D race does.

Divergence: a step that makes the loss, a weight or the full-batch gradient non-finite is
undone (weights, optimizer state and running products), ``div_at`` is set to the step and
the run stays frozen at its last finite frame, recorded with a zero gradient, as in
``engine.race_kernel``.

Batch normalization: each training pass (the step's batch) moves the running statistics R
(``engine.networks.batchnorm.update_running``); the recorded full-batch pass, a measurement,
does not, but its batch statistics F are kept, since a full-batch step reuses that pass.

The carry (``theta, S, sc, fa, g_full, div_at, perm, perm_epoch, R, F``) holds everything a
later call needs, so a run can be advanced a segment at a time with the same result.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from descentlab.engine.networks.batches import batch_for_step
from descentlab.engine.networks.batchnorm import update_running
from descentlab.engine.networks.dropout import draw_masks
from descentlab.engine.networks.mlp import loss_and_gradient
from descentlab.engine.networks.statistics import summarise
from descentlab.engine.noise import gaussian
from descentlab.engine.optimizers import kernels as K
from descentlab.engine.optimizers import lookahead as LA
from descentlab.engine.optimizers.momentum_schedule import scheduled_momentum
from descentlab.engine.race_kernel import CLIP_NORM, CLIP_VALUE

JIT = {"cache": True, "nogil": True, "error_model": "numpy"}


@njit(**JIT)
def process_gradient(g, t, clip_kind, clip_value, noise_std, seed):
    """Add seeded Gaussian noise to every coordinate, then clip by the whole vector's norm
    (or each coordinate by value). Noise is keyed by (seed, step, coordinate)."""
    if noise_std > 0.0:
        for i in range(g.size):
            g[i] += noise_std * gaussian(seed, 0, t, i)
    if clip_kind == CLIP_NORM:
        total = 0.0
        for i in range(g.size):
            total += g[i] * g[i]
        norm = math.sqrt(total)
        scale = clip_value / norm if norm > clip_value else 1.0
        for i in range(g.size):
            g[i] *= scale
    elif clip_kind == CLIP_VALUE:
        for i in range(g.size):
            g[i] = min(max(g[i], -clip_value), clip_value)


@njit(**JIT)
def all_finite(x):
    """True when every entry is finite; a count rather than an early exit, so it vectorises."""
    finite = 0
    for i in range(x.size):
        finite += abs(x[i]) < np.inf
    return finite == x.size


@njit(**JIT)
def norm(x):
    total = 0.0
    for i in range(x.size):
        total += x[i] * x[i]
    return math.sqrt(total)


@njit(**JIT)
def train(theta, S, sc, fa, g_full, div_at, perm, perm_epoch,
          opt_code, h, lrs, t0, wrap_k, wrap_alpha, mu_tau, mu_index,
          lay, act, bn, X, y, batch, batch_seed,
          clip_kind, clip_value, noise_std, noise_seed, dropout, M, R, F,
          A, D, T, G, yb, lb, Z, B,
          rec_w, rec_f, rec_acc, rec_gnorm, rec_grad, rec_R,
          st_every, st_bins, st_mean, st_std, st_sat, st_lo, st_hi, st_counts, st_gnorm,
          st_done):
    """Run ``lrs.size`` steps (numbered t0 + 1, …) of optimizer ``opt_code``.

    Carry, updated in place: theta (P,) weights, S (k, P) optimizer state, sc scalar state,
    fa = [full-batch loss, accuracy] and g_full (P,) full-batch gradient at theta, div_at[0]
    (−1 or the step that diverged), perm/perm_epoch the current epoch's shuffle.
    ``batch`` ≥ n means full batch; ``dropout`` > 0 draws step t's masks into M (seeded by
    ``batch_seed``) for the gradient only, the recorded numbers being the plain net's.
    Batch normalization (``bn``, per layer γ's offset or −1): R (2, units) the running
    statistics, F (2, units) the batch mean and variance of the last full-batch pass.
    Records (steps, …): weights, loss, accuracy, full-batch gradient norm after each step,
    the processed gradient each step used (or nothing, given a record of 0 rows), and the
    running statistics after it. ``wrap_k`` > 0 wraps the optimizer in Lookahead (slow step
    ``wrap_alpha``): theta, recorded and judged, is then the slow point, and the last row of
    S the fast point's offset from it. ``mu_tau`` > 0 raises the momentum h[mu_index] as
    ``engine.optimizers.momentum_schedule`` says.

    Per-layer statistics (``st_every`` > 0): at a frame t that is a multiple of it, the
    recorded full-batch pass is the very pass ``engine.networks.statistics`` makes at those
    weights, so its activations are summarised into slot t // st_every of the ``st_*``
    arrays (the layout of ``summarise``) and ``st_done`` marks the slot; a step that
    diverged, or a frozen run, leaves its slot to the caller (the buffers then hold no
    pass of the recorded weights).
    """
    K.check_code(opt_code)
    n = y.size
    p = theta.size
    full = batch >= n
    nb = n if full else batch
    wrapped = wrap_k > 0
    h = h.copy()
    mu_max = h[mu_index] if mu_tau > 0 else 0.0
    lookahead = K.uses_lookahead(opt_code) or wrapped
    row = S.shape[0] - 1
    fast = np.zeros(p if wrapped else 0)
    all_points = np.arange(n)
    idx = np.zeros(nb, dtype=np.int64)
    g_use = np.zeros(p)
    at = np.zeros(p)
    theta_prev = np.zeros(p)
    g_prev = np.zeros(p)
    S_prev = np.zeros_like(S)
    sc_prev = np.zeros_like(sc)
    R_prev = np.zeros_like(R)
    F_prev = np.zeros_like(F)
    for s in range(lrs.size):
        t = t0 + s + 1
        if mu_tau > 0:  # μ of step t, for its look-ahead point and its update
            h[mu_index] = scheduled_momentum(mu_max, t, mu_tau)
        if div_at[0] < 0:
            R_prev[:] = R
            if full and not lookahead and dropout == 0.0:
                g_use[:] = g_full
                update_running(bn, lay, F, n, R)
            else:
                if lookahead:  # (wrapped: the fast point's gradient point)
                    point = theta
                    if wrapped:
                        LA.fast_point(theta, S, row, fast)
                        point = fast
                    K.lookahead(opt_code, point, S, h, at)
                else:
                    at[:] = theta
                if full:
                    idx[:] = all_points
                else:
                    batch_for_step(batch_seed, t, batch, perm, perm_epoch, idx)
                if dropout > 0.0:
                    draw_masks(batch_seed, t, dropout, lay, nb, M)
                loss_and_gradient(at, lay, act, bn, X, y, idx, nb, A, D, T, G, yb, lb, Z, B,
                                  g_use, M, dropout)
                update_running(bn, lay, B, nb, R)
            process_gradient(g_use, t, clip_kind, clip_value, noise_std, noise_seed)
            theta_prev[:] = theta
            g_prev[:] = g_full
            S_prev[:] = S
            sc_prev[:] = sc
            F_prev[:] = F
            stepped = theta  # (Lookahead: the same rule steps the fast point, then the sync)
            if wrapped:
                LA.fast_point(theta, S, row, fast)
                stepped = fast
            K.update(opt_code, stepped, g_use, S, sc, t, lrs[s], h, 1)
            if wrapped:
                LA.sync(theta, S, row, t, wrap_k, wrap_alpha, fast)
            f, correct = loss_and_gradient(theta, lay, act, bn, X, y, all_points, n,
                                           A, D, T, G, yb, lb, Z, B, g_full, M, 0.0)
            F[0, :] = B[0, :F.shape[1]]
            F[1, :] = B[1, :F.shape[1]]
            if math.isfinite(f) and all_finite(theta) and all_finite(g_full):
                fa[0] = f
                fa[1] = correct / n
            else:
                div_at[0] = t
                theta[:] = theta_prev
                g_full[:] = g_prev
                S[:] = S_prev
                sc[:] = sc_prev
                R[:] = R_prev
                F[:] = F_prev
            if div_at[0] < 0 and st_every > 0 and t % st_every == 0:
                slot = t // st_every
                summarise(A, lay, n, act, g_full, st_bins, st_mean[slot], st_std[slot],
                          st_sat[slot], st_lo[slot], st_hi[slot], st_counts[slot],
                          st_gnorm[slot])
                st_done[slot] = True
        if div_at[0] >= 0:
            g_use[:] = 0.0
        rec_w[s, :] = theta
        rec_f[s] = fa[0]
        rec_acc[s] = fa[1]
        rec_gnorm[s] = norm(g_full)
        if rec_grad.shape[0]:  # (none when the caller records no gradients)
            rec_grad[s, :] = g_use
        rec_R[s] = R
