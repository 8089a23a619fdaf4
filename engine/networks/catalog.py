"""What a UI or an API needs to offer network races: every choice with its allowed range."""

from __future__ import annotations

from descentlab.engine.networks.architecture import (
    ACTIVATIONS,
    INITS,
    MAX_DROPOUT,
    MAX_HIDDEN_LAYERS,
    MAX_INIT_SCALE,
    MAX_WIDTH,
    Architecture,
)
from descentlab.engine.networks.holdout import MAX_VALIDATION
from descentlab.engine.networks.landscapes import MAX_RESOLUTION as LANDSCAPE_RESOLUTION
from descentlab.engine.networks.race import MAX_STEPS
from descentlab.engine.networks.toy_data import DATASETS, MAX_POINTS
from descentlab.engine.networks.two_param import TWO_PARAM_NETS
from descentlab.engine.optimizers.catalog import DEFAULT_LINEUP, OPTIMIZERS

SUGGESTED_LR = {o.id: o.network_lr for o in OPTIMIZERS.values() if o.network_lr is not None}
"""Each optimizer's own ``network_lr``: it trains the default 2-16-16-1 net on the default
moons to 100 % in 500 full-batch steps, tanh and ReLU alike (the catalogue's defaults are
tuned for the 2-D lab: SGD at 0.01 barely moves a network). On spirals they separate the
optimizers."""


def catalogue() -> dict:
    """Datasets, activations, initialisations, architecture limits, race and landscape
    options, and the two-parameter networks, as plain JSON-ready data."""
    return {
        "datasets": [d.to_dict() for d in DATASETS.values()],
        "activations": [a.to_dict() for a in ACTIVATIONS.values()],
        "inits": [i.to_dict() for i in INITS.values()],
        "architecture": {
            "default": Architecture().to_dict(), "inputs": 2, "outputs": 1,
            "max_hidden_layers": MAX_HIDDEN_LAYERS, "width": {"min": 1, "max": MAX_WIDTH},
            "init_scale": {"min": 1e-4, "max": MAX_INIT_SCALE, "default": 0.01, "log": True,
                           "meaning": "σ of the 'normal' initialisation (every layer)"},
            "bias": {"min": -MAX_INIT_SCALE, "max": MAX_INIT_SCALE, "default": 0.0,
                     "meaning": "every bias's initial value (0.1 keeps ReLU units alive)"},
            "dropout": {"min": 0.0, "max": MAX_DROPOUT, "default": 0.0,
                        "meaning": "chance that a hidden unit is dropped in a training step "
                                   "(off at evaluation)"},
            "batch_norm": {"default": False,
                           "meaning": "normalise each hidden unit over the batch before its "
                                      "activation, then scale by γ and shift by β (learned); "
                                      "evaluation uses running averages"},
            "output": "one logit through a sigmoid; loss: mean binary cross-entropy",
        },
        "race": {
            "steps": {"min": 1, "max": MAX_STEPS, "default": 500},
            "batch_size": {"min": 1, "max": MAX_POINTS, "default": None,
                           "meaning": "points per mini-batch; null or ≥ n means full batch"},
            "seed": "draws the mini-batches and the gradient noise",
            "init_seed": "draws the initial weights",
            "gradient": ["clip_norm (over the whole weight vector)", "clip_value",
                         "noise_std"],
            "optimizers": "every optimizer of engine.optimizers() with a network_lr",
            "suggested_lr": dict(SUGGESTED_LR),
            "first_roster": list(DEFAULT_LINEUP),
            "validation": {
                "fraction": {"min": 0.0, "max": MAX_VALIDATION, "default": 0.0,
                             "meaning": "share of each class held out for validation (0: "
                                        "train on every point)"},
                "seed": "draws which points are held out",
            },
            "early_stopping": {
                "patience": {"min": 1, "max": MAX_STEPS, "default": None,
                             "meaning": "steps without a lower validation loss before "
                                        "training stops (empty: no early stopping)"},
                "stop": "stop the run there and keep its best weights (otherwise only mark "
                        "the step)",
            },
        },
        "landscape": {
            "planes": {
                "pca": "centred at the shared initialisation; top two principal directions "
                       "of all non-diverged paths",
                "random": "two filter-normalised Gaussian directions (Li et al., 2018) "
                          "centred at a run's final weights (default: lowest final loss)",
            },
            "resolution": {"min": 2, "max": LANDSCAPE_RESOLUTION, "default": 41},
        },
        "two_param_nets": [n.to_dict() for n in TWO_PARAM_NETS.values()],
    }
