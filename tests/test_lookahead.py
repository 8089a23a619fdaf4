"""Lookahead around any optimizer: the engine against the plain-Python reference (algorithm 1
of Zhang et al. 2019), in the surface race and in the network race, and its checks."""

from __future__ import annotations

import numpy as np
import pytest
import reference_optimizers as ref
from test_optimizers import SURFACES, value_grad_of

from descentlab import engine
from descentlab.engine.networks import network_race

STEPS = 200
RTOL = 1e-10

# Inner optimizers with a setting that stays on every surface below: the plain step, a
# heavy ball, one whose gradient is taken at its own look-ahead (of the fast point), an
# adaptive one, and one whose rule reduces over a point's coordinates.
INNER = {
    "sgd": {"lr": 0.001},
    "momentum": {"lr": 0.0005, "momentum": 0.9},
    "nesterov": {"lr": 0.0005, "momentum": 0.9},
    "adam": {"lr": 0.02},
    "prodigy": {"lr": 0.5},
}


def lookahead_race(surface, opt_id, hp, k, alpha, steps=STEPS):
    params, start = SURFACES[surface]
    return engine.race(surface, [{"id": opt_id, "hyperparameters": hp,
                                  "lookahead": {"k": k, "alpha": alpha}}],
                       start, steps, params=params, record_state=True)


@pytest.mark.parametrize("surface", ["bowl", "rosenbrock", "himmelblau"])
@pytest.mark.parametrize("opt_id", list(INNER))
def test_matches_reference(opt_id, surface):
    """The drawn (slow) path and the fast point x + offset follow the reference at every
    step, to rounding."""
    k, alpha = 5, 0.5
    r = lookahead_race(surface, opt_id, INNER[opt_id], k, alpha)
    assert r.diverged_at[0, 0] == -1
    params, start = SURFACES[surface]
    out = ref.lookahead_run(opt_id, r.runs[0].hyperparameters, k, alpha, start, STEPS,
                            value_grad_of(engine.objective(surface, params)))
    slow, fast = np.array(out["slow"]), np.array(out["fast"])
    scale = np.abs(slow).max()
    np.testing.assert_allclose(r.positions[0, 0], slow, rtol=RTOL, atol=RTOL * scale)
    np.testing.assert_allclose(r.positions[0, 0] + r.state[0]["fast"][0], fast, rtol=RTOL,
                               atol=RTOL * scale)
    assert np.ptp(slow, axis=0).max() > 1e-2, "the path barely moved"


def test_slow_point_moves_only_at_syncs():
    """Between syncs the drawn point stands still and the fast one runs ahead; at every
    k-th step the fast offset is zero."""
    k = 7
    r = lookahead_race("ravine", "sgd", {"lr": 0.02}, k, 0.5, steps=70)
    moves = np.abs(np.diff(r.positions[0, 0], axis=0)).max(axis=1)
    synced = np.arange(1, 71) % k == 0
    assert (moves[~synced] == 0.0).all() and (moves[synced] > 0.0).all()
    offset = np.abs(r.state[0]["fast"][0]).max(axis=1)
    assert (offset[1:][synced] == 0.0).all() and (offset[1:][~synced] > 0.0).all()


def test_without_lookahead_the_state_has_no_fast_point():
    r = engine.race("bowl", ["sgd"], (1.0, 1.0), 5, record_state=True)
    assert set(r.state[0]) == set()
    r = engine.race("bowl", [{"id": "adam", "lookahead": {"k": 2, "alpha": 0.5}}], (1.0, 1.0),
                    5, record_state=True)
    assert list(r.state[0]) == ["m", "v", "fast"]


def test_streamed_segments_equal_the_whole_race():
    """The fast offset is part of the carry: a race cut into segments gives the same bytes."""
    start = SURFACES["rosenbrock"][1]
    spec = [{"id": "momentum", "hyperparameters": {"lr": 0.0005},
             "lookahead": {"k": 3, "alpha": 0.8}}, "adam"]
    whole = engine.race("rosenbrock", spec, start, 50, record_state=True)
    runs = [engine.make_run(s, engine.GradientOptions()) for s in spec]
    session = engine.RaceSession(engine.objective("rosenbrock"), runs,
                                 np.array([start]), 50, record_state=True)
    result = session.result(list(session.segments(7)))
    np.testing.assert_array_equal(result.positions, whole.positions)
    np.testing.assert_array_equal(result.state[0]["fast"], whole.state[0]["fast"])


@pytest.mark.parametrize(("setting", "field"), [
    ({"k": 0, "alpha": 0.5}, "optimizers.0.lookahead.k"),
    ({"k": 2.5, "alpha": 0.5}, "optimizers.0.lookahead.k"),
    ({"k": 5, "alpha": 1.5}, "optimizers.0.lookahead.alpha"),
    ({"k": 5, "beta": 0.5}, "optimizers.0.lookahead.beta"),
])
def test_bad_settings_name_their_field(setting, field):
    with pytest.raises(engine.EngineError) as err:
        engine.race("bowl", [{"id": "sgd", "lookahead": setting}], (1.0, 1.0), 5)
    assert err.value.field == field


