"""The Generator's compiled kernels and the state hook through which ``seedkit.function``
threads Generators (see :mod:`seedkit.generator`)."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

import jax
import jax.numpy as jnp
import numpy as np

from seedkit import stateless
from seedkit._words import add_words, int_words

if TYPE_CHECKING:
    from seedkit.generator import Generator


class _StateHook(Protocol):
    """The seam for ``seedkit.function`` (issue 5): lifts closed-over Generators' state.

    While a hook is installed (:func:`_state_hook`) in a thread, a Generator used in a trace it
    does not belong to asks the innermost hook instead of raising. ``read`` returns the state to
    use (typically a traced input standing for the Generator's state) or ``None`` to decline;
    ``write`` stores the new (traced) state and returns ``True``, or ``False`` to decline. The
    hook keeps those traced states in its own table, never in the Generator, and writes the
    concrete result back after the compiled call with ``gen._write_state(new)`` (eagerly, under
    ``gen._lock``).
    """

    def read(self, gen: Generator) -> jax.Array | None: ...

    def write(self, gen: Generator, state: jax.Array) -> bool: ...

    def created(self, gen: Generator) -> None:
        """``gen`` was made while the hook is installed (its state is traced): the hook may keep
        it alive across calls (TF: a Generator made on the first trace is a variable)."""

    def entropy(self, n_words: int) -> jax.Array:
        """``n_words`` uint32 words of fresh entropy for this call (a runtime input)."""

    def lineage(self, gen: Generator) -> int | None:
        """A token for ``gen`` that its pytree copies carry (see :meth:`Generator.tree_flatten`),
        so the hook can map copies returned from the traced function back to ``gen``."""


_hooks = threading.local()


@contextlib.contextmanager
def _state_hook(hook: _StateHook) -> Iterator[None]:
    """Install ``hook`` for this thread for the duration of the block (nests)."""
    stack = _hooks.__dict__.setdefault("stack", [])
    stack.append(hook)
    try:
        yield
    finally:
        stack.pop()


def _current_hook() -> _StateHook | None:
    stack = getattr(_hooks, "stack", None)
    return stack[-1] if stack else None


# ------------------------------------------------------------------ compiled state arithmetic
_TRACES = 0  # times a draw kernel was traced: the no-retracing tests read it


def _add_counter(state: jax.Array, inc: jax.Array, n: int) -> jax.Array:
    """Add the little-endian multi-word ``inc`` (uint32[n]) to the first ``n`` words of
    ``state`` with carries; the counter wraps modulo ``2**(32 n)`` as TF's does."""
    words = add_words([state[i] for i in range(n)], [inc[i] for i in range(n)])
    return jnp.concatenate([jnp.stack(words), state[n:]])


@functools.partial(jax.jit, static_argnames=("n",))
def _skip(state: jax.Array, inc: jax.Array, n: int) -> jax.Array:
    return _add_counter(state, inc, n)


def _increment(alg: Any, draws: int) -> np.ndarray:
    """The counter increment (uint32 words) of ``draws`` skipped draws (the algorithm's rule:
    threefry adds ``draws``, philox TF's ``256 * draws``)."""
    return np.array(int_words(alg.skip_advance(draws), alg.state_layout[0]), np.uint32)


@functools.partial(jax.jit, static_argnames=("alg", "dist", "static"))
def _draw_kernel(alg: Any, dist: str, static: tuple, state: jax.Array, params: tuple):
    """One draw and the advanced state in one compiled call (the eager hot path): the sample at
    the algorithm's key and counter for ``state``, then the counter moves on by what the
    algorithm says one draw takes (threefry: one; philox: what TF's kernel reserves)."""
    global _TRACES
    _TRACES += 1
    key, counter = alg.generator_key(state)
    sample = stateless._sample_from_key(dist, alg, static, key, counter, params)
    return sample, alg.advance(state, alg.draw_advance(dist, static, params))


@functools.partial(jax.jit, static_argnames=("alg", "count"))
def _seed_keys(alg: Any, state: jax.Array, count: int):
    """The algorithm's own ``make_seeds`` keys (TF's int64 keys under philox) and new state."""
    global _TRACES
    _TRACES += 1
    return alg.seed_keys(state, count)


@functools.partial(jax.jit, static_argnames=("alg", "count"))
def _split(alg: Any, state: jax.Array, count: int):
    """``count`` child states and the parent's new state (the algorithm's ``split``)."""
    global _TRACES
    _TRACES += 1
    children, new = alg.split(state, count)
    return tuple(children[i] for i in range(count)), new
