"""Network requests in, JSON-ready documents out: where the network endpoints meet
``engine.networks``.

As in ``translate`` (whose optimizer entries it reuses), nothing here knows about HTTP:
engine errors leave with field paths that match the request (``dataset.params.n``,
``architecture.hidden``, ``landscape.centre``) and every engine number leaves through
``jsonio``. A race's result is remembered under ``race_key`` — what decides its numbers,
and nothing else — so that a decision boundary at any frame, or the landscape on another
plane, costs only its own work once the race has run.
"""

from __future__ import annotations

import numpy as np
import orjson

from descentlab import engine
from descentlab.engine import networks as nn
from descentlab.engine.errors import EngineError, lookup
from descentlab.engine.networks.gradient_check import check_network_gradient
from descentlab.engine.params import resolve
from descentlab.server.jsonio import array, number
from descentlab.server.memo import Memo
from descentlab.server.network_schemas import (
    ArchitectureSpec,
    BoundaryRequest,
    LandscapeSpec,
    NetworkDatasetSpec,
    NetworkGradientCheckRequest,
    NetworkRaceRequest,
    ValidationSpec,
)
from descentlab.server.streaming import SegmentedStream
from descentlab.server.translate import Document, check_fields, frame_steps, run_spec

RaceMemo = Memo[nn.NetworkRaceResult]


def result_bytes(result: nn.NetworkRaceResult) -> int:
    """What a remembered race holds: its recorded weights, the bulk (the server records no
    per-step gradients: no response uses them)."""
    return int(result.weights.nbytes + result.loss.nbytes * 3)


def new_memo(entries: int, max_bytes: int) -> RaceMemo:
    return Memo(entries, max_bytes, result_bytes)


def catalogue() -> Document:
    """The engine's network catalogue and the optimizers a network race takes."""
    return {**nn.catalogue(),
            "optimizers": [o.id for o in engine.optimizers() if o.network_lr is not None]}


# --------------------------------------------------------------------------- requests


def dataset(spec: NetworkDatasetSpec) -> nn.Dataset:
    """The seeded dataset; its parameters are checked first so errors name them."""
    try:
        family = lookup(nn.DATASETS, spec.id, "dataset")
    except EngineError as err:
        raise err.at("dataset") from None
    try:
        resolve(family.all_params, spec.params, f"dataset '{family.id}'")
    except EngineError as err:
        raise err.at("dataset.params") from None
    return family.make(spec.params)


def points_of(spec: NetworkDatasetSpec) -> int:
    """The number of data points a dataset spec asks for, without making it (0 if its id is
    unknown: the engine says so later)."""
    family = nn.DATASETS.get(spec.id)
    if family is None:
        return 0
    n = (spec.params or {}).get("n", next(p.default for p in family.params if p.name == "n"))
    return int(np.clip(n, 0, max(p.high for p in family.params if p.name == "n")))


def architecture(spec: ArchitectureSpec) -> nn.Architecture:
    try:
        return nn.Architecture(tuple(spec.hidden), spec.activation, spec.init or "auto",
                               spec.init_scale, spec.bias, spec.dropout, spec.batch_norm)
    except EngineError as err:
        raise err.at("architecture") from None


def open_session(request: NetworkRaceRequest) -> nn.NetworkRaceSession:
    """A race ready to advance: dataset, architecture and runs resolved and checked."""
    g = request.gradient
    try:
        engine.GradientOptions(g.clip_norm, g.clip_value, g.noise_std, request.seed).check()
    except EngineError as err:
        raise err.at("gradient") from None
    return nn.network_session(
        dataset(request.dataset), architecture(request.architecture),
        [run_spec(o) for o in request.optimizers], request.steps,
        batch_size=request.batch_size, seed=request.seed, init_seed=request.init_seed,
        clip_norm=g.clip_norm, clip_value=g.clip_value, noise_std=g.noise_std,
        validation=request.validation.fraction, split_seed=request.validation.seed,
        early_stopping=(None if request.early_stopping is None
                        else request.early_stopping.model_dump()),
        statistics=(None if request.statistics is None
                    else nn.StatisticsOptions(request.statistics.every, request.statistics.bins)),
        # no response uses the per-step gradients; what the race records is limited by
        # the server's own setting (limits.check_network_race), checked before this
        record_gradients=False, max_recorded_values=None)


