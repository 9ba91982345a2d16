"""Stateless random ops with TensorFlow's names, signatures and argument rules.

Every function here is a pure function of its ``seed``: the same seed gives the same numbers on
every call, eagerly or under ``jax.jit``/``jax.vmap``, in every process and (the stream-stability
promise) in every seedkit 0.2.x release. The stateful layers (global seed, ``Generator``,
``seedkit.function``) all end up here.

``seed`` is TF's shape-``[2]`` integer seed (a scalar raises, as in TF), or a typed threefry
key from :func:`key` (or ``jax.random.key``), which holds a derived key: ``seed=key(x)`` draws
exactly what ``seed=x`` draws. Typed keys need ``alg="threefry"`` (the default); under
``alg="philox"``, or for a key of another implementation, they raise ``TypeError``.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seedkit import _checks, _distributions, _jax, _rejection
from seedkit import _op_args as _args
from seedkit._algorithms import bit_generator, resolve_alg
from seedkit._api import public_dir
from seedkit._reparameterize import reparameterized_gamma
from seedkit._seeds import int_or_pair_words, is_typed_key, seed_words, typed_key_words
from seedkit._typing import AlgLike, ArrayLike, DTypeLike, IntLike, IntSeedLike, SeedLike, ShapeLike

_SAMPLERS = {
    "uniform_float": _distributions.uniform_float,
    "uniform_int": _distributions.uniform_int,
    "full_int": _distributions.full_int,
    "normal": _distributions.normal,
    "truncated_normal": _distributions.truncated_normal,
    "parameterized_truncated_normal": _distributions.parameterized_truncated_normal,
    "categorical": _distributions.categorical,
    "shuffle": _distributions.shuffle,
    "index_shuffle": _distributions.index_shuffle,
    "gamma": _rejection.gamma,
    "poisson": _rejection.poisson,
    "binomial": _rejection.binomial,
}


def _draw(dist: str, gen, static: tuple, key, counter, params: tuple):
    if counter is not None:
        # Generators and per-op counters select the n-th stream under one key; what n counts
        # (calls for threefry, Philox blocks for a TF-compatible philox) is the algorithm's.
        key = gen.with_counter(key, counter)
    sampler = getattr(gen, "samplers", {}).get(dist, _SAMPLERS[dist])
    if dist == "gamma":
        return reparameterized_gamma(functools.partial(sampler, gen), static, key, *params)
    if dist in ("poisson", "binomial"):
        # Discrete counts: TF defines no gradient for them (tape.gradient gives None). The JAX
        # equivalent is a zero derivative, rather than an error from inside the rejection loop.
        params = tuple(jax.lax.stop_gradient(p) for p in params)
    return sampler(gen, key, *static, *params)


@functools.partial(jax.jit, static_argnames=("dist", "alg", "static"))
def _sample(dist: str, alg, static: tuple, words, counter, params: tuple):
    """The compiled entry point of every op: derive the key from the seed's four words, fold in
    ``counter`` (uint32 ``[lo, hi]``, or None), sample.

    ``dist``, ``alg`` and ``static`` (shape, dtype, ...) select the kernel; seed, counter and
    distribution parameters are runtime arguments, so a new seed never re-traces."""
    gen = bit_generator(alg)
    return _draw(dist, gen, static, gen.key_from_words(words), counter, params)


@functools.partial(jax.jit, static_argnames=("dist", "alg", "static"))
def _sample_from_key(dist: str, alg, static: tuple, key, counter, params: tuple):
    """:func:`_sample` for callers that already hold an algorithm key (the Generator, a typed
    key given as ``seed``)."""
    return _draw(dist, bit_generator(alg), static, key, counter, params)


def sample(
    dist: str, static: tuple, seed: SeedLike, params: tuple = (), *, alg: AlgLike = None, counter: Any = None
) -> jax.Array:
    """Validate ``seed`` and ``alg`` and run the sampler ``dist`` (for the layers above).

    A typed JAX key as ``seed`` is the algorithm's derived key (see :func:`key`): it skips the
    derivation, so ``seed=key(x)`` draws what ``seed=x`` draws."""
    gen = resolve_alg(alg)
    if type(seed) not in (tuple, list) and is_typed_key(seed):
        return _sample_from_key(dist, gen, static, seed_key_words(seed, gen), counter, params)
    return _sample(dist, gen, static, seed_words(seed), counter, params)


def seed_key_words(seed: jax.Array, gen, name: str = "seed") -> jax.Array:
    """The derived key a typed key ``seed`` holds, for the algorithm ``gen`` (which must be the
    key's: threefry for threefry2x32 keys)."""
    return typed_key_words(
        seed,
        gen.jax_prng_impl,
        gen.name,
        name,
        "Pass a shape-[2] integer seed instead (e.g. from stateless_split or "
        "Generator.make_seeds), or a key from seedkit.key(seed) with alg='threefry'.",
    )


def stateless_uniform(
    shape: ShapeLike,
    seed: SeedLike,
    minval: ArrayLike | None = 0,
    maxval: ArrayLike | None = None,
    dtype: DTypeLike = jnp.float32,
    name: str | None = None,
    alg: AlgLike = "auto_select",
) -> jax.Array:
    """Uniform values in ``[minval, maxval)``, a pure function of ``seed`` (``tf.random.stateless_uniform``).

    Floats (float16, bfloat16, float32, float64) default to ``[0, 1)``; integer dtypes (int32,
    int64, uint32, uint64) need ``maxval``, except that ``minval=None, maxval=None`` gives every
    value of the dtype. ``name`` is accepted for TF compatibility and ignored.

    Args:
        shape: The output shape: a 1-D sequence of non-negative ints (or a 1-D integer array).
        seed: TF's shape-``[2]`` seed (a list, tuple, NumPy or JAX array of int32, int64 or uint32
            values in the int64 range), or a typed threefry key from ``seedkit.key``, which draws
            what its seed draws. A scalar raises, as in TF: pass ``(s, 0)`` or ``seedkit.key(s)``.
        minval: The inclusive lower bound (default 0): for floats a number or an array that
            broadcasts to ``shape``, for integer dtypes a scalar integer (TF's rule).
        maxval: The exclusive upper bound; ``None`` (the default) means 1 for floats. Integer
            dtypes need it, unless ``minval`` and ``maxval`` are both ``None``, which gives every
            value of the dtype.
        dtype: float16, bfloat16, float32 (the default), float64, int32, int64, uint32 or uint64.
            64-bit dtypes need ``jax_enable_x64``; without it they give the 32-bit type and a
            ``UserWarning``, as in JAX.
        name: Accepted for TF compatibility and ignored.
        alg: ``"auto_select"`` (the default algorithm: threefry unless
            ``seedkit.set_default_algorithm`` changed it), ``"threefry"``, ``"philox"`` (TF's own
            numbers), a ``seedkit.Algorithm`` or its int.

    Returns:
        An array of ``shape`` and ``dtype``; the same ``seed`` gives the same values on every
            call, eagerly and under ``jax.jit``/``jax.vmap``.

    Raises:
        TypeError: A seed that is missing, float, bool or of a narrow integer type; a typed key
            with ``alg="philox"``; a ``dtype`` outside the list; a float bound for an integer dtype.
        ValueError: A seed not of shape ``[2]`` or outside the int64 range; a ``shape`` not 1-D or
            with a negative dimension; for integers, one bound only, an array bound, or
            ``minval >= maxval`` with a non-empty ``shape``; an unknown ``alg``.

    Example:
        >>> import seedkit
        >>> x = seedkit.stateless_uniform([3], seed=(1, 2))
        >>> bool((x == seedkit.stateless_uniform([3], seed=(1, 2))).all())
        True
        >>> seedkit.stateless_uniform([4], seed=(1, 2), minval=0, maxval=10, dtype="int32").dtype
        dtype('int32')
    """
    dist, static, params = _args.uniform_args(shape, minval, maxval, dtype)
    return sample(dist, static, seed, params, alg=alg)


def stateless_normal(
    shape: ShapeLike,
    seed: SeedLike,
    mean: ArrayLike = 0.0,
    stddev: ArrayLike = 1.0,
    dtype: DTypeLike = jnp.float32,
    name: str | None = None,
    alg: AlgLike = "auto_select",
) -> jax.Array:
    """Normal values, a pure function of ``seed`` (``tf.random.stateless_normal``).

    Args:
        shape: The output shape: a 1-D sequence of non-negative ints (or a 1-D integer array).
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``stateless_uniform``.
        mean: The mean, a number or an array that broadcasts to ``shape`` (default 0).
        stddev: The standard deviation, likewise (default 1); not checked, as in TF.
        dtype: float16, bfloat16, float32 (the default) or float64 (with ``jax_enable_x64``).
        name: Accepted for TF compatibility and ignored.
        alg: The algorithm, as for ``stateless_uniform`` (``"philox"``: TF's numbers).

    Returns:
        An array of ``shape`` and ``dtype``, differentiable in ``mean`` and ``stddev``.

    Raises:
        TypeError: An integer or unknown ``dtype``; a ``mean`` or ``stddev`` that is not a real
            number or array; a bad seed, as for ``stateless_uniform``.
        ValueError: A ``mean`` or ``stddev`` that does not broadcast to ``shape``; a bad seed,
            ``shape`` or ``alg``, as for ``stateless_uniform``.

    Example:
        >>> import seedkit
        >>> seedkit.stateless_normal([2, 3], seed=(7, 17), mean=1.0, stddev=2.0).shape
        (2, 3)
    """
    dist, static, params = _args.normal_args(shape, mean, stddev, dtype)
    return sample(dist, static, seed, params, alg=alg)


def stateless_truncated_normal(
    shape: ShapeLike,
    seed: SeedLike,
    mean: ArrayLike = 0.0,
    stddev: ArrayLike = 1.0,
    dtype: DTypeLike = jnp.float32,
    name: str | None = None,
    alg: AlgLike = "auto_select",
) -> jax.Array:
    """Normal values truncated to two standard deviations around ``mean``
    (``tf.random.stateless_truncated_normal``: values beyond are re-drawn, so the distribution is
    the normal restricted to ``(mean - 2 stddev, mean + 2 stddev)``).

    Args:
        shape: The output shape: a 1-D sequence of non-negative ints (or a 1-D integer array).
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``stateless_uniform``.
        mean: The mean, a number or an array that broadcasts to ``shape`` (default 0).
        stddev: The standard deviation, likewise (default 1).
        dtype: float16, bfloat16, float32 (the default) or float64 (with ``jax_enable_x64``).
        name: Accepted for TF compatibility and ignored.
        alg: The algorithm, as for ``stateless_uniform`` (``"philox"``: TF's numbers).

    Returns:
        An array of ``shape`` and ``dtype`` inside ``(mean - 2 stddev, mean + 2 stddev)`` (philox
            in half precision keeps TF's values rounded onto a bound).

    Raises:
        TypeError: An integer or unknown ``dtype``; a ``mean`` or ``stddev`` that is not a real
            number or array; a bad seed, as for ``stateless_uniform``.
        ValueError: A ``mean`` or ``stddev`` that does not broadcast to ``shape``; a bad seed,
            ``shape`` or ``alg``, as for ``stateless_uniform``.

    Example:
        >>> import seedkit
        >>> x = seedkit.stateless_truncated_normal([1000], seed=(1, 2))
        >>> bool((abs(x) < 2).all())
        True
    """
    dist, static, params = _args.normal_args(shape, mean, stddev, dtype, "truncated_normal")
    return sample(dist, static, seed, params, alg=alg)


def stateless_parameterized_truncated_normal(
    shape: ShapeLike,
    seed: SeedLike,
    means: ArrayLike = 0.0,
    stddevs: ArrayLike = 1.0,
    minvals: ArrayLike = -2.0,
    maxvals: ArrayLike = 2.0,
    name: str | None = None,
    alg: AlgLike = "auto_select",
) -> jax.Array:
    """Normal(``means``, ``stddevs``) truncated to ``[minvals, maxvals]``, parameters broadcast
    against ``shape`` (``tf.random.stateless_parameterized_truncated_normal``). The dtype is that
    of ``means`` (float32 for Python numbers).

    Args:
        shape: The output shape, as for ``stateless_uniform``.
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``stateless_uniform``.
        means: The means, a number or an array that broadcasts to ``shape`` (default 0).
        stddevs: The standard deviations, likewise (default 1); positive.
        minvals: The lower bounds, likewise (default -2); below ``maxvals`` everywhere.
        maxvals: The upper bounds, likewise (default 2).
        name: Accepted for TF compatibility and ignored.
        alg: The algorithm, as for ``stateless_uniform`` (``"philox"``: TF's numbers).

    Returns:
        An array of ``shape`` in ``means``'s float dtype, inside ``[minvals, maxvals]``.

    Raises:
        ValueError: A parameter that does not broadcast to ``shape``; ``minvals >= maxvals``
            somewhere; a ``stddevs`` that is not positive; a bad seed, ``shape`` or ``alg``.

    Example:
        >>> import seedkit
        >>> x = seedkit.stateless_parameterized_truncated_normal(
        ...     [2, 100], seed=(1, 2), means=[[0.0], [5.0]], minvals=[[-1.0], [4.0]], maxvals=[[1.0], [9.0]])
        >>> bool((x[0] <= 1).all() and (x[1] >= 4).all())
        True
    """
    shape = _checks.shape(shape)
    dtype = _args.float_param_dtype(means)
    means, stddevs, minvals, maxvals = (
        _checks.real_param(v, n)
        for n, v in (("means", means), ("stddevs", stddevs), ("minvals", minvals), ("maxvals", maxvals))
    )
    for pname, v in (("means", means), ("stddevs", stddevs), ("minvals", minvals), ("maxvals", maxvals)):
        _checks.broadcastable(shape, v, pname)
    if _checks.is_concrete(minvals) and _checks.is_concrete(maxvals):
        if np.any(np.asarray(minvals, np.float64) >= np.asarray(maxvals, np.float64)):
            raise ValueError("`minvals` must be less than `maxvals` everywhere; got an empty interval.")
    if _checks.is_concrete(stddevs) and np.any(np.asarray(stddevs, np.float64) <= 0):
        raise ValueError("`stddevs` must be positive.")
    return sample(
        "parameterized_truncated_normal", (shape, dtype), seed, (means, stddevs, minvals, maxvals), alg=alg
    )


def stateless_categorical(
    logits: ArrayLike,
    num_samples: IntLike,
    seed: SeedLike,
    dtype: DTypeLike | None = None,
    name: str | None = None,
    alg: AlgLike = "auto_select",
) -> jax.Array:
    """Class indices drawn from ``logits`` of shape ``[batch, classes]``; returns
    ``[batch, num_samples]`` (``tf.random.stateless_categorical``).

    Args:
        logits: A 2-D float array ``[batch, classes]`` of unnormalized log-probabilities.
        num_samples: How many draws per row: a non-negative Python or NumPy int.
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``stateless_uniform``.
        dtype: int32 or int64 (the default; int32 while ``jax_enable_x64`` is off).
        name: Accepted for TF compatibility and ignored.
        alg: The algorithm, as for ``stateless_uniform`` (``"philox"``: TF's numbers).

    Returns:
        An integer array ``[batch, num_samples]`` of class indices in ``[0, classes)``.

    Raises:
        TypeError: Integer ``logits``; a ``num_samples`` that is not an int; another ``dtype``.
        ValueError: ``logits`` not 2-D or with no class; a negative ``num_samples``.

    Example:
        >>> import seedkit, jax.numpy as jnp
        >>> seedkit.stateless_categorical(jnp.log(jnp.array([[0.5, 0.5]])), 5, seed=(1, 2)).shape
        (1, 5)
    """
    dist, static, params = _args.categorical_args(logits, num_samples, dtype)
    return sample(dist, static, seed, (jnp.asarray(params[0]),), alg=alg)


def stateless_gamma(
    shape: ShapeLike,
    seed: SeedLike,
    alpha: ArrayLike,
    beta: ArrayLike | None = None,
    dtype: DTypeLike = jnp.float32,
    name: str | None = None,
    alg: AlgLike = "auto_select",
) -> jax.Array:
    """Gamma(``alpha``, rate ``beta``) samples (``tf.random.stateless_gamma``). TF's shape rule:
    ``shape`` ends with the broadcast shape of ``alpha`` and ``beta``. As in TF, the samples are
    differentiable in ``alpha`` and ``beta`` (implicit reparameterization).

    Args:
        shape: The output shape; it ends with the broadcast shape of ``alpha`` and ``beta``.
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``stateless_uniform``.
        alpha: The shape (concentration) parameter, a non-negative number or array.
        beta: The rate, a positive number or array (``None``, the default, means 1).
        dtype: float16, bfloat16, float32 (the default) or float64 (with ``jax_enable_x64``).
        name: Accepted for TF compatibility and ignored.
        alg: The algorithm, as for ``stateless_uniform`` (``"philox"``: TF's numbers).

    Returns:
        A positive array of ``shape`` and ``dtype``.

    Raises:
        ValueError: A ``shape`` that does not end with the parameters' shape; a negative
            ``alpha`` or a non-positive ``beta``; a bad seed or ``alg``.

    Example:
        >>> import jax, seedkit
        >>> seedkit.stateless_gamma([10, 2], seed=(1, 2), alpha=[0.5, 1.5]).shape
        (10, 2)
        >>> bool(jax.grad(lambda b: seedkit.stateless_gamma([3], (1, 2), 2.0, b).sum())(1.0) < 0)
        True
    """
    dist, static, params = _args.gamma_args(shape, alpha, beta, dtype)
    return sample(dist, static, seed, params, alg=alg)


def stateless_poisson(
    shape: ShapeLike,
    seed: SeedLike,
    lam: ArrayLike,
    dtype: DTypeLike = jnp.int32,
    name: str | None = None,
    alg: AlgLike = "auto_select",
) -> jax.Array:
    """Poisson(``lam``) samples (``tf.random.stateless_poisson``); ``shape`` ends with ``lam``'s shape.

    Args:
        shape: The output shape; it ends with ``lam``'s shape.
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``stateless_uniform``.
        lam: The rate, a non-negative number or array.
        dtype: int32 (the default), int64 or a float dtype.
        name: Accepted for TF compatibility and ignored.
        alg: The algorithm, as for ``stateless_uniform`` (``"philox"``: TF's numbers).

    Returns:
        An array of ``shape`` and ``dtype`` of non-negative counts.

    Raises:
        ValueError: A ``shape`` that does not end with ``lam``'s shape; a negative ``lam``.

    Example:
        >>> import seedkit
        >>> seedkit.stateless_poisson([10, 2], seed=(1, 2), lam=[5.0, 15.0]).shape
        (10, 2)
    """
    dist, static, params = _args.poisson_args(shape, lam, dtype)
    return sample(dist, static, seed, params, alg=alg)


def stateless_binomial(
    shape: ShapeLike,
    seed: SeedLike,
    counts: ArrayLike,
    probs: ArrayLike,
    output_dtype: DTypeLike = jnp.int32,
    name: str | None = None,
    alg: AlgLike = "auto_select",
) -> jax.Array:
    """Binomial(``counts``, ``probs``) samples (``tf.random.stateless_binomial``); parameters
    broadcast to ``shape``. As TF: ``counts == 0`` gives 0, ``probs`` is clipped to ``[0, 1]``,
    and a NaN probability gives NaN (float outputs) or -1 (integer outputs).

    Args:
        shape: The output shape, as for ``stateless_uniform``.
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``stateless_uniform``.
        counts: The number of trials, non-negative, a number or an array broadcasting to ``shape``.
        probs: The success probability, likewise.
        output_dtype: int32 (the default), int64 or a float dtype.
        name: Accepted for TF compatibility and ignored.
        alg: The algorithm, as for ``stateless_uniform`` (``"philox"``: TF's numbers).

    Returns:
        An array of ``shape`` and ``output_dtype``, each value in ``[0, counts]``.

    Raises:
        ValueError: A ``counts`` or ``probs`` that does not broadcast to ``shape``; negative ``counts``.

    Example:
        >>> import seedkit
        >>> x = seedkit.stateless_binomial([5], seed=(1, 2), counts=10, probs=0.5)
        >>> bool(((x >= 0) & (x <= 10)).all())
        True
    """
    dist, static, params = _args.binomial_args(shape, counts, probs, output_dtype)
    return sample(dist, static, seed, params, alg=alg)


def stateless_shuffle(
    value: ArrayLike, seed: SeedLike, alg: AlgLike = "auto_select", name: str | None = None
) -> jax.Array:
    """``value`` with its first axis randomly permuted (``tf.random.experimental.stateless_shuffle``);
    every permutation is equally likely.

    Args:
        value: An array or nested list; its first axis is shuffled (a scalar comes back as it is).
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``stateless_uniform``.
        alg: The algorithm, as for ``stateless_uniform`` (``"philox"``: TF's numbers).
        name: Accepted for TF compatibility and ignored.

    Returns:
        An array of ``value``'s shape and dtype, its rows in a random order.

    Example:
        >>> import seedkit, jax.numpy as jnp
        >>> sorted(seedkit.stateless_shuffle(jnp.arange(5), seed=(1, 2)).tolist())
        [0, 1, 2, 3, 4]
    """
    return sample("shuffle", (), seed, (jnp.asarray(_checks.shuffle_value(value)),), alg=alg)


def index_shuffle(
    index: ArrayLike, seed: SeedLike, max_index: IntLike, alg: AlgLike = "auto_select"
) -> jax.Array:
    """The position of each ``index`` under a random permutation of ``[0, max_index]``, without
    materialising the permutation (``tf.random.experimental.index_shuffle``). Vectorised over
    ``index``.

    Args:
        index: A non-negative integer array (or scalar), each entry at most ``max_index``.
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``stateless_uniform``.
        max_index: The largest index: a static int below ``2**32`` that fits ``index``'s dtype.
        alg: The algorithm, as for ``stateless_uniform`` (``"philox"``: TF's numbers).

    Returns:
        An array of ``index``'s shape and dtype: the permuted positions.

    Raises:
        TypeError: A float ``index``; a ``max_index`` that is not a static int.
        ValueError: A negative ``index`` or one above ``max_index``; a ``max_index`` from
            ``2**32`` or beyond ``index``'s dtype.

    Example:
        >>> import seedkit, jax.numpy as jnp
        >>> sorted(seedkit.index_shuffle(jnp.arange(10), seed=(1, 2), max_index=9).tolist())
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """
    max_index = _args.count(max_index, "max_index")
    if max_index >= 2**32:
        raise ValueError(f"`max_index` must be below 2**32; got {max_index}.")
    idx = jnp.asarray(_checks.numeric_array(index, "index"))
    if not jnp.issubdtype(idx.dtype, jnp.integer):
        raise TypeError(f"`index` must be an integer array; got dtype {idx.dtype}.")
    if max_index > jnp.iinfo(idx.dtype).max:  # positions would wrap in the output (TF refuses too)
        raise ValueError(
            f"`max_index`={max_index} does not fit `index`'s dtype {idx.dtype}, so the positions "
            "(of that dtype) would wrap. Pass uint32 (or int64) indices, e.g. "
            "index=jnp.asarray(index, jnp.uint32)."
        )
    if _checks.is_concrete(index) and idx.size:
        lo, hi = int(np.min(np.asarray(idx))), int(np.max(np.asarray(idx)))
        if lo < 0:
            raise ValueError(f"`index` must be >= 0; got {lo}.")
        if hi > max_index:
            raise ValueError(f"`max_index` must be >= every `index`; got index {hi} > max_index {max_index}.")
    return sample("index_shuffle", (max_index,), seed, (idx,), alg=alg).astype(idx.dtype)


def _seed_out_dtype(seed: Any) -> jnp.dtype:
    d = getattr(seed, "dtype", None)
    if (
        d is not None
        and not is_typed_key(seed)
        and jnp.dtype(d) in (jnp.dtype(jnp.int32), jnp.dtype(jnp.uint32), jnp.dtype(jnp.int64))
    ):
        return jnp.dtype(jax.dtypes.canonicalize_dtype(d))
    return jnp.dtype(jnp.int32)


def stateless_split(seed: SeedLike, num: IntLike = 2, alg: AlgLike = "auto_select") -> jax.Array:
    """``num`` new seeds, shape ``[num, 2]``, each independent of the others and of ``seed``
    (``tf.random.split``). The seed's integer dtype is kept (int32 for Python values and for a
    typed key, which splits as the seed it stands for: seeds, not keys, come out).

    Args:
        seed: A shape-``[2]`` seed or a typed threefry key (split as the seed it stands for), as
            for ``stateless_uniform``.
        num: How many seeds to make: a non-negative Python or NumPy int (default 2).
        alg: The algorithm, as for ``stateless_uniform`` (``"philox"``: TF's numbers).

    Returns:
        An integer array of shape ``[num, 2]``, one new seed per row, in the seed's integer
            dtype (int32 for Python values and keys).

    Raises:
        TypeError: A ``num`` that is not an integer; a bad seed, as for ``stateless_uniform``.
        ValueError: A negative ``num``; a bad seed or ``alg``, as for ``stateless_uniform``.

    Example:
        >>> import seedkit
        >>> seedkit.stateless_split((1, 2), num=3).shape
        (3, 2)
    """
    num = _args.count(num, "num")
    return sample("full_int", ((num, 2), _seed_out_dtype(seed)), seed, alg=alg)


def stateless_fold_in(seed: SeedLike, data: IntLike, alg: AlgLike = "auto_select") -> jax.Array | np.ndarray:
    """A new shape-``[2]`` seed from ``seed`` and the integer ``data`` (``tf.random.fold_in``).

    As in TF, the result is ``[a, data]`` where ``a`` is a value drawn from ``seed``: distinct
    ``data`` give distinct seeds. ``data``'s dtype is TF's (int32 for a Python int that fits,
    else int64) under JAX's 64-bit rule: without ``jax_enable_x64`` a NumPy int64 value that
    fits 32 bits folds as int32, as ``jnp.asarray`` would make it. A value that needs 64 bits
    while ``jax_enable_x64`` is off folds as int64 on the host and comes back as a NumPy int64
    (uint64) array, TF's values and those of x64 mode, usable as a seed anywhere; that happens
    outside JAX transformations only (inside ``jit``, ``vmap`` or ``grad`` it raises
    ``ValueError``: set ``jax_enable_x64`` there).

    Args:
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``stateless_uniform``.
        data: An integer scalar in the int64 range (a Python or NumPy int, or a scalar integer
            array, traced under ``jit``).
        alg: The algorithm, as for ``stateless_uniform`` (``"philox"``: TF's numbers).

    Returns:
        A shape-``[2]`` seed ``[a, data]`` in ``data``'s integer dtype; a JAX array, or a NumPy
            int64 array when ``data`` needs 64 bits and ``jax_enable_x64`` is off.

    Raises:
        TypeError: A ``data`` that is not an integer scalar (a float, a list); a bad seed.
        ValueError: A ``data`` outside the int64 range, or one that needs 64 bits inside
            ``jit``/``vmap``/``grad`` without ``jax_enable_x64``; a bad seed or ``alg``.

    Example:
        >>> import seedkit
        >>> s = seedkit.stateless_fold_in((1, 2), 7)
        >>> s.shape, int(s[1])
        ((2,), 7)
        >>> wide = seedkit.stateless_fold_in((1, 2), 2**40)  # a NumPy int64 seed without x64
        >>> wide.dtype, int(wide[1]) == 2**40
        (dtype('int64'), True)
    """
    data = _checks.fold_in_data(data)
    if isinstance(data, np.ndarray):
        return _fold_in_on_host(seed, data, alg)
    first = sample("full_int", ((), data.dtype), seed, alg=alg)
    return jnp.stack([first, data])


def _fold_in_on_host(seed: SeedLike, data: np.ndarray, alg: AlgLike) -> np.ndarray:
    """The 64-bit fold of :func:`stateless_fold_in` without ``jax_enable_x64``: the draw runs with
    64-bit types switched on for this call only (``jax.enable_x64``, a thread-local config
    context) and the seed is assembled in NumPy, where int64 exists."""
    if _jax.is_tracing() or any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(seed)):
        raise ValueError(_checks.FOLD_IN_TRACED_NEEDS_X64.format(value=int(data)))
    with jax.enable_x64(True):
        first = np.asarray(sample("full_int", ((), data.dtype), seed, alg=alg))
    return np.stack([first, data])


