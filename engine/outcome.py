"""How each run of a race ended, in words a leaderboard can show.

A run that "converged" by the gradient test may have stopped at a saddle or a local
minimum; naming the known critical point it ended beside is what turns a number into the
lecture's point ("Newton walked to the saddle").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.race import RaceResult
from engine.surfaces import CriticalPoint

Status = Literal["converged", "diverged", "unfinished"]
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
            if div >= 0:
                status, step = "diverged", div
            elif conv >= 0:
                status, step = "converged", conv
            else:
                status, step = "unfinished", None
            point = result.final_positions[o, p]
            row.append(Outcome(status, step, (float(point[0]), float(point[1])),
                               float(result.final_loss[o, p]), _nearest(point, known, radius)))
        table.append(row)
    return table
