"""Stateful random ops with TensorFlow's global-seed semantics (``tf.random.set_seed``).

A random op draws from two seeds, the global seed (:func:`set_seed`) and its op seed
(``seed=``), with TF's four rules:

1. neither set: fresh OS entropy on every call (``RuntimeError`` under
   :func:`enable_op_determinism`);
2. global seed only: the op seed is the next ``randint(0, 2**31 - 1)`` of
   ``random.Random(global_seed)``, exactly the op seeds TF picks (see :func:`get_seed`);
3. op seed only: the global seed is ``DEFAULT_GRAPH_SEED = 87654321``;
4. both: both are used.

An op with an op seed keeps a counter, keyed by the op, its dtype and its seed pair (not its
shape, as TF's eager kernel cache), so repeated calls give A1, A2, ...; :func:`set_seed` resets
every counter.

These ops never generate numbers themselves. The n-th call (n = 0, 1, ... since ``set_seed``) of
an op with an op seed returns exactly the stateless computation::

    g, o = seedkit.get_seed(op_seed)        # the op's seed pair (consumes nothing for a given op seed)
    words = seedkit._seeds.seed_words((g, o))
    counter = np.array([n % 2**32, n // 2**32], np.uint32)
    seedkit.stateless._sample(dist, alg, static, words, counter, params)

with ``dist, static, params`` from the stateless module's validators (e.g. ``_uniform_args``)
and ``alg = "threefry"``. The k-th unseeded op after ``set_seed(g)`` (k = 0, 1, ...) uses
the pair ``get_seed(None)`` gives at that point and the counter ``2**63 + k``: a half of the
counter space that seeded calls never reach, so unseeded calls cannot repeat a (seed, counter)
pair even when two drawn 31-bit op seeds coincide.

Under ``seedkit.set_default_algorithm("philox")`` the same rules produce TensorFlow's numbers:
an op is TF's kernel ``PhiloxRandom(g, o)`` whose counter moves by the blocks each call
reserves (:func:`seedkit._state.next_op_state`); an unseeded op's drawn op seed names a
kernel like any other, so it behaves exactly as TF's, collisions included.

Under ``jax.jit``/``vmap``/``grad``/``lax`` loops a stateful op raises :class:`TracingError`
(a counter read at trace time would be baked into the compiled code).

Example:
    >>> from seedkit.random import get_seed, set_seed, uniform
    >>> set_seed(1234)
    >>> get_seed(None)
    (1234, 1892932127)
    >>> set_seed(1234)
    >>> a1, a2 = uniform([2], seed=1), uniform([2], seed=1)
    >>> set_seed(1234)
    >>> bool((uniform([2], seed=1) == a1).all()), bool((a1 == a2).all())
    (True, False)
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seedkit import _checks, _state
from seedkit._algorithms import resolve_alg
from seedkit._cache import BoundedCache
from seedkit._seeds import op_seed_int, scalar_seed_int
from seedkit._state import DEFAULT_GRAPH_SEED, RandomState, TracingError
from seedkit.stateless import (
    _categorical_args,
    _gamma_args,
    _normal_args,
    _poisson_args,
    _sample_from_key,
    _uniform_args,
)

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

# TF's stateful uniform accepts these dtypes only (random_ops.random_uniform).
_UNIFORM_DTYPES = tuple(jnp.dtype(d) for d in (*_checks.FLOATS, jnp.int32, jnp.int64))

_trace_count = 0  # times a kernel body below was traced (tests check that calls do not re-trace)


def _sample_state(dist: str, alg, static: tuple, state, params: tuple):
    """Sample from a stateful op's uint32[6] ``state`` (:func:`seedkit._state.next_op_state`):
    the algorithm turns it into its key and counter."""
    key, counter = alg.op_key(state)
    return _sample_from_key(dist, alg, static, key, counter, params)


def _next_state(alg, dist: str, dtype_key: str, op_seed: int | None, static: tuple, params: tuple):
    """Take the next state of an op's counter (the counter moves): see :func:`_sample_state`."""
    return _state.next_op_state(alg, dist, dtype_key, op_seed, alg.op_advance(dist, static, params))


