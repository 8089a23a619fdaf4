"""The lecture scenarios of the maps lab: each a map set up to make one idea visible.

Like a race scenario, a map scenario is data — a surface, the optimizers of the lab's roster
(the map is of the first), what is mapped and over which rectangle, the question to put to
the class and what to notice — so the page, the API and the tests show the same thing. Some
lessons continue in a panel beside the map (``panel``: the grid-vs-random search, or the
comparison with equal tuning budgets). The test suite computes every scenario and holds its
notice to its word (tests/test_map_scenarios.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from descentlab.engine.errors import lookup
from descentlab.engine.lesson_plan import chapter_of


@dataclass(frozen=True)
class MapScenario:
    id: str
    title: str
    topic: str
    kind: Literal["basins", "hyperparameters"]
    surface: str
    optimizers: tuple[Mapping[str, Any], ...]
    question: str
    notice: str
    params: Mapping[str, float] = field(default_factory=dict)
    start: tuple[float, float] | None = None
    region: tuple[float, float, float, float] | None = None
    x: tuple[str, float, float, str] | None = None
    y: tuple[str, float, float, str] | None = None
    resolution: int = 128
    steps: int = 500
    panel: Literal["search", "compare"] | None = None

    def map_request(self, optimizer: int = 0) -> dict:
        """The map of the roster's ``optimizer``-th run as a request body of
        ``POST /api/v1/maps/<kind>``."""
        body: dict[str, Any] = {"surface": {"id": self.surface, "params": dict(self.params)},
                                "optimizer": dict(self.optimizers[optimizer]),
                                "resolution": self.resolution, "steps": self.steps}
        if self.kind == "basins":
            if self.region is not None:
                body["region"] = list(self.region)
            return body
        return {**body, "start": list(self.start) if self.start else None,
                "x": _axis(self.x), "y": _axis(self.y)}

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "topic": self.topic, "lab": "maps",
                "chapter": chapter_of(self.id),
                "question": self.question, "notice": self.notice,
                "map": {"kind": self.kind, "panel": self.panel,
                        "optimizers": [dict(o) for o in self.optimizers],
                        "request": self.map_request()}}


def _axis(axis: tuple[str, float, float, str]) -> dict:
    name, lo, hi, scale = axis
    return {"name": name, "lo": lo, "hi": hi, "scale": scale}


def _run(optimizer: str, label: str, **hyperparameters: float) -> dict:
    return {"id": optimizer, "label": label, "hyperparameters": hyperparameters}


# The gallery's order and chapters are the lesson plan's (engine/lesson_plan.py).
MAP_SCENARIOS: dict[str, MapScenario] = {s.id: s for s in (
    MapScenario(
        "himmelblau_basins", "Basins with and without momentum", "basins",
        "basins", "himmelblau",
        (_run("sgd", "Gradient descent", lr=0.01),
         _run("momentum", "Momentum", lr=0.01, momentum=0.9)),
        "From each start gradient descent reaches one of four minima. Does momentum reach "
        "the same one?",
        "Gradient descent splits the plane into four tidy regions, one per minimum. Switch to "
        "Momentum (⌕): it overshoots and rolls on, and its basins break into interleaved "
        "stripes — over five times as many neighbouring starts end at different minima.",
        resolution=96),
    MapScenario(
        "ravine_lr_momentum", "lr × momentum against the theory", "momentum",
        "hyperparameters", "ravine",
        (_run("momentum", "Momentum", lr=0.01, momentum=0.5),),
        "On a valley of curvatures 1 and 100, which settings converge, and which is "
        "fastest?",
        "Runs diverge exactly past the dashed line, where the theory puts the limit "
        "lr × 100 = 2 + 2μ; the darkest, fastest cells sit at the theory's optimum "
        "(lr ≈ 0.033, μ ≈ 0.67), far above the momentum most people pick for this rate.",
        params={"kappa": 100}, start=(-2.5, 1.2), x=("lr", 1e-3, 1.0, "log"),
        y=("momentum", 0.0, 0.99, "linear"), resolution=64, steps=300),
    MapScenario(
        "per_layer_rates", "One learning rate per layer", "learning rate",
        "hyperparameters", "linear_net",
        (_run("sgd", "SGD", lr=0.1),),
        "Two weights, one learning rate per layer: is the edge of trainability a box, a "
        "line or a fractal?",
        "One layer's largest stable rate falls as the other's grows: the edge is a curve, not a "
        "box. Drag a box on it again and again: at 10⁴× it is still one smooth line — the fractal "
        "edges of deep tanh networks need more than two linear weights.",
        x=("lr_x", 0.3, 4.0, "log"), y=("lr_y", 0.05, 4.0, "log"), resolution=96, steps=500),
    MapScenario(
        "grid_vs_random", "Grid or random search?", "hyperparameter search",
        "hyperparameters", "rosenbrock",
        (_run("adam", "Adam", lr=0.05),),
        "Here ε barely matters, lr does. With 16 trials, which finds more: a 4 × 4 grid or "
        "random settings?",
        "The grid tries only four learning rates — four stripes on the map; random search "
        "tries sixteen. Over 100 repeats random's best beats the grid's most of the time "
        "(Bergstra & Bengio): run Grid vs random in the Search tab.",
        start=(-1.5, 2.0), x=("lr", 1e-3, 1.0, "log"), y=("eps", 1e-12, 1e-8, "log"),
        resolution=64, steps=200, panel="search"),
    MapScenario(
        "adam_fair", "Is Adam really better?", "comparing optimizers",
        "hyperparameters", "ravine",
        (_run("adam", "Adam", lr=0.05), _run("momentum", "Momentum", lr=0.01, momentum=0.9)),
        "Adam often wins against untuned rivals. What if every optimizer gets the same "
        "tuning budget?",
        "Tuned alike (20 random learning rates each) and judged from 25 starts they were not "
        "tuned on, momentum converges from every start too, and as fast: the win was the "
        "tuning. Run Tune and compare in the Compare tab.",
        params={"kappa": 20}, start=(-2.5, 1.2), x=("lr", 1e-3, 1.0, "log"),
        y=("beta1", 0.0, 0.999, "linear"), resolution=64, steps=300, panel="compare"),
)}


def get_map_scenario(scenario_id: str) -> MapScenario:
    return lookup(MAP_SCENARIOS, scenario_id, "scenario")
