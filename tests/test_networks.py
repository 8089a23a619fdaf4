"""Network races: exact backpropagation, the two-parameter nets, training, reproducibility,
landscapes and decision boundaries.

The references here are written independently of the engine: a plain-numpy forward pass,
central differences, and optimizer steps computed by hand from the formulas.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from descentlab import engine
from descentlab.engine import EngineError
from descentlab.engine import networks as nn
from descentlab.engine.networks import mlp
from descentlab.engine.networks.architecture import SIGMOID, TANH
from descentlab.engine.networks.batches import batch_for_step
from descentlab.engine.networks.race import MAX_RECORDED_VALUES
from descentlab.engine.networks.toy_data import Dataset
from descentlab.engine.networks.two_param import TWO_PARAM_NETS, max_margin_direction
from descentlab.engine.networks.workspace import Workspace
from descentlab.engine.noise import gaussian

ACTIVATION = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0),
              "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
              "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
              "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))}
# Adam (lr 0.01, default betas, full batch) on the default moons and 2-16-16-1 tanh net
# reaches 97 % training accuracy at step 83 on this engine; the test allows 150.
ADAM_STEPS_TO_97 = 150
# Every optimizer that trains networks: all but the surface-only ones (Newton).
ALL_OPTIMIZERS = [o.id for o in engine.optimizers() if o.network_lr is not None]


def numpy_logits(arch: nn.Architecture, weights: np.ndarray, X: np.ndarray,
                 pre: list | None = None) -> np.ndarray:
    """The network in plain numpy, points as rows; hidden pre-activations go to ``pre``."""
    a = X.T
    layers = arch.unflatten(weights)
    for k, (W, b) in enumerate(layers):
        z = W @ a + b[:, None]
        if k == len(layers) - 1:
            return z[0]
        if pre is not None:
            pre.append(z)
        a = ACTIVATION[arch.activation](z)
    raise AssertionError("unreachable")


def numpy_loss(arch: nn.Architecture, weights: np.ndarray, X: np.ndarray,
               y: np.ndarray) -> float:
    z = numpy_logits(arch, weights, X)
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def engine_loss_grad(arch: nn.Architecture, weights: np.ndarray, data: Dataset,
                     idx: np.ndarray | None = None) -> tuple[float, int, np.ndarray]:
    idx = np.arange(data.n) if idx is None else idx
    grad = np.zeros(arch.n_params)
    loss, correct = mlp.loss_and_gradient(
        weights, arch.layout(), arch.activation_code, arch.norm_layout(), data.columns, data.y,
        idx, idx.size, *Workspace.create(arch, data.n).arrays, grad, np.empty((0, 0)), 0.0)
    return loss, correct, grad


def central_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.empty_like(x)
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = h
        g[k] = (f(x + e) - f(x - e)) / (2.0 * h)
    return g


# The elementary functions -------------------------------------------------------------

def test_vectorised_elementary_functions_match_numpy():
    """tanh and sigmoid through a hidden layer's activation, softplus through the loss."""
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-40, 40, 20_000), rng.normal(0, 1, 20_000),
                        rng.normal(0, 1e-4, 2_000), np.linspace(-1, 1, 4001),
                        [0.0, -0.0, 0.625, -0.625, 19.99, 20.01, 1e-300, -5e-324, 800.0,
                         -800.0, np.inf, -np.inf]])
    A = np.array([x, x])
    mlp.activate(TANH, A, 0, 1, x.size)
    t = A[0]
    ref = np.tanh(x)
    assert np.all(np.abs(t - ref) <= 4 * np.spacing(np.abs(ref)))
    assert np.array_equal(np.signbit(t), np.signbit(ref))
    # Elementwise: a value's tanh does not depend on the batch around it.
    single = np.array([[x[12_345]]])
    mlp.activate(TANH, single, 0, 1, 1)
    assert single[0, 0].tobytes() == t[12_345].tobytes()

    mlp.activate(SIGMOID, A, 1, 1, x.size)
    with np.errstate(over="ignore"):
        ref = 1.0 / (1.0 + np.exp(-x))
    tiny = ref > 1e-300
    assert np.all(np.abs(A[1] - ref)[tiny] <= 1e-15 * ref[tiny])

    logits = np.array([x[np.isfinite(x)]])
    loss = np.empty(logits.shape[1])
    mlp.logistic_loss(logits, logits, np.zeros(logits.shape[1]), logits.shape[1], loss, False)
    ref = np.logaddexp(0.0, logits[0])
    tiny = ref > 1e-300
    assert np.all(np.abs(loss - ref)[tiny] <= 1e-15 * ref[tiny])


