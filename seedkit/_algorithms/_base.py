"""What an algorithm is: one object that owns everything algorithm-specific.

The model is JAX's ``PRNGImpl`` + ``register_prng`` (jax/_src/prng.py) and NumPy's
``Generator(bit_generator)``: the layers above (stateless ops, the global-seed shim, the
Generator, ``seedkit.function``) ask an algorithm object, and never branch on which algorithm it
is. An algorithm answers four groups of questions:

* **Bits** (the :class:`BitGenerator` part): the key of a seed, stream ``n`` of a key, raw
  ``uint32`` words in the algorithm's counter layout, and optionally a ``samplers`` family that
  replaces seedkit's own bits-to-values conversions (TF's, for philox).
* **Stateful ops** (``seedkit.uniform`` after ``set_seed``, ``seedkit.nn.dropout``): how an op's
  state (a ``uint32[6]``) is formed from its seed pair's words and its position, how far one
  call moves the position (:meth:`op_advance`), whether an unseeded op after ``set_seed`` keeps
  a counter of its own, and how a state is turned back into a key and counter for sampling.
* **Compiled code** (``seedkit.function``): whether elements of a ``jax.vmap`` can draw their own
  numbers, and how ops in staged bodies (loop bodies, ``cond`` branches) count their position.
* **Generators**: the state layout (counter words, then key words), the key and counter a draw
  uses, how far a draw moves the counter, what ``from_seed`` and ``split`` make, and which draw
  methods exist.

Words are little-endian ``uint32`` throughout (:mod:`seedkit._words`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seedkit._words import add_words, int_words


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


class RandomAlgorithm:
    """Base class of the registered algorithms (see the module docstring).

    Subclasses provide the bits (``key_from_words``, ``with_counter``, ``block``,
    ``random_bits``), set the class attributes below and implement the ``NotImplemented``
    methods; the rest is shared.
    """

    #: The name users pass as ``alg=`` (case, ``-`` and ``_`` insensitive).
    name: str = ""
    #: What ``Generator.algorithm`` and ``get_default_algorithm()`` report: TF's
    #: ``tf.random.Algorithm`` member for TF's algorithms, else the object itself.
    public: Any = None
    #: The ``jax.random`` PRNG implementation whose keys this algorithm's keys are, or None:
    #: ``seedkit.key`` makes typed keys of it, and typed keys of it are accepted as ``seed=`` by
    #: the stateless ops and by ``Generator.from_key`` (their data being a derived key).
    jax_prng_impl: str | None = None
    #: Optional: sampler name -> function, replacing seedkit's own conversions.
    samplers: Mapping[str, Callable[..., Any]] = {}

    # ------------------------------------------------------------------ stateful ops
    #: Prepended to an op's key in the global counter table, so algorithms never share entries.
    op_table_prefix: tuple = ()
    #: Whether an unseeded op after ``set_seed`` keeps a counter under its drawn op seed (TF's
    #: kernel cache, philox) or draws at a position of its own in the unseeded half of the
    #: counter space, storing nothing (threefry).
    unseeded_keeps_counter: bool = False
    #: Words of position an op state carries (2: a 64-bit count; 4: a 128-bit counter).
    position_words: int = 2

    def op_advance(self, dist: str, static: tuple, params: tuple) -> int:
        """How far one call of a stateful op moves its position."""
        raise NotImplementedError

    def op_state(self, words: Any, position: Any) -> Any:
        """The op state (``uint32[6]``) from its seed pair's four words and its position
        (``position_words`` words), as JAX arrays (inside compiled code)."""
        raise NotImplementedError

    def op_key(self, state: jax.Array) -> tuple[jax.Array, jax.Array | None]:
        """The ``(key, counter)`` an op state samples with (traced)."""
        raise NotImplementedError

    def host_op_state(self, words: tuple[int, int, int, int], position: int) -> np.ndarray:
        """:meth:`op_state` on the host, for Python-int words and position. The default runs
        :meth:`op_state`; the eager hot path wants plain integer arithmetic, so seedkit's
        algorithms override it (tests/test_algorithms.py checks both forms agree)."""
        pos = np.array(int_words(position, self.position_words), np.uint32)
        return np.asarray(self.op_state(np.array(words, np.uint32), pos), np.uint32)

    # ------------------------------------------------------------------ compiled code
    #: Whether ``jax.vmap`` elements inside ``seedkit.function`` may draw their own numbers.
    per_element_vmap: bool = True
    #: How ops in staged bodies (loop bodies, cond branches, inner jits) of a seedkit.function
    #: count: ``"per_op"`` (each op counts its own executions, TF's kernels) or ``"per_call"``
    #: (one count per function call plus a shared count of draws in bodies).
    staged_counter: str = "per_call"

    # ------------------------------------------------------------------ Generators
    #: (counter words, key words) of a Generator's state.
    state_layout: tuple[int, int] = (2, 2)
    #: The distributions a Generator of this algorithm can draw (None: all).
    generator_dists: frozenset | None = None

    def generator_key(self, state: jax.Array) -> tuple[jax.Array, jax.Array | None]:
        """The ``(key, counter)`` a Generator draw samples with (traced)."""
        raise NotImplementedError

    def draw_advance(self, dist: str, static: tuple, params: tuple) -> int:
        """How far one Generator draw moves the counter."""
        raise NotImplementedError

    def skip_advance(self, draws: int) -> int:
        """How far ``Generator.skip(draws)`` moves the counter."""
        raise NotImplementedError

    def seed_state(self, seed: Any) -> np.ndarray | jax.Array:
        """The initial state of ``Generator.from_seed(seed)``."""
        raise NotImplementedError

    def key_seed_state(self, key: jax.Array) -> np.ndarray | jax.Array:
        """The initial state of ``Generator.from_key(k)``, given the words of the typed key
        ``k`` (only for algorithms with a ``jax_prng_impl``). A key stands for the seed it was
        derived from: for ``key = key_from_words(seed_words(s))`` this is ``seed_state(s)``."""
        raise NotImplementedError

    def split(self, state: jax.Array, count: int) -> tuple[jax.Array, jax.Array]:
        """``count`` child states (``[count, n]``) and the parent's new state (traced)."""
        raise NotImplementedError

    #: Whether ``make_seeds`` returns the algorithm's own int64 keys over zeros (TF's, from
    #: :meth:`seed_keys`) rather than an ordinary full-range int64 draw of shape ``[2, count]``.
    int64_seed_keys: bool = False

    def seed_keys(self, state: jax.Array, count: int) -> tuple[jax.Array, jax.Array]:
        """``make_seeds``' keys as ``[count, 2]`` words (lo, hi) and the new state (traced);
        only for algorithms with ``int64_seed_keys``."""
        raise NotImplementedError

    #: Whether Python-list parameters of a Generator's binomial are float32 (TF computes in the
    #: parameters' dtype) rather than the default float type.
    float32_list_params: bool = False

    # ------------------------------------------------------------------ shared helpers
    def advance(self, state: jax.Array, amount: int) -> jax.Array:
        """``state`` with its counter moved on by ``amount`` (wrapping, with carries)."""
        n = self.state_layout[0]
        inc = [jnp.uint32(w) for w in int_words(amount, n)]
        return jnp.concatenate([jnp.stack(add_words([state[i] for i in range(n)], inc)), state[n:]])

    def __repr__(self) -> str:
        return f"<seedkit algorithm {self.name!r}>"

    def __reduce__(self) -> tuple:
        # Registered algorithms pickle by name (a Generator pickles its algorithm).
        return (registered, (self.name,))


# name -> algorithm; filled by seedkit._algorithms.register_algorithm.
REGISTRY: dict[str, RandomAlgorithm] = {}


def registered(name: str) -> RandomAlgorithm:
    """The registered algorithm called ``name`` (what a pickled algorithm unpickles to)."""
    return REGISTRY[name.lower().replace("-", "_")]
