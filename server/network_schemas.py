"""Request and response models of the network endpoints (``/api/v1/networks…``).

Optimizer entries (hyperparameters, schedule, per-run gradient options) are the 2-D race's
own models. The race-wide gradient options are the 2-D race's without its seed: a network
race has one ``seed`` for its mini-batches and its gradient noise. As in ``schemas``,
requests are strict, responses are built as plain dicts by ``network_translate`` and
documented here, and a number that is not finite is ``null``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from descentlab.engine.networks.architecture import MAX_DROPOUT, MAX_HIDDEN_LAYERS, MAX_WIDTH
from descentlab.engine.networks.holdout import MAX_VALIDATION
from descentlab.engine.networks.landscapes import MAX_RESOLUTION as MAX_LANDSCAPE
from descentlab.engine.networks.race import MAX_STEPS
from descentlab.engine.networks.statistics import (
    DEFAULT_COLUMNS,
    MAX_BINS,
    MAX_RECORDED_FRAMES,
    MIN_BINS,
)
from descentlab.server.schemas import (
    FrameSteps,
    GradientCheckFields,
    GradientInfo,
    GradientProcessing,
    GridPoints,
    Integer,
    LessonEntry,
    LookaheadSpec,
    MomentumScheduleSpec,
    Number,
    OptimizerSpec,
    Pair,
    PositiveInteger,
    RangeEntry,
    Seed,
    Strict,
    integer,
)

# Bounded so that every accepted number is an int64 (the race memo's key and the engine's
# seeds and counters are): 2**64 used to pass validation and fail in serialisation.
BatchSize = integer(ge=1, le=2**31 - 1)
Patience = integer(ge=1, le=MAX_STEPS)
Bins = integer(ge=MIN_BINS, le=MAX_BINS)

# --------------------------------------------------------------------------- requests


class NetworkDatasetSpec(Strict):
    """A generated two-class dataset on the plane (GET /networks: ``datasets``)."""

    id: str = Field("moons", max_length=64, examples=["moons"])
    params: dict[str, float] | None = Field(
        None, description="overrides of the dataset's parameters: n, noise, seed and its "
                          "own; shift, scale and stretch (the second input only) transform "
                          "the points; standardise 1 centres and scales each input by the "
                          "training points' mean and standard deviation",
        examples=[{"n": 256, "noise": 0.1, "seed": 0}, {"shift": 1000, "standardise": 1}])


class ArchitectureSpec(Strict):
    """2 inputs → hidden layers → 1 logit (GET /networks: ``architecture``)."""

    hidden: list[PositiveInteger] = Field(
        default_factory=lambda: [16, 16], max_length=MAX_HIDDEN_LAYERS,
        description=f"widths of the hidden layers, each at most {MAX_WIDTH}; [] is "
                    "logistic regression")
    activation: str = Field("tanh", max_length=32,
                            description="tanh, relu, sigmoid, leaky_relu or elu (the "
                                        "catalogue's activations)")
    init: str | None = Field(None, max_length=32,
                             description="a catalogue initialisation (GET /networks: inits); "
                                         "null or auto: the activation's own")
    init_scale: float = Field(0.01, gt=0, le=10, description="σ of the 'normal' "
                                                            "initialisation")
    bias: float = Field(0.0, ge=-10, le=10, description="every bias's initial value (e.g. "
                                                        "0.1 for ReLU)")
    dropout: float = Field(0.0, ge=0, le=MAX_DROPOUT,
                           description="p, the chance that a hidden unit is dropped in a "
                                       "training step (inverted dropout, masks seeded by "
                                       "seed; off at evaluation: every recorded number is "
                                       f"the plain network's); at most {MAX_DROPOUT:g}")
    batch_norm: bool = Field(False, description="batch normalization before every hidden "
                                                "activation, with a learned scale γ and shift "
                                                "β per unit (trained by the optimizer like the "
                                                "weights): training steps, the training loss "
                                                "and the layer statistics normalise with the "
                                                "batch's statistics, the validation numbers "
                                                "and the decision boundary with running "
                                                "averages (torch's momentum 0.1); needs "
                                                "batches of at least 2 points")


class ValidationSpec(Strict):
    """Held-out data: a share of each class the networks never train on."""

    fraction: float = Field(0.0, ge=0, le=MAX_VALIDATION,
                            description="share of each class held out for validation, at "
                                        f"most {MAX_VALIDATION:g}; 0: train on every point "
                                        "(no validation curves)", examples=[0.25])
    seed: Seed = Field(0, description="draws which points are held out")


class EarlyStoppingSpec(Strict):
    """Early stopping on the validation loss (needs validation.fraction > 0)."""

    patience: Patience = Field(description="steps without a lower validation loss "
                                                  "after which training stops",
                                      examples=[50])
    stop: bool = Field(False, description="true: the run stops there and keeps the weights "
                                          "of its best validation step (every later frame "
                                          "repeats that step); false: it trains on and the "
                                          "step is only reported")


class StatisticsSpec(Strict):
    """Per-layer statistics over the training points at every ``every``-th frame: a pass
    over all points each, so opt-in (measured: +24 % on a 6 × 500 race of a 2-16-16-1 net
    at the default 101 frames)."""

    every: PositiveInteger | None = Field(
        None, description=f"record frames 0, every, 2·every, …; null: about {DEFAULT_COLUMNS} "
                          f"frames over the race; at most {MAX_RECORDED_FRAMES} frames",
        examples=[5])
    bins: Bins = Field(20, description="histogram bins per layer: over [−1, 1] for tanh, "
                                       "[0, 1] for sigmoid, [0, max] for ReLU, [min, max] "
                                       "for Leaky ReLU and ELU")


class LandscapeSpec(Strict):
    """The plane through weight space on which the loss is drawn and the paths projected."""

    plane: str = Field("pca", max_length=32,
                       description="pca (centred at the initialisation, the paths' top two "
                                   "principal directions) or random (filter-normalised)")
    resolution: GridPoints = Field(41, description=f"points per axis (at most {MAX_LANDSCAPE})")
    span: float | Annotated[list[float], Field(min_length=4, max_length=4)] | None = Field(
        None, description="s for [−s, s]², or [α_min, α_max, β_min, β_max]; null: around "
                          "the paths (pca) or [−1, 1]² (random)")
    centre: Integer | str | None = Field(
        None, description="random plane only: a run (index or label) whose final weights "
                          "are the centre, or 'init'; null: the run with the lowest final "
                          "loss")
    seed: Seed = Field(0, description="random plane only: draws its two directions")


class NetworkRaceRequest(Strict):
    """Optimizers training one small network from one shared initialisation."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "dataset": {"id": "moons", "params": {"n": 256, "noise": 0.1, "seed": 0}},
        "architecture": {"hidden": [16, 16], "activation": "tanh", "init": None},
        "optimizers": [{"id": "sgd", "hyperparameters": {"lr": 0.5}},
                       {"id": "adam", "label": "Adam", "hyperparameters": {"lr": 0.01}}],
        "steps": 500, "batch_size": None, "seed": 0, "init_seed": 0,
        "gradient": {"clip_norm": None, "clip_value": None, "noise_std": 0.0},
        "landscape": {"plane": "pca", "resolution": 41}}]})

    dataset: NetworkDatasetSpec = Field(default_factory=NetworkDatasetSpec)
    architecture: ArchitectureSpec = Field(default_factory=ArchitectureSpec)
    optimizers: list[OptimizerSpec] = Field(
        min_length=1, description="any optimizer but Newton (at most "
                                  "DESCENTLAB_MAX_OPTIMIZERS); GET /networks suggests "
                                  "learning rates")
    steps: PositiveInteger = Field(500, description="at most DESCENTLAB_MAX_STEPS; the work, "
                                              "weights × data points through the network "
                                              "(steps, statistics, landscape), at most "
                                              "DESCENTLAB_NETWORK_COMPUTE_BUDGET")
    batch_size: BatchSize | None = Field(None, description="points per mini-batch; null (or "
                                                           "at least n) for full batch")
    seed: Seed = Field(0, description="draws the mini-batches and the gradient noise")
    init_seed: Seed = Field(0, description="draws the shared initial weights")
    gradient: GradientProcessing = Field(default_factory=GradientProcessing)
    validation: ValidationSpec = Field(default_factory=ValidationSpec)
    early_stopping: EarlyStoppingSpec | None = Field(
        None, description="null: no early stopping; the best validation step is still "
                          "reported when there is a validation set")
    landscape: LandscapeSpec = Field(default_factory=LandscapeSpec)
    statistics: StatisticsSpec | None = Field(
        None, description="null: none; else every run's per-layer statistics and activation "
                          "histograms at the frames it chooses, in each frame line of a "
                          "stream and in the document")
    frame_steps: FrameSteps = None


