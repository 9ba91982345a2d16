"""Rejection samplers: gamma, Poisson and binomial.

Each sampler runs one :func:`jax.lax.while_loop` over all elements at once and loops while any
element still waits for an accepted proposal, so it works under ``jit`` and ``vmap`` and costs a
few vectorised passes over the output.

Bit layout (part of seedkit's stream-stability promise: changing it changes the numbers):

* **Element index.** Element ``i`` is the row-major flat position in the output ``shape`` as a
  uint32 (so at most ``2**32`` elements per call).
* **Attempts.** Every element has its own stream of attempts, so its value depends only on the
  key, its position and its parameters, never on how many attempts other elements needed.
  Attempt ``t = 0, 1, ...`` of element ``i`` reads the threefry block ``gen.block(key, x0=t,
  x1=i) = (y0, y1)`` and forms two uniforms ``u1 = open_unit_float32(y0)`` and ``u2 =
  open_unit_float32(y1)``. With float64 arithmetic the blocks ``x0 = 2t`` and ``x0 = 2t + 1``
  each give one uniform ``open_unit_float64((y0, y1))``: ``u1`` and ``u2`` in that order.
* **One-off words.** ``x0 = 0xFFFFFFFF`` (never an attempt index) holds extra words: gamma with
  ``alpha < 1`` takes its boost uniform from that block (``open_unit_float32(y0)``, or
  ``open_unit_float64((y0, y1))`` with float64 arithmetic).
* **Use of (u1, u2) per attempt.**

  - gamma (Marsaglia & Tsang 2000): normal ``z = sqrt(2) * erfinv(2 u1 - 1)``, ``u2`` for the
    acceptance test. ``alpha < 1`` samples ``Gamma(alpha + 1) * U**(1/alpha)`` in log space.
  - Poisson, ``lam < 10``: two exponential inter-arrival times ``-log u1`` then ``-log u2``;
    the sample is the number of arrivals in ``[0, lam]``.
  - Poisson, ``lam >= 10``: Hörmann's PTRS (1993) with ``U = u1 - 1/2`` and ``V = u2``.
  - binomial, ``n * min(p, 1-p) < 10``: two geometric waiting times ``ceil(log u / log1p(-q))``
    (``u1`` then ``u2``); the sample is the number of successes within ``n`` trials.
  - binomial otherwise: Hörmann's BTRS (1993) with ``U = u1 - 1/2`` and ``V = u2``.
  - binomial with ``p > 1/2`` samples ``n - Binomial(n, 1 - p)``.
* **Arithmetic.** Gamma computes in float64 for float64 outputs and in float32 otherwise
  (float16/bfloat16 are rounded at the end). Poisson and binomial compute in float64 for 64-bit
  outputs (int64, float64) and in float32 otherwise, so an int32 and an int64 request with the
  same seed may differ. A PTRS/BTRS proposal ``floor(x + mean)`` is held as ``floor(mean)`` plus a
  small whole offset and integer outputs add the two as integers: every count up to the output
  dtype's maximum is reachable even beyond float32's whole numbers (``2**24``).

The exact acceptance tests of PTRS and BTRS need log-probabilities whose large terms cancel
(``k log(lam) - lgamma(k + 1)`` is about ``1e7`` for ``lam = 1e6``), which float32 cannot
resolve. They use Loader's saddle-point form instead (C. Loader, "Fast and accurate computation of
binomial probabilities", 2000): Stirling's error term plus a deviance term computed by a series
from the exact offset ``k - mean``, each accurate to a few ulps of an O(1) result.

Reproducibility: one compiled program (eager calls, or the same ``jit``) gives the same bits on
every call. A differently compiled one (under ``vmap``, or fused into a larger ``jit``) may round
float arithmetic differently, since XLA reassociates constant products and contracts mul-add
pairs into FMA depending on context: gamma values then agree to a few ulps (measured: 8% of
float32 values under ``vmap`` over seeds, within 2e-6 relative), and integer counts agree unless
such a rounding decides an acceptance test (measured: 0 of 800 000 Poisson/binomial samples).

Corner cases: an invalid parameter (NaN, or a value that only a traced argument can carry: a
non-positive ``alpha``/``beta``, a negative or infinite ``lam``, an infinite or NaN count) is
marked done before the first attempt and gives NaN, or -1 for integer outputs. Gamma's result is
at least the dtype's smallest normal number, as in TF (zero is not in the support). Binomial
follows TF: ``counts <= 0`` gives 0 whatever ``probs``, ``probs`` is clipped to ``[0, 1]``;
fractional counts are rounded down (as NumPy; TF's inversion branch counts whole trials too).
``alpha = inf`` gives inf. Integer outputs saturate at the dtype's maximum. An element not done
after ``_MAX_ATTEMPTS`` attempts gives NaN or -1 rather than a wrong value; with valid parameters
that has a chance below ``2**-1000`` (a rejection step fails with probability below 1/4; the
counting branches would need over 1000 events where the mean is below 10).

Example:
    >>> import jax, jax.numpy as jnp
    >>> from seedkit import _rejection
    >>> from seedkit._algorithms import bit_generator
    >>> gen = bit_generator("threefry")
    >>> key = gen.key_from_words(jnp.array([1, 0, 2, 0], jnp.uint32))
    >>> x = _rejection.poisson(gen, key, (4, 2), jnp.int32, jnp.array([3.0, 50.0]))
    >>> x.shape, x.dtype
    ((4, 2), dtype('int32'))
"""

