"""The types of seedkit's public arguments (made public by :mod:`seedkit.typing`).

Each alias says what the runtime checks accept, as far as a static type can: the checks in
``seedkit._checks``, ``seedkit._seeds`` and ``seedkit._algorithms`` stay the authority (a seed's
shape, a shape's signs and an integer's range are known only at run time).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import jax
import jax.typing
import numpy as np

from seedkit._algorithms._base import Algorithm, RandomAlgorithm

# Union[...] rather than X | Y: the aliases are values, evaluated at import on Python 3.10.

#: An integer scalar: a Python or NumPy int, or a 0-d integer array (NumPy or JAX).
IntLike: TypeAlias = int | np.integer | np.ndarray | jax.Array

#: TF's shape-``[2]`` integer seed (a list or tuple of two ints, an integer NumPy or JAX array
#: of shape ``[2]``), or a typed JAX key (``seedkit.key(seed)``, ``jax.random.key(s)``).
SeedLike: TypeAlias = Sequence[int | np.integer] | np.ndarray | jax.Array

#: A :data:`SeedLike` or one integer ``s``, which stands for the seed ``(s, 0)``
#: (``seedkit.key``, ``Generator.from_seed``).
IntSeedLike: TypeAlias = int | np.integer | SeedLike

#: An output shape: a sequence of non-negative ints, a single int ``n`` (meaning ``[n]``), or a
#: concrete 1-D integer array.
ShapeLike: TypeAlias = Sequence[int | np.integer] | int | np.integer | np.ndarray | jax.Array

#: A dtype, as ``jax.numpy`` takes it (``jnp.float32``, ``"int32"``, ``np.dtype("uint32")``).
DTypeLike: TypeAlias = jax.typing.DTypeLike

#: An algorithm: a name (``"philox"``, ``"threefry"``, ``"auto_select"``; case, ``-`` and ``_``
#: insensitive), a ``seedkit.Algorithm``, TF's int id (1, 2, 3), a registered algorithm object,
#: or None (``"auto_select"``).
AlgLike: TypeAlias = str | Algorithm | int | RandomAlgorithm | None

#: A value seedkit turns into an array: ``jax.typing.ArrayLike`` (a JAX or NumPy array or a
#: scalar) or, as TF and NumPy take them, a (nested) list or tuple of those.
ArrayLike: TypeAlias = jax.typing.ArrayLike | Sequence[Any]

#: ``seedkit.function``'s (and ``seedkit.nnx.jit``'s) ``vmap_randomness``: one draw per element
#: of a ``jax.vmap``, or one for all.
VmapRandomness: TypeAlias = Literal["different", "same"]

__all__ = ["AlgLike", "ArrayLike", "DTypeLike", "IntLike", "IntSeedLike", "SeedLike", "ShapeLike"]
