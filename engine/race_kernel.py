"""The compiled heart of a race: advance many points of one optimizer by a number of steps.

Layout (the Numba facts measured on these machines): points are cut into chunks of
``CHUNK`` (small enough to stay in L1: see there); each chunk copies its slice of the carry
into small contiguous arrays with one column per point (x in row 0, y in row 1), runs every
step with loops over its points that LLVM vectorises, and copies the carry back. Chunks run
in parallel (``prange``). The optimizer sees a chunk's coordinates as one flat vector, so
its rule is written once.

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

from descentlab.engine.noise import gaussian
from descentlab.engine.optimizers import kernels as K
from descentlab.engine.optimizers import lookahead as LA
from descentlab.engine.optimizers.momentum_schedule import scheduled_momentum
from descentlab.engine.surfaces.dispatch import hessian_batch, value_grad_batch, value_grad_points

JIT = {"cache": True, "nogil": True, "error_model": "numpy"}
INLINE = {**JIT, "inline": "always"}

CHUNK = 256
"""Points per chunk. A chunk's working set is about 13 doubles a point (x, g, f, x before the
step, two rows of Adam's state per coordinate, the steps of convergence and divergence):
53 KB at 512 points, more than a core's 32 KB L1 data cache here; 27 KB at 256. Measured
on a 512² basin map, Adam on Himmelblau, 500 steps, 2 threads, in CPU time (wall time on
the shared machine varied ±30 % from run to run), against the hand-specialised kernel of
benchmarks/bench_maps.py: 0.59× at 512, 0.62× at 256, 0.63× at 128, no better at 64 or 32
(the per-step work of a chunk — the scalar state, each loop's set-up — is paid more often).
Chunking never changes a result: every point is stepped on its own, and every chunk evolves
the scalar state identically."""
CLIP_NONE = 0
CLIP_NORM = 1
CLIP_VALUE = 2


@njit(**INLINE)
def process_gradient(gu, first_point, t, clip_kind, clip_value, noise_std, seed, factor):
    """Add seeded Gaussian noise, clip (by each point's norm, or by value), then multiply
    each coordinate by its ``factor``. gu is (2, n)."""
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
    if factor[0] != 1.0 or factor[1] != 1.0:
        for i in range(n):
            gu[0, i] *= factor[0]
            gu[1, i] *= factor[1]


@njit(**INLINE)
def copy_flat(dst, src):
    for i in range(src.size):
        dst[i] = src[i]


@njit(**INLINE)
def hold_frozen(xc, x_prev, div):
    """Put every diverged point back where it froze: the update rule moved it."""
    for i in range(div.size):
        frozen = div[i] >= 0
        xc[0, i] = x_prev[0, i] if frozen else xc[0, i]
        xc[1, i] = x_prev[1, i] if frozen else xc[1, i]


@njit(**INLINE)
def judge(t, xc, fc, gc, conv, div, fstar, use_fstar, tol, gtol, bound):
    """Mark new convergences at step t; return how many live points are suspects, which
    :func:`repair` then judges exactly (the caller calls it only if there are any).

    One vectorised pass marks convergence and looks for suspects: live points out of bounds,
    or whose ``f + g0 + g1`` is not finite. That sum is NaN or ±Inf whenever one of them is,
    so no bad point escapes; a finite sum that overflows only makes a healthy point a suspect,
    which :func:`repair`'s exact check clears. Convergence is marked without asking whether the
    point is healthy (near-ness is false for NaN and ±Inf alike): a point that turns out to
    diverge at this step has the mark taken back. Measured against the pass it replaces (five
    finiteness tests, and counts of healthy and frozen points every step), one thread, CPU
    time: 0.71 → 0.61 ns a point (0.66 → 0.57 in a second run), about 2 % of an Adam step
    on Himmelblau; the whole 512² map gained 0.02–0.04× of the hand-specialised kernel's
    rate, no more than the shared machine's noise between runs.

    Only a chunk with a suspect repairs (:func:`repair`). That call is made by the kernel,
    not from here: inlined here, the repair (or a call to it) slowed every step though it
    runs only at a divergence. Measured on an AVX-512 machine, one thread, one chunk of Adam
    on Himmelblau, CPU time, without the copy of x before the step: 1.84 ns a point-step
    with the repair inlined here, 1.51 with the call in the kernel, 1.24 with no judging.
    """
    n = fc.size
    suspects = 0
    gtol2 = gtol * gtol
    for i in range(n):
        live = div[i] < 0
        sane = ((abs(xc[0, i]) <= bound) & (abs(xc[1, i]) <= bound)
                & (abs(fc[i] + gc[0, i] + gc[1, i]) < np.inf))
        suspects += live & ~sane
        near = _near(fc[i], gc[0, i], gc[1, i], fstar, use_fstar, tol, gtol2)
        conv[i] = t if (conv[i] < 0) & near & live else conv[i]
    return suspects


@njit(**JIT)
def repair(t, xc, fc, gc, x_prev, conv, div, frozen, bound, surf_code, sp, ops, consts):
    """Mark each live point that is not finite or out of bounds at step t diverged, take back
    a convergence :func:`judge` marked at this step, and put the point back where it was
    before the step (``x_prev``), with the value and gradient there evaluated again
    (evaluation is deterministic, so no step has to keep copies of f and g); return how many
    points are frozen (``frozen`` before this step, plus the new divergences). Points frozen
    earlier were held in place before the evaluation and are already right."""
    n = fc.size
    f_prev = np.empty(n)
    g_prev = np.empty((2, n))
    value_grad_points(surf_code, sp, ops, consts, x_prev, f_prev, g_prev)
    for i in range(n):
        if div[i] < 0 and _is_bad(xc[0, i], xc[1, i], fc[i], gc[0, i], gc[1, i], bound):
            div[i] = t
            conv[i] = -1 if conv[i] == t else conv[i]
            frozen += 1
            xc[0, i] = x_prev[0, i]
            xc[1, i] = x_prev[1, i]
            fc[i] = f_prev[i]
            gc[0, i] = g_prev[0, i]
            gc[1, i] = g_prev[1, i]
    return frozen


@njit(**INLINE)
def _near(f, g0, g1, fstar, use_fstar, tol, gtol2):
    """Converged: the gradient is within gtol, or the loss within tol of the known minimum
    (written with ``|`` and ``&`` so that a loop over points stays vectorised)."""
    return (g0 * g0 + g1 * g1 <= gtol2) | (use_fstar & (abs(f - fstar) <= tol))


@njit(**INLINE)
def _is_bad(x0, x1, f, g0, g1, bound):
    finite = (math.isfinite(x0) and math.isfinite(x1) and math.isfinite(f)
              and math.isfinite(g0) and math.isfinite(g1))
    return not finite or abs(x0) > bound or abs(x1) > bound


@njit(**JIT)
def fill_start(surf_code, sp, ops, consts, starts, fstar, use_fstar, tol, gtol, bound,
               X, F, G, conv_at, div_at):
    """Every run of a race starts from the same points: evaluate them once, copy them, their
    values and gradients into each run's carry, and mark the starts that are already
    diverged (not finite, or out of bounds: frozen from frame 0) or converged (step 0)."""
    n_runs, n = F.shape
    xy = np.ascontiguousarray(starts.T)
    f0 = np.empty(n)
    g0 = np.empty((2, n))
    value_grad_points(surf_code, sp, ops, consts, xy, f0, g0)
    for i in range(n):
        bad = _is_bad(starts[i, 0], starts[i, 1], f0[i], g0[0, i], g0[1, i], bound)
        near = _near(f0[i], g0[0, i], g0[1, i], fstar, use_fstar, tol, gtol * gtol)
        for r in range(n_runs):
            for c in range(2):
                X[r, i, c] = starts[i, c]
                G[r, i, c] = g0[c, i]
            F[r, i] = f0[i]
            div_at[r, i] = 0 if bad else -1
            conv_at[r, i] = 0 if near and not bad else -1


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
            codes, n_state, H, LR, t0, order,
            clip_kind, clip_value, noise_std, seed, scale, wrap_k, wrap_alpha, mu_tau, mu_index,
            fstar, use_fstar, tol, gtol, bound,
            X, F, G, S, SC, conv_at, div_at,
            rec_x, rec_f, rec_gnorm, rec_grad, rec_state, rec_base, record, record_state):
    """Run ``LR.shape[1]`` steps (numbered t0+1, …) of every run r on every point.

    Per run r: optimizer ``codes[r]`` with ``n_state[r]`` state rows, hyperparameters
    ``H[r]``, learning rates ``LR[r]`` and gradient options ``clip_kind[r]`` … ``seed[r]``
    and ``scale[r]`` (a factor per coordinate); ``wrap_k[r]`` > 0 wraps the optimizer in
    Lookahead (``engine.optimizers.lookahead``) with slow step ``wrap_alpha[r]``: X is then
    the slow point and the last state row the fast point's offset from it. ``mu_tau[r]`` > 0
    raises the momentum h[mu_index[r]] as ``engine.optimizers.momentum_schedule`` says.
    Carry (updated in place): X (R, P, 2), F (R, P), G (R, P, 2) raw value and gradient at
    X, S (R, k_max, P, 2) vector state, SC (R, ·) scalar state, conv_at / div_at (R, P)
    first step or −1. Records (R, P, frames, …), written when ``record`` / ``record_state``
    at frame ``rec_base + s`` for step s = 0, 1, …: position, loss and gradient norm after
    each step, the processed gradient each step used, and the state. A whole race passes
    records for every frame with ``rec_base = 1``: the kernel writes frame 0 too, and no
    frame is ever copied again.

    Work items are (chunk, run) pairs, chunk-major, the runs in the order ``order`` lists
    them: ``prange`` hands each thread a contiguous share, so with many chunks every thread
    gets about the same chunks of every run, whatever they cost; with one chunk (a few
    start points) the caller orders cheap and costly optimizers to balance the threads.
    """
    n_runs, n_points = F.shape
    steps = LR.shape[1]
    n_chunks = (n_points + CHUNK - 1) // CHUNK
    # Every chunk of a run starts from the same scalar state and evolves it identically;
    # chunk 0 reports it back. Reading ``SC`` itself inside the loop would race with that.
    sc_start = SC.copy()
    for r in range(n_runs):
        K.check_code(codes[r])
    for item in prange(n_runs * n_chunks):
        r = order[item % n_runs]
        lo = (item // n_runs) * CHUNK
        n = min(CHUNK, n_points - lo)
        code = codes[r]
        k = n_state[r]
        lrs = LR[r]
        # Private copies of the read-only arrays that every step hands to inlined functions.
        # Each hand-over counts a reference to the array, atomically; on an array that all
        # threads share, that count's cache line bounced between the cores on every step
        # (measured: two runs on two threads took 1.5× as long as one run on one thread;
        # with private copies, 1.0×).
        h = H[r].copy()
        tau = mu_tau[r]
        mu_max = h[mu_index[r]] if tau > 0 else 0.0
        own_sp, own_ops, own_consts = sp.copy(), ops.copy(), consts.copy()
        wrapped = wrap_k[r] > 0
        uses_lookahead = K.uses_lookahead(code) or wrapped
        fast = np.empty(2 * n if wrapped else 0)
        xc = np.empty((2, n))
        gc = np.empty((2, n))
        fc = F[r, lo:lo + n].copy()
        state = np.empty((k, 2 * n))
        for i in range(n):
            for c in range(2):
                xc[c, i] = X[r, lo + i, c]
                gc[c, i] = G[r, lo + i, c]
                for j in range(k):
                    state[j, c * n + i] = S[r, j, lo + i, c]
        sc = sc_start[r].copy()
        conv = conv_at[r, lo:lo + n].copy()
        div = div_at[r, lo:lo + n].copy()
        x_prev = np.empty_like(xc)
        frozen = 0
        for i in range(n):
            frozen += div[i] >= 0
        state_prev = np.empty_like(state)
        # Without noise, clipping or look-ahead a step uses the gradient as evaluated: the
        # same array, which spares a copy on the path from one step to the next.
        own_scale = scale[r].copy()
        plain = (not uses_lookahead and noise_std[r] == 0.0 and clip_kind[r] == CLIP_NONE
                 and own_scale[0] == 1.0 and own_scale[1] == 1.0)
        gu = gc if plain else np.empty_like(gc)
        # The Nesterov family evaluates x and its look-ahead x + μv in one batch: a single
        # call site keeps the inlined surface dispatch compiled once. The others evaluate
        # in place, straight into the carry.
        m = 2 * n if uses_lookahead else 0
        ev = np.empty((2, m))
        fe = np.empty(m)
        ge = np.empty((2, m))
        look = np.empty(m)
        at = ev if uses_lookahead else xc
        f_at = fe if uses_lookahead else fc
        g_at = ge if uses_lookahead else gc
        hess = np.empty((3, n if code == K.NEWTON else 0))
        x_flat = xc.reshape(2 * n)
        gu_flat = gu.reshape(2 * n)
        g_flat = gc.reshape(2 * n)
        x_prev_flat = x_prev.reshape(2 * n)
        state_flat = state.reshape(k * 2 * n)
        state_prev_flat = state_prev.reshape(k * 2 * n)
        # Iteration s = -1 only evaluates the carry, to prepare the first step's gradient.
        for s in range(-1, steps):
            t = t0 + s + 1
            if s >= 0:
                if record:  # the gradient this step uses, before an evaluation overwrites it
                    for c in range(2):
                        for i in range(n):
                            x_prev[c, i] = xc[c, i]
                            rec_grad[r, lo + i, rec_base + s, c] = gu[c, i]
                else:
                    copy_flat(x_prev_flat, x_flat)
                if record_state:
                    copy_flat(state_prev_flat, state_flat)
                if code == K.NEWTON:
                    K.newton_update(xc, gu, hess, lrs[s], h[0])
                elif code == K.POLYAK:
                    K.polyak_update(xc, gu, fc, fstar, lrs[s])
                elif code == K.LINE_SEARCH:
                    K.line_search_update(xc, gu, gc, lrs[s], bound, state, surf_code,
                                         own_sp, own_ops, own_consts)
                elif code == K.RANDOM_SEARCH:
                    K.random_search_update(xc, fc, state, lrs[s], int(h[0] + 0.5), seed[r],
                                           lo, t, surf_code, own_sp, own_ops, own_consts)
                else:  # (Lookahead: the same rule steps the fast point, then the sync)
                    stepped = x_flat
                    if wrapped:
                        LA.fast_point(x_flat, state, k - 1, fast)
                        stepped = fast
                    K.update(code, stepped, gu_flat, state, sc, t, lrs[s], h, n)
                    if wrapped:
                        LA.sync(x_flat, state, k - 1, t, wrap_k[r], wrap_alpha[r], fast)
                if frozen:
                    hold_frozen(xc, x_prev, div)
            if tau > 0:  # μ of step t + 1, for its look-ahead point and its update
                h[mu_index[r]] = scheduled_momentum(mu_max, t + 1, tau)
            if uses_lookahead:  # (wrapped: the slow point is judged, the fast one's
                point = x_flat    # gradient point is where the gradient is taken)
                if wrapped:
                    LA.fast_point(x_flat, state, k - 1, fast)
                    point = fast
                K.lookahead(code, point, state, h, look)
            if uses_lookahead:
                for c in range(2):
                    for i in range(n):
                        ev[c, i] = xc[c, i]
                        ev[c, n + i] = look[c * n + i]
            value_grad_batch(surf_code, own_sp, own_ops, own_consts, at, f_at, g_at)
            if code == K.NEWTON:
                hessian_batch(surf_code, own_sp, own_ops, own_consts, xc, hess)
            if uses_lookahead:
                for i in range(n):
                    fc[i] = fe[i]
                    gc[0, i] = ge[0, i]
                    gc[1, i] = ge[1, i]
            if s >= 0:
                if judge(t, xc, fc, gc, conv, div, fstar, use_fstar, tol, gtol, bound):
                    frozen = repair(t, xc, fc, gc, x_prev, conv, div, frozen, bound, surf_code,
                                    own_sp, own_ops, own_consts)
                if record_state:
                    restore_frozen_state(state, state_prev, div, n)
            # With rec_base = 1 the evaluation of the carry (s = -1) is frame 0.
            frame = rec_base + s
            if frame >= 0 and record_state:
                for i in range(n):
                    for j in range(k):
                        for c in range(2):
                            rec_state[r, lo + i, frame, j, c] = state[j, c * n + i]
            if frame >= 0 and record:
                for i in range(n):
                    p = lo + i
                    rec_f[r, p, frame] = fc[i]
                    rec_gnorm[r, p, frame] = math.sqrt(gc[0, i] * gc[0, i] + gc[1, i] * gc[1, i])
                    for c in range(2):
                        rec_x[r, p, frame, c] = xc[c, i]
                        if s < 0:  # frame 0 shows the raw gradient at the start
                            rec_grad[r, p, frame, c] = gc[c, i]
                        elif div[i] >= 0:  # a frozen point took no step, used no gradient
                            rec_grad[r, p, frame, c] = 0.0
            # The gradient step t + 1 will use: at the look-ahead point, or at x.
            if uses_lookahead:
                for c in range(2):
                    for i in range(n):
                        gu[c, i] = ge[c, n + i]
            elif not plain:
                copy_flat(gu_flat, g_flat)
            process_gradient(gu, lo, t + 1, clip_kind[r], clip_value[r], noise_std[r], seed[r],
                             own_scale)
        # Element by element: a slice assignment would compile Numba's shape-mismatch error,
        # with its message formatting, into the kernel (seconds of a cold start).
        for i in range(n):
            F[r, lo + i] = fc[i]
            conv_at[r, lo + i] = conv[i]
            div_at[r, lo + i] = div[i]
            for c in range(2):
                X[r, lo + i, c] = xc[c, i]
                G[r, lo + i, c] = gc[c, i]
                for j in range(k):
                    S[r, j, lo + i, c] = state[j, c * n + i]
        if lo == 0:
            for j in range(sc.size):
                SC[r, j] = sc[j]
