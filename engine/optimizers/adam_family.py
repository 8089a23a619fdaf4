"""Adam and its variants: a leaky average of gradients over the root of a leaky average of
squared gradients, both bias-corrected (AdaMax divides by an infinity norm instead)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from descentlab.engine.optimizers.jit import INLINE, running_product
from descentlab.engine.optimizers.spec import (
    BLACK,
    DECAYED,
    EFFECTIVE_LR,
    FIRST_MOMENT,
    FOREST,
    INDIGO,
    MAGENTA,
    ROSE,
    SECOND_MOMENT,
    SKY,
    TEAL,
    WINE,
    YELLOW,
    Derived,
    Optimizer,
    StateVar,
    betas,
    bias_correction,
    eps,
    lr,
    weight_decay,
)
from descentlab.engine.params import Param

ADAM = 5
ADAMAX = 6
NADAM = 7
AMSGRAD = 8
ADAMW = 12
RADAM = 13
ADABELIEF = 14
YOGI = 16
QHADAM = 18

YOGI_INITIAL = 1e-6
"""Where Yogi's m and v start: optax's ``initial_accumulator_value`` (optax.yogi fixes it)."""


@njit(**INLINE)
def adam_step(x, g, S, sc, t, lr, h):
    """Bias-corrected Adam; sc holds β1^t and β2^t as running products (no pow per step).
    h = [β1, β2, δ, λ, c], λ coupled (added to the gradient) as torch.optim.Adam's, c
    the bias correction's switch (1 − c·βᵗ)."""
    b1, b2, eps, wd, c = h[0], h[1], h[2], h[3], h[4]
    sc[0] = running_product(sc[0], b1)
    sc[1] = running_product(sc[1], b2)
    step = lr / (1.0 - c * sc[0])
    inv_root_bc2 = 1.0 / math.sqrt(1.0 - c * sc[1])
    for i in range(x.size):
        gi = g[i] + wd * x[i]
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * gi
        S[1, i] = b2 * S[1, i] + (1.0 - b2) * gi * gi
        x[i] -= step * S[0, i] / (math.sqrt(S[1, i]) * inv_root_bc2 + eps)


@njit(**INLINE)
def adamw_step(x, g, S, sc, t, lr, h):
    """Adam with decoupled weight decay (Loshchilov & Hutter): x shrinks by 1 − ελ before
    the Adam step, as torch.optim.AdamW; h = [β1, β2, δ, λ, c]."""
    b1, b2, eps, wd, c = h[0], h[1], h[2], h[3], h[4]
    sc[0] = running_product(sc[0], b1)
    sc[1] = running_product(sc[1], b2)
    step = lr / (1.0 - c * sc[0])
    inv_root_bc2 = 1.0 / math.sqrt(1.0 - c * sc[1])
    shrink = 1.0 - lr * wd
    for i in range(x.size):
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * g[i]
        S[1, i] = b2 * S[1, i] + (1.0 - b2) * g[i] * g[i]
        x[i] = x[i] * shrink - step * S[0, i] / (math.sqrt(S[1, i]) * inv_root_bc2 + eps)


@njit(**INLINE)
def radam_step(x, g, S, sc, t, lr, h):
    """Rectified Adam (Liu et al. 2020) as torch.optim.RAdam: while the variance of the
    adaptive rate is intractable (ρ_t ≤ 5) a bias-corrected momentum step, then Adam's
    step times the rectification r_t. h = [β1, β2, δ, λ (coupled), ρ_∞]."""
    b1, b2, eps, wd, rho_inf = h[0], h[1], h[2], h[3], h[4]
    sc[0] = running_product(sc[0], b1)
    sc[1] = running_product(sc[1], b2)
    bc1 = 1.0 - sc[0]
    bc2 = 1.0 - sc[1]
    rho = rho_inf - 2.0 * t * sc[1] / bc2
    rect = 0.0
    if rho > 5.0:
        rect = math.sqrt((rho - 4.0) * (rho - 2.0) * rho_inf
                         / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho))
    root_bc2 = math.sqrt(bc2)
    for i in range(x.size):
        gi = g[i] + wd * x[i]
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * gi
        S[1, i] = b2 * S[1, i] + (1.0 - b2) * gi * gi
        if rho > 5.0:
            x[i] -= S[0, i] / bc1 * lr * (root_bc2 / (math.sqrt(S[1, i]) + eps)) * rect
        else:
            x[i] -= S[0, i] / bc1 * lr


