"""The server's limits on one request, checked before any engine work.

The models in ``schemas`` check types; these checks depend on the settings an admin chose,
so they live here and each message names the variable that raises the limit.
"""

from __future__ import annotations

from descentlab.engine.errors import EngineError
from descentlab.engine.networks import count_params, count_running
from descentlab.engine.networks.cost import race_units, recorded_values
from descentlab.engine.networks.statistics import DEFAULT_COLUMNS
from descentlab.engine.optimizers.catalog import get_optimizer
from descentlab.server import i18n
from descentlab.server.errors import ApiError, Loc, limit_error
from descentlab.server.map_schemas import (
    BasinMapRequest,
    CompareRequest,
    HyperparameterMapRequest,
    SearchRequest,
)
from descentlab.server.network_schemas import NetworkRaceRequest
from descentlab.server.network_translate import points_of
from descentlab.server.schemas import OptimizerSpec, RaceRequest, SurfaceSpec
from descentlab.server.settings import Settings

NETWORK_BUDGET = "error.network_budget"


def _over(loc: Loc, what: str, value: int, limit: int, setting: str,
          column: int | None = None) -> ApiError:
    env = Settings.env_name(setting)
    return limit_error(loc, f"{what} is {value}; the limit is {limit} ({env})", limit=limit,
                       setting=env, column=column, key="error.limit",
                       params={"value": value, "limit": limit, "setting": env})


def check_expression(loc: Loc, text: str, settings: Settings) -> None:
    """Long formulas are refused before parsing; the column points past the limit."""
    limit = settings.max_expression_length
    if len(text) > limit:
        raise _over(loc, "the expression's length", len(text), limit,
                    "max_expression_length", column=limit + 1)


def check_surface(surface: SurfaceSpec, settings: Settings, root: Loc = ("body",)) -> None:
    """A request's ``surface``: a typed formula's length (a catalogue id is checked by the
    engine, with the list of ids)."""
    if surface.expression is not None:
        check_expression([*root, "surface", "expression"], surface.expression, settings)


def check_race(request: RaceRequest, settings: Settings, root: Loc = ("body",)) -> None:
    """Raise a 422 naming the first limit ``request`` exceeds."""
    starts = len(request.starts) if request.starts is not None else 1
    checks = (
        (("steps",), "steps", request.steps, settings.max_steps, "max_steps"),
        (("optimizers",), "the number of optimizers", len(request.optimizers),
         settings.max_optimizers, "max_optimizers"),
        (("starts",), "the number of starts", starts, settings.max_starts, "max_starts"),
    )
    for loc, what, value, limit, setting in checks:
        if value > limit:
            raise _over([*root, *loc], what, value, limit, setting)
    check_surface(request.surface, settings, root)
    work = len(request.optimizers) * request.steps * starts
    if work > settings.compute_budget:
        raise _over([*root], f"optimizers × steps × starts ({len(request.optimizers)} × "
                             f"{request.steps} × {starts})", work, settings.compute_budget,
                    "compute_budget")


def check_network_race(request: NetworkRaceRequest, settings: Settings,
                       root: Loc = ("body",)) -> None:
    """Raise a 422 naming the first limit a network race exceeds. The work is priced by
    arithmetic on the request alone, before any width or dataset is checked
    (``engine.networks.cost``)."""
    for loc, what, value, limit, setting in (
            (("steps",), "steps", request.steps, settings.max_steps, "max_steps"),
            (("optimizers",), "the number of optimizers", len(request.optimizers),
             settings.max_optimizers, "max_optimizers")):
        if value > limit:
            raise _over([*root, *loc], what, value, limit, setting)
    arch = request.architecture
    weights = count_params(arch.hidden, arch.batch_norm)
    points = points_of(request.dataset)
    work, training, statistics, landscape = race_units(
        weights, points, request.batch_size,
        [_second_pass(o, arch.dropout) for o in request.optimizers], request.steps,
        _statistics_frames(request), request.landscape.resolution)
    if work > settings.network_compute_budget:
        raise _over_network_budget([*root], weights, training, statistics, landscape, work,
                                   settings.network_compute_budget)
    running = count_running(arch.hidden, arch.batch_norm)
    recorded = 8 * recorded_values(len(request.optimizers), request.steps, weights, running,
                                   gradients=False)
    if recorded > settings.network_record_bytes:
        raise _over([*root, "steps"], f"the size in bytes of what the race records (runs × "
                                      f"(steps + 1) × (weights + running statistics) × 8: "
                                      f"{len(request.optimizers)} × {request.steps + 1} × "
                                      f"({weights} + {running}) × 8)", recorded,
                    settings.network_record_bytes, "network_record_bytes")


