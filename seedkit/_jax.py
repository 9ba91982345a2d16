"""Every contact seedkit has with JAX's tracing machinery, in one module.

seedkit's stateful half has to know *where* it runs: eagerly (a counter may advance), inside a
transformation that evaluates the function once per call (``jax.grad``, ``jax.vmap`` over eager
code), or inside one that stages it out (``jax.jit``, ``lax`` loop and ``cond`` bodies), where a
counter read at trace time would repeat its numbers on every call. ``seedkit.function`` also runs
a few operations in an enclosing trace and gives ``jax.vmap`` elements their own seeds. JAX has no
public API for most of this, so each use below names the public API it stands in for, whether it
is public (``jax.extend`` counts as public here) or private (``jax._src``), and the JAX versions
it was checked on. Nothing outside this module imports ``jax._src`` or looks at trace objects.

The mechanism is chosen to survive the change JAX 0.11 made to its trace context (commit
"take_current_trace should leave no trace", jax-ml/jax 71eb6f9): since 0.11 the current trace is
``None`` (not the eval trace) inside ``take_current_trace()`` and while a primitive's eager
implementation runs, so "the current trace *is* the eval trace captured at import" stopped being
a test for eager code, and seedkit 0.1.0 raised ``TracingError`` for every eager stateful op on
JAX 0.11. Here "eager" is a property of the trace's *type*, learned from JAX itself through the
public ``jax.core.eval_context()``, with ``None`` accepted as eager; nothing compares JAX's
internal objects by identity. "Staged" is learned by behaviour: whether a fresh constant becomes
a tracer.

Checked on: JAX 0.10.0 and 0.10.2 (CI runs the whole suite on both); JAX 0.11.0 and the
``main`` branch of Aug 2026 by reading their source (``jax/_src/core.py``,
``jax/_src/interpreters/batching.py``, ``jax/extend/core``).
"""

from __future__ import annotations

import contextlib
from typing import Any

import jax
import jax.numpy as jnp

# Private (jax._src.interpreters.batching; checked 0.10.0, 0.10.2, 0.11.0, main): the vmap trace
# and its tracers. Stands in for a public "vmap axes around this call" API, which JAX lacks
# (jax.interpreters.batching stopped re-exporting these in 0.11; jax.custom_batching.custom_vmap
# is not invoked for unbatched inputs, which is exactly the case seedkit.function needs: a seed
# made inside vmap that must differ per element). Used by seedkit.function only.
from jax._src.interpreters import batching as _batching

# Public (jax.extend.core, JAX >= 0.4.36; checked 0.10.0 - 0.11.0 and main): the innermost active
# trace, and running operations in a chosen trace. They stand in for nothing public in ``jax``.
from jax.extend.core import find_top_trace as _find_top_trace
from jax.extend.core import get_opaque_trace_state as _get_opaque_trace_state
from jax.extend.core import set_current_trace as _set_current_trace

Trace = Any  # a JAX trace object; opaque outside this module


def _eval_trace_type() -> type:
    # jax.core.eval_context() (public) installs JAX's eval trace; its type is what eager
    # evaluation looks like on this JAX, whatever the current context is while seedkit imports.
    with jax.core.eval_context():
        return type(_find_top_trace(None))


_EVAL_TYPE = _eval_trace_type()


def current_trace() -> Trace:
    """The innermost active trace of this thread (``None`` or the eval trace when eager)."""
    return _find_top_trace(None)


def is_eager_trace(trace: Trace) -> bool:
    """True for the contexts in which JAX evaluates operations at once: its eval trace, or no
    trace at all (JAX >= 0.11 inside ``take_current_trace`` and primitive implementations)."""
    return trace is None or isinstance(trace, _EVAL_TYPE)


def is_tracing() -> bool:
    """True while a JAX transformation is active on this thread (``jit``, ``vmap``, ``grad``,
    ``lax`` loop and ``cond`` bodies, ``eval_shape``, ``checkpoint``), whether or not any value
    is a tracer. Stands in for the private ``jax._src.core.trace_state_clean()``."""
    return not is_eager_trace(_find_top_trace(None))


def is_staging() -> bool:
    """True when the code running now is being staged out rather than evaluated: inside
    ``jax.jit``, a ``lax`` loop or ``cond`` body, ``jax.make_jaxpr``, ... (an enclosing
    ``jax.grad`` or ``jax.vmap`` over eager code evaluates, so it does not count).

    Learned by behaviour, not from trace types: a fresh constant is a tracer exactly when the
    innermost evaluating context stages (``jvp`` and ``vmap`` hand unbatched constants to their
    parent trace). Costs one primitive bind, so it is only asked off the eager fast path."""
    if not is_tracing():
        return False
    return isinstance(jnp.zeros((), jnp.uint32), jax.core.Tracer)


