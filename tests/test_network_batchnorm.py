"""Batch normalization: backprop through the batch statistics against central differences,
a plain-numpy network with the formulas, running statistics replayed from the recorded
weights, and evaluation (validation numbers, decision boundary) that uses the running
statistics and not the batch's."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from descentlab.engine import EngineError
from descentlab.engine import networks as nn
from descentlab.engine.networks.batchnorm import EPS, MOMENTUM
from descentlab.engine.networks.mlp import loss_and_gradient, loss_only
from descentlab.engine.networks.workspace import Workspace
from descentlab.server.app import create_app
from tests.test_networks import ACTIVATION, central_gradient

NO_MASK = np.empty((0, 0))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def numpy_bn_logits(arch: nn.Architecture, w: np.ndarray, X: np.ndarray,
                    running: np.ndarray | None = None,
                    moments: list | None = None) -> np.ndarray:
    """The network in plain numpy from the formulas: each hidden z normalised by the batch's
    mean and biased variance (or by ``running`` (2, units) when given), then γ·x̂ + β; the
    batch moments of every layer go to ``moments``."""
    a, row = X.T, 2
    layers = arch.unflatten(w)
    for k, (W, b) in enumerate(layers):
        z = W @ a + b[:, None]
        if k == len(layers) - 1:
            return z[0]
        gamma, beta = arch.norm_params(w)[k]
        rows = slice(row, row + W.shape[0])
        if running is None:
            mu, var = z.mean(axis=1), z.var(axis=1)
        else:
            mu, var = running[0, rows], running[1, rows]
        if moments is not None:
            moments.append((z.mean(axis=1), z.var(axis=1)))
        z = gamma[:, None] * (z - mu[:, None]) / np.sqrt(var[:, None] + EPS) + beta[:, None]
        a = ACTIVATION[arch.activation](z)
        row += W.shape[0]
    raise AssertionError("unreachable")


def numpy_bn_loss(arch, w, X, y, running=None) -> float:
    z = numpy_bn_logits(arch, w, X, running)
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def perturbed(arch: nn.Architecture, seed: int) -> np.ndarray:
    """Initial weights with γ and β moved off 1 and 0, so their gradients are exercised."""
    w = arch.init_weights(seed)
    rng = np.random.default_rng(seed)
    for gamma, beta in arch.norm_params(w):
        gamma += rng.uniform(-0.5, 0.5, gamma.size)
        beta += rng.uniform(-0.5, 0.5, beta.size)
    return w


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("nb", [2, 5, 17, 32])
def test_backprop_through_batch_norm_matches_central_differences(activation, nb):
    arch = nn.Architecture((6, 5, 4), activation, bias=0.1, batch_norm=True)
    data = nn.make_dataset("moons", n=32, noise=0.1, seed=2)
    w = perturbed(arch, 4)
    idx = np.random.default_rng(nb).permutation(data.n)[:nb]
    lay, act, bn = arch.layout(), arch.activation_code, arch.norm_layout()

    def f(x: np.ndarray) -> float:
        ws = Workspace.create(arch, data.n)
        return loss_only(x, lay, act, bn, data.columns, data.y, idx, nb, *ws.arrays, ws.B,
                         False, NO_MASK, 0.0)[0]

    grad = np.zeros(arch.n_params)
    loss, _ = loss_and_gradient(w, lay, act, bn, data.columns, data.y, idx, nb,
                                *Workspace.create(arch, data.n).arrays, grad, NO_MASK, 0.0)
    assert loss == pytest.approx(numpy_bn_loss(arch, w, data.X[idx], data.y[idx]), rel=1e-12)
    fd = central_gradient(f, w)
    assert np.max(np.abs(grad - fd)) < 1e-7 * max(1.0, np.abs(grad).max())
    g0 = int(bn[0])
    assert np.abs(grad[g0:]).max() > 1e-3, "γ and β get a gradient"
    if nb == 2:
        return
    # The bias before a normalised layer cancels in the batch mean: its gradient vanishes.
    for _n_in, n_out, _w0, b0, *_ in lay[:-1]:
        assert np.abs(grad[b0:b0 + n_out]).max() < 1e-12


def test_parameters_sit_after_the_weights_and_start_as_the_identity():
    arch = nn.Architecture((3, 4), batch_norm=True)
    plain = nn.Architecture((3, 4))
    assert arch.n_params == plain.n_params + 2 * 7 == nn.count_params((3, 4), True)
    w = arch.init_weights(1)
    np.testing.assert_array_equal(w[:plain.n_params], plain.init_weights(1))
    assert [(g.tolist(), b.tolist()) for g, b in arch.norm_params(w)] == \
        [([1.0] * 3, [0.0] * 3), ([1.0] * 4, [0.0] * 4)]
    assert arch.bias_mask()[plain.n_params:].all()  # random planes leave γ, β alone
    assert list(plain.norm_layout()) == [-1, -1, -1]


def test_running_statistics_replay_from_the_recorded_weights():
    """Full batch: step t's running statistics are 0.9·R + 0.1·(mean, unbiased variance) of
    the pass at the weights before the step, recomputed here in numpy."""
    arch = nn.Architecture((5, 4), "tanh", batch_norm=True)
    data = nn.make_dataset("moons", n=40, noise=0.1, seed=1)
    r = nn.network_race(data, arch, [("sgd", {"lr": 0.5})], steps=6)
    R = arch.running_start()
    np.testing.assert_array_equal(r.running[0, 0], R)
    n = data.n
    for t in range(1, 7):
        moments: list = []
        numpy_bn_logits(arch, r.weights[0, t - 1], data.X, moments=moments)
        mean = np.concatenate([np.zeros(2), *(m for m, _ in moments), np.zeros(1)])
        var = np.concatenate([np.ones(2), *(v for _, v in moments), np.ones(1)])
        hidden = slice(2, 2 + 9)
        R[0, hidden] = (1 - MOMENTUM) * R[0, hidden] + MOMENTUM * mean[hidden]
        R[1, hidden] = (1 - MOMENTUM) * R[1, hidden] + MOMENTUM * var[hidden] * n / (n - 1)
        np.testing.assert_allclose(r.running[0, t], R, rtol=1e-12, atol=1e-14)


def test_evaluation_uses_running_statistics_not_the_batch():
    """Validation loss and the decision boundary equal the numpy network normalised by the
    recorded running statistics to rounding, and the batch-statistics network differs by
    far more than rounding (so a pass with batch statistics fails the equalities)."""
    arch = nn.Architecture((8, 8), "tanh", batch_norm=True)
    r = nn.network_race("moons", arch, [("adam", {"lr": 0.05})], steps=15, batch_size=16,
                        validation=0.3)
    t = 15
    w, running = r.weights[0, t], r.running[0, t]
    val = r.validation
    with_running = numpy_bn_loss(arch, w, val.X, val.y, running)
    with_batch = numpy_bn_loss(arch, w, val.X, val.y)
    assert r.val_loss[0, t] == pytest.approx(with_running, rel=1e-12)
    assert abs(with_batch - with_running) > 1e-3
    b = nn.decision_boundary(r, 0, t, resolution=9)
    mesh = np.stack(np.meshgrid(b.x, b.y), axis=-1).reshape(-1, 2)
    expected = 1.0 / (1.0 + np.exp(-numpy_bn_logits(arch, w, mesh, running)))
    np.testing.assert_allclose(b.probability.ravel(), expected, rtol=1e-12, atol=1e-15)
    batch = 1.0 / (1.0 + np.exp(-numpy_bn_logits(arch, w, mesh)))
    assert np.abs(batch - expected).max() > 1e-2


def test_recorded_training_loss_uses_the_statistics_of_all_training_points():
    arch = nn.Architecture((8,), "relu", batch_norm=True)
    r = nn.network_race("moons", arch, ["adam"], steps=5, batch_size=8)
    data = r.dataset
    for t in range(6):
        assert r.loss[0, t] == pytest.approx(numpy_bn_loss(arch, r.weights[0, t], data.X,
                                                           data.y), rel=1e-12)


@pytest.mark.parametrize("spec", [{"batch_size": 12}, {"batch_size": None},
                                  {"batch_size": 12, "opt": "nesterov"}])
def test_a_race_cut_into_segments_gives_the_same_bytes(spec):
    arch = nn.Architecture((6, 6), "tanh", batch_norm=True, dropout=0.2)
    opt = spec.get("opt", "adam")
    whole = nn.network_race("moons", arch, [opt], steps=12, batch_size=spec["batch_size"],
                            validation=0.25)
    session = nn.network_session("moons", arch, [opt], steps=12,
                                 batch_size=spec["batch_size"], validation=0.25)
    for k in (5, 4, 3):
        session.advance(k)
    cut = session.result()
    for name in ("weights", "loss", "running", "val_loss"):
        np.testing.assert_array_equal(getattr(cut, name), getattr(whole, name), err_msg=name)


def test_a_batch_of_one_point_is_refused():
    with pytest.raises(EngineError) as err:
        nn.network_race("moons", nn.Architecture((4,), batch_norm=True), ["sgd"], steps=2,
                        batch_size=1)
    assert err.value.field == "batch_size"


def test_the_api_takes_a_documented_switch_and_names_what_it_refuses(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ArchitectureSpec"]
    assert "running averages" in schema["properties"]["batch_norm"]["description"]
    body = {"optimizers": [{"id": "sgd"}], "steps": 3, "landscape": {"resolution": 3},
            "architecture": {"hidden": [4, 3], "batch_norm": True}, "validation":
            {"fraction": 0.25}}
    ok = client.post("/api/v1/networks/races", json=body)
    assert ok.status_code == 200
    assert ok.json()["architecture"]["batch_norm"] is True
    assert ok.json()["architecture"]["n_params"] == nn.count_params((4, 3), True)
    wrong = client.post("/api/v1/networks/races",
                        json={**body, "architecture": {"batch_norm": "yes"}})
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "architecture", "batch_norm"]
    one = client.post("/api/v1/networks/races", json={**body, "batch_size": 1},
                      headers={"Accept-Language": "uk"})
    assert one.status_code == 422
    detail = one.json()["detail"][0]
    assert detail["loc"] == ["body", "batch_size"] and "пакетн" in detail["msg"]


def test_the_cli_flag_and_its_refusal(capsys):
    from tests.test_cli import run

    code, out, _ = run(["network-race", "--steps", "3", "--hidden", "4", "--batch-norm",
                        "-q"], capsys)
    assert code == 0
    assert json.loads(out)["architecture"]["batch_norm"] is True
    code, _, err = run(["network-race", "--steps", "3", "--hidden", "4", "--batch-norm",
                        "--batch-size", "1", "-q"], capsys)
    assert code != 0 and "--batch-size" in err and "2 points" in err
