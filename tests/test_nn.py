"""seedkit.nn: dropout and stateless_dropout with TF's semantics (issue 3)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seedkit import nn
from seedkit import random as sk
from seedkit.stateless import stateless_uniform

pytestmark = pytest.mark.usefixtures("isolated_rng")


X = np.arange(1, 41, dtype=np.float32).reshape(5, 8)


def _tf_scale(rate, dtype=np.float32):
    """TF: keep_prob = 1 - rate; scale = 1 / keep_prob in Python, then cast to x's dtype."""
    return np.asarray(1 / (1 - rate), dtype)


def test_dropout_keeps_where_the_uniform_draw_is_at_least_rate_and_scales():
    sk.set_seed(0)
    y = nn.dropout(X, 0.3, seed=1)
    sk.set_seed(0)
    u = sk.uniform(X.shape, seed=1)  # the op TF's dropout runs, on the same counter
    keep = np.asarray(u) >= np.float32(0.3)
    np.testing.assert_array_equal(y, np.where(keep, X * _tf_scale(0.3), 0))
    assert 0 < keep.sum() < keep.size


def test_dropout_shares_the_uniform_counter():
    sk.set_seed(0)
    nn.dropout(X, 0.5, seed=1)
    second = sk.uniform(X.shape, seed=1)
    sk.set_seed(0)
    sk.uniform(X.shape, seed=1)
    np.testing.assert_array_equal(second, sk.uniform(X.shape, seed=1))
    # Repeated dropout calls with one seed give new masks (A1, A2), and set_seed replays them.
    sk.set_seed(0)
    a1, a2 = nn.dropout(X, 0.5, seed=1), nn.dropout(X, 0.5, seed=1)
    assert not (a1 == a2).all()
    sk.set_seed(0)
    np.testing.assert_array_equal(nn.dropout(X, 0.5, seed=1), a1)


def test_unseeded_dropout_follows_the_global_seed():
    sk.set_seed(1234)
    a = [nn.dropout(X, 0.5) for _ in range(2)]
    sk.set_seed(1234)
    b = [nn.dropout(X, 0.5) for _ in range(2)]
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not (a[0] == a[1]).all()


def test_stateless_dropout_is_a_function_of_the_seed():
    y = nn.stateless_dropout(X, 0.4, seed=(1, 2))
    np.testing.assert_array_equal(y, nn.stateless_dropout(X, 0.4, seed=(1, 2)))
    keep = np.asarray(stateless_uniform(X.shape, seed=(1, 2))) >= np.float32(0.4)
    np.testing.assert_array_equal(y, np.where(keep, X * _tf_scale(0.4), 0))
    assert not (y == nn.stateless_dropout(X, 0.4, seed=(1, 3))).all()


def test_stateless_dropout_passes_rng_alg_and_noise_shape_by_name():
    y = nn.stateless_dropout(X, 0.5, (7, 8), "philox", noise_shape=[1, 8])
    keep = np.asarray(stateless_uniform((1, 8), seed=(7, 8), alg="philox")) >= np.float32(0.5)
    np.testing.assert_array_equal(y, np.where(keep, X * _tf_scale(0.5), 0))
    with pytest.raises(ValueError, match="rng_alg"):
        nn.stateless_dropout(X, 0.5, (7, 8), rng_alg="mersenne")


def test_stateless_dropout_under_jit_vmap_and_grad():
    f = jax.jit(lambda x, r, s: nn.stateless_dropout(x, r, s))
    seed = jnp.array([3, 4], jnp.int32)
    y = f(X, jnp.float32(0.25), seed)
    keep = np.asarray(stateless_uniform(X.shape, seed=(3, 4))) >= np.float32(0.25)
    np.testing.assert_allclose(y, np.where(keep, X / (1 - np.float32(0.25)), 0), rtol=1e-6)
    seeds = jnp.array([[1, 2], [1, 3]], jnp.int32)
    ys = jax.vmap(lambda s: nn.stateless_dropout(X, 0.5, s))(seeds)
    np.testing.assert_array_equal(ys[0], nn.stateless_dropout(X, 0.5, (1, 2)))
    np.testing.assert_array_equal(ys[1], nn.stateless_dropout(X, 0.5, (1, 3)))
    grad = jax.grad(lambda x: nn.stateless_dropout(x, 0.5, (1, 2)).sum())(X)
    keep = np.asarray(stateless_uniform(X.shape, seed=(1, 2))) >= 0.5
    np.testing.assert_array_equal(grad, np.where(keep, _tf_scale(0.5), 0))


def test_noise_shape_broadcasts_one_decision_along_size_one_axes():
    sk.set_seed(5)
    y = nn.dropout(X, 0.5, noise_shape=[5, 1], seed=2)
    rows_kept = np.asarray(y != 0).all(axis=1)
    rows_dropped = np.asarray(y == 0).all(axis=1)
    assert (rows_kept | rows_dropped).all()
    # TF: None entries of a full-rank noise_shape take x's dimensions.
    sk.set_seed(5)
    np.testing.assert_array_equal(nn.dropout(X, 0.5, noise_shape=[None, 1], seed=2), y)
    a = nn.stateless_dropout(X, 0.5, (1, 1), noise_shape=(1, 8))
    assert (np.asarray(a == 0) == np.asarray(a[:1] == 0)).all()


@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16, jnp.float32])
def test_dropout_keeps_the_dtype_and_draws_in_it(dtype):
    x = jnp.ones((64,), dtype)
    sk.set_seed(3)
    y = nn.dropout(x, 0.25, seed=1)
    sk.set_seed(3)
    u = sk.uniform((64,), dtype=dtype, seed=1)
    assert y.dtype == dtype
    keep = u >= jnp.asarray(0.25, dtype)
    np.testing.assert_array_equal(y, jnp.where(keep, jnp.asarray(_tf_scale(0.25, np.float32), dtype), 0))


