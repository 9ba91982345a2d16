"""TensorFlow's sampler family: TF's own conversions from Philox words to values.

With ``alg="philox"`` seedkit gives TensorFlow's own numbers (TF 2.21, CPU, eager). The Philox
hash, its key and its counter layout are the bits (:mod:`seedkit._algorithms._philox`); this
package is everything TF does with those words, kept apart from them the way NumPy keeps its
legacy samplers in ``random/src/legacy/``. Every sampler takes the bit generator as its first
argument and reads words only through it (``gen.random_bits``, ``gen.blocks``,
``gen.seed_words``), so the package imports nothing from the algorithm layer and nothing above
it; the philox bit generator plugs the family in through its ``samplers`` (:data:`SAMPLERS`).

TF-exact samplers (bit-identical to TF 2.21 eager on an x86-64 CPU; the normals assume the
glibc ``logf``/``sincosf`` of glibc 2.28 and later, checked with glibc 2.36): ``uniform_float``
(float16, bfloat16, float32, float64), ``uniform_int`` and ``full_int`` (int32, uint32, int64,
uint64), ``normal`` and ``truncated_normal`` (all float types; float32 reproduces glibc's
``logf``), ``shuffle`` and ``index_shuffle``; ``stateless_split`` and ``stateless_fold_in``
follow from ``full_int``. 64-bit outputs need ``jax_enable_x64``. TF computes gamma, Poisson,
binomial and categorical in double: TF's values with ``jax_enable_x64``, a float32 approximation
without. The parameterized truncated normal runs seedkit's shared algorithm on Philox bits:
reproducible, but not TF's numbers.

Modules, one job each, lowest first:

* :mod:`._rounding`: TF's roundings under XLA (half-precision steps, products kept unfused).
* :mod:`._logf`, :mod:`._log1p`: glibc's ``logf`` and ``log1p``, reproduced.
* :mod:`._convert`: words to uniform floats and integers.
* :mod:`._box_muller`: TF's Box–Muller, the one copy the normals and gamma use.
* :mod:`._accounting`: how many blocks TF's kernels reserve (the 256 per element).
* :mod:`._retry`: the compact retry rounds of the rejection samplers.
* :mod:`._normal`, :mod:`._shuffle`, :mod:`._gamma`, :mod:`._poisson`, :mod:`._binomial`,
  :mod:`._categorical`: the samplers.

Example:
    >>> sorted(SAMPLERS)[:3]
    ['binomial', 'categorical', 'full_int']
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from seedkit._tf._accounting import RESERVED_BLOCKS_PER_ELEMENT, stateful_blocks
from seedkit._tf._binomial import binomial
from seedkit._tf._categorical import categorical
from seedkit._tf._convert import full_int, uniform_float, uniform_int
from seedkit._tf._gamma import gamma
from seedkit._tf._normal import normal, truncated_normal
from seedkit._tf._poisson import poisson
from seedkit._tf._shuffle import index_shuffle, shuffle

# Sampler name -> function(gen, key, *static, *params), the names seedkit.stateless draws by.
SAMPLERS: MappingProxyType[str, Callable[..., Any]] = MappingProxyType(
    {
        "uniform_float": uniform_float,
        "uniform_int": uniform_int,
        "full_int": full_int,
        "normal": normal,
        "truncated_normal": truncated_normal,
        "shuffle": shuffle,
        "index_shuffle": index_shuffle,
        "gamma": gamma,
        "poisson": poisson,
        "binomial": binomial,
        "categorical": categorical,
    }
)

__all__ = ["RESERVED_BLOCKS_PER_ELEMENT", "SAMPLERS", "stateful_blocks"]
