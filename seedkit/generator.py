"""``Generator``: a ``tf.random.Generator`` whose state is a JAX array.

A Generator holds an explicit random state (a small ``uint32`` array) and advances it on every
draw. It is the tool for reproducible streams that can be passed around, split, checkpointed
and threaded through compiled code.

State layout (``Generator.state``, ``uint32`` words, never needs ``jax_enable_x64``):

* ``"threefry"`` (the default): 4 words ``[counter_lo, counter_hi, key_0, key_1]``: a 64-bit
  counter, then the threefry2x32 key (TF's order: counter, then key). The draw made with counter
  ``n`` is the stateless sampler on stream ``n`` of the key (see
  :mod:`seedkit._algorithms._threefry`), and **every draw advances the counter by one**, whatever
  its shape; ``skip(n)`` adds ``n``.
* ``"philox"``: 6 words: TF's ``int64[3]`` state ``[counter_lo64, counter_hi64, key]`` as
  little-endian ``uint32`` words ``[c0, c1, c2, c3, k0, k1]``. State arithmetic is TF's
  (``skip(n)`` adds ``256 * n`` to the 128-bit counter). ``uniform``, ``uniform_full_int``,
  ``normal`` and ``truncated_normal`` give TF's numbers and advance the counter by
  ``256 * prod(shape)`` as TF does; ``split(n)`` and ``make_seeds(n)`` take TF's
  ``uniform_full_int([n], int64)`` keys (children ``[0, 0, key_i]``; int64 seeds, which need
  ``jax_enable_x64``). The other draws raise ``NotImplementedError`` for philox.

Seeding differs from TF on purpose for threefry: TF's ``from_seed(int)`` puts the seed in the
counter, so ``from_seed(1)`` is ``from_seed(0)`` shifted by a few draws. seedkit hashes a threefry
seed into the key (counter 0), so nearby seeds give unrelated streams. Philox keeps TF's layout.

Functional use under ``jax.jit``, ``jax.vmap``, ``lax.scan``: a Generator is a pytree (its state
is the leaf), so pass it in, draw, and return it::

    @jax.jit
    def step(g, x):
        noise = g.normal(x.shape)   # replaces g's state by the new (traced) state
        return g, x + noise

A Generator that was *not* passed into the transformation (closed over) cannot advance there:
using it raises :class:`GeneratorTraceError`, which names the fixes, and no tracer is ever stored
in it. This includes a Generator closed over by a ``lax.scan``/``lax.cond`` body or an inner
``jax.jit`` (carry or pass it instead) and a non-differentiated argument of ``jax.grad`` (which
JAX hands through unchanged).
"""

from __future__ import annotations

import threading
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from seedkit import _entropy, _jax
from seedkit._algorithms import Algorithm, RandomAlgorithm, resolve_alg
from seedkit._api import public_dir
from seedkit._generator_args import (
    _describe,
    _is_int,
    _positive_count,
    _state_words,
    key_counter_state,
    key_state,
    seed_state,
)
from seedkit._generator_draws import _Draws
from seedkit._generator_errors import (
    _NON_DETERMINISTIC_TRACED,
    _NON_DETERMINISTIC_UNDER_DETERMINISM,
    _SEEDS_NEED_X64,
    GeneratorTraceError,
    closed_over_error,
)
from seedkit._generator_kernels import (
    _current_hook,
    _increment,
    _seed_keys,
    _skip,
    _split,
)
from seedkit._state import TracingError, determinism_enabled, is_tracing
from seedkit._typing import AlgLike, ArrayLike, IntLike, IntSeedLike

__all__ = [
    "Generator",
    "GeneratorTraceError",
    "get_global_generator",
    "set_global_generator",
]


__dir__ = public_dir(__all__)


# ------------------------------------------------------------------ the Generator


