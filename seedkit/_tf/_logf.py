"""glibc's ``logf``, reproduced in double-float arithmetic (TF's float Box–Muller calls it).

Example:
    >>> import numpy as np
    >>> hex(np.float32(glibc_logf(np.float32(0.5))).view(np.uint32))
    '0xbf317218'
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

# --- glibc's logf, reproduced ------------------------------------------------------------------
#
# TF's float Box–Muller calls glibc's logf, which evaluates a table-driven polynomial in double
# and rounds to float once (glibc >= 2.27, sysdeps/ieee754/flt-32/e_logf.c by Szabolcs Nagy; its
# double result is only accurate to about 2**-25, so it is not the correctly rounded log that
# XLA's log approximates, and they differ on about 14 % of inputs). The same steps are run here
# in double-float arithmetic (pairs of float32, about 48 bits), so the float32 result equals
# glibc's unless glibc's double lies within about 2**-44 of a rounding midpoint.
# Checked against glibc 2.36 on every one of the 2**23 values that u1 takes: all equal.


def _f32_parts(c: float) -> tuple[float, float, float]:
    """A float64 constant as three float32 parts whose sum is exactly ``c``."""
    hi = float(np.float32(c))
    mid = float(np.float32(c - hi))
    lo = float(np.float32(c - hi - mid))
    assert hi + mid + lo == c  # holds for every constant below (checked at import)
    return hi, mid, lo


# (1/c, log(c)) for the 16 subintervals, the log1p polynomial and ln 2: glibc's e_logf_data.c.
_LOGF_TABLE = [
    ("0x1.661ec79f8f3bep+0", "-0x1.57bf7808caadep-2"),
    ("0x1.571ed4aaf883dp+0", "-0x1.2bef0a7c06ddbp-2"),
    ("0x1.49539f0f010bp+0", "-0x1.01eae7f513a67p-2"),
    ("0x1.3c995b0b80385p+0", "-0x1.b31d8a68224e9p-3"),
    ("0x1.30d190c8864a5p+0", "-0x1.6574f0ac07758p-3"),
    ("0x1.25e227b0b8eap+0", "-0x1.1aa2bc79c81p-3"),
    ("0x1.1bb4a4a1a343fp+0", "-0x1.a4e76ce8c0e5ep-4"),
    ("0x1.12358f08ae5bap+0", "-0x1.1973c5a611cccp-4"),
    ("0x1.0953f419900a7p+0", "-0x1.252f438e10c1ep-5"),
    ("0x1p+0", "0x0p+0"),
    ("0x1.e608cfd9a47acp-1", "0x1.aa5aa5df25984p-5"),
    ("0x1.ca4b31f026aap-1", "0x1.c5e53aa362eb4p-4"),
    ("0x1.b2036576afce6p-1", "0x1.526e57720db08p-3"),
    ("0x1.9c2d163a1aa2dp-1", "0x1.bc2860d22477p-3"),
    ("0x1.886e6037841edp-1", "0x1.1058bc8a07ee1p-2"),
    ("0x1.767dcf5534862p-1", "0x1.4043057b6ee09p-2"),
]
_LOGF_INVC = np.array([_f32_parts(float.fromhex(a)) for a, _ in _LOGF_TABLE], np.float32)
_LOGF_LOGC = np.array([_f32_parts(float.fromhex(b)) for _, b in _LOGF_TABLE], np.float32)
_LOGF_POLY = [
    _f32_parts(float.fromhex(a))[:2]
    for a in ("-0x1.00ea348b88334p-2", "0x1.5575b0be00b6ap-2", "-0x1.ffffef20a4123p-2")
]
_LOGF_LN2 = _f32_parts(float.fromhex("0x1.62e42fefa39efp-1"))
_LOGF_OFF = 0x3F330000


# The inputs (of the ``u1`` grid: ``max(k * 2**-23, 1e-7)``) whose glibc log lies within 2**-43
# (relative) of a float32 rounding midpoint, with glibc's result: closer than the double-float
# evaluation can resolve (its error is below 2**-46). Every other input of the grid is at least
# 2**-43 from a midpoint. Derived from a float64 evaluation of glibc's algorithm over all 2**23
# inputs; tests/test_philox.py re-derives this table and checks every input.
_LOGF_NEAR_MIDPOINT = (
    (0x3CAD5080, 0xC076C585),
    (0x3E2540F0, 0xBFE97883),
    (0x3E31AC80, 0xBFE031E3),
    (0x3E4937A0, 0xBFD0445F),
    (0x3E5EB478, 0xBFC347A6),
    (0x3E7A91C8, 0xBFB430AF),
    (0x3EA2A578, 0xBF92C896),
    (0x3EAFD2C4, 0xBF88CFEB),
    (0x3EDC3ED0, 0xBF57F505),
    (0x3EE1FFD8, 0xBF515AD7),
    (0x3F09B264, 0xBF1EC061),
    (0x3F0DC64E, 0xBF1747C3),
    (0x3F1A57A8, 0xBF018979),
    (0x3F1CE60C, 0xBEFAA9EA),
    (0x3F1D2FF0, 0xBEF9B902),
    (0x3F241D78, 0xBEE3A3D7),
    (0x3F313D68, 0xBEBC3FB2),
    (0x3F47D098, 0xBE7DBBB8),
    (0x3F5B7156, 0xBE1DC8C6),
    (0x3F6D841C, 0xBD997B51),
    (0x3F7FFFF4, 0xB5400004),
    (0x3F7FFFFE, 0xB4000000),
)


def _split12(a: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``a = hi + lo`` with 12 significant bits each (by masking, so no rounding is involved)."""
    hi = lax.bitcast_convert_type(
        lax.bitcast_convert_type(a, jnp.uint32) & jnp.uint32(0xFFFFF000), jnp.float32
    )
    return hi, a - hi


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_prod(a, b):
    """``a * b`` as a double-float ``(p, e)``, from the four exact products of 12-bit halves.

    Every multiplication here is exact and every rounding happens in an addition, so a compiler
    that contracts ``x * y + z`` into a fused multiply-add cannot change any value. (Dekker's
    ``p = a * b`` followed by ``a * b - p`` is not safe under contraction: XLA's CPU backend
    lets LLVM fuse ``p - 1`` into ``fma(a, b, -1)``, which silently counts the error twice.)
    """
    ah, al = _split12(a)
    bh, bl = _split12(b)
    s, e1 = _two_sum(ah * bh, ah * bl)
    s, e2 = _two_sum(s, al * bh)
    p, e3 = _two_sum(s, al * bl)
    return _two_sum(p, (e1 + e2) + e3)


