"""A small multilayer perceptron: its shape, its activation, its flat weight vector.

The weights live in ONE float64 vector so that every optimizer kernel of
``engine.optimizers.kernels`` applies to a network unchanged. Layer by layer it holds the
weight matrix W (out × in, row-major) and then the bias b (out): row j of W is the "filter"
of hidden unit j, the piece that filter normalisation (Li et al., 2018) rescales.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from descentlab.engine.errors import keyed, lookup

# Activation codes the compiled kernels dispatch on: append, never renumber.
TANH = 0
RELU = 1
SIGMOID = 2
LEAKY_RELU = 3
ELU = 4

LEAKY_SLOPE = 0.01
"""Leaky ReLU's slope for z < 0 (torch's default ``negative_slope``)."""
ELU_ALPHA = 1.0
"""ELU's α: the value it tends to as z → −∞ is −α (torch's default)."""

MAX_INIT_SCALE = 10.0
MAX_DROPOUT = 0.9
"""At most 90 % of a layer's units dropped: at p → 1 the kept units' scale 1/(1 − p) blows up."""
MAX_HIDDEN_LAYERS = 10
MAX_WIDTH = 128
INPUTS = 2
OUTPUTS = 1


@dataclass(frozen=True)
class Activation:
    """A hidden-layer nonlinearity, with the initialisation the lectures pair it with."""

    id: str
    code: int
    name: str
    formula: str
    derivative: str
    init: str
    note: str

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "formula": self.formula,
                "derivative": self.derivative, "init": self.init, "note": self.note}


ACTIVATIONS: dict[str, Activation] = {a.id: a for a in (
    Activation("tanh", TANH, "tanh", r"\tanh z", r"1 - \tanh^2 z", "xavier",
               "Zero-centred and smooth; saturates for |z| ≳ 3, where its gradient vanishes."),
    Activation("relu", RELU, "ReLU", r"\max(0, z)", r"[z > 0]", "he",
               "Does not saturate for z > 0; a unit whose input stays negative is dead "
               "(zero gradient). The derivative at the kink z = 0 is taken as 0, as torch."),
    Activation("sigmoid", SIGMOID, "sigmoid", r"\sigma(z) = 1/(1 + e^{-z})",
               r"\sigma(z)(1 - \sigma(z))", "xavier",
               "Not zero-centred and its derivative is at most 1/4: gradients shrink layer "
               "by layer, the vanishing-gradient problem of deep sigmoid nets."),
    Activation("leaky_relu", LEAKY_RELU, "Leaky ReLU", r"\max(0.01\,z,\ z)",
               r"1 \text{ if } z > 0 \text{ else } 0.01", "he",
               "ReLU with a small slope (0.01) for z < 0: no unit is ever dead, since every "
               "unit passes some gradient back. The slope at z = 0 is taken as 0.01, as torch."),
    Activation("elu", ELU, "ELU", r"z \text{ if } z > 0 \text{ else } e^{z} - 1",
               r"1 \text{ if } z > 0 \text{ else } e^{z}", "he",
               "Smooth for z < 0, where it tends to −1: mean activations nearer zero than "
               "ReLU's, and no dead units (Clevert et al. 2016; α = 1)."),
)}


@dataclass(frozen=True)
class Init:
    """A weight initialisation scheme.

    ``whole_network`` schemes (zeros, N(0, σ²)) are about the whole net's symmetry or scale,
    so they draw the output layer too; the others draw the hidden layers, and the output, a
    logistic unit, takes Xavier. ``scaled`` schemes read σ from the architecture.
    """

    id: str
    name: str
    formula: str
    note: str
    spread: Callable[[int, int, float], tuple[str, float]]
    whole_network: bool = False
    scaled: bool = False

    def draw(self, rng: np.random.Generator, fan_in: int, fan_out: int,
             scale: float) -> np.ndarray:
        law, width = self.spread(fan_in, fan_out, scale)
        if law == "uniform":
            return rng.uniform(-width, width, size=(fan_out, fan_in))
        if width == 0.0:
            return np.zeros((fan_out, fan_in))
        return rng.normal(0.0, width, size=(fan_out, fan_in))

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "formula": self.formula, "note": self.note,
                "whole_network": self.whole_network, "scaled": self.scaled}


INITS: dict[str, Init] = {i.id: i for i in (
    Init("xavier", "Xavier/Glorot (uniform)",
         r"W_{jk} \sim U\left(-\sqrt{6/(n_{in}+n_{out})},\ \sqrt{6/(n_{in}+n_{out})}\right)",
         "Glorot & Bengio (2010): keeps the variance of activations and of gradients "
         "roughly constant through tanh (and sigmoid) layers.",
         lambda n_in, n_out, _s: ("uniform", math.sqrt(6.0 / (n_in + n_out)))),
    Init("xavier_normal", "Xavier/Glorot (normal)",
         r"W_{jk} \sim \mathcal N\left(0,\ 2/(n_{in}+n_{out})\right)",
         "The same variance as Xavier's uniform draw, from a normal distribution.",
         lambda n_in, n_out, _s: ("normal", math.sqrt(2.0 / (n_in + n_out)))),
    Init("he", "He/Kaiming (normal)", r"W_{jk} \sim \mathcal N(0,\ 2/n_{in})",
         "He et al. (2015): the factor 2 makes up for ReLU zeroing half of its inputs.",
         lambda n_in, _n_out, _s: ("normal", math.sqrt(2.0 / n_in))),
    Init("he_uniform", "He/Kaiming (uniform)",
         r"W_{jk} \sim U\left(-\sqrt{6/n_{in}},\ \sqrt{6/n_{in}}\right)",
         "He's variance 2/n_in from a uniform draw.",
         lambda n_in, _n_out, _s: ("uniform", math.sqrt(6.0 / n_in))),
    Init("lecun", "LeCun (normal)", r"W_{jk} \sim \mathcal N(0,\ 1/n_{in})",
         "LeCun et al. (1998): unit variance of each pre-activation when the inputs have "
         "unit variance.",
         lambda n_in, _n_out, _s: ("normal", math.sqrt(1.0 / n_in))),
    Init("normal", "N(0, σ²), every layer", r"W_{jk} \sim \mathcal N(0,\ \sigma^2)",
         "One σ for every layer, whatever its width: too small and the activations shrink "
         "layer by layer towards zero, too large and tanh units saturate.",
         lambda _n_in, _n_out, s: ("normal", s), whole_network=True, scaled=True),
    Init("zeros", "zeros, every layer", r"W_{jk} = 0",
         "Every unit of a layer starts alike, receives the same gradient and stays alike: "
         "the symmetry never breaks, and the layer acts as a single unit.",
         lambda _n_in, _n_out, _s: ("normal", 0.0), whole_network=True),
)}


def count_params(hidden: Sequence[int], batch_norm: bool = False) -> int:
    """Weights and biases of a 2 → hidden → 1 network (and γ, β of every hidden unit with
    batch normalization), by arithmetic alone: a server can price a request before
    anything checks its widths."""
    sizes = (INPUTS, *(int(w) for w in hidden), OUTPUTS)
    norm = 2 * sum(int(w) for w in hidden) if batch_norm else 0
    return sum(a * b + b for a, b in pairwise(sizes)) + norm


def count_running(hidden: Sequence[int], batch_norm: bool = False) -> int:
    """Numbers in batch normalization's running statistics (a mean and a variance at every
    unit row, as :meth:`Architecture.running_start`; none without it), by arithmetic alone."""
    return 2 * (INPUTS + sum(int(w) for w in hidden) + OUTPUTS) if batch_norm else 0


@dataclass(frozen=True)
class Architecture:
    """2 inputs → hidden layers → 1 logit, read through a sigmoid (binary cross-entropy).

    ``init="auto"`` takes the activation's own scheme (Xavier for tanh and sigmoid, He for
    ReLU) for the hidden layers; the output layer, a logistic unit, always uses Xavier.
    """

    hidden: tuple[int, ...] = (16, 16)
    activation: str = "tanh"
    init: str = "auto"
    init_scale: float = 0.01
    """σ of the ``normal`` scheme."""
    bias: float = 0.0
    """Every bias's first value (e.g. 0.1, so that ReLU units start alive)."""
    dropout: float = 0.0
    """p, the probability that a hidden unit is dropped in a training step (0: none)."""
    batch_norm: bool = False
    """Batch normalization before every hidden activation (``engine.networks.batchnorm``)."""

    def __post_init__(self) -> None:
        try:
            hidden = tuple(int(w) for w in self.hidden)
        except (TypeError, ValueError):
            raise keyed("network.hidden_not_list", "hidden must be a list of layer widths",
                        field="hidden") from None
        object.__setattr__(self, "hidden", hidden)
        object.__setattr__(self, "batch_norm", bool(self.batch_norm))
        if len(hidden) > MAX_HIDDEN_LAYERS or any(not 1 <= w <= MAX_WIDTH for w in hidden):
            raise keyed("network.hidden_range", "hidden takes at most {layers} layers of 1 to "
                        "{width} units, got {got}", field="hidden", layers=MAX_HIDDEN_LAYERS,
                        width=MAX_WIDTH, got=list(hidden))
        lookup(ACTIVATIONS, self.activation, "activation", field="activation")
        if self.init != "auto":
            lookup(INITS, self.init, "initialisation", field="init")
        if not 0.0 < self.init_scale <= MAX_INIT_SCALE:  # NaN fails too
            raise keyed("network.init_scale_range", "init_scale (σ) must be above 0 and at "
                        "most {high}, got {got}", field="init_scale", high=f"{MAX_INIT_SCALE:g}",
                        got=repr(self.init_scale))
        if not 0.0 <= self.dropout <= MAX_DROPOUT:
            raise keyed("network.dropout_range", "dropout must lie in [0, {high}], got {got}",
                        field="dropout", high=f"{MAX_DROPOUT:g}", got=repr(self.dropout))
        if not -MAX_INIT_SCALE <= self.bias <= MAX_INIT_SCALE:
            raise keyed("network.bias_range", "bias must lie in [−{high}, {high}], got {got}",
                        field="bias", high=f"{MAX_INIT_SCALE:g}", got=repr(self.bias))

    @classmethod
    def from_spec(cls, spec: Architecture | Mapping) -> Architecture:
        """An Architecture, or a mapping such as ``{"hidden": [16, 16], "activation": "relu"}``."""
        if isinstance(spec, Architecture):
            return spec
        if not isinstance(spec, Mapping):
            raise keyed("network.architecture_type", "an architecture is Architecture(...) or a "
                        "mapping", field="architecture")
        unknown = set(spec) - {"hidden", "activation", "init", "init_scale", "bias", "dropout",
                               "batch_norm"}
        if unknown:
            raise keyed("network.architecture_fields", "unknown architecture field(s): "
                        "{fields}", field="architecture", fields=", ".join(sorted(unknown)))
        return cls(tuple(spec.get("hidden", (16, 16))), str(spec.get("activation", "tanh")),
                   str(spec.get("init", "auto")), float(spec.get("init_scale", 0.01)),
                   float(spec.get("bias", 0.0)), float(spec.get("dropout", 0.0)),
                   bool(spec.get("batch_norm", False)))

    @property
    def sizes(self) -> tuple[int, ...]:
        return (INPUTS, *self.hidden, OUTPUTS)

    @property
    def activation_code(self) -> int:
        return ACTIVATIONS[self.activation].code

    @property
    def hidden_init(self) -> Init:
        return INITS[ACTIVATIONS[self.activation].init if self.init == "auto" else self.init]

    @property
    def n_params(self) -> int:
        return count_params(self.hidden, self.batch_norm)

    @property
    def units(self) -> int:
        """Rows of the kernels' activation buffer: every layer's units, inputs included."""
        return sum(self.sizes)

    def layout(self) -> np.ndarray:
        """One row per layer: (n_in, n_out, W offset, b offset, first input row, first output
        row), the offsets into the weight vector and the rows into the activation buffer."""
        rows, offset, row = [], 0, 0
        s = self.sizes
        for n_in, n_out in pairwise(s):
            rows.append((n_in, n_out, offset, offset + n_in * n_out, row, row + n_in))
            offset += n_in * n_out + n_out
            row += n_in
        return np.array(rows, dtype=np.int64)

    def norm_layout(self) -> np.ndarray:
        """Per layer, the offset of its γ in the weight vector (β follows, one per unit), or
        −1 where there is no batch normalization (always for the output layer). γ and β of
        all hidden layers sit after the last layer's bias, in layer order."""
        offsets = np.full(len(self.sizes) - 1, -1, dtype=np.int64)
        if self.batch_norm:
            offset = count_params(self.hidden)
            for layer, width in enumerate(self.hidden):
                offsets[layer] = offset
                offset += 2 * width
        return offsets

    def running_start(self) -> np.ndarray:
        """Running mean 0 and variance 1 at every unit row (2, units), as torch starts them;
        (2, 0) without batch normalization."""
        units = count_running(self.hidden, self.batch_norm) // 2
        return np.stack([np.zeros(units), np.ones(units)])

    def filters(self) -> list[tuple[int, int, int]]:
        """(start, length, layer) of every row of every W: one incoming-weight filter per unit."""
        return [(int(w0) + j * int(n_in), int(n_in), layer)
                for layer, (n_in, n_out, w0, _b0, _ri, _ro) in enumerate(self.layout())
                for j in range(int(n_out))]

    def bias_mask(self) -> np.ndarray:
        """True at the biases of the weight vector, and at batch normalization's γ and β (Li
        et al.'s ``ignore='biasbn'``: a filter-normalised direction leaves them alone)."""
        mask = np.zeros(self.n_params, dtype=bool)
        for _n_in, n_out, _w0, b0, _ri, _ro in self.layout():
            mask[b0:b0 + n_out] = True
        mask[count_params(self.hidden):] = True
        return mask

    def init_weights(self, seed: int = 0) -> np.ndarray:
        """Seeded initial weights: hidden layers by ``hidden_init``, the output by Xavier
        (or by the scheme, for a whole-network one); every bias ``bias``; with batch
        normalization γ = 1 and β = 0 (the identity, as torch)."""
        rng = np.random.default_rng(int(seed))
        s = self.sizes
        hidden = self.hidden_init
        output = hidden if hidden.whole_network else INITS["xavier"]
        parts = []
        for layer, (n_in, n_out) in enumerate(pairwise(s)):
            scheme = output if layer == len(s) - 2 else hidden
            parts += [scheme.draw(rng, n_in, n_out, self.init_scale).ravel(),
                      np.full(n_out, self.bias)]
        if self.batch_norm:
            for width in self.hidden:
                parts += [np.ones(width), np.zeros(width)]
        return np.concatenate(parts)

    def unflatten(self, weights: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(W, b) of each layer as views into ``weights``, for reading in a notebook."""
        w = np.asarray(weights)
        if w.shape != (self.n_params,):
            raise keyed("network.weights_shape", "expected {count} weights, got shape {shape}",
                        field="weights", count=self.n_params, shape=w.shape)
        return [(w[w0:b0].reshape(n_out, n_in), w[b0:b0 + n_out])
                for n_in, n_out, w0, b0, _ri, _ro in self.layout()]

    def norm_params(self, weights: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(γ, β) of each hidden layer as views into ``weights`` (none without batch norm)."""
        w = np.asarray(weights)
        return [(w[g0:g0 + width], w[g0 + width:g0 + 2 * width])
                for g0, width in zip(self.norm_layout(), self.hidden, strict=False) if g0 >= 0]

    def to_dict(self) -> dict:
        return {"hidden": list(self.hidden), "activation": self.activation,
                "init": self.init, "hidden_init": self.hidden_init.id,
                "init_scale": self.init_scale, "bias": self.bias, "dropout": self.dropout,
                "batch_norm": self.batch_norm,
                "sizes": list(self.sizes), "n_params": self.n_params}
