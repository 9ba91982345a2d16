"""seedkit in Flax NNX: ``seedkit.nnx.jit`` training steps and the Rngs/Generator conversions.

Real Flax and optax (the ``test`` extra installs them); a 2-8-1 MLP with seedkit dropout on 8
rows. The compiled steps are defined once at module level and reused by every test.
"""

from __future__ import annotations

import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

import seedkit
import seedkit.nnx

X = np.random.RandomState(0).randn(8, 2).astype("float32")
Y = X.sum(axis=1, keepdims=True)
STEPS = 4
TRACES = {"train": 0}
TX = optax.adam(1e-2)  # one transformation: a new one is a new GraphDef, hence a new trace


class MLP(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.hidden = nnx.Linear(2, 16, rngs=rngs)
        self.out = nnx.Linear(16, 1, rngs=rngs)

    def __call__(self, x):
        h = seedkit.nn.dropout(nnx.relu(self.hidden(x)) + 1.0, 0.5)  # + 1: no zeros but dropped ones
        return self.out(h), h


def _loss(model, x, y):
    pred, h = model(x)
    return ((pred - y) ** 2).mean(), h == 0


@seedkit.nnx.jit
def train_step(model, optimizer, x, y):
    TRACES["train"] += 1
    (loss, mask), grads = nnx.value_and_grad(_loss, has_aux=True)(model, x, y)
    optimizer.update(model, grads)
    return loss, mask


def _new(seed=0):
    model = MLP(nnx.Rngs(seed))
    return model, nnx.Optimizer(model, TX, wrt=nnx.Param)


def _params(model):
    return [np.asarray(v) for v in jax.tree_util.tree_leaves(nnx.state(model, nnx.Param))]


def _train(global_seed):
    seedkit.set_seed(global_seed)
    model, optimizer = _new()
    losses, masks = [], []
    for _ in range(STEPS):
        loss, mask = train_step(model, optimizer, X, Y)
        losses.append(float(loss))
        masks.append(np.asarray(mask))
    return model, optimizer, losses, masks


@pytest.fixture(scope="module")
def runs():
    with seedkit.fork_rng():
        return [_train(5), _train(5), _train(6)]


def test_importing_seedkit_does_not_import_flax():
    code = (
        "import sys, jax.numpy as jnp, seedkit\n"
        "seedkit.function(lambda x: x + seedkit.uniform([2]))(jnp.ones(2))\n"
        "assert 'flax' not in sys.modules, 'flax imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_params_and_optimizer_update_in_place(runs):
    model, optimizer, losses, _ = runs[0]
    fresh, _ = _new()
    assert all((a != b).any() for a, b in zip(_params(model), _params(fresh), strict=True))
    assert int(optimizer.step[...]) == STEPS
    assert np.isfinite(losses).all()  # (dropout makes 4 losses too noisy to rank)


def test_the_same_variables_are_updated_not_replaced():
    with seedkit.fork_rng():
        seedkit.set_seed(1)
        model, optimizer = _new()
        kernel = model.hidden.kernel
        before = np.asarray(kernel[...])
        train_step(model, optimizer, X, Y)
        assert model.hidden.kernel is kernel
        assert (np.asarray(kernel[...]) != before).any()


def test_set_seed_twice_gives_identical_training(runs):
    (m1, _, loss1, mask1), (m2, _, loss2, mask2), (_, _, loss3, mask3) = runs
    assert loss1 == loss2
    for a, b in zip(_params(m1), _params(m2), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(mask1, mask2, strict=True):
        np.testing.assert_array_equal(a, b)
    assert loss1 != loss3 and any((a != b).any() for a, b in zip(mask1, mask3, strict=True))


def test_every_step_draws_a_new_mask(runs):
    masks = runs[0][3]
    for m in masks:
        assert 0.2 < m.mean() < 0.8  # rate 0.5 on 128 units
    for i in range(STEPS):
        for j in range(i):
            assert (masks[i] != masks[j]).any(), (i, j)


def test_the_step_is_traced_once(runs):
    # every run above (three models, same structure and shapes) reused the first trace
    assert TRACES["train"] == 1


def test_masks_follow_seedkit_function_rules(runs):
    # seedkit.nnx.jit is seedkit.function: the step's one unseeded op has op seed 0, and call
    # n draws stream n of that pair, which is what the n-th eager dropout(seed=0) draws.
    masks = runs[0][3]
    with seedkit.fork_rng():
        seedkit.set_seed(5)
        ones = jnp.ones((8, 16))
        eager = [np.asarray(seedkit.nn.dropout(ones, 0.5, seed=0) == 0) for _ in range(STEPS)]
    for a, b in zip(masks, eager, strict=True):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ the forms that used to fail


def test_seedkit_op_under_nnx_jit_names_the_fix():
    @nnx.jit
    def step(model, x):
        return model(x)[0]

    model, _ = _new()
    with pytest.raises(seedkit.TracingError, match=r"seedkit\.nnx\.jit"):
        step(model, X)


def test_nnx_jit_around_seedkit_function_names_the_fix():
    inner = seedkit.function(lambda model, x: model(x)[0])
    model, _ = _new()
    with pytest.raises(seedkit.TracingError, match=r"seedkit\.nnx\.jit"):
        nnx.jit(inner)(model, X)


def test_seedkit_function_refuses_to_lose_an_nnx_update():
    @seedkit.function
    def step(model, optimizer, x, y):
        _, grads = nnx.value_and_grad(lambda m: _loss(m, x, y)[0])(model)
        optimizer.update(model, grads)

    model, optimizer = _new()
    before = _params(model)
    with seedkit.fork_rng(), pytest.raises(TypeError, match=r"seedkit\.nnx\.jit"):
        step(model, optimizer, X, Y)
    for a, b in zip(before, _params(model), strict=True):
        np.testing.assert_array_equal(a, b)
    assert int(optimizer.step[...]) == 0


def test_seedkit_function_still_reads_modules():
    # reading a Module (no update to lose) stays allowed, as with jax.jit
    model, _ = _new()
    with seedkit.fork_rng():
        seedkit.set_seed(2)
        pred = seedkit.function(lambda m, x: m(x)[0])(model, X)
    assert pred.shape == (8, 1)

    # nor is the functional style, which returns what it changed
    @seedkit.function
    def shift(model):
        model.out.bias[...] += 1.0
        return model

    out = shift(model)
    assert float(out.out.bias[...][0]) == float(model.out.bias[...][0]) + 1.0


# ------------------------------------------------------------------ jit details


@seedkit.nnx.jit(static_argnames="train")
def _maybe_drop(counter, x, train):
    counter[...] += 1
    return seedkit.nn.dropout(x, 0.5) if train else x


def test_static_args_variables_and_returned_nodes():
    counter = nnx.Variable(jnp.zeros((), jnp.int32))
    with seedkit.fork_rng():
        seedkit.set_seed(0)
        dropped = _maybe_drop(counter, jnp.ones(64), train=True)
        kept = _maybe_drop(counter, jnp.ones(64), train=False)
    assert int(counter[...]) == 2
    assert (np.asarray(dropped) == 0).any() and (np.asarray(kept) == 1).all()

    @seedkit.nnx.jit
    def give_back(model, x):
        return model, model.hidden, model(x)[0]

    model, _ = _new()
    with seedkit.fork_rng():
        seedkit.set_seed(0)
        m, hidden, _ = give_back(model, X)
    assert m is model and hidden is model.hidden


def test_shared_references_stay_shared():
    @seedkit.nnx.jit
    def bump(a, b):
        a[...] += 1
        b[...] += 10

    v = nnx.Variable(jnp.zeros(()))
    bump(v, v)  # one Variable passed twice: both updates land on it
    assert float(v[...]) == 11


def test_nnx_rngs_streams_advance_inside():
    class Both(nnx.Module):
        def __init__(self, rngs):
            self.drop = nnx.Dropout(0.5, rngs=rngs)

        def __call__(self, x):
            return self.drop(x), seedkit.nn.dropout(x, 0.5)

    @seedkit.nnx.jit
    def run(model, x):
        return model(x)

    model = Both(nnx.Rngs(dropout=1))
    with seedkit.fork_rng():
        seedkit.set_seed(0)
        (a1, b1), (a2, b2) = run(model, jnp.ones(64)), run(model, jnp.ones(64))
    assert int(model.drop.rngs.count[...]) == 2
    assert (a1 != a2).any() and (b1 != b2).any()


def test_generators_in_arguments_advance():
    @seedkit.nnx.jit
    def noisy(counter, g, x):
        counter[...] += 1
        return x + g.normal(x.shape)

    g = seedkit.Generator.from_seed(1)
    counter = nnx.Variable(jnp.zeros((), jnp.int32))
    a, b = noisy(counter, g, jnp.zeros(3)), noisy(counter, g, jnp.zeros(3))
    assert g.state.tolist()[:2] == [2, 0] and int(counter[...]) == 2
    expected = seedkit.Generator.from_seed(1)
    np.testing.assert_array_equal(a, expected.normal([3]))
    np.testing.assert_array_equal(b, expected.normal([3]))


def test_unsupported_options_are_refused():
    with pytest.raises(TypeError, match="donate_argnums"):
        seedkit.nnx.jit(lambda m: m, donate_argnums=0)
    with pytest.raises(TypeError, match="callable"):
        seedkit.nnx.jit(3)


def test_a_failed_step_leaves_the_model_alone():
    model, optimizer = _new()
    before = _params(model)
    with seedkit.fork_rng(), pytest.raises(TypeError):
        train_step(model, optimizer, X[:, :1], Y)  # wrong feature count: fails while tracing
    for a, b in zip(before, _params(model), strict=True):
        np.testing.assert_array_equal(a, b)
    assert int(optimizer.step[...]) == 0


# ------------------------------------------------------------------ conversions


def test_generator_from_stream_takes_the_streams_next_key():
    rngs = nnx.Rngs(0, dropout=7)
    rngs.dropout()  # count 1 now
    g = seedkit.nnx.generator_from_stream(rngs.dropout)
    assert int(rngs.dropout.count[...]) == 2
    # NNX's rule, computed here apart: stream n is fold_in(key(7), n)
    expected = seedkit.Generator.from_key(jax.random.fold_in(jax.random.key(7), 1))
    np.testing.assert_array_equal(g.state, expected.state)
    h = seedkit.nnx.generator_from_stream(rngs.dropout)
    assert (h.normal([4]) != g.normal([4])).all()
    # reproducible: the same stream state gives the same Generator
    again = nnx.Rngs(0, dropout=7)
    again.dropout()
    np.testing.assert_array_equal(seedkit.nnx.generator_from_stream(again.dropout).state, expected.state)


def test_rngs_from_generator_is_one_draw_of_key_words():
    g = seedkit.Generator.from_seed(3)
    rngs = seedkit.nnx.rngs_from_generator(g, "params", "dropout")
    assert g.state.tolist()[:2] == [1, 0]  # one draw
    words = np.asarray(seedkit.Generator.from_seed(3).uniform_full_int([2, 2], dtype=jnp.uint32))
    np.testing.assert_array_equal(jax.random.key_data(rngs.params.key[...]), words[0])
    np.testing.assert_array_equal(jax.random.key_data(rngs.dropout.key[...]), words[1])
    assert int(rngs.params.count[...]) == 0
    # the next conversion draws new words
    other = seedkit.nnx.stream_from_generator(g, tag="dropout")
    assert (jax.random.key_data(other.key[...]) != words[1]).any()
    assert seedkit.nnx.rngs_from_generator(seedkit.Generator.from_seed(3)).default.tag == "default"


def test_round_trip_is_reproducible_and_new():
    def round_trip(seed):
        g = seedkit.Generator.from_seed(seed)
        back = seedkit.nnx.generator_from_stream(seedkit.nnx.stream_from_generator(g))
        return g, back

    g1, back1 = round_trip(4)
    _, back2 = round_trip(4)
    np.testing.assert_array_equal(back1.state, back2.state)
    assert (back1.normal([8]) != g1.normal([8])).all()  # a new stream, not g continued


def test_philox_generators_convert_too():
    g = seedkit.Generator.from_seed(5, alg="philox")
    before = g.state.tolist()
    seedkit.nnx.stream_from_generator(g)
    assert g.state.tolist() != before


def test_conversions_inside_jit_advance_the_callers_stream():
    @seedkit.nnx.jit
    def draw(rngs):
        return seedkit.nnx.generator_from_stream(rngs.noise).normal([3])

    rngs = nnx.Rngs(noise=2)
    a, b = draw(rngs), draw(rngs)
    assert int(rngs.noise.count[...]) == 2 and (a != b).all()
    np.testing.assert_array_equal(a, seedkit.nnx.generator_from_stream(nnx.Rngs(noise=2).noise).normal([3]))


def test_failed_conversions_change_nothing():
    rngs = nnx.Rngs(0, other=jax.random.key(1, impl="rbg"))
    with pytest.raises(TypeError, match="rbg"):
        seedkit.nnx.generator_from_stream(rngs.other)
    assert int(rngs.other.count[...]) == 0
    with pytest.raises(TypeError, match=r"rngs\.dropout"):
        seedkit.nnx.generator_from_stream(rngs)
    g = seedkit.Generator.from_seed(1)
    with pytest.raises(ValueError, match="names"):
        seedkit.nnx.rngs_from_generator(g, "a", "a")
    with pytest.raises(TypeError, match="tag"):
        seedkit.nnx.stream_from_generator(g, tag=1)
    with pytest.raises(TypeError, match="Generator"):
        seedkit.nnx.rngs_from_generator(rngs)
    assert g.state.tolist()[:2] == [0, 0]


def test_nested_steps_run_inline_and_get_state_covers_them():
    v = nnx.Variable(jnp.zeros(()))

    @seedkit.nnx.jit
    def inner(v, x):
        v[...] += 1
        return seedkit.nn.dropout(x, 0.5)

    @seedkit.nnx.jit
    def outer(v, x):
        return inner(v, x), inner(v, x)

    with seedkit.fork_rng():
        seedkit.set_seed(0)
        a, b = outer(v, jnp.ones(64))
        state = seedkit.get_state()
        c, _ = outer(v, jnp.ones(64))
        seedkit.set_state(state)
        d, _ = outer(v, jnp.ones(64))
    assert float(v[...]) == 6  # two inner updates per outer call, all written back
    assert (a != b).any() and (a != c).any()  # new positions, new calls: new masks
    np.testing.assert_array_equal(c, d)
