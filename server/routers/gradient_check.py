"""Gradient checking on a surface: the gradient the optimizers use, against finite
differences over a sweep of step sizes. (A network's check is a network route: it needs
the race whose weights it checks.)"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from descentlab.server import translate
from descentlab.server.errors import located
from descentlab.server.jsonio import dumps
from descentlab.server.limits import check_surface
from descentlab.server.schemas import COMPUTE_ERRORS, GradientCheckRequest, GradientCheckResponse
from descentlab.server.state import lab

router = APIRouter(tags=["gradient checks"], responses=COMPUTE_ERRORS)


@router.post("/gradient-check", response_model=GradientCheckResponse,
             summary="The gradient at a point against forward and centred differences")
async def gradient_check(request: Request, body: GradientCheckRequest) -> Response:
    state = lab(request)
    check_surface(body.surface, state.settings)
    with located("body"):
        document = await state.gate.run(translate.gradient_check_document, body,
                                        state.settings.max_expression_length)
    return Response(dumps(document), media_type="application/json")
