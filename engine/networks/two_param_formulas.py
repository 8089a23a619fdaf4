"""Value, gradient and Hessian of the three two-parameter networks, compiled by Numba.

Each is a pair of scalar functions of (w1, w2, p), the signature of
``engine.surfaces.formulas``, so the surface dispatch can call them per point. ``p`` is
the network's *data vector* (``TwoParamNet.data_vector``), not its slider parameters:

* linear_net:  p = (mean x², mean xy, mean y²) — the loss of y ≈ w₂w₁x depends on the data
  only through these moments, so it is exact and costs a few flops.
* neuron:      p = (x₁ … x_n, y₁ … y_n).
* logistic:    p = (z₁₁ … z_n1, z₁₂ … z_n2), z_i = s_i·x_i the label-signed points
  (s_i = ±1): the logistic loss depends on a point only through s_i·x_i.

Derivatives are written by hand; ``tests/test_networks.py`` checks them against central
differences.
"""

from __future__ import annotations

from numba import njit

from descentlab.engine.networks import elementary as E

JIT = E.JIT


@njit(**JIT)
def linear_net_fg(w1, w2, p):
    """½·mean((w₂w₁x − y)²) = ½(u²Sxx − 2uSxy + Syy), u = w₁w₂."""
    sxx, sxy, syy = p[0], p[1], p[2]
    u = w1 * w2
    r = u * sxx - sxy
    return 0.5 * (u * (u * sxx - 2.0 * sxy) + syy), w2 * r, w1 * r


@njit(**JIT)
def linear_net_h(w1, w2, p):
    sxx, sxy = p[0], p[1]
    u = w1 * w2
    return w2 * w2 * sxx, 2.0 * u * sxx - sxy, w1 * w1 * sxx


@njit(**JIT)
def neuron_fg(w, b, p):
    """½·mean((tanh(w·x + b) − y)²)."""
    n = p.size // 2
    f = 0.0
    gw = 0.0
    gb = 0.0
    for i in range(n):
        x = p[i]
        t = E.tanh(w * x + b)
        r = t - p[n + i]
        c = r * (1.0 - t * t)
        f += r * r
        gw += c * x
        gb += c
    return 0.5 * f / n, gw / n, gb / n


@njit(**JIT)
def neuron_h(w, b, p):
    """mean((t′² + r·t″)·∂z∂zᵀ), t′ = 1 − t², t″ = −2t·t′, ∂z = (x, 1)."""
    n = p.size // 2
    hww = 0.0
    hwb = 0.0
    hbb = 0.0
    for i in range(n):
        x = p[i]
        t = E.tanh(w * x + b)
        d1 = 1.0 - t * t
        c = d1 * d1 - 2.0 * (t - p[n + i]) * t * d1
        hww += c * x * x
        hwb += c * x
        hbb += c
    return hww / n, hwb / n, hbb / n


@njit(**JIT)
def logistic_fg(w1, w2, p):
    """mean(log(1 + exp(−w·z))): the logistic loss of a linear classifier without bias."""
    n = p.size // 2
    f = 0.0
    g1 = 0.0
    g2 = 0.0
    for i in range(n):
        z1 = p[i]
        z2 = p[n + i]
        m = w1 * z1 + w2 * z2
        f += E.softplus(-m)
        s = E.sigmoid(-m)
        g1 -= s * z1
        g2 -= s * z2
    return f / n, g1 / n, g2 / n


@njit(**JIT)
def logistic_h(w1, w2, p):
    """mean(σ(m)σ(−m)·z zᵀ), m = w·z."""
    n = p.size // 2
    h11 = 0.0
    h12 = 0.0
    h22 = 0.0
    for i in range(n):
        z1 = p[i]
        z2 = p[n + i]
        m = w1 * z1 + w2 * z2
        c = E.sigmoid(m) * E.sigmoid(-m)
        h11 += c * z1 * z1
        h12 += c * z1 * z2
        h22 += c * z2 * z2
    return h11 / n, h12 / n, h22 / n
