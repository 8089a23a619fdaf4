"""What an optimizer's definition holds, and the pieces several definitions share.

Each optimizer is defined once, in its family's module (``heavy_ball``, ``adaptive``,
``adam_family``, ``newton``): the compiled update rule and, beside it, one
:class:`Optimizer` entry with everything derived from that rule — hyperparameters with
their symbols, state variables, equations, step cost, suggested learning rates, where the
gradient is taken, the inspector's derived quantities, the quadratic theory where one is
known, and the colour and marker it wears on screen. Nothing outside those modules branches
on an optimizer's id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from descentlab.engine.errors import EngineError
from descentlab.engine.params import Param, resolve

COORDINATE_LRS = ("lr_x", "lr_y")
"""The names of per-coordinate learning rates, for optimizers with ``per_coordinate_lr``."""

MARKERS = ("circle", "square", "diamond", "triangle-up", "triangle-down", "triangle-left",
           "triangle-right", "hexagon", "pentagon")
"""The filled shapes an optimizer may use; the plots draw critical points and outcomes with
other glyphs (★ ☆ for minima, an hourglass for a saddle, an open triangle for a maximum, ✕ for
a diverged run, rings for converged and stalled ones)."""

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common
# colour-vision deficiency. Eight colours cannot mark every optimizer alone, so the marker
# shapes carry the rest, and no two optimizers share a (colour, marker) pair.
BLUE, VERMILLION, GREEN, PURPLE = "#0072B2", "#D55E00", "#009E73", "#CC79A7"
ORANGE, SKY, YELLOW, BLACK = "#E69F00", "#56B4E9", "#F0E442", "#000000"
# Paul Tol's "muted" scheme, also safe for colour-blind readers: with it the members of one
# family, which lessons compare (Adam, AdamW, RAdam; RMSProp, AdaDelta), differ in colour
# too, not only in marker.
INDIGO, TEAL, FOREST, OLIVE = "#332288", "#44AA99", "#117733", "#999933"
ROSE, WINE, MAGENTA = "#CC6677", "#882255", "#AA4499"


@dataclass(frozen=True)
class StateVar:
    """A per-coordinate state variable, as recorded for the inspector."""

    name: str
    symbol: str
    meaning: str

    def to_dict(self) -> dict:
        return {"name": self.name, "symbol": self.symbol, "meaning": self.meaning}


@dataclass(frozen=True)
class Derived:
    """A quantity the inspector shows that the rule computes but does not keep (m̂, the
    effective step, …); ``latex`` is its symbol in the equations, where it has one."""

    name: str
    label: str
    meaning: str
    latex: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "label": self.label, "meaning": self.meaning,
                "latex": self.latex}


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


Curve = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class QuadraticTheory:
    """What theory says of a method that is linear on a quadratic (see ``engine.theory``):
    for each eigenvalue λ, with h = αλ, the spectral radius of the iteration; the largest
    stable α as a function of λ_max and the momentum; the fastest setting (α*, μ*) from
    (λ_min, λ_max) where it has a closed form; and the limit as the page prints it."""

    rule: str
    radius: Curve
    lr_limit: Curve
    optimum: Callable[[float, float], tuple[float, float]] | None = None


def largest_root(b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Largest |root| of z² − bz + c (elementwise): the contraction of a two-term linear
    recurrence such as the heavy ball's on one eigenvalue."""
    disc = b * b - 4.0 * c
    root = np.sqrt(np.maximum(disc, 0.0))
    real = np.maximum(np.abs(b + root), np.abs(b - root)) / 2.0
    return np.where(disc >= 0.0, real, np.sqrt(np.abs(c)))


