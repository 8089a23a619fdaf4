"""Lookahead (Zhang, Lucas, Hinton & Ba 2019, "Lookahead Optimizer: k steps forward, 1 step
back"): a run option that wraps any optimizer whose rule ``kernels.update`` routes.

The wrapped ("fast") optimizer takes k steps from the slow point; then the slow point moves
a fraction α of the way to where the fast one arrived, and the fast point starts again from
there:

    fast_t = inner step of fast_{t−1}              (every step, gradient taken at fast)
    every k-th step:  slow ← slow + α (fast − slow),  fast ← slow

As optax 0.2.8's ``lookahead(…, reset_state=False)``: the sync happens after steps k, 2k, …;
the inner optimizer's state (velocity, moments, running products) is kept across syncs; the
fast point is reset to the new slow point. The slow point is what a race draws and judges
(convergence, divergence): it is the x of the race's carry. The fast point is kept as its
offset from the slow one, one more state row ``fast`` (so, like every state, it starts at
zero: fast = slow at the start); the inspector shows fast = x + offset. optax keeps the fast
point itself; x + (fast − x) can differ from it in the last bit, so the two agree to
rounding, not bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from numba import njit

from descentlab.engine.errors import EngineError
from descentlab.engine.optimizers.jit import INLINE
from descentlab.engine.optimizers.spec import Optimizer, StateVar
from descentlab.engine.params import Param, resolve

SETTINGS = (
    Param("k", 5.0, 1.0, 1000.0, "k: fast steps between two syncs of the slow point",
          symbol="k"),
    Param("alpha", 0.5, 0.01, 1.0,
          "α: the fraction of the way to the fast point the slow point moves at a sync",
          symbol=r"\alpha"),
)
"""The option's settings, as the API and the page offer them (Zhang et al.'s defaults)."""

FAST = StateVar("fast", r"\tilde{x} - x",
                "Lookahead: the fast point's offset from the slow point x (zero after a sync)")
"""The state row Lookahead adds after the wrapped optimizer's own."""

EQUATIONS = (r"g_t = \nabla f(\tilde{x}_{t-1})",
             r"t = k, 2k, 3k, \ldots:\; x \leftarrow x + \alpha(\tilde{x}_t - x),\;"
             r" \tilde{x}_t \leftarrow x")
"""The wrapper's equations, shown after the wrapped optimizer's (whose x is x̃ here)."""

NOTE = ("Zhang et al. (2019), as optax.lookahead 0.2.8 (reset_state=False): the wrapped "
        "optimizer's state is kept across syncs and the fast point restarts from the slow "
        "one. The path drawn and judged is the slow point's; the inspector shows the fast "
        "one. Not for Newton or Polyak, whose steps read more than the gradient.")


def catalogue_entry() -> dict:
    """Lookahead as the run-options catalogue lists it."""
    return {"id": "lookahead", "name": "Lookahead", "note": NOTE,
            "equations": list(EQUATIONS), "params": [p.to_dict() for p in SETTINGS]}


@dataclass(frozen=True)
class Lookahead:
    """A run's Lookahead setting: sync every ``k`` steps, slow step size ``alpha``."""

    k: int
    alpha: float

    def to_dict(self) -> dict:
        return {"k": self.k, "alpha": self.alpha}


def lookahead_option(optimizer: Optimizer, spec: Mapping[str, object] | None
                     ) -> Lookahead | None:
    """The checked Lookahead setting of a run (None: not wrapped); errors name the field
    under ``lookahead``."""
    if spec is None:
        return None
    try:
        if not isinstance(spec, Mapping):
            raise EngineError("lookahead is {'k': steps, 'alpha': fraction}")
        values = resolve(SETTINGS, spec, "Lookahead", "setting")
        if not values["k"].is_integer():
            raise EngineError(f"Lookahead's k counts steps: a whole number, got "
                              f"{values['k']:g}", field="k")
        if not optimizer.wrappable:
            raise EngineError(f"Lookahead wraps a step that reads only the gradient; "
                              f"{optimizer.name} reads more of the surface")
    except EngineError as err:
        raise err.at("lookahead") from None
    return Lookahead(int(values["k"]), values["alpha"])


@njit(**INLINE)
def fast_point(x, S, row, out):
    """out ← the fast point x + S[row]."""
    for i in range(x.size):
        out[i] = x[i] + S[row, i]


@njit(**INLINE)
def sync(x, S, row, t, k, alpha, fast):
    """After the wrapped optimizer stepped the fast point ``fast``: every k-th step the slow
    point x moves α of the way to it and the fast point restarts there (offset S[row] = 0);
    otherwise the offset is kept. The kernels call the wrapped rule themselves, at the same
    call site as an unwrapped run's: a second inlined copy of every rule had doubled the
    race kernel's cold compile (121 s → 296 s)."""
    if t % k == 0:
        for i in range(x.size):
            x[i] += alpha * (fast[i] - x[i])
            S[row, i] = 0.0
    else:
        for i in range(x.size):
            S[row, i] = fast[i] - x[i]
