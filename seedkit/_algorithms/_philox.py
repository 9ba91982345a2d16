"""Philox-4x32-10 bits with TensorFlow's seed scrambling and counter layout.

With ``alg="philox"`` seedkit's stateless ops give TensorFlow's own numbers (TF 2.21, CPU, eager).
Users never need ``jax_enable_x64`` except for 64-bit outputs (float64, int64, uint64). This
module is the bits: the hash, the key, the counter layout and the bit generator object. What TF
does with the words (its conversions, Box–Muller, shuffles, kernel accounting and the gamma,
Poisson, binomial and categorical samplers) is TF's sampler family, :mod:`seedkit._tf`, which
the bit generator plugs in through its ``samplers``.

* **The hash.** Philox-4x32 with 10 rounds (Salmon et al., "Parallel random numbers: as easy as
  1, 2, 3", SC 2011): a 128-bit counter (four words, word 0 least significant) and a 64-bit key
  (two words) give four output words. Inputs and outputs are uint32; each 32x32->64-bit
  product is one uint64 multiplication inside the compiled kernel
  (:func:`seedkit._words.mulhilo`, traced with 64-bit types enabled locally), with a pure
  16-bit-limb twin kept for reference.
* **The key.** An algorithm key is a ``uint32[6]`` array ``(k0, k1, c0, c1, c2, c3)``: TF's key
  and its 128-bit base counter. A stateless seed ``(s0, s1)`` (each sign-extended to 64 bits)
  is scrambled as in TF's ``GenerateKey``: one Philox call with the fixed key
  ``(0x3EC8F720, 0x02461E29)`` on the counter ``(lo s0, hi s0, lo s1, hi s1)`` gives
  ``m0..m3``; the key is ``(m0, m1)`` and the counter ``(0, 0, m2, m3)``.
* **Counter layout.** Outputs are filled in row-major order from the flat stream of words of
  the blocks at ``counter + 0, counter + 1, ...`` (TF's ``FillPhiloxRandom``): 4 values per
  block for 32-bit outputs, 2 for 64-bit ones, the last block truncated. Every output element
  is computed from its own position (built from iotas, :mod:`seedkit._grid`), so a sharded
  output computes only its own blocks and needs no communication. (Truncated normals give each
  group of outputs its own stream of blocks, as TF reserves them: :mod:`seedkit._tf._normal`.)
* **Streams.** :meth:`PhiloxBitGenerator.with_counter` adds a 64-bit number of *blocks* to the
  128-bit counter, as TF's ``PhiloxRandom::Skip``: the stateful ops reserve 256 blocks per
  output element per call (:mod:`seedkit._tf._accounting`), so their ``n``-th call is the
  stream ``256 * (elements drawn so far)``.

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

import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seedkit import _tf
from seedkit._algorithms._base import Algorithm, RandomAlgorithm
from seedkit._grid import row_major_index
from seedkit._seeds import is_traced_scalar, scalar_seed_int, seed_words, traced_scalar_words
from seedkit._words import MASK32, add_words, int64_words, int_words, mulhilo

# Philox-4x32 round multipliers and Weyl key increments (Salmon et al. 2011; the same constants
# in TF's philox_random.h and Random123).
_M0, _M1 = 0xD2511F53, 0xCD9E8D57
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_ROUNDS = 10
# The fixed key of TF's seed scrambling (GenerateKey in stateless_random_ops.cc).
_SCRAMBLE_KEY = (0x3EC8F720, 0x02461E29)
# Domain-separation constants for :meth:`PhiloxBitGenerator.block` (digits of e, arbitrary).
_BLOCK_DOMAIN = (0xB7E15162, 0x8AED2A6A)


def _u32(x: Any) -> jax.Array:
    return jnp.asarray(x, jnp.uint32)


def _rounds(c0, c1, c2, c3, k0, k1):
    """The 10 Philox rounds on counter words ``c`` (arrays, broadcast) under key ``(k0, k1)``."""
    k0, k1 = _u32(k0), _u32(k1)
    for r in range(_ROUNDS):
        if r:
            k0 = k0 + jnp.uint32(_W0)
            k1 = k1 + jnp.uint32(_W1)
        hi0, lo0 = mulhilo(_M0, c0)
        hi1, lo1 = mulhilo(_M1, c2)
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
        k0 = k[..., 0] + jnp.uint32((r * _W0) & MASK32)
        k1 = k[..., 1] + jnp.uint32((r * _W1) & MASK32)
        old0 = c3 * jnp.uint32(inv0)
        old2 = c1 * jnp.uint32(inv1)
        hi0, _ = mulhilo(_M0, old0)
        hi1, _ = mulhilo(_M1, old2)
        c0, c1, c2, c3 = old0, c0 ^ hi1 ^ k0, old2, c2 ^ hi0 ^ k1
    return jnp.stack([c0, c1, c2, c3], axis=-1)


def _split_key(key: jax.Array):
    key = _u32(key)
    return key[..., 0], key[..., 1], (key[..., 2], key[..., 3], key[..., 4], key[..., 5])


# ---------------------------------------------------------------------------------------------
# The bit generator.


class PhiloxBitGenerator(RandomAlgorithm):
    """TF-compatible Philox-4x32-10 (see the module docstring for the key and layout), with
    TF's sampler family and TF's counter model: positions count Philox blocks, as TF's kernels
    reserve them (:mod:`seedkit._tf._accounting`)."""

    name = "philox"
    public = Algorithm.PHILOX

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
        return _rounds(*add_words(c, (lo, _u32(hi))), k0, k1)  # type: ignore[call-arg]

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
        p = row_major_index(out_shape)
        y0, y1, y2, y3 = self.blocks(key, p >> jnp.uint32(2))
        lane = p & jnp.uint32(3)
        return jnp.where(lane < 2, jnp.where(lane == 0, y0, y1), jnp.where(lane == 2, y2, y3))

    def block(self, key: jax.Array, x0: jax.Array, x1: jax.Array) -> tuple[jax.Array, jax.Array]:
        """Two words hashed from ``(x0, x1)`` under ``key``, for seedkit's shared rejection
        samplers (not a TF construct). A sub-key is drawn from the key's current counter under a
        domain-separated key, so these words never coincide with :meth:`random_bits` output
        under any counter."""
        k0, k1, c = _split_key(key)
        s0, s1, s2, s3 = _rounds(*c, k0 ^ jnp.uint32(_BLOCK_DOMAIN[0]), k1 ^ jnp.uint32(_BLOCK_DOMAIN[1]))  # type: ignore[call-arg]
        x0, x1 = jnp.broadcast_arrays(_u32(x0), _u32(x1))
        y0, y1, _, _ = _rounds(x1, x0, jnp.broadcast_to(s2, x0.shape), jnp.broadcast_to(s3, x0.shape), s0, s1)
        return y0, y1

    def seed_words(self, key: jax.Array) -> jax.Array:
        """The four words ``(lo s0, hi s0, lo s1, hi s1)`` of the seed whose stateless key is
        ``key``: :meth:`key_from_words` undone by running the scramble's rounds backwards (TF's
        ``index_shuffle`` keys on the seed's words)."""
        k0, k1, c = _split_key(key)
        return philox4x32_inverse(jnp.stack([k0, k1, c[2], c[3]]), jnp.array(_SCRAMBLE_KEY, jnp.uint32))

    # TF's conversions and samplers (seedkit.stateless draws by these names): the family this
    # algorithm's numbers come from, in place of seedkit's own conversions.
    samplers: Mapping[str, Callable[..., Any]] = _tf.SAMPLERS

    # -------------------------------------------------------------- counter model
    # Stateful ops: an op is TF's kernel PhiloxRandom(g, o): key g, counter o * 2**64, and each
    # call reserves the blocks it may use (../shared/reference/tf_random_internals.md 1.5). An
    # unseeded op's drawn op seed names a kernel that a later op with the same pair continues.
    op_table_prefix = ("philox",)
    unseeded_keeps_counter = True
    position_words = 4

    def op_advance(self, dist: str, static: tuple, params: tuple) -> int:
        return _tf.stateful_blocks(dist, static, params)

    def op_state(self, words, position):
        c = add_words([position[i] for i in range(4)], [jnp.uint32(0), jnp.uint32(0), words[2], words[3]])
        return jnp.stack([words[0], words[1], *c])

    def host_op_state(self, words, position):
        # TF's Skip carries into the high half (positions stay below 2**64 in practice).
        c = (((words[2] | words[3] << 32) << 64) + position) % 2**128
        return np.array([words[0], words[1], *int_words(c, 4)], np.uint32)

    def op_key(self, state):
        return state, None

    # Compiled code: each op node is a kernel of its own that counts its executions; TF has no
    # rule for per-element numbers inside vmap.
    per_element_vmap = False
    staged_counter = "per_op"

    # Generators: TF's state [counter (4 words), key (2 words)]; a draw reserves what TF's
    # kernel reserves, skip(n) moves by 256 * n, split children are [0, 0, 0, 0, k] with keys
    # from TF's uniform_full_int draw.
    state_layout = (4, 2)
    generator_dists = frozenset(
        {"uniform_float", "uniform_int", "full_int", "normal", "truncated_normal", "binomial"}
    )

    def generator_key(self, state):
        return jnp.concatenate([state[4:6], state[0:4]]), None

    def draw_advance(self, dist: str, static: tuple, params: tuple) -> int:
        return _tf.stateful_blocks(dist, static, params)

    def skip_advance(self, draws: int) -> int:
        return _tf.RESERVED_BLOCKS_PER_ELEMENT * draws

    def seed_state(self, seed):
        # TF's create_rng_state: an int is cut into 64-bit little-endian chunks (counter_lo64,
        # counter_hi64, key); a shape-[2] seed (s0, s1) is left-padded to [0, s0, s1] as TF pads
        # a list.
        if is_traced_scalar(seed):  # an int, as eagerly (TF would left-pad a tensor: the key)
            return traced_scalar_words(seed, 6)
        if _is_int(seed) or np.ndim(seed) == 0:
            v = int(seed) if _is_int(seed) else scalar_seed_int(seed)  # big ints allowed
            if not -(2**191) <= v < 2**192:
                raise ValueError(
                    f"`seed` for alg='philox' must lie in [-2**191, 2**192) (three 64-bit chunks, "
                    f"TF's state size); got {v}."
                )
            return np.array(int_words(v, 6), np.uint32)
        words = seed_words(seed)
        if isinstance(words, np.ndarray):
            return np.concatenate([np.zeros(2, np.uint32), words])
        return jnp.concatenate([jnp.zeros(2, jnp.uint32), words])

    int64_seed_keys = True
    float32_list_params = True

    def seed_keys(self, state, count: int):
        # TF's keys = uniform_full_int([count], int64) on the state's kernel.
        keys = self.random_bits(self.generator_key(state)[0], (count,), 2)
        return keys, self.advance(state, self.skip_advance(count))

    def split(self, state, count: int):
        # TF: children [0, 0, key_i], parent += 256 * count.
        keys, new = self.seed_keys(state, count)
        return jnp.concatenate([jnp.zeros((count, 4), jnp.uint32), keys], axis=1), new


