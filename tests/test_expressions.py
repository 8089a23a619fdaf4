"""User-typed surfaces: exact values and derivatives, refusals with columns, round trips.

Reference derivatives are written out by hand with numpy, independently of the stack
machine's chain rules; finite differences are a second, independent check.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from descentlab.engine.errors import EngineError
from descentlab.engine.expressions import MAX_DEPTH, CompiledExpression, compile_expression
from descentlab.engine.expressions.vm import expr_hessian_batch, expr_value_grad_batch
from descentlab.engine.objective import objective


def expression_value_grad(expr: CompiledExpression, xy) -> tuple[np.ndarray, np.ndarray]:
    return objective(expr).value_grad(xy)


def expression_hessian(expr: CompiledExpression, xy) -> np.ndarray:
    return objective(expr).hessian(xy)


# Points inside every function's domain (asin, acos, log, sqrt) and off every kink.
RNG = np.random.default_rng(20240607)
XY = RNG.uniform(0.15, 0.85, size=(40, 2))
XY = XY[np.abs(XY[:, 0] - XY[:, 1]) > 0.05]
X, Y = XY[:, 0], XY[:, 1]
LN10 = math.log(10.0)
Z = np.zeros_like(X)
ONE = np.ones_like(X)


def _sigmoid_ref(u):
    s = 1.0 / (1.0 + np.exp(-u))
    d1 = s * (1.0 - s)
    return s, d1, d1 * (1.0 - 2.0 * s)


def _pow_ref():
    v = X**Y
    lx = np.log(X)
    return (v, Y * X ** (Y - 1), v * lx, Y * (Y - 1) * X ** (Y - 2),
            X ** (Y - 1) * (1 + Y * lx), v * lx * lx)


def _minmax_ref():
    low = X < Y
    big = X * X > Y
    f = np.minimum(X, Y) + np.maximum(X * X, Y)
    fx = np.where(low, 1.0, 0.0) + np.where(big, 2 * X, 0.0)
    fy = np.where(low, 0.0, 1.0) + np.where(big, 0.0, 1.0)
    return f, fx, fy, np.where(big, 2.0, 0.0), Z, Z


def _asin_ref():
    u = X * Y
    q = 1 - u * u
    d1, d2 = q**-0.5, u * q**-1.5
    return np.arcsin(u), Y * d1, X * d1, Y * Y * d2, d1 + u * d2, X * X * d2


def _sigmoid_case():
    s, d1, d2 = _sigmoid_ref(X - Y)
    return s, d1, -d1, d2, -d2, d2


# (text, lambda returning f, fx, fy, fxx, fxy, fyy at X, Y)
CASES = [
    ("x**2 + 10*y**2", lambda: (X**2 + 10 * Y**2, 2 * X, 20 * Y, 2 * ONE, Z, 20 * ONE)),
    ("(x + y)*(x*y - 1)", lambda: ((X + Y) * (X * Y - 1), 2 * X * Y + Y * Y - 1,
                                   X * X + 2 * X * Y - 1, 2 * Y, 2 * X + 2 * Y, 2 * X)),
    ("x*y - x/y", lambda: (X * Y - X / Y, Y - 1 / Y, X + X / Y**2, Z, 1 + 1 / Y**2,
                           -2 * X / Y**3)),
    ("-x**2 + y^3", lambda: (-(X**2) + Y**3, -2 * X, 3 * Y**2, -2 * ONE, Z, 6 * Y)),
    ("x**-2 * y", lambda: (Y / X**2, -2 * Y / X**3, 1 / X**2, 6 * Y / X**4, -2 / X**3, Z)),
    ("x**1.5 + y**0.5", lambda: (X**1.5 + Y**0.5, 1.5 * X**0.5, 0.5 * Y**-0.5,
                                 0.75 * X**-0.5, Z, -0.25 * Y**-1.5)),
    ("x**y", _pow_ref),
    ("2**x", lambda: (2**X, 2**X * math.log(2), Z, 2**X * math.log(2) ** 2, Z, Z)),
    ("sin(x*y)", lambda: (np.sin(X * Y), Y * np.cos(X * Y), X * np.cos(X * Y),
                          -Y * Y * np.sin(X * Y), np.cos(X * Y) - X * Y * np.sin(X * Y),
                          -X * X * np.sin(X * Y))),
    ("cos(x + 2*y)", lambda: (np.cos(X + 2 * Y), -np.sin(X + 2 * Y), -2 * np.sin(X + 2 * Y),
                              -np.cos(X + 2 * Y), -2 * np.cos(X + 2 * Y),
                              -4 * np.cos(X + 2 * Y))),
    ("tan(x - y)", lambda: (np.tan(X - Y), 1 + np.tan(X - Y) ** 2, -1 - np.tan(X - Y) ** 2,
                            2 * np.tan(X - Y) * (1 + np.tan(X - Y) ** 2),
                            -2 * np.tan(X - Y) * (1 + np.tan(X - Y) ** 2),
                            2 * np.tan(X - Y) * (1 + np.tan(X - Y) ** 2))),
    ("exp(x*y)", lambda: (np.exp(X * Y), Y * np.exp(X * Y), X * np.exp(X * Y),
                          Y * Y * np.exp(X * Y), (1 + X * Y) * np.exp(X * Y),
                          X * X * np.exp(X * Y))),
    ("log(x + y**2)", lambda: (np.log(X + Y**2), 1 / (X + Y**2), 2 * Y / (X + Y**2),
                               -1 / (X + Y**2) ** 2, -2 * Y / (X + Y**2) ** 2,
                               2 / (X + Y**2) - 4 * Y**2 / (X + Y**2) ** 2)),
    ("sqrt(x*y)", lambda: (np.sqrt(X * Y), Y / (2 * np.sqrt(X * Y)), X / (2 * np.sqrt(X * Y)),
                           -(Y**2) / (4 * (X * Y) ** 1.5), 1 / (4 * np.sqrt(X * Y)),
                           -(X**2) / (4 * (X * Y) ** 1.5))),
    ("abs(x - y)", lambda: (np.abs(X - Y), np.sign(X - Y), -np.sign(X - Y), Z, Z, Z)),
    ("tanh(x) + sinh(y)", lambda: (np.tanh(X) + np.sinh(Y), 1 - np.tanh(X) ** 2, np.cosh(Y),
                                   -2 * np.tanh(X) * (1 - np.tanh(X) ** 2), Z, np.sinh(Y))),
    ("cosh(x*y)", lambda: (np.cosh(X * Y), Y * np.sinh(X * Y), X * np.sinh(X * Y),
                           Y * Y * np.cosh(X * Y), np.sinh(X * Y) + X * Y * np.cosh(X * Y),
                           X * X * np.cosh(X * Y))),
    ("asin(x*y)", _asin_ref),
    ("acos(x) + atan(y)", lambda: (np.arccos(X) + np.arctan(Y), -1 / np.sqrt(1 - X**2),
                                   1 / (1 + Y**2), -X / (1 - X**2) ** 1.5, Z,
                                   -2 * Y / (1 + Y**2) ** 2)),
    ("log10(x)*e - pi*y", lambda: (np.log10(X) * math.e - math.pi * Y, math.e / (X * LN10),
                                   -math.pi * ONE, -math.e / (X * X * LN10), Z, Z)),
    ("sigmoid(x - y)", _sigmoid_case),
    ("min(x, y) + max(x*x, y)", _minmax_ref),
    ("x/(1 + y**2)", lambda: (X / (1 + Y**2), 1 / (1 + Y**2), -2 * X * Y / (1 + Y**2) ** 2, Z,
                              -2 * Y / (1 + Y**2) ** 2,
                              -2 * X / (1 + Y**2) ** 2 + 8 * X * Y**2 / (1 + Y**2) ** 3)),
    ("+x - -y + (x - y)*2", lambda: (3 * X - Y, 3 * ONE, -ONE, Z, Z, Z)),
    ("sin(x)*cos(y) + 0.1*(x**2 + y**2)",
     lambda: (np.sin(X) * np.cos(Y) + 0.1 * (X**2 + Y**2), np.cos(X) * np.cos(Y) + 0.2 * X,
              -np.sin(X) * np.sin(Y) + 0.2 * Y, -np.sin(X) * np.cos(Y) + 0.2,
              -np.cos(X) * np.sin(Y), -np.sin(X) * np.cos(Y) + 0.2)),
]
CASE_IDS = [text for text, _ in CASES]


def _all_six(expr: CompiledExpression, xy: np.ndarray) -> np.ndarray:
    f, g = expression_value_grad(expr, xy)
    h = expression_hessian(expr, xy)
    return np.column_stack([f, g, h])


@pytest.mark.parametrize(("text", "reference"), CASES, ids=CASE_IDS)
def test_value_gradient_hessian_match_hand_written_numpy(text, reference):
    got = _all_six(compile_expression(text), XY)
    want = np.column_stack(np.broadcast_arrays(*reference()))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def _central_gradient(expr: CompiledExpression, xy: np.ndarray, h: float) -> np.ndarray:
    """Central differences of the value, one column per coordinate."""
    columns = []
    for axis in (0, 1):
        step = np.zeros(2)
        step[axis] = h
        up, _ = expression_value_grad(expr, xy + step)
        down, _ = expression_value_grad(expr, xy - step)
        columns.append((up - down) / (2 * h))
    return np.column_stack(columns)


def _central_hessian(expr: CompiledExpression, xy: np.ndarray, h: float) -> np.ndarray:
    """(fxx, fxy, fyy) by central differences of the (exact) gradient."""
    sx, sy = np.array([h, 0.0]), np.array([0.0, h])
    dx = (expression_value_grad(expr, xy + sx)[1]
          - expression_value_grad(expr, xy - sx)[1]) / (2 * h)
    dy = (expression_value_grad(expr, xy + sy)[1]
          - expression_value_grad(expr, xy - sy)[1]) / (2 * h)
    return np.column_stack([dx[:, 0], 0.5 * (dx[:, 1] + dy[:, 0]), dy[:, 1]])


@pytest.mark.parametrize("text", CASE_IDS)
def test_derivatives_match_central_differences(text):
    expr = compile_expression(text)
    _, g = expression_value_grad(expr, XY)
    np.testing.assert_allclose(g, _central_gradient(expr, XY, 1e-6), rtol=1e-6, atol=1e-6)
    h = expression_hessian(expr, XY)
    np.testing.assert_allclose(h, _central_hessian(expr, XY, 1e-6), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("text", "x", "y", "value"), [
    ("-x**2", 3.0, 0.0, -9.0),
    ("-2**2", 0.0, 0.0, -4.0),
    ("2**3**2", 0.0, 0.0, 512.0),
    ("2^-1", 0.0, 0.0, 0.5),
    ("(-x)**2", 3.0, 0.0, 9.0),
    ("x - y - 1", 5.0, 2.0, 2.0),
    ("x/y/2", 8.0, 2.0, 2.0),
    ("x**-y**2", 2.0, 1.0, 0.5),
    (".5e1*x + 1.", 1.0, 0.0, 6.0),
    ("exp(1) - e + pi", 0.0, 0.0, math.pi),
])
def test_precedence_and_literals_follow_python(text, x, y, value):
    f, _ = expression_value_grad(compile_expression(text), np.array([[x, y]]))
    assert f[0] == pytest.approx(value, rel=1e-15)


def test_kinks_use_the_documented_one_sided_choices():
    f, g = expression_value_grad(compile_expression("abs(x) + min(x, y) + max(y, x)"),
                                 np.array([[0.0, 0.0]]))
    # abs: 0 at 0; min(x, y) follows x on a tie; max(y, x) follows y on a tie.
    assert f[0] == 0.0
    np.testing.assert_array_equal(g[0], [1.0, 1.0])


def test_non_finite_points_give_nan_or_inf_not_errors():
    expr = compile_expression("log(x) + 1/y + sqrt(x) + asin(y)")
    xy = np.array([[-1.0, 0.5], [1.0, 0.0], [np.nan, 1.0], [np.inf, -np.inf], [1e308, 1e308]])
    f, g = expression_value_grad(expr, xy)
    h = expression_hessian(expr, xy)
    assert not np.isfinite(f).any()
    assert f.shape == (5,) and g.shape == (5, 2) and h.shape == (5, 3)


def test_min_and_max_propagate_nan():
    f, g = expression_value_grad(compile_expression("min(log(x), y) + max(y, log(x))"),
                                 np.array([[-1.0, 0.0]]))
    assert np.isnan(f[0]) and np.isnan(g).all()


def test_integer_and_real_powers_at_zero():
    xy = np.array([[0.0, 0.0]])
    for text, value, grad in [("x**2 + y**3", 0.0, [0.0, 0.0]), ("x**0", 1.0, [0.0, 0.0]),
                              ("x**1.5 + y", 0.0, [0.0, 1.0])]:
        f, g = expression_value_grad(compile_expression(text), xy)
        assert f[0] == value
        np.testing.assert_array_equal(g[0], grad)


# --- refusals -----------------------------------------------------------------------

REFUSED = [
    ("__import__('os')", "unknown name '__import__'", 1),
    ("x.__class__", "attribute access", 2),
    ("x.real", "attribute access", 2),
    ("lambda: 1", "keyword", 1),
    ("[x for x in y]", "brackets", 1),
    ("x**99999999", "exponent 99999999", 4),
    ("9**9**9", "exponent 9**9 = 387420489", 4),
    ("2**100*x", "limit is 64", 4),
    ("'a'*10", "strings", 1),
    ('"a"', "strings", 1),
    ("z + 1", "unknown name 'z' at column 1: use x and y, pi, e", 1),
    ("x + X", "did you mean x?", 5),
    ("ln(x)", "did you mean log?", 1),
    ("sin x", "'sin' at column 1 is a function", 1),
    ("sin", "is a function", 1),
    ("sin(x, y)", "takes 1 argument", 1),
    ("min(x)", "takes 2 arguments", 1),
    ("((x)", "'(' at column 1 is never closed", 1),
    ("sin(x", "'(' at column 4 is never closed", 4),
    ("x)", "')' at column 2 has no matching '('", 2),
    ("2x", "write 2*x, not 2x", 1),
    ("x + 3y", "write 3*y, not 3y", 5),
    ("0x10", "write 0*x10", 1),
    ("1_000*x", "digit separators", 2),
    ("x +", "ends too early", 3),
    ("* x", "needs a value before it", 1),
    ("x * * y", "cannot follow '*'", 5),
    ("", "empty", 1),
    ("   ", "empty", 1),
    ("()", "empty parentheses", 1),
    ("x = 1", "'=' at column 3", 3),
    ("x == y", "'=' at column 3", 3),
    ("x; y", "';' at column 2", 2),
    ("open('f')", "unknown name 'open'", 1),
    ("exec('1')", "unknown name 'exec'", 1),
    ("import os", "keyword", 1),
    ("{x}", "braces", 1),
    ("x[0]", "brackets", 2),
    ("1e999", "number '1e999' at column 1 is too large", 1),
    ("x @ y", "'@'", 3),
    ("x // y", "'//'", 3),
    ("x % y", "remainder", 3),
    ("x if y else 1", "'if' at column 3 is a Python keyword", 3),
    ("x, y", "',' at column 2", 2),
    ("(x, y)", "',' at column 3", 3),
    ("x y", "missing operator before 'y' at column 3", 3),
    ("x(2)", "missing operator before '('", 2),
    ("1/0 + x", "1/0 at column 2 has no finite value", 2),
    ("log(-1) + x", "log(-1) at column 1 has no finite value", 1),
    ("exp(1000)*x", "too large", 1),
    ("x**(1/0)", "divides by zero", 6),
    ("x + é", "U+00E9", 5),
    ("\u0445 + y", "U+0445", 1),  # Cyrillic ha, looks like x
    ("x \u2212 y", "type - instead", 3),
    ("x\x00", "'\\x00'", 2),
    ("x | y", "abs(x)", 3),
    ("\\sqrt{x}", "backslashes", 1),
]


@pytest.mark.parametrize(("text", "fragment", "column"), REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_or_malformed_input_is_refused_with_cause_and_column(text, fragment, column):
    with pytest.raises(EngineError) as info:
        compile_expression(text)
    assert fragment in info.value.message
    assert info.value.column == column
    assert info.value.field == "expression"


def test_a_million_characters_is_refused_before_tokenizing(monkeypatch):
    def parse_must_not_run(*args: object) -> None:
        raise AssertionError("a text over the length limit reached the parser")

    monkeypatch.setattr("descentlab.engine.expressions.parse", parse_must_not_run)
    with pytest.raises(EngineError, match="is 1000000 characters long; the limit is 500"):
        compile_expression("x" * 1_000_000)


def test_ten_thousand_parentheses_are_refused_by_length_then_by_depth():
    text = "(" * 10_000 + "x" + ")" * 10_000
    with pytest.raises(EngineError, match="characters long"):
        compile_expression(text)
    with pytest.raises(EngineError, match="nested too deeply") as info:
        compile_expression(text, max_length=100_000, max_nodes=100_000)
    assert info.value.column == MAX_DEPTH + 2  # the first '(' beyond the limit


def test_deeply_nested_functions_are_refused():
    compile_expression("exp(" * 6 + "x" + ")" * 6)
    text = "exp(" * 40 + "x" + ")" * 40
    with pytest.raises(EngineError, match="nested too deeply") as info:
        compile_expression(text)
    assert text[info.value.column - 1:].startswith("exp(")


def test_long_signs_and_power_towers_are_refused_by_depth():
    for text in ["-" * 100 + "x", "x" + "**x" * 60]:
        with pytest.raises(EngineError, match="nested too deeply"):
            compile_expression(text)


def test_node_and_height_limits():
    with pytest.raises(EngineError, match="more than 300 parts"):
        compile_expression("+".join(["x"] * 151))
    with pytest.raises(EngineError, match="nested too deeply"):
        compile_expression("+".join(["x"] * 300), max_length=10_000, max_nodes=10_000)


def test_non_text_is_refused():
    with pytest.raises(EngineError, match="must be text"):
        compile_expression(None)  # type: ignore[arg-type]


# --- rendering ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "plain", "latex"), [
    ("x**2", "x**2", "x^{2}"),
    ("sqrt(x)", "sqrt(x)", r"\sqrt{x}"),
    ("x/y", "x/y", r"\frac{x}{y}"),
    ("x^2+10*y^2", "x**2 + 10*y**2", "x^{2} + 10 y^{2}"),
    ("(-x)^2", "(-x)**2", r"\left(-x\right)^{2}"),
    ("-(x+y)", "-(x + y)", r"-\left(x + y\right)"),
    ("x-(y-1)", "x - (y - 1)", r"x - \left(y - 1\right)"),
    ("exp(x)**2", "exp(x)**2", r"\left(e^{x}\right)^{2}"),
    ("log(x)*abs(y)", "log(x)*abs(y)", r"\ln\left(x\right) \cdot \left|y\right|"),
    ("1e-5*pi", "1e-05*pi", r"10^{-5} \pi"),
    ("min(x,  y)", "min(x, y)", r"\min\left(x, y\right)"),
])
def test_plain_and_latex(text, plain, latex):
    expr = compile_expression(text)
    assert (expr.text, expr.plain, expr.latex) == (text, plain, latex)


# --- the machine --------------------------------------------------------------------

def test_new_expressions_do_not_compile_new_machine_code():
    xy = np.array([[0.3, 0.4]])
    expression_value_grad(compile_expression("x + y"), xy)
    expression_hessian(compile_expression("x + y"), xy)
    before = (len(expr_value_grad_batch.signatures), len(expr_hessian_batch.signatures))
    for text in ["sin(x)*y**3", "max(x, y) - sigmoid(x*y)", "atan(x)/(1 + y**2)"]:
        expression_value_grad(compile_expression(text), xy)
        expression_hessian(compile_expression(text), xy)
    assert (len(expr_value_grad_batch.signatures), len(expr_hessian_batch.signatures)) == before


@pytest.mark.parametrize("ops", [
    [], [1], [1, 1, 0, 1, 0], [1, 3, 0], [1, 0, 5], [1, 999, 0], [0, 1, 0],
    [2, 1, 0, 2, 0], [1, 11, 1000], [1, -1, 0], [1, 1, 0, 0],
])
def test_malformed_programs_give_nan_instead_of_crashing(ops):
    f, g, h = np.zeros(2), np.zeros((2, 2)), np.zeros((3, 2))
    xy = np.ones((2, 2))
    expr_value_grad_batch(np.array(ops, dtype=np.int64), np.array([1.0]), xy, f, g)
    expr_hessian_batch(np.array(ops, dtype=np.int64), np.array([1.0]), xy, h)
    assert np.isnan(f).all() and np.isnan(g).all() and np.isnan(h).all()


def test_wrappers_check_the_shape_of_points():
    expr = compile_expression("x*y")
    f, g = expression_value_grad(expr, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(f, [2.0, 12.0])
    np.testing.assert_array_equal(g, [[2.0, 1.0], [4.0, 3.0]])
    assert expression_value_grad(expr, np.empty((0, 2)))[0].shape == (0,)
    with pytest.raises(ValueError, match="shape"):
        expression_hessian(expr, np.ones(3))


# --- properties ---------------------------------------------------------------------

UNARY = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "asin",
         "acos", "atan", "log10", "sigmoid"]
LEAVES = st.one_of(
    st.sampled_from(["x", "y", "pi", "e"]),
    st.integers(0, 30).map(str),
    st.integers(1, 99).map(lambda k: f"{k / 10}"),
)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**", "^"]), children)
        .map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        st.tuples(st.sampled_from(["-", "+"]), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(["min", "max"]), children, children)
        .map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(children, st.integers(-4, 6)).map(lambda t: f"({t[0]})**{t[1]}"),
        st.tuples(children, st.sampled_from(["0.5", "1.5", "-0.5"]))
        .map(lambda t: f"({t[0]})^{t[1]}"),
    )


EXPRESSIONS = st.recursive(LEAVES, _extend, max_leaves=10)
# Valid grammar can still be refused for what its constant parts evaluate to.
ACCEPTABLE_REFUSALS = ("no finite value", "exponent", "nested too deeply")
PROPERTY = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _compile_generated(text: str) -> CompiledExpression:
    try:
        return compile_expression(text, max_length=5_000)
    except EngineError as error:
        assert any(reason in error.message for reason in ACCEPTABLE_REFUSALS), error.message
        assume(False)
        raise


@PROPERTY
@given(EXPRESSIONS, st.lists(st.tuples(st.floats(allow_nan=True, allow_infinity=True),
                                       st.floats(allow_nan=True, allow_infinity=True)),
                             min_size=1, max_size=8))
def test_generated_expressions_compile_evaluate_and_round_trip(text, points):
    expr = _compile_generated(text)
    again = compile_expression(expr.plain, max_length=10_000)
    np.testing.assert_array_equal(again.ops, expr.ops)
    np.testing.assert_array_equal(again.consts, expr.consts)
    assert again.plain == expr.plain and again.latex == expr.latex
    xy = np.array(points, dtype=np.float64)
    f, g = expression_value_grad(expr, xy)
    h = expression_hessian(expr, xy)
    assert f.shape == (len(points),) and g.shape == (len(points), 2) and h.shape[1] == 3


def _agrees_with_differences(estimate, exact: np.ndarray, f: float) -> bool | None:
    """Whether ``exact`` matches ``estimate(h)`` (central differences at step h) at two
    steps; None when the point is ill-conditioned (the two steps disagree)."""
    coarse, fine = estimate(1e-5)[0], estimate(2.5e-6)[0]
    if not (np.isfinite(coarse).all() and np.isfinite(fine).all()):
        return None
    scale = 1.0 + np.abs(exact) + 1e-10 * abs(f) / 2.5e-6  # rounding error of the differences
    if (np.abs(coarse - fine) > 1e-4 * scale).any():
        return None  # a kink or a steep region between the samples
    return bool((np.abs(fine - exact) <= 1e-4 * scale).all())


@PROPERTY
@given(EXPRESSIONS, st.floats(-3, 3), st.floats(-3, 3))
def test_generated_derivatives_match_finite_differences(text, x, y):
    expr = _compile_generated(text)
    # Irrational offsets keep hypothesis's favourite values (0, ties x == y) off the kinks.
    xy = np.array([[x + 0.0137 * math.sqrt(2), y - 0.0291 * math.sqrt(3)]])
    f, g = expression_value_grad(expr, xy)
    h = expression_hessian(expr, xy)
    assume(np.isfinite(f).all() and np.isfinite(g).all() and abs(f[0]) < 1e8)
    agrees = _agrees_with_differences(lambda step: _central_gradient(expr, xy, step), g[0], f[0])
    assume(agrees is not None)
    assert agrees, (expr.plain, xy, g)
    if np.isfinite(h).all():
        scale = float(np.abs(g).max())
        agrees = _agrees_with_differences(lambda step: _central_hessian(expr, xy, step), h[0],
                                          scale)
        assert agrees is not False, (expr.plain, xy, h, _central_hessian(expr, xy, 2.5e-6))


TOKENS = ["x", "y", "e", "pi", "sin", "min", "(", ")", ",", "+", "-", "*", "**", "^", "/",
          "1", "2.5", ".", "e3", " ", "=", "[", "'", "é", "_"]


@PROPERTY
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(TOKENS), max_size=30)
                 .map("".join)))
def test_arbitrary_text_compiles_or_raises_engine_error_only(text):
    try:
        expr = compile_expression(text)
    except EngineError as error:
        assert error.field == "expression"
        assert error.column is None or 1 <= error.column <= len(text) + 1
        return
    f, _ = expression_value_grad(expr, np.array([[0.5, -0.25]]))
    assert f.shape == (1,)
