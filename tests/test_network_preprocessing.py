"""Preprocessing: shifted and scaled inputs make a ravine, standardising removes it — measured
exactly on the two-weight logistic regression (its Hessian at w = 0 is mean(z zᵀ)/4) and in
a network race on the same options.

Measured here before asserting (Hessian at w = 0, default data): condition number 16.8 raw;
1.9e4 with the second input stretched 100×; 1.2e7 with both inputs shifted by 1000; 17.06
standardised, whatever the shift or stretch before it. A 2-16-16-1 tanh net on moons shifted
by 1000 stays at ln 2 for 300 steps with SGD and Adam (every unit saturated); standardised,
it trains exactly as on the standardised unshifted data.
"""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from descentlab.engine import EngineError
from descentlab.engine import networks as nn
from descentlab.server.app import create_app
from descentlab.server.settings import Settings


def condition_at_origin(**options: float) -> float:
    net = nn.get_two_param_net("logistic")
    h11, h12, h22 = net.hessian(np.zeros((1, 2)), net.param_vector(options))[0]
    return float(np.linalg.cond(np.array([[h11, h12], [h12, h22]])))


def test_shifted_or_stretched_inputs_make_a_ravine_that_standardising_removes():
    raw = condition_at_origin()
    stretched = condition_at_origin(stretch=100)
    shifted = condition_at_origin(shift=1000)
    assert 10 < raw < 25
    assert stretched > 500 * raw  # curvature ∝ feature², 100² apart
    assert shifted > 1e5 * raw
    fixed = [condition_at_origin(standardise=1, **o)
             for o in ({}, {"stretch": 100}, {"shift": 1000}, {"scale": 0.01, "shift": -300})]
    assert fixed == pytest.approx([fixed[0]] * 4, rel=1e-9)
    assert fixed[0] < 25


def test_the_two_weight_hessian_is_the_data_s_second_moment_at_the_origin():
    """H(0) = mean(z zᵀ)/4 with z the label-folded, preprocessed points: the ravine is the
    data's, and the surface draws it exactly."""
    net = nn.get_two_param_net("logistic")
    pvec = net.param_vector({"shift": 3.0, "stretch": 10.0})
    data = net.data(pvec)
    z = data["labels"][:, None] * data["points"]
    h11, h12, h22 = net.hessian(np.zeros((1, 2)), pvec)[0]
    assert np.array([[h11, h12], [h12, h22]]) == pytest.approx(z.T @ z / z.shape[0] / 4)
    raw = net.data(net.param_vector())["points"]
    assert data["points"] == pytest.approx(raw * [1.0, 10.0] + 3.0)


def test_dataset_points_are_scaled_stretched_and_shifted():
    base = nn.make_dataset("moons").X
    moved = nn.make_dataset("moons", shift=1000, scale=2, stretch=100).X
    assert moved == pytest.approx(base * [2.0, 200.0] + 1000.0)
    with pytest.raises(EngineError) as err:
        nn.make_dataset("moons", standardise=0.5)
    assert err.value.field == "dataset.params.standardise"


def test_a_standardised_race_uses_the_training_points_statistics_and_undoes_any_shift():
    kw = {"architecture": nn.Architecture((8, 8)), "optimizers": ["sgd", "adam"],
          "steps": 80, "validation": 0.25}
    plain = nn.network_race({"id": "moons", "standardise": 1}, **kw)
    moved = nn.network_race({"id": "moons", "shift": 1000, "stretch": 100,
                             "standardise": 1}, **kw)
    X = plain.dataset.X
    assert X.mean(axis=0) == pytest.approx([0, 0], abs=1e-12)
    assert X.std(axis=0) == pytest.approx([1, 1])
    # the held-out points are standardised with the training points' statistics
    assert np.abs(plain.validation.X.mean(axis=0)).max() > 1e-3
    assert pytest.approx(X, abs=1e-9) == moved.dataset.X
    assert moved.loss == pytest.approx(plain.loss, rel=1e-6, abs=1e-9)


def test_inputs_around_1000_stall_a_tanh_net_that_standardising_frees():
    kw = {"architecture": nn.Architecture((16, 16)), "optimizers": ["sgd", "adam"],
          "steps": 300}
    raw = nn.network_race({"id": "moons", "shift": 1000}, **kw)
    fixed = nn.network_race({"id": "moons", "shift": 1000, "standardise": 1}, **kw)
    assert raw.loss[:, -1] == pytest.approx(np.log(2), abs=1e-3)  # saturated: chance level
    assert np.all(fixed.loss[:, -1] < 0.3)


def test_the_api_lists_the_preprocessing_and_names_a_bad_switch():
    with TestClient(create_app(Settings())) as client:
        catalogue = client.get("/api/v1/networks").json()
        moons = next(d for d in catalogue["datasets"] if d["id"] == "moons")
        assert {"shift", "scale", "stretch", "standardise"} <= {p["name"] for p in moons["params"]}
        assert moons["switches"] == ["standardise"]
        bad = client.post("/api/v1/networks/races", json={
            "optimizers": [{"id": "sgd"}], "steps": 10,
            "dataset": {"id": "moons", "params": {"standardise": 0.5}}})
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["loc"] == ["body", "dataset", "params", "standardise"]
        surface = client.post("/api/v1/races", json={
            "surface": {"id": "logistic", "params": {"standardise": 0.5}},
            "optimizers": [{"id": "sgd"}], "steps": 10})
        assert surface.status_code == 422
        assert surface.json()["detail"][0]["loc"] == ["body", "surface", "params",
                                                      "standardise"]
        logistic = next(s for s in client.get("/api/v1/surfaces").json()
                        if s["id"] == "logistic")
        assert {"shift", "stretch", "standardise"} <= {p["name"] for p in logistic["params"]}


def test_the_cli_takes_the_preprocessing_as_dataset_parameters(capsys):
    import orjson

    from descentlab.server.cli import main

    main(["network-race", "--steps", "10", "--param", "shift=1000", "--param",
          "standardise=1", "-q"])
    document = orjson.loads(capsys.readouterr().out)
    assert document["dataset"]["params"]["shift"] == 1000
    assert np.mean(document["dataset"]["points"], axis=0) == pytest.approx([0, 0], abs=1e-9)
    with pytest.raises(SystemExit):
        main(["network-race", "--steps", "10", "--param", "standardise=2", "-q"])
    assert "--param" in capsys.readouterr().err
