"""seedkit's random ops inside Keras 3 layers (JAX backend): ``fit``, ``evaluate``, ``predict``.

Keras compiles its train, test and predict steps with ``jax.jit`` (and differentiates the
forward pass with ``jax.value_and_grad``) as pure functions of the model's variables, so a layer
cannot keep random state in Python: a stateful seedkit op there raises ``TracingError``. Keras's
own answer is ``keras.random.SeedGenerator``, a variable that the steps thread. This module is the
same idea for seedkit:

* :class:`SeedState` is a tiny layer that owns one non-trainable ``uint32[4]`` variable
  ``[step_lo, step_hi, key_0, key_1]``. Keras threads it through its compiled steps and saves it
  with the weights. Its key comes from seedkit's seeds when it is created (TF's rules, as
  ``seedkit.get_seed(seed)``): after ``seedkit.set_seed(s)``, building the same model gives the
  same keys, hence the same numbers.
* ``with state:`` in a layer's ``call`` routes seedkit's stateful ops (``seedkit.nn.dropout``,
  ``seedkit.uniform``, ``normal``, ...) to that variable. The k-th op without a seed in the block
  draws stream *step* of op seed k, an op with ``seed=s`` stream *step* of op seed s (the rule of
  ``seedkit.function``, with the block as one call); :meth:`SeedState.generator` gives a
  ``seedkit.Generator`` for the step. When the block drew anything, the step moves on by one:
  every training step (every call of the layer) draws new numbers, and nothing repeats across
  compiled calls.
* :class:`Dropout` is ``keras.layers.Dropout`` on ``seedkit.nn.dropout`` (TF's masks and scale).

Importing this module imports Keras (``seedkit`` itself never does) with the JAX backend: it
sets ``KERAS_BACKEND=jax`` when the variable is unset and raises ``ImportError`` if Keras was
already loaded with another backend. Keras is an optional extra: ``pip install "seedkit-jax[keras]"``.
The numbers are the default algorithm's samplers on keys hashed from the state; they are not
``tf.keras``'s (Keras 3 draws from a generator of its own).

A layer whose ``call`` draws seedkit numbers needs ``compute_output_shape`` (as Keras's own
``Dropout`` has) when Keras builds it symbolically: that pass gives the batch dimension as a
symbolic size, and seedkit's ops take concrete shapes.

Example:
    >>> import jax.numpy as jnp, keras, seedkit, seedkit.keras
    >>> class Noisy(keras.layers.Layer):
    ...     def __init__(self, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.rng = seedkit.keras.SeedState()
    ...     def call(self, x, training=False):
    ...         if not training:
    ...             return x
    ...         with self.rng:
    ...             return seedkit.nn.dropout(x, 0.5)
    >>> seedkit.set_seed(1)
    >>> layer = Noisy()
    >>> a, b = layer(jnp.ones(8), training=True), layer(jnp.ones(8), training=True)
    >>> bool((a != b).any()), set(a.tolist()) <= {0.0, 2.0}
    (True, True)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")  # before Keras's first import picks a backend
try:
    import keras
except ImportError as e:  # the optional extra is missing: say which one
    raise ImportError('seedkit.keras needs Keras 3: pip install "seedkit-jax[keras]"') from e

from seedkit import _jax, _state
from seedkit import _stateful_run as _run
from seedkit import nn as _nn
from seedkit._algorithms import bit_generator, resolve_alg
from seedkit._api import public_dir
from seedkit._typing import IntLike, ShapeLike
from seedkit._words import add_words, times_const
from seedkit.generator import Generator

__all__ = ["Dropout", "SeedState"]


__dir__ = public_dir(__all__)


if keras.backend.backend() != "jax":
    raise ImportError(
        f"seedkit.keras needs Keras's JAX backend; Keras runs on {keras.backend.backend()!r}. "
        "Set KERAS_BACKEND=jax before Keras is first imported."
    )

_GEN_SALT = 0x67656E21  # "gen!": keeps a step's Generator key apart from the ops' words
_SEEDED = 1  # second counter word of an op with seed=...; 0 for ops numbered by position

_STAGED = (
    "{api} ran inside a jax.vmap, lax loop or cond body, jax.checkpoint or inner jax.jit opened "
    "within `with {state}:`; the state can advance only once per run of the block, so every "
    "iteration or element would draw the same numbers. Draw outside that body and pass the "
    "values in, or pass seeds from SeedState.generator().make_seeds() to stateless_* ops."
)
_CONSTANT = (
    "{api} ran in `with {state}:` while JAX traces, but the state is a constant here (the layer "
    "was called under jax.jit outside Keras's steps): every call would draw the same numbers. "
    "Train with model.fit/evaluate/predict, or thread the variables with model.stateless_call "
    "under your jax.jit."
)


def _in_keras_stateless_scope() -> bool:
    # Keras (3.0 - 3.15) has no public query for its StatelessScope; the symbolic shape pass
    # (compute_output_spec) runs layers in one with the variables' concrete values, and
    # writes there go to the scope, not the variable, so nothing leaks.
    from keras.src.backend.common.stateless_scope import in_stateless_scope

    return in_stateless_scope()


class _Block(threading.local):
    def __init__(self) -> None:
        self.stack: list[_Handler] = []


_blocks = _Block()


class _Handler:
    """One ``with state:`` block: answers the stateful ops called in it (a seedkit trace
    handler, see :func:`seedkit._state.trace_handler`)."""

    def __init__(self, owner: SeedState) -> None:
        self.owner = owner
        self.value = jnp.asarray(owner.variable.value, jnp.uint32)
        self.base = _jax.current_trace()
        concrete = not isinstance(self.value, jax.core.Tracer)
        self.constant = concrete and not _jax.evaluates_once() and not _in_keras_stateless_scope()
        self.position = 0
        self.drew = False
        self.gen: Generator | None = None
        self.trace = _state.trace_handler(self)

    def _check(self, api: str) -> None:
        if self.constant:
            raise _state.TracingError(_CONSTANT.format(api=api, state=self.owner.name))
        if not _jax.evaluates_once_above(self.base):
            raise _state.TracingError(_STAGED.format(api=api, state=self.owner.name))
        self.drew = True

    def __call__(self, call: _state.OpCall) -> Any:
        self._check(call.api)
        if call.op_seed is None:
            op_id, kind = self.position, 0
            self.position += 1
        else:
            op_id, kind = call.op_seed % _state.MAXINT32, _SEEDED
        alg = call.alg
        h0, h1 = bit_generator("threefry").block(self.value[2:4], jnp.uint32(op_id), jnp.uint32(kind))
        words = jnp.stack([h0, h1, jnp.uint32(0), jnp.uint32(0)])
        position = times_const(
            self.value[0], self.value[1], alg.op_advance(call.dist, call.static, call.params)
        )
        return call.sample_state(alg.op_state(words, jnp.stack(position[: alg.position_words])))

    def generator(self) -> Generator:
        if self.gen is None:
            self._check("SeedState.generator()")
            alg = resolve_alg(None)
            hash_ = bit_generator("threefry").block  # a seed-derivation hash, whatever the algorithm
            key = jnp.stack(hash_(self.value[2:4], jnp.uint32(_GEN_SALT), jnp.uint32(_GEN_SALT)))
            key = jnp.stack(hash_(key, self.value[0], self.value[1]))
            counter = jnp.zeros(alg.state_layout[0], jnp.uint32)
            self.gen = Generator._from_trusted(jnp.concatenate([counter, key]), alg)
        return self.gen

    def next_value(self) -> jax.Array:
        lo, hi = add_words([self.value[0], self.value[1]], [jnp.uint32(1)])
        return jnp.concatenate([jnp.stack([lo, hi]), self.value[2:]])


def _initial_words(seed: int | None) -> np.ndarray:
    """``[0, 0, g, o]`` for TF's pair ``seedkit.get_seed(seed)`` (the next op seed of the
    global stream when ``seed`` is None and a global seed is set), or fresh entropy."""
    g, o = _state.get_seed(seed)  # raises under op determinism with neither seed
    if g is None:
        return np.concatenate([np.zeros(2, np.uint32), _state.entropy_words()[:2]])
    return np.array([0, 0, g, o], np.uint32)


@keras.saving.register_keras_serializable(package="seedkit")
class SeedState(keras.layers.Layer):
    """Random state for seedkit ops in a Keras layer, kept in a non-trainable ``uint32[4]``
    variable (``variable``) that Keras threads through ``fit``/``evaluate``/``predict`` and
    saves with the weights. Make it in the layer's ``__init__`` and draw in ``with self.state:``
    (module docstring).

    Args:
        seed: An op seed (an integer), with ``seedkit.set_seed``'s rules; ``None`` (the default)
            takes the next op seed of the global seed (fresh entropy without one).
        **kwargs: Keras ``Layer`` arguments (``name``, ...).

    Raises:
        TypeError: A ``seed`` that is not an integer or ``None``.

    Example:
        >>> import seedkit, seedkit.keras
        >>> state = seedkit.keras.SeedState(seed=3)
        >>> with state:
        ...     x = seedkit.uniform([2])
        ...     g = state.generator()
        ...     y = g.normal([2])
        >>> [int(w) for w in state.variable.value[:2]]   # one step taken
        [1, 0]
    """

    def __init__(self, seed: IntLike | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = _run.op_seed(seed)
        words = _initial_words(self.seed)
        self.variable = self.add_weight(
            shape=(4,),
            dtype="uint32",
            trainable=False,
            initializer=lambda shape, dtype=None: jnp.asarray(words),
            name="seed_state",
        )
        self.built = True

    def call(self, inputs: Any) -> Any:
        raise TypeError("SeedState is not called: use `with state:` inside another layer's call.")

    def __enter__(self) -> SeedState:
        handler = _Handler(self)
        handler.trace.__enter__()
        _blocks.stack.append(handler)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        handler = _blocks.stack.pop()
        if handler.owner is not self:
            raise RuntimeError("`with SeedState` blocks must be exited in reverse order.")
        handler.trace.__exit__(exc_type, exc, tb)
        if exc_type is None and handler.drew:
            self.variable.assign(handler.next_value())

    def generator(self) -> Generator:
        """A ``seedkit.Generator`` for this step (the same object for the whole block; a new
        stream at every step, made from the state's key and step). Only inside ``with self:``."""
        for handler in reversed(_blocks.stack):
            if handler.owner is self:
                return handler.generator()
        raise RuntimeError(f"{self.name}.generator() is only available inside `with {self.name}:`.")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="seedkit")
