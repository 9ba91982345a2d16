"""Property tests over the whole seed and argument space (hypothesis)."""

import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import seedkit

int64 = st.integers(-(2**63), 2**63 - 1)
settings.register_profile("seedkit", max_examples=60, deadline=None)
settings.load_profile("seedkit")


@given(int64, int64)
def test_any_int64_seed_gives_uniforms_in_range_and_equal_forms(a, b):
    x = np.asarray(seedkit.stateless_uniform([8], (a, b)))
    assert x.min() >= 0 and x.max() < 1
    np.testing.assert_array_equal(x, seedkit.stateless_uniform([8], np.array([a, b], np.int64)))


@given(int64, int64, st.integers(-(2**31), 2**31 - 2), st.integers(1, 2**31))
def test_int_ranges_hold_for_any_bounds(a, b, lo, span):
    hi = min(lo + span, 2**31 - 1)
    x = np.asarray(seedkit.stateless_uniform([16], (a, b), minval=lo, maxval=hi, dtype=jnp.int32)).astype(
        np.int64
    )
    assert x.min() >= lo and x.max() < hi


@given(int64, int64, st.integers(0, 3000))
def test_index_shuffle_is_a_bijection_for_any_domain(a, b, max_index):
    out = np.asarray(seedkit.index_shuffle(jnp.arange(max_index + 1), (a, b), max_index))
    assert np.array_equal(np.sort(out), np.arange(max_index + 1))


@given(int64, int64, st.integers(0, 2**31 - 1))
def test_fold_in_and_split_give_valid_distinct_seeds(a, b, data):
    f = np.asarray(seedkit.stateless_fold_in((a, b), data))
    assert int(f[1]) == data
    s = np.asarray(seedkit.stateless_split((a, b), 3))
    assert len({tuple(r) for r in s.tolist()}) == 3
