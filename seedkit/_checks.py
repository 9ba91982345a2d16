"""Argument checks shared by every public entry point.

Each check raises ``TypeError``/``ValueError`` naming the argument, what was received and what
is accepted, before any state changes or any tracing happens.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

FLOATS = (jnp.float16, jnp.bfloat16, jnp.float32, jnp.float64)
INTS = (jnp.int32, jnp.int64, jnp.uint32, jnp.uint64)


def shape(value: Any, name: str = "shape") -> tuple[int, ...]:
    """A static output shape: a sequence of non-negative ints (or a scalar int, meaning ``[n]``)."""
    if type(value) is tuple and all(type(d) is int and d >= 0 for d in value):
        return value  # the common case, kept cheap for eager calls
    if isinstance(value, jax.core.Tracer):
        raise TypeError(
            f"`{name}` must be static (known at trace time); got a traced array. Mark it static "
            "(e.g. jax.jit(..., static_argnums=...)) or pass a Python tuple."
        )
    if isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool):
        value = (value,)
    try:
        dims = tuple(np.asarray(value).reshape(-1).tolist()) if not isinstance(value, tuple) else value
    except Exception:
        dims = None
    if dims is None or not all(
        isinstance(d, (numbers.Integral, np.integer)) and not isinstance(d, (bool, np.bool_)) for d in dims
    ):
        raise TypeError(f"`{name}` must be a sequence of non-negative ints; got {value!r}.")
    dims = tuple(int(d) for d in dims)
    if any(d < 0 for d in dims):
        raise ValueError(f"`{name}` must not have negative dimensions; got {dims}.")
    return dims


_DTYPE_CACHE: dict = {}


def dtype(value: Any, allowed: tuple, name: str = "dtype", where: str = "") -> jnp.dtype:
    """Check ``value`` against ``allowed`` dtypes and canonicalise it the way ``jax.numpy`` does:
    a 64-bit dtype requested while ``jax_enable_x64`` is off becomes its 32-bit twin with a
    ``UserWarning`` (JAX's own convention)."""
    try:
        cache_key = (value, allowed, jax.config.jax_enable_x64)
        requested, canonical = _DTYPE_CACHE[cache_key]
    except (KeyError, TypeError):  # not seen yet, or unhashable
        cache_key = None
        try:
            requested = jnp.dtype(value)
        except TypeError:
            requested = None
        if requested is None or requested not in [jnp.dtype(a) for a in allowed]:
            names = ", ".join(jnp.dtype(a).name for a in allowed)
            raise TypeError(f"`{name}`{where} must be one of {names}; got {value!r}.") from None
        canonical = jnp.dtype(jax.dtypes.canonicalize_dtype(requested))
        try:
            _DTYPE_CACHE[(value, allowed, jax.config.jax_enable_x64)] = (requested, canonical)
        except TypeError:
            pass
    if canonical != requested:
        warnings.warn(
            f"Explicitly requested dtype {requested.name}{where} is not available with "
            f"jax_enable_x64 off, and will be {canonical.name}. Set "
            "jax.config.update('jax_enable_x64', True) to get it.",
            UserWarning,
            stacklevel=4,
        )
    return canonical


def is_concrete(x: Any) -> bool:
    return not isinstance(x, jax.core.Tracer)


def ends_with(out_shape: tuple[int, ...], param_shape: tuple[int, ...], name: str, param: str) -> None:
    """TF's rule for gamma/poisson-style parameters: ``shape`` must end with the parameters'
    (broadcast) shape."""
    k = len(param_shape)
    if k > len(out_shape) or tuple(out_shape[len(out_shape) - k :]) != tuple(param_shape):
        raise ValueError(
            f"`{name}` must end with the shape of `{param}` {tuple(param_shape)} (TF's rule); got "
            f"{name}={tuple(out_shape)}. Use e.g. {name}=(n,) + {tuple(param_shape)}."
        )


def broadcastable(out_shape: tuple[int, ...], value: Any, param: str) -> None:
    """``value`` must broadcast to ``out_shape`` without changing it."""
    if type(value) in (int, float):
        return
    s = tuple(np.shape(value))
    try:
        b = np.broadcast_shapes(out_shape, s)
    except ValueError:
        b = None
    if b != tuple(out_shape):
        raise ValueError(f"`{param}` of shape {s} does not broadcast to the output shape {tuple(out_shape)}.")
