"""Hyperparameter search and the fair comparison: every score is a race, and random search
beats a grid when one hyperparameter barely matters (Bergstra & Bengio 2012)."""

from __future__ import annotations

import numpy as np
import pytest

from descentlab import engine
from descentlab.engine.errors import EngineError
from descentlab.engine.search import compare, search

# Adam's eps barely matters here; its learning rate does.
SPACE = {"lr": (1e-3, 1.0, "log"), "eps": (1e-12, 1e-8, "log")}
START = (-1.5, 2.0)


def final_loss(run, start=START, steps=200, **kwargs) -> float:
    r = engine.race("rosenbrock", [run], start, steps, final_only=True, **kwargs)
    return np.inf if r.diverged_at[0, 0] >= 0 else float(r.final_loss[0, 0])


@pytest.mark.parametrize("seed", range(4))
def test_random_search_beats_a_grid_when_one_hyperparameter_barely_matters(seed):
    grid = search("rosenbrock", "adam", START, SPACE, budget=16, method="grid", repeats=1,
                  steps=200, seed=seed)
    rand = search("rosenbrock", "adam", START, SPACE, budget=16, method="random",
                  repeats=100, steps=200, seed=seed)
    assert len(np.unique(grid.trials[0, :, 0])) == 4  # a 4 × 4 grid tries 4 rates
    assert len(np.unique(rand.trials[0, :, 0])) == 16  # random search tries 16
    assert np.mean(rand.best_score < grid.best_score[0]) > 0.6


def test_every_score_is_the_race_with_that_setting():
    found = search("rosenbrock", "adam", START, SPACE, budget=6, method="random", repeats=3,
                   steps=200, seed=5)
    for r in range(3):
        for k in range(6):
            lr, eps = found.trials[r, k]
            assert found.scores[r, k] == final_loss(("adam", {"lr": lr, "eps": eps}))
        assert found.best_score[r] == found.scores[r].min()
        assert np.array_equal(found.best[r], found.trials[r, np.argmin(found.scores[r])])


def test_trials_stay_in_their_space_and_log_axes_are_log_uniform():
    found = search("rosenbrock", "adam", START, SPACE, budget=400, method="random",
                   repeats=1, steps=5)
    lr = found.trials[0, :, 0]
    assert lr.min() >= 1e-3 and lr.max() <= 1.0
    assert 0.4 < np.mean(lr < 10 ** -1.5) < 0.6  # half the draws below the log midpoint
    grid = search("rosenbrock", "adam", START, SPACE, budget=20, method="grid", repeats=2,
                  steps=5)
    assert grid.trials.shape == (2, 16, 2) and np.array_equal(grid.trials[0], grid.trials[1])


def test_coarse_to_fine_spends_half_its_budget_near_the_best_of_the_first_half():
    found = search("rosenbrock", "adam", START, {"lr": (1e-3, 1.0, "log")}, budget=20,
                   method="coarse_to_fine", repeats=5, steps=200, seed=2)
    for r in range(5):
        first, second = found.trials[r, :10, 0], found.trials[r, 10:, 0]
        best = first[np.argmin(found.scores[r, :10])]
        width = (np.log(1.0) - np.log(1e-3)) / 8
        assert np.all(np.abs(np.log(second) - np.log(best)) <= width + 1e-12)


def test_a_fair_comparison_tunes_alike_and_judges_on_held_out_starts_and_seeds():
    tests = np.random.default_rng(1).uniform(-4, 4, (12, 2))
    result = compare("himmelblau", ["sgd", ("adam", {"beta1": 0.8})], budget=8,
                     tuning_starts=[(0, 0), (1, 1)], test_starts=tests, seeds=(0, 1, 2),
                     noise_std=0.3, steps=250)
    assert result.optimizers == ["sgd", "adam"]
    assert result.final_loss.shape == result.steps.shape == (2, 3, 12)
    assert result.tuned[1]["beta1"] == 0.8 and 1e-4 <= result.tuned[1]["lr"] <= 1
    for o, spec in enumerate(("sgd", "adam")):
        for s in (0, 2):
            race = engine.race("himmelblau", [(spec, result.tuned[o])], tests, 250,
                               noise_std=0.3, seed=s, final_only=True)
            assert np.array_equal(result.final_loss[o, s], race.final_loss[0])


@pytest.mark.parametrize("kwargs,field", [
    ({"method": "bayes"}, "method"),
    ({"space": {"gamma": (0.1, 1.0)}}, "space.gamma.name"),
    ({"space": [("lr", 0.1, 1.0), ("gamma", 0.1, 1.0)]}, "space.1.name"),
    ({"space": {"lr": (1e-9, 1.0, "log")}}, "space.lr"),
    ({"space": {"lr": (0.0, 1.0, "log")}}, "space.lr.lo"),
    ({"space": {}}, "space"),
    ({"budget": 0}, "budget"),
])
def test_bad_searches_name_their_field(kwargs, field):
    with pytest.raises(EngineError) as err:
        search("rosenbrock", "adam", START, **{"space": SPACE, **kwargs})
    assert err.value.field == field