@njit(**INLINE)
def adabelief_step(x, g, S, sc, t, lr, h):
    """AdaBelief (Zhuang et al. 2020) as optax 0.2.8: the second moment is the leaky
    variance of g around its prediction m, plus δ_root each step; h = [β1, β2, δ, δ_root, c]."""
    b1, b2, eps, eps_root, c = h[0], h[1], h[2], h[3], h[4]
    sc[0] = running_product(sc[0], b1)
    sc[1] = running_product(sc[1], b2)
    bc1 = 1.0 - c * sc[0]
    bc2 = 1.0 - c * sc[1]
    for i in range(x.size):
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * g[i]
        err = g[i] - S[0, i]
        S[1, i] = b2 * S[1, i] + (1.0 - b2) * err * err + eps_root
        x[i] -= lr * (S[0, i] / bc1) / (math.sqrt(S[1, i] / bc2) + eps)


@njit(**INLINE)
def yogi_step(x, g, S, sc, t, lr, h):
    """Yogi (Zaheer et al. 2018) as optax.yogi 0.2.8: v moves towards g² by (1 − β2)g²
    with the sign of g² − v, additively rather than as Adam's leaky average; m and v start
    at ``YOGI_INITIAL`` (set at step 1: the race's state starts at zero). h = [β1, β2, δ, c]."""
    b1, b2, eps, c = h[0], h[1], h[2], h[3]
    sc[0] = running_product(sc[0], b1)
    sc[1] = running_product(sc[1], b2)
    bc1 = 1.0 - c * sc[0]
    bc2 = 1.0 - c * sc[1]
    for i in range(x.size):
        if t == 1:
            S[0, i] = YOGI_INITIAL
            S[1, i] = YOGI_INITIAL
        g2 = g[i] * g[i]
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * g[i]
        gap = S[1, i] - g2
        sign = 1.0 if gap > 0.0 else (-1.0 if gap < 0.0 else 0.0)
        S[1, i] -= (1.0 - b2) * sign * g2
        x[i] -= lr * (S[0, i] / bc1) / (math.sqrt(S[1, i] / bc2) + eps)


@njit(**INLINE)
def qhadam_step(x, g, S, sc, t, lr, h):
    """Quasi-hyperbolic Adam (Ma & Yarats 2019, algorithm 2): numerator and denominator
    each a blend of the plain gradient and Adam's bias-corrected moment, weighted by ν1 and
    ν2; h = [β1, β2, ν1, ν2, δ, λ, c], λ coupled as in the authors' qhoptim."""
    b1, b2, nu1, nu2, eps, wd, c = h[0], h[1], h[2], h[3], h[4], h[5], h[6]
    sc[0] = running_product(sc[0], b1)
    sc[1] = running_product(sc[1], b2)
    bc1 = 1.0 - c * sc[0]
    bc2 = 1.0 - c * sc[1]
    for i in range(x.size):
        gi = g[i] + wd * x[i]
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * gi
        S[1, i] = b2 * S[1, i] + (1.0 - b2) * gi * gi
        num = (1.0 - nu1) * gi + nu1 * S[0, i] / bc1
        den = math.sqrt((1.0 - nu2) * gi * gi + nu2 * S[1, i] / bc2) + eps
        x[i] -= lr * num / den


@njit(**INLINE)
def adamax_step(x, g, S, sc, t, lr, h):
    """Adam with the infinity norm (Kingma & Ba, algorithm 2); eps inside the max as torch;
    h = [β1, β2, δ, λ, c], λ coupled as torch.optim.Adamax's."""
    b1, b2, eps, wd, c = h[0], h[1], h[2], h[3], h[4]
    sc[0] = running_product(sc[0], b1)
    step = lr / (1.0 - c * sc[0])
    for i in range(x.size):
        gi = g[i] + wd * x[i]
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * gi
        S[1, i] = max(b2 * S[1, i], abs(gi) + eps)
        x[i] -= step * S[0, i] / S[1, i]


