"""TF's conversions from Philox words to uniform values (random_distributions{,_utils}.h).

``Uint32ToFloat``, ``Uint64ToDouble``, the half types' 16-bit conversions, and the uniform float
and integer samplers built on them (``uniform_float``, ``uniform_int``, ``full_int``), with TF's
roundings (:mod:`seedkit._tf._rounding`).

Example:
    >>> import numpy as np
    >>> float(unit_f32(np.uint32(0x400000)))
    0.5
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from seedkit._tf._rounding import affine, rounded_op


def unit_f32(w: jax.Array) -> jax.Array:
    """TF's ``Uint32ToFloat``: the low 23 bits as the mantissa of a number in [1, 2), minus 1."""
    one = (w & jnp.uint32(0x7FFFFF)) | jnp.uint32(0x3F800000)
    return lax.bitcast_convert_type(one, jnp.float32) - jnp.float32(1.0)


def unit_f64(w0: jax.Array, w1: jax.Array) -> jax.Array:
    """TF's ``Uint64ToDouble``: 20 bits of ``w0`` over the 32 of ``w1`` (needs x64)."""
    man = ((w0 & jnp.uint32(0xFFFFF)).astype(jnp.uint64) << 32) | w1.astype(jnp.uint64)
    one = man | jnp.uint64(1023 << 52)
    return lax.bitcast_convert_type(one, jnp.float64) - 1.0


def unit_double(w0: jax.Array, w1: jax.Array, cdt: Any) -> jax.Array:
    """TF's ``Uint64ToDouble(w0, w1)`` in the compute dtype of the double-precision samplers:
    exact in float64; in float32 (no x64) that double rounded to nearest, kept below 1."""
    if jnp.dtype(cdt) == jnp.float64:
        return unit_f64(w0, w1)
    top = ((w0 & jnp.uint32(0xFFFFF)) << 4) | (w1 >> 28)  # the 24 leading bits of the 52
    rest = w1 & jnp.uint32(0xFFFFFFF)
    u = top.astype(jnp.float32) * jnp.float32(2.0**-24) + rest.astype(jnp.float32) * jnp.float32(2.0**-52)
    return jnp.minimum(u, jnp.float32(1 - 2.0**-24))


def _unit(words: jax.Array, dtype: jnp.dtype) -> jax.Array:
    if dtype == jnp.float64:
        return unit_f64(words[..., 0], words[..., 1])
    if dtype == jnp.float32:
        return unit_f32(words)
    if dtype == jnp.float16:  # Uint16ToHalf: 10 low bits
        one = ((words & jnp.uint32(0x3FF)) | jnp.uint32(15 << 10)).astype(jnp.uint16)
        return lax.bitcast_convert_type(one, jnp.float16) - jnp.float16(1.0)
    if dtype == jnp.bfloat16:  # Uint16ToGfloat16: 7 low bits
        one = ((words & jnp.uint32(0x7F)) | jnp.uint32(127 << 7)).astype(jnp.uint16)
        return lax.bitcast_convert_type(one, jnp.bfloat16) - jnp.bfloat16(1.0)
    raise TypeError(f"unsupported dtype {dtype}")  # guarded by the public layer


def uniform_float(gen, key, shape, dtype, minval, maxval) -> jax.Array:
    """TF: ``rnd * (maxval - minval) + minval``, each operation rounded to ``dtype`` (no clamp:
    TF can return ``maxval`` when rounding lands there, and so does this)."""
    dtype = jnp.dtype(dtype)
    rnd = _unit(gen.random_bits(key, shape, 2 if dtype == jnp.float64 else 1), dtype)
    return affine(rnd, dtype, rounded_op(minval, maxval, dtype, lambda lo, hi: hi - lo), minval)


def uniform_int(gen, key, shape, dtype, minval, maxval) -> jax.Array:
    """TF: ``minval + (bits % (maxval - minval))`` in unsigned arithmetic (modulo bias and all);
    64-bit types take two words, the first one low."""
    dtype = jnp.dtype(dtype)
    udt = jnp.uint64 if dtype.itemsize == 8 else jnp.uint32
    lo = lax.bitcast_convert_type(jnp.asarray(minval, dtype), udt)
    hi = lax.bitcast_convert_type(jnp.asarray(maxval, dtype), udt)
    span = hi - lo
    bits = _full_bits(gen, key, shape, dtype)
    # An empty range (possible only with traced bounds) gives minval rather than garbage.
    off = jnp.where(span == 0, udt(0), bits % jnp.where(span == 0, udt(1), span))
    return lax.bitcast_convert_type(lo + off, dtype)


def _full_bits(gen, key, shape, dtype) -> jax.Array:
    if jnp.dtype(dtype).itemsize == 8:
        w = gen.random_bits(key, shape, 2)
        return w[..., 0].astype(jnp.uint64) | (w[..., 1].astype(jnp.uint64) << 32)
    return gen.random_bits(key, shape, 1)


def full_int(gen, key, shape, dtype) -> jax.Array:
    """TF's ``UniformFullIntDistribution``: the word (32-bit) or ``w0 | w1 << 32`` (64-bit)."""
    return lax.bitcast_convert_type(_full_bits(gen, key, shape, dtype), jnp.dtype(dtype))
