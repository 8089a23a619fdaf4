"""Fold constant parts of a tree and emit the postfix program the stack machine runs.

Folding uses Python floats only (no evaluation of text), so ``2*pi`` becomes one
constant and ``9**9**9`` is refused before anything large is computed: a constant
exponent must stay within ``MAX_EXPONENT``, and a constant part must have a finite value.
Equal constants share one slot in ``consts`` so that equal formulas give equal programs.
"""

from __future__ import annotations

import math

import numpy as np

from descentlab.engine.errors import EngineError, keyed
from descentlab.engine.expressions import opcodes as O
from descentlab.engine.expressions import tree as T
from descentlab.engine.expressions.functions import CONSTANTS, FUNCTIONS
from descentlab.engine.expressions.plain import number_text, to_plain

MAX_EXPONENT = 64
_BINARY_OPCODES = {"+": O.ADD, "-": O.SUB, "*": O.MUL, "/": O.DIV, "**": O.POW}
#: Why a constant part has no value: its message key's last part and its English reason.
_REASONS = {ZeroDivisionError: ("divides_by_zero", "it divides by zero"),
            OverflowError: ("too_large", "it is too large"),
            ValueError: ("outside_domain", "it is outside the function's domain")}


def start_column(node: T.Node) -> int:
    """Column of the first character of ``node`` (inside any parentheses around it)."""
    while node.kind == T.BINARY:
        node = node.args[0]
    return node.column


def fold(node: T.Node) -> T.Node:
    """``node`` with every subtree free of x and y replaced by one NUM node."""
    if node.kind == T.CONST:
        return T.Node(T.NUM, node.column, node.name, CONSTANTS[node.name])
    if node.kind in (T.NUM, T.VAR):
        return node
    args = tuple(fold(a) for a in node.args)
    if node.kind == T.BINARY and node.name == "**" and args[1].kind == T.NUM:
        _check_exponent(node, args[1].value)
    if any(a.kind != T.NUM for a in args):
        return T.Node(node.kind, node.column, node.name, node.value, args)
    values = [a.value for a in args]
    try:
        value = _constant(node, values)
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        raise _no_value(node, _REASONS[type(exc)]) from None
    if not math.isfinite(value):
        raise _no_value(node, _REASONS[OverflowError])
    return T.Node(T.NUM, node.column, value=value)


def _constant(node: T.Node, values: list[float]) -> float:
    """The float value of an operation on constants (may raise math's domain errors)."""
    if node.kind == T.NEG:
        return -values[0]
    if node.kind == T.CALL:
        return float(FUNCTIONS[node.name].fold(*values))
    a, b = values
    if node.name == "+":
        return a + b
    if node.name == "-":
        return a - b
    if node.name == "*":
        return a * b
    if node.name == "/":
        return a / b
    return math.pow(a, b)


def _check_exponent(node: T.Node, exponent: float) -> None:
    if abs(exponent) <= MAX_EXPONENT:
        return
    right = node.args[1]
    shown = number_text(exponent)
    if right.kind != T.NUM:
        shown = f"{to_plain(right)} = {shown}"
    column = start_column(right)
    raise keyed("expression.exponent_too_large", "the exponent {exponent} in {part} (column "
                "{column}) is too large: the limit is {limit} in absolute value",
                field="expression", column=column, exponent=shown, part=to_plain(node),
                limit=MAX_EXPONENT)


def _no_value(node: T.Node, reason: tuple[str, str]) -> EngineError:
    key, text = reason
    return keyed(f"expression.no_value_{key}", "{part} at column {column} has no finite value: "
                 + text, field="expression", column=node.column, part=to_plain(node))


class _Emitter:
    """Collects instructions in postfix order and the deduplicated constants."""

    def __init__(self) -> None:
        self.code: list[int] = []
        self.consts: list[float] = []
        self.slots: dict[str, int] = {}

    def const(self, value: float) -> int:
        key = value.hex()  # distinguishes 0.0 from -0.0
        if key not in self.slots:
            self.slots[key] = len(self.consts)
            self.consts.append(value)
        return self.slots[key]

    def emit(self, node: T.Node) -> None:
        if node.kind == T.NUM:
            self.code += [O.CONST, self.const(node.value)]
        elif node.kind == T.VAR:
            self.code += [O.X if node.name == "x" else O.Y, 0]
        elif node.kind == T.NEG:
            self.emit(node.args[0])
            self.code += [O.NEG, 0]
        elif node.kind == T.CALL:
            for arg in node.args:
                self.emit(arg)
            self.code += [FUNCTIONS[node.name].opcode, 0]
        elif node.name == "**" and node.args[1].kind == T.NUM:
            self.emit(node.args[0])
            c = node.args[1].value
            if c.is_integer():
                self.code += [O.POWI, int(c)]
            else:
                self.code += [O.POWC, self.const(c)]
        else:
            self.emit(node.args[0])
            self.emit(node.args[1])
            self.code += [_BINARY_OPCODES[node.name], 0]


def _depth(code: list[int]) -> int:
    height = deepest = 0
    for opcode in code[::O.WIDTH]:
        height += O.stack_effect(opcode)
        deepest = max(deepest, height)
    return deepest


def compile_tree(node: T.Node) -> tuple[np.ndarray, np.ndarray]:
    """The (ops, consts) program computing ``node``; see ``opcodes`` for the layout."""
    emitter = _Emitter()
    emitter.emit(fold(node))
    ops = np.array([_depth(emitter.code), *emitter.code], dtype=np.int64)
    return ops, np.array(emitter.consts, dtype=np.float64)