from __future__ import annotations

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax import lax
from jax.scipy import special

from seedkit import _bits
from seedkit._loader import binomial_log_pmf, poisson_log_pmf
from seedkit._words import check_shape

_EXTRA_X0 = 0xFFFFFFFF
_MAX_ATTEMPTS = 512
_SQRT2 = math.sqrt(2.0)


# ----------------------------------------------------------------------------- shared pieces
def _element_index(shape: tuple[int, ...]) -> jax.Array:
    return lax.iota(jnp.uint32, check_shape(shape)).reshape(shape)


def _param(value, cdt, shape) -> jax.Array:
    return jnp.broadcast_to(jnp.asarray(value).astype(cdt), shape)


def _open_unit(y0: jax.Array, y1: jax.Array, cdt) -> jax.Array:
    if cdt == jnp.float64:
        return _bits.open_unit_float64(jnp.stack([y0, y1], axis=-1))
    return _bits.open_unit_float32(y0)


def _uniform_pair(gen, key, t: jax.Array, index: jax.Array, cdt) -> tuple[jax.Array, jax.Array]:
    """The two open-interval uniforms of attempt ``t`` of every element (see the bit layout)."""
    if cdt == jnp.float64:
        first, second = gen.block(key, 2 * t, index), gen.block(key, 2 * t + 1, index)
        return _open_unit(*first, cdt), _open_unit(*second, cdt)  # type: ignore[call-arg]
    y0, y1 = gen.block(key, t, index)
    return _bits.open_unit_float32(y0), _bits.open_unit_float32(y1)


Step = Callable[[tuple, jax.Array, jax.Array], tuple[tuple, jax.Array]]


def _run(
    gen, key, index, cdt, done: jax.Array, carry: tuple, step: Step, other: Step | None = None, use_other=None
) -> tuple[tuple, jax.Array]:
    """Repeat ``step(carry, u1, u2) -> (new_carry, accepted)`` until every element is done (or
    ``_MAX_ATTEMPTS``); elements already done keep their carry. Returns ``(carry, done)``.

    With ``other``, elements where ``use_other`` is set take that step instead; a step that no
    pending element needs is skipped (under ``vmap`` both run, and the choice is per element)."""

    def cond(state):
        t, done, _ = state
        return (t < _MAX_ATTEMPTS) & jnp.any(~done)

    def body(state):
        t, done, carry = state
        u1, u2 = _uniform_pair(gen, key, t, index, cdt)
        if other is None:
            new, accepted = step(carry, u1, u2)
        else:

            def both(carry, u1, u2):
                new_a, acc_a = step(carry, u1, u2)
                new_b, acc_b = other(carry, u1, u2)
                new = tuple(jnp.where(use_other, b, a) for a, b in zip(new_a, new_b, strict=True))
                return new, jnp.where(use_other, acc_b, acc_a)

            pending = ~done
            need_step, need_other = jnp.any(pending & ~use_other), jnp.any(pending & use_other)
            which = jnp.where(need_other, jnp.where(need_step, 2, 1), 0)
            new, accepted = lax.switch(which, (step, other, both), carry, u1, u2)
        carry = tuple(jnp.where(done, old, nw) for old, nw in zip(carry, new, strict=True))
        return t + jnp.uint32(1), done | accepted, carry

    _, done, carry = lax.while_loop(cond, body, (jnp.uint32(0), done, carry))
    return carry, done


