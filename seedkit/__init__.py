"""seedkit: reproducible randomness in JAX that behaves the way TensorFlow users expect.

Installed as ``seedkit-jax``, imported as ``seedkit``. The API, by task (``tf.random`` names in
brackets):

Seeds and the global state (TF's four rules)
    ``set_seed`` (``tf.random.set_seed``), ``get_seed``, ``get_state`` / ``set_state`` /
    ``RandomState``, ``fork_rng``, ``enable_op_determinism`` / ``disable_op_determinism`` /
    ``is_op_determinism_enabled``, ``share_entropy`` (many processes), ``DEFAULT_GRAPH_SEED``.
Stateful ops (advance a counter per call)
    ``uniform``, ``normal``, ``truncated_normal``, ``gamma``, ``poisson``, ``categorical``,
    ``shuffle``; the ``nn`` module: ``nn.dropout`` (``tf.nn.dropout``).
Stateless ops (pure functions of a shape-[2] seed)
    ``stateless_uniform``, ``stateless_normal``, ``stateless_truncated_normal``,
    ``stateless_parameterized_truncated_normal``, ``stateless_gamma``, ``stateless_poisson``,
    ``stateless_binomial``, ``stateless_categorical``, ``stateless_shuffle``, ``index_shuffle``,
    ``stateless_split`` / ``stateless_fold_in`` (``tf.random.split`` / ``fold_in``),
    ``nn.stateless_dropout``; ``key`` (a typed JAX key for a seed).
Generators (``tf.random.Generator``)
    ``Generator``, ``get_global_generator`` / ``set_global_generator``, ``GeneratorTraceError``.
Compiled code (``tf.function``)
    ``function``, ``TracingError``.
Algorithms
    ``Algorithm``, ``set_default_algorithm`` / ``get_default_algorithm`` (``"philox"``: TF's
    own numbers).
Seeds for the code around seedkit
    ``set_random_seed`` (also Python's and NumPy's), ``int_seed``, ``fold_in_process``,
    ``fold_in_axis``.
Types (the ``typing`` module, as ``jax.typing``)
    ``SeedLike``, ``IntSeedLike``, ``IntLike``, ``ShapeLike``, ``DTypeLike``, ``AlgLike``,
    ``ArrayLike``.
Frameworks (optional extras, imported on their own)
    ``seedkit.keras`` (Keras 3 layers), ``seedkit.nnx`` (Flax NNX).

Example:
    >>> import seedkit
    >>> seedkit.set_seed(1234)
    >>> a = seedkit.uniform([2])
    >>> seedkit.set_seed(1234)
    >>> bool((seedkit.uniform([2]) == a).all())
    True
    >>> seedkit.stateless_uniform([2], seed=(1, 2)).shape
    (2,)
"""

from seedkit import nn, typing
from seedkit._algorithms import Algorithm, get_default_algorithm, set_default_algorithm
from seedkit.function import function
from seedkit.generator import Generator, GeneratorTraceError, get_global_generator, set_global_generator
from seedkit.random import (
    DEFAULT_GRAPH_SEED,
    RandomState,
    TracingError,
    categorical,
    disable_op_determinism,
    enable_op_determinism,
    fork_rng,
    gamma,
    get_seed,
    get_state,
    is_op_determinism_enabled,
    normal,
    poisson,
    set_seed,
    set_state,
    share_entropy,
    shuffle,
    truncated_normal,
    uniform,
)
from seedkit.seeding import fold_in_axis, fold_in_process, int_seed, set_random_seed
from seedkit.stateless import (
    index_shuffle,
    key,
    stateless_binomial,
    stateless_categorical,
    stateless_fold_in,
    stateless_gamma,
    stateless_normal,
    stateless_parameterized_truncated_normal,
    stateless_poisson,
    stateless_shuffle,
    stateless_split,
    stateless_truncated_normal,
    stateless_uniform,
)

__version__ = "0.2.0.dev0"  # 0.2: numbers changed since 0.1.0 (CHANGELOG.md)

__all__ = [
    "DEFAULT_GRAPH_SEED",
    "Algorithm",
    "Generator",
    "GeneratorTraceError",
    "RandomState",
    "TracingError",
    "categorical",
    "disable_op_determinism",
    "enable_op_determinism",
    "fold_in_axis",
    "fold_in_process",
    "fork_rng",
    "function",
    "gamma",
    "get_default_algorithm",
    "get_global_generator",
    "get_seed",
    "get_state",
    "index_shuffle",
    "int_seed",
    "is_op_determinism_enabled",
    "key",
    "nn",
    "normal",
    "poisson",
    "set_default_algorithm",
    "set_global_generator",
    "set_random_seed",
    "set_seed",
    "set_state",
    "share_entropy",
    "shuffle",
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
    "truncated_normal",
    "typing",
    "uniform",
]
