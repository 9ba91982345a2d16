"""Dropout with TensorFlow's semantics: ``tf.nn.dropout`` and ``tf.nn.experimental.stateless_dropout``.

Both keep each element of ``x`` where a uniform draw of ``x``'s dtype, of shape ``noise_shape``
(default ``x.shape``; it must broadcast to ``x.shape``), is ``>= rate``, and scale the kept
elements by ``1 / (1 - rate)``, as TF does:

* ``rate`` a Python/NumPy number: it must lie in ``[0, 1)`` (else ``ValueError``); the scale is
  ``1 / (1 - rate)`` computed in Python and cast to ``x``'s dtype, and ``rate == 0`` returns
  ``x`` without drawing (the stateful op still takes its op seed, as TF's ``get_seed`` call does).
* ``rate`` a scalar array: cast to ``x``'s dtype, the kept elements are ``x / (1 - rate)``
  (XLA may turn this division by a scalar into a multiplication by its reciprocal: an ulp off
  TF's ``real_div`` at most). A traced rate cannot be checked; outside ``[0, 1)`` the result is
  NaN rather than a silently wrong value.

The uniform draw is exactly seedkit's ``uniform``/``stateless_uniform`` of ``noise_shape`` and
``x.dtype``: ``dropout(x, rate, seed=s)`` shares the counter of ``uniform(noise_shape,
dtype=x.dtype, seed=s)`` (TF's dropout runs that very op), and
``stateless_dropout(x, rate, seed)`` keeps ``stateless_uniform(noise_shape, seed,
dtype=x.dtype) >= rate``.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seedkit import _checks, _jax, _state
from seedkit import _stateful_run as _eager
from seedkit import random as _random
from seedkit._algorithms import resolve_alg
from seedkit._api import public_dir
from seedkit._seeds import is_typed_key, seed_words
from seedkit._typing import AlgLike, ArrayLike, IntLike, SeedLike, ShapeLike
from seedkit.stateless import _sample, _sample_from_key, seed_key_words

_UNIT = (0, 1.0)  # the parameters of a [0, 1) uniform draw (seedkit.random.uniform's defaults)


def _float_input(x: Any) -> tuple[jax.Array | np.ndarray, jnp.dtype]:
    if not isinstance(x, (jax.Array, np.ndarray)):
        x = jnp.asarray(x)
    dtype = jnp.dtype(jax.dtypes.canonicalize_dtype(x.dtype))
    if not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(f"`x` must be a floating-point array, since dropout scales it; got dtype {x.dtype}.")
    return x, dtype


def _rate(rate: Any) -> tuple[bool, Any, Any]:
    """(divide, rate, scale): ``divide`` is False for a number rate (scale by ``1/(1-rate)``)
    and True for an array rate (divide by ``1 - rate``)."""
    if isinstance(rate, (bool, np.bool_)):
        raise TypeError(f"`rate` must be a float in [0, 1) or a scalar float array; got {rate!r}.")
    if isinstance(rate, numbers.Real):
        if not 0 <= rate < 1:  # type: ignore[operator]  # also refuses NaN, which TF lets through
            raise ValueError(f"`rate` must be a float in the range [0, 1); got rate={rate!r}.")
        return False, rate, 1 / (1 - rate)  # type: ignore[operator]  # TF: keep_prob = 1 - rate; scale = 1 / keep_prob
    if isinstance(rate, (jax.Array, np.ndarray)):
        if rate.ndim != 0:
            raise ValueError(f"`rate` must be a scalar; got an array of shape {tuple(rate.shape)}.")
        if not jnp.issubdtype(rate.dtype, jnp.floating):
            raise TypeError(f"`rate` must be a floating-point scalar; got dtype {rate.dtype}.")
        if _checks.is_concrete(rate):
            r = float(rate)
            if not 0 <= r < 1:
                raise ValueError(f"`rate` must lie in the range [0, 1); got rate={r!r}.")
        return True, rate, None
    raise TypeError(
        f"`rate` must be a float in [0, 1) or a scalar float array; got {type(rate).__name__} {rate!r}."
    )


def _noise_shape(x_shape: tuple[int, ...], noise_shape: Any) -> tuple[int, ...]:
    if noise_shape is None:
        return tuple(x_shape)
    if isinstance(noise_shape, jax.core.Tracer):
        raise TypeError("`noise_shape` must be static (a sequence of ints); got a traced array.")
    dims = noise_shape
    if isinstance(noise_shape, (list, tuple)) and len(noise_shape) == len(x_shape):
        # TF: a None entry of a full-rank noise_shape takes x's dimension.
        dims = tuple(x if d is None else d for d, x in zip(noise_shape, x_shape, strict=True))
    dims = _checks.shape(dims, "noise_shape")
    try:
        ok = np.broadcast_shapes(tuple(x_shape), dims) == tuple(x_shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"`noise_shape` {dims} must broadcast to the shape of `x` {tuple(x_shape)}.")
    return dims


def _coefficients(rate, scale, divide: bool, dtype) -> Any:
    """What the kernel multiplies with: for a number rate, ``[rate, scale]`` in ``x``'s dtype,
    each rounded once from the Python value as TF's ``convert_to_tensor(value, dtype=x.dtype)``
    does; for an array rate, the rate itself."""
    if divide:
        return rate
    return np.array([rate, scale], dtype)


def _apply(x, u, coef, divide: bool):
    """TF's dropout arithmetic given the uniform draw ``u``."""
    dtype = x.dtype
    zero = jnp.zeros((), dtype)
    if divide:
        r = jnp.asarray(coef).astype(dtype)
        kept = x / (jnp.asarray(1, dtype) - r)
        out = jnp.where(u >= r, kept, zero)
        return jnp.where((r >= 0) & (r < 1), out, jnp.asarray(jnp.nan, dtype))
    coef = jnp.asarray(coef, dtype)
    return jnp.where(u >= coef[0], x * coef[1], zero)