def race_key(request: NetworkRaceRequest) -> bytes:
    """Everything that decides a race's numbers, canonically: the engine's own inputs (an
    optimizer's explicit null clip differs from an absent one), keys sorted. The landscape
    and the stream's frame size are left out: they do not change the race."""
    inputs = request.model_dump(mode="json", exclude={"landscape", "frame_steps", "optimizers"})
    inputs["optimizers"] = [run_spec(o) for o in request.optimizers]
    return orjson.dumps(inputs, option=orjson.OPT_SORT_KEYS)


def race_result(request: NetworkRaceRequest, memo: RaceMemo) -> nn.NetworkRaceResult:
    """The race's result: remembered, or run now and remembered."""
    key = race_key(request)
    result = memo.get(key)
    if result is None:
        session = open_session(request)
        session.advance(session.steps)
        result = session.result()
        memo.put(key, result)
    return result


# --------------------------------------------------------------------------- documents


def _validation(result: nn.NetworkRaceResult, fraction: float, seed: int) -> Document | None:
    """The held-out points and the early-stopping rule, or None."""
    if result.validation is None:
        return None
    held, early = result.validation.to_dict(), result.early_stopping
    return {"fraction": fraction, "seed": seed, "points": held["points"],
            "labels": held["labels"], "patience": None if early is None else early.patience,
            "stop": early is not None and early.stop}


def _header(result: nn.NetworkRaceResult, steps: int,
            validation: ValidationSpec) -> Document:
    return {"dataset": result.dataset.to_dict(), "architecture": result.architecture.to_dict(),
            "steps": steps, "batch_size": result.batch_size, "seed": result.seed,
            "init_seed": result.init_seed,
            "validation": _validation(result, validation.fraction, validation.seed)}


def held_out(result: nn.NetworkRaceResult, o: int, rows: slice) -> Document:
    """Run o's validation curves over frames ``rows`` and its early-stopping steps."""
    if result.val_loss is None:
        return {"val_loss": None, "val_accuracy": None, "best_step": None,
                "stopped_at": None}
    return {"val_loss": array(result.val_loss[o, rows]),
            "val_accuracy": array(result.val_accuracy[o, rows]),
            "best_step": _step(int(result.best_step[o])),
            "stopped_at": _step(int(result.patience_out[o]))}


def statistics_of(result: nn.NetworkRaceResult, o: int, first: int, last: int) -> Document:
    """Run o's statistics at the recorded frames among first … last (none if not asked
    for)."""
    record = result.statistics
    if record is None:
        return {}
    s = record.slots(first, last)
    return {"statistics": {
        "frames": record.frames[s].tolist(), "mean": array(record.mean[o, s]),
        "std": array(record.std[o, s]), "saturated": array(record.saturated[o, s]),
        "grad_norm": array(record.grad_norm[o, s]),
        "histograms": {"lo": array(record.lo[o, s]), "hi": array(record.hi[o, s]),
                       "counts": record.counts[o, s].tolist()}}}


def _final_held_out(result: nn.NetworkRaceResult, o: int) -> Document:
    if result.val_loss is None:
        return {"val_loss": None, "val_accuracy": None, "gap": None}
    return {"val_loss": number(result.val_loss[o, -1]),
            "val_accuracy": number(result.val_accuracy[o, -1]),
            "gap": number(result.gap[o, -1])}


def _landscape(result: nn.NetworkRaceResult, spec: LandscapeSpec) -> nn.Landscape:
    try:
        return nn.landscape(result, spec.plane, spec.resolution, spec.span, centre=spec.centre,
                            seed=spec.seed)
    except EngineError as err:
        raise err.at("landscape") from None


def check_landscape(result: nn.NetworkRaceResult, spec: LandscapeSpec) -> None:
    try:
        nn.check_landscape(result, spec.plane, spec.resolution, spec.span, spec.centre)
    except EngineError as err:
        raise err.at("landscape") from None


def _step(value: int | None) -> int | None:
    return value if value is not None and value >= 0 else None