@njit(**INLINE)
def nadam_step(x, g, S, sc, t, lr, h):
    """Dozat's Nadam with the momentum schedule μ_t = β1(1 − ½·0.96^{tψ}).

    sc = [β2^t, Π μ_i, 0.96^{ψ t}]; the last is a running product so no pow per step.
    h = [β1, β2, δ, ψ, λ, 0.96^ψ], λ coupled as torch.optim.NAdam's default.
    """
    b1, b2, eps, wd, decay = h[0], h[1], h[2], h[4], h[5]
    sc[0] = running_product(sc[0], b2)
    decay_now = running_product(sc[2], decay)
    mu = b1 * (1.0 - 0.5 * decay_now)
    mu_next = b1 * (1.0 - 0.5 * decay_now * decay)
    sc[2] = decay_now
    sc[1] = running_product(sc[1], mu)
    c_grad = lr * (1.0 - mu) / (1.0 - sc[1])
    c_mom = lr * mu_next / (1.0 - sc[1] * mu_next)
    bc2 = 1.0 - sc[0]
    for i in range(x.size):
        gi = g[i] + wd * x[i]
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * gi
        S[1, i] = b2 * S[1, i] + (1.0 - b2) * gi * gi
        denom = math.sqrt(S[1, i] / bc2) + eps
        x[i] -= (c_grad * gi + c_mom * S[0, i]) / denom


@njit(**INLINE)
def amsgrad_step(x, g, S, sc, t, lr, h):
    """Adam that divides by the running maximum of v (Reddi et al.), bias-corrected as torch;
    h = [β1, β2, δ, λ, c], λ coupled as torch's."""
    b1, b2, eps, wd, c = h[0], h[1], h[2], h[3], h[4]
    sc[0] = running_product(sc[0], b1)
    sc[1] = running_product(sc[1], b2)
    step = lr / (1.0 - c * sc[0])
    inv_root_bc2 = 1.0 / math.sqrt(1.0 - c * sc[1])
    for i in range(x.size):
        gi = g[i] + wd * x[i]
        S[0, i] = b1 * S[0, i] + (1.0 - b1) * gi
        S[1, i] = b2 * S[1, i] + (1.0 - b2) * gi * gi
        S[2, i] = max(S[2, i], S[1, i])
        x[i] -= step * S[0, i] / (math.sqrt(S[2, i]) * inv_root_bc2 + eps)


M_HAT = Derived("m_hat", "m̂", "bias-corrected first moment", r"\hat m_t")
V_HAT = Derived("v_hat", "v̂", "bias-corrected second moment", r"\hat v_t")
BIAS_CORRECTION1 = Derived("bias_correction1", "1/(1 − β₁ᵗ)", "bias correction of m")
BIAS_CORRECTION2 = Derived("bias_correction2", "1/(1 − β₂ᵗ)", "bias correction of v")
ADAM_DERIVED = (M_HAT, V_HAT, BIAS_CORRECTION1, BIAS_CORRECTION2, EFFECTIVE_LR)


def _correction(hp) -> float:
    """c of the bias corrections 1 − c·βᵗ (1 for a variant that has no switch)."""
    return hp.get("bias_correction", 1.0)


def _first_moment(state, t, hp) -> dict[str, np.ndarray]:
    bc1 = 1.0 - _correction(hp) * hp["beta1"] ** t
    return {"bias_correction1": 1.0 / bc1, "m_hat": state["m"] / bc1[None, :, None]}


def _corrected_moments(second: str):
    """m̂, v̂ (from state ``second``: v, or AMSGrad's v_max), their corrections and the
    effective step ε/(√v̂ + δ)."""
    def derive(state, lr, t, hp, state_before) -> dict[str, np.ndarray]:
        bc2 = 1.0 - _correction(hp) * hp["beta2"] ** t
        v_hat = state[second] / bc2[None, :, None]
        return {**_first_moment(state, t, hp), "bias_correction2": 1.0 / bc2, "v_hat": v_hat,
                "effective_lr": lr / (np.sqrt(v_hat) + hp["eps"])}
    return derive


def _adamax_derived(state, lr, t, hp, state_before) -> dict[str, np.ndarray]:
    first = _first_moment(state, t, hp)
    return {**first, "effective_lr": lr * first["bias_correction1"][None, :, None]
            / state["u"]}


_ADAM_NOTE = ("bias correction as in the lectures: m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ) "
              "(c = 0 turns it off, as the lectures' Adam without bias correction: the early "
              "steps are then scaled by (1−β₁ᵗ)/√(1−β₂ᵗ), 3 to 6.5 times too long over the "
              "first hundred with the defaults, 0.3 times at t = 1 with β₂ = 0.9); identical "
              "to torch.optim.Adam up to rounding.")

