"""Throughput and memory of seedkit's stateless core against jax.random, measured in one run.

    python benchmarks/bench_stateless.py [--quick]

Prints ratios (seedkit throughput / jax.random throughput, higher is better) for compiled
float32 uniform and normal at 1e6 and 1e7 elements, and the peak memory XLA plans for generating
1e8 float32 values, relative to the output's size. Absolute times on shared machines are noise;
the ratios compare two things measured side by side, alternating, median of several repeats.
"""

from __future__ import annotations

import argparse
import statistics
import time

import jax
import jax.numpy as jnp

import seedkit


def _time(fn, arg, repeats: int) -> float:
    jax.block_until_ready(fn(arg))
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(fn(arg))
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def throughput(repeats: int, sizes: list[int]) -> list[tuple[str, int, float, float]]:
    seed = jnp.array([1, 2], jnp.int32)
    key = jax.random.key(0)
    rows = []
    for n in sizes:
        pairs = [
            (
                "uniform",
                jax.jit(lambda s, n=n: seedkit.stateless_uniform((n,), s)),
                jax.jit(lambda k, n=n: jax.random.uniform(k, (n,))),
            ),
            (
                "normal",
                jax.jit(lambda s, n=n: seedkit.stateless_normal((n,), s)),
                jax.jit(lambda k, n=n: jax.random.normal(k, (n,))),
            ),
        ]
        for name, ours, theirs in pairs:
            t_ours, t_jax = [], []
            for _ in range(3):  # alternate so that machine noise hits both alike
                t_ours.append(_time(ours, seed, repeats))
                t_jax.append(_time(theirs, key, repeats))
            rows.append((name, n, statistics.median(t_ours), statistics.median(t_jax)))
    return rows


def peak_memory(n: int) -> float:
    f = jax.jit(lambda s: seedkit.stateless_uniform((n,), s))
    mem = f.lower(jnp.array([1, 2], jnp.int32)).compile().memory_analysis()
    out = n * 4
    return (mem.temp_size_in_bytes + mem.output_size_in_bytes) / out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 1e6 only")
    args = parser.parse_args()
    sizes = [10**6] if args.quick else [10**6, 10**7]
    print(
        f"jax {jax.__version__}, {jax.devices()[0].platform}, threefry_partitionable={jax.config.jax_threefry_partitionable}"
    )
    print(f"{'op':8} {'n':>9} {'seedkit ms':>11} {'jax ms':>9} {'speed-up':>9}")
    for name, n, a, b in throughput(5 if args.quick else 10, sizes):
        print(f"{name:8} {n:>9.0e} {a * 1e3:>11.2f} {b * 1e3:>9.2f} {b / a:>8.2f}x")
    print(f"peak memory for 1e8 float32 uniforms: {peak_memory(10**8):.2f}x the output size")


if __name__ == "__main__":
    main()
