"""Gamma, Poisson and binomial (seedkit._rejection) through the public stateless ops.

Distribution tests use fixed seeds and reject at p < 1e-4 each. For a correct sampler a p-value is
uniform, so each has a 1e-4 chance of a false failure for a newly chosen seed; the ~35 of them in
this file together stay below 0.4% (the fixed seeds make every run repeat that one draw).

The bit-layout tests compare with an independent model written from the module docstring of
seedkit._rejection and the pure-Python threefry of tests/_reference.py, in float64 with scipy's
log-pmfs: they agree exactly except where a decision lies within rounding of its threshold, which
the fixed seeds here avoid.
"""

import math
import warnings
import zlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special, stats

from seedkit import _rejection
from seedkit._algorithms import bit_generator
from seedkit.stateless import stateless_binomial, stateless_gamma, stateless_poisson
from tests import _reference

P_MIN = 1e-4


def _seed(*parts) -> tuple[int, int]:
    """A fixed seed per test case, so that cases do not share their draws."""
    return 20260501, zlib.crc32(repr(parts).encode())


def _chisquare_pvalue(x: np.ndarray, dist) -> float:
    """Chi-square goodness of fit of integer samples ``x`` to the frozen discrete ``dist``: adjacent
    values are merged into bins of expected count >= 20, the tails into the end bins."""
    n = x.size
    lo, hi = int(dist.ppf(1e-12)), int(dist.isf(1e-12)) + 1
    edges, acc = [], 0.0
    for k, pk in zip(range(lo, hi + 1), dist.pmf(np.arange(lo, hi + 1)), strict=True):
        acc += pk
        if acc * n >= 20:
            edges.append(k)
            acc = 0.0
    edges = np.asarray(edges[:-1], np.float64)  # the remainder joins the last bin
    probs = np.diff(np.concatenate([[0.0], dist.cdf(edges), [1.0]]))
    observed = np.bincount(np.searchsorted(edges, x, side="left"), minlength=edges.size + 1)
    assert edges.size >= 1, "degenerate binning"
    return stats.chisquare(observed, probs * n).pvalue


def _as_int_array(x) -> np.ndarray:
    a = np.asarray(x, np.float64)
    assert np.all(a == np.round(a)), "samples must be whole numbers"
    return a.astype(np.int64)


# ------------------------------------------------------------------------- distributions
N_CONT = 100_000
N_DISC = 400_000


@pytest.mark.parametrize("beta", [None, 2.5])
@pytest.mark.parametrize("alpha", [0.1, 0.5, 1.0, 2.5, 30.0])
def test_gamma_matches_scipy(alpha, beta):
    x = np.asarray(stateless_gamma([N_CONT], _seed(1, alpha, beta or 0), alpha=alpha, beta=beta), np.float64)
    assert np.all(np.isfinite(x)) and np.all(x > 0)
    scale = 1.0 if beta is None else 1.0 / beta
    assert stats.kstest(x, stats.gamma(alpha, scale=scale).cdf).pvalue > P_MIN


