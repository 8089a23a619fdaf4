"""Compile every kernel a request can reach before the server accepts one, and say so.

Numba compiles on first call (or loads machine code from its on-disk cache). Done during
a lecture's first click, that is seconds of a frozen page; done here, once per process,
it is paid at start-up — and at image build time by ``descentlab warmup``, which fills the
cache the container then loads from. Warming goes through the server's own code paths
(``translate``), so serialisation and the inspector are exercised too.

A cold cache costs about two minutes (measured on a quiet 2-core machine), which a
newcomer at a silent terminal takes for a hang.
The warm-up is therefore a list of named stages: the first time one of them really
compiles (Numba's compile event, which a cache hit does not fire), the caller's ``say``
gets one line explaining the wait and where the result is kept, then a line per compiling
stage ("kernel k of n"). A warm start loads from the cache and says nothing.
"""

from __future__ import annotations

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
EXPECTED_COLD_SECONDS = 120


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


def first_start_notice() -> str:
    return (f"first start: compiling the engine's kernels (about "
            f"{EXPECTED_COLD_SECONDS} s, once; they are cached in {cache_folder()})")


class _Progress:
    """Says what is compiling: the notice at the first compile, then every stage from there
    on as it starts, so the count runs 1, 2, … n without gaps on a cold start."""

    def __init__(self, stages: Sequence[Stage], say: Callable[[str], None] | None):
        self.stages, self.say = stages, say
        self.stage = 0
        self.cold = False
        self.announced: set[int] = set()

    def compiling(self) -> None:
        if not self.cold and self.say is not None:
            self.say(first_start_notice())
        self.cold = True
        self.starting(self.stage)

    def starting(self, stage: int) -> None:
        self.stage = stage
        if not self.cold or stage in self.announced:
            return
        self.announced.add(stage)
        if self.say is not None:
            self.say(f"compiling kernel {stage + 1} of {len(self.stages)}: "
                     f"{self.stages[stage].label}…")


def run_stages(stages: Sequence[Stage], say: Callable[[str], None] | None = None) -> Warmth:
    """Run ``stages`` in order; while Numba compiles, report it through ``say``."""
    progress = _Progress(stages, say)
    t0 = time.perf_counter()
    with on_compile(progress.compiling):
        for number, stage in enumerate(stages):
            progress.starting(number)
            stage.run()
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
