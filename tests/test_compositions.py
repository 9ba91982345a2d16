"""seedkit.function composed with JAX transformations that trace bodies of their own
(issue 13, section 3, items 3, 8 and 11): the same numbers where JAX semantics say so, fresh
ones where they say so, or a clear error. Every test runs under both algorithms."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest
from jax import lax
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import seedkit
from tests._algs import default_algorithm


@pytest.fixture(params=["threefry", "philox"])
def alg(request):
    """The test runs with ``request.param`` as the default algorithm, in a forked random state."""
    with default_algorithm(request.param) as name:
        yield name


SCALE = jnp.arange(1.0, 9.0, dtype=jnp.float32)


def _layer(w):
    return jnp.sum(seedkit.nn.dropout(w * SCALE, 0.5) ** 2)


# item 3: a checkpointed body is recomputed in the backward pass; the recomputation must draw
# the mask the forward pass drew, or the gradient is silently wrong.
@pytest.mark.parametrize(
    "wrap",
    [lambda f: f, jax.checkpoint, jax.remat, lambda f: jax.checkpoint(jax.checkpoint(f))],
    ids=["plain", "checkpoint", "remat", "nested_checkpoint"],
)
def test_checkpoint_keeps_the_forward_mask(alg, wrap):
    value_fn = seedkit.function(lambda w: wrap(_layer)(w))
    grad_fn = seedkit.function(lambda w: jax.grad(wrap(_layer))(w))
    seedkit.set_seed(0)
    value = value_fn(1.0)
    seedkit.set_seed(0)
    grad = grad_fn(1.0)
    # loss = sum((w * s * m / (1 - rate))**2) over the kept entries: d/dw at w = 1 is 2 * loss.
    assert float(grad) == pytest.approx(2 * float(value), rel=1e-6)
    assert float(value) > 0


def test_checkpointed_scan_body_keeps_its_masks(alg):
    xs = SCALE.reshape(2, 4)

    def loss(w, body_wrap):
        def body(c, x):
            return c + jnp.sum(seedkit.nn.dropout(w * x, 0.5) ** 2), None

        return lax.scan(body_wrap(body), 0.0, xs)[0]

    values, grads = [], []
    for body_wrap in (lambda f: f, jax.checkpoint):
        seedkit.set_seed(3)
        values.append(float(seedkit.function(lambda w, b=body_wrap: loss(w, b))(1.0)))
        seedkit.set_seed(3)
        grads.append(float(seedkit.function(lambda w, b=body_wrap: jax.grad(loss)(w, b))(1.0)))
    assert values[0] == values[1]
    assert grads[0] == pytest.approx(2 * values[0], rel=1e-6)
    assert grads[1] == pytest.approx(grads[0], rel=1e-6)


def test_generator_inside_checkpoint_raises(alg):
    gen = seedkit.Generator.from_seed(1)
    f = seedkit.function(lambda: jax.checkpoint(lambda x: x + gen.uniform([2]))(jnp.zeros(2)))
    with pytest.raises(seedkit.TracingError, match="checkpoint"):
        f()


# item 8: JAX caches traced loop bodies by function identity; a body defined once must not
# carry one trace's random state into another.
def _scan_body(c, _):
    return c + seedkit.uniform([]), None


def _fori_body(i, c):
    return c + seedkit.normal([])


@pytest.mark.parametrize(
    "loop",
    [
        lambda: lax.scan(_scan_body, 0.0, None, length=3)[0],
        lambda: lax.fori_loop(0, 3, _fori_body, 0.0),
    ],
    ids=["scan", "fori_loop"],
)
def test_module_level_body_in_two_functions(alg, loop):
    first = seedkit.function(lambda: loop())
    second = seedkit.function(lambda: loop())
    seedkit.set_seed(11)
    a = [float(first()) for _ in range(3)]
    seedkit.set_seed(11)
    b = [float(second()) for _ in range(3)]
    assert a == b  # same structure, same seed: TF's f and g
    assert len(set(a)) == 3  # every call draws anew


# item 11
def test_shard_map_body_raises_clear_error(alg):
    mesh = jax.make_mesh((1,), ("x",))
    x = jax.device_put(jnp.zeros(4), NamedSharding(mesh, P("x")))

    def body(y):
        return y + seedkit.uniform(y.shape)

    f = seedkit.function(lambda x: jax.shard_map(body, mesh=mesh, in_specs=P("x"), out_specs=P("x"))(x))
    with pytest.raises(seedkit.TracingError, match="shard_map"):
        f(x)


def test_tuple_in_shardings_pass_through(alg):
    mesh = jax.make_mesh((1,), ("x",))
    sharding = NamedSharding(mesh, P())
    f = seedkit.function(lambda x: x + seedkit.uniform([4]), in_shardings=(sharding,))
    g = seedkit.function(lambda x: x + seedkit.uniform([4]))
    seedkit.set_seed(5)
    a = f(jnp.zeros(4))
    seedkit.set_seed(5)
    b = g(jnp.zeros(4))
    assert (a == b).all()
    assert a.sharding.is_equivalent_to(sharding, 1)