ENTRIES = (
    Optimizer(
        "adam", ADAM, "Adam",
        "Momentum on the gradient and RMSProp scaling, both bias-corrected.",
        (lr(0.05), *betas(), eps(), weight_decay(), bias_correction()),
        (FIRST_MOMENT, SECOND_MOMENT), (1.0, 1.0),
        (r"g'_t = g_t + \lambda x_{t-1}",
         r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g'_t", r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g'^2_t",
         r"\hat m_t = \frac{m_t}{1-c\,\beta_1^t}", r"\hat v_t = \frac{v_t}{1-c\,\beta_2^t}",
         r"x_t = x_{t-1} - \frac{\varepsilon\, \hat m_t}{\sqrt{\hat v_t} + \delta}"),
        _ADAM_NOTE + " λ is coupled, as torch.optim.Adam's weight_decay: it passes through "
        "the adaptive scaling (AdamW decouples it).",
        color=SKY, marker="hexagon", step_cost=1.5, network_lr=0.01,
        derived=ADAM_DERIVED, derive=_corrected_moments("v")),
    Optimizer(
        "adamax", ADAMAX, "AdaMax",
        "Adam with the infinity norm: divides by the largest recent gradient magnitude.",
        (lr(0.05), *betas(), eps(), weight_decay(), bias_correction()),
        (FIRST_MOMENT, StateVar("u", "u", "exponentially weighted infinity norm of the "
                                          "gradients")),
        (1.0,),
        (DECAYED, r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t",
         r"u_t = \max(\beta_2 u_{t-1}, |g_t| + \delta)",
         r"x_t = x_{t-1} - \frac{\varepsilon}{1-c\,\beta_1^t} \frac{m_t}{u_t}"),
        "Kingma & Ba, algorithm 2; δ inside the max as torch.optim.Adamax (the paper has no δ); "
        "λ coupled, as torch's weight_decay.",
        color=BLACK, marker="pentagon", step_cost=1.15, network_lr=0.02,
        derived=(M_HAT, BIAS_CORRECTION1, EFFECTIVE_LR), derive=_adamax_derived),
    Optimizer(
        "nadam", NADAM, "Nadam",
        "Adam with Nesterov momentum: the step uses the momentum it is about to have.",
        (lr(0.05), *betas(), eps(),
         Param("momentum_decay", 0.004, 0.0, 0.1,
               "ψ: how fast the momentum schedule μ_t warms up to β₁", symbol=r"\psi"),
         weight_decay()),
        (FIRST_MOMENT, SECOND_MOMENT), (1.0, 1.0, 1.0),
        (DECAYED, r"\mu_t = \beta_1\left(1 - \tfrac12 \, 0.96^{t\psi}\right)",
         r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t", r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2",
         r"x_t = x_{t-1} - \frac{\varepsilon}{\sqrt{v_t/(1-\beta_2^t)} + \delta}"
         r"\left(\frac{(1-\mu_t) g_t}{1-\prod_{i\le t}\mu_i}"
         r" + \frac{\mu_{t+1} m_t}{1-\prod_{i\le t+1}\mu_i}\right)"),
        "Dozat (2016) with the momentum schedule, identical to torch.optim.NAdam; λ coupled, "
        "as torch's default (decoupled_weight_decay=False).",
        color=YELLOW, marker="diamond", step_cost=1.6, network_lr=0.01,
        derived=ADAM_DERIVED, derive=_corrected_moments("v"),
        constants=lambda value: [0.96 ** value("momentum_decay")]),
    Optimizer(
        "amsgrad", AMSGRAD, "AMSGrad",
        "Adam that never lets its denominator shrink: it divides by the running maximum of v.",
        (lr(0.05), *betas(), eps(), weight_decay(), bias_correction()),
        (FIRST_MOMENT, SECOND_MOMENT, StateVar("v_max", "v^{max}", "running maximum of v")),
        (1.0, 1.0),
        (DECAYED, r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t",
         r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2",
         r"v^{max}_t = \max(v^{max}_{t-1}, v_t)",
         r"x_t = x_{t-1} - \frac{\varepsilon\, m_t/(1-c\,\beta_1^t)}"
         r"{\sqrt{v^{max}_t/(1-c\,\beta_2^t)} + \delta}"),
        "Reddi et al. (2018); bias-corrected like Adam, as torch.optim.Adam(amsgrad=True); λ "
        "coupled, as torch's weight_decay.",
        color=MAGENTA, marker="square", step_cost=1.55, network_lr=0.01,
        derived=ADAM_DERIVED, derive=_corrected_moments("v_max")),
)


