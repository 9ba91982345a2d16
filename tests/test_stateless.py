"""Stateless ops: determinism, transformations, dtypes and shapes, ranges, distributions, errors.

Distribution tests use fixed seeds and reject at p < 1e-4 each. For a correct sampler a p-value is
uniform, so each test has a 1e-4 chance of a false failure for a newly chosen seed, and the ~40
tests in this file together well under 1% (the fixed seeds make every run repeat that one draw).
"""

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import seedkit

P_MIN = 1e-4
SEED = (20261125, 7)


def _np(x):
    return np.asarray(x).astype(np.float64)


# ---------------------------------------------------------------------------- determinism
ALL_OPS = {
    "uniform": lambda s: seedkit.stateless_uniform([3, 4], s),
    "uniform_int": lambda s: seedkit.stateless_uniform([7], s, minval=-3, maxval=9, dtype=jnp.int32),
    "uniform_full": lambda s: seedkit.stateless_uniform([7], s, minval=None, maxval=None, dtype=jnp.uint32),
    "normal": lambda s: seedkit.stateless_normal([5], s),
    "truncated_normal": lambda s: seedkit.stateless_truncated_normal([5], s),
    "ptn": lambda s: seedkit.stateless_parameterized_truncated_normal([5], s, 1.0, 2.0, 0.0, 3.0),
    "categorical": lambda s: seedkit.stateless_categorical(jnp.zeros((2, 5)), 4, s),
    "shuffle": lambda s: seedkit.stateless_shuffle(jnp.arange(8), s),
    "index_shuffle": lambda s: seedkit.index_shuffle(jnp.arange(8), s, max_index=99),
    "split": lambda s: seedkit.stateless_split(s, 3),
    "fold_in": lambda s: seedkit.stateless_fold_in(s, 5),
}


@pytest.mark.parametrize("op", sorted(ALL_OPS))
def test_same_seed_same_values_eager_jit_vmap(op):
    f = ALL_OPS[op]
    seeds = jnp.array([[1, 2], [3, 4], [-5, 6]], jnp.int32)
    eager = [np.asarray(f((int(a), int(b)))) for a, b in seeds.tolist()]
    np.testing.assert_array_equal(np.asarray(f((1, 2))), eager[0])
    jitted = jax.jit(f)
    for s, e in zip(seeds, eager, strict=False):
        np.testing.assert_array_equal(np.asarray(jitted(s)), e)
    batched = np.asarray(jax.vmap(f)(seeds))
    for i, e in enumerate(eager):
        np.testing.assert_array_equal(batched[i], e)


@pytest.mark.parametrize("op", sorted(ALL_OPS))
def test_different_seeds_differ(op):
    f = ALL_OPS[op]
    outs = [np.asarray(f(s)).tobytes() for s in [(0, 0), (0, 1), (1, 0), (1, 1), (2**40, 0)]]
    if op in ("shuffle", "index_shuffle", "categorical"):
        assert len(set(outs)) >= 4  # small outputs can coincide by chance
    else:
        assert len(set(outs)) == 5


def test_adjacent_seeds_uncorrelated():
    # 64 adjacent seeds, 4096 values each: pairwise correlations of independent uniforms are
    # ~N(0, 1/4096); |r| < 5.5 sigma for all 2016 pairs fails by chance with p < 1e-4.
    x = np.stack([_np(seedkit.stateless_uniform([4096], (i, 0))) for i in range(64)])
    r = np.corrcoef(x)[np.triu_indices(64, 1)]
    assert np.max(np.abs(r)) < 5.5 / math.sqrt(4096)
    # and the same position across seeds is uniform
    assert stats.kstest(x[:, 0], "uniform").pvalue > P_MIN


