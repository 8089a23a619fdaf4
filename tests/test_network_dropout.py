"""Dropout on the hidden layers: backprop with a fixed mask against central differences and
against a numpy network, the seeded masks, and a race that trains with masks while every
recorded number is the plain network's (dropout is off at evaluation)."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from descentlab.engine import EngineError
from descentlab.engine import networks as nn
from descentlab.engine.networks.dropout import draw_masks
from descentlab.engine.networks.mlp import loss_and_gradient, loss_only
from descentlab.engine.networks.workspace import Workspace
from descentlab.server.app import create_app
from descentlab.server.settings import Settings
from tests.test_networks import ACTIVATION, central_gradient, numpy_loss

RATE = 0.3


def masks(arch: nn.Architecture, n: int, seed: int = 3, step: int = 7,
          rate: float = RATE) -> np.ndarray:
    M = np.ones((arch.units, n))
    draw_masks(seed, step, rate, arch.layout(), n, M)
    return M


def numpy_masked_loss(arch: nn.Architecture, w: np.ndarray, data, M: np.ndarray) -> float:
    """The masked network in plain numpy: each hidden layer's output times its mask rows."""
    a, row = data.X.T, 2
    layers = arch.unflatten(w)
    for k, (W, b) in enumerate(layers):
        z = W @ a + b[:, None]
        if k == len(layers) - 1:
            return float(np.mean(np.logaddexp(0.0, z[0]) - data.y * z[0]))
        a = ACTIVATION[arch.activation](z) * M[row:row + W.shape[0]]
        row += W.shape[0]
    raise AssertionError("unreachable")


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "leaky_relu", "elu"])
def test_backprop_with_a_fixed_mask_matches_central_differences(activation):
    arch = nn.Architecture((6, 5), activation, dropout=RATE, bias=0.1)
    data = nn.make_dataset("moons", n=24, noise=0.1, seed=2)
    w = arch.init_weights(4)
    M = masks(arch, data.n)
    idx, lay, act, bn = np.arange(data.n), arch.layout(), arch.activation_code, \
        arch.norm_layout()

    def f(x: np.ndarray) -> float:
        ws = Workspace.create(arch, data.n)
        return loss_only(x, lay, act, bn, data.columns, data.y, idx, data.n, *ws.arrays, ws.B,
                         False, M, RATE)[0]

    grad = np.zeros(arch.n_params)
    loss, _ = loss_and_gradient(w, lay, act, bn, data.columns, data.y, idx, data.n,
                                *Workspace.create(arch, data.n).arrays, grad, M, RATE)
    assert loss == pytest.approx(numpy_masked_loss(arch, w, data, M), rel=1e-12)
    assert np.max(np.abs(grad - central_gradient(f, w))) < 1e-7 * max(1.0, np.abs(grad).max())


def test_masks_keep_each_unit_with_probability_one_minus_p_and_are_seeded():
    arch = nn.Architecture((32, 32, 32))
    M = masks(arch, 2048)
    hidden = M[2:2 + 96]
    assert set(np.unique(hidden)) == {0.0, 1.0 / (1.0 - RATE)}
    assert np.all(M[:2] == 1.0) and np.all(M[-1] == 1.0)  # inputs and output never drop
    assert abs(np.mean(hidden == 0.0) - RATE) < 0.01  # 196,608 draws: σ ≈ 0.001
    assert abs(np.mean(hidden) - 1.0) < 0.02  # inverted dropout keeps the mean
    assert np.array_equal(M, masks(arch, 2048))
    assert not np.array_equal(M, masks(arch, 2048, step=8))
    assert not np.array_equal(M, masks(arch, 2048, seed=4))


def test_a_dropout_race_records_the_plain_network_and_differs_from_no_dropout():
    data = nn.make_dataset("moons", n=64, noise=0.2, seed=0)
    arch = {"hidden": [16, 16], "dropout": 0.2}
    r = nn.network_race(data, arch, [("adam", {"lr": 0.02})], 60, seed=5)
    plain = nn.network_race(data, {**arch, "dropout": 0.0}, [("adam", {"lr": 0.02})], 60,
                            seed=5)
    for t in (0, 1, 30, 60):  # evaluation without masks
        assert r.loss[0, t] == pytest.approx(
            numpy_loss(r.architecture, r.weights[0, t], data.X, data.y), rel=1e-12)
    assert np.array_equal(r.weights[0, 0], plain.weights[0, 0])
    assert not np.allclose(r.weights[0, 1], plain.weights[0, 1])
    again = nn.network_race(data, arch, [("adam", {"lr": 0.02})], 60, seed=5)
    assert np.array_equal(again.weights, r.weights)
    other = nn.network_race(data, arch, [("adam", {"lr": 0.02})], 60, seed=6)
    assert not np.array_equal(other.weights, r.weights)  # the seed draws the masks


def test_dropout_out_of_range_names_its_field():
    with pytest.raises(EngineError) as err:
        nn.Architecture(dropout=0.95)
    assert err.value.field == "dropout"
    with TestClient(create_app(Settings())) as client:
        response = client.post("/api/v1/networks/races", json={
            "optimizers": [{"id": "sgd"}], "steps": 3,
            "architecture": {"hidden": [4], "dropout": 0.95}})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "architecture", "dropout"]
        ok = client.post("/api/v1/networks/races", json={
            "optimizers": [{"id": "sgd"}], "steps": 3, "landscape": {"resolution": 3},
            "architecture": {"hidden": [4], "dropout": 0.5}})
        assert ok.status_code == 200 and ok.json()["architecture"]["dropout"] == 0.5
