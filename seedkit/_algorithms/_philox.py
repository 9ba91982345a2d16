"""Philox-4x32-10 with TensorFlow's seed scrambling, counter layout and conversions.

With ``alg="philox"`` seedkit's stateless ops give TensorFlow's own numbers (TF 2.21, CPU, eager).
Users never need ``jax_enable_x64`` except for 64-bit outputs (float64, int64, uint64).

* **The hash.** Philox-4x32 with 10 rounds (Salmon et al., "Parallel random numbers: as easy as
  1, 2, 3", SC 2011): a 128-bit counter (four words, word 0 least significant) and a 64-bit key
  (two words) give four output words. Inputs and outputs are uint32; each 32x32->64-bit
  product is one uint64 multiplication inside the compiled kernel (:func:`_mulhilo_wide`,
  traced with 64-bit types enabled locally), with a pure 16-bit-limb twin kept for reference.
* **The key.** An algorithm key is a ``uint32[6]`` array ``(k0, k1, c0, c1, c2, c3)``: TF's key
  and its 128-bit base counter. A stateless seed ``(s0, s1)`` (each sign-extended to 64 bits)
  is scrambled as in TF's ``GenerateKey``: one Philox call with the fixed key
  ``(0x3EC8F720, 0x02461E29)`` on the counter ``(lo s0, hi s0, lo s1, hi s1)`` gives
  ``m0..m3``; the key is ``(m0, m1)`` and the counter ``(0, 0, m2, m3)``.
* **Counter layout.** Outputs are filled in row-major order from the flat stream of words of
  the blocks at ``counter + 0, counter + 1, ...`` (TF's ``FillPhiloxRandom``): 4 values per
  block for 32-bit outputs, 2 for 64-bit ones, the last block truncated. Truncated normals give
  each group of 4 outputs (2 for float64) its own stream starting ``256`` blocks (``128``)
  after the previous group's, as TF reserves them. Every output element is computed from its
  own position (built from iotas), so a sharded output computes only its own blocks and needs
  no communication (the truncated normal's rare extra passes test one shared flag).
* **Streams.** :meth:`PhiloxBitGenerator.with_counter` adds a 64-bit number of *blocks* to the
  128-bit counter, as TF's ``PhiloxRandom::Skip``: the stateful ops reserve 256 blocks per
  output element per call, so their ``n``-th call is the stream ``256 * (elements drawn so
  far)``.

TF-exact samplers (bit-identical to TF 2.21 eager on an x86-64 CPU; the normals assume the
glibc ``logf``/``sincosf`` of glibc 2.28 and later, checked with glibc 2.36): ``uniform_float``
(float16, bfloat16, float32, float64), ``uniform_int`` and ``full_int`` (int32, uint32, int64,
uint64), ``normal`` and ``truncated_normal`` (all float types; float32 reproduces glibc's
``logf``, see :func:`_box_muller_f32`), ``shuffle`` and ``index_shuffle``; ``stateless_split``
and ``stateless_fold_in`` follow from ``full_int``. 64-bit outputs need ``jax_enable_x64``.
TF computes gamma, Poisson, binomial and categorical in double; their samplers live in
``_tf_gamma``, ``_tf_poisson``, ``_tf_binomial`` and ``_tf_categorical`` (TF's values with
``jax_enable_x64``, a float32 approximation without). The parameterized truncated normal runs
seedkit's shared algorithm on Philox bits: reproducible, but not TF's numbers.

Two compiler effects are neutralised on purpose: XLA may evaluate a chain of half-precision
operations in float32 (TF rounds after each; see :func:`_half_round`), and it lets LLVM contract
``x * s + t`` into a fused multiply-add (TF rounds the product; see :func:`_mul_unfusable`).

Example:
    >>> import numpy as np
    >>> from seedkit._algorithms._philox import PHILOX, philox4x32
    >>> [hex(int(w)) for w in philox4x32(np.zeros(4, np.uint32), np.zeros(2, np.uint32))]
    ['0x6627e8d5', '0xe169c58d', '0xbc57ac4c', '0x9b00dbd8']
    >>> key = PHILOX.key_from_words(np.array([1, 0, 2, 0], np.uint32))
    >>> [int(w) for w in PHILOX.random_bits(key, (4,), 1)]  # tf.random.stateless_uniform([4], [1, 2], tf.uint32, None, None)
    [1105988140, 1738052849, 3959391294, 370444179]
"""

from __future__ import annotations

import functools
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

# Philox-4x32 round multipliers and Weyl key increments (Salmon et al. 2011; the same constants
# in TF's philox_random.h and Random123).
_M0, _M1 = 0xD2511F53, 0xCD9E8D57
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_ROUNDS = 10
# The fixed key of TF's seed scrambling (GenerateKey in stateless_random_ops.cc).
_SCRAMBLE_KEY = (0x3EC8F720, 0x02461E29)
# Blocks a stateful TF kernel reserves per output element, and per group of outputs in the
# variable-samples fill (kReservedSamplesPerOutput in random_op_cpu.h).
RESERVED_BLOCKS_PER_ELEMENT = 256
_MAX_UNITS = 2**32
_MASK32 = 0xFFFFFFFF
# The constant TF's index_shuffle wrapper prepends to the seed (stateless_random_ops.py).
_INDEX_SHUFFLE_PAD = 498247692
# Domain-separation constants for :meth:`PhiloxBitGenerator.block` (digits of e, arbitrary).
_BLOCK_DOMAIN = (0xB7E15162, 0x8AED2A6A)


def _u32(x: Any) -> jax.Array:
    return jnp.asarray(x, jnp.uint32)


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


# The 64-bit product used by the rounds. Both give identical words (tests check it); the wide
# one is what makes philox faster than TF's own kernel on the CPU. (A JAX without the
# ``jax.enable_x64`` context manager falls back to the limbs.)
_mulhilo = _mulhilo_wide if hasattr(jax, "enable_x64") else _mulhilo_limbs


def _rounds(c0, c1, c2, c3, k0, k1):
    """The 10 Philox rounds on counter words ``c`` (arrays, broadcast) under key ``(k0, k1)``."""
    k0, k1 = _u32(k0), _u32(k1)
    for r in range(_ROUNDS):
        if r:
            k0 = k0 + jnp.uint32(_W0)
            k1 = k1 + jnp.uint32(_W1)
        hi0, lo0 = _mulhilo(_M0, c0)
        hi1, lo1 = _mulhilo(_M1, c2)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return c0, c1, c2, c3