def test_gamma_broadcast_parameters_match_scipy():
    alphas, betas = np.array([0.3, 4.0]), np.array([[0.5], [7.0]])
    x = np.asarray(stateless_gamma([N_CONT // 4, 2, 2], _seed(2), alpha=alphas, beta=betas), np.float64)
    for i in range(2):
        for j in range(2):
            dist = stats.gamma(alphas[j], scale=1.0 / betas[i, 0])
            assert stats.kstest(x[:, i, j], dist.cdf).pvalue > P_MIN


@pytest.mark.parametrize("alpha", [0.5, 30.0])
def test_gamma_float64_matches_scipy(alpha):
    with jax.enable_x64(True):
        x = stateless_gamma([N_CONT], _seed(3, alpha), alpha=alpha, beta=0.5, dtype=jnp.float64)
        assert x.dtype == jnp.float64
        assert stats.kstest(np.asarray(x), stats.gamma(alpha, scale=2.0).cdf).pvalue > P_MIN


def test_gamma_tiny_alpha_is_positive_and_has_the_right_law():
    # Gamma(0.001) puts mass 0.92 below float32's smallest normal number; TF (and seedkit) return
    # that number instead of 0 (not in the support). Above it, the law must still be right:
    # this needs the boost computed in log space.
    alpha = 0.001
    x = np.asarray(stateless_gamma([N_CONT], _seed(4), alpha=alpha), np.float64)
    tiny = float(np.finfo(np.float32).tiny)
    assert np.all(np.isfinite(x)) and np.all(x >= tiny) and not np.any(x == 0)
    dist = stats.gamma(alpha)
    at_floor = int(np.sum(x == tiny))
    assert stats.binomtest(at_floor, x.size, dist.cdf(tiny)).pvalue > P_MIN
    above = x[x > tiny]
    f0 = dist.cdf(tiny)
    assert stats.kstest(above, lambda v: (dist.cdf(v) - f0) / (1 - f0)).pvalue > P_MIN


# 1e8 is beyond float32's whole numbers (2**24): odd counts must still occur.
@pytest.mark.parametrize("lam", [0.5, 3.0, 9.9, 10.0, 25.0, 1000.0, 1e6, 1e8])
def test_poisson_matches_scipy(lam):
    x = _as_int_array(stateless_poisson([N_DISC], _seed(5, lam), lam=lam))
    assert _chisquare_pvalue(x, stats.poisson(lam)) > P_MIN


def test_poisson_zero_rate_gives_zero():
    x = stateless_poisson([1000], (1, 2), lam=0.0)
    np.testing.assert_array_equal(np.asarray(x), 0)


def test_poisson_int64_matches_scipy():
    with jax.enable_x64(True):
        x = stateless_poisson([N_DISC, 2], _seed(6), lam=[4.0, 300.0], dtype=jnp.int64)
        assert x.dtype == jnp.int64
        x = _as_int_array(x)
    for j, lam in enumerate([4.0, 300.0]):
        assert _chisquare_pvalue(x[:, j], stats.poisson(lam)) > P_MIN


# (2e9, 0.7): counts beyond float32's whole numbers, and n - k for p > 1/2 near int32's maximum.
BINOMIAL_CASES = [
    (1, 0.5),
    (10, 0.3),
    (20, 0.95),
    (100, 0.5),
    (1000, 0.01),
    (1e5, 0.3),
    (1e5, 0.9),
    (2e9, 0.7),
]


@pytest.mark.parametrize(("n", "p"), BINOMIAL_CASES)
def test_binomial_matches_scipy(n, p):
    x = _as_int_array(stateless_binomial([N_DISC], _seed(7, n, p), counts=n, probs=p))
    assert np.all((x >= 0) & (x <= n))
    assert _chisquare_pvalue(x, stats.binom(int(n), float(np.float32(p)))) > P_MIN


def test_binomial_int64_matches_scipy():
    with jax.enable_x64(True):
        x = stateless_binomial(
            [N_DISC, 2], _seed(8), counts=[30.0, 2e9], probs=[0.2, 0.6], output_dtype=jnp.int64
        )
        assert x.dtype == jnp.int64
        x = _as_int_array(x)
    for j, (n, p) in enumerate([(30, 0.2), (2_000_000_000, 0.6)]):
        assert _chisquare_pvalue(x[:, j], stats.binom(n, p)) > P_MIN


# ----------------------------------------------------------------------------- bit layout
def _open_f32(y: int) -> float:
    return float(np.float32((y >> 9) * 2.0**-23 + 2.0**-24))


def _open_f64(y0: int, y1: int) -> float:
    return (((y0 << 32) | y1) >> 12) * 2.0**-52 + 2.0**-53


def _attempts(seed, i: int, f64: bool = False):
    """The documented stream of (u1, u2) pairs of element ``i``."""
    key = _reference.key_of(seed)
    t = 0
    while True:
        if f64:
            u1 = _open_f64(*_reference.threefry2x32(key, (2 * t, i)))
            u2 = _open_f64(*_reference.threefry2x32(key, (2 * t + 1, i)))
        else:
            y0, y1 = _reference.threefry2x32(key, (t, i))
            u1, u2 = _open_f32(y0), _open_f32(y1)
        yield u1, u2
        t += 1


def _model_gamma(seed, i, alpha, f64=False):
    a = alpha + 1 if alpha < 1 else alpha
    d = a - 1 / 3
    c = 1 / math.sqrt(9 * d)
    for u1, u2 in _attempts(seed, i, f64):
        z = math.sqrt(2) * special.erfinv(2 * u1 - 1)
        v = (1 + c * z) ** 3
        if v > 0 and (u2 < 1 - 0.0331 * z**4 or math.log(u2) < 0.5 * z * z + d * (1 - v + math.log(v))):
            g = d * v
            break
    if alpha < 1:
        y0, y1 = _reference.threefry2x32(_reference.key_of(seed), (0xFFFFFFFF, i))
        g *= (_open_f64(y0, y1) if f64 else _open_f32(y0)) ** (1 / alpha)
    return g


def _model_poisson(seed, i, lam):
    if lam < 10:
        k, s = 0, 0.0
        for u1, u2 in _attempts(seed, i):
            for u in (u1, u2):
                s -= math.log(u)
                if s > lam:
                    return k
                k += 1
    b = 0.931 + 2.53 * math.sqrt(lam)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)
    for u1, v in _attempts(seed, i):
        u = u1 - 0.5
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= v_r:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v * inv_alpha / (a / us**2 + b)) <= stats.poisson.logpmf(k, lam):
            return k


def _model_binomial(seed, i, n, p):
    p32 = np.float32(p)  # the probability as the sampler receives it
    q = float(min(p32, np.float32(1) - p32))
    if n * q < 10:
        k, s = 0, 0
        for u1, u2 in _attempts(seed, i):
            for u in (u1, u2):
                s += math.ceil(math.log(u) / math.log1p(-q))
                if s > n:
                    return k if p32 <= 0.5 else n - k
                k += 1
    spq = math.sqrt(n * q * (1 - q))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * q
    c = n * q + 0.5
    v_r = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    m = math.floor((n + 1) * q)
    for u1, v in _attempts(seed, i):
        u = u1 - 0.5
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        log_ratio = stats.binom.logpmf(k, n, q) - stats.binom.logpmf(m, n, q)
        if (us >= 0.07 and v <= v_r) or math.log(v * alpha / (a / us**2 + b)) <= log_ratio:
            return k if p32 <= 0.5 else n - k


def test_gamma_follows_the_documented_bit_layout():
    seed, alphas = (11, 12), [0.3, 1.0, 6.5]
    x = np.asarray(stateless_gamma([8, 3], seed, alpha=alphas, beta=2.0), np.float64).reshape(-1)
    want = [_model_gamma(seed, i, alphas[i % 3]) / 2.0 for i in range(x.size)]
    np.testing.assert_allclose(x, want, rtol=2e-5)


def test_gamma_float64_follows_the_documented_bit_layout():
    seed, alphas = (13, 14), [0.3, 6.5]
    with jax.enable_x64(True):
        x = np.asarray(stateless_gamma([6, 2], seed, alpha=alphas, dtype=jnp.float64)).reshape(-1)
    want = [_model_gamma(seed, i, alphas[i % 2], f64=True) for i in range(x.size)]
    np.testing.assert_allclose(x, want, rtol=1e-12)


def test_poisson_follows_the_documented_bit_layout():
    seed, lams = (15, 16), [0.7, 9.5, 10.0, 140.0]
    x = np.asarray(stateless_poisson([12, 4], seed, lam=lams)).reshape(-1)
    want = [_model_poisson(seed, i, lams[i % 4]) for i in range(x.size)]
    np.testing.assert_array_equal(x, want)


def test_binomial_follows_the_documented_bit_layout():
    seed, cases = (17, 18), [(12, 0.2), (30, 0.9), (200, 0.4), (5000, 0.7)]
    n, p = np.array(cases).T
    x = np.asarray(stateless_binomial([12, 4], seed, counts=n, probs=p)).reshape(-1)
    want = [_model_binomial(seed, i, *cases[i % 4]) for i in range(x.size)]
    np.testing.assert_array_equal(x, want)


def test_an_element_depends_only_on_its_position_and_parameters():
    # Mixing small and large rates in one call must not change any element: each has its own
    # stream of attempts, whatever the other elements needed.
    lams = [0.5, 9.9, 10.0, 1000.0]
    mixed = np.asarray(stateless_poisson([500, 4], (3, 4), lam=lams))
    for j, lam in enumerate(lams):
        alone = np.asarray(stateless_poisson([2000], (3, 4), lam=lam)).reshape(500, 4)
        np.testing.assert_array_equal(mixed[:, j], alone[:, j])


# ---------------------------------------------------------------------------- determinism
OPS = {
    "gamma": lambda s: stateless_gamma([5, 2], s, alpha=[0.5, 3.0], beta=2.0),
    "poisson": lambda s: stateless_poisson([5, 2], s, lam=[2.0, 40.0]),
    "binomial": lambda s: stateless_binomial([5, 2], s, counts=[5.0, 300.0], probs=0.4),
}


@pytest.mark.parametrize("op", sorted(OPS))
def test_same_seed_same_values_eager_jit_vmap(op):
    f = OPS[op]
    seeds = jnp.array([[1, 2], [3, 4], [-5, 6]], jnp.int32)
    eager = [np.asarray(f((int(a), int(b)))) for a, b in seeds.tolist()]
    np.testing.assert_array_equal(np.asarray(f((1, 2))), eager[0])
    for s, e in zip(seeds, eager, strict=True):
        np.testing.assert_array_equal(np.asarray(jax.jit(f)(s)), e)
    batched = np.asarray(jax.vmap(f)(seeds))
    for i, e in enumerate(eager):
        if op == "gamma":
            # A differently compiled program may round float arithmetic differently (XLA
            # reassociates constant products and contracts mul-add into FMA by context): the
            # module docstring promises equality to a few ulps, not bits, across programs.
            np.testing.assert_allclose(batched[i], e, rtol=1e-5)
        else:
            np.testing.assert_array_equal(batched[i], e)


def test_vmap_over_parameters_matches_separate_calls():
    lams = jnp.array([0.5, 30.0])
    batched = jax.vmap(lambda lam: stateless_poisson([6], (1, 2), lam=lam))(lams)
    for i in range(2):
        np.testing.assert_array_equal(
            np.asarray(batched[i]), np.asarray(stateless_poisson([6], (1, 2), lam=float(lams[i])))
        )


@pytest.mark.parametrize("op", sorted(OPS))
def test_different_seeds_differ(op):
    outs = [np.asarray(OPS[op](s)).tobytes() for s in [(0, 0), (0, 1), (1, 0), (1, 1), (2**40, 0)]]
    assert len(set(outs)) == len(outs)


# ------------------------------------------------------------------------- dtypes, shapes
@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16, jnp.float32])
def test_gamma_dtypes(dtype):
    x = stateless_gamma([N_CONT], (1, 2), alpha=4.0, dtype=dtype)
    assert x.dtype == jnp.dtype(dtype) and x.shape == (N_CONT,)
    xf = np.asarray(x, np.float64)
    assert np.all(np.isfinite(xf)) and np.all(xf > 0)
    assert abs(xf.mean() - 4.0) < 0.1  # 7 standard deviations of the mean (2 / sqrt(N_CONT))


