"""Requests and responses of the maps: where every start, or every setting, leads.

Cells travel compactly: each per-cell array is one little-endian binary block in base64
(``{"dtype", "shape", "data"}``) — statuses and basins as small integers, display values
as float32 — which a browser turns into a typed array without parsing a number. A 512²
basin map is about 5 MB so (before compression), against about 14 MB as JSON numbers.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, RootModel

from descentlab.server.schemas import (
    GradientSpec,
    LessonEntry,
    Number,
    OptimizerSpec,
    Point,
    PositiveInteger,
    Seed,
    StreamError,
    Strict,
    SurfaceInfo,
    SurfaceSpec,
    View,
)


class AxisSpec(Strict):
    """One axis of a hyperparameter map: a hyperparameter of the optimizer, from lo to hi."""

    name: str = Field(max_length=32, description="a hyperparameter of the optimizer "
                                                 "(GET /optimizers)", examples=["lr"])
    lo: float
    hi: float
    scale: Literal["linear", "log"] = "linear"


class BasinMapRequest(Strict):
    """One optimizer raced from every cell of a rectangle of starts."""

    surface: SurfaceSpec
    optimizer: OptimizerSpec
    region: View | None = Field(None, description="the rectangle of starts (default: the "
                                                  "surface's view); any zoom resolves")
    resolution: PositiveInteger = Field(128, description="cells per side (at most "
                                                         "DESCENTLAB_MAX_MAP_RESOLUTION)")
    steps: PositiveInteger = Field(500, description="steps per cell (cells × steps at most "
                                                    "DESCENTLAB_MAP_BUDGET)")
    gradient: GradientSpec = Field(default_factory=GradientSpec)


def _lr_axis() -> AxisSpec:
    return AxisSpec(name="lr", lo=1e-3, hi=1.0, scale="log")


def _momentum_axis() -> AxisSpec:
    return AxisSpec(name="momentum", lo=0.0, hi=0.99)


class HyperparameterMapRequest(Strict):
    """One optimizer raced from one start with every cell's pair of hyperparameters."""

    surface: SurfaceSpec
    optimizer: OptimizerSpec
    start: Point | None = Field(None, description="default: the surface's first suggested "
                                                  "start")
    x: AxisSpec = Field(default_factory=_lr_axis)
    y: AxisSpec | None = Field(default_factory=_momentum_axis,
                               description="null: a one-row map of the x axis alone")
    resolution: PositiveInteger = Field(128, description="cells per side (at most "
                                                         "DESCENTLAB_MAX_MAP_RESOLUTION)")
    steps: PositiveInteger = Field(500, description="steps per cell (cells × steps at most "
                                                    "DESCENTLAB_MAP_BUDGET)")
    gradient: GradientSpec = Field(default_factory=GradientSpec)


class Block(BaseModel):
    """A numeric array as little-endian bytes in base64, row-major."""

    dtype: Literal["int8", "int16", "int32", "float32"]
    shape: list[int]
    data: str


class MapCells(BaseModel):
    status: Block = Field(description="index into `statuses`, per cell (H, W)")
    basin: Block = Field(description="index into `points` of the point reached, or -1")
    step: Block = Field(description="the step the status was reached at, or -1")
    loss: Block = Field(description="final loss")
    final: Block = Field(description="final point (H, W, 2)")


class AxisInfo(BaseModel):
    name: str
    lo: float
    hi: float
    scale: Literal["linear", "log"]
    centres: list[float]


class MapPoint(BaseModel):
    point: list[Number]
    value: Number
    kind: str = Field(description="global_min, local_min, saddle, max — or found_min for a "
                                  "minimum a formula's runs found")
    color: str = Field(description="the colour of its basin on a map (hex)")
    cells: int = Field(description="cells whose runs ended there")


class TheoryInfo(BaseModel):
    method: str
    lam_min: float
    lam_max: float
    momentum: list[float] = Field(description="along the y axis (or the fixed momentum)")
    lr_limit: list[float] = Field(description="the largest stable learning rate there")
    optimum: list[float] | None = Field(description="(lr*, momentum*), where known")


class MapOutcome(BaseModel):
    """What a whole map found, in a plain response and in a stream's summary alike."""

    kind: Literal["basins", "hyperparameters"]
    steps: int
    start: list[float] | None
    x: AxisInfo
    y: AxisInfo | None
    statuses: list[str]
    status_colors: dict[str, str] = Field(description="the colour of a cell whose run ended "
                                                      "at no listed point, by status (hex)")
    counts: dict[str, int]
    points: list[MapPoint]
    theory: TheoryInfo | None


