"""Quantities the inspector shows that the update rules compute but do not keep.

The kernels record only each optimizer's state (m, v, s, …). From those and the learning
rate of each step, this module derives, per frame, what a student wants to read off the
update equation: the bias-corrected moments, the bias-correction factors and the effective
per-coordinate learning rate of the adaptive methods (for SGD and the momentum methods it
is the learning rate itself, so nothing is derived). Frame 0 (no step taken yet) reports
zeros.

It works on any window of frames, so a stream can describe each segment as it arrives
without keeping the race's whole history.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def derived_state(optimizer_id: str, state: Mapping[str, np.ndarray], lr: np.ndarray,
                  hyperparameters: Mapping[str, float], first_frame: int = 0,
                  state_before: Mapping[str, np.ndarray] | None = None
                  ) -> dict[str, np.ndarray]:
    """Derived inspector values for frames ``first_frame`` … of one run.

    ``state[name]`` is (P, F, 2) for F frames from ``first_frame``; ``lr`` holds the
    learning rate of each step that produced one of them (F − 1 values when the window
    starts at frame 0, which no step produced, else F). AdaDelta's step uses the Δ of the
    frame before; for a window after frame 0 pass that frame's state as ``state_before``
    (each array (P, 2)). Returns arrays shaped like the state and per-frame scalars (F,).
    """
    frames = next(iter(state.values())).shape[1] if state else lr.shape[0] + (first_frame == 0)
    t = np.arange(first_frame, first_frame + frames, dtype=np.float64)
    lr_frame = np.concatenate([[0.0], lr]) if first_frame == 0 else np.asarray(lr, float)
    lr_frame = lr_frame[None, :, None]
    eps = hyperparameters.get("eps", 0.0)
    out: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if optimizer_id in ("adam", "amsgrad", "nadam", "adamax"):
            bc1 = 1.0 - hyperparameters["beta1"] ** t
            out["bias_correction1"] = 1.0 / bc1
            out["m_hat"] = state["m"] / bc1[None, :, None]
        if optimizer_id in ("adam", "amsgrad", "nadam"):
            bc2 = 1.0 - hyperparameters["beta2"] ** t
            out["bias_correction2"] = 1.0 / bc2
            second = state["v_max"] if optimizer_id == "amsgrad" else state["v"]
            out["v_hat"] = second / bc2[None, :, None]
            out["effective_lr"] = lr_frame / (np.sqrt(out["v_hat"]) + eps)
        elif optimizer_id == "adamax":
            out["effective_lr"] = lr_frame / bc1[None, :, None] / state["u"]
        elif optimizer_id in ("adagrad", "rmsprop", "rmsprop_nesterov"):
            out["effective_lr"] = lr_frame / (np.sqrt(state["s"]) + eps)
        elif optimizer_id == "adadelta":
            delta = state["delta"]
            before = (state_before["delta"][:, None] if state_before is not None
                      else delta[:, :1])
            previous = np.concatenate([before, delta[:, :-1]], axis=1)
            out["effective_lr"] = lr_frame * np.sqrt(previous + eps) / np.sqrt(state["s"] + eps)
    for key, value in out.items():
        if first_frame == 0:
            if value.ndim == 3:
                value[:, 0, :] = 0.0
            else:
                value[0] = 0.0
        out[key] = np.nan_to_num(value, nan=0.0, posinf=0.0, neginf=0.0)
    return out
