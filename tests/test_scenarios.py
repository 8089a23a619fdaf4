"""Every lecture scenario must show what it promises the class."""

from __future__ import annotations

import json

import numpy as np
import pytest

from descentlab import engine


@pytest.mark.parametrize("scenario", engine.scenarios(), ids=lambda s: s.id)
def test_scenario_keeps_its_promise(scenario):
    result = engine.race(**scenario.race_kwargs())
    assert scenario.unmet(result) == []


@pytest.mark.parametrize("scenario", engine.scenarios(), ids=lambda s: s.id)
def test_every_run_stays_in_view_but_those_meant_to_leave(scenario):
    """The contour shows each run's whole path, but for a run whose point is to be thrown
    out of the picture: that one does leave it."""
    result = engine.race(**scenario.race_kwargs())
    x0, x1, y0, y1 = engine.get_surface(scenario.surface).view
    leaving = {e.label for e in scenario.expect if e.leaves_view}
    for o, label in enumerate(result.labels):
        path = result.positions[o, 0]
        path = path[np.isfinite(path).all(axis=1)]
        inside = ((x0 <= path[:, 0]) & (path[:, 0] <= x1) & (y0 <= path[:, 1])
                  & (path[:, 1] <= y1)).all()
        assert inside != (label in leaving), label


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
