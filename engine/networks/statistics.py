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
    bins are equal on [lo, hi] (the last one closed, as numpy's; a value's bin is
    ⌊(a − lo)·bins/(hi − lo)⌋, numpy's own first estimate); a value that is not finite is
    counted nowhere. Sums run in four interleaved parts and counts in four tallies (a
    point's index mod 4), added pairwise at the end: one running sum or count waited on
    its previous addition at every value (0.61 → 0.40 ms for a 10 × 64 net, measured).
    """
    layers = layout.shape[0] - 1
    for layer in range(layout.shape[0]):
        w0, b0, n_out = layout[layer, 2], layout[layer, 3], layout[layer, 1]
        grad_norm[layer] = np.sqrt(_squares(grad, w0, b0 + n_out, 0.0))
    for layer in range(layers):
        r0, n = layout[layer, 5], layout[layer, 1]
        m = n * nb
        total, low, high = 0.0, np.inf, -np.inf
        for r in range(r0, r0 + n):
            part, row_low, row_high = _row_sum(A[r], nb)
            total += part
            low, high = min(low, row_low), max(high, row_high)
        mu = total / m
        spread, beyond, dead = 0.0, 0, 0
        for r in range(r0, r0 + n):
            row = A[r]
            spread += _squares(row, 0, nb, mu)
            alive = 0
            for i in range(nb):
                alive += row[i] > 0.0
            dead += alive == 0
            if code == TANH:
                for i in range(nb):
                    beyond += abs(row[i]) > SATURATED
            elif code == SIGMOID:
                for i in range(nb):
                    beyond += (row[i] < 1.0 - SATURATED) | (row[i] > SATURATED)
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
        _histogram(A, r0, n, nb, low, bins / (high - low), bins, counts[layer])


@njit(**JIT)
def _squares(x, start, stop, centre):
    """Σ (x[j] − centre)² over [start, stop), in four interleaved parts."""
    q = start + (stop - start) // 4 * 4
    s0 = s1 = s2 = s3 = 0.0
    for j in range(start, q, 4):
        d0, d1, d2, d3 = x[j] - centre, x[j + 1] - centre, x[j + 2] - centre, x[j + 3] - centre
        s0 += d0 * d0
        s1 += d1 * d1
        s2 += d2 * d2
        s3 += d3 * d3
    for j in range(q, stop):
        s0 += (x[j] - centre) * (x[j] - centre)
    return (s0 + s1) + (s2 + s3)


@njit(**JIT)
def _row_sum(row, nb):
    """Σ row[:nb] in four interleaved parts, and its least and greatest value."""
    q = nb - nb % 4
    s0 = s1 = s2 = s3 = 0.0
    lo0 = lo1 = lo2 = lo3 = np.inf
    hi0 = hi1 = hi2 = hi3 = -np.inf
    for i in range(0, q, 4):
        a0, a1, a2, a3 = row[i], row[i + 1], row[i + 2], row[i + 3]
        s0 += a0
        s1 += a1
        s2 += a2
        s3 += a3
        lo0, lo1, lo2, lo3 = min(lo0, a0), min(lo1, a1), min(lo2, a2), min(lo3, a3)
        hi0, hi1, hi2, hi3 = max(hi0, a0), max(hi1, a1), max(hi2, a2), max(hi3, a3)
    for i in range(q, nb):
        s0 += row[i]
        lo0, hi0 = min(lo0, row[i]), max(hi0, row[i])
    return ((s0 + s1) + (s2 + s3), min(min(lo0, lo1), min(lo2, lo3)),
            max(max(hi0, hi1), max(hi2, hi3)))


@njit(**JIT)
def _bin(a, low, scale, bins):
    """a's bin, or ``bins`` (a slot counted nowhere) when a is not finite."""
    return min(max(int((a - low) * scale), 0), bins - 1) if np.isfinite(a) else bins


@njit(**JIT)
def _histogram(A, r0, n, nb, low, scale, bins, out):
    """out[k] = values of rows r0 … r0 + n − 1 in bin k, from four tallies."""
    tally = np.zeros((4, bins + 1), dtype=np.int64)
    q = nb - nb % 4
    for r in range(r0, r0 + n):
        for i in range(0, q, 4):
            tally[0, _bin(A[r, i], low, scale, bins)] += 1
            tally[1, _bin(A[r, i + 1], low, scale, bins)] += 1
            tally[2, _bin(A[r, i + 2], low, scale, bins)] += 1
            tally[3, _bin(A[r, i + 3], low, scale, bins)] += 1
        for i in range(q, nb):
            tally[0, _bin(A[r, i], low, scale, bins)] += 1
    for k in range(bins):
        out[k] = (tally[0, k] + tally[1, k]) + (tally[2, k] + tally[3, k])


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
