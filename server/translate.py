"""The one module where API models meet the engine: requests in, JSON-ready documents out.

Nothing here knows about HTTP. Engine errors leave with field paths that match the request
(``optimizers.1.hyperparameters.lr``), and every number leaves through ``jsonio`` so that
none is NaN or Infinity. Runs are listed per optimizer, then per start point.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from descentlab import engine
from descentlab.engine.gradient_check import GradientCheck, check_gradient
from descentlab.engine.lesson_plan import order_of
from descentlab.engine.optimizers.inspect import derived_state
from descentlab.engine.stability import largest_curvature, lr_limit
from descentlab.engine.suggest import catalogue_rates
from descentlab.server.jsonio import array, number
from descentlab.server.schemas import (
    GradientCheckRequest,
    OptimizerSpec,
    RaceRequest,
    SurfaceSpec,
)
from descentlab.server.streaming import SegmentedStream

Document = dict[str, Any]


# --------------------------------------------------------------------------- surfaces


def objective(spec: SurfaceSpec, max_expression_length: int) -> engine.Objective:
    """The engine's objective for a surface spec (error fields relative to the spec)."""
    if spec.expression is not None:
        compiled = engine.compile_expression(spec.expression, max_length=max_expression_length)
        return engine.objective(compiled, view=spec.view)
    return engine.objective(spec.id, spec.params, spec.view)


def surface_of(spec: SurfaceSpec, max_expression_length: int) -> engine.Objective:
    """The objective of a request's ``surface`` field (error fields under ``surface``)."""
    try:
        return objective(spec, max_expression_length)
    except engine.EngineError as err:
        raise err.at("surface") from None


def _critical_point(point: Any) -> Document:
    return {"point": [number(point.x), number(point.y)], "value": number(point.value),
            "kind": point.kind}


def surface_info(obj: engine.Objective) -> Document:
    """What was descended: id or formula, resolved parameters, view and critical points."""
    x0, x1, y0, y1 = obj.view
    info: Document = {"id": None, "name": "", "expression": None, "params": {},
                      "view": {"x": [x0, x1], "y": [y0, y1]}, "critical_points": [],
                      "f_star": number(obj.f_star), "log_contours": False, "axes": ["x", "y"]}
    if obj.surface is not None:
        surface = obj.surface
        if surface.data is not None:
            info["data"] = surface.data_dict(obj.params)
        info.update(id=surface.id, name=surface.name, log_contours=surface.log_contours,
                    axes=list(surface.axes),
                    params={p.name: float(v) for p, v in zip(surface.params, obj.params,
                                                             strict=True)},
                    critical_points=[_critical_point(c)
                                     for c in surface.critical_points(obj.params)])
    elif obj.expression is not None:
        expr = obj.expression
        info.update(name=expr.plain,
                    expression={"text": expr.text, "plain": expr.plain, "latex": expr.latex})
    return info


def grid_document(spec: SurfaceSpec, resolution: int, max_expression_length: int) -> Document:
    """Loss values for a contour or 3-D plot, with the smallest and largest finite value."""
    obj = objective(spec, max_expression_length)
    grid = engine.grid(obj, resolution)
    finite = grid.z[np.isfinite(grid.z)]
    z_range = [float(finite.min()), float(finite.max())] if finite.size else [None, None]
    return {"surface": surface_info(obj), "resolution": resolution, "x": array(grid.x),
            "y": array(grid.y), "z": array(grid.z), "z_range": z_range}


def check_fields(check: GradientCheck) -> Document:
    """The fields every gradient check's document has (a surface's or a network's)."""
    return {"value": check.value, "analytic": array(check.analytic), "steps": array(check.steps),
            "forward": array(check.forward), "centred": array(check.centred),
            "forward_error": array(check.forward_error),
            "centred_error": array(check.centred_error),
            "best": {"forward": check.best("forward"), "centred": check.best("centred")},
            "coordinate_errors": array(check.coordinate_errors),
            "small_gradient": check.small_gradient}


def gradient_check_document(request: GradientCheckRequest,
                            max_expression_length: int) -> Document:
    """The gradient at the request's point against finite differences over h."""
    obj = surface_of(request.surface, max_expression_length)
    check = check_gradient(obj, request.point)
    axes = list(obj.surface.axes) if obj.surface is not None else ["x", "y"]
    return {"point": list(request.point), "coordinates": axes, **check_fields(check)}


# --------------------------------------------------------------------------- races


def run_spec(spec: OptimizerSpec) -> Document:
    """The mapping ``engine.make_run`` takes. An explicit null clip removes the race's."""
    run: Document = {"id": spec.id, "hyperparameters": spec.hyperparameters}
    if spec.label:
        run["label"] = spec.label
    if spec.schedule is not None:
        run["schedule"] = {"kind": spec.schedule.kind, **(spec.schedule.model_extra or {})}
    for option in ("lookahead", "momentum_schedule"):
        if getattr(spec, option) is not None:
            run[option] = getattr(spec, option).model_dump()
    for key in ("clip_norm", "clip_value"):
        if key in spec.model_fields_set:
            run[key] = getattr(spec, key)
    for key in ("noise_std", "seed"):
        if getattr(spec, key) is not None:
            run[key] = getattr(spec, key)
    return run


