"""Seeded two-class datasets on the plane: moons, circles, XOR, spirals, blobs.

Generated with numpy from a seed (no downloads), balanced (⌊n/2⌋ points of class 0, the
rest class 1) and centred near the origin, within about ±1.5, so one view box and one
initialisation scale serve them all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from descentlab.engine.errors import EngineError, keyed, lookup
from descentlab.engine.networks import preprocessing
from descentlab.engine.params import Param, resolve

Generator = Callable[[np.random.Generator, int, int, dict[str, float]], np.ndarray]

MAX_POINTS = 2048


@dataclass(frozen=True)
class Dataset:
    """Points ``X`` (n, 2) with labels ``y`` (n,) in {0., 1.}, and how they were made."""

    id: str
    X: np.ndarray
    y: np.ndarray
    params: dict[str, float] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.y.size)

    @property
    def columns(self) -> np.ndarray:
        """The points as columns (2, n): the layout the compiled kernels read."""
        return np.ascontiguousarray(self.X.T)

    @property
    def view(self) -> tuple[float, float, float, float]:
        """A square box around the points with a margin, for decision-boundary plots."""
        lo, hi = self.X.min(axis=0), self.X.max(axis=0)
        centre = (lo + hi) / 2.0
        half = 0.6 * float(np.max(hi - lo)) + 0.1
        return (float(centre[0] - half), float(centre[0] + half),
                float(centre[1] - half), float(centre[1] + half))

    @property
    def standardising(self) -> bool:
        return bool(self.params.get("standardise", 0.0))

    def standardised(self, mean: np.ndarray, std: np.ndarray) -> Dataset:
        """The same points, each input minus ``mean`` and divided by ``std``."""
        return Dataset(self.id, preprocessing.standardise(self.X, mean, std), self.y,
                       self.params)

    def to_dict(self) -> dict:
        return {"id": self.id, "params": dict(self.params), "points": self.X.tolist(),
                "labels": self.y.astype(int).tolist(), "view": list(self.view)}


def _moons(rng: np.random.Generator, n0: int, n1: int, p: dict[str, float]) -> np.ndarray:
    outer = np.linspace(0.0, np.pi, n0)
    inner = np.linspace(0.0, np.pi, n1)
    return np.concatenate([np.stack([np.cos(outer), np.sin(outer)], axis=1),
                           np.stack([1.0 - np.cos(inner), 0.5 - np.sin(inner)], axis=1)]
                          ) - np.array([0.5, 0.25])


def _circles(rng: np.random.Generator, n0: int, n1: int, p: dict[str, float]) -> np.ndarray:
    outer = np.linspace(0.0, 2.0 * np.pi, n0, endpoint=False)
    inner = np.linspace(0.0, 2.0 * np.pi, n1, endpoint=False)
    r = p["factor"]
    return np.concatenate([np.stack([np.cos(outer), np.sin(outer)], axis=1),
                           r * np.stack([np.cos(inner), np.sin(inner)], axis=1)])


def _xor(rng: np.random.Generator, n0: int, n1: int, p: dict[str, float]) -> np.ndarray:
    """Class 0 in the quadrants where x·y > 0, class 1 where x·y < 0, 0.1 off the axes."""
    def quadrants(m: int, flip: float) -> np.ndarray:
        mag = rng.uniform(0.1, 1.0, size=(m, 2))
        sx = rng.choice([-1.0, 1.0], size=m)
        return np.stack([sx * mag[:, 0], flip * sx * mag[:, 1]], axis=1)
    return np.concatenate([quadrants(n0, 1.0), quadrants(n1, -1.0)])


def _spirals(rng: np.random.Generator, n0: int, n1: int, p: dict[str, float]) -> np.ndarray:
    def arm(m: int, phase: float) -> np.ndarray:
        t = np.linspace(0.0, 1.0, m)
        angle = 2.0 * np.pi * p["turns"] * t + phase
        r = 0.15 + 1.2 * t
        return np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
    return np.concatenate([arm(n0, 0.0), arm(n1, np.pi)])


def _blobs(rng: np.random.Generator, n0: int, n1: int, p: dict[str, float]) -> np.ndarray:
    """Two round Gaussian clusters on the diagonal; ``noise`` is their standard deviation."""
    c = p["separation"] / (2.0 * np.sqrt(2.0))
    return np.concatenate([rng.normal(0.0, 1.0, size=(n0, 2)) * p["noise"] - c,
                           rng.normal(0.0, 1.0, size=(n1, 2)) * p["noise"] + c])


def _n() -> Param:
    return Param("n", 256, 16, MAX_POINTS, "number of points, half of each class")


def _noise(default: float, high: float = 0.5) -> Param:
    return Param("noise", default, 0.0, high,
                 "standard deviation of the Gaussian jitter added to every point")


def _seed() -> Param:
    return Param("seed", 0, 0, 2**31 - 1, "seed of the random generator")


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset family: its generator, parameters and what it teaches."""

    id: str
    name: str
    note: str
    params: tuple[Param, ...]
    generate: Generator
    jitter: bool = True

    @property
    def all_params(self) -> tuple[Param, ...]:
        """Its own parameters, then the preprocessing every dataset takes."""
        return (*self.params, *preprocessing.PARAMS)

    def make(self, overrides: Mapping[str, float] | None = None) -> Dataset:
        """The points, shifted and scaled as asked (standardisation, which needs the
        training part, is the race's: ``Dataset.standardised``)."""
        try:
            p = resolve(self.all_params, overrides, f"dataset '{self.id}'")
            preprocessing.check_switches(p)
        except EngineError as err:
            raise err.at("dataset") from None
        n, seed = int(p["n"]), int(p["seed"])
        rng = np.random.default_rng(seed)
        n0 = n // 2
        X = self.generate(rng, n0, n - n0, p)
        if self.jitter:
            X = X + p["noise"] * rng.normal(size=X.shape)
        X = preprocessing.transform(X, p)
        y = np.concatenate([np.zeros(n0), np.ones(n - n0)])
        p.update(n=n, seed=seed)
        return Dataset(self.id, np.ascontiguousarray(X, dtype=np.float64), y, p)

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "note": self.note,
                "params": [q.to_dict() for q in self.all_params],
                "switches": list(preprocessing.SWITCHES)}


