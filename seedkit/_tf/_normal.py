"""TF's normal and truncated normal (``NormalDistribution``, ``TruncatedNormalDistribution``).

Both read Philox words through the bit generator passed in (``gen.blocks``) and turn them into
values with :mod:`seedkit._tf._box_muller`; ``mean``/``stddev`` are applied with TF's roundings
(:func:`seedkit._tf._rounding.affine`).

Example:
    >>> import numpy as np
    >>> from seedkit._algorithms._philox import PHILOX
    >>> key = PHILOX.key_from_words(np.array([1, 0, 2, 0], np.uint32))
    >>> normal(PHILOX, key, (3,), np.float32, 0.0, 1.0).shape
    (3,)
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax import lax

from seedkit._grid import layout, row_major_index
from seedkit._tf._accounting import RESERVED_BLOCKS_PER_ELEMENT
from seedkit._tf._box_muller import (
    box_muller_double,
    radius_angle_double,
    radius_angle_f32,
    sin_cos,
)
from seedkit._tf._rounding import affine, is_half
from seedkit._words import scaled_index


def standard_normal(gen, key, shape, dtype) -> jax.Array:
    """TF's ``NormalDistribution``: float32 (and half types, rounded from float32) from word
    pairs ``(w0, w1), (w2, w3)`` of each block, giving ``sin * r, cos * r`` in that order;
    float64 from a whole block, giving two values.

    float64 computes every element from its own position (its block, sine or cosine), one
    vectorised elementwise kernel; float32 computes each pair's radius and angle once (a unit
    of :func:`~seedkit._grid.layout`, so a sharded output still computes only its own
    pairs)."""
    f64 = dtype == jnp.float64
    if math.prod(shape) == 0:
        return jnp.zeros(shape, dtype)
    p = row_major_index(tuple(shape))
    second = (p & jnp.uint32(1)) == 1  # the cosine of its pair
    if f64:
        y = gen.blocks(key, p >> jnp.uint32(1))
        s, c = box_muller_double(*y)
        return jnp.where(second, c, s)
    # float32 and half types: one unit per Box-Muller pair, its radius and angle computed once
    # into buffers (the logarithm is most of the cost; computed per output element, each pair
    # paid for it twice, and for both sin and cos), then sine and cosine values interleaved.
    pair, finish = layout(tuple(shape), 2)
    always = key[0] != key[0] + jnp.uint32(1)  # true for every key; XLA cannot tell

    def radius_angle():
        y0, y1, y2, y3 = gen.blocks(key, pair >> jnp.uint32(1))
        upper = (pair & jnp.uint32(1)) == 1  # words 2, 3 of the block
        return radius_angle_f32(jnp.where(upper, y2, y0), jnp.where(upper, y3, y1))

    r, v1 = _materialize(radius_angle, always)
    return finish(jnp.stack(sin_cos(r, v1), axis=-1)).astype(dtype)


def _scale(z, dtype, mean, stddev):
    """TF's ``rnd * stddev + mean`` in ``dtype``."""
    sd = jnp.asarray(stddev, dtype)
    return affine(z, dtype, sd if not is_half(dtype) else jnp.asarray(sd, jnp.float32), mean)


def normal(gen, key, shape, dtype, mean, stddev) -> jax.Array:
    dtype = jnp.dtype(dtype)
    return _scale(standard_normal(gen, key, tuple(shape), dtype), dtype, mean, stddev)


_TN_ACCEPT = 0.9545  # P(|x| < 2) for a standard normal


def _tn_blocks_per_pass(groups: int, group: int) -> int:
    """Blocks each truncated-normal group tries in one pass: enough that another pass is
    needed (some group still short) with probability below about 1e-3 for this many groups."""
    per_block = 4 if group == 4 else 2  # candidates per block
    blocks = 1
    while True:
        tries = blocks * per_block
        short = sum(
            math.comb(tries, a) * _TN_ACCEPT**a * (1 - _TN_ACCEPT) ** (tries - a) for a in range(group)
        )
        if groups * short < 1e-3 or blocks >= 8:
            return blocks
        blocks += 1


