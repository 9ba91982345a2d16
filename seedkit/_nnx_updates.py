"""Refuse, rather than lose, the in-place updates of Flax NNX Variables in ``seedkit.function``.

``jax.jit`` (and so ``seedkit.function``) hands a Module or Optimizer argument to the function as
a pytree copy made inside the trace: an update there (``optimizer.update``, ``var[...] = ...``)
changes the copy, and is lost unless the function returns it. ``seedkit.nnx.jit`` writes such
updates back; this module makes plain ``seedkit.function`` raise instead of dropping them. It
never imports Flax: it looks only when ``flax.nnx`` is already loaded, and only while tracing.
"""

from __future__ import annotations

import sys
from typing import Any

import jax

_LOST = (
    "{fun} changed {n} Flax NNX Variable(s) of its arguments (e.g. {example}) without returning "
    "them: seedkit.function, like jax.jit, passes Modules and Optimizers as copies, so the "
    "change would be lost. Compile with seedkit.nnx.jit (import seedkit.nnx), which writes the "
    "new values back into the caller's objects as nnx.jit does:\n"
    "    wrong: @seedkit.function\n"
    "    right: @seedkit.nnx.jit"
)


def watch(tree: Any) -> list[tuple[Any, Any]]:
    """The NNX Variables in ``tree`` with their current raw values (empty without Flax)."""
    nnx = sys.modules.get("flax.nnx")
    if nnx is None:
        return []
    is_var = lambda x: isinstance(x, nnx.Variable)  # noqa: E731
    leaves = jax.tree_util.tree_leaves(tree, is_leaf=is_var)
    return [(v, v.get_raw_value()) for v in leaves if is_var(v)]


def check(watched: list[tuple[Any, Any]], out: Any, fun: str) -> None:
    """Raise ``TypeError`` if a watched Variable now holds another value and is not returned."""
    changed = [v for v, before in watched if v.get_raw_value() is not before]
    if not changed:
        return
    nnx = sys.modules["flax.nnx"]
    is_var = lambda x: isinstance(x, nnx.Variable)  # noqa: E731
    returned = {id(x) for x in jax.tree_util.tree_leaves(out, is_leaf=is_var) if is_var(x)}
    lost = [v for v in changed if id(v) not in returned]
    if lost:
        raise TypeError(_LOST.format(fun=fun, n=len(lost), example=type(lost[0]).__name__))
