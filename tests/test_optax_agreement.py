"""The engine agrees with optax 0.2.8 for the optimizers whose convention is optax's.

Lion, AdaBelief, Yogi, the schedule-free methods, Prodigy and Lookahead are not in
torch.optim, so optax (with jax in float64) is their outside reference: with the engine's
own gradient handed to optax at optax's parameter, the paths and the moments agree to
1e-10 relative over 300 steps on three surfaces. CI installs the pinned optax and sets
``DESCENTLAB_TEST_OPTAX=1``, under which a missing optax fails instead of skipping.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from descentlab import engine

if os.environ.get("DESCENTLAB_TEST_OPTAX") == "1":
    import jax
    import optax
else:
    jax = pytest.importorskip("jax")
    optax = pytest.importorskip("optax")

jax.config.update("jax_enable_x64", True)

STEPS = 300
RTOL = 1e-10

SURFACES = {
    "rosenbrock": ({}, (-1.2, 1.0)),
    "ravine": ({"kappa": 10.0, "theta": 30.0}, (-2.5, 1.2)),
    "himmelblau": ({}, (0.5, -1.0)),
}

# case -> (engine id, hyperparameters, optax factory, {engine state: optax state field}).
CASES = {
    "lion": ("lion", {"lr": 0.002, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0},
             lambda hp: optax.lion(hp["lr"], b1=hp["beta1"], b2=hp["beta2"],
                                   weight_decay=hp["weight_decay"]), {"m": "mu"}),
    "lion_weight_decay": (
        "lion", {"lr": 0.002, "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.3},
        lambda hp: optax.lion(hp["lr"], b1=hp["beta1"], b2=hp["beta2"],
                              weight_decay=hp["weight_decay"]), {"m": "mu"}),
    "adabelief": ("adabelief", {"lr": 0.02, "beta1": 0.9, "beta2": 0.999, "eps": 1e-16,
                                "eps_root": 1e-16},
                  lambda hp: optax.adabelief(hp["lr"], b1=hp["beta1"], b2=hp["beta2"],
                                             eps=hp["eps"], eps_root=hp["eps_root"]),
                  {"m": "mu", "s": "nu"}),
    "yogi": ("yogi", {"lr": 0.02, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3},
             lambda hp: optax.yogi(hp["lr"], b1=hp["beta1"], b2=hp["beta2"], eps=hp["eps"]),
             {"m": "mu", "v": "nu"}),
    "yogi_small_eps": ("yogi", {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8},
                       lambda hp: optax.yogi(hp["lr"], b1=hp["beta1"], b2=hp["beta2"],
                                             eps=hp["eps"]), {"m": "mu", "v": "nu"}),
}


def optax_path(factory, hp, obj, start, fields):
    """optax's parameter and named moments at every step, fed the engine's gradient."""
    opt = factory(hp)
    params = jax.numpy.asarray(start, dtype=jax.numpy.float64)
    state = opt.init(params)
    update = jax.jit(opt.update)
    path, moments = [np.asarray(params)], {name: [np.zeros(2)] for name in fields}
    for _ in range(STEPS):
        _, g = obj.value_grad(np.asarray(params)[None, :])
        updates, state = update(jax.numpy.asarray(g[0]), state, params)
        params = optax.apply_updates(params, updates)
        path.append(np.asarray(params))
        for name, field in fields.items():
            moments[name].append(np.asarray(getattr(state[0], field)))
    return np.array(path), {name: np.array(v) for name, v in moments.items()}


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("case", list(CASES))
def test_engine_follows_optax(case, surface):
    opt_id, hp, factory, fields = CASES[case]
    params, start = SURFACES[surface]
    obj = engine.objective(surface, params)
    r = engine.race(surface, [(opt_id, hp)], start, STEPS, params=params, record_state=True)
    assert r.diverged_at[0, 0] == -1
    theirs, their_state = optax_path(factory, hp, obj, start, fields)
    ours = r.positions[0, 0]
    for name, got, want in (("positions", ours, theirs),
                            *((n, r.state[0][n][0], their_state[n]) for n in fields)):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=RTOL * np.abs(want).max(),
                                   err_msg=f"{case} on {surface}: {name}")
    assert np.abs(theirs[-1] - theirs[0]).max() > 1e-2, "the path barely moved"


def test_lion_steps_are_diagonal():
    """Lion's point moves by exactly ε in each coordinate per step (no decay): on a 2-D
    surface every step is a diagonal of a square of side ε, until the sign of a blend is
    zero."""
    r = engine.race("ravine", [("lion", {"lr": 0.01, "weight_decay": 0.0})], (-2.5, 1.2), 50)
    steps = np.abs(np.diff(r.positions[0, 0], axis=0))
    np.testing.assert_allclose(steps, 0.01, rtol=1e-9)


# Schedule-free: optax's parameter is y, where the gradient is taken; the engine draws x,
# optax's schedule_free_eval_params. case -> (engine id, hyperparameters, optax factory).
SCHEDULE_FREE = {
    "schedule_free_sgd": (
        "schedule_free_sgd", {"lr": 0.001, "beta1": 0.9, "weight_decay": 0.0},
        lambda hp: optax.contrib.schedule_free_sgd(hp["lr"], b1=hp["beta1"])),
    "schedule_free_sgd_weight_decay": (
        "schedule_free_sgd", {"lr": 0.002, "beta1": 0.8, "weight_decay": 0.2},
        lambda hp: optax.contrib.schedule_free_sgd(hp["lr"], b1=hp["beta1"],
                                                   weight_decay=hp["weight_decay"])),
    "schedule_free_adamw": (
        "schedule_free_adamw", {"lr": 0.02, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                                "weight_decay": 0.1},
        lambda hp: optax.contrib.schedule_free_adamw(
            hp["lr"], b1=hp["beta1"], b2=hp["beta2"], eps=hp["eps"],
            weight_decay=hp["weight_decay"])),
}


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("case", list(SCHEDULE_FREE))
def test_schedule_free_follows_optax(case, surface):
    """The drawn x is optax's evaluation point and the engine's z − x is optax's z minus
    it, at every one of 300 steps; the gradient is taken at optax's parameter y."""
    opt_id, hp, factory = SCHEDULE_FREE[case]
    params, start = SURFACES[surface]
    obj = engine.objective(surface, params)
    r = engine.race(surface, [(opt_id, hp)], start, STEPS, params=params, record_state=True)
    assert r.diverged_at[0, 0] == -1
    opt = factory(hp)
    y = jax.numpy.asarray(start, dtype=jax.numpy.float64)
    state = opt.init(y)
    update = jax.jit(opt.update)
    xs, zs = [np.asarray(y)], [np.asarray(y)]
    for _ in range(STEPS):
        _, g = obj.value_grad(np.asarray(y)[None, :])
        updates, state = update(jax.numpy.asarray(g[0]), state, y)
        y = optax.apply_updates(y, updates)
        xs.append(np.asarray(optax.contrib.schedule_free_eval_params(state, y)))
        zs.append(np.asarray(state.z))
    theirs, z = np.array(xs), np.array(zs)
    ours = r.positions[0, 0]
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=RTOL * np.abs(theirs).max(),
                               err_msg=f"{case} on {surface}: x")
    np.testing.assert_allclose(ours + r.state[0]["z_offset"][0], z, rtol=RTOL,
                               atol=RTOL * np.abs(z).max(), err_msg=f"{case} on {surface}: z")
    assert np.abs(theirs[-1] - theirs[0]).max() > 1e-2, "the path barely moved"