class RunFrameRequest(Strict):
    """One run of a race at one frame: what a request about its weights there names."""

    race: NetworkRaceRequest = Field(description="the race, as posted to /networks/races: "
                                                 "a race computed recently is remembered, "
                                                 "not run again")
    run: Integer | str = Field(0, description="the run: its index or its label")
    frame: Integer = Field(-1, description="frame t (the weights after t steps), 0 … steps; "
                                       "negative counts from the end")


class BoundaryRequest(RunFrameRequest):
    """One run's decision boundary at one frame of a race."""

    resolution: GridPoints = Field(61, description="points per axis (at most "
                                                  "DESCENTLAB_MAX_GRID_RESOLUTION)")


class NetworkGradientCheckRequest(RunFrameRequest):
    """Backpropagation checked against finite differences: one run's weights at one frame."""

    samples: Integer = Field(12, description="how many weights to check (1 … 64): one in each "
                                         "layer first, then drawn at random")
    seed: Seed = Field(0, description="draws the checked weights")


# --------------------------------------------------------------------------- catalogue


class ClaimEntry(BaseModel):
    """A number the scenario's notice promises (engine.network_scenarios.Claim)."""

    metric: str = Field(description="loss, val_loss, accuracy, gap, rise, weight_norm, "
                                    "unit_spread, std, std_ratio, saturated or best_step")
    bound: Literal["below", "above"]
    value: float
    run: int
    frame: int
    layer: int
    variant: dict[str, Any] | None = Field(description="request fields replaced for this "
                                                       "claim (the setting the lesson changes)")


