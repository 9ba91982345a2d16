"""Bits to values: seedkit's own conversions from uint32 words to uniform numbers.

These are part of the stream-stability promise; they never depend on ``jax.random``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

# 2**-24 as a float32: the spacing of the 24-bit grid that open-interval uniforms live on.
_HALF_ULP24 = 2.0**-24


def mul32(a: jax.Array, b: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Full 32x32 -> 64-bit product of uint32 arrays as ``(hi, lo)``, in 16-bit limbs so that it
    needs no 64-bit type (works with ``jax_enable_x64`` off)."""
    a0, a1 = a & 0xFFFF, a >> 16
    b0, b1 = b & 0xFFFF, b >> 16
    p00, p01, p10, p11 = a0 * b0, a0 * b1, a1 * b0, a1 * b1
    mid = (p00 >> 16) + (p01 & 0xFFFF) + (p10 & 0xFFFF)
    hi = p11 + (p01 >> 16) + (p10 >> 16) + (mid >> 16)
    return hi, a * b


def unit_float(bits: jax.Array, dtype) -> jax.Array:
    """Uniform in ``[0, 1)`` of ``dtype`` from ``bits`` (uint32, or ``(..., 2)`` for float64):
    the top mantissa-many bits fill the mantissa of a number in ``[1, 2)``, minus one."""
    dtype = jnp.dtype(dtype)
    if dtype == jnp.float64:
        w = (bits[..., 0].astype(jnp.uint64) << 32) | bits[..., 1].astype(jnp.uint64)
        one = (w >> 12) | jnp.uint64(0x3FF0000000000000)
        return lax.bitcast_convert_type(one, jnp.float64) - 1.0
    if dtype == jnp.float32:
        one = (bits >> 9) | jnp.uint32(0x3F800000)
        return lax.bitcast_convert_type(one, jnp.float32) - 1.0
    if dtype == jnp.float16:
        one = ((bits >> 22) | 0x3C00).astype(jnp.uint16)
        return lax.bitcast_convert_type(one, jnp.float16) - 1.0
    if dtype == jnp.bfloat16:
        one = ((bits >> 25) | 0x3F80).astype(jnp.uint16)
        return lax.bitcast_convert_type(one, jnp.bfloat16) - 1.0
    raise TypeError(f"unit_float: unsupported dtype {dtype}")  # guarded by the public layer


def open_unit_float32(bits: jax.Array) -> jax.Array:
    """Uniform float32 in the open interval ``(0, 1)``: the midpoints of a 2**-23 grid, so the
    distribution is symmetric about 1/2 and neither 0 nor 1 occurs (for log and erfinv)."""
    return (bits >> 9).astype(jnp.float32) * jnp.float32(2.0**-23) + jnp.float32(2.0**-24)


def open_unit_float64(bits: jax.Array) -> jax.Array:
    """Float64 twin of :func:`open_unit_float32`, from ``(..., 2)`` words (52-bit grid)."""
    w = (bits[..., 0].astype(jnp.uint64) << 32) | bits[..., 1].astype(jnp.uint64)
    return (w >> 12).astype(jnp.float64) * 2.0**-52 + 2.0**-53


def bounded32(hi: jax.Array, lo: jax.Array, span: jax.Array) -> jax.Array:
    """``floor(x * span / 2**64)`` for the 64-bit fraction ``x = hi:lo``: an integer in
    ``[0, span)`` with bias at most ``span / 2**64`` (Lemire's multiply-shift, on two words)."""
    b1, b0 = mul32(hi, span)
    a1, _ = mul32(lo, span)
    carry = (b0 + a1 < b0).astype(jnp.uint32)
    return b1 + carry


def bounded64(words: jax.Array, span: jax.Array) -> jax.Array:
    """The uint64 twin of :func:`bounded32` from ``(..., 4)`` words (needs ``jax_enable_x64``)."""

    def u64(h, lo):
        return (h.astype(jnp.uint64) << 32) | lo.astype(jnp.uint64)

    def mul64(a, b):
        a0, a1 = a & 0xFFFFFFFF, a >> 32
        b0, b1 = b & 0xFFFFFFFF, b >> 32
        p00, p01, p10, p11 = a0 * b0, a0 * b1, a1 * b0, a1 * b1
        mid = (p00 >> 32) + (p01 & 0xFFFFFFFF) + (p10 & 0xFFFFFFFF)
        return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), a * b

    hi = u64(words[..., 0], words[..., 1])
    lo = u64(words[..., 2], words[..., 3])
    b1, b0 = mul64(hi, span)
    a1, _ = mul64(lo, span)
    return b1 + (b0 + a1 < b0).astype(jnp.uint64)
