"""glibc's ``log1p`` (fdlibm's algorithm, as an x86-64 FMA build evaluates it), reproduced.

TF's gamma sampler calls ``log1p`` for ``alpha == 1``; XLA's own is up to about 100 ulps off
there. See :func:`log1p_neg`.

Example:
    >>> import jax, numpy as np
    >>> with jax.enable_x64(True):
    ...     print(float(log1p_neg(jax.numpy.float64(0.5))) == float(np.log1p(-0.5)))
    True
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from seedkit._tf._rounding import mul_unfusable

# fdlibm's log1p (Sun Microsystems 1993, freely distributable), as glibc's
# sysdeps/ieee754/dbl-64/s_log1p.c evaluates it: ln 2 in two parts and the coefficients of
# R(z) ~ Lp1 z + ... + Lp7 z**7 with z = s**2, s = f / (2 + f).
_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10
_LP = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)


_SPLITTER = 2.0**27 + 1  # Veltkamp's constant for splitting a double into two 26-bit halves


def _split(a: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Veltkamp's split ``a = hi + lo``, each half with at most 26 significant bits (exact; the
    first product kept unfusable, so that ``t - a`` sees the rounded ``t``)."""
    t = mul_unfusable(a, _SPLITTER)
    hi = t - (t - a)
    return hi, a - hi


def _fma(a: jax.Array, b: Any, c: jax.Array) -> jax.Array:
    """``a * b + c`` with the product unrounded, as the hardware ``fma`` glibc's FMA build uses:
    Dekker's exact product ``p + e`` (the four partial products of the halves are exact, so a
    contracting compiler cannot change them), then ``(p + c) + e`` with the first sum's error
    carried. Correctly rounded except in near-tie cases (order 2**-50 of random inputs)."""
    ah, al = _split(a)
    if isinstance(b, float):  # a constant: split once, in Python
        bh = float(np.float64(b) * _SPLITTER - (np.float64(b) * _SPLITTER - np.float64(b)))
        bl = float(np.float64(b) - bh)
    else:
        bh, bl = _split(b)  # type: ignore[assignment]
    p = mul_unfusable(a, b)
    e = (((ah * bh - p) + ah * bl) + al * bh) + al * bl
    s = p + c
    bb = s - p
    t = (p - (s - bb)) + (c - bb)  # two-sum error of p + c
    return s + (t + e)


def log1p_neg(u: jax.Array) -> jax.Array:
    """``log1p(-u)`` for ``u`` in ``[0, 1)``, step for step as glibc's ``log1p`` (TF's
    exponential branch calls it; XLA's own ``log1p`` is off by up to about 100 ulps there).

    glibc 2.36 on an x86-64 CPU with FMA runs a build of fdlibm's algorithm compiled with
    contraction (checked: a ``gcc -O2 -mfma`` build of the same C source agrees with the
    system's ``log1p`` on 4 million inputs, the ``-mno-fma`` build differs on 0.04 %), so the
    polynomial's multiply-adds are fused here too (:func:`_fma`) and every other product that
    meets an addition is kept unfusable. (On a CPU without FMA, glibc, and so TF, round those
    0.04 % differently.) Float32 (the approximate mode) uses ``jnp.log1p``.
    """
    if u.dtype != jnp.float64:
        return jnp.log1p(-u)
    m = mul_unfusable
    x = -u
    hx = (lax.bitcast_convert_type(x, jnp.uint64) >> 32).astype(jnp.uint32)
    ax = hx & jnp.uint32(0x7FFFFFFF)
    tiny = ax < jnp.uint32(0x3E200000)  # |x| < 2**-29: x - x*x/2 (just x below 2**-54)
    small = ax <= jnp.uint32(0x3FD2BEC3)  # -0.2929 < x <= 0: k = 0 and f = x
    # k != 0: 1 + x = 2**k (1 + f) with sqrt(2)/2 <= 1 + f < sqrt(2), and a correction c / u1
    u1 = lax.optimization_barrier(1.0 + x)  # XLA would fold (1 + x) - 1 into x
    bits = lax.bitcast_convert_type(u1, jnp.uint64)
    hu = (bits >> 32).astype(jnp.uint32)
    k = (hu >> 20).astype(jnp.int32) - 1023
    c = jnp.where(k > 0, 1.0 - (u1 - x), x - (u1 - 1.0)) / u1
    hu = hu & jnp.uint32(0xFFFFF)
    low = hu < jnp.uint32(0x6A09E)
    k = jnp.where(low, k, k + 1)
    top = jnp.where(low, hu | jnp.uint32(0x3FF00000), hu | jnp.uint32(0x3FE00000))
    norm = (top.astype(jnp.uint64) << 32) | (bits & jnp.uint64(0xFFFFFFFF))
    hu = jnp.where(low, hu, (jnp.uint32(0x100000) - hu) >> 2)
    f = jnp.where(small, x, lax.bitcast_convert_type(norm, jnp.float64) - 1.0)
    hu = jnp.where(small, jnp.uint32(1), hu)
    k = jnp.where(small, 0, k).astype(jnp.float64)
    c = jnp.where(small, 0.0, c)
    hfsq = m(0.5 * f, f)
    k_lo_c = _fma(k, _LN2_LO, c)
    k_hi = k * _LN2_HI  # exact (ln2_hi has trailing zero bits)
    # |f| < 2**-20
    r_short = m(hfsq, _fma(f, -0.66666666666666666, jnp.ones_like(f)))
    short = jnp.where(k == 0, f - r_short, k_hi - ((r_short - k_lo_c) - f))
    short = jnp.where(f == 0, jnp.where(k == 0, 0.0, k_hi + k_lo_c), short)
    # the polynomial R(z), with glibc's grouping and fused multiply-adds
    s = f / (2.0 + f)
    z = s * s
    z2 = z * z
    z4 = z2 * z2
    r = _fma(z, _LP[0], m(z2, _fma(z, _LP[2], jnp.full_like(z, _LP[1]))))
    r = _fma(z4, _fma(z, _LP[4], jnp.full_like(z, _LP[3])), r)
    r = _fma(z4 * z2, _fma(z, _LP[6], jnp.full_like(z, _LP[5])), r)
    sr = m(s, hfsq + r)
    full = jnp.where(k == 0, f - (hfsq - sr), k_hi - ((hfsq - (sr + k_lo_c)) - f))
    out = jnp.where(hu == 0, short, full)
    return jnp.where(tiny, jnp.where(ax < jnp.uint32(0x3C900000), x, x - (x * x) * 0.5), out)