@functools.partial(jax.jit, static_argnames=("dist", "alg", "static", "fixed"))
def _kernel(dist: str, alg, static: tuple, fixed: tuple | None, state, params: tuple):
    """One compiled kernel per (op, static shape/dtype, algorithm); ``state`` is the uint32[6]
    of :func:`_next_state`, a runtime argument.

    ``fixed`` replaces ``params`` by TF's default parameters (uniform ``[0, 1)``, standard
    normal) as compile-time constants: the result is the same, the call takes fewer arguments."""
    global _trace_count
    _trace_count += 1
    return _sample_state(dist, alg, static, state, params if fixed is None else fixed)


def _op_seed(seed: Any, name: str = "seed") -> int | None:
    if seed is None:
        return None
    if seed.__class__ is int and _INT64_MIN <= seed <= _INT64_MAX:
        return seed
    return op_seed_int(seed, name)


def _has_tracer(params: tuple) -> bool:
    return any(isinstance(p, jax.core.Tracer) for p in params)


# Kernel signatures known to trace: the first call of a new one is traced by jax.eval_shape
# before any counter moves, so a sampler that fails at trace time leaves the state unchanged.
_verified = BoundedCache(4096)


def _verify(alg, dist: str, static: tuple, fixed: tuple | None, params: tuple) -> None:
    sig = (alg, dist, static, fixed, tuple((type(p), np.shape(p), getattr(p, "dtype", None)) for p in params))
    if sig not in _verified:
        state = jax.ShapeDtypeStruct((6,), jnp.uint32)
        jax.eval_shape(functools.partial(_kernel, dist, alg, static, fixed), state, params)
        _verified.put(sig, True)


def _run(
    api: str,
    dist: str,
    dtype_key: str,
    static: tuple,
    params: tuple,
    fixed: tuple | None,
    verified: Any,
    op_seed: int | None,
):
    """Route one validated call: to the active trace handler, to an error while JAX traces,
    or to the compiled kernel with the next (seed, counter). ``verified``: False, or the algorithm
    for which the parameters are known to hold no tracer and the kernel to trace
    (see :func:`_remember`)."""
    alg = resolve_alg(None)
    handler = _state.current_trace_handler()
    if handler is not None:
        call_params = params if fixed is None else fixed
        return handler(_state.OpCall(api, dist, dtype_key, dist, alg, static, call_params, op_seed))
    if _state.is_tracing() or (not verified and _has_tracer(params)):
        raise _state.tracing_error(api)
    if verified is not alg:  # `verified` names the algorithm whose kernel was traced
        _verify(alg, dist, static, fixed, () if fixed is not None else params)
    state = _next_state(alg, dist, dtype_key, op_seed, static, params)
    if fixed is not None:
        params = ()  # the kernel uses the constants instead
    return _kernel(dist, alg, static, fixed, state, params)


# ---------------------------------------------------------------------------------------------
# Validation caches for the common ops: keyed on hashable arguments (with the types of the
# shape's elements and of the parameters, since 1 == 1.0 == True), and on jax_enable_x64, which
# changes the canonical dtype.
_specs = BoundedCache(4096)


def _spec_key(op: str, shape: Any, *rest: Any) -> tuple | None:
    cls = shape.__class__
    if cls is list:
        shape = tuple(shape)
    elif cls is not tuple:
        return None
    return (op, shape, tuple(map(type, shape)), jax.config.jax_enable_x64, *rest)


def _remember(key: tuple | None, spec: tuple) -> tuple:
    """Verify a new spec's kernel (before any state moves) and cache the spec under ``key``.
    A spec is ``(dist, dtype_key, static, params, fixed, verified)``. While JAX traces (the call
    goes to a trace handler or raises) or a parameter is a tracer, nothing is verified or cached."""
    if _state.is_tracing() or _state.current_trace_handler() is not None:
        return spec
    dist, dtype_key, static, params, fixed, _ = spec
    if _has_tracer(params):
        return spec
    alg = resolve_alg(None)
    _verify(alg, dist, static, fixed, () if fixed is not None else params)
    spec = (dist, dtype_key, static, params, fixed, alg)
    _specs.put(key, spec)  # an unhashable parameter: nothing is cached
    return spec


def _is_number(v: Any, value: float) -> bool:
    return v.__class__ in (int, float) and v == value


def _lookup(key: tuple | None) -> tuple | None:
    return _specs.get(key)


