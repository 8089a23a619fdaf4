"""Planes through weight space on which to draw a network's loss and its optimizers' paths.

A plane is a centre c and two directions d₁, d₂: the point (α, β) is c + α·d₁ + β·d₂.

* ``pca_plane``: centred at the shared initialisation, spanned by the top two principal
  directions of every run's displacement from it (uncentred PCA, i.e. the SVD of the
  stacked θ_t − θ₀), so every path starts at the origin and the plane is the one that
  keeps most of how far the runs travelled. Runs that diverged are left out: their last
  finite weights can be enormous and would decide the plane alone. Long races are thinned
  to every s-th frame (always keeping the last) so that the eigenproblem stays within
  ``PCA_FLOP_BUDGET``: a smooth path loses nothing visible, and 6 runs × 500 steps of a
  2-16-16-1 net use every frame.
* ``random_plane``: two Gaussian directions, filter-normalised as Li et al. (2018), "Visualizing
  the Loss Landscape of Neural Nets": each unit's incoming weights (a row of W) are rescaled
  to the norm of the same row of the centre, so the picture does not depend on the scale
  of each layer; biases are not perturbed (their direction is zero, Li et al.'s
  ``ignore='biasbn'``). Paths projected onto random directions look nearly static: in
  hundreds of dimensions a trajectory is almost orthogonal to any random plane, which is why
  Li et al. draw paths on the PCA plane.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from descentlab.engine.networks.architecture import Architecture

PCA_FLOP_BUDGET = 4e8


@dataclass(frozen=True)
class Plane:
    """c + α·d₁ + β·d₂; ``explained`` is PCA's share of the squared displacement per axis."""

    kind: str
    centre: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    centre_label: str
    explained: tuple[float, float] | None = None

    def project(self, weights: np.ndarray) -> np.ndarray:
        """Least-squares (α, β) of weights (…, P): exact when the point lies on the plane,
        orthogonal projection otherwise (the directions need not be orthonormal)."""
        weights = np.asarray(weights, dtype=np.float64)
        runs = weights[(None,) * (3 - weights.ndim)]  # (runs, frames, P), a view
        rhs = np.empty((*runs.shape[:-1], 2))
        _displacement_dots(runs, self.centre, self.d1, self.d2, rhs)
        gram = np.array([[self.d1 @ self.d1, self.d1 @ self.d2],
                         [self.d1 @ self.d2, self.d2 @ self.d2]])
        return np.linalg.solve(gram, rhs[..., None])[..., 0].reshape(*weights.shape[:-1], 2)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "centre": self.centre_label,
                "explained": list(self.explained) if self.explained else None}


@njit(cache=True, nogil=True, error_model="numpy")
def _displacement_dots(W, centre, d1, d2, out):
    """out[o, t] = ((W[o, t] − c)·d₁, (W[o, t] − c)·d₂), summed in order, without the
    displacement array: numpy's ``(W − c) @ d`` first wrote all of W − c (0.9 GB for 6 runs ×
    500 steps of a 10 × 64 net: 1.3–2.0 s, against 0.12 s here, measured) and then summed
    with whatever BLAS kernel the machine picked."""
    for o in range(W.shape[0]):
        for t in range(W.shape[1]):
            s1 = 0.0
            s2 = 0.0
            for i in range(W.shape[2]):
                r = W[o, t, i] - centre[i]
                s1 += r * d1[i]
                s2 += r * d2[i]
            out[o, t, 0] = s1
            out[o, t, 1] = s2


