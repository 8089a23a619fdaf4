"""The compiled heart of a race: advance many points of one optimizer by a number of steps.

Layout (the Numba facts measured on these machines): points are cut into chunks of
``CHUNK``; each chunk copies its slice of the carry into small contiguous arrays with one
column per point (x in row 0, y in row 1), runs every step with loops over its points that
LLVM vectorises, and copies the carry back. Chunks run in parallel (``prange``). The
optimizer sees a chunk's coordinates as one flat vector, so its rule is written once.

The kernel is resumable: everything a later segment needs is in the carry (``x, f, g, S,
sc, conv_at, div_at``), so a stream runs a race k steps at a time, and a client that
disconnects simply stops being advanced.

Divergence: a point whose position, loss or gradient is not finite, or whose position leaves
``[-bound, bound]²``, is marked ``div_at = t`` and frozen at its last finite state. Every
per-point decision is written as a select rather than a branch so the loops stay vectorised.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from engine.noise import gaussian
from engine.optimizers import kernels as K
from engine.surfaces.dispatch import hessian_batch, value_grad_batch

JIT = {"cache": True, "nogil": True, "error_model": "numpy"}
INLINE = {**JIT, "inline": "always"}

CHUNK = 512
CLIP_NONE = 0
CLIP_NORM = 1
CLIP_VALUE = 2


@njit(**INLINE)
def process_gradient(gu, first_point, t, clip_kind, clip_value, noise_std, seed):
    """Add seeded Gaussian noise, then clip (by each point's norm, or by value). gu is (2, n)."""
    n = gu.shape[1]
    if noise_std > 0.0:
        for i in range(n):
            for c in range(2):
                gu[c, i] += noise_std * gaussian(seed, first_point + i, t, c)
    if clip_kind == CLIP_NORM:
        for i in range(n):
            norm = math.sqrt(gu[0, i] * gu[0, i] + gu[1, i] * gu[1, i])
            scale = clip_value / norm if norm > clip_value else 1.0
            gu[0, i] *= scale
            gu[1, i] *= scale
    elif clip_kind == CLIP_VALUE:
        for i in range(n):
            for c in range(2):
                gu[c, i] = min(max(gu[c, i], -clip_value), clip_value)


@njit(**INLINE)
def copy_flat(dst, src):
    for i in range(src.size):
        dst[i] = src[i]


@njit(**INLINE)
def judge(t, xc, fc, gc, x_prev, f_prev, g_prev, gu, conv, div,
          fstar, use_fstar, tol, gtol, bound):
    """Mark new divergences and convergences at step t, and freeze every diverged point.

    A first pass only counts healthy points, which vectorises; the per-point repair runs
    only in chunks that hold a diverged point.
    """
    n = fc.size
    healthy = 0
    for i in range(n):
        healthy += ((abs(xc[0, i]) <= bound) & (abs(xc[1, i]) <= bound) & (abs(fc[i]) < np.inf)
                    & (abs(gc[0, i]) < np.inf) & (abs(gc[1, i]) < np.inf) & (div[i] < 0))
    if healthy < n:
        for i in range(n):
            if div[i] < 0 and _is_bad(xc[0, i], xc[1, i], fc[i], gc[0, i], gc[1, i], bound):
                div[i] = t
            if div[i] >= 0:
                xc[0, i] = x_prev[0, i]
                xc[1, i] = x_prev[1, i]
                fc[i] = f_prev[i]
                gc[0, i] = g_prev[0, i]
                gc[1, i] = g_prev[1, i]
                gu[0, i] = 0.0
                gu[1, i] = 0.0
    gtol2 = gtol * gtol
    for i in range(n):
        near = ((gc[0, i] * gc[0, i] + gc[1, i] * gc[1, i] <= gtol2)
                | (use_fstar & (abs(fc[i] - fstar) <= tol)))
        conv[i] = t if (conv[i] < 0) & near & (div[i] < 0) else conv[i]


@njit(**INLINE)
def _is_bad(x0, x1, f, g0, g1, bound):
    finite = (math.isfinite(x0) and math.isfinite(x1) and math.isfinite(f)
              and math.isfinite(g0) and math.isfinite(g1))
    return not finite or abs(x0) > bound or abs(x1) > bound


@njit(**INLINE)
def restore_frozen_state(state, state_prev, div, n):
    """Diverged points keep the state they had before the step that broke them."""
    for j in range(state.shape[0]):
        for c in range(2):
            for i in range(n):
                state[j, c * n + i] = state_prev[j, c * n + i] if div[i] >= 0 \
                    else state[j, c * n + i]


@njit(parallel=True, **JIT)
def advance(surf_code, sp, ops, consts,
            opt_code, h, lrs, t0,
            clip_kind, clip_value, noise_std, seed,
            fstar, use_fstar, tol, gtol, bound,
            x, f, g, S, sc, conv_at, div_at,
            rec_x, rec_f, rec_gnorm, rec_grad, rec_state, record, record_state):
    """Run ``lrs.size`` steps (numbered t0+1, …) of optimizer ``opt_code`` on every point.

    Carry (updated in place): x (P, 2), f (P,), g (P, 2) raw value and gradient at x,
    S (k, P, 2) vector state, sc scalar state, conv_at / div_at (P,) first step or −1.
    Records (P, steps, …), written when ``record`` / ``record_state``: position, loss and
    gradient norm after each step, the processed gradient each step used, and the state.
    """
    n_points = x.shape[0]
    k = S.shape[0]
    steps = lrs.size
    n_chunks = (n_points + CHUNK - 1) // CHUNK
    uses_lookahead = opt_code == K.NESTEROV or opt_code == K.RMSPROP_NESTEROV
    # Every chunk starts from the same scalar state and evolves it identically; chunk 0
    # reports it back. Reading ``sc`` itself inside the loop would race with that write.
    sc_start = sc.copy()
    sc_end = sc.copy()
    for chunk in prange(n_chunks):
        lo = chunk * CHUNK
        n = min(CHUNK, n_points - lo)
        xc = np.empty((2, n))
        gc = np.empty((2, n))
        fc = f[lo:lo + n].copy()
        state = np.empty((k, 2 * n))
        for i in range(n):
            for c in range(2):
                xc[c, i] = x[lo + i, c]
                gc[c, i] = g[lo + i, c]
                for j in range(k):
                    state[j, c * n + i] = S[j, lo + i, c]
        sc_local = sc_start.copy()
        conv = conv_at[lo:lo + n].copy()
        div = div_at[lo:lo + n].copy()
        x_prev = np.empty_like(xc)
        f_prev = np.empty_like(fc)
        g_prev = np.empty_like(gc)
        state_prev = np.empty_like(state)
        gu = np.empty_like(gc)
        # One evaluation per step, at x and (Nesterov family) at its look-ahead x + μv, in
        # one batch: a single call site keeps the inlined surface dispatch compiled once.
        m = 2 * n if uses_lookahead else n
        ev = np.empty((2, m))
        fe = np.empty(m)
        ge = np.empty((2, m))
        hess = np.empty((3, m))
        look = np.empty(2 * n)
        x_flat = xc.reshape(2 * n)
        gu_flat = gu.reshape(2 * n)
        g_flat = gc.reshape(2 * n)
        x_prev_flat = x_prev.reshape(2 * n)
        g_prev_flat = g_prev.reshape(2 * n)
        state_flat = state.reshape(k * 2 * n)
        state_prev_flat = state_prev.reshape(k * 2 * n)
        # Iteration s = -1 only evaluates the carry, to prepare the first step's gradient.
        for s in range(-1, steps):
            t = t0 + s + 1
            if s >= 0:
                copy_flat(x_prev_flat, x_flat)
                copy_flat(f_prev, fc)
                copy_flat(g_prev_flat, g_flat)
                if record_state:
                    copy_flat(state_prev_flat, state_flat)
                if opt_code == K.NEWTON:
                    K.newton_update(xc, gu, hess, lrs[s], h[0])
                else:
                    K.update(opt_code, x_flat, gu_flat, state, sc_local, t, lrs[s], h)
            for c in range(2):
                for i in range(n):
                    ev[c, i] = xc[c, i]
            if uses_lookahead:
                K.lookahead(opt_code, x_flat, state, h, look)
                for c in range(2):
                    for i in range(n):
                        ev[c, n + i] = look[c * n + i]
            value_grad_batch(surf_code, sp, ops, consts, ev, fe, ge)
            if opt_code == K.NEWTON:
                hessian_batch(surf_code, sp, ops, consts, ev, hess)
            for i in range(n):
                fc[i] = fe[i]
                gc[0, i] = ge[0, i]
                gc[1, i] = ge[1, i]
            if s >= 0:
                judge(t, xc, fc, gc, x_prev, f_prev, g_prev, gu, conv, div,
                      fstar, use_fstar, tol, gtol, bound)
                if record_state:
                    restore_frozen_state(state, state_prev, div, n)
                    for i in range(n):
                        for j in range(k):
                            for c in range(2):
                                rec_state[lo + i, s, j, c] = state[j, c * n + i]
                if record:
                    for i in range(n):
                        p = lo + i
                        rec_f[p, s] = fc[i]
                        rec_gnorm[p, s] = math.sqrt(gc[0, i] * gc[0, i] + gc[1, i] * gc[1, i])
                        for c in range(2):
                            rec_x[p, s, c] = xc[c, i]
                            rec_grad[p, s, c] = gu[c, i]
            # The gradient step t + 1 will use: at the look-ahead point, or at x.
            offset = n if uses_lookahead else 0
            for c in range(2):
                for i in range(n):
                    gu[c, i] = ge[c, offset + i]
            process_gradient(gu, lo, t + 1, clip_kind, clip_value, noise_std, seed)
        for i in range(n):
            for c in range(2):
                x[lo + i, c] = xc[c, i]
                g[lo + i, c] = gc[c, i]
                for j in range(k):
                    S[j, lo + i, c] = state[j, c * n + i]
        f[lo:lo + n] = fc
        conv_at[lo:lo + n] = conv
        div_at[lo:lo + n] = div
        if chunk == 0:
            sc_end[:] = sc_local
    sc[:] = sc_end
