"""Numba's copy propagation, solved with a worklist: the same answer, a quarter off a cold start.

Numba simplifies a function's IR many times while compiling it, and each time it solves a
dataflow problem: which copies ``a = b`` still hold on entry to each block (a copy holds on
entry if it holds on exit from every predecessor; it holds on exit if the block makes it,
or it held on entry and the block does not overwrite either side). Numba (0.68.1 here) iterates
over every block until nothing changes and, to see whether anything did, snapshots the
whole state with ``copy.deepcopy`` each round — sets of thousands of name pairs for each of
hundreds of blocks. The race kernel inlines every optimizer's rule and every surface's
formula into one function, and there those snapshots cost more than all of LLVM: from an
empty cache on a two-core machine the kernel compiled in 75–78 s, of which about 18 s were
spent copying (profiled). Here a block is revisited only when one of its predecessors'
exit sets changed, and nothing is copied to notice it: the kernel compiles in 57 s.

The equations, their starting point (Numba's own ``init_copy_propagate_data``) and so their
greatest solution are unchanged, and the answer is the same object shape; the tests compare
it with Numba's on real functions. The replacement is installed only where Numba's function
has the shape it replaces (its module and the parfor module share the one function, and the
initialisation it relies on exists); any other Numba keeps its own.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from numba.core import ir_utils
from numba.parfors import parfor

Copies = dict[int, set[tuple[str, str]]]

NUMBA_COPY_PROPAGATE: Callable[..., tuple[Copies, Copies]] = ir_utils.copy_propagate
"""Numba's own solver, kept for the tests that compare the two."""


def copy_propagate(blocks: dict, typemap: dict) -> tuple[Copies, Copies]:
    """The copies that hold on entry to and on exit from every block of ``blocks``."""
    cfg = ir_utils.compute_cfg_from_blocks(blocks)
    entry = cfg.entry_point()
    made, _, overwritten, on_entry, on_exit = ir_utils.init_copy_propagate_data(
        blocks, entry, typemap)
    predecessors = {label: [p for p, _ in cfg.predecessors(label)] for label in blocks}
    successors = {label: [s for s, _ in cfg.successors(label)] for label in blocks}
    pending = deque(label for label in blocks if label != entry)
    queued = set(pending)
    while pending:
        label = pending.popleft()
        queued.discard(label)
        first, *others = predecessors[label]
        held = on_exit[first].intersection(*(on_exit[p] for p in others))
        on_entry[label] = held
        leaving = made[label] | (held - overwritten[label])
        if leaving != on_exit[label]:
            on_exit[label] = leaving
            for successor in successors[label]:
                if successor != entry and successor not in queued:
                    queued.add(successor)
                    pending.append(successor)
    return on_entry, on_exit


def install() -> bool:
    """Put :func:`copy_propagate` in Numba's place (once); say whether it is there."""
    if parfor.copy_propagate is copy_propagate:
        return True
    if getattr(parfor, "copy_propagate", None) is not NUMBA_COPY_PROPAGATE or not hasattr(
            ir_utils, "init_copy_propagate_data"):
        return False
    ir_utils.copy_propagate = copy_propagate
    parfor.copy_propagate = copy_propagate
    return True
