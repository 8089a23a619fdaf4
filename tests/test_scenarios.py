"""Every lecture scenario must show what it promises the class."""

from __future__ import annotations

import json

import numpy as np
import pytest

from descentlab import engine
from descentlab.engine.lesson_plan import LESSON_PLAN, MAX_PER_CHAPTER
from descentlab.engine.scenarios import FIT_MIN_SHARE, fit_view


@pytest.mark.parametrize("scenario", engine.scenarios(), ids=lambda s: s.id)
def test_scenario_keeps_its_promise(scenario):
    result = engine.race(**scenario.race_kwargs())
    assert scenario.unmet(result) == []


@pytest.mark.parametrize("scenario", [s for s in engine.scenarios() if s.compare],
                         ids=lambda s: s.id)
def test_the_b_side_of_an_ab_scenario_keeps_its_promise_in_the_same_view(scenario):
    """B (one knob changed) does what the lesson says, inside the one view both share."""
    assert scenario.compare_expect
    result = engine.race(**scenario.compare_kwargs())
    assert scenario.unmet(result, scenario.compare_expect) == []
    x0, x1, y0, y1 = scenario.view
    path = result.positions[:, 0].reshape(-1, 2)
    assert ((x0 <= path[:, 0]) & (path[:, 0] <= x1) & (y0 <= path[:, 1])
            & (path[:, 1] <= y1)).all()


@pytest.mark.parametrize("scenario", engine.scenarios(), ids=lambda s: s.id)
def test_every_run_stays_in_view_but_those_meant_to_leave(scenario):
    """The contour (fitted to the paths) shows each run's whole path, but for a run whose
    point is to be thrown out of the picture: that one does leave the surface's view."""
    result = engine.race(**scenario.race_kwargs())
    x0, x1, y0, y1 = scenario.view
    sx0, sx1, sy0, sy1 = engine.get_surface(scenario.surface).view
    assert sx0 <= x0 < x1 <= sx1 and sy0 <= y0 < y1 <= sy1
    leaving = {e.label for e in scenario.expect if e.leaves_view}
    for o, label in enumerate(result.labels):
        path = result.positions[o, 0]
        path = path[np.isfinite(path).all(axis=1)]
        if label in leaving:
            assert not ((sx0 <= path[:, 0]) & (path[:, 0] <= sx1) & (sy0 <= path[:, 1])
                        & (path[:, 1] <= sy1)).all(), label
        else:
            assert ((x0 <= path[:, 0]) & (path[:, 0] <= x1) & (y0 <= path[:, 1])
                    & (path[:, 1] <= y1)).all(), label


def test_the_fitted_view_holds_the_points_in_the_surface_views_shape():
    view = (-6.0, 6.0, -3.0, 3.0)
    points = np.array([[1.0, 1.0], [2.0, 1.5], [np.nan, 0.0], [50.0, 0.0]])
    x0, x1, y0, y1 = fit_view(points, view)
    assert x0 < 1.0 and x1 > 2.0 and y0 < 1.0 and y1 > 1.5
    assert (x1 - x0) / (y1 - y0) == pytest.approx(2.0, rel=1e-3)
    assert (x1 - x0) >= FIT_MIN_SHARE * 12 - 1e-9
    assert fit_view(np.array([[-5.5, -2.5], [5.5, 2.5]]), view) == view
    assert fit_view(np.empty((0, 2)), view) == view


def test_every_scenario_of_every_lab_is_in_one_chapter_of_the_lesson_plan():
    planned = [s for c in LESSON_PLAN for s in c.scenarios]
    every = [s.id for s in (*engine.scenarios(), *engine.map_scenarios(),
                            *engine.network_scenarios())]
    assert sorted(planned) == sorted(every) and len(set(planned)) == len(planned)
    assert all(len(c.scenarios) <= MAX_PER_CHAPTER for c in LESSON_PLAN)


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


def _reversals(path: np.ndarray) -> int:
    """How many times a path's step turns back on the one before (a negative dot product),
    counting only the steps that moved."""
    steps = np.diff(path, axis=0)
    steps = steps[np.abs(steps).sum(axis=1) > 0]
    return int((np.einsum("ij,ij->i", steps[1:], steps[:-1]) < 0).sum())


def test_lookahead_calms_sgds_zigzag():
    """The lesson's claim: SGD's steps turn back across the ravine again and again; the
    slow point of the same SGD wrapped in Lookahead never does, and still converges."""
    scenario = engine.get_scenario("lookahead_calms_zigzag")
    result = engine.race(**scenario.race_kwargs())
    sgd, wrapped = (result.labels.index(label) for label in ("SGD", "SGD + Lookahead"))
    assert _reversals(result.positions[sgd, 0]) >= 10
    assert _reversals(result.positions[wrapped, 0]) == 0
    assert result.converged_at[wrapped, 0] > result.converged_at[sgd, 0] > 0
