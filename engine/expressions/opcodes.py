"""The instruction set shared by the compiler (Python) and the stack machine (Numba).

A program is an int64 array: ``ops[0]`` is the stack depth the program needs, then one
(opcode, argument) pair per instruction, in postfix order. The argument is an index into
``consts`` for ``CONST`` and ``POWC``, the integer exponent for ``POWI``, and 0 otherwise.
Keeping programs as plain data is what lets one compiled machine run every expression.

Numba freezes these numbers into ``vm``'s cached machine code and keys that cache on
``vm.py`` alone: after renumbering anything here, touch ``vm.py`` to force a rebuild.
"""

from __future__ import annotations

HEADER = 1  # ops[0] = stack depth
WIDTH = 2  # each instruction is (opcode, argument)

# Leaves: push one slot.
CONST = 0
X = 1
Y = 2

# Binary: pop two slots, push one.
ADD = 3
SUB = 4
MUL = 5
DIV = 6
POW = 7  # a ** b with b depending on x or y: exp(b * log a)
MIN = 8
MAX = 9

# Unary: replace the top slot.
NEG = 10
POWI = 11  # a ** n, n an integer constant (the argument)
POWC = 12  # a ** c, c a non-integer constant (argument = index of c in consts)
SIN = 13
COS = 14
TAN = 15
EXP = 16
LOG = 17
SQRT = 18
ABS = 19
TANH = 20
SINH = 21
COSH = 22
ASIN = 23
ACOS = 24
ATAN = 25
LOG10 = 26
SIGMOID = 27

LAST = SIGMOID


def stack_effect(opcode: int) -> int:
    """How an instruction changes the stack height (+1 leaf, -1 binary, 0 unary)."""
    if opcode <= Y:
        return 1
    if opcode <= MAX:
        return -1
    return 0
