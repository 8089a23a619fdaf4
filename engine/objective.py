"""Resolve what the user asked to descend — a catalogue surface or a typed expression — into
the integer code, parameter vector and program arrays that the compiled kernels take.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from descentlab.engine.errors import EngineError
from descentlab.engine.expressions import CompiledExpression, compile_expression
from descentlab.engine.surfaces import EXPRESSION, Surface, get_surface, hessian_batch
from descentlab.engine.surfaces.dispatch import value_grad_points

DEFAULT_EXPRESSION_VIEW = (-3.0, 3.0, -3.0, 3.0)
BOUND_FACTOR = 10.0
_NO_OPS = np.zeros(0, dtype=np.int64)
_NO_CONSTS = np.zeros(0, dtype=np.float64)
_NO_PARAMS = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class Objective:
    """A surface ready for the kernels, with what the race needs to judge convergence.

    ``params`` are the surface's parameter values (what its critical points depend on);
    ``kernel_params`` what its compiled formula reads: the same values, or for a loss over
    a dataset the data they generate.
    """

    code: int
    params: np.ndarray
    kernel_params: np.ndarray
    ops: np.ndarray
    consts: np.ndarray
    view: tuple[float, float, float, float]
    f_star: float | None
    surface: Surface | None = None
    expression: CompiledExpression | None = None

    @cached_property
    def bound(self) -> float:
        """Leaving the square ±bound counts as divergence: ten times the view's extent."""
        return BOUND_FACTOR * max(abs(v) for v in self.view)

    @property
    def kernel_args(self) -> tuple:
        return self.code, self.kernel_params, self.ops, self.consts

    def value_grad(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Value (n,) and gradient (n, 2) at each row of ``xy`` (shape (n, 2))."""
        columns = _columns(xy)
        f = np.empty(columns.shape[1])
        g = np.empty_like(columns)
        value_grad_points(*self.kernel_args, columns, f, g)
        return f, g.T.copy()

    def hessian(self, xy: np.ndarray) -> np.ndarray:
        """(∂xx, ∂xy, ∂yy) at each row of ``xy``: shape (n, 3)."""
        columns = _columns(xy)
        h = np.empty((3, columns.shape[1]))
        hessian_batch(*self.kernel_args, columns, h)
        return h.T.copy()


def _columns(xy: np.ndarray) -> np.ndarray:
    """Rows of points, as users write them, to the (2, n) columns the kernels read."""
    points = np.asarray(xy, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise EngineError(f"points must have shape (n, 2), not {points.shape}", field="xy")
    return np.ascontiguousarray(points.T)


def checked_view(view: Sequence[float] | None,
                 default: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """``view`` as (xmin, xmax, ymin, ymax), checked, or ``default`` when it is None."""
    if view is None:
        return default
    try:
        x0, x1, y0, y1 = (float(v) for v in view)
    except (TypeError, ValueError):
        raise EngineError("view must be four numbers: xmin, xmax, ymin, ymax",
                          field="view") from None
    if not all(np.isfinite(v) for v in (x0, x1, y0, y1)) or x0 >= x1 or y0 >= y1:
        raise EngineError("view must satisfy xmin < xmax and ymin < ymax, all finite",
                          field="view")
    return (x0, x1, y0, y1)


def objective(surface: str | Surface | CompiledExpression | Mapping | Objective,
              params: Mapping[str, float] | None = None,
              view: Sequence[float] | None = None) -> Objective:
    """Resolve a surface id, a Surface, a compiled expression, or a request-style mapping
    (``{"id": ..., "params": ...}`` or ``{"expression": ..., "view": ...}``); an Objective
    already resolved is returned as it is."""
    if isinstance(surface, Objective) and params is None and view is None:
        return surface
    if isinstance(surface, Mapping):
        if "expression" in surface:
            return objective(compile_expression(str(surface["expression"])),
                             view=surface.get("view", view))
        if "id" not in surface:
            raise EngineError("a surface needs an 'id' or an 'expression'", field="surface")
        return objective(surface["id"], surface.get("params", params), surface.get("view", view))
    if isinstance(surface, CompiledExpression):
        return Objective(EXPRESSION, _NO_PARAMS, _NO_PARAMS, surface.ops, surface.consts,
                         checked_view(view, DEFAULT_EXPRESSION_VIEW), None, expression=surface)
    if isinstance(surface, str):
        if params is None and view is None:
            return _catalogue_default(surface)
        surface = get_surface(surface)
    pvec = surface.param_vector(params)
    return Objective(surface.code, pvec, surface.kernel_params(pvec), _NO_OPS, _NO_CONSTS,
                     checked_view(view, surface.view), surface.global_min_value(pvec),
                     surface=surface)


@lru_cache(maxsize=64)
def _catalogue_default(surface_id: str) -> Objective:
    """A catalogue surface at its default parameters and view, resolved once: the most
    common request, and resolving it (checks, arrays, its known minimum) took about as long
    as 200 optimizer steps. The arrays are shared by every race on it; kernels only read
    them."""
    return objective(get_surface(surface_id), None, None)
