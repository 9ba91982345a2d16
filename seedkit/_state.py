"""Global random state: the global seed, op seeds, per-op counters and the determinism switch.

Everything the stateful ops (:mod:`seedkit.random`, :mod:`seedkit.nn`) and, later,
``seedkit.function`` share lives here, behind one lock:

* the **global seed** (``set_seed``), kept as given (TF keeps it unreduced too);
* the **op-seed stream**: a Python ``random.Random(global_seed)`` from which an unseeded eager op
  takes ``randint(0, 2**31 - 1)`` (TF's ``context.internal_operation_seed``), plus the number of
  op seeds drawn from it since the last ``set_seed``;
* the **per-op counters**, keyed by ``(op, dtype, (global, op) seed pair)`` as TF's eager kernel
  cache is (op type and attributes, not the shape). A counter is the 64-bit position of the
  op's next draw; what one step means belongs to the algorithm (under threefry, one call);
* the **determinism switch** (``enable_op_determinism``);
* a registry of **state holders** (counters held by compiled functions) that ``set_seed`` resets
  and ``get_state``/``set_state`` cover;
* a thread-local stack of **trace handlers**, through which ``seedkit.function`` takes over the
  stateful ops while it traces.

No function here generates numbers: :func:`next_op_state` returns the op state (seed words and
position, as the algorithm forms them) that the caller samples from.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import sys
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any, Protocol

import jax.numpy as jnp
import numpy as np

from seedkit import _entropy, _jax, _state_json
from seedkit._counters import CounterTable

# tensorflow/python/framework/random_seed.py: seeds are reduced modulo _MAXINT32, and an op seed
# without a global seed is paired with DEFAULT_GRAPH_SEED.
MAXINT32 = 2**31 - 1
DEFAULT_GRAPH_SEED = 87654321

# Unseeded draws after set_seed count in their own half of the 64-bit counter space (bit 63
# set), so they can never meet the counters of seeded calls, which start at 0 (see next_op_state).
_UNSEEDED_BIT = 1 << 63

_DETERMINISM_MESSAGE = (
    "Random ops require a seed when op determinism is enabled: with no global seed and no op "
    "seed they would draw fresh OS entropy. Call seedkit.set_seed(...) first, pass seed=... to "
    "the op, or call seedkit.disable_op_determinism()."
)


class TracingError(RuntimeError):
    """A stateful random op was called while JAX was tracing, outside ``seedkit.function``."""


def tracing_error(api: str) -> TracingError:
    return TracingError(
        f"{api} was called while JAX is tracing (inside jax.jit, jax.vmap, jax.checkpoint, a lax "
        "loop or cond body, ...). A stateful random op cannot advance its counter across calls "
        "of a traced function: it would give the same numbers on every call. Ways out: "
        "(1) compile with seedkit.function instead of jax.jit, which threads the random state "
        "through the compiled call; (2) pass a seedkit.Generator into the function and return "
        "it; (3) use a stateless op with an explicit seed, e.g. seedkit.stateless_uniform(shape, "
        "seed=...). In a Keras layer (model.fit/evaluate/predict), draw inside `with "
        "self.seed_state:` with a seedkit.keras.SeedState made in the layer's __init__." + nnx_hint()
    )


# Shown only once Flax NNX is loaded (this module never imports it): nnx.jit threads the
# Modules' Variables but not seedkit's state; seedkit.nnx.jit threads both.
_NNX_HINT = (
    "\nIn Flax NNX, compile the step with seedkit.nnx.jit (import seedkit.nnx), which threads "
    "seedkit's state and updates Modules and Optimizers in place as nnx.jit does:\n"
    "    wrong: @nnx.jit\n"
    "    right: @seedkit.nnx.jit"
)


def nnx_hint() -> str:
    """:data:`_NNX_HINT` where Flax NNX is loaded, else nothing."""
    return _NNX_HINT if "flax.nnx" in sys.modules else ""


# Tracing detection lives in seedkit._jax (the one module that looks at JAX's traces).
is_tracing = _jax.is_tracing


# ---------------------------------------------------------------------------------------------
# The state. Module globals guarded by _lock (re-entrant: holder callbacks may read the state).
_lock = threading.RLock()
_global_seed: int | None = None
_rng = random.Random()  # only consulted while a global seed is set
_draws = 0  # op seeds drawn from _rng since the last set_seed
_counters = CounterTable()  # compact: see seedkit._counters
_determinism = False
_generation = 0  # bumped by set_seed / set_state: lets holders notice a reset lazily
_holders: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_pending: dict[Hashable, Any] = {}  # snapshots of holders not (yet) registered at set_state


def combine_seeds(global_seed: int | None, op_seed: int) -> tuple[int, int]:
    """TF's pair for an op seed (given, or already drawn): both reduced modulo ``2**31 - 1``,
    ``DEFAULT_GRAPH_SEED`` when there is no global seed, and ``(0, 0)`` turned into
    ``(0, 2**31 - 1)`` (TF's kernels read ``(0, 0)`` as "no seed"). Consumes nothing."""
    g = DEFAULT_GRAPH_SEED if global_seed is None else global_seed % MAXINT32
    return _nonzero_pair(g, op_seed % MAXINT32)


def combine_traced(global_word: Any, has_global: Any, op_seed: int) -> tuple[Any, Any]:
    """:func:`combine_seeds` inside compiled code, where the global seed is a runtime input:
    ``global_word`` is the reduced global seed (uint32, valid where ``has_global``)."""
    g = jnp.where(has_global, global_word, jnp.uint32(DEFAULT_GRAPH_SEED))
    return _nonzero_pair(g, op_seed % MAXINT32)


def _nonzero_pair(g: Any, o: int) -> tuple[Any, Any]:
    # TF's kernels read (0, 0) as "no seed"; get_seed turns it into (0, 2**31 - 1).
    if isinstance(g, int):
        return (0, MAXINT32) if g == 0 and o == 0 else (g, o)
    return g, jnp.where((g == 0) & (o == 0), jnp.uint32(MAXINT32), jnp.uint32(o))


def _draw_op_seed() -> int:
    """The next op seed of the stream (caller holds the lock and a global seed is set)."""
    global _draws
    o = _rng.randint(0, MAXINT32)  # TF's context.internal_operation_seed
    _draws += 1
    return o


def get_seed(op_seed: int | None) -> tuple[int | None, int | None]:
    """TF's ``get_seed`` on validated ints (eager rules): see :func:`seedkit.random.get_seed`."""
    with _lock:
        if _global_seed is not None:
            return combine_seeds(_global_seed, _draw_op_seed() if op_seed is None else op_seed)
        if op_seed is not None:
            return combine_seeds(None, op_seed)
        if _determinism:
            raise RuntimeError(_DETERMINISM_MESSAGE)
        return None, None


def next_op_state(alg: Any, op: str, dtype_key: str, op_seed: int | None, advance: int) -> np.ndarray:
    """The state (``uint32[6]``) of one call of a stateful op under the algorithm ``alg``, whose
    counter model (:class:`seedkit._algorithms.RandomAlgorithm`) forms it from the op's seed
    pair and position; the position then moves on by ``advance``.

    * op seed given: ``(g, o) = combine_seeds(global, op_seed)``; the position is the counter of
      ``(*alg.op_table_prefix, op, dtype_key, g, o)`` (TF's eager kernel cache keys kernels by
      op, dtype and seed pair), so the n-th call since ``set_seed`` draws at ``n * advance``.
    * no op seed, global seed set: ``o`` is the next op seed of the stream. If the algorithm
      keeps counters for unseeded ops (TF's kernels, philox) the drawn pair names a counter as
      above; otherwise the position is ``2**63 + k`` for the k-th unseeded draw since
      ``set_seed`` and nothing is stored, so two unseeded calls never share a (seed, position)
      pair even when 31-bit op seeds collide (which, by the birthday bound, happens within
      ~50,000 draws).
    * neither: fresh OS entropy as the seed words, position 0 (``RuntimeError`` under op
      determinism).
    """
    with _lock:
        g = _global_seed
        if op_seed is None:
            if g is None:
                return alg.host_op_state(tuple(int(w) for w in entropy_words()), 0)
            if not alg.unseeded_keeps_counter:
                n = _UNSEEDED_BIT | _draws
                g, o = combine_seeds(g, _draw_op_seed())
                return alg.host_op_state(_pair_words(g, o), n)
            op_seed = _draw_op_seed()
        g, o = combine_seeds(g, op_seed)
        n = _counters.advance((*alg.op_table_prefix, op, dtype_key, g), o, advance)
    return alg.host_op_state(_pair_words(g, o), n)


def _pair_words(g: int, o: int) -> tuple[int, int, int, int]:
    # g and o lie in [0, 2**31 - 1]: their high words are 0.
    return (g, 0, o, 0)


def entropy_words() -> np.ndarray:
    """Four words of fresh OS entropy (raises under op determinism)."""
    if _determinism:
        raise RuntimeError(_DETERMINISM_MESSAGE)
    return _entropy.words(4, "a random op with neither a global nor an op seed")


def global_seed() -> int | None:
    """The global seed as given to ``set_seed`` (unreduced), or None."""
    return _global_seed


def generation() -> int:
    """A number that changes whenever ``set_seed`` or ``set_state`` resets the random state."""
    return _generation


def counter_table_size() -> int:
    return len(_counters)


# ---------------------------------------------------------------------------------------------
# Determinism switch (a configuration, not random state: get_state/set_state leave it alone).
def set_determinism(enabled: bool) -> None:
    global _determinism
    _determinism = bool(enabled)


def determinism_enabled() -> bool:
    return _determinism


# ---------------------------------------------------------------------------------------------
# State holders: counters that live elsewhere (seedkit.function's compiled functions).
class StateHolder(Protocol):
    """What :func:`register_holder` needs. ``state_id`` names the holder in snapshots; it must be
    hashable, picklable and stable across processes (e.g. module, qualified name and an ordinal)
    for ``set_state`` in a new process to find it again."""

    @property
    def state_id(self) -> Hashable: ...

    def reset(self) -> None:
        """Forget all counters (``set_seed``)."""

    def snapshot(self) -> Any:
        """A picklable copy of the counters."""

    def restore(self, snapshot: Any) -> None:
        """Resume from a value returned by :meth:`snapshot`."""


def register_holder(holder: StateHolder) -> None:
    """Track ``holder`` (weakly). If the last ``set_state`` carried a snapshot under its
    ``state_id`` that no live holder took, ``holder`` is restored from it now."""
    with _lock:
        other = _holders.get(holder.state_id)
        if other is not None and other is not holder:
            raise ValueError(f"a state holder with state_id {holder.state_id!r} is already registered.")
        _holders[holder.state_id] = holder
        if holder.state_id in _pending:
            holder.restore(_pending.pop(holder.state_id))


def unregister_holder(holder: StateHolder) -> None:
    with _lock:
        if _holders.get(holder.state_id) is holder:
            del _holders[holder.state_id]


# ---------------------------------------------------------------------------------------------
# set_seed and snapshots.
def set_global_seed(seed: int | None) -> None:
    """TF's ``set_seed`` on a validated int (or None): new global seed, new op-seed stream
    (``random.Random(seed)``; OS entropy for None), and every counter reset, including those of
    registered holders."""
    global _global_seed, _rng, _draws, _generation
    rng = random.Random(seed)
    with _lock:
        _global_seed, _rng, _draws = seed, rng, 0
        _counters.clear()
        _pending.clear()
        _generation += 1
        for holder in list(_holders.values()):
            holder.reset()


@dataclasses.dataclass(frozen=True)
class RandomState:
    """A snapshot of the global random state (from :func:`seedkit.random.get_state`).

    Picklable; ``set_state`` resumes from it in this process or another one. It holds the
    global seed, the op-seed stream's position, every per-op counter and the snapshots of
    registered state holders. The determinism switch is configuration, not random state, and is
    not part of it (as ``torch.random.fork_rng`` leaves deterministic algorithms alone).

    For checkpoints that hold JSON rather than pickles (orbax's ``JsonSave``), :meth:`to_json`
    gives a JSON-able dict, which ``set_state`` and :meth:`from_json` take back.

    Attributes:
        global_seed: The global seed, or ``None``.
        op_seed_stream: The op-seed stream's ``random.Random`` state.
        unseeded_draws: How many unseeded draws were made.
        counters: The per-op counters.
        holders: The snapshots of registered state holders (compiled functions, ...).
        version: The snapshot format's version.

    Example:
        >>> import json, seedkit
        >>> seedkit.set_seed(5)
        >>> saved = json.dumps(seedkit.get_state().to_json())
        >>> a = seedkit.uniform([2])
        >>> seedkit.set_state(json.loads(saved))
        >>> bool((seedkit.uniform([2]) == a).all())
        True
    """

    global_seed: int | None
    op_seed_stream: tuple
    unseeded_draws: int
    counters: tuple  # CounterTable.snapshot(): per (op, dtype, g) group, bytes of 2 arrays
    holders: tuple[tuple[Hashable, Any], ...]
    version: int = 2

    def to_json(self) -> dict[str, Any]:
        """This snapshot as a dict that ``json.dumps`` can write and :meth:`from_json` (or
        ``seedkit.set_state``) reads back exactly; format in ``seedkit/_state_json.py``.

        Returns:
            A dict of JSON types (str, int, list, dict) only.
        """
        return _state_json.encode(self)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> RandomState:
        """The snapshot that :meth:`to_json` returned as ``obj`` (after a JSON round trip).

        Args:
            obj: The dict ``to_json()`` returned, or its ``json.loads`` copy.

        Returns:
            The ``RandomState`` it encodes.

        Raises:
            TypeError: An ``obj`` that is not a mapping.
            ValueError: A mapping that is not a seedkit state (or of an unknown format version).
        """
        if not isinstance(obj, Mapping):
            raise TypeError(
                f"`obj` must be the dict RandomState.to_json() returned; got {type(obj).__name__}."
            )
        return _state_json.decode(obj, cls)


def snapshot() -> RandomState:
    with _lock:
        holders = {k: v for k, v in _pending.items()}
        holders.update((hid, h.snapshot()) for hid, h in list(_holders.items()))
        return RandomState(
            global_seed=_global_seed,
            op_seed_stream=_rng.getstate(),
            unseeded_draws=_draws,
            counters=_counters.snapshot(),
            holders=tuple(holders.items()),
        )


def restore(state: Any) -> None:
    """Replace the whole random state by ``state``; nothing changes if ``state`` is invalid."""
    global _global_seed, _rng, _draws, _generation, _counters
    if isinstance(state, Mapping):
        state = _state_json.decode(state, RandomState)
    if not isinstance(state, RandomState):
        raise TypeError(
            "`state` must be a value returned by seedkit.get_state() or its .to_json(); got "
            f"{type(state).__name__}."
        )
    if state.version not in (1, 2):
        raise ValueError(f"`state` has version {state.version}; this seedkit reads versions 1 and 2.")
    seed, draws = state.global_seed, state.unseeded_draws
    if seed is not None and (type(seed) is not int or not -(2**63) <= seed < 2**63):
        raise ValueError(f"`state` is corrupted: global_seed must be None or an int64; got {seed!r}.")
    if type(draws) is not int or draws < 0:
        raise ValueError(f"`state` is corrupted: unseeded_draws must be an int >= 0; got {draws!r}.")
    rng = random.Random()
    try:
        rng.setstate(state.op_seed_stream)
        # version 1 (seedkit before the compact table): ((*group, op_seed), counter) pairs
        read = CounterTable.from_items if state.version == 1 else CounterTable.from_snapshot
        counters = read(state.counters)
        holders = dict(state.holders)
    except (TypeError, ValueError) as e:
        raise ValueError(f"`state` is corrupted: {e}") from None
    with _lock:
        _global_seed, _rng, _draws = state.global_seed, rng, state.unseeded_draws
        _counters = counters
        _generation += 1
        _pending.clear()
        live = dict(_holders.items())
        for hid, holder in live.items():
            if hid in holders:
                holder.restore(holders[hid])
            else:
                holder.reset()  # it did not exist (or held nothing) when the snapshot was taken
        _pending.update((hid, snap) for hid, snap in holders.items() if hid not in live)


# ---------------------------------------------------------------------------------------------
# Trace handlers: the hook through which seedkit.function runs stateful ops while tracing.
@dataclasses.dataclass(frozen=True)
class OpCall:
    """One stateful op call, handed to the active trace handler.

    ``dist``, ``alg``, ``static`` and ``params`` are the arguments of
    :func:`seedkit.stateless._sample` (already validated); ``op`` and ``dtype_key`` are the
    op's counter identity (as in :func:`next_op_state`); ``op_seed`` is the op seed as the user
    gave it (a validated int64, not reduced) or None; ``api`` names the public function for
    messages. The handler returns what :meth:`sample` returns for the seed words and counter it
    chooses; callers such as ``seedkit.nn.dropout`` post-process that value themselves.
    """

    api: str
    op: str
    dtype_key: str
    dist: str
    alg: Any
    static: tuple
    params: tuple
    op_seed: int | None

    def sample(self, words: Any, counter: Any) -> Any:
        from seedkit.stateless import _sample

        return _sample(self.dist, self.alg, self.static, words, counter, self.params)

    def sample_state(self, state: Any) -> Any:
        """Sample from a whole uint32[6] op state (philox: TF's kernel key and counter)."""
        from seedkit.stateless import _sample_from_key

        key, counter = self.alg.op_key(state)
        return _sample_from_key(self.dist, self.alg, self.static, key, counter, self.params)


TraceHandler = Callable[[OpCall], Any]


class _Local(threading.local):
    def __init__(self) -> None:
        self.handlers: list[TraceHandler] = []


_local = _Local()


def current_trace_handler() -> TraceHandler | None:
    """The innermost active trace handler of this thread, or None."""
    handlers = _local.handlers
    return handlers[-1] if handlers else None


@contextlib.contextmanager
def trace_handler(handler: TraceHandler) -> Iterator[None]:
    """Route this thread's stateful ops to ``handler`` inside the block (instead of raising
    :class:`TracingError` when JAX traces). If ``handler`` also has a ``get_seed(op_seed)``
    method, ``seedkit.get_seed`` calls it instead of drawing from the eager stream (TF's graph
    rule: op seeds by position)."""
    _local.handlers.append(handler)
    try:
        yield
    finally:
        popped = _local.handlers.pop()
        assert popped is handler, "trace handlers must be exited in reverse order"
