"""TF's kernel accounting: how many Philox blocks a kernel reserves, and for which work item.

TF's random kernels give every output element (every work item) its own range of Philox blocks
and move a stateful kernel's counter past everything one call reserved. This module is the one
place that knows those amounts; the samplers and the stateful layers (per-op counters,
``Generator`` draws and skips, ``seedkit.function``) all read them here.

Example:
    >>> import numpy as np
    >>> stateful_blocks("uniform_float", ((2, 3), np.dtype("float32")), ())
    1536
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp
import numpy as np

# Blocks a stateful TF kernel reserves per output element, and per group of outputs in the
# variable-samples fill (kReservedSamplesPerOutput in random_op_cpu.h; the same 256 in
# stateless_random_gamma_op.cc, random_poisson_op.cc and random_binomial_op.cc). Generator.skip
# moves by it too.
RESERVED_BLOCKS_PER_ELEMENT = 256


def stateful_blocks(dist: str, static: tuple, params: tuple) -> int:
    """The Philox blocks one call of TF's stateful kernel for ``dist`` reserves, i.e. how far
    its counter moves (../shared/reference/tf_random_internals.md 1.5): ``RandomShuffle`` takes
    ``ceil((n - 1) / 4)`` for ``n`` rows; CPU ``Multinomial`` ``256 * 2 * batch`` times the
    samples rounded up to a multiple of 4; the element-wise kernels (uniform, normal, truncated
    normal, uniform int; gamma and Poisson too) ``256`` per output element; binomial
    :func:`binomial_stateful_blocks`.
    """
    if dist == "shuffle":
        n = np.shape(params[0])[0]
        return max(0, -(-(n - 1) // 4))
    if dist == "categorical":
        batch, samples = np.shape(params[0])[0], static[0]
        return RESERVED_BLOCKS_PER_ELEMENT * 2 * batch * (-(-samples // 4) * 4)
    if dist == "binomial":  # only Generator.binomial: TF has no seed-based stateful binomial op
        return binomial_stateful_blocks(static[0], *params)
    return RESERVED_BLOCKS_PER_ELEMENT * math.prod(static[0])


def binomial_stateful_blocks(shape: tuple[int, ...], counts: Any, probs: Any) -> int:
    """How far TF's ``Generator.binomial`` moves the Philox counter (in blocks) for one draw:
    ``256 * (num_batches * 2 * 100 * (samples_per_batch + 3) / 4)`` in integer arithmetic
    (``StatefulRandomBinomial`` in random_binomial_op.cc, checked against TF 2.21).

    Example:
        >>> binomial_stateful_blocks((3, 4), [1.0, 2.0, 3.0, 4.0], 0.5)  # 256 * (4 * 200 * 6 // 4)
        307200
    """
    batch, _ = split_batch_shape(tuple(shape), counts, probs)
    num_batches = math.prod(batch)
    samples = math.prod(shape) // num_batches if num_batches else 0
    return RESERVED_BLOCKS_PER_ELEMENT * (num_batches * 2 * 100 * (samples + 3) // 4)


def _ndim(value: Any) -> int:
    # A list may hold tracers (a pytree argument of jit), which NumPy cannot convert.
    return jnp.asarray(value).ndim if isinstance(value, (list, tuple)) else len(np.shape(value))


def split_batch_shape(
    shape: tuple[int, ...], counts: Any, probs: Any
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(batch_shape, sample_shape)`` of TF's binomial kernels: the batch axes are the trailing
    ``ndim`` axes of ``shape``, ``ndim`` the larger rank of the parameters (TF: their broadcast
    shape)."""
    rank = min(max(_ndim(counts), _ndim(probs)), len(shape))
    cut = len(shape) - rank
    return shape[cut:], shape[:cut]