# Backpropagation ----------------------------------------------------------------------

ARCHITECTURES = [((16, 16), "tanh"), ((16, 16), "relu"), ((8,), "sigmoid"), ((), "tanh"),
                 ((3, 5, 4), "tanh"), ((5, 3), "relu"), ((16, 16), "leaky_relu"),
                 ((5, 3), "elu")]


@pytest.mark.parametrize(("hidden", "activation"), ARCHITECTURES)
def test_backprop_matches_central_differences(hidden, activation):
    arch = nn.Architecture(hidden, activation)
    data = nn.make_dataset("moons", n=48, seed=3)
    w = arch.init_weights(1) + 0.2 * np.random.default_rng(2).normal(size=arch.n_params)
    pre = []
    numpy_logits(arch, w, data.X, pre)
    if activation in ("relu", "leaky_relu", "elu"):
        # Away from the kinks: no pre-activation within reach of the difference step.
        assert all(np.min(np.abs(z)) > 1e-4 for z in pre)
    loss, correct, grad = engine_loss_grad(arch, w, data)
    assert loss == pytest.approx(numpy_loss(arch, w, data.X, data.y), rel=1e-13)
    z = numpy_logits(arch, w, data.X)
    assert correct == int(np.sum((z > 0) == (data.y > 0.5)))
    fd = central_gradient(lambda v: numpy_loss(arch, v, data.X, data.y), w)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-9)


def test_minibatch_gradient_is_the_gradient_of_the_batch_loss():
    arch = nn.Architecture((16, 16), "tanh")
    data = nn.make_dataset("circles", n=64, seed=1)
    w = arch.init_weights(4)
    idx = np.array([5, 60, 7, 7, 33, 2, 41])
    loss, _, grad = engine_loss_grad(arch, w, data, idx)
    batch = (data.X[idx], data.y[idx])
    assert loss == pytest.approx(numpy_loss(arch, w, *batch), rel=1e-13)
    fd = central_gradient(lambda v: numpy_loss(arch, v, *batch), w)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-9)


# The two-parameter networks -----------------------------------------------------------

def _sample_points(net) -> np.ndarray:
    x0, x1, y0, y1 = net.view
    rng = np.random.default_rng(7)
    return np.concatenate([np.array(net.starts),
                           np.stack([rng.uniform(x0, x1, 6), rng.uniform(y0, y1, 6)], 1)])


@pytest.mark.parametrize("net_id", list(TWO_PARAM_NETS))
def test_two_param_gradient_and_hessian_match_central_differences(net_id):
    net = TWO_PARAM_NETS[net_id]
    pvec = net.param_vector({"noise": 0.1} if net_id != "logistic" else None)
    h = 1e-6
    for w in _sample_points(net):
        _, g = net.value_grad(w[None], pvec)
        hess = net.hessian(w[None], pvec)[0]
        for k, e in enumerate(np.eye(2) * h):
            (fp, fm), (gp, gm) = net.value_grad(np.array([w + e, w - e]), pvec)
            assert g[0, k] == pytest.approx((fp - fm) / (2 * h), rel=1e-6, abs=1e-9)
            col = (gp - gm) / (2 * h)
            expect = (hess[0], hess[1]) if k == 0 else (hess[1], hess[2])
            np.testing.assert_allclose(expect, col, rtol=1e-6, atol=1e-9)


