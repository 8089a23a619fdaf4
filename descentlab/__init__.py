"""Descent Lab: optimizers racing over loss surfaces and small neural networks.

The notebook API::

    import descentlab as dl
    r = dl.race("rosenbrock", ["sgd", ("adam", {"lr": 0.05})], start=(-1.5, 2), steps=1000)
    r.positions               # (optimizers, starts, steps + 1, 2)
    dl.surfaces(), dl.optimizers(), dl.schedules(), dl.scenarios()
    dl.grid("himmelblau", resolution=201)
    dl.networks.make_dataset("moons")   # small neural networks: dl.networks.network_race

The three parts install inside this package — ``descentlab.engine`` (the compiled engine,
pure computation), ``descentlab.server`` (the HTTP API and the ``descentlab`` command) and
``descentlab.frontend`` (the page) — so nothing with a generic name lands in site-packages.

The engine's names are loaded on first use, not on ``import descentlab``: the server must
set numpy's BLAS threads before numpy is imported (see ``descentlab.server``), and a bare
``descentlab --version`` should not wait for Numba.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version


def _installed_version() -> str:
    try:
        return version("descentlab")
    except PackageNotFoundError:
        return "0+unknown"


__version__ = _installed_version()


def _engine():
    return import_module(".engine", __name__)


def __getattr__(name: str):
    engine = _engine()
    if name == "engine":
        return engine
    if name == "networks":
        return import_module(".engine.networks", __name__)
    if name not in engine.__all__:
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
    value = getattr(engine, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), "engine", "networks", *_engine().__all__})