# Lookahead around SGD: optax's parameter is the pair (fast, slow), the gradient taken at
# the fast one; the engine draws the slow point and keeps the fast one as its offset.
LOOKAHEAD = {"k5_half": (5, 0.5, 0.001), "k3_high": (3, 0.8, 0.0005)}


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("case", list(LOOKAHEAD))
def test_lookahead_follows_optax(case, surface):
    """optax.lookahead(optax.sgd(ε), k, α) (inner state kept, fast reset to slow at each
    sync): its slow point is the engine's drawn point, its fast point x + the engine's
    offset, at every one of 300 steps."""
    k, alpha, rate = LOOKAHEAD[case]
    params, start = SURFACES[surface]
    obj = engine.objective(surface, params)
    r = engine.race(surface, [{"id": "sgd", "hyperparameters": {"lr": rate},
                               "lookahead": {"k": k, "alpha": alpha}}],
                    start, STEPS, params=params, record_state=True)
    assert r.diverged_at[0, 0] == -1
    opt = optax.lookahead(optax.sgd(rate), sync_period=k, slow_step_size=alpha)
    pair = optax.LookaheadParams.init_synced(jax.numpy.asarray(start,
                                                               dtype=jax.numpy.float64))
    state = opt.init(pair)
    update = jax.jit(opt.update)
    slow, fast = [np.asarray(pair.slow)], [np.asarray(pair.fast)]
    for _ in range(STEPS):
        _, g = obj.value_grad(np.asarray(pair.fast)[None, :])
        updates, state = update(jax.numpy.asarray(g[0]), state, pair)
        pair = optax.apply_updates(pair, updates)
        slow.append(np.asarray(pair.slow))
        fast.append(np.asarray(pair.fast))
    slow, fast = np.array(slow), np.array(fast)
    ours = r.positions[0, 0]
    scale = np.abs(slow).max()
    np.testing.assert_allclose(ours, slow, rtol=RTOL, atol=RTOL * scale,
                               err_msg=f"{case} on {surface}: slow")
    np.testing.assert_allclose(ours + r.state[0]["fast"][0], fast, rtol=RTOL,
                               atol=RTOL * scale, err_msg=f"{case} on {surface}: fast")
    assert np.abs(slow[-1] - slow[0]).max() > 1e-2, "the path barely moved"


