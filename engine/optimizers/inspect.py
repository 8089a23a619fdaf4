"""Quantities the inspector shows that the update rules compute but do not keep.

The kernels record only each optimizer's state (m, v, s, …). From those and the learning
rate of each step, each optimizer's definition derives (``Optimizer.derive``) what a student
wants to read off the update equation: bias-corrected moments, bias-correction factors, the
effective per-coordinate learning rate. This module frames that: frame 0 (no step taken yet)
reports zeros, and nothing non-finite leaves.

It works on any window of frames, so a stream can describe each segment as it arrives
without keeping the race's whole history.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from descentlab.engine.optimizers.spec import Optimizer


def derived_state(optimizer: Optimizer, state: Mapping[str, np.ndarray], lr: np.ndarray,
                  hyperparameters: Mapping[str, float], first_frame: int = 0,
                  state_before: Mapping[str, np.ndarray] | None = None
                  ) -> dict[str, np.ndarray]:
    """Derived inspector values for frames ``first_frame`` … of one run.

    ``state[name]`` is (P, F, 2) for F frames from ``first_frame``; ``lr`` holds the
    learning rate of each step that produced one of them (F − 1 values when the window
    starts at frame 0, which no step produced, else F). A rule that needs the frame before
    the window (AdaDelta's Δ) reads it from ``state_before`` (each array (P, 2)). Returns
    arrays shaped like the state, scalars per start and frame (P, F), and per-frame scalars
    shared by every start (F,).
    """
    if optimizer.derive is None:
        return {}
    frames = next(iter(state.values())).shape[1] if state else lr.shape[0] + (first_frame == 0)
    t = np.arange(first_frame, first_frame + frames, dtype=np.float64)
    lr_frame = np.concatenate([[0.0], lr]) if first_frame == 0 else np.asarray(lr, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = optimizer.derive(state, lr_frame[None, :, None], t, hyperparameters,
                               state_before)
    for key, value in out.items():
        if first_frame == 0:
            if value.ndim == 3:
                value[:, 0, :] = 0.0
            elif value.ndim == 2:
                value[:, 0] = 0.0
            else:
                value[0] = 0.0
        out[key] = np.nan_to_num(value, nan=0.0, posinf=0.0, neginf=0.0)
    return out
