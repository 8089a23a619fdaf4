"""The API's request and response models: what ``/docs`` shows and what clients may send.

Requests are strict (no strings for numbers, no unknown keys, no NaN or Infinity) so that a
typo fails loudly instead of silently running the default. Responses are built as plain
dicts by ``server.translate`` and serialised with orjson; the models below document them and
let the schema tests check that the two agree.

Numbers in responses are ``null`` where the engine produced no finite value (the start of a
formula that is infinite there, or a squared gradient that overflowed): JSON has no NaN.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

Number = float | None


def _integral_float(value: object) -> object:
    """JSON has one number type: 447.0 is the integer 447 (JSON Schema says so too), and
    a client that formats every number as a float must not be refused for it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def integer(**bounds: int) -> Any:
    """An integer in a request: exact (no "10" strings, no 10.5), but 10.0 is 10. Bounds
    (ge, le, …) are set on the integer before the float conversion wraps it, so that the
    JSON Schema says ``minimum``/``maximum`` rather than pydantic's own keywords."""
    return Annotated[int, Field(**bounds), BeforeValidator(_integral_float)]


Integer = integer()
# Bounds go on the integer itself, not on "integer or null": pydantic would write them
# into the JSON Schema as unknown keywords, which no validator or client reads.
PositiveInteger = integer(ge=1)
FrameSteps = Annotated[PositiveInteger | None, Field(
    description="streams only: steps per frame line (default "
                      "DESCENTLAB_STREAM_FRAME_STEPS; raised so that a stream has at most "
                      "DESCENTLAB_STREAM_MAX_FRAMES lines)")]
Point = Annotated[list[float], Field(min_length=2, max_length=2, examples=[[-1.5, 2.0]])]
View = Annotated[list[float], Field(
    min_length=4, max_length=4, description="the box shown: xmin, xmax, ymin, ymax",
    examples=[[-3.0, 3.0, -3.0, 3.0]])]
Pair = list[Number]



# Seeds are integers a browser holds exactly (JavaScript's Number.MAX_SAFE_INTEGER, 2**53 − 1):
# a larger one would come back from a shared link as another seed — and a JSON Schema bound
# near 2**63 is itself read as a float, so validators disagree about the last integers.
MAX_SEED = 2**53 - 1
Seed = integer(ge=0, le=MAX_SEED)
GridPoints = integer(ge=2)

class Strict(BaseModel):
    """Requests: exact JSON types, finite numbers, no unknown keys."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


# --------------------------------------------------------------------------- requests


class SurfaceSpec(Strict):
    """A catalogue surface (``id`` and optional ``params``) or a typed ``expression``."""

    id: str | None = Field(None, max_length=64, description="a catalogue id: GET /surfaces",
                           examples=["rosenbrock"])
    params: dict[str, float] | None = Field(
        None, description="overrides of the surface's parameters", examples=[{"b": 100}])
    expression: str | None = Field(
        None, description="a formula in x and y, e.g. `x**2 + 10*y**2` (at most "
                          "DESCENTLAB_MAX_EXPRESSION_LENGTH characters)")
    view: View | None = Field(None, description="the box shown; also sets the divergence "
                                                "bound (ten times its extent)")

    @model_validator(mode="after")
    def _one_kind(self) -> SurfaceSpec:
        if (self.id is None) == (self.expression is None):
            raise ValueError("give a surface either an 'id' or an 'expression'")
        if self.expression is not None and self.params is not None:
            raise ValueError("'params' belong to catalogue surfaces, not to expressions")
        return self


class ScheduleSpec(BaseModel):
    """A learning-rate schedule: ``kind`` plus its parameters (GET /schedules)."""

    model_config = ConfigDict(strict=True, extra="allow", allow_inf_nan=False,
                              json_schema_extra={"examples": [
                                  {"kind": "cosine_restarts", "period": 200}]})
    __pydantic_extra__: dict[str, float] = Field(init=False)

    kind: str = Field("constant", max_length=64)


SyncPeriod = integer(ge=1, le=1000)
RisePeriod = integer(ge=1, le=100_000)


class LookaheadSpec(Strict):
    """Lookahead around the optimizer (Zhang et al. 2019): after every k steps of the
    optimizer (the fast point), the slow point moves a fraction α of the way to the fast one,
    which restarts there. The path drawn and judged is the slow point's."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"k": 5, "alpha": 0.5}]})

    k: SyncPeriod = Field(5, description="fast steps between two syncs")
    alpha: float = Field(0.5, ge=0.01, le=1.0, description="the slow point's step: the "
                                                           "fraction of the way to the fast "
                                                           "point")