def philox4x32(counter: Any, key: Any) -> jax.Array:
    """One Philox-4x32-10 block: ``uint32[4]`` output of ``counter`` (``uint32[..., 4]``, word 0
    least significant) under ``key`` (``uint32[..., 2]``).

    Example:
        >>> import numpy as np
        >>> out = philox4x32(np.full(4, 0xFFFFFFFF, np.uint32), np.full(2, 0xFFFFFFFF, np.uint32))
        >>> [hex(int(w)) for w in out]
        ['0x408f276d', '0x41c83b0e', '0xa20bc7c6', '0x6d5451fd']
    """
    c, k = _u32(counter), _u32(key)
    return jnp.stack(_rounds(c[..., 0], c[..., 1], c[..., 2], c[..., 3], k[..., 0], k[..., 1]), axis=-1)


def philox4x32_inverse(output: Any, key: Any) -> jax.Array:
    """The counter whose Philox block under ``key`` is ``output`` (rounds run backwards): the
    low product word gives back the multiplied word (times the inverse multiplier mod 2**32),
    and then the high product word gives back the other one.

    Example:
        >>> import numpy as np
        >>> key = np.array([5, 6], np.uint32)
        >>> [int(w) for w in philox4x32_inverse(philox4x32(np.array([1, 2, 3, 4], np.uint32), key), key)]
        [1, 2, 3, 4]
    """
    y, k = _u32(output), _u32(key)
    c0, c1, c2, c3 = y[..., 0], y[..., 1], y[..., 2], y[..., 3]
    inv0, inv1 = pow(_M0, -1, 2**32), pow(_M1, -1, 2**32)
    for r in range(_ROUNDS - 1, -1, -1):
        k0 = k[..., 0] + jnp.uint32((r * _W0) & _MASK32)
        k1 = k[..., 1] + jnp.uint32((r * _W1) & _MASK32)
        old0 = c3 * jnp.uint32(inv0)
        old2 = c1 * jnp.uint32(inv1)
        hi0, _ = _mulhilo(_M0, old0)
        hi1, _ = _mulhilo(_M1, old2)
        c0, c1, c2, c3 = old0, c0 ^ hi1 ^ k0, old2, c2 ^ hi0 ^ k1
    return jnp.stack([c0, c1, c2, c3], axis=-1)


def _add128(c, lo, hi):
    """``c + (hi:lo)`` on the 128-bit counter ``c`` (4 words), with every carry (TF's
    ``SkipOne`` repeated / ``Skip`` for offsets below 2**63)."""
    c0, c1, c2, c3 = c
    d0 = c0 + lo
    carry0 = (d0 < lo).astype(jnp.uint32)
    s1 = c1 + hi
    d1 = s1 + carry0
    carry1 = ((s1 < hi) | (d1 < carry0)).astype(jnp.uint32)
    d2 = c2 + carry1
    d3 = c3 + ((d2 < carry1).astype(jnp.uint32))
    return d0, d1, d2, d3


def _split_key(key: jax.Array):
    key = _u32(key)
    return key[..., 0], key[..., 1], (key[..., 2], key[..., 3], key[..., 4], key[..., 5])


# ---------------------------------------------------------------------------------------------
# Layout: which unit (block, or truncated-normal group) each output position comes from.


def _row_major_index(shape: tuple[int, ...]) -> jax.Array:
    """The row-major position of every element of ``shape`` as uint32, built from iotas (so a
    shard of a partitioned output computes only its own positions)."""
    if math.prod(shape) > _MAX_UNITS:
        raise ValueError(
            f"an output of shape {tuple(shape)} has more than 2**32 Philox words; generate it in "
            "pieces with split seeds."
        )
    if not shape:
        return jnp.zeros((), jnp.uint32)
    index = jnp.zeros(shape, jnp.uint32)
    stride = 1
    for axis in range(len(shape) - 1, -1, -1):
        index = index + lax.broadcasted_iota(jnp.uint32, shape, axis) * jnp.uint32(stride)
        stride *= shape[axis]
    return index