@jax.tree_util.register_pytree_node_class
class Generator(_Draws):
    """A random-number generator with an explicit state (``tf.random.Generator``).

    Create one with :meth:`from_seed`, :meth:`from_key` (a typed JAX key),
    :meth:`from_non_deterministic_state`, :meth:`from_key_counter` or :meth:`from_state` (or TF's ``Generator(copy_from=g)`` /
    ``Generator(state=..., alg=...)``). Every draw advances the state (threefry: the counter by
    one per draw, whatever the shape), so the same starting state always gives the same
    sequence of draws. Draws are thread-safe. See the module docstring for the state layout and
    for use under ``jax.jit``/``vmap``/``scan``.

    Args:
        copy_from: A Generator to copy (its algorithm and current state); the copy and the
            original then draw the same sequence independently.
        state: A state to start from, in ``alg``'s layout (threefry: 4 uint32 words or 2 64-bit
            values; philox: 6 uint32 words or TF's 3 64-bit values), or a Generator's pytree
            leaves. Give ``copy_from`` or ``state``, not both.
        alg: The algorithm of ``state``: ``"threefry"``, ``"philox"``, ``"auto_select"`` (the
            default algorithm; also when ``None``), a ``seedkit.Algorithm`` or its int.

    Raises:
        TypeError: Neither ``copy_from`` nor ``state``, or a ``copy_from`` that is not a
            Generator.
        ValueError: Both ``copy_from`` and ``state``, or a ``state`` of the wrong size for ``alg``.
        seedkit.GeneratorTraceError: (from a draw) a Generator closed over by a JAX transformation
            it was not passed into, such as plain ``jax.jit``: pass it in and return it, or use
            ``seedkit.function``.

    Example:
        >>> import numpy as np
        >>> from seedkit.generator import Generator
        >>> g = Generator.from_seed(1234)
        >>> x = g.normal([2, 3])
        >>> g.state.tolist()[:2]   # counter: one draw so far
        [1, 0]
        >>> again = Generator.from_seed(1234)
        >>> bool((again.normal([2, 3]) == x).all())
        True
    """

    __slots__ = ("__weakref__", "_alg", "_lineage", "_lock", "_owner", "_state")

    def __init__(
        self, copy_from: Generator | None = None, state: ArrayLike | None = None, alg: AlgLike = None
    ) -> None:
        if copy_from is not None:
            if not isinstance(copy_from, Generator):
                raise TypeError(f"`copy_from` must be a Generator; got {_describe(copy_from)}.")
            if state is not None:
                raise ValueError("Pass either `copy_from` or `state`, not both.")
            alg, words = copy_from._alg, copy_from._locked_read()
        elif state is not None:
            alg = resolve_alg(alg)
            words = _state_words(state, alg)  # type: ignore[assignment]
        else:
            raise TypeError(
                "Generator() needs `copy_from` or `state` (with `alg`); or use Generator.from_seed, "
                "from_non_deterministic_state, from_key_counter or from_state."
            )
        self._init(jnp.asarray(words, jnp.uint32), alg)

    def _init(self, state: Any, alg: RandomAlgorithm) -> None:
        self._state = state
        self._alg = alg
        # Set on pytree copies of a Generator that a state hook threads (see tree_flatten).
        self._lineage: int | None = None
        # Re-entrant: seedkit.function holds it across a compiled call that draws from it.
        self._lock = threading.RLock()
        # The trace this Generator belongs to (the eval trace for eager code): it may draw
        # there, and nowhere else, without a state hook.
        self._owner = _jax.trace_token()

    @classmethod
    def _from_trusted(cls, state: Any, alg: RandomAlgorithm, made: bool = True) -> Generator:
        """A Generator around an already-valid state (no checks, no copies). ``made``: a new
        Generator (not a pytree copy), which a state hook is told about when it is traced."""
        g = object.__new__(cls)
        g._init(state, alg)
        if made and isinstance(state, jax.core.Tracer):
            hook = _current_hook()
            if hook is not None:
                hook.created(g)
        return g

    # ------------------------------------------------------------- constructors
    @classmethod
    def from_seed(cls, seed: IntSeedLike, alg: AlgLike = None) -> Generator:
        """A Generator from an integer or a shape-``[2]`` seed.

        threefry (default): the seed is hashed into the key and the counter starts at 0. An int
        ``s`` (int64 range) acts as the seed ``(s, 0)``; the key is that seed's stateless key
        hashed once more with a "from_seed" constant, so a Generator's stream is not the one a
        stateful op with the same seed pair draws (``set_seed(s)`` + ``seed=0``), and
        ``from_seed(1)`` and ``from_seed(2)`` are unrelated (TF's are shifted copies).

        philox: TF's layout. An int is cut into 64-bit little-endian chunks
        ``[counter_lo64, counter_hi64, key]`` (``from_seed(1234)`` has counter 1234, key 0; any
        int in ``[-2**191, 2**192)``); a shape-``[2]`` seed ``(s0, s1)`` gives
        ``[0, s0, s1]``. Unlike TF, a NumPy integer or a scalar JAX array counts as an int (TF
        treats ``np.int64(5)`` and a scalar tensor as the list ``[5]``, i.e. the key).

        The seed may be a traced JAX array (inside ``jax.jit`` or ``seedkit.function``): a
        shape-``[2]`` one, or an integer scalar, which gives the state its value gives eagerly.

        Args:
            seed: An integer (Python or NumPy int, or an integer scalar array; threefry: the int64
                range, the seed ``(s, 0)``), or a shape-``[2]`` integer seed, possibly traced.
            alg: ``"threefry"``, ``"philox"`` (TF's state layout and numbers), ``"auto_select"`` or
                ``None`` (the default algorithm), a ``seedkit.Algorithm`` or its int.

        Returns:
            A new Generator whose draws are a function of ``seed`` alone.

        Raises:
            TypeError: A ``seed`` that is not an integer or an integer array (a float, a string), or a
                typed JAX key (use ``Generator.from_key``).
            ValueError: An integer outside the range of ``alg`` (threefry: int64), a seed array of the
                wrong shape, or an unknown ``alg``.

        Example:
            >>> from seedkit.generator import Generator
            >>> Generator.from_seed(7).state.shape
            (4,)
            >>> Generator.from_seed(1234, alg="philox").state.tolist()
            [1234, 0, 0, 0, 0, 0]
        """
        alg = resolve_alg(alg)
        return cls._from_trusted(jnp.asarray(seed_state(seed, alg), jnp.uint32), alg)

    @classmethod
    def from_key(cls, key: jax.Array, alg: AlgLike = None) -> Generator:
        """A Generator from a typed JAX key (``seedkit.key(seed)``, ``jax.random.key(s)``, or a
        key from ``jax.random.split``), which may be traced (under ``jax.jit`` or ``jax.vmap``).

        A key stands for the seed it was derived from, as in the stateless ops:
        ``Generator.from_key(seedkit.key(x))`` has the state of ``Generator.from_seed(x)`` (the
        key hashed once more with the "from_seed" constant, counter 0), so it draws what that
        Generator draws. Any other threefry key gives a stream of its own in the same way. (To
        use a key's words as the Generator's key unhashed, pass ``jax.random.key_data(key)`` to
        :meth:`from_key_counter`.)

        Threefry only (``alg=None`` means the default algorithm, which must then be threefry):
        a typed key under ``alg="philox"``, a key of another implementation (e.g. ``"rbg"``) and
        anything that is not a single typed key raise, naming ``key``.

        Args:
            key: A single typed threefry key (``threefry2x32``), concrete or traced.
            alg: ``"threefry"``, or ``None`` (the default algorithm, which must then be threefry).

        Returns:
            A new Generator, counter 0.

        Raises:
            TypeError: A ``key`` that is not a typed key, of another implementation, or under philox.

        Example:
            >>> import jax, seedkit
            >>> from seedkit.generator import Generator
            >>> a = Generator.from_key(seedkit.key(42))
            >>> a.state.tolist() == Generator.from_seed(42).state.tolist()
            True
            >>> keys = jax.random.split(jax.random.key(0), 2)
            >>> b, c = Generator.from_key(keys[0]), Generator.from_key(keys[1])
            >>> bool((b.uniform([3]) != c.uniform([3])).all())
            True
        """
        alg = resolve_alg(alg)
        return cls._from_trusted(jnp.asarray(key_state(key, alg), jnp.uint32), alg)

    @classmethod
    def from_non_deterministic_state(cls, alg: AlgLike = None) -> Generator:
        """A Generator whose every state word comes from the OS's entropy source.

        Args:
            alg: The algorithm, as for :meth:`from_seed` (``None``: the default algorithm).

        Returns:
            A new Generator with a state no run repeats.

        Raises:
            RuntimeError: A call while ``enable_op_determinism()`` is in effect (as in TF).
            seedkit.TracingError: A call inside plain ``jax.jit`` (use ``seedkit.function``).

        Example:
            >>> from seedkit.generator import Generator
            >>> a = Generator.from_non_deterministic_state()
            >>> b = Generator.from_non_deterministic_state()
            >>> a.state.tolist() != b.state.tolist()
            True
        """
        alg = resolve_alg(alg)
        if determinism_enabled():  # TF raises here too
            raise RuntimeError(_NON_DETERMINISTIC_UNDER_DETERMINISM)
        n = sum(alg.state_layout)
        if is_tracing():  # entropy drawn now could be a constant of the traced function
            hook = _current_hook()
            if hook is not None:
                return cls._from_trusted(hook.entropy(n), alg)
            if not _jax.evaluates_once():
                raise TracingError(_NON_DETERMINISTIC_TRACED)
        words = _entropy.words(n, "Generator.from_non_deterministic_state()")
        return cls._from_trusted(jnp.asarray(words), alg)

    @classmethod
    def from_key_counter(cls, key: ArrayLike, counter: ArrayLike, alg: AlgLike) -> Generator:
        """A Generator with the given key and counter (``state = counter ++ key``).

        ``key``: an integer (64-bit) or 2 uint32 words (``Generator.key``'s form). ``counter``:
        an integer (64-bit for threefry, 128-bit for philox), or its uint32 words (2 for
        threefry, 4 for philox), or TF's int64 list (``[c]`` for threefry, ``[c_lo, c_hi]``
        for philox).

        Args:
            key: An integer in ``[-2**63, 2**64)`` or 2 uint32 words.
            counter: An integer, its uint32 words, or TF's int64 list, as above.
            alg: The algorithm (required, as in TF): ``"threefry"``, ``"philox"``, ...

        Returns:
            A new Generator with that key and counter.

        Raises:
            TypeError: A non-integer ``key`` or ``counter``.
            ValueError: A ``key`` or ``counter`` out of range or of the wrong size; an unknown ``alg``.

        Example:
            >>> from seedkit.generator import Generator
            >>> g = Generator.from_key_counter(1234, [5678, 0], alg="philox")
            >>> g.state.tolist()
            [5678, 0, 0, 0, 1234, 0]
        """
        alg = resolve_alg(alg)
        return cls._from_trusted(key_counter_state(key, counter, alg), alg)

    @classmethod
    def from_state(cls, state: ArrayLike, alg: AlgLike) -> Generator:
        """A Generator from a saved ``state`` (``Generator.state``: 4 uint32 words for
        threefry, 6 for philox), or TF's int64 state (2 values for threefry, 3 for philox), or a
        Generator's pytree leaves (``[state]``: what orbax's ``restore(path)`` gives for a
        Generator saved in a checkpoint and restored without a target).

        Args:
            state: The state, in one of the forms above.
            alg: The algorithm the state belongs to (required, as in TF).

        Returns:
            A new Generator in that state.

        Raises:
            TypeError: A ``state`` that does not hold integers.
            ValueError: A ``state`` of the wrong size for ``alg``; an unknown ``alg``.

        Example:
            >>> import numpy as np
            >>> from seedkit.generator import Generator
            >>> g = Generator.from_seed(3)
            >>> saved = np.asarray(g.state)
            >>> x = g.uniform([2])
            >>> bool((Generator.from_state(saved, "threefry").uniform([2]) == x).all())
            True
        """
        alg = resolve_alg(alg)
        return cls._from_trusted(jnp.asarray(_state_words(state, alg), jnp.uint32), alg)

    # ------------------------------------------------------------- state access
    def _usable_here(self) -> bool:
        cur = _jax.trace_token()
        if cur == self._owner:
            return True
        if isinstance(self._state, jax.core.Tracer):
            return False
        # A concrete state may be used eagerly (another thread, or a Generator made by a trace
        # that has ended), and inside eager jax.grad / vjp / jvp, which run the code once per
        # call: the draw advances the state once, as under TF's GradientTape.
        return cur.eager or _jax.evaluates_once()

    def _read_state(self) -> jax.Array:
        """The state, for the trace we are in. The one place (with :meth:`_write_state`) that
        decides whether this Generator may be used here."""
        if self._usable_here():
            return self._state
        hook = _current_hook()
        if hook is not None:
            state = hook.read(self)
            if state is not None:
                return state
        raise closed_over_error(self)

    def _write_state(self, new: jax.Array) -> None:
        """Replace the state (caller holds ``self._lock``); see :meth:`_read_state`."""
        if self._usable_here():
            if isinstance(new, jax.core.Tracer) and not isinstance(self._state, jax.core.Tracer):
                # A concrete state must stay concrete (the new state depends on a traced value).
                raise closed_over_error(self)
            self._state = new
            return
        hook = _current_hook()
        if hook is not None and hook.write(self, new):
            return
        raise closed_over_error(self)

    def _locked_read(self) -> jax.Array:
        with self._lock:
            return self._read_state()

    @property
    def state(self) -> jax.Array:
        """The state as a ``uint32`` JAX array (layout in the module docstring). A plain array:
        ``np.save`` it and restore with :meth:`from_state` or :meth:`reset`."""
        return self._locked_read()

    @property
    def key(self) -> jax.Array:
        """The key part of the state: 2 ``uint32`` words (threefry: the threefry2x32 key;
        philox: TF's int64 key as ``[lo, hi]``)."""
        n_counter, _ = self._alg.state_layout
        return self._locked_read()[n_counter:]

    @property
    def algorithm(self) -> Algorithm | RandomAlgorithm:
        """The algorithm: its ``seedkit.Algorithm`` member for TF's algorithms (threefry,
        philox); a registered algorithm of another name reports itself."""
        return self._alg.public

    # ------------------------------------------------------------- state changes
    def reset(self, state: ArrayLike) -> None:
        """Set the state (same forms as :meth:`from_state`).

        Args:
            state: The new state, for this Generator's algorithm.

        Raises:
            TypeError: A ``state`` that does not hold integers.
            ValueError: A ``state`` of the wrong size.

        Example:
            >>> from seedkit.generator import Generator
            >>> g = Generator.from_seed(1)
            >>> start = g.state
            >>> a = g.uniform([3]); g.reset(start)
            >>> bool((g.uniform([3]) == a).all())
            True
        """
        words = _state_words(state, self._alg)
        with self._lock:
            self._write_state(jnp.asarray(words, jnp.uint32))

    def reset_from_seed(self, seed: IntSeedLike) -> None:
        """Set the state that :meth:`from_seed` would give for ``seed``.

        Args:
            seed: An integer or a shape-``[2]`` seed, as for :meth:`from_seed`.

        Raises:
            TypeError: A ``seed`` that is not an integer or a pair of them.
            ValueError: A seed not of shape ``[2]`` or out of range.

        Example:
            >>> from seedkit.generator import Generator
            >>> g = Generator.from_seed(3)
            >>> _ = g.normal([2]); g.reset_from_seed(3)
            >>> g.state.tolist() == Generator.from_seed(3).state.tolist()
            True
        """
        words = seed_state(seed, self._alg)
        with self._lock:
            self._write_state(jnp.asarray(words, jnp.uint32))

    def reset_from_key_counter(self, key: ArrayLike, counter: ArrayLike) -> None:
        """Set the state from a key and a counter (forms as in :meth:`from_key_counter`).

        Args:
            key: An integer or 2 uint32 words.
            counter: An integer, its uint32 words, or TF's int64 list.

        Raises:
            TypeError: A non-integer ``key`` or ``counter``.
            ValueError: A ``key`` or ``counter`` out of range or of the wrong size.
        """
        words = key_counter_state(key, counter, self._alg)
        with self._lock:
            self._write_state(words)

    def skip(self, delta: IntLike) -> None:
        """Advance the counter as ``delta`` draws would: threefry adds ``delta``; philox adds
        ``256 * delta`` to its 128-bit counter (TF's rule). ``delta`` is an int in
        ``[0, 2**64)``. (TF returns the old state; this returns None: read ``state`` first.)

        Args:
            delta: How many draws to skip, a Python or NumPy int in ``[0, 2**64)``.

        Raises:
            TypeError: A ``delta`` that is not a static int.
            ValueError: A ``delta`` outside ``[0, 2**64)``.

        Example:
            >>> from seedkit.generator import Generator
            >>> a, b = Generator.from_seed(5), Generator.from_seed(5)
            >>> _ = a.normal([2]); _ = a.normal([7]); b.skip(2)
            >>> a.state.tolist() == b.state.tolist()
            True
        """
        if isinstance(delta, jax.core.Tracer) or not _is_int(delta):
            raise TypeError(f"`delta` must be a non-negative Python or NumPy int; got {_describe(delta)}.")
        delta = int(delta)
        if not 0 <= delta < 2**64:
            raise ValueError(f"`delta` must lie in [0, 2**64); got {delta}.")
        n_counter, _ = self._alg.state_layout
        inc = _increment(self._alg, delta)
        with self._lock:
            self._write_state(_skip(self._read_state(), inc, n_counter))

    # ------------------------------------------------------------- streams
    def make_seeds(self, count: IntLike = 1) -> jax.Array:
        """``count`` seeds for ``stateless_*`` ops as a ``[2, count]`` array (column ``i`` is a
        seed): int64, or int32 while ``jax_enable_x64`` is off. One draw. Under philox, TF's
        values (int64 keys over zeros), which need ``jax_enable_x64``.

        Args:
            count: How many seeds, a positive static int (default 1).

        Returns:
            An integer array of shape ``[2, count]``.

        Raises:
            TypeError: A ``count`` that is not a static int.
            ValueError: A ``count`` below 1; philox without ``jax_enable_x64``.

        Example:
            >>> import seedkit
            >>> from seedkit.generator import Generator
            >>> seeds = Generator.from_seed(1).make_seeds(2)
            >>> seeds.tolist()
            [[2013536271, 766846072], [1297005550, -1939611593]]
            >>> seedkit.stateless_uniform([2], seed=seeds[:, 0]).shape
            (2,)
        """
        count = _positive_count(count)
        if self._alg.int64_seed_keys:  # the algorithm's own seeds: int64 keys over zeros (TF)
            if not jax.config.jax_enable_x64:  # type: ignore[attr-defined]
                raise ValueError(_SEEDS_NEED_X64.format(alg=self._alg.name))
            with self._lock:
                words, new = _seed_keys(self._alg, self._read_state(), count)
                self._write_state(new)
            keys = lax.bitcast_convert_type(words, jnp.int64)  # TF: lo | hi << 32
            return jnp.stack([keys, jnp.zeros_like(keys)])
        dtype = jnp.dtype(jax.dtypes.canonicalize_dtype(jnp.int64))
        return self._draw("full_int", ((2, count), dtype), ())

    def split(self, count: IntLike = 1) -> list[Generator]:
        """``count`` new Generators, independent of this one and of each other, and
        reproducible from this one's state. Their keys are one draw of this Generator (which
        advances by one; under philox by ``256 * count``, TF's children and state); their
        counters start at 0.

        Args:
            count: How many Generators, a positive static int (default 1).

        Returns:
            A list of ``count`` new Generators of this one's algorithm.

        Raises:
            TypeError: A ``count`` that is not a static int.
            ValueError: A ``count`` below 1.

        Example:
            >>> from seedkit.generator import Generator
            >>> g = Generator.from_seed(1)
            >>> a, b = g.split(2)
            >>> bool((a.uniform([3]) != b.uniform([3])).all())
            True
        """
        count = _positive_count(count)
        with self._lock:
            children, new = _split(self._alg, self._read_state(), count)
            self._write_state(new)
        return [Generator._from_trusted(children[i], self._alg) for i in range(count)]

    # ------------------------------------------------------------- pytree, copy, pickle, repr
    def tree_flatten(self):
        # Inside a seedkit.function, a Generator it threads (passed in or closed over) has its
        # current state in the hook, not in _state (the caller's pre-call state): flatten that,
        # so returning the Generator or carrying it into lax.scan continues its stream instead
        # of repeating it, and tag the copies so the hook can hand their state back to it.
        state, lineage = self._state, self._lineage
        if not self._usable_here():
            hook = _current_hook()
            hooked = hook.read(self) if hook is not None else None
            if hooked is not None:
                state, lineage = hooked, hook.lineage(self)  # type: ignore[union-attr]
        return (state,), self._alg if lineage is None else (self._alg, lineage)

    @classmethod
    def tree_unflatten(cls, aux, children):
        alg, lineage = aux if isinstance(aux, tuple) else (aux, None)
        g = cls._from_trusted(children[0], alg, made=False)
        g._lineage = lineage
        return g

    def __copy__(self) -> Generator:
        return Generator._from_trusted(self._locked_read(), self._alg)

    def __deepcopy__(self, memo) -> Generator:
        return self.__copy__()

    def __reduce__(self):
        state = self._locked_read()
        if isinstance(state, jax.core.Tracer):
            raise TypeError("Cannot pickle a Generator whose state is traced; pickle it outside jax.jit.")
        return (_unpickle, (np.asarray(state).tolist(), self._alg.name))

    def __repr__(self) -> str:
        name = self._alg.name
        s = self._state
        if isinstance(s, jax.core.Tracer):
            return f"Generator(state=<traced {s.dtype}{list(s.shape)}>, alg={name!r})"
        try:
            words = np.asarray(s).tolist()
        except Exception:  # pytree placeholders (object(), None) are not arrays
            words = s
        return f"Generator(state={words}, alg={name!r})"


