"""tanh, exp, sigmoid and log1p in plain arithmetic, so that loops over a batch vectorise.

Numba calls libm for ``math.tanh``/``math.exp``/``math.log1p``, one scalar call per element
(no SVML here): a 2-16-16-1 tanh net on 256 points spent most of a training step in 8,192
such calls. These versions are range reduction plus Cephes' rational approximations,
written with selects instead of branches, so LLVM turns a loop over a batch into SIMD
code; they agree with numpy to a few units in the last place (tests/test_networks.py) and,
being elementwise, give every point the same value whatever the batch it sits in.

2^−m is built from the binary digits of m by exact multiplications by powers of two: no
integer conversion or bit casting, which would not vectorise or would need intrinsics.

Inlining: LLVM inlines the small leaf functions by itself, but not the exp inside sigmoid
and softplus, and a loop that calls them then stays scalar (13× slower, measured), so
those two are inlined at Numba's IR level. Inlining everything that way instead tripled
the compile time of the kernels that use them.
"""

from __future__ import annotations

import math

from numba import njit

JIT = {"cache": True, "nogil": True, "error_model": "numpy"}
INLINE = {**JIT, "inline": "always"}

LOG2E = 1.4426950408889634
# ln 2 split so that k·LN2_HI is exact for |k| < 2^11 (Cody & Waite).
LN2_HI = 6.93145751953125e-1
LN2_LO = 1.42860682030941723212e-6
# Cephes exp: exp(r) = (q + p)/(q − p) on |r| ≤ ln2/2, p = r·P(r²), q = Q(r²).
EXP_P = (1.26177193074810590878e-4, 3.02994407707441961300e-2, 9.99999999999999999910e-1)
EXP_Q = (3.00198505138664455042e-6, 2.52448340349684104192e-3, 2.27265548208155028766e-1,
         2.00000000000000000009e0)
# Cephes tanh on |x| < 0.625: x + x·z·P(z)/Q(z), z = x², Q monic.
TANH_P = (-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3)
TANH_Q = (1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3)
TANH_SMALL = 0.625
TANH_SATURATED = 20.0  # tanh(20) rounds to 1.0 in double precision
EXP_UNDERFLOW = -745.2  # exp rounds to 0 below this
# log1p(u) = 2·atanh(s), s = u/(2 + u) ∈ [0, 1/3] for u ∈ [0, 1]: the odd series to s³³,
# split in two Horner halves of s⁴ (written out: Numba loops over a tuple do not vectorise).
_A = tuple(2.0 / (4 * k + 1) for k in range(9))  # 2/1, 2/5, …, 2/33
_B = tuple(2.0 / (4 * k + 3) for k in range(8))  # 2/3, 2/7, …, 2/31


@njit(**JIT)
def _exp_parts(y):
    """exp(y) = 2^k · num/den with num/den within a factor √2 of 1 (k integer-valued)."""
    k = math.floor(LOG2E * y + 0.5)
    r = (y - k * LN2_HI) - k * LN2_LO
    rr = r * r
    p = r * ((EXP_P[0] * rr + EXP_P[1]) * rr + EXP_P[2])
    q = ((EXP_Q[0] * rr + EXP_Q[1]) * rr + EXP_Q[2]) * rr + EXP_Q[3]
    return k, q + p, q - p


@njit(**JIT)
def _digit(scale, m, step, factor):
    """One binary digit of m: scale·factor and m − step when m ≥ step (factor = 2^−step)."""
    take = m >= step
    return (scale * factor if take else scale), (m - step if take else m)


@njit(**JIT)
def _pow2_neg_64(m):
    """2^−m for an integer-valued 0 ≤ m < 64."""
    s, m = _digit(1.0, m, 32.0, 2.0 ** -32)
    s, m = _digit(s, m, 16.0, 2.0 ** -16)
    s, m = _digit(s, m, 8.0, 2.0 ** -8)
    s, m = _digit(s, m, 4.0, 2.0 ** -4)
    s, m = _digit(s, m, 2.0, 0.25)
    s, m = _digit(s, m, 1.0, 0.5)
    return s


@njit(**JIT)
def exp_nonpositive(y):
    """exp(y) for y ≤ 0 (the only exponentials a sigmoid or softplus needs)."""
    k, num, den = _exp_parts(max(y, EXP_UNDERFLOW))
    s, m = _digit(1.0, -k, 1024.0, 2.0 ** -1024)
    s, m = _digit(s, m, 512.0, 2.0 ** -512)
    s, m = _digit(s, m, 256.0, 2.0 ** -256)
    s, m = _digit(s, m, 128.0, 2.0 ** -128)
    s, m = _digit(s, m, 64.0, 2.0 ** -64)
    return (s * _pow2_neg_64(m)) * num / den


@njit(**JIT)
def tanh(x):
    """tanh to within 4 ulp; the small-|x| rational and exp(−2|x|) form share one division."""
    a = min(abs(x), TANH_SATURATED)
    z = a * a
    small_num = z * ((TANH_P[0] * z + TANH_P[1]) * z + TANH_P[2])
    small_den = ((z + TANH_Q[0]) * z + TANH_Q[1]) * z + TANH_Q[2]
    # tanh a = (1 − e)/(1 + e) with e = exp(−2a) = 2^k num/den, |k| ≤ 58.
    k, num, den = _exp_parts(-2.0 * a)
    e_num = _pow2_neg_64(-k) * num
    small = a < TANH_SMALL
    q = (small_num if small else den - e_num) / (small_den if small else den + e_num)
    return math.copysign(a + a * q if small else q, x)


@njit(**INLINE)
def sigmoid(z):
    """1/(1 + e^−z) without overflow: the exponential is always of −|z|."""
    e = exp_nonpositive(-abs(z))
    return (1.0 if z >= 0.0 else e) / (1.0 + e)


@njit(**JIT)
def log1p_unit(u):
    """log(1 + u) for 0 ≤ u ≤ 1, by the atanh series (no libm call)."""
    s = u / (2.0 + u)
    s2 = s * s
    s4 = s2 * s2
    a = ((((((((_A[8] * s4 + _A[7]) * s4 + _A[6]) * s4 + _A[5]) * s4 + _A[4]) * s4 + _A[3])
            * s4 + _A[2]) * s4 + _A[1]) * s4 + _A[0])
    b = (((((((_B[7] * s4 + _B[6]) * s4 + _B[5]) * s4 + _B[4]) * s4 + _B[3]) * s4 + _B[2])
          * s4 + _B[1]) * s4 + _B[0])
    return s * (a + s2 * b)


@njit(**INLINE)
def softplus(z):
    """log(1 + e^z), exact in both tails: the logistic loss of a logit."""
    return max(z, 0.0) + log1p_unit(exp_nonpositive(-abs(z)))