def test_newton_cannot_be_wrapped():
    with pytest.raises(engine.EngineError, match="Lookahead") as err:
        engine.race("bowl", [{"id": "newton", "lookahead": {"k": 5}}], (1.0, 1.0), 5)
    assert err.value.field == "optimizers.0.lookahead"


NETWORK = {"dataset": "moons", "steps": 60, "seed": 3}


def test_network_alpha_one_is_the_plain_run():
    """With α = 1 the slow point jumps to the fast one: the run is the inner optimizer's own
    (to rounding: x + (fast − x) is not always fast in the last bit)."""
    plain = network_race(optimizers=[("adam", {"lr": 0.01})], **NETWORK)
    wrapped = network_race(optimizers=[{"id": "adam", "hyperparameters": {"lr": 0.01},
                                        "lookahead": {"k": 4, "alpha": 1.0}}], **NETWORK)
    synced = slice(0, None, 4)
    np.testing.assert_allclose(wrapped.weights[0, synced], plain.weights[0, synced],
                               rtol=1e-9, atol=1e-12)


def test_network_weights_move_only_at_syncs():
    r = network_race(optimizers=[{"id": "sgd", "hyperparameters": {"lr": 0.1},
                                  "lookahead": {"k": 5, "alpha": 0.5}}], **NETWORK)
    moves = np.abs(np.diff(r.weights[0], axis=0)).max(axis=1)
    synced = np.arange(1, 61) % 5 == 0
    assert (moves[~synced] == 0.0).all() and (moves[synced] > 0.0).all()
    assert r.loss[0, -1] < r.loss[0, 0]


@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    from descentlab.server.app import create_app
    from descentlab.server.settings import Settings

    with TestClient(create_app(Settings())) as c:
        yield c


RAVINE = {"surface": {"id": "ravine", "params": {"kappa": 20}}, "start": [-2.5, 1.2],
          "steps": 30, "record": {"state": True}}


def test_api_races_with_lookahead_and_reports_the_fast_point(client):
    body = {**RAVINE, "optimizers": [{"id": "sgd", "hyperparameters": {"lr": 0.09},
                                      "lookahead": {"k": 5, "alpha": 0.5}}, {"id": "sgd"}]}
    response = client.post("/api/v1/races", json=body)
    assert response.status_code == 200, response.text
    wrapped, plain = response.json()["runs"]
    assert wrapped["lookahead"] == {"k": 5, "alpha": 0.5} and plain["lookahead"] is None
    assert set(wrapped["state"]) == {"fast"} and "fast" not in plain["state"]
    assert wrapped["path"][1] == wrapped["path"][0]  # the slow point waits for step 5
    assert wrapped["state"]["fast"][1] != [0.0, 0.0] and wrapped["state"]["fast"][5] == [0, 0]
    streamed = client.post("/api/v1/races/stream", json=body).text.splitlines()
    assert '"fast"' in streamed[1]


@pytest.mark.parametrize(("setting", "loc"), [
    ({"k": 0}, ["body", "optimizers", 0, "lookahead", "k"]),
    ({"k": 2.5}, ["body", "optimizers", 0, "lookahead", "k"]),
    ({"alpha": 0}, ["body", "optimizers", 0, "lookahead", "alpha"]),
    ({"beta": 1}, ["body", "optimizers", 0, "lookahead", "beta"]),
])
def test_api_refuses_a_bad_lookahead_naming_the_field(client, setting, loc):
    response = client.post("/api/v1/races", json={
        **RAVINE, "optimizers": [{"id": "sgd", "lookahead": setting}]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_api_refuses_lookahead_around_newton(client):
    response = client.post("/api/v1/races", json={
        **RAVINE, "optimizers": [{"id": "newton", "lookahead": {"k": 5}}]})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "optimizers", 0, "lookahead"], error
    assert "Lookahead" in error["msg"]


def test_run_options_catalogue_lists_lookahead_in_every_language(client):
    english = client.get("/api/v1/run-options").json()
    lookahead = next(o for o in english if o["id"] == "lookahead")
    assert {p["name"] for p in lookahead["params"]} == {"k", "alpha"}
    wrappable = {o["id"]: o["wrappable"] for o in client.get("/api/v1/optimizers").json()}
    assert wrappable["sgd"] and not wrappable["newton"]
    assert client.get("/api/v1/run-options?lang=uk").status_code == 200


def test_network_api_trains_with_lookahead(client):
    response = client.post("/api/v1/networks/races", json={
        "dataset": {"id": "moons"}, "steps": 20,
        "optimizers": [{"id": "adam", "hyperparameters": {"lr": 0.01},
                        "lookahead": {"k": 4, "alpha": 0.5}}]})
    assert response.status_code == 200, response.text
    assert response.json()["runs"][0]["lookahead"] == {"k": 4, "alpha": 0.5}
