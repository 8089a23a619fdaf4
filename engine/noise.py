"""Counter-based Gaussian noise: the draw for (seed, point, step, coordinate) is a pure hash.

A stateful generator would make the noise depend on which thread ran which chunk and on how
a stream was cut into segments; a hash of the counters gives byte-identical races however
the work is split. Every optimizer sees the same draws at the same step ("common random
numbers"), so a race compares optimizers and not luck.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

JIT = {"cache": True, "nogil": True, "error_model": "numpy"}

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TWO_POW_M53 = 1.0 / 9007199254740992.0


@njit(**JIT)
def splitmix64(z):
    """The splitmix64 finaliser (Steele et al.): a bijective, well-mixed 64-bit hash."""
    z = z + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(**JIT)
def unit_open(z):
    """A uint64 hash to a double in the open interval (0, 1)."""
    return (float(z >> _S11) + 0.5) * _TWO_POW_M53


@njit(**JIT)
def gaussian(seed, point, step, coord):
    """A standard normal draw keyed by its counters (Box–Muller on two hashed uniforms)."""
    key = splitmix64(np.uint64(seed))
    key = splitmix64(key ^ np.uint64(point))
    key = splitmix64(key ^ np.uint64(step))
    key = splitmix64(key ^ np.uint64(coord))
    u1 = unit_open(key)
    u2 = unit_open(splitmix64(key))
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
