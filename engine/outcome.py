"""How each run of a race ended, in words a leaderboard can show.

The kernel's ``converged_at`` is the first step where the loss reached f* or the gradient
vanished. A vanishing gradient away from the global minimum is not success: such a run is
reported as *stalled*, beside the known critical point it stopped at (a saddle, a local
minimum) or on flat ground — the lecture's point, in one word ("Newton walked to the
saddle"). Where f* is unknown (a typed expression) a vanishing gradient counts as converged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from descentlab.engine.race import RaceResult
from descentlab.engine.surfaces import CriticalPoint

Status = Literal["converged", "stalled", "diverged", "unfinished"]
NEAR_FRACTION = 0.01


@dataclass(frozen=True)
class Outcome:
    """The end of one run: its status, the step it happened at, and where it ended."""

    status: Status
    step: int | None
    point: tuple[float, float]
    loss: float
    near: CriticalPoint | None

    def to_dict(self) -> dict:
        return {"status": self.status, "step": self.step, "point": list(self.point),
                "loss": self.loss, "near": self.near.to_dict() if self.near else None}


def _nearest(point: np.ndarray, candidates: tuple[CriticalPoint, ...],
             radius: float) -> CriticalPoint | None:
    best, best_d = None, radius
    for c in candidates:
        d = float(np.hypot(point[0] - c.x, point[1] - c.y))
        if d <= best_d:
            best, best_d = c, d
    return best


def outcomes(result: RaceResult) -> list[list[Outcome]]:
    """One Outcome per (run, start). Divergence wins over an earlier convergence."""
    obj = result.objective
    x0, x1, y0, y1 = obj.view
    radius = NEAR_FRACTION * float(np.hypot(x1 - x0, y1 - y0))
    known = obj.surface.critical_points(obj.params) if obj.surface is not None else ()
    table = []
    for o in range(len(result.runs)):
        row = []
        for p in range(result.starts.shape[0]):
            div, conv = int(result.diverged_at[o, p]), int(result.converged_at[o, p])
            point = result.final_positions[o, p]
            loss = float(result.final_loss[o, p])
            near = _nearest(point, known, radius)
            at_best = obj.f_star is None or abs(loss - obj.f_star) <= result.tol or (
                near is not None and near.kind == "global_min")
            if div >= 0:
                status, step = "diverged", div
            elif conv >= 0:
                status, step = ("converged" if at_best else "stalled"), conv
            else:
                status, step = "unfinished", None
            row.append(Outcome(status, step, (float(point[0]), float(point[1])), loss, near))
        table.append(row)
    return table