DATASETS: dict[str, DatasetSpec] = {d.id: d for d in (
    DatasetSpec("moons", "Two moons",
                "Two interleaved half-circles: not linearly separable, easy for a small net.",
                (_n(), _noise(0.1), _seed()), _moons),
    DatasetSpec("circles", "Circles",
                "A ring around a disc: the boundary must close on itself.",
                (_n(), _noise(0.05),
                 Param("factor", 0.5, 0.1, 0.9, "radius of the inner circle (outer is 1)"),
                 _seed()), _circles),
    DatasetSpec("xor", "XOR",
                "Opposite quadrants share a class: the problem a single neuron cannot solve.",
                (_n(), _noise(0.05), _seed()), _xor),
    DatasetSpec("spirals", "Spirals",
                "Two interleaved spiral arms: a long, winding boundary. At 1.5 turns plain "
                "SGD and momentum stall near chance for hundreds of steps while Adam "
                "separates them; fewer turns make it easy.",
                (_n(), _noise(0.05), Param("turns", 1.5, 0.25, 2.0, "turns of each arm"),
                 _seed()), _spirals),
    DatasetSpec("blobs", "Blobs",
                "Two Gaussian clusters: nearly linearly separable, a baseline.",
                (_n(), _noise(0.4, 1.5),
                 Param("separation", 2.5, 0.0, 5.0, "distance between the cluster centres"),
                 _seed()), _blobs, jitter=False),
)}


def make_dataset(name: str = "moons", **params: float) -> Dataset:
    """``make_dataset("moons", n=256, noise=0.1, seed=0)``: a seeded dataset."""
    return lookup(DATASETS, name, "dataset").make(params)


def dataset_from_spec(spec: Dataset | str | Mapping) -> Dataset:
    """A Dataset, a name, or ``{"id": "circles", "n": 128, ...}``."""
    if isinstance(spec, Dataset):
        return spec
    if isinstance(spec, str):
        return make_dataset(spec)
    if isinstance(spec, Mapping) and "id" in spec:
        params = {k: v for k, v in spec.items() if k != "id"}
        return lookup(DATASETS, str(spec["id"]), "dataset", field="dataset.id").make(params)
    raise keyed("network.dataset_type", "a dataset is a Dataset, a name, or {{'id': ..., "
                "params}}", field="dataset")
