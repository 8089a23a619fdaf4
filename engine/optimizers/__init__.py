"""Optimizers: the catalogue users see, the compiled update rules, and the inspector's view."""

from descentlab.engine.optimizers.catalog import OPTIMIZERS, Optimizer, StateVar, get_optimizer

__all__ = ["OPTIMIZERS", "Optimizer", "StateVar", "get_optimizer"]
