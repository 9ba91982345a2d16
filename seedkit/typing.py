"""Types for code that calls seedkit (as ``jax.typing`` is for JAX).

Example:
    >>> import jax
    >>> import seedkit
    >>> from seedkit.typing import SeedLike, ShapeLike
    >>> def noise(shape: ShapeLike, seed: SeedLike) -> jax.Array:
    ...     return seedkit.stateless_normal(shape, seed)
    >>> noise([2], (1, 2)).shape
    (2,)

``SeedLike``
    TF's shape-``[2]`` integer seed, or a typed JAX key (``seedkit.key(seed)``).
``IntSeedLike``
    A ``SeedLike`` or one integer ``s``, which stands for the seed ``(s, 0)``.
``IntLike``
    An integer scalar (Python, NumPy, or a 0-d array): op seeds, counts.
``ShapeLike``
    An output shape: a sequence of ints, or one int ``n`` meaning ``[n]``.
``DTypeLike``
    A dtype (``jax.typing.DTypeLike``).
``AlgLike``
    An algorithm: ``"philox"``, ``"threefry"``, ``"auto_select"``, a ``seedkit.Algorithm`` (or
    TF's int id), or None for the default.
``ArrayLike``
    ``jax.typing.ArrayLike`` (arrays and scalars) and, as TF takes them, nested lists and tuples
    of numbers.
"""

from seedkit._api import public_dir
from seedkit._typing import AlgLike, ArrayLike, DTypeLike, IntLike, IntSeedLike, SeedLike, ShapeLike

__all__ = ["AlgLike", "ArrayLike", "DTypeLike", "IntLike", "IntSeedLike", "SeedLike", "ShapeLike"]


__dir__ = public_dir(__all__)
