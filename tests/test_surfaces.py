"""The surface catalogue: exact derivatives, listed critical points, metadata, and the
behaviours the teaching notes promise (the cliff, the double well, the plateau...).
The two-weight networks (tag "network") are surfaces too and pass the same checks.

Every evaluation goes through the compiled batch kernels, batched so that each kernel is
compiled once per session; the demonstrations are plain-Python descent loops on top of them.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from descentlab import engine
from descentlab.engine.errors import EngineError
from descentlab.engine.expressions import compile_expression
from descentlab.engine.networks.two_param import TWO_PARAM_NETS
from descentlab.engine.surfaces import (
    EXPRESSION,
    SURFACES,
    CriticalPoint,
    Surface,
    get_surface,
    hessian_batch,
    value_grad_batch,
)
from descentlab.engine.surfaces import dispatch as D

NO_OPS = np.zeros(0, np.int64)
NO_CONSTS = np.zeros(0)

# Besides the defaults, each parametrised surface is checked at range corners and an
# interior point, where its shape (and, for some, the number of critical points) changes.
OTHER_PARAMS: dict[str, list[dict[str, float]]] = {
    "bowl": [{"curvature": 25.0}],
    "ravine": [{"kappa": 200.0, "theta": 30.0}, {"kappa": 1.0, "theta": 90.0}],
    "double_well": [{"a": 0.5}, {"a": 1.5}],
    "flat_quartic": [{"mu": 1.3}],
    "plateau": [{"width": 0.5}, {"width": 3.0}],
    "cliff": [{"height": 20.0, "steepness": 500.0}, {"height": 300.0, "steepness": 50.0}],
    "deceptive": [{"depth": 1.5, "width": 0.25}, {"depth": 6.0, "width": 0.8},
                  {"depth": 1.5, "width": 0.8}],
    "sharp_and_flat": [{"sharp_width": 0.5}, {"sharp_width": 0.25}],
    "rosenbrock": [{"a": -1.2, "b": 10.0}, {"a": 0.5, "b": 500.0}],
    "rastrigin": [{"A": 0.0}, {"A": 20.0}],
    "ackley": [{"a": 5.0, "b": 1.0}, {"a": 40.0, "b": 0.05}],
    "linear_net": [{"noise": 0.3, "seed": 3}, {"n": 4}],
    "neuron": [{"teacher_w": -2.5, "teacher_b": 1.0, "noise": 0.1}, {"n": 2}],
    "logistic": [{"spread": 1.5, "n": 64, "seed": 5}],
}

CASES = [(sid, params) for sid in SURFACES for params in [{}, *OTHER_PARAMS.get(sid, [])]]
CASE_IDS = [sid + "".join(f"-{k}={v:g}" for k, v in params.items()) for sid, params in CASES]

# Published optima, at the precision they are published with: (x, y, f, decimals of the
# coordinates, decimals of f). Sources are in each surface's references.
LITERATURE: dict[str, list[tuple[float, float, float, int, int]]] = {
    "rosenbrock": [(1.0, 1.0, 0.0, 6, 6)],
    "beale": [(3.0, 0.5, 0.0, 6, 6)],
    "booth": [(1.0, 3.0, 0.0, 6, 6)],
    "matyas": [(0.0, 0.0, 0.0, 6, 6)],
    "himmelblau": [(3.0, 2.0, 0.0, 6, 6), (-2.805118, 3.131312, 0.0, 6, 6),
                   (-3.779310, -3.283186, 0.0, 6, 6), (3.584428, -1.848126, 0.0, 6, 6),
                   (-0.270845, -0.923039, 181.617, 6, 3)],
    "three_hump_camel": [(0.0, 0.0, 0.0, 6, 6)],
    "six_hump_camel": [(0.0898, -0.7126, -1.0316, 4, 4), (-0.0898, 0.7126, -1.0316, 4, 4)],
    "goldstein_price": [(0.0, -1.0, 3.0, 6, 6)],
    "styblinski_tang": [(-2.903534, -2.903534, -78.33233, 6, 5)],
    "rastrigin": [(0.0, 0.0, 0.0, 6, 6)],
    "ackley": [(0.0, 0.0, 0.0, 6, 6)],
    "easom": [(math.pi, math.pi, -1.0, 6, 6)],
}


def evaluate(surface: Surface, p: np.ndarray, xy: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values (n,), gradients (n, 2) and Hessians (n, 3) at the rows of ``xy``."""
    return evaluate_program(surface.code, surface.kernel_params(p), NO_OPS, NO_CONSTS, xy)


