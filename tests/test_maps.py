"""Maps: every cell is the race it stands for, and the maps agree with theory.

A basin map races one optimizer from every start of a grid, a hyperparameter map from one
start with every cell's settings; both must give, cell for cell, exactly what a single race
gives. On the κ = 100 ravine, gradient descent and the heavy ball have exact stability
regions and optima (Polyak; Goh 2017): the maps must draw them.
"""

from __future__ import annotations

import numpy as np
import pytest

from descentlab import engine
from descentlab.engine import maps
from descentlab.engine.errors import EngineError
from descentlab.engine.outcome import STATUSES, classify
from descentlab.engine.theory import Quadratic

RAVINE = {"kappa": 100.0, "theta": 0.0}
START = (2.0, 1.0)


def single(surface, run, start, steps, params=None):
    """The one race a cell stands for: its final point, loss, status and step."""
    result = engine.race(surface, [run], start, steps, params=params, final_only=True)
    judged = classify(result)
    return (result.final_positions[0, 0], result.final_loss[0, 0],
            int(judged.status[0, 0]), int(judged.step[0, 0]), int(judged.near[0, 0]))


def sampled(shape, count=100, seed=0):
    rng = np.random.default_rng(seed)
    return zip(rng.integers(0, shape[0], count), rng.integers(0, shape[1], count), strict=True)


def test_every_basin_cell_is_the_race_from_its_start():
    run = ("momentum", {"lr": 0.01, "momentum": 0.8})
    m = maps.basin_map("himmelblau", run, resolution=(48, 40), steps=300)
    assert m.status.shape == (40, 48) and m.final.shape == (40, 48, 2)
    for j, i in sampled(m.status.shape):
        final, loss, status, step, near = single("himmelblau", run, (m.x[i], m.y[j]), 300)
        assert np.array_equal(m.final[j, i], final) and m.loss[j, i] == loss
        assert (m.status[j, i], m.step[j, i], m.basin[j, i]) == (status, step, near)
    # Himmelblau's four minima each own a basin.
    reached = {m.points[b].kind for b in np.unique(m.basin) if b >= 0}
    assert reached == {"global_min"} and len(set(np.unique(m.basin)) - {-1}) == 4


def test_every_setting_cell_is_the_race_with_those_settings():
    m = maps.hyperparameter_map("ravine", "momentum", START, params=RAVINE,
                                x=("lr", 1e-3, 0.05, "log"), y=("momentum", 0.0, 0.95),
                                resolution=(40, 30), steps=400)
    assert m.status.shape == (30, 40)
    for j, i in sampled(m.status.shape):
        run = ("momentum", {"lr": m.x[i], "momentum": m.y[j]})
        final, loss, status, step, near = single("ravine", run, START, 400, RAVINE)
        assert np.array_equal(m.final[j, i], final) and m.loss[j, i] == loss
        assert (m.status[j, i], m.step[j, i], m.basin[j, i]) == (status, step, near)
    assert {STATUSES[s] for s in np.unique(m.status)} >= {"converged", "diverged"}


def _stable_by_the_map(m, start_loss: float) -> np.ndarray:
    """A run is stable if it did not diverge and ended lower than it started: an unstable
    one grows like ρᵗ with ρ > 1, which 2000 steps make visible even next to the boundary."""
    return (STATUSES.index("diverged") != m.status) & (m.loss < start_loss)


def test_gradient_descent_map_matches_its_stability_limit_and_optimum():
    m = maps.hyperparameter_map("ravine", "sgd", START, params=RAVINE,
                                x=("lr", 1e-3, 0.05, "log"), y=None, resolution=200,
                                steps=2000)
    theory = m.theory
    assert theory["lam_min"] == pytest.approx(1.0) and theory["lam_max"] == pytest.approx(100)
    limit = float(theory["lr_limit"][0])
    assert limit == pytest.approx(0.02)
    start_loss = 0.5 * (START[0] ** 2 + 100 * START[1] ** 2)
    stable = _stable_by_the_map(m, start_loss)[0]
    log_x = np.log(m.x)
    cell = log_x[1] - log_x[0]
    far = np.abs(log_x - np.log(limit)) > cell
    assert np.array_equal(stable[far], (m.x < limit)[far])
    steps = np.where(m.status[0] == STATUSES.index("converged"), m.step[0], 10**9)
    fastest = np.argmin(steps)
    assert abs(log_x[fastest] - np.log(theory["optimum"][0])) <= 1.01 * cell