def test_dropout_of_lists_and_float64_arrays_follows_jax_dtypes():
    assert nn.dropout([1.0, 2.0, 3.0], 0.5, seed=1).dtype == jnp.float32
    assert nn.stateless_dropout(np.ones(3), 0.5, (1, 2)).dtype == jnp.float32  # x64 off


def test_array_rate_divides_as_tf():
    r = jnp.float32(0.3)
    y = nn.stateless_dropout(X, r, (1, 2))
    keep = np.asarray(stateless_uniform(X.shape, seed=(1, 2))) >= np.float32(0.3)
    np.testing.assert_array_equal(np.asarray(y) != 0, keep)
    # XLA turns a division by a broadcast scalar into a multiplication by its reciprocal, so
    # the kept values may differ from TF's real_div by an ulp.
    np.testing.assert_allclose(y, np.where(keep, X / (np.float32(1) - np.float32(0.3)), 0), rtol=2.4e-7)
    sk.set_seed(1)
    assert nn.dropout(X, np.float32(0.3), seed=1).shape == X.shape


def test_traced_rate_outside_the_range_gives_nan_not_a_wrong_value():
    f = jax.jit(lambda r: nn.stateless_dropout(X, r, (1, 2)))
    assert np.isnan(np.asarray(f(jnp.float32(1.0)))).all()
    assert np.isnan(np.asarray(f(jnp.float32(-0.5)))).all()
    assert not np.isnan(np.asarray(f(jnp.float32(0.5)))).any()


@pytest.mark.parametrize(
    "rate, error",
    [(1, ValueError), (1.0, ValueError), (1.5, ValueError), (-0.1, ValueError), (float("nan"), ValueError),
     (True, TypeError), ("0.5", TypeError), (None, TypeError), (np.array([0.1, 0.2]), ValueError),
     (np.int32(1), ValueError), (jnp.array(1.0), ValueError), (jnp.array(1), TypeError)],
)  # fmt: skip
def test_bad_rates_raise_and_leave_state_unchanged(rate, error):
    sk.set_seed(9)
    before = sk.get_state()
    with pytest.raises(error, match="rate"):
        nn.dropout(X, rate)
    with pytest.raises(error, match="rate"):
        nn.stateless_dropout(X, rate, (1, 2))
    assert sk.get_state() == before


@pytest.mark.parametrize(
    "kwargs, error, word",
    [({"noise_shape": [3, 8]}, ValueError, "noise_shape"), ({"noise_shape": [5, 8, 1]}, ValueError, "noise_shape"),
     ({"noise_shape": [-1, 8]}, ValueError, "noise_shape"), ({"noise_shape": [1.5, 8]}, TypeError, "noise_shape"),
     ({"seed": 1.5}, TypeError, "seed")],
)  # fmt: skip
def test_bad_arguments_raise_and_leave_state_unchanged(kwargs, error, word):
    sk.set_seed(9)
    before = sk.get_state()
    with pytest.raises(error, match=word):
        nn.dropout(X, 0.5, **kwargs)
    assert sk.get_state() == before


def test_integer_x_is_refused():
    with pytest.raises(TypeError, match="floating"):
        nn.dropout(np.arange(3), 0.5, seed=1)
    with pytest.raises(TypeError, match="floating"):
        nn.stateless_dropout(np.arange(3), 0.5, (1, 2))
    with pytest.raises(ValueError, match="shape"):
        nn.stateless_dropout(X, 0.5, (1, 2, 3))


def test_rate_zero_returns_x_and_takes_an_op_seed_like_tf():
    sk.set_seed(1234)
    y = nn.dropout(X, 0.0)
    np.testing.assert_array_equal(y, X)
    assert sk.get_seed(None) == (1234, 501869158)  # the first op seed went to the dropout call
    # With an op seed nothing is drawn: the counter does not move.
    sk.set_seed(1234)
    nn.dropout(X, 0, seed=1)
    sk_first = sk.uniform(X.shape, seed=1)
    sk.set_seed(1234)
    np.testing.assert_array_equal(sk.uniform(X.shape, seed=1), sk_first)
    np.testing.assert_array_equal(nn.stateless_dropout(X, 0.0, (1, 2)), X)
    # Under op determinism, TF's get_seed call still raises without seeds.
    sk.set_seed(None)
    sk.enable_op_determinism()
    with pytest.raises(RuntimeError, match="determinism"):
        nn.dropout(X, 0.0)


def test_dropped_fraction_matches_rate():
    # 200,000 Bernoulli(0.3) draws: sd of the fraction is sqrt(0.21 / 2e5) = 0.00102; a 6-sd
    # band fails by chance with probability ~2e-9.
    sk.set_seed(21)
    y = nn.dropout(jnp.ones((200_000,)), 0.3, seed=4)
    assert abs(float((y == 0).mean()) - 0.3) < 6 * 0.00102
    z = nn.stateless_dropout(jnp.ones((200_000,)), 0.3, (5, 6))
    assert abs(float((z == 0).mean()) - 0.3) < 6 * 0.00102
    # The mean is preserved: E[y] = 1 (sd of the mean sqrt(0.3/0.7 / 2e5) = 0.00146).
    assert abs(float(y.mean()) - 1.0) < 6 * 0.00146


def test_tf_docstring_example_shape():
    # tf.nn.dropout's docstring: set_seed(0); dropout(ones([3, 5]), rate=0.8, seed=1) -> 0 or 5.
    sk.set_seed(0)
    y = nn.dropout(jnp.ones([3, 5]), rate=0.8, seed=1)
    assert y.shape == (3, 5) and set(np.asarray(y).ravel().tolist()) <= {0.0, 5.0}
