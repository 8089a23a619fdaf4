"""The lectures' two baselines: exact line search (Cauchy's steepest descent) and random
search. Beyond agreeing with the plain references step by step (``test_optimizers``),
each must show the property that makes it a lesson: the line search's right angles and
its closed-form step on a quadratic; random search's determinism, its never going uphill,
and its independence of how the starts are split between chunks and threads.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest

from descentlab import engine
from descentlab.engine import parallelism

RAVINE = {"kappa": 100.0, "theta": 30.0}
# From here the ratio of the gradient's components is close to Cauchy's worst case: the
# zig-zag takes about 200 steps to reach 1e-9.
SLOW_START = (-2.5, -1.6)


def orthogonality(r, run=0, p=0, floor=1e-9):
    """|g_{t+1}·d_t| / (‖g_{t+1}‖‖d_t‖) for each step t whose move d_t and next gradient
    are both above ``floor`` (below it the angle is rounding)."""
    x, g = r.positions[run, p], r.grad[run, p]
    d = np.diff(x, axis=0)
    nxt = g[2:]  # the gradient step t + 1 used: the raw one at x_t (no noise here)
    d = d[:-1]
    size = np.hypot(*d.T) * np.hypot(*nxt.T)
    keep = (np.hypot(*d.T) > floor) & (np.hypot(*nxt.T) > floor)
    return np.abs(np.einsum("ij,ij->i", d, nxt))[keep] / size[keep]


@pytest.mark.parametrize(("surface", "params", "start", "steps"), [
    ("ravine", RAVINE, SLOW_START, 300),
    ("rosenbrock", {}, (-1.2, 1.0), 300),
])
def test_each_new_gradient_is_at_a_right_angle_to_the_last_step(surface, params, start,
                                                                   steps):
    """The defining property of an exact line search: at the lowest point of the line the
    new gradient has no component along it."""
    r = engine.race(surface, ["line_search"], start, steps, params=params, record_state=True)
    assert r.diverged_at[0, 0] == -1
    cosines = orthogonality(r)
    assert cosines.size >= 20, "too few steps above rounding to judge"
    assert cosines.max() <= 1e-8
    # and the zig-zag is real: consecutive steps are at right angles too
    d = np.diff(r.positions[0, 0], axis=0)[:10]
    turn = np.einsum("ij,ij->i", d[1:], d[:-1]) / (np.hypot(*d[1:].T) * np.hypot(*d[:-1].T))
    assert np.abs(turn).max() <= 1e-8


def test_on_a_quadratic_the_step_is_the_closed_form():
    """On ½xᵀAx the minimum along −g is a = gᵀg / gᵀAg: every step to 1e-12, with A the
    surface's exact Hessian."""
    r = engine.race("ravine", ["line_search"], SLOW_START, 100, params=RAVINE,
                    record_state=True)
    obj = engine.objective("ravine", RAVINE)
    hxx, hxy, hyy = obj.hessian(np.zeros((1, 2)))[0]
    a_matrix = np.array([[hxx, hxy], [hxy, hyy]])
    g = r.grad[0, 0, 1:]
    want = np.einsum("ij,ij->i", g, g) / np.einsum("ij,jk,ik->i", g, a_matrix, g)
    got = r.state[0]["a"][0, 1:, 0]
    live = np.hypot(*g.T) > 1e-6
    assert live.sum() > 20
    np.testing.assert_allclose(got[live], want[live], rtol=1e-12)
    np.testing.assert_array_equal(r.state[0]["a"][0, :, 0], r.state[0]["a"][0, :, 1])


def test_the_first_trial_step_hardly_matters():
    """lr is only the bracket's first trial: a hundredfold change finds the same steps."""
    paths = [engine.race("ravine", [("line_search", {"lr": lr})], (-2.5, 1.2), 30,
                         params=RAVINE).positions[0, 0] for lr in (0.001, 0.1)]
    np.testing.assert_allclose(paths[0], paths[1], rtol=1e-9, atol=1e-12)


def test_a_slice_unbounded_below_diverges_cleanly():
    """On a plane every line downhill descends for ever: the step leaves the race's bound
    and the run is frozen as diverged at step 1, with finite numbers only."""
    r = engine.race({"expression": "x + 2*y"}, ["line_search"], (0.5, 0.5), 5)
    assert r.diverged_at[0, 0] == 1
    assert np.isfinite(r.positions).all() and np.isfinite(r.loss).all()


def test_line_search_reaches_the_minimum_in_few_steps():
    """κ = 100: Cauchy's method contracts f by ((κ−1)/(κ+1))² at worst per step, yet is far
    ahead of gradient descent at its best constant rate for the same number of steps."""
    r = engine.race("ravine", ["line_search", ("sgd", {"lr": 0.0198})], (-2.5, 1.2), 200,
                    params=RAVINE)
    assert r.loss[0, 0, -1] < 1e-6 * r.loss[0, 0, 0]
    assert r.loss[0, 0, -1] < r.loss[1, 0, -1]


def random_race(starts, steps=60, **kw):
    return engine.race("himmelblau", [("random_search", {"lr": 0.1, "trials": 5})], starts,
                       steps, seed=7, **kw)


