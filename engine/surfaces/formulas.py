"""Value, gradient and Hessian of every built-in surface, compiled by Numba.

Each surface is two small scalar functions of (x, y, p), where ``p`` is the parameter
vector in catalogue order. They are written by hand (not differentiated automatically) so
that the hot loop of a race is a handful of flops that LLVM inlines and vectorises: no
allocation, shared subexpressions, and selects (``a if c else b``) instead of branches.
The catalogue (``catalog.py``) documents each surface; ``tests/test_surfaces.py`` checks
every gradient and Hessian here against finite differences and the expression machine.
"""

from __future__ import annotations

import math

from numba import njit

JIT = {"cache": True, "nogil": True, "error_model": "numpy"}

TWO_PI = 2.0 * math.pi
PI_SQ = math.pi * math.pi
DEG = math.pi / 180.0


@njit(**JIT)
def bowl_fg(x, y, p):
    s = p[0]
    return 0.5 * s * (x * x + y * y), s * x, s * y


@njit(**JIT)
def bowl_h(x, y, p):
    return p[0], 0.0, p[0]


@njit(**JIT)
def rosenbrock_fg(x, y, p):
    a, b = p[0], p[1]
    u = a - x
    w = y - x * x
    return u * u + b * w * w, -2.0 * u - 4.0 * b * x * w, 2.0 * b * w


@njit(**JIT)
def rosenbrock_h(x, y, p):
    b = p[1]
    return 2.0 - 4.0 * b * (y - 3.0 * x * x), -4.0 * b * x, 2.0 * b


# ravine: ½(u² + κv²) in coordinates (u, v) rotated by θ degrees. The sine and cosine
# depend on p only, so LLVM hoists them out of the loop over points.
@njit(**JIT)
def ravine_fg(x, y, p):
    k = p[0]
    c = math.cos(p[1] * DEG)
    s = math.sin(p[1] * DEG)
    u = c * x + s * y
    v = c * y - s * x
    kv = k * v
    return 0.5 * (u * u + kv * v), c * u - s * kv, s * u + c * kv


@njit(**JIT)
def ravine_h(x, y, p):
    k = p[0]
    c = math.cos(p[1] * DEG)
    s = math.sin(p[1] * DEG)
    return c * c + k * s * s, c * s * (1.0 - k), s * s + k * c * c


@njit(**JIT)
def saddle_fg(x, y, p):
    return x * x - y * y, 2.0 * x, -2.0 * y


@njit(**JIT)
def saddle_h(x, y, p):
    return 2.0, 0.0, -2.0


@njit(**JIT)
def monkey_saddle_fg(x, y, p):
    xx = x * x
    yy = y * y
    return x * (xx - 3.0 * yy), 3.0 * (xx - yy), -6.0 * x * y


@njit(**JIT)
def monkey_saddle_h(x, y, p):
    return 6.0 * x, -6.0 * y, -6.0 * x


# double_well: x² + y⁴/4 − a²y²/2, minima (0, ±a), saddle at the origin.
@njit(**JIT)
def double_well_fg(x, y, p):
    a2 = p[0] * p[0]
    yy = y * y
    return x * x + 0.25 * yy * (yy - 2.0 * a2), 2.0 * x, y * (yy - a2)


@njit(**JIT)
def double_well_h(x, y, p):
    return 2.0, 0.0, 3.0 * y * y - p[0] * p[0]


# flat_quartic: x⁴ + y⁴ + μ(x² + y²)/2; at μ = 0 the Hessian vanishes at the minimum.
@njit(**JIT)
def flat_quartic_fg(x, y, p):
    mu = p[0]
    xx = x * x
    yy = y * y
    return (xx * xx + yy * yy + 0.5 * mu * (xx + yy),
            x * (4.0 * xx + mu), y * (4.0 * yy + mu))


@njit(**JIT)
def flat_quartic_h(x, y, p):
    mu = p[0]
    return 12.0 * x * x + mu, 0.0, 12.0 * y * y + mu


# plateau: 1 − exp(−r²/2σ²); the gradient decays like r·exp(−r²/2σ²) away from the basin.
@njit(**JIT)
def plateau_fg(x, y, p):
    k = 1.0 / (p[0] * p[0])
    e = math.exp(-0.5 * k * (x * x + y * y))
    ke = k * e
    return 1.0 - e, ke * x, ke * y