class NetworkScenarioMap(BaseModel):
    view: Literal["contour", "layers"] = Field(description="the view the lab opens on")
    statistic: Literal["std", "saturated", "grad_norm"] = Field(
        description="what the Layers view's heat map colours when it opens")
    request: NetworkRaceRequest = Field(description="post to /networks/races to run it")
    claims: list[ClaimEntry]


class NetworkScenarioEntry(LessonEntry):
    """A lecture scenario of the networks lab: a network race, a question, what to notice
    and the numbers that back it."""

    lab: Literal["networks"]
    focus: str = Field(description="the label of the run to follow (empty: the first)")
    network: NetworkScenarioMap


class DatasetEntry(BaseModel):
    id: str
    name: str
    note: str
    params: list[RangeEntry] = Field(description="its own, then the preprocessing every "
                                                 "dataset takes: shift, scale, stretch, "
                                                 "standardise")
    switches: list[str] = Field(description="the parameters that are 0 (off) or 1 (on)")


class ActivationEntry(BaseModel):
    id: str
    name: str
    formula: str
    derivative: str
    init: str = Field(description="the initialisation 'auto' picks for it")
    note: str


class InitEntry(BaseModel):
    id: str
    name: str
    formula: str
    note: str
    whole_network: bool = Field(description="draws the output layer too (otherwise Xavier)")
    scaled: bool = Field(description="its spread is the architecture's init_scale σ")


