"""Per-layer statistics of a network at one weight vector: how its activations and its
gradients look layer by layer (the CS231n experiment of a deep tanh net at initialisation).

For every hidden layer: the mean and standard deviation of its outputs over all units and
points; the fraction of outputs saturated (|tanh| > 0.99, sigmoid below 0.01 or above 0.99)
or, for the ReLU family, of units dead on every point (output ≤ 0 everywhere, so no gradient
reaches their weights); and the norm of the loss gradient with respect to that layer's
weights and biases. The passes are the training kernels' own (``mlp.loss_and_gradient``),
whose activation buffer holds every layer's outputs after the forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab.engine.networks.architecture import (
    ELU,
    LEAKY_RELU,
    RELU,
    SIGMOID,
    TANH,
    Architecture,
)
from descentlab.engine.networks.mlp import loss_and_gradient
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


def _saturated(code: int, a: np.ndarray) -> float:
    if code == TANH:
        return float(np.mean(np.abs(a) > SATURATED))
    if code == SIGMOID:
        return float(np.mean((a < 1.0 - SATURATED) | (a > SATURATED)))
    if code == RELU:
        return float(np.mean(np.all(a <= 0.0, axis=1)))
    if code in (LEAKY_RELU, ELU):
        return 0.0
    raise ValueError(f"unknown activation code {code}")


def layer_statistics(arch: Architecture, data: Dataset, weights: np.ndarray) -> LayerStatistics:
    """The statistics of every layer of ``arch`` at ``weights`` over all of ``data``."""
    ws = Workspace.create(arch, data.n)
    grad = np.zeros(arch.n_params)
    loss_and_gradient(weights, arch.layout(), arch.activation_code, data.columns, data.y,
                      np.arange(data.n), data.n, *ws.arrays, grad)
    rows = [(int(r_out), int(n_out)) for _ni, n_out, _w, _b, _ri, r_out in arch.layout()]
    hidden = [ws.A[r:r + n, :data.n] for r, n in rows[:-1]]
    norms = [np.sqrt(np.sum(grad[int(w0):int(b0) + int(n_out)] ** 2))
             for _ni, n_out, w0, b0, _ri, _ro in arch.layout()]
    return LayerStatistics(np.array([a.mean() for a in hidden]),
                           np.array([a.std() for a in hidden]),
                           np.array([_saturated(arch.activation_code, a) for a in hidden]),
                           np.array(norms))