def test_two_param_listed_points_are_critical_with_the_right_curvature():
    for net in TWO_PARAM_NETS.values():
        pvec = net.param_vector()
        for c in net.critical_points(pvec):
            f, g = net.value_grad(np.array([[c.x, c.y]]), pvec)
            assert np.all(np.abs(g) <= 1e-12), (net.id, c)
            assert f[0] == pytest.approx(c.value, abs=1e-14)
            eig = np.linalg.eigvalsh(_hessian_matrix(net, c, pvec))
            if c.kind == "saddle":
                assert eig[0] < 0 < eig[1]
            else:
                assert eig[0] >= -1e-12
    linear = TWO_PARAM_NETS["linear_net"]
    points = linear.critical_points(linear.param_vector())
    assert [(c.x, c.y, c.kind) for c in points] == [
        (1.0, 1.0, "global_min"), (-1.0, -1.0, "global_min"), (0.0, 0.0, "saddle")]


def _hessian_matrix(net, c, pvec) -> np.ndarray:
    h11, h12, h22 = net.hessian(np.array([[c.x, c.y]]), pvec)[0]
    return np.array([[h11, h12], [h12, h22]])


def test_linear_net_paths_follow_the_teaching_note():
    """On the anti-diagonal gradient descent walks into the saddle; elsewhere it keeps
    w₁² − w₂² (exactly in the gradient flow, to O(lr) here) on its way to w₁w₂ = 1."""
    net = TWO_PARAM_NETS["linear_net"]
    p = net.data_vector(net.param_vector())
    for start, into_saddle in (((1.5, -1.5), True), ((1.5, -1.4), False), ((0.2, 2.2), False)):
        w = np.array(start)
        for _ in range(3000):
            w = w - 0.01 * np.array(net.fg(w[0], w[1], p)[1:])
        if into_saddle:
            assert np.hypot(*w) < 1e-6
        else:
            assert w[0] * w[1] == pytest.approx(1.0, abs=1e-9)
            assert w[0] ** 2 - w[1] ** 2 == pytest.approx(start[0] ** 2 - start[1] ** 2,
                                                          abs=0.02)


def test_logistic_regression_on_separable_data_has_no_minimum():
    """The norm of gradient descent's weights keeps growing, the loss keeps falling towards
    0, and the direction turns towards the max-margin separator."""
    net = TWO_PARAM_NETS["logistic"]
    p = net.data_vector(net.param_vector())
    z = p.reshape(2, -1).T
    u = max_margin_direction(p)
    assert np.min(z @ u) > 0  # separable through the origin
    w = np.zeros(2)
    norms, losses, cosines = [], [], []
    for t in range(1, 5001):
        f, g1, g2 = net.fg(w[0], w[1], p)
        w = w - 1.0 * np.array([g1, g2])
        if t in (10, 100, 1000, 5000):
            norms.append(np.hypot(*w))
            losses.append(f)
            cosines.append(w @ u / np.hypot(*w))
    assert np.all(np.diff(norms) > 1.0)
    assert np.all(np.diff(losses) < 0) and losses[-1] > 0
    assert np.all(np.diff(cosines) > 0)
    assert net.critical_points(net.param_vector()) == ()


# Training -----------------------------------------------------------------------------

def test_adam_trains_two_moons():
    r = nn.network_race("moons", nn.Architecture((16, 16), "tanh"), [("adam", {"lr": 0.01})],
                        steps=ADAM_STEPS_TO_97)
    assert r.accuracy[0, -1] >= 0.97
    assert r.loss[0, -1] < 0.5 * r.loss[0, 0]
    assert r.diverged_at[0] == -1


