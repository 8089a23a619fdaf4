"""Held-out data in the networks lab: the split, the validation curves, the generalisation
gap and early stopping — in the engine, through the API and its stream, and in the CLI.

The overfitting race: 64 noisy moons (noise 0.35), 30 % held out, a 2-32-32-1 tanh net and
Adam at 0.05 for 400 full-batch steps. Measured here: the training loss falls below 0.01
while the validation loss bottoms out near step 40 (≈ 0.15) and then climbs past 0.5 — the
net memorises the noise.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from descentlab.engine import EngineError
from descentlab.engine import networks as nn
from descentlab.server.app import create_app
from descentlab.server.cli import main
from descentlab.server.settings import Settings
from tests.test_networks import numpy_loss

NOISY = {"id": "moons", "n": 64, "noise": 0.35, "seed": 1}
ARCH = {"hidden": [32, 32], "activation": "tanh"}
ADAM = [("adam", {"lr": 0.05})]
STEPS = 400
PATIENCE = 40


def overfit(**kw) -> nn.NetworkRaceResult:
    return nn.network_race(NOISY, ARCH, ADAM, STEPS, validation=0.3, **kw)


@pytest.fixture(scope="module")
def free() -> nn.NetworkRaceResult:
    return overfit()


# --------------------------------------------------------------------------- the split


def test_split_is_stratified_disjoint_complete_and_seeded():
    data = nn.make_dataset("moons", n=101, noise=0.1, seed=0)
    train, held = nn.split(data, 0.2, 7)
    assert train.n + held.n == data.n
    assert [int(np.sum(held.y == c)) for c in (0, 1)] == [10, 10]  # round(0.2 · 50), (· 51)
    rows = {tuple(p) for p in data.X}
    assert {tuple(p) for p in train.X} | {tuple(p) for p in held.X} == rows
    assert not {tuple(p) for p in train.X} & {tuple(p) for p in held.X}
    again, other = nn.split(data, 0.2, 7)[1], nn.split(data, 0.2, 8)[1]
    assert np.array_equal(again.X, held.X) and not np.array_equal(other.X, held.X)
    assert nn.split(data, 0.0, 7) == (data, None)


@pytest.mark.parametrize("fraction", [-0.1, 0.6, float("nan")])
def test_a_bad_fraction_names_its_field(fraction):
    with pytest.raises(EngineError) as err:
        nn.network_race("moons", None, ["sgd"], 5, validation=fraction)
    assert err.value.field == "validation.fraction"


def test_early_stopping_needs_held_out_data_and_a_patience():
    with pytest.raises(EngineError) as err:
        nn.network_race("moons", None, ["sgd"], 5, early_stopping={"patience": 3})
    assert err.value.field == "early_stopping"
    with pytest.raises(EngineError) as err:
        nn.network_race("moons", None, ["sgd"], 5, validation=0.2,
                        early_stopping={"patience": 0})
    assert err.value.field == "early_stopping.patience"


# --------------------------------------------------------------------------- curves


def test_validation_curves_are_the_network_on_the_held_out_points(free):
    assert free.dataset.n == 44 and free.validation.n == 20
    for t in (0, 1, 37, STEPS):
        w = free.weights[0, t]
        assert free.val_loss[0, t] == pytest.approx(
            numpy_loss(free.architecture, w, free.validation.X, free.validation.y), rel=1e-12)
        # training loss stays on the training part only
        assert free.loss[0, t] == pytest.approx(
            numpy_loss(free.architecture, w, free.dataset.X, free.dataset.y), rel=1e-12)
    assert np.array_equal(free.gap, free.val_loss - free.loss)


def test_a_big_net_on_few_noisy_points_overfits_and_the_best_step_is_marked(free):
    best = int(free.best_step[0])
    assert best == int(np.argmin(free.val_loss[0]))
    assert 10 <= best <= 150
    assert free.loss[0, -1] < 0.01  # memorised
    assert free.val_loss[0, -1] > 2 * free.val_loss[0, best]  # and worse on new points
    assert free.gap[0, -1] > free.gap[0, best] + 0.3
    assert free.patience_out[0] == -1  # no early stopping asked


def test_patience_marks_the_stop_without_changing_the_training(free):
    marked = overfit(early_stopping={"patience": PATIENCE})
    best = int(free.best_step[0])
    assert int(marked.patience_out[0]) == best + PATIENCE
    assert int(marked.best_step[0]) == best
    for key in ("weights", "loss", "val_loss"):
        assert np.array_equal(getattr(marked, key), getattr(free, key)), key


def test_stopping_keeps_the_best_weights_from_then_on(free):
    stopped = overfit(early_stopping={"patience": PATIENCE, "stop": True})
    best, out = int(free.best_step[0]), int(stopped.patience_out[0])
    assert out == best + PATIENCE
    assert np.array_equal(stopped.weights[0, :out + 1], free.weights[0, :out + 1])
    assert np.all(stopped.weights[0, out + 1:] == free.weights[0, best])
    assert np.all(stopped.val_loss[0, out + 1:] == free.val_loss[0, best])
    assert np.all(stopped.loss[0, out + 1:] == free.loss[0, best])
    assert np.all(stopped.grad[0, out + 1:] == 0.0)
    assert stopped.val_loss[0, -1] < free.val_loss[0, -1] / 2


def test_stopping_is_the_same_however_the_race_is_cut():
    whole = overfit(early_stopping={"patience": PATIENCE, "stop": True})
    session = nn.network_session(NOISY, ARCH, ADAM, STEPS, validation=0.3,
                                 early_stopping={"patience": PATIENCE, "stop": True})
    for k in (3, 50, 29, 318):
        session.advance(k)
    cut = session.result()
    for key in ("weights", "loss", "accuracy", "val_loss", "val_accuracy", "best_step",
                "patience_out"):
        assert np.array_equal(getattr(cut, key), getattr(whole, key)), key


# --------------------------------------------------------------------------- API and CLI

BODY = {"dataset": {"id": "moons", "params": {k: v for k, v in NOISY.items() if k != "id"}},
        "architecture": ARCH, "optimizers": [{"id": "adam", "hyperparameters": {"lr": 0.05}}],
        "steps": STEPS, "validation": {"fraction": 0.3, "seed": 0},
        "early_stopping": {"patience": PATIENCE, "stop": True},
        "landscape": {"resolution": 5}}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings())) as c:
        yield c


def strict(text: str):
    def refuse(constant: str):
        raise ValueError(constant)
    return json.loads(text, parse_constant=refuse)


def test_api_race_has_the_held_out_points_curves_and_stop(client):
    response = client.post("/api/v1/networks/races", json=BODY)
    assert response.status_code == 200, response.text
    doc = strict(response.text)
    engine = overfit(early_stopping={"patience": PATIENCE, "stop": True})
    assert doc["validation"]["points"] == engine.validation.X.tolist()
    assert doc["validation"]["patience"] == PATIENCE and doc["validation"]["stop"] is True
    assert len(doc["dataset"]["points"]) == engine.dataset.n
    run = doc["runs"][0]
    assert run["val_loss"] == engine.val_loss[0].tolist()
    assert run["val_accuracy"] == engine.val_accuracy[0].tolist()
    assert run["best_step"] == engine.best_step[0]
    assert run["stopped_at"] == engine.patience_out[0]
    final = run["final"]
    assert final["gap"] == pytest.approx(final["val_loss"] - final["loss"])


def test_api_stream_frames_carry_the_validation_curves(client):
    response = client.post("/api/v1/networks/races/stream", json={**BODY, "frame_steps": 100})
    events = [strict(line) for line in response.text.splitlines()]
    meta, frames, summary = events[0], events[1:-1], events[-1]
    assert meta["validation"] == summary["validation"]
    run = summary["runs"][0]
    assert [v for f in frames for v in f["runs"][0]["val_loss"]] == run["val_loss"]
    assert frames[-1]["runs"][0]["best_step"] == run["best_step"]
    assert frames[-1]["runs"][0]["stopped_at"] == run["stopped_at"]


def test_api_without_validation_reports_nulls(client):
    body = {**BODY, "validation": {"fraction": 0}, "early_stopping": None, "steps": 5}
    doc = strict(client.post("/api/v1/networks/races", json=body).text)
    assert doc["validation"] is None
    run = doc["runs"][0]
    assert run["val_loss"] is None and run["best_step"] is None
    assert run["final"]["gap"] is None


@pytest.mark.parametrize(("change", "loc", "words"), [
    ({"validation": {"fraction": 0.7}}, ["body", "validation", "fraction"], "0.5"),
    ({"validation": {"fraction": 0}}, ["body", "early_stopping"], "validation"),
    ({"early_stopping": {"patience": 0}}, ["body", "early_stopping", "patience"], "1"),
])
def test_api_bad_held_out_options_are_422_naming_the_field(client, change, loc, words):
    response = client.post("/api/v1/networks/races", json={**BODY, **change})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == loc and words in detail["msg"]


def test_cli_flags_build_the_same_race(capsys):
    main(["network-race", "--dataset", "moons", "--param", "n=64", "--param", "noise=0.35",
          "--param", "seed=1", "--hidden", "32,32", "--optimizer", "adam:lr=0.05",
          "--steps", str(STEPS), "--validation", "0.3", "--patience", str(PATIENCE),
          "--stop", "--resolution", "5", "-q"])
    doc = json.loads(capsys.readouterr().out)
    engine = overfit(early_stopping={"patience": PATIENCE, "stop": True})
    assert doc["runs"][0]["val_loss"] == engine.val_loss[0].tolist()
    assert doc["runs"][0]["stopped_at"] == engine.patience_out[0]
