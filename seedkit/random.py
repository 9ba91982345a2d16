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

with ``dist, static, params`` from TF's argument rules in ``seedkit._op_args`` (e.g. ``uniform_args``)
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
from collections.abc import Iterator, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seedkit import _checks, _jax, _state
from seedkit import _stateful_run as _eager
from seedkit import generator as _generator
from seedkit._algorithms import resolve_alg
from seedkit._api import public_dir
from seedkit._entropy import share_entropy
from seedkit._op_args import (
    categorical_args,
    gamma_args,
    normal_args,
    poisson_args,
    uniform_args,
)
from seedkit._seeds import scalar_seed_int
from seedkit._state import DEFAULT_GRAPH_SEED, RandomState, TracingError
from seedkit._typing import ArrayLike, DTypeLike, IntLike, ShapeLike

# TF's stateful uniform accepts these dtypes only (random_ops.random_uniform).
_UNIFORM_DTYPES = tuple(jnp.dtype(d) for d in (*_checks.FLOATS, jnp.int32, jnp.int64))


def uniform(
    shape: ShapeLike,
    minval: ArrayLike = 0,
    maxval: ArrayLike | None = None,
    dtype: DTypeLike = jnp.float32,
    seed: IntLike | None = None,
    name: str | None = None,
) -> jax.Array:
    """Uniform values in ``[minval, maxval)`` (``tf.random.uniform``).

    Floats default to ``[0, 1)``; integer dtypes (int32, int64) need ``maxval``. ``seed`` is
    the op seed (module docstring for the rules); ``name`` is accepted and ignored.

    Args:
        shape: The output shape: a 1-D sequence of non-negative ints (or a 1-D integer array).
        minval: The inclusive lower bound, default 0: for floats a number or an array that
            broadcasts to ``shape``, for integer dtypes a scalar integer.
        maxval: The exclusive upper bound; ``None`` (the default) means 1 for floats. Integer
            dtypes need it (TF's rule: ``tf.random.uniform`` has no full-range form).
        dtype: float16, bfloat16, float32 (the default), float64, int32 or int64 (64-bit types
            with ``jax_enable_x64``; without it the 32-bit type and a ``UserWarning``). A
            ``Generator`` also draws unsigned integers.
        seed: The op seed, a Python or NumPy integer, or ``None``. With the global seed it selects
            the seed pair (``get_seed(seed)``); each call advances the op's counter.
        name: Accepted for TF compatibility and ignored.

    Returns:
        An array of ``shape`` and ``dtype``, new values at every call, the same sequence after
            the same ``set_seed``.

    Raises:
        TypeError: A ``seed`` that is not an integer; a ``dtype`` outside the list (uint32
            included, as in TF); a string or non-integer bound for an integer dtype.
        ValueError: An integer ``dtype`` without ``maxval``; a ``shape`` that is not 1-D or has a
            negative dimension.
        RuntimeError: No global seed and no ``seed`` while ``enable_op_determinism()`` is in
            effect.
        seedkit.TracingError: A call while JAX traces (inside plain ``jax.jit``, ``jax.vmap``, a
            ``lax`` loop body, ...): use ``seedkit.function``, a ``Generator`` passed in, or a
            ``stateless_*`` op.

    Example:
        >>> from seedkit.random import set_seed, uniform
        >>> set_seed(1234)
        >>> x = uniform([3])
        >>> y = uniform([3])
        >>> bool((x != y).any()), x.dtype
        (True, dtype('float32'))
    """
    key = _eager.spec_key("uniform", shape, minval, maxval, dtype, minval.__class__, maxval.__class__)
    spec = _eager.lookup(key)
    if spec is None:
        spec = _eager.remember(key, _uniform_spec(shape, minval, maxval, dtype))
    return _eager.run("seedkit.uniform", *spec, _eager.op_seed(seed))


def _uniform_spec(shape, minval, maxval, dtype) -> _eager.Spec:
    try:
        requested = None if dtype is None else jnp.dtype(dtype)  # (NumPy reads None as float64)
    except TypeError:
        requested = None
    if requested is None or requested not in _UNIFORM_DTYPES:
        raise TypeError(
            "`dtype` must be one of float16, bfloat16, float32, float64, int32, int64 for "
            f"seedkit.uniform (TF's rule); got {dtype!r}. A Generator also draws unsigned integers."
        )
    if requested.kind == "i" and maxval is None:
        raise ValueError(f"`maxval` must be given for integer dtype {requested.name} (TF's rule); got None.")
    dist, static, params = uniform_args(shape, minval, maxval, dtype)
    fixed = None
    if (
        dist == "uniform_float"
        and _eager.is_number(minval, 0)
        and (maxval is None or _eager.is_number(maxval, 1))
    ):
        fixed = (0, 1.0)
    return dist, static[1].name, static, params, fixed, False