class NetworkCatalogue(BaseModel):
    """Every choice a network race offers, with its range (engine.networks.catalogue)."""

    datasets: list[DatasetEntry]
    activations: list[ActivationEntry]
    inits: list[InitEntry]
    architecture: dict[str, Any] = Field(description="the default, the limits on layers "
                                                     "and widths, the output unit")
    race: dict[str, Any] = Field(description="steps, batch size, seeds, gradient options, "
                                             "suggested_lr per optimizer and first_roster "
                                             "(the optimizer ids a first visit races)")
    landscape: dict[str, Any] = Field(description="the planes and the resolution range")
    two_param_nets: list[dict[str, Any]] = Field(
        description="the two-weight networks, also in GET /surfaces (tag 'network')")
    optimizers: list[str] = Field(description="the optimizer ids a network race takes")


# --------------------------------------------------------------------------- results


class DatasetInfo(BaseModel):
    """The points the networks train on (with a validation set: the training part)."""

    id: str
    params: dict[str, float]
    points: list[Pair]
    labels: list[int]
    view: list[float] = Field(description="xmin, xmax, ymin, ymax around the points")


class ValidationInfo(BaseModel):
    """The held-out points (null without a validation set)."""

    fraction: float
    seed: int
    points: list[Pair]
    labels: list[int]
    patience: int | None = Field(description="early stopping's patience, null without it")
    stop: bool = Field(description="early stopping ends runs and keeps their best weights")


class ArchitectureInfo(BaseModel):
    hidden: list[int]
    activation: str
    init: str
    hidden_init: str = Field(description="the scheme the hidden layers were drawn with")
    init_scale: float
    bias: float
    dropout: float
    batch_norm: bool
    sizes: list[int]
    n_params: int


class NetworkRunInfo(BaseModel):
    """One contestant, resolved: defaults filled in and checked."""

    optimizer: str
    label: str
    hyperparameters: dict[str, float]
    schedule: dict[str, str | float]
    gradient: GradientInfo
    lookahead: LookaheadSpec | None = Field(description="Lookahead's setting, null if the "
                                                        "optimizer is not wrapped")
    momentum_schedule: MomentumScheduleSpec | None = Field(
        description="the momentum schedule, null for a constant μ")


class NetworkFinal(BaseModel):
    loss: Number
    accuracy: Number
    grad_norm: Number
    val_loss: Number = Field(None, description="validation loss (null without validation)")
    val_accuracy: Number = Field(None, description="validation accuracy")
    gap: Number = Field(None, description="the generalisation gap, validation loss minus "
                                          "training loss")


class HeldOutRun(BaseModel):
    """A run's numbers on the held-out points (all null without a validation set)."""

    val_loss: list[Number] | None = Field(None, description="validation loss per frame")
    val_accuracy: list[Number] | None = Field(None, description="validation accuracy per "
                                                                "frame")
    best_step: int | None = Field(None, description="the frame of lowest validation loss "
                                                    "(so far, in a stream)")
    stopped_at: int | None = Field(
        None, description="the frame where early stopping's patience ran out (with stop, "
                          "every later frame holds the best step's weights)")


class LayerHistograms(BaseModel):
    """Per recorded frame and hidden layer, ``counts[s][l][k]`` outputs (units × points)
    fall in bin k of ``bins`` equal bins of [lo[s][l], hi[s][l]]."""

    lo: list[list[Number]]
    hi: list[list[Number]]
    counts: list[list[list[int]]]


class RunStatistics(BaseModel):
    """One run's per-layer statistics at frames ``frames`` over the training points;
    index [s][l] is frame frames[s], hidden layer l + 1."""

    frames: list[int]
    mean: list[list[Number]]
    std: list[list[Number]]
    saturated: list[list[Number]] = Field(
        description="share of outputs beyond |tanh| > 0.99 (sigmoid: < 0.01 or > 0.99); for "
                    "ReLU the share of units dead on every point; 0 for Leaky ReLU and ELU")
    grad_norm: list[list[Number]] = Field(
        description="norm of the full-batch loss gradient for each layer's weights and "
                    "biases; one more column than the others, the output layer")
    histograms: LayerHistograms


