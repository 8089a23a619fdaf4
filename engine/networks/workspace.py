"""Scratch arrays for the compiled passes, sized once per architecture and batch.

A thread running a kernel owns its workspace: runs and landscape chunks that execute in
parallel each get their own, so nothing is shared but read-only data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab.engine.networks.architecture import Architecture


@dataclass(frozen=True)
class Workspace:
    """``A``/``D`` activations and deltas (units × cap), ``T`` a point-major copy of one
    side of a layer (cap × widest + 1), ``G`` a layer's gradient with its bias, ``yb``/``lb``
    batch labels and per-point losses; ``Z`` the normalised pre-activations x̂ and ``B``
    (3, units) the batch statistics of batch normalization (``engine.networks.batchnorm``).
    Pass ``*ws.arrays`` to a kernel after its other arguments."""

    A: np.ndarray
    D: np.ndarray
    T: np.ndarray
    G: np.ndarray
    yb: np.ndarray
    lb: np.ndarray
    Z: np.ndarray
    B: np.ndarray

    @classmethod
    def create(cls, arch: Architecture, cap: int) -> Workspace:
        widest = max(arch.sizes)
        return cls(np.zeros((arch.units, cap)), np.zeros((arch.units, cap)),
                   np.zeros((cap, widest + 1)), np.zeros((widest + 1, widest + 1)),
                   np.zeros(cap), np.zeros(cap),
                   np.zeros((arch.units, cap) if arch.batch_norm else (0, 0)),
                   np.zeros((3, arch.units)))

    @property
    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.A, self.D, self.T, self.G, self.yb, self.lb, self.Z, self.B
