"""TensorFlow's own gamma sampler (``StatelessRandomGammaV3`` on the CPU) on TF's Philox stream.

What TF 2.21 does (``tensorflow/core/kernels/stateless_random_gamma_op.cc``; the Python wrapper
``tf.random.stateless_gamma`` in ``tensorflow/python/ops/stateless_random_ops.py``):

* **Parameters.** ``alpha`` and ``beta`` are converted to the output dtype, ``alpha`` is
  broadcast to the broadcast shape ``P`` of the two (which must end ``shape``), and the kernel
  sees ``A = prod(P)`` alphas and ``S = prod(shape) / A`` samples per alpha. The output element
  at flat position ``p`` is sample ``s = p // A`` of alpha ``a = p % A`` (output layout
  ``[..., alphas]``), but its random stream is alpha-major: work item ``o = a * S + s`` draws from
  the key's counter advanced by ``256 * o`` blocks (``kReservedSamplesPerOutput``). So a ``beta``
  with a shape changes the numbers even where it is all ones.
* **Draws.** Two buffers, each holding the results of one call on the item's generator (the
  call takes the next block): a normal buffer (``BoxMullerDouble`` of the block: ``sin * r``,
  ``cos * r``) and a uniform buffer (two 52-bit doubles, from words 0-1 and 2-3). Both hand
  their values out **last first** (``cos * r`` before ``sin * r``; the words-2-3 double first).
  Both buffers start empty for each item, and the blocks are taken in the order the calls
  happen.
* **Marsaglia-Tsang, in double for every output dtype.** ``d = alpha - 1/3`` (``alpha + 2/3``
  when ``alpha < 1``), ``c = (1/3) / sqrt(d)``. Repeat: ``x = normal()``, ``v = 1 + c x``;
  ``v <= 0`` starts over (no uniform drawn); ``v = v**3``, ``u = uniform()``; accept when
  ``u < 1 - 0.0331 x**4`` or ``log u < x**2 / 2 + d (1 - v + log v)``; the sample is ``d v``,
  times ``pow(uniform(), 1 / alpha)`` when ``alpha < 1`` (that uniform comes from the same
  buffer). ``alpha == 1`` instead returns ``-log1p(-u)`` with ``u`` the *second* double of the
  item's first block. The double is rounded to the output dtype (half through float32, as
  Eigen's ``half(double)`` does), and the wrapper returns ``max(tiny, x / beta)`` in that dtype
  (``tiny`` the smallest normal number; NaN propagates).
* **Words per item.** The first attempt reads blocks ``0`` (normal) and ``1`` (both uniforms),
  ``alpha == 1`` reads block ``0`` only; a rejection reads on in the same order. The 256
  reserved blocks are never exhausted in practice (and TF would simply read on into the next
  item's blocks, as this module does).
* **Corner values (TF's, reproduced).** ``alpha = inf`` gives inf, NaN gives NaN, ``alpha =
  0`` (and tiny ``alpha``) gives ``tiny``, ``alpha <= -2/3`` gives NaN, ``-2/3 < alpha < 0``
  gives finite values of the same formula; ``beta = 0`` gives inf, ``beta < 0`` gives ``tiny``,
  ``beta = inf`` gives ``tiny``. A zero-size ``shape`` gives an empty array.

Precision modes:

* ``jax_enable_x64`` on: everything in float64 as TF, with every product that TF rounds before
  an addition kept unfusable (``mul_unfusable``), ``(1/3) / sqrt(d)`` kept from becoming an
  ``rsqrt`` product, and TF's ``log1p`` reproduced step for step (:func:`log1p_neg`; XLA's is
  up to ~100 ulps off). Measured against TF 2.21 (x86-64 with FMA, glibc 2.36): **bit-exact**
  on the fixture (tests/data/tf_philox_gamma.json: 19 314 values, float16/32/64, alphas from
  1e-3 to 1e4 and the corner values) and on 176 400 + 100 000 further values (alphas 1e-3 to
  1e4, six seeds, three dtypes; alphas 1e-3 to 5e-3 near the underflow). XLA's ``log``,
  ``sin``, ``cos`` and ``pow`` agreed with glibc's on every input met; both TF's threads and
  XLA flush subnormals to zero. TF's own values depend on the CPU for ``alpha == 1``: glibc
  picks an FMA build of ``log1p`` where the CPU has FMA (reproduced here); without FMA, 0.04 %
  of those values differ by one ulp.
* ``jax_enable_x64`` off: the same algorithm and the same word consumption in float32
  (uniforms are the 52-bit doubles rounded to float32), an approximation of TF's values.
  Measured on 58 800 float32 outputs (alphas 1e-3 to 1e4): every value with ``alpha >= 0.1``
  within 6e-6 relative of TF (99 % within 1.3e-6); ``alpha < 0.1`` amplifies the error of the
  boost uniform (``b**(1/alpha)``): 99 % within 3e-5, and 5 of 8 400 values far off near
  float32's underflow; no acceptance decision flipped at ``alpha >= 0.1``. Float16 outputs:
  all but 9 of 58 800 values bit-identical to TF.

Speed (1e5 float32 samples under ``jit``, compile excluded, a loaded 2-core x86-64): about
30 ms with x64 and 16 ms without (TF's own kernel: 8 ms; seedkit's shared sampler: 7.5 ms).
Every item makes its first attempt in one vectorised
pass; the rejected ones (under 5 %) are retried in a compact buffer of ``n / 16`` items.

Example:
    >>> import jax
    >>> import seedkit._seeds
    >>> from seedkit._algorithms._philox import PHILOX
    >>> from seedkit._tf._gamma import gamma
    >>> key = PHILOX.key_from_words(seedkit._seeds.seed_words((1, 2)))
    >>> with jax.enable_x64(True):
    ...     x = gamma(PHILOX, key, (2, 3), jax.numpy.float64, [0.5, 1.0, 3.0], 1.0)
    >>> x.shape, str(x.dtype)
    ((2, 3), 'float64')
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from seedkit._tf._accounting import RESERVED_BLOCKS_PER_ELEMENT
from seedkit._tf._box_muller import box_muller_double
from seedkit._tf._convert import unit_double
from seedkit._tf._log1p import log1p_neg
from seedkit._tf._retry import retry_compact
from seedkit._tf._rounding import half_round, mul_unfusable
from seedkit._words import check_units, scaled_index

# Marsaglia & Tsang's squeeze constant, as in stateless_random_gamma_op.cc.
_SQUEEZE = 0.0331
# Attempts after the first before an element gives up (NaN). TF loops without a bound; an
# attempt is accepted with probability above 1/2 for every alpha, so this is never reached.
_MAX_EXTRA_ATTEMPTS = 2000


def _units(w, cdt) -> tuple[jax.Array, jax.Array]:
    """The two uniform doubles of a block (words 0-1, words 2-3)."""
    return unit_double(w[0], w[1], cdt), unit_double(w[2], w[3], cdt)


def _normals(w, cdt) -> tuple[jax.Array, jax.Array]:
    """``BoxMullerDouble`` of a block: ``(sin(v) r, cos(v) r)``."""
    return box_muller_double(w[0], w[1], w[2], w[3], cdt)


def _flat_params(value: Any, dtype, shape, cdt) -> jax.Array:
    """``value`` as TF sees it (converted to the output dtype), broadcast to ``shape``, flat,
    in the compute type."""
    v = jnp.asarray(value).astype(dtype)
    return jnp.broadcast_to(v, shape).reshape(-1).astype(cdt)


def _attempt(x, u, c, d, cdt):
    """One Marsaglia-Tsang test: ``(v**3, v > 0 (or NaN), accepted)`` for normal ``x`` and
    uniform ``u``, with TF's operation order and roundings."""
    v = jnp.asarray(1, cdt) + mul_unfusable(x, c)
    positive = ~(v <= 0)
    v = mul_unfusable(v * v, v)  # it meets 1 - v below
    xx = x * x
    squeeze = u < jnp.asarray(1, cdt) - mul_unfusable(jnp.asarray(_SQUEEZE, cdt) * xx, xx)
    log_v = jnp.log(jnp.where(positive, v, 1))
    bound = mul_unfusable(jnp.asarray(0.5, cdt) * x, x) + mul_unfusable(d, (1 - v) + log_v)
    return v, positive, positive & (squeeze | (jnp.log(u) < bound))