@pytest.mark.parametrize("dtype", [jnp.int32, jnp.float16, jnp.bfloat16, jnp.float32])
def test_poisson_and_binomial_dtypes(dtype):
    x = stateless_poisson([N_DISC], (1, 2), lam=6.0, dtype=dtype)
    y = stateless_binomial([N_DISC], (1, 2), counts=12.0, probs=0.5, output_dtype=dtype)
    for v in (x, y):
        assert v.dtype == jnp.dtype(dtype) and v.shape == (N_DISC,)
        assert abs(np.asarray(v, np.float64).mean() - 6.0) < 0.08  # 7 sd of the mean (<= 0.011)


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 2)])
def test_empty_shapes(shape):
    assert stateless_gamma(shape, (1, 2), alpha=1.0).shape == shape
    assert stateless_poisson(shape, (1, 2), lam=1.0).shape == shape
    assert stateless_binomial(shape, (1, 2), counts=3, probs=0.5).shape == shape


def test_scalar_shape():
    assert stateless_gamma([], (1, 2), alpha=1.0).shape == ()
    assert stateless_poisson((), (1, 2), lam=1.0).shape == ()
    assert stateless_binomial((), (1, 2), counts=3, probs=0.5).shape == ()


def test_64_bit_requests_without_x64_warn_and_give_32_bits():
    with pytest.warns(UserWarning, match="float64"):
        x = stateless_gamma([N_CONT], (1, 2), alpha=1.0, dtype=jnp.float64)
    assert x.dtype == jnp.float32
    with pytest.warns(UserWarning, match="int64"):
        y = stateless_poisson([N_DISC], (1, 2), lam=1.0, dtype=jnp.int64)
    assert y.dtype == jnp.int32
    with pytest.warns(UserWarning, match="int64"):
        z = stateless_binomial([N_DISC], (1, 2), counts=3.0, probs=0.5, output_dtype=jnp.int64)
    assert z.dtype == jnp.int32


