"""The training loss on a grid over a plane through weight space, with the paths on it.

The grid is computed in compiled code, its points shared out among threads in contiguous
chunks; each chunk evaluates the full-batch loss at c + α_i·d₁ + β_j·d₂ point by point.

With batch normalization the surface is the training loss as the recorded curves measure
it: each point normalised with the statistics of all training points at its own weights.
Running statistics belong to one run's history, not to a point of the plane, so they
cannot define a surface whose every point the paths may cross.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from descentlab.engine.errors import EngineError, keyed
from descentlab.engine.networks.mlp import loss_only
from descentlab.engine.networks.planes import Plane, pca_plane, random_plane
from descentlab.engine.networks.race import NetworkRaceResult
from descentlab.engine.networks.threads import THREADS, run_all, split
from descentlab.engine.networks.workspace import Workspace

JIT = {"cache": True, "nogil": True, "error_model": "numpy"}

MAX_RESOLUTION = 201
PCA_MARGIN = 0.2  # of the paths' extent, on each side of the automatic PCA view
RANDOM_SPAN = 1.0  # Li et al. draw filter-normalised planes over [−1, 1]²


@njit(**JIT)
def plane_losses(lo, hi, centre, d1, d2, alphas, betas, lay, act, bn, X, y,
                 A, D, T, G, yb, lb, Z, B, out):
    """out[q] = full-batch loss at grid point q = j·len(alphas) + i, for q in [lo, hi)."""
    n = y.size
    points = np.arange(n)
    theta = np.empty_like(centre)
    r = alphas.size
    for q in range(lo, hi):
        a = alphas[q % r]
        b = betas[q // r]
        for k in range(theta.size):
            theta[k] = centre[k] + a * d1[k] + b * d2[k]
        out[q] = loss_only(theta, lay, act, bn, X, y, points, n, A, D, T, G, yb, lb, Z, B, B,
                           False, A, 0.0)[0]


@dataclass(frozen=True)
class Landscape:
    """``loss[j, i]`` is the training loss at (alpha[i], beta[j]) (Plotly's orientation);
    ``paths`` (O, T+1, 2) every run projected onto the plane. Unpacks as
    ``alpha, beta, loss, paths = landscape(...)``."""

    alpha: np.ndarray
    beta: np.ndarray
    loss: np.ndarray
    paths: np.ndarray
    plane: Plane

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.alpha, self.beta, self.loss, self.paths))

    def to_dict(self) -> dict:
        return {"alpha": self.alpha.tolist(), "beta": self.beta.tolist(),
                "loss": self.loss.tolist(), "paths": self.paths.tolist(),
                "plane": self.plane.to_dict()}


def grid_losses(result: NetworkRaceResult, plane: Plane, alphas: np.ndarray,
                betas: np.ndarray) -> np.ndarray:
    """The full-batch training loss at every (alpha[i], beta[j]) of the plane: (R_β, R_α)."""
    arch, data = result.architecture, result.dataset
    out = np.empty(alphas.size * betas.size)
    lay, act, bn = arch.layout(), arch.activation_code, arch.norm_layout()
    args = (plane.centre, plane.d1, plane.d2, alphas, betas, lay, act, bn, data.columns, data.y)

    def task(lo: int, hi: int):
        def call() -> None:
            plane_losses(lo, hi, *args, *Workspace.create(arch, data.n).arrays, out)
        return call

    run_all([task(lo, hi) for lo, hi in split(out.size, THREADS)])
    return out.reshape(betas.size, alphas.size)


def _centre(result: NetworkRaceResult, centre: int | str | None) -> tuple[np.ndarray, str]:
    """"init", a run (index or label) for its final weights, or None for the best run's."""
    if centre == "init":
        return result.init, "init"
    if centre is None:
        final = np.where(result.diverged_at < 0, result.loss[:, -1], np.inf)
        centre = int(np.argmin(final))
    o = result.run_index(centre)
    return result.weights[o, -1], f"final weights of {result.labels[o]}"


def _box(span: float | Sequence[float]) -> tuple[float, float, float, float]:
    """An explicit span: s for [−s, s]², or (α_min, α_max, β_min, β_max)."""
    try:
        box = (-float(span), float(span), -float(span), float(span)) if np.ndim(span) == 0 \
            else tuple(float(v) for v in span)
    except (TypeError, ValueError):
        box = ()
    if len(box) != 4 or not all(np.isfinite(box)) or box[0] >= box[1] or box[2] >= box[3]:
        raise keyed("network.span", "span is a positive number or (α_min, α_max, β_min, "
                    "β_max)", field="span")
    return box


def _auto_span(paths: np.ndarray, kind: str) -> tuple[float, float, float, float]:
    """Li et al.'s [−1, 1]² for a random plane; the paths with a margin for PCA."""
    if kind == "random":
        return (-RANDOM_SPAN, RANDOM_SPAN, -RANDOM_SPAN, RANDOM_SPAN)
    lo, hi = paths.reshape(-1, 2).min(axis=0), paths.reshape(-1, 2).max(axis=0)
    pad = PCA_MARGIN * np.maximum(hi - lo, 1e-3)
    lo, hi = lo - pad, hi + pad
    return (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))


def check_landscape(result: NetworkRaceResult, plane: str = "pca", resolution: int = 41,
                    span: float | Sequence[float] | None = None,
                    centre: int | str | None = None) -> None:
    """Every check :func:`landscape` makes before it computes anything. It needs only the
    runs' labels, so a stream, which sends its landscape last, can make them before its
    first step (on the race's frame 0)."""
    if not 2 <= int(resolution) <= MAX_RESOLUTION:
        raise keyed("network.resolution_range", "resolution must be between 2 and {high}, got "
                    "{got}", field="resolution", high=MAX_RESOLUTION, got=resolution)
    if plane == "pca":
        if centre not in (None, "init"):
            raise keyed("network.pca_centre", "the PCA plane is centred at the initialisation",
                        field="centre")
    elif plane == "random":
        if centre not in (None, "init"):
            try:
                result.run_index(centre)
            except EngineError as err:
                raise EngineError(err.message, field="centre", key=err.key,
                                  params=err.params) from None
    else:
        raise keyed("network.unknown_plane", "unknown plane '{plane}'; choose pca or random",
                    field="plane", plane=plane)
    if span is not None:
        _box(span)


def landscape(result: NetworkRaceResult, plane: str = "pca", resolution: int = 41,
              span: float | Sequence[float] | None = None, *,
              centre: int | str | None = None, seed: int = 0) -> Landscape:
    """The loss over a plane through weight space, with every run's path projected on it.

    ``plane="pca"``: centred at the shared initialisation, the top two principal
    directions of all (non-diverged) paths; the default span covers the projected paths
    with a margin. ``plane="random"``: two filter-normalised Gaussian directions (``seed``)
    centred at ``centre`` — a run's final weights (index or label; default the run with the
    lowest final loss) or ``"init"`` — over [−1, 1]² by default.
    ``span``: s for [−s, s]², or (α_min, α_max, β_min, β_max).
    """
    check_landscape(result, plane, resolution, span, centre)
    if plane == "pca":
        p = pca_plane(result.init, result.weights, result.diverged_at)
    else:
        c, label = _centre(result, centre)
        p = random_plane(c, result.architecture, seed, label)
    paths = p.project(result.weights)
    a0, a1, b0, b1 = _box(span) if span is not None else _auto_span(paths, p.kind)
    alphas = np.linspace(a0, a1, int(resolution))
    betas = np.linspace(b0, b1, int(resolution))
    return Landscape(alphas, betas, grid_losses(result, p, alphas, betas), paths, p)
