"""Issue 16: inputs at the edges get TensorFlow's answers.

The reference is ``tests/data/tf_inputs.json``, written by ``scripts/make_tf_input_fixtures.py``
(TensorFlow 2.21, CPU, eager). Entries are named after the issue's case numbers.
"""

from __future__ import annotations

import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import seedkit
from tests._tf_fixtures import hex_bits

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "tf_inputs.json").read_text())
STATEFUL, STATELESS = DATA["stateful"], DATA["stateless"]
SEED = (1, 2)


def _same(out, ref: dict) -> None:
    a = np.asarray(out)
    assert list(a.shape) == ref["shape"] and a.dtype.name == ref["dtype"]
    assert hex_bits(a) == ref["out"]


# --- 1 / 8: Python ints beyond int32 are int64 values, not wrapped int32s -----------------------
@pytest.mark.usefixtures("isolated_rng")
@pytest.mark.parametrize("alg", ["threefry", "philox"])
def test_c1_stateful_poisson_and_gamma_with_wide_int_parameters(alg):
    seedkit.set_default_algorithm(alg)
    try:
        p = np.asarray(seedkit.poisson([3], 2**40, seed=5))
        g = np.asarray(seedkit.gamma([3], 2**31, seed=5))
        p_int = np.asarray(seedkit.poisson([3], np.int64(2**31), seed=5))
    finally:
        seedkit.set_default_algorithm("threefry")
    # TF's draws (same distribution): Poisson(2**40) has sd 2**20, i.e. relative 1e-6.
    np.testing.assert_allclose(p, STATEFUL["c1_poisson_2_40"], rtol=1e-5)
    np.testing.assert_allclose(g, STATEFUL["c1_gamma_2_31"], rtol=1e-3)
    np.testing.assert_allclose(p_int, 2.0**31, rtol=1e-3)


def test_c1_stateless_poisson_wide_int_rate_is_tf_exact():
    out = seedkit.stateless_poisson([3], SEED, 2**40, dtype="float32", alg="philox")
    _same(out, STATELESS["c1_stateless_poisson_2_40"])


@pytest.mark.parametrize(
    "call",
    [
        lambda: seedkit.stateless_uniform([3], SEED, 0, 2**40),
        lambda: seedkit.uniform([3], 0, 2**40),
        lambda: seedkit.normal([3], 2**40),
        lambda: seedkit.Generator.from_seed(1).uniform([3], 0, 2**40),
        lambda: seedkit.stateless_poisson([3], SEED, 2**40, dtype="float32"),
        lambda: seedkit.stateless_gamma([3], SEED, 2**31),
        lambda: seedkit.stateless_normal([3], SEED, np.array([2**40, 2**40, 2**41])),
    ],
)
def test_c8_wide_int_parameters_are_accepted(call):
    x = np.asarray(call())
    assert np.all(np.isfinite(x)) and np.all(x > 1e8)


def test_c8_ints_beyond_int64_are_a_clear_error():
    with pytest.raises(ValueError, match="`maxval` must lie in the int64 range"):
        seedkit.stateless_uniform([3], SEED, 0, 2**70)


# --- 2: far tails of the parameterized truncated normal ---------------------------------------
@pytest.mark.parametrize("alg", ["threefry", "philox"])
@pytest.mark.parametrize(
    "mean,sd,lo,hi",
    [(0.0, 1.0, 13.0, 14.0), (0.0, 1.0, 30.0, 31.0), (0.0, 1.0, -14.0, -13.0), (5.0, 2.0, 35.0, 40.0)],
)
def test_c2_truncated_normal_far_in_the_tail(alg, mean, sd, lo, hi):
    x = np.asarray(seedkit.stateless_parameterized_truncated_normal([10000], SEED, mean, sd, lo, hi, alg=alg))
    assert np.all((x >= lo) & (x <= hi))
    # The mass sits at the bound nearest the mean, with mean offset about sd / |a| (Mills ratio).
    upper = lo > mean
    near, far = (lo, hi) if upper else (hi, lo)
    a = abs(near - mean) / sd
    expected = near + sd / a if upper else near - sd / a
    assert abs(x.mean() - expected) < 0.05 * sd / a
    assert np.sum(x == far) == 0


def test_c2_mean_matches_tf():
    ref = STATELESS["c2_ptn_13_14"]
    x = np.asarray(seedkit.stateless_parameterized_truncated_normal([10000], SEED, 0.0, 1.0, 13.0, 14.0))
    assert abs(x.mean() - ref["mean"]) < 3e-3 and x.min() >= 13.0 and x.max() < 14.0


