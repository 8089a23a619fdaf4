"""The parsed formula: a small immutable tree that keeps where each part was typed.

The tree is the unfolded form the student wrote (``2*pi`` stays ``2*pi``), so the plain
and LaTeX renderings read like the input; constant folding happens only in the compiler.
"""

from __future__ import annotations

from dataclasses import dataclass

NUM = "num"  # a decimal literal, value in ``value``
VAR = "var"  # x or y, in ``name``
CONST = "const"  # pi or e, in ``name``
NEG = "neg"  # unary minus of args[0]
BINARY = "binary"  # args[0] ``name`` args[1], name one of + - * / **
CALL = "call"  # function ``name`` applied to ``args``


@dataclass(frozen=True)
class Node:
    """One part of a formula; ``column`` is where its operator, name or number was typed."""

    kind: str
    column: int
    name: str = ""
    value: float = 0.0
    args: tuple[Node, ...] = ()
