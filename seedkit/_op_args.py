"""TF's argument rules for each random op, in one place: the stateless ops, the stateful ops and
Generator methods all validate through these. Each ``*_args`` returns ``(dist, static, params)``
for :func:`seedkit.stateless._sample`: the sampler's name, its static arguments (shape, dtype,
...) and its array parameters."""

from __future__ import annotations

import numbers
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seedkit import _checks


def scalar_param(value: Any, name: str, dtype) -> Any:
    if value is None:
        return None
    if np.ndim(value) != 0:
        raise ValueError(
            f"`{name}` must be a scalar for integer dtypes (TF's rule); got a value of shape "
            f"{np.shape(value)}."
        )
    return value


def check_int_bounds(minval, maxval, dtype, empty: bool = False) -> None:
    """Integer bounds inside the dtype and ``minval < maxval``, which TF checks only for a
    non-empty output (``uniform([0], 0, 0, dtype=int32)`` is an empty array)."""
    info = jnp.iinfo(dtype)
    for name, v in (("minval", minval), ("maxval", maxval)):
        if isinstance(v, (float, np.floating)) or (hasattr(v, "dtype") and jnp.dtype(v.dtype).kind == "f"):
            raise TypeError(f"`{name}` must be an integer for dtype {jnp.dtype(dtype).name}; got {v!r}.")
        if _checks.is_concrete(v):
            iv = int(np.asarray(v))
            if not info.min <= iv <= info.max:
                raise ValueError(
                    f"`{name}`={iv} is outside the range of {jnp.dtype(dtype).name} [{info.min}, {info.max}]."
                )
    if _checks.is_concrete(minval) and _checks.is_concrete(maxval) and not empty:
        if int(np.asarray(minval)) >= int(np.asarray(maxval)):
            raise ValueError(
                f"`minval` must be less than `maxval` for integer dtypes; got minval={minval!r}, "
                f"maxval={maxval!r}."
            )


def uniform_args(shape, minval, maxval, dtype) -> tuple[str, tuple, tuple]:
    """(sampler, static, params) for TF's uniform rules; shared with Generator and the stateful
    ``uniform``."""
    shape = _checks.shape(shape)
    dtype = _checks.dtype(dtype, _checks.FLOATS + _checks.INTS)
    if jnp.issubdtype(dtype, jnp.integer):
        if minval is None and maxval is None:
            return "full_int", (shape, dtype), ()
        if minval is None or maxval is None:
            raise ValueError(
                f"For integer dtype {dtype.name}, `minval` and `maxval` must be both None (full "
                f"range) or both given; got minval={minval!r} and maxval={maxval!r}."
            )
        minval, maxval = scalar_param(minval, "minval", dtype), scalar_param(maxval, "maxval", dtype)
        check_int_bounds(minval, maxval, dtype, empty=0 in shape)
        # Concrete bounds travel as arrays of the output dtype: a Python int above 2**31 would
        # not fit the int32 that jit would otherwise give it.
        minval, maxval = (
            np.asarray(int(np.asarray(v)), dtype) if _checks.is_concrete(v) else v for v in (minval, maxval)
        )
        return "uniform_int", (shape, dtype), (minval, maxval)
    if minval is None:
        raise ValueError(f"`minval` must be a number for float dtype {dtype.name}; got None.")
    maxval = 1.0 if maxval is None else maxval
    minval, maxval = _checks.real_param(minval, "minval"), _checks.real_param(maxval, "maxval")
    _checks.broadcastable(shape, minval, "minval")
    _checks.broadcastable(shape, maxval, "maxval")
    return "uniform_float", (shape, dtype), (minval, maxval)


def normal_args(shape, mean, stddev, dtype, dist="normal") -> tuple[str, tuple, tuple]:
    shape = _checks.shape(shape)
    dtype = _checks.dtype(dtype, _checks.FLOATS)
    mean, stddev = _checks.real_param(mean, "mean"), _checks.real_param(stddev, "stddev")
    _checks.broadcastable(shape, mean, "mean")
    _checks.broadcastable(shape, stddev, "stddev")
    return dist, (shape, dtype), (mean, stddev)


def float_param_dtype(value: Any) -> jnp.dtype:
    d = getattr(value, "dtype", None)
    if d is not None and jnp.issubdtype(d, jnp.floating):
        return jnp.dtype(jax.dtypes.canonicalize_dtype(d))
    return jnp.dtype(jnp.float32)


