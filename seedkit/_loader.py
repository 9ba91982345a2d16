"""Loader's saddle-point log-probabilities for Poisson and binomial counts.

The exact acceptance tests of PTRS and BTRS need log-probabilities whose large terms cancel
(``k log(lam) - lgamma(k + 1)`` is about ``1e7`` for ``lam = 1e6``), which float32 cannot
resolve. Loader's form (C. Loader, "Fast and accurate computation of binomial probabilities",
2000) is Stirling's error term plus a deviance term computed by a series from the exact offset
``k - mean``, each accurate to a few ulps of an O(1) result. Both sampler families use it in
float32: seedkit's own (:mod:`seedkit._rejection`) and TF's Poisson approximation
(:mod:`seedkit._tf._poisson`); it imports nothing from seedkit.

Example:
    >>> import math, jax.numpy as jnp
    >>> got = float(poisson_log_pmf(jnp.float32(3), jnp.float32(1), jnp.float32(2)))
    >>> abs(got - (3 * math.log(2) - 2 - math.log(6))) < 1e-6
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp

_LOG_2PI = math.log(2.0 * math.pi)

# Stirling's error log(n!) - log(sqrt(2 pi n) (n/e)**n) at n = 0..15 (Loader 2000 tabulates it;
# here it is computed in double precision; n = 0 is never used).
_STIRLERR_TABLE = (0.0,) + tuple(
    math.lgamma(n + 1.0) - (n + 0.5) * math.log(n) + n - 0.5 * _LOG_2PI for n in range(1, 16)
)
# The asymptotic series of Stirling's error, 1/(12n) - 1/(360n^3) + ... (Loader 2000).
_S0, _S1, _S2, _S3, _S4 = 1.0 / 12, 1.0 / 360, 1.0 / 1260, 1.0 / 1680, 1.0 / 1188


def _stirlerr(x: jax.Array) -> jax.Array:
    """``log(x!) - log(sqrt(2 pi x) (x/e)**x)`` for whole numbers ``x >= 1``: the table up to 15,
    the asymptotic series above."""
    big = jnp.maximum(x, 16.0)
    xx = big * big
    series = (_S0 - (_S1 - (_S2 - (_S3 - _S4 / xx) / xx) / xx) / xx) / big
    table = jnp.asarray(_STIRLERR_TABLE, x.dtype)[jnp.clip(x, 0, 15).astype(jnp.int32)]
    return jnp.where(x > 15, series, table)


def _bd0(x: jax.Array, m: jax.Array, d: jax.Array) -> jax.Array:
    """The deviance term ``x log(x/m) + m - x`` (``x >= 0``, ``m > 0``), given ``d = x - m``
    accurately, without cancellation: near ``x = m`` it is ``sum_j 2 x v**(2j+1) / (2j+1) - d v``
    with ``v = d/(x+m)`` (Loader 2000), a series whose terms shrink by ``v**2 < 0.01``."""
    near = jnp.abs(d) < 0.1 * (x + m)
    v = d / (x + m)
    v2 = v * v
    s = d * v
    ej = 2 * x * v
    terms = 10 if x.dtype == jnp.float64 else 6  # v**(2j) below the dtype's epsilon, with margin
    for j in range(1, terms):
        ej = ej * v2
        s = s + ej / (2 * j + 1)
    pos = jnp.where(x > 0, x, 1)
    far = jnp.where(x > 0, x * jnp.log(pos / m), 0) - d
    return jnp.where(near, s, far)


def poisson_log_pmf(k: jax.Array, d: jax.Array, lam: jax.Array) -> jax.Array:
    """``log(lam**k exp(-lam) / k!)`` for whole ``k >= 0``, ``lam > 0`` and ``d = k - lam``."""
    kk = jnp.maximum(k, 1)
    inner = -_stirlerr(kk) - _bd0(kk, lam, d) - 0.5 * (_LOG_2PI + jnp.log(kk))
    return jnp.where(k == 0, -lam, inner)


def binomial_log_pmf(n, mean, p) -> Callable[[jax.Array, jax.Array], jax.Array]:
    """``(k, d) -> log(C(n, k) p**k (1-p)**(n-k))`` for whole ``0 <= k <= n``, ``n >= 2`` and
    ``0 < p <= 1/2``, given ``mean = n p`` and ``d = k - mean`` accurately. The terms that do not
    depend on ``k`` are computed here, once, outside the sampling loop."""
    fail_mean = n - mean
    const = _stirlerr(n) + 0.5 * (jnp.log(n) - _LOG_2PI)
    at_zero, at_n = n * jnp.log1p(-p), n * jnp.log(p)

    def log_pmf(k, d):
        nk = n - k
        kk, nkk = jnp.maximum(k, 1), jnp.maximum(nk, 1)
        inner = (
            const
            - _stirlerr(kk)
            - _stirlerr(nkk)
            - _bd0(kk, mean, d)
            - _bd0(nkk, fail_mean, -d)
            - 0.5 * (jnp.log(kk) + jnp.log(nkk))
        )
        return jnp.where(k == 0, at_zero, jnp.where(nk == 0, at_n, inner))

    return log_pmf
