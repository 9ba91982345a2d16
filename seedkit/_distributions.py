"""Samples from bits: every distribution, written once against a :class:`BitGenerator`.

Each function takes ``(gen, key, *static, *params)`` (static: shapes, dtypes and other
compile-time values; params: arrays) with already-validated arguments and is pure and traceable; the public layers (stateless ops, Generator, stateful ops) validate and derive keys.
The rejection samplers (gamma, Poisson, binomial) live in :mod:`seedkit._rejection`.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax import lax
from jax.scipy import special

from seedkit import _bits
from seedkit._float64 import fma_f32, sum_to_odd

_SQRT2 = math.sqrt(2.0)
# erf(±2/sqrt(2)): the standard normal's mass inside ±2 maps to (-_ERF2, _ERF2) under erfinv.
_ERF2 = math.erf(2.0 / math.sqrt(2.0))


def _compute_dtype(dtype) -> jnp.dtype:
    """Half-precision floats are computed in float32 and rounded at the end (as TF does)."""
    return jnp.dtype(jnp.float64) if jnp.dtype(dtype) == jnp.float64 else jnp.dtype(jnp.float32)


def _open_unit(gen, key, shape, dtype) -> jax.Array:
    if jnp.dtype(dtype) == jnp.float64:
        return _bits.open_unit_float64(gen.random_bits(key, shape, 2))
    return _bits.open_unit_float32(gen.random_bits(key, shape, 1))


@jax.custom_jvp
def _just_below(hi: jax.Array, lo: jax.Array) -> jax.Array:
    """The float next to ``hi`` towards ``lo``, moving with ``hi`` under differentiation (JAX
    has no derivative for ``nextafter``; TF's uniform is differentiable in its bounds)."""
    return jnp.nextafter(hi, lo)


_just_below.defjvps(lambda t, ans, hi, lo: t, None)


def _round_to(x: jax.Array, dtype) -> jax.Array:
    """float32 ``x`` rounded to the nearest bfloat16, kept in float32: an explicit rounding that
    no backend may skip (bfloat16's exponent range is float32's: no subnormal case)."""
    return lax.reduce_precision(x, exponent_bits=8, mantissa_bits=7)


@jax.custom_jvp
def _to_float16_once(a: jax.Array, b: jax.Array) -> jax.Array:
    """``a + b`` (float32) rounded to float16 once, from the exact sum: the float32 sum rounded
    to odd (:func:`~seedkit._float64.sum_to_odd`; float32 has 13 more bits than float16), then
    to float16."""
    return sum_to_odd(a, b).astype(jnp.float16)


# The derivative of a + b (bitcasts have none): the uniform is differentiable in its bounds.
_to_float16_once.defjvp(
    lambda primals, tangents: (_to_float16_once(*primals), (tangents[0] + tangents[1]).astype(jnp.float16))
)


def _affine_half(u: jax.Array, dtype, lo: jax.Array, hi: jax.Array) -> jax.Array:
    """``u * (hi - lo) + lo`` for half-precision ``u``, ``lo``, ``hi``, with the roundings that
    XLA's CPU backend gave these numbers before they were written out (issue 14), now the same
    on every backend, whatever its half-precision arithmetic (``xla_allow_excess_precision``
    lets XLA keep half-precision chains in float32, or not; an x86 CPU with AVX512-FP16 has
    native float16 arithmetic and fuses the multiply-add, one without promotes to float32).
    float16: the span rounded to float16, then ``u * span + lo`` rounded to float16 once (the
    native fused multiply-add's result); bfloat16 (no native arithmetic): span, product and
    sum each rounded to bfloat16. Both products (11 by 11, 8 by 8 bits) are exact in float32,
    so contraction into a fused multiply-add cannot change them."""
    u32, lo32, hi32 = (v.astype(jnp.float32) for v in (u, lo, hi))
    if jnp.dtype(dtype) == jnp.bfloat16:
        span = _round_to(hi32 - lo32, dtype)
        return _round_to(_round_to(u32 * span, dtype) + lo32, dtype).astype(dtype)
    # the span rounded to float16 by reduce_precision, not by a float32 -> float16 -> float32
    # round trip, which xla_allow_excess_precision lets a backend drop; float16 subnormals on
    # their fixed grid (reduce_precision flushes them)
    d = hi32 - lo32
    tiny = jnp.round(d * jnp.float32(2.0**24)) * jnp.float32(2.0**-24)  # half to even
    span = jnp.where(
        jnp.abs(d) < jnp.float32(2.0**-14), tiny, lax.reduce_precision(d, exponent_bits=5, mantissa_bits=10)
    )
    # a span beyond float16's range (hi - lo > 65504, say -60000 to 60000) is rounded to
    # float16's 11 bits all the same, by integer arithmetic (a second reduce_precision made
    # XLA's CPU loop 5x slower); before, it became inf and every value came out just below
    # maxval. The product with u (11 bits) stays exact in float32.
    bits = lax.bitcast_convert_type(d, jnp.uint32)
    bits = (bits + jnp.uint32(0xFFF) + ((bits >> 13) & jnp.uint32(1))) & jnp.uint32(0xFFFFE000)  # to even
    span = jnp.where(jnp.isinf(span), lax.bitcast_convert_type(bits, jnp.float32), span)
    return _to_float16_once(u32 * span, lo32)


def uniform_float(gen, key, shape, dtype, minval, maxval) -> jax.Array:
    words = 2 if jnp.dtype(dtype) == jnp.float64 else 1
    u = _bits.unit_float(gen.random_bits(key, shape, words), dtype)
    lo = jnp.asarray(minval, dtype)
    hi = jnp.asarray(maxval, dtype)
    if jnp.dtype(dtype) in (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16)):
        x = _affine_half(u, dtype, lo, hi)
    elif jnp.dtype(dtype) == jnp.float32:
        # one rounding, as XLA's CPU gave these numbers by fusing the multiply-add (issue 14),
        # now the same on every backend whether it fuses or not
        x = fma_f32(u, hi - lo, lo)
    else:  # float64: a backend may or may not fuse this (a known platform hazard)
        x = u * (hi - lo) + lo
    # Rounding can land exactly on maxval; keep the promise of a half-open interval.
    below = _just_below(hi, lo)
    return jnp.where((x >= hi) & (hi > lo), below, x).astype(dtype)


