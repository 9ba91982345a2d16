"""Host-side parsing of Generator arguments (states, keys, counters, counts) and the cache of
validated draw arguments that keeps eager draws cheap (see :mod:`seedkit.generator`)."""

from __future__ import annotations

import numbers
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seedkit._cache import BoundedCache
from seedkit._checks import describe as _describe
from seedkit._seeds import is_typed_key, typed_key_words
from seedkit._words import MASK32, int_words


def _is_int(x: Any) -> bool:
    return isinstance(x, (numbers.Integral, np.integer)) and not isinstance(x, (bool, np.bool_))


def _host_ints(value: Any, name: str) -> list[int] | None:
    """The integers of a 1-D host value (list, tuple, NumPy array, concrete JAX array), or
    ``None`` for a traced array."""
    if isinstance(value, jax.core.Tracer):
        return None
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"`{name}` must be an integer or an integer array; got {_describe(value)}.")
    arr = np.asarray(value, dtype=object) if isinstance(value, (list, tuple)) else np.asarray(value)
    if arr.dtype != object and arr.dtype.kind not in "iu":
        raise TypeError(f"`{name}` must hold integers; got {_describe(value)}.")
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be one-dimensional; got {_describe(value)} of shape {arr.shape}.")
    out = arr.tolist()
    for x in out:
        if not _is_int(x):
            raise TypeError(f"`{name}` must hold integers; got {_describe(value)} containing {x!r}.")
    return [int(x) for x in out]


def _words(value: Any, n_words: int, name: str, what: str) -> np.ndarray | jax.Array:
    """Parse ``value`` into ``n_words`` uint32 words. Accepted: ``n_words`` uint32 words (any
    integer array-like with values in ``[0, 2**32)``; a JAX ``uint32`` array may be traced), or
    TF's form, ``n_words // 2`` int64 limbs (values in ``[-2**63, 2**64)``, little-endian)."""
    if is_typed_key(value):  # JAX's key arrays have no integer dtype (`.kind`) to check
        raise TypeError(
            f"`{name}` must be uint32 words or int64 values, not a typed JAX key: pass "
            f"jax.random.key_data({name}) for its words, or use Generator.from_key(key)."
        )
    limbs = n_words // 2
    accepted = (
        f"{what}: {n_words} uint32 words (seedkit's layout) or {limbs} int64 value"
        f"{'s' if limbs > 1 else ''} (TF's layout)"
    )
    if isinstance(value, jax.Array) and jnp.dtype(value.dtype) == jnp.uint32 and value.shape == (n_words,):
        return value  # already words; may be traced (e.g. a Generator created inside jit)
    ints = _host_ints(value, name)
    if ints is None:
        raise TypeError(
            f"`{name}` must be {accepted}; a traced value must be a uint32 array of shape "
            f"[{n_words}]; got {_describe(value)}."
        )
    if len(ints) == n_words:
        if any(not 0 <= v <= MASK32 for v in ints):
            raise ValueError(f"`{name}` words must lie in [0, 2**32); got {ints}.")
        return np.array(ints, np.uint32)
    if len(ints) == limbs:
        if any(not -(2**63) <= v < 2**64 for v in ints):
            raise ValueError(f"`{name}` int64 values must lie in [-2**63, 2**64); got {ints}.")
        return np.array([w for v in ints for w in int_words(v, 2)], np.uint32)
    raise ValueError(f"`{name}` must be {accepted}; got {len(ints)} values in {_describe(value)}.")


def _int_or_words(value: Any, n_words: int, name: str, what: str) -> np.ndarray | jax.Array:
    """A whole integer (``32 n_words`` bits, two's complement for negatives) or :func:`_words`."""
    if _is_int(value) or (
        isinstance(value, (np.ndarray, jax.Array))
        and not is_typed_key(value)
        and not isinstance(value, jax.core.Tracer)
        and value.shape == ()
        and value.dtype.kind in "iu"
    ):
        v = int(value)
        bits = 32 * n_words
        if not -(2 ** (bits - 1)) <= v < 2**bits:
            raise ValueError(f"`{name}` must lie in [-2**{bits - 1}, 2**{bits}); got {v}.")
        return np.array(int_words(v, n_words), np.uint32)
    return _words(value, n_words, name, what)