def _to_output(base, off, invalid, dtype, total=None, flip=None) -> jax.Array:
    """The count ``base + off`` (or ``total - base - off`` where ``flip``) in ``dtype``, from
    whole numbers held as floats: ``base`` per element from its parameters, ``off`` small. Integer
    outputs add them as integers, so every whole number up to the dtype's maximum is exact even
    where the float arithmetic is not; they saturate at that maximum. NaN (floats) or -1 (ints)
    where ``invalid``."""
    dtype = jnp.dtype(dtype)
    value = base + off
    if total is not None:
        value = jnp.where(flip, (total - base) - off, value)
    if jnp.issubdtype(dtype, jnp.floating):
        return jnp.where(invalid, jnp.nan, value).astype(dtype)
    hi = jnp.iinfo(dtype).max
    limit = value.dtype.type(hi)  # hi rounds up to 2**31 or 2**63: the first value that overflows

    def whole(x):
        return jnp.where(x >= limit, 0, x).astype(dtype)

    exact = whole(base) + off.astype(dtype)
    if total is not None:
        rest = jnp.where(total < limit, whole(total) - whole(base), whole(total - base))
        exact = jnp.where(flip, rest - off.astype(dtype), exact)
    exact = jnp.where(value >= limit, jnp.asarray(hi, dtype), exact)
    return jnp.where(invalid, jnp.asarray(-1, dtype), exact)


def _count_dtype(dtype) -> jnp.dtype:
    return jnp.dtype(jnp.float64) if jnp.dtype(dtype).itemsize == 8 else jnp.dtype(jnp.float32)


# ----------------------------------------------------------------------------------- samplers
def gamma(gen, key, shape: tuple[int, ...], dtype, alpha, beta) -> jax.Array:
    """Gamma(``alpha``, rate ``beta``) of ``shape`` and ``dtype`` (parameters broadcast to
    ``shape``): Marsaglia–Tsang for ``alpha >= 1``, the ``alpha + 1`` boost in log space below."""
    dtype = jnp.dtype(dtype)
    cdt = jnp.dtype(jnp.float64) if dtype == jnp.float64 else jnp.dtype(jnp.float32)
    alpha, beta = _param(alpha, cdt, shape), _param(beta, cdt, shape)
    if math.prod(shape) == 0:
        return jnp.zeros(shape, dtype)
    index = _element_index(shape)
    # alpha = 0 (TF's own tests use it) is the point mass at 0, which becomes the smallest normal
    # number below, as in TF.
    zero = (alpha == 0) & (beta > 0)
    bad = (~(alpha > 0) & ~zero) | ~(beta > 0)  # also NaN
    infinite = alpha == jnp.inf
    boost = alpha < 1
    a = jnp.where(bad | infinite, 1, jnp.where(boost, alpha + 1, alpha))
    # Marsaglia & Tsang (2000): d = a - 1/3, c = 1 / sqrt(9 d); propose d (1 + c z)**3.
    d = a - 1.0 / 3.0
    c = 1 / jnp.sqrt(9 * d)

    def step(carry, u1, u2):
        z = _SQRT2 * special.erfinv(2 * u1 - 1)
        t = 1 + c * z
        ok = t > 0
        v = jnp.where(ok, t * t * t, 1)
        z2 = z * z
        squeeze = u2 < 1 - 0.0331 * (z2 * z2)  # the paper's cheap acceptance test
        accept = ok & (squeeze | (jnp.log(u2) < 0.5 * z2 + d * (1 - v + jnp.log(v))))
        return (d * v,), accept

    g0 = jnp.where(infinite, jnp.inf, jnp.zeros(shape, cdt))
    (g,), done = _run(gen, key, index, cdt, bad | infinite | zero, (g0,), step)
    # Gamma(alpha) = Gamma(alpha + 1) * U**(1/alpha); in logs, so that a tiny power does not
    # underflow before it meets a large Gamma(alpha + 1) / beta.
    ub = _open_unit(*gen.block(key, jnp.uint32(_EXTRA_X0), index), cdt)  # type: ignore[call-arg]
    log_x = jnp.log(g) + jnp.log(ub) / jnp.where(boost, alpha, 1) - jnp.log(beta)
    x = jnp.where(boost, jnp.exp(log_x), g / beta)
    x = jnp.where(zero, 0, x)
    x = jnp.where(bad | ~done, jnp.nan, x).astype(dtype)
    # As TF: the smallest normal number instead of an underflow to 0, which is not in the support.
    return jnp.maximum(x, jnp.asarray(jnp.finfo(dtype).tiny, dtype))


