"""Locating critical points to full precision, for catalogues whose minima move with their
parameters (a cliff's basin, a neuron's best fit) or are known only to a few decimals."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Formula = Callable[[float, float, np.ndarray], tuple[float, ...]]


def newton(fg: Formula, hess: Formula, x: float, y: float, p: np.ndarray,
           iterations: int = 60) -> tuple[float, float]:
    """A zero of the gradient near (x, y), by Newton's method on the exact Hessian."""
    for _ in range(iterations):
        _, gx, gy = fg(x, y, p)
        hxx, hxy, hyy = hess(x, y, p)
        det = hxx * hyy - hxy * hxy
        dx = (hyy * gx - hxy * gy) / det
        dy = (hxx * gy - hxy * gx) / det
        x, y = x - dx, y - dy
        if abs(dx) + abs(dy) <= 1e-15 * (1.0 + abs(x) + abs(y)):
            break
    return x, y
