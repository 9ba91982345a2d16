"""``seedkit.function``: ``jax.jit`` that threads random state through the compiled call.

Under plain ``jax.jit`` a stateful random op would read its counter once, at trace time, and
repeat the same numbers on every call (so seedkit raises :class:`seedkit.TracingError` there).
``seedkit.function`` is the ``tf.function`` analogue: it compiles ``f`` with ``jax.jit`` and
passes the random state in and out of every call, so compiled code follows TF's seed rules:

* **Op seeds by position.** The k-th unseeded random op traced in ``f`` gets op seed k (TF's
  graph rule), so functions of the same structure draw the same numbers, and the first unseeded
  op draws what an eager ``uniform(..., seed=0)`` first draws. Each loop body, ``cond`` branch
  and inner ``jax.jit`` numbers its own unseeded ops from 0, as TF traces each ``while`` body
  and ``cond`` branch into a graph of its own.
* **Counters persist across calls.** Every op of a compiled function draws stream n of its seed
  pair on the function's n-th call since ``set_seed`` (calls 0, 1, 2, ...), exactly the stream the
  n-th eager call of that op with that seed would draw. So ``foo`` (two ops with ``seed=1``) gives
  ``(A1, A1)`` then ``(A2, A2)``, and ``bar`` (two unseeded ops) ``(A1, A2)`` then ``(A3, A4)``.
  ``set_seed`` resets the count; ``get_state``/``set_state``/``fork_rng`` cover it.
* **Runtime inputs.** The global seed, the call count and fresh entropy (for ops with neither
  seed) are arguments of the compiled computation: calling again or calling ``set_seed`` never
  re-traces. Unlike TF, which freezes the global seed into a traced function, a ``set_seed``
  after tracing takes effect at the next call.
* **TF's numbers.** Under ``seedkit.set_default_algorithm("philox")`` each op node is a TF kernel
  of its own, ``PhiloxRandom(g, o)``, that draws at counter ``o * 2**64 + e * blocks`` after
  ``e`` executions (the blocks one execution reserves): ``tf.function``'s values. At the top of
  ``f``, ``e`` is the call count; in a loop body, ``cond`` branch or inner ``jax.jit``, a
  ``jax.Ref`` counts the executions and the function keeps the counts between calls, so a body
  op advances at every iteration and an untaken branch does not, as in TF. Inside ``jax.vmap``
  philox ops need ``vmap_randomness="same"``.
* **Loops.** An op inside a ``lax.scan``/``fori_loop``/``while_loop`` body (or a ``cond``
  branch, or an inner ``jax.jit``) draws a new stream at every execution: under threefry its
  counter is ``n + 2**62 + d * 2**32`` for the d-th random draw executed inside such bodies
  during call n (philox: see above).
* **vmap.** Inside ``jax.vmap``, and under ``jax.vmap`` of the function (the element index is
  then an input), ops draw different numbers for every element by default
  (``vmap_randomness="different"``); ``vmap_randomness="same"`` draws one value for all, like
  ``torch.func.vmap(randomness=...)``. With "different" a Generator drawing inside the vmap
  raises: its one state cannot give per-element numbers.
* **Generators** passed as arguments or closed over advance exactly as in eager code, and the
  caller's Generator objects hold the new state after the call (the first call holds their
  locks). A returned Generator (directly or as a ``lax.scan`` carry) comes back as the caller's
  object. A function that closes over a Generator it has not seen before traces once more at
  its next call, to make that Generator's state an input; so does one that made a Generator
  and kept it (TF: a variable created on the first trace), which then continues its stream.
  ``Generator.from_non_deterministic_state()`` hashes the call's fresh entropy. A change of the
  default algorithm re-traces.
* **Nesting and autodiff.** A ``seedkit.function`` called while another one traces runs inline
  (its ops take the next op positions of the outer function). ``jax.grad`` of a
  ``seedkit.function`` works (random draws are constants for differentiation).

Under the hood: a ``jax.Ref`` counts the draws in loop bodies, so those ops see a fresh counter at
every iteration; see docs/compiled.md and docs/limitations.md for limits.
"""

from __future__ import annotations

import functools
import itertools
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any, overload

import jax
import jax.numpy as jnp
import numpy as np