@njit(**JIT)
def plateau_h(x, y, p):
    k = 1.0 / (p[0] * p[0])
    ke = k * math.exp(-0.5 * k * (x * x + y * y))
    return ke * (1.0 - k * x * x), -ke * k * x * y, ke * (1.0 - k * y * y)


# cliff: a Gaussian basin B(1 − exp(−r²/2σ²)) plus a wall of height H whose face, from
# x = CLIFF_FOOT to CLIFF_FOOT + w (w = H/S), has constant slope S. The wall is a difference
# of softplus functions, H/m·[sp(u) − sp(u − m)] with u = m(x − foot)/w, so its slope is
# S·(σ(u) − σ(u − m)): flat-topped, with edges m times narrower than the face. Everything
# is written with e^−|u| and e^−|u−m|, which never overflow: four libm calls per point.
CLIFF_DEPTH = 4.0  # B
CLIFF_WIDTH = 2.0  # σ of the basin
CLIFF_FOOT = 1.5
CLIFF_EDGE = 200.0  # m


@njit(**JIT)
def _basin(x, y):
    """B·exp(−r²/2σ²)/σ², the factor shared by the basin's gradient and Hessian."""
    k = 1.0 / (CLIFF_WIDTH * CLIFF_WIDTH)
    return CLIFF_DEPTH * k * math.exp(-0.5 * k * (x * x + y * y)), k


@njit(**JIT)
def _wall_coordinates(x, height, slope):
    """u and u − m, with e^−|u| and e^−|u − m|."""
    u = CLIFF_EDGE * slope * (x - CLIFF_FOOT) / height
    v = u - CLIFF_EDGE
    return u, v, math.exp(-abs(u)), math.exp(-abs(v))


@njit(**JIT)
def cliff_fg(x, y, p):
    height, slope = p[0], p[1]
    be, k = _basin(x, y)
    u, v, eu, ev = _wall_coordinates(x, height, slope)
    # sp(u) − sp(v) = (u − v + |u| − |v|)/2 + log((1 + e^−|u|)/(1 + e^−|v|)), with u − v = m
    wall = height * (0.5 + (abs(u) - abs(v)) / (2.0 * CLIFF_EDGE)) + (
        height / CLIFF_EDGE) * math.log((1.0 + eu) / (1.0 + ev))
    # σ(z) = 1/(1 + e^−z) = (1 or e^−|z|)/(1 + e^−|z|) by the sign of z
    rise = slope * ((1.0 if u >= 0.0 else eu) / (1.0 + eu) - (1.0 if v >= 0.0 else ev) / (1.0 + ev))
    return CLIFF_DEPTH - be / k + wall, be * x + rise, be * y


@njit(**JIT)
def cliff_h(x, y, p):
    height, slope = p[0], p[1]
    be, k = _basin(x, y)
    _, _, eu, ev = _wall_coordinates(x, height, slope)
    # σ'(z) = e^−|z|/(1 + e^−|z|)², and du/dx = m·S/H
    bend = CLIFF_EDGE * slope * slope / height * (
        eu / ((1.0 + eu) * (1.0 + eu)) - ev / ((1.0 + ev) * (1.0 + ev)))
    return be * (1.0 - k * x * x) + bend, -be * k * x * y, be * (1.0 - k * y * y)


# Two Gaussian wells on a shallow bowl: c·r²/2 − Σ Aᵢ exp(−|z − mᵢ|²/2sᵢ²). `deceptive`
# and `sharp_and_flat` differ only in where the wells are and how deep and wide.
@njit(**JIT)
def _well_fg(x, y, depth, cx, cy, width):
    k = 1.0 / (width * width)
    dx = x - cx
    dy = y - cy
    e = depth * math.exp(-0.5 * k * (dx * dx + dy * dy))
    ke = k * e
    return -e, ke * dx, ke * dy


@njit(**JIT)
def _well_h(x, y, depth, cx, cy, width):
    k = 1.0 / (width * width)
    dx = x - cx
    dy = y - cy
    ke = k * depth * math.exp(-0.5 * k * (dx * dx + dy * dy))
    return ke * (1.0 - k * dx * dx), -ke * k * dx * dy, ke * (1.0 - k * dy * dy)


