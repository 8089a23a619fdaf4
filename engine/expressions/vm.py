"""One Numba stack machine that runs every compiled expression, with exact derivatives.

Each stack slot carries six numbers (f, fx, fy, fxx, fxy, fyy): second-order forward-mode
automatic differentiation, so value, gradient and Hessian come out exact (up to rounding)
from the same pass. Programs are data (see ``opcodes``), so a new expression never
triggers a new Numba compilation. The machine validates a program once per batch and
fills the outputs with NaN if it is malformed, so hand-made arrays cannot crash it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from descentlab.engine.expressions import opcodes as O

JIT = {"cache": True, "nogil": True, "error_model": "numpy"}

_LN10 = math.log(10.0)


@njit(**JIT)
def program_depth(ops, consts):
    """The stack depth ``ops`` needs, or -1 if it is not a well-formed program."""
    if ops.shape[0] < O.HEADER + O.WIDTH or (ops.shape[0] - O.HEADER) % O.WIDTH != 0:
        return -1
    height = 0
    deepest = 0
    for k in range(O.HEADER, ops.shape[0], O.WIDTH):
        op = ops[k]
        arg = ops[k + 1]
        if op < 0 or op > O.LAST:
            return -1
        if (op == O.CONST or op == O.POWC) and (arg < 0 or arg >= consts.shape[0]):
            return -1
        if op == O.POWI and (arg < -64 or arg > 64):
            return -1
        if op <= O.Y:
            height += 1
        elif op <= O.MAX:
            height -= 1
        if height < 1:
            return -1
        deepest = max(deepest, height)
    if height != 1 or ops[0] < deepest:
        return -1
    return deepest


@njit(**JIT)
def _chain(s, k, v, d1, d2):
    """Slot k := phi(slot k), given phi, phi' and phi'' at its value (second-order chain rule)."""
    ax = s[k, 1]
    ay = s[k, 2]
    s[k, 0] = v
    s[k, 3] = d2 * ax * ax + d1 * s[k, 3]
    s[k, 4] = d2 * ax * ay + d1 * s[k, 4]
    s[k, 5] = d2 * ay * ay + d1 * s[k, 5]
    s[k, 1] = d1 * ax
    s[k, 2] = d1 * ay


@njit(**JIT)
def _mul(s, k):
    """Slot k-1 := slot k-1 * slot k (product rule to second order)."""
    j = k - 1
    a0, ax, ay, axx, axy, ayy = s[j, 0], s[j, 1], s[j, 2], s[j, 3], s[j, 4], s[j, 5]
    b0, bx, by, bxx, bxy, byy = s[k, 0], s[k, 1], s[k, 2], s[k, 3], s[k, 4], s[k, 5]
    s[j, 0] = a0 * b0
    s[j, 1] = ax * b0 + a0 * bx
    s[j, 2] = ay * b0 + a0 * by
    s[j, 3] = axx * b0 + 2.0 * ax * bx + a0 * bxx
    s[j, 4] = axy * b0 + ax * by + ay * bx + a0 * bxy
    s[j, 5] = ayy * b0 + 2.0 * ay * by + a0 * byy


@njit(**JIT)
def _ipow(a, n):
    """a ** n for an integer n by repeated squaring (exact for small n, no libm call)."""
    m = -n if n < 0 else n
    r = 1.0
    b = a
    while m > 0:
        if m & 1:
            r *= b
        b *= b
        m >>= 1
    return 1.0 / r if n < 0 else r


@njit(**JIT)
def _copy(s, dst, src):
    for j in range(6):
        s[dst, j] = s[src, j]


