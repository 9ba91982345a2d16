"""TensorFlow's own categorical sampler (``tf.random.stateless_categorical``, CPU) on Philox words.

What TF 2.21 does (``tensorflow/core/kernels/multinomial_op.cc``, ``MultinomialFunctor`` on the
CPU, reached through ``StatelessMultinomial`` with the ``GenerateKey`` key/counter):

* **Per row** ``b`` of ``logits`` ``[batch, classes]``: ``max`` = the largest *finite* logit (in
  the logits' dtype; ``lowest()`` if none is finite); ``cdf[j]`` = the running double sum, in
  class order, of ``exp(double(logit_k) - max)`` over the finite logits ``k <= j`` (non-finite
  logits add nothing, so ``+inf`` and NaN classes are never drawn); ``total = cdf[-1]``.
* **Per sample**: ``u = RandDouble()`` -- two consecutive words of a single-sample stream
  (``SimplePhilox``: words ``w[2i], w[2i+1]`` of the blocks at ``counter + 0, 1, ...``, i.e.
  words (0, 1) then (2, 3) of each block), made a 52-bit double as TF's ``Uint64ToDouble``;
  the class is ``upper_bound(cdf, u * total)``: the number of ``cdf`` entries ``<= u * total``.
  A row without finite logits has ``total = 0`` and gives the out-of-range index ``classes``
  for every sample (TF's behaviour, measured).
* **Streams and threads.** The work is sharded over rows; a shard starting at row ``s`` skips
  ``s * (num_samples + 3) / 4`` blocks (integer division) and then runs its rows in order on one
  continuing stream, 2 words per sample. (That skip is about half of what the earlier rows
  consume, so shards overlap other rows' words rather than continuing them.) With one shard --
  one intra-op thread, or inputs small enough that Eigen's cost model does not split the rows --
  sample ``j`` of row ``b`` is sample number ``b * num_samples + j`` of the stream. **That
  single-shard stream is what this module reproduces.** Larger inputs on several threads give
  thread-count-dependent numbers in TF itself, which are not reproduced (measured: ``[64, 50]``
  logits with 100 samples differ between 1, 2 and 16 threads; every smaller fixture case, up to
  ``[5, 33]`` logits and 17 samples or ``[1, 100]`` logits, is identical at 1 and 16 threads).

Exactness (``jax_enable_x64`` on): the same words, the same double ``u``, the same running sum
(a sequential scan over classes, not a tree sum) and the same ``upper_bound``. Only ``exp`` may
differ in the last bit (TF uses Eigen's vectorised ``exp``), which can move a ``cdf`` boundary
by an ulp: it changes a sample only if ``u * total`` falls within that ulp. Measured: **0
mismatches** over the fixture (``tests/data/tf_philox_categorical.json``, 8 423 samples from
single-shard TF) and over 1.73e6 further samples (random float32/float64 logits, 2 .. 1000
classes, 1 thread).

Float32 mode (``jax_enable_x64`` off): the same algorithm and words in float32 (``u`` rounded
to float32, the cdf summed in float32). A sample differs from TF's only when ``u * total`` lies
within float32 rounding of a class boundary, so more classes mean more differences. Measured
over the same 1.73e6 samples: 18 differ (1.0e-5; 16 of them among 1e5 samples over 1000
classes, 0 with 10 classes or fewer), by one class except one by two; 0 of the fixture's 8 423.

Example:
    >>> import jax, numpy as np
    >>> from seedkit._algorithms._philox import PHILOX
    >>> from seedkit._tf._categorical import categorical
    >>> key = PHILOX.key_from_words(np.array([1, 0, 2, 0], np.uint32))
    >>> logits = np.log([[0.1, 0.25, 0.5, 0.15]])
    >>> sample = jax.jit(categorical, static_argnums=(0, 2, 3))
    >>> with jax.enable_x64(True):  # tf.random.stateless_categorical(logits, 8, [1, 2])
    ...     sample(PHILOX, key, 8, np.dtype("int64"), logits).tolist()
    [[2, 3, 1, 3, 2, 2, 2, 1]]
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from seedkit._tf._convert import unit_double
from seedkit._words import check_units

# Up to this many classes a sample is compared with every cdf entry, above it binary search.
_COMPARE_ALL_MAX_CLASSES = 64


def _running_sum(terms: jax.Array) -> jax.Array:
    """``cumsum`` over the last axis added strictly left to right, as TF's loop (XLA's own
    cumsum may add in a tree and round differently)."""

    def step(total, t):
        total = total + t
        return total, total

    _, cdf = lax.scan(step, jnp.zeros(terms.shape[:-1], terms.dtype), jnp.moveaxis(terms, -1, 0))
    return jnp.moveaxis(cdf, 0, -1)


def _upper_bound(cdf: jax.Array, to_find: jax.Array) -> jax.Array:
    """``std::upper_bound`` per row: the number of ``cdf[b]`` entries ``<= to_find[b, j]``
    (``cdf`` is non-decreasing). Few classes: count by comparing with all; many: binary search."""
    if cdf.shape[1] <= _COMPARE_ALL_MAX_CLASSES:
        return jnp.sum(cdf[:, None, :] <= to_find[:, :, None], axis=-1, dtype=jnp.int32)
    upper = functools.partial(jnp.searchsorted, side="right", method="scan")
    return jax.vmap(upper)(cdf, to_find)


def categorical(gen: Any, key: jax.Array, num_samples: int, dtype: Any, logits: Any) -> jax.Array:
    """TF's CPU ``StatelessMultinomial`` in its single-shard form: ``[batch, num_samples]``
    class indices of ``dtype`` from ``logits`` ``[batch, classes]``. See the module docstring."""
    dtype = jnp.dtype(dtype)
    logits = jnp.asarray(logits)
    x64 = bool(jax.config.jax_enable_x64)  # type: ignore[attr-defined]
    cdt = jnp.dtype(jnp.float64) if x64 else jnp.dtype(jnp.float32)
    if not jnp.issubdtype(logits.dtype, jnp.floating):
        logits = logits.astype(cdt)
    batch = logits.shape[0]
    num_samples = int(num_samples)
    n = batch * num_samples
    if n == 0:
        return jnp.zeros((batch, num_samples), dtype)
    check_units(n, (batch, num_samples), "samples")

    # max over the finite logits, in the logits' own dtype (exact), then the double cdf
    finite = jnp.isfinite(logits)
    lowest = jnp.finfo(logits.dtype).min
    row_max = jnp.max(jnp.where(finite, logits, lowest), axis=1, keepdims=True)
    terms = jnp.exp(logits.astype(cdt) - row_max.astype(cdt))
    cdf = _running_sum(jnp.where(finite, terms, jnp.zeros((), cdt)))
    total = cdf[:, -1:]

    # sample g = b * num_samples + j reads words 2g, 2g + 1: block g // 2, words (0, 1) or (2, 3)
    g = lax.broadcasted_iota(jnp.uint32, (batch, num_samples), 0) * jnp.uint32(num_samples)
    g = g + lax.broadcasted_iota(jnp.uint32, (batch, num_samples), 1)
    y0, y1, y2, y3 = gen.blocks(key, g >> jnp.uint32(1))
    odd = (g & jnp.uint32(1)) == 1
    x0, x1 = jnp.where(odd, y2, y0), jnp.where(odd, y3, y1)
    u = unit_double(x0, x1, jnp.float64 if x64 else jnp.float32)
    to_find = u * total

    return _upper_bound(cdf, to_find).astype(dtype)


__all__ = ["categorical"]
