"""Box–Muller as TF writes it (``BoxMullerFloat`` / ``BoxMullerDouble``, random_distributions.h).

The one implementation behind the normal, the truncated normal and the gamma sampler. It is
split in two steps because the truncated normal materialises the (radius, angle) pairs before
taking sines and cosines (:func:`radius_angle_f32`, :func:`radius_angle_double`, then
:func:`sin_cos`).

Example:
    >>> import numpy as np
    >>> s, c = box_muller_f32(np.uint32(0x400000), np.uint32(0))  # u1 = 1/2, angle 0
    >>> float(s), float(c) == float(np.sqrt(2 * np.log(2), dtype=np.float32))
    (0.0, True)
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from seedkit._tf._convert import unit_double, unit_f32
from seedkit._tf._logf import glibc_logf
from seedkit._tf._sincosf import glibc_sincosf
from seedkit._words import MASK32, mulhilo

# The floor of the radius uniform in both of TF's Box–Muller functions (random_distributions.h).
_EPSILON = 1.0e-7

# 2*pi as a float64 (TF multiplies 2 * M_PI in double) is _TWO_PI_MANT * 2**-50, a 53-bit integer.
_TWO_PI_MANT = 0x1921FB54442D18
assert _TWO_PI_MANT * 2.0**-50 == 2 * math.pi


def two_pi_times_unit(w: jax.Array) -> jax.Array:
    """``float32(2 * pi(double) * Uint32ToFloat(w))`` in 32-bit integers.

    The unit float is ``k * 2**-23`` (``k`` the low 23 bits), so the exact product is
    ``k * _TWO_PI_MANT * 2**-73`` (76 bits at most), rounded here to 24 significant bits (to
    nearest, ties to even). TF rounds to double first and then to float; the two agree for
    every one of the 2**23 values of ``k`` (checked exhaustively in tests/test_philox.py).
    """
    k = w & jnp.uint32(0x7FFFFF)
    m_hi, m_lo = _TWO_PI_MANT >> 32, _TWO_PI_MANT & MASK32
    h1, l1 = mulhilo(m_lo, k)
    h2, l2 = mulhilo(m_hi, k)  # k * m_hi < 2**44, so h2 < 2**12
    p0 = l1
    p1 = h1 + l2
    p2 = h2 + (p1 < l2).astype(jnp.uint32)
    # P = p2:p1:p0 >= 2**52 for k >= 1. Shift right by 28 (below every rounding position) and
    # keep a sticky bit for what falls off.
    sticky = (p0 & jnp.uint32((1 << 28) - 1)) != 0
    q0 = (p0 >> 28) | (p1 << 4)
    q1 = (p1 >> 28) | (p2 << 4)  # Q = q1:q0 < 2**48
    # Q's leading bit is bit `lead`, in [24, 47] for k >= 1; keep the 24 bits below it.
    lead = jnp.where(q1 != 0, jnp.uint32(63) - lax.clz(q1), jnp.uint32(31) - lax.clz(q0))
    t = lead - jnp.uint32(23)  # in [1, 24]
    mant = (q0 >> t) | (q1 << (jnp.uint32(32) - t))
    half = (q0 >> (t - jnp.uint32(1))) & jnp.uint32(1)
    below = q0 & ((jnp.uint32(1) << (t - jnp.uint32(1))) - jnp.uint32(1))
    sticky = sticky | (below != 0)
    round_up = (half == 1) & (sticky | ((mant & jnp.uint32(1)) == 1))
    mant = mant + round_up.astype(jnp.uint32)
    carry = mant >> 24  # rounded up to 2**24: one more bit of exponent
    # value = Q * 2**(28 - 73) ~ 2**(lead - 45): biased exponent lead - 45 + 127.
    exponent = lead + carry + jnp.uint32(127 - 45)
    bits = (exponent << 23) | (mant & jnp.uint32(0x7FFFFF))
    return jnp.where(k == 0, jnp.float32(0.0), lax.bitcast_convert_type(bits, jnp.float32))


def radius_angle_f32(x0: jax.Array, x1: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``BoxMullerFloat``'s radius and angle of the word pair ``(x0, x1)``: ``u1 =
    max(unit(x0), 1e-7)``, ``r = sqrtf(-2 * logf(u1))`` and ``v1 = float(2 * pi(double) *
    unit(x1))``.

    Each of ``u1``, ``v1`` and ``logf(u1)`` takes one of 2**23 values, and each is reproduced
    exactly on all of them: ``v1`` by integer rounding (:func:`two_pi_times_unit`), ``logf`` by
    :func:`~seedkit._tf._logf.glibc_logf`. For ``sinf``/``cosf`` (:func:`sin_cos`) XLA's CPU
    ``sin``/``cos`` agree with glibc's ``sincosf`` on all 2**23 values of ``v1``, and so does
    :func:`~seedkit._tf._sincosf.glibc_sincosf`, which other backends use (tests/test_philox.py
    and tests/test_platform_hazards.py check them exhaustively against float64 renderings of
    glibc's algorithms, on the CPU).
    """
    u1 = jnp.maximum(unit_f32(x0), jnp.float32(_EPSILON))
    return jnp.sqrt(jnp.float32(-2.0) * glibc_logf(u1)), two_pi_times_unit(x1)