from seedkit import _entropy, _jax, _nnx_updates, _state
from seedkit._algorithms import resolve_alg
from seedkit._api import public_dir
from seedkit._function_trace import _stripped, _Trace
from seedkit._generator_kernels import _state_hook
from seedkit._typing import VmapRandomness
from seedkit.generator import Generator

_NO_COUNTS = np.zeros((0,), np.uint32)
_ordinals: dict[str, itertools.count] = {}
# jax.make_user_context (public, JAX >= 0.10): a value that JAX's tracing caches key on.
_TRACE_CONTEXT = jax.make_user_context(None)
_trace_numbers = itertools.count()
_ordinals_lock = threading.Lock()


def _outer_element_indices() -> tuple:
    """Under ``jax.vmap(seedkit.function(f))``: for each vmap around the call (outermost
    first), a batched uint32 element index, which the compiled call takes as an input so that
    each element draws its own numbers (the vmap batches the whole compiled call, so the trace
    inside cannot see it). Empty outside vmap."""
    indices = []
    for bt in _jax.enclosing_vmaps():
        with _jax.in_trace(_jax.parent_trace(bt)):
            index = jnp.arange(_jax.vmap_axis_size(bt), dtype=jnp.uint32)
        indices.append(_jax.batched(bt, index, 0))
    return tuple(indices)


def _stable_id(fun: Callable) -> tuple:
    """A holder id that is the same in a new process that defines the same functions in the
    same order (what set_state needs to find a compiled function's counters again)."""
    name = f"{getattr(fun, '__module__', '?')}.{getattr(fun, '__qualname__', repr(fun))}"
    with _ordinals_lock:
        ordinal = next(_ordinals.setdefault(name, itertools.count()))
    return ("seedkit.function", name, ordinal)


def _shift_argnums(value: Any, by: int) -> Any:
    if value is None:
        return None
    if isinstance(value, int):
        return value + by if value >= 0 else value
    return tuple(v + by if v >= 0 else v for v in value)


def _static_key(n_closed: int) -> tuple:
    """The compiled call's static first argument: the number of known closed-over Generators
    (a newly found one makes their states inputs) and the default algorithm, which unseeded and
    ``alg``-less ops read at trace time (a trace from before ``set_default_algorithm`` must not
    keep drawing the old algorithm's numbers)."""
    return (n_closed, resolve_alg(None))