def _starts(request: RaceRequest, obj: engine.Objective) -> np.ndarray:
    if request.starts is not None:
        return np.array(request.starts, dtype=np.float64)
    if request.start is not None:
        return np.array([request.start], dtype=np.float64)
    if obj.surface is None:
        raise engine.EngineError("an expression has no suggested start: give 'start'",
                                 field="start")
    return np.array(obj.surface.starts[:1], dtype=np.float64)


def open_session(request: RaceRequest, max_expression_length: int, *,
                 record: bool | None = None) -> engine.RaceSession:
    """A race ready to advance: surface, runs and starts resolved and checked."""
    obj = surface_of(request.surface, max_expression_length)
    g = request.gradient
    try:
        defaults = engine.GradientOptions(g.clip_norm, g.clip_value, g.noise_std,
                                          g.seed).check()
    except engine.EngineError as err:
        raise err.at("gradient") from None
    runs = []
    for i, spec in enumerate(request.optimizers):
        try:
            runs.append(engine.make_run(run_spec(spec), defaults))
        except engine.EngineError as err:
            raise err.at(f"optimizers.{i}") from None
    keep_frames = request.record.path if record is None else record
    return engine.RaceSession(obj, runs, _starts(request, obj), request.steps,
                              record=keep_frames, record_state=request.record.state
                              and keep_frames)


def _pairs(session: engine.RaceSession) -> Iterator[tuple[int, int]]:
    """(run, start) in the order runs are listed."""
    for o in range(len(session.runs)):
        for p in range(session.starts.shape[0]):
            yield o, p


def run_infos(session: engine.RaceSession) -> list[Document]:
    """Each run's settings, and how its learning rate compares with the largest stable one
    at its start (``engine.stability``)."""
    hessians = session.objective.hessian(session.starts)
    return [{**session.runs[o].to_dict(), "start_index": p,
             "stability": _stability(lr_limit(session.runs[o], hessians[p]))}
            for o, p in _pairs(session)]


def _stability(limit: Document | None) -> Document | None:
    return None if limit is None else {**limit, "lr_limit": number(limit["lr_limit"])}


def start_curvature(session: engine.RaceSession) -> list:
    """λ_max, the Hessian's largest eigenvalue, at each start (null where not finite)."""
    return [number(v) for v in largest_curvature(session.objective, session.starts)]


def _outcomes(result: engine.RaceResult) -> list[Document]:
    table = engine.outcomes(result)
    docs = []
    for o, row in enumerate(table):
        for p, out in enumerate(row):
            conv, div = int(result.converged_at[o, p]), int(result.diverged_at[o, p])
            docs.append({
                "status": out.status, "converged_at": conv if conv >= 0 else None,
                "diverged_at": div if div >= 0 else None,
                "final": {"point": [number(v) for v in out.point], "loss": number(out.loss),
                          "near": _critical_point(out.near) if out.near else None}})
    return docs


def _lr_frames(lr: np.ndarray, with_frame0: bool) -> list:
    """Learning rates per frame: step t's rate at frame t, and null at frame 0."""
    values = array(lr)
    values = values.tolist() if isinstance(values, np.ndarray) else values
    return [None, *values] if with_frame0 else values


def _state_docs(run: engine.Run, state: dict[str, np.ndarray], lr: np.ndarray, starts: int,
                first_frame: int = 0,
                state_before: dict[str, np.ndarray] | None = None) -> list[Document]:
    """Per start: the recorded state of a window of frames and the inspector's derived values
    (see ``engine.optimizers.inspect.derived_state`` for ``lr`` and ``state_before``)."""
    derived = derived_state(run.optimizer, state, lr, run.hyperparameters, first_frame,
                            state_before)
    return [{"state": {name: array(v[p]) for name, v in state.items()},
             "derived": {name: array(v[p] if v.ndim >= 2 else v) for name, v in derived.items()}}
            for p in range(starts)]


def race_document(session: engine.RaceSession) -> Document:
    """Run the whole race and describe it: surface, every run's settings, frames, outcome."""
    result = session.finish()
    n = session.starts.shape[0]
    states = [_state_docs(run, result.state[o], result.lr[o], n)
              for o, run in enumerate(session.runs)] if result.state is not None else None
    runs = []
    for (o, p), info, outcome in zip(_pairs(session), run_infos(session), _outcomes(result),
                                     strict=True):
        doc = {**info, **outcome}
        if session.record:
            doc.update(path=array(result.positions[o, p]), loss=array(result.loss[o, p]),
                       grad_norm=array(result.grad_norm[o, p]),
                       lr=_lr_frames(result.lr[o], True), grad=array(result.grad[o, p]))
        if states is not None:
            doc.update(states[o][p])
        runs.append(doc)
    return {"surface": surface_info(session.objective), "steps": session.steps,
            "starts": array(session.starts), "lambda_max": start_curvature(session),
            "record": {"path": session.record, "state": session.record_state}, "runs": runs}


