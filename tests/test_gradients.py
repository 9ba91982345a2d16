"""Samples are differentiable in their distribution parameters wherever TF's are.

* uniform, normal, truncated normal: ``x = u * (maxval - minval) + minval`` and
  ``x = z * stddev + mean``, so the derivatives are the standard draw's ``u`` and ``z``; under
  philox too, whose bit-exact arithmetic (TF's rounding of the product, half-precision
  roundings) must not zero them.
* gamma, in ``alpha`` and ``beta``, as TF's ``stateless_gamma`` and ``tf.random.gamma``
  (implicit reparameterization, Figurnov et al. 2018): the derivative of a sample is taken at a
  fixed CDF value. The reference is independent of JAX: SciPy's regularized incomplete gamma
  function, differentiated in ``alpha`` by central differences in float64, over the gamma
  density: ``dx/dalpha = -(dF/dalpha)(x) / pdf(x)``.
* Poisson and binomial: zero (TF defines no gradient).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special, stats

import seedkit

ALGS = ["threefry", "philox"]
FLOATS = [jnp.float32, jnp.float16, jnp.bfloat16]
SEED = (3, 7)


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.__name__)
@pytest.mark.parametrize(
    "fn", [seedkit.stateless_normal, seedkit.stateless_truncated_normal], ids=lambda f: f.__name__
)
def test_location_scale_derivatives(fn, dtype, alg):
    mean, stddev = jnp.linspace(-1.0, 1.0, 9), jnp.linspace(0.5, 3.0, 9)

    def draw(m, s):
        return fn([9], SEED, m, s, dtype=dtype, alg=alg).astype(jnp.float32)

    d_mean, d_std = jax.jacfwd(draw, argnums=(0, 1))(mean, stddev)
    z = draw(0.0, 1.0)  # the standard draw of the same seed
    np.testing.assert_array_equal(d_mean, np.eye(9))
    np.testing.assert_allclose(d_std, np.diag(z), rtol=1e-6, atol=0)
    assert np.all(np.asarray(z) != 0)  # a zeroed derivative would not pass the check above


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.__name__)
def test_uniform_derivatives_in_the_bounds(dtype, alg):
    def draw(lo, hi):
        return seedkit.stateless_uniform([9], SEED, lo, hi, dtype=dtype, alg=alg).astype(jnp.float32)

    d_lo, d_hi = jax.grad(lambda lo, hi: draw(lo, hi).sum(), argnums=(0, 1))(-2.0, 3.0)
    u = np.asarray(draw(0.0, 1.0), np.float64)
    # half types carry the derivative in their own precision (bfloat16: 8 significant bits)
    rtol = 1e-6 if dtype == jnp.float32 else 2e-2
    np.testing.assert_allclose([d_lo, d_hi], [np.sum(1 - u), np.sum(u)], rtol=rtol)


@pytest.mark.usefixtures("isolated_rng")
@pytest.mark.parametrize("alg", ALGS)
def test_stateful_normal_and_dropout_derivatives(alg):
    seedkit.set_default_algorithm(alg)
    try:

        @seedkit.function
        def grads(stddev, x):
            d_std = jax.grad(lambda s: seedkit.normal([6], 0.0, s, seed=1).sum())(stddev)
            return d_std, jax.grad(lambda x: seedkit.nn.dropout(x, 0.5, seed=2).sum())(x)

        seedkit.set_seed(5)
        d_std, d_x = grads(2.0, jnp.ones(8))
        seedkit.set_seed(5)
        z = seedkit.normal([6], seed=1)  # the first draw of the same op
    finally:
        seedkit.set_default_algorithm("threefry")
    np.testing.assert_allclose(d_std, np.sum(z), rtol=1e-6)
    assert set(np.asarray(d_x).tolist()) <= {0.0, 2.0} and 0 < np.count_nonzero(d_x) < 8


ALPHAS = [0.05, 0.3, 1.0, 2.5, 10.0, 150.0]


def _implicit_derivative(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    h = 1e-5 * alpha
    d_cdf = (special.gammainc(alpha + h, x) - special.gammainc(alpha - h, x)) / (2 * h)
    return -d_cdf / stats.gamma.pdf(x, alpha)


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("x64", [False, True])
def test_alpha_derivative_is_the_implicit_one(alg, x64):
    # Measured: at most 1.3e-5 relative in float32 and 2.4e-6 in float64 (the reference's own
    # finite-difference error dominates there); the bounds leave a margin of about 5x.
    with jax.enable_x64(x64):
        dtype = jnp.float64 if x64 else jnp.float32
        alphas = jnp.array(ALPHAS, dtype)

        def f(a):
            return seedkit.stateless_gamma([2000, len(ALPHAS)], (3, 4), a, dtype=dtype, alg=alg)

        x, dx = jax.jvp(f, (alphas,), (jnp.ones_like(alphas),))
        np.testing.assert_array_equal(x, f(alphas))  # the rule changes derivatives only
        x, dx = np.asarray(x, np.float64), np.asarray(dx, np.float64)
    ref = _implicit_derivative(np.broadcast_to(np.array(ALPHAS), x.shape), x)
    # alpha = 0.05 puts some samples below 1e-30, where the density's float64 value is unreliable
    usable = np.isfinite(ref) & (x > 1e-30)
    assert usable.mean() > 0.99
    np.testing.assert_allclose(dx[usable], ref[usable], rtol=1e-5 if x64 else 1e-4)


@pytest.mark.parametrize("alg", ALGS)
def test_beta_derivative_and_gradient_shapes(alg):
    alpha, beta = jnp.array([0.5, 4.0]), jnp.array([[2.0, 0.25]])

    def total(alpha, beta):
        return seedkit.stateless_gamma([7, 1, 2], (5, 6), alpha, beta, alg=alg).sum()

    x = seedkit.stateless_gamma([7, 1, 2], (5, 6), alpha, beta, alg=alg)
    d_alpha, d_beta = jax.grad(total, argnums=(0, 1))(alpha, beta)
    assert d_alpha.shape == alpha.shape and d_beta.shape == beta.shape
    # x = g / beta with g independent of beta: d x / d beta = -x / beta
    np.testing.assert_allclose(d_beta, (-x / beta).sum(axis=(0, 1), keepdims=True)[0], rtol=1e-5)
    g = x * beta  # standard gamma samples
    expected = (jax.lax.random_gamma_grad(jnp.broadcast_to(alpha, x.shape), g) / beta).sum(axis=(0, 1))
    np.testing.assert_allclose(d_alpha, expected, rtol=1e-5)


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("alpha", [0.3, 1.0, 5.0])
def test_reparameterized_gradient_of_the_mean_is_unbiased(alg, alpha):
    # E[x] = alpha / beta, so E[dx/dalpha] = 1 / beta. The sample mean of 100 000 per-sample
    # derivatives is within 6 of its standard errors (estimated from the same samples) of 1 / beta
    # unless something is wrong: a false failure has probability about 2e-9.
    beta = 2.0
    grads = jax.vmap(jax.grad(lambda a, s: seedkit.stateless_gamma([], s, a, beta, alg=alg)), (None, 0))(
        alpha, seedkit.stateless_split((9, int(alpha * 10)), 100_000)
    )
    grads = np.asarray(grads, np.float64)
    assert abs(grads.mean() - 1 / beta) < 6 * grads.std() / np.sqrt(grads.size)


def test_integer_parameters_and_half_precision():
    # an integer alpha has no derivative of its own; beta's still flows
    d_beta = jax.grad(lambda b: seedkit.stateless_gamma([4], (1, 2), 3, b).sum())(2.0)
    x = seedkit.stateless_gamma([4], (1, 2), 3, 2.0)
    np.testing.assert_allclose(d_beta, (-x / 2.0).sum(), rtol=1e-6)
    d = jax.grad(
        lambda a: seedkit.stateless_gamma([4], (1, 2), a, dtype=jnp.float16).astype(jnp.float32).sum()
    )(jnp.float16(2.0))
    assert d.dtype == jnp.float16 and np.isfinite(float(d)) and float(d) > 0


@pytest.mark.usefixtures("isolated_rng")
def test_stateful_gamma_and_generator_are_differentiable():
    @seedkit.function
    def loss(alpha):
        return seedkit.gamma([500], alpha, seed=3).mean()

    seedkit.set_seed(1)
    # d E[x] / d alpha = 1 (beta = 1); 500 samples at alpha = 2 keep this well inside 0.5
    assert abs(float(jax.grad(loss)(2.0)) - 1.0) < 0.5

    g = seedkit.Generator.from_seed(4)

    @seedkit.function
    def generator_grad(alpha):  # the function threads the closed-over Generator through grad
        return jax.grad(lambda a: g.gamma([500], a).mean())(alpha)

    before = g.state
    assert abs(float(generator_grad(2.0)) - 1.0) < 0.5
    assert not np.array_equal(g.state, before)  # the draw advanced the Generator


@pytest.mark.parametrize("alg", ALGS)
def test_poisson_and_binomial_have_zero_derivatives_as_tf_has_none(alg):
    # TF registers no gradient for these counts (GradientTape.gradient returns None); in JAX
    # that is a zero derivative, not an error from the rejection loop.
    d_lam = jax.grad(lambda lam: seedkit.stateless_poisson([5], SEED, lam, jnp.float32, alg=alg).sum())(7.0)
    d_counts, d_probs = jax.grad(
        lambda c, p: seedkit.stateless_binomial([5], SEED, c, p, jnp.float32, alg=alg).sum(), argnums=(0, 1)
    )(20.0, 0.3)
    assert (float(d_lam), float(d_counts), float(d_probs)) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("alg", ALGS)
def test_parameterized_truncated_normal_moves_with_its_parameters(alg):
    # Shifting mean and both bounds by the same amount shifts every sample by that amount, and
    # scaling (mean, stddev, bounds) about 0 scales it: the pathwise derivatives of the
    # inversion, checked through their sums.
    mean, std, lo, hi = (
        jnp.array([0.0, 1.0, 0.5]),
        jnp.array([1.0, 2.0, 0.5]),
        jnp.array([-1.0, 0.0, 0.9]),
        2.5,
    )

    def draw(m, s, a, b):
        return seedkit.stateless_parameterized_truncated_normal([3], SEED, m, s, a, b, alg=alg)

    x = draw(mean, std, lo, hi)
    d = jax.jacfwd(draw, argnums=(0, 1, 2, 3))(mean, std, lo, jnp.full(3, hi))
    shift = jnp.diag(d[0]) + jnp.diag(d[2]) + jnp.diag(d[3])
    scale = mean * jnp.diag(d[0]) + std * jnp.diag(d[1]) + lo * jnp.diag(d[2]) + hi * jnp.diag(d[3])
    np.testing.assert_allclose(shift, 1.0, rtol=1e-5)
    np.testing.assert_allclose(scale, x, rtol=1e-4, atol=1e-6)
    assert np.all(np.asarray(jnp.diag(d[0])) < 1)  # the bounds hold the samples back


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize(("lo", "hi"), [(-jnp.inf, 2.0), (-1.0, jnp.inf), (-jnp.inf, jnp.inf)])
def test_parameterized_truncated_normal_gradients_with_infinite_bounds(alg, lo, hi):
    """An infinite bound does not move with the mean or the stddev: the gradients are finite
    (the stddev's used to be NaN) and equal those with the bound at +-50, about 25 standard
    deviations out (the probability beyond is below 1e-130), where the samples are the same."""

    def total(m, s, a, b):
        return seedkit.stateless_parameterized_truncated_normal([6], SEED, m, s, a, b, alg=alg).sum()

    far = (-50.0 if lo == -jnp.inf else lo, 50.0 if hi == jnp.inf else hi)
    got = jax.grad(total, argnums=(0, 1, 2, 3))(0.5, 2.0, lo, hi)
    want = jax.grad(total, argnums=(0, 1, 2, 3))(0.5, 2.0, *far)
    assert float(total(0.5, 2.0, lo, hi)) == float(total(0.5, 2.0, *far))
    for g, w, bound in zip(got, want, (None, None, lo, hi), strict=True):
        assert np.isfinite(float(g))
        assert float(g) == (0.0 if bound in (-jnp.inf, jnp.inf) else float(w))
