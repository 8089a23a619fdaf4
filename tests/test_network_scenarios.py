"""Every networks-lab scenario must show what its notice tells the class: its claims are
measured on its race (and on the variant each names) and must hold; its request is one the
API accepts as it stands, with the same numbers; it is served in the one gallery after the
race and map scenarios."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from descentlab import engine
from descentlab.engine.network_scenarios import check, engine_race
from descentlab.server.app import create_app
from descentlab.server.limits import check_network_race
from descentlab.server.network_schemas import NetworkRaceRequest
from descentlab.server.settings import Settings

SCENARIOS = engine.network_scenarios()


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def test_there_are_enough_network_scenarios_with_distinct_ids():
    assert len(SCENARIOS) >= 8
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_every_claim_of_the_notice_holds(scenario):
    assert scenario.claims
    failed = [(c.to_dict(), value) for c, value, holds in check(scenario) if not holds]
    assert failed == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_every_request_and_variant_is_valid_and_within_the_limits(scenario):
    for variant in [None, *(c.variant for c in scenario.claims if c.variant)]:
        request = NetworkRaceRequest.model_validate(scenario.request(variant))
        check_network_race(request, Settings())


def test_the_api_runs_a_scenario_as_the_engine_does(client):
    scenario = engine.get_network_scenario("net_deep_vanish")
    document = client.post("/api/v1/networks/races", json=scenario.request()).json()
    result = engine_race(scenario.request())
    assert document["runs"][0]["loss"] == result.loss[0].tolist()
    assert document["runs"][0]["statistics"]["std"] == result.statistics.std[0].tolist()


def test_network_scenarios_are_served_in_the_one_gallery_in_their_chapters(client):
    served = client.get("/api/v1/scenarios").json()
    ids = [s["id"] for s in served]
    assert set(s.id for s in SCENARIOS) <= set(ids)
    assert {s["chapter"] for s in served if s.get("lab") == "networks"} == {
        "practice", "initialization"}
    entry = served[ids.index("net_deep_saturate")]
    assert entry["lab"] == "networks" and entry["network"]["view"] == "layers"
    assert entry["network"]["request"]["architecture"]["hidden"] == [64] * 10
    assert entry["network"]["claims"][0]["metric"] == "saturated"
