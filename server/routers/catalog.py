"""The catalogues (surfaces, optimizers, schedules, run options, scenarios) and the limits in
force: computed once at start-up in every language, served with ETags; ``?lang=`` or
``Accept-Language`` chooses the language of their names and notes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from descentlab import engine
from descentlab.server.caching import CachedBody
from descentlab.server.errors import not_found, request_language
from descentlab.server.map_schemas import MapScenarioEntry
from descentlab.server.network_schemas import NetworkScenarioEntry
from descentlab.server.schemas import (
    ErrorResponse,
    Limits,
    OptimizerEntry,
    RunOptionEntry,
    ScenarioEntry,
    ScheduleEntry,
    SurfaceEntry,
)
from descentlab.server.state import catalogue_key, lab
from descentlab.server.thumbnail import thumbnail_svg

router = APIRouter(tags=["catalogue"])

SCENARIO_IDS = frozenset(s.id for s in (*engine.scenarios(), *engine.map_scenarios(),
                                          *engine.network_scenarios()))
THUMBNAIL_CACHE_CONTROL = "public, max-age=86400"


def serve_catalogue(request: Request, name: str) -> Response:
    """The catalogue ``name`` in the request's language (it varies with Accept-Language)."""
    lang = request_language(request)
    response = lab(request).catalogues[catalogue_key(name, lang)].response(request)
    response.headers.append("Vary", "Accept-Language")
    return response


@router.get("/surfaces", response_model=list[SurfaceEntry],
            summary="Built-in loss surfaces: formulas, parameters, views, critical points")
async def surfaces(request: Request) -> Response:
    return serve_catalogue(request, "surfaces")


@router.get("/optimizers", response_model=list[OptimizerEntry],
            summary="Optimizers: hyperparameters with ranges, state, update equations")
async def optimizers(request: Request) -> Response:
    return serve_catalogue(request, "optimizers")


@router.get("/schedules", response_model=list[ScheduleEntry],
            summary="Learning-rate schedules any optimizer can use")
async def schedules(request: Request) -> Response:
    return serve_catalogue(request, "schedules")


@router.get("/run-options", response_model=list[RunOptionEntry],
            summary="Options of a run beside its hyperparameters (Lookahead, the momentum "
                    "schedule)")
async def run_options(request: Request) -> Response:
    return serve_catalogue(request, "run_options")


Scenarios = list[ScenarioEntry | MapScenarioEntry | NetworkScenarioEntry]


@router.get("/scenarios", response_model=Scenarios,
            summary="Ready-made lecture scenarios (a surface, a start and contestants)")
async def scenarios(request: Request) -> Response:
    return serve_catalogue(request, "scenarios")


@router.get("/scenarios/{scenario_id}/thumbnail.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}},
                       404: {"model": ErrorResponse}},
            summary="A scenario's picture for the gallery (its paths, or its map, in small)")
async def scenario_thumbnail(
        request: Request,
        scenario_id: Annotated[str, Path(max_length=64, examples=["ravine_zigzag"])]
) -> Response:
    if scenario_id not in SCENARIO_IDS:
        raise not_found(["path", "scenario_id"],
                        f"no scenario '{scenario_id}': GET /scenarios lists them")
    state = lab(request)
    key = ("thumbnail", scenario_id)
    cached = state.grids.get(key)
    if cached is None:
        def compute() -> CachedBody:
            svg = thumbnail_svg(scenario_id, state.settings.max_expression_length)
            return CachedBody.of(svg, "image/svg+xml", THUMBNAIL_CACHE_CONTROL)

        cached = await state.gate.run(compute)
        state.grids.put(key, cached)
    return cached.response(request)


@router.get("/limits", response_model=Limits, summary="The limits this server enforces")
async def limits(request: Request) -> Response:
    return serve_catalogue(request, "limits")
