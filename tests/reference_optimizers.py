"""Plain-Python reference optimizers, learning-rate schedules and gradient processing.

Written from the formulas (the lectures, the papers, torch.optim's documented update rules)
with floats and tuples only — no numpy in the update math and no engine import — so that
agreeing with the compiled engine to rounding means the engine implements the formulas,
not merely that two copies of the same code agree. Where the engine saves work (running
products instead of powers, hoisted constants) this module deliberately does not: each
quantity is computed the way the formula reads.

An optimizer step is a pure function ``step(opt_id, hp, x, state, g, t, lr, hess)`` from the
point and state after t−1 steps to those after t steps, so a test can feed it the engine's
recorded state at any step and compare one step at a time where a path is chaotic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

Vec = tuple[float, float]
State = dict[str, Vec]
ValueGrad = Callable[[Vec], tuple[float, Vec]]
Hessian = Callable[[Vec], tuple[float, float, float]]

# State variables of each optimizer, named as in the engine's catalogue.
STATE_NAMES: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("v",),
    "nesterov": ("v",),
    "adagrad": ("s",),
    "rmsprop": ("s",),
    "adam": ("m", "v"),
    "adamax": ("m", "u"),
    "nadam": ("m", "v"),
    "amsgrad": ("m", "v", "v_max"),
    "adadelta": ("s", "delta"),
    "rmsprop_nesterov": ("s", "v"),
    "newton": (),
    "polyak": (),
    "line_search": ("a",),
    "random_search": ("u",),
    "adamw": ("m", "v"),
    "radam": ("m", "v"),
    "adabelief": ("m", "s"),
    "lion": ("m",),
    "yogi": ("m", "v"),
    "qhm": ("b",),
    "qhadam": ("m", "v"),
    "schedule_free_sgd": ("z_offset",),
    "schedule_free_adamw": ("z_offset", "v"),
    "prodigy": ("m", "v", "s", "x0", "d", "r"),
}


def initial_state(opt_id: str) -> State:
    """Every state variable starts at zero."""
    return {name: (0.0, 0.0) for name in STATE_NAMES[opt_id]}


def gradient_point(opt_id: str, hp: Mapping[str, float], x: Vec, state: State) -> Vec:
    """Where the gradient is taken: the look-ahead x + μv for the Nesterov family, else x."""
    if opt_id == "nesterov" or opt_id == "rmsprop_nesterov":
        mu = hp["momentum"]
        v = state["v"]
        return (x[0] + mu * v[0], x[1] + mu * v[1])
    if opt_id.startswith("schedule_free"):
        return _schedule_free_y(hp, x, state)
    return x


def _schedule_free_y(hp, x, state):
    """Defazio et al.: y = β₁x + (1 − β₁)z, i.e. x + (1 − β₁)(z − x) from the state's z − x
    (in that form: a gradient is sensitive to the rounding of the point it is taken at)."""
    return tuple(x[i] + (1.0 - hp["beta1"]) * state["z_offset"][i] for i in range(2))


def _decayed(hp, x, g):
    """Coupled weight decay: the gradient of f + ½λ‖x‖² at x (torch's weight_decay)."""
    return tuple(g[i] + hp["weight_decay"] * x[i] for i in range(2))


def _sgd(hp, x, state, g, t, lr):
    g = _decayed(hp, x, g)
    return tuple(x[i] - lr * g[i] for i in range(2)), {}


def _momentum(hp, x, state, g, t, lr):
    """Goodfellow et al. 8.2: v ← μv − ε(g + λx); x ← x + v."""
    mu = hp["momentum"]
    g = _decayed(hp, x, g)
    v = tuple(mu * state["v"][i] - lr * g[i] for i in range(2))
    return tuple(x[i] + v[i] for i in range(2)), {"v": v}


def _nesterov(hp, x, state, g, t, lr):
    """Goodfellow et al. 8.3: g and the decay both at the look-ahead x + μv."""
    mu = hp["momentum"]
    g = _decayed(hp, gradient_point("nesterov", hp, x, state), g)
    v = tuple(mu * state["v"][i] - lr * g[i] for i in range(2))
    return tuple(x[i] + v[i] for i in range(2)), {"v": v}


def _adagrad(hp, x, state, g, t, lr):
    g = _decayed(hp, x, g)
    s = tuple(state["s"][i] + g[i] ** 2 for i in range(2))
    return (tuple(x[i] - lr / (math.sqrt(s[i]) + hp["eps"]) * g[i] for i in range(2)),
            {"s": s})


def _rmsprop(hp, x, state, g, t, lr):
    g = _decayed(hp, x, g)
    rho = hp["decay"]
    s = tuple(rho * state["s"][i] + (1.0 - rho) * g[i] ** 2 for i in range(2))
    return (tuple(x[i] - lr / (math.sqrt(s[i]) + hp["eps"]) * g[i] for i in range(2)),
            {"s": s})


def _moments(hp, state, g):
    b1, b2 = hp["beta1"], hp["beta2"]
    m = tuple(b1 * state["m"][i] + (1.0 - b1) * g[i] for i in range(2))
    v = tuple(b2 * state["v"][i] + (1.0 - b2) * g[i] ** 2 for i in range(2))
    return m, v


def _correction(hp: Mapping[str, float], beta: str, t: int) -> float:
    """1 − βᵗ, what Kingma & Ba divide a moment by; with ``bias_correction`` c the engine's
    switch, 1 − c·βᵗ (c = 0: the moment used raw)."""
    return 1.0 - hp.get("bias_correction", 1.0) * hp[beta] ** t


def _adam(hp, x, state, g, t, lr):
    """Kingma & Ba, algorithm 1: bias-corrected moments, ε after the square root; the
    decay coupled (added to the gradient) as torch.optim.Adam's weight_decay."""
    m, v = _moments(hp, state, _decayed(hp, x, g))
    m_hat = tuple(m[i] / _correction(hp, "beta1", t) for i in range(2))
    v_hat = tuple(v[i] / _correction(hp, "beta2", t) for i in range(2))
    return (tuple(x[i] - lr * m_hat[i] / (math.sqrt(v_hat[i]) + hp["eps"]) for i in range(2)),
            {"m": m, "v": v})


def _adamw(hp, x, state, g, t, lr):
    """Loshchilov & Hutter as torch.optim.AdamW: shrink x by 1 − ελ, then Adam's step."""
    m, v = _moments(hp, state, g)
    shrunk = tuple(x[i] * (1.0 - lr * hp["weight_decay"]) for i in range(2))
    m_hat = tuple(m[i] / _correction(hp, "beta1", t) for i in range(2))
    v_hat = tuple(v[i] / _correction(hp, "beta2", t) for i in range(2))
    return (tuple(shrunk[i] - lr * m_hat[i] / (math.sqrt(v_hat[i]) + hp["eps"])
                  for i in range(2)), {"m": m, "v": v})


def _radam(hp, x, state, g, t, lr):
    """Liu et al. (2020), algorithm 2, as torch.optim.RAdam (decay coupled)."""
    b2 = hp["beta2"]
    m, v = _moments(hp, state, _decayed(hp, x, g))
    m_hat = tuple(m[i] / (1.0 - hp["beta1"] ** t) for i in range(2))
    rho_inf = 2.0 / (1.0 - b2) - 1.0
    rho = rho_inf - 2.0 * t * b2 ** t / (1.0 - b2 ** t)
    if rho <= 5.0:
        return tuple(x[i] - lr * m_hat[i] for i in range(2)), {"m": m, "v": v}
    r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    step = tuple(r * m_hat[i] * math.sqrt(1.0 - b2 ** t) / (math.sqrt(v[i]) + hp["eps"])
                 for i in range(2))
    return tuple(x[i] - lr * step[i] for i in range(2)), {"m": m, "v": v}


def _adabelief(hp, x, state, g, t, lr):
    """Zhuang et al. (2020) as optax.adabelief: s tracks (g − m)², plus δ_root each step."""
    b1, b2 = hp["beta1"], hp["beta2"]
    m = tuple(b1 * state["m"][i] + (1.0 - b1) * g[i] for i in range(2))
    s = tuple(b2 * state["s"][i] + (1.0 - b2) * (g[i] - m[i]) ** 2 + hp["eps_root"]
              for i in range(2))
    new_x = tuple(x[i] - lr * (m[i] / _correction(hp, "beta1", t))
                  / (math.sqrt(s[i] / _correction(hp, "beta2", t)) + hp["eps"]) for i in range(2))
    return new_x, {"m": m, "s": s}


def _lion(hp, x, state, g, t, lr):
    """Chen et al. (2023), algorithm 2: the sign of a blend, then the momentum update."""
    b1, b2, wd = hp["beta1"], hp["beta2"], hp["weight_decay"]
    blend = tuple((1.0 - b1) * g[i] + b1 * state["m"][i] for i in range(2))
    sign = tuple(math.copysign(1.0, c) if c != 0.0 else 0.0 for c in blend)
    m = tuple(b2 * state["m"][i] + (1.0 - b2) * g[i] for i in range(2))
    return tuple(x[i] - lr * (sign[i] + wd * x[i]) for i in range(2)), {"m": m}


def _yogi(hp, x, state, g, t, lr):
    """Zaheer et al. (2018), algorithm 2, as optax.yogi: m and v start at 1e-6 (optax's
    initial_accumulator_value), v_t = v − (1 − β₂) sign(v − g²) g², both bias-corrected."""
    b1, b2 = hp["beta1"], hp["beta2"]
    if t == 1:
        state = {"m": (1e-6, 1e-6), "v": (1e-6, 1e-6)}
    m = tuple(b1 * state["m"][i] + (1.0 - b1) * g[i] for i in range(2))
    v = tuple(state["v"][i] - (1.0 - b2) * _sign(state["v"][i] - g[i] ** 2) * g[i] ** 2
              for i in range(2))
    new_x = tuple(x[i] - lr * (m[i] / _correction(hp, "beta1", t))
                  / (math.sqrt(v[i] / _correction(hp, "beta2", t)) + hp["eps"]) for i in range(2))
    return new_x, {"m": m, "v": v}


def _sign(value: float) -> float:
    return math.copysign(1.0, value) if value != 0.0 else 0.0


def _qhm(hp, x, state, g, t, lr):
    """Ma & Yarats (2019), equation (2): b ← βb + (1−β)g; x ← x − ε((1−ν)g + νb), with the
    coupled decay in g as qhoptim's."""
    beta, nu = hp["beta"], hp["nu"]
    g = _decayed(hp, x, g)
    b = tuple(beta * state["b"][i] + (1.0 - beta) * g[i] for i in range(2))
    return tuple(x[i] - lr * ((1.0 - nu) * g[i] + nu * b[i]) for i in range(2)), {"b": b}


def _qhadam(hp, x, state, g, t, lr):
    """Ma & Yarats (2019), algorithm 2: blends of g with m̂ above and of g² with v̂ below."""
    nu1, nu2 = hp["nu1"], hp["nu2"]
    g = _decayed(hp, x, g)
    m, v = _moments(hp, state, g)
    m_hat = tuple(m[i] / _correction(hp, "beta1", t) for i in range(2))
    v_hat = tuple(v[i] / _correction(hp, "beta2", t) for i in range(2))
    new_x = tuple(x[i] - lr * ((1.0 - nu1) * g[i] + nu1 * m_hat[i])
                  / (math.sqrt((1.0 - nu2) * g[i] ** 2 + nu2 * v_hat[i]) + hp["eps"])
                  for i in range(2))
    return new_x, {"m": m, "v": v}


def _schedule_free(x, state, z_step, t):
    """z ← z − z_step; x ← (1 − c)x + cz with c = 1/t: the weights (max ε)² of a constant
    rate are equal, so x is the plain average of z_1 … z_t."""
    z = tuple(x[i] + state["z_offset"][i] - z_step[i] for i in range(2))
    new_x = tuple((1.0 - 1.0 / t) * x[i] + z[i] / t for i in range(2))
    return new_x, tuple(z[i] - new_x[i] for i in range(2))


def _schedule_free_sgd(hp, x, state, g, t, lr):
    """optax.contrib.schedule_free_sgd: z takes SGD's step with λy added to the gradient."""
    y = _schedule_free_y(hp, x, state)
    new_x, offset = _schedule_free(
        x, state, tuple(lr * (g[i] + hp["weight_decay"] * y[i]) for i in range(2)), t)
    return new_x, {"z_offset": offset}


def _schedule_free_adamw(hp, x, state, g, t, lr):
    """optax.contrib.schedule_free_adamw: z takes RMSProp's bias-corrected step (δ outside
    the root) plus ελy."""
    b2 = hp["beta2"]
    y = _schedule_free_y(hp, x, state)
    v = tuple(b2 * state["v"][i] + (1.0 - b2) * g[i] ** 2 for i in range(2))
    scaled = tuple(g[i] / (math.sqrt(v[i] / (1.0 - b2 ** t)) + hp["eps"]) for i in range(2))
    new_x, offset = _schedule_free(
        x, state, tuple(lr * (scaled[i] + hp["weight_decay"] * y[i]) for i in range(2)), t)
    return new_x, {"z_offset": offset, "v": v}


def _adamax(hp, x, state, g, t, lr):
    """Kingma & Ba, algorithm 2, in torch's form: ε inside the max; decay coupled."""
    g = _decayed(hp, x, g)
    b1, b2 = hp["beta1"], hp["beta2"]
    m = tuple(b1 * state["m"][i] + (1.0 - b1) * g[i] for i in range(2))
    u = tuple(max(b2 * state["u"][i], abs(g[i]) + hp["eps"]) for i in range(2))
    return (tuple(x[i] - lr / _correction(hp, "beta1", t) * m[i] / u[i] for i in range(2)),
            {"m": m, "u": u})


def _nadam_mu(hp: Mapping[str, float], t: int) -> float:
    """Dozat's momentum schedule μ_t = β₁(1 − ½·0.96^{tψ})."""
    return hp["beta1"] * (1.0 - 0.5 * 0.96 ** (t * hp["momentum_decay"]))


def _nadam(hp, x, state, g, t, lr):
    """Dozat (2016) as torch.optim.NAdam: the gradient term weighted by 1 − μ_t over
    1 − Π_{i≤t} μ_i, the momentum term by μ_{t+1} over 1 − Π_{i≤t+1} μ_i; decay coupled."""
    g = _decayed(hp, x, g)
    m, v = _moments(hp, state, g)
    prod = 1.0
    for i in range(1, t + 1):
        prod *= _nadam_mu(hp, i)
    mu, mu_next = _nadam_mu(hp, t), _nadam_mu(hp, t + 1)
    new_x = []
    for i in range(2):
        denom = math.sqrt(v[i] / (1.0 - hp["beta2"] ** t)) + hp["eps"]
        direction = (1.0 - mu) * g[i] / (1.0 - prod) + mu_next * m[i] / (1.0 - prod * mu_next)
        new_x.append(x[i] - lr / denom * direction)
    return tuple(new_x), {"m": m, "v": v}


def _amsgrad(hp, x, state, g, t, lr):
    """Reddi et al. in torch's form: running maximum of the raw v, then bias correction;
    decay coupled."""
    g = _decayed(hp, x, g)
    m, v = _moments(hp, state, g)
    v_max = tuple(max(state["v_max"][i], v[i]) for i in range(2))
    new_x = tuple(
        x[i] - lr * (m[i] / _correction(hp, "beta1", t))
        / (math.sqrt(v_max[i] / _correction(hp, "beta2", t)) + hp["eps"])
        for i in range(2))
    return new_x, {"m": m, "v": v, "v_max": v_max}


def _adadelta(hp, x, state, g, t, lr):
    """Zeiler (2012) as torch: lr scales the step but Δ accumulates the unscaled step;
    decay coupled."""
    g = _decayed(hp, x, g)
    rho, eps = hp["decay"], hp["eps"]
    s = tuple(rho * state["s"][i] + (1.0 - rho) * g[i] ** 2 for i in range(2))
    step = tuple(math.sqrt(state["delta"][i] + eps) / math.sqrt(s[i] + eps) * g[i]
                 for i in range(2))
    delta = tuple(rho * state["delta"][i] + (1.0 - rho) * step[i] ** 2 for i in range(2))
    return tuple(x[i] - lr * step[i] for i in range(2)), {"s": s, "delta": delta}


def _rmsprop_nesterov(hp, x, state, g, t, lr):
    """Goodfellow et al., algorithm 8.6, with ε after the square root (g at x + αv)."""
    rho, alpha = hp["decay"], hp["momentum"]
    r = tuple(rho * state["s"][i] + (1.0 - rho) * g[i] ** 2 for i in range(2))
    v = tuple(alpha * state["v"][i] - lr / (math.sqrt(r[i]) + hp["eps"]) * g[i]
              for i in range(2))
    return tuple(x[i] + v[i] for i in range(2)), {"s": r, "v": v}


def _polyak(x, g, gap, lr):
    """Polyak (1987): the step along −g that the tangent plane says reaches f*,
    ε (f(x) − f*)/‖g‖²."""
    g2 = g[0] ** 2 + g[1] ** 2
    if g2 == 0.0:
        return x
    return (x[0] - lr * gap / g2 * g[0], x[1] - lr * gap / g2 * g[1])


def _line_search(x, g, a0, value_grad, bound):
    """Cauchy's steepest descent: a = argmin φ(a), φ(a) = f(x − a g), from the slope
    φ'(a) = −∇f(x − a g)·g. The bracket: a₀, 2a₀, 4a₀, … (never past the step that reaches
    the edge of the ±bound square) until the slope is no longer negative or not finite; a
    slope still negative at the edge goes on to twice the edge (the race judges that
    divergence). Then plain bisection of the slope's sign change until the bracket cannot
    shrink any more — slower than the engine's regula falsi, but with nothing to tune, so
    it finds the same zero."""
    def point(a):
        return (x[0] - a * g[0], x[1] - a * g[1])

    def slope(a):
        f, grad = value_grad(point(a))
        d = -(grad[0] * g[0] + grad[1] * g[1])
        return d if math.isfinite(f) and math.isfinite(d) else math.inf

    gx = value_grad(x)[1]
    if not -(gx[0] * g[0] + gx[1] * g[1]) < 0.0:  # not downhill (a noisy g): stay
        return x, 0.0
    edge = min((math.copysign(bound, -g[c]) - x[c]) / -g[c] if g[c] != 0.0 else math.inf
               for c in range(2))
    lo, a = 0.0, min(a0, edge)
    for k in range(64):
        if slope(a) >= 0.0:
            break
        lo = a
        if a >= edge:
            return point(2.0 * edge), 2.0 * edge
        if k == 63:
            return point(a), a
        a = min(2.0 * a, edge)
    hi = a
    while True:
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        d = slope(mid)
        if d == 0.0:
            return point(mid), mid
        lo, hi = (mid, hi) if d < 0.0 else (lo, mid)
    a = lo if abs(slope(lo)) <= abs(slope(hi)) else hi
    return point(a), a


RANDOM_DIRECTION_OFFSET = 2
"""Trial k's direction is drawn at coordinates 2k + 2 and 2k + 3 of the seeded generator."""


def _random_search(hp, x, lr, t, value_grad, draw):
    """CS231n's random search: N = hp["trials"] directions z_k/‖z_k‖ of radius ε; move to
    the lowest trial if it is below f(x)."""
    f0 = value_grad(x)[0]
    best, best_u = math.inf, (0.0, 0.0)
    for k in range(round(hp["trials"])):
        z = (draw(t, RANDOM_DIRECTION_OFFSET + 2 * k), draw(t, RANDOM_DIRECTION_OFFSET + 2 * k + 1))
        norm = math.sqrt(z[0] ** 2 + z[1] ** 2)
        u = (lr / norm * z[0], lr / norm * z[1])
        f = value_grad((x[0] + u[0], x[1] + u[1]))[0]
        if f < best:
            best, best_u = f, u
    if best < f0:
        return (x[0] + best_u[0], x[1] + best_u[1]), best_u
    return x, best_u


def _newton(hp, x, g, hess, lr):
    """x ← x − ε(H + λI)⁻¹g, solving the 2×2 system by its explicit inverse."""
    lam = hp["damping"]
    a, b, c = hess[0] + lam, hess[1], hess[2] + lam
    det = a * c - b * b
    inv_g = ((c * g[0] - b * g[1]) / det, (a * g[1] - b * g[0]) / det)
    return (x[0] - lr * inv_g[0], x[1] - lr * inv_g[1])


def _prodigy(hp, x, state, g, t, lr):
    """Mishchenko & Defazio, as optax.contrib.prodigy: Adam on d·g with the step
    η = dε√(1−β₂ᵗ)/(1−β₁ᵗ), and d raised to r/‖s‖₁ where that is larger; r and ‖s‖₁ sum
    over the point's two coordinates. x₀ is the start, d starts at d₀."""
    b1, b2, d0, wd, eps = hp["beta1"], hp["beta2"], hp["d0"], hp["weight_decay"], hp["eps"]
    b3 = math.sqrt(b2)
    x0 = x if t == 1 else state["x0"]
    d = d0 if t == 1 else state["d"][0]
    eta = d * lr * math.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t)
    r = b3 * state["r"][0] + d / d0 * eta * sum(g[i] * (x0[i] - x[i]) for i in range(2))
    m = tuple(b1 * state["m"][i] + (1.0 - b1) * d * g[i] for i in range(2))
    v = tuple(b2 * state["v"][i] + (1.0 - b2) * (d * g[i]) ** 2 for i in range(2))
    s = tuple(b3 * state["s"][i] + eta * d * g[i] / d0 for i in range(2))
    total = abs(s[0]) + abs(s[1])
    d_new = max(d, r / total) if total > 0.0 else d
    new_x = tuple(x[i] - wd * eta * x[i] - eta * m[i] / (math.sqrt(v[i]) + d_new * eps)
                  for i in range(2))
    return new_x, {"m": m, "v": v, "s": s, "x0": x0, "d": (d_new, d_new), "r": (r, r)}