# --- 3: fold_in of 64-bit data ---------------------------------------------------------------
def test_c3_fold_in_of_wide_data_is_tf_exact_with_x64():
    with jax.enable_x64(True):
        assert (
            np.asarray(seedkit.stateless_fold_in(SEED, 2**32, alg="philox")).tolist()
            == STATELESS["c3_fold_in_2_32"]
        )
    assert np.asarray(seedkit.stateless_fold_in(SEED, 0, alg="philox")).tolist() == STATELESS["c3_fold_in_0"]


@pytest.mark.parametrize("alg", ["threefry", "philox"])
@pytest.mark.parametrize("data", [np.int64(2**32), np.uint64(2**32 + 5), 2**32, -(2**31) - 1, 2**63 - 1])
def test_c3_fold_in_of_wide_data_without_x64_is_x64s_seed(data, alg):
    # issue 15 item 7: it raised; now it folds on the host, into x64 mode's (TF's) values.
    assert not jax.config.jax_enable_x64
    got = seedkit.stateless_fold_in(SEED, data, alg=alg)
    assert (
        isinstance(got, np.ndarray)
        and got.dtype == np.asarray(data if not isinstance(data, int) else np.int64(data)).dtype
    )
    with jax.enable_x64(True):
        expected = np.asarray(seedkit.stateless_fold_in(SEED, data, alg=alg))
    np.testing.assert_array_equal(got, expected)
    if alg == "philox" and data == 2**32:
        assert got.tolist() == STATELESS["c3_fold_in_2_32"]
    if got.dtype == np.int64:  # a seed again: it draws what x64 mode's seed draws
        with jax.enable_x64(True):
            want = np.asarray(seedkit.stateless_uniform([3], seed=expected))
        np.testing.assert_array_equal(seedkit.stateless_uniform([3], seed=got), want)


def test_c3_wide_fold_in_refuses_inside_transformations():
    with pytest.raises(ValueError, match="jax_enable_x64"):
        jax.jit(lambda s: seedkit.stateless_fold_in(s, 2**40))(jnp.array(SEED))
    with pytest.raises(ValueError, match="jax_enable_x64"):
        jax.jit(lambda: seedkit.stateless_fold_in(SEED, 2**40))()  # a concrete seed, but staged
    assert int(jax.jit(lambda s: seedkit.stateless_fold_in(s, 2**30))(jnp.array(SEED))[1]) == 2**30


# --- 4: NaN logits are never drawn -----------------------------------------------------------
@pytest.mark.parametrize("alg", ["threefry", "philox"])
def test_c4_nan_logit_never_drawn(alg):
    x = np.asarray(seedkit.stateless_categorical(jnp.array([[0.0, jnp.nan, 0.0]]), 2000, SEED, alg=alg))
    counts = np.bincount(x.ravel(), minlength=3)
    assert counts[1] == 0 and abs(counts[0] - 1000) < 100
    if alg == "philox":
        assert counts.tolist() == STATELESS["c4_categorical_nan_counts"]


# --- 5: half precision and the bounds --------------------------------------------------------
@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_c5_threefry_truncated_normal_half_stays_inside(dtype):
    x = np.asarray(seedkit.stateless_truncated_normal([10000], SEED, dtype=dtype)).astype(np.float32)
    assert np.abs(x).max() < 2.0
    y = np.asarray(seedkit.stateless_truncated_normal([10000], SEED, 3.0, 0.1, dtype=dtype)).astype(
        np.float32
    )
    assert y.min() > 2.8 - 1e-6 and y.max() < 3.2 + 1e-6


def test_c5_philox_truncated_normal_keeps_tfs_rounding_onto_the_bound():
    x = np.asarray(seedkit.stateless_truncated_normal([10000], SEED, dtype="bfloat16", alg="philox"))
    on_bound = np.flatnonzero(np.abs(x.astype(np.float32)) >= 2.0).tolist()
    assert on_bound == STATELESS["c5_truncated_bf16_on_bound"]


@pytest.mark.parametrize("alg", ["threefry", "philox"])
@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16])
def test_c5_parameterized_half_respects_the_bounds_in_its_dtype(alg, dtype):
    """TF converts the bounds to the dtype of ``means`` first; its float16 samples reach
    ``float16(-0.3) = -0.300048828125`` (its fixture), never beyond."""
    args = [jnp.asarray(v, dtype) for v in (0.0, 1.0, -0.3, 0.3)]
    x = np.asarray(seedkit.stateless_parameterized_truncated_normal([10000], SEED, *args, alg=alg))
    lo, hi = (float(jnp.asarray(v, dtype)) for v in (-0.3, 0.3))
    assert x.dtype == np.dtype(dtype)
    assert float(x.min()) >= lo and float(x.max()) <= hi
    if dtype == jnp.float16:
        tf_min, tf_max = STATELESS["c5_ptn_f16_min_max"]
        assert tf_min >= lo and tf_max <= hi


