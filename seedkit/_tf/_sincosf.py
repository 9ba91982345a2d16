"""glibc's ``sincosf`` on Box–Muller's angles, reproduced in float64.

TF's float Box–Muller takes ``sinf(v1)`` and ``cosf(v1)`` from glibc (sysdeps/ieee754/flt-32/
s_sincosf.c and s_sincosf.h, glibc >= 2.28, by Szabolcs Nagy), which reduces ``v1`` by
multiples of pi/2 and evaluates two polynomials in double, rounding each result to float once.
XLA's backends bring their own ``sin``/``cos`` (libm's scalar calls on the CPU, 18 ns a pair
here, CUDA's libdevice on NVIDIA GPUs, with other last bits). The same double steps are run here,
vectorised: the float results equal glibc's except where glibc's double lies within 2**-45 of a
rounding midpoint, and those inputs are listed (:data:`_NEAR_MIDPOINT`) with glibc's results.
Only angles ``0 <= v1 < 2 pi`` are handled (Box–Muller's); tests/test_philox.py checks all 2**23
of them.

Example:
    >>> import numpy as np
    >>> s, c = glibc_sincosf(np.float32(0.5))
    >>> hex(np.float32(s).view(np.uint32)), hex(np.float32(c).view(np.uint32))
    ('0x3ef57744', '0x3f60a940')
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

from seedkit._float64 import float64, table_lookup

H = float.fromhex

# glibc's constants (s_sincosf.h, __sincosf_table[0]): pi/2 and 2/pi * 2**24, in double.
_PIO2 = H("0x1.921FB54442D18p0")
_INVPIO2_2P24 = H("0x1.45F306DC9C883p+23")  # n = (int(x * this) + 2**23) >> 24
# The cosine polynomial (c0..c4) and the sine polynomial (s1..s3) of s_sincosf.h.
_C = [1.0, H("-0x1.ffffffd0c621cp-2"), H("0x1.55553e1068f19p-5"), H("-0x1.6c087e89a359dp-10")]
_C.append(H("0x1.99343027bf8c3p-16"))
_S = [H("-0x1.555545995a603p-3"), H("0x1.1107605230bc4p-7"), H("-0x1.994eb3774cf24p-13")]
# n * pi/2 as glibc's double product rounds it (3 * pi/2 is inexact), for n = 0..4 (padded to a
# power of two for the lookup). A table, not a product, so that no backend can fuse it into the
# subtraction ``x - n * pi/2``: that subtraction cancels, and a fused product would keep bits
# glibc rounds away.
_N_PIO2 = [n * _PIO2 for n in range(5)] + [4 * _PIO2] * 3

# The angles (float32 bits) whose glibc double sine or cosine lies within 2**-45 (relative) of a
# float32 rounding midpoint, with glibc's results (sin bits, cos bits). The float64
# evaluation gets every angle right on the CPU without them; they are the margin for a backend
# that contracts its multiply-adds (a change below 2**-50).
# Derived from the float64 rendering of glibc's algorithm in tests/test_philox.py over all
# 2**23 angles; tests/test_platform_hazards.py re-derives this table.
_NEAR_MIDPOINT: tuple[tuple[int, int, int], ...] = (
    (0x3ED3E62D, 0x3ECDE6CB, 0x3F6A6301),
    (0x3FC90FDB, 0x3F800000, 0xB33BBD2E),
    (0x401101D8, 0x3F44A1A2, 0xBF23ED57),
    (0x4011F748, 0x3F42275B, 0xBF26DAAD),
    (0x40124DE2, 0x3F4144E2, 0xBF27E0CD),
    (0x401F1A5B, 0x3F1C1182, 0xBF4AECDE),
    (0x40490FDB, 0xB3BBBD2E, 0xBF800000),
    (0x404F30EC, 0xBDC3D575, 0xBF7ED3B2),
    (0x406A121A, 0xBEFC8474, 0xBF5EB2E3),
    (0x406BE137, 0xBF048094, 0xBF5B0A9B),
    (0x408B5E79, 0xBF6FD979, 0xBEB2FA2C),
    (0x40ACC761, 0xBF45EF68, 0x3F2259B6),
    (0x40B4371F, 0xBF1B3974, 0x3F4B9252),
    (0x40C7D315, 0xBD1E58B6, 0x3F7FCF02),
)


def glibc_sincosf(y: jax.Array) -> tuple[jax.Array, jax.Array]:
    """glibc's ``(sinf(y), cosf(y))`` for float32 ``0 <= y < 2 pi``, step for step in float64."""
    y = jnp.asarray(y, jnp.float32)
    bits = lax.bitcast_convert_type(y, jnp.uint32)
    top = (bits >> 20) & jnp.uint32(0x7FF)
    small = top < jnp.uint32(0x3F4)  # |y| < pi/4 (glibc's abstop12(pi/4)): no reduction
    tiny = top < jnp.uint32(0x398)  # |y| < 2**-12: sin y = y, cos y = 1
    with float64():
        f64 = jnp.float64
        x = y.astype(f64)
        # n: the nearest multiple of pi/2, from glibc's double product and integer rounding
        n = ((x * _INVPIO2_2P24).astype(jnp.int32) + 0x800000) >> 24
        n = jnp.where(small, 0, n)
        xr = x - table_lookup(_N_PIO2, n, f64)
        xs = xr * jnp.where((n == 1) | (n == 2), -1.0, 1.0)  # glibc's sign table
        x2 = xr * xr
        x3, x4 = x2 * xs, x2 * x2
        sin_p = (xs + x3 * _S[0]) + (x3 * x2) * (_S[1] + x2 * _S[2])
        cos_p = ((_C[0] + x2 * _C[1]) + x4 * _C[2]) + (x4 * x2) * (_C[3] + x2 * _C[4])
        sin_f = sin_p.astype(jnp.float32)
        # glibc negates the cosine polynomial's coefficients for n = 2, 3: the same double
        cos_f = (cos_p * jnp.where((n & 2) == 2, -1.0, 1.0)).astype(jnp.float32)
    odd = (n & 1) == 1
    s = jnp.where(tiny, y, jnp.where(odd, cos_f, sin_f))
    c = jnp.where(tiny, jnp.float32(1.0), jnp.where(odd, sin_f, cos_f))
    s_bits = lax.bitcast_convert_type(s, jnp.uint32)
    c_bits = lax.bitcast_convert_type(c, jnp.uint32)
    for arg, s_res, c_res in _NEAR_MIDPOINT:
        hit = bits == jnp.uint32(arg)
        s_bits = jnp.where(hit, jnp.uint32(s_res), s_bits)
        c_bits = jnp.where(hit, jnp.uint32(c_res), c_bits)
    return lax.bitcast_convert_type(s_bits, jnp.float32), lax.bitcast_convert_type(c_bits, jnp.float32)
