"""Quantities the inspector shows that the update rules compute but do not keep.

The kernels record only each optimizer's state (m, v, s, …). From those and the learning
rate of each step, this module derives, per frame, what a student wants to read off the
update equation: the bias-corrected moments, the bias-correction factors and the effective
per-coordinate learning rate of the adaptive methods (for SGD and the momentum methods it
is the learning rate itself, so nothing is derived). Frame 0 (no step taken yet) reports
zeros.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def _per_frame(values: np.ndarray) -> np.ndarray:
    """Steps 1..T onto frames 0..T (frame 0 = 0), shaped to broadcast over (P, T+1, 2)."""
    return np.concatenate([[0.0], values])[None, :, None]


def derived_state(optimizer_id: str, state: Mapping[str, np.ndarray], lr: np.ndarray,
                  hyperparameters: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Derived inspector quantities for one run: arrays shaped like the state, (P, T+1, 2),
    and per-frame scalars shaped (T+1,).

    ``lr`` holds the learning rate of steps 1..T.
    """
    steps = lr.shape[0]
    t = np.arange(steps + 1, dtype=np.float64)
    lr_frame = _per_frame(lr)
    eps = hyperparameters.get("eps", 0.0)
    out: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        if optimizer_id in ("adam", "amsgrad", "nadam", "adamax"):
            b1 = hyperparameters["beta1"]
            bc1 = np.where(t > 0, 1.0 - b1**t, 1.0)
            out["bias_correction1"] = np.where(t > 0, 1.0 / bc1, 0.0)
            out["m_hat"] = state["m"] / bc1[None, :, None]
        if optimizer_id in ("adam", "amsgrad", "nadam"):
            b2 = hyperparameters["beta2"]
            bc2 = np.where(t > 0, 1.0 - b2**t, 1.0)
            out["bias_correction2"] = np.where(t > 0, 1.0 / bc2, 0.0)
            second = state["v_max"] if optimizer_id == "amsgrad" else state["v"]
            out["v_hat"] = second / bc2[None, :, None]
            out["effective_lr"] = lr_frame / (np.sqrt(out["v_hat"]) + eps)
        elif optimizer_id == "adamax":
            u = state["u"]
            out["effective_lr"] = np.where(u > 0, lr_frame / np.where(u > 0, u, 1.0), 0.0)
        elif optimizer_id in ("adagrad", "rmsprop", "rmsprop_nesterov"):
            out["effective_lr"] = lr_frame / (np.sqrt(state["s"]) + eps)
        elif optimizer_id == "adadelta":
            previous = np.concatenate([state["delta"][:, :1], state["delta"][:, :-1]], axis=1)
            out["effective_lr"] = lr_frame * np.sqrt(previous + eps) / np.sqrt(state["s"] + eps)
    for key, value in out.items():
        if value.ndim == 3:
            value[:, 0, :] = 0.0
        out[key] = np.nan_to_num(value, nan=0.0, posinf=0.0, neginf=0.0)
    return out
