"""Eager per-call latency of ``Generator`` draws against ``jax.random`` with a key split per call,
measured in one run; and compiled throughput of a Generator passed through ``jax.jit``.

    python benchmarks/bench_generator.py [--quick]

The issue's target: eager ``Generator.uniform((1,))`` costs at most 0.3x of
``key, sub = jax.random.split(key); jax.random.uniform(sub, (1,))``. Absolute times on shared
machines are noise; the ratios compare two loops measured side by side, alternating, median of
several rounds. The script also checks that repeated draws do not re-trace.
"""

from __future__ import annotations

import argparse
import statistics
import time

import jax
import jax.numpy as jnp

from seedkit import _generator_kernels as K
from seedkit.generator import Generator


def _per_call(fn, calls: int) -> float:
    t = time.perf_counter()
    for _ in range(calls):
        fn()
    out = fn()
    jax.block_until_ready(out)
    return (time.perf_counter() - t) / (calls + 1)


def compare(ours, theirs, calls: int, rounds: int) -> tuple[float, float]:
    """Median per-call seconds of ``ours`` and ``theirs``, alternating which runs first."""
    for _ in range(3):  # warm-up: compile and fill caches
        jax.block_until_ready(ours())
        jax.block_until_ready(theirs())
    a, b = [], []
    for r in range(rounds):
        if r % 2:
            b.append(_per_call(theirs, calls))
            a.append(_per_call(ours, calls))
        else:
            a.append(_per_call(ours, calls))
            b.append(_per_call(theirs, calls))
    return statistics.median(a), statistics.median(b)


def eager_rows(calls: int, rounds: int):
    g = Generator.from_seed(0)
    state = {"key": jax.random.key(0)}

    def jax_split(draw):
        def f():
            state["key"], sub = jax.random.split(state["key"])
            return draw(sub)

        return f

    cases = [
        ("uniform((1,))", lambda: g.uniform((1,)), jax_split(lambda k: jax.random.uniform(k, (1,)))),
        ("normal((1,))", lambda: g.normal((1,)), jax_split(lambda k: jax.random.normal(k, (1,)))),
        (
            "uniform int32 [0,10)",
            lambda: g.uniform((1,), 0, 10, dtype=jnp.int32),
            jax_split(lambda k: jax.random.randint(k, (1,), 0, 10)),
        ),
        ("uniform((1000,))", lambda: g.uniform((1000,)), jax_split(lambda k: jax.random.uniform(k, (1000,)))),
    ]
    rows = []
    for name, ours, theirs in cases:
        ours()  # first call per shape and dtype traces
        before = K._TRACES
        a, b = compare(ours, theirs, calls, rounds)
        rows.append((name, a, b, K._TRACES - before))
    return rows


def compiled_rows(n: int, repeats: int):
    @jax.jit
    def ours(g):
        return g, g.uniform((n,))

    @jax.jit
    def theirs(key):
        key, sub = jax.random.split(key)
        return key, jax.random.uniform(sub, (n,))

    g = Generator.from_seed(0)
    key = jax.random.key(0)
    jax.block_until_ready(ours(g))
    jax.block_until_ready(theirs(key))
    a, b = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        g, x = ours(g)
        jax.block_until_ready(x)
        a.append(time.perf_counter() - t)
        t = time.perf_counter()
        key, y = theirs(key)
        jax.block_until_ready(y)
        b.append(time.perf_counter() - t)
    return statistics.median(a), statistics.median(b)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    args = parser.parse_args()
    calls, rounds = (500, 5) if args.quick else (2000, 9)
    print(f"jax {jax.__version__}, {jax.devices()[0].platform}")
    print("eager per-call latency (Generator vs jax.random with a key split per call)")
    print(f"{'draw':22} {'Generator us':>13} {'jax us':>9} {'ratio':>7} {'re-traces':>10}")
    for name, a, b, retraces in eager_rows(calls, rounds):
        print(f"{name:22} {a * 1e6:>13.1f} {b * 1e6:>9.1f} {a / b:>6.2f}x {retraces:>10}")
    n = 10**6
    a, b = compiled_rows(n, 10 if args.quick else 30)
    print(
        f"compiled uniform({n:.0e}) with the Generator threaded through jax.jit: "
        f"{a * 1e3:.2f} ms vs jax.random {b * 1e3:.2f} ms ({a / b:.2f}x)"
    )


if __name__ == "__main__":
    main()
