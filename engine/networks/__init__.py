"""Optimizers racing on small neural networks, and the loss landscapes they cross.

A notebook needs only this module::

    from descentlab.engine import networks as nn
    data = nn.make_dataset("moons", n=256, noise=0.1, seed=0)
    arch = nn.Architecture(hidden=(16, 16), activation="tanh")
    r = nn.network_race(data, arch, ["sgd", ("adam", {"lr": 0.01})], steps=500,
                        batch_size=32, seed=0, init_seed=0)
    r.loss, r.accuracy          # (optimizers, steps + 1) on the full training set
    r.weights                   # (optimizers, steps + 1, parameters)
    alpha, beta, loss, paths = nn.landscape(r, plane="pca", resolution=41)
    b = nn.decision_boundary(r, run="Adam", frame=100)   # b.probability over b.x, b.y
    nn.check_network_gradient(r, "Adam", 100)   # backprop against finite differences
    nn.network_outcomes(r)      # converged / diverged / unfinished, per run
    nn.two_param_nets()         # the exact 2-D network losses (saddle, plateau, no minimum)
    nn.catalogue()              # every choice and range, for an API

The weights are one flat float64 vector, so every optimizer of ``engine.optimizers`` —
written once for a flat vector — trains a network unchanged.

Names are loaded on first use: the surface catalogue can import
``engine.networks.two_param_formulas`` while ``engine`` itself is still importing, without
this package pulling in the race machinery (``engine.race`` imports the surfaces).
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    ".architecture": ("ACTIVATIONS", "INITS", "Activation", "Architecture",
                                     "Init", "count_params", "count_running"),
    ".boundary": ("Boundary", "class_probability", "decision_boundary"),
    ".catalog": ("catalogue",),
    ".gradient_check": ("NetworkGradientCheck", "check_network_gradient"),
    ".holdout": ("EarlyStopping", "split"),
    ".toy_data": ("DATASETS", "Dataset", "DatasetSpec", "make_dataset"),
    ".landscapes": ("Landscape", "check_landscape", "landscape"),
    ".outcome": ("NetworkOutcome", "network_outcomes"),
    ".planes": ("Plane",),
    ".statistics": ("LayerStatistics", "StatisticsOptions", "layer_statistics"),
    ".race": ("NetworkRaceResult", "NetworkRaceSession", "network_race",
                             "network_session"),
    ".two_param": ("TWO_PARAM_NETS", "TwoParamNet", "get_two_param_net",
                                  "max_margin_direction"),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
    value = getattr(import_module(_HOME[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def datasets() -> list:
    """The dataset families (``DatasetSpec``), in display order."""
    return list(import_module(".toy_data", __name__).DATASETS.values())


def activations() -> list:
    """The hidden-layer activations (``Activation``)."""
    return list(import_module(".architecture", __name__).ACTIVATIONS.values())


def two_param_nets() -> list:
    """The networks with two weights (``TwoParamNet``), whose loss over the plane is exact."""
    return list(import_module(".two_param", __name__).TWO_PARAM_NETS.values())


__all__ = [*sorted(_HOME), "activations", "datasets", "two_param_nets"]
