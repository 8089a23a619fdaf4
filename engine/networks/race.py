"""Network races: optimizers training the same small network from the same initialisation.

``network_race(...)`` is the notebook API; ``network_session(...)`` returns the same race
unstarted, to be advanced a segment at a time (a stream). Each optimizer keeps its own
hyperparameters, schedule and gradient options (``engine.make_run`` resolves them exactly
as for the 2-D race); all of them share the dataset, the initial weights, the mini-batch
sequence and the gradient-noise draws, so the race compares optimizers and not luck. Runs
are independent and go to threads; every number is reproducible byte for byte from the
seeds, however the race is cut into segments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from descentlab.engine.errors import EngineError, keyed
from descentlab.engine.networks.architecture import Architecture
from descentlab.engine.networks.cost import recorded_values
from descentlab.engine.networks.holdout import EarlyStopping, ValidationCurve, split
from descentlab.engine.networks.mlp import loss_and_gradient
from descentlab.engine.networks.preprocessing import standardiser
from descentlab.engine.networks.statistics import (
    NO_STATISTICS,
    StatisticsOptions,
    StatisticsRecord,
)
from descentlab.engine.networks.threads import run_all
from descentlab.engine.networks.toy_data import Dataset, dataset_from_spec
from descentlab.engine.networks.train_kernel import norm, train
from descentlab.engine.networks.workspace import Workspace
from descentlab.engine.optimizers.catalog import DEFAULT_LINEUP
from descentlab.engine.race import GradientOptions, Run, RunLike, make_run

MAX_STEPS = 100_000
MAX_RECORDED_VALUES = 25_000_000


@dataclass
class NetworkRaceResult:
    """Everything a network race produced; index t of a per-frame array is the frame after
    t steps (0 = the shared initialisation).

    ``weights`` (O, T+1, P) every run's flat weight vector; ``loss``/``accuracy``
    (O, T+1) on the full training set; ``grad_norm`` (O, T+1) the norm of the full-batch
    gradient at those weights; ``grad`` (O, T+1, P) the gradient step t actually used
    (mini-batch, at the look-ahead point for the Nesterov family, noised and clipped; index
    0 holds the full-batch gradient at the initialisation; (O, 0, P) for a race that did
    not record them, as the server's: ``record_gradients=False``); ``lr`` (O, T) the learning rate
    of each step; ``diverged_at`` (O,) the step that went non-finite, or −1.

    Held-out data: ``dataset`` is the training part, ``validation`` the held-out part (or
    None); ``val_loss``/``val_accuracy`` (O, T+1) on it (None without one); ``best_step``
    (O,) the frame of lowest validation loss, ``patience_out`` (O,) the frame where
    ``early_stopping``'s patience ran out, or −1 (and, if it stops runs, every later frame
    holds the best step's weights and numbers).

    ``statistics``: per-layer statistics and activation histograms at the frames its
    options chose (None unless asked for).

    ``running`` (O, T+1, 2, U): with batch normalization, each frame's running mean and
    variance at every unit row (``engine.networks.batchnorm``), what evaluation — the
    validation numbers and the decision boundary — normalises with; U = 0 without it.
    """

    dataset: Dataset
    architecture: Architecture
    runs: list[Run]
    steps: int
    batch_size: int | None
    seed: int
    init_seed: int
    init: np.ndarray
    weights: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    grad_norm: np.ndarray
    grad: np.ndarray
    lr: np.ndarray
    diverged_at: np.ndarray
    validation: Dataset | None = None
    early_stopping: EarlyStopping | None = None
    val_loss: np.ndarray | None = None
    val_accuracy: np.ndarray | None = None
    best_step: np.ndarray | None = None
    patience_out: np.ndarray | None = None
    statistics: StatisticsRecord | None = None
    running: np.ndarray | None = None

    @property
    def gap(self) -> np.ndarray | None:
        """The generalisation gap per frame: validation loss minus training loss."""
        return None if self.val_loss is None else self.val_loss - self.loss

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self.runs]

    def run_index(self, run: int | str) -> int:
        """A run by position or by label."""
        if isinstance(run, str):
            if run not in self.labels:
                raise keyed("network.no_run_label", "no run labelled '{run}' (runs: {runs})",
                            field="run", run=run, runs=", ".join(self.labels))
            return self.labels.index(run)
        if not -len(self.runs) <= int(run) < len(self.runs):
            raise keyed("network.run_range", "run must be below {high}, got {got}", field="run",
                        high=len(self.runs), got=run)
        return int(run) % len(self.runs)

    def frame_index(self, frame: int) -> int:
        if not -(self.steps + 1) <= int(frame) <= self.steps:
            raise keyed("network.frame_range", "frame must lie in [0, {high}], got {got}",
                        field="frame", high=self.steps, got=frame)
        return int(frame) % (self.steps + 1)

    def to_dict(self, include_weights: bool = False) -> dict:
        """Per-frame curves as lists; the weights (the bulk) only on request."""
        out = {
            "dataset": self.dataset.to_dict(), "architecture": self.architecture.to_dict(),
            "runs": [r.to_dict() for r in self.runs], "steps": self.steps,
            "batch_size": self.batch_size, "seed": self.seed, "init_seed": self.init_seed,
            "loss": self.loss.tolist(), "accuracy": self.accuracy.tolist(),
            "grad_norm": self.grad_norm.tolist(), "lr": self.lr.tolist(),
            "diverged_at": self.diverged_at.tolist(),
        }
        if self.validation is not None:
            out.update(validation=self.validation.to_dict(), val_loss=self.val_loss.tolist(),
                       val_accuracy=self.val_accuracy.tolist(),
                       best_step=self.best_step.tolist(),
                       patience_out=self.patience_out.tolist())
        if include_weights:
            out["weights"] = self.weights.tolist()
        return out


def _batch(batch_size: int | None, n: int) -> int | None:
    """None (full batch) or a batch size in [1, n); n or more also means full batch."""
    if batch_size is None:
        return None
    b = int(batch_size)
    if b < 1:
        raise keyed("network.batch_size_range", "batch_size must be at least 1, got {got}",
                    field="batch_size", got=batch_size)
    return None if b >= n else b


def full_batch_pass(arch: Architecture, data: Dataset,
                    weights: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Full-batch loss, accuracy and gradient in training mode (the first frame every run
    starts from, and what a gradient check holds against), and that pass's batch mean and
    variance per unit (batch normalization's; (2, 0) without)."""
    grad = np.zeros(arch.n_params)
    ws = Workspace.create(arch, data.n)
    loss, correct = loss_and_gradient(weights, arch.layout(), arch.activation_code,
                                      arch.norm_layout(), data.columns, data.y,
                                      np.arange(data.n), data.n, *ws.arrays, grad,
                                      np.empty((0, 0)), 0.0)
    units = arch.running_start().shape[1]
    return loss, correct / data.n, grad, ws.B[:2, :units].copy()


def _resolve_runs(optimizers: Sequence[RunLike], defaults: GradientOptions) -> list[Run]:
    if not optimizers:
        raise keyed("error.no_optimizer", "a race needs at least one optimizer",
                    field="optimizers")
    runs = []
    for i, spec in enumerate(optimizers):
        try:
            run = make_run(spec, defaults)
        except EngineError as err:
            raise err.at(f"optimizers.{i}") from None
        if run.optimizer.network_lr is None:
            raise keyed("network.surfaces_only", "{optimizer} works on the 2-D surfaces only, "
                        "not in network races", field=f"optimizers.{i}",
                        optimizer=run.optimizer.name)
        runs.append(run)
    return runs


@dataclass
class _Carry:
    """Everything the training kernel needs to continue one run where it stopped."""

    theta: np.ndarray
    state: np.ndarray
    scalars: np.ndarray
    loss_accuracy: np.ndarray
    g_full: np.ndarray
    diverged_at: np.ndarray
    perm: np.ndarray
    perm_epoch: np.ndarray
    running: np.ndarray
    full_stats: np.ndarray


class NetworkRaceSession:
    """A network race advanced a segment at a time, as a stream needs: the records of all
    ``steps`` are allocated up front and filled as the runs advance; any cut into segments
    gives the same bytes as one call (the carry holds the whole state of each run)."""

    def __init__(self, data: Dataset, arch: Architecture, runs: list[Run], steps: int,
                 batch: int | None, seed: int, init_seed: int,
                 validation: Dataset | None = None, early: EarlyStopping | None = None,
                 statistics: StatisticsOptions | None = None, record_gradients: bool = True,
                 max_recorded_values: int | None = MAX_RECORDED_VALUES):
        if not 1 <= steps <= MAX_STEPS:
            raise keyed("error.steps_range", "steps must be between 1 and {high}, got {value}",
                        field="steps", high=f"{MAX_STEPS:,}", value=steps)
        running = arch.running_start()
        recorded = recorded_values(len(runs), steps, arch.n_params, running.size,
                                   record_gradients)
        if max_recorded_values is not None and recorded > max_recorded_values:
            raise keyed("network.too_much_memory", "recording the weights of {runs} runs × "
                        "{steps} steps × {count} parameters would not fit in memory",
                        field="steps", runs=len(runs), steps=steps, count=arch.n_params)
        self.data, self.arch, self.runs, self.steps = data, arch, runs, steps
        self.batch, self.seed, self.init_seed = batch, seed, init_seed
        if early is not None and validation is None:
            raise keyed("network.early_needs_validation", "early stopping watches the "
                        "validation loss: hold some data out (validation fraction above 0)",
                        field="early_stopping")
        self.validation, self.early = validation, early
        if arch.batch_norm and (batch or data.n) < 2:
            raise keyed("network.batch_norm_batch", "batch normalization needs at least 2 "
                        "points in a batch (one point has no variance)", field="batch_size")
        self.t = 0
        n_runs, n_params = len(runs), arch.n_params
        init = self.init = arch.init_weights(init_seed)
        f0, acc0, g0, stats0 = full_batch_pass(arch, data, init)
        self.weights = np.empty((n_runs, steps + 1, n_params))
        # (O, 0, P) when not recorded: the kernel then skips the record, and the race
        # touches half the memory. Fresh pages cost a fault each: one run of 500 steps of a
        # 10 × 64 net took 1.27 s, and 0.54 s with its records touched beforehand (measured)
        self.grad = np.empty((n_runs, steps + 1 if record_gradients else 0, n_params))
        self.loss, self.accuracy, self.grad_norm = (np.empty((n_runs, steps + 1))
                                                    for _ in range(3))
        self.running = np.empty((n_runs, steps + 1, *running.shape))
        self.weights[:, 0], self.running[:, 0] = init, running
        if record_gradients:
            self.grad[:, 0] = g0
        self.loss[:, 0], self.accuracy[:, 0] = f0, acc0
        # The kernel's own norm, as for every later frame: np.linalg.norm goes through
        # BLAS, whose kernels (SkylakeX, Haswell, …) round differently.
        self.grad_norm[:, 0] = norm(g0)
        self.lr = np.stack([r.learning_rates(steps) for r in runs])
        # A start that is already non-finite is frozen from frame 0, as the 2-D race does.
        start = -1 if np.isfinite(f0) and np.all(np.isfinite(g0)) else 0
        self.carry = [
            _Carry(init.copy(), np.zeros((len(r.state), n_params)),
                   np.array(r.optimizer.scalar_state, dtype=np.float64),
                   np.array([f0, acc0]), g0.copy(), np.array([start]),
                   np.zeros(data.n, dtype=np.int64), np.array([-1]), running.copy(),
                   stats0.copy())
            for r in runs]
        self.curves = [] if validation is None else [
            ValidationCurve(arch, validation, steps + 1) for _ in runs]
        for curve in self.curves:
            curve.evaluate(init[None], self.running[0, :1], range(1))
            curve.watch(range(1), self.patience, self.stops)
        self.statistics = None if statistics is None else StatisticsRecord(
            arch, data, n_runs, steps, statistics)
        if self.statistics is not None:  # one pass: every run starts from init
            self.statistics.record(0, init[None], 0, 0)
            for o in range(1, n_runs):
                self.statistics.copy_initial(o, 0)

    @property
    def patience(self) -> int | None:
        return None if self.early is None else int(self.early.patience)

    @property
    def stops(self) -> bool:
        """Early stopping ends runs (rather than only reporting where it would)."""
        return self.early is not None and self.early.stop

    def _stopped(self, o: int) -> bool:
        """Run o has been stopped early (it trains no more)."""
        return self.stops and self.curves[o].patience_out >= 0

    def _keep_best(self, o: int, frames: slice) -> None:
        """Frames ``frames`` of a stopped run hold its best step: weights and numbers."""
        curve = self.curves[o]
        b = curve.best
        for record in (self.weights, self.loss, self.accuracy, self.grad_norm, self.running):
            record[o, frames] = record[o, b]
        self.grad[o, frames] = 0.0  # (nothing when gradients are not recorded)
        curve.loss[frames], curve.accuracy[frames] = curve.loss[b], curve.accuracy[b]
        if self.statistics is not None:
            self.statistics.forget(o, frames.start, frames.stop - 1)

    def _track(self, o: int, t0: int, k: int) -> None:
        """Validation numbers of run o's new frames t0 + 1 … t0 + k, and early stopping."""
        frames = range(t0 + 1, t0 + k + 1)
        if not self._stopped(o):
            curve = self.curves[o]
            curve.evaluate(self.weights[o, t0 + 1:t0 + k + 1],
                           self.running[o, t0 + 1:t0 + k + 1], frames)
            curve.watch(frames, self.patience, self.stops)
        if self._stopped(o):
            first = max(t0 + 1, self.curves[o].patience_out + 1)
            self._keep_best(o, slice(first, t0 + k + 1))

    @property
    def done(self) -> bool:
        return self.t >= self.steps

    def advance(self, k: int) -> tuple[int, int]:
        """Run up to k more steps of every run; returns the new frames' range [t0 + 1, t]."""
        k = min(int(k), self.steps - self.t)
        if k <= 0:
            raise keyed("network.race_finished", "the race has already run all its steps")
        t0 = self.t

        def task(o: int):
            run, c = self.runs[o], self.carry[o]
            clip_kind, clip_at = run.gradient.clip

            def call() -> None:
                if not self._stopped(o):
                    self._train(o, run, c, t0, k, clip_kind, clip_at)
                if self.curves:
                    self._track(o, t0, k)
                if self.statistics is not None:
                    self.statistics.record(o, self.weights[o, t0 + 1:t0 + k + 1], t0 + 1,
                                           t0 + k)
            return call

        run_all([task(o) for o in range(len(self.runs))])
        self.t = t0 + k
        return t0 + 1, self.t

    def _train(self, o: int, run: Run, c: _Carry, t0: int, k: int, clip_kind: int,
               clip_at: float) -> None:
        """k compiled training steps of run o from its carry, into its records."""
        frames = slice(t0 + 1, t0 + k + 1)
        data, arch = self.data, self.arch
        train(c.theta, c.state, c.scalars, c.loss_accuracy, c.g_full, c.diverged_at,
              c.perm, c.perm_epoch,
              run.optimizer.code, run.optimizer.kernel_vector(run.hyperparameters),
              self.lr[o, t0:t0 + k], t0, *run.wrap, *run.mu_schedule, arch.layout(),
              arch.activation_code, arch.norm_layout(), data.columns, data.y,
              self.batch or data.n, self.seed,
              clip_kind, clip_at, run.gradient.noise_std, run.gradient.seed,
              arch.dropout, np.ones((arch.units, data.n)), c.running, c.full_stats,
              *Workspace.create(arch, data.n).arrays,
              self.weights[o, frames], self.loss[o, frames],
              self.accuracy[o, frames], self.grad_norm[o, frames],
              self.grad[o, frames], self.running[o, frames],
              *(NO_STATISTICS if self.statistics is None
                else self.statistics.kernel_arrays(o)))

    def result(self) -> NetworkRaceResult:
        """The race so far (frames 0 … t), as arrays that share the session's records."""
        end = self.t + 1
        return NetworkRaceResult(
            self.data, self.arch, self.runs, self.t, self.batch, self.seed, self.init_seed,
            self.init, self.weights[:, :end],
            self.loss[:, :end], self.accuracy[:, :end], self.grad_norm[:, :end],
            self.grad[:, :end], self.lr[:, :self.t],
            np.array([c.diverged_at[0] for c in self.carry], dtype=np.int64),
            statistics=self.statistics, running=self.running[:, :end],
            **self._held_out(end))

    def _held_out(self, end: int) -> dict:
        """The validation fields of the result (none without a validation set)."""
        if not self.curves:
            return {}
        return {"validation": self.validation, "early_stopping": self.early,
                "val_loss": np.stack([c.loss[:end] for c in self.curves]),
                "val_accuracy": np.stack([c.accuracy[:end] for c in self.curves]),
                "best_step": np.array([c.best for c in self.curves], dtype=np.int64),
                "patience_out": np.array([c.patience_out for c in self.curves],
                                         dtype=np.int64)}


def network_session(dataset: Dataset | str | Mapping = "moons",
                    architecture: Architecture | Mapping | None = None,
                    optimizers: Sequence[RunLike] = DEFAULT_LINEUP, steps: int = 500, *,
                    batch_size: int | None = None, seed: int = 0, init_seed: int = 0,
                    clip_norm: float | None = None, clip_value: float | None = None,
                    noise_std: float = 0.0, validation: float = 0.0, split_seed: int = 0,
                    early_stopping: EarlyStopping | Mapping | None = None,
                    statistics: StatisticsOptions | Mapping | None = None,
                    record_gradients: bool = True,
                    max_recorded_values: int | None = MAX_RECORDED_VALUES) -> NetworkRaceSession:
    """A race ready to advance segment by segment; arguments as :func:`network_race`."""
    data = dataset_from_spec(dataset)
    arch = Architecture.from_spec(architecture if architecture is not None else Architecture())
    if not 0 <= int(seed) < 2**63 or not 0 <= int(init_seed) < 2**63:
        raise keyed("network.seeds", "seeds must be non-negative integers below 2**63",
                    field="seed")
    defaults = GradientOptions(clip_norm, clip_value, float(noise_std), int(seed)).check()
    train_part, held_out = split(data, float(validation), int(split_seed))
    if train_part.standardising:
        # the training points' statistics, applied to the held-out ones too
        mean, std = standardiser(train_part.X)
        train_part = train_part.standardised(mean, std)
        held_out = None if held_out is None else held_out.standardised(mean, std)
    if isinstance(early_stopping, Mapping):
        early_stopping = EarlyStopping(int(early_stopping.get("patience", 0)),
                                       bool(early_stopping.get("stop", False)))
    if isinstance(statistics, Mapping):
        statistics = StatisticsOptions(statistics.get("every"), int(statistics.get("bins", 20)))
    return NetworkRaceSession(train_part, arch, _resolve_runs(optimizers, defaults),
                              int(steps), _batch(batch_size, train_part.n), int(seed),
                              int(init_seed), held_out, early_stopping, statistics,
                              record_gradients, max_recorded_values)


def network_race(dataset: Dataset | str | Mapping = "moons",
                 architecture: Architecture | Mapping | None = None,
                 optimizers: Sequence[RunLike] = DEFAULT_LINEUP, steps: int = 500, *,
                 batch_size: int | None = None, seed: int = 0, init_seed: int = 0,
                 clip_norm: float | None = None, clip_value: float | None = None,
                 noise_std: float = 0.0, validation: float = 0.0, split_seed: int = 0,
                 early_stopping: EarlyStopping | Mapping | None = None,
                 statistics: StatisticsOptions | Mapping | None = None,
                 record_gradients: bool = True,
                 max_recorded_values: int | None = MAX_RECORDED_VALUES) -> NetworkRaceResult:
    """Train one network with several optimizers from the same initialisation.

    >>> r = network_race("moons", Architecture((16, 16)), ["sgd", ("adam", {"lr": 0.01})],
    ...                  steps=300, batch_size=32, seed=1)
    >>> r.weights.shape        # (optimizers, steps + 1, parameters)
    (2, 301, 337)

    ``batch_size``: None for full batch; ``seed`` draws the mini-batches and, unless a run
    overrides it, the gradient noise; ``init_seed`` draws the initial weights;
    ``clip_norm`` clips over the whole weight vector. Gradient options given here apply to
    every optimizer unless its mapping overrides them, as in ``engine.race``.

    ``validation``: the fraction of each class held out (drawn by ``split_seed``); the
    networks train on the rest and the validation loss and accuracy are recorded per frame.
    ``early_stopping``: ``EarlyStopping(patience, stop)`` or ``{"patience": 50,
    "stop": True}`` — marks each run's best validation step and where patience runs out,
    and with ``stop`` ends the run there, keeping its best weights.
    ``statistics``: ``StatisticsOptions(every, bins)`` or ``{"every": 10}`` — per-layer
    mean, std, saturated (or dead) fraction, gradient norm and activation histograms over
    the training points at frames 0, every, 2·every, … (``r.statistics``).
    ``record_gradients``: keep the gradient each step used (``r.grad``), as many numbers
    as the weights; without it a race holds half the memory. ``max_recorded_values``: the
    most numbers the race may record (every frame's weights, and gradients if kept) — about
    200 MB by default; None for no limit.
    """
    session = network_session(dataset, architecture, optimizers, steps,
                              batch_size=batch_size, seed=seed, init_seed=init_seed,
                              clip_norm=clip_norm, clip_value=clip_value, noise_std=noise_std,
                              validation=validation, split_seed=split_seed,
                              early_stopping=early_stopping, statistics=statistics,
                              record_gradients=record_gradients,
                              max_recorded_values=max_recorded_values)
    session.advance(session.steps)
    return session.result()
