"""The lecture scenarios: each one a race set up to make one idea visible.

A scenario is data — a surface, a start, the contestants and their settings, the question
to put to the class and what to notice — so the page, the API and the CLI show the same
thing and nothing about it lives in page code. Each also states what must happen
(``expect``), and the test suite runs every scenario to hold it to its word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np

from descentlab.engine.errors import lookup
from descentlab.engine.lesson_plan import chapter_of
from descentlab.engine.objective import objective
from descentlab.engine.outcome import Outcome, outcomes
from descentlab.engine.race import RaceResult, race

GRADIENT_KNOBS = ("clip_norm", "noise_std")
"""The gradient options an A/B comparison may change (any other knob is a surface
parameter)."""
FIT_MARGIN = 0.12
"""Room around the paths, as a share of the fitted box on each side."""
FIT_MIN_SHARE = 0.2
"""The fitted box spans at least this share of the surface's own view: closer than that the
contour lines around the paths say too little about where they are."""
FIT_KEEP_SHARE = 0.8
"""When the paths need nearly the whole view anyway, the catalogue view is kept."""


def fit_view(points: np.ndarray, view: tuple[float, float, float, float]
             ) -> tuple[float, float, float, float]:
    """The smallest box of ``view``'s shape that holds ``points`` with a margin, inside
    ``view``. Points outside the view (a run thrown out of it) are left out."""
    x0, x1, y0, y1 = view
    width, height = x1 - x0, y1 - y0
    inside = points[np.isfinite(points).all(axis=1)
                    & (points[:, 0] >= x0) & (points[:, 0] <= x1)
                    & (points[:, 1] >= y0) & (points[:, 1] <= y1)]
    if not len(inside):
        return view
    lo, hi = inside.min(axis=0), inside.max(axis=0)
    scale = max((hi[0] - lo[0]) / width, (hi[1] - lo[1]) / height) * (1 + 2 * FIT_MARGIN)
    scale = max(scale, FIT_MIN_SHARE)
    if scale >= FIT_KEEP_SHARE:
        return view
    w, h = width * scale, height * scale
    cx = min(max((lo[0] + hi[0]) / 2, x0 + w / 2), x1 - w / 2)
    cy = min(max((lo[1] + hi[1]) / 2, y0 + h / 2), y1 - h / 2)
    return tuple(float(f"{v:.4g}") for v in (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2))


@dataclass(frozen=True)
class Expect:
    """What a run must show at the end: its status, where it ended, or that it beat another.

    Every run stays inside the view (so the contour shows all of its path) unless it is
    ``leaves_view``: a run whose point is to be thrown out of the picture (the page pins its
    marker to the edge with an arrow)."""

    label: str
    status: str | None = None
    near: str | None = None
    lower_loss_than: str | None = None
    leaves_view: bool | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def holds(self, by_label: Mapping[str, Outcome]) -> bool:
        mine = by_label[self.label]
        return ((self.status is None or mine.status == self.status)
                and (self.near is None or (mine.near is not None and mine.near.kind == self.near))
                and (self.lower_loss_than is None
                     or mine.loss < by_label[self.lower_loss_than].loss))


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    topic: str
    surface: str
    start: tuple[float, float]
    steps: int
    optimizers: tuple[Mapping[str, Any], ...]
    question: str
    notice: str
    expect: tuple[Expect, ...]
    params: Mapping[str, float] = field(default_factory=dict)
    gradient: Mapping[str, Any] = field(default_factory=dict)
    focus: str | None = None
    inset: int | None = None
    """Magnify the first ``inset`` steps in a corner of the contour: the lesson is there."""
    compare: tuple[str, float] | None = None
    """A lesson about one knob opens in A/B: this race (A) beside the same race with
    ``(name, value)`` changed (B) — a surface parameter, ``clip_norm`` (0: off) or
    ``noise_std``. ``compare_expect`` is what must happen in B."""
    compare_expect: tuple[Expect, ...] = ()
    panel: Literal["check"] | None = None
    """The lesson continues in this panel beside the race: ``check``, the gradient check of
    the followed run at the frame on screen."""

    @cached_property
    def view(self) -> tuple[float, float, float, float]:
        """The box the contour shows: fitted to the paths this race draws (see ``fit_view``),
        computed once from the race itself so that no scenario hand-tunes a zoom."""
        points = []
        sides = [(None, self.expect)]  # A, and B of an A/B scenario: one frame for both
        if self.compare is not None:
            sides.append((self.compare, self.compare_expect))
        for change, expect in sides:
            result = race(**self._race_arguments(view=None, change=change))
            thrown = {e.label for e in expect if e.leaves_view}
            keep = [i for i, run in enumerate(result.runs) if run.label not in thrown]
            obj = result.objective
            # the deepest point stays in the picture, even when no run finds it
            best = [(c.x, c.y) for c in obj.surface.critical_points(obj.params)
                    if c.kind == "global_min"]
            points += [result.positions[keep, 0].reshape(-1, 2), np.reshape(best, (-1, 2))]
        return fit_view(np.vstack(points), objective(self.surface, dict(self.params)).view)

    def race_request(self) -> dict:
        """The race as a request body (the API's shape), ready to post or to load in the page."""
        return {"surface": {"id": self.surface, "params": dict(self.params),
                            "view": list(self.view)},
                "start": list(self.start), "steps": self.steps,
                "optimizers": [dict(o) for o in self.optimizers],
                "gradient": dict(self.gradient)}

    def race_kwargs(self) -> dict:
        """The race as keyword arguments of ``engine.race``: the one the page runs, in the
        fitted view (the view sets the divergence bound, so it is part of the race)."""
        return self._race_arguments(view=self.view)

    def compare_kwargs(self) -> dict:
        """The B race of an A/B scenario as keyword arguments of ``engine.race``."""
        return self._race_arguments(view=self.view, change=self.compare)

    def _race_arguments(self, view: tuple[float, ...] | None,
                        change: tuple[str, float] | None = None) -> dict:
        params, gradient = dict(self.params), dict(self.gradient)
        if change is not None:
            name, value = change
            if name in GRADIENT_KNOBS:
                gradient[name] = None if name == "clip_norm" and value == 0 else value
            else:
                params[name] = value
        return {"surface": self.surface, "params": params, "view": view, "start": self.start,
                "steps": self.steps, "optimizers": [dict(o) for o in self.optimizers],
                **gradient}

    def unmet(self, result: RaceResult, expect: tuple[Expect, ...] | None = None
              ) -> list[Expect]:
        """The expectations (by default the race's own; ``compare_expect`` for B) this
        race did not meet (first start point)."""
        by_label = {run.label: row[0] for run, row in zip(result.runs, outcomes(result),
                                                          strict=True)}
        return [e for e in (self.expect if expect is None else expect)
                if not e.holds(by_label)]

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "topic": self.topic,
                "chapter": chapter_of(self.id), "question": self.question,
                "notice": self.notice, "focus": self.focus or self.optimizers[0]["label"],
                "inset": self.inset,
                "compare": None if self.compare is None
                else {"name": self.compare[0], "value": self.compare[1]},
                "expect": [e.to_dict() for e in self.expect], "panel": self.panel,
                "request": self.race_request()}


