"""Compile every kernel a request can reach before the server accepts one, and say so.

Numba compiles on first call (or loads machine code from its on-disk cache). Done during
a lecture's first click, that is seconds of a frozen page; done here, once per process,
it is paid at start-up — and at image build time by ``descentlab warmup``, which fills the
cache the container then loads from. Warming goes through the server's own code paths
(``translate``), so serialisation and the inspector are exercised too.

A cold cache costs about a minute (56 s measured on a quiet 2-core machine, 89 s with the
two groups below one after the other), which a newcomer at a silent terminal takes for a hang.
The warm-up is therefore a list of named stages: the first time one of them really
compiles (Numba's compile event, which a cache hit does not fire), the caller's ``say``
gets one line explaining the wait and where the result is kept, then a line per compiling
stage ("kernel k of n"). A warm start loads from the cache and says nothing.

On a cold start with two cores or more, the network kernels compile in a second process
while this one compiles the race kernel: they share nothing but the cache folder, and the
race kernel alone is most of the wait, so the two overlap (see ``SecondProcess``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from descentlab import engine
from descentlab.engine.compilation import cache_folder, on_compile
from descentlab.engine.optimizers.catalog import DEFAULT_LINEUP
from descentlab.engine.suggest import catalogue_rates
from descentlab.server import network_translate, translate
from descentlab.server.jsonio import dumps
from descentlab.server.network_schemas import BoundaryRequest, NetworkRaceRequest
from descentlab.server.schemas import RaceRequest, SurfaceSpec

EXPRESSION = "sin(x)*cos(y) + 0.1*(x**2 + y**2)"
EXPECTED_COLD_SECONDS = 60


@dataclass(frozen=True)
class Warmth:
    """How long warming took (seconds of compiling, or of loading Numba's cache), and
    whether anything had to be compiled."""

    seconds: float
    compiled: bool = False


@dataclass(frozen=True)
class Stage:
    """One piece of the warm-up, named for the person waiting on it."""

    label: str
    run: Callable[[], None]


def _request(surface: dict, optimizers: list[str], **extra: object) -> RaceRequest:
    return RaceRequest.model_validate({
        "surface": surface, "start": [0.5, 0.5], "steps": 3,
        "optimizers": [{"id": o} for o in optimizers], **extra})


def _every_optimizer(f_star_known: bool = True) -> list[str]:
    """Every optimizer, or (on a typed formula, whose f* is unknown) every one that does not
    step towards f*: the kernel compiled is the same."""
    return [o.id for o in engine.optimizers() if f_star_known or not o.needs_loss]


def _full_request() -> RaceRequest:
    return _request({"id": "bowl"}, _every_optimizer(), record={"state": True},
                    gradient={"clip_norm": 1.0, "noise_std": 0.1})


def _race(request: RaceRequest) -> None:
    dumps(translate.race_document(translate.open_session(request, 500)))


def _stream(stream) -> None:
    dumps(stream.meta())
    while not stream.done:
        dumps(stream.next_frame())
    dumps(stream.summary())


def _grids() -> None:
    for surface in engine.surfaces():
        surface.to_dict()
    catalogue_rates("bowl")
    dumps(translate.grid_document(SurfaceSpec(id="rosenbrock"), 5, 500))
    dumps(translate.grid_document(SurfaceSpec(expression=EXPRESSION), 5, 500))


def _network_request(batch_size: int | None, plane: str) -> NetworkRaceRequest:
    return NetworkRaceRequest.model_validate({
        "dataset": {"id": "moons", "params": {"n": 16}},
        "architecture": {"hidden": [2], "activation": "relu"},
        "optimizers": [{"id": o} for o in network_translate.catalogue()["optimizers"]],
        "steps": 3, "batch_size": batch_size,
        "gradient": {"clip_norm": 1.0, "noise_std": 0.1},
        "landscape": {"plane": plane, "resolution": 3}})


def _network_race(batch_size: int | None, plane: str) -> None:
    request = _network_request(batch_size, plane)
    result = network_translate.race_result(request, network_translate.new_memo(1, 10**8))
    dumps(network_translate.race_document(result, request.landscape, request.validation))


def _network_stream_and_boundary() -> None:
    request = _network_request(4, "random")
    memo = network_translate.new_memo(1, 10**8)
    _stream(network_translate.open_stream(request, memo, 2, 10))
    boundary = BoundaryRequest(race=request, frame=1, resolution=3)
    dumps(network_translate.boundary_document(boundary, memo))


SURFACE_STAGES: tuple[Stage, ...] = (
    Stage("the race kernel, with every optimizer",
          lambda: _race(_full_request())),
    Stage("typed formulas", lambda: _race(_request({"expression": EXPRESSION},
                                                   _every_optimizer(False)))),
    Stage("races that keep only their end points",
          lambda: _race(_request({"id": "rosenbrock"}, [DEFAULT_LINEUP[-1]],
                                   record={"path": False}))),
    Stage("streamed races", lambda: _stream(translate.open_stream(_full_request(), 500, 2, 10))),
    Stage("contour and 3-D grids, suggested learning rates", _grids),
)
NETWORK_STAGES: tuple[Stage, ...] = (
    Stage("network training, full batch", lambda: _network_race(None, "pca")),
    Stage("network training, mini-batches", lambda: _network_race(4, "random")),
    Stage("streamed network races and decision boundaries", _network_stream_and_boundary),
)
ALL_STAGES = SURFACE_STAGES + NETWORK_STAGES
GROUPS: dict[str, tuple[Stage, ...]] = {"surface": SURFACE_STAGES, "network": NETWORK_STAGES}
ALONGSIDE = "network"
"""The group a second process compiles during a cold start of every stage."""
SECOND_PROCESS_TIMEOUT = 900.0
"""Seconds to wait for the second process before compiling its stages here after all."""


def first_start_notice() -> str:
    return (f"first start: compiling the engine's kernels (about "
            f"{EXPECTED_COLD_SECONDS} s, once; they are cached in {cache_folder()})")


class SecondProcess:
    """``python -m descentlab.server.warmup GROUP``: a process that compiles one group of
    stages into the cache folder this one uses (its environment names it), while this
    process compiles the others. When this process reaches the group it waits for it, then
    loads the kernels from the cache; whatever the second process did not finish (it failed,
    or was too slow) compiles here as it would have without it.

    Measured from an empty cache on a two-core machine, ``descentlab warmup``: the race
    kernel's stage compiles in 56 s and the network stages in 33 s: overlapped 55.9 s in
    all (77–78 s before the engine's faster copy propagation for Numba, when the race
    kernel alone took 75 s)."""

    def __init__(self, group: str):
        self.group, self.stages = group, GROUPS[group]
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, self.group], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def join(self, timeout: float = SECOND_PROCESS_TIMEOUT) -> None:
        """Wait up to ``timeout`` seconds for it to finish, then stop it (if it ever ran)."""
        if self.process is None:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        os.cpu_count() or 1


class _Progress:
    """Says what is compiling: the notice at the first compile, then every stage from there
    on as it starts, so the count runs 1, 2, … n without gaps on a cold start; stages handed
    to a second process are announced together when it starts."""

    def __init__(self, stages: Sequence[Stage], say: Callable[[str], None] | None,
                 second: SecondProcess | None):
        self.stages, self.say, self.second = stages, say, second
        self.stage = 0
        self.cold = False
        self.announced: set[int] = set()

    def compiling(self) -> None:
        if not self.cold:
            if self.say is not None:
                self.say(first_start_notice())
            if self.second is not None:
                self._hand_over(self.second)
        self.cold = True
        self.starting(self.stage)

    def _hand_over(self, second: SecondProcess) -> None:
        numbers = [i for i, stage in enumerate(self.stages) if stage in second.stages]
        second.start()
        self.announced.update(numbers)
        if self.say is not None:
            self.say(f"compiling kernels {numbers[0] + 1}–{numbers[-1] + 1} of "
                     f"{len(self.stages)} in a second process meanwhile: "
                     f"{'; '.join(stage.label for stage in second.stages)}…")

    def starting(self, stage: int) -> None:
        self.stage = stage
        if not self.cold or stage in self.announced:
            return
        self.announced.add(stage)
        if self.say is not None:
            self.say(f"compiling kernel {stage + 1} of {len(self.stages)}: "
                     f"{self.stages[stage].label}…")


def _second_process(stages: Sequence[Stage]) -> SecondProcess | None:
    """A second process for the ``ALONGSIDE`` group, when ``stages`` holds it and more, and
    a second core can run it."""
    group = GROUPS[ALONGSIDE]
    others = [stage for stage in stages if stage not in group]
    if _cores() < 2 or not others or not all(stage in stages for stage in group):
        return None
    return SecondProcess(ALONGSIDE)


def run_stages(stages: Sequence[Stage], say: Callable[[str], None] | None = None) -> Warmth:
    """Run ``stages`` in order; while Numba compiles, report it through ``say``. A cold
    start hands the ``ALONGSIDE`` group to a second process when it can."""
    second = _second_process(stages)
    progress = _Progress(stages, say, second)
    t0 = time.perf_counter()
    try:
        with on_compile(progress.compiling):
            for number, stage in enumerate(stages):
                if second is not None and stage in second.stages:
                    second.join()
                progress.starting(number)
                stage.run()
    finally:  # (after a failure here, the second process is not left compiling)
        if second is not None:
            second.join(timeout=0)
    seconds = time.perf_counter() - t0
    if progress.cold and say is not None:
        say(f"compiled in {seconds:.1f} s; later starts load the kernels from the cache")
    return Warmth(seconds, compiled=progress.cold)


_warmed: dict[tuple[Stage, ...], Warmth] = {}


def warm_up(stages: Sequence[Stage] = ALL_STAGES,
            say: Callable[[str], None] | None = None) -> Warmth:
    """Run the warm-up ``stages`` once per process (later calls return the first result)."""
    key = tuple(stages)
    if key not in _warmed:
        _warmed[key] = run_stages(key, say)
    return _warmed[key]


if __name__ == "__main__":  # the second process of a cold start (see ``SecondProcess``)
    run_stages(GROUPS[sys.argv[1]])