def _radam_derived(state, lr, t, hp, state_before) -> dict[str, np.ndarray]:
    """m̂ and the rectification r_t (0 while ρ_t ≤ 5, when the step is plain momentum)."""
    b2 = hp["beta2"]
    rho_inf = 2.0 / (1.0 - b2) - 1.0
    rho = rho_inf - 2.0 * t * b2 ** t / (1.0 - b2 ** t)
    rect = np.sqrt(np.maximum((rho - 4.0) * (rho - 2.0) * rho_inf
                              / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho), 0.0))
    return {**_first_moment(state, t, hp), "rectification": np.where(rho > 5.0, rect, 0.0)}


ENTRIES += (
    Optimizer(
        "adamw", ADAMW, "AdamW",
        "Adam whose weight decay shrinks the weights directly instead of passing through the "
        "adaptive scaling.",
        (lr(0.05), *betas(), eps(), weight_decay(0.01, decoupled=True),
         bias_correction()),
        (FIRST_MOMENT, SECOND_MOMENT), (1.0, 1.0),
        (r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t", r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2",
         r"\hat m_t = \frac{m_t}{1-c\,\beta_1^t}", r"\hat v_t = \frac{v_t}{1-c\,\beta_2^t}",
         r"x_t = (1 - \varepsilon\lambda)\, x_{t-1} - "
         r"\frac{\varepsilon\, \hat m_t}{\sqrt{\hat v_t} + \delta}"),
        "Loshchilov & Hutter (2019), as torch.optim.AdamW (same default λ = 0.01). With λ = 0 "
        "it is Adam.",
        color=INDIGO, marker="diamond", step_cost=1.7, network_lr=0.01,
        derived=ADAM_DERIVED, derive=_corrected_moments("v")),
    Optimizer(
        "radam", RADAM, "RAdam",
        "Adam with a built-in warm-up: plain momentum steps until the adaptive rate's variance "
        "can be estimated, then Adam's step scaled by a rectification r_t that rises to 1.",
        (lr(0.05), *betas(), eps(), weight_decay()), (FIRST_MOMENT, SECOND_MOMENT), (1.0, 1.0),
        (r"g'_t = g_t + \lambda x_{t-1}",
         r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g'_t", r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g'^2_t",
         r"\hat m_t = \frac{m_t}{1-\beta_1^t}",
         r"\rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1-\beta_2^t}",
         r"x_t = x_{t-1} - \varepsilon\, \hat m_t \, r_t \frac{\sqrt{1-\beta_2^t}}"
         r"{\sqrt{v_t} + \delta} \quad \mathrm{if}\; \rho_t > 5",
         r"x_t = x_{t-1} - \varepsilon\, \hat m_t \quad \mathrm{if}\; \rho_t \le 5"),
        "Liu et al. (2020), as torch.optim.RAdam: ρ_∞ = 2/(1−β₂) − 1, r_t = √((ρ_t−4)(ρ_t−2)ρ_∞ "
        "/ ((ρ_∞−4)(ρ_∞−2)ρ_t)); λ coupled (torch's default decoupled_weight_decay=False).",
        color=TEAL, marker="triangle-up", step_cost=2.35, network_lr=0.01,
        derived=(M_HAT, BIAS_CORRECTION1,
                 Derived("rectification", "r_t", "RAdam's rectification: 0 while the step is "
                         "plain momentum, rising towards 1", r"r_t")),
        derive=_radam_derived,
        constants=lambda value: [2.0 / (1.0 - value("beta2")) - 1.0]),
    Optimizer(
        "adabelief", ADABELIEF, "AdaBelief",
        "Adam that divides by how far the gradient strays from its prediction m: large steps "
        "where the gradient is as expected, small where it surprises.",
        (lr(0.05), *betas(), eps(1e-16, low=1e-20),
         Param("eps_root", 1e-16, 0.0, 1e-3, "δ_root added to s each step (optax's eps_root)",
               symbol=r"\delta_{root}"), bias_correction()),
        (FIRST_MOMENT, StateVar("s", "s", "leaky variance of the gradient around m")),
        (1.0, 1.0),
        (r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t",
         r"s_t = \beta_2 s_{t-1} + (1-\beta_2) (g_t - m_t)^2 + \delta_{root}",
         r"x_t = x_{t-1} - \frac{\varepsilon\, m_t/(1-c\,\beta_1^t)}"
         r"{\sqrt{s_t/(1-c\,\beta_2^t)} + \delta}"),
        "Zhuang et al. (2020), as optax.adabelief 0.2.8 (defaults δ = δ_root = 1e-16; δ_root "
        "is kept in s). Not in torch.optim.",
        color=ROSE, marker="hexagon", step_cost=1.9, network_lr=0.01,
        derived=(M_HAT, BIAS_CORRECTION1), derive=lambda state, lr, t, hp, before:
        _first_moment(state, t, hp)),
)


