"""seedkit's random ops inside Keras 3 (JAX backend): ``seedkit.keras.SeedState`` and ``Dropout``.

Real Keras (the ``test`` extra installs it), tiny models: Dense + seedkit dropout on 32 random
rows, batches of 8. About 35 s on 2 shared CPU cores (most of it Keras compiling its steps),
with Keras 3.15 on JAX 0.10.2 and with Keras 3.10 on the oldest pins (JAX 0.10.0, NumPy 2.0.2).
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import subprocess
import sys

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import seedkit
import seedkit.keras

X = np.random.RandomState(0).randn(32, 4).astype("float32")
Y = X.sum(axis=1, keepdims=True)
MODES = {"jit": {"jit_compile": True}, "no_jit": {"jit_compile": False}, "eager": {"run_eagerly": True}}


def test_keras_runs_on_jax():
    assert keras.backend.backend() == "jax"


def test_importing_seedkit_does_not_import_keras():
    code = "import sys, seedkit; assert 'keras' not in sys.modules, 'keras imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def _model(rate=0.5, seed=None):
    init = keras.initializers.GlorotUniform
    inp = keras.Input((4,))
    h = keras.layers.Dense(8, kernel_initializer=init(seed=0))(inp)
    h = seedkit.keras.Dropout(rate, seed=seed)(h)
    out = keras.layers.Dense(1, kernel_initializer=init(seed=1))(h)
    return keras.Model(inp, out)


def _state(model):
    (layer,) = [la for la in model.layers if isinstance(la, seedkit.keras.Dropout)]
    return np.asarray(layer.seed_state.variable.value)


def _fit(global_seed, mode, rate=0.5, epochs=2):
    seedkit.set_seed(global_seed)
    model = _model(rate)
    model.compile(optimizer="sgd", loss="mse", **MODES[mode])
    history = model.fit(X, Y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    return model, history.history["loss"], [np.array(w) for w in model.get_weights()]


@pytest.fixture(scope="module")
def runs():
    with seedkit.fork_rng():
        return {mode: [_fit(5, mode), _fit(5, mode)] for mode in MODES}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_fit_trains_and_repeats_after_set_seed(runs, mode):
    (m1, loss1, w1), (_, loss2, w2) = runs[mode]
    assert np.isfinite(loss1).all() and loss1[1] < loss1[0]
    assert loss1 == loss2
    for a, b in zip(w1, w2, strict=True):
        np.testing.assert_array_equal(a, b)
    # one step per batch: 2 epochs of 4 batches
    assert _state(m1)[:2].tolist() == [8, 0]


def test_compiled_and_eager_fit_draw_the_same_masks(runs):
    base = runs["jit"][0][1]
    for mode in ("no_jit", "eager"):
        np.testing.assert_allclose(runs[mode][0][1], base, rtol=1e-5)


def test_dropout_acts_in_fit_and_the_seed_matters(runs):
    with seedkit.fork_rng():
        _, other_seed, _ = _fit(6, "jit", epochs=1)
        _, no_dropout, _ = _fit(5, "jit", rate=0.0, epochs=1)
    first = runs["jit"][0][1][0]
    assert other_seed[0] != first and no_dropout[0] != first


def test_evaluate_and_predict_run_without_dropout_or_state_change(runs):
    model = runs["jit"][0][0]
    before = _state(model)
    expected = np.asarray(model(X, training=False))
    np.testing.assert_allclose(model.predict(X, batch_size=8, verbose=0), expected, rtol=1e-5, atol=1e-6)
    assert np.isfinite(model.evaluate(X, Y, batch_size=8, verbose=0))
    np.testing.assert_array_equal(_state(model), before)


class AlwaysNoisy(keras.layers.Layer):
    """Draws whatever ``training`` says: makes the masks of compiled predict steps visible."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.rng = seedkit.keras.SeedState()
        self.built = True

    def compute_output_shape(self, shape):  # seedkit's ops take concrete shapes (docs/frameworks.md)
        return shape

    def call(self, x):
        with self.rng:
            u = seedkit.uniform(x.shape[1:])  # an unseeded stateful op
            g = self.rng.generator().normal(x.shape[1:])  # a Generator for the step
            return seedkit.nn.dropout(x, 0.5) + 0 * u + 0 * g


def _noisy_predictions(seed):
    seedkit.set_seed(seed)
    inp = keras.Input((16,))
    model = keras.Model(inp, AlwaysNoisy()(inp))
    ones = np.ones((32, 16), "float32")
    return [model.predict(ones, batch_size=8, verbose=0) for _ in range(2)]


def test_compiled_steps_draw_fresh_masks_reproducibly():
    with seedkit.fork_rng():
        first, again = _noisy_predictions(3)
        rerun = _noisy_predictions(3)
    masks = np.concatenate([first, again]) != 0
    assert set(np.unique(first)) <= {0.0, 2.0}
    assert len({m.tobytes() for m in masks}) == 64  # every row of every step differs
    assert not np.array_equal(first, again)  # the state moved on between predict calls
    np.testing.assert_array_equal(first, rerun[0])
    np.testing.assert_array_equal(again, rerun[1])