def _materialize(f, opaque_true: jax.Array):
    """``f()`` computed once into buffers. XLA's CPU emitters compute each output of a fusion
    separately and would repeat ``f``'s shared work (the logarithm of a Box–Muller pair) for
    every consumer; a loop that runs once, with a condition XLA cannot evaluate ahead, is a
    boundary no fusion crosses."""
    zeros = jax.tree.map(lambda a: jnp.zeros(a.shape, a.dtype), jax.eval_shape(f))
    return lax.while_loop(lambda c: c[0], lambda c: (jnp.zeros_like(c[0]), f()), (opaque_true, zeros))[1]


def truncated_standard_normal(gen, key, shape, dtype) -> jax.Array:
    """TF's ``TruncatedNormalDistribution`` in the variable-samples fill: group ``g`` of 4
    outputs (2 for float64) reads blocks ``counter + g * 256 (128) + j``, ``j = 0, 1, ...``,
    turns word pairs (quadruples) into Box-Muller pairs and keeps, in order, the values with
    ``|x| < 2`` until the group is full. Half types keep the float32 values, rounded.

    Every group tries its first ``K`` blocks in one vectorised pass (``K`` chosen so that a
    group comes up short about once in a thousand calls); further passes, over all groups,
    run only while some group is short (their loop condition is the only cross-shard
    communication of a sharded call).
    """
    n = math.prod(shape)
    if n == 0:
        return jnp.zeros(shape, dtype)
    f64 = dtype == jnp.float64
    group = 2 if f64 else 4
    # TF reserves 256 blocks per group of 4 outputs (128 per group of 2 for float64)
    stride = RESERVED_BLOCKS_PER_ELEMENT * group // 4
    index, finish = layout(tuple(shape), group)
    k_blocks = _tn_blocks_per_pass(math.prod(index.shape), group)
    cdt = jnp.float64 if f64 else jnp.float32
    base_lo, base_hi = scaled_index(index, stride)
    always = key[0] != key[0] + jnp.uint32(1)  # true for every key; XLA cannot tell

    def pairs(j):
        # Box–Muller (radius, angle) of blocks j .. j + K - 1, pairs in TF's order on leading
        # axes (the long group axes stay innermost, where the CPU code vectorises): float32
        # (K, 2, ...) (words 0-1, then 2-3 of each block), float64 (K, ...)
        lead = (k_blocks, 2) if not f64 else (k_blocks,)
        grid = (*lead, *index.shape)
        b = lax.broadcasted_iota(jnp.uint32, grid, 0)
        lo = jnp.broadcast_to(base_lo, grid) + j + b
        y0, y1, y2, y3 = gen.blocks(key, lo, jnp.broadcast_to(base_hi, grid))
        if f64:
            return radius_angle_double(y0, y1, y2, y3)
        upper = lax.broadcasted_iota(jnp.uint32, grid, 1) == 1
        return radius_angle_f32(jnp.where(upper, y2, y0), jnp.where(upper, y3, y1))

    def values(r, v1):
        # each pair's sine value, then its cosine value: (candidates, ...) in TF's order
        r = r.reshape((-1, *index.shape))
        v1 = v1.reshape((-1, *index.shape))
        return jnp.stack(sin_cos(r, v1), axis=1).reshape((-1, *index.shape))

    def one_pass(state):
        j, count, out = state
        r, v1 = _materialize(lambda: pairs(j), always)
        vals = _materialize(lambda: values(r, v1), always)
        out = list(out)
        # accepted candidate i goes to slot count + (accepted before i), if that is < group
        for i in range(vals.shape[0]):
            v = vals[i]
            ok = jnp.abs(v) < 2.0
            out = [jnp.where(ok & (count == s), v, o) for s, o in enumerate(out)]
            count = count + ok.astype(jnp.int32)
        return j + jnp.uint32(k_blocks), jnp.minimum(count, group), tuple(out)

    init = (jnp.uint32(0), jnp.zeros(index.shape, jnp.int32), (jnp.zeros(index.shape, cdt),) * group)
    _, _, out = lax.while_loop(lambda s: jnp.any(s[1] < group), one_pass, init)
    z = finish(jnp.stack(out, axis=-1))
    return z if f64 else z.astype(dtype)


def truncated_normal(gen, key, shape, dtype, mean, stddev) -> jax.Array:
    dtype = jnp.dtype(dtype)
    return _scale(truncated_standard_normal(gen, key, tuple(shape), dtype), dtype, mean, stddev)
