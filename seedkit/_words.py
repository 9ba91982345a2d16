"""32-bit words: integers as uint32 words, multi-word arithmetic, and the per-call size limit.

Every algorithm and sampler computes in uint32 so that nothing needs ``jax_enable_x64``; keys,
counters and stream offsets wider than 32 bits are little-endian sequences of uint32 words (word 0
least significant). This module is the one place that splits integers into words, does carry
arithmetic on them, and enforces the one size limit that follows from 32-bit element indices.
It imports nothing from seedkit, so every layer can use it.

Example:
    >>> int_words(2**32 + 5, 2)
    [5, 1]
    >>> words_int([5, 1])
    4294967301
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

MASK32 = 0xFFFFFFFF
# Element, word and block indices are uint32 (built from iotas), so one call can address at most
# this many of each; larger requests are drawn in pieces with split seeds.
MAX_UNITS = 2**32


# ------------------------------------------------------------------ host integers <-> words
def int_words(value: int, n: int) -> list[int]:
    """``n`` little-endian uint32 words of ``value`` (two's complement modulo ``2**(32 n)``).

    Example:
        >>> int_words(-1, 2)
        [4294967295, 4294967295]
    """
    return [(value >> (32 * i)) & MASK32 for i in range(n)]


def words_int(words: Sequence[int]) -> int:
    """The non-negative integer whose little-endian uint32 words are ``words``."""
    return sum(int(w) << (32 * i) for i, w in enumerate(words))


def int64_words(value: Any, name: str) -> tuple[int, int]:
    """``(lo, hi)`` words of a Python/NumPy integer in the int64 (or uint64) range, validated:
    ``TypeError``/``ValueError`` naming ``name`` otherwise.

    Example:
        >>> int64_words(-2, "seed")
        (4294967294, 4294967295)
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an int64 integer; got {type(value).__name__} {value!r}.")
    v = int(value)
    if not -(2**63) <= v < 2**64:
        raise ValueError(f"`{name}` must lie in the int64 (or uint64) range; got {v}.")
    lo, hi = int_words(v, 2)
    return lo, hi


def counter_words(count: int) -> np.ndarray:
    """A count ``0 <= count < 2**64`` (of blocks, or of draws) as the uint32 ``[lo, hi]`` counter
    that ``BitGenerator.with_counter`` takes.

    Example:
        >>> [int(w) for w in counter_words(3 * 256)]
        [768, 0]
    """
    b = int(count)
    if not 0 <= b < 2**64:
        raise ValueError(f"`blocks` must lie in [0, 2**64); got {b}.")
    return np.array(int_words(b, 2), np.uint32)


# ------------------------------------------------------------------ traced multi-word arithmetic
def add_words(a: Sequence[jax.Array], b: Sequence[Any]) -> list[jax.Array]:
    """``a + b`` modulo ``2**(32 len(a))`` on little-endian uint32 words, every carry propagated;
    ``b`` may be shorter than ``a`` (its missing high words are zero). Elementwise, broadcasting.

    Example:
        >>> [int(w) for w in add_words([jnp.uint32(MASK32), jnp.uint32(7)], [jnp.uint32(1)])]
        [0, 8]
    """
    out: list[jax.Array] = []
    carry = None
    for i, x in enumerate(a):
        if i < len(b):
            y = jnp.asarray(b[i], jnp.uint32)
            s = x + y
            c = (s < y).astype(jnp.uint32)
            if carry is not None:
                t = s + carry
                c = c | (t < s).astype(jnp.uint32)  # s + carry overflows only when t wraps
                s = t
        else:  # b's word is zero: only the carry moves on
            s = x + carry  # type: ignore[operator]
            c = (s < carry).astype(jnp.uint32)  # type: ignore[operator]
        out.append(s)
        carry = c
    return out


def _mulhilo_limbs(m: int, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``(hi, lo)`` words of the 64-bit product of the constant ``m`` and uint32 ``x``, from
    16-bit limbs (each partial sum below stays under 2**32, so nothing overflows)."""
    m_lo, m_hi = jnp.uint32(m & 0xFFFF), jnp.uint32(m >> 16)
    x_lo, x_hi = x & jnp.uint32(0xFFFF), x >> 16
    t = x_lo * m_hi + ((x_lo * m_lo) >> 16)
    u = x_hi * m_lo + (t & jnp.uint32(0xFFFF))
    hi = x_hi * m_hi + (t >> 16) + (u >> 16)
    return hi, x * jnp.uint32(m)


def _mulhilo_wide(m: int, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """:func:`_mulhilo_limbs` with one 64-bit product inside the compiled kernel. The uint64
    values exist only between two uint32 conversions, while tracing, so callers never need
    ``jax_enable_x64``; XLA's CPU code for it is about 4x faster than the limbs'."""
    with jax.enable_x64(True):
        p = jnp.asarray(x, jnp.uint32).astype(jnp.uint64) * jnp.uint64(m)
        return (p >> jnp.uint64(32)).astype(jnp.uint32), p.astype(jnp.uint32)


# The 32x32 -> 64-bit product by a constant. Both give identical words (tests check it); the wide
# one is what makes philox faster than TF's own kernel on the CPU. (A JAX without the
# ``jax.enable_x64`` context manager falls back to the limbs.)
mulhilo = _mulhilo_wide if hasattr(jax, "enable_x64") else _mulhilo_limbs


def times_const(lo: jax.Array, hi: jax.Array, m: int) -> list[jax.Array]:
    """``(lo + hi * 2**32) * m mod 2**128`` as four uint32 words (least significant first), for
    a Python int ``m``, with 32-bit operations only: 16-bit limbs keep every product below
    ``2**32``.

    Example:
        >>> [int(w) for w in times_const(jnp.uint32(3), jnp.uint32(1), 2**32)]
        [0, 3, 1, 0]
    """
    n = [lo & 0xFFFF, lo >> 16, hi & 0xFFFF, hi >> 16]
    acc = [jnp.uint32(0)] * 8
    for j in range(8):
        mj = (m >> (16 * j)) & 0xFFFF
        if not mj:
            continue
        for i in range(4):
            if i + j < 8:
                p = n[i] * jnp.uint32(mj)
                acc[i + j] = acc[i + j] + (p & 0xFFFF)
                if i + j + 1 < 8:
                    acc[i + j + 1] = acc[i + j + 1] + (p >> 16)
    limbs, carry = [], jnp.uint32(0)
    for a in acc:  # each a < 8 * 2**16: no overflow
        t = a + carry
        limbs.append(t & 0xFFFF)
        carry = t >> 16
    return [limbs[2 * k] | (limbs[2 * k + 1] << 16) for k in range(4)]


def scaled_index(index: jax.Array, stride: int) -> tuple[jax.Array, jax.Array]:
    """``stride * index`` (uint32 ``index``, ``0 < stride < 2**16``) as 64-bit ``(lo, hi)`` words:
    where a work item's stream starts when each item reserves ``stride`` blocks.

    Example:
        >>> [int(w) for w in scaled_index(jnp.uint32(2**31 + 1), 256)]
        [256, 128]
    """
    lo = index * jnp.uint32(stride)
    if stride & (stride - 1) == 0:  # a power of two: the high word is a shift
        return lo, index >> jnp.uint32(32 - (stride.bit_length() - 1))
    i_hi, i_lo = index >> 16, index & jnp.uint32(0xFFFF)
    hi = (i_hi * jnp.uint32(stride) + ((i_lo * jnp.uint32(stride)) >> 16)) >> 16
    return lo, hi


# ------------------------------------------------------------------ the per-call size limit
def check_units(count: int, shape: Sequence[int], units: str = "elements") -> None:
    """Raise ``ValueError`` if a call of output ``shape`` needs more than ``2**32`` ``units``
    (elements, words or blocks): their indices are uint32.

    Example:
        >>> check_units(2**32 + 1, (2**32 + 1,))
        Traceback (most recent call last):
        ...
        ValueError: `shape` (4294967297,) needs 4294967297 elements; at most 2**32 are supported per call. Draw it in pieces with stateless_split seeds.
    """
    if count > MAX_UNITS:
        raise ValueError(
            f"`shape` {tuple(shape)} needs {count} {units}; at most 2**32 are supported per call. "
            "Draw it in pieces with stateless_split seeds."
        )


def check_shape(shape: Sequence[int], units: str = "elements") -> int:
    """:func:`check_units` for one unit per element of ``shape``; returns the element count."""
    n = math.prod(shape)
    check_units(n, shape, units)
    return n
