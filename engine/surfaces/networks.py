"""The two-weight networks of ``engine.networks.two_param`` as catalogue surfaces.

Their whole parameter space is the plane, so they race, stream and grid exactly like the
analytic surfaces, with their exact loss, gradient and Hessian (Newton included). What
differs is what the compiled formula reads: not the slider values (points, noise, seed)
but the data vector of the dataset they generate (``Surface.kernel_params``).
"""

from __future__ import annotations

from descentlab.engine.networks.two_param import TWO_PARAM_NETS, TwoParamNet
from descentlab.engine.surfaces import dispatch as D
from descentlab.engine.surfaces.spec import Surface

CODES = {"linear_net": D.LINEAR_NET, "neuron": D.NEURON, "logistic": D.LOGISTIC}


def as_surface(net: TwoParamNet) -> Surface:
    """The net described as a surface: same formula, parameters, view, starts and note."""
    return Surface(
        id=net.id, code=CODES[net.id], name=net.name, latex=net.latex, plain=net.plain,
        tags=net.tags, params=net.params, view=net.view, starts=net.starts, note=net.note,
        critical_points=net.critical_points, references=net.references, axes=net.axes,
        data_vector=net.data_vector, data=net.data)


def network_surfaces() -> tuple[Surface, ...]:
    return tuple(as_surface(net) for net in TWO_PARAM_NETS.values())
