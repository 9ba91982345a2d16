"""Seeds for the code around seedkit: other libraries' generators, processes and devices.

Large JAX programs seed more than their own random ops: Python's ``random`` and NumPy (through
libraries that use them), data loaders that take a plain ``int`` (grain's
``IndexSampler(seed=...)``, ``numpy.random.default_rng(seed)``), one stream per process of a
``jax.distributed`` job and one per device inside ``jax.shard_map``. These helpers derive all of
them from seedkit's state, so ``seedkit.set_seed`` (or one seed pair) fixes the whole program.

Example:
    >>> import numpy as np
    >>> import seedkit
    >>> seedkit.set_random_seed(7)  # seedkit, Python's random and NumPy's legacy global state
    >>> loader_seed = seedkit.int_seed()  # an int for a data loader, from seedkit's state
    >>> seedkit.set_random_seed(7)
    >>> seedkit.int_seed() == loader_seed
    True
"""

from __future__ import annotations

import random
from collections.abc import Hashable

import jax
import numpy as np

from seedkit import _entropy, _state
from seedkit._api import public_dir
from seedkit._seeds import scalar_seed_int
from seedkit._typing import IntLike, SeedLike
from seedkit.random import set_seed
from seedkit.stateless import stateless_fold_in


def set_random_seed(seed: IntLike) -> None:
    """``set_seed(seed)`` and also seed Python's ``random`` and NumPy's legacy global generator
    (``np.random.seed``), as ``keras.utils.set_random_seed`` does: one call for a program whose
    libraries draw from those. NumPy takes the seed modulo ``2**32`` (its range). ``seedkit``
    itself never reads them; use :func:`set_seed` to leave them alone.

    Args:
        seed: A Python or NumPy integer in the int64 range.

    Raises:
        TypeError: A ``seed`` that is not an integer.
        ValueError: A ``seed`` outside the int64 range.

    Example:
        >>> import random, seedkit
        >>> seedkit.set_random_seed(3); a = random.random()
        >>> seedkit.set_random_seed(3); a == random.random()
        True
    """
    value = scalar_seed_int(seed)
    set_seed(value)
    random.seed(value)
    np.random.seed(value % 2**32)


def int_seed() -> int:
    """A Python ``int`` in ``[0, 2**31 - 1]`` for a library that takes one (a data loader,
    ``numpy.random.default_rng``), derived from seedkit's state: after ``set_seed(s)`` it is the
    next op seed of the global stream (what the next unseeded op would take, which it consumes,
    as TF's ``get_seed(None)`` does), so the program's seeds all follow from ``s``. Without a
    global seed it is fresh entropy (``RuntimeError`` under :func:`enable_op_determinism`, and in
    a job of several processes before :func:`share_entropy`).

    Returns:
        A Python ``int`` in ``[0, 2**31 - 1]``.

    Raises:
        RuntimeError: No global seed while ``enable_op_determinism()`` is in effect.

    Example:
        >>> import seedkit
        >>> seedkit.set_seed(1234); a = seedkit.int_seed()
        >>> seedkit.set_seed(1234); seedkit.int_seed() == a
        True
    """
    g, o = _state.get_seed(None)
    if g is not None:
        return o  # type: ignore[return-value]
    word = int(_entropy.words(1, "seedkit.int_seed() without a global seed")[0])
    return word & _state.MAXINT32


def fold_in_process(seed: SeedLike) -> jax.Array:
    """``seed`` with this process's index folded in (``jax.process_index()``): one seed per
    process of a ``jax.distributed`` job from one seed shared by all, for data that must differ
    between processes (their shard of a data set, their dropout masks of local batches).

    Args:
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``stateless_uniform``.

    Returns:
        A new shape-``[2]`` int32 seed, ``stateless_fold_in(seed, jax.process_index())``.

    Raises:
        TypeError: A float or bool seed, as for ``stateless_fold_in``.
        ValueError: A scalar seed or one not of shape ``[2]``, as for ``stateless_fold_in``.

    Example:
        >>> import seedkit
        >>> seedkit.fold_in_process((1, 2)).shape  # process 0 of 1 here
        (2,)
    """
    return stateless_fold_in(seed, jax.process_index())  # type: ignore[return-value]  # int32 data


def fold_in_axis(seed: SeedLike, axis_name: Hashable) -> jax.Array:
    """``seed`` with the index along the mapped axis ``axis_name`` folded in
    (``jax.lax.axis_index``): one seed per device inside ``jax.shard_map`` (or per element of a
    named ``jax.vmap``), from a seed passed in unsharded. Use it with ``stateless_*`` ops, which
    may run there (stateful ops and Generators may not).

    Args:
        seed: A shape-``[2]`` seed or a typed threefry key, as for ``stateless_uniform``.
        axis_name: The name of a mapped axis in scope (``shard_map``, ``pmap`` or named ``vmap``).

    Returns:
        A new shape-``[2]`` int32 seed, different along the axis.

    Raises:
        NameError: An ``axis_name`` that is not bound where this is called (JAX's error).

    Example:
        >>> import jax, jax.numpy as jnp, seedkit
        >>> per_row = jax.vmap(lambda _: seedkit.fold_in_axis((1, 2), "i"), axis_name="i")(jnp.zeros(3))
        >>> per_row.shape, len({tuple(r) for r in per_row.tolist()})
        ((3, 2), 3)
    """
    return stateless_fold_in(seed, jax.lax.axis_index(axis_name))  # type: ignore[return-value]  # int32 data


__all__ = ["fold_in_axis", "fold_in_process", "int_seed", "set_random_seed"]


__dir__ = public_dir(__all__)
