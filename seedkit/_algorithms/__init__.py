"""The algorithm registry: every algorithm is one registered :class:`RandomAlgorithm` object.

An algorithm object owns everything algorithm-specific (its bits, its sampler family, the
stateful ops' counter model, the Generator's state layout; :mod:`seedkit._algorithms._base`).
Registering one (:func:`register_algorithm`) is all it takes to make it usable as ``alg=`` by
every stateless op, by ``Generator``, by the stateful ops under :func:`set_default_algorithm`
and inside ``seedkit.function``: the layers above ask the object and never branch on which
algorithm it is. seedkit registers two: ``"threefry"`` (its own, the default) and
``"philox"`` (TensorFlow's numbers).
"""

from __future__ import annotations

from typing import Any, Protocol

import jax

from seedkit._algorithms._base import REGISTRY as _REGISTRY
from seedkit._algorithms._base import Algorithm, RandomAlgorithm
from seedkit._algorithms._philox import PHILOX
from seedkit._algorithms._threefry import THREEFRY


class BitGenerator(Protocol):
    """What the distribution layer needs from an algorithm."""

    def key_from_words(self, words: jax.Array) -> jax.Array:
        """The algorithm's key from a seed's four uint32 words ``(lo0, hi0, lo1, hi1)``."""

    def random_bits(self, key: jax.Array, shape: tuple[int, ...], words: int) -> jax.Array:
        """``uint32`` bits of shape ``shape`` (``words == 1``) or ``shape + (words,)``."""

    def block(self, key: jax.Array, x0: jax.Array, x1: jax.Array) -> tuple[jax.Array, jax.Array]:
        """Two uint32 words per element for the counter ``(x0, x1)``: rejection samplers use
        it to give each element its own stream of attempts."""

    def with_counter(self, key: jax.Array, counter: jax.Array) -> jax.Array:
        """The key of stream number ``counter`` (uint32 ``[lo, hi]``) under ``key``."""

    # Optional: ``samplers`` (a dict from sampler name to function) overrides the shared
    # bits-to-values conversions in seedkit._distributions for this algorithm, for an algorithm
    # whose numbers must match another library's conversions (TF's Philox).


def _normalize(name: str) -> str:
    return name.lower().replace("-", "_")


def register_algorithm(algorithm: RandomAlgorithm) -> RandomAlgorithm:
    """Make ``algorithm`` usable by name everywhere ``alg=`` is accepted (as JAX's
    ``register_prng``). Returns it, so it can decorate an instance's creation."""
    if not isinstance(algorithm, RandomAlgorithm):
        raise TypeError(f"`algorithm` must be a RandomAlgorithm; got {type(algorithm).__name__}.")
    key = _normalize(algorithm.name)
    if key in _REGISTRY or key == "auto_select":
        raise ValueError(f"an algorithm named {algorithm.name!r} is already registered.")
    _REGISTRY[key] = algorithm
    return algorithm


def unregister_algorithm(name: str) -> None:
    """Forget a registered algorithm (tests use this for the ones they register)."""
    global _default
    algorithm = _REGISTRY.pop(_normalize(name))
    if _default is algorithm:
        _default = THREEFRY


def registered_algorithms() -> tuple[RandomAlgorithm, ...]:
    """Every registered algorithm, in registration order."""
    return tuple(_REGISTRY.values())


register_algorithm(PHILOX)
register_algorithm(THREEFRY)
_BY_ID = {Algorithm.PHILOX: PHILOX, Algorithm.THREEFRY: THREEFRY}
# What "auto_select" (and alg=None) means: one process-wide setting, read when an op is called
# (or traced), as TF reads its device type. Threefry unless set_default_algorithm says otherwise.
_default: RandomAlgorithm = THREEFRY