def uniform_int(gen, key, shape, dtype, minval, maxval) -> jax.Array:
    """Integers in ``[minval, maxval)`` via a 64-bit (or 128-bit for 64-bit ints) fraction times
    the span, so the bias is at most ``span / 2**64``."""
    dtype = jnp.dtype(dtype)
    lo = jnp.asarray(minval, dtype)
    hi = jnp.asarray(maxval, dtype)
    if dtype.itemsize == 8:
        udt = jnp.uint64
        span = lax.bitcast_convert_type(hi, udt) - lax.bitcast_convert_type(lo, udt)
        off = _bits.bounded64(gen.random_bits(key, shape, 4), span)
    else:
        udt = jnp.uint32
        span = lax.bitcast_convert_type(hi, udt) - lax.bitcast_convert_type(lo, udt)
        w = gen.random_bits(key, shape, 2)
        off = _bits.bounded32(w[..., 0], w[..., 1], span)
    # An empty range (possible only with traced bounds) gives minval rather than garbage.
    off = jnp.where(hi > lo, off, udt(0))
    return lax.bitcast_convert_type(lax.bitcast_convert_type(lo, udt) + off, dtype)


def full_int(gen, key, shape, dtype) -> jax.Array:
    """Every value of an integer dtype equally likely (TF's ``minval=maxval=None`` rule)."""
    dtype = jnp.dtype(dtype)
    if dtype.itemsize == 8:
        w = gen.random_bits(key, shape, 2)
        u = (w[..., 0].astype(jnp.uint64) << 32) | w[..., 1].astype(jnp.uint64)
        return lax.bitcast_convert_type(u, dtype)
    return lax.bitcast_convert_type(gen.random_bits(key, shape, 1), dtype)


def _standard_normal(gen, key, shape, cdt) -> jax.Array:
    u = _open_unit(gen, key, shape, cdt)
    return jnp.asarray(_SQRT2, cdt) * special.erfinv(2 * u - 1)


def normal(gen, key, shape, dtype, mean, stddev) -> jax.Array:
    """Inverse-CDF normal: one word (two for float64) per sample, ``sqrt(2) * erfinv(2u - 1)``."""
    cdt = _compute_dtype(dtype)
    z = _standard_normal(gen, key, shape, cdt)
    return (z * jnp.asarray(stddev, cdt) + jnp.asarray(mean, cdt)).astype(dtype)


