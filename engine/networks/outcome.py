"""How each run of a network race ended, in the words of the 2-D race.

A network's loss has no known minimum value (binary cross-entropy on separable data has no
minimum at all), so, as for a typed formula in the 2-D race, a run has *converged* once the
full-batch gradient has vanished (norm ≤ ``GTOL``: a stationary point, good or bad); it has
*diverged* when a step went non-finite (it is frozen there); otherwise it is *unfinished* —
still descending when the steps ran out, which is how training usually ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from descentlab.engine.networks.race import NetworkRaceResult

GTOL = 1e-6

Status = Literal["converged", "diverged", "unfinished"]


@dataclass(frozen=True)
class NetworkOutcome:
    """The end of one run: its status, when it happened, and its last frame's numbers."""

    status: Status
    converged_at: int | None
    diverged_at: int | None
    loss: float
    accuracy: float
    grad_norm: float


def network_outcomes(result: NetworkRaceResult, gtol: float = GTOL) -> list[NetworkOutcome]:
    """One outcome per run. Divergence wins over an earlier convergence."""
    table = []
    for o in range(len(result.runs)):
        div = int(result.diverged_at[o])
        small = np.flatnonzero(result.grad_norm[o] <= gtol)
        conv = int(small[0]) if small.size else None
        status: Status = "diverged" if div >= 0 else "converged" if conv is not None \
            else "unfinished"
        table.append(NetworkOutcome(status, conv, div if div >= 0 else None,
                                    float(result.loss[o, -1]), float(result.accuracy[o, -1]),
                                    float(result.grad_norm[o, -1])))
    return table
