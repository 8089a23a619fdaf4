"""Races: the whole result as one JSON document, or streamed as NDJSON or server-sent events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import RootModel, ValidationError

from descentlab.server import streaming, translate
from descentlab.server.errors import ApiError, Loc, located, too_large
from descentlab.server.jsonio import dumps
from descentlab.server.limits import check_race
from descentlab.server.responses import accepted_encoding, computed_json
from descentlab.server.schemas import (
    COMPUTE_ERRORS,
    RaceRequest,
    RaceResponse,
    StreamError,
    StreamFrame,
    StreamMeta,
    StreamSummary,
)
from descentlab.server.state import lab

router = APIRouter(tags=["races"], responses=COMPUTE_ERRORS)


class StreamEvent(RootModel[StreamMeta | StreamFrame | StreamSummary | StreamError]):
    """One line of an NDJSON stream, or the data of one server-sent event."""


EVENT = {"$ref": "#/components/schemas/StreamEvent"}
SSE_DOC = {200: {"description": "Server-sent events named after their `type`",
                 "content": {streaming.SSE: {"schema": {
                     "type": "object", "required": ["event", "data"],
                     "properties": {
                         "event": {"enum": ["meta", "frame", "summary", "error"]},
                         "data": {"type": "string", "contentMediaType": "application/json",
                                  "contentSchema": EVENT}}}}}},
           **streaming.ERRORS_DOC}


EXAMPLES = {
    "rosenbrock": {
        "summary": "SGD against Adam on Rosenbrock's banana valley",
        "value": RaceRequest.model_config["json_schema_extra"]["examples"][0]},
    "expression": {
        "summary": "A typed formula: a narrow ellipse",
        "value": {"surface": {"expression": "x**2 + 10*y**2", "view": [-3, 3, -3, 3]},
                  "start": [-2.5, 1.5], "steps": 200,
                  "optimizers": [{"id": "sgd", "hyperparameters": {"lr": 0.05}},
                                 {"id": "momentum", "hyperparameters": {"lr": 0.02}}]}},
    "diverging": {
        "summary": "A learning rate too large: the run diverges and is frozen",
        "value": {"surface": {"id": "bowl"}, "start": [1, 1], "steps": 50,
                  "optimizers": [{"id": "sgd", "hyperparameters": {"lr": 2.5}}]}},
    "noisy": {
        "summary": "Noisy gradients, clipped, from three starts",
        "value": {"surface": {"id": "himmelblau"},
                  "starts": [[0, 0], [-1, -1], [1, -3]], "steps": 300,
                  "optimizers": [{"id": "adam", "hyperparameters": {"lr": 0.1}}],
                  "gradient": {"clip_norm": 5, "noise_std": 2, "seed": 7}}},
}

RaceBody = Annotated[RaceRequest, Body(openapi_examples=EXAMPLES)]


def _race_response(race: RaceRequest, max_expression_length: int,
                   content_encoding: str | None) -> Response:
    """Run, serialise and compress in a worker thread: the event loop only sends bytes."""
    body = dumps(translate.race_document(translate.open_session(race, max_expression_length)))
    return computed_json(body, content_encoding)


@router.post("/races", response_model=RaceResponse,
             summary="Race optimizers and return every frame of every run")
async def post_race(request: Request, race: RaceBody) -> Response:
    state = lab(request)
    check_race(race, state.settings)
    chosen = accepted_encoding(request, state.settings)
    with located("body"):
        return await state.gate.run(_race_response, race, state.settings.max_expression_length,
                                    chosen)


async def _stream(request: Request, race: RaceRequest, root: Loc, media_type: str) -> Response:
    """Open the stream (a 422 or 503 still possible), then hand it to the response."""
    state = lab(request)
    s = state.settings
    check_race(race, s, root)

    def opened() -> tuple[translate.RaceStream, bytes]:
        stream = translate.open_stream(race, s.max_expression_length, s.stream_frame_steps,
                                       s.stream_max_frames)
        return stream, dumps(stream.meta())

    with located(*root):
        stream, meta = await state.gate.run(opened)
    return streaming.response(stream, meta, state.gate, media_type)


@router.post("/races/stream", response_model=StreamEvent,
             response_class=streaming.NDJSONResponse,
             responses=streaming.ndjson_doc("StreamEvent"),
             summary="Race, streamed as NDJSON: meta, frame…, then summary (or error)")
async def stream_race(request: Request, race: RaceBody) -> Response:
    return await _stream(request, race, ("body",), streaming.NDJSON)


@router.get("/races/stream/sse", response_model=StreamEvent,
            response_class=streaming.SSEResponse, responses=SSE_DOC,
            summary="The same events for a browser EventSource (close it on 'summary')")
async def stream_race_sse(
        request: Request,
        race_json: Annotated[str, Query(
            alias="request", description="the race request as JSON text",
            examples=['{"surface": {"id": "bowl"}, "steps": 20, "optimizers": [{"id": "sgd"}]}'])]
) -> Response:
    limit = lab(request).settings.max_body_bytes
    if len(race_json) > limit:
        raise ApiError(413, [too_large(len(race_json), limit, ("query", "request"))])
    try:
        race = RaceRequest.model_validate_json(race_json)
    except ValidationError as err:
        raise RequestValidationError(
            [{**e, "loc": ("query", "request", *e["loc"])} for e in err.errors()]) from None
    return await _stream(request, race, ("query", "request"), streaming.SSE)