def test_heavy_ball_map_matches_distills_region_and_optimum():
    """0 < αλₙ < 2 + 2β, fastest at α* = (2/(1 + √κ))², β* = ((√κ−1)/(√κ+1))²."""
    m = maps.hyperparameter_map("ravine", "momentum", START, params=RAVINE,
                                x=("lr", 2e-3, 0.06, "log"), y=("momentum", 0.3, 0.95),
                                resolution=(90, 70), steps=2000)
    q: Quadratic = m.theory["quadratic"]
    start_loss = 0.5 * (START[0] ** 2 + 100 * START[1] ** 2)
    stable = _stable_by_the_map(m, start_loss)
    lr_cell = np.log(m.x[1]) - np.log(m.x[0])
    limits = q.lr_limit("momentum", m.y)[:, None]
    far = np.abs(np.log(m.x)[None, :] - np.log(limits)) > lr_cell
    assert far.sum() > 0.9 * far.size
    assert np.array_equal(stable[far], (m.x[None, :] < limits)[far])
    # The fastest setting contracts most per step: after a fixed number of steps (with no
    # stopping rule, tol = gtol = 0) it has the lowest loss.
    timed = maps.hyperparameter_map("ravine", "momentum", START, params=RAVINE,
                                    x=("lr", 2e-3, 0.06, "log"), y=("momentum", 0.3, 0.95),
                                    resolution=(90, 70), steps=1000, tol=0.0, gtol=0.0)
    j, i = np.unravel_index(np.argmin(timed.loss), timed.loss.shape)
    best_lr, best_mu = q.optimum("momentum")
    assert best_lr == pytest.approx((2 / 11) ** 2) and best_mu == pytest.approx((9 / 11) ** 2)
    assert abs(np.log(m.x[i]) - np.log(best_lr)) <= 1.01 * lr_cell
    assert abs(m.y[j] - best_mu) <= 1.01 * (m.y[1] - m.y[0])


@pytest.mark.parametrize("method", ["sgd", "momentum", "nesterov"])
def test_the_theorys_rate_is_the_races_rate(method):
    """The spectral radius the theory gives is the contraction a race measures."""
    q = Quadratic(1.0, 100.0)
    lr, mu = 0.012, (0.0 if method == "sgd" else 0.6)
    hps = {"lr": lr} if method == "sgd" else {"lr": lr, "momentum": mu}
    r = engine.race("ravine", [(method, hps)], START, 600, params=RAVINE)
    d = np.hypot(r.positions[0, 0, :, 0], r.positions[0, 0, :, 1])
    fitted = (d[500] / d[300]) ** (1 / 200)
    assert fitted == pytest.approx(float(q.rate(method, np.array(lr), mu)), rel=0.02)


def test_a_typed_formula_lists_the_minima_its_runs_found():
    m = maps.basin_map(engine.expression("(x**2 - 1)**2 + y**2"), ("sgd", {"lr": 0.02}),
                       view=(-1.5, 1.5, -1, 1), resolution=32, steps=600)
    found = sorted((round(p.x, 6), round(p.y, 6)) for p in m.points)
    assert found == [(-1.0, 0.0), (1.0, 0.0)]
    assert sum(p.cells for p in m.points) == int((m.basin >= 0).sum())
    left, right = m.basin[:, :16], m.basin[:, 16:]
    assert len(np.unique(left)) == len(np.unique(right)) == 1 and left[0, 0] != right[0, 0]


def test_a_deep_zoom_still_resolves_and_judges_divergence_by_the_surface():
    """A 10⁶× zoom has distinct cell centres; runs are not 'diverged' for leaving it."""
    m = maps.basin_map("himmelblau", ("sgd", {"lr": 0.01}), view=(0.5, 0.5 + 1e-5,
                                                                  0.2, 0.2 + 1e-5),
                       resolution=16, steps=200)
    assert len(np.unique(m.x)) == 16 and len(np.unique(m.y)) == 16
    assert not (m.status == STATUSES.index("diverged")).any()