PRODIGY = {"defaults": {"lr": 1.0, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "d0": 1e-6,
                        "weight_decay": 0.0},
           "tuned": {"lr": 0.3, "beta1": 0.85, "beta2": 0.99, "eps": 1e-6, "d0": 1e-4,
                     "weight_decay": 0.01}}


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("case", list(PRODIGY))
def test_prodigy_follows_optax(case, surface):
    """optax.contrib.prodigy on one point: the path and the step-size estimate d (optax's
    estim_lr, one number per point) at every one of 300 steps."""
    hp = PRODIGY[case]
    params, start = SURFACES[surface]
    obj = engine.objective(surface, params)
    r = engine.race(surface, [("prodigy", hp)], start, STEPS, params=params,
                    record_state=True)
    assert r.diverged_at[0, 0] == -1
    opt = optax.contrib.prodigy(hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                                estim_lr0=hp["d0"], weight_decay=hp["weight_decay"])
    x = jax.numpy.asarray(start, dtype=jax.numpy.float64)
    state = opt.init(x)
    update = jax.jit(opt.update)
    path, d = [np.asarray(x)], [0.0]
    for _ in range(STEPS):
        _, g = obj.value_grad(np.asarray(x)[None, :])
        updates, state = update(jax.numpy.asarray(g[0]), state, x)
        x = optax.apply_updates(x, updates)
        path.append(np.asarray(x))
        d.append(float(state.estim_lr))
    path, d = np.array(path), np.array(d)
    ours = r.positions[0, 0]
    np.testing.assert_allclose(ours, path, rtol=RTOL, atol=RTOL * np.abs(path).max(),
                               err_msg=f"{case} on {surface}: x")
    for c in range(2):
        np.testing.assert_allclose(r.state[0]["d"][0, :, c], d, rtol=RTOL,
                                   err_msg=f"{case} on {surface}: d")
    assert d[-1] > 100 * hp["d0"], "d never grew"
    assert np.abs(path[-1] - path[0]).max() > 1e-2, "the path barely moved"