@njit(**JIT)
def _run(ops, consts, x, y, s):
    """Run the program at (x, y); the result is left in slot 0 of ``s``."""
    k = -1
    for i in range(O.HEADER, ops.shape[0], O.WIDTH):
        op = ops[i]
        arg = ops[i + 1]
        if op <= O.Y:
            k += 1
            for j in range(1, 6):
                s[k, j] = 0.0
            if op == O.CONST:
                s[k, 0] = consts[arg]
            elif op == O.X:
                s[k, 0] = x
                s[k, 1] = 1.0
            else:
                s[k, 0] = y
                s[k, 2] = 1.0
        elif op <= O.MAX:
            if op == O.ADD:
                for j in range(6):
                    s[k - 1, j] += s[k, j]
            elif op == O.SUB:
                for j in range(6):
                    s[k - 1, j] -= s[k, j]
            elif op == O.MUL:
                _mul(s, k)
            elif op == O.DIV:
                b = s[k, 0]
                _chain(s, k, 1.0 / b, -1.0 / (b * b), 2.0 / (b * b * b))
                _mul(s, k)
            elif op == O.POW:
                # a ** b = exp(b * log a): log(a) in slot k-1, times b, then exp.
                a = s[k - 1, 0]
                _chain(s, k - 1, math.log(a), 1.0 / a, -1.0 / (a * a))
                _mul(s, k)
                e = math.exp(s[k - 1, 0])
                _chain(s, k - 1, e, e, e)
            else:
                a = s[k - 1, 0]
                b = s[k, 0]
                if a != a or b != b:
                    for j in range(6):
                        s[k - 1, j] = math.nan
                elif (op == O.MIN and b < a) or (op == O.MAX and b > a):
                    _copy(s, k - 1, k)
                # ties keep the first argument's derivatives (a documented one-sided choice)
            k -= 1
        else:
            a = s[k, 0]
            if op == O.NEG:
                for j in range(6):
                    s[k, j] = -s[k, j]
            elif op == O.POWI:
                if arg >= 2:  # one power and no division, so finite at a == 0
                    p = _ipow(a, arg - 2)
                    _chain(s, k, p * a * a, arg * p * a, arg * (arg - 1) * p)
                elif arg == 1:
                    _chain(s, k, a, 1.0, 0.0)
                elif arg == 0:
                    _chain(s, k, 1.0, 0.0, 0.0)
                else:
                    p = _ipow(a, arg - 2)
                    _chain(s, k, _ipow(a, arg), arg * p * a, arg * (arg - 1) * p)
            elif op == O.POWC:
                c = consts[arg]
                v = a**c
                if a > 0.0:  # one libm call
                    _chain(s, k, v, c * v / a, c * (c - 1.0) * v / (a * a))
                else:  # a == 0 gives 0 or Inf per term; a < 0 gives NaN
                    _chain(s, k, v, c * a ** (c - 1.0), c * (c - 1.0) * a ** (c - 2.0))
            elif op == O.SIN:
                sn = math.sin(a)
                _chain(s, k, sn, math.cos(a), -sn)
            elif op == O.COS:
                cs = math.cos(a)
                _chain(s, k, cs, -math.sin(a), -cs)
            elif op == O.TAN:
                t = math.tan(a)
                d1 = 1.0 + t * t
                _chain(s, k, t, d1, 2.0 * t * d1)
            elif op == O.EXP:
                e = math.exp(a)
                _chain(s, k, e, e, e)
            elif op == O.LOG:
                _chain(s, k, math.log(a), 1.0 / a, -1.0 / (a * a))
            elif op == O.SQRT:
                r = math.sqrt(a)
                _chain(s, k, r, 0.5 / r, -0.25 / (a * r))
            elif op == O.ABS:
                # subgradient 0 at a == 0 (the minimum-norm choice)
                sg = 1.0 if a > 0.0 else (-1.0 if a < 0.0 else 0.0)
                _chain(s, k, abs(a), sg, 0.0)
            elif op == O.TANH:
                t = math.tanh(a)
                d1 = 1.0 - t * t
                _chain(s, k, t, d1, -2.0 * t * d1)
            elif op == O.SINH:
                sh = math.sinh(a)
                ch = math.cosh(a)
                _chain(s, k, sh, ch, sh)
            elif op == O.COSH:
                sh = math.sinh(a)
                ch = math.cosh(a)
                _chain(s, k, ch, sh, ch)
            elif op == O.ASIN:
                q = 1.0 - a * a
                r = math.sqrt(q)
                _chain(s, k, math.asin(a), 1.0 / r, a / (q * r))
            elif op == O.ACOS:
                q = 1.0 - a * a
                r = math.sqrt(q)
                _chain(s, k, math.acos(a), -1.0 / r, -a / (q * r))
            elif op == O.ATAN:
                q = 1.0 / (1.0 + a * a)
                _chain(s, k, math.atan(a), q, -2.0 * a * q * q)
            elif op == O.LOG10:
                _chain(s, k, math.log10(a), 1.0 / (a * _LN10), -1.0 / (a * a * _LN10))
            else:  # SIGMOID, in the form that cannot overflow
                if a >= 0.0:
                    sg = 1.0 / (1.0 + math.exp(-a))
                else:
                    ea = math.exp(a)
                    sg = ea / (1.0 + ea)
                d1 = sg * (1.0 - sg)
                _chain(s, k, sg, d1, d1 * (1.0 - 2.0 * sg))


@njit(**JIT)
def expr_value_grad_batch(ops, consts, xy, f, g):
    """f[i], g[:, i] = value and gradient of the program at the point xy[:, i] (columns)."""
    depth = program_depth(ops, consts)
    if depth < 0:
        f[:] = math.nan
        g[:, :] = math.nan
        return
    s = np.empty((depth, 6))
    for i in range(xy.shape[1]):
        _run(ops, consts, xy[0, i], xy[1, i], s)
        f[i] = s[0, 0]
        g[0, i] = s[0, 1]
        g[1, i] = s[0, 2]


@njit(**JIT)
def expr_hessian_batch(ops, consts, xy, h):
    """h[:, i] = (fxx, fxy, fyy) of the program at the point xy[:, i] (columns)."""
    depth = program_depth(ops, consts)
    if depth < 0:
        h[:, :] = math.nan
        return
    s = np.empty((depth, 6))
    for i in range(xy.shape[1]):
        _run(ops, consts, xy[0, i], xy[1, i], s)
        h[0, i] = s[0, 3]
        h[1, i] = s[0, 4]
        h[2, i] = s[0, 5]