@njit(**JIT)
def _two_wells_fg(x, y, bowl, w1, w2):
    f1, gx1, gy1 = _well_fg(x, y, w1[0], w1[1], w1[2], w1[3])
    f2, gx2, gy2 = _well_fg(x, y, w2[0], w2[1], w2[2], w2[3])
    return (0.5 * bowl * (x * x + y * y) + f1 + f2,
            bowl * x + gx1 + gx2, bowl * y + gy1 + gy2)


@njit(**JIT)
def _two_wells_h(x, y, bowl, w1, w2):
    a1, b1, c1 = _well_h(x, y, w1[0], w1[1], w1[2], w1[3])
    a2, b2, c2 = _well_h(x, y, w2[0], w2[1], w2[2], w2[3])
    return bowl + a1 + a2, b1 + b2, bowl + c1 + c2


# deceptive: a broad shallow well (the one the local slope points to) and a narrow deep
# well of depth p[0] and width p[1] (the global minimum) on the far side of the start.
DECEPTIVE_BOWL = 0.1
DECEPTIVE_SHALLOW = (1.0, -1.5, -1.0, 1.5)
DECEPTIVE_DEEP_AT = (2.0, 1.5)


@njit(**JIT)
def deceptive_fg(x, y, p):
    deep = (p[0], DECEPTIVE_DEEP_AT[0], DECEPTIVE_DEEP_AT[1], p[1])
    return _two_wells_fg(x, y, DECEPTIVE_BOWL, DECEPTIVE_SHALLOW, deep)


@njit(**JIT)
def deceptive_h(x, y, p):
    deep = (p[0], DECEPTIVE_DEEP_AT[0], DECEPTIVE_DEEP_AT[1], p[1])
    return _two_wells_h(x, y, DECEPTIVE_BOWL, DECEPTIVE_SHALLOW, deep)


# sharp_and_flat: a deep narrow well of width p[0] and a slightly shallower wide well.
SHARP_FLAT_BOWL = 0.05
SHARP_WELL_AT = (1.0, -1.5, 0.0)
FLAT_WELL = (0.8, 1.5, 0.0, 1.0)


@njit(**JIT)
def sharp_and_flat_fg(x, y, p):
    sharp = (SHARP_WELL_AT[0], SHARP_WELL_AT[1], SHARP_WELL_AT[2], p[0])
    return _two_wells_fg(x, y, SHARP_FLAT_BOWL, sharp, FLAT_WELL)


@njit(**JIT)
def sharp_and_flat_h(x, y, p):
    sharp = (SHARP_WELL_AT[0], SHARP_WELL_AT[1], SHARP_WELL_AT[2], p[0])
    return _two_wells_h(x, y, SHARP_FLAT_BOWL, sharp, FLAT_WELL)


@njit(**JIT)
def beale_fg(x, y, p):
    y2 = y * y
    y3 = y2 * y
    t1 = 1.5 - x + x * y
    t2 = 2.25 - x + x * y2
    t3 = 2.625 - x + x * y3
    gx = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0))
    gy = 2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3)
    return t1 * t1 + t2 * t2 + t3 * t3, gx, gy


@njit(**JIT)
def beale_h(x, y, p):
    y2 = y * y
    y3 = y2 * y
    a1 = y - 1.0
    a2 = y2 - 1.0
    a3 = y3 - 1.0
    t1 = 1.5 + x * a1
    t2 = 2.25 + x * a2
    t3 = 2.625 + x * a3
    hxx = 2.0 * (a1 * a1 + a2 * a2 + a3 * a3)
    # ∂t_i/∂y = x·(1, 2y, 3y²) and ∂a_i/∂y = (1, 2y, 3y²)
    hxy = 2.0 * (t1 + x * a1 + 2.0 * y * (t2 + x * a2) + 3.0 * y2 * (t3 + x * a3))
    hyy = 2.0 * x * (x + 2.0 * t2 + 4.0 * x * y2 + 6.0 * y * t3 + 9.0 * x * y2 * y2)
    return hxx, hxy, hyy


@njit(**JIT)
def booth_fg(x, y, p):
    u = x + 2.0 * y - 7.0
    v = 2.0 * x + y - 5.0
    return u * u + v * v, 2.0 * u + 4.0 * v, 4.0 * u + 2.0 * v


