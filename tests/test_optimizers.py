"""Every optimizer, schedule and gradient option against the plain-Python reference.

The engine's compiled kernels must compute what the formulas in the catalogue say. Two
comparisons, both to 1e-12 relative:

* one step at a time: the engine's recorded point and state after t steps are fed to one
  reference step, whose result must be the engine's point and state after t + 1 steps.
  This holds on every surface, chaotic or not, because rounding cannot accumulate;
* the whole path from the start, run by the reference on its own, wherever the path does
  not amplify rounding (most of them).

The reference is given the engine's exact gradient, so only the optimizers are compared.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference_optimizers as ref

from descentlab import engine
from descentlab.engine.noise import gaussian

STEPS = 200
RTOL = 1e-12

# Surfaces with a start where every setting below stays inside the view for 200 steps.
SURFACES = {
    "bowl": ({}, (1.5, -1.0)),
    "ravine": ({"kappa": 10.0, "theta": 30.0}, (2.0, 1.0)),
    "rosenbrock": ({}, (-1.2, 1.0)),
    "himmelblau": ({}, (0.5, -1.0)),
    "beale": ({}, (1.0, 1.5)),
}
# Paths that amplify rounding (see check_whole_path): only compared step by step. Listed
# so that a path silently turning chaotic, which would skip its whole-path check, fails.
CHAOTIC = {("rmsprop", "ravine", 0), ("nadam", "ravine", 0), ("nadam", "ravine", 1),
           ("adadelta", "ravine", 0), ("adadelta", "ravine", 1),
           ("rmsprop_nesterov", "ravine", 0), ("rmsprop", "rosenbrock", 0),
           ("adadelta", "rosenbrock", 1), ("newton", "rosenbrock", 0),
           ("adam", "ravine", 1), ("radam", "ravine", 1), ("schedule_free_adamw", "ravine", 1),
           ("polyak", "ravine", 0), ("polyak", "rosenbrock", 0), ("polyak", "beale", 0),
           # Prodigy's d = max(d, r/‖s‖₁) is a ratio of sums that nearly cancel early on: a
           # last-bit difference in one step grows (4e-10 relative on Himmelblau by step 52,
           # which the two-ulp nudge of the start does not reveal: the growth starts in d).
           ("prodigy", "ravine", 0), ("prodigy", "ravine", 1), ("prodigy", "rosenbrock", 0),
           ("prodigy", "rosenbrock", 1), ("prodigy", "himmelblau", 1)}

# Two settings per optimizer: the defaults where they are stable on every surface above
# (the adaptive methods; otherwise a smaller lr), and a second that changes every
# hyperparameter.
SETTINGS = {
    "sgd": ({"lr": 0.001}, {"lr": 0.0003, "weight_decay": 0.5}),
    "momentum": ({"lr": 0.0005, "momentum": 0.9},
                 {"lr": 0.001, "momentum": 0.5, "weight_decay": 0.3}),
    "nesterov": ({"lr": 0.0005, "momentum": 0.9},
                 {"lr": 0.001, "momentum": 0.6, "weight_decay": 0.3}),
    "adagrad": ({}, {"lr": 0.1, "eps": 1e-3, "weight_decay": 0.3}),
    "rmsprop": ({}, {"lr": 0.003, "decay": 0.99, "eps": 1e-4, "weight_decay": 0.1}),
    "adam": ({}, {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1}),
    "adamw": ({}, {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.5}),
    # RAdam's first steps are un-normalised momentum steps ε·m̂: on Rosenbrock's walls
    # (|g| ≈ 200) its default rate leaves the view.
    "radam": ({"lr": 0.001}, {"lr": 0.002, "beta1": 0.8, "beta2": 0.9, "eps": 1e-6,
                              "weight_decay": 0.1}),
    "adabelief": ({}, {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8,
                       "eps_root": 1e-10}),
    "lion": ({"lr": 0.002}, {"lr": 0.001, "beta1": 0.5, "beta2": 0.9, "weight_decay": 0.1}),
    "adamax": ({}, {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6,
                    "weight_decay": 0.1}),
    "yogi": ({}, {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}),
    "schedule_free_sgd": ({"lr": 0.0005}, {"lr": 0.001, "beta1": 0.5,
                                            "weight_decay": 0.3}),
    "schedule_free_adamw": ({}, {"lr": 0.01, "beta1": 0.7, "beta2": 0.99, "eps": 1e-6,
                                 "weight_decay": 0.1}),
    "qhm": ({"lr": 0.0005}, {"lr": 0.001, "beta": 0.9, "nu": 0.5, "weight_decay": 0.3}),
    "qhadam": ({}, {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "nu1": 0.5, "nu2": 0.8,
                    "eps": 1e-6, "weight_decay": 0.1}),
    "nadam": ({}, {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6,
                   "momentum_decay": 0.05, "weight_decay": 0.1}),
    "amsgrad": ({}, {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6,
                     "weight_decay": 0.1}),
    "adadelta": ({}, {"lr": 0.5, "decay": 0.95, "eps": 1e-4, "weight_decay": 0.1}),
    "rmsprop_nesterov": ({"lr": 0.001}, {"lr": 0.003, "decay": 0.99, "momentum": 0.5,
                                         "eps": 1e-4}),
    "newton": ({}, {"lr": 0.5, "damping": 2.0}),
    "polyak": ({}, {"lr": 0.5}),
    "line_search": ({}, {"lr": 0.3}),
    "random_search": ({}, {"lr": 0.02, "trials": 3}),
    "prodigy": ({}, {"lr": 0.3, "beta1": 0.85, "beta2": 0.99, "eps": 1e-6, "d0": 1e-4,
                     "weight_decay": 0.01}),
}


def optimizer_ids() -> list[str]:
    """Every optimizer in the engine's catalogue, so a new one cannot go untested."""
    return [o.id for o in engine.optimizers()]


