"""The Generator's error type and messages (see :mod:`seedkit.generator`)."""

from __future__ import annotations

from typing import Any

import jax

from seedkit._state import TracingError

_SEEDS_NEED_X64 = (
    "Generator(alg={alg!r}).make_seeds returns TF's int64 seeds, which need 64-bit types: enable "
    "them with jax.config.update('jax_enable_x64', True), or use split() (no 64-bit types "
    "needed) or alg='threefry'."
)


_NON_DETERMINISTIC_UNDER_DETERMINISM = (
    "Generator.from_non_deterministic_state() draws OS entropy, which op determinism forbids "
    "(as in TF). Use Generator.from_seed(seed), or call seedkit.disable_op_determinism()."
)


class GeneratorTraceError(TracingError):
    """A Generator was used inside a JAX transformation that it was not passed into (a
    :class:`seedkit.TracingError`, so one ``except`` covers both stateful layers)."""


_NON_DETERMINISTIC_TRACED = (
    "Generator.from_non_deterministic_state() was called inside jax.jit (or another JAX "
    "transformation): its entropy would be read once, at trace time, and every call would "
    "repeat the same numbers. Create it outside and pass it in:\n"
    "    wrong: jax.jit(lambda x: Generator.from_non_deterministic_state().normal(x.shape))\n"
    "    right: g = Generator.from_non_deterministic_state()\n"
    "           jax.jit(lambda g, x: (g, g.normal(x.shape)))(g, x)\n"
    "or compile with seedkit.function, which gives it fresh entropy at every call."
)


def closed_over_error(gen: Any) -> GeneratorTraceError:
    """The error for a Generator used where it may not draw (see ``Generator._read_state``)."""
    traced = isinstance(gen._state, jax.core.Tracer)
    where = (
        "its state belongs to an enclosing transformation (e.g. a lax.scan body or an inner "
        "jax.jit closing over a Generator that was passed to the outer function)"
        if traced
        else "it was closed over, so its state would be a constant of the traced function and "
        "every call would repeat the same numbers"
    )
    return GeneratorTraceError(
        "This Generator is used inside a JAX transformation (jax.jit, jax.vmap, lax.scan, "
        f"jax.checkpoint, ...) that it was not passed into: {where}. Pass the Generator in as an "
        "argument and return it (`def f(g, x): ...; return g, y`; in lax.scan, carry it), or "
        "compile the function with seedkit.function, which threads closed-over Generators for you. "
        "(Eager jax.grad, vjp and jvp run the function once and may draw; jax.vmap and anything "
        "staged may not.)"
    )