# --- 6: a rate the output dtype cannot hold --------------------------------------------------
@pytest.mark.parametrize("alg", ["threefry", "philox"])
@pytest.mark.parametrize("dtype,lam", [("int32", 3e9), ("float16", 1e5)])
def test_c6_poisson_rate_beyond_the_output_dtype_is_an_error(alg, dtype, lam):
    """TF never returns (its kernel retries forever; tests/data/tf_philox_poisson.json leaves
    such rates out for that reason): a clear error, not -1."""
    with pytest.raises(ValueError, match="exceeds the largest"):
        seedkit.stateless_poisson([3], SEED, lam, dtype=dtype, alg=alg)
    ok = np.asarray(seedkit.stateless_poisson([3], SEED, 3e9, dtype="float32", alg=alg))
    assert np.all(np.abs(ok - 3e9) < 1e6)


@pytest.mark.usefixtures("isolated_rng")
def test_c6_stateful_poisson_rate_error_leaves_state_unchanged():
    seedkit.set_seed(3)
    before = seedkit.get_state()
    expected = np.asarray(seedkit.uniform([2]))
    seedkit.set_state(before)
    with pytest.raises(ValueError, match="exceeds the largest"):
        seedkit.poisson([3], 3e9, dtype="int32")
    np.testing.assert_array_equal(np.asarray(seedkit.uniform([2])), expected)


# --- 9-12: inputs TF accepts ------------------------------------------------------------------
@pytest.mark.usefixtures("isolated_rng", "philox_default")
def test_c9_op_seed_beyond_int64_is_reduced_as_tf():
    assert seedkit.get_seed(2**100) == (87654321, 128)
    _same(seedkit.uniform([3], 0, 17, dtype="int32", seed=2**100), STATEFUL["c9_uniform_seed_2_100"])


@pytest.mark.usefixtures("isolated_rng")
@pytest.mark.parametrize("alg", ["threefry", "philox"])
def test_c10_infinite_poisson_rate_gives_infinity(alg):
    seedkit.set_default_algorithm(alg)
    try:
        out = seedkit.poisson([2], np.inf, seed=3)
        ints = seedkit.stateless_poisson([2], SEED, np.inf)
    finally:
        seedkit.set_default_algorithm("threefry")
    _same(out, STATEFUL["c10_poisson_inf"])
    assert np.asarray(ints).tolist() == [0, 0]  # TF: numeric_limits<int>::infinity() is 0


@pytest.mark.usefixtures("isolated_rng")
def test_c11_empty_integer_range_is_fine_for_an_empty_shape():
    _same(seedkit.uniform([0], 0, 0, dtype="int32"), STATEFUL["c11_uniform_empty"])
    assert seedkit.stateless_uniform([2, 0], SEED, 5, 5, dtype="int32").shape == (2, 0)
    with pytest.raises(ValueError, match="`minval` must be less than `maxval`"):
        seedkit.uniform([1], 0, 0, dtype="int32")


@pytest.mark.usefixtures("isolated_rng")
@pytest.mark.parametrize("alg", ["threefry", "philox"])
def test_c12_gamma_alpha_zero_gives_the_smallest_normal(alg):
    seedkit.set_default_algorithm(alg)
    try:
        out = seedkit.gamma([5], 0.0, beta=1.0, seed=345)
        mixed = np.asarray(seedkit.stateless_gamma([4, 2], SEED, [0.0, 2.0]))
    finally:
        seedkit.set_default_algorithm("threefry")
    _same(out, STATEFUL["c12_gamma_alpha_0"])
    assert np.all(mixed[:, 0] == np.finfo(np.float32).tiny) and np.all(mixed[:, 1] > 1e-3)
    with pytest.raises(ValueError, match="`alpha` must be non-negative"):
        seedkit.stateless_gamma([2], SEED, -1.0)


