"""The whitelist of functions and named constants a formula may use.

One table serves the parser (names and arities), the compiler (opcodes and constant
folding) and the error messages, so adding a function is a single edit here plus its
derivative rule in the stack machine. Folding uses ``math``, whose domain errors the
compiler turns into messages; the machine implements the same functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from descentlab.engine.expressions import opcodes as O

VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}


def _sigmoid(a: float) -> float:
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    ea = math.exp(a)
    return ea / (1.0 + ea)


@dataclass(frozen=True)
class Function:
    """A callable name: its arity, its opcode and its float implementation for folding."""

    arity: int
    opcode: int
    fold: Callable[..., float]
    meaning: str


FUNCTIONS: dict[str, Function] = {
    "sin": Function(1, O.SIN, math.sin, "sine"),
    "cos": Function(1, O.COS, math.cos, "cosine"),
    "tan": Function(1, O.TAN, math.tan, "tangent"),
    "exp": Function(1, O.EXP, math.exp, "e to the power"),
    "log": Function(1, O.LOG, math.log, "natural logarithm"),
    "sqrt": Function(1, O.SQRT, math.sqrt, "square root"),
    "abs": Function(1, O.ABS, abs, "absolute value"),
    "tanh": Function(1, O.TANH, math.tanh, "hyperbolic tangent"),
    "sinh": Function(1, O.SINH, math.sinh, "hyperbolic sine"),
    "cosh": Function(1, O.COSH, math.cosh, "hyperbolic cosine"),
    "asin": Function(1, O.ASIN, math.asin, "inverse sine"),
    "acos": Function(1, O.ACOS, math.acos, "inverse cosine"),
    "atan": Function(1, O.ATAN, math.atan, "inverse tangent"),
    "log10": Function(1, O.LOG10, math.log10, "base-10 logarithm"),
    "sigmoid": Function(1, O.SIGMOID, _sigmoid, "logistic function 1/(1 + exp(-a))"),
    "min": Function(2, O.MIN, min, "smaller of two values"),
    "max": Function(2, O.MAX, max, "larger of two values"),
}

# Names students often try, with the spelling this language uses.
ALIASES = {
    "ln": "log", "arcsin": "asin", "arccos": "acos", "arctan": "atan", "Sin": "sin",
    "Cos": "cos", "Exp": "exp", "Log": "log", "X": "x", "Y": "y", "PI": "pi", "Pi": "pi",
    "E": "e", "pow": "a**b", "power": "a**b", "square": "x**2", "sqr": "x**2", "fabs": "abs",
    "minimum": "min", "maximum": "max", "logistic": "sigmoid", "expit": "sigmoid",
}


def known_functions() -> str:
    """The functions a student may use, listed for error messages."""
    return ", ".join(FUNCTIONS)
