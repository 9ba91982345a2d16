"""seedkit: reproducible randomness in JAX that behaves the way TensorFlow users expect.

Example:
    >>> import seedkit
    >>> seedkit.stateless_uniform([2], seed=(1, 2)).shape
    (2,)
"""

from seedkit import nn
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

__version__ = "0.1.0"

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
    "uniform",
]