@functools.partial(jax.jit, static_argnames=("alg", "noise_shape", "divide", "keyed"))
def _kernel(alg, noise_shape: tuple, divide: bool, state, x, coef, keyed: bool = False):
    """``state``: 4 seed words (stateless), or a stateful op's 6 words, one argument; with
    ``keyed``, the derived key a typed key given as the seed holds."""
    static = (noise_shape, x.dtype)
    if keyed:
        u = _sample_from_key("uniform_float", alg, static, state, None, _UNIT)
    elif state.shape[0] == 6:
        u = _eager.sample_state("uniform_float", alg, static, state, _UNIT)
    else:
        u = _sample("uniform_float", alg, static, state, None, _UNIT)
    return _apply(x, u, coef, divide)


def dropout(
    x: ArrayLike,
    rate: float | np.floating | np.ndarray | jax.Array,
    noise_shape: ShapeLike | Sequence[int | None] | None = None,
    seed: IntLike | None = None,
    name: str | None = None,
) -> jax.Array:
    """Zero each element with probability ``rate`` and scale the rest by ``1 / (1 - rate)``
    (``tf.nn.dropout``). ``seed`` is the op seed, with ``seedkit.set_seed``'s rules (module
    docstring); calls with the same seed continue one counter.

    Args:
        x: A floating-point array (or a list of floats).
        rate: The drop probability: a number in ``[0, 1)`` or a scalar float array (traced too).
        noise_shape: The mask's shape, which broadcasts to ``x``'s (``None`` entries: ``x``'s
            dimension); ``None`` (the default) is ``x``'s shape.
        seed: The op seed (an integer or ``None``), as for ``seedkit.uniform``.
        name: Accepted for TF compatibility and ignored.

    Returns:
        An array of ``x``'s shape and dtype: zeros and the kept values times ``1 / (1 - rate)``.

    Raises:
        TypeError: A non-float ``x``; a non-float ``rate``; a ``seed`` that is not an integer.
        ValueError: A ``rate`` outside ``[0, 1)`` or not a scalar; a ``noise_shape`` that does
            not broadcast to ``x``'s shape.
        seedkit.TracingError: A call inside plain ``jax.jit``/``vmap`` (use ``seedkit.function``).

    Example:
        >>> import jax.numpy as jnp
        >>> from seedkit.nn import dropout
        >>> from seedkit.random import set_seed
        >>> set_seed(0)
        >>> y = dropout(jnp.ones([3, 5]), rate=0.8, seed=1)
        >>> set(y.ravel().tolist()) <= {0.0, 5.0}
        True
    """
    op_seed = _eager.op_seed(seed)
    alg = resolve_alg(None)
    x, dtype = _float_input(x)
    divide, rate, scale = _rate(rate)
    noise = _noise_shape(tuple(np.shape(x)), noise_shape)
    call = _state.OpCall("seedkit.nn.dropout", "uniform_float", dtype.name, "uniform_float",
                         alg, (noise, dtype), _UNIT, op_seed)  # fmt: skip
    if not divide and rate == 0:
        _random._dummy_rng_step(call.api, call)
        return jnp.asarray(x)
    coef = _coefficients(rate, scale, divide, dtype)
    handler = _state.current_trace_handler()
    if handler is not None:
        return _apply(x, handler(call), coef, divide)
    if _state.is_tracing():
        if not _jax.evaluates_once():  # staged, or under vmap: the counter could not advance
            raise _state.tracing_error(call.api)
    elif isinstance(x, jax.core.Tracer) or isinstance(rate, jax.core.Tracer):  # leaked tracers
        raise _state.tracing_error(call.api)
    state = _eager.next_state(alg, "uniform_float", dtype.name, op_seed, call.static, ())
    return _kernel(alg, noise, divide, state, x, coef)


