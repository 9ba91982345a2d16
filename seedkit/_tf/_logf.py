"""glibc's ``logf``, reproduced in float64 (TF's float Box–Muller calls it).

Example:
    >>> import numpy as np
    >>> hex(np.float32(glibc_logf(np.float32(0.5))).view(np.uint32))
    '0xbf317218'
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

from seedkit._float64 import float64, table_lookup

# TF's float Box–Muller calls glibc's logf, which evaluates a table-driven polynomial in double
# and rounds to float once (glibc >= 2.27, sysdeps/ieee754/flt-32/e_logf.c by Szabolcs Nagy; its
# double result is only accurate to about 2**-25, so it is not the correctly rounded log that
# XLA's log approximates, and they differ on about 14 % of inputs). The same double operations
# are run here in the same order, so the float32 result is glibc's wherever a backend rounds
# each of them as glibc does; one that contracts a multiply-add moves the double by about
# 2**-50 (relative) at most, which changes the float32 result only for inputs that close to a
# rounding midpoint, and those are listed below with glibc's results.
# Checked against glibc 2.36 on every one of the 2**23 values that u1 takes: all equal.

H = float.fromhex

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
_LOGF_INVC = [H(a) for a, _ in _LOGF_TABLE]
_LOGF_LOGC = [H(b) for _, b in _LOGF_TABLE]
_LOGF_A = [H(a) for a in ("-0x1.00ea348b88334p-2", "0x1.5575b0be00b6ap-2", "-0x1.ffffef20a4123p-2")]
_LOGF_LN2 = H("0x1.62e42fefa39efp-1")
_LOGF_OFF = 0x3F330000


# The inputs (of the ``u1`` grid: ``max(k * 2**-23, 1e-7)``) whose glibc log lies within 2**-43
# (relative) of a float32 rounding midpoint, with glibc's result: the margin for a backend that
# rounds the double steps differently (by far less than 2**-43). Every other input of the grid
# is at least 2**-43 from a midpoint. Derived from a float64 evaluation of glibc's algorithm
# over all 2**23 inputs; tests/test_philox.py re-derives this table and checks every input.
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


def glibc_logf(x: jax.Array) -> jax.Array:
    """glibc's ``logf`` for normal positive float32 ``x`` (the Box–Muller ``u1`` in
    ``[1e-7, 1)``), step for step in float64: ``x = 2**k * z`` with ``z`` near a table point
    ``c``, then ``log(c) + k * ln2 + log1p(z / c - 1)`` with a degree-4 polynomial."""
    ix = lax.bitcast_convert_type(x, jnp.uint32)
    tmp = ix - jnp.uint32(_LOGF_OFF)
    i = (tmp >> 19) & jnp.uint32(15)
    k = lax.bitcast_convert_type(tmp, jnp.int32) >> 23
    z32 = lax.bitcast_convert_type(ix - (tmp & jnp.uint32(0x1FF << 23)), jnp.float32)
    with float64():
        f64 = jnp.float64
        z = z32.astype(f64)
        invc, logc = table_lookup(_LOGF_INVC, i, f64), table_lookup(_LOGF_LOGC, i, f64)
        a0, a1, a2 = _LOGF_A
        r = z * invc - 1.0
        y0 = logc + k.astype(f64) * _LOGF_LN2
        r2 = r * r
        y = (a0 * r2 + (a1 * r + a2)) * r2 + (y0 + r)
        out = lax.bitcast_convert_type(y.astype(jnp.float32), jnp.uint32)
    for arg, res in _LOGF_NEAR_MIDPOINT:
        out = jnp.where(ix == jnp.uint32(arg), jnp.uint32(res), out)
    return lax.bitcast_convert_type(out, jnp.float32)