def value_grad_of(obj):
    """The engine's exact value and gradient at one point, as plain floats."""
    def value_grad(p):
        f, g = obj.value_grad(np.array([p], dtype=np.float64))
        return float(f[0]), (float(g[0, 0]), float(g[0, 1]))
    return value_grad


def hessian_of(obj):
    """The engine's exact Hessian (∂xx, ∂xy, ∂yy) at one point, for Newton's step."""
    def hessian(p):
        return tuple(float(h) for h in obj.hessian(np.array([p], dtype=np.float64))[0])
    return hessian


def rel_err(reference, got, before) -> float:
    """|reference − got| relative to the magnitudes the update combined (|before| + |got|),
    so a coordinate passing through zero is judged by the size of its step."""
    scale = np.abs(np.asarray(before)) + np.abs(np.asarray(got))
    diff = np.abs(np.asarray(reference) - np.asarray(got))
    return float(np.max(np.where(diff == 0.0, 0.0, diff / np.maximum(scale, 1e-300))))


# State kept as an offset from x (schedule-free's z − x): computed as a difference of two
# numbers of x's size, so its rounding is judged against |x|, not against its own size.
OFFSETS = {"z_offset"}
# A step length along g (the line search's a): judged by the move it makes, a‖g‖ against
# |x| — at a minimum, where g vanishes, a itself is decided by rounding alone.
STEP_LENGTHS = {"a"}
# The line search finds its step to 1e-10 of the bracket (as its entry promises), not to
# rounding: the engine's regula falsi and the reference's bisection agree to that.
TOLERANCE = {"line_search": 1e-10}