_RULES = {
    "sgd": _sgd, "momentum": _momentum, "nesterov": _nesterov, "adagrad": _adagrad,
    "rmsprop": _rmsprop, "adam": _adam, "adamax": _adamax, "nadam": _nadam,
    "amsgrad": _amsgrad, "adadelta": _adadelta, "rmsprop_nesterov": _rmsprop_nesterov,
    "adamw": _adamw, "radam": _radam, "adabelief": _adabelief, "lion": _lion,
    "yogi": _yogi, "qhm": _qhm, "qhadam": _qhadam,
    "schedule_free_sgd": _schedule_free_sgd, "schedule_free_adamw": _schedule_free_adamw,
    "prodigy": _prodigy,
}


def step(opt_id: str, hp: Mapping[str, float], x: Vec, state: State, g: Vec, t: int,
         lr: float, hess: tuple[float, float, float] | None = None,
         gap: float | None = None, value_grad: ValueGrad | None = None,
         draw: Callable[[int, int], float] | None = None,
         bound: float = math.inf) -> tuple[Vec, State]:
    """Step t (1-based) of optimizer ``opt_id``: the new point and the new state.

    ``g`` is the gradient the step uses (already noised and clipped, and for the Nesterov
    family taken at :func:`gradient_point`); Newton also needs the Hessian at x, Polyak the
    gap f(x) − f*; the line search and random search the surface itself (``value_grad``),
    the line search the divergence ``bound``, random search the point's standard normal
    draws ``draw(t, coordinate)``.
    """
    if opt_id == "newton":
        return _newton(hp, x, g, hess, lr), {}
    if opt_id == "polyak":
        return _polyak(x, g, gap, lr), {}
    if opt_id == "line_search":
        new_x, a = _line_search(x, g, lr, value_grad, bound)
        return new_x, {"a": (a, a)}
    if opt_id == "random_search":
        new_x, u = _random_search(hp, x, lr, t, value_grad, draw)
        return new_x, {"u": u}
    return _RULES[opt_id](hp, x, state, g, t, lr)