def normal(
    shape: ShapeLike,
    mean: ArrayLike = 0.0,
    stddev: ArrayLike = 1.0,
    dtype: DTypeLike = jnp.float32,
    seed: IntLike | None = None,
    name: str | None = None,
) -> jax.Array:
    """Normal values (``tf.random.normal``); ``mean`` and ``stddev`` broadcast to ``shape``.

    Args:
        shape: The output shape: a 1-D sequence of non-negative ints (or a 1-D integer array).
        mean: The mean, a number or an array that broadcasts to ``shape`` (default 0).
        stddev: The standard deviation, a number or an array that broadcasts to ``shape``
            (default 1).
        dtype: float16, bfloat16, float32 (the default) or float64 (with ``jax_enable_x64``;
            without it float32 and a ``UserWarning``).
        seed: The op seed, a Python or NumPy integer, or ``None``. With the global seed it selects
            the seed pair (``get_seed(seed)``); each call advances the op's counter.
        name: Accepted for TF compatibility and ignored.

    Returns:
        An array of ``shape`` and ``dtype``, new values at every call, the same sequence after
            the same ``set_seed``.

    Raises:
        TypeError: A ``seed`` that is not an integer; an integer or unknown ``dtype``; a ``mean``
            or ``stddev`` that is not a real number or array.
        ValueError: A ``mean`` or ``stddev`` that does not broadcast to ``shape``; a ``shape`` that
            is not 1-D or has a negative dimension.
        RuntimeError: No global seed and no ``seed`` while ``enable_op_determinism()`` is in
            effect.
        seedkit.TracingError: A call while JAX traces (inside plain ``jax.jit``, ``jax.vmap``, a
            ``lax`` loop body, ...): use ``seedkit.function``, a ``Generator`` passed in, or a
            ``stateless_*`` op.

    Example:
        >>> from seedkit.random import normal
        >>> normal([2, 3], mean=1.0, stddev=2.0, seed=7).shape
        (2, 3)
    """
    return _normal("normal", shape, mean, stddev, dtype, seed)


def truncated_normal(
    shape: ShapeLike,
    mean: ArrayLike = 0.0,
    stddev: ArrayLike = 1.0,
    dtype: DTypeLike = jnp.float32,
    seed: IntLike | None = None,
    name: str | None = None,
) -> jax.Array:
    """Normal values within two standard deviations of ``mean`` (``tf.random.truncated_normal``).

    Args:
        shape: The output shape: a 1-D sequence of non-negative ints (or a 1-D integer array).
        mean: The mean, a number or an array that broadcasts to ``shape`` (default 0).
        stddev: The standard deviation, likewise (default 1).
        dtype: float16, bfloat16, float32 (the default) or float64 (with ``jax_enable_x64``).
        seed: The op seed (an integer or ``None``), as for ``uniform``.
        name: Accepted for TF compatibility and ignored.

    Returns:
        An array of ``shape`` and ``dtype`` inside ``(mean - 2 stddev, mean + 2 stddev)``.

    Raises:
        TypeError: A ``seed`` that is not an integer; an integer ``dtype``; a non-real ``mean``.
        ValueError: A ``mean`` or ``stddev`` that does not broadcast to ``shape``; a bad ``shape``.
        RuntimeError: No seed at all under ``enable_op_determinism()``, as for ``uniform``.
        seedkit.TracingError: A call while JAX traces, as for ``uniform``.

    Example:
        >>> from seedkit.random import truncated_normal
        >>> bool((abs(truncated_normal([100], seed=3)) < 2).all())
        True
    """
    return _normal("truncated_normal", shape, mean, stddev, dtype, seed)


def _normal(dist: str, shape, mean, stddev, dtype, seed) -> jax.Array:
    key = _eager.spec_key(dist, shape, mean, stddev, dtype, mean.__class__, stddev.__class__)
    spec = _eager.lookup(key)
    if spec is None:
        _, static, params = normal_args(shape, mean, stddev, dtype, dist)
        fixed = (0.0, 1.0) if _eager.is_number(mean, 0) and _eager.is_number(stddev, 1) else None
        spec = _eager.remember(key, (dist, static[1].name, static, params, fixed, False))
    return _eager.run(f"seedkit.{dist}", *spec, _eager.op_seed(seed))