def test_float64_counts_with_x64():
    with jax.enable_x64(True), warnings.catch_warnings():
        warnings.simplefilter("error")
        x = stateless_poisson([4, 2], (1, 2), lam=[0.5, 1e12], dtype=jnp.float64)
    assert x.dtype == jnp.float64
    # Poisson(1e12) has sd 1e6: float64 arithmetic keeps every unit, float32 would not.
    big = np.asarray(x[:, 1])
    assert np.all(np.abs(big - 1e12) < 1e7) and np.all(big == np.round(big))
    assert len(set(big % 64)) > 1


# ---------------------------------------------------------------------------- corner cases
def test_binomial_tf_corner_cases():
    # tensorflow/python/kernel_tests/random/random_binomial_test.py, testCornerCases.
    counts = np.array([5, 5, 5, 0, 0, 0], np.float32)
    probs = np.array([0, 1, np.nan, -10, 10, np.nan], np.float32)
    x = stateless_binomial([6], (1, 2), counts, probs, output_dtype=jnp.float32)
    np.testing.assert_array_equal(np.asarray(x), [0, 5, np.nan, 0, 0, 0])
    # Integer outputs cannot hold NaN: seedkit documents -1 for a NaN probability.
    y = stateless_binomial([6], (1, 2), counts, probs, output_dtype=jnp.int32)
    np.testing.assert_array_equal(np.asarray(y), [0, 5, -1, 0, 0, 0])