def test_seed_sensitivity_of_every_word():
    base = _np(seedkit.stateless_uniform([64], (0, 0)))
    for seed in [(1, 0), (2**32, 0), (0, 1), (0, 2**32), (-(2**63), 0), (0, -(2**63))]:
        other = _np(seedkit.stateless_uniform([64], seed))
        assert stats.pearsonr(base, other).pvalue > 1e-6 and not np.array_equal(base, other)


# ---------------------------------------------------------------------------- dtypes, shapes
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
@pytest.mark.parametrize("fn", ["stateless_uniform", "stateless_normal", "stateless_truncated_normal"])
@pytest.mark.parametrize("shape", [(), (0,), (1,), (3, 5), (2, 0, 3)])
def test_float_dtypes_and_shapes(fn, dtype, shape):
    x = getattr(seedkit, fn)(shape, (1, 2), dtype=dtype)
    assert x.shape == shape and x.dtype == jnp.dtype(dtype)
    assert bool(jnp.all(jnp.isfinite(x)))


@pytest.mark.parametrize("dtype", ["int32", "uint32"])
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3)])
def test_int_dtypes_and_shapes(dtype, shape):
    for lo, hi in [(0, 10), (None, None)]:
        x = seedkit.stateless_uniform(shape, (1, 2), minval=lo, maxval=hi, dtype=dtype)
        assert x.shape == shape and x.dtype == jnp.dtype(dtype)


def test_shape_forms():
    a = seedkit.stateless_uniform([2, 3], (1, 2))
    for s in [(2, 3), np.array([2, 3]), jnp.array([2, 3])]:
        np.testing.assert_array_equal(seedkit.stateless_uniform(s, (1, 2)), a)
    assert seedkit.stateless_uniform(4, (1, 2)).shape == (4,)


def test_float64_request_without_x64_warns_and_gives_float32():
    with pytest.warns(UserWarning, match="float64"):
        x = seedkit.stateless_uniform([3], (1, 2), dtype=jnp.float64)
    assert x.dtype == jnp.float32
    with pytest.warns(UserWarning, match="int64"):
        assert seedkit.stateless_uniform([3], (1, 2), 0, 5, dtype="int64").dtype == jnp.int32


def test_other_output_dtypes():
    assert seedkit.stateless_categorical(jnp.zeros((1, 3)), 2, (1, 2)).dtype == jnp.int32
    assert seedkit.stateless_categorical(jnp.zeros((1, 3)), 2, (1, 2), dtype="int32").dtype == jnp.int32
    x = jnp.arange(6, dtype=jnp.int16)
    assert seedkit.index_shuffle(x, (1, 2), 5).dtype == jnp.int16
    assert seedkit.stateless_split((1, 2)).dtype == jnp.int32
    assert seedkit.stateless_split(jnp.array([1, 2], jnp.uint32)).dtype == jnp.uint32
    assert seedkit.stateless_fold_in((1, 2), 3).dtype == jnp.int32
    p = seedkit.stateless_parameterized_truncated_normal([2], (1, 2), means=jnp.zeros(2, jnp.bfloat16))
    assert p.dtype == jnp.bfloat16


# ---------------------------------------------------------------------------- ranges
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_uniform_float_range(dtype):
    x = _np(seedkit.stateless_uniform([100_000], SEED, minval=-3, maxval=-1, dtype=dtype))
    assert x.min() >= -3 and x.max() < -1
    # a narrow interval where rounding of u * span + minval would otherwise reach maxval
    y = _np(seedkit.stateless_uniform([100_000], SEED, minval=1.0, maxval=1.0 + 2**-6, dtype=dtype))
    assert y.max() < 1.0 + 2**-6


