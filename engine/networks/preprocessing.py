"""Input preprocessing shared by the network datasets and the two-weight logistic regression:
shifted and scaled inputs, and standardisation.

The lectures' point: gradient descent on raw inputs far from zero (around 1000), or with one
feature a hundred times the other, meets a loss whose curvature differs by orders of
magnitude between directions — a ravine — and standardising each input (zero mean, unit
standard deviation, statistics of the training points only) removes it. The same four
parameters act on both, so the ravine the two-weight surface shows exactly is the one the
network trains in.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from descentlab.engine.errors import EngineError
from descentlab.engine.params import Param

PARAMS: tuple[Param, ...] = (
    Param("shift", 0.0, -1000.0, 1000.0,
          "added to both inputs of every point (1000: inputs around 1000, not centred)"),
    Param("scale", 1.0, 0.01, 1000.0, "multiplies both inputs", log=True),
    Param("stretch", 1.0, 0.01, 100.0,
          "multiplies the second input only (100: one feature 100× the other)", log=True),
    Param("standardise", 0.0, 0.0, 1.0,
          "1: each input minus its mean, divided by its standard deviation (over the "
          "training points) before training; 0: the inputs as they are"),
)
SWITCHES = ("standardise",)
"""Parameters that are on (1) or off (0): a page shows them as a check box."""


def transform(X: np.ndarray, p: Mapping[str, float]) -> np.ndarray:
    """The points (n, 2) scaled, the second input stretched, then shifted."""
    check_switches(p)
    return X * (p["scale"] * np.array([1.0, p["stretch"]])) + p["shift"]


def check_switches(p: Mapping[str, float]) -> None:
    for name in SWITCHES:
        if p[name] not in (0.0, 1.0):
            raise EngineError(f"{name} is a switch: 0 (off) or 1 (on), got {p[name]:g}",
                              field=f"params.{name}")


def standardiser(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each input's mean and standard deviation over ``X`` (a constant input keeps 1)."""
    mean, std = X.mean(axis=0), X.std(axis=0)
    return mean, np.where(std > 0.0, std, 1.0)


def standardise(X: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray((X - mean) / std)
