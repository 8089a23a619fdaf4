"""Held-out data: a seeded training/validation split, the validation curves of a race, and
early stopping with patience.

The split is stratified (each class loses the same share of its points to validation), so
a small validation set keeps the classes' balance and accuracy on it stays comparable with
the training accuracy. Early stopping watches the validation loss frame by frame: the best
step is the frame with the lowest validation loss so far; with a patience p, a run whose
validation loss has not improved for p steps would stop there, and — when asked to stop —
it does stop, and every later frame holds the best step's weights (the network one keeps).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from descentlab.engine.errors import keyed
from descentlab.engine.networks.architecture import Architecture
from descentlab.engine.networks.mlp import loss_only
from descentlab.engine.networks.toy_data import Dataset
from descentlab.engine.networks.workspace import Workspace

MAX_VALIDATION = 0.5
"""At most half of the points are held out: the network must still have data to fit."""


def split(data: Dataset, fraction: float, seed: int) -> tuple[Dataset, Dataset | None]:
    """(training, validation) with ``round(fraction · n_class)`` points of each class held
    out, drawn by ``seed``; fraction 0 keeps every point for training (validation None)."""
    if not 0.0 <= fraction <= MAX_VALIDATION:  # NaN fails too
        raise keyed("network.validation_range", "validation fraction must lie in [0, {high}], "
                    "got {got}", field="validation.fraction", high=f"{MAX_VALIDATION:g}",
                    got=repr(fraction))
    if not 0 <= int(seed) < 2**63:
        raise keyed("network.validation_seed", "validation seed must be a non-negative "
                    "integer below 2**63", field="validation.seed")
    if fraction == 0.0:
        return data, None
    rng = np.random.default_rng(int(seed))
    held = []
    for label in (0.0, 1.0):
        members = np.flatnonzero(data.y == label)
        held.append(rng.permutation(members)[:round(fraction * members.size)])
    mask = np.zeros(data.n, dtype=bool)
    mask[np.concatenate(held)] = True
    if mask.all() or not mask.any():
        raise keyed("network.validation_empty", "a validation fraction of {fraction} of "
                    "{count} points leaves one side empty", field="validation.fraction",
                    fraction=f"{fraction:g}", count=data.n)

    def part(rows: np.ndarray) -> Dataset:
        return Dataset(data.id, np.ascontiguousarray(data.X[rows]),
                       np.ascontiguousarray(data.y[rows]), dict(data.params))
    return part(~mask), part(mask)


@dataclass(frozen=True)
class EarlyStopping:
    """``patience`` steps without a lower validation loss end the run's useful training;
    ``stop``: the run is then stopped and keeps its best weights (otherwise it trains on
    and the step where it would have stopped is only reported)."""

    patience: int
    stop: bool = False

    def __post_init__(self) -> None:
        if int(self.patience) < 1:
            raise keyed("network.patience_range", "patience must be at least 1 step, got "
                        "{got}", field="early_stopping.patience", got=self.patience)


class ValidationCurve:
    """One run's validation loss and accuracy, filled frame by frame, and its early-stopping
    bookkeeping: the best frame so far and the frame where patience ran out (or −1)."""

    def __init__(self, arch: Architecture, data: Dataset, frames: int):
        self.arch, self.data = arch, data
        self.columns, self.idx = data.columns, np.arange(data.n)
        self.workspace = Workspace.create(arch, data.n)
        self.loss, self.accuracy = np.empty(frames), np.empty(frames)
        self.best, self.best_loss, self.patience_out = -1, math.inf, -1

    def evaluate(self, weights: np.ndarray, running: np.ndarray, frames: range) -> None:
        """Fill frames ``frames`` from the weights and batch normalization's running
        statistics recorded for them (one row each): evaluation mode, no dropout."""
        ws, arch = self.workspace, self.arch
        lay, act, bn, no_mask = arch.layout(), arch.activation_code, arch.norm_layout(), ws.A
        for row, t in enumerate(frames):
            loss, correct = loss_only(weights[row], lay, act, bn, self.columns, self.data.y,
                                      self.idx, self.data.n, *ws.arrays, running[row], True,
                                      no_mask, 0.0)
            self.loss[t], self.accuracy[t] = loss, correct / self.data.n

    def watch(self, frames: range, patience: int | None, stop: bool) -> None:
        """Update the best frame over ``frames`` (in order); the first frame where the best
        is ``patience`` steps old is where early stopping ends the run (with ``stop``, the
        frames after it no longer count)."""
        for t in frames:
            if stop and self.patience_out >= 0:
                return
            if self.loss[t] < self.best_loss:  # a NaN loss never improves
                self.best, self.best_loss = t, float(self.loss[t])
            elif patience is not None and self.patience_out < 0 and t - self.best >= patience:
                self.patience_out = t