def uniform(
    shape: Any,
    minval: Any = 0,
    maxval: Any = None,
    dtype: Any = jnp.float32,
    seed: Any = None,
    name: str | None = None,
) -> jax.Array:
    """Uniform values in ``[minval, maxval)`` (``tf.random.uniform``).

    Floats default to ``[0, 1)``; integer dtypes (int32, int64) need ``maxval``. ``seed`` is
    the op seed (module docstring for the rules); ``name`` is accepted and ignored.

    Example:
        >>> from seedkit.random import set_seed, uniform
        >>> set_seed(1234)
        >>> x = uniform([3])
        >>> y = uniform([3])
        >>> bool((x != y).any()), x.dtype
        (True, dtype('float32'))
    """
    key = _spec_key("uniform", shape, minval, maxval, dtype, minval.__class__, maxval.__class__)
    spec = _lookup(key)
    if spec is None:
        spec = _remember(key, _uniform_spec(shape, minval, maxval, dtype))
    return _run("seedkit.uniform", *spec, _op_seed(seed))


def _uniform_spec(shape, minval, maxval, dtype) -> tuple:
    try:
        requested = jnp.dtype(dtype)
    except TypeError:
        requested = None
    if requested is None or requested not in _UNIFORM_DTYPES:  # (None == float64 for NumPy)
        raise TypeError(
            "`dtype` must be one of float16, bfloat16, float32, float64, int32, int64 for "
            f"seedkit.uniform (TF's rule); got {dtype!r}. A Generator also draws unsigned integers."
        )
    if requested.kind == "i" and maxval is None:
        raise ValueError(f"`maxval` must be given for integer dtype {requested.name} (TF's rule); got None.")
    dist, static, params = _uniform_args(shape, minval, maxval, dtype)
    fixed = None
    if dist == "uniform_float" and _is_number(minval, 0) and (maxval is None or _is_number(maxval, 1)):
        fixed = (0, 1.0)
    return dist, static[1].name, static, params, fixed, False


def normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = jnp.float32,
    seed: Any = None,
    name: str | None = None,
) -> jax.Array:
    """Normal values (``tf.random.normal``); ``mean`` and ``stddev`` broadcast to ``shape``.

    Example:
        >>> from seedkit.random import normal
        >>> normal([2, 3], mean=1.0, stddev=2.0, seed=7).shape
        (2, 3)
    """
    return _normal("normal", shape, mean, stddev, dtype, seed)


def truncated_normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = jnp.float32,
    seed: Any = None,
    name: str | None = None,
) -> jax.Array:
    """Normal values within two standard deviations of ``mean`` (``tf.random.truncated_normal``).

    Example:
        >>> from seedkit.random import truncated_normal
        >>> bool((abs(truncated_normal([100], seed=3)) < 2).all())
        True
    """
    return _normal("truncated_normal", shape, mean, stddev, dtype, seed)


def _normal(dist: str, shape, mean, stddev, dtype, seed) -> jax.Array:
    key = _spec_key(dist, shape, mean, stddev, dtype, mean.__class__, stddev.__class__)
    spec = _lookup(key)
    if spec is None:
        _, static, params = _normal_args(shape, mean, stddev, dtype, dist)
        fixed = (0.0, 1.0) if _is_number(mean, 0) and _is_number(stddev, 1) else None
        spec = _remember(key, (dist, static[1].name, static, params, fixed, False))
    return _run(f"seedkit.{dist}", *spec, _op_seed(seed))


def _host_array(value: Any) -> Any:
    """Arrays pass through; anything else (lists, numbers) becomes a NumPy array, which jit
    takes straight from the host."""
    if isinstance(value, (jax.Array, np.ndarray)):
        return value
    return np.asarray(value)


def _canonical(value: Any) -> jnp.dtype:
    return jnp.dtype(jax.dtypes.canonicalize_dtype(value.dtype))


def categorical(
    logits: Any, num_samples: Any, dtype: Any = None, seed: Any = None, name: str | None = None
) -> jax.Array:
    """Class indices drawn from ``logits`` of shape ``[batch, classes]``, returning
    ``[batch, num_samples]`` (``tf.random.categorical``). ``dtype`` defaults to int64 (int32
    while ``jax_enable_x64`` is off).

    Example:
        >>> import jax.numpy as jnp
        >>> from seedkit.random import categorical
        >>> categorical(jnp.log(jnp.array([[0.5, 0.5]])), 4, seed=1).shape
        (1, 4)
    """
    logits = _host_array(logits)
    dist, static, params = _categorical_args(logits, num_samples, dtype)
    if not jnp.issubdtype(logits.dtype, jnp.floating):
        raise TypeError(f"`logits` must be a floating-point array; got dtype {logits.dtype}.")
    dtype_key = f"{_canonical(logits).name}->{static[1].name}"
    return _run("seedkit.categorical", dist, dtype_key, static, params, None, False, _op_seed(seed))


