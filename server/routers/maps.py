"""Maps: one optimizer from every start of a rectangle, or with every pair of settings."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from descentlab.server import map_translate
from descentlab.server.errors import located
from descentlab.server.jsonio import dumps
from descentlab.server.limits import check_map
from descentlab.server.map_schemas import BasinMapRequest, HyperparameterMapRequest, MapResponse
from descentlab.server.responses import accepted_encoding, computed_json
from descentlab.server.schemas import ErrorResponse
from descentlab.server.state import lab

router = APIRouter(tags=["maps"], responses={413: {"model": ErrorResponse},
                                             422: {"model": ErrorResponse},
                                             503: {"model": ErrorResponse}})


async def _map(request: Request, body: BasinMapRequest | HyperparameterMapRequest,
               compute) -> Response:
    state = lab(request)
    check_map(body, state.settings)
    chosen = accepted_encoding(request, state.settings)
    limit = state.settings.max_expression_length

    def respond() -> Response:
        return computed_json(dumps(map_translate.map_document(compute(body, limit))), chosen)

    with located("body"):
        return await state.gate.run(respond)


@router.post("/maps/basins", response_model=MapResponse,
             summary="Where every start leads: a W×H map of outcomes and minima reached")
async def basins(request: Request, body: BasinMapRequest) -> Response:
    return await _map(request, body, map_translate.basin_map)


@router.post("/maps/hyperparameters", response_model=MapResponse,
             summary="Where every setting leads: outcomes over two hyperparameters, with "
                     "the theory's stability limit and optimum where known")
async def hyperparameters(request: Request, body: HyperparameterMapRequest) -> Response:
    return await _map(request, body, map_translate.hyperparameter_map)