def _race(optimizers, **kw):
    options = {"steps": 40, "batch_size": 32, "seed": 5, "noise_std": 0.01, "clip_norm": 1.0}
    return nn.network_race(nn.make_dataset("xor", n=96), nn.Architecture((8, 8), "relu"),
                           optimizers, **{**options, **kw})


def _arrays(r) -> dict[str, np.ndarray]:
    return {k: getattr(r, k) for k in ("weights", "loss", "accuracy", "grad_norm", "grad",
                                       "lr", "diverged_at")}


def test_every_optimizer_is_byte_identical_on_repeat_and_alone():
    first, again = _race(ALL_OPTIMIZERS), _race(ALL_OPTIMIZERS)
    for name, value in _arrays(first).items():
        assert value.tobytes() == _arrays(again)[name].tobytes(), name
    alone = _race(["nadam"])
    k = ALL_OPTIMIZERS.index("nadam")
    for name, value in _arrays(alone).items():
        assert value[0].tobytes() == _arrays(first)[name][k].tobytes(), name


def test_a_race_advanced_in_segments_is_the_race_run_at_once():
    whole = _race(["nesterov", "adam", "adadelta"], steps=25)
    session = nn.network_session(nn.make_dataset("xor", n=96), nn.Architecture((8, 8), "relu"),
                                 ["nesterov", "adam", "adadelta"], 25, batch_size=32, seed=5,
                                 noise_std=0.01, clip_norm=1.0)
    assert session.advance(7) == (1, 7)
    assert session.result().weights.shape == (3, 8, whole.weights.shape[2])
    session.advance(1)
    session.advance(100)
    assert session.done
    for name, value in _arrays(session.result()).items():
        assert value.tobytes() == _arrays(whole)[name].tobytes(), name


def test_a_race_without_its_gradients_is_the_same_race_in_half_the_memory():
    whole = _race(["nesterov", "adam"], steps=25)
    lean = nn.network_race(nn.make_dataset("xor", n=96), nn.Architecture((8, 8), "relu"),
                           ["nesterov", "adam"], 25, batch_size=32, seed=5, noise_std=0.01,
                           clip_norm=1.0, record_gradients=False)
    assert lean.grad.shape == (2, 0, whole.weights.shape[2])
    for name, value in _arrays(lean).items():
        if name != "grad":
            assert value.tobytes() == _arrays(whole)[name].tobytes(), name
    # the memory limit counts what is recorded: a race too big with its gradients fits
    # without them
    arch = nn.Architecture((64,) * 10, "tanh")
    runs, per_run = 6, MAX_RECORDED_VALUES // 6
    steps = per_run // (arch.n_params + arch.running_start().size) - 1
    with pytest.raises(EngineError, match="would not fit in memory"):
        nn.network_session("moons", arch, ["sgd"] * runs, steps)
    assert nn.network_session("moons", arch, ["sgd"] * runs, steps,
                              record_gradients=False).grad.shape[1] == 0


def test_minibatches_depend_on_the_seed_and_cover_each_epoch():
    a, b = _race(["sgd"], seed=1, noise_std=0.0), _race(["sgd"], seed=2, noise_std=0.0)
    assert a.weights[0, 1].tobytes() != b.weights[0, 1].tobytes()
    full = [_race(["sgd"], seed=s, batch_size=None, noise_std=0.0) for s in (1, 2)]
    assert full[0].weights.tobytes() == full[1].weights.tobytes()
    perm, epoch, idx = np.zeros(10, np.int64), np.array([-1]), np.zeros(3, np.int64)
    seen = []
    for t in range(1, 7):
        batch_for_step(9, t, 3, perm, epoch, idx)
        seen.append(idx.copy())
    assert sorted(np.concatenate(seen[:3])) == sorted(set(np.concatenate(seen[:3])))
    assert not np.array_equal(np.concatenate(seen[:3]), np.concatenate(seen[3:]))


