"""Built-in loss surfaces: the catalogue and the compiled batch kernels that evaluate them.

``value_grad_batch``/``hessian_batch`` take a surface ``code`` (``EXPRESSION`` for a user
formula compiled by ``engine.expressions``), the parameter vector from
``Surface.param_vector`` and the expression program (empty arrays for a built-in surface).
"""

from descentlab.engine.params import Param
from descentlab.engine.surfaces.catalog import SURFACES, get_surface
from descentlab.engine.surfaces.dispatch import EXPRESSION, hessian_batch, value_grad_batch
from descentlab.engine.surfaces.spec import CriticalPoint, Surface

__all__ = ["EXPRESSION", "SURFACES", "CriticalPoint", "Param", "Surface", "get_surface",
           "hessian_batch", "value_grad_batch"]
