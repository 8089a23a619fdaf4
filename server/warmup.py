"""Compile every kernel a request can reach before the server accepts one.

Numba compiles on first call (or loads machine code from its on-disk cache). Done during
a lecture's first click, that is seconds of a frozen page; done here, once per process,
it is paid at start-up — and at image build time by ``descentlab warmup``, which fills the
cache the container then loads from. Warming goes through the server's own code paths
(``translate``), so serialisation and the inspector are exercised too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache

import engine
from server import network_translate, translate
from server.jsonio import dumps
from server.network_schemas import BoundaryRequest, NetworkRaceRequest
from server.schemas import RaceRequest, SurfaceSpec

EXPRESSION = "sin(x)*cos(y) + 0.1*(x**2 + y**2)"


@dataclass(frozen=True)
class Warmth:
    """How long warming took (seconds of compiling, or of loading Numba's cache)."""

    seconds: float


def _request(surface: dict, optimizers: list[str], **extra: object) -> RaceRequest:
    return RaceRequest.model_validate({
        "surface": surface, "start": [0.5, 0.5], "steps": 3,
        "optimizers": [{"id": o} for o in optimizers], **extra})


@cache
def warm_up() -> Warmth:
    """Run a tiny race with every optimizer, a stream, grids, an expression and a network
    race; once."""
    t0 = time.perf_counter()
    every = [o.id for o in engine.optimizers()]
    full = _request({"id": "bowl"}, every, record={"state": True},
                    gradient={"clip_norm": 1.0, "noise_std": 0.1})
    for request in (full, _request({"expression": EXPRESSION}, every),
                    _request({"id": "rosenbrock"}, ["adam"], record={"path": False})):
        dumps(translate.race_document(translate.open_session(request, 500)))
    stream = translate.open_stream(full, 500, 2, 10)
    dumps(stream.meta())
    while not stream.done:
        dumps(stream.next_frame())
    dumps(stream.summary())
    for surface in engine.surfaces():
        surface.to_dict()
    dumps(translate.grid_document(SurfaceSpec(id="rosenbrock"), 5, 500))
    dumps(translate.grid_document(SurfaceSpec(expression=EXPRESSION), 5, 500))
    _warm_networks()
    return Warmth(time.perf_counter() - t0)


def _warm_networks() -> None:
    """A tiny network race with every optimizer it takes, full batch and mini-batch, both
    planes, a stream and a boundary: the training, landscape and forward kernels."""
    every = network_translate.catalogue()["optimizers"]
    memo = network_translate.new_memo(1, 10**8)
    for batch_size, plane in ((None, "pca"), (4, "random")):
        race = NetworkRaceRequest.model_validate({
            "dataset": {"id": "moons", "params": {"n": 16}},
            "architecture": {"hidden": [2], "activation": "relu"},
            "optimizers": [{"id": o} for o in every], "steps": 3, "batch_size": batch_size,
            "gradient": {"clip_norm": 1.0, "noise_std": 0.1},
            "landscape": {"plane": plane, "resolution": 3}})
        result = network_translate.race_result(race, memo)
        dumps(network_translate.race_document(result, race.landscape))
    stream = network_translate.open_stream(race, memo, 2, 10)
    dumps(stream.meta())
    while not stream.done:
        dumps(stream.next_frame())
    dumps(stream.summary())
    boundary = BoundaryRequest(race=race, frame=1, resolution=3)
    dumps(network_translate.boundary_document(boundary, memo))
