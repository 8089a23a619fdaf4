"""The compiled entry points the races call: one switch from an optimizer's code to its rule.

The rules themselves, and everything derived from them, live with each optimizer's
definition (``heavy_ball``, ``adaptive``, ``adam_family``, ``newton``). Numba dispatches on
an integer code, so this module only routes; a code it does not know is refused
(``check_code``) before a race steps, and ``catalog`` checks at import that every catalogued
code is routed.

Every rule has the signature ``(x, g, S, sc, t, lr, h)``:
  x   parameters (a flat vector: n points × 2 coordinates, or a network's weights),
      updated in place
  g   the gradient to use (already noised/clipped; for look-ahead methods taken at the
      look-ahead point)
  S   vector state, shape (k, N), one row per state variable in catalogue order
  sc  scalar state shared by all coordinates (running products β^t), updated in place
  t   1-based step number
  lr  learning rate of this step (from the schedule)
  h   the other hyperparameters, in catalogue order, then the entry's constants

``update`` also takes ``groups``: x holds that many independent problems, interleaved —
problem i's coordinates are x[i], x[i + groups], … (a surface race's chunk of n points,
all x coordinates then all y: groups = n; a network's weights: groups = 1). Rules that
treat each coordinate alone ignore it; a rule whose step reduces over a problem's
coordinates (Prodigy's step-size estimate) reduces within each group, so that it is
written once for both labs.
"""

from __future__ import annotations

from numba import njit

from descentlab.engine.optimizers import adam_family as A
from descentlab.engine.optimizers import adaptive as R
from descentlab.engine.optimizers import heavy_ball as B
from descentlab.engine.optimizers import parameter_free as P
from descentlab.engine.optimizers import schedule_free as F
from descentlab.engine.optimizers import sign_descent as L
from descentlab.engine.optimizers.baselines import (
    LINE_SEARCH,
    RANDOM_SEARCH,
    line_search_update,
    random_search_update,
)
from descentlab.engine.optimizers.jit import INLINE
from descentlab.engine.optimizers.newton import NEWTON, POLYAK, newton_update, polyak_update

__all__ = ["CODES", "LINE_SEARCH", "NEWTON", "POLYAK", "RANDOM_SEARCH", "check_code",
           "line_search_update", "lookahead", "newton_update", "polyak_update",
           "random_search_update", "update", "uses_lookahead"]

CODES = (B.SGD, B.MOMENTUM, B.NESTEROV, R.ADAGRAD, R.RMSPROP, A.ADAM, A.ADAMAX, A.NADAM,
         A.AMSGRAD, R.ADADELTA, R.RMSPROP_NESTEROV, NEWTON, A.ADAMW, A.RADAM, A.ADABELIEF,
         L.LION, A.YOGI, B.QHM, A.QHADAM, F.SCHEDULE_FREE_SGD, F.SCHEDULE_FREE_ADAMW, POLYAK,
         P.PRODIGY, LINE_SEARCH, RANDOM_SEARCH)
"""Every code routed here (Newton's, Polyak's, the line search's and random search's by the
surface race itself, through ``newton_update``, ``polyak_update``, ``line_search_update``
and ``random_search_update``)."""


@njit(**INLINE)
def uses_lookahead(code):
    """Whether ``code`` takes its gradient somewhere other than x (see :func:`lookahead`)."""
    return (code == B.NESTEROV or code == R.RMSPROP_NESTEROV or code == F.SCHEDULE_FREE_SGD
            or code == F.SCHEDULE_FREE_ADAMW)


@njit(**INLINE)
def lookahead(code, x, S, h, out):
    """Write into ``out`` the point where optimizer ``code`` takes its next gradient."""
    if code == B.NESTEROV:
        B.nesterov_point(x, S, h, out)
    elif code == R.RMSPROP_NESTEROV:
        R.rmsprop_nesterov_point(x, S, h, out)
    elif code == F.SCHEDULE_FREE_SGD or code == F.SCHEDULE_FREE_ADAMW:
        F.schedule_free_point(x, S, h, out)
    else:
        for i in range(x.size):
            out[i] = x[i]


@njit(**INLINE)
def update(code, x, g, S, sc, t, lr, h, groups):
    """Apply one step of optimizer ``code`` (all but Newton and Polyak) to the flat vector x."""
    if code == B.SGD:
        B.sgd_step(x, g, S, sc, t, lr, h)
    elif code == B.MOMENTUM:
        B.heavy_ball_step(x, g, S, sc, t, lr, h)
    elif code == B.NESTEROV:
        B.nesterov_step(x, g, S, sc, t, lr, h)
    elif code == R.ADAGRAD:
        R.adagrad_step(x, g, S, sc, t, lr, h)
    elif code == R.RMSPROP:
        R.rmsprop_step(x, g, S, sc, t, lr, h)
    elif code == A.ADAM:
        A.adam_step(x, g, S, sc, t, lr, h)
    elif code == A.ADAMAX:
        A.adamax_step(x, g, S, sc, t, lr, h)
    elif code == A.NADAM:
        A.nadam_step(x, g, S, sc, t, lr, h)
    elif code == A.AMSGRAD:
        A.amsgrad_step(x, g, S, sc, t, lr, h)
    elif code == R.ADADELTA:
        R.adadelta_step(x, g, S, sc, t, lr, h)
    elif code == R.RMSPROP_NESTEROV:
        R.rmsprop_nesterov_step(x, g, S, sc, t, lr, h)
    elif code == A.ADAMW:
        A.adamw_step(x, g, S, sc, t, lr, h)
    elif code == A.RADAM:
        A.radam_step(x, g, S, sc, t, lr, h)
    elif code == A.ADABELIEF:
        A.adabelief_step(x, g, S, sc, t, lr, h)
    elif code == L.LION:
        L.lion_step(x, g, S, sc, t, lr, h)
    elif code == A.YOGI:
        A.yogi_step(x, g, S, sc, t, lr, h)
    elif code == B.QHM:
        B.qhm_step(x, g, S, sc, t, lr, h)
    elif code == A.QHADAM:
        A.qhadam_step(x, g, S, sc, t, lr, h)
    elif code == F.SCHEDULE_FREE_SGD:
        F.schedule_free_sgd_step(x, g, S, sc, t, lr, h)
    elif code == F.SCHEDULE_FREE_ADAMW:
        F.schedule_free_adamw_step(x, g, S, sc, t, lr, h)
    elif code == P.PRODIGY:
        P.prodigy_step(x, g, S, sc, t, lr, h, groups)


@njit(**INLINE)
def check_code(code):
    """Refuse a code with no rule here, before any step: ``update`` would otherwise leave x
    unchanged. (Called outside the races' parallel loops: a ``raise`` inside one stops
    Numba from parallelising the loop at all.)"""
    for known in CODES:
        if code == known:
            return
    raise ValueError("no update rule is compiled for this optimizer code")