def radius_angle_double(x0: jax.Array, x1: jax.Array, x2: jax.Array, x3: jax.Array, cdt: Any = jnp.float64):
    """``BoxMullerDouble``'s radius ``sqrt(-2 log(max(u1, 1e-7)))`` and angle ``2 pi u2`` of a
    block, ``u1``/``u2`` the doubles of words 0-1 and 2-3, in the compute dtype ``cdt``
    (float64 is TF's; float32 is the approximation of the samplers' no-x64 mode)."""
    u1 = jnp.maximum(unit_double(x0, x1, cdt), jnp.asarray(_EPSILON, cdt))
    r = jnp.sqrt(jnp.asarray(-2.0, cdt) * jnp.log(u1))
    return r, jnp.asarray(2 * math.pi, cdt) * unit_double(x2, x3, cdt)


def _xla_sin_cos(v: jax.Array) -> tuple[jax.Array, jax.Array]:
    return jnp.sin(v), jnp.cos(v)


def sin_cos(r: jax.Array, v: jax.Array) -> tuple[jax.Array, jax.Array]:
    """The pair of normals ``(sin(v) * r, cos(v) * r)``, in TF's order.

    float32 ``sinf``/``cosf`` are glibc's: on the CPU, XLA's ``sin``/``cos`` (XLA calls libm
    there, and they equal glibc's on every Box–Muller angle); on other backends, whose
    ``sin``/``cos`` are their own (CUDA's libdevice), glibc's algorithm in double-float
    arithmetic (:func:`~seedkit._tf._sincosf.glibc_sincosf`: about 8 ns an element per function
    on this CPU, where libm's scalar calls cost the same, so the CPU keeps them)."""
    if v.dtype == jnp.float32:
        s, c = lax.platform_dependent(v, cpu=_xla_sin_cos, default=glibc_sincosf)
    else:
        s, c = _xla_sin_cos(v)
    return s * r, c * r


def box_muller_f32(x0: jax.Array, x1: jax.Array) -> tuple[jax.Array, jax.Array]:
    """TF's ``BoxMullerFloat`` on word pairs: ``(sinf(v1) * r, cosf(v1) * r)``."""
    return sin_cos(*radius_angle_f32(x0, x1))


def box_muller_double(x0, x1, x2, x3, cdt: Any = jnp.float64) -> tuple[jax.Array, jax.Array]:
    """TF's ``BoxMullerDouble`` of a block (float64 needs x64)."""
    return sin_cos(*radius_angle_double(x0, x1, x2, x3, cdt))
