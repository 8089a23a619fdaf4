"""Maps: one optimizer from every start of a rectangle, or with every pair of settings."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from descentlab.server import export, map_translate, streaming
from descentlab.server.errors import located
from descentlab.server.jsonio import dumps
from descentlab.server.limits import check_map, check_search
from descentlab.server.map_schemas import (
    BasinMapRequest,
    CompareRequest,
    CompareResponse,
    HyperparameterMapRequest,
    MapResponse,
    MapStreamEvent,
    SearchRequest,
    SearchResponse,
)
from descentlab.server.responses import accepted_encoding, computed_json
from descentlab.server.schemas import COMPUTE_ERRORS
from descentlab.server.state import lab

router = APIRouter(tags=["maps"], responses=COMPUTE_ERRORS)


async def _map(request: Request, body: BasinMapRequest | HyperparameterMapRequest
               ) -> Response:
    state = lab(request)
    check_map(body, state.settings)
    chosen = accepted_encoding(request, state.settings)
    limit = state.settings.max_expression_length

    def respond() -> Response:
        return computed_json(dumps(map_translate.map_document(
            map_translate.compute(body, limit, state.cluster))), chosen)

    with located("body"):
        return await state.gate.run(respond)


@router.post("/maps/basins", response_model=MapResponse,
             summary="Where every start leads: a W×H map of outcomes and minima reached")
async def basins(request: Request, body: BasinMapRequest) -> Response:
    return await _map(request, body)


@router.post("/maps/hyperparameters", response_model=MapResponse,
             summary="Where every setting leads: outcomes over two hyperparameters, with "
                     "the theory's stability limit and optimum where known")
async def hyperparameters(request: Request, body: HyperparameterMapRequest) -> Response:
    return await _map(request, body)


async def _file(request: Request, body: BasinMapRequest | HyperparameterMapRequest,
                format: Literal["csv", "npz"]) -> Response:
    """The map as a file: CSV (a line per cell) or NPZ (its arrays at full precision)."""
    state = lab(request)
    check_map(body, state.settings)

    def respond() -> Response:
        result = map_translate.compute(body, state.settings.max_expression_length,
                                       state.cluster)
        if format == "csv":
            return Response(export.map_csv(result), media_type="text/csv")
        return Response(export.map_npz(result, map_translate.map_document(result)),
                        media_type="application/octet-stream")

    with located("body"):
        response = await state.gate.run(respond)
    response.headers["Content-Disposition"] = f'attachment; filename="map.{format}"'
    return response


FILE_RESPONSES = {200: {"content": {"text/csv": {}, "application/octet-stream": {}},
                        "description": "the map as CSV or NPZ"}}


@router.post("/maps/basins/export", response_class=Response, responses=FILE_RESPONSES,
             summary="The basin map as a file: CSV (a line per cell) or NPZ (its arrays)")
async def export_basins(request: Request, body: BasinMapRequest,
                        format: Literal["csv", "npz"] = "csv") -> Response:
    return await _file(request, body, format)


@router.post("/maps/hyperparameters/export", response_class=Response,
             responses=FILE_RESPONSES,
             summary="The hyperparameter map as a file: CSV (a line per cell) or NPZ")
async def export_hyperparameters(request: Request, body: HyperparameterMapRequest,
                                 format: Literal["csv", "npz"] = "csv") -> Response:
    return await _file(request, body, format)


async def _stream(request: Request, body: BasinMapRequest | HyperparameterMapRequest
                  ) -> Response:
    """Open the stream (its first tile computed, so a 422 or 503 still comes as JSON)."""
    state = lab(request)
    check_map(body, state.settings)

    def opened() -> tuple[map_translate.MapStream, bytes]:
        stream = map_translate.MapStream(body, state.settings.max_expression_length,
                                         state.settings.map_tile_cells, state.cluster)
        return stream, dumps(stream.meta())

    with located("body"):
        stream, meta = await state.gate.run(opened)
    return streaming.response(stream, meta, state.gate, streaming.NDJSON)


@router.post("/maps/basins/stream", response_model=MapStreamEvent,
             response_class=streaming.NDJSONResponse,
             responses=streaming.ndjson_doc("MapStreamEvent"),
             summary="The basin map as NDJSON: meta, a coarse pass, tiles, then a summary")
async def stream_basins(request: Request, body: BasinMapRequest) -> Response:
    return await _stream(request, body)


@router.post("/maps/hyperparameters/stream", response_model=MapStreamEvent,
             response_class=streaming.NDJSONResponse,
             responses=streaming.ndjson_doc("MapStreamEvent"),
             summary="The hyperparameter map as NDJSON: meta, a coarse pass, tiles, summary")
async def stream_hyperparameters(request: Request, body: HyperparameterMapRequest
                                 ) -> Response:
    return await _stream(request, body)


async def _priced(request: Request, body: SearchRequest | CompareRequest, document) -> Response:
    state = lab(request)
    check_search(body, state.settings)
    chosen = accepted_encoding(request, state.settings)

    def respond() -> Response:
        return computed_json(dumps(document(body, state.settings.max_expression_length)),
                             chosen)

    with located("body"):
        return await state.gate.run(respond)


@router.post("/maps/search", response_model=SearchResponse,
             summary="Search an optimizer's settings (grid, random, coarse to fine), many "
                     "times: the distribution of the best found")
async def search(request: Request, body: SearchRequest) -> Response:
    return await _priced(request, body, map_translate.search_document)


@router.post("/maps/compare", response_model=CompareResponse,
             summary="Is it really better, or only better tuned? Equal tuning budgets, "
                     "judged on held-out starts and seeds")
async def compare(request: Request, body: CompareRequest) -> Response:
    return await _priced(request, body, map_translate.compare_document)