# --- learning-rate schedules: the rate of step k + 1, for k = 0, 1, … ---

def schedule_lr(kind: str, lr: float, k: int, params: Mapping[str, float]) -> float:
    """The learning rate of step k + 1 under schedule ``kind`` (k counts from zero), times
    the warm-up ramp min(1, (k + 1)/w) when ``warmup`` w is given."""
    warmup = params.get("warmup", 0)
    ramp = min(1.0, (k + 1) / warmup) if warmup else 1.0
    return ramp * _schedule_lr(kind, lr, k, params)


def _schedule_lr(kind: str, lr: float, k: int, params: Mapping[str, float]) -> float:
    if kind == "constant":
        return lr
    if kind == "step":
        return lr * params["gamma"] ** math.floor(k / params["step_size"])
    if kind == "exponential":
        return lr * params["gamma"] ** k
    if kind == "linear":
        tau, end = params["tau"], params["end_factor"] * lr
        return (1.0 - k / tau) * lr + k / tau * end if k < tau else end
    if kind == "cosine_restarts":
        # Walk the cycles T₀, T₀·T_mult, T₀·T_mult², … until the one containing k.
        start, length, peak = 0.0, params["period"], lr
        while k >= start + length:
            start += length
            length *= params["period_mult"]
            peak *= params.get("peak_decay", 1.0)
        eta_min = params["min_factor"] * lr
        return eta_min + 0.5 * (peak - eta_min) * (1.0 + math.cos(math.pi * (k - start)
                                                                  / length))
    if kind == "inverse_time":
        return lr / (1.0 + k / params["tau"])
    raise ValueError(f"no reference for schedule {kind!r}")


