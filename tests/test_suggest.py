"""Every surface suggests a learning rate for every optimizer, and each one is checked here
by racing it: it does not diverge, and (but for Newton, which may walk to a saddle) it ends
lower than it began. Gradient descent's suggestion respects the curvature it meets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from descentlab import engine
from descentlab.engine.objective import objective
from descentlab.engine.suggest import catalogue_rates

SURFACES = [s.id for s in engine.surfaces()]


@pytest.mark.parametrize("surface_id", SURFACES)
def test_every_suggestion_races_safely_from_the_first_start(surface_id):
    rates = catalogue_rates(surface_id)
    obj = objective(surface_id)
    # Polyak's step needs f*: not suggested (nor raced) where the surface does not know it.
    assert set(rates) == {o.id for o in engine.optimizers()
                          if obj.f_star is not None or not o.needs_loss}
    start = tuple(obj.surface.starts[0])
    f0 = obj.value_grad(np.array([start]))[0][0]
    result = engine.race(surface_id, [(o, {"lr": lr}) for o, lr in rates.items()], start,
                         300, final_only=True)
    # An exact line search goes to the bottom of each line: where a line descends for ever
    # (logistic's separable data: no minimum at all) it leaves the bound at any rate.
    unbounded = not any(c.kind == "global_min" for c in obj.surface.critical_points(obj.params))
    may_leave = {"line_search"} if unbounded else set()
    assert all(d < 0 or o in may_leave
               for o, d in zip(rates, result.diverged_at[:, 0], strict=True)), surface_id
    for o, loss in zip(rates, result.final_loss[:, 0], strict=True):
        # Newton's and Polyak's steps are sized by the surface (H⁻¹g, (f − f*)/‖g‖²): where
        # the local model misleads (a plateau, Easom's flat sea) they climb at any rate.
        if o not in {"newton", "polyak", *may_leave} and \
                rates[o] > engine.get_optimizer(o).hyperparameters[0].low:
            assert loss < f0, (surface_id, o)


@pytest.mark.parametrize("surface_id", ["bowl", "ravine", "rosenbrock", "himmelblau"])
def test_gradient_descent_stays_below_the_stability_limit_it_meets(surface_id):
    obj = objective(surface_id)
    start = np.array([obj.surface.starts[0]])
    hxx, hxy, hyy = obj.hessian(start)[0]
    lam = (hxx + hyy) / 2 + math.hypot((hxx - hyy) / 2, hxy)
    assert catalogue_rates(surface_id)["sgd"] * lam <= 1.0 + 1e-12


def test_a_rate_does_not_carry_over_to_another_surface():
    """Why each surface suggests its own: Himmelblau's rate for SGD blows up on Rosenbrock's
    valley, whose own suggestion does not."""
    start = tuple(objective("rosenbrock").surface.starts[0])
    rates = (catalogue_rates("himmelblau")["sgd"], catalogue_rates("rosenbrock")["sgd"])
    result = engine.race("rosenbrock", [("sgd", {"lr": lr}) for lr in rates], start, 300,
                         final_only=True)
    assert result.diverged_at[0, 0] >= 0 and result.diverged_at[1, 0] < 0