def stateless_dropout(
    x: ArrayLike,
    rate: float | np.floating | np.ndarray | jax.Array,
    seed: SeedLike,
    rng_alg: AlgLike = None,
    noise_shape: ShapeLike | Sequence[int | None] | None = None,
    name: str | None = None,
) -> jax.Array:
    """Dropout as a pure function of ``seed`` (``tf.nn.experimental.stateless_dropout``, same
    argument order). Works under ``jax.jit``/``vmap`` with traced ``x``, ``seed`` and ``rate``.
    ``seed`` may be a typed key, as for the ``stateless_*`` ops (``seedkit.key(x)`` for ``x``).

    Args:
        x: A floating-point array (or a list of floats).
        rate: The drop probability: a number in ``[0, 1)`` or a scalar float array (traced too).
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``seedkit.stateless_uniform``.
        rng_alg: The algorithm, as ``alg`` for ``stateless_uniform`` (``None``: the default).
        noise_shape: The mask's shape, as for :func:`dropout`.
        name: Accepted for TF compatibility and ignored.

    Returns:
        An array of ``x``'s shape and dtype: zeros and the kept values times ``1 / (1 - rate)``.

    Raises:
        TypeError: A non-float ``x`` or ``rate``; a float or bool seed.
        ValueError: A ``rate`` outside ``[0, 1)``; a bad ``noise_shape``; a seed not of shape
            ``[2]``; an unknown ``rng_alg``.

    Example:
        >>> import jax.numpy as jnp
        >>> from seedkit.nn import stateless_dropout
        >>> a = stateless_dropout(jnp.ones([3, 5]), rate=0.8, seed=(1, 0))
        >>> b = stateless_dropout(jnp.ones([3, 5]), rate=0.8, seed=(1, 0))
        >>> bool((a == b).all()), set(a.ravel().tolist()) <= {0.0, 5.0}
        (True, True)
    """
    x, dtype = _float_input(x)
    divide, rate, scale = _rate(rate)
    noise = _noise_shape(tuple(np.shape(x)), noise_shape)
    alg = resolve_alg(rng_alg, "rng_alg")
    keyed = is_typed_key(seed)
    words = seed_key_words(seed, alg) if keyed else seed_words(seed)  # type: ignore[arg-type]
    if not divide and rate == 0:
        return jnp.asarray(x)
    return _kernel(alg, noise, divide, words, x, _coefficients(rate, scale, divide, dtype), keyed)


__all__ = ["dropout", "stateless_dropout"]


__dir__ = public_dir(__all__)