# --- 17 / 19: what TF refuses, seedkit refuses with a clear error naming the argument --------------
REFUSALS = DATA["refusals"]
_su = seedkit.stateless_uniform
_REFUSED = {
    # name: (seedkit's call, its error, what the message must say)
    "c17_seed_int8": (lambda: _su([2], np.array([1, 2], np.int8)), TypeError, "`seed` must be.*int8"),
    "c17_seed_uint8": (lambda: _su([2], jnp.array([1, 2], jnp.uint8)), TypeError, "`seed` must be.*uint8"),
    "c17_seed_int16": (lambda: _su([2], np.array([1, 2], np.int16)), TypeError, "`seed` must be.*int16"),
    "c17_seed_uint64": (lambda: _su([2], np.array([1, 2], np.uint64)), TypeError, "`seed` must be.*uint64"),
    "c17_shape_2d": (lambda: _su([[2, 3]], SEED), ValueError, r"`shape` must be a 1-D.*shape=\[2, 3\]"),
    "c17_dtype_none": (lambda: _su([2], SEED, dtype=None), TypeError, "`dtype` must be one of.*got None"),
    "c17_stateful_dtype_none": (
        lambda: seedkit.uniform([2], dtype=None),
        TypeError,
        "`dtype` must be one of",
    ),
    "c19_minval_str": (lambda: _su([2], SEED, minval="a"), TypeError, "`minval` must be a real number"),
    "c19_mean_str": (
        lambda: seedkit.stateless_normal([2], SEED, mean="a"),
        TypeError,
        "`mean` must be a real",
    ),
    "c19_stddev_none": (
        lambda: seedkit.stateless_normal([2], SEED, stddev=None),
        TypeError,
        "`stddev` must be a number.*got None",
    ),
    "c19_alpha_str": (
        lambda: seedkit.stateless_gamma([2], SEED, alpha="a"),
        TypeError,
        "`alpha` must be a real",
    ),
    "c19_alpha_none": (
        lambda: seedkit.stateless_gamma([2], SEED, alpha=None),
        TypeError,
        "`alpha` must be a",
    ),
    "c19_lam_str": (lambda: seedkit.stateless_poisson([2], SEED, lam="a"), TypeError, "`lam` must be a real"),
    "c19_counts_str": (
        lambda: seedkit.stateless_binomial([2], SEED, counts="a", probs=0.5),
        TypeError,
        "`counts` must be a real",
    ),
    "c19_probs_none": (
        lambda: seedkit.stateless_binomial([2], SEED, counts=3, probs=None),
        TypeError,
        "`probs` must be a number.*got None",
    ),
    "c19_logits_str": (
        lambda: seedkit.stateless_categorical([["a", "b"]], 2, SEED),
        TypeError,
        "`logits` must be an array of numbers",
    ),
    "c19_logits_int": (
        lambda: seedkit.stateless_categorical([[1, 2]], 2, SEED),
        TypeError,
        "`logits` must be a floating-point array",
    ),
    "c19_stateful_gamma_alpha_none": (lambda: seedkit.gamma([2], alpha=None), TypeError, "`alpha` must be a"),
    "c19_stateful_poisson_lam_str": (
        lambda: seedkit.poisson([2], lam="a"),
        TypeError,
        "`lam` must be a real",
    ),
    "c19_fold_in_2_70": (
        lambda: seedkit.stateless_fold_in(SEED, 2**70),
        ValueError,
        "`data` must lie in the int64",
    ),
}


def test_every_refusal_in_the_fixture_is_covered():
    assert set(_REFUSED) | {"c17_seed_uint32", "c19_shuffle_str"} == set(REFUSALS)


@pytest.mark.usefixtures("isolated_rng")
@pytest.mark.parametrize("case", sorted(_REFUSED))
def test_c17_c19_tf_refuses_and_so_does_seedkit(case):
    assert REFUSALS[case] != "ok"  # TF refused it when the fixture was made
    call, error, match = _REFUSED[case]
    seedkit.set_seed(5)
    expected = np.asarray(seedkit.uniform([2]))
    seedkit.set_seed(5)
    with pytest.raises(error, match=match):
        call()
    np.testing.assert_array_equal(seedkit.uniform([2]), expected)  # no state moved


def test_c17_c19_where_seedkit_differs_from_tf_on_purpose():
    # uint32 seeds: TF refuses them (Tseed is int32/int64); seedkit takes them, the dtype of
    # JAX's raw keys (docs/stateless.md, "Keys"), zero-extended.
    assert REFUSALS["c17_seed_uint32"] != "ok"
    np.testing.assert_array_equal(_su([2], np.array([1, 2], np.uint32)), _su([2], np.array([1, 2], np.int64)))
    # Strings: TF shuffles string tensors; JAX arrays hold no strings, so seedkit says so.
    assert REFUSALS["c19_shuffle_str"] == "ok"
    for shuffle in (seedkit.shuffle, lambda v: seedkit.stateless_shuffle(v, SEED)):
        with pytest.raises(TypeError, match="`value` must be an array of numbers or booleans"):
            shuffle(["a", "b", "c"])