class Function:
    """A compiled function with TF's random semantics; see :func:`function`."""

    def __init__(self, fun: Callable, vmap_randomness: VmapRandomness, jit_options: dict):
        if vmap_randomness not in ("different", "same"):
            raise ValueError(f"`vmap_randomness` must be 'different' or 'same'; got {vmap_randomness!r}.")
        self._fun = fun
        self._vmap_randomness = vmap_randomness
        self._calls = 0
        self._counts = _NO_COUNTS  # execution counts of philox ops in staged bodies
        self._unseeded = False  # set by a trace with unseeded ops
        self._uses_entropy = False  # set by a trace that calls from_non_deterministic_state
        self._closed: list[Generator] = []
        self._lock = threading.RLock()
        self.state_id = _stable_id(fun)
        opts = dict(jit_options)
        # The compiled function takes (static key, rng, generator states, *args): shift the
        # user's positional options by three, and keep the key (see _static_key) static.
        user_static = _shift_argnums(opts.pop("static_argnums", None), 3)
        static = (0,) + (
            ()
            if user_static is None
            else (user_static,)
            if isinstance(user_static, int)
            else tuple(user_static)
        )
        opts["static_argnums"] = static
        if "donate_argnums" in opts:
            opts["donate_argnums"] = _shift_argnums(opts["donate_argnums"], 3)
        if isinstance(opts.get("in_shardings"), (tuple, list)):
            # jit counts in_shardings over the non-static arguments: rng and the states (the
            # static key is static) come first.
            opts["in_shardings"] = (None, None, *opts["in_shardings"])
        self._jitted = jax.jit(self._traced, **opts)
        functools.update_wrapper(self, fun)
        _state.register_holder(self)

    # ------------------------------------------------------------------ StateHolder protocol
    def reset(self) -> None:
        with self._lock:
            self._calls = 0
            self._counts = _NO_COUNTS

    def snapshot(self) -> int | tuple[int, tuple[int, ...]]:
        # Tuples only (snapshots before 2026-12-05 held a list, which restore still reads), so a
        # snapshot equals itself after RandomState.to_json's round trip.
        with self._lock:
            if self._counts.shape[0] == 0:
                return self._calls
            return self._calls, tuple(np.asarray(self._counts).tolist())

    def restore(self, snap: int | tuple[int, tuple[int, ...] | list[int]]) -> None:
        with self._lock:
            if isinstance(snap, tuple):
                self._calls, self._counts = int(snap[0]), np.array(snap[1], np.uint32)
            else:
                self._calls, self._counts = int(snap), _NO_COUNTS

    # ------------------------------------------------------------------ calls
    def _traced(self, static_key: tuple, rng, states, *args, **kwargs):
        # static_key (see _static_key) makes a newly found closed-over Generator, or a new
        # default algorithm, trigger one re-trace.
        (args, kwargs), gens = _restore_generators((args, kwargs))
        trace = _Trace(self, _jax.current_trace(), rng, gens, states)
        # A fresh tracing context per trace: JAX caches traced loop bodies, cond branches and
        # inner jits by function identity, and a body defined once (at module level, say) whose
        # random ops read this trace's state would otherwise be reused, stale, by the next trace.
        with _TRACE_CONTEXT(next(_trace_numbers)), _state.trace_handler(trace), _state_hook(trace):
            # Flax NNX Variables in the arguments are copies here: refuse to drop their updates.
            watched = _nnx_updates.watch((args, kwargs)) if "flax.nnx" in sys.modules else ()
            out = self._fun(*args, **kwargs)
            if watched:
                _nnx_updates.check(watched, out, repr(self))
            # Flatten returned Generators while the hook is installed: a threaded one gives its
            # current (traced) state and a lineage tag, not the caller's pre-call state.
            if _generator_leaves(out):
                out = jax.tree_util.tree_map(lambda x: x, out)
        if trace.new_closed:
            with self._lock:
                self._closed.extend(g for g in trace.new_closed if all(g is not c for c in self._closed))
        made_states = tuple(g._state for g in trace.made)
        _stripped.made = [weakref.ref(g) for g in trace.made]  # see _keep_made
        return out, trace.final_states(), trace.final_counts(), made_states

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        handler = _state.current_trace_handler()
        if isinstance(handler, _Trace):
            return self._fun(*args, **kwargs)  # nested: inline into the outer function
        tracing = _jax.is_tracing()
        if tracing and _jax.is_staging():
            raise _state.TracingError(
                f"seedkit.function {getattr(self._fun, '__name__', '')!r} was called inside a "
                "JAX transformation that stages it out (jax.jit, a lax loop or cond body, ...): "
                "its counters could not advance between calls. Make the outer function a "
                "seedkit.function too (nested seedkit.functions run inline), or pass a Generator."
                + _state.nnx_hint()
            )
        try:
            return self._call(args, kwargs, tracing)
        except BaseException:
            _stripped.made = []  # a failed trace's Generators are not this thread's next call's
            raise
        finally:
            locked = _stripped.locked  # closed-over Generators whose locks the trace took
            if locked:
                for g in locked:
                    g._lock.release()
                locked.clear()

    def _call(self, args: tuple, kwargs: dict, tracing: bool) -> Any:
        with self._lock:
            global_seed = _state.global_seed()
            if global_seed is None and self._unseeded and _state.determinism_enabled():
                raise RuntimeError(_state._DETERMINISM_MESSAGE)
            n = self._calls  # counted once the call succeeds: a failed call draws nothing
            closed = list(self._closed)
            (args, kwargs), gens = _strip_generators((args, kwargs), closed)
            # Entropy words even with a global seed: unseeded ops ignore them then, but
            # Generator.from_non_deterministic_state() inside the function needs them.
            if global_seed is None:
                if self._unseeded:  # a job of many processes needs share_entropy() first
                    _entropy.require(f"{self!r} (random ops with no seed)")
                rng = _entropy.call_words(0, 0, n)
            else:
                rng = _entropy.call_words(global_seed % _state.MAXINT32, 1, n)
            if self._uses_entropy:
                _entropy.require(f"{self!r} (Generator.from_non_deterministic_state)")
            # Only a vmap around the call can need element indices (eager calls skip the walk).
            outer = tracing and self._vmap_randomness == "different"
            elements = _outer_element_indices() if outer else ()
            rng = (rng, self._counts, elements)  # type: ignore[assignment]
            if not gens:  # the common case, kept short: nothing to lock or write back
                out, new_states, counts, made_states = self._jitted(_static_key(0), rng, (), *args, **kwargs)
                self._calls = n + 1
                self._keep_counts(counts)
                if made_states:
                    self._keep_made(made_states)
                if not new_states:
                    return out
                # the trace found closed-over Generators: write them back
                written = list(self._closed)
                self._write_back(written, new_states)
                return _adopt_returned(out, written)
            for g in gens:
                g._lock.acquire()
            try:
                states = tuple(g._state for g in gens)
                out, new_states, counts, made_states = self._jitted(
                    _static_key(len(closed)), rng, states, *args, **kwargs
                )
                self._calls = n + 1
                self._keep_counts(counts)
                self._keep_made(made_states)
                written = gens + self._closed[len(closed) :]
                self._write_back(written, new_states)
            finally:
                for g in gens:
                    g._lock.release()
        return _adopt_returned(out, written)

    def _keep_counts(self, counts: jax.Array | None) -> None:
        if counts is None:
            return
        if isinstance(counts, jax.core.Tracer):
            raise _state.TracingError(
                f"{self!r} has philox random ops in loop bodies or cond branches, whose counters "
                "it keeps between calls; called under a JAX transformation (jax.vmap, jax.grad) "
                "it would keep traced counters. Call it eagerly, or use "
                "seedkit.set_default_algorithm('threefry')."
            )
        self._counts = counts  # type: ignore[assignment]

    def _keep_made(self, made_states: tuple) -> None:
        """Generators made on a traced call and still alive afterwards (kept in a closure, a
        global, an attribute) become variables, as in tf.function: they get the state the call
        left them in, and the next call threads them as closed-over Generators (one re-trace),
        so they continue their stream instead of repeating this call's numbers."""
        refs, _stripped.made = _stripped.made, []
        if not refs:
            return
        kept = [(ref(), s) for ref, s in zip(refs, made_states, strict=True)]
        kept = [(g, s) for g, s in kept if g is not None]
        if kept:
            self._write_back([g for g, _ in kept], tuple(s for _, s in kept))
            self._closed.extend(g for g, _ in kept)

    @staticmethod
    def _write_back(gens: list[Generator], new_states: tuple) -> None:
        for g, s in zip(gens, new_states, strict=True):
            if isinstance(s, jax.core.Tracer):
                raise _state.TracingError(
                    "a Generator used by a seedkit.function called under a JAX transformation "
                    "would receive a traced state; call the function eagerly."
                )
            with g._lock:
                g._state = s  # s is the concrete result of this call

    def __repr__(self) -> str:
        return f"seedkit.function({getattr(self._fun, '__qualname__', self._fun)!r})"


