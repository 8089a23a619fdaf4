"""Per-layer statistics of a network at one weight vector: how its activations and its
gradients look layer by layer (the CS231n experiment of a deep tanh net at initialisation).

For every hidden layer: the mean and standard deviation of its outputs over all units and
points; the fraction of outputs saturated (|tanh| > 0.99, sigmoid below 0.01 or above 0.99)
or, for the ReLU family, of units dead on every point (output ≤ 0 everywhere, so no gradient
reaches their weights); and the norm of the loss gradient with respect to that layer's
weights and biases. The passes are the training kernels' own (``mlp.loss_and_gradient``),
whose activation buffer holds every layer's outputs after the forward pass. With batch
normalization these are the outputs after normalization and activation (what the next layer
receives), normalised with the statistics of all training points, as the recorded training
loss is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from descentlab.engine.errors import EngineError
from descentlab.engine.networks.architecture import (
    RELU,
    SIGMOID,
    TANH,
    Architecture,
)
from descentlab.engine.networks.mlp import JIT, loss_and_gradient
from descentlab.engine.networks.toy_data import Dataset
from descentlab.engine.networks.workspace import Workspace

SATURATED = 0.99
"""|tanh| above this, or sigmoid within 1 − this of 0 or 1, counts as saturated."""


@dataclass(frozen=True)
class LayerStatistics:
    """One row per hidden layer; ``grad_norm`` has one more, the output layer."""

    mean: np.ndarray
    std: np.ndarray
    saturated: np.ndarray
    """fraction of outputs saturated (tanh, sigmoid) or of units dead (ReLU; ELU and Leaky
    ReLU never die, so 0)"""
    grad_norm: np.ndarray


@njit(**JIT)
def summarise(A, layout, nb, code, grad, bins, mean, std, saturated, lo, hi, counts,
              grad_norm):
    """Every hidden layer's statistics and histogram from the activation buffer ``A`` after
    a forward pass over nb points, and every layer's gradient norm from ``grad``.

    One compiled pass instead of numpy calls per layer: those cost ~1 ms a frame in
    interpreter overhead, more than the forward and backward passes themselves. Histogram
    bins are equal on [lo, hi] (the last one closed, as numpy's); a value that is not
    finite is counted nowhere.
    """
    layers = layout.shape[0] - 1
    for layer in range(layout.shape[0]):
        w0, b0, n_out = layout[layer, 2], layout[layer, 3], layout[layer, 1]
        total = 0.0
        for j in range(w0, b0 + n_out):
            total += grad[j] * grad[j]
        grad_norm[layer] = np.sqrt(total)
    for layer in range(layers):
        r0, n = layout[layer, 5], layout[layer, 1]
        m = n * nb
        total, low, high = 0.0, np.inf, -np.inf
        for r in range(r0, r0 + n):
            for i in range(nb):
                a = A[r, i]
                total += a
                low = min(low, a)
                high = max(high, a)
        mu = total / m
        spread, beyond, dead = 0.0, 0, 0
        for r in range(r0, r0 + n):
            alive = False
            for i in range(nb):
                a = A[r, i]
                spread += (a - mu) * (a - mu)
                out_tanh = code == TANH and abs(a) > SATURATED
                out_sigmoid = code == SIGMOID and (a < 1.0 - SATURATED or a > SATURATED)
                if out_tanh or out_sigmoid:
                    beyond += 1
                alive = alive or a > 0.0
            if not alive:
                dead += 1
        mean[layer], std[layer] = mu, np.sqrt(spread / m)
        if code in (TANH, SIGMOID):
            saturated[layer] = beyond / m
        elif code == RELU:
            saturated[layer] = dead / n
        else:
            saturated[layer] = 0.0
        if code == TANH:
            low, high = -1.0, 1.0
        elif code == SIGMOID:
            low, high = 0.0, 1.0
        elif code == RELU:
            low = 0.0
        if not high > low:
            high = low + 1.0
        lo[layer], hi[layer] = low, high
        width = (high - low) / bins
        for k in range(bins):
            counts[layer, k] = 0
        for r in range(r0, r0 + n):
            for i in range(nb):
                a = A[r, i]
                if np.isfinite(a):
                    k = min(max(int((a - low) / width), 0), bins - 1)
                    counts[layer, k] += 1


def _pass(arch: Architecture, data: Dataset, weights: np.ndarray, bins: int,
          out: tuple[np.ndarray, ...], ws: Workspace | None = None) -> None:
    """The statistics at ``weights`` into ``out`` (mean, std, saturated, lo, hi, counts,
    grad_norm: the layout of :func:`summarise`), in workspace ``ws`` if given."""
    ws = ws or Workspace.create(arch, data.n)
    grad = np.zeros(arch.n_params)
    layout = arch.layout()
    loss_and_gradient(weights, layout, arch.activation_code, arch.norm_layout(), data.columns,
                      data.y, np.arange(data.n), data.n, *ws.arrays, grad, ws.A, 0.0)
    summarise(ws.A, layout, data.n, arch.activation_code, grad, bins, *out)


def layer_statistics(arch: Architecture, data: Dataset, weights: np.ndarray) -> LayerStatistics:
    """The statistics of every layer of ``arch`` at ``weights`` over all of ``data``."""
    layers = len(arch.hidden)
    out = (*(np.empty(layers) for _ in range(5)), np.empty((layers, MIN_BINS), np.int64),
           np.empty(layers + 1))
    _pass(arch, data, weights, MIN_BINS, out)
    return LayerStatistics(out[0], out[1], out[2], out[6])


MAX_BINS = 64
MIN_BINS = 4
MAX_RECORDED_FRAMES = 501
"""Frames whose statistics a race records at most: a heat map needs no more columns than a
screen has room for, and the stream stays small."""


@dataclass(frozen=True)
class StatisticsOptions:
    """Which frames get per-layer statistics and how finely their histograms are binned.

    ``every`` k: frames 0, k, 2k, … (summarised from the training loop's own full-batch
    pass at those weights, so little work beyond the training's); None: as few frames
    apart as keep at most ``DEFAULT_COLUMNS + 1`` of them."""

    every: int | None = None
    bins: int = 20

    def spacing(self, steps: int) -> int:
        """Frames between recorded frames in a race of ``steps`` steps."""
        return self.every if self.every is not None else max(1, -(-steps // DEFAULT_COLUMNS))

    def frames(self, steps: int) -> np.ndarray:
        """The recorded frames of a race of ``steps`` steps."""
        every = self.spacing(steps)
        if every < 1:
            raise EngineError(f"statistics.every must be at least 1, got {every}",
                              field="statistics.every")
        frames = np.arange(0, steps + 1, every)
        if frames.size > MAX_RECORDED_FRAMES:
            raise EngineError(f"recording statistics every {every} steps of {steps} gives "
                              f"{frames.size} frames, more than {MAX_RECORDED_FRAMES}: take "
                              f"every ≥ {-(-steps // (MAX_RECORDED_FRAMES - 1))}",
                              field="statistics.every")
        return frames

    def check(self) -> StatisticsOptions:
        if not MIN_BINS <= int(self.bins) <= MAX_BINS:
            raise EngineError(f"statistics.bins must lie in [{MIN_BINS}, {MAX_BINS}], got "
                              f"{self.bins}", field="statistics.bins")
        return self


DEFAULT_COLUMNS = 100
"""Recorded frames (beyond frame 0) when ``every`` is not given."""


class StatisticsRecord:
    """Per-layer statistics and histograms of every run at the recorded frames.

    Arrays, S recorded frames and L hidden layers: ``frames`` (S,); ``mean``, ``std``,
    ``saturated``, ``lo``, ``hi`` (O, S, L); ``grad_norm`` (O, S, L + 1, the output layer
    last); ``counts`` (O, S, L, bins) how many outputs (units × points) fall in each of
    ``bins`` equal bins of [lo, hi]. A slot not yet recorded holds NaN (counts −1)."""

    def __init__(self, arch: Architecture, data: Dataset, runs: int, steps: int,
                 options: StatisticsOptions):
        self.arch, self.data, self.options = arch, data, options.check()
        self.frames = options.frames(steps)
        self.every = options.spacing(steps)
        """frames between recorded slots: slot s is frame s·every"""
        layers, s = len(arch.hidden), self.frames.size
        self.mean, self.std, self.saturated, self.lo, self.hi = (
            np.full((runs, s, layers), np.nan) for _ in range(5))
        self.grad_norm = np.full((runs, s, layers + 1), np.nan)
        self.counts = np.full((runs, s, layers, options.bins), -1, dtype=np.int64)
        self.done = np.zeros((runs, s), dtype=np.bool_)
        """slots already summarised (by the training kernel, from its own recorded pass)"""
        # one per run: runs record from their own threads
        self._spaces = [Workspace.create(arch, data.n) for _ in range(runs)]

    def kernel_arrays(self, o: int) -> tuple:
        """Run o's share of the record, as ``engine.networks.train_kernel.train`` fills it
        from the passes it makes anyway (the training loop's last arguments)."""
        return (self.every, self.options.bins, self.mean[o], self.std[o], self.saturated[o],
                self.lo[o], self.hi[o], self.counts[o], self.grad_norm[o], self.done[o])

    def slots(self, first: int, last: int) -> slice:
        """The recorded slots of frames first … last."""
        return slice(int(np.searchsorted(self.frames, first)),
                     int(np.searchsorted(self.frames, last, side="right")))

    def record(self, o: int, weights: np.ndarray, first: int, last: int) -> None:
        """Run o's slots among frames first … last not yet summarised by the training
        kernel (frame 0, a diverged or frozen run, a stopped run's kept best weights), by a
        pass of their own; ``weights[t - first]`` is frame t's."""
        for s in range(*self.slots(first, last).indices(self.frames.size)):
            if not self.done[o, s]:
                self._record(o, s, weights[int(self.frames[s]) - first])
                self.done[o, s] = True

    def forget(self, o: int, first: int, last: int) -> None:
        """Run o's frames first … last now hold other weights (early stopping keeps its
        best ones): their slots are summarised again by the next :meth:`record`."""
        self.done[o, self.slots(first, last)] = False

    def copy_initial(self, o: int, source: int) -> None:
        """Frame 0 of run o is run ``source``'s: every run starts from the same weights."""
        for record in (self.mean, self.std, self.saturated, self.lo, self.hi, self.counts,
                       self.grad_norm):
            record[o, 0] = record[source, 0]
        self.done[o, 0] = True

    def _record(self, o: int, s: int, weights: np.ndarray) -> None:
        _pass(self.arch, self.data, weights, self.options.bins,
              (self.mean[o, s], self.std[o, s], self.saturated[o, s], self.lo[o, s],
               self.hi[o, s], self.counts[o, s], self.grad_norm[o, s]), self._spaces[o])


NO_STATISTICS = (0, 1, np.empty((0, 0)), np.empty((0, 0)), np.empty((0, 0)), np.empty((0, 0)),
                 np.empty((0, 0)), np.empty((0, 0, 0), dtype=np.int64), np.empty((0, 0)),
                 np.zeros(0, dtype=np.bool_))
"""The training loop's statistics arguments when none are recorded."""