# --- gradient processing: noise first, then clipping ---

def process_gradient(g: Vec, noise: Vec = (0.0, 0.0), clip_norm: float | None = None,
                     clip_value: float | None = None) -> Vec:
    """Add ``noise`` (already scaled by σ), then clip by the point's norm or by value."""
    g = (g[0] + noise[0], g[1] + noise[1])
    if clip_norm is not None:
        norm = math.hypot(g[0], g[1])
        if norm > clip_norm:
            g = (g[0] * clip_norm / norm, g[1] * clip_norm / norm)
    if clip_value is not None:
        g = tuple(min(max(gi, -clip_value), clip_value) for gi in g)
    return g


CONSTANT = ("constant", {})


def run(opt_id: str, hp: Mapping[str, float], start: Vec, steps: int, value_grad: ValueGrad,
        *, hessian: Hessian | None = None, f_star: float | None = None,
        schedule: tuple[str, Mapping[str, float]] = CONSTANT,
        noise: Callable[[int], Vec] | None = None, clip_norm: float | None = None,
        clip_value: float | None = None, draw: Callable[[int, int], float] | None = None,
        bound: float = math.inf) -> dict[str, list]:
    """A whole path from ``start``: lists indexed like the engine's records.

    ``noise(t)`` gives the (already scaled) noise added to step t's gradient; ``draw`` and
    ``bound`` are passed to :func:`step`. Returns
    ``positions`` (steps + 1 points), ``grads`` (the gradient each step used, entry 0 the
    raw gradient at the start), ``lrs`` (one per step) and ``states`` (steps + 1 dicts).
    """
    x = (float(start[0]), float(start[1]))
    state = initial_state(opt_id)
    out = {"positions": [x], "grads": [value_grad(x)[1]], "lrs": [], "states": [state]}
    for t in range(1, steps + 1):
        lr = schedule_lr(schedule[0], hp["lr"], t - 1, schedule[1])
        raw = value_grad(gradient_point(opt_id, hp, x, state))[1]
        g = process_gradient(raw, noise(t) if noise else (0.0, 0.0), clip_norm, clip_value)
        gap = value_grad(x)[0] - f_star if f_star is not None else None
        x, state = step(opt_id, hp, x, state, g, t, lr, hessian(x) if hessian else None, gap,
                        value_grad, draw, bound)
        out["positions"].append(x)
        out["grads"].append(g)
        out["lrs"].append(lr)
        out["states"].append(state)
    return out


def lookahead_run(opt_id: str, hp: Mapping[str, float], k: int, alpha: float, start: Vec,
                  steps: int, value_grad: ValueGrad) -> dict[str, list]:
    """Lookahead (Zhang et al. 2019, algorithm 1) around ``opt_id`` at a constant rate:
    the inner optimizer steps the fast point (its state kept across syncs); after steps
    k, 2k, … the slow point moves α of the way to the fast one, which restarts from it.
    Returns ``slow`` and ``fast`` (steps + 1 points each)."""
    slow = fast = (float(start[0]), float(start[1]))
    state = initial_state(opt_id)
    out = {"slow": [slow], "fast": [fast]}
    for t in range(1, steps + 1):
        g = value_grad(gradient_point(opt_id, hp, fast, state))[1]
        fast, state = step(opt_id, hp, fast, state, g, t, hp["lr"])
        if t % k == 0:
            slow = tuple(slow[i] + alpha * (fast[i] - slow[i]) for i in range(2))
            fast = slow
        out["slow"].append(slow)
        out["fast"].append(fast)
    return out
