"""Network-race benchmarks: the contenders side by side in one process, with ratios.

    python benchmarks/bench_networks.py            # everything
    python benchmarks/bench_networks.py --quick    # fewer repeats, no cold-compile run
    python benchmarks/bench_networks.py --api-only # only section 4
    python benchmarks/bench_networks.py --deep-only # only section 2

1. One training step of a 2-16-16-1 tanh MLP on 256 points (moons): full-batch loss and
   gradient plus an Adam step — the engine (inside a recorded race, and as a bare compiled
   loop) against NumPy and torch (and JAX when installed), all float64 on one thread,
   all from the same initial weights; the losses after the timed steps are compared.
2. A 2-10×64-1 tanh net on the same points, with and without batch normalization: full-batch
   gradient + Adam step (with batch norm also its running statistics), the engine's bare
   compiled loop against NumPy, torch and JAX (jit), all float64 on one thread, timed in
   turns; medians, ratios and the load average are printed.
3. End to end: a 6-optimizer × 500-step full-batch race on the small net, then the 41 × 41
   loss grid on the PCA plane of the paths (and on a random filter-normalised plane).
4. Through the API, against a real server (``descentlab serve`` on a loopback port, called
   with httpx2; ``bench_api.Server``): the 6-optimizer × 500-step race on 2-16-16-1 moons
   (256 points) with a 41 × 41 landscape, end to end (request to parsed JSON), each
   request a new race (another init_seed) and the same race again (recalled from the
   server's memo: landscape and JSON only); the same race streamed to its summary; and the
   latency of decision-boundary requests (61 × 61) for that race, frame after frame, as
   the page sends them while playing; the race again with batch normalization and per-layer
   statistics, what the server says to the same race on the 10 × 64 net, and the 10 × 64
   race its default limits admit (6 × 50 steps, 31 × 31), full batch and mini-batches of 32;
   then, on a server with its limits raised, the 6 × 500 race on the 10 × 64 net with
   per-layer statistics and a 41 × 41 landscape, plain and with batch normalization.
5. Start-up: a fresh process from ``import descentlab.engine.networks`` to its first race and grid,
   with a warm Numba cache and with an empty one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from functools import cache
from pathlib import Path

# JAX (XLA) and NumPy's BLAS on one thread, as every other contender: set before either is
# first imported.
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import httpx2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _startup import report_startup
from _timing import best_of, table
from bench_api import Server, percentile

# Numba itself is imported only through the engine, which first points Numba's cache at
# its own folder (engine._numba_config).
from descentlab.engine import networks as nn
from descentlab.engine.networks import mlp
from descentlab.engine.networks.batchnorm import EPS as BN_EPS
from descentlab.engine.networks.batchnorm import update_running
from descentlab.engine.networks.threads import THREADS
from descentlab.engine.networks.workspace import Workspace
from descentlab.engine.optimizers.adam_family import adam_step

ARCH = nn.Architecture((16, 16), "tanh")
DATA = nn.make_dataset("moons", n=256, noise=0.1, seed=0)
LR, B1, B2, EPS = 0.01, 0.9, 0.999, 1e-8
SIX = [("sgd", {"lr": 0.5}), ("momentum", {"lr": 0.1}), ("nesterov", {"lr": 0.1}),
       ("adagrad", {"lr": 0.1}), ("rmsprop", {"lr": 0.01}), ("adam", {"lr": 0.01})]


def _bare_adam(theta, lay, bn, X, y, idx, A, D, T, G, yb, lb, Z, B, M, R, grad, S, sc, h, lr,
               steps):
    """The engine's pieces and nothing else: full-batch loss and gradient (tanh), with batch
    normalization its running statistics, and an Adam step."""
    loss = 0.0
    for t in range(1, steps + 1):
        loss = mlp.loss_and_gradient(theta, lay, 0, bn, X, y, idx, y.size, A, D, T, G, yb, lb,
                                     Z, B, grad, M, 0.0)[0]
        update_running(bn, lay, B, y.size, R)
        adam_step(theta, grad, S, sc, t, lr, h)
    return loss


@cache
def bare_kernel():
    from numba import njit

    return njit(cache=True, nogil=True, error_model="numpy")(_bare_adam)


def engine_bare(steps: int, arch: nn.Architecture = ARCH) -> float:
    """Adam's kernel vector is [β1, β2, δ, λ (coupled decay), c (bias correction on)]."""
    theta = arch.init_weights(0)
    return bare_kernel()(theta, arch.layout(), arch.norm_layout(), DATA.columns, DATA.y,
                         np.arange(DATA.n), *Workspace.create(arch, DATA.n).arrays,
                         np.empty((0, 0)), arch.running_start(), np.zeros(theta.size),
                         np.zeros((2, theta.size)), np.ones(2),
                         np.array([B1, B2, EPS, 0.0, 1.0]), LR,
                         steps)