Derive = Callable[..., dict[str, np.ndarray]]
"""``derive(state, lr, t, hp, state_before)`` → derived arrays for a window of frames: state
arrays (P, F, 2), the learning rate of each frame (1, F, 1), step numbers t (F,), the
resolved hyperparameters, and the frame before the window's state (or None)."""


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: its kernel code, hyperparameters, state, equations and look."""

    id: str
    code: int
    name: str
    summary: str
    hyperparameters: tuple[Param, ...]
    state: tuple[StateVar, ...]
    scalar_state: tuple[float, ...]
    equations: tuple[str, ...]
    notes: str
    color: str
    """Hex colour of this optimizer's paths and markers (Okabe–Ito)."""
    marker: str
    """Marker shape: one of ``MARKERS``."""
    step_cost: float
    """Time of one step relative to SGD's, one path on Rosenbrock, as
    ``benchmarks/bench_engine.py`` measures it: used to share a race's runs between threads."""
    network_lr: float | None
    """The learning rate a network race suggests (None: not offered for networks)."""
    gradient_at: str = "x"
    needs_hessian: bool = False
    needs_loss: bool = False
    """The step reads f(x) − f* (Polyak's): the race passes the loss and the surface's known
    minimum value, and refuses a surface without one."""
    needs_surface: bool = False
    """The step evaluates the surface itself, away from x (exact line search, random
    search): the surface race passes it the surface; surfaces only."""
    lr_rule: LrRule = LrRule("distance", 0.02)
    """How a learning rate suited to a surface is suggested."""
    per_coordinate_lr: bool = False
    """The update is linear in ε·g (SGD, heavy ball, Nesterov), so a learning rate per
    coordinate (``lr_x``, ``lr_y``; on the two-weight linear net, one per layer) is exactly
    ε with the gradient scaled per coordinate by lr_x/ε and lr_y/ε. For adaptive methods a
    scaled gradient is divided out again, so they do not offer it."""
    derived: tuple[Derived, ...] = ()
    derive: Derive | None = None
    quadratic: QuadraticTheory | None = None
    constants: Callable[[Callable[[str], Any]], list] | None = None
    """Constants the kernel reads after the hyperparameters, computed from them once (so no
    ``pow`` per step): given a look-up of a hyperparameter by name, scalars or columns."""

    @property
    def wrappable(self) -> bool:
        """Lookahead may wrap it: its step reads only the gradient."""
        return not (self.needs_hessian or self.needs_loss or self.needs_surface)

    @property
    def run_options(self) -> list[str]:
        """The run options (``GET /run-options``) a run of it may take."""
        has_momentum = any(p.name == "momentum" for p in self.hyperparameters)
        return ["lookahead"] * self.wrappable + ["momentum_schedule"] * has_momentum

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
        """The kernel's ``h``: hyperparameters other than lr, in order, plus constants."""
        return self._with_constants([values[p.name] for p in self.hyperparameters
                                     if p.name != "lr"], values.__getitem__)

    def kernel_matrix(self, runs: Sequence[Mapping[str, float]]) -> np.ndarray:
        """``kernel_values`` of many settings at once, one row each (a hyperparameter map
        races 10⁵ settings; row by row, this took longer than the race)."""
        def column(name: str) -> np.ndarray:
            return np.array([values[name] for values in runs], dtype=np.float64)

        columns = self._with_constants([column(p.name) for p in self.hyperparameters
                                        if p.name != "lr"], column)
        return np.stack(columns, axis=1) if columns else np.zeros((len(runs), 0))

    def _with_constants(self, h: list, value: Callable[[str], Any]) -> list:
        return h + self.constants(value) if self.constants else h

    def kernel_vector(self, values: Mapping[str, float]) -> np.ndarray:
        return np.array(self.kernel_values(values), dtype=np.float64)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name, "summary": self.summary,
            "hyperparameters": [p.to_dict() for p in self.hyperparameters],
            "state": [s.to_dict() for s in self.state], "equations": list(self.equations),
            "derived": [d.to_dict() for d in self.derived],
            "notes": self.notes, "gradient_at": self.gradient_at,
            "needs_hessian": self.needs_hessian, "needs_surface": self.needs_surface,
            "color": self.color, "marker": self.marker,
            "wrappable": self.wrappable, "run_options": self.run_options,
            "lr_rule": self.lr_rule.to_dict(), "per_coordinate_lr": self.per_coordinate_lr,
            "network_lr": self.network_lr, "step_cost": self.step_cost,
            "stability_rule": self.quadratic.rule if self.quadratic else None,
        }


# --- hyperparameters and state variables several optimizers share ---

def lr(default: float, high: float = 10.0) -> Param:
    return Param("lr", default, 1e-6, high, "learning rate ε: the size of each step",
                 log=True, symbol=r"\varepsilon")


def momentum(symbol: str = r"\mu") -> Param:
    letter = {r"\mu": "μ", r"\alpha": "α"}[symbol]
    return Param("momentum", 0.9, 0.0, 0.999,
                 f"momentum {letter}: the fraction of the velocity kept each step",
                 symbol=symbol)


def decay() -> Param:
    return Param("decay", 0.9, 0.0, 0.9999, "decay ρ of the leaky average of squared gradients",
                 symbol=r"\rho")


def eps(default: float = 1e-8, low: float = 1e-12) -> Param:
    return Param("eps", default, low, 1.0,
                 "δ added to the denominator so that it is never zero", log=True,
                 symbol=r"\delta")


def betas() -> tuple[Param, Param]:
    return (Param("beta1", 0.9, 0.0, 0.9999, "β₁: decay of the first moment (momentum)",
                  symbol=r"\beta_1"),
            Param("beta2", 0.999, 0.0, 0.99999,
                  "β₂: decay of the second moment (squared gradients)", symbol=r"\beta_2"))


def weight_decay(default: float = 0.0, decoupled: bool = False) -> Param:
    """L2 regularisation λ: coupled (λx added to the gradient, as torch's ``weight_decay``
    for SGD and Adam) or decoupled (x shrunk by ελx apart from the gradient step, AdamW)."""
    how = ("x shrinks by a factor 1 − ελ each step, apart from the gradient step" if decoupled
           else "λx is added to the gradient: L2 regularisation ½λ‖x‖²")
    return Param("weight_decay", default, 0.0, 1.0, f"weight decay λ: {how}",
                 symbol=r"\lambda")


def bias_correction() -> Param:
    """Whether the Adam family divides its moments by 1 − βᵗ: c = 1 as Kingma & Ba (and
    torch, optax), c = 0 the moments used raw. The kernels multiply βᵗ by c, so a value
    between corrects in part."""
    return Param("bias_correction", 1.0, 0.0, 1.0,
                 "bias correction c: 1 divides the moments by 1 − c·βᵗ as Kingma & Ba do; 0 "
                 "uses them raw (both start at 0), which misscales the early steps",
                 symbol="c")


DECAYED = r"g_t \leftarrow g_t + \lambda x_{t-1}"
"""The equation of coupled weight decay where a rule's other equations keep g_t."""


VELOCITY = StateVar("v", "v", "velocity: the decaying sum of past steps")
SQUARES = StateVar("s", "s", "accumulated squared gradients, per coordinate")
FIRST_MOMENT = StateVar("m", "m", "first moment: leaky average of gradients")
SECOND_MOMENT = StateVar("v", "v", "second moment: leaky average of squared gradients")

EFFECTIVE_LR = Derived("effective_lr", "effective step",
                       "per coordinate: what multiplies the gradient")
