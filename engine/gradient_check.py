"""Gradient checking: an analytic gradient held against finite differences, over a sweep of
step sizes h.

A single h gives one number and hides the lesson. Over the sweep, the relative error of the
forward difference (f(x + h·eᵢ) − f(x)) / h falls in proportion to h (the truncation error)
until rounding in the subtraction, about ε·|f| / h, takes over: a V whose floor lies near
h ≈ √ε ≈ 1e-8. The centred difference (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h falls like h², so its
floor is lower and sits at a larger h, near ∛ε ≈ 6e-6: why the lectures check with centred
differences and h around 1e-5. Both quotients divide by h as written in the lectures, not
by the step the floating-point sum x + h actually took.

The error of a vector is ‖a − n‖ / max(‖a‖, ‖n‖) (0 where both are zero): the lectures' ratio
|a − n| / max(|a|, |n|) taken over the checked coordinates together, so that one coordinate
whose derivative is near zero does not read as a failure. At a critical point the gradient
itself is near zero and any check reads as noise; the check says so (``small_gradient``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from descentlab.engine.errors import keyed
from descentlab.engine.objective import Objective, objective

STEPS = np.array([float(f"{10.0 ** (-k / 2):.15g}") for k in range(29)])
"""h from 1 down to 1e-14, two per decade (1e-5 exactly as written, not 10^−5 computed)."""
SMALL_GRADIENT = 1e-8
"""Below this gradient norm, relative to 1 + |f|, the relative error measures rounding only."""


def _ratio(difference: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """difference / scale, 0 where the scale is 0 (then both sides were 0), NaN where the
    difference is not finite."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, difference / np.where(scale > 0, scale, 1.0),
                        0.0 * difference)


def relative_error(analytic: np.ndarray, numerical: np.ndarray) -> np.ndarray:
    """‖a − n‖ / max(‖a‖, ‖n‖) over the last axis; 0 where both are zero, NaN where n is not
    finite. Sums of squares rather than ``np.linalg.norm``, which goes through BLAS."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numerical, dtype=np.float64)
    return _ratio(np.sqrt(np.sum((a - n) ** 2, axis=-1)),
                  np.maximum(np.sqrt(np.sum(a * a, axis=-1)), np.sqrt(np.sum(n * n, axis=-1))))


@dataclass(frozen=True)
class GradientCheck:
    """The analytic gradient and both difference quotients at every h of ``steps``.

    ``forward[k, c]`` and ``centred[k, c]`` estimate ∂f/∂(coordinate c) with h = steps[k];
    a probe where f was not finite leaves NaN there (and in that h's error)."""

    value: float
    analytic: np.ndarray
    steps: np.ndarray
    forward: np.ndarray
    centred: np.ndarray

    @property
    def forward_error(self) -> np.ndarray:
        return relative_error(self.analytic, self.forward)

    @property
    def centred_error(self) -> np.ndarray:
        return relative_error(self.analytic, self.centred)

    @property
    def coordinate_errors(self) -> np.ndarray:
        """Per coordinate, |a − n| / max(|a|, |n|, rms(a)) of the centred difference at its
        best h: which weight disagrees, when the whole vector's error is too large.

        A derivative that is exactly zero (a bias just before batch normalization, whose
        mean it removes) meets a difference of pure rounding, ~1e-12: their ratio is 1 and
        says nothing. Measured against the typical size of the checked derivatives instead
        (rms(a), the root mean square), such a pair reads as the agreement it is, and a
        small derivative that is wrong still shows."""
        k = self.best("centred")
        if k < 0:
            return np.full(self.analytic.size, np.nan)
        a, n = self.analytic, self.centred[k]
        typical = np.sqrt(np.mean(a * a))
        return _ratio(np.abs(a - n), np.maximum(np.maximum(np.abs(a), np.abs(n)), typical))

    @property
    def small_gradient(self) -> bool:
        """The gradient is so small here that relative errors only measure rounding."""
        return bool(np.sqrt(np.sum(self.analytic ** 2)) < SMALL_GRADIENT * (1 + abs(self.value)))

    def best(self, method: str) -> int:
        """Index of the h with the smallest error of ``method`` ("forward" or "centred"); the
        largest such h on a tie. −1 when no h gave a finite error."""
        errors = self.forward_error if method == "forward" else self.centred_error
        if not np.isfinite(errors).any():
            return -1
        return int(np.nanargmin(errors))


def differences(values_along: Callable[[int, np.ndarray], np.ndarray], value: float,
                coordinates: Sequence[int], steps: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Forward and centred quotients (H, C) from ``values_along(i, offsets)``: f at
    x + offset·eᵢ for each offset. One call per coordinate, with +h and −h together."""
    forward = np.empty((steps.size, len(coordinates)))
    centred = np.empty_like(forward)
    for c, i in enumerate(coordinates):
        up, down = np.split(np.asarray(values_along(i, np.concatenate([steps, -steps]))), 2)
        with np.errstate(invalid="ignore", over="ignore"):
            forward[:, c] = (up - value) / steps
            centred[:, c] = (up - down) / (2 * steps)
    return forward, centred


def check_gradient(surface: str | Mapping | Objective, point: Sequence[float], *,
                   params: Mapping[str, float] | None = None,
                   steps: np.ndarray = STEPS) -> GradientCheck:
    """The gradient of a surface (catalogue id, request mapping or typed expression) at
    ``point``, checked against finite differences at every h of ``steps``.

    >>> c = check_gradient("rosenbrock", (-1.5, 2.0))
    >>> float(c.centred_error[c.best("centred")]) < 1e-9 < float(c.forward_error.min())
    True
    """
    obj = objective(surface, params)
    x = np.asarray(point, dtype=np.float64)
    if x.shape != (2,) or not np.isfinite(x).all():
        raise keyed("check.point", "the point must be two finite numbers [x, y]", field="point")
    f, g = obj.value_grad(x[None])
    if not (np.isfinite(f[0]) and np.isfinite(g[0]).all()):
        raise keyed("check.not_finite", "the loss or its gradient is not finite at "
                    "({x}, {y}): check another point", field="point",
                    x=f"{x[0]:.6g}", y=f"{x[1]:.6g}")

    def values_along(i: int, offsets: np.ndarray) -> np.ndarray:
        probes = np.repeat(x[None], offsets.size, axis=0)
        probes[:, i] += offsets
        return obj.value_grad(probes)[0]

    forward, centred = differences(values_along, float(f[0]), (0, 1), steps)
    return GradientCheck(float(f[0]), g[0].copy(), steps.copy(), forward, centred)