@pytest.mark.parametrize(("lo", "hi"), [(-60000.0, 60000.0), (-65504.0, 65504.0), (-16.0, 65504.0)])
def test_float16_uniform_with_a_span_beyond_float16(lo, hi):
    """hi - lo overflows float16 (the largest is 65504): the span is rounded to float16's 11
    significant bits all the same (for these bounds: 120000 and 131008 exactly; 65520, halfway between
    float16's largest value and 2**16, to 2**16, ties to even), then
    each value is ``u * span + lo`` rounded once to float16, u the [0, 1) draw of the same seed
    (every value used to come out just below maxval)."""
    span = {(-60000.0, 60000.0): 120000.0, (-65504.0, 65504.0): 131008.0, (-16.0, 65504.0): 65536.0}[(lo, hi)]
    u = _np(seedkit.stateless_uniform([20_000], SEED, dtype="float16")).astype(np.float64)
    x = _np(seedkit.stateless_uniform([20_000], SEED, minval=lo, maxval=hi, dtype="float16"))
    below = np.nextafter(np.float16(hi), np.float16(-np.inf))
    want = (u * span + lo).astype(np.float16)  # exact in float64, then rounded once
    np.testing.assert_array_equal(x, np.minimum(want, below))
    assert x.min() < lo + (hi - lo) / 4 and x.max() > hi - (hi - lo) / 4 and np.unique(x).size > 1000


@pytest.mark.parametrize(
    ("lo", "hi", "dtype"),
    [
        (0, 1, "int32"),
        (-5, 5, "int32"),
        (-(2**31), 2**31 - 1, "int32"),
        (0, 2**32 - 1, "uint32"),
        (7, 10, "uint32"),
    ],
)
def test_uniform_int_range_never_maxval(lo, hi, dtype):
    x = np.asarray(seedkit.stateless_uniform([50_000], SEED, minval=lo, maxval=hi, dtype=dtype)).astype(
        np.int64
    )
    assert x.min() >= lo and x.max() < hi
    if hi - lo <= 10:
        assert set(np.unique(x)) == set(range(lo, hi))


def test_truncated_normal_bounds_and_scale():
    x = _np(seedkit.stateless_truncated_normal([100_000], SEED, mean=3.0, stddev=0.5))
    assert x.min() > 2.0 and x.max() < 4.0


def test_index_shuffle_is_a_bijection():
    for max_index in [0, 1, 2, 3, 4, 5, 16, 100, 129, 1000, 2389, 65536]:
        for seed in [(74, 117), (42, 5), (0, 0)]:
            out = np.asarray(seedkit.index_shuffle(jnp.arange(max_index + 1), seed, max_index))
            assert sorted(out.tolist()) == list(range(max_index + 1))


def test_index_shuffle_large_domain_in_range_and_injective():
    m = 2**32 - 1
    idx = jnp.array([0, 1, 2, 3, 2**31, m], jnp.uint32)
    out = np.asarray(seedkit.index_shuffle(idx, (1, 2), m)).astype(np.int64)
    assert len(set(out.tolist())) == 6 and out.max() <= m


def test_shuffle_is_a_permutation_of_rows():
    v = jnp.arange(30).reshape(10, 3)
    out = np.asarray(seedkit.stateless_shuffle(v, (1, 2)))
    assert sorted(map(tuple, out.tolist())) == sorted(map(tuple, np.asarray(v).tolist()))
    assert seedkit.stateless_shuffle(jnp.array(5), (1, 2)).shape == ()
    assert seedkit.stateless_shuffle(jnp.zeros((0, 2)), (1, 2)).shape == (0, 2)


def test_split_and_fold_in_values():
    s = np.asarray(seedkit.stateless_split((1, 2), 4))
    assert s.shape == (4, 2) and len({tuple(r) for r in s.tolist()} | {(1, 2)}) == 5
    f = [tuple(np.asarray(seedkit.stateless_fold_in((1, 2), d)).tolist()) for d in range(5)]
    assert len(set(f)) == 5 and all(t[1] == d for d, t in enumerate(f))
    # derived seeds are usable seeds and give unrelated numbers
    us = {np.asarray(seedkit.stateless_uniform([4], tuple(r))).tobytes() for r in s.tolist()}
    assert len(us) == 4
    assert seedkit.stateless_split((1, 2), 0).shape == (0, 2)