class MomentumScheduleSpec(Strict):
    """μ rising from 0.5 to the run's momentum (Sutskever et al. 2013): 0.5 for the first
    tau steps, then 0.75, 5/6, 7/8, … For optimizers with a `momentum` hyperparameter."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"tau": 250}]})

    tau: RisePeriod = Field(250, description="steps between two rises of μ")


class OptimizerSpec(Strict):
    """One contestant. Gradient options given here override the race's ``gradient``."""

    id: str = Field(max_length=64, description="an optimizer id: GET /optimizers",
                    examples=["adam"])
    label: str | None = Field(None, max_length=80, description="legend text (default: name)")
    hyperparameters: dict[str, float] = Field(
        default_factory=dict, description="overrides of the defaults listed by "
                                          "GET /optimizers", examples=[{"lr": 0.05}])
    schedule: ScheduleSpec | None = None
    lookahead: LookaheadSpec | None = Field(None, description="wrap the optimizer in "
                                                              "Lookahead (absent: not)")
    momentum_schedule: MomentumScheduleSpec | None = Field(
        None, description="raise the momentum from 0.5 to its value (absent: constant μ)")
    clip_norm: float | None = Field(
        None, gt=0, description="absent: the race's value; null: no clipping by norm")
    clip_value: float | None = Field(
        None, gt=0, description="absent: the race's value; null: no clipping by value")
    noise_std: float | None = Field(None, ge=0, le=1e6,
                                    description="absent or null: the race's value")
    seed: Seed | None = Field(
        None, description="absent or null: the race's value")


class GradientProcessing(Strict):
    """How every optimizer's gradient is processed: noise, then clipping."""

    clip_norm: float | None = Field(None, gt=0, description="rescale gradients longer "
                                                            "than this")
    clip_value: float | None = Field(None, gt=0, description="clamp each component to "
                                                             "±this")
    noise_std: float = Field(0.0, ge=0, le=1e6, description="std of Gaussian noise added "
                                                            "to each component")


class GradientSpec(GradientProcessing):
    """How every optimizer's gradient is processed: seeded noise, then clipping."""

    seed: Seed = Field(0, description="seed of that noise")


class RecordSpec(Strict):
    """What to send back besides each run's outcome."""

    path: bool = Field(True, description="every frame (path, loss, gradient, lr); false "
                                         "returns only outcomes. Streams always send frames")
    state: bool = Field(False, description="the optimizer state and the inspector's derived "
                                           "values (bias-corrected moments, effective lr)")


class RaceRequest(Strict):
    """Optimizers racing over one surface from one or more start points."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "surface": {"id": "rosenbrock", "params": {"b": 100}},
        "start": [-1.5, 2.0], "steps": 1000,
        "optimizers": [
            {"id": "sgd", "hyperparameters": {"lr": 0.001}},
            {"id": "adam", "label": "Adam fast", "hyperparameters": {"lr": 0.05},
             "schedule": {"kind": "cosine_restarts", "period": 200}}],
        "gradient": {"clip_norm": None, "noise_std": 0.0, "seed": 0},
        "record": {"state": True}}]})

    surface: SurfaceSpec
    start: Point | None = Field(None, description="where every optimizer starts (default: "
                                                  "the surface's first suggested start)")
    starts: list[Point] | None = Field(
        None, min_length=1, description="several start points instead of `start` (at most "
                                        "DESCENTLAB_MAX_STARTS); runs are listed per "
                                        "optimizer, then per start")
    steps: PositiveInteger = Field(500, description="steps per run (at most DESCENTLAB_MAX_STEPS; "
                                              "optimizers × steps × starts at most "
                                              "DESCENTLAB_COMPUTE_BUDGET)")
    optimizers: list[OptimizerSpec] = Field(
        min_length=1, description="at most DESCENTLAB_MAX_OPTIMIZERS")
    gradient: GradientSpec = Field(default_factory=GradientSpec)
    record: RecordSpec = Field(default_factory=RecordSpec)
    frame_steps: FrameSteps = None

    @model_validator(mode="after")
    def _one_start_field(self) -> RaceRequest:
        if self.start is not None and self.starts is not None:
            raise ValueError("give 'start' or 'starts', not both")
        return self


class GradientCheckRequest(Strict):
    """The gradient at one point of a surface, against finite differences."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "surface": {"id": "rosenbrock"}, "point": [-1.5, 2.0]}]})

    surface: SurfaceSpec
    point: Point = Field(description="where to check the gradient")