def race_document(result: nn.NetworkRaceResult, spec: LandscapeSpec,
                  validation: ValidationSpec) -> Document:
    """The race, its runs' curves and outcomes, and the landscape with every path on it."""
    land = _landscape(result, spec)
    runs = []
    for o, (run, out) in enumerate(zip(result.runs, nn.network_outcomes(result), strict=True)):
        runs.append({
            **run.to_dict(), "loss": array(result.loss[o]),
            "accuracy": array(result.accuracy[o]), "grad_norm": array(result.grad_norm[o]),
            "lr": array(result.lr[o]), "path": array(land.paths[o]), "status": out.status,
            "converged_at": out.converged_at, "diverged_at": out.diverged_at,
            **held_out(result, o, slice(None)), **statistics_of(result, o, 0, result.steps),
            "final": {"loss": number(out.loss), "accuracy": number(out.accuracy),
                      "grad_norm": number(out.grad_norm), **_final_held_out(result, o)}})
    plane = land.plane.to_dict()
    if plane["explained"] is not None:
        plane["explained"] = [number(v) for v in plane["explained"]]
    return {**_header(result, result.steps, validation), "runs": runs,
            "landscape": {"plane": plane, "alphas": array(land.alpha),
                          "betas": array(land.beta), "loss": array(land.loss)}}


def boundary_document(request: BoundaryRequest, memo: RaceMemo) -> Document:
    """P(class 1) over the dataset's view for one run at one frame."""
    try:
        result = race_result(request.race, memo)
    except EngineError as err:
        raise err.at("race") from None
    o, t = result.run_index(request.run), result.frame_index(request.frame)
    b = nn.decision_boundary(result, o, t, request.resolution)
    return {"run": result.labels[o], "frame": t, "x": array(b.x), "y": array(b.y),
            "probability": array(b.probability)}


def gradient_check_document(request: NetworkGradientCheckRequest, memo: RaceMemo) -> Document:
    """Backprop's gradient of one run at one frame against finite differences over h."""
    try:
        result = race_result(request.race, memo)
    except EngineError as err:
        raise err.at("race") from None
    return check_document(result, request)


def check_document(result: nn.NetworkRaceResult, request: NetworkGradientCheckRequest
                   ) -> Document:
    """The check ``request`` asks for, of a race already run."""
    c = check_network_gradient(result, request.run, request.frame, samples=request.samples,
                               seed=request.seed)
    return {"run": c.run, "frame": c.frame, "parameters": [p.to_dict() for p in c.parameters],
            **check_fields(c.check)}


# --------------------------------------------------------------------------- streams


class NetworkStream(SegmentedStream):
    """A network race computed a segment at a time, each described as one frame event;
    the summary carries the whole race document (the landscape needs every frame)."""

    def __init__(self, session: nn.NetworkRaceSession, steps_per_frame: int,
                 request: NetworkRaceRequest, key: bytes, memo: RaceMemo):
        self.session, self.k = session, steps_per_frame
        self.landscape, self.validation = request.landscape, request.validation
        self.key, self.memo = key, memo

    def meta(self) -> Document:
        s = self.session
        return {"type": "meta", **_header(s.result(), s.steps, self.validation),
                "frame_steps": self.k,
                "frames": self.frames, "runs": [r.to_dict() for r in s.runs]}

    def next_frame(self) -> Document:
        """Advance one segment and describe it; the first also carries frame 0."""
        s = self.session
        first = s.t == 0
        new, last = s.advance(self.k)
        lo = 0 if first else new
        r = s.result()
        rows = slice(lo, last + 1)
        runs = [{"loss": array(r.loss[o, rows]), "accuracy": array(r.accuracy[o, rows]),
                 "grad_norm": array(r.grad_norm[o, rows]),
                 "lr": array(r.lr[o, max(lo, 1) - 1:last]),
                 "diverged_at": _step(int(r.diverged_at[o])), **held_out(r, o, rows),
                 **statistics_of(r, o, lo, last)}
                for o in range(len(s.runs))]
        return {"type": "frame", "first": lo, "last": last, "runs": runs}

    def summary(self) -> Document:
        result = self.session.result()
        self.memo.put(self.key, result)
        return {"type": "summary",
                **race_document(result, self.landscape, self.validation)}


def open_stream(request: NetworkRaceRequest, memo: RaceMemo, default_frame_steps: int,
                max_frames: int) -> NetworkStream:
    """A stream of ``request``, its landscape options checked before the first step."""
    session = open_session(request)
    check_landscape(session.result(), request.landscape)
    k = frame_steps(request.steps, request.frame_steps or default_frame_steps, max_frames)
    return NetworkStream(session, k, request, race_key(request), memo)