def test_random_search_never_goes_uphill_and_is_deterministic():
    starts = np.random.default_rng(1).uniform(-4.0, 4.0, size=(50, 2))
    first, again = random_race(starts), random_race(starts)
    assert first.positions.tobytes() == again.positions.tobytes()
    assert (np.diff(first.loss[0], axis=1) <= 0.0).all()
    assert (first.loss[0, :, -1] < first.loss[0, :, 0]).all()
    # every move is either no move or exactly one trial of radius ε
    moves = np.hypot(*np.diff(first.positions[0], axis=1).transpose(2, 0, 1))
    assert np.all((moves == 0.0) | np.isclose(moves, 0.1, rtol=1e-12))
    other = engine.race("himmelblau", [("random_search", {"lr": 0.1, "trials": 5})], starts,
                        60, seed=8)
    assert np.abs(other.positions - first.positions).max() > 1e-2


def test_random_search_is_the_same_however_the_starts_are_split(monkeypatch):
    """A start's draws depend on its index, the step and the trial only: one start alone
    equals the same start first in a batch of 600 (two chunks), and the batch is
    byte-identical on one thread and on two (forced: a race this small runs on one)."""
    monkeypatch.setattr(parallelism, "PARALLEL_FROM", 0)
    starts = np.random.default_rng(2).uniform(-4.0, 4.0, size=(600, 2))
    alone = random_race(starts[:1], steps=80)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = random_race(starts, steps=80)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = random_race(starts, steps=80)
    finally:
        numba.set_num_threads(before)
    assert one.positions.tobytes() == two.positions.tobytes()
    assert one.state[0]["u"].tobytes() == two.state[0]["u"].tobytes() if one.state else True
    assert alone.positions[0, 0].tobytes() == one.positions[0, 0].tobytes()


def test_more_trials_find_a_better_direction():
    """With more directions the best one points further downhill: over 100 starts on a
    bowl, 32 trials lower f more in one step than 2 do."""
    starts = np.random.default_rng(3).uniform(-1.5, 1.5, size=(100, 2))

    def drop(n):
        r = engine.race("bowl", [("random_search", {"lr": 0.05, "trials": n})], starts, 1)
        return float(np.mean(r.loss[0, :, 0] - r.loss[0, :, 1]))

    assert drop(32) > 1.2 * drop(2) > 0.0


def scenario_race(scenario_id):
    from descentlab.engine.scenarios import get_scenario

    scenario = get_scenario(scenario_id)
    return engine.race(**scenario.race_kwargs())


def test_line_search_scenario_says_what_its_race_shows():
    """line_search_zigzag: right angles; from its start every exact step is 2/(1 + κ), so
    the path is gradient descent's at that fixed rate; momentum converges in half the
    steps."""
    from descentlab.engine.scenarios import get_scenario

    scenario = get_scenario("line_search_zigzag")
    r = engine.race(**scenario.race_kwargs(), record_state=True)
    labels = [run.label for run in r.runs]
    search, heavy = labels.index("Exact line search"), labels.index("Momentum")
    d = np.diff(r.positions[search, 0], axis=0)
    moving = np.hypot(*d.T) > 1e-6
    assert moving.sum() >= 20
    d = d[moving]
    turn = np.einsum("ij,ij->i", d[1:], d[:-1]) / (np.hypot(*d[1:].T) * np.hypot(*d[:-1].T))
    assert np.abs(turn).max() <= 1e-8
    kappa = scenario.params["kappa"]
    a = r.state[search]["a"][0, 1:, 0][moving]
    np.testing.assert_allclose(a, 2.0 / (1.0 + kappa), rtol=1e-9)
    sgd = engine.race(**{**scenario.race_kwargs(),
                         "optimizers": [("sgd", {"lr": 2.0 / (1.0 + kappa)})]})
    np.testing.assert_allclose(sgd.positions[0, 0], r.positions[search, 0], atol=1e-9)
    steps = r.converged_at[:, 0]
    assert steps[search] == sgd.converged_at[0, 0]
    assert steps[heavy] <= 0.55 * steps[search]


def test_random_search_scenario_says_what_its_race_shows():
    """random_search_budget: gradient descent converges in 21 steps; with one trial per
    step random search is still far above it after 120 and most tries are thrown away;
    neither random search gets closer to the minimum than its radius."""
    r = scenario_race("random_search_budget")
    labels = [run.label for run in r.runs]
    gd, one, many = (labels.index(k) for k in ("Gradient descent", "Random search, 1 trial",
                                                 "Random search, 16 trials"))
    assert r.converged_at[gd, 0] == 21
    assert r.loss[one, 0, -1] > 1e3 * r.loss[gd, 0, 21]
    moves = np.hypot(*np.diff(r.positions[:, 0], axis=1).transpose(2, 0, 1))
    assert (moves[one] == 0.0).mean() > 0.5
    assert r.runs[many].hyperparameters["trials"] == 16
    for k in (one, many):
        radius = r.runs[k].hyperparameters["lr"]
        assert np.hypot(*r.positions[k, 0, -1]) < radius
        assert r.converged_at[k, 0] == -1
    # sixteen trials go down much faster per step than one
    assert r.loss[many, 0, 10] < 0.5 * r.loss[one, 0, 10]


def test_random_search_counts_whole_trials_and_says_so_otherwise():
    with pytest.raises(engine.EngineError, match=r"whole number, got 2\.5") as caught:
        engine.race("bowl", [("random_search", {"lr": 0.1, "trials": 2.5})], (1.0, 1.0), 5)
    assert caught.value.field == "optimizers.0.hyperparameters.trials"
    assert caught.value.key == "error.not_whole"
    trials = next(p for p in engine.get_optimizer("random_search").hyperparameters
                  if p.name == "trials")
    assert trials.to_dict()["integer"] is True  # the page offers whole numbers only
