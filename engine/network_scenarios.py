"""The lecture scenarios of the networks lab: each a network race set up to make one idea of
training practice visible (batch size, overfitting and early stopping, weight decay,
dropout, initialisation and depth, batch normalization, dead ReLUs, unscaled inputs).

Like a race or a map scenario, a network scenario is data — the race as the API takes it
(``POST /api/v1/networks/races``), the view it opens on, the question and what to notice —
and its notice is held to its word by ``claims``: numbers measured on the race (or on a
variant of it, the one setting the lesson changes) that the test suite computes
(tests/test_network_scenarios.py) with :func:`check`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from descentlab.engine.errors import lookup
from descentlab.engine.lesson_plan import chapter_of

Metric = Literal["loss", "val_loss", "accuracy", "gap", "rise", "weight_norm", "unit_spread",
                 "std", "std_ratio", "saturated", "best_step"]


@dataclass(frozen=True)
class Claim:
    """``metric`` of run ``run`` at frame ``frame`` is below (or above) ``value``, in the
    scenario's race or, with ``variant``, in the race with those request fields replaced.

    Metrics: the training ``loss``, ``accuracy``, ``val_loss`` and the ``gap`` (validation
    minus training loss); ``rise``, the summed increases of the training loss over the whole
    race relative to its start (0 for a loss that only falls: mini-batch noise shows here);
    ``weight_norm``; ``unit_spread``, the largest difference between two units' incoming
    weights within a hidden layer (0: the units are copies); per-layer statistics at the
    frame (``std``, ``saturated`` — the dead share for ReLU —, and ``std_ratio``, layer
    ``layer``'s std over the first layer's); ``best_step``, the frame of lowest validation
    loss."""

    metric: Metric
    bound: Literal["below", "above"]
    value: float
    run: int = 0
    frame: int = -1
    layer: int = -1
    variant: Mapping[str, Any] | None = None

    def to_dict(self) -> dict:
        return {"metric": self.metric, "bound": self.bound, "value": self.value,
                "run": self.run, "frame": self.frame, "layer": self.layer,
                "variant": None if self.variant is None else dict(self.variant)}


@dataclass(frozen=True)
class NetworkScenario:
    id: str
    title: str
    topic: str
    question: str
    notice: str
    race: Mapping[str, Any]
    claims: tuple[Claim, ...]
    view: Literal["contour", "layers"] = "contour"
    statistic: Literal["std", "saturated", "grad_norm"] = "std"
    """what the Layers view's heat map colours when the scenario opens"""
    focus: str = ""
    """the label of the run the lesson follows (selected when it opens); empty: the first"""

    def request(self, variant: Mapping[str, Any] | None = None) -> dict:
        """The race as a request body of ``POST /api/v1/networks/races``, with ``variant``'s
        fields (mappings merged one level deep) in place."""
        body = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in self.race.items()}
        for key, value in (variant or {}).items():
            if isinstance(value, Mapping) and isinstance(body.get(key), Mapping):
                body[key] = {**body[key], **value}
            else:
                body[key] = value
        return body

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "topic": self.topic, "lab": "networks",
                "chapter": chapter_of(self.id), "question": self.question,
                "notice": self.notice, "focus": self.focus,
                "network": {"view": self.view, "statistic": self.statistic,
                            "request": self.request(),
                            "claims": [c.to_dict() for c in self.claims]}}


def engine_race(body: Mapping[str, Any]):
    """Run a request body with the engine (the API's own defaults for what it leaves out)."""
    from descentlab.engine import networks as nn

    dataset = body.get("dataset", {"id": "moons"})
    validation = body.get("validation") or {}
    return nn.network_race(
        {"id": dataset["id"], **(dataset.get("params") or {})}, body.get("architecture"),
        body["optimizers"], body.get("steps", 500), batch_size=body.get("batch_size"),
        seed=body.get("seed", 0), init_seed=body.get("init_seed", 0),
        validation=validation.get("fraction", 0.0), split_seed=validation.get("seed", 0),
        early_stopping=body.get("early_stopping"), statistics=body.get("statistics"))


