"""The catalogues (surfaces, optimizers, schedules, scenarios) and the limits in force:
computed once at start-up in every language, served with ETags; ``?lang=`` or
``Accept-Language`` chooses the language of their names and notes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from descentlab.server.errors import request_language
from descentlab.server.map_schemas import MapScenarioEntry
from descentlab.server.network_schemas import NetworkScenarioEntry
from descentlab.server.schemas import (
    Limits,
    OptimizerEntry,
    ScenarioEntry,
    ScheduleEntry,
    SurfaceEntry,
)
from descentlab.server.state import catalogue_key, lab

router = APIRouter(tags=["catalogue"])


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


Scenarios = list[ScenarioEntry | MapScenarioEntry | NetworkScenarioEntry]


@router.get("/scenarios", response_model=Scenarios,
            summary="Ready-made lecture scenarios (a surface, a start and contestants)")
async def scenarios(request: Request) -> Response:
    return serve_catalogue(request, "scenarios")


@router.get("/limits", response_model=Limits, summary="The limits this server enforces")
async def limits(request: Request) -> Response:
    return serve_catalogue(request, "limits")