def truncated_normal(gen, key, shape, dtype, mean, stddev) -> jax.Array:
    """A standard normal restricted to ``(-2, 2)``, then scaled. TF redraws values outside two
    standard deviations; drawing ``u`` uniformly on that interval's CDF range and inverting gives
    the same distribution with a fixed number of bits per sample."""
    cdt = _compute_dtype(dtype)
    u = _open_unit(gen, key, shape, cdt)
    z = jnp.asarray(_SQRT2, cdt) * special.erfinv(jnp.asarray(_ERF2, cdt) * (2 * u - 1))
    bound = jnp.nextafter(jnp.asarray(2.0, cdt), jnp.asarray(0.0, cdt))
    z = jnp.clip(z, -bound, bound)
    m, s = jnp.asarray(mean, cdt), jnp.asarray(stddev, cdt)
    return _inside((z * s + m).astype(dtype), m - 2 * s, m + 2 * s)


def _inside(x: jax.Array, lo: jax.Array, hi: jax.Array) -> jax.Array:
    """``x`` (already rounded to its dtype) clipped to the values of its dtype strictly inside
    ``(lo, hi)`` (given in the wider compute dtype): rounding a half-precision value that lies
    just inside can land on the bound (TF's own bfloat16 truncated normal does; seedkit's
    threefry does not)."""
    dtype = x.dtype
    lo, hi = lax.stop_gradient(lo), lax.stop_gradient(hi)  # nextafter has no derivative
    lo_d, hi_d = lo.astype(dtype), hi.astype(dtype)
    # The dtype's nearest value to a bound may lie on or beyond it: step one value inwards.
    lo_d = jnp.where(lo_d.astype(lo.dtype) <= lo, jnp.nextafter(lo_d, hi_d), lo_d)
    hi_d = jnp.where(hi_d.astype(hi.dtype) >= hi, jnp.nextafter(hi_d, lo_d), hi_d)
    # Values only: a sample moved onto the last value inside keeps the derivative of its
    # location-scale form (JAX has no derivative for nextafter).
    return x + lax.stop_gradient(jnp.clip(x, lo_d, hi_d) - x)


# Below this standardized upper bound the interval's CDF values are too small for ``ndtri`` (the
# float32 CDF underflows near -12.5, flushed to zero), so the far tail is inverted in log space.
# At -5 the CDF is 2.9e-7: well inside float32's normal range, and the log-space path's Newton
# iterations (below) converge within their fixed count from any start within _FAR_START.
_FAR_TAIL = -5.0
_TAIL_NEWTON_STEPS = 12
# Standardized lower bounds below this start the tail's Newton iterations elsewhere: from -1000
# they converge (to the last ulp, float32 and float64); from -1500 on they fall short in
# float64, from about -5000 in float32, and give NaN from about -1e4 (float32) or -1e10.
_FAR_START = -1000.0
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _log_ndtri_tail(target, lo):
    """The ``z >= lo`` with ``log_ndtr(z) == target``, for ``z`` in the far lower tail: Newton's
    method on the increasing, concave ``log_ndtr`` from ``lo`` (left of the root), whose iterates
    rise monotonically to the root without overshooting it."""

    def step(_, z):
        log_cdf = special.log_ndtr(z)
        log_pdf = -0.5 * z * z - _LOG_SQRT_2PI
        return z + (target - log_cdf) * jnp.exp(log_cdf - log_pdf)

    return lax.fori_loop(0, _TAIL_NEWTON_STEPS, step, lo)