def _broadcast_param_shape(named: list[tuple[str, Any]]) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*(np.shape(v) for _, v in named)))
    except ValueError:
        shapes = " and ".join(f"`{n}` of shape {np.shape(v)}" for n, v in named)
        raise ValueError(f"{shapes} do not broadcast together.") from None


def gamma(
    shape: Any,
    alpha: Any,
    beta: Any = None,
    dtype: Any = jnp.float32,
    seed: Any = None,
    name: str | None = None,
) -> jax.Array:
    """Gamma(``alpha``, rate ``beta``) samples (``tf.random.gamma``): ``shape`` samples per
    distribution, so the output shape is ``shape + broadcast_shape(alpha, beta)``. The samples
    are differentiable in ``alpha`` and ``beta``, as TF's (inside ``seedkit.function``).

    Example:
        >>> from seedkit.random import gamma
        >>> gamma([10], alpha=[0.5, 1.5], seed=1).shape
        (10, 2)
    """
    shape = _checks.shape(shape)
    alpha = _host_array(alpha)
    named = [("alpha", alpha)]
    if beta is not None:
        beta = _host_array(beta)
        named.append(("beta", beta))
    dist, static, params = _gamma_args(shape + _broadcast_param_shape(named), alpha, beta, dtype)
    return _run("seedkit.gamma", dist, static[1].name, static, params, None, False, _op_seed(seed))


def poisson(
    shape: Any, lam: Any, dtype: Any = jnp.float32, seed: Any = None, name: str | None = None
) -> jax.Array:
    """Poisson(``lam``) samples (``tf.random.poisson``): ``shape`` samples per rate, so the
    output shape is ``shape + lam.shape``.

    Example:
        >>> from seedkit.random import poisson
        >>> poisson([10], lam=[5.0, 15.0], seed=1).shape
        (10, 2)
    """
    shape = _checks.shape(shape)
    lam = _host_array(lam)
    dist, static, params = _poisson_args(shape + tuple(np.shape(lam)), lam, dtype)
    if not jnp.issubdtype(lam.dtype, jnp.number) or jnp.issubdtype(lam.dtype, jnp.complexfloating):
        raise TypeError(f"`lam` must be a real number or array; got dtype {lam.dtype}.")
    dtype_key = f"{_canonical(lam).name}->{static[1].name}"
    return _run("seedkit.poisson", dist, dtype_key, static, params, None, False, _op_seed(seed))


def shuffle(value: Any, seed: Any = None, name: str | None = None) -> jax.Array:
    """``value`` with its first axis randomly permuted (``tf.random.shuffle``).

    Example:
        >>> from seedkit.random import shuffle
        >>> sorted(shuffle([0, 1, 2, 3], seed=5).tolist())
        [0, 1, 2, 3]
    """
    value = _host_array(value)
    if np.ndim(value) == 0:
        # TF returns a scalar unchanged; its Python wrapper still takes the op's seed pair, and
        # the kernel returns before touching its generator (random_shuffle_op.cc), so only the
        # op-seed stream moves, as for dropout(rate=0).
        dtype_key = _canonical(value).name
        op_seed = _op_seed(seed)
        call = _state.OpCall(
            "seedkit.shuffle", "shuffle", dtype_key, "shuffle", resolve_alg(None), (), (value,), op_seed
        )
        _dummy_rng_step(call.api, call)
        return jnp.asarray(value)
    return _run(
        "seedkit.shuffle", "shuffle", _canonical(value).name, (), (value,), None, False, _op_seed(seed)
    )


# ---------------------------------------------------------------------------------------------
# Seeds, determinism, snapshots.
def set_seed(seed: Any) -> None:
    """Set the global seed (``tf.random.set_seed``) and reset every per-op counter, including
    those held by compiled functions. ``None`` goes back to "no global seed".

    ``seed`` is a Python or NumPy integer in the int64 range (TF also accepts larger Python
    ints; seedkit refuses them). The op-seed stream is ``random.Random(int(seed))``, which is
    what TF uses for Python ints and, through its ``int(np.array(seed))`` fallback, for NumPy
    integers.

    Example:
        >>> from seedkit.random import get_seed, set_seed
        >>> set_seed(1234)
        >>> get_seed(None), get_seed(None)
        ((1234, 1892932127), (1234, 501869158))
    """
    _state.set_global_seed(None if seed is None else scalar_seed_int(seed, "seed"))


