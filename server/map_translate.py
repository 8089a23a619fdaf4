"""Map requests in, map documents out: the one place where the maps' API meets the engine.

Nothing here knows about HTTP; engine errors leave with field paths that match the request.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from descentlab import engine
from descentlab.engine.maps import Minimum
from descentlab.engine.outcome import STATUSES
from descentlab.server import translate
from descentlab.server.jsonio import number
from descentlab.server.map_schemas import AxisSpec, BasinMapRequest, HyperparameterMapRequest

Document = dict[str, Any]
FLOAT32_MAX = float(np.finfo(np.float32).max)


def _gradient(request: BasinMapRequest | HyperparameterMapRequest) -> dict:
    g = request.gradient
    return {"clip_norm": g.clip_norm, "clip_value": g.clip_value, "noise_std": g.noise_std,
            "seed": g.seed}


def _axis(spec: AxisSpec | None) -> tuple | None:
    return None if spec is None else (spec.name, spec.lo, spec.hi, spec.scale)


def basin_map(request: BasinMapRequest, max_expression_length: int) -> engine.MapResult:
    obj = translate.surface_of(request.surface, max_expression_length)
    return engine.basin_map(obj, translate.run_spec(request.optimizer), view=request.region,
                            resolution=request.resolution, steps=request.steps,
                            **_gradient(request))


def hyperparameter_map(request: HyperparameterMapRequest,
                       max_expression_length: int) -> engine.MapResult:
    obj = translate.surface_of(request.surface, max_expression_length)
    return engine.hyperparameter_map(obj, translate.run_spec(request.optimizer),
                                     request.start, x=_axis(request.x), y=_axis(request.y),
                                     resolution=request.resolution, steps=request.steps,
                                     **_gradient(request))


def block(values: np.ndarray, dtype: str) -> Document:
    """An array as little-endian bytes in base64 (float32 values clipped to its range, so
    that a frozen run's huge but finite loss does not become Infinity)."""
    if dtype == "float32":
        values = np.clip(values, -FLOAT32_MAX, FLOAT32_MAX)
    data = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": dtype, "shape": list(data.shape),
            "data": base64.b64encode(data.tobytes()).decode("ascii")}


def _axis_info(axis: engine.Axis, centres: np.ndarray) -> Document:
    return {**axis.to_dict(), "centres": [float(c) for c in centres]}


def _point(point: Any, cells: int) -> Document:
    if isinstance(point, Minimum):
        return {"point": [number(point.x), number(point.y)], "value": number(point.value),
                "kind": "found_min", "cells": point.cells}
    return {"point": [number(point.x), number(point.y)], "value": number(point.value),
            "kind": point.kind, "cells": cells}


def _theory(theory: dict | None) -> Document | None:
    if theory is None:
        return None
    optimum = theory.get("optimum")
    return {"method": theory["method"], "lam_min": float(theory["lam_min"]),
            "lam_max": float(theory["lam_max"]),
            "momentum": [float(m) for m in theory["momentum"]],
            "lr_limit": [float(v) for v in theory["lr_limit"]],
            "optimum": [float(v) for v in optimum] if optimum else None}


def map_document(result: engine.MapResult) -> Document:
    """The JSON document of a map: axes, outcomes per cell as binary blocks, the points the
    runs reached, and the theory where it is known."""
    counts = np.bincount(result.status.ravel(), minlength=len(STATUSES))
    reached = np.bincount(result.basin[result.basin >= 0].ravel(),
                          minlength=len(result.points))
    return {
        "kind": result.kind, "surface": translate.surface_info(result.objective),
        "optimizer": result.run.to_dict(), "steps": result.steps,
        "start": list(result.start) if result.start is not None else None,
        "x": _axis_info(result.x_axis, result.x),
        "y": _axis_info(result.y_axis, result.y) if result.y_axis is not None else None,
        "statuses": list(STATUSES),
        "counts": {name: int(n) for name, n in zip(STATUSES, counts, strict=True)},
        "points": [_point(p, int(n)) for p, n in zip(result.points, reached, strict=True)],
        "cells": {"status": block(result.status, "int8"), "basin": block(result.basin, "int16"),
                  "step": block(result.step, "int32"), "loss": block(result.loss, "float32"),
                  "final": block(result.final, "float32")},
        "theory": _theory(result.theory)}
