"""TensorFlow's own binomial sampler on Philox (``StatelessRandomBinomial``, CPU).

What TF does (tensorflow/core/kernels/random_binomial_op.cc, TF 2.21):

* **Layout.** The broadcast shape of ``counts`` and ``probs`` (the *batch* shape, ``num_batches``
  elements) must end ``shape``; the leading axes give ``samples_per_batch``. Work item
  ``o = batch * samples_per_batch + sample`` is written at ``sample * num_batches + batch`` (the
  row-major output), so every batch's samples are consecutive work items.
* **Streams.** Work item ``o`` copies the kernel's generator and skips it by ``256 * o`` blocks
  in the BTRS branch or ``42 * o`` blocks in the inversion branch (which one depends on the
  element's parameters, so streams of neighbouring items may overlap; they are not truncated
  at the reservation). Each block gives two ``Uniform<double>`` values (``Uint64ToDouble`` of
  words 0-1 and of words 2-3) that are consumed *second first*: words 2-3, then 0-1.
* **Branches**, with ``count`` and ``prob`` in the parameter dtype ``T`` (float16/32/64) and all
  sampling arithmetic in double: ``count <= 0`` or ``prob <= 0`` gives 0; ``prob >= 1`` gives
  ``count``; a NaN ``prob`` gives NaN. Otherwise ``q = prob`` (or ``T(1) - prob`` when
  ``prob > 0.5``, and the result is ``count - k``); if ``count * q >= T(10)`` (product and
  comparison in ``T``), Hörmann's BTRS (one block per proposal: ``u`` then ``v``; TF's own
  acceptance bound with its Stirling tail table), else inversion (sum
  ``ceil(log(u) / log1p(-q))`` over uniforms until the sum exceeds ``count``; the number of
  terms before that is ``k``). The double result is ``static_cast`` to the output dtype.
* **Stateful** (``tf.random.Generator.binomial``, ``StatefulRandomBinomial``): the same
  function with the Generator's key and counter used as they are (no seed scrambling), i.e.
  :func:`binomial` with ``key = key_from_state(state)``; the counter then moves on by
  ``256 * (num_batches * 200 * (samples_per_batch + 3) // 4)`` blocks (:func:`seedkit._tf._accounting.binomial_stateful_blocks`).
  Both checked against TF 2.21 (tests/data/tf_philox_binomial.json).

Here each element computes its own work index and stream and consumes one block per pass (two
inversion terms, or one BTRS proposal): block 0 in one pass over all elements, then the
undecided ones run to the end in compact buffers of n/16 (their parameters gathered by batch),
or all together while more than 3/4 are undecided. Each element reads its own blocks in order
wherever it runs, so the values do not depend on the rounds (x64: the same values as one loop
over all elements, checked on 4e6; float32 mode: 1 value in 2e6 moved, to TF's, as the float32
arithmetic compiles differently). Measured on 1e5 values: 1.5x faster on mixed parameters,
2-2.5x on BTRS parameters, unchanged on inversion ones.

Precision. With ``jax_enable_x64`` the arithmetic is double, as TF's, and the values are TF's
bit for bit: measured 0 differences in 8 000 000 values (random counts 1..1e7 and
probabilities in both branches and both halves, float32 and float64 parameters, 5 seeds) and
none in the fixture. Products that feed an addition are kept from fusing into FMAs (TF's CPU
build rounds them); the measurement shows no difference without that guard either, so it is
insurance. Exactness rests on XLA's double ``log``/``log1p``/``sqrt`` agreeing with glibc's
closely enough that no floor, ceil or acceptance test flips; none did in those 8e6 samples.

Without x64 the same algorithm consumes the same words in float32: a uniform is the pair's
double value rounded to float32, ``n*q + 0.5`` and ``m`` come from an exact split product
(so that ``floor`` sees the right whole part up to 2**24), and BTRS's bound is regrouped around
``m`` (``d = k - m``: ``d log(r (n-m+1)/(m+1)) - (k+1/2) log1p(d/(m+1)) + (n-k+1/2)
log1p(d/(n-k+1))``, equal in exact arithmetic to TF's, which cancels terms of size ``n`` in
float32). Measured agreement with TF per element over 1 000 000 values each: inversion 100 %,
BTRS with counts 20..200 100 %, BTRS with counts 1e4..1e7 99.996 % (44 differ), the mixed sweep
99.999 % (11 differ); a differing value is off by at most 4.7 standard deviations (another
acceptable draw, not a bias). Counts above 2**24 lose whole numbers in float32.

Parameter dtype ``T``: as TF's ``convert_to_tensor`` with ``probs``' dtype as the hint, Python
numbers (weakly typed values) and integer arrays take float32; a float16 ``probs`` gives float16
and a float64 array float64. Differences from TF: a NaN ``prob`` gives -1 for integer outputs
(TF's value is undefined: stale memory); a NaN ``count`` gives NaN / -1 where TF loops
forever; an element not done after ``_MAX_BLOCKS`` passes (not seen with finite parameters)
gives NaN / -1. Parameters that broadcast to ``shape`` without their shape ending it (TF
rejects those) use the trailing axes of ``shape`` as the batch shape.

Example:
    >>> import numpy as np
    >>> from seedkit._algorithms._philox import PHILOX
    >>> from seedkit._seeds import seed_words
    >>> key = PHILOX.key_from_words(seed_words((1, 2)))
    >>> binomial(PHILOX, key, (10,), np.int32, 20.0, 0.3).tolist()  # tf.random.stateless_binomial([10], [1, 2], 20., .3)
    [10, 9, 9, 7, 7, 7, 10, 2, 11, 6]
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from seedkit._tf._accounting import RESERVED_BLOCKS_PER_ELEMENT, split_batch_shape
from seedkit._tf._convert import unit_double
from seedkit._tf._retry import retry_compact
from seedkit._tf._rounding import mul_unfusable
from seedkit._words import check_units, scaled_index

# Blocks TF reserves per work item (random_binomial_op.cc): 256 for BTRS; 42 for inversion
# ("10 standard deviations" of at most 10 uniforms on average).
_BTRS_STRIDE, _INVERSION_STRIDE = RESERVED_BLOCKS_PER_ELEMENT, 42
# BTRS is used where count * q >= 10 (in T), inversion below.
_BTRS_THRESHOLD = 10.0
# Stirling's approximation tail log(k!) - log(sqrt(2 pi k) (k/e)^k) for k = 0..9, TF's table
# (kTailValues in random_binomial_op.cc; above 9 TF uses the series below).
_TAIL_TABLE = (
    0.0810614667953272,
    0.0413406959554092,
    0.0276779256849983,
    0.02079067210376509,
    0.0166446911898211,
    0.0138761288230707,
    0.0118967099458917,
    0.0104112652619720,
    0.00925546218271273,
    0.00833056343336287,
)
# Passes of the sampling loop (blocks per element) before an element is given up: inversion
# with a mean below 10, or BTRS with acceptance above 1/4, needs more than this with a
# probability below 1e-100.
_MAX_BLOCKS = 1024


def _is_tf_default(value: Any) -> bool:
    """Python numbers (weakly typed under ``jit``), lists of them, and integer arrays: TF's
    ``convert_to_tensor`` gives these the hinted dtype."""
    if isinstance(value, (list, tuple)):
        return all(_is_tf_default(v) for v in value)
    if type(value) in (int, float, bool):  # not NumPy scalars: TF keeps their dtype
        return True
    if isinstance(value, jax.Array):
        return jax.typeof(value).weak_type or not jnp.issubdtype(value.dtype, jnp.floating)
    return not jnp.issubdtype(np.asarray(value).dtype, jnp.floating)


def _param_dtype(counts: Any, probs: Any) -> jnp.dtype:
    """TF's ``T`` for these parameters (see the module docstring)."""
    dtypes = [jnp.asarray(v).dtype for v in (counts, probs) if not _is_tf_default(v)]
    if any(d == jnp.float64 for d in dtypes):
        return jnp.dtype(jnp.float64)
    if dtypes and all(d == jnp.float16 for d in dtypes) and not _is_tf_default(probs):
        return jnp.dtype(jnp.float16)
    return jnp.dtype(jnp.float32)