# --------------------------------------------------------------------------- catalogue


class RangeEntry(BaseModel):
    """A tunable number with the range a slider may offer."""

    name: str
    default: float
    min: float
    max: float
    meaning: str
    symbol: str = Field(description="its letter in the equations, in LaTeX (empty if none)")


class HyperparameterEntry(RangeEntry):
    log: bool = Field(description="a log-scale slider suits it")


class StateEntry(BaseModel):
    name: str
    symbol: str
    meaning: str


class DerivedEntry(BaseModel):
    """A quantity the rule computes but does not keep, derived per frame for the inspector."""

    name: str = Field(description="its key in a run's `derived`")
    label: str
    meaning: str
    latex: str = Field(description="its symbol in the equations, in LaTeX (empty if none)")


class CriticalPointEntry(BaseModel):
    point: Pair
    value: Number
    kind: Literal["global_min", "local_min", "saddle", "local_max"]


class ViewEntry(BaseModel):
    x: Pair = Field(description="xmin, xmax")
    y: Pair = Field(description="ymin, ymax")


DataColumns = dict[str, list[float] | list[list[float]]]


class SurfaceEntry(BaseModel):
    """A built-in surface. Its first tag is its group: teaching, benchmark or network (a
    two-weight network: its parameters describe a dataset, shown in ``data``)."""

    id: str
    name: str
    latex: str
    formula: str
    tags: list[str]
    params: list[RangeEntry]
    view: ViewEntry
    starts: list[Pair]
    note: str
    critical_points: list[CriticalPointEntry] = Field(
        description="known minima, saddles and maxima; empty where there are none (logistic "
                    "regression on separable data has no minimum)")
    log_contours: bool
    references: list[str]
    axes: list[str] = Field(description="names of the two coordinates: x, y or a "
                                        "network's two weights")
    data: DataColumns | None = Field(None, description="networks only: the dataset at the "
                                                       "default parameters")
    suggested_lr: dict[str, float] = Field(
        description="per optimizer id, a learning rate that suits this surface from its "
                    "first start (derived from its curvature or the distance to travel, "
                    "checked by a race)")


class OptimizerEntry(BaseModel):
    id: str
    name: str
    summary: str
    hyperparameters: list[HyperparameterEntry]
    state: list[StateEntry]
    equations: list[str]
    derived: list[DerivedEntry]
    notes: str
    gradient_at: str
    needs_hessian: bool
    needs_surface: bool = Field(description="the step evaluates the surface away from x (a "
                                "line search, random trials): surfaces only")
    wrappable: bool = Field(description="Lookahead may wrap it: its step reads only the "
                                        "gradient")
    run_options: list[str] = Field(description="the run options (GET /run-options) a run of "
                                               "it may take")
    network_lr: float | None = Field(description="the learning rate a network race suggests; "
                                                 "null: surfaces only")
    step_cost: float = Field(description="time of one step relative to SGD's")
    stability_rule: str | None = Field(description="the largest stable learning rate on a "
                                                   "quadratic, where theory knows it")
    lr_rule: dict = Field(description="how surfaces derive this optimizer's suggested rate: "
                                      "basis (curvature, distance or fixed) and factor")
    color: str = Field(description="hex colour of this optimizer's paths and markers, the same "
                       "in every view (Okabe–Ito, colour-blind safe)")
    marker: str = Field(description="marker shape of this optimizer (circle, square, diamond, "
                        "triangle-up, triangle-down, triangle-left, triangle-right, hexagon, "
                        "pentagon); no two optimizers share both colour and marker")


class ScheduleEntry(BaseModel):
    id: str
    name: str
    latex: str
    note: str
    params: list[RangeEntry]


class RunOptionEntry(BaseModel):
    """An option of a run beside its hyperparameters (the request's field of that name)."""

    id: str = Field(description="the optimizer entry's field: `lookahead`, "
                                "`momentum_schedule`")
    name: str
    note: str
    equations: list[str] = Field(description="LaTeX")
    params: list[RangeEntry]


class ExpectEntry(BaseModel):
    """What a scenario promises about one run, by its label."""

    label: str
    status: str | None = None
    near: str | None = None
    lower_loss_than: str | None = None
    leaves_view: bool | None = Field(None, description="true: the run is meant to leave the "
                                                       "view (every other run stays inside it)")


class CompareEntry(BaseModel):
    """The one setting the B side of an A/B scenario changes."""

    name: str
    value: float


