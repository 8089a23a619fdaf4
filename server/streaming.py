"""A race as a stream of events: NDJSON lines for any HTTP client, SSE for EventSource.
The 2-D race and the network race stream alike (``Stream``).

Events: one ``meta``, then ``frame`` events (every k steps, in order), then a ``summary``;
an ``error`` replaces the rest if computing fails midway. The race is advanced one segment
per frame, each segment in a worker thread under the gate, so a client that disconnects
stops the computation at the next segment boundary: Starlette cancels the response when
the client goes away, and the cancellation lands between segments.

Neither format is compressed (GZip would hold lines back) and both ask reverse proxies
not to buffer (``X-Accel-Buffering: no``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from descentlab.server.errors import item
from descentlab.server.gate import Gate
from descentlab.server.jsonio import dumps

NDJSON = "application/x-ndjson"
SSE = "text/event-stream"
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}

log = logging.getLogger("descentlab")

Encode = Callable[[str, bytes], bytes]


class Progress(Protocol):
    t: int
    steps: int

    @property
    def done(self) -> bool: ...


class Stream(Protocol):
    """What a stream offers: its session's progress, frame events, a summary event."""

    @property
    def session(self) -> Progress: ...

    @property
    def done(self) -> bool: ...

    def next_frame(self) -> dict[str, Any]: ...

    def summary(self) -> dict[str, Any]: ...


class SegmentedStream:
    """Shared by the concrete streams: a session advanced ``k`` steps per frame event."""

    session: Progress
    k: int

    @property
    def frames(self) -> int:
        return math.ceil(self.session.steps / self.k)

    @property
    def done(self) -> bool:
        return self.session.done


class NDJSONResponse(Response):
    media_type = NDJSON


class SSEResponse(Response):
    media_type = SSE


# A stream's refusals (too large, invalid, busy) come before the stream starts, as the
# plain JSON error every route sends. Given a model, FastAPI would document them in the
# route's own media type (NDJSON or SSE), so they are spelt out here.
ERRORS_DOC = {status: {"description": description, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
    for status, description in ((413, "The request is too large"),
                                (422, "The request is not valid"),
                                (503, "Every computing slot stayed busy; retry later"))}


def ndjson_doc(event_schema: str) -> dict:
    """The OpenAPI of a 200 whose lines are each one ``event_schema`` object, and of the
    JSON errors sent instead of a stream."""
    ref = {"$ref": f"#/components/schemas/{event_schema}", "type": "object"}
    return {200: {"description": f"One JSON object per line (see {event_schema})",
                  "content": {NDJSON: {"schema": ref}}}, **ERRORS_DOC}


def ndjson_line(kind: str, data: bytes) -> bytes:
    return data + b"\n"


def sse_event(kind: str, data: bytes) -> bytes:
    return b"event: " + kind.encode() + b"\ndata: " + data + b"\n\n"


async def events(stream: Stream, meta: bytes, gate: Gate,
                 encode: Encode) -> AsyncIterator[bytes]:
    """Encoded events of ``stream``; its meta event was computed when it was opened."""
    finished = False
    try:
        yield encode("meta", meta)
        try:
            while not stream.done:
                frame = await gate.run(lambda: dumps(stream.next_frame()), queue=False)
                yield encode("frame", frame)
            yield encode("summary", await gate.run(lambda: dumps(stream.summary()),
                                                   queue=False))
        except Exception:
            log.exception("a race stream failed at step %d", stream.session.t)
            error = {"type": "error", "detail": [item(
                [], f"the race failed at step {stream.session.t}; the server log has the "
                    "details", "internal_error")]}
            yield encode("error", dumps(error))
        finished = True
    finally:
        if finished:
            gate.counters.streams_finished += 1
        else:
            gate.counters.streams_cancelled += 1
            log.info("race stream stopped by its client at step %d of %d",
                     stream.session.t, stream.session.steps)


class EventStreamResponse(StreamingResponse):
    """A StreamingResponse that always closes its generator, so its ``finally`` runs at
    once when the client leaves instead of whenever the generator is collected."""

    body_iterator: AsyncIterator[bytes]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.body_iterator.aclose()  # type: ignore[attr-defined]


def response(stream: Stream, meta: bytes, gate: Gate, media_type: str) -> StreamingResponse:
    encode = sse_event if media_type == SSE else ndjson_line
    return EventStreamResponse(events(stream, meta, gate, encode), media_type=media_type,
                               headers=HEADERS)