def _unpickle(words: list[int], alg: str) -> Generator:
    return Generator._from_trusted(jnp.asarray(np.array(words, np.uint32)), resolve_alg(alg))


# ------------------------------------------------------------------ the global generator
_global_lock = threading.Lock()
_global_generator: Generator | None = None


def get_global_generator() -> Generator:
    """The global Generator, created on first use from non-deterministic state
    (``tf.random.get_global_generator``). ``set_seed`` does not touch it, as in TF.

    Returns:
        The process-wide Generator (the same object until ``set_global_generator`` replaces it).

    Raises:
        RuntimeError: Its first creation while ``enable_op_determinism()`` is in effect.

    Example:
        >>> from seedkit.generator import get_global_generator
        >>> get_global_generator() is get_global_generator()
        True
    """
    global _global_generator
    with _global_lock:
        if _global_generator is None:
            # Made from concrete entropy even when first asked for inside a trace: a traced
            # state would leak into the process-wide Generator (and repeat at every call).
            with _jax.evaluating():
                _global_generator = Generator.from_non_deterministic_state()
        return _global_generator


def _global_snapshot() -> tuple[Generator | None, Any]:
    """The global Generator (or None) and its current state, for :func:`seedkit.fork_rng`."""
    with _global_lock:
        g = _global_generator
        if g is None:
            return None, None
        with g._lock:
            return g, g._state  # a JAX array: immutable, so keeping it is a copy


