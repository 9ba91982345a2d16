"""TF's rounding, reproduced under XLA: half-precision steps and unfused products.

Two compiler effects are neutralised on purpose: XLA may evaluate a chain of half-precision
operations in float32 (TF rounds after each; see :func:`half_round`), and it lets LLVM contract
``x * s + t`` into a fused multiply-add (TF rounds the product; see :func:`mul_unfusable`).
Every TF sampler that must match TF's last bits goes through these.

Example:
    >>> import jax.numpy as jnp
    >>> float(affine(jnp.float32(0.5), jnp.dtype("float32"), 3.0, 1.0))
    2.5
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def half_round(x: jax.Array, dtype: jnp.dtype) -> jax.Array:
    """Round float32 ``x`` to the nearest ``dtype`` value (half types), staying in float32.

    TF computes half-precision arithmetic one operation at a time (in float32, rounded to the
    half type after each). XLA would fuse a chain of half operations in float32 and round once,
    so the rounding is made explicit; float16 subnormals are rounded on their fixed 2**-24 grid
    because ``reduce_precision`` flushes them to zero.
    """
    if dtype == jnp.bfloat16:
        return lax.reduce_precision(x, exponent_bits=8, mantissa_bits=7)
    normal = lax.reduce_precision(x, exponent_bits=5, mantissa_bits=10)
    tiny = jnp.round(x * jnp.float32(2.0**24)) * jnp.float32(2.0**-24)  # round half to even
    return jnp.where(jnp.abs(x) < jnp.float32(2.0**-14), tiny, normal)


@half_round.defjvp
def _half_round_jvp(dtype, primals, tangents):
    # A rounding stands for TF's half-precision arithmetic, whose derivative is the operation's
    # own: pass the tangent through (jnp.round alone would zero it for subnormals).
    return half_round(primals[0], dtype), tangents[0]


def is_half(dtype: jnp.dtype) -> bool:
    return dtype in (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16))


def rounded_op(a: Any, b: Any, dtype: jnp.dtype, op) -> jax.Array:
    """``op(a, b)`` on values cast to ``dtype``, rounded as TF rounds it (see :func:`half_round`);
    half types come back as float32 holding ``dtype`` values."""
    if not is_half(dtype):
        return op(jnp.asarray(a, dtype), jnp.asarray(b, dtype))
    a32, b32 = (jnp.asarray(jnp.asarray(v, dtype), jnp.float32) for v in (a, b))
    return half_round(op(a32, b32), dtype)


@jax.custom_jvp
def mul_unfusable(x: jax.Array, s: jax.Array) -> jax.Array:
    """``x * s`` rounded to ``x``'s float type, in a form that the compiler cannot fuse with a
    following addition.

    TF rounds the product before adding, while XLA's CPU backend lets LLVM contract
    ``x * s + t`` into one fused multiply-add (one rounding): different last bits in about
    40 % of values. So the product is computed at half scale and doubled by incrementing its
    exponent field in integer arithmetic, which no contraction can see through. Both steps are
    exact whenever the half-scale product and ``s / 2`` are normal and below the overflow
    binade; elsewhere (ranges below 2**-125 or above 2**127) the plain product is used.
    """
    f64 = x.dtype == jnp.float64
    udt, mbits, emax = (jnp.uint64, 52, 0x7FF) if f64 else (jnp.uint32, 23, 0xFF)
    s = jnp.asarray(s, x.dtype)
    r = x * (s * jnp.asarray(0.5, x.dtype))
    bits = lax.bitcast_convert_type(r, udt)
    e = (bits >> mbits) & udt(emax)
    se = (lax.bitcast_convert_type(s, udt) >> mbits) & udt(emax)
    ok = (e >= 2) & (e <= emax - 2) & (se >= 2) & (se <= emax - 1)
    doubled = lax.bitcast_convert_type(bits + udt(1 << mbits), x.dtype)
    return jnp.where(ok, doubled, x * s)


@mul_unfusable.defjvp
def _mul_unfusable_jvp(primals, tangents):
    # The derivative of the plain product: the exponent-field doubling changes no value, but a
    # bitcast has no derivative and would silently zero the gradient of a normal's stddev.
    x, s = primals
    dx, ds = tangents
    s = jnp.asarray(s, x.dtype)
    ds = 0 if jnp.asarray(ds).dtype == jax.dtypes.float0 else jnp.asarray(ds, x.dtype)
    return mul_unfusable(x, s), dx * s + x * ds


def affine(x: jax.Array, dtype: jnp.dtype, scale: Any, shift: Any) -> jax.Array:
    """TF's ``x * scale + shift`` in ``dtype``, two roundings (never a fused multiply-add)."""
    if not is_half(dtype):
        return mul_unfusable(x, scale) + jnp.asarray(shift, dtype)
    x32 = jnp.asarray(x, jnp.float32)
    prod = half_round(x32 * jnp.asarray(scale, jnp.float32), dtype)
    shift32 = jnp.asarray(jnp.asarray(shift, dtype), jnp.float32)
    return half_round(prod + shift32, dtype).astype(dtype)
