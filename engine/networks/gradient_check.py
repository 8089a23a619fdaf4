"""Gradient checking of backpropagation: a few weights of a network, sampled as the lectures'
``grad_check_sparse`` does, each nudged by ±h over the sweep of ``engine.gradient_check``.

The loss checked is the one a full-batch step differentiates and the race records: the
whole training set, in training mode (batch statistics under batch normalization), no
dropout. A checked sample covers every layer before the rest are drawn, so that an error
confined to one layer's backward pass cannot hide among the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab.engine.errors import keyed
from descentlab.engine.gradient_check import STEPS, GradientCheck, differences
from descentlab.engine.networks.architecture import Architecture, count_params
from descentlab.engine.networks.mlp import loss_only
from descentlab.engine.networks.race import NetworkRaceResult, full_batch_pass
from descentlab.engine.networks.workspace import Workspace

MAX_SAMPLES = 64
_NO_MASK = np.empty((0, 0))


@dataclass(frozen=True)
class Parameter:
    """Where a weight-vector index sits: hidden layer ``layer`` (1 = the first; the output
    layer is the last), its ``kind`` (weight, bias, gamma or beta), the unit it feeds
    (``row``) and, for a weight, the input it reads (``column``)."""

    index: int
    layer: int
    kind: str
    row: int
    column: int | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def locate(arch: Architecture, index: int) -> Parameter:
    """The layer, kind and position of weight-vector entry ``index``."""
    for layer, (n_in, n_out, w0, b0, _ri, _ro) in enumerate(arch.layout()):
        if w0 <= index < b0:
            row, column = divmod(index - int(w0), int(n_in))
            return Parameter(index, layer + 1, "weight", row, column)
        if b0 <= index < b0 + n_out:
            return Parameter(index, layer + 1, "bias", index - int(b0))
    offset = count_params(arch.hidden)
    for layer, width in enumerate(arch.hidden):
        if offset <= index < offset + 2 * width:
            kind, row = divmod(index - offset, width)
            return Parameter(index, layer + 1, ("gamma", "beta")[kind], row)
        offset += 2 * width
    raise keyed("network.weights_shape", "expected {count} weights, got shape {shape}",
                field="index", count=arch.n_params, shape=(index,))


def sample_parameters(arch: Architecture, samples: int, seed: int) -> np.ndarray:
    """``samples`` distinct indices, sorted: one weight or bias of each layer first (as many
    layers as the sample allows), then the rest uniformly from all the others."""
    rng = np.random.default_rng(int(seed))
    layers = [(int(w0), int(b0) + int(n_out)) for _ni, n_out, w0, b0, _r, _o in arch.layout()]
    chosen = [int(rng.integers(lo, hi)) for lo, hi in layers[:samples]]
    rest = np.setdiff1d(np.arange(arch.n_params), chosen)
    chosen += rng.choice(rest, size=samples - len(chosen), replace=False).tolist()
    return np.sort(np.array(chosen, dtype=np.int64))


@dataclass(frozen=True)
class NetworkGradientCheck:
    """The check (``check``: its coordinates are ``parameters``, in order) of one run's
    weights at one frame."""

    run: str
    frame: int
    parameters: list[Parameter]
    check: GradientCheck


def check_network_gradient(result: NetworkRaceResult, run: int | str = 0, frame: int = -1, *,
                           samples: int = 12, seed: int = 0,
                           steps: np.ndarray = STEPS) -> NetworkGradientCheck:
    """Backprop's gradient of one run's training loss at frame ``frame``, against finite
    differences over ``samples`` weights drawn by ``seed``."""
    o, t = result.run_index(run), result.frame_index(frame)
    arch = result.architecture
    if not 1 <= int(samples) <= min(MAX_SAMPLES, arch.n_params):
        raise keyed("check.samples_range", "samples must be between 1 and {high}, got {got}",
                    field="samples", high=min(MAX_SAMPLES, arch.n_params), got=samples)
    theta = result.weights[o, t].copy()
    indices = sample_parameters(arch, int(samples), seed)
    data = result.dataset
    value, _accuracy, gradient, _stats = full_batch_pass(arch, data, theta)
    if not (np.isfinite(value) and np.isfinite(gradient[indices]).all()):
        raise keyed("check.network_not_finite", "the loss or its gradient is not finite at "
                    "frame {frame}: check an earlier frame", field="frame", frame=t)
    # one workspace and one set of layouts for every probe (2 × steps × samples passes)
    ws = Workspace.create(arch, data.n)
    passes = (arch.layout(), arch.activation_code, arch.norm_layout(), data.columns, data.y,
              np.arange(data.n), data.n, *ws.arrays, ws.B, False, _NO_MASK, 0.0)

    def values_along(i: int, offsets: np.ndarray) -> np.ndarray:
        """The training loss (no backward pass) with weight i moved by each offset."""
        out = np.empty(offsets.size)
        original = theta[i]
        for k, offset in enumerate(offsets):
            theta[i] = original + offset
            out[k] = loss_only(theta, *passes)[0]
        theta[i] = original
        return out

    forward, centred = differences(values_along, value, indices, steps)
    check = GradientCheck(value, gradient[indices], steps.copy(), forward, centred)
    return NetworkGradientCheck(result.labels[o], t, [locate(arch, int(i)) for i in indices],
                                check)

