"""What the catalogue knows about a surface besides its formula.

Minima and saddles move with the parameters (Rosenbrock's minimum is at (a, a²)), so they
are functions of the parameter vector rather than constants.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from engine.errors import EngineError
from engine.params import Param, resolve

PointKind = Literal["global_min", "local_min", "saddle", "local_max"]


@dataclass(frozen=True)
class CriticalPoint:
    """A point where the gradient vanishes, as listed in the literature."""

    x: float
    y: float
    value: float
    kind: PointKind

    def to_dict(self) -> dict:
        return {"point": [self.x, self.y], "value": self.value, "kind": self.kind}


@dataclass(frozen=True)
class Surface:
    """A two-dimensional analytic loss surface and everything a UI needs to show it.

    ``code`` is the integer the compiled kernels dispatch on; ``critical_points`` maps the
    parameter vector to the known minima, saddles and maxima at those parameters.
    """

    id: str
    code: int
    name: str
    latex: str
    plain: str
    tags: tuple[str, ...]
    params: tuple[Param, ...]
    view: tuple[float, float, float, float]
    starts: tuple[tuple[float, float], ...]
    note: str
    critical_points: Callable[[np.ndarray], tuple[CriticalPoint, ...]]
    log_contours: bool = False
    references: tuple[str, ...] = field(default=())

    def param_vector(self, overrides: Mapping[str, float] | None = None) -> np.ndarray:
        """Defaults overlaid with ``overrides``, checked against each parameter's range."""
        try:
            values = resolve(self.params, overrides, f"surface '{self.id}'")
        except EngineError as err:
            raise err.at("params") from None
        return np.array(list(values.values()), dtype=np.float64)

    def minima(self, pvec: np.ndarray) -> tuple[CriticalPoint, ...]:
        return tuple(c for c in self.critical_points(pvec) if c.kind.endswith("_min"))

    def saddles(self, pvec: np.ndarray) -> tuple[CriticalPoint, ...]:
        return tuple(c for c in self.critical_points(pvec) if c.kind == "saddle")

    def global_min_value(self, pvec: np.ndarray) -> float | None:
        """f* used for the convergence test, or None where no minimum is known."""
        values = [c.value for c in self.critical_points(pvec) if c.kind == "global_min"]
        return min(values) if values else None

    def to_dict(self) -> dict:
        pvec = self.param_vector()
        return {
            "id": self.id, "name": self.name, "latex": self.latex, "formula": self.plain,
            "tags": list(self.tags), "params": [p.to_dict() for p in self.params],
            "view": {"x": [self.view[0], self.view[1]], "y": [self.view[2], self.view[3]]},
            "starts": [list(s) for s in self.starts], "note": self.note,
            "critical_points": [c.to_dict() for c in self.critical_points(pvec)],
            "log_contours": self.log_contours, "references": list(self.references),
        }
