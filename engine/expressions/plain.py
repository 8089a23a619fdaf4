"""Render a tree as normalised plain text that parses back to the same tree.

Parentheses are written only where the grammar needs them to keep the tree's shape
(floating-point ``+`` is not associative, so ``x + (y + z)`` keeps its parentheses),
``^`` becomes ``**``, and numbers print in the shortest form that reads back exactly.
"""

from __future__ import annotations

from descentlab.engine.expressions import tree as T

ADDITIVE, MULTIPLICATIVE, SIGN, POWER, ATOM = 1, 2, 3, 4, 5
_BINARY = {"+": ADDITIVE, "-": ADDITIVE, "*": MULTIPLICATIVE, "/": MULTIPLICATIVE,
           "**": POWER}


def precedence(node: T.Node) -> int:
    """How tightly ``node`` binds when written out; leaves and calls never need parentheses."""
    if node.kind == T.BINARY:
        return _BINARY[node.name]
    return SIGN if node.kind == T.NEG else ATOM


def number_text(value: float) -> str:
    """Shortest exact decimal for a literal: ``3`` rather than ``3.0``."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def to_plain(node: T.Node) -> str:
    """The plain-text form of ``node``."""
    if node.kind == T.NUM:
        return number_text(node.value)
    if node.kind in (T.VAR, T.CONST):
        return node.name
    if node.kind == T.CALL:
        return f"{node.name}({', '.join(to_plain(a) for a in node.args)})"
    if node.kind == T.NEG:
        (operand,) = node.args
        wrap = precedence(operand) < SIGN or operand.kind == T.NEG
        return "-" + _wrap(to_plain(operand), wrap)
    left, right = node.args
    if node.name == "**":
        # Python allows a signed exponent (x**-2) but the base must be an atom.
        return (_wrap(to_plain(left), precedence(left) <= POWER) + "**"
                + _wrap(to_plain(right), precedence(right) < SIGN))
    level = _BINARY[node.name]
    joiner = f" {node.name} " if level == ADDITIVE else node.name
    return (_wrap(to_plain(left), precedence(left) < level) + joiner
            + _wrap(to_plain(right), precedence(right) <= level))


def _wrap(text: str, needed: bool) -> str:
    return f"({text})" if needed else text