def get_seed(op_seed: Any) -> tuple[int | None, int | None]:
    """The (global, op) seed pair an op with this op seed uses (``tf.compat.v1.get_seed``).

    TF's rules exactly: both seeds reduced modulo ``2**31 - 1``; with no global seed the pair is
    ``(DEFAULT_GRAPH_SEED, op_seed)``; with a global seed and no op seed, the op seed is the next
    draw of the op-seed stream (this call consumes it, as the op would); ``(0, 0)`` becomes
    ``(0, 2**31 - 1)``; neither seed gives ``(None, None)``, or ``RuntimeError`` under op
    determinism.

    Example:
        >>> from seedkit.random import get_seed, set_seed
        >>> set_seed(None)
        >>> get_seed(1)
        (87654321, 1)
        >>> set_seed(0)
        >>> get_seed(0)
        (0, 2147483647)
    """
    op_seed = _op_seed(op_seed, "op_seed")
    handler = _state.current_trace_handler()
    if handler is not None and hasattr(handler, "get_seed"):
        return handler.get_seed(op_seed)
    return _state.get_seed(op_seed)


def _dummy_rng_step(api: str, call: _state.OpCall) -> None:
    """What TF's ``dropout(rate=0)`` does instead of drawing: ``get_seed(seed)``, so the op-seed
    stream (and the determinism check) behave as if the op had run."""
    handler = _state.current_trace_handler()
    if handler is not None:
        if hasattr(handler, "get_seed"):
            handler.get_seed(call.op_seed)
        else:
            handler(call)
        return
    if _state.is_tracing():
        raise _state.tracing_error(api)
    _state.get_seed(call.op_seed)


def enable_op_determinism() -> None:
    """Make random ops with neither a global nor an op seed raise ``RuntimeError`` instead of
    drawing OS entropy (the random-seed part of ``tf.config.experimental.enable_op_determinism``).

    Example:
        >>> from seedkit import random as sk
        >>> sk.set_seed(None)
        >>> sk.enable_op_determinism()
        >>> try:
        ...     sk.uniform([1])
        ... except RuntimeError:
        ...     print("needs a seed")
        ... finally:
        ...     sk.disable_op_determinism()
        needs a seed
    """
    _state.set_determinism(True)


def disable_op_determinism() -> None:
    """Undo :func:`enable_op_determinism`."""
    _state.set_determinism(False)


def is_op_determinism_enabled() -> bool:
    """Whether :func:`enable_op_determinism` is in effect."""
    return _state.determinism_enabled()


def get_state() -> RandomState:
    """A picklable snapshot of the global random state: the global seed, the op-seed stream's
    position, every per-op counter and the counters of compiled functions. The determinism
    switch is configuration and is not included.

    Example:
        >>> from seedkit.random import get_state, set_seed, set_state, uniform
        >>> set_seed(7)
        >>> state = get_state()
        >>> a = uniform([2])
        >>> set_state(state)
        >>> bool((uniform([2]) == a).all())
        True
    """
    return _state.snapshot()


def set_state(state: RandomState) -> None:
    """Resume from a :func:`get_state` snapshot, in this process or another one: the following
    calls give exactly the numbers they gave after the snapshot was taken."""
    _state.restore(state)


@contextlib.contextmanager
def fork_rng() -> Iterator[None]:
    """A block whose random calls leave no trace: all global random state (global seed, op-seed
    stream, counters, compiled functions' counters) is restored on exit, as
    ``torch.random.fork_rng``.

    Example:
        >>> from seedkit.random import fork_rng, get_seed, set_seed, uniform
        >>> set_seed(3)
        >>> with fork_rng():
        ...     set_seed(99)
        ...     _ = uniform([2])
        >>> get_seed(None)[0]
        3
    """
    state = _state.snapshot()
    try:
        yield
    finally:
        _state.restore(state)


__all__ = [
    "DEFAULT_GRAPH_SEED",
    "RandomState",
    "TracingError",
    "categorical",
    "disable_op_determinism",
    "enable_op_determinism",
    "fork_rng",
    "gamma",
    "get_seed",
    "get_state",
    "is_op_determinism_enabled",
    "normal",
    "poisson",
    "set_seed",
    "set_state",
    "shuffle",
    "truncated_normal",
    "uniform",
]