def poisson(gen, key, shape: tuple[int, ...], dtype, lam) -> jax.Array:
    """Poisson(``lam``) of ``shape`` and ``dtype`` (``lam`` broadcast to ``shape``): counting
    exponential arrivals below 10, Hörmann's PTRS from 10 on."""
    dtype = jnp.dtype(dtype)
    cdt = _count_dtype(dtype)
    lam = _param(lam, cdt, shape)
    if math.prod(shape) == 0:
        return jnp.zeros(shape, dtype)
    index = _element_index(shape)
    bad = ~(lam >= 0) | (lam == jnp.inf)
    infinite = lam == jnp.inf  # TF: the output type's infinity (0 for integers)
    small = lam < 10
    # PTRS constants (Hörmann 1993, "The transformed rejection method for generating Poisson
    # random variables", algorithm PTRS); lanes that count arrivals get harmless values.
    mu = jnp.where(small | bad, 10, lam)
    b = 0.931 + 2.53 * jnp.sqrt(mu)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)
    # A PTRS proposal is k = floor(x + mu) for a small x; held as base + floor(x + frac), so that
    # k and k - mu stay exact where mu itself is beyond float's whole numbers (2**24 in float32).
    base = jnp.where(small | bad, 0, jnp.floor(mu))
    frac = mu - base

    def count(carry, u1, u2):
        # Arrivals of a unit-rate Poisson process: count those at or before time lam.
        k, s = carry
        s1 = s - jnp.log(u1)
        stop1 = s1 > lam
        k1 = jnp.where(stop1, k, k + 1)
        s2 = s1 - jnp.log(u2)
        stop2 = stop1 | (s2 > lam)
        return (jnp.where(stop2, k1, k1 + 1), s2), stop2

    def ptrs(carry, u1, u2):
        # One transformed-rejection proposal.
        u = u1 - 0.5
        us = 0.5 - jnp.abs(u)
        j = jnp.floor((2 * a / us + b) * u + frac + 0.43)
        kp = jnp.maximum(base + j, 0)
        squeeze = (us >= 0.07) & (u2 <= v_r)
        hopeless = (us < 0.013) & (u2 > us)
        lhs = jnp.log(u2 * inv_alpha / (a / (us * us) + b))
        exact = ~hopeless & (lhs <= poisson_log_pmf(kp, j - frac, mu))
        return (j, carry[1]), (j >= -base) & (squeeze | exact)

    zeros = jnp.zeros(shape, cdt)
    (off, _), done = _run(gen, key, index, cdt, bad | (lam == 0), (zeros, zeros), count, ptrs, ~small)
    out = _to_output(base, off, bad | ~done, dtype)
    return jnp.where(infinite, _infinity(dtype), out)