class MapResponse(MapOutcome):
    surface: SurfaceInfo
    optimizer: dict
    cells: MapCells


class MapStreamMeta(BaseModel):
    type: Literal["meta"]
    kind: Literal["basins", "hyperparameters"]
    surface: SurfaceInfo
    optimizer: dict
    steps: int
    resolution: int
    coarse_resolution: int = Field(description="cells per side of the coarse pass")
    tiles: list[list[int]] = Field(description="the row ranges [first, last) of the tiles "
                                               "that follow, in order")
    statuses: list[str]
    status_colors: dict[str, str]
    palest: float = Field(description="how far towards white a cell that reached a point is "
                                      "drawn when its run took every step (log scale of its "
                                      "step, 0 when it got there at once)")
    points: list[MapPoint] = Field(description="the points runs can end at, with their "
                                               "colours (cells counted in the summary)")
    x: AxisInfo


class MapCoarse(BaseModel):
    type: Literal["coarse"]
    x: list[float]
    y: list[float]
    cells: MapCells
    progress: float


class MapTile(BaseModel):
    type: Literal["tile"]
    rows: list[int] = Field(description="[first, last) rows of the full-resolution map")
    y: list[float]
    cells: MapCells
    progress: float


class MapSummary(MapOutcome):
    type: Literal["summary"]
    basin: Block | None = Field(None, description="a typed formula's minima are numbered "
                                                  "over the whole map: its basins again")


class MapStreamEvent(RootModel[MapStreamMeta | MapCoarse | MapTile | MapSummary | StreamError]):
    """One line of a map stream."""


class MapScenarioMap(BaseModel):
    kind: Literal["basins", "hyperparameters"]
    panel: Literal["search", "compare"] | None = Field(
        description="the panel beside the map the lesson continues in")
    optimizers: list[OptimizerSpec] = Field(description="the maps lab's roster; the map is "
                                                        "of the first")
    request: BasinMapRequest | HyperparameterMapRequest = Field(
        description="post to /maps/<kind> (or its stream) to compute it")


class MapScenarioEntry(LessonEntry):
    """A lecture scenario of the maps lab: a map, a question and what to notice."""

    lab: Literal["maps"]
    map: MapScenarioMap


class SearchRequest(Strict):
    """Search settings of one optimizer for the lowest final loss, many times over."""

    surface: SurfaceSpec
    optimizer: OptimizerSpec
    start: Point | None = Field(None, description="default: the surface's suggested start")
    space: list[AxisSpec] = Field(min_length=1, max_length=4,
                                  description="the hyperparameters searched and their ranges")
    method: Literal["grid", "random", "coarse_to_fine"] = "random"
    budget: PositiveInteger = Field(16, description="trials per search")
    repeats: PositiveInteger = Field(100, description="independent searches (budget × "
                                                      "repeats × steps at most "
                                                      "DESCENTLAB_MAP_BUDGET)")
    steps: PositiveInteger = 300
    seed: Seed = 0
    noise_std: float = Field(0.0, ge=0, le=1e6)


class SearchResponse(BaseModel):
    method: str
    axes: list[AxisSpec]
    trials: list[list[list[float]]] = Field(description="[repeat][trial][axis]")
    scores: list[list[Number]] = Field(description="final loss per trial; null: diverged")
    best: list[list[float]] = Field(description="the best setting of each repeat")
    best_score: list[Number]


class CompareRequest(Strict):
    """Tune each optimizer with the same budget, then judge it on held-out starts and seeds."""

    surface: SurfaceSpec
    optimizers: list[OptimizerSpec] = Field(min_length=1, max_length=12)
    budget: PositiveInteger = Field(20, description="random-search trials per optimizer")
    space: dict[str, list[AxisSpec]] | None = Field(
        None, description="per optimizer id, what to tune (default: lr from 1e-4 to 1, log)")
    tuning_starts: list[Point] = Field(min_length=1, max_length=64)
    test_starts: list[Point] = Field(min_length=1, max_length=1024)
    seeds: list[Seed] = Field([0], min_length=1, max_length=64)
    noise_std: float = Field(0.0, ge=0, le=1e6)
    steps: PositiveInteger = 300
    seed: Seed = 0


class CompareEntry(BaseModel):
    optimizer: str
    tuned: dict[str, float]
    final_loss: list[list[Number]] = Field(description="[seed][test start]")
    steps: list[list[int]] = Field(description="steps to converge, -1: never")
    converged_fraction: float
    median_final_loss: Number


class CompareResponse(BaseModel):
    runs: list[CompareEntry]