def _finish(v, boost, par):
    """``d v``, times ``boost**(1/alpha)`` where ``alpha < 1``."""
    res = par["d"] * v
    return jnp.where(par["less"], res * jnp.power(boost, par["inv_alpha"]), res)


def _blocks_from(gen, key, par, j, count):
    """The words of blocks ``j, j + 1, ..., j + count - 1`` of every item's stream (its
    reserved range starts at ``base``), each word of shape ``(count, items)``: one vectorised
    Philox call."""
    lo = par["base_lo"] + j + lax.broadcasted_iota(jnp.uint32, (count, par["base_lo"].shape[0]), 0)
    return gen.blocks(key, lo, par["base_hi"] + (lo < par["base_lo"]).astype(jnp.uint32))


def _pick(y, k):
    """Row ``k`` (per item: 0, 1 or 2) of ``y`` of shape ``(3, items)``."""
    return jnp.where(k == 0, y[0], jnp.where(k == 1, y[1], y[2]))


def _retry(gen, key, par, state, cdt, limit):
    """Further attempts for the items not done, until all are (or ``limit`` attempts).

    ``state`` is ``(done, res, j, n_val, u_held, u_val)``: the next block to read, the normal
    buffer's held value (after the first attempt it always holds one, and every later attempt
    that draws a normal flips it), and the uniform buffer."""

    def body(s):
        t, n_held, (done, res, j, n_val, u_held, u_val) = s
        # The blocks j, j + 1, j + 2 in one vectorised call: the normal's (if it needs one),
        # the uniform's and the boost's are among them.
        w = _blocks_from(gen, key, par, j, 3)
        # normal(): the held value, or cos * r of a fresh block (keeping sin * r). All pending
        # items draw their (k+1)-th normal together, so the buffer state is shared.
        fresh_s, fresh_c = _normals([y[0] for y in w], cdt)
        x = jnp.where(n_held, n_val, fresh_c)
        n_val = jnp.where(n_held, n_val, fresh_s)
        k = (~n_held).astype(jnp.int32)  # blocks taken so far in this attempt
        # uniform() only when v > 0: the held value, or the second double of a fresh block
        fresh_0, fresh_1 = _units([_pick(y, k) for y in w], cdt)
        v, positive, acc = _attempt(x, jnp.where(u_held, u_val, fresh_1), par["c"], par["d"], cdt)
        take_block = positive & ~u_held
        k = k + take_block.astype(jnp.int32)
        u_val = jnp.where(take_block, fresh_0, u_val)
        u_held = jnp.where(positive, ~u_held, u_held)
        # the boost uniform: the held one, or the second double of the next block
        boost = jnp.where(u_held, u_val, _units([_pick(y, k) for y in w], cdt)[1])
        j = j + k.astype(jnp.uint32)
        new = (done | acc, jnp.where(acc, _finish(v, boost, par), res), j, n_val, u_held, u_val)
        return t + 1, ~n_held, tuple(jnp.where(done, o, nw) for o, nw in zip(s[2], new, strict=True))

    def cond(s):
        return (s[0] < limit) & jnp.any(~s[2][0])

    return lax.while_loop(cond, body, (jnp.int32(0), jnp.asarray(True), state))