def test_compiled_numbers_equal_eager_ones():
    with seedkit.fork_rng():
        seedkit.set_seed(1)
        layer = AlwaysNoisy()
        x = jnp.ones((2, 5))
        nontrainable = [v.value for v in layer.non_trainable_variables]
        step = jax.jit(lambda nt, x: layer.stateless_call([], nt, x))
        compiled, new = step(nontrainable, x)
        compiled2, _ = step(new, x)
        eager = layer(x)
        eager2 = layer(x)
    np.testing.assert_array_equal(compiled, eager)
    np.testing.assert_array_equal(compiled2, eager2)
    assert not np.array_equal(eager, eager2)


def test_op_seeds_in_a_block_follow_seedkit_function_rules():
    with seedkit.fork_rng():
        state = seedkit.keras.SeedState(seed=1)
        with state:
            a, b = seedkit.uniform([3], seed=7), seedkit.uniform([3], seed=7)
            c, d = seedkit.uniform([3]), seedkit.uniform([3])
        with state:
            a2 = seedkit.uniform([3], seed=7)
    np.testing.assert_array_equal(a, b)  # same op seed, same step: TF's (A1, A1)
    assert not np.array_equal(c, d) and not np.array_equal(a, a2)
    assert np.asarray(state.variable.value)[:2].tolist() == [2, 0]


def test_a_block_that_draws_nothing_keeps_the_state():
    state = seedkit.keras.SeedState(seed=1)
    with state:
        pass
    assert np.asarray(state.variable.value)[:2].tolist() == [0, 0]


def test_states_made_after_set_seed_repeat_and_differ_from_each_other():
    with seedkit.fork_rng():
        seedkit.set_seed(9)
        a, b = seedkit.keras.SeedState(), seedkit.keras.SeedState()
        seedkit.set_seed(9)
        a2 = seedkit.keras.SeedState()
    words = [np.asarray(s.variable.value).tolist() for s in (a, b, a2)]
    assert words[0] == words[2] and words[0] != words[1]


def test_weights_file_round_trip_continues_the_stream(tmp_path):
    with seedkit.fork_rng():
        model, _, _ = _fit(5, "jit", epochs=1)
        path = str(tmp_path / "m.weights.h5")
        model.save_weights(path)
        seedkit.set_seed(77)
        other = _model()
        other.load_weights(path)
        np.testing.assert_array_equal(_state(other), _state(model))
        x = jnp.ones((2, 4))
        np.testing.assert_array_equal(other(x, training=True), model(x, training=True))


def test_keras_file_round_trip(tmp_path):
    with seedkit.fork_rng():
        model, _, _ = _fit(5, "jit", epochs=1)
        path = str(tmp_path / "m.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(_state(loaded), _state(model))
    layer = next(la for la in loaded.layers if isinstance(la, seedkit.keras.Dropout))
    assert layer.rate == 0.5


def test_draws_that_would_repeat_raise():
    state = seedkit.keras.SeedState(seed=1)
    with state, pytest.raises(seedkit.TracingError, match="vmap"):
        jax.vmap(lambda r: seedkit.uniform([2]) + r)(jnp.zeros(3))
    layer = seedkit.keras.Dropout(0.5, seed=1)
    with pytest.raises(seedkit.TracingError, match="stateless_call"):
        jax.jit(lambda x: layer(x, training=True))(jnp.ones(4))
    with pytest.raises(RuntimeError, match="inside"):
        state.generator()


class PlainDropout(keras.layers.Layer):
    """seedkit dropout without a SeedState: the global counters."""

    def call(self, x, training=False):
        return seedkit.nn.dropout(x, 0.5) if training else x

    def compute_output_shape(self, shape):
        return shape


@pytest.mark.parametrize("mode", sorted(MODES))
def test_without_a_seed_state_only_uncompiled_steps_work(mode):
    # Uncompiled steps run jax.value_and_grad eagerly, where stateful ops advance the global
    # counters (docs/compiled.md); a compiled step raises and names the way out.
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(4), PlainDropout(), keras.layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse", **MODES[mode])
    if mode == "jit":
        with pytest.raises(seedkit.TracingError, match=r"seedkit\.keras\.SeedState"):
            model.fit(X, Y, batch_size=8, verbose=0)
    else:
        assert np.isfinite(model.fit(X, Y, batch_size=8, verbose=0).history["loss"]).all()


def test_op_determinism_refuses_an_unseeded_state():
    with seedkit.fork_rng():
        seedkit.set_seed(None)
        seedkit.enable_op_determinism()
        try:
            with pytest.raises(RuntimeError, match="determinism"):
                seedkit.keras.SeedState()
            seedkit.keras.SeedState(seed=2)  # an op seed is enough, as in TF
        finally:
            seedkit.disable_op_determinism()


def test_philox_default_algorithm(philox_default):
    layer = seedkit.keras.Dropout(0.5, seed=1)
    y = layer(jnp.ones(64), training=True)
    assert set(np.unique(y)) <= {0.0, 2.0} and 10 < int((y == 0).sum()) < 54