def engine_race(steps: int) -> float:
    """The loss before the last step, as the other contenders report it."""
    return float(nn.network_race(DATA, ARCH, [("adam", {"lr": LR})], steps=steps).loss[0, -2])


def _adam_in_place(p, g, mm, vv, c1: float, c2: float) -> None:
    """One NumPy Adam step of parameter p with gradient g (moments mm, vv; bias corrections
    c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ), in place, as torch.optim.Adam writes it."""
    mm *= B1
    mm += (1.0 - B1) * g
    vv *= B2
    vv += (1.0 - B2) * g * g
    p -= LR * (mm / c1) / (np.sqrt(vv / c2) + EPS)


def numpy_adam(steps: int) -> float:
    """Matrix-at-a-time NumPy: the usual way to write it without a framework."""
    layers = [(W.copy(), b.copy()) for W, b in ARCH.unflatten(ARCH.init_weights(0))]
    X, y, n = DATA.X.T, DATA.y, DATA.n
    m = [(np.zeros_like(W), np.zeros_like(b)) for W, b in layers]
    v = [(np.zeros_like(W), np.zeros_like(b)) for W, b in layers]
    loss = 0.0
    for t in range(1, steps + 1):
        acts = [X]
        for k, (W, b) in enumerate(layers):
            z = W @ acts[-1] + b[:, None]
            acts.append(np.tanh(z) if k < len(layers) - 1 else z)
        z = acts[-1][0]
        loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
        d = ((1.0 / (1.0 + np.exp(-z))) - y)[None, :] / n
        grads = [None] * len(layers)
        for k in range(len(layers) - 1, -1, -1):
            grads[k] = (d @ acts[k].T, d.sum(axis=1))
            if k:
                d = (layers[k][0].T @ d) * (1.0 - acts[k] ** 2)
        c1, c2 = 1.0 - B1**t, 1.0 - B2**t
        for k, ((W, b), (gW, gb)) in enumerate(zip(layers, grads, strict=True)):
            for p, g, mm, vv in ((W, gW, m[k][0], v[k][0]), (b, gb, m[k][1], v[k][1])):
                _adam_in_place(p, g, mm, vv, c1, c2)
    return loss


def _torch_adam_steps(model, steps: int) -> float:
    """``steps`` full-batch Adam steps of a torch model on the benchmark's data; the last loss."""
    import torch

    X, y = torch.from_numpy(DATA.X), torch.from_numpy(DATA.y)
    optim = torch.optim.Adam(model.parameters(), lr=LR, betas=(B1, B2), eps=EPS)
    lossf = torch.nn.BCEWithLogitsLoss()
    loss = 0.0
    for _ in range(steps):
        optim.zero_grad()
        out = lossf(model(X)[:, 0], y)
        out.backward()
        optim.step()
        loss = out.item()
    return loss


def torch_adam(steps: int) -> float:
    import torch

    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(),
                                torch.nn.Linear(16, 16), torch.nn.Tanh(),
                                torch.nn.Linear(16, 1)).double()
    with torch.no_grad():
        for layer, (W, b) in zip(model[::2], ARCH.unflatten(ARCH.init_weights(0)),
                                 strict=True):
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
    return _torch_adam_steps(model, steps)


