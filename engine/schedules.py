"""Learning-rate schedules: plain functions from the step index k = 0, 1, … to a learning rate.

Each schedule is a multiplier on the optimizer's own lr, so one schedule can be shared by
optimizers whose base learning rates differ by orders of magnitude. The race evaluates the
whole schedule once into an array; the kernels never see the schedule itself.

Every schedule also takes ``warmup``: a linear ramp from ε/w up to the schedule over the
first w steps (0: none), multiplied onto whatever the schedule says — the warm-up that
transformer recipes put in front of cosine or constant rates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from descentlab.engine.errors import lookup
from descentlab.engine.params import Param, resolve


def constant(k: np.ndarray, lr: float) -> float:
    """ε_k = ε₀: one number, which broadcasts over every step."""
    return lr


def inverse_time(k: np.ndarray, lr: float, tau: float) -> np.ndarray:
    """ε_k = ε₀ / (1 + k/τ): Robbins and Monro's condition (Σ ε_k = ∞, Σ ε_k² < ∞), under
    which SGD with noisy gradients converges instead of rattling around the minimum."""
    return lr / (1.0 + np.asarray(k, dtype=np.float64) / tau)


def step_decay(k: np.ndarray, lr: float, step_size: float, gamma: float) -> np.ndarray:
    """ε_k = ε₀ γ^⌊k / step_size⌋: the staircase of classic training recipes."""
    return lr * gamma ** np.floor(np.asarray(k) / step_size)


def exponential(k: np.ndarray, lr: float, gamma: float) -> np.ndarray:
    return lr * gamma ** np.asarray(k, dtype=np.float64)


def linear(k: np.ndarray, lr: float, tau: float, end_factor: float) -> np.ndarray:
    """ε_k = (1 − k/τ) ε₀ + (k/τ) ε_τ until step τ, then ε_τ = end_factor·ε₀ (the lectures')."""
    frac = np.minimum(np.asarray(k, dtype=np.float64) / tau, 1.0)
    return (1.0 - frac) * lr + frac * end_factor * lr


def cosine_restarts(k: np.ndarray, lr: float, period: float, period_mult: float,
                    min_factor: float, peak_decay: float = 1.0) -> np.ndarray:
    """SGDR (Loshchilov & Hutter): cosine from the peak to η_min, restarting after T₀,
    T₀·T_mult, …; each restart's peak is ``peak_decay`` times the one before."""
    k = np.asarray(k, dtype=np.float64)
    if period_mult == 1.0:
        i = np.floor(k / period)
        cycle_pos = np.mod(k, period)
        cycle_len = np.full_like(k, period)
    else:
        # Cycle i starts at T₀(T_mult^i − 1)/(T_mult − 1): invert that for the cycle index.
        i = np.floor(np.log(k * (period_mult - 1.0) / period + 1.0) / np.log(period_mult))
        start = period * (period_mult**i - 1.0) / (period_mult - 1.0)
        cycle_len = period * period_mult**i
        cycle_pos = k - start
        # Guard the rounding at a cycle boundary: position must lie in [0, length).
        wrapped = cycle_pos >= cycle_len
        cycle_pos = np.where(wrapped, cycle_pos - cycle_len, cycle_pos)
        cycle_len = np.where(wrapped, cycle_len * period_mult, cycle_len)
        i = np.where(wrapped, i + 1, i)
    eta_min = min_factor * lr
    peak = lr * peak_decay ** i
    return eta_min + 0.5 * (peak - eta_min) * (1.0 + np.cos(np.pi * cycle_pos / cycle_len))


@lru_cache(maxsize=16)
def step_index(steps: int) -> np.ndarray:
    """k = 0 … steps − 1, read-only: every race of the same length shares one, since building
    it took longer than filling a constant schedule."""
    k = np.arange(steps, dtype=np.float64)
    k.setflags(write=False)
    return k


@dataclass(frozen=True)
class Schedule:
    """A named schedule with its parameters, as the catalogue shows it."""

    id: str
    name: str
    latex: str
    params: tuple[Param, ...]
    function: Callable[..., np.ndarray]
    note: str

    def resolve(self, overrides: Mapping[str, float] | None) -> dict[str, float]:
        return resolve(self.params, overrides, f"the {self.name} schedule")

    def values(self, lr: float, steps: int, params: Mapping[str, float]) -> np.ndarray:
        """The learning rate of steps 1..steps (index k = 0..steps−1)."""
        out = np.empty(steps)
        self.fill(out, lr, params)
        return out

    def fill(self, out: np.ndarray, lr: float, params: Mapping[str, float]) -> None:
        """Write the learning rate of steps 1..out.size into ``out``."""
        k = step_index(out.size)
        own = {name: value for name, value in params.items() if name != "warmup"}
        out[:] = self.function(k, lr, **own)
        warmup = params.get("warmup", 0.0)
        if warmup > 0:
            out *= np.minimum(1.0, (k + 1.0) / warmup)

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "latex": self.latex, "note": self.note,
                "params": [p.to_dict() for p in self.params]}