class LessonEntry(BaseModel):
    """What every lecture scenario has, whichever lab it opens."""

    id: str
    title: str
    topic: str
    chapter: str = Field(description="the lesson plan's chapter; the list is in its order")
    question: str = Field(description="to put to the class before running")
    notice: str = Field(description="what to point out afterwards")


class ScenarioEntry(LessonEntry):
    """A lecture scenario: post ``request`` to /races (or a stream) to run it."""

    focus: str = Field(description="the label of the run to follow")
    inset: int | None = Field(description="magnify the first this many steps in a corner")
    compare: CompareEntry | None = Field(
        description="open in A/B: beside this race, the same race with this one setting "
                    "changed (a surface parameter, clip_norm with 0 for off, or noise_std)")
    expect: list[ExpectEntry]
    panel: Literal["check"] | None = Field(
        description="the lesson continues in this panel: check, the gradient check")
    request: RaceRequest = Field(description="its surface's view is fitted to the paths")


class Limits(BaseModel):
    """The limits in force, so that a UI can size its sliders."""

    max_steps: int
    max_optimizers: int
    max_starts: int
    max_expression_length: int
    max_body_bytes: int
    max_grid_resolution: int
    compute_budget: int
    network_compute_budget: int = Field(
        description="largest weights × data points through the network in one network "
                    "race (training passes, statistics frames, landscape points)")
    stream_frame_steps: int
    stream_max_frames: int
    max_map_resolution: int
    map_budget: int = Field(description="largest cells × steps of one map")


# --------------------------------------------------------------------------- results


class ExpressionInfo(BaseModel):
    text: str = Field(description="as typed")
    plain: str = Field(description="normalised")
    latex: str


class SurfaceInfo(BaseModel):
    """The surface a race or grid was computed on, with its parameters resolved."""

    id: str | None = Field(description="null for an expression")
    name: str
    expression: ExpressionInfo | None
    params: dict[str, float]
    view: ViewEntry
    critical_points: list[CriticalPointEntry]
    f_star: Number = Field(description="the global minimum value, when known")
    log_contours: bool
    axes: list[str] = Field(description="names of the two coordinates")
    data: DataColumns | None = Field(None, description="networks only: the dataset at these "
                                                       "parameters")


class GridResponse(BaseModel):
    """Loss values on a regular grid: ``z[j][i]`` is the loss at ``(x[i], y[j])``."""

    surface: SurfaceInfo
    resolution: int
    x: list[float]
    y: list[float]
    z: list[list[Number]]
    z_range: Pair = Field(description="smallest and largest finite z")


class GradientCheckFields(BaseModel):
    """The analytic gradient beside forward and centred differences at every step size h
    (1 down to 1e-14, two per decade); ``forward[k][c]`` estimates coordinate c with
    h = ``steps[k]``. Errors are ‖a − n‖ / max(‖a‖, ‖n‖) over the checked coordinates;
    null where a probe's loss was not finite."""

    value: float = Field(description="the loss at the checked point")
    analytic: list[float] = Field(description="the gradient the optimizers use")
    steps: list[float]
    forward: list[list[Number]] = Field(description="(f(x + h·e) − f(x)) / h")
    centred: list[list[Number]] = Field(description="(f(x + h·e) − f(x − h·e)) / 2h")
    forward_error: list[Number]
    centred_error: list[Number]
    best: dict[Literal["forward", "centred"], int] = Field(
        description="index of the step with the smallest error (−1: none finite)")
    coordinate_errors: list[Number] = Field(
        description="per checked coordinate, |a − n| / max(|a|, |n|, rms(a)) of the "
                    "centred difference at its best step (rms: the typical size of the "
                    "checked derivatives, so that an exact zero against rounding reads as "
                    "agreement)")
    small_gradient: bool = Field(description="the gradient is so near zero here that "
                                             "relative errors only measure rounding")


class GradientCheckResponse(GradientCheckFields):
    point: list[float]
    coordinates: list[str] = Field(description="the names of the checked coordinates")


class GradientInfo(BaseModel):
    clip_norm: Number
    clip_value: Number
    noise_std: float
    seed: int


class StabilityInfo(BaseModel):
    """The largest stable learning rate at the start, from the local quadratic."""

    lr_limit: Number = Field(description="steps grow from the start above this rate")
    rule: str = Field(description="the limit's formula, e.g. 2/λ_max for gradient descent")