def _lower_tail_truncated(u, lo, hi):
    """Inverse CDF of the standard normal restricted to ``[lo, hi]`` with ``hi <= _FAR_TAIL``:
    solve ``Phi(z) = Phi(lo) + u (Phi(hi) - Phi(lo))`` in logs, where nothing underflows.

    Beyond :func:`_exponential_tail` standard deviations Newton's steps lose their precision
    (log CDFs near ``-hi**2 / 2`` carry absolute errors of an ulp of that: NaN or wild values in
    float32 from about 5000), and the conditional distribution is exponential to far below an
    ulp: ``Phi(z) / Phi(hi) = exp(|hi| (z - hi)) (1 + O((z - hi)**2))``, whose inverse is closed."""
    exponential = hi < _exponential_tail(u.dtype)
    # each path sees a harmless interval where the other applies (no NaN, also in derivatives)
    z_newton = _newton_tail(u, jnp.where(exponential, -7.0, lo), jnp.where(exponential, -6.0, hi))
    h = jnp.where(exponential, hi, 2 * _exponential_tail(u.dtype))
    low = jnp.where(exponential, lo, h - 1)
    finite = jnp.isfinite(low)  # an infinite lower bound weighs nothing: Phi(lo) / Phi(hi) = 0
    ratio = jnp.where(finite, jnp.exp(-h * (jnp.where(finite, low, h - 1) - h)), 0.0)
    z_exp = h + jnp.log(u + (1 - u) * ratio) / -h
    return jnp.where(exponential, z_exp, z_newton)


def _exponential_tail(dtype) -> float:
    """Where :func:`_lower_tail_truncated` switches to the exponential form (standardized):
    Newton's result agrees with it to an ulp from about 300 (float32) and 1e5 (float64)."""
    return -2048.0 if jnp.dtype(dtype) == jnp.float32 else -1e5


def _newton_tail(u, lo, hi):
    finite = jnp.isfinite(lo)  # an infinite lower bound weighs nothing: Phi(lo) / Phi(hi) = 0
    log_lo, log_hi = special.log_ndtr(jnp.where(finite, lo, hi - 1)), special.log_ndtr(hi)
    target = log_hi + jnp.log(u + (1 - u) * jnp.where(finite, jnp.exp(log_lo - log_hi), 0.0))
    # Newton's steps from a lower bound far out (-inf included) lose all precision (NaN, or
    # values short of the root); there they start at -sqrt(-2 target) instead, left of the root
    # by Mills' inequality (log Phi(z) < -z**2 / 2 - log(|z| sqrt(2 pi)), and |z| > 5 here) and
    # close to it. Bounds nearer than _FAR_START keep their start (and their numbers).
    start = jnp.where(lo < _FAR_START, jnp.maximum(lo, -jnp.sqrt(-2 * target)), lo)
    return _log_ndtri_tail(target, start)


def _standardized(bound: jax.Array, m: jax.Array, s: jax.Array) -> jax.Array:
    """``(bound - m) / s``, with no derivative where ``bound`` is infinite: an infinite bound
    does not move with the mean or the stddev, while the quotient's derivative (``-inf / s``)
    times the zero the sampler gives it would be NaN."""
    finite = jnp.isfinite(bound)
    moving = (jnp.where(finite, bound, jnp.zeros_like(bound)) - m) / s
    return jnp.where(finite, moving, lax.stop_gradient((bound - m) / s))


def parameterized_truncated_normal(gen, key, shape, dtype, means, stddevs, minvals, maxvals):
    """Normal(means, stddevs) restricted to ``[minvals, maxvals]`` by inverting the CDF on the
    interval's CDF range. An interval in the upper tail is mirrored to the lower tail, where the
    CDF has its full relative precision; an interval in the far tail is inverted in log space.

    The parameters are first rounded to ``dtype``, as TF converts them to the dtype of ``means``:
    the bounds are then representable, and a sample rounded to ``dtype`` stays inside them."""
    cdt = _compute_dtype(dtype)
    m, s, a, b = (
        jnp.broadcast_to(jnp.asarray(v).astype(dtype).astype(cdt), shape)
        for v in (means, stddevs, minvals, maxvals)
    )
    lo, hi = _standardized(a, m, s), _standardized(b, m, s)
    flip = lo > 0
    lo_, hi_ = jnp.where(flip, -hi, lo), jnp.where(flip, -lo, hi)
    u = _open_unit(gen, key, shape, cdt)
    far = hi_ <= _FAR_TAIL
    # The ndtri path sees a harmless interval where the far path applies, and the reverse.
    near_lo, near_hi = jnp.where(far, -1.0, lo_), jnp.where(far, 1.0, hi_)
    cdf_lo, cdf_hi = special.ndtr(near_lo), special.ndtr(near_hi)
    z_near = special.ndtri(cdf_lo + u * (cdf_hi - cdf_lo))
    z_far = _lower_tail_truncated(u, jnp.where(far, lo_, -7.0), jnp.where(far, hi_, -6.0))
    z = jnp.where(far, z_far, z_near)
    z = jnp.clip(jnp.where(flip, -z, z), lo, hi)
    return jnp.clip((m + s * z).astype(dtype), a.astype(dtype), b.astype(dtype))


