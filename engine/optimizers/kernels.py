"""The update rule of every optimizer, written once for one flat vector.

A batch of 2-D points is handed over as one long vector (n points × 2 coordinates), so the
same rule serves one path, 65,536 paths, or the weights of a network. Every rule here is
elementwise; the only exception, Newton's method, needs the Hessian of each point and lives
in :func:`newton_update`.

Signature shared by all rules: ``(x, g, S, sc, t, lr, h)``
  x   parameters, updated in place
  g   the gradient to use (already noised/clipped; for look-ahead methods taken at the
      look-ahead point)
  S   vector state, shape (k, N), one row per state variable in catalogue order
  sc  scalar state shared by all coordinates (running products β^t), updated in place
  t   1-based step number
  lr  learning rate of this step (from the schedule)
  h   the other hyperparameters, in catalogue order
"""

from __future__ import annotations

import math

from numba import njit

JIT = {"cache": True, "nogil": True, "error_model": "numpy"}
# Inlined at Numba's IR level: a call that LLVM does not inline pays atomic reference-count
# updates on every array argument, which measured 60 ns per step on a single path.
INLINE = {**JIT, "inline": "always"}

SGD = 0
MOMENTUM = 1
NESTEROV = 2
ADAGRAD = 3
RMSPROP = 4
ADAM = 5
ADAMAX = 6
NADAM = 7
AMSGRAD = 8
ADADELTA = 9
RMSPROP_NESTEROV = 10
NEWTON = 11


# Below this a running product β^t no longer changes 1 − β^t (that needs 2⁻⁵⁴ ≈ 5e-17).
NEGLIGIBLE = 1e-200


@njit(**INLINE)
def running_product(value, factor):
    """value × factor, flushed to zero once negligible. Left alone, β1^t with β1 = 0.9 sinks
    into subnormal numbers after about 6,700 steps, where each multiplication is slow:
    Adam's whole step measured twice as slow from there on. Every result is unchanged,
    since 1 − β^t is already exactly 1."""
    product = value * factor
    return product if product > NEGLIGIBLE else 0.0


@njit(**INLINE)
def sgd(x, g, S, sc, t, lr, h):
    for i in range(x.size):
        x[i] -= lr * g[i]


@njit(**INLINE)
def momentum(x, g, S, sc, t, lr, h):
    """Heavy ball: v ← μv − εg; x ← x + v (Goodfellow et al., algorithm 8.2)."""
    mu = h[0]
    for i in range(x.size):
        S[0, i] = mu * S[0, i] - lr * g[i]
        x[i] += S[0, i]


@njit(**INLINE)
def adagrad(x, g, S, sc, t, lr, h):
    eps = h[0]
    for i in range(x.size):
        S[0, i] += g[i] * g[i]
        x[i] -= lr * g[i] / (math.sqrt(S[0, i]) + eps)


@njit(**INLINE)
def rmsprop(x, g, S, sc, t, lr, h):
    rho, eps = h[0], h[1]
    for i in range(x.size):
        S[0, i] = rho * S[0, i] + (1.0 - rho) * g[i] * g[i]
        x[i] -= lr * g[i] / (math.sqrt(S[0, i]) + eps)


@njit(**INLINE)
def adam(x, g, S, sc, t, lr, h):
    """Bias-corrected Adam; sc holds β1^t and β2^t as running products (no pow per step)."""
    b1, b2, eps = h[0], h[1], h[2]
    sc[0] = running_product(sc[0], b1)
    sc[1] = running_product(sc[1], b2)
    step = lr / (1.0 - sc[0])
    inv_root_bc2 = 1.0 / math.sqrt(1.0 - sc[1])
    for i in range(x.size):
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * g[i]
        S[1, i] = b2 * S[1, i] + (1.0 - b2) * g[i] * g[i]
        x[i] -= step * S[0, i] / (math.sqrt(S[1, i]) * inv_root_bc2 + eps)


@njit(**INLINE)
def adamax(x, g, S, sc, t, lr, h):
    """Adam with the infinity norm (Kingma & Ba, algorithm 2); eps inside the max as torch."""
    b1, b2, eps = h[0], h[1], h[2]
    sc[0] = running_product(sc[0], b1)
    step = lr / (1.0 - sc[0])
    for i in range(x.size):
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * g[i]
        S[1, i] = max(b2 * S[1, i], abs(g[i]) + eps)
        x[i] -= step * S[0, i] / S[1, i]


