"""Loss values on a grid, for contour and 3-D plots: cached, with ETags, gzipped once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import Field, TypeAdapter, ValidationError

from descentlab import engine
from descentlab.server import translate
from descentlab.server.caching import CachedBody
from descentlab.server.errors import located, not_found
from descentlab.server.jsonio import dumps
from descentlab.server.limits import check_expression, check_resolution
from descentlab.server.schemas import ErrorResponse, GridResponse, SurfaceSpec
from descentlab.server.state import lab

router = APIRouter(tags=["grids"], responses={404: {"model": ErrorResponse},
                                              422: {"model": ErrorResponse},
                                              503: {"model": ErrorResponse}})

PARAMS = TypeAdapter(dict[str, float], config={"strict": True, "allow_inf_nan": False})
GRID_CACHE_CONTROL = "public, max-age=86400"

Resolution = Annotated[int, Query(ge=2, description="points per axis (at most "
                                                    "DESCENTLAB_MAX_GRID_RESOLUTION)")]
ViewQuery = Annotated[list[Annotated[float, Field(allow_inf_nan=False)]] | None, Query(
    min_length=4, max_length=4, description="repeat four times: xmin, xmax, ymin, ymax "
                                            "(default: the surface's view)")]


def _params(text: str | None) -> dict[str, float] | None:
    """``params`` is a JSON object in the query, e.g. ``{"b": 100}``."""
    if text is None:
        return None
    try:
        return PARAMS.validate_json(text)
    except ValidationError as err:
        raise RequestValidationError(
            [{**e, "loc": ("query", "params", *e["loc"])} for e in err.errors()]) from None


async def _grid(request: Request, spec: SurfaceSpec, resolution: int) -> Response:
    """Serve from the cache, or compute under the gate and remember the result."""
    state = lab(request)
    key = (spec.model_dump_json(), resolution)
    cached = state.grids.get(key)
    if cached is None:
        def compute() -> CachedBody:
            body = dumps(translate.grid_document(spec, resolution,
                                                 state.settings.max_expression_length))
            return CachedBody.of(body, cache_control=GRID_CACHE_CONTROL)

        with located("query"):
            cached = await state.gate.run(compute)
        state.grids.put(key, cached)
    return cached.response(request)


@router.get("/surfaces/{surface_id}/grid", response_model=GridResponse,
            summary="A catalogue surface on a resolution × resolution grid")
async def surface_grid(
        request: Request,
        surface_id: Annotated[str, Path(max_length=64, examples=["rosenbrock"])],
        resolution: Resolution = 101,
        params: Annotated[str | None, Query(description='a JSON object, e.g. {"b": 100}')]
        = None, view: ViewQuery = None) -> Response:
    if surface_id not in {s.id for s in engine.surfaces()}:
        raise not_found(["path", "surface_id"], f"no surface '{surface_id}': GET /surfaces "
                                                "lists them")
    check_resolution(["query", "resolution"], resolution, lab(request).settings)
    spec = SurfaceSpec(id=surface_id, params=_params(params), view=view)
    return await _grid(request, spec, resolution)


@router.get("/expressions/grid", response_model=GridResponse,
            summary="A typed formula in x and y on a grid (also checks and typesets it)")
async def expression_grid(
        request: Request,
        expression: Annotated[str, Query(description="e.g. x**2 + 10*y**2",
                                         examples=["sin(x)*cos(y) + 0.1*(x**2 + y**2)"])],
        resolution: Resolution = 101, view: ViewQuery = None) -> Response:
    settings = lab(request).settings
    check_resolution(["query", "resolution"], resolution, settings)
    check_expression(["query", "expression"], expression, settings)
    return await _grid(request, SurfaceSpec(expression=expression, view=view), resolution)
