"""TensorFlow's own Poisson sampler (``tf.random.stateless_poisson``, CPU) on Philox words.

What TF 2.21 does (``tensorflow/core/kernels/random_poisson_op.cc``, ``PoissonFunctor`` on the
CPU, reached through ``StatelessRandomPoisson`` with the ``GenerateKey`` key/counter):

* **Layout.** ``lam`` (shape ``R``, ``num_rate`` elements) is a suffix of the output shape; the
  output holds ``num_samples = size / num_rate`` samples per rate, sample ``s`` of rate ``r`` at
  flat position ``s * num_rate + r``. The work index is rate-major, ``o = r * num_samples + s``,
  and sample ``o`` uses its own copy of the generator skipped by ``256 * o`` blocks. So results
  do not depend on threads.
* **Uniforms.** ``UniformDistribution<double>``: each Philox block gives two doubles (words
  ``(w0, w1)`` and ``(w2, w3)``, 52 bits each as TF's ``Uint64ToDouble``), handed out
  **second first**: the block's ``(w2, w3)`` double, then its ``(w0, w1)`` double, then the next
  block.
* **rate < 10** (Knuth): multiply uniforms until the product is ``<= exp(-rate)``; the sample is
  the number of factors before that. (Negative rates and ``-inf`` stop at once: 0.)
* **rate >= 10** (Hörmann 1993, "The transformed rejection method for generating Poisson random
  variables", PTRS; constants as in TF's ``random_poisson_op.cc``): ``b = 0.931 + 2.53 sqrt(rate)``,
  ``a = -0.059 + 0.02483 b``, ``inv_alpha = 1.1239 + 1.1328 / (b - 3.4)``. Each attempt takes one
  block: ``u`` (first double) ``- 0.5``, ``v`` (second), ``us = 0.5 - |u|``,
  ``k = floor((2 a / us + b) u + rate + 0.43)``; retry if ``k`` exceeds the output dtype's
  largest value; accept if ``us >= 0.07`` and ``v <= 0.9277 - 3.6224 / (b - 2)``; retry if
  ``k < 0`` or ``(us < 0.013 and v > us)``; accept if
  ``log(v inv_alpha / (a / us**2 + b)) <= -rate + k log(rate) - lgamma(k + 1)``.
* All arithmetic is in double for every rate dtype (checked: float16/32/64 and int rates give
  the same numbers as the double rate); the output is the double count cast to the output
  dtype. ``rate = +inf`` gives ``numeric_limits<U>::infinity()``: ``inf`` for floats, **0** for
  integer outputs (measured).

Exactness (``jax_enable_x64`` on, float64 arithmetic): the same word consumption and the same
double operations. Products that TF rounds before an addition are kept from being fused into
FMAs (:func:`~seedkit._algorithms._philox._mul_unfusable`). XLA's ``exp``/``log``/``lgamma``
may differ from glibc's in the last bits, which can only flip a comparison or a ``floor`` that
lands within an ulp of its threshold. Measured: **0 mismatches** over the fixture
(``tests/data/tf_philox_poisson.json``, 11 457 values, rates -inf .. 1e9 and +inf, every output
dtype) and over 2.7e6 further samples (rates 0.5 .. 1e7, int32/int64/float32 outputs).

Float32 mode (``jax_enable_x64`` off): the same algorithm and words in float32. Each double
uniform is rounded to float32; the PTRS proposal is formed as
``floor(rate) + floor((2a/us + b) u + frac(rate) + 0.43)`` and its log-probability by Loader's
saddle-point form (``seedkit._rejection._poisson_log_pmf``) instead of the cancelling
``k log(rate) - lgamma(k + 1)``. Measured against TF over 1.8e6 samples (int32 and float32
outputs, 100 000 per rate): Knuth rates (0.5, 3, 9.99) 0 differences in 6e5; PTRS rates
10, 17.3, 100, 1234.5: 2 in 8e5 (one rejection path changed, the count off by 5); 1e5: 4 in
2e5; 1e7: 54 in 2e5 (off by 1: the single-precision ``(2a/us + b) u`` moves ``k`` across an
integer). The fixture: 0 of its 9 930 32-bit values differ.

Not TF: where TF never returns (a NaN rate; or an integer/half output whose dtype cannot hold
the proposals, e.g. int32 with ``rate > 2**31``: TF retries forever), this gives NaN for float
outputs and -1 for integer ones. Elements still undecided after :data:`MAX_BLOCKS` blocks also
give NaN / -1 (not reachable with valid parameters).

Example:
    >>> import jax, numpy as np
    >>> from seedkit._algorithms._philox import PHILOX
    >>> from seedkit._algorithms._tf_poisson import poisson
    >>> key = PHILOX.key_from_words(np.array([1, 0, 2, 0], np.uint32))
    >>> sample = jax.jit(poisson, static_argnums=(0, 2, 3))
    >>> with jax.enable_x64(True):  # tf.random.stateless_poisson([6], [1, 2], 4.0)
    ...     sample(PHILOX, key, (6,), np.dtype("int32"), 4.0).tolist()
    [6, 5, 6, 6, 4, 7]
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

# The module, not its names: _philox may import this module while it is being initialised.
from seedkit._algorithms import _philox
from seedkit._rejection import _poisson_log_pmf

# Blocks an element may read before it is given up (TF reserves 256 per output but reads on
# past them if it must; a valid rate needs a handful).
MAX_BLOCKS = 4096


def _highest(dtype: jnp.dtype) -> float:
    """``Eigen::NumTraits<U>::highest()`` of the output dtype, as a double."""
    if jnp.issubdtype(dtype, jnp.integer):
        return float(jnp.iinfo(dtype).max)
    return float(jnp.finfo(dtype).max)


def _check_size(n: int, shape: tuple[int, ...]) -> None:
    if n * _philox.RESERVED_BLOCKS_PER_ELEMENT + MAX_BLOCKS > 2**64 or n > 2**32:
        raise ValueError(
            f"`shape` {tuple(shape)} has {n} elements; the TF Poisson sampler supports at most "
            "2**32 elements per call. Draw it in pieces with stateless_split seeds."
        )


def poisson(gen: Any, key: jax.Array, shape: tuple[int, ...], dtype: Any, lam: Any) -> jax.Array:
    """TF's ``StatelessRandomPoisson`` of ``shape`` and ``dtype``; ``lam``'s shape is a suffix
    of ``shape`` (scalar ``lam``: every element). See the module docstring."""
    dtype = jnp.dtype(dtype)
    shape = tuple(int(d) for d in shape)
    x64 = bool(jax.config.jax_enable_x64)
    cdt = jnp.dtype(jnp.float64) if x64 else jnp.dtype(jnp.float32)
    lam = jnp.asarray(lam)
    n = math.prod(shape)
    if n == 0:
        return jnp.zeros(shape, dtype)
    _check_size(n, shape)
    num_rate = max(1, lam.size)
    num_samples = n // num_rate
    grid = (num_samples, num_rate)
    rate = jnp.broadcast_to(lam.reshape(1, -1).astype(cdt), grid)
    s = lax.broadcasted_iota(jnp.uint32, grid, 0)
    r = lax.broadcasted_iota(jnp.uint32, grid, 1)
    o = r * jnp.uint32(num_samples) + s  # TF's output_idx (rate-major)
    base_lo, base_hi = o << 8, o >> 24  # 256 * o as a 64-bit number of blocks

    highest = _highest(dtype)
    is_int = jnp.issubdtype(dtype, jnp.integer)
    knuth = rate < 10
    # TF: +inf gives U's "infinity" (0 for integers); NaN, or a rate too far above what the
    # output can hold, makes TF retry forever: marked as failures here.
    infinite = rate == jnp.inf
    hopeless = jnp.isnan(rate) | (rate - highest > 40 * jnp.sqrt(jnp.abs(rate)) + 100)
    exp_neg_rate = jnp.exp(-rate)
    mu = jnp.where(knuth | infinite | hopeless, 10, rate)  # PTRS lanes only
    log_rate = jnp.log(mu)
    b = _philox._mul_unfusable(jnp.sqrt(mu), cdt.type(2.53)) + cdt.type(0.931)
    a = _philox._mul_unfusable(b, cdt.type(0.02483)) + cdt.type(-0.059)
    inv_alpha = cdt.type(1.1239) + cdt.type(1.1328) / (b - cdt.type(3.4))
    v_r = cdt.type(0.9277) - cdt.type(3.6224) / (b - cdt.type(2))
    # float32: k = base + floor(x + frac + 0.43), exact even where rate is not (beyond 2**24)
    base = jnp.zeros_like(mu) if x64 else jnp.where(knuth | infinite | hopeless, 0, jnp.floor(mu))
    frac = mu - base

    def uniforms(j):
        lo = base_lo + j
        hi = base_hi + (lo < base_lo).astype(jnp.uint32)
        y0, y1, y2, y3 = gen.blocks(key, lo, hi)
        return _philox._unit_double(y2, y3, cdt), _philox._unit_double(y0, y1, cdt)

    def knuth_step(x, prod, d_first, d_second):
        p1 = prod * d_first
        stop1 = p1 <= exp_neg_rate
        x1 = jnp.where(stop1, x, x + 1)
        p2 = p1 * d_second
        stop2 = stop1 | (p2 <= exp_neg_rate)
        return jnp.where(stop2, x1, x1 + 1), p2, stop2

    def ptrs_step(u, v):
        u = u - cdt.type(0.5)
        us = cdt.type(0.5) - jnp.abs(u)
        q = cdt.type(2) * a / us + b
        if x64:
            off = jnp.floor(_philox._mul_unfusable(q, u) + mu + cdt.type(0.43))
            k = off
            t = _philox._mul_unfusable(k, log_rate) - mu
            t = t - lax.lgamma(k + 1)
        else:
            off = jnp.floor(q * u + frac + cdt.type(0.43))
            k = base + off
            t = _poisson_log_pmf(jnp.maximum(k, 0), off - frac, mu)
        too_big = k > highest
        squeeze = (us >= cdt.type(0.07)) & (v <= v_r)
        hopeless_try = (k < 0) | ((us < cdt.type(0.013)) & (v > us))
        s_ = jnp.log(v * inv_alpha / (a / (us * us) + b))
        accept = ~too_big & (squeeze | (~hopeless_try & (s_ <= t)))
        return off, accept

    def body(state):
        j, done, off, prod = state
        d_first, d_second = uniforms(j)
        kx, kp, kdone = knuth_step(off, prod, d_first, d_second)
        px, pdone = ptrs_step(d_first, d_second)
        off = jnp.where(done, off, jnp.where(knuth, kx, px))
        prod = jnp.where(done, prod, kp)
        done = done | jnp.where(knuth, kdone, pdone)
        return j + jnp.uint32(1), done, off, prod

    def cond(state):
        j, done, _, _ = state
        return (j < MAX_BLOCKS) & jnp.any(~done)

    done0 = infinite | hopeless
    zeros = jnp.zeros(grid, cdt)
    init = (jnp.uint32(0), done0, zeros, jnp.ones(grid, cdt))
    _, done, off, _ = lax.while_loop(cond, body, init)

    fail = hopeless | ~done
    if is_int:
        # (float32 mode can accept k = 2**31 where TF's double test would not: saturate)
        top = jnp.asarray(jnp.iinfo(dtype).max, dtype)
        exact = jnp.where(base >= highest, top, base.astype(dtype)) + off.astype(dtype)
        out = jnp.where(base + off >= highest, top, exact)
        out = jnp.where(infinite, jnp.asarray(0, dtype), out)
        out = jnp.where(fail, jnp.asarray(-1, dtype), out)
    else:
        out = (base + off).astype(dtype)
        out = jnp.where(infinite, jnp.asarray(jnp.inf, dtype), out)
        out = jnp.where(fail, jnp.asarray(jnp.nan, dtype), out)
    return out.reshape(shape)


__all__ = ["MAX_BLOCKS", "poisson"]
