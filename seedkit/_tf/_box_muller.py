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

from seedkit._float64 import float64
from seedkit._tf._convert import unit_double, unit_f32
from seedkit._tf._logf import glibc_logf
from seedkit._tf._sincosf import glibc_sincosf

# The floor of the radius uniform in both of TF's Box–Muller functions (random_distributions.h).
_EPSILON = 1.0e-7


def two_pi_times_unit(w: jax.Array) -> jax.Array:
    """``float32(2 * pi(double) * Uint32ToFloat(w))``, as TF computes it: the product in double,
    then rounded to float. The unit float is exact in double and a lone product cannot be fused
    with anything, so every backend rounds it the same way."""
    with float64():
        return (unit_f32(w).astype(jnp.float64) * (2 * math.pi)).astype(jnp.float32)


def radius_angle_f32(x0: jax.Array, x1: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``BoxMullerFloat``'s radius and angle of the word pair ``(x0, x1)``: ``u1 =
    max(unit(x0), 1e-7)``, ``r = sqrtf(-2 * logf(u1))`` and ``v1 = float(2 * pi(double) *
    unit(x1))``.

    Each of ``u1``, ``v1`` and ``logf(u1)`` takes one of 2**23 values, and each is reproduced
    exactly on all of them (tests/test_philox.py): ``v1`` by :func:`two_pi_times_unit`,
    ``logf`` by :func:`~seedkit._tf._logf.glibc_logf`. The square root is taken in double and
    rounded to float, which equals the correctly rounded ``sqrtf`` (a double has more than
    2 * 24 + 2 bits, so the second rounding cannot differ) and keeps a backend's approximate
    float32 square root out of it.
    """
    u1 = jnp.maximum(unit_f32(x0), jnp.float32(_EPSILON))
    m2log = jnp.float32(-2.0) * glibc_logf(u1)  # exact: a doubling
    with float64():
        r = jnp.sqrt(m2log.astype(jnp.float64)).astype(jnp.float32)
    return r, two_pi_times_unit(x1)


def radius_angle_double(x0: jax.Array, x1: jax.Array, x2: jax.Array, x3: jax.Array, cdt: Any = jnp.float64):
    """``BoxMullerDouble``'s radius ``sqrt(-2 log(max(u1, 1e-7)))`` and angle ``2 pi u2`` of a
    block, ``u1``/``u2`` the doubles of words 0-1 and 2-3, in the compute dtype ``cdt``
    (float64 is TF's; float32 is the approximation of the samplers' no-x64 mode)."""
    u1 = jnp.maximum(unit_double(x0, x1, cdt), jnp.asarray(_EPSILON, cdt))
    r = jnp.sqrt(jnp.asarray(-2.0, cdt) * jnp.log(u1))
    return r, jnp.asarray(2 * math.pi, cdt) * unit_double(x2, x3, cdt)


def sin_cos(r: jax.Array, v: jax.Array) -> tuple[jax.Array, jax.Array]:
    """The pair of normals ``(sin(v) * r, cos(v) * r)``, in TF's order: float32 ``sinf``/``cosf``
    are glibc's on every backend (:func:`~seedkit._tf._sincosf.glibc_sincosf`, in float64:
    about 1 ns an element here, where XLA's CPU ``sin``/``cos`` call libm one element at a time
    and a GPU's would give other last bits); float64 takes XLA's ``sin``/``cos``."""
    if v.dtype == jnp.float32:
        s, c = glibc_sincosf(v)
    else:
        s, c = jnp.sin(v), jnp.cos(v)
    return s * r, c * r


def box_muller_f32(x0: jax.Array, x1: jax.Array) -> tuple[jax.Array, jax.Array]:
    """TF's ``BoxMullerFloat`` on word pairs: ``(sinf(v1) * r, cosf(v1) * r)``."""
    return sin_cos(*radius_angle_f32(x0, x1))


def box_muller_double(x0, x1, x2, x3, cdt: Any = jnp.float64) -> tuple[jax.Array, jax.Array]:
    """TF's ``BoxMullerDouble`` of a block (float64 needs x64)."""
    return sin_cos(*radius_angle_double(x0, x1, x2, x3, cdt))
