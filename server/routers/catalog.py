"""The catalogues (surfaces, optimizers, schedules, scenarios) and the limits in force:
computed once at start-up, served with ETags."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from descentlab.server.map_schemas import MapScenarioEntry
from descentlab.server.schemas import (
    Limits,
    OptimizerEntry,
    ScenarioEntry,
    ScheduleEntry,
    SurfaceEntry,
)
from descentlab.server.state import lab

router = APIRouter(tags=["catalogue"])


def _serve(request: Request, name: str) -> Response:
    return lab(request).catalogues[name].response(request)


@router.get("/surfaces", response_model=list[SurfaceEntry],
            summary="Built-in loss surfaces: formulas, parameters, views, critical points")
async def surfaces(request: Request) -> Response:
    return _serve(request, "surfaces")


@router.get("/optimizers", response_model=list[OptimizerEntry],
            summary="Optimizers: hyperparameters with ranges, state, update equations")
async def optimizers(request: Request) -> Response:
    return _serve(request, "optimizers")


@router.get("/schedules", response_model=list[ScheduleEntry],
            summary="Learning-rate schedules any optimizer can use")
async def schedules(request: Request) -> Response:
    return _serve(request, "schedules")


@router.get("/scenarios", response_model=list[ScenarioEntry | MapScenarioEntry],
            summary="Ready-made lecture scenarios (a surface, a start and contestants)")
async def scenarios(request: Request) -> Response:
    return _serve(request, "scenarios")


@router.get("/limits", response_model=Limits, summary="The limits this server enforces")
async def limits(request: Request) -> Response:
    return _serve(request, "limits")
