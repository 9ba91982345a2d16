"""equinox + optax training steps compiled with ``seedkit.function`` (issue 15: "these work today";
the tests keep them working).

equinox is functional (a step returns the new model), so plain ``seedkit.function`` fits it:
the model's arrays are an argument, its static part a static argument (``eqx.partition``).
"""

from __future__ import annotations

import numpy as np
import pytest

eqx = pytest.importorskip("equinox")  # in the test extra: a skip here is a broken install
optax = pytest.importorskip("optax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

import seedkit  # noqa: E402


class _Net(eqx.Module):
    hidden: eqx.nn.Linear
    out: eqx.nn.Linear

    def __init__(self, key):
        k1, k2 = jax.random.split(key)
        self.hidden, self.out = eqx.nn.Linear(3, 16, key=k1), eqx.nn.Linear(16, 1, key=k2)

    def __call__(self, x):
        h = seedkit.nn.dropout(jax.nn.relu(jax.vmap(self.hidden)(x)), 0.5)  # a stateful op
        return jax.vmap(self.out)(h)


_OPT = optax.adam(1e-2)
_TRACES: list[int] = []


@seedkit.function(static_argnums=1)
def _step(params, static, opt_state, x, y):
    _TRACES.append(1)

    def loss_fn(p):
        return ((eqx.combine(p, static)(x) - y) ** 2).mean()

    loss, grads = jax.value_and_grad(loss_fn)(params)
    updates, opt_state = _OPT.update(grads, opt_state, params)
    return eqx.apply_updates(params, updates), opt_state, loss


_X, _Y = jnp.linspace(-1, 1, 24).reshape(8, 3), jnp.zeros((8, 1))


def _train(seed: int, steps: int = 4) -> tuple[list[float], list[np.ndarray]]:
    seedkit.set_seed(seed)
    params, static = eqx.partition(_Net(seedkit.key(seed)), eqx.is_array)  # weights from seedkit's key
    opt_state = _OPT.init(params)
    losses = []
    for _ in range(steps):
        params, opt_state, loss = _step(params, static, opt_state, _X, _Y)
        losses.append(float(loss))
    return losses, [np.asarray(leaf) for leaf in jax.tree.leaves(params)]


@pytest.mark.usefixtures("isolated_rng")
def test_equinox_optax_step_is_reproducible_fresh_per_step_and_traced_once():
    _TRACES.clear()
    a_losses, a_params = _train(0)
    b_losses, b_params = _train(0)
    c_losses, _ = _train(1)
    assert a_losses == b_losses  # set_seed(0) twice: bit-identical
    assert all(np.array_equal(p, q) for p, q in zip(a_params, b_params, strict=True))
    assert a_losses != c_losses
    assert len(_TRACES) == 1  # 12 steps, 3 set_seed calls, one trace

    # Fresh masks per step: the same parameters stepped twice see different dropout masks.
    seedkit.set_seed(0)
    params, static = eqx.partition(_Net(seedkit.key(0)), eqx.is_array)
    opt_state = _OPT.init(params)
    _, _, first = _step(params, static, opt_state, _X, _Y)
    _, _, second = _step(params, static, opt_state, _X, _Y)
    assert float(first) != float(second)
    assert float(first) == a_losses[0]


@pytest.mark.usefixtures("isolated_rng")
def test_a_generator_passed_into_an_equinox_step_advances_in_the_caller():
    @seedkit.function
    def noisy(gen, x):
        noise = gen.normal(x.shape)  # e.g. noise on the inputs from a passed-in stream
        return x + 0.1 * noise, noise

    gen = seedkit.Generator.from_seed(7)
    (_, a), (_, b) = noisy(gen, _X), noisy(gen, _X)
    replay = seedkit.Generator.from_seed(7)
    np.testing.assert_array_equal(a, replay.normal(_X.shape))
    np.testing.assert_array_equal(b, replay.normal(_X.shape))
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(gen.state, replay.state)  # the caller's Generator moved on