def _host_array(value: Any, name: str) -> jax.Array | np.ndarray:
    """Arrays pass through; anything else (lists, numbers) becomes a NumPy array, which jit
    takes straight from the host; strings and objects raise naming ``name``."""
    return _checks.numeric_array(value, name)


def _canonical(value: Any) -> jnp.dtype:
    return jnp.dtype(jax.dtypes.canonicalize_dtype(value.dtype))


def categorical(
    logits: ArrayLike,
    num_samples: IntLike,
    dtype: DTypeLike | None = None,
    seed: IntLike | None = None,
    name: str | None = None,
) -> jax.Array:
    """Class indices drawn from ``logits`` of shape ``[batch, classes]``, returning
    ``[batch, num_samples]`` (``tf.random.categorical``).

    Args:
        logits: A 2-D float array ``[batch, classes]`` of unnormalized log-probabilities.
        num_samples: How many draws per row: a non-negative Python or NumPy int.
        dtype: int32 or int64 (the default; int32 while ``jax_enable_x64`` is off).
        seed: The op seed (an integer or ``None``), as for ``uniform``.
        name: Accepted for TF compatibility and ignored.

    Returns:
        An integer array ``[batch, num_samples]`` of class indices in ``[0, classes)``.

    Raises:
        TypeError: A non-integer ``seed`` or ``num_samples``; integer ``logits``; another ``dtype``.
        ValueError: ``logits`` not 2-D or with no class; a negative ``num_samples``.
        RuntimeError: No seed at all under ``enable_op_determinism()``, as for ``uniform``.
        seedkit.TracingError: A call while JAX traces, as for ``uniform``.

    Example:
        >>> import jax.numpy as jnp
        >>> from seedkit.random import categorical
        >>> categorical(jnp.log(jnp.array([[0.5, 0.5]])), 4, seed=1).shape
        (1, 4)
    """
    dist, static, params = categorical_args(logits, num_samples, dtype)
    logits = params[0]
    dtype_key = f"{_canonical(logits).name}->{static[1].name}"
    return _eager.run(
        "seedkit.categorical", dist, dtype_key, static, params, None, False, _eager.op_seed(seed)
    )


def _broadcast_param_shape(named: list[tuple[str, Any]]) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*(np.shape(v) for _, v in named)))
    except ValueError:
        shapes = " and ".join(f"`{n}` of shape {np.shape(v)}" for n, v in named)
        raise ValueError(f"{shapes} do not broadcast together.") from None


def gamma(
    shape: ShapeLike,
    alpha: ArrayLike,
    beta: ArrayLike | None = None,
    dtype: DTypeLike = jnp.float32,
    seed: IntLike | None = None,
    name: str | None = None,
) -> jax.Array:
    """Gamma(``alpha``, rate ``beta``) samples (``tf.random.gamma``): ``shape`` samples per
    distribution, so the output shape is ``shape + broadcast_shape(alpha, beta)``. The samples
    are differentiable in ``alpha`` and ``beta``, as TF's (inside ``seedkit.function``).

    Args:
        shape: The number of samples per distribution, a 1-D sequence of non-negative ints.
        alpha: The shape (concentration) parameter, a non-negative number or array.
        beta: The rate, a positive number or array (``None``, the default, means 1).
        dtype: float16, bfloat16, float32 (the default) or float64 (with ``jax_enable_x64``).
        seed: The op seed (an integer or ``None``), as for ``uniform``.
        name: Accepted for TF compatibility and ignored.

    Returns:
        A positive array of shape ``shape + broadcast_shape(alpha, beta)`` and ``dtype``.

    Raises:
        TypeError: A ``seed`` that is not an integer; an integer ``dtype``; a non-real parameter.
        ValueError: A negative ``alpha``, a non-positive ``beta``, or the two not broadcasting.
        RuntimeError: No seed at all under ``enable_op_determinism()``, as for ``uniform``.
        seedkit.TracingError: A call while JAX traces, as for ``uniform``.

    Example:
        >>> from seedkit.random import gamma
        >>> gamma([10], alpha=[0.5, 1.5], seed=1).shape
        (10, 2)
    """
    shape = _checks.shape(shape)
    alpha = _host_array(_checks.real_param(alpha, "alpha"), "alpha")
    named = [("alpha", alpha)]
    if beta is not None:
        beta = _host_array(_checks.real_param(beta, "beta"), "beta")
        named.append(("beta", beta))
    dist, static, params = gamma_args(shape + _broadcast_param_shape(named), alpha, beta, dtype)
    return _eager.run(
        "seedkit.gamma", dist, static[1].name, static, params, None, False, _eager.op_seed(seed)
    )