def _over_network_budget(loc: Loc, weights: int, training: int, statistics: int,
                         landscape: int, work: int, limit: int) -> ApiError:
    """The budget's refusal with its breakdown, in every language: the request's fields say
    nothing of which part is too large, so the message says what each part costs."""
    setting = Settings.env_name("network_compute_budget")
    params = {"weights": weights, "training": training, "statistics": statistics,
              "landscape": landscape, "value": work, "limit": limit, "setting": setting}
    return limit_error(loc, i18n.message(i18n.DEFAULT, NETWORK_BUDGET, params) or "",
                       limit=limit, setting=setting, key=NETWORK_BUDGET, params=params)


def _second_pass(spec: OptimizerSpec, dropout: float) -> bool:
    """A full-batch step of this run evaluates a second gradient (a look-ahead point, its
    Lookahead wrapper's fast point, or dropout's masked net); an unknown id is the
    engine's to refuse."""
    try:
        elsewhere = get_optimizer(spec.id).gradient_at != "x"
    except EngineError:
        elsewhere = False
    return elsewhere or spec.lookahead is not None or dropout > 0.0


def _statistics_frames(request: NetworkRaceRequest) -> int:
    """Frames with per-layer statistics per run."""
    spec = request.statistics
    if spec is None:
        return 0
    every = spec.every or -(-request.steps // DEFAULT_COLUMNS)
    return request.steps // every + 1


def check_resolution(loc: Loc, resolution: int, settings: Settings) -> None:
    if resolution > settings.max_grid_resolution:
        raise _over(loc, "resolution", resolution, settings.max_grid_resolution,
                    "max_grid_resolution")


def check_map(request: BasinMapRequest | HyperparameterMapRequest, settings: Settings,
              root: Loc = ("body",)) -> None:
    """Raise a 422 naming the first limit a map exceeds: its resolution, then its work."""
    if request.resolution > settings.max_map_resolution:
        raise _over([*root, "resolution"], "resolution", request.resolution,
                    settings.max_map_resolution, "max_map_resolution")
    check_surface(request.surface, settings, root)
    rows = request.resolution if getattr(request, "y", True) is not None else 1
    work = request.resolution * rows * request.steps
    if work > settings.map_budget:
        raise _over([*root], f"cells × steps ({request.resolution} × {rows} × "
                             f"{request.steps})", work, settings.map_budget, "map_budget")


def check_search(request: SearchRequest | CompareRequest, settings: Settings,
                 root: Loc = ("body",)) -> None:
    """A search or a comparison is priced like a map: every trial is a run of ``steps``."""
    if isinstance(request, SearchRequest):
        runs, what = request.budget * request.repeats, "budget × repeats × steps"
    else:
        runs = len(request.optimizers) * (request.budget * len(request.tuning_starts)
                                          + len(request.seeds) * len(request.test_starts))
        what = "optimizers × (budget × tuning starts + seeds × test starts) × steps"
    check_surface(request.surface, settings, root)
    if runs * request.steps > settings.map_budget:
        raise _over([*root], what, runs * request.steps, settings.map_budget, "map_budget")
