"""Mini-batches drawn from (seed, step) alone, like the gradient noise of ``engine.noise``.

Each epoch is a permutation of the points, shuffled by Fisher–Yates with draws that are a
counter-based hash of (seed, epoch, position); step t uses slice ``(t − 1) mod E`` of the
permutation of epoch ``(t − 1) div E``, E = ⌊n/B⌋ batches per epoch (the remainder is
dropped, as a shuffling data loader with ``drop_last``). So batches do not depend on which
thread runs a race or on how a stream is cut into segments, and every optimizer of a race
sees the same batches at the same step.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from descentlab.engine.noise import splitmix64

JIT = {"cache": True, "nogil": True, "error_model": "numpy"}

# Keeps the batch stream apart from the gradient-noise stream of the same seed.
_DOMAIN = np.uint64(0xB5AD4ECEDA1CE2A9)


@njit(**JIT)
def shuffle_epoch(seed, epoch, perm):
    """perm ← the permutation of 0 … n−1 for this (seed, epoch)."""
    n = perm.size
    for i in range(n):
        perm[i] = i
    key = splitmix64(splitmix64(np.uint64(seed) ^ _DOMAIN) ^ np.uint64(epoch))
    for i in range(n - 1, 0, -1):
        j = np.int64(splitmix64(key ^ np.uint64(i)) % np.uint64(i + 1))
        perm[i], perm[j] = perm[j], perm[i]


@njit(**JIT)
def batch_for_step(seed, t, batch, perm, perm_epoch, idx):
    """idx[:batch] ← the points of step t (1-based); ``perm``/``perm_epoch[0]`` cache the
    current epoch's permutation so it is reshuffled once per epoch, not once per step."""
    per_epoch = perm.size // batch
    epoch = (t - 1) // per_epoch
    if perm_epoch[0] != epoch:
        shuffle_epoch(seed, epoch, perm)
        perm_epoch[0] = epoch
    start = ((t - 1) % per_epoch) * batch
    for i in range(batch):
        idx[i] = perm[start + i]