def check_each_step(r, opt_id, obj, *, p=0, noise_std=0.0, seed=0, clip_norm=None,
                    clip_value=None):
    """Feed the engine's recorded point and state after every step t to one reference step
    and demand the engine's step t + 1: the gradient it used, its point and its state."""
    hp = r.runs[0].hyperparameters
    value_grad, hessian = value_grad_of(obj), hessian_of(obj)
    positions, grads, lrs = r.positions[0, p], r.grad[0, p], r.lr[0]
    states = r.state[0]
    assert set(states) == set(ref.STATE_NAMES[opt_id])
    worst = {"grad": (0.0, 0), "x": (0.0, 0)}
    for t in range(r.steps):
        x = tuple(positions[t])
        state = {name: tuple(states[name][p, t]) for name in states}
        raw = value_grad(ref.gradient_point(opt_id, hp, x, state))[1]
        noise = tuple(noise_std * gaussian(seed, p, t + 1, c) for c in range(2))
        g = ref.process_gradient(raw, noise, clip_norm, clip_value)
        gap = value_grad(x)[0] - obj.f_star if obj.f_star is not None else None
        new_x, new_state = ref.step(opt_id, hp, x, state, g, t + 1, float(lrs[t]),
                                    hessian(x), gap, value_grad,
                                    lambda t, c: gaussian(seed, p, t, c), obj.bound)
        for key, err in (("grad", rel_err(g, grads[t + 1], raw)),
                         ("x", rel_err(new_x, positions[t + 1], x))):
            worst[key] = max(worst[key], (err, t + 1))
        for name in states:
            before = (np.abs(state[name]) + np.abs(x)) if name in OFFSETS else state[name]
            if name in STEP_LENGTHS:
                before = np.abs(state[name]) + np.hypot(*x) / max(np.hypot(*g), 1e-300)
            err = rel_err(new_state[name], states[name][p, t + 1], before)
            worst[name] = max(worst.get(name, (0.0, 0)), (err, t + 1))
    rtol = TOLERANCE.get(opt_id, RTOL)
    bad = {k: v for k, v in worst.items() if v[0] > rtol}
    assert not bad, f"{opt_id}: (relative error, step) beyond {rtol}: {bad}"


def nudged(start):
    """The start with x moved by two units in the last place: a rounding-sized change."""
    x = math.nextafter(math.nextafter(start[0], math.inf), math.inf)
    return (x, start[1])


def check_whole_path(r, opt_id, obj, *, p=0, schedule=("constant", {}), noise_std=0.0,
                     seed=0, clip_norm=None, clip_value=None):
    """The reference run on its own from start p matches the engine's path, gradients and
    state, each relative to the largest magnitude that quantity takes along the path.

    Skipped where the path is chaotic: if nudging the start by two ulps moves the
    reference's own path by more than 1e-14 relative, the rounding differences between any
    two correct implementations grow the same way, and only the step-by-step check is
    meaningful. Returns whether the comparison was made."""
    hp = r.runs[0].hyperparameters
    start = tuple(float(c) for c in r.starts[p])

    def reference(start):
        return ref.run(opt_id, hp, start, r.steps, value_grad_of(obj), hessian=hessian_of(obj),
                       f_star=obj.f_star,
                       schedule=schedule, clip_norm=clip_norm, clip_value=clip_value,
                       noise=lambda t: tuple(noise_std * gaussian(seed, p, t, c)
                                             for c in range(2)),
                       draw=lambda t, c: gaussian(seed, p, t, c), bound=obj.bound)

    out = reference(start)
    np.testing.assert_allclose(r.lr[0], out["lrs"], rtol=RTOL, atol=0.0)
    path = np.array(out["positions"])
    other = np.array(reference(nudged(start))["positions"])
    if np.abs(other - path).max() > 1e-14 * np.abs(path).max():
        return False
    for name, got, want in (
            ("positions", r.positions[0, p], path),
            ("grad", r.grad[0, p], np.array(out["grads"])),
            *((name, r.state[0][name][p], np.array([s[name] for s in out["states"]]))
              for name in ref.STATE_NAMES[opt_id])):
        if name in STEP_LENGTHS:  # compared as the move a‖g‖ each step made
            got = got * np.hypot(*r.grad[0, p].T)[:, None]
            want = want * np.hypot(*np.array(out["grads"]).T)[:, None]
        scale = np.max(np.abs(path) if name in OFFSETS else np.abs(want))
        rtol = TOLERANCE.get(opt_id, RTOL)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale,
                                   err_msg=f"{opt_id}: {name}")
    return True


def test_every_optimizer_has_a_reference():
    """A new optimizer in the catalogue must come with a reference and settings here."""
    assert set(optimizer_ids()) == set(ref.STATE_NAMES) == set(SETTINGS)


