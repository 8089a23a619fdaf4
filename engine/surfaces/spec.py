"""What the catalogue knows about a surface besides its formula.

Minima and saddles move with the parameters (Rosenbrock's minimum is at (a, a²)), so they
are functions of the parameter vector rather than constants. A loss over a dataset (the
two-weight networks) adds one more function: from the parameter vector to the data vector
its compiled formula reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from descentlab.engine.params import Param, param_vector

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
    ``data_vector`` is set for a loss over a dataset: its parameters (points, noise, seed)
    describe the data, and the compiled formula reads the data, not the parameters
    (``kernel_params``); ``data`` gives that dataset for display. ``axes`` name the two
    coordinates (the weights of a network).
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
    axes: tuple[str, str] = ("x", "y")
    data_vector: Callable[[np.ndarray], np.ndarray] | None = None
    data: Callable[[np.ndarray], dict[str, np.ndarray]] | None = None

    def param_vector(self, overrides: Mapping[str, float] | None = None) -> np.ndarray:
        """Defaults overlaid with ``overrides``, checked against each parameter's range."""
        return param_vector(self.params, overrides, f"surface '{self.id}'")

    def kernel_params(self, pvec: np.ndarray) -> np.ndarray:
        """What the compiled formula reads: the parameters, or the data they generate."""
        return pvec if self.data_vector is None else self.data_vector(pvec)

    def minima(self, pvec: np.ndarray) -> tuple[CriticalPoint, ...]:
        return tuple(c for c in self.critical_points(pvec) if c.kind.endswith("_min"))

    def saddles(self, pvec: np.ndarray) -> tuple[CriticalPoint, ...]:
        return tuple(c for c in self.critical_points(pvec) if c.kind == "saddle")

    def global_min_value(self, pvec: np.ndarray) -> float | None:
        """f* used for the convergence test, or None where no minimum is known."""
        values = [c.value for c in self.critical_points(pvec) if c.kind == "global_min"]
        return min(values) if values else None

    def data_dict(self, pvec: np.ndarray) -> dict[str, list] | None:
        """The dataset at these parameters as lists, or None for an analytic surface."""
        if self.data is None:
            return None
        return {name: values.tolist() for name, values in self.data(pvec).items()}

    def to_dict(self) -> dict:
        pvec = self.param_vector()
        entry = {
            "id": self.id, "name": self.name, "latex": self.latex, "formula": self.plain,
            "tags": list(self.tags), "params": [p.to_dict() for p in self.params],
            "view": {"x": [self.view[0], self.view[1]], "y": [self.view[2], self.view[3]]},
            "starts": [list(s) for s in self.starts], "note": self.note,
            "critical_points": [c.to_dict() for c in self.critical_points(pvec)],
            "log_contours": self.log_contours, "references": list(self.references),
            "axes": list(self.axes),
        }
        if self.data is not None:
            entry["data"] = self.data_dict(pvec)
        return entry
