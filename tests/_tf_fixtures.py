"""Helpers shared by the tests that compare against TensorFlow reference files (tests/data)."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from seedkit._algorithms._philox import PHILOX
from seedkit._seeds import seed_words

_key_from_words = jax.jit(PHILOX.key_from_words)


def hex_bits(x) -> list:
    """The fixture encoding of an array, flattened: floats as the hex of their bit patterns
    (as the scripts write TF's outputs), integers as ints."""
    a = np.asarray(x)
    if a.dtype.kind == "f" or a.dtype == jnp.bfloat16:
        width = {2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
        return [hex(int(v)) for v in a.view(width).reshape(-1)]
    return [int(v) for v in a.reshape(-1)]


@functools.cache
def _cached_key(seed: tuple) -> np.ndarray:
    return np.asarray(_key_from_words(seed_words(seed)))


def philox_key(seed) -> np.ndarray:
    """The philox algorithm key of a stateless seed (TF's scrambled key and counter)."""
    return _cached_key(tuple(seed))
