"""Seeds: accept what users pass as a seed and turn it into 32-bit words.

A seed is TensorFlow's shape-``[2]`` integer array. Each element is an int64 value, so a seed
carries 128 bits. They are represented here as four ``uint32`` words
``(lo(s0), hi(s0), lo(s1), hi(s1))``, which never needs ``jax_enable_x64``:

* Python ints, lists, tuples and NumPy arrays are split on the host, where 64-bit integers exist.
* JAX arrays (concrete or traced) are split on the device: int32 elements are sign-extended
  (as TF does when it casts a seed to uint64), uint32 elements are zero-extended, and int64
  elements (only possible with ``jax_enable_x64``) are shifted apart.
"""

from __future__ import annotations

import numbers
from typing import Any, TypeGuard

import jax
import jax.numpy as jnp
import numpy as np

from seedkit._checks import describe as _describe
from seedkit._words import int_words

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_ACCEPTED = (
    "a shape-[2] integer array-like (list, tuple, NumPy or JAX array) of int32, int64 or "
    "uint32 values, each within the int64 range"
)


# TF's seed type (``Tseed``) is int32 or int64; seedkit also takes uint32, the dtype of JAX's
# raw keys. Narrower integers (int8, uint8, ...) and uint64 are refused, as TF refuses them.
_SEED_DTYPES = frozenset(np.dtype(d) for d in (np.int32, np.int64, np.uint32))


def _seed_dtype_ok(dtype: Any) -> bool:
    return np.dtype(dtype) in _SEED_DTYPES


def _check_int(x: Any, name: str, original: Any) -> int:
    """One element of a host seed as a Python int, with TF's int64 range."""
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be {_ACCEPTED}; got {_describe(original)} with a bool.")
    if not isinstance(x, (numbers.Integral, np.integer)):
        raise TypeError(
            f"`{name}` must be {_ACCEPTED}; got {_describe(original)} containing "
            f"{type(x).__name__} {x!r}. Cast it to an integer type first."
        )
    v = int(x)
    if not _INT64_MIN <= v <= _INT64_MAX:
        raise ValueError(
            f"`{name}` elements must lie in the int64 range [-2**63, 2**63 - 1]; got {v} in "
            f"{_describe(original)}."
        )
    return v


def int_to_words(value: int) -> tuple[int, int]:
    """Split an int64 value into its (low, high) uint32 words, two's complement."""
    lo, hi = int_words(value, 2)
    return lo, hi


def _scalar_hint(shape: tuple) -> str:
    if tuple(shape) != ():
        return ""
    return (
        " As in TF, a seed here is a pair, not a scalar: pass (s, 0), or seedkit.key(s), the key "
        "of the seed (s, 0)."
    )


def host_seed_ints(seed: Any, name: str = "seed") -> tuple[int, int] | None:
    """The two int64 values of a host (non-JAX) seed, or ``None`` if ``seed`` is a JAX array."""
    if type(seed) in (tuple, list) and len(seed) == 2 and all(type(x) is int for x in seed):
        if all(_INT64_MIN <= x <= _INT64_MAX for x in seed):
            return seed[0], seed[1]  # the common case, kept cheap for eager calls
    if seed is None:
        raise TypeError(f"`{name}` is required: pass {_ACCEPTED}, e.g. {name}=(1, 2).")
    if isinstance(seed, jax.Array):
        return None
    if isinstance(seed, (str, bytes)):
        raise TypeError(f"`{name}` must be {_ACCEPTED}; got {_describe(seed)}.")
    arr = np.asarray(seed, dtype=object) if isinstance(seed, (list, tuple)) else np.asarray(seed)
    if arr.shape != (2,):
        raise ValueError(
            f"`{name}` must have shape [2]; got {_describe(seed)} of shape {arr.shape}.{_scalar_hint(arr.shape)}"
        )
    if arr.dtype != object and not _seed_dtype_ok(arr.dtype):
        raise TypeError(f"`{name}` must be {_ACCEPTED}; got {_describe(seed)}.")
    a, b = (_check_int(x, name, seed) for x in arr.tolist())
    return a, b