class RunInfo(BaseModel):
    """One contestant, resolved: defaults filled in and checked."""

    optimizer: str
    label: str
    start_index: int = Field(description="index into the race's `starts`")
    hyperparameters: dict[str, float]
    schedule: dict[str, str | float] = Field(description="`kind` and its parameters")
    gradient: GradientInfo
    lookahead: LookaheadSpec | None = Field(description="Lookahead's setting, null if the "
                                                        "optimizer is not wrapped")
    momentum_schedule: MomentumScheduleSpec | None = Field(
        description="the momentum schedule, null for a constant μ")
    stability: StabilityInfo | None = Field(
        description="gradient descent, heavy ball and Nesterov: the largest learning rate "
                    "that is stable on the quadratic with the Hessian at this run's start "
                    "(per-coordinate rates included); null for other optimizers or where "
                    "the curvature there is not positive")


class FinalInfo(BaseModel):
    point: Pair
    loss: Number
    near: CriticalPointEntry | None = Field(description="the known critical point it ended "
                                                        "beside, if any")


class OutcomeInfo(BaseModel):
    """converged: reached f* (or, without a known f*, a vanishing gradient); stalled: the
    gradient vanished elsewhere (a saddle, a local minimum, flat ground: see final.near)."""

    status: Literal["converged", "stalled", "diverged", "unfinished"]
    converged_at: int | None = Field(description="first step that met the tolerance")
    diverged_at: int | None = Field(description="step at which it left the bound or "
                                                "overflowed; it stays frozen after it")
    final: FinalInfo


class Frames(BaseModel):
    """Per-frame arrays. Frame t is the state after t steps; ``lr[t]`` is the rate step t
    used (null at frame 0); ``grad[t]`` the processed gradient step t used (frame 0: the
    raw gradient at the start)."""

    path: list[Pair] | None = None
    loss: list[Number] | None = None
    grad_norm: list[Number] | None = None
    lr: list[Number] | None = None
    grad: list[Pair] | None = None
    state: dict[str, list[Pair]] | None = Field(
        None, description="the optimizer's state vectors (GET /optimizers), when recorded")
    derived: dict[str, list[Pair] | list[Number]] | None = Field(
        None, description="bias-corrected moments, bias corrections and effective lr, when "
                          "state is recorded")


class RunResult(RunInfo, OutcomeInfo, Frames):
    """A run: its settings, its outcome and (unless ``record.path`` is false) its frames."""


class RaceResponse(BaseModel):
    surface: SurfaceInfo
    steps: int
    starts: list[Pair]
    lambda_max: list[Number] = Field(description="per start: the largest eigenvalue of the "
                                                 "Hessian there (null where not finite)")
    record: RecordSpec
    runs: list[RunResult]


class StreamMeta(BaseModel):
    """First line of a stream."""

    type: Literal["meta"]
    surface: SurfaceInfo
    steps: int
    starts: list[Pair]
    lambda_max: list[Number] = Field(description="per start: the largest eigenvalue of the "
                                                 "Hessian there (null where not finite)")
    frame_steps: int = Field(description="steps per frame line, after the frame-count cap")
    frames: int = Field(description="number of frame lines that will follow")
    record: RecordSpec
    runs: list[RunInfo]


class FrameRun(Frames):
    converged_at: int | None
    diverged_at: int | None


class StreamFrame(BaseModel):
    """Frames ``first`` … ``last`` of every run (the first line starts at frame 0)."""

    type: Literal["frame"]
    first: int
    last: int
    runs: list[FrameRun]


class StreamSummary(BaseModel):
    """Last line of a stream that ran to the end."""

    type: Literal["summary"]
    steps: int
    runs: list[OutcomeInfo]


class ErrorItem(BaseModel):
    """One problem, placed like FastAPI's validation errors so a UI can show it by its field."""

    loc: list[str | int] = Field(description="where: ['body', 'optimizers', 1, "
                                             "'hyperparameters', 'lr']")
    msg: str
    type: str = Field(description="value_error, limit_exceeded, json_invalid, not_found, …")
    column: int | None = Field(None, description="1-based column in an expression")
    limit: int | None = Field(None, description="the limit exceeded")
    setting: str | None = Field(None, description="the variable that sets it")


class ErrorResponse(BaseModel):
    detail: list[ErrorItem]


# The refusals every computing route documents: too large, invalid, busy.
COMPUTE_ERRORS: dict[int | str, dict] = {status: {"model": ErrorResponse}
                                         for status in (413, 422, 503)}


class StreamError(BaseModel):
    """Last line of a stream that failed midway."""

    type: Literal["error"]
    detail: list[ErrorItem]


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    """The server only accepts connections once warm, so an answer means ready."""

    status: Literal["ready"]
    heavy_slots: int = Field(description="computations allowed at once")
    heavy_busy: int = Field(description="computations running now")
    warmup_seconds: float


