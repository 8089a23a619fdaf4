"""What a network predicts over the input plane: the class-1 probability on a grid, whose
0.5 contour is the decision boundary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from descentlab.engine.errors import keyed
from descentlab.engine.networks.architecture import Architecture
from descentlab.engine.networks.mlp import probabilities
from descentlab.engine.networks.race import NetworkRaceResult
from descentlab.engine.objective import checked_view

MAX_RESOLUTION = 401


@dataclass(frozen=True)
class Boundary:
    """``probability[j, i]`` = P(class 1) at the input (x[i], y[j])."""

    x: np.ndarray
    y: np.ndarray
    probability: np.ndarray

    def to_dict(self) -> dict:
        return {"x": self.x.tolist(), "y": self.y.tolist(),
                "probability": self.probability.tolist()}


def class_probability(arch: Architecture, weights: np.ndarray, points: np.ndarray,
                      running: np.ndarray | None = None) -> np.ndarray:
    """σ(network(x)) at each row of ``points`` (m, 2), in evaluation mode: with batch
    normalization, normalised by ``running`` (2, units: mean and variance; default the
    initial 0 and 1)."""
    pts = np.ascontiguousarray(np.asarray(points, dtype=np.float64).T)
    if pts.ndim != 2 or pts.shape[0] != 2:
        raise keyed("network.points_shape", "points must have shape (m, 2), not {shape}",
                    field="points", shape=np.shape(points))
    w = np.ascontiguousarray(weights, dtype=np.float64)
    if w.shape != (arch.n_params,):
        raise keyed("network.weights_shape", "expected {count} weights, got shape {shape}",
                    field="weights", count=arch.n_params, shape=w.shape)
    out = np.empty(pts.shape[1])
    m = pts.shape[1]
    R = arch.running_start() if running is None else np.ascontiguousarray(running)
    probabilities(w, arch.layout(), arch.activation_code, arch.norm_layout(), R, pts,
                  np.empty((arch.units, m)), np.empty((arch.units, m)) if arch.batch_norm
                  else np.empty((0, 0)), np.empty((3, arch.units)), out)
    return out


def decision_boundary(result: NetworkRaceResult, run: int | str = 0, frame: int = -1,
                      resolution: int = 101,
                      view: Sequence[float] | None = None) -> Boundary:
    """P(class 1) over the dataset's view box (or ``view``) for one run's weights at a frame."""
    if not 2 <= int(resolution) <= MAX_RESOLUTION:
        raise keyed("network.resolution_range", "resolution must be between 2 and {high}, got "
                    "{got}", field="resolution", high=MAX_RESOLUTION, got=resolution)
    x0, x1, y0, y1 = checked_view(view, result.dataset.view)
    xs = np.linspace(x0, x1, int(resolution))
    ys = np.linspace(y0, y1, int(resolution))
    mesh = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    o, t = result.run_index(run), result.frame_index(frame)
    running = None if result.running is None else result.running[o, t]
    p = class_probability(result.architecture, result.weights[o, t], mesh, running)
    return Boundary(xs, ys, p.reshape(ys.size, xs.size))