class TraceToken:
    """The identity of the context a Generator was made in: equal tokens mean the same trace.
    Eager contexts all share one token (``EAGER``)."""

    __slots__ = ("_opaque",)

    def __init__(self, opaque: Any) -> None:
        self._opaque = opaque

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TraceToken) and self._opaque == other._opaque

    def __hash__(self) -> int:
        return 0 if self._opaque is None else 1

    @property
    def eager(self) -> bool:
        return self._opaque is None


EAGER = TraceToken(None)


def _autodiff_trace_types() -> tuple[type, ...]:
    # The traces jax.jvp, jax.linearize, jax.vjp and jax.grad run a function in (JVPTrace and
    # LinearizeTrace on JAX 0.10 - 0.11, private classes), learned from JAX itself as for the
    # eval trace: no private name is imported. They evaluate as they go: an operation on
    # concrete values gives a concrete value, once per call.
    seen: set[type] = set()

    def probe(x):
        t = _find_top_trace(None)
        while t is not None and not is_eager_trace(t):
            seen.add(type(t))
            t = getattr(t, "parent_trace", None)
        return x

    with jax.core.eval_context():
        jax.jvp(probe, (1.0,), (1.0,))
        jax.linearize(probe, 1.0)
        jax.vjp(probe, 1.0)
        jax.grad(probe)(1.0)
    return tuple(seen)


def evaluates_once() -> bool:
    """True when the code running now runs once per call with concrete values around it:
    eagerly, or inside transformations that evaluate it as they go (``jax.grad``,
    ``value_and_grad``, ``vjp``, ``jvp``, ``linearize`` over eager code), where a stateful op
    may advance its counter as TF's ops do under ``GradientTape``. False as soon as any other
    transformation is active: staging (``jax.jit``, even inside ``ensure_compile_time_eval``;
    ``lax`` loop and ``cond`` bodies, ``jax.checkpoint``, ``make_jaxpr``) and ``jax.vmap``,
    whose one evaluation stands for every element (one counter step would give them all the
    same numbers). Unknown transformations count as "not once": a refusal, never a repeat."""
    t = _find_top_trace(None)
    while t is not None and not is_eager_trace(t):
        if not isinstance(t, _AUTODIFF_TYPES):
            return False
        t = getattr(t, "parent_trace", None)
    return True


def evaluates_once_above(base: Trace) -> bool:
    """:func:`evaluates_once`, counted from ``base`` (a trace :func:`current_trace` returned
    earlier) instead of from eager code: True when every trace between the current one and
    ``base`` is an autodiff trace (``jax.grad`` and friends, which evaluate as they go), so code
    running now runs once per run of ``base``. False inside a loop or ``cond`` body, inner
    ``jit``, ``vmap`` or ``checkpoint`` opened since, and when ``base`` is not below the current
    trace at all. ``seedkit.keras`` uses it: a Keras step's random state is an input of
    ``base`` and can advance once per run of it. Relies on ``parent_trace`` (private, as
    :func:`base_trace`)."""
    if is_eager_trace(base):
        return evaluates_once()
    t = _find_top_trace(None)
    while t is not base:
        if t is None or is_eager_trace(t) or not isinstance(t, _AUTODIFF_TYPES):
            return False
        t = getattr(t, "parent_trace", None)
    return True


def trace_token() -> TraceToken:
    """A token for the current trace. Uses the public ``jax.extend.core.get_opaque_trace_state``
    (what Flax NNX uses for the same job), which since 0.11 fails when no trace is set: eager
    contexts are folded into ``EAGER`` first."""
    if not is_tracing():
        return EAGER
    return TraceToken(_get_opaque_trace_state())


def evaluating():
    """Evaluate the block's operations at once, even while tracing (public:
    ``jax.core.eval_context``): for state that must be concrete, like the global Generator."""
    return jax.core.eval_context()


@contextlib.contextmanager
def in_trace(trace: Trace):
    """Run the block's operations in ``trace`` (an enclosing trace found by :func:`base_trace`):
    seedkit.function creates its state inputs and refs in its own top trace while a loop body or
    vmap is active."""
    with _set_current_trace(trace):
        yield