def jax_adam(steps: int) -> float:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    params = [(jnp.asarray(W), jnp.asarray(b)) for W, b in ARCH.unflatten(ARCH.init_weights(0))]
    X, y = jnp.asarray(DATA.X.T), jnp.asarray(DATA.y)

    def loss_fn(ps):
        a = X
        for k, (W, b) in enumerate(ps):
            a = W @ a + b[:, None]
            a = jnp.tanh(a) if k < len(ps) - 1 else a
        return jnp.mean(jnp.logaddexp(0.0, a[0]) - y * a[0])

    @jax.jit
    def step(ps, m, v, t):
        loss, g = jax.value_and_grad(loss_fn)(ps)
        m = jax.tree_util.tree_map(lambda a, b: B1 * a + (1 - B1) * b, m, g)
        v = jax.tree_util.tree_map(lambda a, b: B2 * a + (1 - B2) * b * b, v, g)
        ps = jax.tree_util.tree_map(
            lambda p, a, b: p - LR * (a / (1 - B1**t)) / (jnp.sqrt(b / (1 - B2**t)) + EPS),
            ps, m, v)
        return ps, m, v, loss

    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    m, v, loss = zeros, zeros, 0.0
    for t in range(1, steps + 1):
        params, m, v, loss = step(params, m, v, float(t))
    return float(loss)