# --------------------------------------------------------------------------- streams


def frame_steps(steps: int, requested: int, max_frames: int) -> int:
    """Steps per frame line: as requested, raised so that there are at most max_frames."""
    return max(requested, math.ceil(steps / max_frames))


class RaceStream(SegmentedStream):
    """A race computed a segment at a time, each segment described as one frame event.

    Each segment's state and derived values are described from that segment alone (plus
    the last frame before it), so a long stream costs the same per frame as a short one.
    """

    def __init__(self, session: engine.RaceSession, steps_per_frame: int):
        self.session, self.k = session, steps_per_frame
        # The last frame sent of each run's state: AdaDelta's step needs the one before.
        self.last_state: list[dict[str, np.ndarray] | None] = [None] * len(session.runs)

    def meta(self) -> Document:
        s = self.session
        return {"type": "meta", "surface": surface_info(s.objective), "steps": s.steps,
                "starts": array(s.starts), "lambda_max": start_curvature(s),
                "frame_steps": self.k, "frames": self.frames,
                "record": {"path": True, "state": s.record_state}, "runs": run_infos(s)}

    def next_frame(self) -> Document:
        """Advance one segment and describe it; the first also carries frame 0."""
        s = self.session
        first = s.t == 0
        start = s.first_frame if first else None
        seg = s.advance(self.k)
        last = seg.t0 + seg.lr.shape[1]

        def joined(key: str) -> np.ndarray:
            part = getattr(seg, key)
            return np.concatenate([start[key][:, :, None], part], axis=2) if first else part

        positions, loss = joined("positions"), joined("loss")
        grad_norm, grad = joined("grad_norm"), joined("grad")
        lo = 0 if first else seg.t0 + 1
        states = self._state_docs(start, seg, lo, last) if s.record_state else None
        runs = []
        for o, p in _pairs(s):
            doc: Document = {
                "path": array(positions[o, p]), "loss": array(loss[o, p]),
                "grad_norm": array(grad_norm[o, p]), "lr": _lr_frames(seg.lr[o], first),
                "grad": array(grad[o, p]),
                "converged_at": _step(seg.converged_at[o, p]),
                "diverged_at": _step(seg.diverged_at[o, p])}
            if states is not None:
                doc.update(states[o][p])
            runs.append(doc)
        return {"type": "frame", "first": lo, "last": last, "runs": runs}

    def _state_docs(self, start: Document | None, seg: engine.Segment, lo: int,
                    last: int) -> list[list[Document]]:
        """Describe the state of frames lo … last (with frame 0 on the first segment)."""
        docs = []
        for o, run in enumerate(self.session.runs):
            window = seg.state[o]
            if start is not None:
                window = np.concatenate([start["state"][o][:, None], window], axis=1)
            state = {v.name: window[:, :, j] for j, v in enumerate(run.state)}
            lr = self.session.lrs[o, max(lo, 1) - 1:last]
            docs.append(_state_docs(run, state, lr, self.session.starts.shape[0],
                                    first_frame=lo, state_before=self.last_state[o]))
            self.last_state[o] = {name: v[:, -1] for name, v in state.items()}
        return docs

    def summary(self) -> Document:
        result = self.session.result()
        return {"type": "summary", "steps": result.steps, "runs": _outcomes(result)}


def _step(value: np.integer) -> int | None:
    return int(value) if value >= 0 else None


def open_stream(request: RaceRequest, max_expression_length: int, default_frame_steps: int,
                max_frames: int) -> RaceStream:
    """A stream of ``request``; streams always record frames, whatever ``record.path`` says."""
    session = open_session(request, max_expression_length, record=True)
    k = frame_steps(request.steps, request.frame_steps or default_frame_steps, max_frames)
    return RaceStream(session, k)


# --------------------------------------------------------------------------- catalogues


def catalogues() -> dict[str, list[Document]]:
    """Each catalogue as the API lists it: the engine's own ``to_dict`` of every entry (a
    surface with the learning rate it suggests for each optimizer)."""
    return {"surfaces": [{**s.to_dict(), "suggested_lr": catalogue_rates(s.id)}
                         for s in engine.surfaces()],
            "optimizers": [o.to_dict() for o in engine.optimizers()],
            "schedules": [s.to_dict() for s in engine.schedules()],
            "run_options": engine.run_options(),
            "scenarios": [s.to_dict() for s in sorted(
                (*engine.scenarios(), *engine.map_scenarios(), *engine.network_scenarios()),
                key=lambda s: order_of(s.id))]}
