"""Networks with exactly two weights: their whole parameter space is the plane, so a contour
plot of the loss is exact and no projection is needed.

* ``linear_net``: y = w₂·w₁·x fitted to y = x — a saddle at the origin and a hyperbola of
  minima w₁w₂ = 1 (the rescaling symmetry of weight space).
* ``neuron``: one tanh neuron (w, b) fitted to a teacher neuron — a clean minimum and wide
  plateaus where the neuron saturates.
* ``logistic``: logistic regression with two weights on separable data — no finite
  minimum: the weights grow for ever along the max-margin direction.

Each is described the way ``engine.surfaces`` describes a surface (formula, slider
parameters, view box, starts, critical points, note) and carries its compiled
``fg``/``h`` (``engine.networks.two_param_formulas``). The slider parameters make a seeded
dataset; ``data_vector`` turns it into the ``p`` the formulas read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from descentlab.engine.critical_points import Formula, newton
from descentlab.engine.errors import lookup
from descentlab.engine.networks import preprocessing
from descentlab.engine.networks import two_param_formulas as F
from descentlab.engine.params import Param, param_vector
from descentlab.engine.surfaces.spec import CriticalPoint

Values = dict[str, float]
Data = dict[str, np.ndarray]

SOUDRY = ("Soudry, Hoffer, Nacson, Gunasekar & Srebro, The implicit bias of gradient descent "
          "on separable data, JMLR 19 (2018)")
SAXE = ("Saxe, McClelland & Ganguli, Exact solutions to the nonlinear dynamics of learning in "
        "deep linear neural networks, ICLR (2014)")
DEEP_LEARNING = "Goodfellow, Bengio & Courville, Deep Learning (MIT Press, 2016)"


def _n(default: int, low: int = 4, high: int = 256) -> Param:
    return Param("n", default, low, high, "number of data points")


def _seed() -> Param:
    return Param("seed", 0, 0, 2**31 - 1, "seed of the random generator")


# linear_net ---------------------------------------------------------------------------

def _linear_data(v: Values) -> Data:
    rng = np.random.default_rng(int(v["seed"]))
    x = rng.normal(size=int(v["n"]))
    return {"x": x, "y": x + v["noise"] * rng.normal(size=x.size)}


def _linear_vector(d: Data) -> np.ndarray:
    x, y = d["x"], d["y"]
    return np.array([np.mean(x * x), np.mean(x * y), np.mean(y * y)])


def _linear_points(v: Values, p: np.ndarray) -> tuple[CriticalPoint, ...]:
    """The saddle at the origin and two points of the hyperbola w₁w₂ = u* = Sxy/Sxx."""
    sxx, sxy, syy = p
    u = sxy / sxx
    best = 0.5 * (syy - sxy * u)
    r = math.sqrt(abs(u))
    s = 1.0 if u >= 0 else -1.0
    return (CriticalPoint(r, s * r, float(best), "global_min"),
            CriticalPoint(-r, -s * r, float(best), "global_min"),
            CriticalPoint(0.0, 0.0, float(0.5 * syy), "saddle"))


# neuron -------------------------------------------------------------------------------

def _neuron_data(v: Values) -> Data:
    rng = np.random.default_rng(int(v["seed"]))
    x = rng.uniform(-2.0, 2.0, size=int(v["n"]))
    y = np.tanh(v["teacher_w"] * x + v["teacher_b"]) + v["noise"] * rng.normal(size=x.size)
    return {"x": x, "y": y}


def _pair_vector(d: Data) -> np.ndarray:
    return np.concatenate([d["x"], d["y"]])


def _neuron_points(v: Values, p: np.ndarray) -> tuple[CriticalPoint, ...]:
    """The minimum, found by Newton's method from the teacher (exact when noise = 0)."""
    w, b = newton(F.neuron_fg, F.neuron_h, v["teacher_w"], v["teacher_b"], p)
    return (CriticalPoint(float(w), float(b), float(F.neuron_fg(w, b, p)[0]), "global_min"),)


# logistic -----------------------------------------------------------------------------

LOGISTIC_MEAN = np.array([1.0, 0.6])
LOGISTIC_MARGIN = 0.15