def one_step(repeats: int) -> None:
    steps = 500
    rows, losses = [], {}
    engine_bare(10)
    nn.network_race(DATA, ARCH, [("adam", {"lr": LR})], steps=10)
    t = best_of(lambda: engine_bare(steps), repeats)
    rows.append(("engine: loss_and_gradient + Adam (bare)", t / steps * 1e6))
    losses["engine"] = engine_bare(steps)
    long = 4 * steps
    t_short = best_of(lambda: engine_race(steps), repeats)
    t_long = best_of(lambda: engine_race(long + steps), max(2, repeats // 3))
    rows.append(("engine: network_race step (recorded)", (t_long - t_short) / long * 1e6))
    t = best_of(lambda: numpy_adam(steps), max(1, repeats // 4))
    rows.append(("NumPy (matrices, np.tanh)", t / steps * 1e6))
    losses["NumPy"] = numpy_adam(steps)
    for name, fn in (("torch 2 (float64, 1 thread)", torch_adam), ("JAX (jit, float64)", jax_adam)):
        try:
            fn(5)
        except ImportError:
            print(f"  ({name.split()[0]} not installed: skipped)")
            continue
        t = best_of(lambda fn=fn: fn(steps), max(1, repeats // 4))
        rows.append((name, t / steps * 1e6))
        losses[name.split()[0]] = fn(steps)
    table(f"One full-batch gradient + Adam step: 2-16-16-1 tanh, {DATA.n} points (target ≤ 60 µs)",
          "µs / step", rows, "engine: loss_and_gradient + Adam (bare)")
    spread = max(losses.values()) - min(losses.values())
    print(f"  loss after {steps} steps: " + ", ".join(f"{k} {v:.12f}" for k, v in losses.items())
          + f"  (spread {spread:.1e})")


# ------------------------------------------------------------ 10 × 64 tanh, batch norm
DEEP = nn.Architecture((64,) * 10, "tanh")
DEEP_BN = nn.Architecture((64,) * 10, "tanh", batch_norm=True)
DEEP_STEPS = 20


def _deep_params(arch: nn.Architecture) -> list[list[np.ndarray]]:
    """[W, b] per layer, then [γ, β] per hidden layer with batch normalization: copies."""
    w = arch.init_weights(0)
    return ([[W.copy(), b.copy()] for W, b in arch.unflatten(w)]
            + [[g.copy(), b.copy()] for g, b in arch.norm_params(w)])


def numpy_deep(arch: nn.Architecture, steps: int) -> float:
    """Matrix-at-a-time NumPy, batch normalization's backward pass from its formula."""
    params = _deep_params(arch)
    layers, norms = params[:len(arch.hidden) + 1], params[len(arch.hidden) + 1:]
    X, y, n = DATA.X.T, DATA.y, DATA.n
    m = [[np.zeros_like(p) for p in group] for group in params]
    v = [[np.zeros_like(p) for p in group] for group in params]
    running = [[np.zeros(g.size), np.ones(g.size)] for g, _ in norms]
    loss = 0.0
    for t in range(1, steps + 1):
        acts, cache = [X], []
        for k, (W, b) in enumerate(layers):
            z = W @ acts[-1] + b[:, None]
            if k < len(layers) - 1:
                if norms:
                    mu, var = z.mean(axis=1), z.var(axis=1)
                    inv = 1.0 / np.sqrt(var + BN_EPS)
                    xh = (z - mu[:, None]) * inv[:, None]
                    cache.append((xh, inv))
                    running[k][0] = 0.9 * running[k][0] + 0.1 * mu
                    running[k][1] = 0.9 * running[k][1] + 0.1 * var * n / (n - 1)
                    z = norms[k][0][:, None] * xh + norms[k][1][:, None]
                z = np.tanh(z)
            acts.append(z)
        z = acts[-1][0]
        loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
        d = ((1.0 / (1.0 + np.exp(-z))) - y)[None, :] / n
        grads: list = [None] * len(params)
        for k in range(len(layers) - 1, -1, -1):
            grads[k] = [d @ acts[k].T, d.sum(axis=1)]
            if k:
                d = (layers[k][0].T @ d) * (1.0 - acts[k] ** 2)
                if norms:
                    xh, inv = cache[k - 1]
                    dyx = (d * xh).sum(axis=1)
                    dy = d.sum(axis=1)
                    grads[len(layers) + k - 1] = [dyx, dy]
                    d = (norms[k - 1][0] * inv)[:, None] * (d - dy[:, None] / n
                                                            - xh * (dyx / n)[:, None])
        c1, c2 = 1.0 - B1**t, 1.0 - B2**t
        for group, g_group, m_group, v_group in zip(params, grads, m, v, strict=True):
            for p, g, mm, vv in zip(group, g_group, m_group, v_group, strict=True):
                _adam_in_place(p, g, mm, vv, c1, c2)
    return loss


def torch_deep(arch: nn.Architecture, steps: int) -> float:
    import torch

    torch.set_num_threads(1)
    params = _deep_params(arch)
    modules, norms = [], params[len(arch.hidden) + 1:]
    for k, (W, b) in enumerate(params[:len(arch.hidden) + 1]):
        layer = torch.nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
        modules.append(layer)
        if k < len(arch.hidden):
            if norms:
                modules.append(torch.nn.BatchNorm1d(W.shape[0]).double())
            modules.append(torch.nn.Tanh())
    model = torch.nn.Sequential(*modules)
    return _torch_adam_steps(model, steps)


@cache
def _jax_deep_step(batch_norm: bool):
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    X, y = jnp.asarray(DATA.X.T), jnp.asarray(DATA.y)
    n = DATA.n

    def loss_fn(ps):
        layers, norms = ps
        a, moments = X, []
        for k, (W, b) in enumerate(layers):
            a = W @ a + b[:, None]
            if k < len(layers) - 1:
                if batch_norm:
                    mu, var = a.mean(axis=1), a.var(axis=1)
                    moments.append((mu, var))
                    a = (norms[k][0][:, None] * (a - mu[:, None])
                         / jnp.sqrt(var[:, None] + BN_EPS) + norms[k][1][:, None])
                a = jnp.tanh(a)
        return jnp.mean(jnp.logaddexp(0.0, a[0]) - y * a[0]), moments

    @jax.jit
    def step(ps, m, v, running, t):
        (loss, moments), g = jax.value_and_grad(loss_fn, has_aux=True)(ps)
        running = [(0.9 * rm + 0.1 * mu, 0.9 * rv + 0.1 * var * n / (n - 1))
                   for (rm, rv), (mu, var) in zip(running, moments, strict=True)]
        m = jax.tree_util.tree_map(lambda a, b: B1 * a + (1 - B1) * b, m, g)
        v = jax.tree_util.tree_map(lambda a, b: B2 * a + (1 - B2) * b * b, v, g)
        ps = jax.tree_util.tree_map(
            lambda p, a, b: p - LR * (a / (1 - B1**t)) / (jnp.sqrt(b / (1 - B2**t)) + EPS),
            ps, m, v)
        return ps, m, v, running, loss

    return step


def jax_deep(arch: nn.Architecture, steps: int) -> float:
    import jax
    import jax.numpy as jnp

    params = _deep_params(arch)
    hidden = len(arch.hidden)
    ps = ([tuple(jnp.asarray(p) for p in group) for group in params[:hidden + 1]],
          [tuple(jnp.asarray(p) for p in group) for group in params[hidden + 1:]])
    step = _jax_deep_step(arch.batch_norm)
    zeros = jax.tree_util.tree_map(jnp.zeros_like, ps)
    m, v, loss = zeros, zeros, 0.0
    running = [(jnp.zeros(g.size), jnp.ones(g.size)) for g, _ in params[hidden + 1:]]
    for t in range(1, steps + 1):
        ps, m, v, running, loss = step(ps, m, v, running, float(t))
    return float(loss)


def deep_net(rounds: int) -> None:
    """Section 2: the 10 × 64 tanh net, with and without batch normalization, every
    contender timed in turns (a slow spell of the shared machine falls on all alike)."""
    load = os.getloadavg()
    contenders: dict[str, object] = {}
    losses: dict[str, float] = {}
    for arch, tag in ((DEEP, "plain"), (DEEP_BN, "batch norm")):
        for name, fn in (("engine (bare loop)", lambda a=arch, s=DEEP_STEPS: engine_bare(s, a)),
                         ("NumPy", lambda a=arch, s=DEEP_STEPS: numpy_deep(a, s)),
                         ("torch 2 (1 thread)", lambda a=arch, s=DEEP_STEPS: torch_deep(a, s)),
                         ("JAX (jit, 1 thread)", lambda a=arch, s=DEEP_STEPS: jax_deep(a, s))):
            try:
                losses[f"{name}, {tag}"] = fn()  # compiles; the loss after the steps
            except ImportError:
                continue
            contenders[f"{name}, {tag}"] = fn
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) / DEEP_STEPS)
    print(f"\n10 × 64 tanh net ({DEEP.n_params} weights; {DEEP_BN.n_params} with batch norm) "
          f"on {DATA.n} points: full-batch gradient + Adam step, float64, one thread; "
          f"{rounds} rounds of {DEEP_STEPS} steps")
    print(f"  load average {load[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"  {'contender':<36}{'median µs':>11}{'best µs':>10}{'÷ engine':>10}"
          f"{'loss':>18}")
    for tag in ("plain", "batch norm"):
        base = statistics.median(times[f"engine (bare loop), {tag}"])
        for name in contenders:
            if name.endswith(tag) and (tag == "batch norm" or "batch norm" not in name):
                med = statistics.median(times[name])
                print(f"  {name:<36}{med * 1e6:>11.0f}{min(times[name]) * 1e6:>10.0f}"
                      f"{med / base:>10.2f}{losses[name]:>18.12f}")
    med = {name: statistics.median(t) for name, t in times.items()}
    ours = med["engine (bare loop), batch norm"] / med["engine (bare loop), plain"]
    print(f"  batch norm ÷ plain: engine {ours:.2f}"
          + "".join(f", {k} {med[f'{k}, batch norm'] / med[f'{k}, plain']:.2f}"
                    for k in ("NumPy", "torch 2 (1 thread)", "JAX (jit, 1 thread)")
                    if f"{k}, plain" in med)
          + "  (target ≤ 1.5 for the engine; engine ≤ JAX's time)")


def end_to_end(repeats: int) -> None:
    def race():
        return nn.network_race(DATA, ARCH, SIX, steps=500)

    r = race()
    nn.landscape(r, "pca", 41)
    nn.landscape(r, "random", 41)
    t_race = best_of(race, repeats)
    t_pca = best_of(lambda: nn.landscape(r, "pca", 41), repeats)
    t_rand = best_of(lambda: nn.landscape(r, "random", 41), repeats)
    t_all = best_of(lambda: nn.landscape(race(), "pca", 41), repeats)
    print(f"\nEnd to end: 6 optimizers × 500 full-batch steps + 41 × 41 landscape "
          f"(target ≤ 1 s; {THREADS} threads)")
    print(f"  race (6 runs in parallel threads)   {t_race * 1e3:8.1f} ms")
    print(f"  PCA plane + 41×41 grid              {t_pca * 1e3:8.1f} ms")
    print(f"  random plane + 41×41 grid           {t_rand * 1e3:8.1f} ms")
    print(f"  race + PCA grid, end to end         {t_all * 1e3:8.1f} ms")
    print("  final loss / accuracy: " + ", ".join(
        f"{label} {r.loss[i, -1]:.3g}/{r.accuracy[i, -1]:.3f}"
        for i, label in enumerate(r.labels)))


API_RACE = {"dataset": {"id": "moons", "params": {"n": 256, "noise": 0.1, "seed": 0}},
            "architecture": {"hidden": [16, 16], "activation": "tanh"},
            "optimizers": [{"id": o, "hyperparameters": h} for o, h in SIX],
            "steps": 500, "landscape": {"plane": "pca", "resolution": 41}}


API_BN_RACE = {**API_RACE, "architecture": {"hidden": [16, 16], "activation": "tanh",
                                           "batch_norm": True},
               "statistics": {}}
API_DEEP_RACE = {**API_BN_RACE, "architecture": {"hidden": [64] * 10, "activation": "tanh",
                                                 "batch_norm": True}}
# The 10 × 64 race the default limits admit: 50 steps keep its recorded weights in memory,
# a 31 × 31 landscape keeps it within the compute budget.
API_DEEP_ADMITTED = {**API_DEEP_RACE, "steps": 50,
                     "landscape": {"plane": "pca", "resolution": 31}}


def _timed_post(client: httpx2.Client, path: str, body: dict) -> tuple[float, dict]:
    """Seconds from sending the request to the parsed JSON, and the JSON."""
    started = time.perf_counter()
    response = client.post(path, json=body)
    response.raise_for_status()
    document = response.json()
    return time.perf_counter() - started, document


def _timed_stream(client: httpx2.Client, body: dict) -> float:
    started = time.perf_counter()
    with client.stream("POST", "/api/v1/networks/races/stream", json=body) as response:
        response.raise_for_status()
        last = ""
        for line in response.iter_lines():
            last = line or last
    assert '"type":"summary"' in last, last[:200]
    return time.perf_counter() - started


def through_the_api(repeats: int) -> None:
    with Server() as server, httpx2.Client(base_url=server.url, timeout=60,
                                          headers={"Accept-Encoding": "zstd"}) as client:
        _timed_post(client, "/api/v1/networks/races", {**API_RACE, "init_seed": 999})
        fresh = [_timed_post(client, "/api/v1/networks/races",
                             {**API_RACE, "init_seed": seed})[0] for seed in range(repeats)]
        recalled, document = zip(*(_timed_post(client, "/api/v1/networks/races", API_RACE)
                                   for _ in range(repeats)), strict=True)
        streamed = [_timed_stream(client, {**API_RACE, "init_seed": 100 + seed})
                    for seed in range(max(2, repeats // 2))]
        boundary = [_timed_post(client, "/api/v1/networks/boundary",
                                {"race": API_RACE, "run": "Adam", "frame": frame,
                                 "resolution": 61})[0]
                    for frame in range(0, 501, 5)]
        normed = [_timed_post(client, "/api/v1/networks/races",
                              {**API_BN_RACE, "init_seed": 200 + seed})[0]
                  for seed in range(max(2, repeats // 2))]
        deep = client.post("/api/v1/networks/races", json=API_DEEP_RACE)
        deep_runs = [[_timed_post(client, "/api/v1/networks/races",
                                  {**API_DEEP_ADMITTED, "batch_size": batch,
                                   "init_seed": 300 + seed})[0]
                      for seed in range(max(2, repeats // 4))]
                     for batch in (None, 32)]
    print("\nThrough the API (descentlab serve on loopback, httpx2, zstd; target race ≤ 1 s)")
    print(f"  {'request':<58}{'best ms':>10}{'median ms':>11}")
    rows = [("race + 41×41 landscape, a new race each time", fresh),
            ("the same race again (recalled: landscape + JSON only)", recalled),
            ("the new race streamed to its summary line", streamed),
            ("with batch norm + layer statistics (a new race each time)", normed),
            ("10 × 64 batch norm, 6 × 50, statistics, 31×31: full batch", deep_runs[0]),
            ("the same with mini-batches of 32", deep_runs[1])]
    for name, times in rows:
        print(f"  {name:<58}{min(times) * 1e3:>10.1f}{statistics.median(times) * 1e3:>11.1f}")
    print(f"  decision boundary 61×61, {len(boundary)} frames of a raced race: "
          f"p50 {percentile(boundary, 50) * 1e3:.1f} ms, "
          f"p99 {percentile(boundary, 99) * 1e3:.1f} ms, max {max(boundary) * 1e3:.1f} ms")
    detail = deep.json()["detail"][0]["msg"] if deep.status_code == 422 else ""
    print(f"  6 × 500 on the 10 × 64 net with batch norm, statistics and 41×41: HTTP "
          f"{deep.status_code} {detail[:200]}")
    runs = document[-1]["runs"]
    print("  final loss / accuracy: " + ", ".join(
        f"{r['label']} {r['final']['loss']:.3g}/{r['final']['accuracy']:.3f}" for r in runs))


# The race: 6 × 500 full-batch steps on the 10 × 64 tanh net (256 points) with
# per-layer statistics and a 41 × 41 landscape, which the default limits refuse. A server
# whose admin raised them runs it.
API_DEEP_FULL = {**API_RACE, "architecture": {"hidden": [64] * 10, "activation": "tanh"},
                 "statistics": {}}
RAISED = {"DESCENTLAB_NETWORK_COMPUTE_BUDGET": str(10**12),
          "DESCENTLAB_NETWORK_RECORD_BYTES": str(4 * 10**9),
          "DESCENTLAB_NETWORK_MEMO_BYTES": str(4 * 10**9)}


def deep_through_the_api(repeats: int) -> None:
    """Section 4b: the 6 × 500 race on the 10 × 64 net through a server with raised limits,
    plain and with batch normalization, each request a new race (another init_seed)."""
    rows = []
    with Server(RAISED) as server, httpx2.Client(base_url=server.url, timeout=120,
                                                headers={"Accept-Encoding": "zstd"}) as client:
        for tag, arch in (("tanh", {}), ("tanh + batch norm", {"batch_norm": True})):
            body = {**API_DEEP_FULL,
                    "architecture": {**API_DEEP_FULL["architecture"], **arch}}
            _timed_post(client, "/api/v1/networks/races", {**body, "init_seed": 999})
            times = [_timed_post(client, "/api/v1/networks/races",
                                 {**body, "init_seed": 400 + seed})[0]
                     for seed in range(repeats)]
            rows.append((f"10 × 64 {tag}, 6 × 500, statistics, 41×41", times))
    print("\nThe 10 × 64 race through the API, limits raised "
          f"({', '.join(f'{k}={v}' for k, v in RAISED.items())}); target ≤ 1.5 s")
    print(f"  {'request':<58}{'best ms':>10}{'median ms':>11}")
    for name, times in rows:
        print(f"  {name:<58}{min(times) * 1e3:>10.1f}{statistics.median(times) * 1e3:>11.1f}")


def startup() -> None:
    report_startup("import → first race, landscape and boundary",
                   "import time; t=time.perf_counter(); import descentlab as dl; nn = dl.networks; "
                   "r = nn.network_race('moons', None, ['sgd', 'adam'], steps=50); "
                   "nn.landscape(r, 'pca', 21); nn.decision_boundary(r); "
                   "print(time.perf_counter()-t)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, skip cold start")
    parser.add_argument("--api-only", action="store_true", help="only the API section")
    parser.add_argument("--deep-only", action="store_true",
                        help="only the 10 × 64 net, with and without batch normalization")
    args = parser.parse_args()
    repeats = 5 if args.quick else 15
    print(f"machine: {os.cpu_count()} cores, load average "
          f"{', '.join(f'{v:.2f}' for v in os.getloadavg())} (1, 5, 15 min), "
          f"threads {THREADS}")
    if not args.api_only and not args.deep_only:
        one_step(repeats)
    if not args.api_only:
        deep_net(5 if args.quick else 11)
    if args.deep_only:
        return
    if not args.api_only:
        end_to_end(3 if args.quick else 7)
    through_the_api(5 if args.quick else 11)
    deep_through_the_api(3 if args.quick else 5)
    if not args.quick and not args.api_only:
        startup()
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
