"""Output positions from iotas: which element, word or block each output value comes from.

Both algorithms fill outputs in row-major order from a flat stream; every output element is
computed from its own position, built here from ``broadcasted_iota`` rather than gathered, so
that a sharded output computes only its own positions and needs no communication. Positions are
uint32 (see :func:`seedkit._words.check_units`).

Example:
    >>> row_major_index((2, 3)).tolist()
    [[0, 1, 2], [3, 4, 5]]
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax import lax

from seedkit._words import check_shape, check_units


def row_major_index(shape: tuple[int, ...]) -> jax.Array:
    """The row-major position of every element of ``shape`` as uint32, built from iotas (so a
    shard of a partitioned output computes only its own positions)."""
    check_shape(shape)
    if not shape:
        return jnp.zeros((), jnp.uint32)
    index = jnp.zeros(shape, jnp.uint32)
    stride = 1
    for axis in range(len(shape) - 1, -1, -1):
        index = index + lax.broadcasted_iota(jnp.uint32, shape, axis) * jnp.uint32(stride)
        stride *= shape[axis]
    return index


def layout(shape: tuple[int, ...], per_unit: int, items_per_elem: int = 1):
    """Map the flat row-major stream of ``items`` (``per_unit`` per unit, unit ``i`` made from
    its index ``i`` alone) onto ``shape + (items_per_elem,)``.

    Returns ``(unit_index, finish)``: ``unit_index`` (uint32) has the grid's shape and
    ``finish(items)`` turns an array of shape ``grid + (per_unit,)`` into the output. The grid
    keeps the output's leading axes, so a sharded output computes only its own units; a row
    whose length is not a multiple of ``per_unit`` starts inside a unit, and then each row
    computes the units it touches and picks its window (at most one unit of extra work per
    row).
    """
    n = math.prod(shape)
    out_shape = tuple(shape) + ((items_per_elem,) if items_per_elem > 1 else ())
    total_units = -(-n * items_per_elem // per_unit)
    check_units(total_units, shape, "blocks")
    if len(shape) <= 1:
        grid = (total_units,)
        index = lax.broadcasted_iota(jnp.uint32, grid, 0)

        def finish_flat(items):
            return items.reshape(-1)[: n * items_per_elem].reshape(out_shape)

        return index, finish_flat

    lead, row_items = tuple(shape[:-1]), shape[-1] * items_per_elem
    q, m = divmod(row_items, per_unit)
    units_per_row = q if m == 0 else -(-(row_items + per_unit - 1) // per_unit)
    grid = (*lead, units_per_row)  # type: ignore[assignment]
    row = jnp.zeros(grid, jnp.uint32)
    stride = 1
    for axis in range(len(lead) - 1, -1, -1):
        row = row + lax.broadcasted_iota(jnp.uint32, grid, axis) * jnp.uint32(stride)
        stride *= lead[axis]
    col = lax.broadcasted_iota(jnp.uint32, grid, len(lead))
    if m == 0:

        def finish_aligned(items):
            return items.reshape((*lead, row_items)).reshape(out_shape)

        return row * jnp.uint32(q) + col, finish_aligned

    # Row r starts at item r * row_items = r * q units + r * m items; split r * m into whole
    # units and an offset without overflowing 32 bits.
    p = jnp.uint32(per_unit)
    r_div, r_mod = row // p, row % p
    start = row * jnp.uint32(q) + r_div * jnp.uint32(m) + (r_mod * jnp.uint32(m)) // p
    offset = ((r_mod * jnp.uint32(m)) % p)[..., :1]

    def finish_shifted(items):
        flat = items.reshape((*lead, units_per_row * per_unit))
        out = flat[..., :row_items]
        for k in range(1, per_unit):
            out = jnp.where(offset == k, flat[..., k : k + row_items], out)
        return out.reshape(out_shape)

    return start + col, finish_shifted