def test_recorded_steps_follow_the_optimizer_rules():
    """Steps recomputed by hand from the recorded gradients, as engine.race's rules read."""
    data, arch = nn.make_dataset("moons", n=64), nn.Architecture((8,), "tanh")
    r = nn.network_race(data, arch, [("sgd", {"lr": 0.3}), ("adam", {"lr": 0.02}),
                                     ("nesterov", {"lr": 0.1, "momentum": 0.9})], steps=5)
    w0 = r.init
    assert r.weights[0, 1].tobytes() == (w0 - 0.3 * r.grad[0, 1]).tobytes()
    m, v, w = np.zeros_like(w0), np.zeros_like(w0), w0.copy()
    for t in range(1, 6):
        g = r.grad[1, t]
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w = w - 0.02 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        np.testing.assert_allclose(r.weights[1, t], w, rtol=1e-12, atol=1e-15)
    # Nesterov: step 2's gradient is taken at the look-ahead θ₁ + μv₁, v₁ = θ₁ − θ₀.
    ahead = r.weights[2, 1] + 0.9 * (r.weights[2, 1] - w0)
    np.testing.assert_allclose(r.grad[2, 2], engine_loss_grad(arch, ahead, data)[2],
                               rtol=1e-13, atol=1e-16)
    assert r.weights[2, 2] == pytest.approx(
        r.weights[2, 1] + 0.9 * (r.weights[2, 1] - w0) - 0.1 * r.grad[2, 2], rel=1e-13)
    # The recorded loss, accuracy and gradient norm are the full-batch ones.
    loss, correct, grad = engine_loss_grad(arch, r.weights[1, 3], data)
    assert (r.loss[1, 3], r.accuracy[1, 3]) == (loss, correct / data.n)
    assert r.grad_norm[1, 3] == pytest.approx(np.linalg.norm(grad), rel=1e-14)


def test_minibatch_noise_and_clipping_in_the_recorded_gradient():
    data, arch = nn.make_dataset("blobs", n=40), nn.Architecture((4,), "tanh")
    r = nn.network_race(data, arch, [("sgd", {"lr": 0.1})], steps=3, batch_size=8, seed=4,
                        clip_norm=0.05)
    perm, epoch, idx = np.zeros(40, np.int64), np.array([-1]), np.zeros(8, np.int64)
    batch_for_step(4, 1, 8, perm, epoch, idx)
    g = engine_loss_grad(arch, r.init, data, idx)[2]
    g = g * min(1.0, 0.05 / np.linalg.norm(g))
    np.testing.assert_allclose(r.grad[0, 1], g, rtol=1e-13, atol=1e-17)
    assert np.all(np.linalg.norm(r.grad[0, 1:], axis=1) <= 0.05 * (1 + 1e-12))
    # Noise is the counter-based draw of engine.noise for (seed, point 0, step, coordinate).
    noisy = nn.network_race(data, arch, [("sgd", {"lr": 0.1})], steps=1, noise_std=0.5, seed=6)
    quiet = nn.network_race(data, arch, [("sgd", {"lr": 0.1})], steps=1)
    draws = [0.5 * gaussian(6, 0, 1, i) for i in range(arch.n_params)]
    np.testing.assert_allclose(noisy.grad[0, 1] - quiet.grad[0, 1], draws, rtol=1e-12,
                               atol=1e-15)


def test_divergence_is_flagged_and_frozen():
    """Inputs of 1e150 make a ReLU net's logits overflow within a few SGD steps."""
    base = nn.make_dataset("blobs", n=32)
    data = Dataset("huge", base.X * 1e150, base.y)
    r = nn.network_race(data, nn.Architecture((8,), "relu"), [("sgd", {"lr": 1.0})], steps=20)
    t = int(r.diverged_at[0])
    assert 1 <= t <= 20
    for name in ("weights", "loss", "accuracy", "grad_norm"):
        frames = getattr(r, name)[0]
        assert np.all(np.isfinite(frames))
        assert np.all(frames[t:] == frames[t - 1])
    assert np.all(r.grad[0, t:] == 0.0)