def set_default_algorithm(alg: str | Algorithm | int | RandomAlgorithm) -> None:
    """Make ``alg`` (``"philox"`` or ``"threefry"``) what ``"auto_select"`` means from now on:
    for ``stateless_*`` ops called without ``alg``, new Generators, and the stateful ops
    (``seedkit.uniform``, ``seedkit.nn.dropout``, ... and inside ``seedkit.function``).

    With ``"philox"`` (TF's choice on the CPU) those give TensorFlow's own numbers where the
    documentation says so (docs/tf-numbers.md); with ``"threefry"`` (seedkit's default) the same semantics with seedkit's
    numbers. Code already compiled by ``jax.jit`` keeps the algorithm it was traced with.
    Existing Generators keep theirs.

    Args:
        alg: ``"philox"``, ``"threefry"``, a ``seedkit.Algorithm`` or its int (not ``"auto_select"``).

    Raises:
        TypeError: An ``alg`` that is not a string, an ``Algorithm`` or an int.
        ValueError: An unknown algorithm, or ``"auto_select"``.

    Example:
        >>> import seedkit
        >>> seedkit.set_default_algorithm("philox")
        >>> seedkit.set_seed(1234)
        >>> print(seedkit.uniform([2]))  # tf.random.set_seed(1234); tf.random.uniform([2])
        [0.5380393  0.36461866]
        >>> seedkit.set_default_algorithm("threefry")
    """
    global _default
    resolved = _resolve(alg, "alg")
    if resolved is None:
        raise ValueError(
            "`alg` must name a concrete algorithm, 'philox' or 'threefry'; 'auto_select' is what "
            "set_default_algorithm defines. Call set_default_algorithm('threefry') to restore "
            "seedkit's default."
        )
    _default = resolved


def get_default_algorithm() -> Algorithm | RandomAlgorithm:
    """The algorithm ``"auto_select"`` resolves to now (``Algorithm.THREEFRY`` unless
    :func:`set_default_algorithm` changed it).

    Returns:
        A ``seedkit.Algorithm`` member (or a registered algorithm of another name).

    Example:
        >>> import seedkit
        >>> seedkit.get_default_algorithm()
        <Algorithm.THREEFRY: 2>
    """
    return _default.public


def resolve_alg(alg: Any, name: str = "alg") -> RandomAlgorithm:
    """The registered algorithm for ``alg``: an algorithm object, an ``Algorithm``, a name (case,
    ``-`` and ``_`` insensitive, as TF) or TF's int id; ``auto_select`` and ``None`` resolve to
    the default (:func:`get_default_algorithm`)."""
    resolved = _resolve(alg, name)
    return _default if resolved is None else resolved


def _accepted() -> str:
    names = ", ".join(repr(n) for n in _REGISTRY)
    return f"{names}, 'auto_select' (or seedkit.Algorithm, or 1, 2, 3)"


def _resolve(alg: Any, name: str) -> RandomAlgorithm | None:
    """The algorithm ``alg`` names, or None for auto_select."""
    if alg is None:
        return None
    if isinstance(alg, RandomAlgorithm):
        if _REGISTRY.get(_normalize(alg.name)) is not alg:
            raise ValueError(f"`{name}`: algorithm {alg.name!r} is not registered (register_algorithm).")
        return alg
    if isinstance(alg, Algorithm):
        return None if alg == Algorithm.AUTO_SELECT else _BY_ID[alg]
    if isinstance(alg, str):
        key = _normalize(alg)
        if key == "auto_select":
            return None
        if key not in _REGISTRY:
            raise ValueError(f"`{name}` must be one of {_accepted()}; got {alg!r}.")
        return _REGISTRY[key]
    if isinstance(alg, int) and not isinstance(alg, bool):
        try:
            return _resolve(Algorithm(alg), name)
        except ValueError:
            raise ValueError(
                f"`{name}`: unsupported algorithm id {alg}; accepted are 1 (philox), 2 (threefry), "
                "3 (auto_select)."
            ) from None
    raise TypeError(
        f"`{name}` must be a seedkit.Algorithm, a string or an int; got {type(alg).__name__} {alg!r}."
    )


def bit_generator(alg: Any, name: str = "alg") -> BitGenerator:
    """The bits of ``alg`` (anything :func:`resolve_alg` accepts): the algorithm object itself."""
    return resolve_alg(alg, name)  # type: ignore[return-value]


__all__ = [
    "Algorithm",
    "BitGenerator",
    "RandomAlgorithm",
    "bit_generator",
    "get_default_algorithm",
    "register_algorithm",
    "registered_algorithms",
    "resolve_alg",
    "set_default_algorithm",
    "unregister_algorithm",
]
