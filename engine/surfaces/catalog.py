"""The built-in surfaces: formulas for display, parameters, known critical points, teaching notes.

Coordinates the literature gives to 4–6 decimals were refined with Newton's method on the
compiled gradient and Hessian, so the convergence test ``f − f*`` is exact to rounding;
``tests/test_surfaces.py`` checks them against the published values at the published
precision. Surfaces whose critical points move with their parameters and have no closed
form (cliff, deceptive, sharp_and_flat) locate them by Newton's method on demand.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from descentlab.engine.critical_points import Formula, newton
from descentlab.engine.errors import lookup
from descentlab.engine.params import Param
from descentlab.engine.surfaces import dispatch as D
from descentlab.engine.surfaces import formulas as F
from descentlab.engine.surfaces.networks import network_surfaces
from descentlab.engine.surfaces.spec import CriticalPoint, PointKind, Surface

CriticalPoints = Callable[[np.ndarray], tuple[CriticalPoint, ...]]

DEEP_LEARNING = "Goodfellow, Bengio & Courville, Deep Learning (MIT Press, 2016)"
SURVEY = ("Jamil & Yang, A literature survey of benchmark functions for global optimisation "
          "problems, Int. J. Math. Modelling and Numerical Optimisation 4(2) (2013)")
SFU = "Surjanovic & Bingham, Virtual Library of Simulation Experiments (Simon Fraser University)"


def _at(x: float, y: float, value: float, kind: PointKind) -> CriticalPoint:
    return CriticalPoint(float(x), float(y), float(value), kind)


def _fixed(*points: tuple[float, float, float, PointKind]) -> CriticalPoints:
    """Critical points that do not depend on the parameters."""
    listed = tuple(_at(*point) for point in points)
    return lambda pvec: listed


def _two_basins(fg: Formula, hess: Formula, p: np.ndarray,
                guesses: tuple[tuple[float, float], tuple[float, float]]
                ) -> tuple[CriticalPoint, ...]:
    """Two minima found from ``guesses`` and the saddle (mountain pass) between them.

    The pass is started from the highest point on the segment joining the minima, where
    Newton's method lands on the saddle rather than back in a basin.
    """
    minima = [newton(fg, hess, gx, gy, p) for gx, gy in guesses]
    (x1, y1), (x2, y2) = minima
    path = [(x1 + s * (x2 - x1), y1 + s * (y2 - y1)) for s in np.linspace(0.0, 1.0, 65)]
    top = max(path, key=lambda q: fg(q[0], q[1], p)[0])
    sx, sy = newton(fg, hess, top[0], top[1], p)
    values = [fg(x, y, p)[0] for x, y in minima]
    best = int(np.argmin(values))
    points = [_at(x, y, v, "global_min" if i == best else "local_min")
              for i, ((x, y), v) in enumerate(zip(minima, values, strict=True))]
    points.sort(key=lambda c: c.value)
    return (*points, _at(sx, sy, fg(sx, sy, p)[0], "saddle"))


def _origin_min(pvec: np.ndarray) -> tuple[CriticalPoint, ...]:
    return (_at(0.0, 0.0, 0.0, "global_min"),)


def _rosenbrock_points(pvec: np.ndarray) -> tuple[CriticalPoint, ...]:
    a = pvec[0]
    return (_at(a, a * a, 0.0, "global_min"),)


def _double_well_points(pvec: np.ndarray) -> tuple[CriticalPoint, ...]:
    a = pvec[0]
    low = -0.25 * a ** 4
    return (_at(0.0, a, low, "global_min"), _at(0.0, -a, low, "global_min"),
            _at(0.0, 0.0, 0.0, "saddle"))


def _cliff_points(pvec: np.ndarray) -> tuple[CriticalPoint, ...]:
    # The wall's tail reaches the basin only as exp(−edge·foot/width): the minimum moves
    # off the origin by far less than rounding at the defaults, but Newton makes it exact.
    x, y = newton(F.cliff_fg, F.cliff_h, 0.0, 0.0, pvec)
    return (_at(x, y, F.cliff_fg(x, y, pvec)[0], "global_min"),)


def _deceptive_points(pvec: np.ndarray) -> tuple[CriticalPoint, ...]:
    shallow = (F.DECEPTIVE_SHALLOW[1], F.DECEPTIVE_SHALLOW[2])
    return _two_basins(F.deceptive_fg, F.deceptive_h, pvec, (shallow, F.DECEPTIVE_DEEP_AT))


def _sharp_and_flat_points(pvec: np.ndarray) -> tuple[CriticalPoint, ...]:
    sharp = (F.SHARP_WELL_AT[1], F.SHARP_WELL_AT[2])
    flat = (F.FLAT_WELL[1], F.FLAT_WELL[2])
    return _two_basins(F.sharp_and_flat_fg, F.sharp_and_flat_h, pvec, (sharp, flat))


# Styblinski–Tang is a sum of one quartic per coordinate: its 2-D critical points are all
# pairs of the three roots of 2t³ − 16t + 2.5 = 0, two minima and a maximum.
_ST_ROOTS: tuple[tuple[float, PointKind], ...] = (
    (-2.903534027771177, "local_min"), (2.746802770990837, "local_min"),
    (0.1567312567803401, "local_max"))


def _styblinski_tang_points(pvec: np.ndarray) -> tuple[CriticalPoint, ...]:
    points = []
    for i, (x, kx) in enumerate(_ST_ROOTS):
        for j, (y, ky) in enumerate(_ST_ROOTS):
            kind: PointKind = kx if kx == ky else "saddle"
            if i == j == 0:
                kind = "global_min"
            points.append(_at(x, y, F.styblinski_tang_fg(x, y, pvec)[0], kind))
    return tuple(sorted(points, key=lambda c: c.value))


def _surfaces() -> tuple[Surface, ...]:
    """Every built-in surface, teaching surfaces first, then classic benchmarks."""
    teaching = (
        Surface(
            id="bowl", code=D.BOWL, name="Bowl",
            latex=r"\tfrac{s}{2}\left(x^2 + y^2\right)",
            plain="curvature/2*(x**2 + y**2)",
            tags=("teaching", "convex", "quadratic"),
            params=(Param("curvature", 1.0, 0.1, 25.0,
                          "curvature s of the bowl; gradient descent is stable for lr < 2/s"),),
            view=(-2.0, 2.0, -2.0, 2.0), starts=((1.5, 1.0), (-1.8, 0.6)),
            note=("The easiest possible surface: every method gets to the bottom. Plain "
                  "gradient descent converges only while lr × curvature < 2; try "
                  "curvature 10 with lr 0.19 (oscillation) and 0.21 (divergence)."),
            critical_points=_origin_min,
            references=(DEEP_LEARNING + ", §4.3",)),
        Surface(
            id="ravine", code=D.RAVINE, name="Rotated ravine",
            latex=(r"\tfrac12\left(u^2 + \kappa v^2\right),\ "
                   r"u = x\cos\theta + y\sin\theta,\ v = y\cos\theta - x\sin\theta"),
            plain=("0.5*((cos(theta*pi/180)*x + sin(theta*pi/180)*y)**2"
                   " + kappa*(cos(theta*pi/180)*y - sin(theta*pi/180)*x)**2)"),
            tags=("teaching", "convex", "quadratic", "ill-conditioned"),
            params=(Param("kappa", 20.0, 1.0, 200.0,
                          "condition number: curvature across the valley over along it"),
                    Param("theta", 0.0, 0.0, 90.0,
                          "angle of the valley to the x-axis, in degrees")),
            view=(-3.0, 3.0, -3.0, 3.0), starts=((-2.5, 1.2), (2.0, -2.0)),
            note=("Gradient descent zig-zags across the steep direction and crawls along the "
                  "shallow one; the condition number κ sets how badly, and momentum damps the "
                  "zig-zag. At θ = 0 the valley lies along the axes, where AdaGrad, RMSProp "
                  "and Adam rescale each coordinate separately and look brilliant; rotate it "
                  "(θ = 45°) and that per-coordinate scaling no longer fits the valley."),
            critical_points=_origin_min,
            references=("Goh, Why Momentum Really Works, Distill (2017)",
                        DEEP_LEARNING + ", §4.3.1 and §8.3.2",
                        "Kingma & Ba, Adam: A Method for Stochastic Optimization, ICLR (2015)")),
        Surface(
            id="saddle", code=D.SADDLE, name="Saddle",
            latex=r"x^2 - y^2", plain="x**2 - y**2",
            tags=("teaching", "saddle", "unbounded"),
            params=(), view=(-2.0, 2.0, -2.0, 2.0),
            starts=((1.5, 0.0), (1.5, 0.05), (-1.8, -0.01)),
            note=("Started exactly on the x-axis, gradient descent walks straight into the "
                  "saddle and stops. A tiny offset in y grows geometrically, so the path "
                  "lingers near the saddle and then slides off; the surface has no minimum "
                  "and falls away without bound."),
            critical_points=_fixed((0.0, 0.0, 0.0, "saddle")),
            references=(DEEP_LEARNING + ", §8.2.3",
                        "Dauphin et al., Identifying and attacking the saddle point problem "
                        "in high-dimensional non-convex optimization, NeurIPS (2014)")),
        Surface(
            id="monkey_saddle", code=D.MONKEY_SADDLE, name="Monkey saddle",
            latex=r"x^3 - 3xy^2", plain="x**3 - 3*x*y**2",
            tags=("teaching", "saddle", "degenerate", "unbounded"),
            params=(), view=(-1.5, 1.5, -1.5, 1.5),
            starts=((1.0, 0.0), (1.0, 0.15), (-0.5, 1.0)),
            note=("A degenerate saddle: gradient and Hessian are both zero at the origin, so "
                  "no second-order test can classify it. Three valleys fall away between three "
                  "ridges; on the ridge y = 0 gradient descent creeps in ever more slowly, "
                  "because the gradient shrinks like x²."),
            critical_points=_fixed((0.0, 0.0, 0.0, "saddle")),
            references=("Anandkumar & Ge, Efficient approaches for escaping higher order "
                        "saddle points in non-convex optimization, COLT (2016)",)),
        Surface(
            id="double_well", code=D.DOUBLE_WELL, name="Double well",
            latex=r"x^2 + \tfrac14 y^4 - \tfrac12 a^2 y^2",
            plain="x**2 + y**4/4 - a**2*y**2/2",
            tags=("teaching", "saddle", "non-convex"),
            params=(Param("a", 1.0, 0.5, 1.5, "the two minima sit at (0, ±a)"),),
            view=(-2.0, 2.0, -2.0, 2.0), starts=((1.5, 0.0), (1.5, 0.001), (-1.5, -1.8)),
            note=("Two minima with a saddle between them. From a start on the ridge y = 0 "
                  "plain gradient descent converges to the saddle and stays there for good: "
                  "the gradient never points off the ridge. Start 0.001 off it, or add "
                  "gradient noise, and the path escapes to a minimum after a visible pause."),
            critical_points=_double_well_points,
            references=("Ge, Huang, Jin & Yuan, Escaping from saddle points: online stochastic "
                        "gradient for tensor decomposition, COLT (2015)",
                        "Jin et al., How to escape saddle points efficiently, ICML (2017)")),
        Surface(
            id="flat_quartic", code=D.FLAT_QUARTIC, name="Flat quartic minimum",
            latex=r"x^4 + y^4 + \tfrac{\mu}{2}\left(x^2 + y^2\right)",
            plain="x**4 + y**4 + mu/2*(x**2 + y**2)",
            tags=("teaching", "convex", "degenerate"),
            params=(Param("mu", 0.0, 0.0, 2.0,
                          "curvature at the minimum (0 makes the minimum flat)"),),
            view=(-1.5, 1.5, -1.5, 1.5), starts=((1.2, 0.8), (-1.0, -1.3)),
            note=("At μ = 0 the minimum has zero curvature: gradient descent's steps shrink "
                  "with the cube of the distance, so the loss decays like a power of t "
                  "instead of geometrically, and Newton's method slows to a linear rate. "
                  "Raise μ and geometric convergence comes back."),
            critical_points=_origin_min,
            references=("Nocedal & Wright, Numerical Optimization, 2nd ed. (Springer, 2006), "
                        "§3.3",)),
        Surface(
            id="plateau", code=D.PLATEAU, name="Plateau",
            latex=r"1 - \exp\!\left(-\frac{x^2 + y^2}{2\sigma^2}\right)",
            plain="1 - exp(-(x**2 + y**2)/(2*width**2))",
            tags=("teaching", "vanishing-gradient", "non-convex"),
            params=(Param("width", 1.0, 0.5, 3.0, "radius σ of the basin"),),
            view=(-6.0, 6.0, -6.0, 6.0), starts=((4.0, 2.5), (-4.5, -3.0), (1.0, 0.5)),
            note=("Far from the basin the loss is almost flat: at (4, 2.5) the gradient is "
                  "about 7e-5, and SGD with lr 0.1 moves less than 0.01 in a thousand steps. "
                  "Adam and RMSProp divide by the gradient's own running size, so their steps "
                  "stay about lr long and they cross the plateau in a few dozen steps."),
            critical_points=_origin_min,
            references=(DEEP_LEARNING + ", §8.2.3 and §8.5",
                        "Kingma & Ba, Adam: A Method for Stochastic Optimization, ICLR (2015)")),
        Surface(
            id="cliff", code=D.CLIFF, name="Cliff",
            latex=(r"4\left(1 - e^{-r^2/8}\right) + \frac{H}{200}\left[\operatorname{sp}"
                   r"(200t) - \operatorname{sp}(200t - 200)\right],\ "
                   r"t = \frac{S(x - 1.5)}{H},\ \operatorname{sp}(z) = \log(1 + e^z)"),
            plain=("4*(1 - exp(-(x**2 + y**2)/8)) + height/200*("
                   "min(max(200*steepness*(x - 1.5)/height, 0), 200)"
                   " + log(1 + exp(-abs(200*steepness*(x - 1.5)/height)))"
                   " - log(1 + exp(-abs(200*steepness*(x - 1.5)/height - 200))))"),
            tags=("teaching", "exploding-gradient", "non-convex"),
            params=(Param("height", 100.0, 20.0, 300.0, "height H of the cliff"),
                    Param("steepness", 300.0, 50.0, 500.0,
                          "slope S of the cliff face: the size of the exploding gradient")),
            view=(-4.0, 5.0, -3.0, 3.0), starts=((3.5, 1.0), (4.5, -1.0), (-2.0, 1.0)),
            note=("Gradient descent (lr 0.1) walks down the gentle terrace, lands on the "
                  "cliff face where the gradient is about 300, and is hurled some 30 units "
                  "out of view onto flat ground it never leaves. Clip the gradient norm "
                  "(clip_norm 1–5) and the same descent steps down the face and reaches "
                  "the minimum; Adam's normalised steps survive it too."),
            critical_points=_cliff_points, log_contours=True,
            references=(DEEP_LEARNING + ", §8.2.4 and Fig. 8.3",
                        "Pascanu, Mikolov & Bengio, On the difficulty of training recurrent "
                        "neural networks, ICML (2013)")),
        Surface(
            id="deceptive", code=D.DECEPTIVE, name="Deceptive slope",
            latex=(r"\tfrac{1}{20}r^2 - e^{-\left[(x + 1.5)^2 + (y + 1)^2\right]/4.5}"
                   r" - A\,e^{-\left[(x - 2)^2 + (y - 1.5)^2\right]/2w^2}"),
            plain=("0.05*(x**2 + y**2) - exp(-((x + 1.5)**2 + (y + 1)**2)/4.5)"
                   " - depth*exp(-((x - 2)**2 + (y - 1.5)**2)/(2*width**2))"),
            tags=("teaching", "non-convex", "multimodal"),
            params=(Param("depth", 3.0, 1.5, 6.0, "depth A of the narrow global well"),
                    Param("width", 0.4, 0.25, 0.8, "width w of the narrow global well")),
            view=(-4.0, 4.0, -4.0, 4.0), starts=((0.8, 0.4), (2.6, 2.4), (-3.0, 3.0)),
            note=("From (0.8, 0.4) the downhill direction points away from the deep minimum, "
                  "only 1.6 away, towards a broad shallow basin: local slopes say nothing about "
                  "where the best solution is. Widen the deep well and the same start finds it."),
            critical_points=_deceptive_points,
            references=(DEEP_LEARNING + ", §8.2.7 and Fig. 8.4",)),
        Surface(
            id="sharp_and_flat", code=D.SHARP_AND_FLAT, name="Sharp and flat minima",
            latex=(r"\tfrac{1}{40}r^2 - e^{-\left[(x + 1.5)^2 + y^2\right]/2w^2}"
                   r" - 0.8\,e^{-\left[(x - 1.5)^2 + y^2\right]/2}"),
            plain=("0.025*(x**2 + y**2) - exp(-((x + 1.5)**2 + y**2)/(2*sharp_width**2))"
                   " - 0.8*exp(-((x - 1.5)**2 + y**2)/2)"),
            tags=("teaching", "non-convex", "learning-rate"),
            params=(Param("sharp_width", 0.1, 0.1, 0.5,
                          "width w of the deeper, sharp well (curvature about 1/w²)"),),
            view=(-4.0, 4.0, -3.0, 3.0), starts=((-1.3, 0.2), (-1.6, -0.1), (0.0, 1.5)),
            note=("The sharp well on the left is the deeper one, but its curvature is about "
                  "100: gradient descent can only stay in it while lr < 2/100. With lr 0.01 "
                  "it settles there; with lr 0.05 it bounces across it; with lr 0.1 it is "
                  "thrown out and settles in the wide, flat well instead."),
            critical_points=_sharp_and_flat_points,
            references=("Hochreiter & Schmidhuber, Flat minima, Neural Computation 9 (1997)",
                        "Keskar et al., On large-batch training for deep learning: "
                        "generalization gap and sharp minima, ICLR (2017)",
                        "Cohen et al., Gradient descent on neural networks typically occurs at "
                        "the edge of stability, ICLR (2021)")),
    )
    return teaching + _benchmarks()


def _benchmarks() -> tuple[Surface, ...]:
    return (
        Surface(
            id="rosenbrock", code=D.ROSENBROCK, name="Rosenbrock",
            latex=r"(a - x)^2 + b\left(y - x^2\right)^2",
            plain="(a - x)**2 + b*(y - x**2)**2",
            tags=("benchmark", "non-convex", "ill-conditioned"),
            params=(Param("a", 1.0, -1.5, 1.5, "the minimum is at (a, a²)"),
                    Param("b", 100.0, 1.0, 500.0, "steepness of the valley walls")),
            view=(-2.0, 2.0, -1.0, 3.0), starts=((-1.2, 1.0), (-1.5, 2.5), (1.5, -0.5)),
            note=("Finding the curved valley is easy; following its nearly flat floor to "
                  "(a, a²) is the hard part. Plain gradient descent needs a small lr for the "
                  "steep walls and then crawls along the floor; momentum and Adam do better."),
            critical_points=_rosenbrock_points, log_contours=True,
            references=("Rosenbrock, An automatic method for finding the greatest or least "
                        "value of a function, The Computer Journal 3 (1960)",)),
        Surface(
            id="beale", code=D.BEALE, name="Beale",
            latex=(r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"),
            plain="(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
            tags=("benchmark", "non-convex"),
            params=(), view=(-4.5, 4.5, -4.5, 4.5), starts=((1.0, 1.5), (-2.0, -2.0)),
            note=("Flat in the middle (f = 14.2 along the whole line x = 0) and very steep "
                  "in the corners: gradients range over five orders of magnitude, so a "
                  "learning rate that is safe in the corners barely moves in the middle."),
            critical_points=_fixed((3.0, 0.5, 0.0, "global_min"),
                                   (0.1005379373241584, -2.644513585023125,
                                    9.86451228475556, "saddle"),
                                   (0.0, 1.0, 14.203125, "saddle")),
            log_contours=True,
            references=("Beale, On an iterative method for finding a local minimum of a "
                        "function of more than one variable, Princeton (1958)", SURVEY)),
        Surface(
            id="booth", code=D.BOOTH, name="Booth",
            latex=r"(x + 2y - 7)^2 + (2x + y - 5)^2",
            plain="(x + 2*y - 7)**2 + (2*x + y - 5)**2",
            tags=("benchmark", "convex", "quadratic"),
            params=(), view=(-10.0, 10.0, -10.0, 10.0), starts=((-8.0, 8.0), (8.0, -6.0)),
            note=("A quadratic whose valley runs diagonally (Hessian [[10, 8], [8, 10]], "
                  "condition number 9): gradient descent first drops into the valley, then "
                  "slides along it."),
            critical_points=_fixed((1.0, 3.0, 0.0, "global_min")),
            references=(SURVEY, SFU)),
        Surface(
            id="matyas", code=D.MATYAS, name="Matyas",
            latex=r"0.26\left(x^2 + y^2\right) - 0.48xy",
            plain="0.26*(x**2 + y**2) - 0.48*x*y",
            tags=("benchmark", "convex", "quadratic", "ill-conditioned"),
            params=(), view=(-10.0, 10.0, -10.0, 10.0), starts=((-8.0, 6.0), (9.0, 4.0)),
            note=("Almost flat along the diagonal x = y (curvature 0.04 against 1 across "
                  "it): the path quickly reaches the diagonal, then creeps along it."),
            critical_points=_fixed((0.0, 0.0, 0.0, "global_min")),
            references=(SURVEY, SFU)),
        Surface(
            id="himmelblau", code=D.HIMMELBLAU, name="Himmelblau",
            latex=r"\left(x^2 + y - 11\right)^2 + \left(x + y^2 - 7\right)^2",
            plain="(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
            tags=("benchmark", "non-convex", "multimodal"),
            params=(), view=(-5.0, 5.0, -5.0, 5.0),
            starts=((0.0, 0.0), (-0.3, -0.9), (-4.5, 4.5), (4.5, -4.5)),
            note=("Four equally good minima: which one you reach depends only on where you "
                  "start. Starts near the local maximum at (−0.27, −0.92) fan out to "
                  "different minima."),
            critical_points=_fixed(
                (3.0, 2.0, 0.0, "global_min"),
                (-2.805118086952745, 3.131312518250573, 0.0, "global_min"),
                (-3.779310253377747, -3.2831859912861696, 0.0, "global_min"),
                (3.5844283403304917, -1.8481265269644036, 0.0, "global_min"),
                (3.385154183607021, 0.07385187983774928, 13.311926270405587, "saddle"),
                (0.08667750455539634, 2.884254701174776, 67.71915008752613, "saddle"),
                (-3.0730257507643897, -0.08135304428796751, 104.01516291755811, "saddle"),
                (-0.12796134673068005, -1.9537149802445766, 178.33723920192745, "saddle"),
                (-0.2708445906673476, -0.9230385564799813, 181.6165215225827, "local_max")),
            log_contours=True,
            references=("Himmelblau, Applied Nonlinear Programming (McGraw-Hill, 1972)",)),
        Surface(
            id="three_hump_camel", code=D.THREE_HUMP_CAMEL, name="Three-hump camel",
            latex=r"2x^2 - 1.05x^4 + \tfrac{x^6}{6} + xy + y^2",
            plain="2*x**2 - 1.05*x**4 + x**6/6 + x*y + y**2",
            tags=("benchmark", "non-convex", "multimodal"),
            params=(), view=(-2.5, 2.5, -2.5, 2.5), starts=((2.2, -0.2), (-1.0, 2.0)),
            note=("A global minimum at the origin flanked by two shallower local minima; a "
                  "start beyond the saddles at x ≈ ±1.07 ends in the wrong one."),
            critical_points=_fixed(
                (0.0, 0.0, 0.0, "global_min"),
                (1.7475523458302888, -0.8737761729151444, 0.29863844223685965, "local_min"),
                (-1.7475523458302888, 0.8737761729151444, 0.29863844223685965, "local_min"),
                (1.07054229182366, -0.53527114591183, 0.8773615577631402, "saddle"),
                (-1.07054229182366, 0.53527114591183, 0.8773615577631402, "saddle")),
            references=(SURVEY, SFU)),
        Surface(
            id="six_hump_camel", code=D.SIX_HUMP_CAMEL, name="Six-hump camel",
            latex=(r"\left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy"
                   r" + \left(4y^2 - 4\right)y^2"),
            plain="(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (4*y**2 - 4)*y**2",
            tags=("benchmark", "non-convex", "multimodal"),
            params=(), view=(-2.2, 2.2, -1.2, 1.2),
            starts=((-1.5, 1.0), (1.9, -0.2), (0.0, 0.05)),
            note=("Six minima (two global, four local), seven saddles and two maxima in a "
                  "small box; the origin itself is a saddle between the two global minima."),
            critical_points=_fixed(
                (0.08984201310031807, -0.7126564030207396, -1.0316284534898774, "global_min"),
                (-0.08984201310031807, 0.7126564030207396, -1.0316284534898774, "global_min"),
                (1.7036067149699807, -0.7960835686726252, -0.21546382438371725, "local_min"),
                (-1.7036067149699807, 0.7960835686726252, -0.21546382438371725, "local_min"),
                (1.6071047529201972, 0.5686514548841314, 2.104250310311258, "local_min"),
                (-1.6071047529201972, -0.5686514548841314, 2.104250310311258, "local_min"),
                (0.0, 0.0, 0.0, "saddle"),
                (1.1092053368047865, -0.7682680925095398, 0.5437186009781851, "saddle"),
                (-1.1092053368047865, 0.7682680925095398, 0.5437186009781851, "saddle"),
                (1.6380679841897787, 0.2286740690443941, 2.2293571975307143, "saddle"),
                (-1.6380679841897787, -0.2286740690443941, 2.2293571975307143, "saddle"),
                (1.296070267167109, 0.6050843880386585, 2.2294708180298595, "saddle"),
                (-1.296070267167109, -0.6050843880386585, 2.2294708180298595, "saddle"),
                (1.2302298765166526, 0.16233458445899498, 2.4962953510235772, "local_max"),
                (-1.2302298765166526, -0.16233458445899498, 2.4962953510235772, "local_max")),
            references=("Dixon & Szegő, The global optimisation problem: an introduction, in "
                        "Towards Global Optimisation 2 (North-Holland, 1978)", SURVEY)),
        Surface(
            id="goldstein_price", code=D.GOLDSTEIN_PRICE, name="Goldstein–Price",
            latex=(r"\left[1 + (x + y + 1)^2\left(19 - 14x + 3x^2 - 14y + 6xy + 3y^2\right)"
                   r"\right]\left[30 + (2x - 3y)^2\left(18 - 32x + 12x^2 + 48y - 36xy"
                   r" + 27y^2\right)\right]"),
            plain=("(1 + (x + y + 1)**2*(19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2))"
                   "*(30 + (2*x - 3*y)**2*(18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))"),
            tags=("benchmark", "non-convex", "multimodal"),
            params=(), view=(-2.0, 2.0, -2.0, 2.0), starts=((-1.5, 1.5), (1.5, 1.5), (1.0, -1.5)),
            note=("Values span six orders of magnitude (3 to about 10⁶) in this small box, so "
                  "contours are logarithmic; three local minima (30, 84, 840) trap paths that "
                  "start on the wrong side."),
            critical_points=_fixed(
                (0.0, -1.0, 3.0, "global_min"),
                (-0.6, -0.4, 30.0, "local_min"),
                (1.8, 0.2, 84.0, "local_min"),
                (1.2, 0.8, 840.0, "local_min"),
                (-0.4, -0.6, 35.0, "saddle"),
                (1.2, -0.2, 99.0, "saddle"),
                (1.4, 0.6, 980.0, "saddle"),
                (0.6, 0.4, 990.0, "saddle"),
                (0.8, 0.2, 1155.0, "local_max")),
            log_contours=True,
            references=("Goldstein & Price, On descent from local minima, Mathematics of "
                        "Computation 25 (1971)", SURVEY)),
        Surface(
            id="styblinski_tang", code=D.STYBLINSKI_TANG, name="Styblinski–Tang",
            latex=r"\tfrac12\left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)",
            plain="(x**4 - 16*x**2 + 5*x + y**4 - 16*y**2 + 5*y)/2",
            tags=("benchmark", "non-convex", "multimodal"),
            params=(), view=(-5.0, 5.0, -5.0, 5.0),
            starts=((0.0, 0.0), (0.3, 0.3), (4.5, -4.5)),
            note=("Four minima at the corners of a square around a maximum near the origin: "
                  "starts at (0, 0) and (0.3, 0.3) lie on either side of the maximum and end "
                  "in the best and the worst minimum."),
            critical_points=_styblinski_tang_points,
            references=("Styblinski & Tang, Experiments in nonconvex optimization: stochastic "
                        "approximation with function smoothing and simulated annealing, "
                        "Neural Networks 3 (1990)", SFU)),
        Surface(
            id="rastrigin", code=D.RASTRIGIN, name="Rastrigin",
            latex=r"2A + x^2 + y^2 - A\left(\cos 2\pi x + \cos 2\pi y\right)",
            plain="2*A + x**2 + y**2 - A*(cos(2*pi*x) + cos(2*pi*y))",
            tags=("benchmark", "non-convex", "multimodal"),
            params=(Param("A", 10.0, 0.0, 20.0,
                          "amplitude of the ripples (0 leaves a plain bowl)"),),
            view=(-5.12, 5.12, -5.12, 5.12), starts=((4.2, 3.8), (-2.3, 1.1), (0.4, -0.6)),
            note=("A bowl covered in a regular grid of local minima: gradient descent stops "
                  "in the nearest one. Lower A to watch the local minima disappear."),
            critical_points=_origin_min,
            references=("Rastrigin, Systems of Extremal Control (Nauka, 1974)",
                        "Mühlenbein, Schomisch & Born, The parallel genetic algorithm as "
                        "function optimizer, Parallel Computing 17 (1991)")),
        Surface(
            id="ackley", code=D.ACKLEY, name="Ackley",
            latex=(r"-a\,e^{-b\sqrt{(x^2 + y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2}"
                   r" + a + e"),
            plain=("-a*exp(-b*sqrt((x**2 + y**2)/2))"
                   " - exp((cos(2*pi*x) + cos(2*pi*y))/2) + a + e"),
            tags=("benchmark", "non-convex", "multimodal", "non-smooth"),
            params=(Param("a", 20.0, 5.0, 40.0, "depth of the central funnel"),
                    Param("b", 0.2, 0.05, 1.0, "how fast the funnel narrows")),
            view=(-5.0, 5.0, -5.0, 5.0), starts=((3.6, -2.8), (1.4, 1.2), (-0.6, 0.4)),
            note=("A funnel covered in bumps: gradient descent stops in the nearest bump, "
                  "while large steps or momentum see the funnel. The minimum is the tip of a "
                  "cone, where the gradient is undefined: the engine uses the zero gradient "
                  "there, and for the Hessian keeps only the smooth cosine part (2π²e on the "
                  "diagonal) and drops the cone's infinite curvature."),
            critical_points=_origin_min,
            references=("Ackley, A Connectionist Machine for Genetic Hillclimbing "
                        "(Kluwer, 1987)", SFU)),
        Surface(
            id="easom", code=D.EASOM, name="Easom",
            latex=r"-\cos x\cos y\,e^{-(x - \pi)^2 - (y - \pi)^2}",
            plain="-cos(x)*cos(y)*exp(-(x - pi)**2 - (y - pi)**2)",
            tags=("benchmark", "non-convex", "vanishing-gradient"),
            params=(), view=(-1.0, 7.0, -1.0, 7.0), starts=((0.5, 5.5), (2.4, 3.8)),
            note=("A single narrow hole in an almost perfectly flat plain: two units from "
                  "(π, π) the gradient is already below 0.02, and below 10⁻³ beyond three, so "
                  "a method that follows the slope has almost nothing to follow out there."),
            critical_points=_fixed((math.pi, math.pi, -1.0, "global_min")),
            references=("Easom, A survey of global optimization techniques, M.Eng. thesis, "
                        "University of Louisville (1990)", SURVEY)),
    )


# Teaching surfaces, then benchmarks, then the two-weight networks (tagged "network").
SURFACES: dict[str, Surface] = {s.id: s for s in (*_surfaces(), *network_surfaces())}


def get_surface(surface_id: str) -> Surface:
    """The catalogue entry for ``surface_id``; the error lists every valid id."""
    return lookup(SURFACES, surface_id, "surface")