def test_binomial_certain_outcomes_for_large_counts():
    x = stateless_binomial([2, 2], (1, 2), counts=[1e6, 12345.0], probs=[[0.0], [1.0]])
    np.testing.assert_array_equal(np.asarray(x), [[0, 0], [1_000_000, 12345]])


def test_invalid_parameters_terminate_with_nan_or_minus_one():
    # Concrete bad values are rejected by the public functions; traced ones reach the samplers,
    # which must mark them done at once (never loop forever) and flag them.
    nan, inf = float("nan"), float("inf")
    g = jax.jit(lambda a, b: stateless_gamma([4, 5], (1, 2), alpha=a, beta=b))
    x = np.asarray(g(jnp.array([nan, -1.0, 0.0, 2.0, 2.0]), jnp.array([1.0, 1.0, 1.0, nan, -3.0])))
    # alpha = 0 is TF's smallest normal float, not an invalid value (issue 16, case 12).
    assert np.all(np.isnan(x[:, [0, 1, 3, 4]])) and np.all(x[:, 2] == np.finfo(np.float32).tiny)
    x = np.asarray(g(jnp.array([nan, 0.5, inf, 2.0, 0.2]), jnp.array([1.0, 1.0, 1.0, 1.0, 1.0])))
    assert np.all(np.isnan(x[:, 0])) and np.all(x[:, 2] == inf) and np.all(np.isfinite(x[:, [1, 3, 4]]))

    p = jax.jit(lambda lam, dtype: stateless_poisson([3, 4], (1, 2), lam=lam, dtype=dtype), static_argnums=1)
    lam = jnp.array([nan, -2.0, inf, 20.0])
    xi, xf = np.asarray(p(lam, jnp.int32)), np.asarray(p(lam, jnp.float32))
    assert np.all(xi[:, :2] == -1) and np.all(np.isnan(xf[:, :2]))
    # lam = inf: TF's infinity of the output type, 0 for integers (issue 16, case 10).
    assert np.all(xi[:, 2] == 0) and np.all(xf[:, 2] == inf)
    assert np.all(xi[:, 3] >= 0) and np.all(xf[:, 3] >= 0)

    b = jax.jit(lambda n, q: stateless_binomial([3, 5], (1, 2), counts=n, probs=q))
    x = np.asarray(b(jnp.array([nan, inf, -3.0, 40.0, 40.0]), jnp.array([0.5, 0.5, nan, 0.5, nan])))
    assert np.all(x[:, :2] == -1) and np.all(x[:, 2] == 0) and np.all(x[:, 4] == -1)
    assert np.all((x[:, 3] >= 0) & (x[:, 3] <= 40))