@njit(**INLINE)
def nadam(x, g, S, sc, t, lr, h):
    """Dozat's Nadam with the momentum schedule μ_t = β1(1 − ½·0.96^{tψ}).

    sc = [β2^t, Π μ_i, 0.96^{ψ t}]; the last is a running product so no pow per step.
    """
    b1, b2, eps = h[0], h[1], h[2]
    sc[0] = running_product(sc[0], b2)
    decay_now = running_product(sc[2], h[4])  # h[4] = 0.96^ψ, precomputed at the edge
    mu = b1 * (1.0 - 0.5 * decay_now)
    mu_next = b1 * (1.0 - 0.5 * decay_now * h[4])
    sc[2] = decay_now
    sc[1] = running_product(sc[1], mu)
    c_grad = lr * (1.0 - mu) / (1.0 - sc[1])
    c_mom = lr * mu_next / (1.0 - sc[1] * mu_next)
    bc2 = 1.0 - sc[0]
    for i in range(x.size):
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * g[i]
        S[1, i] = b2 * S[1, i] + (1.0 - b2) * g[i] * g[i]
        denom = math.sqrt(S[1, i] / bc2) + eps
        x[i] -= (c_grad * g[i] + c_mom * S[0, i]) / denom


@njit(**INLINE)
def amsgrad(x, g, S, sc, t, lr, h):
    """Adam that divides by the running maximum of v (Reddi et al.), bias-corrected as torch."""
    b1, b2, eps = h[0], h[1], h[2]
    sc[0] = running_product(sc[0], b1)
    sc[1] = running_product(sc[1], b2)
    step = lr / (1.0 - sc[0])
    inv_root_bc2 = 1.0 / math.sqrt(1.0 - sc[1])
    for i in range(x.size):
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * g[i]
        S[1, i] = b2 * S[1, i] + (1.0 - b2) * g[i] * g[i]
        S[2, i] = max(S[2, i], S[1, i])
        x[i] -= step * S[0, i] / (math.sqrt(S[2, i]) * inv_root_bc2 + eps)


@njit(**INLINE)
def adadelta(x, g, S, sc, t, lr, h):
    """Zeiler's AdaDelta: the step's units come from the leaky average of past steps."""
    rho, eps = h[0], h[1]
    for i in range(x.size):
        S[0, i] = rho * S[0, i] + (1.0 - rho) * g[i] * g[i]
        delta = math.sqrt(S[1, i] + eps) / math.sqrt(S[0, i] + eps) * g[i]
        S[1, i] = rho * S[1, i] + (1.0 - rho) * delta * delta
        x[i] -= lr * delta


@njit(**INLINE)
def rmsprop_nesterov(x, g, S, sc, t, lr, h):
    """Goodfellow et al., algorithm 8.6; g was taken at the interim point x + αv."""
    rho, mu, eps = h[0], h[1], h[2]
    for i in range(x.size):
        S[0, i] = rho * S[0, i] + (1.0 - rho) * g[i] * g[i]
        S[1, i] = mu * S[1, i] - lr * g[i] / (math.sqrt(S[0, i]) + eps)
        x[i] += S[1, i]


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
def lookahead(code, x, S, h, out):
    """The point where the gradient is taken: x + μv for the Nesterov family, else x."""
    if code in (NESTEROV, RMSPROP_NESTEROV):
        mu = h[0] if code == NESTEROV else h[1]
        row = 0 if code == NESTEROV else 1
        for i in range(x.size):
            out[i] = x[i] + mu * S[row, i]
    else:
        for i in range(x.size):
            out[i] = x[i]


@njit(**INLINE)
def update(code, x, g, S, sc, t, lr, h):
    """Apply one step of optimizer ``code`` (all but Newton) to the flat vector x."""
    if code == SGD:
        sgd(x, g, S, sc, t, lr, h)
    elif code in (MOMENTUM, NESTEROV):
        momentum(x, g, S, sc, t, lr, h)
    elif code == ADAGRAD:
        adagrad(x, g, S, sc, t, lr, h)
    elif code == RMSPROP:
        rmsprop(x, g, S, sc, t, lr, h)
    elif code == ADAM:
        adam(x, g, S, sc, t, lr, h)
    elif code == ADAMAX:
        adamax(x, g, S, sc, t, lr, h)
    elif code == NADAM:
        nadam(x, g, S, sc, t, lr, h)
    elif code == AMSGRAD:
        amsgrad(x, g, S, sc, t, lr, h)
    elif code == ADADELTA:
        adadelta(x, g, S, sc, t, lr, h)
    elif code == RMSPROP_NESTEROV:
        rmsprop_nesterov(x, g, S, sc, t, lr, h)
