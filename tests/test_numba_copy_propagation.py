"""The engine's copy propagation for Numba gives Numba's own answer on every function compiled."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit, prange
from numba.core import ir_utils
from numba.parfors import parfor

from descentlab.engine import _numba_copy_propagation as ncp
from descentlab.engine.optimizers.adam_family import ADAM
from descentlab.engine.optimizers.kernels import update
from descentlab.engine.race_kernel import judge
from descentlab.engine.surfaces.dispatch import value_grad_batch


def test_the_engine_installs_it_in_both_places_numba_calls_it_from() -> None:
    assert ncp.install()
    assert ir_utils.copy_propagate is ncp.copy_propagate
    assert parfor.copy_propagate is ncp.copy_propagate


def branches_and_loops(x, n):
    total, last = 0.0, x[0]
    i = 0
    while i < n:
        a = x[i % x.size]
        b = a
        if b > last:
            c = b
            last = c
        else:
            c = last
        for j in range(3):
            if j == 1:
                continue
            total += c * j
        i += 1
    return total + last


def parallel_chunks(x, out):
    for k in prange(out.size):
        acc = 0.0
        v = x[k]
        w = v
        for j in range(4):
            if w > 0:
                acc += math.sqrt(w) * j
            else:
                w = -w
        out[k] = acc


# Numba simplifies (and so propagates copies) only in its pipeline for ``parallel=True``.
@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """While a test compiles, every copy propagation is solved both ways and compared."""
    verdicts: list[bool] = []

    def both(blocks, typemap):
        ours = ncp.copy_propagate(blocks, typemap)
        verdicts.append(ours == ncp.NUMBA_COPY_PROPAGATE(blocks, typemap))
        return ours

    monkeypatch.setattr(ir_utils, "copy_propagate", both)
    monkeypatch.setattr(parfor, "copy_propagate", both)
    return verdicts


@pytest.mark.parametrize("compile_and_run", [
    lambda: njit(parallel=True)(branches_and_loops)(np.arange(5.0) - 2.0, 17),
    lambda: njit(parallel=True)(parallel_chunks)(np.linspace(-1, 1, 9), np.empty(9)),
    lambda: njit(parallel=True)(judge.py_func)(1, np.zeros((2, 4)), np.ones(4), np.zeros((2, 4)),
                                np.full(4, -1), np.full(4, -1), 0.0, True, 1e-9, 1e-9, 1e6),
    lambda: njit(parallel=True)(value_grad_batch.py_func)(
        2, np.array([1.0, 100.0]), np.zeros(0, np.int64), np.zeros(0), np.ones((2, 3)),
        np.empty(3), np.empty((2, 3))),
    lambda: njit(parallel=True)(update.py_func)(
        ADAM, np.ones(4), np.ones(4), np.zeros((2, 4)), np.ones(2), 1, 0.1,
        np.array([0.9, 0.999, 1e-8, 0.0, 1.0]), 1),
], ids=["branches and loops", "prange", "judging (inlined calls)", "every surface formula",
        "every optimizer's rule"])
@pytest.mark.filterwarnings("ignore::numba.NumbaPerformanceWarning")  # (no prange to run)
def test_it_gives_numbas_answer_wherever_numba_asks(compared: list[bool],
                                                    compile_and_run) -> None:
    compile_and_run()
    assert compared and all(compared), compared
