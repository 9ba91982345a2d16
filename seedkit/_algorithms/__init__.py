"""Bit generators: turn a key into raw ``uint32`` bits.

Each algorithm is a :class:`BitGenerator`: it derives its key from a seed's four words and fills
shapes with bits. The distribution layer only talks to this interface, so a second algorithm (a
TensorFlow-compatible Philox) can be added without touching the layers above.
"""

from __future__ import annotations

import enum
from typing import Any, Protocol

import jax


class Algorithm(enum.IntEnum):
    """The random-number algorithms, with TensorFlow's values (``tf.random.Algorithm``).

    Example:
        >>> import seedkit
        >>> seedkit.Algorithm.THREEFRY.value
        2
    """

    PHILOX = 1  # TF's RNG_ALG_PHILOX (tensorflow/core/framework/rng_alg.h)
    THREEFRY = 2  # RNG_ALG_THREEFRY
    AUTO_SELECT = 3  # RNG_ALG_AUTO_SELECT


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


_NAMES = {"philox": Algorithm.PHILOX, "threefry": Algorithm.THREEFRY, "auto_select": Algorithm.AUTO_SELECT}
# What "auto_select" (and alg=None) means: one process-wide setting, read when an op is called
# (or traced), as TF reads its device type. Threefry unless set_default_algorithm says otherwise.
_default = Algorithm.THREEFRY


def set_default_algorithm(alg: Any) -> None:
    """Make ``alg`` (``"philox"`` or ``"threefry"``) what ``"auto_select"`` means from now on:
    for ``stateless_*`` ops called without ``alg``, new Generators, and the stateful ops
    (``seedkit.uniform``, ``seedkit.nn.dropout``, ... and inside ``seedkit.function``).

    With ``"philox"`` (TF's choice on the CPU) those give TensorFlow's own numbers where the
    README says so; with ``"threefry"`` (seedkit's default) the same semantics with seedkit's
    numbers. Code already compiled by ``jax.jit`` keeps the algorithm it was traced with.
    Existing Generators keep theirs.

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
    if resolved == Algorithm.AUTO_SELECT:
        raise ValueError(
            "`alg` must name a concrete algorithm, 'philox' or 'threefry'; 'auto_select' is what "
            "set_default_algorithm defines. Call set_default_algorithm('threefry') to restore "
            "seedkit's default."
        )
    _default = resolved


def get_default_algorithm() -> Algorithm:
    """The algorithm ``"auto_select"`` resolves to now (``Algorithm.THREEFRY`` unless
    :func:`set_default_algorithm` changed it).

    Example:
        >>> import seedkit
        >>> seedkit.get_default_algorithm()
        <Algorithm.THREEFRY: 2>
    """
    return _default


def resolve_alg(alg: Any, name: str = "alg") -> Algorithm:
    """Map an ``Algorithm``, its name (case, ``-`` and ``_`` insensitive, as TF) or its int value
    to a concrete algorithm; ``auto_select`` and ``None`` resolve to the default
    (:func:`get_default_algorithm`)."""
    resolved = _resolve(alg, name)
    return _default if resolved == Algorithm.AUTO_SELECT else resolved


def _resolve(alg: Any, name: str) -> Algorithm:
    if alg is None:
        resolved = Algorithm.AUTO_SELECT
    elif isinstance(alg, Algorithm):
        resolved = alg
    elif isinstance(alg, str):
        key = alg.lower().replace("-", "_")
        if key not in _NAMES:
            raise ValueError(
                f"`{name}` must be one of 'philox', 'threefry', 'auto_select' (or seedkit.Algorithm, "
                f"or 1, 2, 3); got {alg!r}."
            )
        resolved = _NAMES[key]
    elif isinstance(alg, int) and not isinstance(alg, bool):
        try:
            resolved = Algorithm(alg)
        except ValueError:
            raise ValueError(
                f"`{name}`: unsupported algorithm id {alg}; accepted are 1 (philox), 2 (threefry), "
                "3 (auto_select)."
            ) from None
    else:
        raise TypeError(
            f"`{name}` must be a seedkit.Algorithm, a string or an int; got {type(alg).__name__} {alg!r}."
        )
    return resolved


def bit_generator(alg: Any, name: str = "alg") -> BitGenerator:
    """The :class:`BitGenerator` for ``alg`` (anything :func:`resolve_alg` accepts)."""
    resolved = resolve_alg(alg, name)
    if resolved == Algorithm.THREEFRY:
        from seedkit._algorithms import _threefry

        return _threefry.THREEFRY
    from seedkit._algorithms import _philox

    return _philox.PHILOX
