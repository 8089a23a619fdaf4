"""Plain-Python and NumPy versions of the six race optimizers on Rosenbrock, for the benchmarks.

They exist only to put the engine's timings next to what a straightforward implementation
costs on the same machine in the same run.
"""

from __future__ import annotations

import math

import numpy as np

SIX = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
LR = {"sgd": 1e-3, "momentum": 1e-3, "nesterov": 1e-3, "adagrad": 0.5, "rmsprop": 0.01,
      "adam": 0.05}
# Over the whole view box the curvature reaches ~5,000: smaller steps keep every start of
# the batched benchmark finite, so it measures stepping and not frozen, diverged points.
BATCH_LR = {**LR, "sgd": 2e-4, "momentum": 2e-4, "nesterov": 2e-4}


def rosenbrock_grad(x: float, y: float) -> tuple[float, float]:
    w = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * w, 200.0 * w


def python_path(opt: str, steps: int, start=(-1.5, 2.0)) -> tuple[float, float]:
    """One path in pure Python floats."""
    x, y = start
    v = [0.0, 0.0]
    s = [0.0, 0.0]
    m = [0.0, 0.0]
    b1, b2, eps, mu, rho = 0.9, 0.999, 1e-8, 0.9, 0.9
    lr = LR[opt]
    for t in range(1, steps + 1):
        if opt == "nesterov":
            g = rosenbrock_grad(x + mu * v[0], y + mu * v[1])
        else:
            g = rosenbrock_grad(x, y)
        p = [x, y]
        for i in range(2):
            if opt == "sgd":
                p[i] -= lr * g[i]
            elif opt in ("momentum", "nesterov"):
                v[i] = mu * v[i] - lr * g[i]
                p[i] += v[i]
            elif opt == "adagrad":
                s[i] += g[i] * g[i]
                p[i] -= lr * g[i] / (math.sqrt(s[i]) + eps)
            elif opt == "rmsprop":
                s[i] = rho * s[i] + (1 - rho) * g[i] * g[i]
                p[i] -= lr * g[i] / (math.sqrt(s[i]) + eps)
            else:
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                s[i] = b2 * s[i] + (1 - b2) * g[i] * g[i]
                mhat = m[i] / (1 - b1**t)
                shat = s[i] / (1 - b2**t)
                p[i] -= lr * mhat / (math.sqrt(shat) + eps)
        x, y = p
    return x, y


def numpy_grad(p: np.ndarray) -> np.ndarray:
    """Gradient for points as columns: p is (2, n)."""
    x, y = p
    w = y - x * x
    return np.stack([-2.0 * (1.0 - x) - 400.0 * x * w, 200.0 * w])


def numpy_paths(opt: str, steps: int, starts: np.ndarray, lr: float) -> np.ndarray:
    """Many paths as NumPy arrays, one vectorised update per step (the usual NumPy style)."""
    p = np.array(starts, dtype=np.float64).T.copy()
    v = np.zeros_like(p)
    s = np.zeros_like(p)
    m = np.zeros_like(p)
    b1, b2, eps, mu, rho = 0.9, 0.999, 1e-8, 0.9, 0.9
    for t in range(1, steps + 1):
        g = numpy_grad(p + mu * v) if opt == "nesterov" else numpy_grad(p)
        if opt == "sgd":
            p -= lr * g
        elif opt in ("momentum", "nesterov"):
            v = mu * v - lr * g
            p += v
        elif opt == "adagrad":
            s += g * g
            p -= lr * g / (np.sqrt(s) + eps)
        elif opt == "rmsprop":
            s = rho * s + (1 - rho) * g * g
            p -= lr * g / (np.sqrt(s) + eps)
        else:
            m = b1 * m + (1 - b1) * g
            s = b2 * s + (1 - b2) * g * g
            p -= lr * (m / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
    return p.T