@njit(**JIT)
def booth_h(x, y, p):
    return 10.0, 8.0, 10.0


@njit(**JIT)
def himmelblau_fg(x, y, p):
    u = x * x + y - 11.0
    v = x + y * y - 7.0
    return u * u + v * v, 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v


@njit(**JIT)
def himmelblau_h(x, y, p):
    return 12.0 * x * x + 4.0 * y - 42.0, 4.0 * (x + y), 12.0 * y * y + 4.0 * x - 26.0


@njit(**JIT)
def matyas_fg(x, y, p):
    return (0.26 * (x * x + y * y) - 0.48 * x * y,
            0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x)


@njit(**JIT)
def matyas_h(x, y, p):
    return 0.52, -0.48, 0.52


@njit(**JIT)
def three_hump_camel_fg(x, y, p):
    xx = x * x
    return (xx * (2.0 - 1.05 * xx + xx * xx / 6.0) + x * y + y * y,
            x * (4.0 - 4.2 * xx + xx * xx) + y, x + 2.0 * y)


@njit(**JIT)
def three_hump_camel_h(x, y, p):
    xx = x * x
    return 4.0 - 12.6 * xx + 5.0 * xx * xx, 1.0, 2.0


@njit(**JIT)
def six_hump_camel_fg(x, y, p):
    xx = x * x
    yy = y * y
    f = xx * (4.0 - 2.1 * xx + xx * xx / 3.0) + x * y + yy * (4.0 * yy - 4.0)
    return f, x * (8.0 - 8.4 * xx + 2.0 * xx * xx) + y, x + y * (16.0 * yy - 8.0)


@njit(**JIT)
def six_hump_camel_h(x, y, p):
    xx = x * x
    return 8.0 - 25.2 * xx + 10.0 * xx * xx, 1.0, 48.0 * y * y - 8.0


# Goldstein–Price: f = P·Q with P = 1 + s²A, s = x + y + 1 and Q = 30 + t²B, t = 2x − 3y.
# A and B are quadratics, so every derivative follows from the product rule.
@njit(**JIT)
def _gp_parts(x, y):
    s = x + y + 1.0
    t = 2.0 * x - 3.0 * y
    a = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y
    b = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y
    a1 = 6.0 * (x + y) - 14.0  # ∂A/∂x = ∂A/∂y
    bx = -32.0 + 24.0 * x - 36.0 * y
    by = 48.0 - 36.0 * x + 54.0 * y
    return s, t, a, b, a1, bx, by


@njit(**JIT)
def goldstein_price_fg(x, y, p):
    s, t, a, b, a1, bx, by = _gp_parts(x, y)
    pp = 1.0 + s * s * a
    q = 30.0 + t * t * b
    pd = s * (2.0 * a + s * a1)  # ∂P/∂x = ∂P/∂y
    qx = t * (4.0 * b + t * bx)
    qy = t * (-6.0 * b + t * by)
    return pp * q, pd * q + pp * qx, pd * q + pp * qy


@njit(**JIT)
def goldstein_price_h(x, y, p):
    s, t, a, b, a1, bx, by = _gp_parts(x, y)
    pp = 1.0 + s * s * a
    q = 30.0 + t * t * b
    pd = s * (2.0 * a + s * a1)
    pdd = 2.0 * a + 4.0 * s * a1 + 6.0 * s * s  # ∂²P/∂x² = ∂²P/∂x∂y = ∂²P/∂y²
    qx = t * (4.0 * b + t * bx)
    qy = t * (-6.0 * b + t * by)
    qxx = 8.0 * b + 8.0 * t * bx + 24.0 * t * t
    qxy = -12.0 * b + 4.0 * t * by - 6.0 * t * bx - 36.0 * t * t
    qyy = 18.0 * b - 12.0 * t * by + 54.0 * t * t
    return (pdd * q + 2.0 * pd * qx + pp * qxx,
            pdd * q + pd * (qx + qy) + pp * qxy,
            pdd * q + 2.0 * pd * qy + pp * qyy)


