"""The momentum schedule (Sutskever et al. 2013): μ rising from 0.5 to a run's momentum,
against a plain-Python reference, in both labs, and its checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference_optimizers as ref
from test_optimizers import SURFACES, value_grad_of

from descentlab import engine
from descentlab.engine.networks import network_race

STEPS = 200
RTOL = 1e-10
WITH_MOMENTUM = {"momentum": {"lr": 0.0005, "momentum": 0.95},
                 "nesterov": {"lr": 0.0005, "momentum": 0.95},
                 "rmsprop_nesterov": {"lr": 0.001, "momentum": 0.9}}


def mu_at(mu: float, t: int, tau: int) -> float:
    """Sutskever et al.'s eq. 5 as written: min(μ, 1 − 2^(−1 − log₂(⌊(t − 1)/τ⌋ + 1)))."""
    return min(mu, 1.0 - 2.0 ** (-1.0 - math.log2((t - 1) // tau + 1)))


def reference_path(opt_id, hp, start, steps, tau, value_grad):
    x, state = (float(start[0]), float(start[1])), ref.initial_state(opt_id)
    path = [x]
    for t in range(1, steps + 1):
        step_hp = {**hp, "momentum": mu_at(hp["momentum"], t, tau)}
        g = value_grad(ref.gradient_point(opt_id, step_hp, x, state))[1]
        x, state = ref.step(opt_id, step_hp, x, state, g, t, hp["lr"])
        path.append(x)
    return np.array(path)


@pytest.mark.parametrize("surface", ["bowl", "rosenbrock", "himmelblau"])
@pytest.mark.parametrize("opt_id", list(WITH_MOMENTUM))
def test_matches_reference(opt_id, surface):
    tau = 30
    params, start = SURFACES[surface]
    r = engine.race(surface, [{"id": opt_id, "hyperparameters": WITH_MOMENTUM[opt_id],
                               "momentum_schedule": {"tau": tau}}], start, STEPS,
                    params=params)
    assert r.diverged_at[0, 0] == -1
    want = reference_path(opt_id, r.runs[0].hyperparameters, start, STEPS, tau,
                          value_grad_of(engine.objective(surface, params)))
    np.testing.assert_allclose(r.positions[0, 0], want, rtol=RTOL,
                               atol=RTOL * np.abs(want).max())
    constant = engine.race(surface, [(opt_id, WITH_MOMENTUM[opt_id])], start, STEPS,
                           params=params)
    assert np.abs(constant.positions[0, 0] - r.positions[0, 0]).max() > 1e-6


def test_the_rises_are_half_then_three_quarters():
    assert [mu_at(0.99, t, 10) for t in (1, 10, 11, 20, 21, 31)] == pytest.approx([
        0.5, 0.5, 0.75, 0.75, 1 - 1 / 6, 0.875], rel=1e-15)
    assert mu_at(0.8, 1000, 10) == 0.8


def test_a_long_tau_is_momentum_one_half_exactly():
    """With τ past the last step μ stays 0.5: the very run of momentum 0.5, bit for bit
    (the rule and its numbers are the same)."""
    start = SURFACES["rosenbrock"][1]
    rising = engine.race("rosenbrock", [{"id": "nesterov",
                                         "hyperparameters": {"lr": 0.001, "momentum": 0.9},
                                         "momentum_schedule": {"tau": 500}}], start, 100)
    half = engine.race("rosenbrock", [("nesterov", {"lr": 0.001, "momentum": 0.5})], start, 100)
    np.testing.assert_array_equal(rising.positions, half.positions)


def test_network_long_tau_is_momentum_one_half_exactly():
    common = {"dataset": "moons", "steps": 40, "seed": 1}
    rising = network_race(optimizers=[{"id": "momentum", "hyperparameters": {"lr": 0.05},
                                       "momentum_schedule": {"tau": 100}}], **common)
    half = network_race(optimizers=[("momentum", {"lr": 0.05, "momentum": 0.5})], **common)
    np.testing.assert_array_equal(rising.weights, half.weights)
    faster = network_race(optimizers=[{"id": "momentum", "hyperparameters": {"lr": 0.05},
                                       "momentum_schedule": {"tau": 10}}], **common)
    assert np.abs(faster.weights[0, -1] - half.weights[0, -1]).max() > 1e-6


def test_streamed_segments_equal_the_whole_race():
    start = SURFACES["himmelblau"][1]
    spec = [{"id": "momentum", "hyperparameters": {"lr": 0.002},
             "momentum_schedule": {"tau": 7}}]
    whole = engine.race("himmelblau", spec, start, 60)
    runs = [engine.make_run(s, engine.GradientOptions()) for s in spec]
    session = engine.RaceSession(engine.objective("himmelblau"), runs, np.array([start]), 60)
    np.testing.assert_array_equal(session.result(list(session.segments(9))).positions,
                                  whole.positions)


@pytest.mark.parametrize(("opt_id", "setting", "field"), [
    ("adam", {"tau": 10}, "optimizers.0.momentum_schedule"),
    ("sgd", {"tau": 10}, "optimizers.0.momentum_schedule"),
    ("momentum", {"tau": 0}, "optimizers.0.momentum_schedule.tau"),
    ("momentum", {"tau": 2.5}, "optimizers.0.momentum_schedule.tau"),
])
def test_bad_settings_name_their_field(opt_id, setting, field):
    with pytest.raises(engine.EngineError) as err:
        engine.race("bowl", [{"id": opt_id, "momentum_schedule": setting}], (1.0, 1.0), 5)
    assert err.value.field == field


def test_api_refuses_a_schedule_for_adam_and_runs_one_for_momentum():
    from fastapi.testclient import TestClient

    from descentlab.server.app import create_app
    from descentlab.server.settings import Settings

    body = {"surface": {"id": "bowl"}, "start": [1.0, 1.0], "steps": 20}
    with TestClient(create_app(Settings())) as client:
        bad = client.post("/api/v1/races", json={
            **body, "optimizers": [{"id": "adam", "momentum_schedule": {"tau": 5}}]})
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["loc"] == ["body", "optimizers", 0, "momentum_schedule"]
        good = client.post("/api/v1/races", json={
            **body, "optimizers": [{"id": "momentum", "momentum_schedule": {"tau": 5}}]})
        assert good.status_code == 200, good.text
        assert good.json()["runs"][0]["momentum_schedule"] == {"tau": 5}
        ids = [o["id"] for o in client.get("/api/v1/run-options").json()]
        assert ids == ["lookahead", "momentum_schedule"]
