"""Map requests in, map documents out: the one place where the maps' API meets the engine.

Nothing here knows about HTTP; engine errors leave with field paths that match the request.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab import engine
from descentlab.engine.map_colors import PALEST, STATUS_COLORS, point_colors
from descentlab.engine.maps import Minimum, assemble, tile_rows
from descentlab.engine.outcome import STATUSES
from descentlab.server import translate
from descentlab.server.jsonio import array, number
from descentlab.server.map_schemas import (
    AxisSpec,
    BasinMapRequest,
    CompareRequest,
    HyperparameterMapRequest,
    SearchRequest,
)

Document = dict[str, Any]
FLOAT32_MAX = float(np.finfo(np.float32).max)


def _gradient(request: BasinMapRequest | HyperparameterMapRequest) -> dict:
    g = request.gradient
    return {"clip_norm": g.clip_norm, "clip_value": g.clip_value, "noise_std": g.noise_std,
            "seed": g.seed}


def _axis(spec: AxisSpec | None) -> tuple | None:
    return None if spec is None else (spec.name, spec.lo, spec.hi, spec.scale)


MapRequest = BasinMapRequest | HyperparameterMapRequest


def compute_rows(request: MapRequest, max_expression_length: int, resolution: int,
                 rows: tuple[int, int] | None, cluster: Any = None) -> engine.MapResult:
    """Rows ``rows`` (all: None) of the map ``request`` asks for, at ``resolution``; on the
    Dask ``cluster`` (a client) when there is one — all rows as parallel tiles."""
    if cluster is not None:
        from descentlab.engine.cluster import map_on_cluster, tile_on

        kwargs = {"request": request, "max_expression_length": max_expression_length,
                  "resolution": resolution}
        if rows is None:
            height = resolution if getattr(request, "y", True) is not None else 1
            return map_on_cluster(cluster, compute_rows, kwargs, height, resolution)
        return tile_on(cluster, compute_rows, kwargs, rows)
    obj = translate.surface_of(request.surface, max_expression_length)
    run = translate.run_spec(request.optimizer)
    common = {"resolution": resolution, "steps": request.steps, "rows": rows,
              **_gradient(request)}
    if isinstance(request, BasinMapRequest):
        return engine.basin_map(obj, run, view=request.region, **common)
    return engine.hyperparameter_map(obj, run, request.start, x=_axis(request.x),
                                     y=_axis(request.y), **common)


def compute(request: MapRequest, max_expression_length: int,
            cluster: Any = None) -> engine.MapResult:
    """The whole map a request asks for."""
    return compute_rows(request, max_expression_length, request.resolution, None, cluster)


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


def point_kind(point: Any) -> str:
    """A catalogue point's kind; ``found_min`` for a minimum a typed formula's runs found."""
    return "found_min" if isinstance(point, Minimum) else point.kind


def _point(point: Any, cells: int, color: str) -> Document:
    return {"point": [number(point.x), number(point.y)], "value": number(point.value),
            "kind": point_kind(point), "color": color,
            "cells": point.cells if isinstance(point, Minimum) else cells}


def _theory(theory: dict | None) -> Document | None:
    if theory is None:
        return None
    optimum = theory.get("optimum")
    return {"method": theory["method"], "lam_min": float(theory["lam_min"]),
            "lam_max": float(theory["lam_max"]),
            "momentum": [float(m) for m in theory["momentum"]],
            "lr_limit": [float(v) for v in theory["lr_limit"]],
            "optimum": [float(v) for v in optimum] if optimum else None}


def _cells(result: engine.MapResult) -> Document:
    return {"status": block(result.status, "int8"), "basin": block(result.basin, "int16"),
            "step": block(result.step, "int32"), "loss": block(result.loss, "float32"),
            "final": block(result.final, "float32")}


def _points(result: engine.MapResult, reached: np.ndarray) -> list[Document]:
    """The points the map's runs can end at, with how many cells reached each and the
    colour the maps give their basins."""
    colors = point_colors([point_kind(p) for p in result.points])
    return [_point(p, int(n), color)
            for p, n, color in zip(result.points, reached, colors, strict=True)]


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
        "points": _points(result, reached),
        "status_colors": STATUS_COLORS,
        "cells": _cells(result),
        "theory": _theory(result.theory)}


@dataclass
class _Progress:
    """How far a map stream is: ``t`` of ``steps`` pieces (the coarse pass, then tiles)."""

    t: int
    steps: int

    @property
    def done(self) -> bool:
        return self.t >= self.steps


class MapStream:
    """A map sent in pieces: first the whole map at a coarse resolution (drawn at once),
    then the full resolution tile by tile (bands of rows), then a summary — the counts and
    points of the whole, and for a typed formula its minima numbered over the whole map."""

    def __init__(self, request: MapRequest, max_expression_length: int, tile_cells: int,
                 cluster: Any = None):
        self.request = request
        self.compute: Callable[[int, tuple[int, int] | None], engine.MapResult] = (
            lambda resolution, rows: compute_rows(request, max_expression_length, resolution,
                                                  rows, cluster))
        height = request.resolution if getattr(request, "y", True) is not None else 1
        per_tile = max(1, tile_cells // request.resolution)
        self.rows = tile_rows(height, per_tile)
        self.coarse = max(2, math.ceil(request.resolution / 8))
        self.session = _Progress(0, 1 + len(self.rows))
        self.tiles: list[engine.MapResult] = []
        self.first = self.compute(request.resolution, self.rows[0])  # errors before 200

    @property
    def done(self) -> bool:
        return self.session.done

    def meta(self) -> Document:
        first = self.first
        return {"type": "meta", "kind": first.kind,
                "surface": translate.surface_info(first.objective),
                "optimizer": first.run.to_dict(), "steps": first.steps,
                "resolution": self.request.resolution, "coarse_resolution": self.coarse,
                "tiles": [list(r) for r in self.rows], "statuses": list(STATUSES),
                "status_colors": STATUS_COLORS, "palest": PALEST,
                "points": _points(first, np.zeros(len(first.points), dtype=np.int64)),
                "x": _axis_info(first.x_axis, first.x)}

    def next_frame(self) -> Document:
        t = self.session.t
        if t == 0:
            coarse = self.compute(self.coarse, None)
            document: Document = {"type": "coarse", "x": [float(v) for v in coarse.x],
                                  "y": [float(v) for v in coarse.y],
                                  "cells": _cells(coarse)}
        else:
            rows = self.rows[t - 1]
            tile = self.first if t == 1 else self.compute(self.request.resolution, rows)
            self.tiles.append(tile)
            document = {"type": "tile", "rows": list(rows), "y": [float(v) for v in tile.y],
                        "cells": _cells(tile)}
        self.session.t += 1
        document["progress"] = self.session.t / self.session.steps
        return document

    def summary(self) -> Document:
        whole = map_document(assemble(self.tiles))
        summary = {"type": "summary", **{key: whole[key] for key in (
            "kind", "steps", "start", "x", "y", "statuses", "status_colors", "counts", "points",
            "theory")}}
        if whole["points"] and whole["points"][0]["kind"] == "found_min":
            summary["basin"] = whole["cells"]["basin"]
        return summary


def search_document(request: SearchRequest, max_expression_length: int) -> Document:
    obj = translate.surface_of(request.surface, max_expression_length)
    result = engine.search(obj, translate.run_spec(request.optimizer),
                           request.start,
                           [_axis(a) for a in request.space], budget=request.budget,
                           method=request.method, repeats=request.repeats,
                           steps=request.steps, seed=request.seed,
                           noise_std=request.noise_std)
    return {"method": result.method, "axes": [a.to_dict() for a in result.axes],
            "trials": result.trials.tolist(), "scores": array(result.scores),
            "best": result.best.tolist(), "best_score": array(result.best_score)}


def compare_document(request: CompareRequest, max_expression_length: int) -> Document:
    obj = translate.surface_of(request.surface, max_expression_length)
    space = None if request.space is None else {
        name: {a.name: (a.lo, a.hi, a.scale) for a in axes}
        for name, axes in request.space.items()}
    result = engine.compare(obj, [translate.run_spec(o) for o in request.optimizers],
                            budget=request.budget, space=space,
                            tuning_starts=request.tuning_starts,
                            test_starts=request.test_starts, seeds=request.seeds,
                            noise_std=request.noise_std, steps=request.steps,
                            seed=request.seed)
    return {"runs": [{"optimizer": name, "tuned": tuned, "final_loss": array(loss),
                      "steps": steps.tolist(), "converged_fraction": float(done.mean()),
                      "median_final_loss": number(np.median(loss))}
                     for name, tuned, loss, steps, done in zip(
                         result.optimizers, result.tuned, result.final_loss, result.steps,
                         result.converged, strict=True)]}

