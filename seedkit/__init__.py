"""seedkit: reproducible randomness in JAX that behaves the way TensorFlow users expect.

Example:
    >>> import seedkit
    >>> seedkit.stateless_uniform([2], seed=(1, 2)).shape
    (2,)
"""

from seedkit._algorithms import Algorithm
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
    "Algorithm",
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
