"""Races: several optimizers, one objective, one or many start points, T steps.

``race(...)`` is the one-call notebook API. Under it, :class:`RaceSession` holds the carry
of every run and advances it a segment at a time, which is what a stream needs; the full
result is the concatenation of its segments.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.errors import EngineError
from engine.objective import Objective, objective
from engine.optimizers.catalog import Optimizer, get_optimizer
from engine.race_kernel import CLIP_NONE, CLIP_NORM, CLIP_VALUE, advance
from engine.schedules import get_schedule

MAX_RECORDED_VALUES = 200_000_000


@dataclass(frozen=True)
class GradientOptions:
    """How the exact gradient is turned into the one an optimizer uses: noise, then clipping."""

    clip_norm: float | None = None
    clip_value: float | None = None
    noise_std: float = 0.0
    seed: int = 0

    def check(self) -> GradientOptions:
        if self.clip_norm is not None and self.clip_value is not None:
            raise EngineError("choose clipping by norm or by value, not both", field="clip_value")
        for name in ("clip_norm", "clip_value"):
            value = getattr(self, name)
            if value is not None and not (np.isfinite(value) and value > 0):
                raise EngineError(f"{name} must be a positive number, got {value}", field=name)
        if not (np.isfinite(self.noise_std) and 0.0 <= self.noise_std <= 1e6):
            raise EngineError(f"noise_std must lie in [0, 1e6], got {self.noise_std}",
                              field="noise_std")
        if not 0 <= int(self.seed) < 2**63:
            raise EngineError("seed must be a non-negative integer below 2**63", field="seed")
        return self

    @property
    def clip(self) -> tuple[int, float]:
        if self.clip_norm is not None:
            return CLIP_NORM, float(self.clip_norm)
        if self.clip_value is not None:
            return CLIP_VALUE, float(self.clip_value)
        return CLIP_NONE, 0.0


@dataclass(frozen=True)
class Run:
    """One contestant, fully resolved: its optimizer, hyperparameters, schedule and gradient."""

    optimizer: Optimizer
    label: str
    hyperparameters: dict[str, float]
    schedule: str
    schedule_params: dict[str, float]
    gradient: GradientOptions

    def learning_rates(self, steps: int) -> np.ndarray:
        return get_schedule(self.schedule).values(self.hyperparameters["lr"], steps,
                                                  self.schedule_params)

    def to_dict(self) -> dict:
        g = self.gradient
        return {"optimizer": self.optimizer.id, "label": self.label,
                "hyperparameters": dict(self.hyperparameters),
                "schedule": {"kind": self.schedule, **self.schedule_params},
                "gradient": {"clip_norm": g.clip_norm, "clip_value": g.clip_value,
                             "noise_std": g.noise_std, "seed": g.seed}}


RunLike = str | tuple[str, Mapping[str, float]] | Mapping | Run


def make_run(spec: RunLike, defaults: GradientOptions) -> Run:
    """Accept ``"adam"``, ``("adam", {"lr": 0.1})`` or a request-style mapping."""
    if isinstance(spec, Run):
        return spec
    if isinstance(spec, str):
        spec = {"id": spec}
    elif isinstance(spec, tuple):
        if len(spec) != 2 or not isinstance(spec[1], Mapping):
            raise EngineError("an optimizer tuple is (id, {hyperparameters})")
        spec = {"id": spec[0], "hyperparameters": spec[1]}
    if not isinstance(spec, Mapping) or "id" not in spec:
        raise EngineError("an optimizer is an id, (id, {hyperparameters}) or {'id': ...}")
    opt = get_optimizer(str(spec["id"]))
    hps = opt.resolve(spec.get("hyperparameters"))
    schedule = dict(spec.get("schedule") or {"kind": "constant"})
    kind = str(schedule.pop("kind", "constant"))
    try:
        sched_params = get_schedule(kind).resolve(schedule)
    except EngineError as err:
        raise err.at("schedule") from None
    gradient = GradientOptions(
        clip_norm=spec.get("clip_norm", defaults.clip_norm),
        clip_value=spec.get("clip_value", defaults.clip_value),
        noise_std=float(spec.get("noise_std", defaults.noise_std)),
        seed=int(spec.get("seed", defaults.seed))).check()
    label = str(spec.get("label") or opt.name)
    return Run(opt, label, hps, kind, sched_params, gradient)


def _starts(start: Sequence[float] | np.ndarray) -> np.ndarray:
    pts = np.array(start, dtype=np.float64)
    if pts.ndim == 1:
        pts = pts[None, :]
    if pts.ndim != 2 or pts.shape[1] != 2 or pts.shape[0] == 0:
        raise EngineError("start must be a point (x, y) or a list of points", field="start")
    if not np.all(np.isfinite(pts)):
        raise EngineError("start points must be finite numbers", field="start")
    return np.ascontiguousarray(pts)


@dataclass
class Segment:
    """Steps t0+1 … t0+k of every run: arrays shaped (O, P, k, …)."""

    t0: int
    positions: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    grad: np.ndarray
    lr: np.ndarray
    state: list[np.ndarray | None]
    converged_at: np.ndarray
    diverged_at: np.ndarray


@dataclass
class RaceResult:
    """Everything a race produced. Index t of a per-frame array is the frame after t steps.

    ``grad[..., t, :]`` is the gradient step t actually used (noised, clipped, and for the
    Nesterov family taken at the look-ahead point); index 0 holds the raw gradient at the
    start. ``lr[o, t-1]`` is the learning rate of step t. ``converged_at``/``diverged_at``
    are −1 where it never happened. In ``final_only`` races the per-frame arrays are None.
    """

    objective: Objective
    runs: list[Run]
    starts: np.ndarray
    steps: int
    tol: float
    lr: np.ndarray
    final_positions: np.ndarray
    final_loss: np.ndarray
    converged_at: np.ndarray
    diverged_at: np.ndarray
    positions: np.ndarray | None = None
    loss: np.ndarray | None = None
    grad_norm: np.ndarray | None = None
    grad: np.ndarray | None = None
    state: list[dict[str, np.ndarray]] | None = field(default=None)

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self.runs]


class RaceSession:
    """The carry of every run of a race, advanced segment by segment by the kernel."""

    def __init__(self, obj: Objective, runs: list[Run], starts: np.ndarray, steps: int, *,
                 record: bool = True, record_state: bool = False,
                 tol: float = 1e-6, gtol: float = 1e-6, bound: float | None = None):
        if not 1 <= steps <= 10_000_000:
            raise EngineError(f"steps must be between 1 and 10,000,000, got {steps}",
                              field="steps")
        if not runs:
            raise EngineError("a race needs at least one optimizer", field="optimizers")
        per_value = len(runs) * starts.shape[0] * (steps + 1)
        if record and per_value * (6 + (6 if record_state else 0)) > MAX_RECORDED_VALUES:
            raise EngineError(
                f"recording every step of {len(runs)} optimizers × {starts.shape[0]} starts × "
                f"{steps} steps would not fit in memory; use final_only", field="steps")
        self.objective, self.runs, self.starts, self.steps = obj, runs, starts, steps
        self.record, self.record_state = record, record_state and record
        self.tol, self.gtol = float(tol), float(gtol)
        self.bound = float(bound) if bound is not None else obj.bound
        self.t = 0
        self.lrs = np.stack([r.learning_rates(steps) for r in runs])
        n = starts.shape[0]
        f0, g0 = obj.value_grad(starts)
        self.x = [starts.copy() for _ in runs]
        self.f = [f0.copy() for _ in runs]
        self.g = [g0.copy() for _ in runs]
        self.S = [np.zeros((len(r.optimizer.state), n, 2)) for r in runs]
        self.sc = [np.array(r.optimizer.scalar_state, dtype=np.float64) for r in runs]
        self.h = [r.optimizer.kernel_vector(r.hyperparameters) for r in runs]
        bad = ~(np.isfinite(f0) & np.all(np.isfinite(g0), axis=1)
                & np.all(np.abs(starts) <= self.bound, axis=1))
        conv0 = self._converged(f0, g0) & ~bad
        self.conv = [np.where(conv0, 0, -1).astype(np.int64) for _ in runs]
        self.div = [np.where(bad, 0, -1).astype(np.int64) for _ in runs]
        self.first_frame = self._frame()

    def _converged(self, f: np.ndarray, g: np.ndarray) -> np.ndarray:
        near = np.hypot(g[:, 0], g[:, 1]) <= self.gtol
        if self.objective.f_star is not None:
            near |= np.abs(f - self.objective.f_star) <= self.tol
        return near

    @property
    def done(self) -> bool:
        return self.t >= self.steps

    def _frame(self) -> dict[str, np.ndarray]:
        """The current frame of every run: (O, P, …) arrays of position, loss, gradient, state."""
        return {
            "positions": np.stack(self.x), "loss": np.stack(self.f),
            "grad_norm": np.hypot(*np.moveaxis(np.stack(self.g), -1, 0)),
            "grad": np.stack(self.g),
            "state": [np.moveaxis(S, 0, 1).copy() for S in self.S],
        }

    def advance(self, k: int) -> Segment:
        """Run up to k more steps of every run and return what they recorded."""
        k = min(k, self.steps - self.t)
        if k <= 0:
            raise EngineError("the race has already run all its steps")
        n = self.starts.shape[0]
        rec_n, rec_k = (n, k) if self.record else (0, 0)
        out = {"positions": [], "loss": [], "grad_norm": [], "grad": [], "state": []}
        obj = self.objective
        for i, run in enumerate(self.runs):
            kstate = len(run.optimizer.state)
            rx = np.zeros((rec_n, rec_k, 2))
            rf = np.zeros((rec_n, rec_k))
            rgn = np.zeros((rec_n, rec_k))
            rg = np.zeros((rec_n, rec_k, 2))
            rs = np.zeros((n, k, kstate, 2) if self.record_state else (0, 0, kstate, 2))
            clip_kind, clip_value = run.gradient.clip
            f_star = obj.f_star if obj.f_star is not None else 0.0
            advance(*obj.kernel_args, run.optimizer.code, self.h[i],
                    np.ascontiguousarray(self.lrs[i, self.t:self.t + k]), self.t,
                    clip_kind, clip_value, run.gradient.noise_std, run.gradient.seed,
                    f_star, obj.f_star is not None, self.tol, self.gtol, self.bound,
                    self.x[i], self.f[i], self.g[i], self.S[i], self.sc[i],
                    self.conv[i], self.div[i],
                    rx, rf, rgn, rg, rs, self.record, self.record_state)
            for key, arr in (("positions", rx), ("loss", rf), ("grad_norm", rgn), ("grad", rg)):
                out[key].append(arr)
            out["state"].append(rs if self.record_state else None)
        segment = Segment(
            t0=self.t, positions=np.stack(out["positions"]), loss=np.stack(out["loss"]),
            grad_norm=np.stack(out["grad_norm"]), grad=np.stack(out["grad"]),
            lr=self.lrs[:, self.t:self.t + k], state=out["state"],
            converged_at=np.stack(self.conv).copy(), diverged_at=np.stack(self.div).copy())
        self.t += k
        return segment

    def segments(self, k: int) -> Iterator[Segment]:
        while not self.done:
            yield self.advance(k)

    def result(self, segments: Iterable[Segment] = ()) -> RaceResult:
        """The race so far; pass the segments to keep the per-frame records."""
        result = RaceResult(
            objective=self.objective, runs=self.runs, starts=self.starts, steps=self.t,
            tol=self.tol,
            lr=self.lrs[:, :self.t], final_positions=np.stack(self.x),
            final_loss=np.stack(self.f), converged_at=np.stack(self.conv),
            diverged_at=np.stack(self.div))
        segments = list(segments)
        first = self.first_frame
        if self.record:
            for key in ("positions", "loss", "grad_norm", "grad"):
                parts = [first[key][:, :, None]] + [getattr(s, key) for s in segments]
                setattr(result, key, np.concatenate(parts, axis=2))
        if self.record_state:
            result.state = []
            for i, run in enumerate(self.runs):
                stacked = np.concatenate(
                    [first["state"][i][:, None]] + [s.state[i] for s in segments], axis=1)
                result.state.append({v.name: np.ascontiguousarray(stacked[:, :, j])
                                     for j, v in enumerate(run.optimizer.state)})
        return result


def race(surface, optimizers: Sequence[RunLike], start, steps: int = 500, *,
         params: Mapping[str, float] | None = None, view: Sequence[float] | None = None,
         clip_norm: float | None = None, clip_value: float | None = None,
         noise_std: float = 0.0, seed: int = 0, record_state: bool = False,
         final_only: bool = False, tol: float = 1e-6, gtol: float = 1e-6,
         bound: float | None = None) -> RaceResult:
    """Race optimizers over a surface and return every path as numpy arrays.

    >>> r = race("rosenbrock", ["sgd", ("adam", {"lr": 0.05})], start=(-1.5, 2), steps=1000)
    >>> r.positions.shape          # (optimizers, starts, steps + 1, 2)
    (2, 1, 1001, 2)

    ``surface``: a catalogue id, ``expression("x**2 + y**2")``, or a request-style mapping.
    Gradient options given here apply to every optimizer unless its mapping overrides them.
    """
    obj = objective(surface, params, view)
    defaults = GradientOptions(clip_norm, clip_value, float(noise_std), int(seed)).check()
    runs = []
    for i, spec in enumerate(optimizers):
        try:
            runs.append(make_run(spec, defaults))
        except EngineError as err:
            raise err.at(f"optimizers.{i}") from None
    session = RaceSession(obj, runs, _starts(start), int(steps), record=not final_only,
                          record_state=record_state and not final_only, tol=tol, gtol=gtol,
                          bound=bound)
    segments = [session.advance(session.steps)]
    return session.result(segments if not final_only else ())