def int_output_dtype(dtype: Any, allowed=(jnp.int32, jnp.int64), name: str = "dtype") -> jnp.dtype:
    return _checks.dtype(dtype, allowed, name=name)


def count(value: Any, name: str) -> int:
    if isinstance(value, jax.core.Tracer):
        raise TypeError(f"`{name}` must be a static Python int; got a traced value.")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        if isinstance(value, (jax.Array, np.ndarray)) and value.shape == () and value.dtype.kind in "iu":
            value = int(value)
        else:
            raise TypeError(f"`{name}` must be a non-negative int; got {type(value).__name__} {value!r}.")
    if int(value) < 0:
        raise ValueError(f"`{name}` must be a non-negative int; got {int(value)}.")
    return int(value)


def categorical_args(logits, num_samples, dtype):
    num_samples = count(num_samples, "num_samples")
    logits = _checks.numeric_array(logits, "logits")
    if not jnp.issubdtype(logits.dtype, jnp.floating):  # TF's op takes float types only
        raise TypeError(f"`logits` must be a floating-point array; got dtype {logits.dtype}.")
    if np.ndim(logits) != 2:
        raise ValueError(f"`logits` must be 2-D [batch_size, num_classes]; got shape {np.shape(logits)}.")
    if np.shape(logits)[1] == 0:
        raise ValueError("`logits` must have at least one class; got num_classes = 0.")
    if dtype is None:
        dtype = jax.dtypes.canonicalize_dtype(jnp.int64)
    dtype = int_output_dtype(dtype)
    return "categorical", (num_samples, dtype), (logits,)


def param_shape(shape, *named) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*(np.shape(v) for _, v in named)))
    except ValueError:
        names = ", ".join(f"`{n}` {np.shape(v)}" for n, v in named)
        raise ValueError(f"{names} do not broadcast together.") from None


def gamma_args(shape, alpha, beta, dtype):
    shape = _checks.shape(shape)
    dtype = _checks.dtype(dtype, _checks.FLOATS)
    # Lists become arrays: jit would otherwise pass them as lists of scalars, which TF's gamma
    # family (philox) cannot broadcast (a raw TracerArrayConversionError for alpha=[0.5, 2.0]).
    alpha, beta = (np.asarray(v) if isinstance(v, (list, tuple)) else v for v in (alpha, beta))
    alpha, beta = _checks.real_param(alpha, "alpha"), _checks.real_param(beta, "beta", optional=True)
    named = [("alpha", alpha)] + ([("beta", beta)] if beta is not None else [])
    _checks.ends_with(
        shape, param_shape(shape, *named), "shape", "alpha" if beta is None else "alpha and beta"
    )
    for n, v in named:
        # alpha = 0 is accepted, as TF (its own tests use it): the smallest normal number.
        values = np.asarray(v, np.float64) if _checks.is_concrete(v) else None
        if values is not None and np.any(values < 0 if n == "alpha" else values <= 0):
            raise ValueError(f"`{n}` must be {'non-negative' if n == 'alpha' else 'positive'}; got {v!r}.")
    return "gamma", (shape, dtype), (alpha, 1.0 if beta is None else beta)


def poisson_args(shape, lam, dtype):
    shape = _checks.shape(shape)
    dtype = _checks.dtype(dtype, _checks.FLOATS + (jnp.int32, jnp.int64))
    lam = _checks.real_param(lam, "lam")
    _checks.ends_with(shape, tuple(np.shape(lam)), "shape", "lam")
    if _checks.is_concrete(lam) and np.any(np.asarray(lam, np.float64) < 0):
        raise ValueError(f"`lam` must be non-negative; got {lam!r}.")
    _checks.rate_fits(lam, dtype)
    return "poisson", (shape, dtype), (lam,)


def binomial_args(shape, counts, probs, dtype):
    shape = _checks.shape(shape)
    dtype = _checks.dtype(dtype, _checks.FLOATS + (jnp.int32, jnp.int64), name="output_dtype")
    counts, probs = _checks.real_param(counts, "counts"), _checks.real_param(probs, "probs")
    _checks.broadcastable(shape, counts, "counts")
    _checks.broadcastable(shape, probs, "probs")
    if _checks.is_concrete(counts) and np.any(np.asarray(counts, np.float64) < 0):
        raise ValueError(f"`counts` must be non-negative; got {counts!r}.")
    return "binomial", (shape, dtype), (counts, probs)
