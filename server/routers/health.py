"""Liveness and readiness for Docker, Kubernetes and load balancers.

``/healthz`` never touches the engine or the gate: it answers while every permit is busy,
which is what a liveness probe must measure (is the event loop alive?). ``/readyz`` says
whether the engine is warm and how busy the gate is.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from descentlab.server.jsonio import dumps
from descentlab.server.schemas import Health, Ready
from descentlab.server.state import lab

router = APIRouter(tags=["health"])

NO_STORE = {"Cache-Control": "no-store"}
HEALTHY = dumps({"status": "ok"})


@router.get("/healthz", response_model=Health, summary="The server is up")
async def healthz() -> Response:
    return Response(HEALTHY, media_type="application/json", headers=NO_STORE)


@router.get("/readyz", response_model=Ready,
            summary="The engine is compiled and the server takes races")
async def readyz(request: Request) -> Response:
    state = lab(request)
    gate, warmth = state.gate, state.warmth
    assert warmth is not None
    body = {"status": "ready", "heavy_slots": gate.slots, "heavy_busy": gate.counters.busy,
            "warmup_seconds": round(warmth.seconds, 3)}
    return Response(dumps(body), media_type="application/json", headers=NO_STORE)
