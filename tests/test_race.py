"""The race as a whole: reproducible, independent of how it is cut up, honest about
divergence and convergence, strict about its input.

A race is computed in chunks of points, in parallel, and streamed in segments; none of
that may show in the numbers, so most comparisons here are byte for byte.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference_optimizers as ref

from descentlab import engine
from descentlab.engine import EngineError, parallelism

# A mix that exercises every kind of carry: no state, vector state, scalar state (Adam's
# and Nadam's running products), the look-ahead methods, a schedule, clipping and Newton.
RUNS = ["sgd", ("adam", {"lr": 0.02}),
        {"id": "nesterov", "hyperparameters": {"lr": 0.0005, "momentum": 0.9},
         "schedule": {"kind": "cosine_restarts", "period": 20}, "clip_norm": 5.0,
         "label": "N"},
        ("newton", {"damping": 1.0}), "adadelta", ("nadam", {"lr": 0.01}),
        ("rmsprop_nesterov", {"lr": 0.001})]


def arrays(r) -> dict[str, np.ndarray]:
    """Every array a race returns, by name (state variables as state.<run>.<name>)."""
    out = {name: getattr(r, name) for name in (
        "positions", "loss", "grad_norm", "grad", "lr", "final_positions", "final_loss",
        "converged_at", "diverged_at")}
    for i, state in enumerate(r.state or []):
        out.update({f"state.{i}.{k}": v for k, v in state.items()})
    return {k: v for k, v in out.items() if v is not None}


def assert_identical(a, b):
    """Same names, shapes, dtypes and bytes."""
    a, b = arrays(a), arrays(b)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].shape == b[name].shape, name
        assert a[name].dtype == b[name].dtype, name
        assert a[name].tobytes() == b[name].tobytes(), name


STARTS = [(-1.2, 1.0), (0.3, -0.4), (1.5, 2.0), (-1.9, 2.9)]


def test_same_race_twice_is_byte_identical_even_with_noise():
    """Noise is a hash of (seed, point, step, coordinate), not a generator's state, and the
    parallel chunks (1100 starts make three) write disjoint slices: a race is a pure
    function of its input."""
    rng = np.random.default_rng(2)
    starts = np.column_stack([rng.uniform(-1.8, 1.8, 1100), rng.uniform(-0.8, 2.8, 1100)])

    def run():
        return engine.race("rosenbrock", RUNS, starts, 80, noise_std=0.3, seed=9,
                           record_state=True)
    assert_identical(run(), run())


@pytest.mark.parametrize("surface", ["rosenbrock", "ackley"])
def test_many_starts_equal_each_start_alone(surface):
    """1600 starts fill four of the kernel's 512-point chunks, more chunks than this
    machine has cores, so some chunk starts only after another has finished (and any state
    shared between chunks would leak). Each path must be exactly the path of that start
    raced alone — on a transcendental surface too, where a vectorised math routine could
    round differently from the scalar one."""
    rng = np.random.default_rng(1)
    starts = np.column_stack([rng.uniform(-1.8, 1.8, 1600), rng.uniform(-0.8, 2.8, 1600)])
    together = arrays(engine.race(surface, RUNS, starts, 60, record_state=True))
    for p in (0, 299, 511, 512, 700, 1023, 1024, 1535, 1536, 1599):
        alone = arrays(engine.race(surface, RUNS, starts[p], 60, record_state=True))
        for name, value in together.items():
            if name == "lr":
                continue
            # State arrays are (P, T+1, 2) per run; the others (O, P, ...).
            got, want = ((value[p], alone[name][0]) if name.startswith("state.")
                         else (value[:, p], alone[name][:, 0]))
            assert got.tobytes() == want.tobytes(), (name, p)


def session(record_state=True):
    """A RaceSession with noise and clipping, built the way a stream builds one."""
    runs = [engine.make_run(spec, engine.GradientOptions(noise_std=0.2, seed=4))
            for spec in RUNS]
    return engine.RaceSession(engine.objective("himmelblau"), runs, np.array(STARTS), 100,
                              record=True, record_state=record_state)


def test_streamed_segments_equal_one_segment():
    """Advancing 7 steps at a time (the last segment is 2 steps) gives exactly the result of
    one 100-step segment, and of the one-call race."""
    whole = session()
    one = whole.result([whole.advance(100)])
    streamed = session()
    segments = list(streamed.segments(7))
    assert [s.t0 for s in segments] == list(range(0, 100, 7))
    assert segments[-1].positions.shape[2] == 2
    assert streamed.done
    assert_identical(one, streamed.result(segments))
    race = engine.race("himmelblau", RUNS, STARTS, 100, noise_std=0.2, seed=4,
                       record_state=True)
    assert_identical(one, race)


def test_frame_zero_is_the_start():
    """Index 0 of every per-frame array describes the start, before any step: the start
    point, its loss, its raw gradient, and all state at zero."""
    r = engine.race("himmelblau", RUNS, STARTS, 50, record_state=True)
    f, g = engine.objective("himmelblau").value_grad(np.array(STARTS))
    for o in range(len(RUNS)):
        np.testing.assert_array_equal(r.positions[o, :, 0], STARTS)
        np.testing.assert_array_equal(r.loss[o, :, 0], f)
        np.testing.assert_array_equal(r.grad[o, :, 0], g)
        np.testing.assert_array_equal(r.grad_norm[o, :, 0], np.hypot(g[:, 0], g[:, 1]))
        for name, values in r.state[o].items():
            assert not values[:, 0].any(), name
    np.testing.assert_array_equal(r.final_positions, r.positions[:, :, -1])
    np.testing.assert_array_equal(r.final_loss, r.loss[:, :, -1])


def test_final_only_matches_the_full_race():
    """Skipping the records changes nothing the final frame reports."""
    full = engine.race("rosenbrock", RUNS, STARTS, 300, noise_std=0.1)
    final = engine.race("rosenbrock", RUNS, STARTS, 300, noise_std=0.1, final_only=True)
    assert final.positions is None and final.loss is None and final.state is None
    for name in ("final_positions", "final_loss", "converged_at", "diverged_at", "lr"):
        assert getattr(full, name).tobytes() == getattr(final, name).tobytes(), name


def assert_all_finite(r):
    for name, value in arrays(r).items():
        assert np.isfinite(value).all(), name


def test_divergence_is_flagged_and_frozen():
    """lr = 0.003 is beyond 2/curvature (≈ 0.001) on Rosenbrock's wall at x = −1.5, so the
    zig-zag grows until it leaves the view: the point is flagged at that step and every later
    frame repeats the last good one, state included, with a zero gradient recorded for the
    steps not taken."""
    r = engine.race("rosenbrock", [("sgd", {"lr": 0.003}),
                                   ("momentum", {"lr": 0.003, "momentum": 0.5})],
                    (-1.5, 2.0), 50, record_state=True)
    assert_all_finite(r)
    for o in range(2):
        d = r.diverged_at[o, 0]
        assert d >= 2, "the point should take a few good steps first"
        assert r.converged_at[o, 0] == -1
        for name in ("positions", "loss", "grad_norm"):
            frozen = getattr(r, name)[o, 0, d:]
            assert (frozen == getattr(r, name)[o, 0, d - 1]).all(), name
        assert not r.grad[o, 0, d:].any()
        assert r.grad[o, 0, d - 1].any()
    v = r.state[1]["v"][0]
    assert (v[r.diverged_at[1, 0]:] == v[r.diverged_at[1, 0] - 1]).all()


def test_overflow_to_infinity_is_caught():
    """With the view bound lifted, the path grows until a coordinate overflows: the point
    is frozen at its last finite frame and nothing infinite or NaN is reported."""
    r = engine.race("rosenbrock", [("sgd", {"lr": 1.0}), ("momentum", {"lr": 0.5})],
                    (-1.5, 2.0), 40, record_state=True, bound=1e308)
    assert_all_finite(r)
    assert (r.diverged_at[:, 0] >= 1).all()
    assert np.abs(r.positions).max() > 1e6


def test_one_point_diverging_leaves_the_others_alone():
    """lr = 0.0012 is stable from (−1.2, 1) but not on the steeper wall at (−2, −1)
    (curvature ≈ 5200 > 2/lr): only the second point is flagged, and the first runs exactly
    as it would alone."""
    both = engine.race("rosenbrock", [("sgd", {"lr": 0.0012})], [(-1.2, 1.0), (-2.0, -1.0)],
                       200)
    alone = engine.race("rosenbrock", [("sgd", {"lr": 0.0012})], (-1.2, 1.0), 200)
    assert both.diverged_at[0, 0] == -1 and both.diverged_at[0, 1] > 0
    assert both.positions[0, 0].tobytes() == alone.positions[0, 0].tobytes()


def first_hit(loss, grad_norm, f_star, tol, gtol) -> int:
    """The first frame meeting |f − f*| ≤ tol or ‖g‖ ≤ gtol (f* None: the gradient only)."""
    near = grad_norm <= gtol
    if f_star is not None:
        near |= np.abs(loss - f_star) <= tol
    hits = np.flatnonzero(near)
    return int(hits[0]) if hits.size else -1


@pytest.mark.parametrize(("surface", "start", "tol", "gtol"), [
    ("bowl", (1.5, -1.0), 1e-6, 1e-6),
    ("bowl", (1.5, -1.0), 1e-3, 1e-12),
    ("bowl", (1.5, -1.0), 0.0, 1e-2),
    ("ravine", (2.0, 1.0), 1e-8, 1e-8),
    ("saddle", (1.5, 0.0), 1e-6, 1e-6),
])
def test_converged_at_is_the_first_step_within_tolerance(surface, start, tol, gtol):
    """On the saddle (no minimum, so no f*) only the gradient test may fire, although
    x² − y² reaches 0 ± tol long before the gradient is that small."""
    runs = ["sgd", "momentum", "adam", "rmsprop", "nadam", "newton"]
    r = engine.race(surface, runs, start, 400, tol=tol, gtol=gtol)
    f_star = engine.objective(surface).f_star
    assert (surface == "saddle") == (f_star is None)
    for o, run in enumerate(runs):
        want = first_hit(r.loss[o, 0], r.grad_norm[o, 0], f_star, tol, gtol)
        assert r.converged_at[o, 0] == want, run
    assert (r.converged_at >= 0).any()


def test_start_at_the_minimum_converges_at_step_zero():
    r = engine.race("bowl", ["adam", "sgd"], [(0.0, 0.0), (1.0, 1.0)], 5)
    assert (r.converged_at[:, 0] == 0).all()
    assert (r.converged_at[:, 1] != 0).all()


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"optimizers": ["lbfgs"]}, "optimizers.0.id"),
    ({"optimizers": ["sgd", ("adam", {"gamma": 0.5})]}, "optimizers.1.hyperparameters.gamma"),
    ({"optimizers": [("adam", {"lr": -1.0})]}, "optimizers.0.hyperparameters.lr"),
    ({"optimizers": [("adam", {"beta1": 1.0})]}, "optimizers.0.hyperparameters.beta1"),
    ({"optimizers": [("adam", {"lr": "fast"})]}, "optimizers.0.hyperparameters.lr"),
    ({"optimizers": [("momentum", {"momentum": math.nan})]},
     "optimizers.0.hyperparameters.momentum"),
    ({"optimizers": []}, "optimizers"),
    ({"start": (1.0,)}, "start"),
    ({"start": []}, "start"),
    ({"start": (math.nan, 0.0)}, "start"),
    ({"start": [(0.0, 0.0), (math.inf, 1.0)]}, "start"),
    ({"steps": 0}, "steps"),
    ({"optimizers": [{"id": "sgd", "schedule": {"kind": "warmup"}}]},
     "optimizers.0.schedule.kind"),
    ({"optimizers": [{"id": "sgd", "schedule": {"kind": "step", "gamma": 2.0}}]},
     "optimizers.0.schedule.gamma"),
    ({"optimizers": [{"id": "sgd", "schedule": {"kind": "linear", "period": 5}}]},
     "optimizers.0.schedule.period"),
    ({"clip_norm": 1.0, "clip_value": 1.0}, "clip_value"),
    ({"optimizers": [{"id": "sgd", "clip_norm": 1.0, "clip_value": 1.0}]},
     "optimizers.0.clip_value"),
    ({"clip_norm": -1.0}, "clip_norm"),
    ({"noise_std": -0.1}, "noise_std"),
    ({"params": {"b": 0.0}}, "params.b"),
    ({"params": {"c": 1.0}}, "params.c"),
    # an unknown name is reported before a bad value of a known one
    ({"optimizers": [("adam", {"lr": -1.0, "gamma": 0.5})]},
     "optimizers.0.hyperparameters.gamma"),
    ({"optimizers": [("adam", {"eps": math.inf})]}, "optimizers.0.hyperparameters.eps"),
    ({"optimizers": [("adam", {"lr": None})]}, "optimizers.0.hyperparameters.lr"),
    ({"start": (True, 0.0)}, None),
    ({"start": (0.0, math.inf)}, "start"),
    ({"seed": -1}, "seed"),
])
def test_bad_input_names_its_field(kwargs, field):
    """Every refusal is an EngineError whose field points at the offending input."""
    args = {"surface": "rosenbrock", "optimizers": ["sgd"], "start": (0.0, 0.0), "steps": 10}
    args.update(kwargs)
    call = (args.pop("surface"), args.pop("optimizers"), args.pop("start"), args.pop("steps"))
    if field is None:  # accepted: a bool is a number to numpy, as to Python
        assert engine.race(*call, **args).final_positions.shape == (1, 1, 2)
        return
    with pytest.raises(EngineError) as info:
        engine.race(*call, **args)
    assert info.value.field == field
    assert len(str(info.value)) > 10


def test_start_points_of_any_number_type_give_the_same_race():
    """One point as a tuple of floats takes a short path; ints, numpy scalars, a list or an
    array must give the very same race."""
    ref = engine.race("rosenbrock", ["adam"], (-1.5, 2.0), 50).positions
    for start in [(-1.5, 2), (np.float64(-1.5), np.float32(2.0)), [-1.5, 2.0],
                  np.array([-1.5, 2.0]), np.array([[-1.5, 2.0]])]:
        assert np.array_equal(engine.race("rosenbrock", ["adam"], start, 50).positions, ref)


def test_a_catalogue_surface_at_its_defaults_is_resolved_once():
    """The default objective is shared; any parameter or view gives a fresh one, and the
    shared one is never changed by a race run on it."""
    first = engine.objective("rosenbrock")
    params_before = first.params.copy()
    engine.race("rosenbrock", ["sgd", "adam"], (-1.5, 2.0), 20)
    assert engine.objective("rosenbrock") is first
    assert np.array_equal(first.params, params_before)
    other = engine.objective("rosenbrock", {"b": 10.0})
    assert other is not first and other.params[1] == 10.0
    assert engine.objective("rosenbrock", view=(-1, 1, -1, 1)).view == (-1, 1, -1, 1)


def schedule(kind, lr, steps, **params):
    s = engine.get_schedule(kind)
    return s.values(lr, steps, s.resolve(params))


def test_step_exponential_and_linear_schedules_at_known_steps():
    """Step k uses lr·γ^⌊k/s⌋, lr·γ^k, and a linear ramp that holds end_factor·lr after τ."""
    step = schedule("step", 0.4, 40, step_size=10, gamma=0.5)
    np.testing.assert_allclose(step[[0, 9, 10, 19, 20, 39]], [0.4, 0.4, 0.2, 0.2, 0.1, 0.05],
                               rtol=1e-15)
    expo = schedule("exponential", 2.0, 11, gamma=0.9)
    np.testing.assert_allclose(expo[[0, 1, 3, 10]], [2.0, 1.8, 2.0 * 0.729, 2.0 * 0.9**10],
                               rtol=1e-14)
    lin = schedule("linear", 2.0, 300, tau=100, end_factor=0.01)
    np.testing.assert_allclose(lin[[0, 50, 99, 100, 101, 299]],
                               [2.0, 1.01, 0.01 * 2.0 + 0.99 * 0.02, 0.02, 0.02, 0.02],
                               rtol=1e-14)
    assert (np.diff(lin[:101]) < 0).all()


def test_cosine_restarts_at_known_steps():
    """SGDR: the rate starts at lr, is halfway at T₀/2, and jumps back to lr at T₀; with
    T_mult = 2 the cycles are T₀, 2T₀, 4T₀, so the restarts fall at T₀, 3T₀ and 7T₀."""
    lr, eta = 0.8, 0.08
    flat = schedule("cosine_restarts", lr, 301, period=100, period_mult=1.0, min_factor=0.1)
    np.testing.assert_allclose(flat[[0, 50, 100, 150, 200, 300]],
                               [lr, (lr + eta) / 2, lr, (lr + eta) / 2, lr, lr], rtol=1e-14)
    assert flat[99] == pytest.approx(eta + 0.5 * (lr - eta) * (1 + math.cos(math.pi * 0.99)))
    grow = schedule("cosine_restarts", lr, 800, period=100, period_mult=2.0, min_factor=0.1)
    np.testing.assert_allclose(grow[[0, 100, 300, 700]], lr, rtol=1e-14)
    np.testing.assert_allclose(grow[[50, 200, 500]], (lr + eta) / 2, rtol=1e-14)
    assert grow[299] == pytest.approx(eta + 0.5 * (lr - eta) * (1 + math.cos(math.pi * 0.995)))
    assert grow[699] < grow[299] < grow[99]


@pytest.mark.parametrize(("kind", "params"), [
    ("step", {"step_size": 7, "gamma": 0.3}),
    ("exponential", {"gamma": 0.97}),
    ("linear", {"tau": 333, "end_factor": 2.5}),
    ("cosine_restarts", {"period": 200, "period_mult": 1.0, "min_factor": 0.0}),
    ("cosine_restarts", {"period": 1, "period_mult": 3.0, "min_factor": 0.2}),
    ("cosine_restarts", {"period": 10, "period_mult": 1.5, "min_factor": 0.0}),
    ("cosine_restarts", {"period": 7, "period_mult": 10.0, "min_factor": 0.5}),
    ("cosine_restarts", {"period": 150, "period_mult": 1.0, "min_factor": 0.1,
                         "peak_decay": 0.6}),
    ("cosine_restarts", {"period": 10, "period_mult": 2.0, "min_factor": 0.0,
                         "peak_decay": 0.8, "warmup": 35}),
    ("inverse_time", {"tau": 50}),
    ("constant", {"warmup": 250}),
    ("exponential", {"gamma": 0.999, "warmup": 1}),
])
def test_schedules_match_the_reference_everywhere(kind, params):
    """All of 5000 steps agree with the reference's cycle-by-cycle walk, including every
    cycle boundary of the closed-form SGDR index."""
    lr = 0.3
    got = schedule(kind, lr, 5000, **params)
    want = [ref.schedule_lr(kind, lr, k, params) for k in range(5000)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15 * lr)


def test_robbins_monro_halves_at_tau_and_its_sums_diverge_and_converge():
    """ε₀/(1 + k/τ): ε_τ = ε₀/2; Σε grows like log k without bound, Σε² stays finite."""
    rates = schedule("inverse_time", 1.0, 200_001, tau=100)
    assert rates[100] == pytest.approx(0.5) and rates[0] == 1.0
    assert rates.sum() > 100 * math.log(2000) * 0.99
    assert (rates**2).sum() < 100 * (1 + 1 / 100) + 1


def test_a_warm_up_ramps_any_schedule_and_reaches_the_race():
    """The first steps of a warmed-up race use lr·(k+1)/w, then the schedule itself."""
    r = engine.race("bowl", [{"id": "sgd", "hyperparameters": {"lr": 0.1},
                              "schedule": {"kind": "exponential", "gamma": 0.99,
                                           "warmup": 10}}], (1, 1), 30)
    k = np.arange(30)
    np.testing.assert_allclose(r.lr[0], 0.1 * 0.99**k * np.minimum(1, (k + 1) / 10),
                               rtol=1e-14)
    plain = engine.race("bowl", [{"id": "sgd", "hyperparameters": {"lr": 0.1},
                                  "schedule": {"kind": "constant", "warmup": 0}}], (1, 1), 5)
    assert (plain.lr[0] == 0.1).all()


def test_a_65536_start_final_only_race():
    """A 256 × 256 grid of starts — the basin-map use — runs and reports finite results."""
    xs = np.linspace(-2.0, 2.0, 256)
    ys = np.linspace(-1.0, 3.0, 256)
    starts = np.array(np.meshgrid(xs, ys)).reshape(2, -1).T
    r = engine.race("rosenbrock", [("sgd", {"lr": 0.001}), "adam", "newton"], starts, 100,
                    final_only=True)
    assert r.final_positions.shape == (3, 65536, 2)
    assert r.positions is None
    assert_all_finite(r)
    assert ((r.diverged_at >= -1) & (r.diverged_at <= 100)).all()
    assert (r.diverged_at[1] == -1).mean() > 0.99
    assert (r.converged_at >= 0).any()


@pytest.mark.parametrize(("surface", "params", "text"), [
    ("rosenbrock", {"a": 1.0, "b": 100.0}, "(1 - x)**2 + 100*(y - x**2)**2"),
    ("himmelblau", {}, "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"),
    ("ravine", {"kappa": 20.0, "theta": 0.0}, "0.5*(x**2 + 20*y**2)"),
])
def test_a_typed_formula_follows_the_built_in_surface(surface, params, text):
    """The expression machine and the hand-written kernels differ only in rounding, so
    every optimizer's path over the typed formula tracks the built-in one."""
    optimizers = [("sgd", {"lr": 1e-3}), ("momentum", {"lr": 1e-3}), ("adam", {"lr": 0.05}),
                  "nesterov", "rmsprop", "newton"]
    start = engine.get_surface(surface).starts[0]
    built_in = engine.race(surface, optimizers, start, 200, params=params)
    typed = engine.race(engine.expression(text), optimizers, start, 200,
                        view=engine.get_surface(surface).view)
    scale = 1.0 + np.abs(built_in.positions).max()
    assert np.abs(typed.positions - built_in.positions).max() <= 1e-9 * scale
    np.testing.assert_array_equal(typed.diverged_at, built_in.diverged_at)


def test_a_small_race_is_the_same_on_one_thread_as_on_all(monkeypatch):
    """Small races run on one thread (waking a second costs more than it saves); forcing
    every thread on the same race gives the same bytes, state included."""
    starts = [(-1.5, 2.0), (0.5, -0.5), (1.2, 1.4)]
    lineup = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adagrad"]
    one = engine.race("rosenbrock", lineup, starts, 300, record_state=True)
    monkeypatch.setattr(parallelism, "PARALLEL_FROM", 0)
    every = engine.race("rosenbrock", lineup, starts, 300, record_state=True)
    assert one.positions.tobytes() == every.positions.tobytes()
    assert one.loss.tobytes() == every.loss.tobytes()
    for a, b in zip(one.state, every.state, strict=True):
        assert {k: v.tobytes() for k, v in a.items()} == {k: v.tobytes() for k, v in b.items()}