# Landscapes and decision boundaries ---------------------------------------------------

@pytest.fixture(scope="module")
def race3():
    return nn.network_race("moons", nn.Architecture((16, 16), "tanh"),
                           [("adam", {"lr": 0.01}), ("sgd", {"lr": 0.5}), "adagrad"],
                           steps=60)


@pytest.mark.parametrize("plane", ["pca", "random"])
def test_landscape_grid_is_the_loss_on_the_plane(race3, plane):
    land = nn.landscape(race3, plane=plane, resolution=7, seed=3)
    alpha, beta, loss, paths = land
    assert loss.shape == (7, 7) and paths.shape == (3, 61, 2)
    p = land.plane
    for i, j in ((0, 0), (6, 2), (3, 5), (1, 6)):
        w = p.centre + alpha[i] * p.d1 + beta[j] * p.d2
        expect = numpy_loss(race3.architecture, w, race3.dataset.X, race3.dataset.y)
        assert loss[j, i] == pytest.approx(expect, rel=1e-12)
    if plane == "pca":
        np.testing.assert_allclose(paths[:, 0], 0.0, atol=1e-12)
        np.testing.assert_allclose([p.d1 @ p.d1, p.d1 @ p.d2, p.d2 @ p.d2], [1, 0, 1],
                                   atol=1e-12)
        assert sum(p.explained) <= 1.0 + 1e-12 and paths[0, -1, 0] >= 0
        assert alpha[0] <= paths[..., 0].min() and alpha[-1] >= paths[..., 0].max()
    else:
        # Filter-normalised: each unit's incoming weights have the centre's norm; no biases.
        arch = race3.architecture
        for start, length, _ in arch.filters():
            part = slice(start, start + length)
            assert np.linalg.norm(p.d1[part]) == pytest.approx(np.linalg.norm(p.centre[part]))
        assert np.all(p.d1[arch.bias_mask()] == 0.0)
        best = int(np.argmin(race3.loss[:, -1]))
        assert p.centre.tobytes() == race3.weights[best, -1].tobytes()
        assert alpha[0] == -1.0 and beta[-1] == 1.0


def test_pca_plane_of_a_single_straight_path_is_still_a_plane():
    r = nn.network_race("moons", None, ["adam"], steps=1)
    land = nn.landscape(r, resolution=3)
    p = land.plane
    np.testing.assert_allclose([p.d1 @ p.d1, p.d1 @ p.d2, p.d2 @ p.d2], [1, 0, 1], atol=1e-12)
    assert land.paths[0, 1, 0] > 0 and abs(land.paths[0, 1, 1]) < 1e-12
    assert p.explained == (1.0, 0.0)


def test_pca_plane_survives_weights_near_overflow():
    """A run whose weights grew to ~1e200 without overflowing (heavy momentum) squares to
    infinity in the Gram matrix unless it is scaled first: the plane must stay finite."""
    from descentlab.engine.networks.planes import pca_plane

    rng = np.random.default_rng(0)
    init = rng.normal(size=50)
    weights = init + np.cumsum(rng.normal(size=(2, 30, 50)), axis=1)
    weights[1] *= np.geomspace(1.0, 1e200, 30)[:, None]
    plane = pca_plane(init, weights, np.array([-1, -1]))
    np.testing.assert_allclose([plane.d1 @ plane.d1, plane.d1 @ plane.d2, plane.d2 @ plane.d2],
                               [1, 0, 1], atol=1e-12)
    assert plane.explained[0] > 0.99