def gamma(gen, key, shape: tuple[int, ...], dtype, alpha, beta) -> jax.Array:
    """TF's ``stateless_gamma`` values: Gamma(``alpha``, rate ``beta``) of ``shape`` and
    ``dtype``; ``alpha`` and ``beta`` broadcast together to a suffix of ``shape``. Float64
    arithmetic (TF's) when ``jax_enable_x64`` is on, float32 otherwise (see the module
    docstring).

    Every item makes its first attempt in one vectorised pass (2 blocks each); the few
    rejected ones (under 5 %) are gathered into a buffer of a fixed size and retried there,
    and any beyond the buffer are retried over the whole array."""
    dtype = jnp.dtype(dtype)
    shape = tuple(int(s) for s in shape)
    x64 = bool(jax.config.jax_enable_x64)  # type: ignore[attr-defined]
    cdt = jnp.dtype(jnp.float64 if x64 else jnp.float32)
    n = math.prod(shape)
    if n == 0:
        return jnp.zeros(shape, dtype)
    check_units(n, shape)
    num_alphas = math.prod(np.broadcast_shapes(np.shape(alpha), np.shape(beta)))
    per_alpha = n // num_alphas
    a = _flat_params(alpha, dtype, shape, cdt)
    b_rate = jnp.broadcast_to(jnp.asarray(beta).astype(dtype), shape).reshape(-1)

    # Work item of each output position, and the first block of its reserved range.
    pos = lax.iota(jnp.uint32, n)
    item = (pos % jnp.uint32(num_alphas)) * jnp.uint32(per_alpha) + pos // jnp.uint32(num_alphas)
    less = a < 1
    d = a + jnp.where(less, jnp.asarray(2.0 / 3, cdt), jnp.asarray(-1.0 / 3, cdt))
    base_lo, base_hi = scaled_index(item, RESERVED_BLOCKS_PER_ELEMENT)
    par = {
        "base_lo": base_lo,
        "base_hi": base_hi,
        "less": less,
        "d": d,
        # (1/3) / sqrt(d), the root behind a barrier: XLA would otherwise rewrite the quotient
        # as a product with its (not correctly rounded) rsqrt.
        "c": jnp.asarray(1.0 / 3, cdt) / lax.optimization_barrier(jnp.sqrt(d)),
        "inv_alpha": jnp.asarray(1, cdt) / a,
    }
    exponential = a == 1

    # First attempt of every item: the normal is cos * r of block 0; the uniform u is the second
    # double of block 1 and the boost uniform (alpha < 1) its first. alpha == 1 takes the second
    # double of block 0.
    w0 = gen.blocks(key, par["base_lo"], par["base_hi"])
    w1 = gen.blocks(key, par["base_lo"] + jnp.uint32(1), par["base_hi"])
    n_sin, x = _normals(w0, cdt)
    u_first, u = _units(w1, cdt)
    v, positive, accepted = _attempt(x, u, par["c"], par["d"], cdt)
    res = _finish(v, u_first, par)
    u_exp = _units(w0, cdt)[1]
    res = lax.cond(
        jnp.any(exponential),
        lambda: jnp.where(exponential, -log1p_neg(u_exp), res),
        lambda: res,
    )
    # After it, the normal buffer holds sin * r; the uniform buffer holds u_first where a
    # uniform was drawn (v > 0), and the next block is 2, else it is empty and block 1 is next.
    state = (
        exponential | accepted,
        res,
        jnp.where(positive, jnp.uint32(2), jnp.uint32(1)),
        n_sin,
        positive,
        u_first,
    )
    state = lax.optimization_barrier(state)  # computed once, not once per consumer

    # Retry the rejected items in a compact buffer of a fixed size (one round is all that most
    # calls need; another round takes the next ones). Each round runs its items to the end, so
    # every item enters a round with the normal buffer of its first attempt (one value held).
    def run(lanes, sub):
        _, _, sub = _retry(gen, key, {k: v[lanes] for k, v in par.items()}, sub, cdt, _MAX_EXTRA_ATTEMPTS)
        # an item out of attempts (never, in practice) is closed with NaN
        return (jnp.ones_like(sub[0]), jnp.where(sub[0], sub[1], jnp.nan), *sub[2:])

    state = retry_compact(state, run)
    return _scale(state[1], b_rate, dtype).reshape(shape)


def _scale(res: jax.Array, beta: jax.Array, dtype: jnp.dtype) -> jax.Array:
    """TF's ``max(tiny, static_cast<T>(res) / beta)`` in ``dtype`` (half types rounded from
    float32 after each operation, as Eigen does)."""
    tiny = np.finfo(dtype).tiny
    if dtype in (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16)):
        r = half_round(res.astype(jnp.float32), dtype)
        q = half_round(r / beta.astype(jnp.float32), dtype)
        return jnp.maximum(jnp.float32(tiny), q).astype(dtype)
    return jnp.maximum(jnp.asarray(tiny, dtype), res.astype(dtype) / beta)