def base_trace(top: Trace) -> tuple[Trace, list[Trace], bool]:
    """Walk down from the current trace to ``top`` (a seedkit.function's own trace) or the
    nearest trace of the same kind (a loop body, cond branch or inner ``jit`` staged inside it).
    Return it, the vmap traces passed on the way (innermost first), and whether the walk went
    through a ``jax.checkpoint`` body: it runs once per run of its enclosing trace but is
    traced apart and recomputed in the backward pass, where it must draw what the forward pass
    drew, so its random state is taken in the enclosing trace, once. Relies on traces' ``parent_trace`` attribute
    (private; every transformation trace has it since 0.4.36)."""
    t = _find_top_trace(None)
    batch = []
    crossed = False
    while t is not top:
        if isinstance(t, type(top)):
            if not _is_checkpoint_body(t):
                break
            crossed = True
        elif isinstance(t, _batching.BatchTrace):
            batch.append(t)
        parent = getattr(t, "parent_trace", None)
        if parent is None:
            break
        t = parent
    return t, batch, crossed


def _is_checkpoint_body(trace: Trace) -> bool:
    # Private: jax.checkpoint traces its body with a debug_info whose traced_for is
    # "checkpoint / remat" (jax/_src/ad_checkpoint.py; the same string in 0.10.0, 0.10.2, 0.11.0
    # and main). Stands in for a public "am I inside a checkpointed function" query, which JAX
    # lacks. tests/test_jax_seam.py fails if the string changes.
    debug_info = getattr(getattr(trace, "frame", None), "debug_info", None)
    return str(getattr(debug_info, "traced_for", "")).startswith("checkpoint")


def shard_axes() -> tuple[str, ...]:
    """The mesh axes a ``jax.shard_map`` body running now is manual over (empty outside one).
    Public: ``jax.sharding.get_abstract_mesh().manual_axes``."""
    return tuple(jax.sharding.get_abstract_mesh().manual_axes)


def enclosing_vmaps() -> list[Trace]:
    """The vmap traces active around the code running now, outermost first (seedkit.function
    called under ``jax.vmap`` gives each element its own numbers)."""
    batch = []
    t = _find_top_trace(None)
    while t is not None:
        if isinstance(t, _batching.BatchTrace):
            batch.append(t)
        t = getattr(t, "parent_trace", None)
    return batch[::-1]


def parent_trace(trace: Trace) -> Trace:
    """The trace a vmap trace hands unbatched work to."""
    return trace.parent_trace


def vmap_axis_size(trace: Trace) -> int:
    """The size of the axis a vmap trace maps over."""
    return trace.axis_data.size


def batched(trace: Trace, value: jax.Array, axis: int = 0) -> jax.Array:
    """``value`` (computed in the vmap trace's parent, with the mapped axis at ``axis``) as a
    value of the vmap trace: what ``jax.vmap(in_axes=axis)`` would hand the function."""
    return _batching.BatchTracer(trace, value, axis)


def unbatched(value: Any) -> tuple[Any, bool]:
    """``value`` with vmap's wrappers taken off where they map nothing, and whether some
    wrapper does map an axis (then the value differs per element)."""
    while isinstance(value, _batching.BatchTracer):
        if value.batch_dim is not _batching.not_mapped:  # type: ignore[attr-defined, unused-ignore]  # typed in JAX 0.10.0, not in 0.10.2
            return value, True
        value = value.val
    return value, False


def _self_check() -> None:
    """Fail at import, with a message naming this module, if the assumptions above do not hold
    on the installed JAX (a new JAX release that changed them)."""
    if is_tracing():
        return  # imported inside a transformation: nothing reliable to check here
    seen: list[bool] = []
    jax.make_jaxpr(lambda: seen.append(is_tracing() and is_staging()) or 0)()  # type: ignore[func-returns-value]
    if seen != [True]:
        raise ImportError(
            f"seedkit cannot detect JAX tracing on jax {jax.__version__} (seedkit/_jax.py). "
            "Install a JAX version from the range in seedkit's pyproject.toml."
        )


_AUTODIFF_TYPES = _autodiff_trace_types()
_self_check()

__all__ = [
    "EAGER",
    "TraceToken",
    "base_trace",
    "batched",
    "current_trace",
    "enclosing_vmaps",
    "evaluates_once",
    "evaluates_once_above",
    "evaluating",
    "in_trace",
    "is_eager_trace",
    "is_staging",
    "is_tracing",
    "parent_trace",
    "trace_token",
    "unbatched",
    "vmap_axis_size",
]
