"""Batch normalization before each hidden activation: the compiled forward and backward
pieces, and the running statistics that evaluation uses.

Each hidden unit's pre-activation z is normalised over the points of the pass,
x̂ = (z − μ)/√(σ² + ε), then scaled and shifted by the unit's own learned γ and β:
y = γ·x̂ + β feeds the activation. γ and β sit at the end of the flat weight vector
(``Architecture.norm_layout``), so every optimizer trains them like any other weight.

Two modes, as torch's ``nn.BatchNorm1d``:

* training (every gradient, the recorded training loss and the per-layer statistics): μ and
  σ² are the batch's own mean and biased variance, so the gradient flows through them too;
* evaluation (validation loss and accuracy, the decision boundary): μ and σ² are running
  averages of the training batches' statistics, a function of the weights' history rather
  than of the points being evaluated.

Running statistics use torch's convention: after each training pass
R ← (1 − m)·R + m·batch with momentum m = 0.1 (Keras writes the same average with 0.9),
the variance entering unbiased (× nb/(nb − 1)); they start at mean 0 and variance 1.

Arrays (unit-major, as ``engine.networks.mlp``): ``Z`` (units × cap) holds x̂ for the
backward pass; ``B`` (3, units) the batch mean, biased variance and 1/√(σ² + ε) of each
unit; ``R`` (2, units) the running mean and variance.
"""

from __future__ import annotations

import math

from numba import njit

from descentlab.engine.networks import elementary as E

JIT = E.JIT

EPS = 1e-5
"""ε under the square root (torch's default)."""
MOMENTUM = 0.1
"""Weight of the newest batch in the running averages (torch's convention)."""


@njit(**JIT)
def _batch_moments(A, r, nb):
    """Mean and biased variance of row r over nb points, four partial sums per pass so the
    loop is not one long chain of dependent additions."""
    m = nb - nb % 4
    s0 = s1 = s2 = s3 = 0.0
    for i in range(0, m, 4):
        s0 += A[r, i]
        s1 += A[r, i + 1]
        s2 += A[r, i + 2]
        s3 += A[r, i + 3]
    for i in range(m, nb):
        s0 += A[r, i]
    mu = ((s0 + s1) + (s2 + s3)) / nb
    q0 = q1 = q2 = q3 = 0.0
    for i in range(0, m, 4):
        d0, d1 = A[r, i] - mu, A[r, i + 1] - mu
        d2, d3 = A[r, i + 2] - mu, A[r, i + 3] - mu
        q0 += d0 * d0
        q1 += d1 * d1
        q2 += d2 * d2
        q3 += d3 * d3
    for i in range(m, nb):
        d0 = A[r, i] - mu
        q0 += d0 * d0
    return mu, ((q0 + q1) + (q2 + q3)) / nb


@njit(**JIT)
def normalise(theta, g0, r0, n, A, Z, B, R, evaluate, nb):
    """Rows r0 … r0 + n − 1 of A, pre-activations, become γ·x̂ + β (γ at theta[g0 + j], β at
    theta[g0 + n + j]); x̂ goes to Z. Training: the batch's statistics, written to B;
    ``evaluate``: the running ones in R."""
    for j in range(n):
        r = r0 + j
        if evaluate:
            mu, var = R[0, r], R[1, r]
        else:
            mu, var = _batch_moments(A, r, nb)
            B[0, r], B[1, r] = mu, var
        inv = 1.0 / math.sqrt(var + EPS)
        B[2, r] = inv
        gamma, beta = theta[g0 + j], theta[g0 + n + j]
        for i in range(nb):
            x = (A[r, i] - mu) * inv
            Z[r, i] = x
            A[r, i] = gamma * x + beta


@njit(**JIT)
def _sums(D, Z, r, nb):
    """Σ D[r, i] and Σ D[r, i]·Z[r, i] over nb points, four partial sums of each per pass
    (as ``_batch_moments``)."""
    m = nb - nb % 4
    a0 = a1 = a2 = a3 = 0.0
    b0 = b1 = b2 = b3 = 0.0
    for i in range(0, m, 4):
        a0 += D[r, i]
        a1 += D[r, i + 1]
        a2 += D[r, i + 2]
        a3 += D[r, i + 3]
        b0 += D[r, i] * Z[r, i]
        b1 += D[r, i + 1] * Z[r, i + 1]
        b2 += D[r, i + 2] * Z[r, i + 2]
        b3 += D[r, i + 3] * Z[r, i + 3]
    for i in range(m, nb):
        a0 += D[r, i]
        b0 += D[r, i] * Z[r, i]
    return (a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3)


@njit(**JIT)
def normalise_backward(theta, g0, r0, n, D, Z, B, grad, nb):
    """D's rows r0 …, ∂loss/∂y on entry, become ∂loss/∂z through the batch statistics;
    ∂loss/∂γ = Σ dy·x̂ and ∂loss/∂β = Σ dy go to ``grad``.

    With the batch's mean and variance depending on every z of the batch,
    ∂loss/∂z_i = γ/σ · (dy_i − mean(dy) − x̂_i·mean(dy·x̂)) (Ioffe & Szegedy 2015, eq. in §3).
    """
    for j in range(n):
        r = r0 + j
        s_dy, s_dyx = _sums(D, Z, r, nb)
        grad[g0 + j] = s_dyx
        grad[g0 + n + j] = s_dy
        scale = theta[g0 + j] * B[2, r]
        m_dy, m_dyx = s_dy / nb, s_dyx / nb
        for i in range(nb):
            D[r, i] = scale * (D[r, i] - m_dy - Z[r, i] * m_dyx)


@njit(**JIT)
def update_running(bn, lay, B, nb, R):
    """R ← (1 − m)·R + m·(batch mean, unbiased batch variance) at every normalised unit."""
    unbias = nb / (nb - 1.0)
    for layer in range(bn.size):
        if bn[layer] >= 0:
            r0, n = lay[layer, 5], lay[layer, 1]
            for r in range(r0, r0 + n):
                R[0, r] = (1.0 - MOMENTUM) * R[0, r] + MOMENTUM * B[0, r]
                R[1, r] = (1.0 - MOMENTUM) * R[1, r] + MOMENTUM * B[1, r] * unbias
