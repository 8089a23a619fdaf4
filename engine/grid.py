"""Loss values on a regular grid, for contour and 3-D plots."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from descentlab.engine.errors import EngineError
from descentlab.engine.objective import Objective, objective

MAX_RESOLUTION = 1001


@dataclass(frozen=True)
class Grid:
    """``z[j, i]`` is the loss at ``(x[i], y[j])``: the orientation Plotly's contour expects."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray


def grid(surface, resolution: int = 101, *, params: Mapping[str, float] | None = None,
         view: Sequence[float] | None = None) -> Grid:
    """Evaluate a surface on a resolution × resolution grid over its view box (or ``view``)."""
    obj = surface if isinstance(surface, Objective) else objective(surface, params, view)
    if not 2 <= int(resolution) <= MAX_RESOLUTION:
        raise EngineError(f"resolution must be between 2 and {MAX_RESOLUTION}, got {resolution}",
                          field="resolution")
    x0, x1, y0, y1 = obj.view
    xs = np.linspace(x0, x1, int(resolution))
    ys = np.linspace(y0, y1, int(resolution))
    mesh = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    f, _ = obj.value_grad(mesh)
    return Grid(xs, ys, f.reshape(ys.size, xs.size))
