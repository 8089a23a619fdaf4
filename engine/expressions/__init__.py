"""User-typed surfaces: parsed safely, compiled to a stack program, evaluated exactly.

The formula language is a small whitelist, read by our own tokenizer and parser (the
text is never handed to Python's ``eval``, ``exec``, ``compile`` or ``ast``):

* numbers: decimal literals such as ``2``, ``0.5``, ``.5``, ``1e-3``;
* names: ``x``, ``y``, ``pi``, ``e``;
* operators: ``+ - * /`` and ``**`` for powers, with ``^`` accepted as a synonym for
  ``**``; unary ``-`` and ``+``; parentheses. Precedence is Python's: ``**`` is
  right-associative and binds tighter than unary minus, so ``-x**2`` is ``-(x**2)``;
* functions of one argument: sin cos tan exp log (natural) sqrt abs tanh sinh cosh
  asin acos atan log10 sigmoid; of two arguments: ``min(a, b)`` and ``max(a, b)``.

Derivatives are exact (second-order forward mode in ``vm``). Where a function has a
kink the machine uses a documented one-sided choice: ``abs`` has derivative 0 at 0 (the
minimum-norm subgradient) and ``min``/``max`` follow their first argument on a tie.
Outside a function's domain (``log(-1)``, ``1/0`` at a point) the result is NaN or Inf,
which the race code treats as divergence. ``a**b`` with a non-integer constant ``b`` or a
``b`` depending on x and y is real only for ``a > 0`` (NaN otherwise).

Limits: ``max_length`` characters (checked before any parsing; the error points at the
first character past the limit), ``max_nodes`` parts, nesting depth ``MAX_DEPTH``,
constant exponents up to ``MAX_EXPONENT`` in absolute value, and every constant part
must have a finite value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab.engine.errors import keyed
from descentlab.engine.expressions.compiler import MAX_EXPONENT, compile_tree
from descentlab.engine.expressions.latex import to_latex
from descentlab.engine.expressions.parser import MAX_DEPTH, parse
from descentlab.engine.expressions.plain import to_plain

__all__ = ["MAX_DEPTH", "MAX_EXPONENT", "CompiledExpression", "compile_expression"]


@dataclass(frozen=True, eq=False)
class CompiledExpression:
    """A checked formula: as typed, normalised, for display, and as a machine program.

    ``ops``/``consts`` are left writable so that Numba sees the same array types as for
    the built-in surfaces and compiles the dispatch kernels only once; do not mutate them.
    """

    text: str
    plain: str
    latex: str
    ops: np.ndarray
    consts: np.ndarray


def compile_expression(text: str, *, max_length: int = 500,
                       max_nodes: int = 300) -> CompiledExpression:
    """Parse, check and compile ``text``; raise EngineError(field="expression") if refused."""
    if not isinstance(text, str):
        raise keyed("expression.not_text", "the expression must be text", field="expression")
    if len(text) > max_length:
        raise keyed("expression.too_long", "expression is {length} characters long; the limit "
                    "is {limit}", field="expression", column=max_length + 1, length=len(text),
                    limit=max_length)
    tree = parse(text, max_nodes)
    ops, consts = compile_tree(tree)
    return CompiledExpression(text, to_plain(tree), to_latex(tree), ops, consts)