def _df(x):
    return x if isinstance(x, tuple) else (jnp.float32(x), jnp.float32(0.0))


def _df_add(x, y):
    """Double-float sum with both parts added exactly first (accurate even when ``x`` and ``y``
    nearly cancel)."""
    (xh, xl), (yh, yl) = _df(x), _df(y)
    s, e = _two_sum(xh, yh)
    t, f = _two_sum(xl, yl)
    s, e = _two_sum(s, e + t)
    return _two_sum(s, e + f)


def _df_mul(x, y):
    (xh, xl), (yh, yl) = _df(x), _df(y)
    p, e = _two_prod(xh, yh)
    return _two_sum(p, e + (xh * yl + xl * yh))


def _table_lookup(table: np.ndarray, i: jax.Array) -> list[jax.Array]:
    """``table[i]`` (rows of float32 constants, ``len(table)`` a power of two) as a tree of
    selects on the bits of ``i``: it vectorises, where XLA's CPU gather runs element by element
    (30x slower here)."""
    cols = []
    for col in table.T:
        level = [jnp.float32(v) for v in col]
        bit = 0
        while len(level) > 1:
            take_odd = ((i >> bit) & 1) == 1
            level = [jnp.where(take_odd, level[k + 1], level[k]) for k in range(0, len(level), 2)]
            bit += 1
        cols.append(level[0])
    return cols


def glibc_logf(x: jax.Array) -> jax.Array:
    """glibc's ``logf`` for normal positive float32 ``x`` (the Box–Muller ``u1`` in
    ``[1e-7, 1)``), step for step: ``x = 2**k * z`` with ``z`` near a table point ``c``, then
    ``log(c) + k * ln2 + log1p(z / c - 1)`` with a degree-4 polynomial."""
    ix = lax.bitcast_convert_type(x, jnp.uint32)
    tmp = ix - jnp.uint32(_LOGF_OFF)
    i = ((tmp >> 19) & jnp.uint32(15)).astype(jnp.int32)
    k = lax.bitcast_convert_type(tmp, jnp.int32) >> 23
    z = lax.bitcast_convert_type(ix - (tmp & jnp.uint32(0x1FF << 23)), jnp.float32)
    invc = _table_lookup(_LOGF_INVC, i)
    logc = _table_lookup(_LOGF_LOGC, i)
    # r = z * invc - 1, invc in three parts (z * invc is within 2**-5 of 1, so p - 1 is exact)
    p, e = _two_prod(z, invc[0])
    r = _df_add(_df_add(_two_sum(p - jnp.float32(1.0), e), _two_prod(z, invc[1])), z * invc[2])
    # y0 = log(c) + k * ln2, each constant in three parts
    kf = k.astype(jnp.float32)
    ln2 = [jnp.float32(c) for c in _LOGF_LN2]
    y0 = _df_add(_two_sum(logc[0], logc[1]), _two_prod(kf, ln2[0]))
    y0 = _df_add(_df_add(y0, _two_prod(kf, ln2[1])), logc[2] + kf * ln2[2])
    a0, a1, a2 = ((jnp.float32(h), jnp.float32(lo)) for h, lo in _LOGF_POLY)
    r2 = _df_mul(r, r)
    y = _df_add(_df_mul(a1, r), a2)
    y = _df_add(_df_mul(a0, r2), y)
    y = _df_add(_df_mul(y, r2), _df_add(y0, r))
    out = lax.bitcast_convert_type(y[0] + y[1], jnp.uint32)
    for arg, res in _LOGF_NEAR_MIDPOINT:
        out = jnp.where(ix == jnp.uint32(arg), jnp.uint32(res), out)
    return lax.bitcast_convert_type(out, jnp.float32)