def _state_words(state: Any, alg: Any, name: str = "state") -> np.ndarray | jax.Array:
    n_counter, n_key = alg.state_layout
    if isinstance(state, (list, tuple)) and len(state) == 1 and getattr(state[0], "ndim", 0) == 1:
        # A Generator's pytree leaves, [state] (jax.tree.leaves(g)): what a checkpoint library
        # restores when it is not given the Generator as a target (orbax's restore(path)).
        state = state[0]
    return _words(state, n_counter + n_key, name, f"a {alg.name} state")


def _positive_count(count: Any, name: str = "count") -> int:
    if isinstance(count, jax.core.Tracer):
        raise TypeError(f"`{name}` must be a static Python int; got a traced value.")
    if isinstance(count, (np.ndarray, jax.Array)) and count.shape == () and count.dtype.kind in "iu":
        count = int(count)
    if not _is_int(count):
        raise TypeError(f"`{name}` must be a positive int; got {_describe(count)}.")
    if int(count) < 1:
        raise ValueError(f"`{name}` must be a positive int; got {int(count)}.")
    return int(count)


# ------------------------------------------------------------------ cached argument validation
_ARG_CACHE = BoundedCache(1024)
_SIMPLE = frozenset((int, float, str, type(None)))


class _Uncacheable(Exception):
    pass


def _freeze(v: Any) -> Any:
    t = type(v)
    if t in _SIMPLE or t is np.dtype or isinstance(v, type):
        return (t, v)
    if (t is tuple or t is list) and all(type(d) is int for d in v):
        return (t, tuple(v))
    raise _Uncacheable


def _as_param(p: Any) -> Any:
    # A list is a pytree of scalars to jit (one argument per element); an array is one argument.
    return np.asarray(p) if isinstance(p, (list, tuple)) else p


def _validated(validator, *args) -> tuple[str, tuple, tuple]:
    """``validator(*args)`` (a ``seedkit._op_args.*_args``), cached for hashable Python
    arguments: the eager hot path then costs one dict lookup instead of the checks."""
    try:
        key = (validator, jax.config.jax_enable_x64, *map(_freeze, args))  # type: ignore[attr-defined]
    except _Uncacheable:
        key = None
    hit = _ARG_CACHE.get(key)
    if hit is not None:
        return hit
    dist, static, params = validator(*args)
    out = (dist, static, tuple(_as_param(p) for p in params))
    _ARG_CACHE.put(key, out)
    return out


# ------------------------------------------------------------------ constructors' states
def seed_state(seed: Any, alg: Any) -> Any:
    if is_typed_key(seed):
        raise TypeError(
            "`seed` is a typed JAX key; Generator.from_seed takes an integer or a shape-[2] seed. "
            "Use Generator.from_key(key): for key = seedkit.key(x) it gives the Generator "
            "from_seed(x) gives."
        )
    return alg.seed_state(seed)


def key_state(key: Any, alg: Any) -> Any:
    if not is_typed_key(key):
        raise TypeError(
            f"`key` must be a typed JAX key (seedkit.key(seed), jax.random.key(s)); got "
            f"{_describe(key)}. For an integer or shape-[2] seed use Generator.from_seed; for raw "
            "key words, Generator.from_key_counter."
        )
    words = typed_key_words(
        key, alg.jax_prng_impl, alg.name, "key", "Use Generator.from_seed with an integer or shape-[2] seed."
    )
    return alg.key_seed_state(words)


def key_counter_state(key: Any, counter: Any, alg: Any) -> jax.Array:
    n_counter, n_key = alg.state_layout
    k = _int_or_words(key, n_key, "key", "a 64-bit key")
    c = _int_or_words(counter, n_counter, "counter", f"a {32 * n_counter}-bit counter")
    if isinstance(k, np.ndarray) and isinstance(c, np.ndarray):
        return jnp.asarray(np.concatenate([c, k]))
    return jnp.concatenate([jnp.asarray(c), jnp.asarray(k)])