class Dropout(keras.layers.Layer):
    """``keras.layers.Dropout`` with ``seedkit.nn.dropout`` (TF's masks and scale): active
    when called with ``training=True`` (as in ``fit``), the identity otherwise.

    Args:
        rate: The drop probability, a float in ``[0, 1)``.
        noise_shape: The mask's shape, as for ``seedkit.nn.dropout`` (``None``: the input's).
        seed: The op seed of its :class:`SeedState` (``self.seed_state``), or ``None``.
        **kwargs: Keras ``Layer`` arguments (``name``, ...).

    Raises:
        ValueError: A ``rate`` outside ``[0, 1)``.

    Example:
        >>> import jax.numpy as jnp, seedkit.keras
        >>> layer = seedkit.keras.Dropout(0.5, seed=1)
        >>> set(layer(jnp.ones(6), training=True).tolist()) <= {0.0, 2.0}
        True
        >>> layer(jnp.ones(3)).tolist()
        [1.0, 1.0, 1.0]
    """

    def __init__(
        self,
        rate: float,
        noise_shape: ShapeLike | Sequence[int | None] | None = None,
        seed: IntLike | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"`rate` must lie in [0, 1); got {rate!r}.")
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed
        self.seed_state = SeedState(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs: Any, training: bool = False) -> Any:
        if not training or self.rate == 0:
            return inputs
        with self.seed_state:
            return _nn.dropout(inputs, self.rate, noise_shape=self.noise_shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = {"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}
        return {**super().get_config(), **config}
