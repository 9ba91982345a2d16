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
FMAs (:func:`~seedkit._algorithms.mul_unfusable`). XLA's ``exp``/``log``/``lgamma``
may differ from glibc's in the last bits, which can only flip a comparison or a ``floor`` that
lands within an ulp of its threshold. Measured: **0 mismatches** over the fixture
(``tests/data/tf_philox_poisson.json``, 11 457 values, rates -inf .. 1e9 and +inf, every output
dtype) and over 2.7e6 further samples (rates 0.5 .. 1e7, int32/int64/float32 outputs).

Float32 mode (``jax_enable_x64`` off): the same algorithm and words in float32. Each double
uniform is rounded to float32; the PTRS proposal is formed as
``floor(rate) + floor((2a/us + b) u + frac(rate) + 0.43)`` and its log-probability by Loader's
saddle-point form (``seedkit._loader.poisson_log_pmf``) instead of the cancelling
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
    >>> from seedkit._tf._poisson import poisson
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

from seedkit._loader import poisson_log_pmf
from seedkit._tf._accounting import RESERVED_BLOCKS_PER_ELEMENT
from seedkit._tf._convert import unit_double
from seedkit._tf._retry import retry_compact
from seedkit._tf._rounding import mul_unfusable
from seedkit._words import check_units, scaled_index

# Blocks an element may read before it is given up (TF reserves 256 per output but reads on
# past them if it must; a valid rate needs a handful).
MAX_BLOCKS = 4096


def _highest(dtype: jnp.dtype) -> float:
    """``Eigen::NumTraits<U>::highest()`` of the output dtype, as a double."""
    if jnp.issubdtype(dtype, jnp.integer):
        return float(jnp.iinfo(dtype).max)
    return float(jnp.finfo(dtype).max)