@pytest.mark.parametrize(("options", "field"), [
    ({"plane": "tsne"}, "plane"), ({"resolution": 1}, "resolution"),
    ({"plane": "pca", "centre": "SGD"}, "centre"),
    ({"plane": "random", "centre": "Adamm"}, "centre"),
    ({"plane": "random", "centre": 5}, "centre"),
    ({"span": [1, 0, 0, 1]}, "span"), ({"span": -2.0}, "span"), ({"span": "wide"}, "span"),
])
def test_landscape_options_are_checked_before_any_work(race3, options, field):
    """check_landscape refuses exactly what landscape would, from frame 0 of a race."""
    with pytest.raises(EngineError) as checked:
        nn.check_landscape(race3, **options)
    with pytest.raises(EngineError) as computed:
        nn.landscape(race3, **options)
    assert checked.value.field == computed.value.field == field
    nn.check_landscape(race3, "random", 5, [0, 1, 0, 1], race3.labels[-1])


def test_decision_boundary_is_the_network_probability(race3):
    b = nn.decision_boundary(race3, run="Adam", frame=40, resolution=11)
    w = race3.weights[0, 40]
    for i, j in ((0, 0), (10, 3), (5, 7)):
        z = numpy_logits(race3.architecture, w, np.array([[b.x[i], b.y[j]]]))[0]
        assert b.probability[j, i] == pytest.approx(1.0 / (1.0 + math.exp(-z)), rel=1e-13)
    x0, x1, y0, y1 = race3.dataset.view
    assert (b.x[0], b.x[-1], b.y[0], b.y[-1]) == (x0, x1, y0, y1)


# Catalogue and input checks -----------------------------------------------------------

def test_catalogue_is_json_and_lists_every_choice():
    cat = json.loads(json.dumps(nn.catalogue()))
    assert [d["id"] for d in cat["datasets"]] == ["moons", "circles", "xor", "spirals", "blobs"]
    assert {a["id"] for a in cat["activations"]} == {"tanh", "relu", "sigmoid", "leaky_relu",
                                                     "elu"}
    assert [n["id"] for n in cat["two_param_nets"]] == ["linear_net", "neuron", "logistic"]
    for spec in nn.datasets():
        d = nn.make_dataset(spec.id, n=33, seed=2)
        assert d.X.shape == (33, 2) and np.sum(d.y) == 17 and np.all(np.abs(d.X) < 3)
        assert d.X.tobytes() == nn.make_dataset(spec.id, n=33, seed=2).X.tobytes()


def test_suggested_learning_rates_train_the_default_net():
    suggested = nn.catalogue()["race"]["suggested_lr"]
    assert set(suggested) == set(ALL_OPTIMIZERS)
    r = nn.network_race("moons", None, [(k, {"lr": v}) for k, v in suggested.items()],
                        steps=500)
    assert np.all(r.accuracy[:, -1] == 1.0) and np.all(r.diverged_at == -1)


@pytest.mark.parametrize(("call", "field"), [
    (lambda: nn.make_dataset("moon"), "id"),
    (lambda: nn.make_dataset("moons", n=3), "dataset.n"),
    (lambda: nn.Architecture((16, 200)), "hidden"),
    (lambda: nn.Architecture((16,), "gelu"), "activation"),
    (lambda: nn.network_race("moons", None, ["newton"]), "optimizers.0"),
    (lambda: nn.network_race("moons", None, [("adam", {"lr": -1})]),
     "optimizers.0.hyperparameters.lr"),
    (lambda: nn.network_race("moons", None, ["sgd"], batch_size=0), "batch_size"),
    (lambda: nn.network_race("moons", None, ["sgd"], steps=0), "steps"),
    (lambda: nn.decision_boundary(nn.network_race("blobs", None, ["sgd"], steps=1),
                                  view=(1, 0, 0, 1)), "view"),
    (lambda: nn.landscape(nn.network_race("blobs", None, ["sgd"], steps=1), "tsne"), "plane"),
])
def test_bad_input_names_its_field(call, field):
    with pytest.raises(EngineError) as err:
        call()
    assert err.value.field == field