def _frames(n_runs: int, n_frames: int, n_params: int) -> np.ndarray:
    """Frame indices, every s-th and the last, for the smallest s within the flop budget."""
    stride = 1
    while True:
        frames = np.unique(np.append(np.arange(0, n_frames, stride), n_frames - 1))
        rows = n_runs * frames.size
        if min(rows, n_params) ** 2 * max(rows, n_params) <= PCA_FLOP_BUDGET or \
                frames.size <= 3:
            return frames
        stride += max(1, stride // 4)


def _top_two(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top two right singular vectors of m and all squared singular values, from the
    eigenproblem of the smaller of mᵀm and mmᵀ (an SVD of a 3,000 × 337 matrix took
    10× longer here). m is first scaled to a largest entry of 1: the directions do not
    change, and a run whose weights grew to 1e200 without overflowing does not overflow
    the Gram matrix into NaN."""
    largest = float(np.abs(m).max()) if m.size else 0.0
    if 0.0 < largest < np.inf:
        m = m / largest
    if m.shape[0] >= m.shape[1]:
        energy, vecs = np.linalg.eigh(m.T @ m)
        return vecs[:, -1].copy(), vecs[:, -2].copy(), energy
    energy, vecs = np.linalg.eigh(m @ m.T)
    dirs = [m.T @ vecs[:, -k] for k in (1, 2)]
    return (*(d / n if (n := np.linalg.norm(d)) > 0 else d for d in dirs), energy)


def _orthonormal_pair(d1: np.ndarray, d2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """d1, d2 completed to an orthonormal pair when the paths span less than a plane (one
    short run, or none that moved): the missing direction is the coordinate axis least
    aligned with the other, so the choice is deterministic."""
    if np.linalg.norm(d1) == 0.0:
        d1 = np.eye(d1.size)[0]
    d2 = d2 - (d2 @ d1) * d1
    if np.linalg.norm(d2) < 1e-12:
        d2 = np.eye(d1.size)[int(np.argmin(np.abs(d1)))]
        d2 = d2 - (d2 @ d1) * d1
    return d1, d2 / np.linalg.norm(d2)


def pca_plane(init: np.ndarray, weights: np.ndarray, diverged_at: np.ndarray) -> Plane:
    """The plane through ``init`` of the top two principal directions of the paths (O, T+1, P).

    Signs are fixed so that the first kept run ends at α ≥ 0, β ≥ 0: the same race always
    gives the same picture.
    """
    keep = diverged_at < 0
    if not keep.any():
        keep[:] = True
    frames = _frames(int(keep.sum()), weights.shape[1], weights.shape[2])
    # the kept runs' thinned frames only: weights[keep] would first copy every frame
    # (95 MB, 0.4 s for 6 × 50 steps of a 10 × 64 net)
    paths = weights[np.flatnonzero(keep)[:, None], frames] - init
    d1, d2, energy = _top_two(paths.reshape(-1, paths.shape[-1]))
    d1, d2 = _orthonormal_pair(d1, d2)
    end = paths[0, -1]
    d1 = -d1 if end @ d1 < 0 else d1
    d2 = -d2 if end @ d2 < 0 else d2
    total = float(np.sum(np.clip(energy, 0.0, None)))
    explained = (float(energy[-1] / total), float(energy[-2] / total)) if total > 0 \
        else (0.0, 0.0)
    return Plane("pca", init.copy(), d1, d2, "init", explained)


def filter_normalised(direction: np.ndarray, centre: np.ndarray,
                      arch: Architecture) -> np.ndarray:
    """``direction`` with each filter scaled to the norm of the centre's filter, biases 0."""
    d = direction.copy()
    for start, length, _layer in arch.filters():
        part = d[start:start + length]
        size = np.linalg.norm(part)
        part *= np.linalg.norm(centre[start:start + length]) / size if size > 0 else 0.0
    d[arch.bias_mask()] = 0.0
    return d


def random_plane(centre: np.ndarray, arch: Architecture, seed: int,
                 centre_label: str) -> Plane:
    """Two seeded Gaussian directions through ``centre``, filter-normalised."""
    rng = np.random.default_rng(int(seed))
    d1, d2 = (filter_normalised(rng.normal(size=centre.size), centre, arch) for _ in range(2))
    return Plane("random", centre.copy(), d1, d2, centre_label)
