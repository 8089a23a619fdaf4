"""The price of a network race (``engine.networks.cost``) and the budget that refuses it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from descentlab.engine.networks import count_params
from descentlab.engine.networks.cost import points_per_step, race_units
from descentlab.server.app import create_app
from descentlab.server.errors import ApiError
from descentlab.server.limits import check_network_race
from descentlab.server.network_schemas import NetworkRaceRequest
from descentlab.server.settings import Settings


def test_a_step_passes_the_points_it_evaluates():
    assert points_per_step(256, None, False) == 256  # the recorded pass serves the next step
    assert points_per_step(256, None, True) == 512  # a look-ahead point: a second full pass
    assert points_per_step(256, 32, False) == 288  # the mini-batch, then the recorded pass
    assert points_per_step(256, 32, True) == 288  # the look-ahead is at the batch
    assert points_per_step(256, 256, True) == 512  # a batch of all points is full batch


def test_the_race_price_adds_training_statistics_and_landscape():
    units, training, statistics, landscape = race_units(100, 256, None, [False, True], 50,
                                                        51, 41)
    assert training == 50 * (256 + 512)
    assert statistics == 2 * 51 * 256 // 4
    assert landscape == 41 ** 2 * 256 // 2
    assert units == 100 * (training + statistics + landscape)


DEEP = {"dataset": {"id": "moons", "params": {"n": 256}},
        "architecture": {"hidden": [64] * 10, "batch_norm": True},
        "optimizers": [{"id": "sgd"}, {"id": "nesterov"}, {"id": "adam"},
                       {"id": "sgd", "lookahead": {"k": 5, "alpha": 0.5}}],
        "steps": 50, "statistics": {}, "landscape": {"resolution": 41}}


def test_the_server_refuses_exactly_above_the_price():
    """Nesterov (a look-ahead gradient) and a Lookahead-wrapped run pay a second full pass
    per step; statistics every step (50 steps: 51 frames) a quarter pass each."""
    weights = count_params([64] * 10, True)
    units = race_units(weights, 256, None, [False, True, False, True], 50, 51, 41)[0]
    request = NetworkRaceRequest(**DEEP)
    check_network_race(request, Settings(network_compute_budget=units))
    with pytest.raises(ApiError) as err:
        check_network_race(request, Settings(network_compute_budget=units - 1))
    assert f"{units} in all;" in str(err.value)
    assert "DESCENTLAB_NETWORK_COMPUTE_BUDGET" in str(err.value)


def test_dropout_and_mini_batches_are_priced():
    plain = race_units(count_params([64] * 10, True), 256, None, [False] * 4, 50, 51, 41)[0]
    for change, second in (({"architecture": {**DEEP["architecture"], "dropout": 0.5}},
                            [True] * 4),
                           ({"batch_size": 32}, None)):
        request = NetworkRaceRequest(**{**DEEP, **change})
        units = race_units(count_params([64] * 10, True), 256, change.get("batch_size"),
                           second or [False] * 4, 50, 51, 41)[0]
        assert units > plain
        check_network_race(request, Settings(network_compute_budget=units))
        with pytest.raises(ApiError):
            check_network_race(request, Settings(network_compute_budget=units - 1))


@pytest.mark.parametrize("lang", ["uk", "fa"])
def test_the_refusal_says_what_each_part_costs_in_the_readers_language(lang):
    """The request's fields cannot show which part is too large, so every language gives
    the breakdown: training, statistics and landscape point-passes, and their total."""
    weights = count_params([64] * 10, True)
    units, training, statistics, landscape = race_units(
        weights, 256, None, [False, True, False, True], 50, 51, 41)
    settings = Settings(network_compute_budget=units - 1)
    with TestClient(create_app(settings)) as client:
        answer = client.post("/api/v1/networks/races", json=DEEP,
                             headers={"Accept-Language": lang})
    assert answer.status_code == 422
    msg = answer.json()["detail"][0]["msg"]
    assert "training" not in msg
    for number in (weights, training, statistics, landscape, units, units - 1):
        assert str(number) in msg


def test_the_server_refuses_a_race_whose_records_exceed_its_memory_setting():
    """Every frame's weights and running statistics, 8 bytes each, no gradients (the
    server keeps none): the 10 × 64 batch-norm net has 2 × (2 + 640 + 1) running numbers."""
    weights, running = count_params([64] * 10, True), 2 * (2 + 640 + 1)
    recorded = 8 * 4 * 51 * (weights + running)
    request = NetworkRaceRequest(**DEEP)
    roomy = {"network_compute_budget": 10**12}
    check_network_race(request, Settings(**roomy, network_record_bytes=recorded))
    with pytest.raises(ApiError) as err:
        check_network_race(request, Settings(**roomy, network_record_bytes=recorded - 1))
    assert "DESCENTLAB_NETWORK_RECORD_BYTES" in str(err.value)
    assert err.value.items[0]["loc"] == ["body", "steps"]


def test_a_race_the_settings_admit_runs_past_the_engines_own_default():
    """The engine's default record limit is for notebooks; the server's setting decides
    for its requests (6 × 120 steps of the 10 × 64 net record 234 MB, over the engine's
    200 MB)."""
    body = {**DEEP, "optimizers": [{"id": "sgd"}] * 6, "steps": 120, "statistics": None,
            "landscape": {"resolution": 5}}
    settings = Settings(network_compute_budget=10**12, network_record_bytes=300_000_000)
    with TestClient(create_app(settings)) as client:
        answer = client.post("/api/v1/networks/races", json=body)
        assert answer.status_code == 200, answer.text[:300]
        assert len(answer.json()["runs"][0]["loss"]) == 121
    with TestClient(create_app(Settings(network_compute_budget=10**12))) as client:
        answer = client.post("/api/v1/networks/races", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["setting"] == "DESCENTLAB_NETWORK_RECORD_BYTES"