def _stirling_tail(k: jax.Array) -> jax.Array:
    """TF's ``stirling_approx_tail``: the table for ``k <= 9`` (index ``int(k)``), the series
    ``(1/12 - (1/360 - 1/1260/(k+1)^2)/(k+1)^2)/(k+1)`` above."""
    kp1 = k + 1
    kp1sq = kp1 * kp1
    series = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / kp1
    index = jnp.clip(jnp.where(k <= 9, k, 0), 0, 9).astype(jnp.int32)
    return jnp.where(k <= 9, jnp.asarray(_TAIL_TABLE, k.dtype)[index], series)


def _halves(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """float32 ``x`` as ``hi + lo`` (exactly), each with at most 12 significant bits."""
    hi = lax.bitcast_convert_type(
        lax.bitcast_convert_type(x, jnp.uint32) & jnp.uint32(0xFFFFF000), jnp.float32
    )
    return hi, x - hi


def _split_center(n: jax.Array, q: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``n * q + 0.5`` (float32) as a whole part and a small remainder, from the product's four
    exact partial products (12-bit halves), so that the remainder keeps float32 precision."""
    nh, nl = _halves(n)
    qh, ql = _halves(q)
    top = nh * qh
    whole = jnp.floor(top)
    rest = (top - whole) + ((nh * ql + nl * qh) + nl * ql) + 0.5
    finite = jnp.isfinite(top)  # an infinite count: TF's inf (and NaN) proposals
    return jnp.where(finite, whole, 0), jnp.where(finite, rest, n * q + 0.5)


def _skip(par: dict, carry: tuple, u_first: jax.Array, u_second: jax.Array) -> tuple[tuple, jax.Array]:
    return carry, jnp.zeros(u_first.shape, bool)


def _to_int(value: jax.Array, invalid: jax.Array, dtype: jnp.dtype) -> jax.Array:
    """TF's ``static_cast<U>(double)`` for integer ``U``: truncation, and the int's minimum for
    a value outside its range (inf and NaN included), as x86's conversion gives; -1 where
    ``invalid``."""
    info = jnp.iinfo(dtype)
    limit = value.dtype.type(2.0 ** (info.bits - 1))
    in_range = (value < limit) & (value >= -limit)  # False for NaN
    safe = jnp.where(in_range, value, 0).astype(dtype)
    out = jnp.where(in_range, safe, jnp.asarray(info.min, dtype))
    return jnp.where(invalid, jnp.asarray(-1, dtype), out)


def binomial(gen, key: jax.Array, shape: tuple[int, ...], dtype: Any, counts: Any, probs: Any) -> jax.Array:
    """TF's ``StatelessRandomBinomial`` on the Philox ``key`` ``(k0, k1, c0, c1, c2, c3)``:
    Binomial(``counts``, ``probs``) of ``shape`` and ``dtype``, parameters broadcast to the
    trailing axes of ``shape`` (see the module docstring)."""
    shape, dtype = tuple(shape), jnp.dtype(jax.dtypes.canonicalize_dtype(dtype))
    cdt = jnp.dtype(jnp.float64) if jax.config.jax_enable_x64 else jnp.dtype(jnp.float32)  # type: ignore[attr-defined]
    t_dtype = _param_dtype(counts, probs)
    if t_dtype.itemsize > cdt.itemsize:  # float64 parameters without x64: float32, as JAX has them
        t_dtype = cdt
    batch, samples = split_batch_shape(shape, counts, probs)
    nb, spb = math.prod(batch), math.prod(samples)
    if nb * spb == 0:
        return jnp.zeros(shape, dtype)
    check_units(nb * spb, shape)

    def per_batch(v):
        return jnp.broadcast_to(jnp.asarray(v).astype(t_dtype), batch).reshape(1, nb)

    count_t, prob_t = per_batch(counts), per_batch(probs)
    dcount = count_t.astype(cdt)
    zero = (dcount <= 0) | (prob_t <= 0)
    full = ~zero & (prob_t >= 1)
    nan_prob = ~zero & ~full & jnp.isnan(prob_t)
    sample = ~(zero | full | nan_prob)
    flip = sample & (prob_t > 0.5)
    q_t = jnp.where(flip, jnp.asarray(1, t_dtype) - prob_t, prob_t)
    use_btrs = sample & ((count_t * q_t) >= jnp.asarray(_BTRS_THRESHOLD, t_dtype))
    hangs = sample & jnp.isnan(dcount)  # TF's loop never ends: given up at once here
    dq = jnp.where(sample, q_t.astype(cdt), 0.25)
    n = jnp.where(sample & ~hangs, dcount, 100.0)

    # Inversion: the denominator of every geometric term.
    log1m_q = jnp.log1p(-dq)

    # BTRS constants (Hörmann 1993 with TF's coefficients; random_binomial_op.cc ``btrs``).
    def mul(x, s):
        return mul_unfusable(x, jnp.asarray(s, cdt))

    stddev = jnp.sqrt(n * dq * (1 - dq))
    b = 1.15 + mul(stddev, 2.53)
    a = (-0.0873 + mul(b, 0.0248)) + mul(dq, 0.01)
    c = mul(n, dq) + 0.5
    # float32: k = floor(x + c) as c_int + floor(x + c_frac) from the exact product n * q, so
    # that c's rounding (0.5 at 1e7) does not move k.
    c_int, c_frac = _split_center(n, dq) if cdt == jnp.float32 else (jnp.zeros_like(c), c)
    v_r = 0.92 - 4.2 / b
    r = dq / (1 - dq)
    alpha = (2.83 + 5.1 / b) * stddev
    if cdt == jnp.float64:
        m = jnp.floor((n + 1) * dq)
        bound_m = mul(m + 0.5, jnp.log((m + 1) / (r * (n - m + 1))))
    else:
        whole, rest = _split_center(n + 1, dq)
        m = whole + jnp.floor(rest - 0.5)
        log_ratio_m = jnp.log(r * (n - m + 1) / (m + 1))  # near 0: log f(m+1)/f(m)
    # Every per-batch quantity the attempts read, shape (1, nb): broadcast against the lanes'
    # grid in the first pass, gathered by batch index for the compact rounds.
    par = {
        "n": n,
        "log1m_q": log1m_q,
        "a": a,
        "b": b,
        "c_int": c_int,
        "c_frac": c_frac,
        "v_r": v_r,
        "r": r,
        "alpha": alpha,
        "m": m,
        "m_term": bound_m if cdt == jnp.float64 else log_ratio_m,
        "tail_m0": _stirling_tail(m),
        "tail_m1": _stirling_tail(n - m),
        "use_btrs": use_btrs,
    }

    def inversion(p, carry, u_first, u_second):
        k, total = carry
        s1 = total + jnp.ceil(jnp.log(u_first) / p["log1m_q"])
        stop1 = s1 > p["n"]
        k1 = jnp.where(stop1, k, k + 1)
        s2 = s1 + jnp.ceil(jnp.log(u_second) / p["log1m_q"])
        stop2 = stop1 | (s2 > p["n"])
        return (jnp.where(stop2, k1, k1 + 1), s2), stop2

    def btrs(p, carry, u_first, u_second):
        n, a, b, m = p["n"], p["a"], p["b"], p["m"]
        u, v = u_first - 0.5, u_second
        us = 0.5 - jnp.abs(u)
        k = p["c_int"] + jnp.floor(mul((2 * a) / us + b, u) + p["c_frac"])
        fast = (us >= 0.07) & (v <= p["v_r"])
        inside = ~((k < 0) | (k > n))
        log_v = jnp.log(v * p["alpha"] / (a / (us * us) + b))
        if cdt == jnp.float64:  # TF's expression, TF's order of operations
            main = (
                p["m_term"]
                + mul(n + 1, jnp.log((n - m + 1) / (n - k + 1)))
                + mul(k + 0.5, jnp.log(p["r"] * (n - k + 1) / (k + 1)))
            )
        else:  # the same value regrouped around m, without float32's cancellation of large terms
            d = k - m
            main = (
                d * p["m_term"]
                - (k + 0.5) * jnp.log1p(d / (m + 1))
                + (n - k + 0.5) * jnp.log1p(d / (n - k + 1))
            )
        bound = main + p["tail_m0"] + p["tail_m1"] - _stirling_tail(k) - _stirling_tail(n - k)
        return (k, carry[1]), fast | (inside & (log_v <= bound))

    def step(p, base, t, state):
        """Block ``t`` of every lane not done (``base``: each lane's first block)."""
        done, carry = state
        lo = base[0] + t
        hi = base[1] + (lo < t).astype(jnp.uint32)
        w0, w1, w2, w3 = gen.blocks(key, lo, hi)
        u_first, u_second = unit_double(w2, w3, cdt), unit_double(w0, w1, cdt)
        pending, use_btrs = ~done, p["use_btrs"]
        need_inv, need_btrs = jnp.any(pending & ~use_btrs), jnp.any(pending & use_btrs)
        # Each branch runs only while some pending element needs it (under vmap both run).
        new_i, acc_i = lax.cond(need_inv, inversion, _skip, p, carry, u_first, u_second)
        new_b, acc_b = lax.cond(need_btrs, btrs, _skip, p, carry, u_first, u_second)
        new = tuple(jnp.where(use_btrs, x, y) for x, y in zip(new_b, new_i, strict=True))
        accepted = jnp.where(use_btrs, acc_b, acc_i)
        carry = tuple(jnp.where(done, old, nw) for old, nw in zip(carry, new, strict=True))
        return done | accepted, carry

    # Work item o = batch * samples_per_batch + sample, and its stream's first block; lanes
    # flat in output order (position s * nb + batch).
    pos = lax.iota(jnp.uint32, nb * spb)
    o = (pos % jnp.uint32(nb)) * jnp.uint32(spb) + pos // jnp.uint32(nb)
    batch_of = (pos % jnp.uint32(nb)).astype(jnp.int32)
    flat_btrs = jnp.broadcast_to(use_btrs, (spb, nb)).reshape(-1)
    lo_b, hi_b = scaled_index(o, _BTRS_STRIDE)
    lo_i, hi_i = scaled_index(o, _INVERSION_STRIDE)
    base = jnp.where(flat_btrs, lo_b, lo_i), jnp.where(flat_btrs, hi_b, hi_i)

    # Block 0 of every lane in one pass over the (samples, batches) grid; then the undecided
    # lanes run to the end in compact rounds (parameters gathered by batch), or all together
    # on the grid while most are undecided.
    grid = (spb, nb)
    zeros = jnp.zeros(grid, cdt)
    done0 = jnp.broadcast_to(~sample | hangs, grid)
    done, carry = step(par, tuple(x.reshape(grid) for x in base), jnp.uint32(0), (done0, (zeros, zeros)))
    state = lax.optimization_barrier((done.reshape(-1), carry[0].reshape(-1), carry[1].reshape(-1)))
    state = (*state, jnp.zeros(state[0].shape, bool))  # + out of blocks
    flat_par = {k: v.reshape(-1) for k, v in par.items()}

    def to_the_end(p, lane_base, sub):
        """Run the lanes of ``sub`` (all past block 0) until done; the lanes still undecided
        after ``_MAX_BLOCKS`` blocks are closed and marked (4th output)."""

        def cond(c):
            return (c[0] < _MAX_BLOCKS) & jnp.any(~c[1])

        def body(c):
            done, carry = step(p, lane_base, c[0], (c[1], c[2:]))
            return c[0] + jnp.uint32(1), done, *carry

        _, done, k, tot = lax.while_loop(cond, body, (jnp.uint32(1), *sub[:3]))
        return jnp.ones_like(done), k, tot, sub[3] | ~done

    def compact(lanes, sub):
        p = {k: v[batch_of[lanes]] for k, v in flat_par.items()}
        return to_the_end(p, (base[0][lanes], base[1][lanes]), sub)

    def everyone(state):  # on the grid, parameters broadcast per batch: nothing to gather
        out = to_the_end(par, tuple(x.reshape(grid) for x in base), tuple(x.reshape(grid) for x in state))
        return tuple(x.reshape(-1) for x in out)

    _, k, _, exhausted = retry_compact(state, compact, everyone)
    k, done = k.reshape(grid), ~exhausted.reshape(grid)

    value = jnp.where(flip, dcount - k, k)
    value = jnp.where(zero, 0, jnp.where(full, dcount, value))
    invalid = nan_prob | hangs | ~done
    if jnp.issubdtype(dtype, jnp.floating):
        out = jnp.where(invalid, jnp.nan, value)
        if dtype != cdt:
            out = out.astype(jnp.float32)
        out = out.astype(dtype)
    else:
        out = _to_int(value, invalid, dtype)
    return out.reshape(shape)