@pytest.mark.parametrize("setting", [0, 1])
@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("opt_id", optimizer_ids())
def test_matches_reference(opt_id, surface, setting):
    """200 steps: each step from the engine's own state, and the whole path where it is
    not chaotic, agree with the reference to 1e-12 relative; the run never leaves the view."""
    params, start = SURFACES[surface]
    r = engine.race(surface, [(opt_id, SETTINGS[opt_id][setting])], start, STEPS,
                    params=params, record_state=True)
    assert r.diverged_at[0, 0] == -1, "pick a setting that stays on the surface"
    assert np.ptp(r.positions[0, 0], axis=0).max() > 1e-3, "the path barely moved"
    obj = engine.objective(surface, params)
    check_each_step(r, opt_id, obj)
    chaotic = (opt_id, surface, setting) in CHAOTIC
    compared = not chaotic and check_whole_path(r, opt_id, obj)
    assert compared or chaotic, "the path turned chaotic"


UNCORRECTED = [o.id for o in engine.optimizers()
               if any(p.name == "bias_correction" for p in o.hyperparameters)]


@pytest.mark.parametrize("surface", ["bowl", "rosenbrock", "himmelblau"])
@pytest.mark.parametrize("opt_id", UNCORRECTED)
def test_without_bias_correction(opt_id, surface):
    """bias_correction = 0 uses the moments raw: the reference divides by 1 − 0·βᵗ."""
    params, start = SURFACES[surface]
    hp = {**SETTINGS[opt_id][1], "bias_correction": 0.0}
    r = engine.race(surface, [(opt_id, hp)], start, STEPS, params=params, record_state=True)
    assert r.diverged_at[0, 0] == -1
    obj = engine.objective(surface, params)
    check_each_step(r, opt_id, obj)
    assert check_whole_path(r, opt_id, obj)


@pytest.mark.parametrize(("beta2", "ratio"), [(0.999, 0.1 / math.sqrt(0.001)),
                                              (0.9, 0.1 / math.sqrt(0.1))])
def test_uncorrected_adam_first_step(beta2, ratio):
    """Adam's first step without bias correction is (1 − β₁)/√(1 − β₂) times the corrected
    one (ε per coordinate): 3.16× too long with the defaults, 0.32× with β₂ = 0.9."""
    def first_step(c):
        r = engine.race("bowl", [("adam", {"lr": 0.01, "beta2": beta2, "eps": 1e-12,
                                           "bias_correction": c})], (1.5, -1.0), 1)
        return np.abs(np.diff(r.positions[0, 0], axis=0))[0]
    np.testing.assert_allclose(first_step(1.0), 0.01, rtol=1e-9)
    np.testing.assert_allclose(first_step(0.0), 0.01 * ratio, rtol=1e-9)


SCHEDULES = {
    "constant": {},
    "step": {"step_size": 40, "gamma": 0.5},
    "exponential": {"gamma": 0.99},
    "linear": {"tau": 120, "end_factor": 0.05},
    "cosine_restarts": {"period": 30, "period_mult": 2.0, "min_factor": 0.1},
}


@pytest.mark.parametrize("opt_id", ["momentum", "adam", "adadelta"])
@pytest.mark.parametrize("kind", list(SCHEDULES))
def test_schedules_drive_the_learning_rate(kind, opt_id):
    """Each schedule's rates are the reference's, and the optimizer uses the rate of each
    step (momentum folds ε into its velocity, Adam into its step, AdaDelta only into x).
    From the ravine's catalogue start none of these paths is chaotic, so each whole path
    is compared too."""
    params, start = SURFACES["ravine"][0], (-2.5, 1.2)
    hp = {"lr": 0.05} if opt_id == "momentum" else {}
    spec = {"id": opt_id, "hyperparameters": hp, "schedule": {"kind": kind, **SCHEDULES[kind]}}
    r = engine.race("ravine", [spec], start, STEPS, params=params, record_state=True)
    assert r.diverged_at[0, 0] == -1
    if kind != "constant":
        assert np.ptp(r.lr[0]) > 0.0
    obj = engine.objective("ravine", params)
    check_each_step(r, opt_id, obj)
    assert check_whole_path(r, opt_id, obj, schedule=(kind, SCHEDULES[kind]))