WARMUP = Param("warmup", 0, 0, 1e6, "steps w of linear warm-up in front of the schedule "
               "(0: none)")


def _with_warmup(schedule: Schedule) -> Schedule:
    return Schedule(schedule.id, schedule.name, schedule.latex, (*schedule.params, WARMUP),
                    schedule.function, schedule.note)


SCHEDULES: dict[str, Schedule] = {s.id: _with_warmup(s) for s in (
    Schedule("constant", "Constant", r"\varepsilon_k = \varepsilon_0", (), constant,
             "The same step size throughout."),
    Schedule("inverse_time", "Inverse time (Robbins–Monro)",
             r"\varepsilon_k = \frac{\varepsilon_0}{1 + k/\tau}",
             (Param("tau", 100, 1, 1e6, "steps τ until the rate has halved"),),
             inverse_time, "Robbins & Monro (1951): the rate shrinks like 1/k, slowly enough "
                           "to reach any point and fast enough to stop the noise."),
    Schedule("step", "Step decay", r"\varepsilon_k = \varepsilon_0\,\gamma^{\lfloor k/s \rfloor}",
             (Param("step_size", 100, 1, 1e6, "steps between drops (s)"),
              Param("gamma", 0.5, 0.0, 1.0, "factor applied at each drop (γ)")),
             step_decay, "Drops the rate by γ every s steps."),
    Schedule("exponential", "Exponential decay", r"\varepsilon_k = \varepsilon_0\,\gamma^{k}",
             (Param("gamma", 0.995, 0.0, 1.0, "factor applied every step (γ)"),),
             exponential, "Shrinks the rate smoothly by γ every step."),
    Schedule("linear", "Linear decay",
             r"\varepsilon_k = (1-\tfrac{k}{\tau})\varepsilon_0 + \tfrac{k}{\tau}\varepsilon_\tau",
             (Param("tau", 500, 1, 1e6, "step τ at which the decay ends"),
              Param("end_factor", 0.01, 0.0, 10.0,
                            "ε_τ as a fraction of ε₀ (the lectures suggest about 1%)")),
             linear, "Decays linearly to ε_τ over τ steps, then stays there "
                     "(Goodfellow et al., §8.3.1)."),
    Schedule("cosine_restarts", "Cosine with warm restarts (SGDR)",
             r"\varepsilon_k = \eta_{min} + \tfrac12(\varepsilon_0-\eta_{min})"
             r"\left(1+\cos\frac{\pi T_{cur}}{T_i}\right)",
             (Param("period", 200, 1, 1e6, "length T₀ of the first cycle"),
              Param("period_mult", 1.0, 1.0, 10.0, "T_mult: each cycle is this much "
                            "longer than the one before"),
              Param("min_factor", 0.0, 0.0, 1.0, "η_min as a fraction of ε₀"),
              Param("peak_decay", 1.0, 0.0, 1.0, "each restart's peak as a fraction of the "
                                                 "one before")),
             cosine_restarts, "Loshchilov & Hutter (2017): each restart jumps the rate back "
                              "up, which can kick the point out of a basin."),
)}


def get_schedule(schedule_id: str) -> Schedule:
    return lookup(SCHEDULES, schedule_id, "schedule", field="kind")
