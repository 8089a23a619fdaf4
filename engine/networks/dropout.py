"""Dropout on the hidden layers: the seeded masks the training passes multiply by.

Inverted dropout, as torch's ``nn.Dropout``: in training each hidden unit is kept with
probability 1 − p and a kept unit's output is scaled by 1/(1 − p), so its expected value is
unchanged and evaluation (every recorded loss, accuracy, boundary and landscape) uses the
plain network, without masks. The mask ``M`` (units × points) holds 0 or 1/(1 − p) at every
hidden unit and 1 elsewhere; it is drawn from a counter-based hash of (seed, step, unit,
position in the batch), like the mini-batches, so a race cut into segments or run on
another thread draws the same masks.

The masked passes are the network's own (``mlp.forward`` and ``mlp.backward`` take the mask
as an argument): a dropped unit passes no gradient back.
"""

from __future__ import annotations

import numpy as np
from numba import njit

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