def _adopt_returned(out: Any, written: list[Generator]) -> Any:
    """Replace the returned copies of threaded Generators (tagged by ``_Trace.lineage``) by the
    caller's objects, which hold the same new state: ``g, y = step(g, x)`` keeps one Generator,
    as TF's variable and eager code do, and a Generator carried through lax.scan and returned
    leaves its advanced state in the caller's object too."""
    if not _generator_leaves(out):
        return out  # the common case: nothing to map

    def adopt(x: Any) -> Any:
        if not isinstance(x, Generator) or x._lineage is None:
            return x
        target = written[x._lineage]
        with target._lock:
            target._state = x._state
        return target

    return jax.tree_util.tree_map(adopt, out, is_leaf=lambda x: isinstance(x, Generator))


def _generator_leaves(tree: Any) -> list[Generator]:
    leaves = jax.tree_util.tree_leaves(tree, is_leaf=lambda x: isinstance(x, Generator))
    return [x for x in leaves if isinstance(x, Generator)]


class _GenMarker:
    """Stands for a Generator argument in the pytree that jit sees (an empty pytree node)."""

    def __init__(self, index: int):
        self.index = index

    def __eq__(self, other):
        return isinstance(other, _GenMarker) and other.index == self.index

    def __hash__(self):
        return hash(("_GenMarker", self.index))


jax.tree_util.register_pytree_node(_GenMarker, lambda m: ((), m.index), lambda index, _: _GenMarker(index))

