"""Issue 15 item 3: stateful ops and Generator draws under eager ``jax.grad`` / ``vjp`` / ``jvp``.

Those transformations run the function once per call, with concrete values around it, as TF's
``GradientTape`` does; so a stateful op there advances its counter once per call and draws what
the same call draws eagerly, with derivatives in its parameters. Transformations that would
repeat numbers (``jax.vmap`` without seedkit.function's rules, anything that stages) keep
raising the clear error.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import seedkit
from seedkit import Generator

pytestmark = pytest.mark.usefixtures("isolated_rng")
ALGS = ["threefry", "philox"]


@pytest.fixture(params=ALGS)
def alg(request):
    seedkit.set_default_algorithm(request.param)
    yield request.param
    seedkit.set_default_algorithm("threefry")


def _grad_of(op):
    """value_and_grad of ``sum(op(m))`` at ``m = 0``, one call."""
    return jax.value_and_grad(lambda m: op(m).sum())(0.0)


@pytest.mark.parametrize(
    "op, slope",
    [
        (lambda m: seedkit.normal([3], mean=m, seed=5), 3.0),
        (lambda m: seedkit.uniform([3], minval=m, maxval=1.0, seed=5), None),
        (lambda m: seedkit.truncated_normal([3], mean=m, seed=5), 3.0),
    ],
)
def test_stateful_ops_advance_once_per_call_and_match_eager(alg, op, slope):
    seedkit.set_seed(7)
    eager = [np.asarray(op(0.0)) for _ in range(3)]
    seedkit.set_seed(7)
    for k in range(2):  # each grad call is the next call of the op
        value, grad = _grad_of(op)
        np.testing.assert_allclose(value, eager[k].sum(), rtol=1e-6)
        if slope is not None:
            np.testing.assert_allclose(grad, slope, rtol=1e-6)
    np.testing.assert_array_equal(op(0.0), eager[2])  # and eager code continues after them


def test_unseeded_ops_and_dropout_under_grad_vjp_and_jvp(alg):
    def f(w):
        return (seedkit.nn.dropout(seedkit.normal([6]) + w, 0.5) * w).sum()

    seedkit.set_seed(3)
    eager = [float(f(1.0)) for _ in range(3)]
    seedkit.set_seed(3)
    assert float(jax.value_and_grad(f)(1.0)[0]) == pytest.approx(eager[0], rel=1e-6)
    assert float(jax.vjp(f, 1.0)[0]) == pytest.approx(eager[1], rel=1e-6)
    assert float(jax.jvp(f, (1.0,), (1.0,))[0]) == pytest.approx(eager[2], rel=1e-6)


def test_gamma_is_differentiable_under_eager_grad():
    seedkit.set_seed(1)
    grad = jax.grad(lambda a: seedkit.gamma([4], a, seed=2).sum())(2.0)
    assert np.isfinite(grad) and grad > 0  # more shape, larger samples


@pytest.mark.parametrize("galg", ALGS)
def test_generator_passed_to_grad_draws_once_per_call(galg):
    # The idiomatic JAX form loss(params, rng): the Generator is not differentiated and advances.
    def loss(w, gen):
        return (gen.normal([3]) * w).sum()

    gen, twin = Generator.from_seed(4, alg=galg), Generator.from_seed(4, alg=galg)
    for _ in range(2):
        grad = jax.grad(loss)(1.0, gen)
        np.testing.assert_allclose(grad, twin.normal([3]).sum(), rtol=1e-6)
    assert isinstance(gen.state, jax.Array) and not isinstance(gen.state, jax.core.Tracer)
    np.testing.assert_array_equal(gen.state, twin.state)
    # a draw with traced parameters: the samples are traced, the state stays concrete
    jax.grad(lambda m: gen.normal([2], mean=m).sum())(0.0)
    twin.normal([2])
    np.testing.assert_array_equal(gen.state, twin.state)


def test_generators_made_inside_grad_and_non_deterministic_ones_work():
    def loss(w):
        return (Generator.from_seed(9).uniform([2]) * w).sum() + (
            Generator.from_non_deterministic_state().uniform([2]) * 0 * w
        ).sum()

    np.testing.assert_allclose(jax.grad(loss)(1.0), Generator.from_seed(9).uniform([2]).sum(), rtol=1e-6)


@pytest.mark.parametrize(
    "transform",
    [
        lambda f: jax.vmap(f)(jnp.ones(3)),  # one evaluation for every element
        lambda f: jax.jit(f)(1.0),  # staged
        lambda f: jax.grad(jax.checkpoint(lambda w: f(w).sum()))(1.0),  # staged body
        lambda f: jax.grad(jax.jit(lambda w: f(w).sum()))(1.0),
        lambda f: jax.jacfwd(f)(1.0),  # vmaps over tangents
    ],
)
def test_transformations_that_would_repeat_numbers_still_raise(transform):
    seedkit.set_seed(1)
    with pytest.raises(seedkit.TracingError, match=r"seedkit\.function"):
        transform(lambda w: seedkit.normal([2], mean=w))
    gen = Generator.from_seed(1)
    before = np.asarray(gen.state)
    with pytest.raises((seedkit.TracingError, seedkit.GeneratorTraceError)):
        transform(lambda w: gen.normal([2]) * w)
    np.testing.assert_array_equal(gen.state, before)