# ---------------------------------------------------------------------------- distributions
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_uniform_distribution(dtype):
    x = _np(seedkit.stateless_uniform([200_000], SEED, dtype=dtype))
    if dtype == "float32":
        assert stats.kstest(x, "uniform").pvalue > P_MIN
    # chi-square on 64 bins whose edges are exact in every dtype
    counts = np.histogram(x, bins=64, range=(0, 1))[0]
    assert stats.chisquare(counts).pvalue > P_MIN


def test_uniform_scaled_distribution():
    x = _np(seedkit.stateless_uniform([100_000], SEED, minval=-2.0, maxval=5.0))
    assert stats.kstest(x, "uniform", args=(-2.0, 7.0)).pvalue > P_MIN


@pytest.mark.parametrize(("lo", "hi"), [(0, 7), (-3, 97), (0, 3 * 2**29)])
def test_uniform_int_distribution(lo, hi):
    x = np.asarray(seedkit.stateless_uniform([200_000], SEED, minval=lo, maxval=hi, dtype="int32")).astype(
        np.int64
    )
    bins = min(hi - lo, 100)
    # equal-width bins for small spans; for the large span 3*2**29, a modulo-biased sampler
    # would put 2x the mass in the first third, which 3 bins would show
    counts = np.histogram(x, bins=bins if hi - lo < 1000 else 3, range=(lo, hi))[0]
    assert stats.chisquare(counts).pvalue > P_MIN


def test_full_range_int_bits_are_fair():
    x = np.asarray(seedkit.stateless_uniform([100_000], SEED, minval=None, maxval=None, dtype="uint32"))
    bits = (x[:, None] >> np.arange(32)) & 1
    ones = bits.sum(0)
    # each bit ~ Binomial(n, 1/2): 4.5 sigma over 32 bits false-fails with p ~ 2e-4
    assert np.all(np.abs(ones - 50_000) < 4.5 * math.sqrt(25_000))


@pytest.mark.parametrize(("mean", "stddev"), [(0.0, 1.0), (2.0, 3.0), (-1.0, 0.1)])
def test_normal_distribution(mean, stddev):
    x = _np(seedkit.stateless_normal([200_000], SEED, mean=mean, stddev=stddev))
    assert stats.kstest(x, "norm", args=(mean, stddev)).pvalue > P_MIN


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_normal_half_precision(dtype):
    x = _np(seedkit.stateless_normal([100_000], SEED, dtype=dtype))
    assert abs(x.mean()) < 4.5 / math.sqrt(100_000) and abs(x.std() - 1) < 0.02


def test_normal_tails():
    # P(|z| > 4) = 6.3e-5: 2e6 samples expect 127; far too few would mean a clipped tail.
    x = _np(seedkit.stateless_normal([2_000_000], SEED))
    n = int(np.sum(np.abs(x) > 4))
    assert stats.poisson(2e6 * 2 * stats.norm.sf(4)).cdf(n) > P_MIN / 2
    assert stats.poisson(2e6 * 2 * stats.norm.sf(4)).sf(n - 1) > P_MIN / 2


def test_truncated_normal_distribution():
    x = _np(seedkit.stateless_truncated_normal([200_000], SEED, mean=1.0, stddev=2.0))
    assert stats.kstest(x, stats.truncnorm(-2, 2, loc=1.0, scale=2.0).cdf).pvalue > P_MIN
    # TF's own check: std of a 2-sigma truncated normal is ~0.88 stddev
    assert abs(x.std() / 2.0 - stats.truncnorm(-2, 2).std()) < 0.01