def _global_restore(snap: tuple[Generator | None, Any]) -> None:
    """Put back what :func:`_global_snapshot` saw: the same object, in the same state."""
    global _global_generator
    g, state = snap
    with _global_lock:
        _global_generator = g
        if g is not None:
            with g._lock:
                g._state = state


def set_global_generator(generator: Generator | None) -> None:
    """Replace the global Generator (``tf.random.set_global_generator``); ``None`` forgets it,
    so the next :func:`get_global_generator` makes a new one (as TF). A ``seedkit.function``
    reads the global Generator when it traces (its first call, and its second, which traces
    once more to make closed-over Generators inputs) and threads that object from then on, as
    TF's compiled functions keep the one they traced with; unlike TF it does not raise when
    the global one is replaced later. Set the new one before calling compiled functions.

    Args:
        generator: A ``seedkit.Generator``, or ``None``.

    Raises:
        TypeError: Anything else.

    Example:
        >>> from seedkit.generator import Generator, get_global_generator, set_global_generator
        >>> g = Generator.from_seed(1)
        >>> old = get_global_generator()
        >>> set_global_generator(g)
        >>> get_global_generator() is g
        True
        >>> set_global_generator(old)
    """
    global _global_generator
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(f"`generator` must be a seedkit.Generator or None; got {_describe(generator)}.")
    with _global_lock:
        _global_generator = generator