CLIPS = {"clip_norm": 5.0, "clip_value": 2.0}


@pytest.mark.parametrize("opt_id", ["sgd", "momentum", "nesterov", "adam"])
@pytest.mark.parametrize("clip", list(CLIPS))
def test_clipping(clip, opt_id):
    """On Rosenbrock's steep wall the gradient is clipped, by the point's norm (direction
    kept) or per coordinate; every step agrees with the reference's clipped gradient, and
    the whole path does too where it is not chaotic."""
    limit = CLIPS[clip]
    hp = {"lr": 0.002} if opt_id in ("sgd", "momentum", "nesterov") else {}
    r = engine.race("rosenbrock", [(opt_id, hp)], (-1.5, 2.0), STEPS, record_state=True,
                    **{clip: limit})
    used = r.grad[0, 0, 1:]
    if clip == "clip_norm":
        norms = np.hypot(used[:, 0], used[:, 1])
        assert norms.max() == pytest.approx(limit, rel=1e-14)
        assert np.count_nonzero(np.isclose(norms, limit, rtol=1e-14)) > 5
    else:
        assert np.abs(used).max() == limit
    obj = engine.objective("rosenbrock")
    check_each_step(r, opt_id, obj, **{clip: limit})
    check_whole_path(r, opt_id, obj, **{clip: limit})


@pytest.mark.parametrize("opt_id", ["sgd", "nesterov", "adam", "newton"])
def test_noise_is_the_seeded_draw_then_clipped(opt_id):
    """Each point's gradient gets σ·gaussian(seed, point, step, coordinate) — for the
    Nesterov family at the look-ahead point — and is clipped after the noise is added:
    step by step, and as a whole path where it is not chaotic."""
    starts = [(-1.2, 1.0), (0.5, 0.5), (1.3, 1.6)]
    sigma, seed, clip = 3.0, 11, 4.0
    hp = {"lr": 0.0005} if opt_id in ("sgd", "nesterov") else {}
    if opt_id == "newton":
        hp = {"damping": 50.0}
    r = engine.race("rosenbrock", [(opt_id, hp)], starts, 60, record_state=True,
                    noise_std=sigma, seed=seed, clip_norm=clip)
    assert (r.diverged_at == -1).all()
    obj = engine.objective("rosenbrock")
    for p in range(len(starts)):
        check_each_step(r, opt_id, obj, p=p, noise_std=sigma, seed=seed, clip_norm=clip)
        check_whole_path(r, opt_id, obj, p=p, noise_std=sigma, seed=seed, clip_norm=clip)


def test_noise_is_deterministic_and_changes_the_path():
    """The same seed repeats the path bit for bit; noise moves it; another seed moves it
    differently; and every optimizer of a race sees the same draws."""
    def run(**kw):
        return engine.race("himmelblau", [("sgd", {"lr": 0.01}), ("adam", {})],
                           [(0.5, -1.0), (1.0, 1.0)], 100, **kw)

    quiet = run()
    first, again = run(noise_std=0.5, seed=3), run(noise_std=0.5, seed=3)
    other = run(noise_std=0.5, seed=4)
    assert first.positions.tobytes() == again.positions.tobytes()
    assert first.grad.tobytes() == again.grad.tobytes()
    assert np.abs(first.positions - quiet.positions).max() > 1e-2
    assert np.abs(first.positions - other.positions).max() > 1e-2
    # Neither SGD nor Adam looks ahead, so each step's noise is its recorded gradient minus
    # the raw gradient at the point it stepped from: the same draws for both.
    _, g = engine.objective("himmelblau").value_grad(first.positions[:, :, :-1].reshape(-1, 2))
    noise = (first.grad[:, :, 1:] - g.reshape(2, 2, 100, 2)) / 0.5
    draws = np.array([[[gaussian(3, p, t, c) for c in range(2)] for t in range(1, 101)]
                      for p in range(2)])
    np.testing.assert_allclose(noise, [draws, draws], rtol=0, atol=1e-12)


