"""Races: several optimizers, one objective, one or many start points, T steps.

``race(...)`` is the one-call notebook API. Under it, :class:`RaceSession` holds the carry
of every run and advances it a segment at a time, which is what a stream needs; the full
result is the concatenation of its segments.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import NamedTuple

import numba
import numpy as np

from descentlab.engine.errors import EngineError, keyed
from descentlab.engine.objective import Objective, objective
from descentlab.engine.optimizers.catalog import Optimizer, StateVar, get_optimizer
from descentlab.engine.optimizers.lookahead import FAST, Lookahead, lookahead_option
from descentlab.engine.optimizers.momentum_schedule import (
    MomentumSchedule,
    momentum_index,
    momentum_schedule_option,
)
from descentlab.engine.parallelism import threads_for
from descentlab.engine.race_kernel import CLIP_NONE, CLIP_NORM, CLIP_VALUE, advance, fill_start
from descentlab.engine.schedules import get_schedule

MAX_RECORDED_VALUES = 200_000_000
# Past this many runs of one optimizer, its per-run arrays are built column by column.
MANY_RUNS = 64


@dataclass(frozen=True)
class GradientOptions:
    """How the exact gradient is turned into the one an optimizer uses: noise, then clipping,
    then a factor per coordinate (how per-coordinate learning rates reach the kernel: see
    ``Optimizer.per_coordinate_lr``)."""

    clip_norm: float | None = None
    clip_value: float | None = None
    noise_std: float = 0.0
    seed: int = 0
    scale: tuple[float, float] = (1.0, 1.0)

    def check(self) -> GradientOptions:
        if self.clip_norm is not None and self.clip_value is not None:
            raise EngineError("choose clipping by norm or by value, not both", field="clip_value")
        for name in ("clip_norm", "clip_value"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise EngineError(f"{name} must be a positive number, got {value}", field=name)
        if not (math.isfinite(self.noise_std) and 0.0 <= self.noise_std <= 1e6):
            raise EngineError(f"noise_std must lie in [0, 1e6], got {self.noise_std}",
                              field="noise_std")
        if not 0 <= int(self.seed) < 2**63:
            raise EngineError("seed must be a non-negative integer below 2**63", field="seed")
        if not all(math.isfinite(s) and s > 0 for s in self.scale):
            raise EngineError(f"the gradient's scale per coordinate must be positive, got "
                              f"{self.scale}", field="scale")
        return self

    def scaled(self, scale: tuple[float, float]) -> GradientOptions:
        """The same processing with another factor per coordinate."""
        return self if scale == self.scale else replace(self, scale=scale)

    @property
    def clip(self) -> tuple[int, float]:
        if self.clip_norm is not None:
            return CLIP_NORM, float(self.clip_norm)
        if self.clip_value is not None:
            return CLIP_VALUE, float(self.clip_value)
        return CLIP_NONE, 0.0


_EXACT_GRADIENT = GradientOptions()


class Run(NamedTuple):
    """One contestant, fully resolved: its optimizer, hyperparameters, schedule and gradient.

    An immutable record (a named tuple rather than a frozen dataclass, whose construction
    cost a race of six optimizers 4 µs)."""

    optimizer: Optimizer
    label: str
    hyperparameters: dict[str, float]
    schedule: str
    schedule_params: dict[str, float]
    gradient: GradientOptions
    lookahead: Lookahead | None = None
    """Lookahead around the optimizer (``engine.optimizers.lookahead``), or None."""
    momentum_schedule: MomentumSchedule | None = None
    """μ rising to its value (``engine.optimizers.momentum_schedule``), or None."""

    @property
    def state(self) -> tuple[StateVar, ...]:
        """The state rows the kernel keeps for this run: the optimizer's, then Lookahead's
        fast point where it wraps it."""
        return self.optimizer.state + ((FAST,) if self.lookahead else ())

    @property
    def wrap(self) -> tuple[int, float]:
        """The kernels' Lookahead arguments (k, α); k = 0 leaves the optimizer unwrapped."""
        return (self.lookahead.k, self.lookahead.alpha) if self.lookahead else (0, 0.0)

    @property
    def mu_schedule(self) -> tuple[int, int]:
        """The kernels' momentum-schedule arguments (τ, μ's index in h); τ = 0: constant."""
        if self.momentum_schedule is None:
            return (0, 0)
        return (self.momentum_schedule.tau, momentum_index(self.optimizer))

    def with_hyperparameters(self, values: dict[str, float]) -> Run:
        """This run with other (already checked) hyperparameter values."""
        return self._replace(hyperparameters=values, gradient=self.gradient.scaled(
            self.optimizer.gradient_scale(values)))

    def learning_rates(self, steps: int) -> np.ndarray:
        """The learning rate of steps 1 … steps."""
        return get_schedule(self.schedule).values(self.hyperparameters["lr"], steps,
                                                  self.schedule_params)

    def fill_learning_rates(self, out: np.ndarray) -> None:
        get_schedule(self.schedule).fill(out, self.hyperparameters["lr"], self.schedule_params)

    def to_dict(self) -> dict:
        g = self.gradient
        return {"optimizer": self.optimizer.id, "label": self.label,
                "hyperparameters": dict(self.hyperparameters),
                "schedule": {"kind": self.schedule, **self.schedule_params},
                "gradient": {"clip_norm": g.clip_norm, "clip_value": g.clip_value,
                             "noise_std": g.noise_std, "seed": g.seed},
                "lookahead": self.lookahead.to_dict() if self.lookahead else None,
                "momentum_schedule": (self.momentum_schedule.to_dict()
                                      if self.momentum_schedule else None)}