def _logistic_data(v: Values) -> Data:
    """Two Gaussian clouds at ±mean, keeping only points at least LOGISTIC_MARGIN on their
    side of the line through the origin perpendicular to the mean: separable by design —
    then shifted, scaled and standardised as the network datasets are
    (``engine.networks.preprocessing``; a shift leaves them separable only by a line that
    misses the origin, so the loss then has a minimum)."""
    rng = np.random.default_rng(int(v["seed"]))
    n = int(v["n"])
    labels = np.where(np.arange(n) < n // 2, -1.0, 1.0)
    u = LOGISTIC_MEAN / np.linalg.norm(LOGISTIC_MEAN)
    points = np.empty((n, 2))
    for i, s in enumerate(labels):
        while True:
            x = s * LOGISTIC_MEAN + v["spread"] * rng.normal(size=2)
            if s * (x @ u) >= LOGISTIC_MARGIN:
                points[i] = x
                break
    points = preprocessing.transform(points, v)
    if v["standardise"]:
        points = preprocessing.standardise(points, *preprocessing.standardiser(points))
    return {"points": points, "labels": labels}


def _logistic_vector(d: Data) -> np.ndarray:
    z = d["labels"][:, None] * d["points"]
    return np.concatenate([z[:, 0], z[:, 1]])


def _no_points(v: Values, p: np.ndarray) -> tuple[CriticalPoint, ...]:
    return ()


def max_margin_direction(p: np.ndarray) -> np.ndarray:
    """The unit u maximising min_i u·z_i (the hard-margin separator through the origin).

    In the plane the optimum is either some z_i's own direction or a direction where two
    constraints tie, u ⊥ z_i − z_j; checking all of them is exact.
    """
    z = p.reshape(2, -1).T
    angles = list(np.arctan2(z[:, 1], z[:, 0]))
    for i in range(len(z)):
        for j in range(i + 1, len(z)):
            d = z[i] - z[j]
            base = math.atan2(d[1], d[0]) + 0.5 * math.pi
            angles += [base, base + math.pi]
    dirs = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    margins = (dirs @ z.T).min(axis=1)
    return dirs[int(np.argmax(margins))]


@dataclass(frozen=True)
class TwoParamNet:
    """A two-weight network described like a catalogue surface."""

    id: str
    name: str
    latex: str
    plain: str
    axes: tuple[str, str]
    tags: tuple[str, ...]
    params: tuple[Param, ...]
    view: tuple[float, float, float, float]
    starts: tuple[tuple[float, float], ...]
    note: str
    fg: Formula
    h: Formula
    make_data: Callable[[Values], Data]
    to_vector: Callable[[Data], np.ndarray]
    points: Callable[[Values, np.ndarray], tuple[CriticalPoint, ...]]
    references: tuple[str, ...] = field(default=())

    def param_vector(self, overrides: Mapping[str, float] | None = None) -> np.ndarray:
        """Slider values in catalogue order, like ``Surface.param_vector``."""
        return param_vector(self.params, overrides, f"network '{self.id}'")

    def _values(self, pvec: np.ndarray) -> Values:
        return {p.name: float(v) for p, v in zip(self.params, pvec, strict=True)}

    def data(self, pvec: np.ndarray) -> Data:
        """The seeded dataset the sliders describe, for display."""
        return self.make_data(self._values(pvec))

    def data_vector(self, pvec: np.ndarray) -> np.ndarray:
        """The ``p`` that ``fg`` and ``h`` read."""
        return np.ascontiguousarray(self.to_vector(self.data(pvec)), dtype=np.float64)

    def critical_points(self, pvec: np.ndarray) -> tuple[CriticalPoint, ...]:
        return self.points(self._values(pvec), self.data_vector(pvec))

    def value_grad(self, w: np.ndarray, pvec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Loss (m,) and gradient (m, 2) at each row of ``w`` (m, 2), for notebooks and tests."""
        p = self.data_vector(pvec)
        rows = np.array([self.fg(float(a), float(b), p) for a, b in np.asarray(w, float)])
        return rows[:, 0], rows[:, 1:]

    def hessian(self, w: np.ndarray, pvec: np.ndarray) -> np.ndarray:
        """(∂11, ∂12, ∂22) at each row of ``w``: shape (m, 3)."""
        p = self.data_vector(pvec)
        return np.array([self.h(float(a), float(b), p) for a, b in np.asarray(w, float)])

    def to_dict(self) -> dict:
        pvec = self.param_vector()
        data = {k: v.tolist() for k, v in self.data(pvec).items()}
        return {"id": self.id, "name": self.name, "latex": self.latex, "formula": self.plain,
                "axes": list(self.axes), "tags": list(self.tags),
                "params": [p.to_dict() for p in self.params],
                "view": {"x": list(self.view[:2]), "y": list(self.view[2:])},
                "starts": [list(s) for s in self.starts], "note": self.note,
                "critical_points": [c.to_dict() for c in self.critical_points(pvec)],
                "data": data, "references": list(self.references)}


TWO_PARAM_NETS: dict[str, TwoParamNet] = {n.id: n for n in (
    TwoParamNet(
        id="linear_net", name="Two-layer linear net",
        latex=r"\tfrac{1}{2n}\sum_i \left(w_2 w_1 x_i - y_i\right)^2,\quad y_i = x_i",
        plain="mean((w2*w1*x - y)**2)/2", axes=("w1", "w2"),
        tags=("network", "saddle", "symmetry", "non-convex"),
        params=(_n(32), Param("noise", 0.0, 0.0, 1.0,
                              "standard deviation of noise added to the targets y = x"),
                _seed()),
        view=(-2.5, 2.5, -2.5, 2.5),
        starts=((1.5, -1.5), (1.5, -1.4), (0.2, 2.2), (-2.0, -0.3)),
        note=("The smallest deep network: two weights in series. Every point of the "
              "hyperbola w₁w₂ = 1 fits the data equally well — scale w₁ by c and w₂ by 1/c "
              "— so the minima form a valley, not a point, and the origin, where both "
              "weights vanish, is a saddle. Gradient flow keeps w₁² − w₂² constant, so each "
              "path follows its own hyperbola to the valley: a balanced start ends at "
              "(1, 1), an unbalanced one far along the valley. Started exactly on the "
              "anti-diagonal w₁ = −w₂ every optimizer walks straight into the saddle; a "
              "hair off it, it lingers there before escaping."),
        fg=F.linear_net_fg, h=F.linear_net_h, make_data=_linear_data,
        to_vector=_linear_vector, points=_linear_points,
        references=(SAXE, DEEP_LEARNING + ", §8.2.3")),
    TwoParamNet(
        id="neuron", name="One tanh neuron",
        latex=r"\tfrac{1}{2n}\sum_i \left(\tanh(w x_i + b) - y_i\right)^2,"
              r"\quad y_i = \tanh(w^\star x_i + b^\star)",
        plain="mean((tanh(w*x + b) - y)**2)/2", axes=("w", "b"),
        tags=("network", "plateau", "saturation", "non-convex"),
        params=(_n(16, 2), Param("teacher_w", 1.5, -3.0, 3.0, "the teacher's weight w*"),
                Param("teacher_b", -0.5, -2.0, 2.0, "the teacher's bias b*"),
                Param("noise", 0.0, 0.0, 0.3, "standard deviation of noise on the targets"),
                _seed()),
        view=(-5.0, 5.0, -5.0, 5.0),
        starts=((-0.5, 4.0), (-4.0, -1.0), (0.0, 0.0)),
        note=("A single tanh neuron learning from a teacher neuron on points x ∈ [−2, 2]. "
              "Where |w·x + b| is large for every point the neuron saturates: its output "
              "is stuck at ±1, tanh′ ≈ 0 and the loss is a flat plateau (start at "
              "(−0.5, 4): the gradient is 10⁻³) that a plain gradient step hardly moves on "
              "— the reason for careful initialisation. Adaptive methods divide by the "
              "tiny gradient's own size and cross the plateau at full speed. The minimum "
              "sits at the teacher, at the end of a long curved valley."),
        fg=F.neuron_fg, h=F.neuron_h, make_data=_neuron_data, to_vector=_pair_vector,
        points=_neuron_points, references=(DEEP_LEARNING + ", §6.3 and §8.2",)),
    TwoParamNet(
        id="logistic", name="Logistic regression on separable data",
        latex=r"\tfrac1n\sum_i \log\left(1 + e^{-s_i\, w\cdot x_i}\right)",
        plain="mean(log(1 + exp(-s*(w1*x1 + w2*x2))))", axes=("w1", "w2"),
        tags=("network", "no-minimum", "implicit-bias", "convex"),
        params=(_n(16), Param("spread", 0.6, 0.1, 1.5,
                              "standard deviation of each class's cloud"), _seed(),
                *preprocessing.PARAMS),
        view=(-4.0, 8.0, -4.0, 8.0),
        starts=((0.0, 0.0), (-3.0, 6.0), (6.0, -3.0)),
        note=("Convex, but with no minimum: the two classes (±1, labels folded into the "
              "points) can be separated by a line through the origin, so scaling up any "
              "separating w lowers the loss towards 0 without ever reaching it. Gradient "
              "descent runs off to infinity — its norm grows like log t — while its "
              "direction turns, ever more slowly, towards the max-margin separator (the "
              "hard-margin SVM). No optimizer converges here, and 'converged' would be a "
              "statement about a stopping rule."),
        fg=F.logistic_fg, h=F.logistic_h, make_data=_logistic_data,
        to_vector=_logistic_vector, points=_no_points, references=(SOUDRY,)),
)}


def get_two_param_net(net_id: str) -> TwoParamNet:
    return lookup(TWO_PARAM_NETS, net_id, "two-parameter network")