def _device_words(seed: jax.Array, name: str) -> jax.Array:
    if is_typed_key(seed):
        raise TypeError(f"`{name}` must be {_ACCEPTED}; got {_TYPED_KEY_HERE}")
    if seed.shape != (2,):
        raise ValueError(f"`{name}` must have shape [2]; got {_describe(seed)}.{_scalar_hint(seed.shape)}")
    dtype = jnp.dtype(seed.dtype)
    if not _seed_dtype_ok(dtype):
        raise TypeError(f"`{name}` must be {_ACCEPTED}; got {_describe(seed)}.")
    if dtype.itemsize == 8:  # int64 / uint64: only exists with jax_enable_x64.
        lo = (seed & 0xFFFFFFFF).astype(jnp.uint32)
        hi = (seed >> 32).astype(jnp.uint32)
    elif dtype.kind == "i":
        x = seed.astype(jnp.int32)
        lo = jax.lax.bitcast_convert_type(x, jnp.uint32)
        hi = jax.lax.bitcast_convert_type(x >> 31, jnp.uint32)  # sign extension, as TF's cast
    else:
        lo = seed.astype(jnp.uint32)
        hi = jnp.zeros_like(lo)
    return jnp.stack([lo[0], hi[0], lo[1], hi[1]])


def seed_words(seed: Any, name: str = "seed") -> jax.Array | np.ndarray:
    """Validate a shape-``[2]`` seed and return its four uint32 words.

    Works on Python and NumPy values (checked on the host) and on JAX arrays, traced or not.
    """
    ints = host_seed_ints(seed, name)
    if ints is None:
        return _device_words(seed, name)
    # A NumPy array, not a device array: jit takes it straight from the host, while an explicit
    # device_put here would cost more than the whole compiled call.
    return np.array([*int_to_words(ints[0]), *int_to_words(ints[1])], dtype=np.uint32)


def scalar_seed_int(seed: Any, name: str = "seed") -> int:
    """Validate a scalar integer seed (``set_seed(1234)``, ``Generator.from_seed(7)``)."""
    if seed is None:
        raise TypeError(f"`{name}` is required: pass a Python or NumPy integer.")
    if is_typed_key(seed):
        raise TypeError(f"`{name}` must be a Python or NumPy integer; got {_TYPED_KEY_HERE}")
    if isinstance(seed, (jax.Array, np.ndarray)):
        if seed.shape != ():
            raise ValueError(f"`{name}` must be a scalar integer; got {_describe(seed)}.")
        if isinstance(seed, jax.core.Tracer):
            raise TypeError(
                f"`{name}` must be a concrete integer, not a traced value; pass it as a static "
                "argument or use a stateless_* op with a traced seed."
            )
        seed = seed.item() if seed.dtype.kind in "iu" else seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (numbers.Integral, np.integer)):
        raise TypeError(f"`{name}` must be a Python or NumPy integer; got {_describe(seed)}.")
    v = int(seed)
    if not _INT64_MIN <= v <= _INT64_MAX:
        raise ValueError(f"`{name}` must lie in the int64 range [-2**63, 2**63 - 1]; got {v}.")
    return v


def is_traced_scalar(seed: Any) -> bool:
    """A scalar seed known only at run time (``Generator.from_seed(s)`` with ``s`` an argument
    of a compiled function)."""
    return isinstance(seed, jax.core.Tracer) and seed.shape == ()


def traced_scalar_words(seed: jax.Array, n: int, name: str = "seed") -> jax.Array:
    """The integer scalar ``seed`` as ``n`` uint32 words, little-endian two's complement: the
    words :func:`seedkit._words.int_words` gives for its value on the host (signed types are
    sign-extended, unsigned ones zero-extended), so a traced seed gives what the same value
    gives eagerly."""
    if is_typed_key(seed):
        raise TypeError(f"`{name}` must be an integer scalar; got {_TYPED_KEY_HERE}")
    dtype = jnp.dtype(seed.dtype)
    if dtype == jnp.bool_ or dtype.kind not in "iu":
        raise TypeError(f"`{name}` must be an integer scalar; got a traced array of dtype {dtype}.")
    if dtype.itemsize == 8:  # int64 / uint64: only with jax_enable_x64
        low = [(seed & 0xFFFFFFFF).astype(jnp.uint32), (seed >> 32).astype(jnp.uint32)]
        fill = (seed >> 63).astype(jnp.uint32) if dtype.kind == "i" else jnp.uint32(0)
    elif dtype.kind == "i":
        x = seed.astype(jnp.int32)
        low = [jax.lax.bitcast_convert_type(x, jnp.uint32)]
        fill = jax.lax.bitcast_convert_type(x >> 31, jnp.uint32)
    else:
        low, fill = [seed.astype(jnp.uint32)], jnp.uint32(0)
    words = (low + [fill] * n)[:n]
    return jnp.stack([jnp.broadcast_to(w, ()).astype(jnp.uint32) for w in words])


