"""Every lecture scenario must show what it promises the class."""

from __future__ import annotations

import json

import pytest

from descentlab import engine


@pytest.mark.parametrize("scenario", engine.scenarios(), ids=lambda s: s.id)
def test_scenario_keeps_its_promise(scenario):
    result = engine.race(**scenario.race_kwargs())
    assert scenario.unmet(result) == []


def test_there_are_enough_scenarios_with_unique_ids():
    ids = [s.id for s in engine.scenarios()]
    assert len(ids) >= 12
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("scenario", engine.scenarios(), ids=lambda s: s.id)
def test_scenario_is_plain_data_with_a_resolvable_request(scenario):
    data = json.loads(json.dumps(scenario.to_dict(), allow_nan=False))
    request = data["request"]
    labels = [o["label"] for o in request["optimizers"]]
    assert len(set(labels)) == len(labels)
    assert data["focus"] in labels
    assert all(e["label"] in labels for e in data["expect"])
    runs = [engine.make_run(o, engine.GradientOptions()) for o in request["optimizers"]]
    assert [r.label for r in runs] == labels
    surface = engine.get_surface(request["surface"]["id"])
    x0, x1, y0, y1 = surface.view
    assert x0 <= request["start"][0] <= x1 and y0 <= request["start"][1] <= y1
    assert data["question"].endswith("?")


def test_unknown_scenario_is_refused():
    with pytest.raises(engine.EngineError, match="unknown scenario"):
        engine.get_scenario("nope")