@pytest.mark.parametrize(
    ("mean", "std", "lo", "hi"),
    [
        (0.0, 1.0, -2.0, 2.0),
        (0.0, 1.0, 1.0, 3.0),
        (5.0, 2.0, -1.0, 4.0),
        (0.0, 1.0, 4.0, 7.0),
        (0.0, 1.0, -9.0, -5.0),
        (0.0, 1.0, 0.0, np.inf),
    ],
)
def test_parameterized_truncated_normal_distribution(mean, std, lo, hi):
    x = _np(seedkit.stateless_parameterized_truncated_normal([100_000], SEED, mean, std, lo, hi))
    assert x.min() >= lo and x.max() <= hi
    ref = stats.truncnorm((lo - mean) / std, (hi - mean) / std, loc=mean, scale=std)
    assert stats.kstest(x, ref.cdf).pvalue > P_MIN


def test_parameterized_truncated_normal_broadcasts_per_row():
    x = _np(
        seedkit.stateless_parameterized_truncated_normal(
            [2, 50_000],
            SEED,
            means=[[0.0], [10.0]],
            stddevs=[[1.0], [0.5]],
            minvals=[[-1.0], [10.0]],
            maxvals=[[1.0], [11.0]],
        )
    )
    assert stats.kstest(x[0], stats.truncnorm(-1, 1).cdf).pvalue > P_MIN
    assert stats.kstest(x[1], stats.truncnorm(0, 2, loc=10, scale=0.5).cdf).pvalue > P_MIN


def test_categorical_distribution():
    probs = np.array([[0.1, 0.25, 0.5, 0.15], [0.7, 0.1, 0.1, 0.1]])
    x = np.asarray(seedkit.stateless_categorical(np.log(probs), 50_000, SEED))
    assert x.shape == (2, 50_000)
    for row, p in zip(x, probs, strict=False):
        counts = np.bincount(row, minlength=4)
        assert stats.chisquare(counts, p * row.size).pvalue > P_MIN


def test_categorical_extremes():
    # TF's tests: a dominant logit always wins; -inf classes are never drawn.
    x = np.asarray(seedkit.stateless_categorical(jnp.array([[-10.0, 10.0, -10.0]]), 1000, SEED))
    assert np.all(x == 1)
    logits = jnp.concatenate([jnp.full((1, 1023), jnp.finfo(jnp.float32).min), jnp.zeros((1, 1))], axis=1)
    assert np.all(np.asarray(seedkit.stateless_categorical(logits, 100, SEED)) == 1023)
    y = np.asarray(seedkit.stateless_categorical(jnp.array([[0.0, -jnp.inf, 0.0]]), 1000, SEED))
    assert not np.any(y == 1)


def test_categorical_infinite_logits_share_the_draws():
    """Threefry: a row with +inf logits draws only those classes, each equally likely (the limit
    of the softmax); a single one is always drawn. Two +inf classes over 20,000 draws: each
    count is Binomial(20000, 1/2), standard deviation 70.7; the bound of 5 of them fails by
    chance with probability about 6e-7 (fixed seed)."""
    inf = jnp.inf
    x = np.asarray(seedkit.stateless_categorical(jnp.array([[inf, 0.0, inf], [0.0, inf, 3.0]]), 20_000, SEED))
    counts = np.bincount(x[0], minlength=3)
    assert counts[1] == 0 and abs(counts[0] - 10_000) < 5 * 70.7
    assert np.all(x[1] == 1)


def test_shuffle_is_uniform_over_permutations():
    # all 24 permutations of 4 items over 24_000 seeds: chi-square, 23 degrees of freedom
    seeds = jnp.stack([jnp.arange(24_000, dtype=jnp.int32), jnp.full(24_000, 3, jnp.int32)], axis=1)
    perms = np.asarray(jax.vmap(lambda s: seedkit.stateless_shuffle(jnp.arange(4), s))(seeds))
    codes = perms @ np.array([64, 16, 4, 1])
    counts = np.unique(codes, return_counts=True)[1]
    assert len(counts) == 24 and stats.chisquare(counts).pvalue > P_MIN


