"""The engine agrees with torch.optim wherever the catalogue says it does.

torch is the implementation students will meet next, so its update rules are the outside
reference: in float64, with a constant learning rate and the engine's own gradient handed
to torch as ``p.grad``, each shared optimizer follows the engine's path, and torch's state
buffers equal the engine's recorded state, to 1e-10 relative over 100 steps. The two
implementations order their floating-point operations differently, so they agree to
rounding, not bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest

from descentlab import engine

torch = pytest.importorskip("torch")

STEPS = 100
RTOL = 1e-10

# Starts from which no path here amplifies rounding within 100 steps (from (2, 1) on the
# same ravine, NAdam's zig-zag near the minimum does, and the two drift apart by 1e-9).
SURFACES = {
    "rosenbrock": ({}, (-1.2, 1.0)),
    "ravine": ({"kappa": 10.0, "theta": 30.0}, (-2.5, 1.2)),
}


@pytest.fixture(autouse=True)
def float64_scalars():
    """torch keeps some optimizer scalars (NAdam's μ-product, the step count) in the default
    dtype: left at float32, μ-product alone moves NAdam's path by 1e-9 within 100 steps."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def _sgd(hp, **kw):
    return lambda p: torch.optim.SGD([p], lr=hp["lr"], foreach=False, **kw)


# engine id -> (hyperparameters, torch optimizer factory, {engine state: torch buffer}).
CASES = {
    "sgd": ({"lr": 0.001}, lambda hp: _sgd(hp), {}),
    "momentum": ({"lr": 0.0005, "momentum": 0.9},
                 lambda hp: _sgd(hp, momentum=hp["momentum"]), {"v": "momentum_buffer"}),
    "nesterov": ({"lr": 0.0005, "momentum": 0.9},
                 lambda hp: _sgd(hp, momentum=hp["momentum"], nesterov=True),
                 {"v": "momentum_buffer"}),
    "adagrad": ({"lr": 0.3, "eps": 1e-10},
                lambda hp: lambda p: torch.optim.Adagrad(
                    [p], lr=hp["lr"], eps=hp["eps"], lr_decay=0.0,
                    initial_accumulator_value=0.0, foreach=False), {"s": "sum"}),
    "rmsprop": ({"lr": 0.01, "decay": 0.99, "eps": 1e-8},
                lambda hp: lambda p: torch.optim.RMSprop(
                    [p], lr=hp["lr"], alpha=hp["decay"], eps=hp["eps"], foreach=False),
                {"s": "square_avg"}),
    "adam": ({"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
             lambda hp: lambda p: torch.optim.Adam(
                 [p], lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                 foreach=False), {"m": "exp_avg", "v": "exp_avg_sq"}),
    "adamax": ({"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
               lambda hp: lambda p: torch.optim.Adamax(
                   [p], lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                   foreach=False), {"m": "exp_avg", "u": "exp_inf"}),
    "nadam": ({"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 0.004},
              lambda hp: lambda p: torch.optim.NAdam(
                  [p], lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                  momentum_decay=hp["momentum_decay"], foreach=False),
              {"m": "exp_avg", "v": "exp_avg_sq"}),
    "amsgrad": ({"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                lambda hp: lambda p: torch.optim.Adam(
                    [p], lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                    amsgrad=True, foreach=False),
                {"m": "exp_avg", "v": "exp_avg_sq", "v_max": "max_exp_avg_sq"}),
    "adadelta": ({"lr": 1.0, "decay": 0.9, "eps": 1e-6},
                 lambda hp: lambda p: torch.optim.Adadelta(
                     [p], lr=hp["lr"], rho=hp["decay"], eps=hp["eps"], foreach=False),
                 {"s": "square_avg", "delta": "acc_delta"}),
}


def _adam_like(cls, **kw):
    return lambda hp: lambda p: cls([p], lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]),
                                    eps=hp["eps"], weight_decay=hp["weight_decay"],
                                    foreach=False, **kw)


_MOMENTS = {"m": "exp_avg", "v": "exp_avg_sq"}
_DECAY = {"weight_decay": 0.2}
# Weight decay (coupled in SGD, heavy ball, Nesterov, Adam, RAdam, AdaGrad, RMSProp, AdaMax,
# NAdam, AMSGrad and AdaDelta; decoupled in AdamW) and the methods torch has that came with
# it: 300 steps on three surfaces.
DECAY_CASES = {
    "sgd": ({"lr": 0.001, **_DECAY}, lambda hp: _sgd(hp, weight_decay=hp["weight_decay"]), {}),
    "momentum": ({"lr": 0.0005, "momentum": 0.9, **_DECAY},
                 lambda hp: _sgd(hp, momentum=hp["momentum"], weight_decay=hp["weight_decay"]),
                 {"v": "momentum_buffer"}),
    "nesterov": ({"lr": 0.0005, "momentum": 0.9, **_DECAY},
                 lambda hp: _sgd(hp, momentum=hp["momentum"], nesterov=True,
                                 weight_decay=hp["weight_decay"]), {"v": "momentum_buffer"}),
    "adam": ({"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, **_DECAY},
             _adam_like(torch.optim.Adam), _MOMENTS),
    "adamw": ({"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.5},
              _adam_like(torch.optim.AdamW), _MOMENTS),
    "radam": ({"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, **_DECAY},
              _adam_like(torch.optim.RAdam), _MOMENTS),
    "adagrad": ({"lr": 0.3, "eps": 1e-10, **_DECAY},
                lambda hp: lambda p: torch.optim.Adagrad(
                    [p], lr=hp["lr"], eps=hp["eps"], weight_decay=hp["weight_decay"],
                    lr_decay=0.0, initial_accumulator_value=0.0, foreach=False),
                {"s": "sum"}),
    "rmsprop": ({"lr": 0.01, "decay": 0.99, "eps": 1e-8, **_DECAY},
                lambda hp: lambda p: torch.optim.RMSprop(
                    [p], lr=hp["lr"], alpha=hp["decay"], eps=hp["eps"],
                    weight_decay=hp["weight_decay"], foreach=False), {"s": "square_avg"}),
    "adamax": ({"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, **_DECAY},
               _adam_like(torch.optim.Adamax), {"m": "exp_avg", "u": "exp_inf"}),
    "nadam": ({"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 0.004,
               **_DECAY},
              lambda hp: lambda p: torch.optim.NAdam(
                  [p], lr=hp["lr"], betas=(hp["beta1"], hp["beta2"]), eps=hp["eps"],
                  momentum_decay=hp["momentum_decay"], weight_decay=hp["weight_decay"],
                  foreach=False), _MOMENTS),
    "amsgrad": ({"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, **_DECAY},
                _adam_like(torch.optim.Adam, amsgrad=True),
                {**_MOMENTS, "v_max": "max_exp_avg_sq"}),
    # (ρ = 0.9 with λ = 0.2 drifts to 1e-9 relative on Rosenbrock by step 295: rounding that
    # the path amplifies, as with λ = 0.1, where the two paths part.)
    "adadelta": ({"lr": 1.0, "decay": 0.8, "eps": 1e-6, **_DECAY},
                 lambda hp: lambda p: torch.optim.Adadelta(
                     [p], lr=hp["lr"], rho=hp["decay"], eps=hp["eps"],
                     weight_decay=hp["weight_decay"], foreach=False),
                 {"s": "square_avg", "delta": "acc_delta"}),
}
DECAY_SURFACES = {**SURFACES, "himmelblau": ({}, (0.5, -1.0))}


def torch_path(factory, hp, obj, start, buffers, steps=STEPS):
    """Run torch's optimizer from ``start``, the gradient at its parameter supplied by the
    engine's objective; return the parameter and the named state buffers at every step."""
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = factory(hp)(p)
    path, state = [p.detach().numpy().copy()], {name: [np.zeros(2)] for name in buffers}
    for _ in range(steps):
        _, g = obj.value_grad(p.detach().numpy()[None, :])
        p.grad = torch.from_numpy(g[0].copy())
        opt.step()
        path.append(p.detach().numpy().copy())
        for name, key in buffers.items():
            state[name].append(opt.state[p][key].detach().numpy().copy())
    return np.array(path), {name: np.array(v) for name, v in state.items()}


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("opt_id", list(CASES))
def test_engine_follows_torch(opt_id, surface):
    """Positions and state agree to 1e-10 relative to their largest magnitude on the path.

    torch's SGD keeps the buffer b ← μb + g and steps −εb, the lecture form keeps
    v = −εb; its Nesterov parameter is the engine's look-ahead point x + μv."""
    compare_with_torch(opt_id, CASES[opt_id], surface, SURFACES[surface], STEPS)


@pytest.mark.parametrize("surface", list(DECAY_SURFACES))
@pytest.mark.parametrize("opt_id", list(DECAY_CASES))
def test_weight_decay_and_its_methods_follow_torch(opt_id, surface):
    compare_with_torch(opt_id, DECAY_CASES[opt_id], surface, DECAY_SURFACES[surface], 300)


def compare_with_torch(opt_id, case, surface, where, steps):
    hp, factory, buffers = case
    params, start = where
    obj = engine.objective(surface, params)
    r = engine.race(surface, [(opt_id, hp)], start, steps, params=params, record_state=True)
    assert r.diverged_at[0, 0] == -1
    ours = r.positions[0, 0]
    state = {name: r.state[0][name][0] for name in buffers}
    if opt_id in ("momentum", "nesterov"):
        state["v"] = -state["v"] / hp["lr"]
    if opt_id == "nesterov":
        ours = ours + hp["momentum"] * r.state[0]["v"][0]
    theirs, their_state = torch_path(factory, hp, obj, start, buffers, steps)
    for name, got, want in (("positions", ours, theirs),
                            *((n, state[n], their_state[n]) for n in buffers)):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=RTOL * np.abs(want).max(),
                                   err_msg=f"{opt_id} on {surface}: {name}")
    assert np.abs(theirs[-1] - theirs[0]).max() > 1e-2, "the path barely moved"


TORCH_ACTIVATIONS = {"tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid",
                     "leaky_relu": "LeakyReLU", "elu": "ELU"}


@pytest.mark.parametrize("activation", list(TORCH_ACTIVATIONS))
def test_network_loss_and_gradient_follow_torch(activation):
    """Every activation of the networks lab, forward and backward, as torch.nn computes it
    (its default slope and α), on a 2-8-8-1 net: the same loss and gradient to rounding."""
    from descentlab.engine import networks as nn
    from descentlab.engine.networks import mlp
    from descentlab.engine.networks.workspace import Workspace

    assert {a.id for a in nn.activations()} == set(TORCH_ACTIVATIONS)
    arch = nn.Architecture((8, 8), activation)
    data = nn.make_dataset("moons", n=64, seed=5)
    w = arch.init_weights(3) + 0.3 * np.random.default_rng(1).normal(size=arch.n_params)
    idx = np.arange(data.n)
    grad = np.zeros(arch.n_params)
    loss, _ = mlp.loss_and_gradient(w, arch.layout(), arch.activation_code, arch.norm_layout(),
                                    data.columns, data.y, idx, idx.size,
                                    *Workspace.create(arch, data.n).arrays, grad,
                                    np.empty((0, 0)), 0.0)
    params = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True))
              for W, b in arch.unflatten(w)]
    act = getattr(torch.nn, TORCH_ACTIVATIONS[activation])()
    a = torch.tensor(data.X.T)
    for k, (W, b) in enumerate(params):
        a = W @ a + b[:, None]
        if k < len(params) - 1:
            a = act(a)
    reference = torch.nn.functional.binary_cross_entropy_with_logits(a[0], torch.tensor(data.y))
    reference.backward()
    expected = np.zeros(arch.n_params)
    for (W, b), (_n_in, n_out, w0, b0, *_) in zip(params, arch.layout(), strict=True):
        expected[w0:b0], expected[b0:b0 + n_out] = W.grad.numpy().ravel(), b.grad.numpy()
    assert loss == pytest.approx(reference.item(), rel=1e-12)
    np.testing.assert_allclose(grad, expected, rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_batch_norm_follows_torch_batchnorm1d(activation):
    """Batch normalization as torch.nn.BatchNorm1d (float64, its default ε and momentum 0.1)
    before each activation of a 2-8-8-1 net: the training-mode loss and gradient of every
    weight, bias, γ and β, the running statistics one training pass leaves, and the
    evaluation-mode probabilities that use them."""
    from descentlab.engine import networks as nn
    from descentlab.engine.networks import mlp
    from descentlab.engine.networks.batchnorm import update_running
    from descentlab.engine.networks.workspace import Workspace

    arch = nn.Architecture((8, 8), activation, batch_norm=True)
    data = nn.make_dataset("moons", n=48, seed=5)
    w = arch.init_weights(3) + 0.3 * np.random.default_rng(1).normal(size=arch.n_params)
    idx = np.arange(data.n)
    grad = np.zeros(arch.n_params)
    ws = Workspace.create(arch, data.n)
    loss, _ = mlp.loss_and_gradient(w, arch.layout(), arch.activation_code, arch.norm_layout(),
                                    data.columns, data.y, idx, idx.size, *ws.arrays, grad,
                                    np.empty((0, 0)), 0.0)
    running = arch.running_start()
    update_running(arch.norm_layout(), arch.layout(), ws.B, data.n, running)

    linears, norms = [], []
    for k, (W, b) in enumerate(arch.unflatten(w)):
        layer = torch.nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
        linears.append(layer)
        if k < len(arch.hidden):
            gamma, beta = arch.norm_params(w)[k]
            norm = torch.nn.BatchNorm1d(W.shape[0]).double()
            with torch.no_grad():
                norm.weight.copy_(torch.from_numpy(gamma))
                norm.bias.copy_(torch.from_numpy(beta))
            norms.append(norm)
    act = getattr(torch.nn, TORCH_ACTIVATIONS[activation])()
    modules = []
    for k, layer in enumerate(linears):
        modules.append(layer)
        if k < len(norms):
            modules += [norms[k], act]
    model = torch.nn.Sequential(*modules)
    out = model(torch.from_numpy(data.X))[:, 0]
    reference = torch.nn.functional.binary_cross_entropy_with_logits(out, torch.from_numpy(data.y))
    reference.backward()
    expected = np.zeros(arch.n_params)
    for layer, (_n_in, n_out, w0, b0, *_) in zip(linears, arch.layout(), strict=True):
        expected[w0:b0] = layer.weight.grad.numpy().ravel()
        expected[b0:b0 + n_out] = layer.bias.grad.numpy()
    for norm, g0, (_n_in, n_out, *_rest) in zip(norms, arch.norm_layout(), arch.layout(),
                                               strict=False):
        expected[g0:g0 + n_out] = norm.weight.grad.numpy()
        expected[g0 + n_out:g0 + 2 * n_out] = norm.bias.grad.numpy()
    assert loss == pytest.approx(reference.item(), rel=1e-12)
    np.testing.assert_allclose(grad, expected, rtol=1e-9, atol=1e-13)
    rows = 2
    for norm in norms:
        n = norm.num_features
        np.testing.assert_allclose(running[0, rows:rows + n], norm.running_mean.numpy(),
                                   rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(running[1, rows:rows + n], norm.running_var.numpy(),
                                   rtol=1e-12)
        rows += n
    model.eval()
    points = np.random.default_rng(2).uniform(-2, 2, size=(30, 2))
    with torch.no_grad():
        theirs = torch.sigmoid(model(torch.from_numpy(points))[:, 0]).numpy()
    np.testing.assert_allclose(nn.class_probability(arch, w, points, running), theirs,
                               rtol=1e-12, atol=1e-15)
