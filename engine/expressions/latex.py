"""Render a tree as LaTeX for display (KaTeX/MathJax), following the typed structure.

Division becomes ``\\frac``, powers become superscripts, and a number multiplying a
non-number is juxtaposed (``10 y^{2}``) as a textbook would write it.
"""

from __future__ import annotations

from descentlab.engine.expressions import tree as T
from descentlab.engine.expressions.plain import (
    ADDITIVE,
    MULTIPLICATIVE,
    SIGN,
    number_text,
    precedence,
)

_OPERATORS = {"sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "sinh": r"\sinh",
              "cosh": r"\cosh", "tanh": r"\tanh", "log": r"\ln", "log10": r"\log_{10}",
              "asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan",
              "sigmoid": r"\sigma", "min": r"\min", "max": r"\max"}


def number_latex(value: float) -> str:
    """A literal, with scientific notation written as a power of ten."""
    text = number_text(value)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else rf"{mantissa} \times {power}"


def to_latex(node: T.Node) -> str:
    """The LaTeX form of ``node``."""
    if node.kind == T.NUM:
        return number_latex(node.value)
    if node.kind == T.VAR:
        return node.name
    if node.kind == T.CONST:
        return r"\pi" if node.name == "pi" else "e"
    if node.kind == T.CALL:
        return _call(node)
    if node.kind == T.NEG:
        (operand,) = node.args
        return "-" + _paren(operand, precedence(operand) < SIGN or operand.kind == T.NEG)
    left, right = node.args
    if node.name == "/":
        return rf"\frac{{{to_latex(left)}}}{{{to_latex(right)}}}"
    if node.name == "**":
        return f"{_paren(left, not _plain_base(left))}^{{{to_latex(right)}}}"
    level = ADDITIVE if node.name in "+-" else MULTIPLICATIVE
    left_text = _paren(left, precedence(left) < level and not _is_fraction(left))
    right_text = _paren(right, (precedence(right) <= level and not _is_fraction(right))
                        or right.kind == T.NEG)
    if level == ADDITIVE:
        return f"{left_text} {node.name} {right_text}"
    if left.kind == T.NUM and not right_text[0].isdigit():
        return f"{left_text} {right_text}"
    return rf"{left_text} \cdot {right_text}"


def _call(node: T.Node) -> str:
    args = [to_latex(a) for a in node.args]
    if node.name == "sqrt":
        return rf"\sqrt{{{args[0]}}}"
    if node.name == "exp":
        return f"e^{{{args[0]}}}"
    if node.name == "abs":
        return rf"\left|{args[0]}\right|"
    return rf"{_OPERATORS[node.name]}\left({', '.join(args)}\right)"


def _is_fraction(node: T.Node) -> bool:
    return node.kind == T.BINARY and node.name == "/"


def _plain_base(node: T.Node) -> bool:
    """Whether ``node`` can carry a superscript without parentheses (no double ^)."""
    if node.kind in (T.VAR, T.CONST):
        return True
    if node.kind == T.NUM:
        return "e" not in number_text(node.value)
    return node.kind == T.CALL and node.name != "exp"


def _paren(node: T.Node, needed: bool) -> str:
    text = to_latex(node)
    return rf"\left({text}\right)" if needed else text
