"""The optimizer catalogue: every optimizer's definition, gathered from its family module.

Defaults are chosen for the two-dimensional lab (a view box a few units wide, a thousand
steps), not copied from torch: Adam at torch's lr = 1e-3 would barely move on the screen.
Each entry says where it departs from ``torch.optim``. Adding an optimizer: see
``engine/optimizers/README.md``.
"""

from __future__ import annotations

from descentlab.engine.errors import lookup
from descentlab.engine.optimizers import (
    adam_family,
    adaptive,
    baselines,
    heavy_ball,
    kernels,
    newton,
    parameter_free,
    schedule_free,
    sign_descent,
)
from descentlab.engine.optimizers.spec import COORDINATE_LRS, MARKERS, Optimizer, StateVar

__all__ = ["COORDINATE_LRS", "DEFAULT_LINEUP", "OPTIMIZERS", "Optimizer", "StateVar",
           "get_optimizer"]

OPTIMIZERS: dict[str, Optimizer] = {o.id: o for o in (
    *heavy_ball.ENTRIES, *adaptive.ENTRIES, *adam_family.ENTRIES, *sign_descent.ENTRIES,
    *schedule_free.ENTRIES, *newton.ENTRIES, *baselines.ENTRIES,
    *parameter_free.ENTRIES)}

DEFAULT_LINEUP = ("sgd", "momentum", "adam")
"""What a race runs when nobody chose (the CLI, a first visit to the networks lab): the
lectures' three classics, whose contrast — a plain step, a heavy ball, an adaptive one —
reads at once."""


def _check() -> None:
    """Fail at import, not silently in a kernel: codes unique and each one routed by
    ``kernels``; a look-ahead exactly where the entry says so; every optimizer with a
    colour and a marker, no two sharing both."""
    codes = [o.code for o in OPTIMIZERS.values()]
    if len(set(codes)) != len(codes) or set(codes) != set(kernels.CODES):
        raise ValueError("optimizer codes must be unique and each routed in kernels.CODES")
    for o in OPTIMIZERS.values():
        if kernels.uses_lookahead(o.code) != (o.gradient_at != "x"):
            raise ValueError(f"{o.id}: gradient_at disagrees with kernels.uses_lookahead")
    pairs = [(o.color, o.marker) for o in OPTIMIZERS.values()]
    if not all(c and m in MARKERS for c, m in pairs):
        raise ValueError("every optimizer needs a colour and one of MARKERS")
    if len(set(pairs)) != len(pairs):
        raise ValueError("two optimizers share a colour and a marker")
    if not set(DEFAULT_LINEUP) <= OPTIMIZERS.keys():
        raise ValueError("DEFAULT_LINEUP names an optimizer that does not exist")


_check()


def get_optimizer(optimizer_id: str) -> Optimizer:
    """Look up an optimizer by id, with an error that lists the choices."""
    return lookup(OPTIMIZERS, optimizer_id, "optimizer")