_REAL = (float, int)
RunLike = str | tuple[str, Mapping[str, float]] | Mapping | Run
_GRADIENT_KEYS = frozenset(("clip_norm", "clip_value", "noise_std", "seed"))


def make_run(spec: RunLike, defaults: GradientOptions) -> Run:
    """Accept ``"adam"``, ``("adam", {"lr": 0.1})`` or a request-style mapping."""
    if isinstance(spec, Run):
        return spec
    if isinstance(spec, str):
        return _resolved_run(spec, None, None, None, defaults)
    if isinstance(spec, tuple):
        if len(spec) != 2 or not isinstance(spec[1], Mapping):
            raise EngineError("an optimizer tuple is (id, {hyperparameters})")
        return _resolved_run(spec[0], spec[1], None, None, defaults)
    if not isinstance(spec, Mapping) or "id" not in spec:
        raise EngineError("an optimizer is an id, (id, {hyperparameters}) or {'id': ...}")
    gradient = defaults if _GRADIENT_KEYS.isdisjoint(spec) else GradientOptions(
        clip_norm=spec.get("clip_norm", defaults.clip_norm),
        clip_value=spec.get("clip_value", defaults.clip_value),
        noise_std=float(spec.get("noise_std", defaults.noise_std)),
        seed=int(spec.get("seed", defaults.seed))).check()
    run = _resolved_run(spec["id"], spec.get("hyperparameters"), spec.get("schedule"),
                        spec.get("label"), gradient)
    wrap, rise = spec.get("lookahead"), spec.get("momentum_schedule")
    if wrap is None and rise is None:
        return run
    return run._replace(lookahead=lookahead_option(run.optimizer, wrap),
                        momentum_schedule=momentum_schedule_option(run.optimizer, rise))


def _resolved_run(optimizer_id: object, hyperparameters: Mapping | None,
                  schedule: Mapping | None, label: object, gradient: GradientOptions) -> Run:
    opt = get_optimizer(str(optimizer_id))
    hps = opt.resolve(hyperparameters)
    gradient = gradient.scaled(opt.gradient_scale(hps))
    if not schedule:  # the common case needs no look-up: a constant rate has no parameters
        return Run(opt, str(label or opt.name), hps, "constant", {}, gradient)
    schedule = dict(schedule)
    kind = str(schedule.pop("kind", "constant"))
    try:
        sched_params = get_schedule(kind).resolve(schedule)
    except EngineError as err:
        raise err.at("schedule") from None
    return Run(opt, str(label or opt.name), hps, kind, sched_params, gradient)


def _starts(start: Sequence[float] | np.ndarray) -> np.ndarray:
    if (isinstance(start, tuple) and len(start) == 2 and type(start[0]) in _REAL
            and type(start[1]) in _REAL and math.isfinite(start[0])
            and math.isfinite(start[1])):  # one point, the common case, checked cheaply
        return np.array([start], dtype=np.float64)
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