def test_exhausted_attempts_are_flagged_not_wrong(monkeypatch):
    gen = bit_generator("threefry")
    key = gen.key_from_words(jnp.array([1, 0, 2, 0], jnp.uint32))
    lam = jnp.array([9.5, 200.0])
    full = np.asarray(_rejection.poisson(gen, key, (200, 2), jnp.int32, lam))
    monkeypatch.setattr(_rejection, "_MAX_ATTEMPTS", 1)
    short = np.asarray(_rejection.poisson(gen, key, (200, 2), jnp.int32, lam))
    flagged = short == -1
    # Poisson(9.5) needs one attempt only for k <= 1; PTRS accepts at once most of the time.
    assert flagged[:, 0].mean() > 0.9 and 0 < flagged[:, 1].mean() < 0.3
    np.testing.assert_array_equal(short[~flagged], full[~flagged])


def test_integer_outputs_saturate():
    # A concrete rate beyond int32 is a ValueError (issue 16, case 6); a traced one saturates.
    x = np.asarray(jax.jit(lambda lam: stateless_poisson([4], (1, 2), lam=lam))(1e10))
    np.testing.assert_array_equal(x, np.iinfo(np.int32).max)


# ----------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda: stateless_gamma([2], (1, 2), alpha=[1.0, 2.0, 3.0]), "alpha"),
        (lambda: stateless_gamma([3, 2], (1, 2), alpha=[1.0, 2.0, 3.0]), "alpha"),
        (lambda: stateless_gamma([4, 3], (1, 2), alpha=[1.0, 2.0, 3.0], beta=[1.0, 2.0]), "beta"),
        (lambda: stateless_poisson([3, 2], (1, 2), lam=[1.0, 2.0, 3.0]), "lam"),
        (lambda: stateless_binomial([3], (1, 2), counts=[1.0, 2.0], probs=0.5), "counts"),
    ],
)
def test_tf_shape_rule_errors(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def test_too_many_elements_is_a_value_error():
    with pytest.raises(ValueError, match="2\\*\\*32"):
        jax.eval_shape(lambda: stateless_poisson([2**16, 2**16 + 1], (1, 2), lam=1.0))