def categorical(gen, key, num_samples, dtype, logits) -> jax.Array:
    """Gumbel-max: ``argmax(logits + Gumbel noise)`` per sample; logits ``[batch, classes]``."""
    logits = jnp.asarray(logits)
    cdt = jnp.float64 if logits.dtype == jnp.float64 else jnp.float32
    batch, classes = logits.shape
    u = _open_unit(gen, key, (batch, num_samples, classes), cdt)
    gumbel = -jnp.log(-jnp.log(u))
    x = logits.astype(cdt)
    # +inf logits: the softmax limit draws only those classes, each equally likely; left as they
    # are, inf + noise ties and argmax would always take the first of them. (TF never draws a
    # +inf class, an artifact of inf - inf = NaN in its kernel; alg="philox" keeps TF's.)
    posinf = x == jnp.inf
    x = jnp.where(jnp.any(posinf, axis=-1, keepdims=True), jnp.where(posinf, 0.0, -jnp.inf), x)
    scores = x[:, None, :] + gumbel
    # A NaN logit is a class TF never draws (its kernel's comparisons are false for NaN), while
    # argmax would pick NaN scores first.
    scores = jnp.where(jnp.isnan(scores), -jnp.inf, scores)
    return jnp.argmax(scores, axis=-1).astype(dtype)


def permutation_indices(gen, key, n: int) -> jax.Array:
    """A uniformly random permutation of ``range(n)``: sort by 64-bit random keys (two words per
    element); a tie (probability about ``n**2 / 2**65``) keeps index order."""
    w = gen.random_bits(key, (n,), 2)
    _, _, perm = lax.sort((w[:, 0], w[:, 1], jnp.arange(n, dtype=jnp.int32)), num_keys=2)
    return perm


def shuffle(gen, key, value) -> jax.Array:
    value = jnp.asarray(value)
    if value.ndim == 0 or value.shape[0] <= 1:
        return value
    return value[permutation_indices(gen, key, value.shape[0])]


def _feistel_bits(max_index: int) -> int:
    bits = max(2, int(max_index).bit_length())
    return bits + (bits % 2)


INDEX_SHUFFLE_ROUNDS = 6


# Domains up to this size are permuted by sorting random keys, which makes every permutation
# equally likely (up to key ties, about n**2 / 2**65); a Feistel network on a few bits is far
# from uniform (5 elements: orders between 0.7 and 1.5 times their expected frequency). Sorting
# 4096 keys per call costs about what a dozen Feistel evaluations do.
INDEX_SHUFFLE_SORTED_DOMAIN = 2**12


def index_shuffle(gen, key, max_index: int, index) -> jax.Array:
    """A keyed bijection on ``[0, max_index]``. Small domains (at most
    :data:`INDEX_SHUFFLE_SORTED_DOMAIN` values): the image of ``index`` under a uniformly random
    permutation (:func:`permutation_indices`). Larger ones: a balanced Feistel network on the
    smallest even number of bits that covers ``max_index``, with the threefry block as its round
    function, and cycle-walking (re-encrypting) until the value is back in range."""
    if max_index < INDEX_SHUFFLE_SORTED_DOMAIN:
        perm = permutation_indices(gen, key, max_index + 1).astype(jnp.uint32)
        return perm[jnp.asarray(index).astype(jnp.int32)]
    return _feistel_index_shuffle(gen, key, max_index, index)


def _feistel_index_shuffle(gen, key, max_index: int, index) -> jax.Array:
    """The Feistel bijection of :func:`index_shuffle` for large domains."""
    half = _feistel_bits(max_index) // 2
    mask = jnp.uint32((1 << half) - 1)
    x = jnp.asarray(index).astype(jnp.uint32)

    def encrypt(v):
        left, right = v >> half, v & mask
        for r in range(INDEX_SHUFFLE_ROUNDS):
            f, _ = gen.block(key, jnp.full_like(right, r), right)
            left, right = right, left ^ (f & mask)
        return (left << half) | right

    limit = jnp.uint32(max_index)
    x = encrypt(x)
    x = lax.while_loop(lambda v: jnp.any(v > limit), lambda v: jnp.where(v > limit, encrypt(v), v), x)
    return x