def poisson(
    shape: ShapeLike,
    lam: ArrayLike,
    dtype: DTypeLike = jnp.float32,
    seed: IntLike | None = None,
    name: str | None = None,
) -> jax.Array:
    """Poisson(``lam``) samples (``tf.random.poisson``): ``shape`` samples per rate, so the
    output shape is ``shape + lam.shape``.

    Args:
        shape: The number of samples per rate, a 1-D sequence of non-negative ints.
        lam: The rate, a non-negative number or array.
        dtype: A float dtype (float32, the default) or int32 or int64.
        seed: The op seed (an integer or ``None``), as for ``uniform``.
        name: Accepted for TF compatibility and ignored.

    Returns:
        An array of shape ``shape + lam.shape`` and ``dtype`` of non-negative counts.

    Raises:
        TypeError: A ``seed`` that is not an integer; a ``lam`` that is not real.
        ValueError: A negative ``lam``.
        RuntimeError: No seed at all under ``enable_op_determinism()``, as for ``uniform``.
        seedkit.TracingError: A call while JAX traces, as for ``uniform``.

    Example:
        >>> from seedkit.random import poisson
        >>> poisson([10], lam=[5.0, 15.0], seed=1).shape
        (10, 2)
    """
    shape = _checks.shape(shape)
    lam = _host_array(_checks.real_param(lam, "lam"), "lam")
    dist, static, params = poisson_args(shape + tuple(np.shape(lam)), lam, dtype)
    if not jnp.issubdtype(lam.dtype, jnp.number) or jnp.issubdtype(lam.dtype, jnp.complexfloating):
        raise TypeError(f"`lam` must be a real number or array; got dtype {lam.dtype}.")
    dtype_key = f"{_canonical(lam).name}->{static[1].name}"
    return _eager.run("seedkit.poisson", dist, dtype_key, static, params, None, False, _eager.op_seed(seed))


def shuffle(value: ArrayLike, seed: IntLike | None = None, name: str | None = None) -> jax.Array:
    """``value`` with its first axis randomly permuted (``tf.random.shuffle``).

    Args:
        value: An array or nested list of numbers or booleans (a scalar comes back as it is).
        seed: The op seed (an integer or ``None``), as for ``uniform``.
        name: Accepted for TF compatibility and ignored.

    Returns:
        An array of ``value``'s shape and dtype, its rows in a random order.

    Raises:
        TypeError: A ``seed`` that is not an integer; a ``value`` of strings or objects.
        RuntimeError: No seed at all under ``enable_op_determinism()``, as for ``uniform``.
        seedkit.TracingError: A call while JAX traces, as for ``uniform``.

    Example:
        >>> from seedkit.random import shuffle
        >>> sorted(shuffle([0, 1, 2, 3], seed=5).tolist())
        [0, 1, 2, 3]
    """
    value = _checks.shuffle_value(value)
    if np.ndim(value) == 0:
        # TF returns a scalar unchanged; its Python wrapper still takes the op's seed pair, and
        # the kernel returns before touching its generator (random_shuffle_op.cc), so only the
        # op-seed stream moves, as for dropout(rate=0).
        dtype_key = _canonical(value).name
        op_seed = _eager.op_seed(seed)
        call = _state.OpCall(
            "seedkit.shuffle", "shuffle", dtype_key, "shuffle", resolve_alg(None), (), (value,), op_seed
        )
        _dummy_rng_step(call.api, call)
        return jnp.asarray(value)
    return _eager.run(
        "seedkit.shuffle", "shuffle", _canonical(value).name, (), (value,), None, False, _eager.op_seed(seed)
    )


# ---------------------------------------------------------------------------------------------
# Seeds, determinism, snapshots.
def set_seed(seed: IntLike | None) -> None:
    """Set the global seed (``tf.random.set_seed``) and reset every per-op counter, including
    those held by compiled functions. ``None`` goes back to "no global seed".

    ``seed`` is a Python or NumPy integer in the int64 range (TF also accepts larger Python
    ints; seedkit refuses them). The op-seed stream is ``random.Random(int(seed))``, which is
    what TF uses for Python ints and, through its ``int(np.array(seed))`` fallback, for NumPy
    integers.

    Args:
        seed: The global seed: a Python or NumPy integer in the int64 range, or ``None`` for no
            global seed (ops without an op seed then draw fresh OS entropy).

    Raises:
        TypeError: A ``seed`` that is not an integer (a float, a string, an array).
        ValueError: A ``seed`` outside the int64 range.

    Example:
        >>> from seedkit.random import get_seed, set_seed
        >>> set_seed(1234)
        >>> get_seed(None), get_seed(None)
        ((1234, 1892932127), (1234, 501869158))
    """
    _state.set_global_seed(None if seed is None else scalar_seed_int(seed, "seed"))


