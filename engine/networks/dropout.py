"""Dropout on the hidden layers: the training passes with a mask, and the seeded masks.

Inverted dropout, as torch's ``nn.Dropout``: in training each hidden unit is kept with
probability 1 − p and a kept unit's output is scaled by 1/(1 − p), so its expected value is
unchanged and evaluation (every recorded loss, accuracy, boundary and landscape) uses the
plain network, without masks. The mask ``M`` (units × points) holds 0 or 1/(1 − p) at every
hidden unit and 1 elsewhere; it is drawn from a counter-based hash of (seed, step, unit,
position in the batch), like the mini-batches, so a race cut into segments or run on
another thread draws the same masks.

Backward: a dropped unit passes no gradient (δ ← δ·M), and the activation's derivative is
taken at the unit's own output a = a_masked·(1 − p) (the derivatives are functions of the
output, see ``mlp.scale_by_derivative``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from descentlab.engine.networks.mlp import (
    activate,
    gather_inputs,
    layer_gradient,
    logistic_loss,
    scale_by_derivative,
    weighted_rows,
)
from descentlab.engine.noise import splitmix64, unit_open

JIT = {"cache": True, "nogil": True, "error_model": "numpy"}

# Keeps the mask stream apart from the batch and gradient-noise streams of the same seed.
_DOMAIN = np.uint64(0xD0D0_5EED_0F_DA7A)


@njit(**JIT)
def draw_masks(seed, t, rate, lay, nb, M):
    """M ← the masks of step t: every hidden unit of every point kept with probability
    1 − rate (value 1/(1 − rate)) or dropped (0); input and output rows stay 1."""
    keep = 1.0 - rate
    scale = 1.0 / keep
    key = splitmix64(splitmix64(np.uint64(seed) ^ _DOMAIN) ^ np.uint64(t))
    n_layers = lay.shape[0]
    for r in range(M.shape[0]):
        for i in range(nb):
            M[r, i] = 1.0
    for layer in range(n_layers - 1):
        r_out, n_out = lay[layer, 5], lay[layer, 1]
        for r in range(r_out, r_out + n_out):
            row_key = splitmix64(key ^ np.uint64(r))
            for i in range(nb):
                u = unit_open(splitmix64(row_key ^ np.uint64(i)))
                M[r, i] = scale if u < keep else 0.0


@njit(**JIT)
def forward_masked(theta, lay, act, A, M, nb):
    """The forward pass with every hidden layer's output multiplied by its mask."""
    n_layers = lay.shape[0]
    for layer in range(n_layers):
        n_in, n_out, w0, b0, r_in, r_out = lay[layer]
        weighted_rows(A, r_out, n_out, r_in, n_in, theta, w0, n_in, 1, b0, nb)
        if layer < n_layers - 1:
            activate(act, A, r_out, n_out, nb)
            for r in range(r_out, r_out + n_out):
                for i in range(nb):
                    A[r, i] *= M[r, i]


@njit(**JIT)
def backward_masked(theta, lay, act, A, D, M, keep, nb, T, G, grad):
    """Backpropagation through the masked network (A as ``forward_masked`` left it)."""
    for layer in range(lay.shape[0] - 1, -1, -1):
        n_in, n_out, w0, b0, r_in, r_out = lay[layer]
        layer_gradient(n_in, n_out, w0, b0, r_in, r_out, A, D, nb, T, G, grad)
        if layer == 0:
            break
        weighted_rows(D, r_in, n_in, r_out, n_out, theta, w0, 1, n_in, -1, nb)
        for r in range(r_in, r_in + n_in):
            for i in range(nb):
                D[r, i] *= M[r, i]
                A[r, i] *= keep  # back to the unit's own output (0 where dropped)
        scale_by_derivative(act, A, D, r_in, n_in, nb)


@njit(**JIT)
def masked_loss_and_gradient(theta, lay, act, X, y, idx, nb, A, D, T, G, yb, lb, grad, M,
                             rate):
    """Mean loss, correct count and gradient on the points idx[:nb] with the masks M."""
    gather_inputs(X, y, idx, nb, A, yb)
    forward_masked(theta, lay, act, A, M, nb)
    loss, correct = logistic_loss(A, D, yb, nb, lb, True)
    backward_masked(theta, lay, act, A, D, M, 1.0 - rate, nb, T, G, grad)
    return loss, correct


@njit(**JIT)
def masked_loss(theta, lay, act, X, y, idx, nb, A, D, yb, lb, M):
    """Mean loss with the masks M, without the backward pass (for checking gradients)."""
    gather_inputs(X, y, idx, nb, A, yb)
    forward_masked(theta, lay, act, A, M, nb)
    return logistic_loss(A, D, yb, nb, lb, False)[0]
