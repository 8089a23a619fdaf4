"""Network races: the catalogue, a race as one document or as an NDJSON stream, and one
run's decision boundary at one frame."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response
from pydantic import RootModel

from descentlab.server import network_translate as nt
from descentlab.server import streaming
from descentlab.server.errors import located
from descentlab.server.jsonio import dumps
from descentlab.server.limits import check_network_race, check_resolution
from descentlab.server.network_schemas import (
    BoundaryRequest,
    BoundaryResponse,
    NetworkCatalogue,
    NetworkGradientCheckRequest,
    NetworkGradientCheckResponse,
    NetworkRaceRequest,
    NetworkRaceResponse,
    NetworkStreamFrame,
    NetworkStreamMeta,
    NetworkStreamSummary,
)
from descentlab.server.responses import accepted_encoding, computed_json
from descentlab.server.routers.catalog import serve_catalogue
from descentlab.server.schemas import COMPUTE_ERRORS, StreamError
from descentlab.server.state import lab

router = APIRouter(prefix="/networks", tags=["networks"], responses=COMPUTE_ERRORS)


class NetworkStreamEvent(RootModel[NetworkStreamMeta | NetworkStreamFrame | NetworkStreamSummary
                                   | StreamError]):
    """One line of a network race's NDJSON stream."""


EXAMPLES = {
    "moons": {"summary": "SGD against Adam on two moons, 2-16-16-1 tanh",
              "value": NetworkRaceRequest.model_config["json_schema_extra"]["examples"][0]},
    "minibatch": {
        "summary": "Mini-batches of 16 on spirals, ReLU, a random plane",
        "value": {"dataset": {"id": "spirals"},
                  "architecture": {"hidden": [32, 32], "activation": "relu"},
                  "optimizers": [{"id": "momentum", "hyperparameters": {"lr": 0.05}},
                                 {"id": "adam", "hyperparameters": {"lr": 0.01}}],
                  "steps": 400, "batch_size": 16, "seed": 3,
                  "landscape": {"plane": "random", "resolution": 31}}},
}

RaceBody = Annotated[NetworkRaceRequest, Body(openapi_examples=EXAMPLES)]


@router.get("", response_model=NetworkCatalogue,
            summary="Datasets, activations, inits, limits, suggested learning rates, planes")
async def catalogue(request: Request) -> Response:
    return serve_catalogue(request, "networks")


def _race_response(race: NetworkRaceRequest, memo: nt.RaceMemo,
                   content_encoding: str | None) -> Response:
    """Run (or recall), describe, serialise and compress, all in a worker thread."""
    document = nt.race_document(nt.race_result(race, memo), race.landscape, race.validation)
    return computed_json(dumps(document), content_encoding)


@router.post("/races", response_model=NetworkRaceResponse,
             summary="Train one network with several optimizers; curves, paths, landscape")
async def post_race(request: Request, race: RaceBody) -> Response:
    state = lab(request)
    check_network_race(race, state.settings)
    with located("body"):
        return await state.gate.run(_race_response, race, state.networks,
                                    accepted_encoding(request, state.settings))


@router.post("/races/stream", response_model=NetworkStreamEvent,
             response_class=streaming.NDJSONResponse,
             responses=streaming.ndjson_doc("NetworkStreamEvent"),
             summary="The race as NDJSON: meta, frame…, then summary (or error)")
async def stream_race(request: Request, race: RaceBody) -> Response:
    state = lab(request)
    s = state.settings
    check_network_race(race, s)

    def opened() -> tuple[nt.NetworkStream, bytes]:
        stream = nt.open_stream(race, state.networks, s.stream_frame_steps, s.stream_max_frames)
        return stream, dumps(stream.meta())

    with located("body"):
        stream, meta = await state.gate.run(opened)
    return streaming.response(stream, meta, state.gate, streaming.NDJSON)


@router.post("/boundary", response_model=BoundaryResponse,
             summary="One run's class-1 probability over the data's view at one frame")
async def boundary(request: Request, body: BoundaryRequest) -> Response:
    state = lab(request)
    check_network_race(body.race, state.settings, ("body", "race"))
    check_resolution(["body", "resolution"], body.resolution, state.settings)
    with located("body"):
        document = await state.gate.run(nt.boundary_document, body, state.networks)
    return Response(dumps(document), media_type="application/json")


@router.post("/gradient-check", response_model=NetworkGradientCheckResponse,
             summary="Backpropagation against finite differences: sampled weights of one run")
async def gradient_check(request: Request, body: NetworkGradientCheckRequest) -> Response:
    state = lab(request)
    check_network_race(body.race, state.settings, ("body", "race"))
    with located("body"):
        document = await state.gate.run(nt.gradient_check_document, body, state.networks)
    return Response(dumps(document), media_type="application/json")
