"""The eager path of every stateful op (``seedkit.uniform``, ``nn.dropout``, ...): one compiled
kernel per op signature that takes the op's next counter state as a runtime input, caches of
validated arguments, and the routing of a call to an active trace handler (``seedkit.function``)
or to a :class:`~seedkit._state.TracingError` while JAX traces. The public ops and TF's seed
rules are in :mod:`seedkit.random`."""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seedkit import _jax, _state
from seedkit._algorithms import resolve_alg
from seedkit._cache import BoundedCache
from seedkit._seeds import op_seed_int
from seedkit.stateless import _sample_from_key

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

trace_count = 0  # times a kernel body below was traced (tests check that calls do not re-trace)


def sample_state(dist: str, alg, static: tuple, state, params: tuple):
    """Sample from a stateful op's uint32[6] ``state`` (:func:`seedkit._state.next_op_state`):
    the algorithm turns it into its key and counter."""
    key, counter = alg.op_key(state)
    return _sample_from_key(dist, alg, static, key, counter, params)


def next_state(alg, dist: str, dtype_key: str, op_seed: int | None, static: tuple, params: tuple):
    """Take the next state of an op's counter (the counter moves): see :func:`sample_state`."""
    return _state.next_op_state(alg, dist, dtype_key, op_seed, alg.op_advance(dist, static, params))


@functools.partial(jax.jit, static_argnames=("dist", "alg", "static", "fixed"))
def kernel(dist: str, alg, static: tuple, fixed: tuple | None, state, params: tuple):
    """One compiled kernel per (op, static shape/dtype, algorithm); ``state`` is the uint32[6]
    of :func:`next_state`, a runtime argument.

    ``fixed`` replaces ``params`` by TF's default parameters (uniform ``[0, 1)``, standard
    normal) as compile-time constants: the result is the same, the call takes fewer arguments."""
    global trace_count
    trace_count += 1
    return sample_state(dist, alg, static, state, params if fixed is None else fixed)


def op_seed(seed: Any, name: str = "seed") -> int | None:
    if seed is None:
        return None
    if seed.__class__ is int and _INT64_MIN <= seed <= _INT64_MAX:
        return seed
    return op_seed_int(seed, name)


def has_tracer(params: tuple) -> bool:
    return any(isinstance(p, jax.core.Tracer) for p in params)


# Kernel signatures known to trace: the first call of a new one is traced by jax.eval_shape
# before any counter moves, so a sampler that fails at trace time leaves the state unchanged.
verified_kernels = BoundedCache(4096)


def verify(alg, dist: str, static: tuple, fixed: tuple | None, params: tuple) -> None:
    sig = (alg, dist, static, fixed, tuple((type(p), np.shape(p), getattr(p, "dtype", None)) for p in params))
    if sig not in verified_kernels:
        state = jax.ShapeDtypeStruct((6,), jnp.uint32)
        jax.eval_shape(functools.partial(kernel, dist, alg, static, fixed), state, params)
        verified_kernels.put(sig, True)


def run(
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
    (see :func:`remember`)."""
    alg = resolve_alg(None)
    handler = _state.current_trace_handler()
    if handler is not None:
        call_params = params if fixed is None else fixed
        return handler(_state.OpCall(api, dist, dtype_key, dist, alg, static, call_params, op_seed))
    if _state.is_tracing():
        if not _jax.evaluates_once():  # staged, or under vmap: the counter could not advance
            raise _state.tracing_error(api)
    elif not verified and has_tracer(params):  # a tracer that outlived its transformation
        raise _state.tracing_error(api)
    if verified is not alg:  # `verified` names the algorithm whose kernel was traced
        verify(alg, dist, static, fixed, () if fixed is not None else params)
    state = next_state(alg, dist, dtype_key, op_seed, static, params)
    if fixed is not None:
        params = ()  # the kernel uses the constants instead
    return kernel(dist, alg, static, fixed, state, params)


# ---------------------------------------------------------------------------------------------
# Validation caches for the common ops: keyed on hashable arguments (with the types of the
# shape's elements and of the parameters, since 1 == 1.0 == True), and on jax_enable_x64, which
# changes the canonical dtype.
specs = BoundedCache(4096)
# A cached spec: (dist, dtype_key, static, params, fixed, verified); see remember.
Spec = tuple[str, str, tuple, tuple, tuple | None, Any]


def spec_key(op: str, shape: Any, *rest: Any) -> tuple | None:
    cls = shape.__class__
    if cls is list:
        shape = tuple(shape)
    elif cls is not tuple:
        return None
    return (op, shape, tuple(map(type, shape)), jax.config.jax_enable_x64, *rest)  # type: ignore[attr-defined]


def remember(key: tuple | None, spec: Spec) -> Spec:
    """Verify a new spec's kernel (before any state moves) and cache the spec under ``key``.
    A spec is ``(dist, dtype_key, static, params, fixed, verified)``. While JAX traces (the call
    goes to a trace handler or raises) or a parameter is a tracer, nothing is verified or cached."""
    if _state.is_tracing() or _state.current_trace_handler() is not None:
        return spec
    dist, dtype_key, static, params, fixed, _ = spec
    if has_tracer(params):
        return spec
    alg = resolve_alg(None)
    verify(alg, dist, static, fixed, () if fixed is not None else params)
    spec = (dist, dtype_key, static, params, fixed, alg)
    specs.put(key, spec)  # an unhashable parameter: nothing is cached
    return spec


def is_number(v: Any, value: float) -> bool:
    return v.__class__ in (int, float) and v == value


def lookup(key: tuple | None) -> Spec | None:
    return specs.get(key)