class StatisticsRun(BaseModel):
    statistics: RunStatistics | None = Field(
        None, description="with statistics in the request: this run's (in a frame line, "
                          "the recorded frames among its frames)")


class NetworkOutcomeInfo(BaseModel):
    """converged: the full-batch gradient vanished (norm ≤ 1e-6; a network's loss has no
    known minimum value, so this is the typed formula's rule); diverged: a step went
    non-finite and the run froze there; unfinished: still descending at the last step."""

    status: Literal["converged", "diverged", "unfinished"]
    converged_at: int | None
    diverged_at: int | None
    final: NetworkFinal


class NetworkRunResult(NetworkRunInfo, NetworkOutcomeInfo, HeldOutRun, StatisticsRun):
    """Frame t is the state after t steps; loss and accuracy on the whole training set."""

    loss: list[Number]
    accuracy: list[Number]
    grad_norm: list[Number] = Field(description="norm of the full-batch gradient")
    lr: list[Number] = Field(description="the rate of step 1 … steps (no entry for frame 0)")
    path: list[Pair] = Field(description="(α, β) of every frame on the landscape's plane")


class PlaneInfo(BaseModel):
    kind: Literal["pca", "random"]
    centre: str = Field(description="what the plane is centred at")
    explained: list[Number] | None = Field(
        description="pca: the share of the paths' squared displacement along each axis")


class LandscapeInfo(BaseModel):
    """``loss[j][i]`` is the training loss at (alphas[i], betas[j]): Plotly's z."""

    plane: PlaneInfo
    alphas: list[Number]
    betas: list[Number]
    loss: list[list[Number]]


class NetworkRaceResponse(BaseModel):
    dataset: DatasetInfo
    architecture: ArchitectureInfo
    steps: int
    batch_size: int | None = Field(description="null: full batch")
    seed: int
    init_seed: int
    validation: ValidationInfo | None
    runs: list[NetworkRunResult]
    landscape: LandscapeInfo


class NetworkStreamMeta(BaseModel):
    """First line of a stream."""

    type: Literal["meta"]
    dataset: DatasetInfo
    architecture: ArchitectureInfo
    steps: int
    batch_size: int | None
    seed: int
    init_seed: int
    validation: ValidationInfo | None
    frame_steps: int = Field(description="steps per frame line, after the frame-count cap")
    frames: int = Field(description="number of frame lines that will follow")
    runs: list[NetworkRunInfo]


class NetworkFrameRun(HeldOutRun, StatisticsRun):
    loss: list[Number]
    accuracy: list[Number]
    grad_norm: list[Number]
    lr: list[Number] = Field(description="the rates of the steps that made these frames")
    diverged_at: int | None


class NetworkStreamFrame(BaseModel):
    """Frames ``first`` … ``last`` of every run (the first line starts at frame 0)."""

    type: Literal["frame"]
    first: int
    last: int
    runs: list[NetworkFrameRun]


class NetworkStreamSummary(NetworkRaceResponse):
    """Last line: the whole response of POST /networks/races, landscape and paths included."""

    type: Literal["summary"]


class CheckedParameter(BaseModel):
    """Where a checked weight sits in the network."""

    index: int = Field(description="its position in the flat weight vector")
    layer: int = Field(description="1 = the first hidden layer; the output layer is the last")
    kind: Literal["weight", "bias", "gamma", "beta"]
    row: int = Field(description="the unit it belongs to")
    column: int | None = Field(description="a weight's input unit (null otherwise)")


class NetworkGradientCheckResponse(GradientCheckFields):
    """Coordinate c of ``analytic``, ``forward`` and ``centred`` is ``parameters[c]``; the
    loss is the full training set's, in training mode, without dropout."""

    run: str = Field(description="the run's label")
    frame: int
    parameters: list[CheckedParameter]


class BoundaryResponse(BaseModel):
    """``probability[j][i]`` = P(class 1) at (x[i], y[j]); its 0.5 contour is the boundary."""

    run: str = Field(description="the run's label")
    frame: int
    x: list[float]
    y: list[float]
    probability: list[list[Number]]
