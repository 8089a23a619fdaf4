"""The momentum schedule: a run option that raises an optimizer's momentum μ from 0.5 to its
value, as Sutskever, Martens, Dahl & Hinton (2013, "On the importance of initialization and
momentum in deep learning", eq. 5) did with τ = 250:

    μ_t = min(μ, 1 − 2^(−1 − log₂(⌊(t − 1)/τ⌋ + 1))) = min(μ, 1 − 1 / (2(⌊(t − 1)/τ⌋ + 1)))

so μ is 0.5 for steps 1 … τ, 0.75 for the next τ, then 5/6, 7/8, … until it reaches the run's
μ. (The paper counts t from 0; here step t = 1 is the first.) It applies to the optimizers
with a hyperparameter named ``momentum`` (heavy ball, Nesterov, RMSProp with Nesterov
momentum); the Adam family's β₁ is left alone, since its bias correction 1 − β₁ᵗ assumes a
constant β₁ (Nadam has its own schedule). The kernels overwrite μ in the run's own copy of
the hyperparameters before each step, so the rule is unchanged; Nesterov's look-ahead x + μv
for step t uses μ_t, as its update does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from numba import njit

from descentlab.engine.errors import EngineError
from descentlab.engine.optimizers.jit import INLINE
from descentlab.engine.optimizers.spec import Optimizer
from descentlab.engine.params import Param, resolve

SETTINGS = (
    Param("tau", 250.0, 1.0, 100_000.0,
          "τ: steps between two rises of μ (0.5, 0.75, 5/6, … up to the run's μ)",
          symbol=r"\tau"),
)

EQUATIONS = (r"\mu_t = \min\left(\mu, 1 - \frac{1}{2(\lfloor (t-1)/\tau \rfloor + 1)}\right)",)

NOTE = ("Sutskever et al. (2013), eq. 5 (τ = 250 there): μ is 0.5 for the first τ steps, then "
        "0.75, 5/6, 7/8, … until it reaches the run's momentum. For optimizers with a "
        "momentum μ; not the Adam family's β₁, whose bias correction assumes it constant.")

MOMENTUM = "momentum"
"""The hyperparameter the schedule drives (a name, not an optimizer's id)."""


@dataclass(frozen=True)
class MomentumSchedule:
    """A run's momentum schedule: μ rises every ``tau`` steps."""

    tau: int

    def to_dict(self) -> dict:
        return {"tau": self.tau}


def momentum_index(optimizer: Optimizer) -> int:
    """Where μ sits in the kernel's h (the hyperparameters other than lr, in order)."""
    names = [p.name for p in optimizer.hyperparameters if p.name != "lr"]
    return names.index(MOMENTUM)


def momentum_schedule_option(optimizer: Optimizer, spec: Mapping[str, object] | None
                             ) -> MomentumSchedule | None:
    """The checked schedule of a run (None: constant μ); errors name the field under
    ``momentum_schedule``."""
    if spec is None:
        return None
    try:
        if not isinstance(spec, Mapping):
            raise EngineError("momentum_schedule is {'tau': steps}")
        if all(p.name != MOMENTUM for p in optimizer.hyperparameters):
            raise EngineError(f"{optimizer.name} has no momentum μ for a momentum schedule "
                              "to raise")
        values = resolve(SETTINGS, spec, "the momentum schedule", "setting")
        if not values["tau"].is_integer():
            raise EngineError(f"the momentum schedule's tau counts steps: a whole number, got "
                              f"{values['tau']:g}", field="tau")
    except EngineError as err:
        raise err.at("momentum_schedule") from None
    return MomentumSchedule(int(values["tau"]))


def catalogue_entry() -> dict:
    """The momentum schedule as the run-options catalogue lists it."""
    return {"id": "momentum_schedule", "name": "Momentum schedule", "note": NOTE,
            "equations": list(EQUATIONS), "params": [p.to_dict() for p in SETTINGS]}


@njit(**INLINE)
def scheduled_momentum(mu, t, tau):
    """μ_t for step t (1-based) rising every tau steps, capped at the run's μ."""
    return min(mu, 1.0 - 0.5 / ((t - 1) // tau + 1))
