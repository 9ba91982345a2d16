"""float64 arithmetic inside float32 samplers, whether or not ``jax_enable_x64`` is on.

TF's float32 Box–Muller leans on glibc's ``logf`` and ``sincosf``, which compute in double and
round to float once, and on a ``2 * M_PI`` product in double. Reproducing them in float64 is
the short way to the same bits: a handful of double operations, each exactly rounded (IEEE
``+ - * sqrt`` and conversions) on every backend XLA targets. Emulating double in pairs of
float32 takes 5-8x the time here. The threefry float32 uniform's ``u * span + lo`` is a fused
multiply-add written out the same way (:func:`fma_f32`), so that it no longer depends on
whether a backend contracts it.

``jax.enable_x64`` (public, a context manager; checked on JAX 0.10.0 and 0.10.2) is entered only
while such a region is traced: its float64 values are converted back before it ends, so the
caller's program keeps the dtypes ``jax_enable_x64`` promised it. JAX's own tests trace
``jax.enable_x64`` regions inside ``jit`` (tests/x64_context_test.py); JAX has had bugs there
(jax-ml/jax#5982: constants canonicalised to 32 bits when lowered outside the region), which
would show as wrong bits: tests/test_philox.py checks the glibc functions on every one of their
2**23 inputs and tests/test_platform_hazards.py checks :func:`fma_f32` against rational
arithmetic, compiled, on every JAX version CI runs.

Example:
    >>> import jax.numpy as jnp
    >>> with float64():
    ...     print(jnp.asarray(1.0).dtype)
    float64
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.typing import ArrayLike, DTypeLike


def float64() -> AbstractContextManager[None]:
    """A region in which float64 arrays can be made (``jax.enable_x64(True)``)."""
    return jax.enable_x64(True)


def table_lookup(values: Sequence[float], i: jax.Array, dtype: DTypeLike) -> jax.Array:
    """``values[i]`` (``len(values)`` a power of two) as a tree of selects on the bits of ``i``:
    it vectorises, where XLA's CPU gather runs element by element (30x slower here)."""
    level = [jnp.asarray(v, dtype) for v in values]
    bit = 0
    while len(level) > 1:
        odd = ((i >> bit) & 1) == 1
        level = [jnp.where(odd, level[k + 1], level[k]) for k in range(0, len(level), 2)]
        bit += 1
    return level[0]


def sum_to_odd(a: jax.Array, b: jax.Array) -> jax.Array:
    """``a + b`` (float32 or float64, both of one dtype) rounded to odd: the nearest sum, its last
    bit set by one step towards the exact sum when that sum is inexact. Rounding to odd in a
    format at least two bits wider than the target, then to nearest, rounds the exact value to
    nearest (Boldo and Melquiond, "Emulation of FMA and correctly rounded sums: proved
    algorithms using rounding to odd", IEEE Trans. Computers 57(4), 2008, Theorem 3.4)."""
    udt = jnp.uint64 if a.dtype == jnp.float64 else jnp.uint32
    s = a + b
    bb = s - a
    err = (a - (s - bb)) + (b - bb)  # Knuth's TwoSum: s + err == a + b exactly
    bits = lax.bitcast_convert_type(s, udt)
    inexact_even = (jnp.abs(err) > 0) & ((bits & udt(1)) == 0)  # NaN err (s infinite): no
    # one step towards the exact sum: away from zero when err has s's sign
    step = jnp.where((err > 0) == (s > 0), udt(1), udt(np.iinfo(udt).max))
    return lax.bitcast_convert_type(jnp.where(inexact_even, bits + step, bits), a.dtype)


@jax.custom_jvp
def fma_f32(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> jax.Array:
    """float32 ``a * b + c`` rounded once, as a fused multiply-add rounds it, on every backend.

    The product of two float32 values is exact in float64 (24 + 24 bits), so a backend that
    fuses it into the sum changes nothing. The sum is rounded to odd in float64
    (:func:`sum_to_odd`), then to float32, which rounds the exact value to nearest.
    """
    with float64():
        f64 = jnp.float64
        p = jnp.asarray(a, jnp.float32).astype(f64) * jnp.asarray(b, jnp.float32).astype(f64)
        return sum_to_odd(p, jnp.asarray(c, jnp.float32).astype(f64)).astype(jnp.float32)


@fma_f32.defjvp
def _fma_f32_jvp(primals, tangents):
    # the derivative of a * b + c (a bitcast has none, and would zero a bound's gradient)
    a, b, c = (jnp.asarray(v, jnp.float32) for v in primals)
    da, db, dc = (
        jnp.zeros((), jnp.float32)
        if jnp.asarray(t).dtype == jax.dtypes.float0
        else jnp.asarray(t, jnp.float32)
        for t in tangents
    )
    return fma_f32(a, b, c), da * b + a * db + dc