def test_index_shuffle_positions_are_uniform():
    # where index 0 lands, over 20_000 seeds, for a domain of 10 (Feistel plus cycle-walking)
    seeds = jnp.stack([jnp.arange(20_000, dtype=jnp.int32), jnp.zeros(20_000, jnp.int32)], axis=1)
    pos = np.asarray(jax.vmap(lambda s: seedkit.index_shuffle(jnp.array([0, 5]), s, 9))(seeds))
    for col in range(2):
        assert stats.chisquare(np.bincount(pos[:, col], minlength=10)).pvalue > P_MIN


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("call", "exc", "pattern"),
    [
        (lambda: seedkit.stateless_uniform([-1], (1, 2)), ValueError, "shape.*negative"),
        (lambda: seedkit.stateless_uniform([2.5], (1, 2)), TypeError, "shape"),
        (lambda: seedkit.stateless_uniform("ab", (1, 2)), TypeError, "shape"),
        (lambda: seedkit.stateless_uniform([2], (1, 2), dtype="int32"), ValueError, "maxval"),
        (
            lambda: seedkit.stateless_uniform([2], (1, 2), minval=None, maxval=5, dtype="int32"),
            ValueError,
            "minval",
        ),
        (
            lambda: seedkit.stateless_uniform([2], (1, 2), minval=5, maxval=5, dtype="int32"),
            ValueError,
            "less than",
        ),
        (
            lambda: seedkit.stateless_uniform([2], (1, 2), minval=6, maxval=5, dtype="int32"),
            ValueError,
            "less than",
        ),
        (
            lambda: seedkit.stateless_uniform([2], (1, 2), minval=0, maxval=2**31, dtype="int32"),
            ValueError,
            "maxval",
        ),
        (
            lambda: seedkit.stateless_uniform([2], (1, 2), minval=-1, maxval=5, dtype="uint32"),
            ValueError,
            "minval",
        ),
        (
            lambda: seedkit.stateless_uniform([2], (1, 2), minval=0.5, maxval=5, dtype="int32"),
            TypeError,
            "minval",
        ),
        (
            lambda: seedkit.stateless_uniform([2], (1, 2), minval=[0, 1], maxval=5, dtype="int32"),
            ValueError,
            "scalar",
        ),
        (lambda: seedkit.stateless_uniform([2], (1, 2), minval=None), ValueError, "minval"),
        (lambda: seedkit.stateless_uniform([2], (1, 2), maxval=[1.0, 2.0, 3.0]), ValueError, "maxval"),
        (lambda: seedkit.stateless_uniform([2], (1, 2), dtype="int8"), TypeError, "dtype"),
        (lambda: seedkit.stateless_uniform([2], (1, 2), dtype="complex64"), TypeError, "dtype"),
        (lambda: seedkit.stateless_uniform([2], (1, 2), dtype="not-a-dtype"), TypeError, "dtype"),
        (lambda: seedkit.stateless_normal([2], (1, 2), dtype="int32"), TypeError, "dtype"),
        (lambda: seedkit.stateless_normal([2], (1, 2), mean=[1.0, 2.0, 3.0]), ValueError, "mean"),
        (lambda: seedkit.stateless_uniform([2], (1, 2), alg="mersenne"), ValueError, "alg"),
        (lambda: seedkit.stateless_uniform([2], (1, 2), alg=7), ValueError, "alg"),
        (lambda: seedkit.stateless_uniform([2], (1, 2), alg=2.0), TypeError, "alg"),
        (lambda: seedkit.stateless_categorical(jnp.zeros((1, 3)), 2.5, (1, 2)), TypeError, "num_samples"),
        (lambda: seedkit.stateless_categorical(jnp.zeros((1, 3)), -1, (1, 2)), ValueError, "num_samples"),
        (lambda: seedkit.stateless_categorical(jnp.zeros(3), 2, (1, 2)), ValueError, "logits"),
        (
            lambda: seedkit.stateless_categorical(jnp.zeros((1, 3)), 2, (1, 2), dtype="float32"),
            TypeError,
            "dtype",
        ),
        (lambda: seedkit.stateless_split((1, 2), -1), ValueError, "num"),
        (lambda: seedkit.stateless_split((1, 2), 2.0), TypeError, "num"),
        (lambda: seedkit.stateless_fold_in((1, 2), 1.5), TypeError, "data"),
        (lambda: seedkit.stateless_fold_in((1, 2), [1, 2]), TypeError, "data"),
        (lambda: seedkit.index_shuffle(jnp.arange(5), (1, 2), 3), ValueError, "max_index"),
        (lambda: seedkit.index_shuffle(jnp.array([-1]), (1, 2), 3), ValueError, "index"),
        (lambda: seedkit.index_shuffle(jnp.array([1.0]), (1, 2), 3), TypeError, "index"),
        (lambda: seedkit.index_shuffle(jnp.array([1]), (1, 2), -1), ValueError, "max_index"),
        (
            lambda: seedkit.stateless_parameterized_truncated_normal([2], (1, 2), minvals=1.0, maxvals=0.0),
            ValueError,
            "minvals",
        ),
        (
            lambda: seedkit.stateless_parameterized_truncated_normal([2], (1, 2), stddevs=-1.0),
            ValueError,
            "stddevs",
        ),
        (lambda: seedkit.stateless_gamma([2], (1, 2), alpha=[1.0, 2.0, 3.0]), ValueError, "alpha"),
        (lambda: seedkit.stateless_gamma([2], (1, 2), alpha=-1.0), ValueError, "alpha"),
        (lambda: seedkit.stateless_poisson([3], (1, 2), lam=[1.0, 2.0]), ValueError, "lam"),
        (lambda: seedkit.stateless_poisson([3], (1, 2), lam=-1.0), ValueError, "lam"),
        (lambda: seedkit.stateless_binomial([3], (1, 2), counts=-1.0, probs=0.5), ValueError, "counts"),
        (lambda: seedkit.stateless_binomial([3], (1, 2), counts=[1.0, 2.0], probs=0.5), ValueError, "counts"),
    ],
)
def test_bad_input(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_philox_spellings_agree_and_differ_from_threefry():
    ref = np.asarray(seedkit.stateless_uniform([3], (1, 2), alg="philox"))
    for alg in ["PHILOX", 1, seedkit.Algorithm.PHILOX]:
        np.testing.assert_array_equal(seedkit.stateless_uniform([3], (1, 2), alg=alg), ref)
    assert not np.array_equal(ref, seedkit.stateless_uniform([3], (1, 2), alg="threefry"))


def test_alg_spellings_agree():
    ref = np.asarray(seedkit.stateless_uniform([3], (1, 2)))
    for alg in ["threefry", "THREEFRY", "auto-select", "auto_select", 2, 3, seedkit.Algorithm.THREEFRY, None]:
        np.testing.assert_array_equal(seedkit.stateless_uniform([3], (1, 2), alg=alg), ref)


def test_traced_shape_is_a_clear_error():
    with pytest.raises(TypeError, match="static"):
        jax.jit(lambda n: seedkit.stateless_uniform(n, (1, 2)))(jnp.array([3]))


def test_no_warning_for_default_dtypes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seedkit.stateless_categorical(jnp.zeros((1, 2)), 3, (1, 2))
        seedkit.stateless_uniform([2], (1, 2))


def test_key_interop_with_jax_random():
    k = seedkit.key((1, 2))
    assert jax.dtypes.issubdtype(k.dtype, jax.dtypes.prng_key)
    a = jax.random.uniform(k, (3,))
    np.testing.assert_array_equal(a, jax.random.uniform(seedkit.key([1, 2]), (3,)))
    assert not np.array_equal(a, jax.random.uniform(seedkit.key((1, 3)), (3,)))