def _is_int(x) -> bool:
    return isinstance(x, (numbers.Integral, np.integer)) and not isinstance(x, (bool, np.bool_))


PHILOX = PhiloxBitGenerator()


# ---------------------------------------------------------------------------------------------
# Helpers for the stateful layers (the TF kernels' key/counter).


def key_from_seed_pair(seed: int, seed2: int) -> np.ndarray:
    """The key of TF's ``PhiloxRandom(seed, seed2)``: a stateful kernel built with attributes
    ``seed``, ``seed2`` (as ``seedkit.get_seed`` returns them) has key ``seed`` and counter
    ``(0, 0, lo(seed2), hi(seed2))``. Its ``n``-th call draws from
    ``with_counter(key, counter_words(256 * elements_drawn_before))``.

    Example:
        >>> import seedkit
        >>> from seedkit.stateless import _sample_from_key
        >>> key = key_from_seed_pair(1234, 1892932127)  # set_seed(1234): first op seed
        >>> x = _sample_from_key("uniform_float", "philox", ((4,), np.dtype("float32")), key, None, (0.0, 1.0))
        >>> [hex(v) for v in np.asarray(x).view(np.uint32)]  # tf.random.uniform([4]) after set_seed(1234)
        ['0x3f09bcf2', '0x3ebaaf4c', '0x3f14e5b6', '0x3e79ae28']
    """
    k = int64_words(seed, "seed")
    c = int64_words(seed2, "seed2")
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
    c0 = int64_words(state[0], "state[0]")
    c1 = int64_words(state[1], "state[1]")
    k = int64_words(state[2], "state[2]")
    return np.array([k[0], k[1], c0[0], c0[1], c1[0], c1[1]], np.uint32)