@pytest.mark.parametrize("kwargs,field", [
    ({"x": ("gamma", 0.1, 1.0)}, "x.name"),
    ({"x": ("lr", 1.0, 0.1)}, "x"),
    ({"x": ("lr", 0.0, 1.0, "log")}, "x.lo"),
    ({"x": ("lr", 0.1, 1.0, "cubic")}, "x.scale"),
    ({"y": ("lr", 0.1, 1.0)}, "y.name"),
    ({"y": ("momentum", 0.5, 1.5)}, "y"),
    ({"resolution": 5000}, "resolution"),
    ({"resolution": (10, 0)}, "resolution"),
])
def test_bad_maps_name_their_field(kwargs, field):
    with pytest.raises(EngineError) as err:
        maps.hyperparameter_map("ravine", "momentum", START, **kwargs)
    assert err.value.field == field


def test_tiles_assemble_to_the_whole_map_bit_for_bit():
    kwargs = {"resolution": (24, 20), "steps": 150}
    whole = maps.basin_map("himmelblau", "adam", **kwargs)
    tiles = [maps.basin_map("himmelblau", "adam", rows=(j, min(j + 7, 20)), **kwargs)
             for j in range(0, 20, 7)]
    for name in ("status", "basin", "step", "final", "loss", "y"):
        joined = np.concatenate([getattr(t, name) for t in tiles])
        assert joined.tobytes() == getattr(whole, name).tobytes(), name
    h_whole = maps.hyperparameter_map("rosenbrock", "adam", resolution=(16, 12), steps=100,
                                      y=("beta1", 0.5, 0.99))
    h_tiles = [maps.hyperparameter_map("rosenbrock", "adam", resolution=(16, 12), steps=100,
                                       y=("beta1", 0.5, 0.99), rows=(j, j + 4))
               for j in (0, 4, 8)]
    assert np.concatenate([t.loss for t in h_tiles]).tobytes() == h_whole.loss.tobytes()


def test_per_coordinate_learning_rates_step_each_coordinate_by_its_own_rate():
    """SGD with lr_x and lr_y, against the rule written out: x_c ← x_c − lr_c g_c."""
    obj = engine.objective("linear_net")
    lr_x, lr_y, steps = 0.3, 0.02, 60
    result = engine.race("linear_net", [("sgd", {"lr": 0.1, "lr_x": lr_x, "lr_y": lr_y})],
                         (1.5, -1.5), steps)
    point = np.array([1.5, -1.5])
    for t in range(1, steps + 1):
        _, g = obj.value_grad(point[None, :])
        point = point - np.array([lr_x, lr_y]) * g[0]
        np.testing.assert_allclose(result.positions[0, 0, t], point, rtol=1e-13, atol=1e-15)


def test_equal_per_coordinate_rates_are_the_plain_race_bit_for_bit():
    plain = engine.race("ravine", [("momentum", {"lr": 0.02})], START, 200, params=RAVINE)
    same = engine.race("ravine", [("momentum", {"lr": 0.02, "lr_x": 0.02})], START, 200,
                       params=RAVINE)
    assert np.array_equal(plain.positions, same.positions)
    assert same.runs[0].hyperparameters["lr_y"] == 0.02


def test_a_map_of_per_layer_rates_is_the_races_with_those_rates():
    start = (1.5, -1.4)
    m = maps.hyperparameter_map("linear_net", "sgd", start, x=("lr_x", 0.01, 2.0, "log"),
                                y=("lr_y", 0.01, 2.0, "log"), resolution=(36, 30), steps=200)
    for j, i in sampled(m.status.shape, count=60):
        run = ("sgd", {"lr_x": m.x[i], "lr_y": m.y[j]})
        final, loss, status, step, near = single("linear_net", run, start, 200)
        assert np.array_equal(m.final[j, i], final) and m.loss[j, i] == loss
        assert (m.status[j, i], m.step[j, i], m.basin[j, i]) == (status, step, near)
    # Large rates on both layers diverge; small ones converge to the valley w1·w2 = 1.
    assert STATUSES[m.status[-1, -1]] == "diverged"
    assert STATUSES[m.status[len(m.y) // 2, len(m.x) // 2]] == "converged"


def test_adaptive_optimizers_offer_no_per_coordinate_rate():
    with pytest.raises(EngineError) as err:
        maps.hyperparameter_map("linear_net", "adam", (1.5, -1.4), x=("lr_x", 0.01, 1.0),
                                y=None)
    assert err.value.field == "x.name"
    with pytest.raises(EngineError) as err:
        engine.race("linear_net", [("adam", {"lr_x": 0.1})], (1.5, -1.4), 10)
    assert "lr_x" in str(err.value)
