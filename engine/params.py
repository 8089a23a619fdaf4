"""Tunable numbers — surface parameters, hyperparameters, schedule settings — and their checks.

All three catalogues describe a number the same way (a default, the range a slider may
offer, a one-line meaning), and all three must refuse an unknown name or an out-of-range
value with a message that names it; this module is that one description and that one check.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from descentlab.engine.errors import EngineError


@dataclass(frozen=True)
class Param:
    """A tunable number with its range (``log`` asks a UI for a log-scale slider)."""

    name: str
    default: float
    low: float
    high: float
    meaning: str
    log: bool = False
    symbol: str = ""
    """The letter the equations use for it (LaTeX, e.g. ``\\beta_1``), if any."""
    integer: bool = False
    """A count (random search's trials): only whole numbers are taken."""

    def to_dict(self) -> dict:
        return {"name": self.name, "default": self.default, "min": self.low,
                "max": self.high, "meaning": self.meaning, "log": self.log,
                "symbol": self.symbol, "integer": self.integer}


def resolve(params: Sequence[Param], overrides: Mapping[str, object] | None, owner: str,
            noun: str = "parameter") -> dict[str, float]:
    """Defaults overlaid with ``overrides``, each checked; errors name the field by its name.

    ``owner`` completes the message ("adam has no hyperparameter 'lr2'"). An unknown name is
    reported before any bad value. Every race resolves each of its optimizers here, so the
    loop does one look-up per parameter and leaves the searching to the failing case.
    """
    overrides = overrides or {}
    values = {}
    given = 0
    for p in params:
        raw = overrides.get(p.name, _ABSENT)
        if raw is _ABSENT:
            raw = p.default
        else:
            given += 1
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = math.nan
        if not (math.isfinite(value) and p.low <= value <= p.high):
            _refuse(params, overrides, owner, noun, p, raw)
        if p.integer and not value.is_integer():
            _refuse_unknown(params, overrides, owner, noun)
            raise EngineError(f"{noun} '{p.name}' of {owner} counts: it must be a whole "
                              f"number, got {value:g}", field=p.name, key="error.not_whole",
                              params={"name": p.name, "owner": owner, "value": f"{value:g}"})
        values[p.name] = value
    if given != len(overrides):
        _refuse_unknown(params, overrides, owner, noun)
    return values


_ABSENT = object()


def _refuse_unknown(params: Sequence[Param], overrides: Mapping[str, object], owner: str,
                    noun: str) -> None:
    """Raise for the first name in ``overrides`` that ``params`` does not have, if any."""
    known = [p.name for p in params]
    for name in overrides:
        if name not in known:
            names = ", ".join(known) or "none"
            raise EngineError(f"{owner} has no {noun} '{name}' (it has: {names})",
                              field=str(name), key="error.unknown_param",
                              params={"owner": owner, "name": name, "known": names})


def _refuse(params: Sequence[Param], overrides: Mapping[str, object], owner: str, noun: str,
            p: Param, raw: object) -> None:
    _refuse_unknown(params, overrides, owner, noun)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise EngineError(f"{noun} '{p.name}' of {owner} must be a number, got {raw!r}",
                          field=p.name, key="error.not_a_number",
                          params={"name": p.name, "owner": owner, "value": repr(raw)}) from None
    raise EngineError(f"{noun} '{p.name}' of {owner} must lie in "
                      f"[{p.low:g}, {p.high:g}], got {value:g}", field=p.name,
                      key="error.out_of_range",
                      params={"name": p.name, "owner": owner, "low": f"{p.low:g}",
                              "high": f"{p.high:g}", "value": f"{value:g}"})


def param_vector(params: Sequence[Param], overrides: Mapping[str, object] | None,
                 owner: str) -> np.ndarray:
    """The resolved values in catalogue order, as the kernels read them; errors name the
    field under ``params``."""
    try:
        values = resolve(params, overrides, owner)
    except EngineError as err:
        raise err.at("params") from None
    return np.array(list(values.values()), dtype=np.float64)
