"""One trace of a ``seedkit.function``: the handler that stateful ops and Generators call while
the function is traced (see :mod:`seedkit.function` for the rules it implements)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp

from seedkit import _entropy, _jax, _state
from seedkit._algorithms import bit_generator
from seedkit._words import times_const
from seedkit.generator import Generator

if TYPE_CHECKING:
    from seedkit.function import Function

_LOOP_BASE = 1 << 30  # hi word of a loop draw's counter: 2**62 / 2**32
_VMAP_SALT = 0x766D6170  # "vmap": keeps per-element seed words apart from op seeds
_ENTROPY_SALT = 0x6E647374  # "ndst": keeps Generator entropy apart from unseeded ops' words
_NO_PER_ELEMENT = (
    "{api} with the {alg} algorithm inside jax.vmap needs seedkit.function(..., "
    "vmap_randomness='same'): {alg} has no per-element rule (TF has none to reproduce), or "
    "seedkit.set_default_algorithm('threefry')."
)
_IN_SHARD_MAP = (
    "{what} inside a jax.shard_map body within a seedkit.function is not supported: the body "
    "cannot receive the function's random state. Draw outside the shard_map (seedkit's outputs "
    "are partitionable: a sharded draw under seedkit.function gives the unsharded values without "
    "communication) and pass the values in, or pass seeds from make_seeds() and use stateless_* "
    "ops with jax.lax.axis_index folded in (stateless_fold_in)."
)
_GENERATOR_IN_BODY = (
    "{gen!r} drew inside a jax.checkpoint body within a seedkit.function; its new state cannot "
    "leave that body (checkpoint would redraw it in the backward pass). Draw "
    "outside the body and pass the values in, or pass seeds from make_seeds() and use "
    "stateless_* ops inside it."
)
_GENERATOR_IN_VMAP = (
    "{gen!r} drew inside jax.vmap in a seedkit.function with vmap_randomness='different': a "
    "Generator has one state, so every element would get the same numbers. Draw for all "
    "elements at once outside the vmap, or give each element a seed:\n"
    "    wrong: jax.vmap(lambda x: x + g.normal([]))(xs)\n"
    "    right: xs + g.normal(xs.shape)\n"
    "    right: seeds = g.make_seeds(n); jax.vmap(lambda x, s: x + seedkit.stateless_normal([], s), "
    "in_axes=(0, 1))(xs, seeds)\n"
    "or share one draw on purpose with seedkit.function(..., vmap_randomness='same')."
)


class _Stripped(threading.local):
    """Per-thread hand-over between ``Function.__call__`` and its trace (jit traces
    synchronously, on the calling thread): the Generators taken out of the call's arguments,
    the closed-over ones whose locks the trace took (released when the call ends), and the
    ones the trace made (read by ``Function._keep_made``)."""

    def __init__(self) -> None:
        self.gens: list = []
        self.locked: list = []
        self.made: list = []


_stripped = _Stripped()


class _Trace:
    """Everything one trace of a compiled function needs: the trace handler for stateful ops,
    the state hook for Generators, and the op-seed positions."""

    def __init__(self, owner: Function, top: Any, rng: tuple, gens: list[Generator], states: tuple) -> None:
        self.owner = owner
        self.top = top
        # uint32[8]: global seed, has-global flag, call count lo/hi, process call number lo/hi,
        # nonce (_entropy.call_words); and the execution
        # counts (uint32 lo/hi pairs) of the philox ops in staged bodies, from the last call.
        self.rng, self.counts_in, self.elements = rng
        # next unseeded op position per graph: id(trace) -> [trace, next] (the trace is kept so
        # that its id cannot be reused by a later body's trace)
        self.slots: dict[int, list] = {}
        self.loop_ref: Any = None
        self.count_refs: list = []  # one jax.Ref per philox op in a staged body, in trace order
        # Generator -> [traced state at the top trace, ref or None]
        self.gens: dict[int, list] = {id(g): [g, s, None] for g, s in zip(gens, states, strict=True)}
        self.gen_order = [id(g) for g in gens]
        self.new_closed: list[Generator] = []
        self.made: list[Generator] = []  # Generators made at the top of the trace
        self.entropy_draws = 0

    # ------------------------------------------------------------------ traces
    def _base(self) -> tuple[Any, list, bool]:
        """Walk down from the current trace to our top trace or the nearest staging trace
        (loop body, cond branch, inner jit) and return it with the vmap traces passed on the
        way (innermost first)."""
        return _jax.base_trace(self.top)

    # ------------------------------------------------------------------ stateful ops
    def _take_slot(self, base: Any) -> int:
        """The next unseeded op position in ``base``'s graph (TF's per-graph op seeds 0, 1,
        2, ...: the function body, and each loop body, cond branch or inner jit on its own, as
        TF traces each into a graph of its own)."""
        if _state.global_seed() is None:
            if _state.determinism_enabled():
                raise RuntimeError(_state._DETERMINISM_MESSAGE)
            _entropy.require(f"{self.owner!r} (random ops with no seed)")
        entry = self.slots.setdefault(id(base), [base, 0])
        k = entry[1]
        entry[1] += 1
        self.owner._unseeded = True
        return k

    def get_seed(self, op_seed: int | None) -> tuple[int | None, int | None]:
        """TF's graph rule for ``seedkit.get_seed`` while tracing: op seeds by position (the
        global seed shown is the one set now; the compiled code reads it at every call)."""
        g = _state.global_seed()
        if op_seed is None:
            op_seed = self._take_slot(self._base()[0])
            if g is None:
                return None, None
        return _state.combine_seeds(g, op_seed)

    def __call__(self, call: _state.OpCall) -> Any:
        """One stateful op while tracing: its state from the runtime seed words and the op's
        position, both formed as the algorithm's counter model says (an op at the top of the
        function has run once per earlier call; ops in staged bodies count as the algorithm's
        ``staged_counter`` says)."""
        base, batch, _ = self._base()
        if _jax.shard_axes():
            raise _state.TracingError(_IN_SHARD_MAP.format(what=call.api))
        alg = call.alg
        different = self.owner._vmap_randomness == "different"
        if (self.elements or (batch and different)) and not alg.per_element_vmap:
            raise NotImplementedError(_NO_PER_ELEMENT.format(api=call.api, alg=alg.name))
        advance = alg.op_advance(call.dist, call.static, call.params)
        with _jax.in_trace(base):  # not in a checkpoint body walked through on the way
            words = self._words(call.op_seed, base)  # [g, 0, o, 0], or entropy
            for index in self.elements:  # vmaps around the call: element words, as below
                words = _element_words(words, index, _VMAP_SALT)
            if base is self.top:  # runs once per call: it has run n times before
                position = times_const(self.rng[2], self.rng[3], advance)
        if base is not self.top and alg.staged_counter == "per_op":
            # A loop body, cond branch or inner jit: each op counts the times it actually runs.
            e = self._executions(base)
            with _jax.in_trace(base):
                position = times_const(e[0], e[1], advance)
        elif base is not self.top:
            with _jax.in_trace(base):
                position = [*self._counter(base), jnp.uint32(0), jnp.uint32(0)]
        position = jnp.stack(position[: alg.position_words])  # type: ignore[assignment]
        for bt in reversed(batch):  # outermost vmap first
            if different:
                with _jax.in_trace(_jax.parent_trace(bt)):
                    index = jnp.arange(_jax.vmap_axis_size(bt), dtype=jnp.uint32)
                    per_element = _element_words(words, index, _VMAP_SALT)
                words = _jax.batched(bt, per_element, 0)
        return call.sample_state(alg.op_state(words, position))

    def _executions(self, base: Any) -> jax.Array:
        """How often this (staged) op ran before, as uint32 ``[lo, hi]``, and one more run
        recorded: a ``jax.Ref`` per op, seeded from the previous call's final count, so a loop
        body's op advances at every iteration and an untaken cond branch's op does not (TF)."""
        i = len(self.count_refs)
        with _jax.in_trace(self.top):
            start = self.counts_in[2 * i : 2 * i + 2] if 2 * i + 2 <= self.counts_in.shape[0] else None
            ref = jax.new_ref(jnp.zeros(2, jnp.uint32) if start is None else start)
        self.count_refs.append(ref)
        with _jax.in_trace(base):
            e = ref[...]
            lo = e[0] + jnp.uint32(1)
            ref[...] = jnp.stack([lo, e[1] + (lo == 0).astype(jnp.uint32)])
        return e

    def final_counts(self) -> jax.Array | None:
        """The new execution counts, or None when no op needed them (the common case: then
        nothing comes back that a JAX transformation around the call could turn into a tracer)."""
        if not self.count_refs:
            return None
        return jnp.concatenate([ref[...] for ref in self.count_refs])

    def _words(self, op_seed: int | None, base: Any) -> jax.Array:
        """Seed words of the op's pair, from the runtime global seed (TF's combine rules applied
        on the device) or, for an op with neither seed, from the call's entropy."""
        rng = self.rng
        has_global = rng[1] != 0
        if op_seed is None:
            o = self._take_slot(base)
            entropy = rng[4:8] ^ jnp.array([0, 0, o, 0], jnp.uint32)
        else:
            o = op_seed
            entropy = None
        g, o_word = _state.combine_traced(rng[0], has_global, o)
        zero = jnp.uint32(0)
        words = jnp.stack([g, zero, o_word, zero])
        if entropy is not None:
            words = jnp.where(has_global, words, entropy)
        return words

    def _counter(self, base: Any) -> jax.Array:
        n = self.rng[2:4]
        if base is self.top:
            return n
        if self.loop_ref is None:
            with _jax.in_trace(self.top):
                self.loop_ref = jax.new_ref(jnp.uint32(0))
        d = self.loop_ref[...]
        self.loop_ref[...] = d + 1
        return jnp.stack([n[0], jnp.uint32(_LOOP_BASE) + d])

    # ------------------------------------------------------------------ Generators
    def _entry(self, gen: Generator) -> list:
        entry = self.gens.get(id(gen))
        if entry is None:
            # Closed over and not seen before: use its current state as a constant for this
            # trace, and make it an input from the next call on. Hold its lock until the new
            # state is written back (Function.__call__ releases it), so that eager draws in
            # other threads cannot draw from the state this call is drawing from.
            gen._lock.acquire()
            _stripped.locked.append(gen)
            with _jax.in_trace(self.top):
                state = jnp.asarray(gen._state)  # concrete: it was never passed into a trace
            entry = self.gens[id(gen)] = [gen, state, None]
            self.gen_order.append(id(gen))
            self.new_closed.append(gen)
        return entry

    def _generator_base(self, gen: Generator) -> tuple[Any, list]:
        """The trace a Generator's state lives in here, or a clear error where a draw would
        repeat or lose its numbers."""
        base, batch, crossed = self._base()
        if _jax.shard_axes():
            raise _state.TracingError(_IN_SHARD_MAP.format(what=f"Drawing from {gen!r}"))
        if crossed:
            raise _state.TracingError(_GENERATOR_IN_BODY.format(gen=gen))
        return base, batch

    def read(self, gen: Generator) -> jax.Array | None:
        entry = self._entry(gen)
        base, _ = self._generator_base(gen)
        if base is self.top and entry[2] is None:
            return entry[1]
        if entry[2] is None:
            with _jax.in_trace(self.top):
                entry[2] = jax.new_ref(entry[1])
        with _jax.in_trace(base):
            return entry[2][...]

    def write(self, gen: Generator, state: jax.Array) -> bool:
        entry = self._entry(gen)
        base, batch = self._generator_base(gen)
        if self.elements or (batch and self.owner._vmap_randomness == "different"):
            raise _state.TracingError(_GENERATOR_IN_VMAP.format(gen=gen))
        state = _unbatch(state, gen)
        if base is self.top and entry[2] is None:
            entry[1] = state
            return True
        if entry[2] is None:
            with _jax.in_trace(self.top):
                entry[2] = jax.new_ref(entry[1])
        with _jax.in_trace(base):
            entry[2][...] = state
        return True

    def created(self, gen: Generator) -> None:
        if self._base()[0] is self.top:  # one made in a loop body cannot outlive it
            self.made.append(gen)

    def entropy(self, n_words: int) -> jax.Array:
        """Words for ``Generator.from_non_deterministic_state``: a hash of the call's entropy
        words (process nonce and call number, a runtime input, so every call differs), the
        draw's position and, in a loop body, the loop draw counter (so every iteration differs
        too). Chained threefry blocks keep the inputs apart: no two of them can cancel."""
        _entropy.require(f"{self.owner!r} (Generator.from_non_deterministic_state)")
        self.owner._uses_entropy = True
        base, _, _ = self._base()
        k = self.entropy_draws
        self.entropy_draws += 1
        hash_ = bit_generator("threefry").block  # a seed-derivation hash, whatever the algorithm
        with _jax.in_trace(base):
            e = self.rng[4:8]  # process call number lo/hi, nonce
            n = self._counter(base)
            key = jnp.stack(hash_(e[2:4], e[0], e[1]))
            key = jnp.stack(hash_(key, n[0] ^ jnp.uint32(_ENTROPY_SALT), n[1]))
            index = jnp.arange((n_words + 1) // 2, dtype=jnp.uint32)
            y0, y1 = hash_(key, jnp.full_like(index, k), index)
            return jnp.stack([y0, y1], axis=1).reshape(-1)[:n_words]

    def lineage(self, gen: Generator) -> int:
        """The index of ``gen`` among the Generators whose states the call returns: pytree
        copies of it (returned, or a lax.scan carry that is returned) carry it, and
        Function.__call__ maps them back to ``gen``."""
        self._entry(gen)
        return self.gen_order.index(id(gen))

    def final_states(self) -> tuple:
        out = []
        for key in self.gen_order:
            _, state, ref = self.gens[key]
            out.append(ref[...] if ref is not None else state)
        return tuple(out)


def _element_words(words: jax.Array, index: jax.Array, salt: int) -> jax.Array:
    """Independent seed-word vectors from ``words``, one per entry of ``index`` (uint32 of any
    shape; the words go on a new last axis): one threefry block each (key = the first two
    words, counter = (third word xor fourth word xor ``salt``, index))."""
    gen = bit_generator("threefry")  # a seed-derivation hash here, whatever the algorithm
    y0, y1 = gen.block(words[:2], words[2] ^ jnp.uint32(salt) ^ words[3], index)
    shape = jnp.shape(index)
    return jnp.stack([jnp.broadcast_to(words[0], shape), jnp.broadcast_to(words[1], shape), y0, y1], axis=-1)


def _unbatch(state: Any, gen: Generator) -> Any:
    """A Generator's new state seen from inside vmap: unbatched, or an error."""
    state, per_element = _jax.unbatched(state)
    if per_element:
        raise _state.TracingError(
            f"{gen!r} drew with per-element (vmapped) parameters inside jax.vmap; its state "
            "would differ per element. Draw outside the vmap, or use make_seeds() with "
            "stateless_* ops inside it."
        )
    return state