# Argument types that cannot hold a Generator (checked by type, to keep eager calls cheap).
_PLAIN = frozenset({jax.Array, np.ndarray, float, int, bool, complex, type(None), str} | {type(jnp.ones(()))})


def _strip_generators(tree: tuple, closed: list[Generator]) -> tuple[tuple, list[Generator]]:
    """Replace Generator arguments by markers; return the unique Generators (arguments first,
    then the known closed-over ones), whose states the compiled call takes as inputs."""
    gens: list[Generator] = []
    args, kwargs = tree
    if (
        not closed
        and all(type(a) in _PLAIN for a in args)
        and all(type(v) in _PLAIN for v in kwargs.values())
    ):
        _stripped.gens = gens  # the common case: no Generator anywhere, nothing to rebuild
        return tree, gens

    def index(g: Generator) -> int:
        for i, known in enumerate(gens):
            if known is g:
                return i
        gens.append(g)
        return len(gens) - 1

    def strip(x):
        return _GenMarker(index(x)) if isinstance(x, Generator) else x

    stripped = jax.tree_util.tree_map(strip, tree, is_leaf=lambda x: isinstance(x, Generator))
    for g in closed:
        index(g)
    _stripped.gens = gens
    return stripped, gens


def _restore_generators(tree: tuple) -> tuple[tuple, list[Generator]]:
    gens = list(_stripped.gens)
    restored = jax.tree_util.tree_map(
        lambda x: gens[x.index] if isinstance(x, _GenMarker) else x,
        tree,
        is_leaf=lambda x: isinstance(x, _GenMarker),
    )
    return restored, gens


@overload
def function(
    fun: Callable[..., Any], *, vmap_randomness: VmapRandomness = ..., **jit_options: Any
) -> Function: ...
@overload
def function(
    fun: None = None, *, vmap_randomness: VmapRandomness = ..., **jit_options: Any
) -> Callable[[Callable[..., Any]], Function]: ...
def function(
    fun: Callable[..., Any] | None = None,
    *,
    vmap_randomness: VmapRandomness = "different",
    **jit_options: Any,
) -> Function | Callable[[Callable[..., Any]], Function]:
    """Compile ``fun`` with ``jax.jit`` and thread seedkit's random state through every call
    (the ``tf.function`` analogue; the rules are in this module's docstring).

    Usable as ``@seedkit.function``, ``@seedkit.function(static_argnums=...)`` or
    ``seedkit.function(f)``; every ``jax.jit`` option passes through. ``vmap_randomness``:
    ``"different"`` (default) gives each element of a ``jax.vmap`` inside ``fun`` its own
    numbers, ``"same"`` shares them.

    Args:
        fun: The function to compile. Omit it to get a decorator with options:
            ``@seedkit.function(static_argnums=0)``.
        vmap_randomness: ``"different"`` (the default): under ``jax.vmap`` each element draws its
            own numbers; ``"same"``: all elements share them (needed for philox ops under
            ``vmap``).
        **jit_options: Passed to ``jax.jit`` unchanged (``static_argnums``, ``static_argnames``,
            ``donate_argnums``, shardings, ...).

    Returns:
        (Function): ``fun`` compiled, called like ``fun``; each call runs with the current random
            state and stores the advanced state (counters, Generators passed in or closed over)
            afterwards. Without ``fun``, a decorator that makes one.

    Raises:
        TypeError: A ``fun`` that is not callable.
        ValueError: A ``vmap_randomness`` other than ``"different"`` and ``"same"``.

    Example:
        >>> import seedkit
        >>> @seedkit.function
        ... def bar():
        ...     return seedkit.uniform([1]), seedkit.uniform([1])
        >>> seedkit.set_seed(1234)
        >>> a1, a2 = bar()
        >>> a3, a4 = bar()
        >>> bool(a1 != a2) and bool(a1 != a3)
        True
        >>> seedkit.set_seed(1234)
        >>> bool(bar()[0] == a1)
        True
    """
    if fun is None:
        return functools.partial(function, vmap_randomness=vmap_randomness, **jit_options)
    if not callable(fun):
        raise TypeError(f"seedkit.function expects a callable; got {type(fun).__name__}.")
    return Function(fun, vmap_randomness, jit_options)


__all__ = ["Function", "function"]


__dir__ = public_dir(__all__)
