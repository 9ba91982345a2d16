"""Per-call latency of eager stateful ops against ``jax.random`` with a key split per call.

Run from the repository root::

    python benchmarks/bench_stateful.py [--calls 2000] [--rounds 7]

It measures, in one run and interleaved round by round (so machine noise hits every case
alike):

* baseline: ``key, sub = jax.random.split(key); jax.random.uniform(sub, (1,))``;
* ``seedkit.uniform((1,))`` after ``set_seed`` (an op seed drawn per call);
* ``seedkit.uniform((1,), seed=1)`` (one counter advancing);
* ``seedkit.normal((1,), seed=1)`` and ``seedkit.nn.dropout`` of a (1,) array, for reference;
* the two uniform cases again under ``set_default_algorithm("philox")`` (TF's numbers).

Each figure is the best of ``--rounds`` rounds of the mean over ``--calls`` calls, results
blocked on at the end of each round. The target is a ratio of at most 0.3 for the two uniform
cases.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp

import seedkit
from seedkit import nn
from seedkit import random as sk


def _philox(fn: Callable[[], jax.Array]) -> Callable[[], jax.Array]:
    def run() -> jax.Array:
        seedkit.set_default_algorithm("philox")
        try:
            return fn()
        finally:
            seedkit.set_default_algorithm("threefry")

    return run


def _per_call_us(fn: Callable[[], jax.Array], calls: int) -> float:
    out = None
    start = time.perf_counter()
    for _ in range(calls):
        out = fn()
    jax.block_until_ready(out)
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    state = {"key": jax.random.key(0)}

    def baseline() -> jax.Array:
        state["key"], sub = jax.random.split(state["key"])
        return jax.random.uniform(sub, (1,))

    x = jnp.ones((1,))
    cases: dict[str, Callable[[], jax.Array]] = {
        "jax.random split + uniform((1,))": baseline,
        "seedkit.uniform((1,)) after set_seed": lambda: sk.uniform((1,)),
        "seedkit.uniform((1,), seed=1)": lambda: sk.uniform((1,), seed=1),
        "seedkit.normal((1,), seed=1)": lambda: sk.normal((1,), seed=1),
        "seedkit.nn.dropout(x[1], 0.5, seed=1)": lambda: nn.dropout(x, 0.5, seed=1),
        "philox: seedkit.uniform((1,)) after set_seed": _philox(lambda: sk.uniform((1,))),
        "philox: seedkit.uniform((1,), seed=1)": _philox(lambda: sk.uniform((1,), seed=1)),
    }
    sk.set_seed(1234)
    for fn in cases.values():  # compile everything and warm the caches
        for _ in range(50):
            fn()
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(args.rounds):
        for name, fn in cases.items():
            best[name] = min(best[name], _per_call_us(fn, args.calls))

    base = best["jax.random split + uniform((1,))"]
    print(
        f"jax {jax.__version__}, backend {jax.default_backend()}, {args.calls} calls x {args.rounds} rounds"
    )
    print(f"{'case':46s} {'us/call':>9s} {'ratio':>7s}")
    for name, us in best.items():
        print(f"{name:46s} {us:9.2f} {us / base:7.3f}")


if __name__ == "__main__":
    main()