def test_noise_is_keyed_by_the_global_point_index():
    """Points beyond the kernel's first chunk of 512 draw their own noise, not a repeat of
    the first chunk's: the key is the point's index in the race."""
    n, sigma, seed = 520, 0.25, 5
    starts = np.column_stack([np.linspace(-1.0, 1.0, n), np.full(n, 0.5)])
    r = engine.race("bowl", [("sgd", {"lr": 0.1})], starts, 3, noise_std=sigma, seed=seed)
    _, g = engine.objective("bowl").value_grad(r.positions[0, :, :-1].reshape(-1, 2))
    noise = (r.grad[0, :, 1:] - g.reshape(n, 3, 2)) / sigma
    for p in (0, 1, 511, 512, 519):
        want = [[gaussian(seed, p, t, c) for c in range(2)] for t in (1, 2, 3)]
        np.testing.assert_allclose(noise[p], want, rtol=0, atol=1e-12, err_msg=f"point {p}")
    assert not np.allclose(noise[512], noise[0])


def test_nesterov_gradient_is_taken_at_the_look_ahead():
    """The recorded gradient of Nesterov's step t is ∇f(x_{t−1} + μ v_{t−1}), not ∇f(x)."""
    r = engine.race("rosenbrock", [("nesterov", {"lr": 0.0005, "momentum": 0.9})],
                    (-1.2, 1.0), 30, record_state=True)
    x, v = r.positions[0, 0, :-1], r.state[0]["v"][0, :-1]
    _, at_look = engine.objective("rosenbrock").value_grad(x + 0.9 * v)
    _, at_x = engine.objective("rosenbrock").value_grad(x)
    np.testing.assert_allclose(r.grad[0, 0, 1:], at_look, rtol=1e-13)
    assert np.abs(at_look - at_x)[5:].min() > 0.0


def test_first_nadam_step_by_hand():
    """A first Nadam step from rest moves by lr·(1 + μ₂(1−β₁)/(1−μ₁μ₂))·g/(|g|+ε):
    (1−μ₁)g/(1−μ₁) is the whole gradient, m₁ = (1−β₁)g and v̂₁ = g². Worked out by hand,
    so a shared misreading of the schedule by engine and reference would show here."""
    hp = {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 0.004}
    r = engine.race("bowl", [("nadam", hp)], (1.0, -2.0), 1)
    mu1, mu2 = 0.9 * (1 - 0.5 * 0.96**0.004), 0.9 * (1 - 0.5 * 0.96**0.008)
    coeff = 1.0 + mu2 * 0.1 / (1.0 - mu1 * mu2)
    g = np.array([1.0, -2.0])
    want = np.array([1.0, -2.0]) - 0.05 * coeff * g / (np.abs(g) + 1e-8)
    np.testing.assert_allclose(r.positions[0, 0, 1], want, rtol=1e-14)


SMALL_BETAS = {"beta1": 0.5, "beta2": 0.6}


@pytest.mark.parametrize("opt_id", ["adam", "adamax", "nadam", "amsgrad"])
def test_running_products_of_betas_are_flushed_not_subnormal(opt_id):
    """After 1,050 steps 0.5^t = 2⁻¹⁰⁵⁰ would be a subnormal number. The engine flushes
    such products to zero (subnormal arithmetic is slow) once 1 − β^t is exactly 1, so every
    step still equals the reference's, which keeps the exact product."""
    steps = 1050
    hp = {"lr": 0.001, **SMALL_BETAS}
    run = engine.make_run((opt_id, hp), engine.GradientOptions())
    session = engine.RaceSession(engine.objective("bowl"), [run], np.array([[1.5, -1.0]]),
                                 steps, record=True, record_state=True)
    r = session.finish()
    products = session.SC[0]
    assert np.all((products == 0.0) | (np.abs(products) >= np.finfo(np.float64).tiny))
    assert np.count_nonzero(products == 0.0) >= 1
    check_each_step(r, opt_id, engine.objective("bowl"))
    assert check_whole_path(r, opt_id, engine.objective("bowl"))
