"""Seeds: every accepted form gives the same numbers for the same value; bad seeds raise."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import seedkit


def _u(seed):
    return np.asarray(seedkit.stateless_uniform([4], seed))


@pytest.mark.parametrize(
    "form",
    [
        lambda a, b: (a, b),
        lambda a, b: [a, b],
        lambda a, b: np.array([a, b], np.int32),
        lambda a, b: np.array([a, b], np.int64),
        lambda a, b: jnp.array([a, b], jnp.int32),
        lambda a, b: (np.int64(a), np.int32(b)),
    ],
)
@pytest.mark.parametrize("pair", [(1, 2), (-1, 5), (0, -(2**31))])
def test_forms_agree(form, pair):
    np.testing.assert_array_equal(_u(form(*pair)), _u(pair))


def test_int32_sign_extends_and_uint32_does_not():
    # TF casts seeds to 64 bits with sign extension: int32 -1 is the int64 -1, while uint32
    # 0xFFFFFFFF is 4294967295.
    np.testing.assert_array_equal(_u(jnp.array([-1, 3], jnp.int32)), _u((-1, 3)))
    np.testing.assert_array_equal(_u(jnp.array([2**32 - 1, 3], jnp.uint32)), _u((2**32 - 1, 3)))
    assert not np.array_equal(_u((2**32 - 1, 3)), _u((-1, 3)))


def test_whole_int64_range_without_x64():
    assert not jax.config.jax_enable_x64
    lo, hi = -(2**63), 2**63 - 1
    values = {tuple(_u((a, b))) for a in (lo, hi, 0, 2**32, -(2**32)) for b in (lo, hi, 1)}
    assert len(values) == 15  # the high words matter


def test_traced_seed_equals_concrete():
    f = jax.jit(lambda s: seedkit.stateless_uniform([4], s))
    np.testing.assert_array_equal(f(jnp.array([-7, 9], jnp.int32)), _u((-7, 9)))
    np.testing.assert_array_equal(f(jnp.array([7, 2**31 + 9], jnp.uint32)), _u((7, 2**31 + 9)))


@pytest.mark.parametrize(
    ("seed", "exc", "words"),
    [
        (None, TypeError, "required"),
        ([1, 2, 3], ValueError, "shape [2]"),
        (np.zeros((2, 1), np.int32), ValueError, "shape [2]"),
        (5, ValueError, "shape [2]"),
        ([1.0, 2.0], TypeError, "float"),
        (np.array([1.0, 2.0]), TypeError, "float64"),
        (jnp.array([1.0, 2.0]), TypeError, "float32"),
        ([True, False], TypeError, "bool"),
        (jnp.array([True, False]), TypeError, "bool"),
        ([2**63, 0], ValueError, "int64 range"),
        ([0, -(2**63) - 1], ValueError, "int64 range"),
        ("12", TypeError, "str"),
        (np.array([2**64 - 1, 0], np.uint64), TypeError, "dtype uint64"),  # TF: int32/int64 only
    ],
)
def test_bad_seeds(seed, exc, words):
    with pytest.raises(exc, match="seed") as info:
        seedkit.stateless_uniform([2], seed)
    assert words in str(info.value)


def test_bad_seed_names_the_argument_of_split():
    with pytest.raises(ValueError, match="`seed`"):
        seedkit.stateless_split([1, 2, 3])