def _moments_only(state, lr, t, hp, state_before) -> dict[str, np.ndarray]:
    """m̂, v̂ and their corrections (QHAdam's step is not ε/(√v̂ + δ) times anything kept)."""
    out = _corrected_moments("v")(state, lr, t, hp, state_before)
    del out["effective_lr"]
    return out


def _nu(index: int, default: float, weighs: str) -> Param:
    return Param(f"nu{index}", default, 0.0, 1.0,
                 f"ν{'₁₂'[index - 1]}: the weight of {weighs}; the rest goes to the "
                 "plain gradient (1 is Adam's, 0 no averaging)", symbol=rf"\nu_{index}")


ENTRIES += (
    Optimizer(
        "yogi", YOGI, "Yogi",
        "Adam whose second moment moves towards g² by a bounded additive step: the "
        "denominator cannot collapse after one small gradient, so the step grows gently.",
        (lr(0.05), *betas(), eps(1e-3, low=1e-12), bias_correction()),
        (FIRST_MOMENT, SECOND_MOMENT), (1.0, 1.0),
        (r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t",
         r"v_t = v_{t-1} - (1-\beta_2)\, \mathrm{sign}(v_{t-1} - g_t^2)\, g_t^2",
         r"x_t = x_{t-1} - \frac{\varepsilon\, m_t/(1-c\,\beta_1^t)}"
         r"{\sqrt{v_t/(1-c\,\beta_2^t)} + \delta}"),
        "Zaheer et al. (2018), as optax.yogi 0.2.8: m and v start at 10⁻⁶ (optax's "
        "initial_accumulator_value, not 0), δ = 10⁻³ by default, both moments "
        "bias-corrected like Adam's. Not in torch.optim.",
        color=FOREST, marker="hexagon", step_cost=1.6, network_lr=0.01,
        derived=ADAM_DERIVED, derive=_corrected_moments("v")),
    Optimizer(
        "qhadam", QHADAM, "QHAdam",
        "Quasi-hyperbolic Adam: the step's numerator blends the gradient with Adam's "
        "momentum (ν₁), its denominator the squared gradient with Adam's second moment (ν₂).",
        (lr(0.05),
         Param("beta1", 0.995, 0.0, 0.9999, "β₁: decay of the first moment (momentum)",
               symbol=r"\beta_1"),
         Param("beta2", 0.999, 0.0, 0.99999,
               "β₂: decay of the second moment (squared gradients)", symbol=r"\beta_2"),
         _nu(1, 0.7, "the momentum m̂ in the numerator"),
         _nu(2, 1.0, "the second moment v̂ in the denominator"),
         eps(), weight_decay(), bias_correction()),
        (FIRST_MOMENT, SECOND_MOMENT), (1.0, 1.0),
        (r"g'_t = g_t + \lambda x_{t-1}",
         r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g'_t",
         r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g'^2_t",
         r"\hat m_t = \frac{m_t}{1-c\,\beta_1^t}", r"\hat v_t = \frac{v_t}{1-c\,\beta_2^t}",
         r"x_t = x_{t-1} - \varepsilon \frac{(1-\nu_1) g'_t + \nu_1 \hat m_t}"
         r"{\sqrt{(1-\nu_2) g'^2_t + \nu_2 \hat v_t} + \delta}"),
        "Ma & Yarats (2019), algorithm 2, with the paper's recommended ν = (0.7, 1.0) and "
        "β = (0.995, 0.999). Neither torch.optim nor optax 0.2.8 has it, so the paper's "
        "convention: δ outside the root, λ coupled (added to the gradient) as in the "
        "authors' qhoptim. ν₁ = ν₂ = 1 is Adam; ν₁ = 0, ν₂ = 1 RMSProp with bias "
        "correction.",
        color=WINE, marker="hexagon", step_cost=1.75, network_lr=0.01,
        derived=(M_HAT, V_HAT, BIAS_CORRECTION1, BIAS_CORRECTION2), derive=_moments_only),
)