def _run(optimizer: str, label: str, **settings: Any) -> dict:
    """One contestant; hyperparameters go by name, the rest (schedule, clipping, Lookahead)
    as is."""
    extra = {k: settings.pop(k) for k in ("schedule", "clip_norm", "clip_value", "noise_std",
                                          "lookahead") if k in settings}
    return {"id": optimizer, "label": label, "hyperparameters": settings, **extra}


# The gallery's order and chapters are the lesson plan's (engine/lesson_plan.py).
SCENARIOS: dict[str, Scenario] = {s.id: s for s in (
    Scenario(
        "rosenbrock_race", "The classic race on Rosenbrock's banana", "overview",
        "rosenbrock", (-1.5, 2.5), 2000,
        (_run("sgd", "SGD", lr=0.001), _run("momentum", "Momentum", lr=0.001, momentum=0.9),
         _run("nesterov", "Nesterov", lr=0.001, momentum=0.9),
         _run("adagrad", "AdaGrad", lr=0.5), _run("rmsprop", "RMSProp", lr=0.01),
         _run("adam", "Adam", lr=0.05)),
        "Six optimizers, one curved valley. Who reaches (1, 1) first?",
        "Finding the valley takes a few steps; following its flat, curved floor is the hard "
        "part. Momentum and Adam keep their speed along it, SGD crawls, AdaGrad's steps die.",
        (Expect("Adam", status="converged"), Expect("Momentum", lower_loss_than="SGD")),
        focus="Adam"),
    Scenario(
        "ravine_zigzag", "SGD zig-zags down the ravine", "ill-conditioning",
        "ravine", (-2.5, 1.2), 200,
        (_run("sgd", "SGD lr 0.09", lr=0.09), _run("sgd", "SGD lr 0.05", lr=0.05),
         _run("momentum", "Momentum", lr=0.02, momentum=0.8)),
        "The valley is 20 times steeper across than along. What path will plain gradient "
        "descent take to the bottom?",
        "With a large learning rate SGD bounces from wall to wall while it crawls along the "
        "floor; a smaller one stops bouncing but crawls even slower. Momentum averages the "
        "bounces away and keeps the progress along the valley.",
        (Expect("SGD lr 0.09", status="converged"), Expect("Momentum", status="converged")),
        params={"kappa": 20}, focus="SGD lr 0.09"),
    Scenario(
        "lookahead_calms_zigzag", "Lookahead calms SGD's zig-zag", "ill-conditioning",
        "ravine", (-2.5, 1.2), 200,
        (_run("sgd", "SGD", lr=0.09),
         _run("sgd", "SGD + Lookahead", lr=0.09, lookahead={"k": 5, "alpha": 0.5})),
        "SGD bounces from wall to wall. Lookahead lets it take five steps, then moves a slow "
        "point halfway to where they ended, and the next five start from there. What path "
        "does the slow point draw?",
        "After five fast steps SGD stands on the opposite wall; halfway between, the slow point "
        "stays on its own side and slides to the valley floor without crossing it. Moving only "
        "every fifth step, and only halfway, it arrives later than SGD; x̃ in the inspector is the "
        "fast point.",
        (Expect("SGD", status="converged"), Expect("SGD + Lookahead", status="converged")),
        params={"kappa": 20}, focus="SGD + Lookahead"),
    Scenario(
        "momentum_overshoots", "Momentum overshoots", "momentum",
        "ravine", (-2.5, 1.2), 300,
        (_run("sgd", "SGD", lr=0.02), _run("momentum", "Momentum 0.9", lr=0.02, momentum=0.9)),
        "The ball with friction keeps 90% of its velocity each step. Does it stop at the "
        "bottom?",
        "Momentum arrives much sooner, but it rolls past the minimum and swings back a few "
        "times before it settles; SGD never overshoots, and never gets there in time.",
        (Expect("Momentum 0.9", status="converged"), Expect("SGD", status="unfinished")),
        params={"kappa": 20}, focus="Momentum 0.9"),
    Scenario(
        "nesterov_brakes", "Nesterov brakes earlier", "Nesterov momentum",
        "ravine", (-2.5, 1.2), 300,
        (_run("momentum", "Momentum", lr=0.02, momentum=0.9),
         _run("nesterov", "Nesterov", lr=0.02, momentum=0.9)),
        "Same learning rate, same momentum. Nesterov measures the gradient where the "
        "velocity is about to take it. What difference will that make?",
        "Looking ahead, Nesterov feels the far wall before it hits it and brakes: it "
        "overshoots less and settles sooner than classical momentum.",
        (Expect("Nesterov", status="converged"), Expect("Momentum", status="converged")),
        params={"kappa": 20}, focus="Nesterov"),
    Scenario(
        "adagrad_dies", "AdaGrad's step dies out; RMSProp keeps going", "adaptive learning rates",
        "rosenbrock", (-1.5, 2.5), 2000,
        (_run("adagrad", "AdaGrad", lr=0.5), _run("rmsprop", "RMSProp", lr=0.01)),
        "AdaGrad divides by the root of every squared gradient it has ever seen. What "
        "happens to its steps on a long journey?",
        "AdaGrad's accumulator only grows, so its steps shrink until it stalls halfway along "
        "the valley. RMSProp forgets old gradients (a leaky average) and keeps moving.",
        (Expect("AdaGrad", status="unfinished"), Expect("RMSProp", lower_loss_than="AdaGrad")),
        focus="AdaGrad"),
    Scenario(
        "adam_bias_correction", "Adam's first step and its bias correction", "Adam",
        "plateau", (4.0, 2.5), 300,
        (_run("adam", "Adam", lr=0.05), _run("rmsprop", "RMSProp", lr=0.05),
         _run("sgd", "SGD", lr=0.05)),
        "The gradient here is about 0.0001. All three have lr = 0.05. How long is each "
        "one's first step?",
        "Adam's first step is lr in each coordinate, whatever the gradient's size: bias "
        "correction divides m and v by 1 − βᵗ, which undoes their start at zero. RMSProp has "
        "no correction, so its first step is 1/√(1 − ρ) ≈ 3 times lr; SGD barely moves.",
        (Expect("Adam", status="converged"), Expect("SGD", status="unfinished")),
        focus="Adam", inset=1),
    Scenario(
        "adam_without_correction", "Adam without bias correction", "Adam",
        "plateau", (4.0, 2.5), 300,
        (_run("adam", "Adam", lr=0.05), _run("adam", "Adam, c = 0", lr=0.05, bias_correction=0)),
        "Switch Adam's bias correction off (c = 0). Will its first steps be shorter or longer "
        "than lr?",
        "Longer: m starts at (1 − β₁)g and v at (1 − β₂)g², so the raw step is (1 − β₁)/√(1 − β₂) "
        "≈ 3.2 × lr at β₂ = 0.999; the correction shortens it to lr. Here the long steps even "
        "arrive sooner; at β₂ = 0.9 the raw first step would be lr/3.",
        (Expect("Adam", status="converged"), Expect("Adam, c = 0", status="converged")),
        focus="Adam, c = 0", inset=3),
    Scenario(
        "radam_warmup", "RAdam warms up by itself", "Adam",
        "plateau", (4.0, 2.5), 400,
        (_run("adam", "Adam", lr=0.05), _run("radam", "RAdam", lr=0.05)),
        "Same learning rate, a gradient of about 0.0001. RAdam does not trust a variance "
        "estimated from a handful of gradients. What will its first steps look like?",
        "For five steps RAdam takes plain momentum steps, lr times the gradient — here almost "
        "nothing. Then adaptive steps, scaled by a rectifier that grows towards 1: a warm-up built "
        "into the rule. Adam's steps are lr long from the start, so it arrives about 100 steps "
        "sooner here.",
        (Expect("Adam", status="converged"), Expect("RAdam", status="converged")),
        focus="RAdam", inset=8),
    Scenario(
        "rotation_hurts_adaptive", "Rotating the ravine removes the adaptive advantage",
        "adaptive learning rates",
        "ravine", (-2.5, 1.2), 300,
        (_run("sgd", "SGD", lr=0.035), _run("adagrad", "AdaGrad", lr=0.5),
         _run("rmsprop", "RMSProp", lr=0.05), _run("adam", "Adam", lr=0.1)),
        "The valley lies at 45° to the axes. Will the per-coordinate step sizes of AdaGrad, "
        "RMSProp and Adam still help?",
        "They rescale x and y separately, which helps only when the valley lies along an "
        "axis. In B the valley is turned back to θ = 0, and they reach the bottom in under "
        "130 steps; at 45° (A) none of them gets there in 300.",
        (Expect("AdaGrad", status="unfinished"), Expect("Adam", status="unfinished")),
        params={"kappa": 50, "theta": 45}, focus="Adam", compare=("theta", 0.0),
        compare_expect=(Expect("AdaGrad", status="converged"),
                        Expect("Adam", status="converged"))),
    Scenario(
        "saddle_noise_escapes", "At a saddle, gradient descent stalls and noise escapes",
        "saddle points",
        "double_well", (1.5, 0.0), 800,
        (_run("sgd", "Gradient descent", lr=0.01),
         _run("sgd", "SGD with noise", lr=0.01, noise_std=0.05),
         _run("momentum", "Momentum", lr=0.01, momentum=0.9)),
        "We start exactly on the ridge between two valleys. Where does each one end up?",
        "On the ridge the gradient never points off it, so gradient descent — with or "
        "without momentum — walks into the saddle and stays. A little gradient noise, as "
        "mini-batches give, tips the point off the ridge into a valley.",
        (Expect("Gradient descent", status="stalled", near="saddle"),
         Expect("Momentum", status="stalled", near="saddle"),
         Expect("SGD with noise", near="global_min")),
        focus="SGD with noise"),
    Scenario(
        "newton_saddle", "Newton walks to the saddle", "second-order methods",
        "double_well", (1.0, 0.3), 200,
        (_run("sgd", "Gradient descent", lr=0.05), _run("newton", "Newton", lr=1.0)),
        "Newton's method jumps to the bottom of its local quadratic model. What if that "
        "model has no bottom?",
        "Along y the surface curves down here, so the quadratic model's critical point is a "
        "saddle — and Newton jumps to it in three steps. Gradient descent goes downhill and "
        "finds a minimum. Damping (λ) pulls Newton back towards gradient descent.",
        (Expect("Newton", status="stalled", near="saddle"),
         Expect("Gradient descent", status="converged")),
        focus="Newton"),
    Scenario(
        "cliff_clipping", "At the cliff, clipping saves the run", "exploding gradients",
        "cliff", (3.5, 1.0), 600,
        (_run("sgd", "SGD", lr=0.1), _run("sgd", "SGD, clipped at 1", lr=0.1, clip_norm=1.0)),
        "The terrace ends in a cliff where the gradient is 300. What does one step of "
        "gradient descent do there?",
        "The step is lr × 300 ≈ 30 units: SGD is hurled out of view onto flat ground and "
        "never returns. Clipping the gradient's norm keeps the direction but caps the step, "
        "and the same descent walks down the cliff to the minimum.",
        (Expect("SGD", status="stalled", leaves_view=True),
         Expect("SGD, clipped at 1", status="converged")),
        focus="SGD"),
    Scenario(
        "warm_restarts", "Warm restarts jump out of a basin", "learning-rate schedules",
        "rastrigin", (4.2, 3.8), 1000,
        # cycles of 150, 300 and 600 steps: two restarts, each one readable on the contour
        # (ten short cycles at a larger rate scribbled over the whole plot); at a peak of
        # 0.015 the first restart threw the point just past the view's edge
        (_run("sgd", "SGD, small lr", lr=0.002),
         _run("sgd", "SGDR", lr=0.013, schedule={"kind": "cosine_restarts", "period": 150,
                                                 "period_mult": 2})),
        "A small constant step stops in the nearest dimple. Can a schedule that keeps "
        "jumping the learning rate back up do better?",
        "The first cycle's large steps cross the dimples that trap the small step and the "
        "cosine lets the point settle next to the centre, far below the small-step run; "
        "each restart throws it out again, and it settles in the centre's own basin: the "
        "global minimum.",
        (Expect("SGDR", lower_loss_than="SGD, small lr", near="global_min"),),
        focus="SGDR"),
    Scenario(
        "lr_too_high", "A learning rate too high diverges", "learning rate",
        # a valley, not a round bowl: in a bowl both runs bounce on one line through the
        # minimum, here the shrinking and the growing zig-zag are two different shapes
        "ravine", (-2.5, 0.25), 450,
        (_run("sgd", "lr 0.019", lr=0.019), _run("sgd", "lr 0.021", lr=0.021)),
        "Across this valley the curvature is 100, along it 1. Gradient descent is stable "
        "while lr × curvature < 2. What happens at lr 0.019 and at 0.021?",
        "Across the valley each step multiplies the distance to the floor by "
        "(1 − lr × 100): at −0.9 the zig-zag shrinks while the run slides along the floor, "
        "at −1.1 it grows until the run leaves the plot.",
        (Expect("lr 0.019", status="converged"),
         Expect("lr 0.021", status="diverged", leaves_view=True)),
        params={"kappa": 100}, focus="lr 0.021"),
    Scenario(
        "plateau_crossing", "Crossing a plateau", "plateaus",
        "plateau", (4.0, 2.5), 1000,
        (_run("sgd", "SGD", lr=0.1), _run("momentum", "Momentum", lr=0.1, momentum=0.9),
         _run("rmsprop", "RMSProp", lr=0.01), _run("adam", "Adam", lr=0.05)),
        "Far from the basin the loss is almost flat. Which optimizers notice the slope?",
        "SGD and momentum step in proportion to the tiny gradient and stay put. RMSProp and "
        "Adam divide by the gradient's own size, so they take full-sized steps across.",
        (Expect("SGD", status="unfinished"), Expect("Adam", status="converged")),
        focus="Adam"),
    Scenario(
        "local_vs_global", "Local slopes mislead", "local and global structure",
        "deceptive", (0.8, 0.4), 800,
        (_run("sgd", "SGD", lr=0.1), _run("momentum", "Momentum", lr=0.1, momentum=0.9),
         _run("adam", "Adam", lr=0.1)),
        "The deepest point is only 1.6 away from the start. Which minimum will they find?",
        "Downhill from here points to a broad, shallow basin, and every method follows it: "
        "the local slope says nothing about where the global minimum is.",
        (Expect("SGD", status="stalled", near="local_min"),
         Expect("Adam", status="stalled", near="local_min")),
        focus="SGD"),
    Scenario(
        "noise_needs_decay", "Noisy gradients need a decaying learning rate",
        "mini-batch SGD",
        "ravine", (-2.5, 1.2), 600,
        (_run("sgd", "constant lr", lr=0.05, noise_std=2.0),
         _run("sgd", "linear decay", lr=0.05, noise_std=2.0,
              schedule={"kind": "linear", "tau": 400, "end_factor": 0.01})),
        "Mini-batch gradients are noisy. With a constant learning rate, does SGD ever settle?",
        "With a constant rate the noise keeps kicking the point around the minimum. Decaying "
        "the rate (here linearly to 1% over 400 steps) averages the noise out and the path "
        "settles — why the lectures decay ε in SGD.",
        (Expect("linear decay", lower_loss_than="constant lr"),),
        params={"kappa": 10}, focus="linear decay"),
    Scenario(
        "robbins_monro", "Decay the rate, but not too fast", "learning-rate schedules",
        "ravine", (-2.5, 1.2), 600,
        (_run("sgd", "constant", lr=0.05, noise_std=2.0),
         _run("sgd", "ε₀ / (1 + k/30)", lr=0.05, noise_std=2.0,
              schedule={"kind": "inverse_time", "tau": 30}),
         _run("sgd", "ε₀ · 0.98ᵏ", lr=0.05, noise_std=2.0,
              schedule={"kind": "exponential", "gamma": 0.98})),
        "Three noisy descents: a constant rate, one that decays like 1/k, one that decays "
        "exponentially. Which one ends at the bottom?",
        "The constant rate never settles: the noise keeps kicking it. Exponential decay dies too "
        "soon: its rates add up to a finite distance, so it freezes short of the minimum. Only 1/k "
        "does both (Robbins and Monro): its rates add up without bound, their squares do not.",
        (Expect("ε₀ / (1 + k/30)", lower_loss_than="constant"),
         Expect("ε₀ / (1 + k/30)", lower_loss_than="ε₀ · 0.98ᵏ")),
        params={"kappa": 10}, gradient={"seed": 0}, focus="ε₀ / (1 + k/30)"),
    Scenario(
        "lion_sign_steps", "Lion steps along the diagonals", "sign descent",
        "ravine", (-2.5, 1.2), 300,
        (_run("lion", "Lion", lr=0.02), _run("adam", "Adam", lr=0.02)),
        "Lion keeps only the sign of each coordinate of its update. In which directions can "
        "it step?",
        "Every Lion step is ±ε in x and ±ε in y, so it runs along a diagonal at 45°, whatever "
        "the slope says, until y's sign flips on the valley floor; from there it rattles "
        "±ε across the floor while it walks along it. Adam's steps, also about ε per "
        "coordinate at first, follow the gradient's direction.",
        (Expect("Lion", near="global_min"), Expect("Adam", near="global_min")),
        params={"kappa": 20}, focus="Lion"),
    Scenario(
        "adamw_vs_l2", "Weight decay: AdamW is not Adam + L2", "weight decay",
        "booth", (-4.0, -4.0), 1500,
        (_run("adam", "Adam", lr=0.05), _run("adam", "Adam + L2", lr=0.05, weight_decay=0.1),
         _run("adamw", "AdamW", lr=0.05, weight_decay=0.1)),
        "The minimum is at (1, 3), far from the origin. With the same λ = 0.1, does L2 in "
        "the gradient (Adam) pull the point back as much as decoupled decay (AdamW)?",
        "Adam divides the L2 term by √v like the rest of the gradient, so on the steep slope the "
        "decay barely counts: Adam + L2 stops near (1, 3). AdamW subtracts ελx outside that "
        "division and settles much nearer the origin: the same λ means something else.",
        (Expect("Adam", lower_loss_than="Adam + L2"), Expect("Adam + L2", lower_loss_than="AdamW")),
        focus="AdamW"),
    Scenario(
        "batch_size_noise", "Smaller batches, noisier steps", "mini-batch SGD",
        "ravine", (-2.5, 1.2), 400,
        (_run("sgd", "large batch (σ = 0.2)", lr=0.05, noise_std=0.2),
         _run("sgd", "small batch (σ = 2)", lr=0.05, noise_std=2.0)),
        "Gradient noise shrinks like 1/√(batch size). How does a small batch change the "
        "path?",
        "Both head for the minimum at the same average speed, but the small-batch path "
        "jitters, and ends in a wider cloud around the bottom.",
        (Expect("large batch (σ = 0.2)", lower_loss_than="small batch (σ = 2)"),),
        params={"kappa": 10}, gradient={"seed": 1}),
    Scenario(
        "line_search_zigzag", "Exact line search zig-zags at right angles", "line search",
        "ravine", (-2.5, 0.25), 60,
        (_run("line_search", "Exact line search"),
         _run("momentum", "Momentum", lr=0.1, momentum=0.5)),
        "Each step of exact line search goes down −g to the lowest point of that line. Will "
        "choosing the best step every time beat gradient descent with one fixed rate?",
        "Each step stops where the line touches a contour, so the next gradient is at a right "
        "angle to it: the path zig-zags. Here every best step a_t (inspector) is 2/(1 + κ): "
        "gradient descent at its best fixed rate. Momentum, with no search at all, arrives in half "
        "the steps.",
        (Expect("Exact line search", status="converged"), Expect("Momentum", status="converged"),
         Expect("Momentum", lower_loss_than="Exact line search")),
        params={"kappa": 10}, focus="Exact line search"),
    Scenario(
        "random_search_budget", "Random search needs no gradient, and many tries",
        "random search", "bowl", (1.5, -1.0), 120,
        (_run("sgd", "Gradient descent", lr=0.3),
         _run("random_search", "Random search, 1 trial", lr=0.1, trials=1),
         _run("random_search", "Random search, 16 trials", lr=0.1, trials=16)),
        "Random search tries directions at random and moves only if the surface goes down. "
        "Given as many evaluations of the surface as gradient descent, how close does it "
        "get?",
        "With one trial a step random search wanders: most tries go uphill and are thrown away; "
        "after 120 steps it is still short of the bottom gradient descent reached in 21. Sixteen "
        "trials aim better, at sixteen evaluations a step. Neither gets closer than its radius ε.",
        (Expect("Gradient descent", status="converged"),
         Expect("Random search, 16 trials", lower_loss_than="Random search, 1 trial"),
         Expect("Gradient descent", lower_loss_than="Random search, 16 trials")),
        gradient={"seed": 0}, focus="Random search, 1 trial"),
    Scenario(
        "gradient_check", "How small a step checks a gradient?", "gradient checking",
        "rosenbrock", (-1.5, 2.0), 2000, (_run("adam", "Adam", lr=0.05),),
        "A gradient worked out by hand is checked against finite differences: the loss at "
        "x + h and at x − h. Which step h gives the closest estimate, and is a smaller h "
        "always better?",
        "At the start the centred difference agrees to 10⁻¹⁰ at h ≈ 10⁻⁶, the forward one only "
        "to 10⁻⁷ at h ≈ 10⁻⁹; with a smaller h rounding wins. At the end, by the minimum, the "
        "forward difference is off by 10⁻⁴: check away from critical points.",
        (Expect("Adam", status="converged"),), focus="Adam", panel="check"),
)}


def get_scenario(scenario_id: str) -> Scenario:
    return lookup(SCENARIOS, scenario_id, "scenario")
