"""Gamma samples are differentiable in ``alpha`` and ``beta``, as TF's ``stateless_gamma`` and
``tf.random.gamma`` are (implicit reparameterization, Figurnov et al. 2018): the derivative of a
sample is taken at a fixed CDF value. The reference here is independent of JAX: SciPy's
regularized incomplete gamma function, differentiated in ``alpha`` by central differences in
float64, over the gamma density: ``dx/dalpha = -(dF/dalpha)(x) / pdf(x)``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special, stats

import seedkit

ALGS = ["threefry", "philox"]
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
