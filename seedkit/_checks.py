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
    if not isinstance(value, tuple):
        try:
            host = np.asarray(value)
        except Exception:
            host = None
        if host is not None and host.ndim > 1:
            raise ValueError(
                f"`{name}` must be a 1-D sequence of ints (TF: shape must be a vector); got a value "
                f"of shape {host.shape}: {value!r}. Pass e.g. {name}={list(host.reshape(-1).tolist())!r}."
            )
        dims = None if host is None else tuple(host.reshape(-1).tolist())
    else:
        dims = value
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
    if value is None or isinstance(value, (np.ndarray, jax.Array)):
        # NumPy reads None as float64 and an array as its dtype (deprecated); TF refuses both
        names = ", ".join(jnp.dtype(a).name for a in allowed)
        got = "None" if value is None else describe(value)
        raise TypeError(f"`{name}`{where} must be one of {names}; got {got}.")
    try:
        cache_key = (value, allowed, jax.config.jax_enable_x64)  # type: ignore[attr-defined]
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
            _DTYPE_CACHE[(value, allowed, jax.config.jax_enable_x64)] = (requested, canonical)  # type: ignore[attr-defined]
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


_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _fits_int32(a: np.ndarray) -> bool:
    return a.size == 0 or (int(a.min()) >= _INT32_MIN and int(a.max()) <= _INT32_MAX)


def real_param(value: Any, name: str, optional: bool = False) -> Any:
    """A float-valued distribution parameter (``lam``, ``alpha``, a float ``maxval``...) given as
    host integers, made safe for ``jit``.

    JAX gives host integers the 32-bit type while ``jax_enable_x64`` is off: a Python int beyond
    int32 raises a raw ``OverflowError`` and an int64 NumPy array wraps silently (``poisson(...,
    2**40)`` drew zeros). TF reads such integers as int64 and the op converts them to floats, so
    wide integers travel here as float64 (float32 under jit, exact for powers of two). Values
    beyond int64, which TF refuses too, raise a ``ValueError`` naming ``name``; strings, ``None``
    (unless ``optional``), complex numbers and ragged lists a ``TypeError``. Everything else
    (floats, JAX arrays, tracers) is returned unchanged.
    """
    if type(value) is float or isinstance(value, jax.Array):
        return value
    if type(value) is int and _INT32_MIN <= value <= _INT32_MAX:
        return value  # the common case, kept cheap for eager calls
    if value is None:
        if optional:
            return None
        raise TypeError(f"`{name}` must be a number or an array of numbers; got None.")
    try:
        a = np.asarray(value)
    except (ValueError, TypeError, OverflowError):
        raise TypeError(
            f"`{name}` must be a number or a rectangular array of numbers; got {describe(value)}."
        ) from None
    if a.dtype == object and a.size and all(type(v) is int for v in a.reshape(-1).tolist()):
        if not all(_INT64_MIN <= v <= _INT64_MAX for v in a.reshape(-1).tolist()):
            raise ValueError(
                f"`{name}` must lie in the int64 range [-2**63, 2**63 - 1] (TF's rule for integer "
                f"parameters); got {value!r}. Pass a float (e.g. {name}=float(x)) for larger values."
            )
        a = a.astype(np.int64)
    if a.dtype.kind not in "biuf" and not _extension_float(a.dtype):  # strings, complex, objects
        raise TypeError(f"`{name}` must be a real number or an array of real numbers; got {describe(value)}.")
    if a.dtype.kind not in "iu" or a.dtype.itemsize < 8 or jax.config.jax_enable_x64 or _fits_int32(a):  # type: ignore[attr-defined]
        return value
    return a.astype(np.float64)


def _extension_float(dtype: np.dtype) -> bool:
    """NumPy arrays of bfloat16 (and the other ``ml_dtypes`` floats JAX uses) have kind ``V``."""
    return dtype.kind == "V" and jnp.issubdtype(dtype, jnp.floating)


def describe(value: Any) -> str:
    """``value`` for an error message: an array's shape and dtype, else its type and (short)
    repr. Shared by every argument check (seeds, Generator arguments, parameters)."""
    if isinstance(value, (jax.Array, np.ndarray)):
        return f"an array of shape {tuple(value.shape)} and dtype {value.dtype}"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def numeric_array(value: Any, name: str) -> jax.Array | np.ndarray:
    """``value`` as an array JAX can hold (numbers or booleans): JAX and NumPy arrays pass
    through, other values become NumPy arrays; strings and objects raise ``TypeError`` naming
    ``name`` (TF shuffles string tensors; JAX has no string dtype)."""
    if isinstance(value, jax.Array):
        return value
    try:
        a = value if isinstance(value, np.ndarray) else np.asarray(value)
    except (ValueError, TypeError):
        a = None
    if a is None or (a.dtype.kind not in "biufc" and not _extension_float(a.dtype)):
        raise TypeError(
            f"`{name}` must be an array of numbers or booleans (JAX arrays hold no strings or "
            f"objects); got {describe(value)}."
        )
    return a