def measure(result, claim: Claim) -> float:
    """The claim's metric on a computed race (``engine.networks.NetworkRaceResult``)."""
    o, t = claim.run, result.frame_index(claim.frame)
    simple = {"loss": result.loss, "accuracy": result.accuracy, "val_loss": result.val_loss,
              "gap": result.gap}
    if claim.metric in simple:
        return float(simple[claim.metric][o, t])
    if claim.metric == "rise":
        loss = result.loss[o]
        return float(np.sum(np.maximum(np.diff(loss), 0.0)) / loss[0])
    if claim.metric == "weight_norm":
        return float(np.linalg.norm(result.weights[o, t]))
    if claim.metric == "unit_spread":
        w = result.weights[o, t]
        return max((float(np.ptp(w[int(w0):int(b0)].reshape(int(n_out), int(n_in)), axis=0).max())
                    for n_in, n_out, w0, b0, _ri, _ro in result.architecture.layout()[:-1]),
                   default=0.0)
    if claim.metric == "best_step":
        return float(result.best_step[o])
    stats = result.statistics
    s = int(np.searchsorted(stats.frames, t, side="right")) - 1
    if claim.metric == "std_ratio":
        return float(stats.std[o, s, claim.layer] / stats.std[o, s, 0])
    return float({"std": stats.std, "saturated": stats.saturated}[claim.metric][o, s,
                                                                                claim.layer])


def check(scenario: NetworkScenario) -> list[tuple[Claim, float, bool]]:
    """Every claim of ``scenario`` with its measured value and whether it holds."""
    races: dict[str, Any] = {}
    out = []
    for claim in scenario.claims:
        key = repr(sorted((claim.variant or {}).items()))
        if key not in races:
            races[key] = engine_race(scenario.request(claim.variant))
        value = measure(races[key], claim)
        holds = value < claim.value if claim.bound == "below" else value > claim.value
        out.append((claim, value, bool(holds)))
    return out


def _opt(optimizer: str, label: str, **hyperparameters: float) -> dict:
    return {"id": optimizer, "label": label, "hyperparameters": hyperparameters}


def _deep(init: str, scale: float = 0.01, activation: str = "tanh") -> dict:
    """10 hidden layers of 64 on 128 moons points, statistics every 10 steps (within the
    compute budget with the page's 41 × 41 landscape)."""
    return {"dataset": {"id": "moons", "params": {"n": 128}},
            "architecture": {"hidden": [64] * 10, "activation": activation, "init": init,
                             "init_scale": scale},
            "optimizers": [_opt("adam", "Adam", lr=0.001)], "steps": 150,
            "statistics": {"every": 10}, "landscape": {"resolution": 21}}


_NOISY = {"id": "moons", "params": {"n": 64, "noise": 0.3, "seed": 1}}
_BIG = {"hidden": [64, 64], "activation": "tanh"}