def balanced_order(costs: Sequence[float], threads: int) -> np.ndarray:
    """An order of the runs whose contiguous shares (as ``prange`` cuts them) cost about
    the same: the costliest run goes to the share that is cheapest so far. ``costs`` are
    the runs' optimizers' ``step_cost``."""
    n = len(costs)
    threads = max(1, min(threads, n))
    sizes = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
    shares: list[list[int]] = [[] for _ in range(threads)]
    load = [0.0] * threads
    for r in sorted(range(n), key=lambda r: -costs[r]):
        open_shares = [s for s in range(threads) if len(shares[s]) < sizes[s]]
        s = min(open_shares, key=lambda s: load[s])
        shares[s].append(r)
        load[s] += costs[r]
    return np.array([r for share in shares for r in share], dtype=np.int64)


@dataclass(frozen=True)
class _Layout:
    """What a race's kernel call needs that depends only on which optimizers race, worked
    out once per line-up (these arrays are shared: never written)."""

    codes: np.ndarray
    n_state: np.ndarray
    scalar_state: np.ndarray
    order: np.ndarray
    state_rows: int  # the most vector-state rows of any of them


@lru_cache(maxsize=256)
def _layout(optimizer_ids: tuple[str, ...], threads: int) -> _Layout:
    optimizers = [get_optimizer(i) for i in optimizer_ids]
    codes = [o.code for o in optimizers]
    return _Layout(np.array(codes, dtype=np.int64),
                   np.array([len(o.state) for o in optimizers], dtype=np.int64),
                   _padded([o.scalar_state for o in optimizers]),
                   balanced_order([o.step_cost for o in optimizers], threads),
                   max(len(o.state) for o in optimizers))


def _padded(rows: Sequence[Sequence[float]]) -> np.ndarray:
    """Rows of different lengths as one zero-padded (n, max length) array (built from one
    flat list: numpy converts that several times faster than a list of lists)."""
    width = max(max(len(r) for r in rows), 1)
    flat: list[float] = []
    for row in rows:
        flat += row
        flat += [0.0] * (width - len(row))
    return np.array(flat, dtype=np.float64).reshape(len(rows), width)