def test_two_param_modules_import_without_the_race_machinery():
    """The surface catalogue will import them while engine.race is still importing."""
    code = ("import sys, descentlab.engine.networks.two_param; "
            "print(sorted(m for m in sys.modules if m.startswith('descentlab.engine.networks')))")
    loaded = subprocess.check_output([sys.executable, "-c", code], text=True)
    assert "descentlab.engine.networks.race" not in loaded
    assert "descentlab.engine.networks.two_param" in loaded


# Initialisation --------------------------------------------------------------------------

@pytest.mark.parametrize(("scheme", "law", "spread"), [
    ("xavier", "uniform", lambda n_in, n_out, s: np.sqrt(6 / (n_in + n_out))),
    ("xavier_normal", "normal", lambda n_in, n_out, s: np.sqrt(2 / (n_in + n_out))),
    ("he", "normal", lambda n_in, n_out, s: np.sqrt(2 / n_in)),
    ("he_uniform", "uniform", lambda n_in, n_out, s: np.sqrt(6 / n_in)),
    ("lecun", "normal", lambda n_in, n_out, s: np.sqrt(1 / n_in)),
    ("normal", "normal", lambda n_in, n_out, s: s),
])
def test_each_initialisation_draws_its_distribution(scheme, law, spread):
    """The spread of a large draw, against the scheme's formula (uniform: its bound)."""
    from descentlab.engine.networks.architecture import INITS

    n_in, n_out, sigma = 300, 200, 0.37
    w = INITS[scheme].draw(np.random.default_rng(0), n_in, n_out, sigma)
    assert w.shape == (n_out, n_in)
    width = spread(n_in, n_out, sigma)
    if law == "uniform":
        assert width * 0.999 < np.abs(w).max() <= width
        assert np.std(w) == pytest.approx(width / np.sqrt(3), rel=0.01)
    else:
        assert np.std(w) == pytest.approx(width, rel=0.01)
    assert abs(np.mean(w)) < 0.01 * width


def test_whole_network_schemes_draw_the_output_layer_and_biases_start_where_asked():
    normal = nn.Architecture((32, 32), "tanh", "normal", init_scale=0.5, bias=0.1)
    layers = normal.unflatten(normal.init_weights(3))
    assert np.std(np.concatenate([W.ravel() for W, _ in layers])) == pytest.approx(0.5, rel=0.1)
    assert all(np.all(b == 0.1) for _, b in layers)
    he = nn.Architecture((32,), "relu", "he")
    (_, _), (w_out, _) = he.unflatten(he.init_weights(3))
    assert np.abs(w_out).max() <= np.sqrt(6 / 33)  # the logistic output keeps Xavier
    with pytest.raises(EngineError, match="init_scale"):
        nn.Architecture((4,), "tanh", "normal", init_scale=0.0)
    with pytest.raises(EngineError, match="bias"):
        nn.Architecture((4,), "tanh", bias=float("nan"))


@pytest.mark.parametrize(("activation", "bias"), [("tanh", 0.0), ("relu", 0.1)])
def test_zero_initialisation_never_breaks_the_symmetry(activation, bias):
    """Every unit of a layer starts alike, gets the same gradient and stays alike, even as
    the weights move (ReLU with biases at 0.1 trains, but as if each layer had one unit)."""
    arch = nn.Architecture((8, 8), activation, "zeros", bias=bias)
    r = nn.network_race("moons", arch, [("sgd", {"lr": 0.5}), ("adam", {"lr": 0.01})],
                        steps=100, batch_size=16, seed=2)
    for o in range(2):
        layers = arch.unflatten(r.weights[o, -1])
        for W, b in layers[:-1]:
            assert np.array_equal(W, np.broadcast_to(W[0], W.shape))
            assert np.array_equal(b, np.full_like(b, b[0]))
        w_out = layers[-1][0]
        assert np.array_equal(w_out, np.full_like(w_out, w_out[0, 0]))
    moved = np.abs(r.weights[:, -1] - r.weights[:, 0]).max()
    assert moved > 1e-3 if bias else moved >= 0.0
