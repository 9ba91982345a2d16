"""The compact retry rounds that TF's rejection samplers (gamma, Poisson, binomial) share."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
from jax import lax


def retry_compact(state: tuple, run: Any, everyone: Any = None) -> tuple:
    """Finish the lanes of a rejection sampler that its first, vectorised attempt left undecided.

    ``state`` is a tuple of flat per-lane arrays, ``state[0]`` the lanes that are done. Rounds
    gather up to ``n / 16`` undecided lanes into a compact buffer and ``run(lanes, sub)`` takes
    them to the end (``lanes``: their positions, to gather parameters by; ``sub``: their state,
    padding marked done); the results are scattered back. Later attempts then cost what is still
    undecided, and a small buffer stays in cache. While more than 3/4 of the lanes are undecided,
    ``everyone(state)`` (if given) runs them all instead, where gathering would cost more. Every
    lane must read its own stream in order wherever it runs, so the values do not depend on the
    rounds; ``run`` and ``everyone`` must leave every lane they get done.
    """
    n = state[0].shape[0]
    size = min(n, max(64, n // 16))

    def compact(state):
        idx = jnp.nonzero(~state[0], size=size, fill_value=n)[0]
        valid = idx < n
        lanes = jnp.where(valid, idx, 0)
        sub = tuple(x[lanes] for x in state)
        sub = run(lanes, (sub[0] | ~valid, *sub[1:]))
        return tuple(x.at[idx].set(t, mode="drop") for x, t in zip(state, sub, strict=True))

    def round_(state):
        if everyone is None:
            return compact(state)
        return lax.cond(jnp.mean(~state[0]) > 0.75, everyone, compact, state)

    return lax.while_loop(lambda st: jnp.any(~st[0]), round_, state)