def _layout(shape: tuple[int, ...], per_unit: int, items_per_elem: int = 1):
    """Map the flat row-major stream of ``items`` (``per_unit`` per unit, unit ``i`` made from
    its index ``i`` alone) onto ``shape + (items_per_elem,)``.

    Returns ``(unit_index, finish)``: ``unit_index`` (uint32) has the grid's shape and
    ``finish(items)`` turns an array of shape ``grid + (per_unit,)`` into the output. The grid
    keeps the output's leading axes, so a sharded output computes only its own units; a row
    whose length is not a multiple of ``per_unit`` starts inside a unit, and then each row
    computes the units it touches and picks its window (at most one unit of extra work per
    row).
    """
    n = math.prod(shape)
    out_shape = tuple(shape) + ((items_per_elem,) if items_per_elem > 1 else ())
    total_units = -(-n * items_per_elem // per_unit)
    if total_units > _MAX_UNITS:
        raise ValueError(
            f"shape {tuple(shape)} needs {total_units} Philox blocks; at most 2**32 are supported "
            "per call (TF's int64 counters allow more). Generate it in pieces with split seeds."
        )
    if len(shape) <= 1:
        grid = (total_units,)
        index = lax.broadcasted_iota(jnp.uint32, grid, 0)

        def finish_flat(items):
            return items.reshape(-1)[: n * items_per_elem].reshape(out_shape)

        return index, finish_flat

    lead, row_items = tuple(shape[:-1]), shape[-1] * items_per_elem
    q, m = divmod(row_items, per_unit)
    units_per_row = q if m == 0 else -(-(row_items + per_unit - 1) // per_unit)
    grid = (*lead, units_per_row)
    row = jnp.zeros(grid, jnp.uint32)
    stride = 1
    for axis in range(len(lead) - 1, -1, -1):
        row = row + lax.broadcasted_iota(jnp.uint32, grid, axis) * jnp.uint32(stride)
        stride *= lead[axis]
    col = lax.broadcasted_iota(jnp.uint32, grid, len(lead))
    if m == 0:

        def finish_aligned(items):
            return items.reshape((*lead, row_items)).reshape(out_shape)

        return row * jnp.uint32(q) + col, finish_aligned

    # Row r starts at item r * row_items = r * q units + r * m items; split r * m into whole
    # units and an offset without overflowing 32 bits.
    p = jnp.uint32(per_unit)
    r_div, r_mod = row // p, row % p
    start = row * jnp.uint32(q) + r_div * jnp.uint32(m) + (r_mod * jnp.uint32(m)) // p
    offset = ((r_mod * jnp.uint32(m)) % p)[..., :1]

    def finish_shifted(items):
        flat = items.reshape((*lead, units_per_row * per_unit))
        out = flat[..., :row_items]
        for k in range(1, per_unit):
            out = jnp.where(offset == k, flat[..., k : k + row_items], out)
        return out.reshape(out_shape)

    return start + col, finish_shifted


# ---------------------------------------------------------------------------------------------
# The bit generator.


class PhiloxBitGenerator:
    """TF-compatible Philox-4x32-10 (see the module docstring for the key and layout)."""

    name = "philox"

    def key_from_words(self, words: jax.Array) -> jax.Array:
        """TF's ``GenerateKey``: scramble the seed's four words into key and counter."""
        w = _u32(words)
        m0, m1, m2, m3 = _rounds(w[0], w[1], w[2], w[3], *_SCRAMBLE_KEY)
        zero = jnp.zeros((), jnp.uint32)
        return jnp.stack([m0, m1, zero, zero, m2, m3])

    def with_counter(self, key: jax.Array, counter: jax.Array) -> jax.Array:
        """The key whose counter is ``key``'s advanced by ``counter`` (uint32 ``[lo, hi]``, a
        64-bit number of blocks), exactly as TF's ``PhiloxRandom::Skip``."""
        k0, k1, c = _split_key(key)
        counter = _u32(counter)
        lo, hi = counter[0], counter[1]
        c0 = c[0] + lo
        hi = hi + (c0 < lo).astype(jnp.uint32)  # TF drops this carry when hi wraps (hi == 2**32 - 1)
        c1 = c[1] + hi
        carry = (c1 < hi).astype(jnp.uint32)
        c2 = c[2] + carry
        c3 = c[3] + (carry & (c2 == 0).astype(jnp.uint32))
        return jnp.stack([k0, k1, c0, c1, c2, c3])

    def blocks(self, key: jax.Array, lo: jax.Array, hi: Any = 0) -> tuple[jax.Array, ...]:
        """The four words of the blocks at ``counter + (hi:lo)`` (elementwise)."""
        k0, k1, c = _split_key(key)
        lo = _u32(lo)
        return _rounds(*_add128(c, lo, _u32(hi)), k0, k1)

    def random_bits(self, key: jax.Array, shape: tuple[int, ...], words: int) -> jax.Array:
        """TF's layout: ``shape`` (``words == 1``) or ``shape + (words,)`` words taken in order
        from the blocks at ``counter + 0, 1, ...``.

        Each word is computed from its own row-major position ``p`` (block ``p // 4``, word
        ``p % 4`` of it), so the whole fill is one elementwise kernel that partitions freely.
        XLA's CPU loop emitters compute every output element separately anyway, so the block
        of four words is evaluated once per word either way; this form keeps that loop
        vectorised (gathering the four words of a stacked block was 10x slower).
        """
        out_shape = tuple(shape) + ((words,) if words > 1 else ())
        if math.prod(out_shape) == 0:
            return jnp.zeros(out_shape, jnp.uint32)
        p = _row_major_index(out_shape)
        y0, y1, y2, y3 = self.blocks(key, p >> jnp.uint32(2))
        lane = p & jnp.uint32(3)
        return jnp.where(lane < 2, jnp.where(lane == 0, y0, y1), jnp.where(lane == 2, y2, y3))

    def block(self, key: jax.Array, x0: jax.Array, x1: jax.Array) -> tuple[jax.Array, jax.Array]:
        """Two words hashed from ``(x0, x1)`` under ``key``, for seedkit's shared rejection
        samplers (not a TF construct). A sub-key is drawn from the key's current counter under a
        domain-separated key, so these words never coincide with :meth:`random_bits` output
        under any counter."""
        k0, k1, c = _split_key(key)
        s0, s1, s2, s3 = _rounds(*c, k0 ^ jnp.uint32(_BLOCK_DOMAIN[0]), k1 ^ jnp.uint32(_BLOCK_DOMAIN[1]))
        x0, x1 = jnp.broadcast_arrays(_u32(x0), _u32(x1))
        y0, y1, _, _ = _rounds(x1, x0, jnp.broadcast_to(s2, x0.shape), jnp.broadcast_to(s3, x0.shape), s0, s1)
        return y0, y1

    @property
    def samplers(self) -> dict:
        return _all_samplers()


PHILOX = PhiloxBitGenerator()


# ---------------------------------------------------------------------------------------------
# Helpers for the stateful layers (the TF kernels' key/counter).


def _int64_words(value: Any, name: str) -> tuple[int, int]:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an int64 integer; got {type(value).__name__} {value!r}.")
    v = int(value)
    if not -(2**63) <= v < 2**64:
        raise ValueError(f"`{name}` must lie in the int64 (or uint64) range; got {v}.")
    u = v & 0xFFFFFFFFFFFFFFFF
    return u & _MASK32, u >> 32


def key_from_seed_pair(seed: int, seed2: int) -> np.ndarray:
    """The key of TF's ``PhiloxRandom(seed, seed2)``: a stateful kernel built with attributes
    ``seed``, ``seed2`` (as ``seedkit.get_seed`` returns them) has key ``seed`` and counter
    ``(0, 0, lo(seed2), hi(seed2))``. Its ``n``-th call draws from
    ``with_counter(key, blocks_to_words(256 * elements_drawn_before))``.

    Example:
        >>> import seedkit
        >>> from seedkit.stateless import _sample_from_key
        >>> key = key_from_seed_pair(1234, 1892932127)  # set_seed(1234): first op seed
        >>> x = _sample_from_key("uniform_float", "philox", ((4,), np.dtype("float32")), key, None, (0.0, 1.0))
        >>> [hex(v) for v in np.asarray(x).view(np.uint32)]  # tf.random.uniform([4]) after set_seed(1234)
        ['0x3f09bcf2', '0x3ebaaf4c', '0x3f14e5b6', '0x3e79ae28']
    """
    k = _int64_words(seed, "seed")
    c = _int64_words(seed2, "seed2")
    return np.array([k[0], k[1], 0, 0, c[0], c[1]], np.uint32)


def key_from_state(state: Any) -> np.ndarray:
    """The key of a ``tf.random.Generator`` Philox state ``[counter_lo64, counter_hi64, key]``
    (three int64 values, or uint64): key words from ``state[2]``, counter words from
    ``state[0]`` (least significant) and ``state[1]``. A draw of shape ``S`` uses this key and
    then advances ``state[0]`` (with carry into ``state[1]``) by ``256 * prod(S)``.

    Example:
        >>> [int(w) for w in key_from_state([1234, 0, 0])]  # Generator.from_seed(1234)
        [0, 0, 1234, 0, 0, 0]
    """
    if len(state) != 3:
        raise ValueError(f"`state` must hold 3 int64 values (Philox); got {len(state)}.")
    c0 = _int64_words(state[0], "state[0]")
    c1 = _int64_words(state[1], "state[1]")
    k = _int64_words(state[2], "state[2]")
    return np.array([k[0], k[1], c0[0], c0[1], c1[0], c1[1]], np.uint32)


def blocks_to_words(blocks: int) -> np.ndarray:
    """A number of blocks (``0 <= blocks < 2**64``) as the uint32 ``[lo, hi]`` counter that
    :meth:`PhiloxBitGenerator.with_counter` takes.

    Example:
        >>> [int(w) for w in blocks_to_words(3 * 256)]
        [768, 0]
    """
    b = int(blocks)
    if not 0 <= b < 2**64:
        raise ValueError(f"`blocks` must lie in [0, 2**64); got {b}.")
    return np.array([b & _MASK32, b >> 32], np.uint32)


def stateful_blocks(dist: str, static: tuple, params: tuple) -> int:
    """The Philox blocks one call of TF's stateful kernel for ``dist`` reserves, i.e. how far
    its counter moves (../shared/reference/tf_random_internals.md 1.5): ``RandomShuffle`` takes
    ``ceil((n - 1) / 4)`` for ``n`` rows; CPU ``Multinomial`` ``256 * 2 * batch`` times the
    samples rounded up to a multiple of 4; the element-wise kernels (uniform, normal, truncated
    normal, uniform int; gamma and Poisson too) ``256`` per output element.

    Example:
        >>> stateful_blocks("uniform_float", ((2, 3), np.dtype("float32")), ())
        1536
    """
    if dist == "shuffle":
        n = np.shape(params[0])[0]
        return max(0, -(-(n - 1) // 4))
    if dist == "categorical":
        batch, samples = np.shape(params[0])[0], static[0]
        return RESERVED_BLOCKS_PER_ELEMENT * 2 * batch * (-(-samples // 4) * 4)
    if dist == "binomial":  # only Generator.binomial: TF has no seed-based stateful binomial op
        from seedkit._algorithms import _tf_binomial  # a cycle: it imports this module

        return _tf_binomial.stateful_blocks(static[0], *params)
    return RESERVED_BLOCKS_PER_ELEMENT * math.prod(static[0])


# ---------------------------------------------------------------------------------------------
# Bits to values, TF's conversions (random_distributions{,_utils}.h).


def _unit_f32(w: jax.Array) -> jax.Array:
    """TF's ``Uint32ToFloat``: the low 23 bits as the mantissa of a number in [1, 2), minus 1."""
    one = (w & jnp.uint32(0x7FFFFF)) | jnp.uint32(0x3F800000)
    return lax.bitcast_convert_type(one, jnp.float32) - jnp.float32(1.0)


def _unit_f64(w0: jax.Array, w1: jax.Array) -> jax.Array:
    """TF's ``Uint64ToDouble``: 20 bits of ``w0`` over the 32 of ``w1`` (needs x64)."""
    man = ((w0 & jnp.uint32(0xFFFFF)).astype(jnp.uint64) << 32) | w1.astype(jnp.uint64)
    one = man | jnp.uint64(1023 << 52)
    return lax.bitcast_convert_type(one, jnp.float64) - 1.0


def _unit_double(w0: jax.Array, w1: jax.Array, cdt: Any) -> jax.Array:
    """TF's ``Uint64ToDouble(w0, w1)`` in the compute dtype of the double-precision samplers:
    exact in float64; in float32 (no x64) that double rounded to nearest, kept below 1."""
    if jnp.dtype(cdt) == jnp.float64:
        return _unit_f64(w0, w1)
    top = ((w0 & jnp.uint32(0xFFFFF)) << 4) | (w1 >> 28)  # the 24 leading bits of the 52
    rest = w1 & jnp.uint32(0xFFFFFFF)
    u = top.astype(jnp.float32) * jnp.float32(2.0**-24) + rest.astype(jnp.float32) * jnp.float32(2.0**-52)
    return jnp.minimum(u, jnp.float32(1 - 2.0**-24))


def _retry_compact(state: tuple, run: Any, everyone: Any = None) -> tuple:
    """Finish the lanes of a rejection sampler that its first, vectorised attempt left undecided.

    ``state`` is a tuple of flat per-lane arrays, ``state[0]`` the lanes that are done. Rounds
    gather up to ``n / 16`` undecided lanes into a compact buffer and ``run(lanes, sub)`` takes
    them to the end (``lanes``: their positions, to gather parameters by; ``sub``: their state,
    padding marked done); the results are scattered back. Later attempts then cost what is still
    undecided, and a small buffer stays in cache. While more than 3/4 of the lanes are undecided,
    ``everyone(state)`` (if given) runs them all instead, where gathering would cost more. Every
    lane must read its own stream in order wherever it runs, so the values do not depend on the
    rounds; ``run`` and ``everyone`` must leave every lane they get done.
    """
    n = state[0].shape[0]
    size = min(n, max(64, n // 16))

    def compact(state):
        idx = jnp.nonzero(~state[0], size=size, fill_value=n)[0]
        valid = idx < n
        lanes = jnp.where(valid, idx, 0)
        sub = tuple(x[lanes] for x in state)
        sub = run(lanes, (sub[0] | ~valid, *sub[1:]))
        return tuple(x.at[idx].set(t, mode="drop") for x, t in zip(state, sub, strict=True))

    def round_(state):
        if everyone is None:
            return compact(state)
        return lax.cond(jnp.mean(~state[0]) > 0.75, everyone, compact, state)

    return lax.while_loop(lambda st: jnp.any(~st[0]), round_, state)


def _unit(words: jax.Array, dtype: jnp.dtype) -> jax.Array:
    if dtype == jnp.float64:
        return _unit_f64(words[..., 0], words[..., 1])
    if dtype == jnp.float32:
        return _unit_f32(words)
    if dtype == jnp.float16:  # Uint16ToHalf: 10 low bits
        one = ((words & jnp.uint32(0x3FF)) | jnp.uint32(15 << 10)).astype(jnp.uint16)
        return lax.bitcast_convert_type(one, jnp.float16) - jnp.float16(1.0)
    if dtype == jnp.bfloat16:  # Uint16ToGfloat16: 7 low bits
        one = ((words & jnp.uint32(0x7F)) | jnp.uint32(127 << 7)).astype(jnp.uint16)
        return lax.bitcast_convert_type(one, jnp.bfloat16) - jnp.bfloat16(1.0)
    raise TypeError(f"unsupported dtype {dtype}")  # guarded by the public layer


def _uniform_float(gen, key, shape, dtype, minval, maxval) -> jax.Array:
    """TF: ``rnd * (maxval - minval) + minval``, each operation rounded to ``dtype`` (no clamp:
    TF can return ``maxval`` when rounding lands there, and so does this)."""
    dtype = jnp.dtype(dtype)
    rnd = _unit(gen.random_bits(key, shape, 2 if dtype == jnp.float64 else 1), dtype)
    return _affine(rnd, dtype, _rounded_op(minval, maxval, dtype, lambda lo, hi: hi - lo), minval)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _half_round(x: jax.Array, dtype: jnp.dtype) -> jax.Array:
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


@_half_round.defjvp
def _half_round_jvp(dtype, primals, tangents):
    # A rounding stands for TF's half-precision arithmetic, whose derivative is the operation's
    # own: pass the tangent through (jnp.round alone would zero it for subnormals).
    return _half_round(primals[0], dtype), tangents[0]


def _is_half(dtype: jnp.dtype) -> bool:
    return dtype in (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16))


def _rounded_op(a: Any, b: Any, dtype: jnp.dtype, op) -> jax.Array:
    """``op(a, b)`` on values cast to ``dtype``, rounded as TF rounds it (see :func:`_half_round`);
    half types come back as float32 holding ``dtype`` values."""
    if not _is_half(dtype):
        return op(jnp.asarray(a, dtype), jnp.asarray(b, dtype))
    a32, b32 = (jnp.asarray(jnp.asarray(v, dtype), jnp.float32) for v in (a, b))
    return _half_round(op(a32, b32), dtype)


@jax.custom_jvp
def _mul_unfusable(x: jax.Array, s: jax.Array) -> jax.Array:
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


@_mul_unfusable.defjvp
def _mul_unfusable_jvp(primals, tangents):
    # The derivative of the plain product: the exponent-field doubling changes no value, but a
    # bitcast has no derivative and would silently zero the gradient of a normal's stddev.
    x, s = primals
    dx, ds = tangents
    s = jnp.asarray(s, x.dtype)
    ds = 0 if jnp.asarray(ds).dtype == jax.dtypes.float0 else jnp.asarray(ds, x.dtype)
    return _mul_unfusable(x, s), dx * s + x * ds


def _affine(x: jax.Array, dtype: jnp.dtype, scale: Any, shift: Any) -> jax.Array:
    """TF's ``x * scale + shift`` in ``dtype``, two roundings (never a fused multiply-add)."""
    if not _is_half(dtype):
        return _mul_unfusable(x, scale) + jnp.asarray(shift, dtype)
    x32 = jnp.asarray(x, jnp.float32)
    prod = _half_round(x32 * jnp.asarray(scale, jnp.float32), dtype)
    shift32 = jnp.asarray(jnp.asarray(shift, dtype), jnp.float32)
    return _half_round(prod + shift32, dtype).astype(dtype)


def _uniform_int(gen, key, shape, dtype, minval, maxval) -> jax.Array:
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


def _full_int(gen, key, shape, dtype) -> jax.Array:
    """TF's ``UniformFullIntDistribution``: the word (32-bit) or ``w0 | w1 << 32`` (64-bit)."""
    return lax.bitcast_convert_type(_full_bits(gen, key, shape, dtype), jnp.dtype(dtype))


# ---------------------------------------------------------------------------------------------
# Box–Muller (TF's BoxMullerFloat / BoxMullerDouble).

# 2*pi as a float64 (TF multiplies 2 * M_PI in double) is _TWO_PI_MANT * 2**-50, a 53-bit integer.
_TWO_PI_MANT = 0x1921FB54442D18
assert _TWO_PI_MANT * 2.0**-50 == 2 * math.pi


def _two_pi_times_unit(w: jax.Array) -> jax.Array:
    """``float32(2 * pi(double) * Uint32ToFloat(w))`` in 32-bit integers.

    The unit float is ``k * 2**-23`` (``k`` the low 23 bits), so the exact product is
    ``k * _TWO_PI_MANT * 2**-73`` (76 bits at most), rounded here to 24 significant bits (to
    nearest, ties to even). TF rounds to double first and then to float; the two agree for
    every one of the 2**23 values of ``k`` (checked exhaustively in tests/test_philox.py).
    """
    k = w & jnp.uint32(0x7FFFFF)
    m_hi, m_lo = _TWO_PI_MANT >> 32, _TWO_PI_MANT & _MASK32
    h1, l1 = _mulhilo(m_lo, k)
    h2, l2 = _mulhilo(m_hi, k)  # k * m_hi < 2**44, so h2 < 2**12
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


# --- glibc's logf, reproduced ------------------------------------------------------------------
#
# TF's float Box–Muller calls glibc's logf, which evaluates a table-driven polynomial in double
# and rounds to float once (glibc >= 2.27, sysdeps/ieee754/flt-32/e_logf.c by Szabolcs Nagy; its
# double result is only accurate to about 2**-25, so it is not the correctly rounded log that
# XLA's log approximates, and they differ on about 14 % of inputs). The same steps are run here
# in double-float arithmetic (pairs of float32, about 48 bits), so the float32 result equals
# glibc's unless glibc's double lies within about 2**-44 of a rounding midpoint.
# Checked against glibc 2.36 on every one of the 2**23 values that u1 takes: all equal.


def _f32_parts(c: float) -> tuple[float, float, float]:
    """A float64 constant as three float32 parts whose sum is exactly ``c``."""
    hi = float(np.float32(c))
    mid = float(np.float32(c - hi))
    lo = float(np.float32(c - hi - mid))
    assert hi + mid + lo == c  # holds for every constant below (checked at import)
    return hi, mid, lo


# (1/c, log(c)) for the 16 subintervals, the log1p polynomial and ln 2: glibc's e_logf_data.c.
_LOGF_TABLE = [
    ("0x1.661ec79f8f3bep+0", "-0x1.57bf7808caadep-2"),
    ("0x1.571ed4aaf883dp+0", "-0x1.2bef0a7c06ddbp-2"),
    ("0x1.49539f0f010bp+0", "-0x1.01eae7f513a67p-2"),
    ("0x1.3c995b0b80385p+0", "-0x1.b31d8a68224e9p-3"),
    ("0x1.30d190c8864a5p+0", "-0x1.6574f0ac07758p-3"),
    ("0x1.25e227b0b8eap+0", "-0x1.1aa2bc79c81p-3"),
    ("0x1.1bb4a4a1a343fp+0", "-0x1.a4e76ce8c0e5ep-4"),
    ("0x1.12358f08ae5bap+0", "-0x1.1973c5a611cccp-4"),
    ("0x1.0953f419900a7p+0", "-0x1.252f438e10c1ep-5"),
    ("0x1p+0", "0x0p+0"),
    ("0x1.e608cfd9a47acp-1", "0x1.aa5aa5df25984p-5"),
    ("0x1.ca4b31f026aap-1", "0x1.c5e53aa362eb4p-4"),
    ("0x1.b2036576afce6p-1", "0x1.526e57720db08p-3"),
    ("0x1.9c2d163a1aa2dp-1", "0x1.bc2860d22477p-3"),
    ("0x1.886e6037841edp-1", "0x1.1058bc8a07ee1p-2"),
    ("0x1.767dcf5534862p-1", "0x1.4043057b6ee09p-2"),
]
_LOGF_INVC = np.array([_f32_parts(float.fromhex(a)) for a, _ in _LOGF_TABLE], np.float32)
_LOGF_LOGC = np.array([_f32_parts(float.fromhex(b)) for _, b in _LOGF_TABLE], np.float32)
_LOGF_POLY = [
    _f32_parts(float.fromhex(a))[:2]
    for a in ("-0x1.00ea348b88334p-2", "0x1.5575b0be00b6ap-2", "-0x1.ffffef20a4123p-2")
]
_LOGF_LN2 = _f32_parts(float.fromhex("0x1.62e42fefa39efp-1"))
_LOGF_OFF = 0x3F330000


# The inputs (of the ``u1`` grid: ``max(k * 2**-23, 1e-7)``) whose glibc log lies within 2**-43
# (relative) of a float32 rounding midpoint, with glibc's result: closer than the double-float
# evaluation can resolve (its error is below 2**-46). Every other input of the grid is at least
# 2**-43 from a midpoint. Derived from a float64 evaluation of glibc's algorithm over all 2**23
# inputs; tests/test_philox.py re-derives this table and checks every input.
_LOGF_NEAR_MIDPOINT = (
    (0x3CAD5080, 0xC076C585),
    (0x3E2540F0, 0xBFE97883),
    (0x3E31AC80, 0xBFE031E3),
    (0x3E4937A0, 0xBFD0445F),
    (0x3E5EB478, 0xBFC347A6),
    (0x3E7A91C8, 0xBFB430AF),
    (0x3EA2A578, 0xBF92C896),
    (0x3EAFD2C4, 0xBF88CFEB),
    (0x3EDC3ED0, 0xBF57F505),
    (0x3EE1FFD8, 0xBF515AD7),
    (0x3F09B264, 0xBF1EC061),
    (0x3F0DC64E, 0xBF1747C3),
    (0x3F1A57A8, 0xBF018979),
    (0x3F1CE60C, 0xBEFAA9EA),
    (0x3F1D2FF0, 0xBEF9B902),
    (0x3F241D78, 0xBEE3A3D7),
    (0x3F313D68, 0xBEBC3FB2),
    (0x3F47D098, 0xBE7DBBB8),
    (0x3F5B7156, 0xBE1DC8C6),
    (0x3F6D841C, 0xBD997B51),
    (0x3F7FFFF4, 0xB5400004),
    (0x3F7FFFFE, 0xB4000000),
)


def _split12(a: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``a = hi + lo`` with 12 significant bits each (by masking, so no rounding is involved)."""
    hi = lax.bitcast_convert_type(
        lax.bitcast_convert_type(a, jnp.uint32) & jnp.uint32(0xFFFFF000), jnp.float32
    )
    return hi, a - hi


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_prod(a, b):
    """``a * b`` as a double-float ``(p, e)``, from the four exact products of 12-bit halves.

    Every multiplication here is exact and every rounding happens in an addition, so a compiler
    that contracts ``x * y + z`` into a fused multiply-add cannot change any value. (Dekker's
    ``p = a * b`` followed by ``a * b - p`` is not safe under contraction: XLA's CPU backend
    lets LLVM fuse ``p - 1`` into ``fma(a, b, -1)``, which silently counts the error twice.)
    """
    ah, al = _split12(a)
    bh, bl = _split12(b)
    s, e1 = _two_sum(ah * bh, ah * bl)
    s, e2 = _two_sum(s, al * bh)
    p, e3 = _two_sum(s, al * bl)
    return _two_sum(p, (e1 + e2) + e3)


def _df(x):
    return x if isinstance(x, tuple) else (jnp.float32(x), jnp.float32(0.0))


def _df_add(x, y):
    """Double-float sum with both parts added exactly first (accurate even when ``x`` and ``y``
    nearly cancel)."""
    (xh, xl), (yh, yl) = _df(x), _df(y)
    s, e = _two_sum(xh, yh)
    t, f = _two_sum(xl, yl)
    s, e = _two_sum(s, e + t)
    return _two_sum(s, e + f)


def _df_mul(x, y):
    (xh, xl), (yh, yl) = _df(x), _df(y)
    p, e = _two_prod(xh, yh)
    return _two_sum(p, e + (xh * yl + xl * yh))


def _table_lookup(table: np.ndarray, i: jax.Array) -> list[jax.Array]:
    """``table[i]`` (rows of float32 constants, ``len(table)`` a power of two) as a tree of
    selects on the bits of ``i``: it vectorises, where XLA's CPU gather runs element by element
    (30x slower here)."""
    cols = []
    for col in table.T:
        level = [jnp.float32(v) for v in col]
        bit = 0
        while len(level) > 1:
            take_odd = ((i >> bit) & 1) == 1
            level = [jnp.where(take_odd, level[k + 1], level[k]) for k in range(0, len(level), 2)]
            bit += 1
        cols.append(level[0])
    return cols


def _glibc_logf(x: jax.Array) -> jax.Array:
    """glibc's ``logf`` for normal positive float32 ``x`` (the Box–Muller ``u1`` in
    ``[1e-7, 1)``), step for step: ``x = 2**k * z`` with ``z`` near a table point ``c``, then
    ``log(c) + k * ln2 + log1p(z / c - 1)`` with a degree-4 polynomial."""
    ix = lax.bitcast_convert_type(x, jnp.uint32)
    tmp = ix - jnp.uint32(_LOGF_OFF)
    i = ((tmp >> 19) & jnp.uint32(15)).astype(jnp.int32)
    k = lax.bitcast_convert_type(tmp, jnp.int32) >> 23
    z = lax.bitcast_convert_type(ix - (tmp & jnp.uint32(0x1FF << 23)), jnp.float32)
    invc = _table_lookup(_LOGF_INVC, i)
    logc = _table_lookup(_LOGF_LOGC, i)
    # r = z * invc - 1, invc in three parts (z * invc is within 2**-5 of 1, so p - 1 is exact)
    p, e = _two_prod(z, invc[0])
    r = _df_add(_df_add(_two_sum(p - jnp.float32(1.0), e), _two_prod(z, invc[1])), z * invc[2])
    # y0 = log(c) + k * ln2, each constant in three parts
    kf = k.astype(jnp.float32)
    ln2 = [jnp.float32(c) for c in _LOGF_LN2]
    y0 = _df_add(_two_sum(logc[0], logc[1]), _two_prod(kf, ln2[0]))
    y0 = _df_add(_df_add(y0, _two_prod(kf, ln2[1])), logc[2] + kf * ln2[2])
    a0, a1, a2 = ((jnp.float32(h), jnp.float32(lo)) for h, lo in _LOGF_POLY)
    r2 = _df_mul(r, r)
    y = _df_add(_df_mul(a1, r), a2)
    y = _df_add(_df_mul(a0, r2), y)
    y = _df_add(_df_mul(y, r2), _df_add(y0, r))
    out = lax.bitcast_convert_type(y[0] + y[1], jnp.uint32)
    for arg, res in _LOGF_NEAR_MIDPOINT:
        out = jnp.where(ix == jnp.uint32(arg), jnp.uint32(res), out)
    return lax.bitcast_convert_type(out, jnp.float32)


def _box_muller_f32(x0: jax.Array, x1: jax.Array) -> tuple[jax.Array, jax.Array]:
    """TF's ``BoxMullerFloat`` on word pairs: ``u1 = max(unit(x0), 1e-7)``,
    ``v1 = float(2 * pi(double) * unit(x1))``, ``r = sqrtf(-2 * logf(u1))``, then
    ``(sinf(v1) * r, cosf(v1) * r)``.

    Each of ``u1``, ``v1`` and ``logf(u1)`` takes one of 2**23 values, and each is reproduced
    exactly on all of them: ``v1`` by integer rounding, ``logf`` by :func:`_glibc_logf`. For
    ``sinf``/``cosf`` XLA's CPU ``sin``/``cos`` agree with glibc's ``sincosf`` on all 2**23
    values of ``v1`` (tests/test_philox.py checks all three exhaustively against float64
    renderings of glibc's algorithms); other backends' ``sin``/``cos`` are not checked.
    """
    u1 = jnp.maximum(_unit_f32(x0), jnp.float32(1e-7))
    v1 = _two_pi_times_unit(x1)
    r = jnp.sqrt(jnp.float32(-2.0) * _glibc_logf(u1))
    return jnp.sin(v1) * r, jnp.cos(v1) * r


def _box_muller_f64(x0, x1, x2, x3) -> tuple[jax.Array, jax.Array]:
    """TF's ``BoxMullerDouble`` (needs x64)."""
    u1 = jnp.maximum(_unit_f64(x0, x1), 1e-7)
    v1 = 2 * math.pi * _unit_f64(x2, x3)
    r = jnp.sqrt(-2.0 * jnp.log(u1))
    return jnp.sin(v1) * r, jnp.cos(v1) * r


def _standard_normal(gen, key, shape, dtype) -> jax.Array:
    """TF's ``NormalDistribution``: float32 (and half types, rounded from float32) from word
    pairs ``(w0, w1), (w2, w3)`` of each block, giving ``sin * r, cos * r`` in that order;
    float64 from a whole block, giving two values.

    Like :meth:`PhiloxBitGenerator.random_bits`, every element is computed from its own
    position (its block, its pair, sine or cosine), one vectorised elementwise kernel."""
    f64 = dtype == jnp.float64
    if math.prod(shape) == 0:
        return jnp.zeros(shape, dtype)
    p = _row_major_index(tuple(shape))
    second = (p & jnp.uint32(1)) == 1  # the cosine of its pair
    if f64:
        y = gen.blocks(key, p >> jnp.uint32(1))
        s, c = _box_muller_f64(*y)
        return jnp.where(second, c, s)
    pair = p >> jnp.uint32(1)
    y0, y1, y2, y3 = gen.blocks(key, pair >> jnp.uint32(1))
    upper = (pair & jnp.uint32(1)) == 1  # words 2, 3 of the block
    s, c = _box_muller_f32(jnp.where(upper, y2, y0), jnp.where(upper, y3, y1))
    return jnp.where(second, c, s).astype(dtype)


def _scale(z, dtype, mean, stddev):
    """TF's ``rnd * stddev + mean`` in ``dtype``."""
    sd = jnp.asarray(stddev, dtype)
    return _affine(z, dtype, sd if not _is_half(dtype) else jnp.asarray(sd, jnp.float32), mean)


def _normal(gen, key, shape, dtype, mean, stddev) -> jax.Array:
    dtype = jnp.dtype(dtype)
    return _scale(_standard_normal(gen, key, tuple(shape), dtype), dtype, mean, stddev)


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


def _truncated_standard_normal(gen, key, shape, dtype) -> jax.Array:
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
    stride = RESERVED_BLOCKS_PER_ELEMENT * group // 4  # a power of two
    index, finish = _layout(tuple(shape), group)
    k_blocks = _tn_blocks_per_pass(math.prod(index.shape), group)
    cdt = jnp.float64 if f64 else jnp.float32
    base_lo = index * jnp.uint32(stride)
    base_hi = index >> jnp.uint32(32 - int(math.log2(stride)))
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
            r = jnp.sqrt(-2.0 * jnp.log(jnp.maximum(_unit_f64(y0, y1), 1e-7)))
            return r, 2 * math.pi * _unit_f64(y2, y3)
        upper = lax.broadcasted_iota(jnp.uint32, grid, 1) == 1
        u1 = jnp.maximum(_unit_f32(jnp.where(upper, y2, y0)), jnp.float32(1e-7))
        return jnp.sqrt(jnp.float32(-2.0) * _glibc_logf(u1)), _two_pi_times_unit(jnp.where(upper, y3, y1))

    def values(r, v1):
        # each pair's sine value, then its cosine value: (candidates, ...) in TF's order
        r = r.reshape((-1, *index.shape))
        v1 = v1.reshape((-1, *index.shape))
        return jnp.stack([jnp.sin(v1) * r, jnp.cos(v1) * r], axis=1).reshape((-1, *index.shape))

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


def _truncated_normal(gen, key, shape, dtype, mean, stddev) -> jax.Array:
    dtype = jnp.dtype(dtype)
    return _scale(_truncated_standard_normal(gen, key, tuple(shape), dtype), dtype, mean, stddev)


# ---------------------------------------------------------------------------------------------
# Shuffles (shuffle_common.h, random_index_shuffle.cc).


def _shuffle(gen, key, value) -> jax.Array:
    """TF's ``StatelessShuffle``: forward Fisher–Yates over the first axis, ``i`` swapped with
    ``i + w_i % (n - i)`` for the words ``w_0, w_1, ...`` of the stream."""
    value = jnp.asarray(value)
    if value.ndim == 0 or value.size <= 1 or value.shape[0] <= 1:
        return value
    n = value.shape[0]
    i = jnp.arange(n - 1, dtype=jnp.uint32)
    w = gen.random_bits(key, (n - 1,), 1)
    j = (i + w % (jnp.uint32(n) - i)).astype(jnp.int32)

    def swap(t, perm):
        a, b = perm[t], perm[j[t]]
        return perm.at[t].set(b).at[j[t]].set(a)

    perm = lax.fori_loop(0, n - 1, swap, jnp.arange(n, dtype=jnp.int32))
    return value[perm]


def _rotl(x: jax.Array, r: int, bits: int, mask: jax.Array) -> jax.Array:
    return ((x << r) | (x >> (bits - r))) & mask


def _rotr(x: jax.Array, r: int, bits: int, mask: jax.Array) -> jax.Array:
    return ((x >> r) | (x << (bits - r))) & mask


_INDEX_SHUFFLE_TF_ROUNDS = 4  # what tf.random.experimental.index_shuffle passes to the kernel


def index_shuffle_key(key: jax.Array) -> list[jax.Array]:
    """TF's 3-word index-shuffle key from a stateless philox key: the constant TF prepends,
    then the low words of the two seed values (recovered by inverting the scramble)."""
    k0, k1, c = _split_key(key)
    words = philox4x32_inverse(jnp.stack([k0, k1, c[2], c[3]]), jnp.array(_SCRAMBLE_KEY, jnp.uint32))
    return [jnp.uint32(_INDEX_SHUFFLE_PAD), words[0], words[2]]


def _simon_index_shuffle(index: jax.Array, key3: list, max_index: int, rounds: int) -> jax.Array:
    """TF's ``random::index_shuffle``: a Simon-style Feistel cipher on the smallest even block
    of at least 16 bits covering ``max_index`` (``ceil(log2(max_index))`` bits), repeated until
    the value is within ``[0, max_index]``."""
    x = jnp.asarray(index).astype(jnp.uint32)
    if max_index == 0:
        return jnp.zeros_like(x)
    block = math.ceil(math.log2(max_index))
    block = max(block + block % 2, 16)
    half = block // 2
    mask = jnp.uint32((1 << half) - 1)
    # Key schedule: constants c and z from random_index_shuffle.cc, truncated to `half` bits.
    c = jnp.uint32(0xFFFFFFFC & ((1 << half) - 1))
    z = 0x7369F885192C0EF5 & ((1 << half) - 1)
    rk = [k & mask for k in key3]
    for i in range(3, rounds):
        rk.append(
            c
            ^ jnp.uint32(z & 1)
            ^ rk[i - 3]
            ^ _rotr(rk[i - 1], 3, half, mask)
            ^ _rotr(rk[i - 1], 4, half, mask)
        )
        z >>= 1

    def f(v):
        return (_rotl(v, 1, half, mask) & _rotl(v, 8, half, mask)) ^ _rotl(v, 2, half, mask)

    def encrypt(v):
        left, right = (v >> half) & mask, v & mask
        for i in range(0, len(rk), 2):
            left = left ^ f(right) ^ rk[i]
            right = right ^ f(left) ^ rk[i + 1]
        return (left << half) | right

    limit = jnp.uint32(max_index)
    x = encrypt(x)
    return lax.while_loop(lambda v: jnp.any(v > limit), lambda v: jnp.where(v > limit, encrypt(v), v), x)


def _index_shuffle(gen, key, max_index, index) -> jax.Array:
    return _simon_index_shuffle(index, index_shuffle_key(key), max_index, _INDEX_SHUFFLE_TF_ROUNDS)


_SAMPLERS = {
    "uniform_float": _uniform_float,
    "uniform_int": _uniform_int,
    "full_int": _full_int,
    "normal": _normal,
    "truncated_normal": _truncated_normal,
    "shuffle": _shuffle,
    "index_shuffle": _index_shuffle,
}


@functools.cache
def _all_samplers() -> dict:
    """:data:`_SAMPLERS` and TF's double-precision samplers, which live in modules of their own
    (``_tf_gamma``, ``_tf_poisson``, ``_tf_binomial``, ``_tf_categorical``; imported here, on
    first use, because they import this module)."""
    from seedkit._algorithms import _tf_binomial, _tf_categorical, _tf_gamma, _tf_poisson

    return {
        **_SAMPLERS,
        "gamma": _tf_gamma.gamma,
        "poisson": _tf_poisson.poisson,
        "binomial": _tf_binomial.binomial,
        "categorical": _tf_categorical.categorical,
    }