class RaceSession:
    """The carry of every run of a race, advanced segment by segment by the kernel.

    All runs live in stacked arrays (run first) and one kernel call advances them together:
    one dispatch per segment whatever the number of runs.
    """

    def __init__(self, obj: Objective, runs: list[Run], starts: np.ndarray, steps: int, *,
                 record: bool = True, record_state: bool = False,
                 tol: float = 1e-6, gtol: float = 1e-6, bound: float | None = None):
        if not 1 <= steps <= 10_000_000:
            raise EngineError(f"steps must be between 1 and 10,000,000, got {steps}",
                              field="steps", key="error.steps_range",
                              params={"high": "10,000,000", "value": steps})
        if not runs:
            raise EngineError("a race needs at least one optimizer", field="optimizers",
                              key="error.no_optimizer")
        for i, r in enumerate(runs):
            if r.optimizer.needs_loss and obj.f_star is None:
                raise keyed("error.needs_f_star", "{name} aims each step at the surface's "
                            "smallest value f*, which this surface does not know: pick a "
                            "catalogue surface with a known minimum",
                            field=f"optimizers.{i}", name=r.optimizer.name)
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
        n_runs, n = len(runs), starts.shape[0]
        self.lrs = np.empty((n_runs, steps))
        # One broadcast fills every constant rate; only the other schedules are computed.
        self.lrs[:] = np.array([r.hyperparameters["lr"] for r in runs])[:, None]
        for i, r in enumerate(runs):
            if r.schedule != "constant" or r.schedule_params.get("warmup"):
                r.fill_learning_rates(self.lrs[i])
        if n_runs > MANY_RUNS and len({(r.optimizer.id, r.gradient.scaled((1.0, 1.0)),
                                        r.lookahead, r.momentum_schedule)
                                       for r in runs}) == 1:
            self._one_optimizer_many_settings(runs)
        else:
            layout = _layout(tuple([r.optimizer.id for r in runs]), numba.get_num_threads())
            self.codes, self.n_state, self.order = layout.codes, layout.n_state, layout.order
            self.H = _padded([r.optimizer.kernel_values(r.hyperparameters) for r in runs])
            gradients = [r.gradient for r in runs]
            clips = [g.clip for g in gradients]
            # Rows of one array each are contiguous, as the kernel's signature has them.
            self.clip_kind, self.seed = np.array(
                [[c[0] for c in clips], [g.seed for g in gradients]], dtype=np.int64)
            self.clip_value, self.noise_std = np.array(
                [[c[1] for c in clips], [g.noise_std for g in gradients]], dtype=np.float64)
            self.scale = np.array([g.scale for g in gradients], dtype=np.float64)
            self.state_rows, self.scalar_state = layout.state_rows, layout.scalar_state
            if any(r.lookahead for r in runs):  # one more state row: the fast point
                self.n_state = np.array([len(r.state) for r in runs], dtype=np.int64)
                self.state_rows = int(self.n_state.max())
        self.wrap_k = np.array([r.wrap[0] for r in runs], dtype=np.int64)
        self.wrap_alpha = np.array([r.wrap[1] for r in runs], dtype=np.float64)
        self.mu_tau, self.mu_index = np.array([r.mu_schedule for r in runs],
                                              dtype=np.int64).reshape(-1, 2).T.copy()
        self.X, self.G = np.empty((n_runs, n, 2)), np.empty((n_runs, n, 2))
        self.F = np.empty((n_runs, n))
        self.conv = np.empty((n_runs, n), dtype=np.int64)
        self.div = np.empty((n_runs, n), dtype=np.int64)
        fill_start(*obj.kernel_args, starts, *self._judging, self.X, self.F, self.G, self.conv,
                   self.div)
        self.S = np.zeros((n_runs, self.state_rows, n, 2))
        self.SC = self.scalar_state.copy()
        self._first: dict[str, np.ndarray] | None = None

    def _one_optimizer_many_settings(self, runs: list[Run]) -> None:
        """The per-run arrays of many runs of one optimizer with one gradient treatment but
        for its scale per coordinate (a hyperparameter map), built column by column rather
        than run by run; equal step costs need no balancing."""
        n_runs, opt, gradient = len(runs), runs[0].optimizer, runs[0].gradient
        self.codes = np.full(n_runs, opt.code, dtype=np.int64)
        self.n_state = np.full(n_runs, len(runs[0].state), dtype=np.int64)
        self.order = np.arange(n_runs, dtype=np.int64)
        h = opt.kernel_matrix([r.hyperparameters for r in runs])
        self.H = h if h.shape[1] else np.zeros((n_runs, 1))
        kind, value = gradient.clip
        self.clip_kind, self.seed = np.array([[kind] * n_runs, [gradient.seed] * n_runs],
                                             dtype=np.int64)
        self.clip_value, self.noise_std = np.array(
            [[value] * n_runs, [gradient.noise_std] * n_runs], dtype=np.float64)
        self.scale = np.array([r.gradient.scale for r in runs], dtype=np.float64)
        self.state_rows = len(runs[0].state)
        self.scalar_state = np.tile(_padded([opt.scalar_state]), (n_runs, 1))

    @property
    def _judging(self) -> tuple[float, bool, float, float, float]:
        """What the kernels need to judge convergence and divergence."""
        f_star = self.objective.f_star
        return (0.0 if f_star is None else f_star, f_star is not None, self.tol, self.gtol,
                self.bound)

    @property
    def first_frame(self) -> dict[str, np.ndarray]:
        """Frame 0 of every run: (O, P, …) arrays of position, loss, gradient (and state)."""
        if self._first is None:
            if self.t:
                raise EngineError("frame 0 is gone: it was not kept before the race advanced")
            self._first = self._frame()
        return self._first

    @property
    def done(self) -> bool:
        return self.t >= self.steps

    def _frame(self) -> dict[str, np.ndarray]:
        """The current frame of every run, copied."""
        frame = {"positions": self.X.copy(), "loss": self.F.copy(),
                 # as the kernel computes it, so streamed and whole races agree to the bit
                 "grad_norm": np.sqrt(self.G[..., 0] ** 2 + self.G[..., 1] ** 2),
                 "grad": self.G.copy()}
        if self.record_state:
            frame["state"] = [np.moveaxis(self.S[i, :k], 0, 1).copy()
                              for i, k in enumerate(self.n_state)]
        return frame

    def _records(self, frames: int) -> dict[str, np.ndarray]:
        """Uninitialised record arrays of ``frames`` frames for every run (empty unless
        recording)."""
        n_runs, n = self.X.shape[:2]
        rec_n, rec_k = (n, frames) if self.record else (0, 0)
        k_max = self.S.shape[1]
        return {"positions": np.empty((n_runs, rec_n, rec_k, 2)),
                "loss": np.empty((n_runs, rec_n, rec_k)),
                "grad_norm": np.empty((n_runs, rec_n, rec_k)),
                "grad": np.empty((n_runs, rec_n, rec_k, 2)),
                "state": np.empty((n_runs, n, frames, k_max, 2) if self.record_state
                                  else (n_runs, 0, 0, k_max, 2))}

    def _run(self, k: int, rec: dict[str, np.ndarray], rec_base: int) -> None:
        """Advance every run k steps, writing step s's frame at index ``rec_base + s``."""
        with threads_for(self.X.shape[0] * self.X.shape[1] * k):
            self._advance(k, rec, rec_base)
        self.t += k

    def _advance(self, k: int, rec: dict[str, np.ndarray], rec_base: int) -> None:
        advance(*self.objective.kernel_args, self.codes, self.n_state, self.H,
                np.ascontiguousarray(self.lrs[:, self.t:self.t + k]), self.t, self.order,
                self.clip_kind, self.clip_value, self.noise_std, self.seed, self.scale,
                self.wrap_k, self.wrap_alpha, self.mu_tau, self.mu_index, *self._judging,
                self.X, self.F, self.G, self.S, self.SC, self.conv, self.div,
                rec["positions"], rec["loss"], rec["grad_norm"], rec["grad"], rec["state"],
                rec_base, self.record, self.record_state)

    def _state_views(self, rec_state: np.ndarray) -> list[np.ndarray | None]:
        return [rec_state[i, :, :, :k] if self.record_state else None
                for i, k in enumerate(self.n_state)]

    def advance(self, k: int) -> Segment:
        """Run up to k more steps of every run and return what they recorded."""
        k = min(k, self.steps - self.t)
        if k <= 0:
            raise EngineError("the race has already run all its steps")
        t0 = self.t
        if t0 == 0:
            self.first_frame  # noqa: B018 - keep frame 0 before the carry moves on
        rec = self._records(k)
        self._run(k, rec, 0)
        return Segment(
            t0=t0, positions=rec["positions"], loss=rec["loss"], grad_norm=rec["grad_norm"],
            grad=rec["grad"], lr=self.lrs[:, t0:t0 + k], state=self._state_views(rec["state"]),
            converged_at=self.conv.copy(), diverged_at=self.div.copy())

    def finish(self) -> RaceResult:
        """Run every remaining step of a race not yet advanced, writing the records in place
        (frame 0 included), and return the whole result."""
        if self.t:
            raise EngineError("finish() runs a race from its start; use advance() to go on")
        rec = self._records(self.steps + 1)
        self._run(self.steps, rec, 1)
        result = self._final(copy=False)
        if self.record:
            for key in ("positions", "loss", "grad_norm", "grad"):
                setattr(result, key, rec[key])
        if self.record_state:
            result.state = [{v.name: states[:, :, j] for j, v in enumerate(run.state)}
                            for run, states in zip(self.runs, self._state_views(rec["state"]),
                                                   strict=True)]
        return result

    def segments(self, k: int) -> Iterator[Segment]:
        while not self.done:
            yield self.advance(k)

    def _final(self, copy: bool) -> RaceResult:
        """The result without per-frame records; ``copy=False`` hands over the carry itself,
        for a race that will not advance again."""
        own = np.copy if copy else np.asarray
        return RaceResult(
            objective=self.objective, runs=self.runs, starts=self.starts, steps=self.t,
            tol=self.tol, lr=self.lrs[:, :self.t], final_positions=own(self.X),
            final_loss=own(self.F), converged_at=own(self.conv), diverged_at=own(self.div))

    def result(self, segments: Iterable[Segment] = ()) -> RaceResult:
        """The race so far, with its final points and statuses; pass the segments (every one
        since the start) to have the per-frame records joined to frame 0."""
        result = self._final(copy=True)
        segments = list(segments)
        if not segments:
            return result
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
                                     for j, v in enumerate(run.state)})
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
    if clip_norm is None and clip_value is None and noise_std == 0 and seed == 0:
        defaults = _EXACT_GRADIENT
    else:
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
    return session.finish()