def get_seed(op_seed: IntLike | None) -> tuple[int | None, int | None]:
    """The (global, op) seed pair an op with this op seed uses (``tf.compat.v1.get_seed``).

    TF's rules exactly: both seeds reduced modulo ``2**31 - 1``; with no global seed the pair is
    ``(DEFAULT_GRAPH_SEED, op_seed)``; with a global seed and no op seed, the op seed is the next
    draw of the op-seed stream (this call consumes it, as the op would); ``(0, 0)`` becomes
    ``(0, 2**31 - 1)``; neither seed gives ``(None, None)``, or ``RuntimeError`` under op
    determinism.

    Args:
        op_seed: The op seed: a Python or NumPy integer (any size: it is reduced modulo
            ``2**31 - 1``, so ``2**100`` is op seed 128), or ``None`` for an op without one.

    Returns:
        The pair ``(global_seed, op_seed)`` of Python ints that TF would use, or ``(None,
            None)`` when neither seed is set.

    Raises:
        TypeError: An ``op_seed`` that is not an integer or ``None``.
        RuntimeError: Neither seed is set while ``enable_op_determinism()`` is in effect.

    Example:
        >>> from seedkit.random import get_seed, set_seed
        >>> set_seed(None)
        >>> get_seed(1)
        (87654321, 1)
        >>> set_seed(0)
        >>> get_seed(0)
        (0, 2147483647)
    """
    op_seed = _eager.op_seed(op_seed, "op_seed")
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
    if _state.is_tracing() and not _jax.evaluates_once():
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
    """Whether :func:`enable_op_determinism` is in effect.

    Returns:
        ``True`` between ``enable_op_determinism()`` and ``disable_op_determinism()``.
    """
    return _state.determinism_enabled()


def get_state() -> RandomState:
    """A picklable snapshot of the global random state: the global seed, the op-seed stream's
    position, every per-op counter and the counters of compiled functions. The determinism
    switch is configuration and is not included.

    Returns:
        A ``RandomState``, for :func:`set_state` (pickle it, or save its ``to_json()``).

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


def set_state(state: RandomState | Mapping[str, Any]) -> None:
    """Resume from a :func:`get_state` snapshot, in this process or another one: the following
    calls give exactly the numbers they gave after the snapshot was taken. ``state`` may also be
    the dict ``get_state().to_json()`` returned, after a JSON round trip (orbax's ``JsonSave``
    and ``JsonRestore``). Nothing changes if ``state`` is invalid.

    Args:
        state: A ``RandomState`` from :func:`get_state`, or the dict its ``to_json()`` gave.

    Raises:
        TypeError: A ``state`` that is neither.
        ValueError: A mapping that is not a seedkit state (or of an unknown format version).
    """
    _state.restore(state)


_KEEP_SEED: Any = object()  # fork_rng's default: the block starts from the current state


@contextlib.contextmanager
def fork_rng(seed: IntLike | None = _KEEP_SEED) -> Iterator[None]:
    """A block whose random calls leave no trace (``torch.random.fork_rng``): on exit, all of
    seedkit's global random state is restored, whatever happened inside (an exception
    included): the global seed, the op-seed stream, every counter, compiled functions'
    counters, and the global Generator (the same object, in the same state; none if there was
    none). Other Generators are objects of their own and keep what the block did to them.

    ``fork_rng(seed)`` calls ``set_seed(seed)`` as the block starts (``None`` clears the global
    seed); the global Generator is left as it was, as ``set_seed`` leaves it.

    Args:
        seed: The global seed for the block (an integer, or ``None`` for none); left out, the
            block starts from the current state.

    Returns:
        A context manager; it yields ``None``.

    Raises:
        TypeError: A ``seed`` that is not an integer or ``None`` (on entering the block).
        ValueError: A ``seed`` outside the int64 range.

    Example:
        >>> from seedkit.random import fork_rng, get_seed, set_seed, uniform
        >>> set_seed(3)
        >>> with fork_rng(99):
        ...     a = uniform([2])
        >>> get_seed(None)[0]
        3
        >>> with fork_rng(99):
        ...     bool((uniform([2]) == a).all())
        True
    """
    state = _state.snapshot()
    global_generator = _generator._global_snapshot()
    try:
        if seed is not _KEEP_SEED:
            set_seed(seed)
        yield
    finally:
        _state.restore(state)
        _generator._global_restore(global_generator)


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
    "share_entropy",
    "shuffle",
    "truncated_normal",
    "uniform",
]


__dir__ = public_dir(__all__)