# The gallery's order and chapters are the lesson plan's (engine/lesson_plan.py).
NETWORK_SCENARIOS: dict[str, NetworkScenario] = {s.id: s for s in (
    NetworkScenario(
        "net_batch_size", "Batch size: 1, 32 or all", "mini-batches",
        "Each step of SGD here sees one point. How will its loss curve look next to full-batch "
        "gradient descent at the same rate?",
        "With one point per step the loss jumps up and down all the way — its rises add up to "
        "several times its starting value — while the full batch (set batch off) falls "
        "smoothly. A batch of 32 sits between: less noise for 32 times the work of a step.",
        {"dataset": {"id": "moons"}, "architecture": {"hidden": [16, 16]},
         "optimizers": [_opt("sgd", "SGD", lr=0.1)], "steps": 300, "batch_size": 1},
        (Claim("rise", "above", 1.0), Claim("rise", "below", 0.01,
                                             variant={"batch_size": None}),
         Claim("rise", "below", 1.0, variant={"batch_size": 32}))),
    NetworkScenario(
        "net_overfit_early_stop", "Overfitting and early stopping", "generalization",
        "A 64-64 network, 32 noisy training points, 32 held out. Will the validation loss keep "
        "falling with the training loss?",
        "The training loss falls towards zero, but the validation loss turns and climbs after "
        "its best step (the ring): the network learns the noise. Early stopping with patience "
        "would have kept the weights of that step; the gap between the curves keeps growing.",
        {"dataset": _NOISY, "architecture": _BIG,
         "optimizers": [_opt("adam", "Adam", lr=0.01)], "steps": 600,
         "validation": {"fraction": 0.5, "seed": 0}},
        (Claim("best_step", "below", 300), Claim("gap", "above", 0.5),
         Claim("loss", "below", 0.05))),
    NetworkScenario(
        "net_weight_decay", "Weight decay keeps the weights small", "regularization",
        "The same network and data, with and without decoupled weight decay (AdamW). Which "
        "generalises better?",
        "With weight decay the weights stay markedly smaller (a norm near 15 against 24), the "
        "decision boundary is smoother and the validation loss ends lower: the gap between "
        "training and validation is a third of Adam's.",
        {"dataset": _NOISY, "architecture": _BIG,
         "optimizers": [_opt("adam", "Adam", lr=0.01),
                        _opt("adamw", "AdamW", lr=0.01, weight_decay=1.0)],
         "steps": 600, "validation": {"fraction": 0.5, "seed": 0}},
        (Claim("weight_norm", "below", 18.0, run=1),
         Claim("weight_norm", "above", 20.0, run=0),
         Claim("gap", "below", 0.4, run=1), Claim("gap", "above", 0.8, run=0)),
        focus="AdamW"),
    NetworkScenario(
        "net_dropout", "Dropout narrows the gap", "regularization",
        "Half the hidden units dropped at every step: does the network still fit the training "
        "points, and how does its validation loss compare?",
        "With dropout 0.5 the training loss stays higher but the validation loss ends lower "
        "than without (set dropout to 0): the generalisation gap is about a third smaller than "
        "the unregularised one.",
        {"dataset": _NOISY, "architecture": {**_BIG, "dropout": 0.5},
         "optimizers": [_opt("adam", "Adam", lr=0.01)], "steps": 600,
         "validation": {"fraction": 0.5, "seed": 0}},
        (Claim("gap", "below", 0.65),
         Claim("gap", "above", 0.8, variant={"architecture": {"dropout": 0.0}}))),
    NetworkScenario(
        "net_zero_init", "Zero initialisation never breaks symmetry", "initialization",
        "Every weight starts at 0. After 300 steps of Adam, how different are the units of a "
        "hidden layer?",
        "Not at all: every unit of a layer receives the same gradient, so they stay copies of "
        "each other (their weights agree to rounding) and the network is no better than one "
        "unit per layer — here it never leaves chance accuracy.",
        {"dataset": {"id": "moons"}, "architecture": {"hidden": [16, 16], "init": "zeros"},
         "optimizers": [_opt("adam", "Adam", lr=0.01)], "steps": 300},
        (Claim("unit_spread", "below", 1e-12), Claim("accuracy", "below", 0.6))),
    NetworkScenario(
        "net_deep_vanish", "10 tanh layers, N(0, 0.01²): activations vanish", "initialization",
        "Ten tanh layers of 64 units drawn from N(0, 0.01²). What happens to the activations "
        "from layer to layer?",
        "Each layer shrinks them about tenfold: by layer 10 their spread is below 10⁻⁶ (the "
        "Layers view, std) and so is the gradient reaching the first layers — the network "
        "cannot learn, its loss stays at ln 2.",
        _deep("normal", 0.01),
        (Claim("std", "below", 1e-6, frame=0, layer=9),
         Claim("loss", "above", 0.69)), view="layers"),
    NetworkScenario(
        "net_deep_saturate", "10 tanh layers, N(0, 1): units saturate", "initialization",
        "The same ten layers drawn from N(0, 1). Will the activations still vanish?",
        "The opposite: from the third layer on more than half of the outputs sit beyond ±0.99 "
        "(the histograms pile up at the ends, the saturated share is over 50 %), where "
        "tanh′ ≈ 0 and gradients die.",
        _deep("normal", 1.0),
        (Claim("saturated", "above", 0.5, frame=0, layer=2),
         Claim("saturated", "above", 0.5, frame=0, layer=9)), view="layers",
        statistic="saturated"),
    NetworkScenario(
        "net_deep_xavier", "10 tanh layers, Xavier: healthy", "initialization",
        "Now Xavier initialisation, variance 2/(fan in + fan out). Do the activations survive "
        "ten layers?",
        "Yes: every layer's spread stays of the same order (the last about a third of the "
        "first, where N(0, 0.01²) left 10⁻¹³), none saturates, and Adam trains the deep net.",
        _deep("xavier"),
        (Claim("std_ratio", "above", 0.3, frame=0, layer=9),
         Claim("saturated", "below", 0.01, frame=0, layer=9),
         Claim("loss", "below", 0.3)), view="layers"),
    NetworkScenario(
        "net_relu_he", "ReLU: Xavier or He?", "initialization",
        "Ten ReLU layers. Xavier's variance was worked out for tanh; does it suit ReLU, which "
        "zeroes half of its inputs?",
        "No: with Xavier each ReLU layer halves the variance, and by layer 10 the spread is a "
        "small fraction of the first layer's (switch init to Xavier). He initialisation "
        "doubles the variance to make up for it and keeps every layer alive.",
        _deep("he", activation="relu"),
        (Claim("std_ratio", "above", 0.3, frame=0, layer=9),
         Claim("std_ratio", "below", 0.1, frame=0, layer=9,
               variant={"architecture": {"init": "xavier"}})), view="layers"),
    NetworkScenario(
        "net_batch_norm", "Batch norm trains at a rate that fails without it", "normalization",
        "Ten tanh layers of 64 units, SGD with a learning rate of 1 on batches of 32. Without "
        "batch normalization that rate is far too large for so deep a net. What does "
        "normalising every layer change?",
        "With batch normalization the training loss falls almost to 0 and every point is "
        "classified; without it the same rate throws the weights about and accuracy stays at "
        "chance. Normalising each unit over the batch keeps tanh in its working range, whatever "
        "the weights do.",
        {"dataset": {"id": "moons", "params": {"n": 128}},
         "architecture": {"hidden": [64] * 10, "activation": "tanh", "batch_norm": True},
         "optimizers": [_opt("sgd", "SGD", lr=1.0)], "steps": 200, "batch_size": 32,
         "validation": {"fraction": 0.25, "seed": 0}, "statistics": {"every": 10},
         "landscape": {"resolution": 21}},
        (Claim("loss", "below", 0.05), Claim("accuracy", "above", 0.95),
         Claim("loss", "above", 1.0, variant={"architecture": {"batch_norm": False}}),
         Claim("accuracy", "below", 0.7, variant={"architecture": {"batch_norm": False}}))),
    NetworkScenario(
        "net_dead_relu", "Dead ReLUs after too large a step", "learning rate",
        "SGD with a learning rate of 4 on a ReLU network. What happens to its hidden units?",
        "The first large steps push many units below zero for every point: they die (Layers view, "
        "dead share: almost half of layer 2) and no gradient ever revives them. At a learning rate "
        "of 0.1 none die; at 8 all do and the network is stuck at chance.",
        {"dataset": {"id": "moons"}, "architecture": {"hidden": [32, 32], "activation": "relu"},
         "optimizers": [_opt("sgd", "SGD", lr=4.0)], "steps": 200,
         "statistics": {"every": 5}},
        (Claim("saturated", "above", 0.3, layer=1),
         Claim("saturated", "below", 0.1, layer=1,
               variant={"optimizers": [_opt("sgd", "SGD", lr=0.1)]})), view="layers",
        statistic="saturated"),
    NetworkScenario(
        "net_uncentred_inputs", "Inputs around 1000", "preprocessing",
        "The moons, shifted so that every input is near 1000. Can SGD or Adam train the "
        "network?",
        "Neither moves: every tanh unit saturates on inputs that large, the loss stays at "
        "ln 2. Tick 'standardise inputs' — zero mean, unit spread — and the same race trains "
        "at once. (The two-weight logistic regression with the same shift shows the ravine "
        "exactly.)",
        {"dataset": {"id": "moons", "params": {"shift": 1000}},
         "architecture": {"hidden": [16, 16]},
         "optimizers": [_opt("sgd", "SGD", lr=0.5), _opt("adam", "Adam", lr=0.01)],
         "steps": 300},
        (Claim("loss", "above", 0.69, run=0), Claim("loss", "above", 0.69, run=1),
         Claim("loss", "below", 0.3, run=1,
               variant={"dataset": {"id": "moons",
                                    "params": {"shift": 1000, "standardise": 1}}}))),
)}


def get_network_scenario(scenario_id: str) -> NetworkScenario:
    return lookup(NETWORK_SCENARIOS, scenario_id, "network scenario")