def _infinity(dtype: jnp.dtype):
    """TF's ``std::numeric_limits<U>::infinity()`` for a Poisson output type: inf, or 0 for
    integers (C++ defines no integer infinity)."""
    return jnp.asarray(jnp.inf if jnp.issubdtype(dtype, jnp.floating) else 0, dtype)


def binomial(gen, key, shape: tuple[int, ...], dtype, counts, probs) -> jax.Array:
    """Binomial(``counts``, ``probs``) of ``shape`` and ``dtype`` (parameters broadcast to
    ``shape``): geometric waiting times when ``n * min(p, 1 - p) < 10``, else Hörmann's BTRS."""
    dtype = jnp.dtype(dtype)
    cdt = _count_dtype(dtype)
    # Whole numbers of trials, as NumPy: inversion would count floor(n) trials anyway.
    n, p = jnp.floor(_param(counts, cdt, shape)), _param(probs, cdt, shape)
    if math.prod(shape) == 0:
        return jnp.zeros(shape, dtype)
    index = _element_index(shape)
    no_trials = n <= 0  # TF: 0 whatever the probability, even NaN
    p = jnp.clip(p, 0, 1)
    bad = ~no_trials & (jnp.isnan(n) | (n == jnp.inf) | jnp.isnan(p))
    flip = p > 0.5
    q = jnp.where(flip, 1 - p, p)
    trivial = no_trials | bad | (q == 0)
    n_ok, q_ok = jnp.where(trivial, 1, n), jnp.where(trivial, 0.5, q)
    inversion = n_ok * q_ok < 10
    log1m_q = jnp.log1p(-q_ok)
    # BTRS constants (Hörmann 1993, "The generation of binomial random variates", algorithm
    # BTRS); inversion lanes get harmless values.
    nb, qb = jnp.where(inversion, 20, n_ok), jnp.where(inversion, 0.5, q_ok)
    spq = jnp.sqrt(nb * qb * (1 - qb))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * qb
    v_r = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    # Proposals k = floor(x + n q + 1/2) are held as base + floor(x + frac + 1/2) (see poisson);
    # the mode floor((n + 1) q) is base + floor(frac + q).
    mean = nb * qb
    base = jnp.where(inversion, 0, jnp.floor(mean))
    frac = mean - base
    j_mode = jnp.floor(frac + qb)
    log_pmf = binomial_log_pmf(nb, mean, qb)
    log_f_mode = log_pmf(base + j_mode, j_mode - frac)

    def invert(carry, u1, u2):
        # Trials up to each success are geometric; count the successes within n trials.
        k, s = carry
        s1 = s + jnp.ceil(jnp.log(u1) / log1m_q)
        stop1 = s1 > n_ok
        k1 = jnp.where(stop1, k, k + 1)
        s2 = s1 + jnp.ceil(jnp.log(u2) / log1m_q)
        stop2 = stop1 | (s2 > n_ok)
        return (jnp.where(stop2, k1, k1 + 1), s2), stop2

    def btrs(carry, u1, u2):
        # One transformed-rejection proposal, exact test against f(k) / f(mode).
        u = u1 - 0.5
        us = 0.5 - jnp.abs(u)
        j = jnp.floor((2 * a / us + b) * u + frac + 0.5)
        inside = (j >= -base) & (j <= nb - base)
        kb = jnp.clip(base + j, 0, nb)
        squeeze = (us >= 0.07) & (u2 <= v_r)
        lhs = jnp.log(u2 * alpha / (a / (us * us) + b))
        exact = lhs <= log_pmf(kb, j - frac) - log_f_mode
        return (j, carry[1]), inside & (squeeze | exact)

    zeros = jnp.zeros(shape, cdt)
    (off, _), done = _run(gen, key, index, cdt, trivial, (zeros, zeros), invert, btrs, ~inversion)
    # counts <= 0 give 0; q == 0 gives 0 successes of q, so n of p = 1.
    n_out = jnp.where(no_trials, 0, n)
    return _to_output(base, off, bad | ~done, dtype, total=n_out, flip=flip & ~no_trials)