def key(seed: IntSeedLike, alg: AlgLike = "threefry") -> jax.Array:
    """The typed JAX key (``jax.random.key`` style) that seedkit derives from ``seed``, for use
    with ``jax.random`` and as the ``seed=`` of seedkit's stateless ops. (``jax.random``'s
    samplers are not covered by seedkit's stream-stability promise.)

    ``seed`` is a shape-``[2]`` seed, as for the stateless ops, or an integer ``s`` (int64 range;
    Python, NumPy, a scalar array, or a traced integer scalar under ``jax.jit``), which acts as
    the seed pair ``(s, 0)``: ``key(s) == key((s, 0))``, the rule of ``Generator.from_seed(s)``.
    The key is seedkit's derivation, not ``jax.random.key(s)``'s (a different key). A typed key
    is returned as it is (after checking its implementation): ``key(key(x)) == key(x)``.

    The key stands for its seed: ``stateless_uniform(shape, seed=key(x))`` draws what
    ``stateless_uniform(shape, seed=x)`` draws (every ``stateless_*`` op, under ``jit`` and
    ``vmap`` too), and ``Generator.from_key(key(x))`` is ``Generator.from_seed(x)``. A legacy raw
    key (``jax.random.PRNGKey(0)``, ``jax.random.key_data(k)``: ``uint32[2]``) is not a key here
    but an ordinary shape-``[2]`` seed, hashed like any other.

    Args:
        seed: A shape-``[2]`` seed, an integer (the pair ``(seed, 0)``) or a typed key.
        alg: ``"threefry"`` (the default); other algorithms' keys are not ``jax.random`` keys.

    Returns:
        A typed threefry key (a scalar ``jax.Array`` of key dtype).

    Raises:
        NotImplementedError: An ``alg`` such as ``"philox"`` whose keys JAX does not have.

    Example:
        >>> import jax, seedkit
        >>> jax.random.uniform(seedkit.key((1, 2)), (2,)).shape
        (2,)
        >>> bool(seedkit.key(7) == seedkit.key((7, 0)))
        True
        >>> k = seedkit.key(7)
        >>> bool((seedkit.stateless_normal([3], seed=k) == seedkit.stateless_normal([3], seed=(7, 0))).all())
        True
    """
    gen = resolve_alg(alg)
    if gen.jax_prng_impl is None:
        raise NotImplementedError(
            f"seedkit.key needs an algorithm whose keys are jax.random keys; {gen.name!r}'s are not "
            "(use alg='threefry')."
        )
    if is_typed_key(seed):
        seed_key_words(seed, gen)  # checks it is a single key of this algorithm
        return seed
    return jax.random.wrap_key_data(_derive_key(int_or_pair_words(seed), gen), impl=gen.jax_prng_impl)


@functools.partial(jax.jit, static_argnums=1)
def _derive_key(words, gen):
    return gen.key_from_words(words)


__all__ = [
    "index_shuffle",
    "key",
    "stateless_binomial",
    "stateless_categorical",
    "stateless_fold_in",
    "stateless_gamma",
    "stateless_normal",
    "stateless_parameterized_truncated_normal",
    "stateless_poisson",
    "stateless_shuffle",
    "stateless_split",
    "stateless_truncated_normal",
    "stateless_uniform",
]


__dir__ = public_dir(__all__)