def evaluate_program(code: int, p: np.ndarray, ops: np.ndarray, consts: np.ndarray,
                     xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The batch kernels read points as columns; the tests think in rows."""
    columns = np.ascontiguousarray(np.asarray(xy, dtype=np.float64).T)
    n = columns.shape[1]
    f = np.empty(n)
    g = np.empty((2, n))
    h = np.empty((3, n))
    value_grad_batch(code, p, ops, consts, columns, f, g)
    hessian_batch(code, p, ops, consts, columns, h)
    return f, g.T, h.T


def gradient(surface: Surface, p: np.ndarray, x: float, y: float) -> np.ndarray:
    f = np.empty(1)
    g = np.empty((2, 1))
    value_grad_batch(surface.code, surface.kernel_params(p), NO_OPS, NO_CONSTS,
                     np.array([[x], [y]]), f, g)
    return g[:, 0]


def view_points(surface: Surface, n: int, seed: int) -> np.ndarray:
    x0, x1, y0, y1 = surface.view
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def view_grid(view: tuple[float, float, float, float], n: int) -> np.ndarray:
    xs, ys = np.meshgrid(np.linspace(view[0], view[1], n), np.linspace(view[2], view[3], n))
    return np.column_stack([xs.ravel(), ys.ravel()])


def case(sid: str, params: dict[str, float]) -> tuple[Surface, np.ndarray]:
    surface = get_surface(sid)
    return surface, surface.param_vector(params)


def close(numeric: np.ndarray, exact: np.ndarray, rtol: float, floor: float = 0.0) -> np.ndarray:
    """Per-entry agreement, relative to the entry and to the batch's typical size.

    The batch median absorbs entries that are zero by cancellation, where a relative test
    alone would demand more than float64 central differences can give; ``floor`` is the
    rounding error of a difference quotient, eps·|f|/h.
    """
    scale = np.abs(exact) + np.median(np.abs(exact)) + 1e-12
    return np.abs(numeric - exact) <= rtol * scale + floor


# The cliff's edges are 1/200 of its face wide; elsewhere a step of ~1e-6 of the view fits.
def fd_step(surface: Surface) -> float:
    if surface.id == "cliff":
        return 1e-7
    return 1e-6 * max(surface.view[1] - surface.view[0], surface.view[3] - surface.view[2])


@pytest.mark.parametrize(("sid", "params"), CASES, ids=CASE_IDS)
def test_gradient_and_hessian_match_central_differences(sid, params):
    surface, p = case(sid, params)
    xy = view_points(surface, 64, seed=surface.code)
    h = fd_step(surface)
    steps = h * np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    shifted = (xy[None, :, :] + steps[:, None, :]).reshape(-1, 2)
    f, g, hess = evaluate(surface, p, np.concatenate([xy, shifted]))
    n = len(xy)
    fs, gs = f[n:].reshape(4, n), g[n:].reshape(4, n, 2)
    f, g, hess = f[:n], g[:n], hess[:n]
    eps = np.finfo(float).eps

    fd_grad = np.column_stack([(fs[0] - fs[1]) / (2 * h), (fs[2] - fs[3]) / (2 * h)])
    assert close(fd_grad, g, 1e-6, eps * np.abs(fs).max() / h).all()

    dgx = (gs[0] - gs[1]) / (2 * h)  # ∂g/∂x = (hxx, hxy)
    dgy = (gs[2] - gs[3]) / (2 * h)  # ∂g/∂y = (hxy, hyy)
    fd_hess = np.column_stack([dgx[:, 0], dgx[:, 1], dgy[:, 1]])
    floor = eps * np.abs(gs).max() / h
    assert close(fd_hess, hess, 1e-5, floor).all()
    assert close(dgy[:, 0], hess[:, 1], 1e-5, floor).all()


def substituted(surface: Surface, p: np.ndarray) -> str:
    """The plain formula with each parameter replaced by its value, as a student could type it."""
    text = surface.plain
    for param, value in zip(surface.params, p, strict=True):
        text = re.sub(rf"\b{param.name}\b", f"({float(value)!r})", text)
    return text


@pytest.mark.parametrize(("sid", "params"), CASES, ids=CASE_IDS)
def test_plain_formula_is_the_compiled_surface(sid, params):
    """The displayed formula, typed in as an expression, gives the same surface to rounding.

    The expression machine differentiates automatically, so this is an independent check of
    every hand-derived gradient and Hessian as well as of the displayed formula. A network's
    formula is a sum over its dataset, which cannot be typed.
    """
    surface, p = case(sid, params)
    if "network" in surface.tags:
        pytest.skip("a network's loss sums over its data points")
    program = compile_expression(substituted(surface, p))
    xy = view_points(surface, 64, seed=surface.code + 1)
    f, g, h = evaluate(surface, p, xy)
    fe, ge, he = evaluate_program(EXPRESSION, p, program.ops, program.consts, xy)
    assert close(fe, f, 1e-11).all()
    assert close(ge, g, 1e-11).all()
    assert close(he, h, 1e-10).all()


def kind_at(surface: Surface, p: np.ndarray, point: CriticalPoint) -> str:
    """'min', 'max' or 'saddle' from the Hessian; a zero Hessian is settled by a small circle.

    On the circle a degenerate minimum stays above f(point), a degenerate maximum below,
    and a degenerate saddle (the monkey saddle) goes both ways.
    """
    f0, _, h = evaluate(surface, p, np.array([[point.x, point.y]]))
    eig = np.linalg.eigvalsh([[h[0, 0], h[0, 1]], [h[0, 1], h[0, 2]]])
    tol = 1e-9 * (1.0 + np.abs(eig).max())
    if eig[0] > tol:
        return "min"
    if eig[1] < -tol:
        return "max"
    if eig[0] < -tol and eig[1] > tol:
        return "saddle"
    angles = np.linspace(0.0, 2 * np.pi, 64, endpoint=False)
    ring = np.column_stack([point.x + 1e-2 * np.cos(angles), point.y + 1e-2 * np.sin(angles)])
    f = evaluate(surface, p, ring)[0]
    if (f > f0[0]).all():
        return "min"
    if (f < f0[0]).all():
        return "max"
    assert (f > f0[0]).any() and (f < f0[0]).any()
    return "saddle"


EXPECTED_KIND = {"global_min": "min", "local_min": "min", "saddle": "saddle", "local_max": "max"}


@pytest.mark.parametrize(("sid", "params"), CASES, ids=CASE_IDS)
def test_listed_critical_points(sid, params):
    surface, p = case(sid, params)
    points = surface.critical_points(p)
    if "no-minimum" in surface.tags:
        assert points == () and "no minimum" in surface.note
        return
    assert points, "every surface lists at least one critical point"
    xy = np.array([[c.x, c.y] for c in points])
    f, g, h = evaluate(surface, p, xy)
    for c, fi, gi, hi in zip(points, f, g, h, strict=True):
        curvature = 1.0 + np.abs(hi).max()
        assert np.abs(gi).max() <= 1e-8 * curvature, (c, gi)
        assert fi == pytest.approx(c.value, rel=1e-10, abs=1e-12), c
        assert kind_at(surface, p, c) == EXPECTED_KIND[c.kind], c
    global_values = [c.value for c in points if c.kind == "global_min"]
    if global_values:
        assert max(global_values) - min(global_values) <= 1e-9 * (1.0 + abs(min(global_values)))
        assert all(c.value >= min(global_values) - 1e-12 for c in points)
        assert surface.global_min_value(p) == min(global_values)


def test_no_duplicate_critical_points():
    for surface in SURFACES.values():
        points = surface.critical_points(surface.param_vector())
        xy = np.array([[c.x, c.y] for c in points]).reshape(-1, 2)
        gaps = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        assert (gaps + np.eye(len(xy)) > 1e-6).all(), surface.id


@pytest.mark.parametrize("sid", sorted(LITERATURE))
def test_critical_points_agree_with_the_literature(sid):
    """Our full-precision points agree with the published ones to the last published digit."""
    surface = get_surface(sid)
    points = surface.critical_points(surface.param_vector())
    for x, y, value, digits, value_digits in LITERATURE[sid]:
        unit = 10.0 ** -digits
        match = [c for c in points if abs(c.x - x) <= unit and abs(c.y - y) <= unit]
        assert len(match) == 1, (sid, x, y)
        assert abs(match[0].value - value) <= 10.0 ** -value_digits, (sid, match[0])


@pytest.mark.parametrize(("sid", "params"), CASES, ids=CASE_IDS)
def test_finite_everywhere_on_and_beyond_the_view(sid, params):
    surface, p = case(sid, params)
    # The view at fine resolution, and far beyond it where a thrown point may land.
    xy = np.concatenate([view_grid(surface.view, 121), view_grid((-100, 100, -100, 100), 41),
                         [[0.0, 0.0], [1e-300, 0.0], [3e-162, -2e-162], [0.0, 5e-324]]])
    for array in evaluate(surface, p, xy):
        assert np.isfinite(array).all()


def test_ackley_tip_of_the_cone_has_the_documented_derivatives():
    surface = get_surface("ackley")
    p = surface.param_vector()
    f, g, h = evaluate(surface, p, np.zeros((1, 2)))
    assert abs(f[0]) <= 1e-14
    assert (g == 0.0).all()
    smooth = 2.0 * math.pi**2 * math.e
    assert h[0] == pytest.approx([smooth, 0.0, smooth], rel=1e-14)


# ---- catalogue metadata ------------------------------------------------------------------

def test_catalogue_size_ids_and_codes():
    assert len(SURFACES) >= 20
    codes = [s.code for s in SURFACES.values()]
    assert len(set(codes)) == len(codes)
    dispatch_codes = {v for k, v in vars(D).items() if k.isupper() and isinstance(v, int)}
    assert set(codes) <= dispatch_codes - {EXPRESSION}
    for sid, surface in SURFACES.items():
        assert sid == surface.id
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", sid)
    assert get_surface("bowl").code == 1 and get_surface("rosenbrock").code == 2


def test_teaching_surfaces_come_first_then_benchmarks_then_networks():
    """The page groups surfaces by their first tag, in catalogue order."""
    groups = ("teaching", "benchmark", "network")
    order = [groups.index(s.tags[0]) for s in SURFACES.values()]
    assert order == sorted(order) and set(order) == {0, 1, 2}
    assert next(iter(SURFACES)) == "bowl"
    for s in SURFACES.values():
        assert sum(group in s.tags for group in groups) == 1, s.id
    assert [s.id for s in SURFACES.values() if s.tags[0] == "network"] == [
        "linear_net", "neuron", "logistic"]


@pytest.mark.parametrize("surface", SURFACES.values(), ids=list(SURFACES))
def test_surface_metadata(surface):
    assert surface.name and surface.latex and surface.plain and surface.tags
    assert surface.note and surface.references
    names = [p.name for p in surface.params]
    assert len(set(names)) == len(names)
    for p in surface.params:
        assert p.low < p.high and p.low <= p.default <= p.high, p
        assert p.meaning
    x0, x1, y0, y1 = surface.view
    assert x0 < x1 and y0 < y1
    assert 2 <= len(surface.starts) <= 4
    for sx, sy in surface.starts:
        assert x0 <= sx <= x1 and y0 <= sy <= y1
    for c in surface.critical_points(surface.param_vector()):
        if c.kind == "global_min":
            assert x0 <= c.x <= x1 and y0 <= c.y <= y1, c
    text = json.dumps(surface.to_dict(), allow_nan=False)
    assert json.loads(text)["id"] == surface.id


def test_param_vector_checks_names_and_ranges():
    ravine = get_surface("ravine")
    assert ravine.param_vector({"theta": 45}).tolist() == [20.0, 45.0]
    with pytest.raises(EngineError) as unknown:
        ravine.param_vector({"kapa": 3.0})
    assert unknown.value.field == "params.kapa"
    assert "kappa" in unknown.value.message
    for bad in (0.5, 1e9, math.nan, math.inf):
        with pytest.raises(EngineError) as out_of_range:
            ravine.param_vector({"kappa": bad})
        assert out_of_range.value.field == "params.kappa"
    with pytest.raises(EngineError):
        get_surface("saddle").param_vector({"a": 1.0})


def test_unknown_surface_is_refused_with_the_choices():
    with pytest.raises(EngineError) as error:
        get_surface("nope")
    assert error.value.field == "id"
    assert "unknown surface 'nope'" in error.value.message
    assert all(sid in error.value.message for sid in SURFACES)


# ---- the behaviours the teaching notes promise --------------------------------------------

def descend(sid: str, start: tuple[float, float], lr: float, steps: int, *,
            clip_norm: float | None = None, momentum: float = 0.0) -> np.ndarray:
    """Plain (heavy-ball) gradient descent with optional norm clipping; returns the path."""
    surface = get_surface(sid)
    p = surface.param_vector()
    point = np.array(start, dtype=np.float64)
    velocity = np.zeros(2)
    path = [point.copy()]
    for _ in range(steps):
        g = gradient(surface, p, *point)
        norm = math.hypot(*g)
        if clip_norm is not None and norm > clip_norm:
            g *= clip_norm / norm
        velocity = momentum * velocity + g
        point = point - lr * velocity
        path.append(point.copy())
    return np.array(path)


def adam(sid: str, start: tuple[float, float], lr: float, steps: int) -> np.ndarray:
    """Adam with the usual constants (β1 = 0.9, β2 = 0.999, ε = 1e-8); returns the end point."""
    surface = get_surface(sid)
    p = surface.param_vector()
    point = np.array(start, dtype=np.float64)
    m = np.zeros(2)
    v = np.zeros(2)
    for t in range(1, steps + 1):
        g = gradient(surface, p, *point)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        point = point - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return point


def inside(view: tuple[float, float, float, float], point: np.ndarray) -> bool:
    return view[0] <= point[0] <= view[1] and view[2] <= point[1] <= view[3]


def test_cliff_throws_gradient_descent_away_unless_the_gradient_is_clipped():
    cliff = get_surface("cliff")
    start = cliff.starts[0]
    plain = descend("cliff", start, lr=0.1, steps=400)
    assert not inside(cliff.view, plain[-1])
    assert np.abs(plain[-1, 0]) > 20.0
    assert np.abs(plain[-1] - plain[-100]).max() < 1e-6, "it stays lost on the flat ground"
    for clip_norm in (1.0, 5.0):
        clipped = descend("cliff", start, lr=0.1, steps=400, clip_norm=clip_norm)
        assert all(inside(cliff.view, q) for q in clipped)
        assert np.abs(clipped[-1]).max() < 1e-6


def test_double_well_traps_descent_on_the_ridge_only():
    on_ridge = descend("double_well", (1.5, 0.0), lr=0.1, steps=500)
    assert np.abs(on_ridge[-1]).max() < 1e-12, "converged into the saddle"
    off_ridge = descend("double_well", (1.5, 1e-3), lr=0.1, steps=500)
    assert np.abs(off_ridge[-1] - [0.0, 1.0]).max() < 1e-6
    heavy_ball = descend("double_well", (1.5, 1e-3), lr=0.05, steps=500, momentum=0.9)
    assert np.abs(heavy_ball[-1] - [0.0, 1.0]).max() < 1e-6


def test_plateau_stalls_gradient_descent_but_not_adam():
    start = get_surface("plateau").starts[0]
    sgd = descend("plateau", start, lr=0.1, steps=1000)
    assert np.hypot(*(sgd[-1] - start)) < 0.01
    assert np.hypot(*adam("plateau", start, lr=0.05, steps=300)) < 1e-3


def test_deceptive_slope_leads_to_the_shallow_basin():
    surface = get_surface("deceptive")
    shallow, deep = (next(c for c in surface.critical_points(surface.param_vector())
                          if c.kind == kind) for kind in ("local_min", "global_min"))
    fooled = descend("deceptive", surface.starts[0], lr=0.05, steps=3000)[-1]
    assert np.hypot(fooled[0] - shallow.x, fooled[1] - shallow.y) < 1e-6
    found = descend("deceptive", surface.starts[1], lr=0.05, steps=3000)[-1]
    assert np.hypot(found[0] - deep.x, found[1] - deep.y) < 1e-6


def test_large_steps_cannot_stay_in_the_sharp_minimum():
    surface = get_surface("sharp_and_flat")
    sharp, flat = (next(c for c in surface.critical_points(surface.param_vector())
                        if c.kind == kind) for kind in ("global_min", "local_min"))
    start = surface.starts[0]
    small = descend("sharp_and_flat", start, lr=0.01, steps=3000)[-1]
    assert np.hypot(small[0] - sharp.x, small[1] - sharp.y) < 1e-6
    large = descend("sharp_and_flat", start, lr=0.1, steps=3000)[-1]
    assert np.hypot(large[0] - flat.x, large[1] - flat.y) < 1e-6


# ---- the two-weight networks as surfaces ---------------------------------------------------

NETWORK_SURFACES = [s.id for s in SURFACES.values() if "network" in s.tags]


@pytest.mark.parametrize("sid", NETWORK_SURFACES)
def test_a_network_surface_reads_its_data_and_describes_it(sid):
    """The kernels read the dataset the sliders describe; the entry shows it and the axes."""
    surface = get_surface(sid)
    net = TWO_PARAM_NETS[sid]
    p = surface.param_vector({"seed": 11})
    np.testing.assert_array_equal(surface.kernel_params(p), net.data_vector(p))
    assert not np.array_equal(surface.kernel_params(p),
                              surface.kernel_params(surface.param_vector()))
    xy = view_points(surface, 16, seed=4)
    f, g, _ = evaluate(surface, p, xy)
    fn, gn = net.value_grad(xy, p)
    np.testing.assert_array_equal(f, fn)
    np.testing.assert_array_equal(g, gn)
    entry = json.loads(json.dumps(surface.to_dict(), allow_nan=False))
    assert entry["axes"] == list(net.axes) != ["x", "y"]
    assert entry["data"] == json.loads(json.dumps(net.to_dict()["data"]))
    assert "data" not in get_surface("bowl").to_dict()


@pytest.mark.parametrize("sid", NETWORK_SURFACES)
def test_a_network_surface_races_like_plain_gradient_descent(sid):
    """engine.race over a network surface is gradient descent on the network's own loss
    (its Python-side value_grad): the race passes the data vector, not the sliders."""
    surface = get_surface(sid)
    params = {"seed": 2}
    p = surface.param_vector(params)
    start = surface.starts[-1]
    r = engine.race(sid, [("sgd", {"lr": 0.3})], start, 60, params=params)
    point = np.array(start, dtype=np.float64)
    for t in range(1, 61):
        _, g = TWO_PARAM_NETS[sid].value_grad(point[None], p)
        point = point - 0.3 * g[0]
        np.testing.assert_allclose(r.positions[0, 0, t], point, rtol=1e-12, atol=1e-14)
    grid = engine.grid(sid, 7, params=params)
    mesh = np.stack(np.meshgrid(grid.x, grid.y), axis=-1).reshape(-1, 2)
    np.testing.assert_allclose(grid.z.ravel(), TWO_PARAM_NETS[sid].value_grad(mesh, p)[0],
                               rtol=1e-14)


def test_newton_walks_into_the_linear_nets_saddle_and_sgd_finds_the_valley():
    """The teaching note's point, through the race: the exact Hessian makes Newton's step
    aim at the nearest critical point, here the saddle; gradient descent escapes it."""
    r = engine.race("linear_net", [("sgd", {"lr": 0.1}), "newton"], (1.5, -1.4), 300)
    sgd, newton = (row[0] for row in engine.outcomes(r))
    assert sgd.status == "converged" and abs(sgd.point[0] * sgd.point[1] - 1.0) < 1e-3
    assert newton.status == "stalled" and newton.near.kind == "saddle"