def poisson(gen: Any, key: jax.Array, shape: tuple[int, ...], dtype: Any, lam: Any) -> jax.Array:
    """TF's ``StatelessRandomPoisson`` of ``shape`` and ``dtype``; ``lam``'s shape is a suffix
    of ``shape`` (scalar ``lam``: every element). See the module docstring."""
    dtype = jnp.dtype(dtype)
    shape = tuple(int(d) for d in shape)
    x64 = bool(jax.config.jax_enable_x64)  # type: ignore[attr-defined]
    cdt = jnp.dtype(jnp.float64) if x64 else jnp.dtype(jnp.float32)
    lam = jnp.asarray(lam)
    n = math.prod(shape)
    if n == 0:
        return jnp.zeros(shape, dtype)
    check_units(n, shape)  # (then 256 n + MAX_BLOCKS blocks fit the 64-bit offset too)
    num_rate = max(1, lam.size)
    num_samples = n // num_rate
    # Every lane flat, in output order: position s * num_rate + r holds sample s of rate r.
    rate = jnp.broadcast_to(lam.reshape(1, -1).astype(cdt), (num_samples, num_rate)).reshape(-1)
    pos = lax.iota(jnp.uint32, n)
    # TF's output_idx (rate-major): the stream of sample s of rate r
    o = (pos % jnp.uint32(num_rate)) * jnp.uint32(num_samples) + pos // jnp.uint32(num_rate)

    highest = _highest(dtype)
    is_int = jnp.issubdtype(dtype, jnp.integer)
    knuth = rate < 10
    # TF: +inf gives U's "infinity" (0 for integers); NaN, or a rate too far above what the
    # output can hold, makes TF retry forever: marked as failures here.
    infinite = rate == jnp.inf
    hopeless = jnp.isnan(rate) | (rate - highest > 40 * jnp.sqrt(jnp.abs(rate)) + 100)
    mu = jnp.where(knuth | infinite | hopeless, 10, rate)  # PTRS lanes only
    b = mul_unfusable(jnp.sqrt(mu), cdt.type(2.53)) + cdt.type(0.931)
    # float32: k = base + floor(x + frac + 0.43), exact even where rate is not (beyond 2**24)
    base = jnp.zeros_like(mu) if x64 else jnp.where(knuth | infinite | hopeless, 0, jnp.floor(mu))
    base_lo, base_hi = scaled_index(o, RESERVED_BLOCKS_PER_ELEMENT)  # TF's skip of 256 * o blocks
    par = {
        "base_lo": base_lo,
        "base_hi": base_hi,
        "knuth": knuth,
        "exp_neg_rate": jnp.exp(-rate),
        "mu": mu,
        "log_rate": jnp.log(mu),
        "b": b,
        "a": mul_unfusable(b, cdt.type(0.02483)) + cdt.type(-0.059),
        "inv_alpha": cdt.type(1.1239) + cdt.type(1.1328) / (b - cdt.type(3.4)),
        "v_r": cdt.type(0.9277) - cdt.type(3.6224) / (b - cdt.type(2)),
        "base": base,
        "frac": mu - base,
    }

    def uniforms(p, j):
        lo = p["base_lo"] + j
        hi = p["base_hi"] + (lo < p["base_lo"]).astype(jnp.uint32)
        y0, y1, y2, y3 = gen.blocks(key, lo, hi)
        return unit_double(y2, y3, cdt), unit_double(y0, y1, cdt)

    def knuth_step(p, x, prod, d_first, d_second):
        p1 = prod * d_first
        stop1 = p1 <= p["exp_neg_rate"]
        x1 = jnp.where(stop1, x, x + 1)
        p2 = p1 * d_second
        stop2 = stop1 | (p2 <= p["exp_neg_rate"])
        return jnp.where(stop2, x1, x1 + 1), p2, stop2

    def ptrs_step(p, u, v):
        a, b, mu = p["a"], p["b"], p["mu"]
        u = u - cdt.type(0.5)
        us = cdt.type(0.5) - jnp.abs(u)
        q = cdt.type(2) * a / us + b
        if x64:
            off = jnp.floor(mul_unfusable(q, u) + mu + cdt.type(0.43))
            k = off
            t = mul_unfusable(k, p["log_rate"]) - mu
            t = t - lax.lgamma(k + 1)
        else:
            off = jnp.floor(q * u + p["frac"] + cdt.type(0.43))
            k = p["base"] + off
            t = poisson_log_pmf(jnp.maximum(k, 0), off - p["frac"], mu)
        too_big = k > highest
        squeeze = (us >= cdt.type(0.07)) & (v <= p["v_r"])
        hopeless_try = (k < 0) | ((us < cdt.type(0.013)) & (v > us))
        s_ = jnp.log(v * p["inv_alpha"] / (a / (us * us) + b))
        accept = ~too_big & (squeeze | (~hopeless_try & (s_ <= t)))
        return off, accept

    def step(p, j, state):
        """Block ``j`` of every lane not done: one more Knuth pair or PTRS attempt."""
        done, off, prod = state
        d_first, d_second = uniforms(p, j)
        kx, kp, kdone = knuth_step(p, off, prod, d_first, d_second)
        px, pdone = ptrs_step(p, d_first, d_second)
        new_off = jnp.where(p["knuth"], kx, px)
        new_done = jnp.where(p["knuth"], kdone, pdone)
        return done | new_done, jnp.where(done, off, new_off), jnp.where(done, prod, kp)

    # Block 0 for every lane in one vectorised pass (most PTRS lanes and small-rate Knuth lanes
    # finish there); the rest run to the end in compact rounds, or all together while most are
    # undecided (large Knuth rates). Measured (1e5 values, x64): 1.8x faster than one loop over
    # all lanes on rates 0.5 .. 500, 2.3-3x for PTRS rates, the same for Knuth rates near 10.
    zeros = jnp.zeros((n,), cdt)
    state = step(par, jnp.uint32(0), (infinite | hopeless, zeros, jnp.ones((n,), cdt)))
    state = (*lax.optimization_barrier(state), jnp.zeros((n,), bool))  # + out of blocks

    def to_the_end(p, sub):
        """Run the lanes of ``sub`` (all past block 0) until done; the 4th output marks the
        lanes that ran out of blocks."""

        def cond(c):
            return (c[0] < MAX_BLOCKS) & jnp.any(~c[1][0])

        _, sub = lax.while_loop(cond, lambda c: (c[0] + 1, step(p, c[0], c[1])), (jnp.uint32(1), sub[:3]))
        return jnp.ones_like(sub[0]), sub[1], sub[2], ~sub[0]

    _, off, _, exhausted = retry_compact(
        state,
        lambda lanes, sub: to_the_end({k: v[lanes] for k, v in par.items()}, sub),
        lambda st: to_the_end(par, st),
    )

    fail = hopeless | exhausted
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
