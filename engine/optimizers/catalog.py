"""The optimizer catalogue: everything a user or a UI needs to know about each optimizer.

Defaults are chosen for the two-dimensional lab (a view box a few units wide, a thousand
steps), not copied from torch: Adam at torch's lr = 1e-3 would barely move on the screen.
Each entry says where it departs from ``torch.optim``.

Each optimizer also owns its look on screen: one colour and one marker shape, used by every
plot, scenario and lab, so that Momentum is the same orange square wherever it appears. The
colours are Okabe and Ito's palette (distinguishable with every common colour-vision
deficiency); eight colours cannot mark twelve optimizers alone, so the marker shapes carry
the rest, and no two optimizers share a (colour, marker) pair. The shapes avoid the glyphs
the plots reserve for critical points and outcomes (stars, crosses, hourglasses, rings).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from descentlab.engine.errors import EngineError, lookup
from descentlab.engine.optimizers import kernels as K
from descentlab.engine.params import Param, resolve


@dataclass(frozen=True)
class StateVar:
    """A per-coordinate state variable, as recorded for the inspector."""

    name: str
    symbol: str
    meaning: str

    def to_dict(self) -> dict:
        return {"name": self.name, "symbol": self.symbol, "meaning": self.meaning}


@dataclass(frozen=True)
class LrRule:
    """How a learning rate is suggested for a surface (``engine.suggest``): from its
    curvature (ε = factor/λ_max, where gradient descent is stable below 2/λ_max), from the
    distance to travel (ε = factor × distance: adaptive methods step about ε per coordinate
    whatever the gradient's size), or a fixed value (a rate that is only a multiplier)."""

    basis: Literal["curvature", "distance", "fixed"]
    factor: float

    def to_dict(self) -> dict:
        return {"basis": self.basis, "factor": self.factor}


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: its kernel code, hyperparameters, state and equations."""

    id: str
    code: int
    name: str
    summary: str
    hyperparameters: tuple[Param, ...]
    state: tuple[StateVar, ...]
    scalar_state: tuple[float, ...]
    equations: tuple[str, ...]
    notes: str
    gradient_at: str = "x"
    needs_hessian: bool = False
    color: str = ""
    """Hex colour of this optimizer's paths and markers (Okabe–Ito)."""
    marker: str = ""
    """Marker shape: one of ``MARKERS``."""
    lr_rule: LrRule = LrRule("distance", 0.02)
    """How a learning rate suited to a surface is suggested."""
    per_coordinate_lr: bool = False
    """The update is linear in ε·g (SGD, heavy ball, Nesterov), so a learning rate per
    coordinate (``lr_x``, ``lr_y``; on the two-weight linear net, one per layer) is exactly
    ε with the gradient scaled per coordinate by lr_x/ε and lr_y/ε. For adaptive methods a
    scaled gradient is divided out again, so they do not offer it."""

    def resolve(self, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
        """Defaults overlaid with ``overrides``, each checked against its range; with
        ``lr_x`` or ``lr_y`` (where offered) both appear, the missing one equal to lr."""
        given = dict(overrides or {})
        per_coordinate = {name: given.pop(name) for name in COORDINATE_LRS
                          if name in given and self.per_coordinate_lr}
        try:
            values = resolve(self.hyperparameters, given, self.name, "hyperparameter")
            if per_coordinate:
                values.update(resolve(self.coordinate_lrs(values["lr"]), per_coordinate,
                                      self.name, "hyperparameter"))
        except EngineError as err:
            raise err.at("hyperparameters") from None
        return values

    def coordinate_lrs(self, lr: float) -> tuple[Param, ...]:
        """The per-coordinate learning rates this optimizer offers (none, or lr_x and lr_y,
        each defaulting to ``lr`` and ranging as lr does)."""
        if not self.per_coordinate_lr:
            return ()
        base = next(p for p in self.hyperparameters if p.name == "lr")
        return tuple(Param(name, lr, base.low, base.high,
                           f"learning rate of the {axis} coordinate (default: lr)", log=True)
                     for name, axis in zip(COORDINATE_LRS, "xy", strict=True))

    @staticmethod
    def gradient_scale(values: Mapping[str, float]) -> tuple[float, float]:
        """The per-coordinate factors on the gradient that turn ε into (lr_x, lr_y)."""
        if "lr_x" not in values:
            return (1.0, 1.0)
        return (values["lr_x"] / values["lr"], values["lr_y"] / values["lr"])

    def kernel_values(self, values: Mapping[str, float]) -> list[float]:
        """The kernel's ``h``: hyperparameters other than lr, in order, plus derived constants."""
        return self._with_derived([values[p.name] for p in self.hyperparameters
                                   if p.name != "lr"], values.__getitem__)

    def kernel_matrix(self, runs: Sequence[Mapping[str, float]]) -> np.ndarray:
        """``kernel_values`` of many settings at once, one row each (a hyperparameter map
        races 10⁵ settings; row by row, this took longer than the race)."""
        def column(name: str) -> np.ndarray:
            return np.array([values[name] for values in runs], dtype=np.float64)

        columns = self._with_derived([column(p.name) for p in self.hyperparameters
                                      if p.name != "lr"], column)
        return np.stack(columns, axis=1) if columns else np.zeros((len(runs), 0))

    def _with_derived(self, h: list, value: Callable[[str], Any]) -> list:
        """Append the constants the kernel derives from hyperparameters (scalars or columns)."""
        if self.code == K.NADAM:
            h.append(0.96 ** value("momentum_decay"))
        return h

    def kernel_vector(self, values: Mapping[str, float]) -> np.ndarray:
        return np.array(self.kernel_values(values), dtype=np.float64)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name, "summary": self.summary,
            "hyperparameters": [p.to_dict() for p in self.hyperparameters],
            "state": [s.to_dict() for s in self.state], "equations": list(self.equations),
            "notes": self.notes, "gradient_at": self.gradient_at,
            "needs_hessian": self.needs_hessian, "color": self.color, "marker": self.marker,
            "lr_rule": self.lr_rule.to_dict(), "per_coordinate_lr": self.per_coordinate_lr,
        }


# Okabe & Ito (2008), "Color Universal Design".
_BLUE, _VERMILLION, _GREEN, _PURPLE = "#0072B2", "#D55E00", "#009E73", "#CC79A7"
_ORANGE, _SKY, _YELLOW, _BLACK = "#E69F00", "#56B4E9", "#F0E442", "#000000"

COORDINATE_LRS = ("lr_x", "lr_y")
"""The names of per-coordinate learning rates, for optimizers with ``per_coordinate_lr``."""

MARKERS = ("circle", "square", "diamond", "triangle-up", "triangle-down", "triangle-left",
           "triangle-right", "hexagon", "pentagon")
"""The filled shapes an optimizer may use; the plots draw critical points and outcomes with
other glyphs (★ ☆ for minima, an hourglass for a saddle, an open triangle for a maximum, ✕ for
a diverged run, rings for converged and stalled ones)."""


def _lr(default: float, high: float = 10.0) -> Param:
    return Param("lr", default, 1e-6, high, "learning rate ε: the size of each step", log=True)


def _momentum(symbol: str = "μ") -> Param:
    return Param("momentum", 0.9, 0.0, 0.999,
                      f"momentum {symbol}: the fraction of the velocity kept each step")


def _decay() -> Param:
    return Param("decay", 0.9, 0.0, 0.9999,
                      "decay ρ of the leaky average of squared gradients")


def _eps(default: float = 1e-8) -> Param:
    return Param("eps", default, 1e-12, 1.0,
                      "δ added to the denominator so that it is never zero", log=True)


def _betas() -> tuple[Param, Param]:
    return (Param("beta1", 0.9, 0.0, 0.9999, "β₁: decay of the first moment (momentum)"),
            Param("beta2", 0.999, 0.0, 0.99999,
                       "β₂: decay of the second moment (squared gradients)"))


_V = StateVar("v", "v", "velocity: the decaying sum of past steps")
_S = StateVar("s", "s", "accumulated squared gradients, per coordinate")
_M = StateVar("m", "m", "first moment: leaky average of gradients")
_V2 = StateVar("v", "v", "second moment: leaky average of squared gradients")

_ADAM_NOTE = ("bias correction as in the lectures: m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ); "
              "identical to torch.optim.Adam up to rounding.")

OPTIMIZERS: dict[str, Optimizer] = {o.id: o for o in (
    Optimizer(
        "sgd", K.SGD, "SGD", "Step straight down the gradient.",
        (_lr(0.01),), (), (), (r"x_{t} = x_{t-1} - \varepsilon\, g_t",),
        "Same as torch.optim.SGD without momentum.",
        color=_BLUE, marker="circle",
        lr_rule=LrRule("curvature", 1.0), per_coordinate_lr=True),
    Optimizer(
        "momentum", K.MOMENTUM, "Momentum",
        "A heavy ball with friction: velocity accumulates consistent gradients.",
        (_lr(0.01), _momentum()), (_V,), (),
        (r"v_t = \mu v_{t-1} - \varepsilon g_t", r"x_t = x_{t-1} + v_t"),
        "Lecture form v ← μv − εg. torch keeps b ← μb + g and steps −εb: the same path for "
        "a constant learning rate; under a schedule the lecture form keeps the velocity's "
        "magnitude when ε changes.",
        color=_VERMILLION, marker="square",
        lr_rule=LrRule("curvature", 0.5), per_coordinate_lr=True),
    Optimizer(
        "nesterov", K.NESTEROV, "Nesterov",
        "Momentum that looks ahead: the gradient is taken where the velocity is about to "
        "carry the point.",
        (_lr(0.01), _momentum()), (_V,), (),
        (r"\tilde x = x_{t-1} + \mu v_{t-1}", r"g_t = \nabla f(\tilde x)",
         r"v_t = \mu v_{t-1} - \varepsilon g_t", r"x_t = x_{t-1} + v_t"),
        "Goodfellow et al., algorithm 8.3. The displayed point is x; the gradient is taken at "
        "the look-ahead x + μv, which is exactly the point torch.optim.SGD(nesterov=True) "
        "stores as its parameter.",
        gradient_at="x + momentum·v",
        color=_GREEN, marker="diamond",
        lr_rule=LrRule("curvature", 0.5), per_coordinate_lr=True),
    Optimizer(
        "adagrad", K.ADAGRAD, "AdaGrad",
        "Per-coordinate steps divided by the root of all past squared gradients: they only "
        "ever shrink.",
        (_lr(0.5), _eps()), (_S,), (),
        (r"s_t = s_{t-1} + g_t^2", r"x_t = x_{t-1} - \frac{\varepsilon}{\sqrt{s_t} + \delta} g_t"),
        "ε after the square root, as torch.optim.Adagrad (torch's default ε is 1e-10).",
        color=_PURPLE, marker="triangle-down",
        lr_rule=LrRule("distance", 0.5)),
    Optimizer(
        "rmsprop", K.RMSPROP, "RMSProp",
        "AdaGrad with a leaky average, so old gradients are forgotten and steps stay alive.",
        (_lr(0.01), _decay(), _eps()), (_S,), (),
        (r"s_t = \rho s_{t-1} + (1-\rho) g_t^2",
         r"x_t = x_{t-1} - \frac{\varepsilon}{\sqrt{s_t} + \delta} g_t"),
        "ε after the square root as in torch.optim.RMSprop (its decay is called alpha, "
        "default 0.99; the lectures use 0.9).",
        color=_ORANGE, marker="triangle-up"),
    Optimizer(
        "adam", K.ADAM, "Adam",
        "Momentum on the gradient and RMSProp scaling, both bias-corrected.",
        (_lr(0.05), *_betas(), _eps()), (_M, _V2), (1.0, 1.0),
        (r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t", r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2",
         r"\hat m_t = \frac{m_t}{1-\beta_1^t}", r"\hat v_t = \frac{v_t}{1-\beta_2^t}",
         r"x_t = x_{t-1} - \frac{\varepsilon\, \hat m_t}{\sqrt{\hat v_t} + \delta}"),
        _ADAM_NOTE,
        color=_SKY, marker="hexagon"),
    Optimizer(
        "adamax", K.ADAMAX, "AdaMax",
        "Adam with the infinity norm: divides by the largest recent gradient magnitude.",
        (_lr(0.05), *_betas(), _eps()),
        (_M, StateVar("u", "u", "exponentially weighted infinity norm of the gradients")),
        (1.0,),
        (r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t",
         r"u_t = \max(\beta_2 u_{t-1}, |g_t| + \delta)",
         r"x_t = x_{t-1} - \frac{\varepsilon}{1-\beta_1^t} \frac{m_t}{u_t}"),
        "Kingma & Ba, algorithm 2; δ inside the max as torch.optim.Adamax (the paper has no δ).",
        color=_BLACK, marker="pentagon"),
    Optimizer(
        "nadam", K.NADAM, "Nadam",
        "Adam with Nesterov momentum: the step uses the momentum it is about to have.",
        (_lr(0.05), *_betas(), _eps(),
         Param("momentum_decay", 0.004, 0.0, 0.1,
                    "ψ: how fast the momentum schedule μ_t warms up to β₁")),
        (_M, _V2), (1.0, 1.0, 1.0),
        (r"\mu_t = \beta_1\left(1 - \tfrac12 \, 0.96^{t\psi}\right)",
         r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t", r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2",
         r"x_t = x_{t-1} - \frac{\varepsilon}{\sqrt{v_t/(1-\beta_2^t)} + \delta}"
         r"\left(\frac{(1-\mu_t) g_t}{1-\prod_{i\le t}\mu_i}"
         r" + \frac{\mu_{t+1} m_t}{1-\prod_{i\le t+1}\mu_i}\right)"),
        "Dozat (2016) with the momentum schedule, identical to torch.optim.NAdam.",
        color=_YELLOW, marker="diamond"),
    Optimizer(
        "amsgrad", K.AMSGRAD, "AMSGrad",
        "Adam that never lets its denominator shrink: it divides by the running maximum of v.",
        (_lr(0.05), *_betas(), _eps()),
        (_M, _V2, StateVar("v_max", "v^{max}", "running maximum of v")), (1.0, 1.0),
        (r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t", r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2",
         r"v^{max}_t = \max(v^{max}_{t-1}, v_t)",
         r"x_t = x_{t-1} - \frac{\varepsilon\, m_t/(1-\beta_1^t)}"
         r"{\sqrt{v^{max}_t/(1-\beta_2^t)} + \delta}"),
        "Reddi et al. (2018); bias-corrected like Adam, as torch.optim.Adam(amsgrad=True).",
        color=_PURPLE, marker="square"),
    Optimizer(
        "adadelta", K.ADADELTA, "AdaDelta",
        "No learning rate needed: the step's size comes from the leaky average of past steps.",
        (_lr(1.0), _decay(), _eps(1e-6)),
        (StateVar("s", "s", "leaky average of squared gradients"),
         StateVar("delta", "\\Delta", "leaky average of squared steps")), (),
        (r"s_t = \rho s_{t-1} + (1-\rho) g_t^2",
         r"g'_t = \frac{\sqrt{\Delta_{t-1} + \delta}}{\sqrt{s_t + \delta}} g_t",
         r"\Delta_t = \rho \Delta_{t-1} + (1-\rho) g'^2_t", r"x_t = x_{t-1} - \varepsilon g'_t"),
        "Zeiler (2012); δ inside the roots as in the paper and torch.optim.Adadelta; lr scales "
        "the step but not the accumulated Δ, as torch.",
        color=_ORANGE, marker="triangle-left",
        lr_rule=LrRule("fixed", 1.0)),
    Optimizer(
        "rmsprop_nesterov", K.RMSPROP_NESTEROV, "RMSProp + Nesterov",
        "RMSProp scaling with Nesterov momentum (Goodfellow et al., algorithm 8.6).",
        (_lr(0.01), _decay(), _momentum("α"), _eps()),
        (StateVar("s", "r", "leaky average of squared gradients"), _V), (),
        (r"\tilde x = x_{t-1} + \alpha v_{t-1}", r"g_t = \nabla f(\tilde x)",
         r"r_t = \rho r_{t-1} + (1-\rho) g_t^2",
         r"v_t = \alpha v_{t-1} - \frac{\varepsilon}{\sqrt{r_t} + \delta} g_t",
         r"x_t = x_{t-1} + v_t"),
        "Not in torch.optim. δ after the square root (the book puts it inside).",
        gradient_at="x + momentum·v",
        color=_GREEN, marker="triangle-right",
        lr_rule=LrRule("distance", 0.01)),
    Optimizer(
        "newton", K.NEWTON, "Newton (damped)",
        "Jumps to the critical point of the local quadratic model — a saddle as readily as a "
        "minimum.",
        (_lr(1.0, high=2.0),
         Param("damping", 0.0, 0.0, 100.0,
                    "λ added to the Hessian's diagonal; large λ turns Newton into small "
                    "gradient steps")), (), (),
        (r"x_t = x_{t-1} - \varepsilon\, (H + \lambda I)^{-1} g_t",),
        "Uses the exact Hessian of the surface. Where H + λI is singular the step is "
        "infinite and the run is flagged as diverged.",
        needs_hessian=True,
        color=_BLACK, marker="square",
        lr_rule=LrRule("fixed", 1.0)),
)}


def _check_identities() -> None:
    """Every optimizer has a colour and a marker, and no two share both."""
    pairs = [(o.color, o.marker) for o in OPTIMIZERS.values()]
    if not all(c and m in MARKERS for c, m in pairs):
        raise ValueError("every optimizer needs a colour and one of MARKERS")
    if len(set(pairs)) != len(pairs):
        raise ValueError("two optimizers share a colour and a marker")


_check_identities()


def get_optimizer(optimizer_id: str) -> Optimizer:
    """Look up an optimizer by id, with an error that lists the choices."""
    return lookup(OPTIMIZERS, optimizer_id, "optimizer")