FOLD_IN_TRACED_NEEDS_X64 = (
    "`data`={value} needs 64 bits, and 64-bit integers need jax_enable_x64 (JAX's convention; "
    "TF folds it as int64). Without it, stateless_fold_in computes the int64 seed on the host, "
    "outside JAX transformations only, and this call is inside one (jit, vmap, grad, a loop "
    "body). Set jax.config.update('jax_enable_x64', True), or fold values that fit 32 bits."
)


def fold_in_data(data: Any) -> jax.Array | np.ndarray:
    """``data`` as an integer scalar of TF's dtype for it (int32 for Python ints that fit, else
    int64). A value that needs 64 bits while ``jax_enable_x64`` is off (where JAX would wrap it
    onto 32 bits) comes back as a NumPy scalar array of its 64-bit dtype, for the caller to fold
    on the host."""
    if isinstance(data, (bool, np.bool_)) or (
        not isinstance(data, (numbers.Integral, np.integer, jax.Array, np.ndarray))
    ):
        raise TypeError(f"`data` must be an integer scalar; got {type(data).__name__} {data!r}.")
    if isinstance(data, numbers.Integral) and not isinstance(data, np.integer):
        value = int(data)
        if not -(2**63) <= value < 2**63:
            raise ValueError(f"`data` must lie in the int64 range [-2**63, 2**63 - 1]; got {value}.")
        data = np.asarray(value, np.int32 if -(2**31) <= value < 2**31 else np.int64)
    if (
        isinstance(data, (np.integer, np.ndarray))
        and np.ndim(data) == 0
        and np.asarray(data).dtype.kind in "iu"
    ):
        host = np.asarray(data)
        narrow = np.iinfo(np.int32 if host.dtype.kind == "i" else np.uint32)
        if not jax.config.jax_enable_x64 and not narrow.min <= int(host) <= narrow.max:  # type: ignore[attr-defined]
            return host
    data = jnp.asarray(data)
    if data.shape != () or not jnp.issubdtype(data.dtype, jnp.integer):
        raise TypeError(f"`data` must be an integer scalar; got shape {data.shape}, dtype {data.dtype}.")
    return data


POISSON_RATE_TOO_LARGE = (
    "`lam`={lam} exceeds the largest {dtype} ({highest}): most samples cannot be represented, and "
    "TF's kernel retries such a draw forever (tf.random.stateless_poisson never returns). Use a "
    "wider `dtype` (int64, float32 or float64)."
)


def rate_fits(lam: Any, dtype: jnp.dtype) -> None:
    """A finite concrete rate above the largest value of an integer or half-precision output
    dtype is an error (TF hangs; the traced sampler can only flag it with -1 or NaN). Infinity
    keeps TF's answer (0 for integers, inf for floats)."""
    if not is_concrete(lam) or jnp.dtype(dtype) in (jnp.float32, jnp.float64):
        return
    highest = float(jnp.iinfo(dtype).max if jnp.issubdtype(dtype, jnp.integer) else jnp.finfo(dtype).max)
    rates = np.asarray(lam, np.float64)
    bad = rates[np.isfinite(rates) & (rates > highest)]
    if bad.size:
        raise ValueError(
            POISSON_RATE_TOO_LARGE.format(lam=bad.max(), dtype=jnp.dtype(dtype).name, highest=highest)
        )


# A shuffle's permutation is an int32 array of one entry per row (both algorithms' samplers).
MAX_SHUFFLE_ROWS = 2**31 - 1


def shuffle_rows(rows: int, name: str) -> None:
    """Refuse a shuffle of more rows than its int32 permutation can index, before any memory
    is allocated (a broadcast view of 2**40 rows costs nothing until it is permuted)."""
    if rows > MAX_SHUFFLE_ROWS:
        raise ValueError(
            f"`{name}` asks for a shuffle of {rows} rows; at most 2**31 - 1 rows are shuffled per "
            f"call (the permutation alone would need {4 * rows / 2**30:.0f} GiB). Shuffle in pieces, "
            "or use index_shuffle, which maps indices of a range below 2**32 one at a time "
            "without building the permutation."
        )


def shuffle_value(value: Any, name: str = "value") -> jax.Array | np.ndarray:
    """:func:`numeric_array` and :func:`shuffle_rows` for a value about to be shuffled."""
    value = numeric_array(value, name)
    if value.ndim:
        shuffle_rows(value.shape[0], name)
    return value