@njit(**JIT)
def rastrigin_fg(x, y, p):
    a = p[0]
    ax = TWO_PI * x
    ay = TWO_PI * y
    return (2.0 * a + x * x + y * y - a * (math.cos(ax) + math.cos(ay)),
            2.0 * x + TWO_PI * a * math.sin(ax), 2.0 * y + TWO_PI * a * math.sin(ay))


@njit(**JIT)
def rastrigin_h(x, y, p):
    k = 4.0 * PI_SQ * p[0]
    return 2.0 + k * math.cos(TWO_PI * x), 0.0, 2.0 + k * math.cos(TWO_PI * y)


# Ackley: −a·exp(−b·r) − exp((cos 2πx + cos 2πy)/2) + a + e with r = sqrt((x² + y²)/2).
# The cone −a·exp(−b·r) has no derivative at the origin: there we return the zero
# subgradient, and for the Hessian we drop the cone's (infinite) curvature and keep the
# smooth cosine part, 2π²e·I. `inv` is that choice, made by a select, not a branch.
@njit(**JIT)
def ackley_fg(x, y, p):
    a, b = p[0], p[1]
    n = x * x + y * y
    r = math.sqrt(0.5 * n)
    ebr = math.exp(-b * r)
    inv = 1.0 / r if r > 0.0 else 0.0
    q = 0.5 * a * b * ebr * inv
    sx = math.sin(TWO_PI * x)
    sy = math.sin(TWO_PI * y)
    ec = math.exp(0.5 * (math.cos(TWO_PI * x) + math.cos(TWO_PI * y)))
    return (a + math.e - a * ebr - ec,
            q * x + math.pi * sx * ec, q * y + math.pi * sy * ec)


@njit(**JIT)
def ackley_h(x, y, p):
    a, b = p[0], p[1]
    n = x * x + y * y
    r = math.sqrt(0.5 * n)
    inv = 1.0 / r if r > 0.0 else 0.0
    q = 0.5 * a * b * math.exp(-b * r) * inv
    # ∂(q·x)/∂x = q·(1 − x²/2r² − b·x²/2r), written with x/r and y/r (bounded by √2) so
    # that no intermediate overflows however close to the origin the point is.
    ux = x * inv
    uy = y * inv
    cx = math.cos(TWO_PI * x)
    cy = math.cos(TWO_PI * y)
    sx = math.sin(TWO_PI * x)
    sy = math.sin(TWO_PI * y)
    ec = PI_SQ * math.exp(0.5 * (cx + cy))
    return (q * (1.0 - 0.5 * ux * (ux + b * x)) + ec * (2.0 * cx - sx * sx),
            -0.5 * q * uy * (ux + b * x) - ec * sx * sy,
            q * (1.0 - 0.5 * uy * (uy + b * y)) + ec * (2.0 * cy - sy * sy))


@njit(**JIT)
def styblinski_tang_fg(x, y, p):
    xx = x * x
    yy = y * y
    return (0.5 * (xx * xx - 16.0 * xx + 5.0 * x + yy * yy - 16.0 * yy + 5.0 * y),
            x * (2.0 * xx - 16.0) + 2.5, y * (2.0 * yy - 16.0) + 2.5)


@njit(**JIT)
def styblinski_tang_h(x, y, p):
    return 6.0 * x * x - 16.0, 0.0, 6.0 * y * y - 16.0


@njit(**JIT)
def easom_fg(x, y, p):
    dx = x - math.pi
    dy = y - math.pi
    e = math.exp(-(dx * dx + dy * dy))
    cx = math.cos(x)
    cy = math.cos(y)
    return (-cx * cy * e,
            cy * e * (math.sin(x) + 2.0 * dx * cx), cx * e * (math.sin(y) + 2.0 * dy * cy))


@njit(**JIT)
def easom_h(x, y, p):
    dx = x - math.pi
    dy = y - math.pi
    e = math.exp(-(dx * dx + dy * dy))
    cx = math.cos(x)
    cy = math.cos(y)
    sx = math.sin(x)
    sy = math.sin(y)
    return (cy * e * (3.0 * cx - 4.0 * dx * sx - 4.0 * dx * dx * cx),
            -e * (sx + 2.0 * dx * cx) * (sy + 2.0 * dy * cy),
            cx * e * (3.0 * cy - 4.0 * dy * sy - 4.0 * dy * dy * cy))
