"""Descent Lab's engine: optimizers racing over loss surfaces, compiled with Numba.

A notebook needs only this module::

    from descentlab import engine

    r = engine.race("rosenbrock", ["sgd", ("adam", {"lr": 0.05})], start=(-1.5, 2), steps=1000)
    r.positions        # (optimizers, starts, steps + 1, 2)
    engine.surfaces()  # catalogues: engine.optimizers(), engine.schedules(), engine.scenarios()
    engine.grid("rosenbrock", 101)  # for contour and 3-D plots
"""

from __future__ import annotations

from descentlab.engine import _numba_config

_numba_config.configure()

from descentlab.engine.errors import EngineError
from descentlab.engine.expressions import CompiledExpression, compile_expression
from descentlab.engine.gradient_check import GradientCheck, check_gradient
from descentlab.engine.grid import Grid, grid
from descentlab.engine.map_scenarios import MAP_SCENARIOS, MapScenario, get_map_scenario
from descentlab.engine.maps import Axis, MapResult, basin_map, hyperparameter_map
from descentlab.engine.network_scenarios import (
    NETWORK_SCENARIOS,
    NetworkScenario,
    get_network_scenario,
)
from descentlab.engine.objective import Objective, objective
from descentlab.engine.optimizers import lookahead, momentum_schedule
from descentlab.engine.optimizers.catalog import OPTIMIZERS, Optimizer, get_optimizer
from descentlab.engine.outcome import Outcome, outcomes
from descentlab.engine.race import (
    GradientOptions,
    RaceResult,
    RaceSession,
    Run,
    Segment,
    make_run,
    race,
)
from descentlab.engine.scenarios import SCENARIOS, Scenario, get_scenario
from descentlab.engine.schedules import SCHEDULES, Schedule, get_schedule
from descentlab.engine.search import Comparison, SearchResult, compare, search
from descentlab.engine.surfaces import SURFACES, Surface, get_surface


def surfaces() -> list[Surface]:
    """The surface catalogue, in display order."""
    return list(SURFACES.values())


def optimizers() -> list[Optimizer]:
    """The optimizer catalogue, in display order."""
    return list(OPTIMIZERS.values())


def schedules() -> list[Schedule]:
    """The learning-rate schedules any optimizer can use."""
    return list(SCHEDULES.values())


def run_options() -> list[dict]:
    """The options of a run beside its optimizer's hyperparameters: Lookahead around any
    gradient-only optimizer, and the momentum schedule for one with a momentum μ."""
    return [lookahead.catalogue_entry(), momentum_schedule.catalogue_entry()]


def scenarios() -> list[Scenario]:
    """The lecture scenarios: each a race set up to make one idea visible."""
    return list(SCENARIOS.values())


def map_scenarios() -> list[MapScenario]:
    """The maps lab's lecture scenarios: each a map set up to make one idea visible."""
    return list(MAP_SCENARIOS.values())


def network_scenarios() -> list[NetworkScenario]:
    """The networks lab's lecture scenarios: each a network race set up to make one idea of
    training practice visible."""
    return list(NETWORK_SCENARIOS.values())


def expression(text: str) -> CompiledExpression:
    """A surface from text such as ``"sin(x)*cos(y) + 0.1*(x**2 + y**2)"``."""
    return compile_expression(text)


__all__ = [
    "Axis",
    "Comparison",
    "CompiledExpression",
    "EngineError",
    "GradientCheck",
    "GradientOptions",
    "Grid",
    "MapResult",
    "MapScenario",
    "Objective",
    "Optimizer",
    "Outcome",
    "RaceResult",
    "RaceSession",
    "Run",
    "Scenario",
    "Schedule",
    "SearchResult",
    "Segment",
    "Surface",
    "basin_map",
    "check_gradient",
    "compare",
    "expression",
    "get_map_scenario",
    "get_network_scenario",
    "get_optimizer",
    "get_scenario",
    "get_schedule",
    "get_surface",
    "grid",
    "hyperparameter_map",
    "make_run",
    "map_scenarios",
    "network_scenarios",
    "objective",
    "optimizers",
    "outcomes",
    "race",
    "run_options",
    "scenarios",
    "schedules",
    "search",
    "surfaces",
]