def int_or_pair_words(seed: Any, name: str = "seed") -> jax.Array | np.ndarray:
    """The four words of an integer seed ``s`` (int64 range; a Python or NumPy int, a scalar
    array, or a traced integer scalar), read as the seed pair ``(s, 0)``, or of a shape-``[2]``
    seed (:func:`seed_words`). The rule of ``seedkit.key`` and threefry's ``Generator.from_seed``."""
    if is_typed_key(seed):
        raise TypeError(f"`{name}` must be an integer or {_ACCEPTED}; got {_TYPED_KEY_HERE}")
    if is_traced_scalar(seed):  # the words its value would give eagerly
        return jnp.concatenate([traced_scalar_words(seed, 2, name), jnp.zeros(2, jnp.uint32)])
    scalar = _is_integer(seed) or np.ndim(seed) == 0  # non-integer scalars fail in scalar_seed_int
    return seed_words((scalar_seed_int(seed, name), 0)) if scalar else seed_words(seed, name)


def _is_integer(x: Any) -> bool:
    return isinstance(x, (numbers.Integral, np.integer)) and not isinstance(x, (bool, np.bool_))


# ------------------------------------------------------------------ typed JAX keys
# A typed key (``jax.random.key``, ``seedkit.key``) holds an algorithm's *derived* key, the
# result of hashing a seed's words, so it can stand in for the seed it came from wherever seedkit
# derives a key: the stateless ops (``seed=``) and ``Generator.from_key``. Raw ``uint32[2]`` keys
# (``jax.random.PRNGKey``) are not typed keys: they are ordinary shape-[2] seeds.
_TYPED_KEY_HERE = (
    "a typed JAX key, which is not accepted here. Typed keys (seedkit.key(seed), "
    "jax.random.key(s)) are accepted as `seed=` by the stateless_* ops and by "
    "Generator.from_key."
)


def is_typed_key(value: Any) -> TypeGuard[jax.Array]:
    """Whether ``value`` is a typed JAX key array (concrete or traced), e.g. ``jax.random.key(0)``."""
    return isinstance(value, jax.Array) and jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key)


def typed_key_words(key: jax.Array, impl: str | None, alg_name: str, name: str, instead: str) -> jax.Array:
    """The data of the single typed key ``key`` (the derived key's ``uint32`` words), after
    checking that its JAX implementation is ``impl``, the one of the algorithm ``alg_name``
    (``None``: that algorithm's keys are not JAX keys). ``instead`` ends the error messages with
    what to pass instead."""
    if key.shape != ():
        raise ValueError(
            f"`{name}` must be a single typed key (shape ()); got a key array of shape "
            f"{tuple(key.shape)}. For one draw per key, jax.vmap over the keys."
        )
    spec = jax.random.key_impl(key)
    if impl is None:
        raise TypeError(
            f"`{name}` is a typed JAX key ({spec}), which algorithm {alg_name!r} cannot use: its "
            f"keys are not jax.random keys. {instead}"
        )
    if spec != impl:
        raise TypeError(
            f"`{name}` is a typed JAX key of implementation {spec!r}; algorithm {alg_name!r} takes "
            f"only {impl!r} keys (seedkit.key(seed), jax.random.key(s)). {instead}"
        )
    return jax.random.key_data(key)


# TF's get_seed reduces every op seed modulo 2**31 - 1 (random_seed.py, _truncate_seed), so an
# op seed is any Python integer; seedkit's get_seed reduces int64 values the same way.
_OP_SEED_MODULUS = 2**31 - 1


def op_seed_int(seed: Any, name: str = "seed") -> int:
    """Validate an op seed (``uniform(..., seed=7)``): a scalar integer as for
    :func:`scalar_seed_int`, except that Python integers beyond int64 are accepted and reduced
    modulo ``2**31 - 1`` up front, as TF does (``seed=2**100`` is op seed 128)."""
    if type(seed) is int and not _INT64_MIN <= seed <= _INT64_MAX:
        return seed % _OP_SEED_MODULUS
    return scalar_seed_int(seed, name)
