"""Per-call overhead of seedkit.function against jax.jit with explicit keys, in one run.

    python benchmarks/bench_function.py

The function: one dropout and one matmul on small arrays, so the call overhead dominates. The
baseline is the idiomatic JAX version: a jitted step that takes a key, splits it, and returns
the new key with the result (one dispatch per call, as for seedkit.function). Reported: median
per-call time of each over alternating rounds, and the ratio (target: at most 1.2x).
"""

from __future__ import annotations

import statistics
import time

import jax
import jax.numpy as jnp

import seedkit


def _bench(fn, calls: int = 2000) -> float:
    for _ in range(50):
        out = fn()
    jax.block_until_ready(out)
    t = time.perf_counter()
    for _ in range(calls):
        out = fn()
    jax.block_until_ready(out)
    return (time.perf_counter() - t) / calls


def main() -> None:
    x = jnp.ones((8, 16))
    w = jnp.ones((16, 4))

    @seedkit.function
    def ours(x, w):
        return seedkit.nn.dropout(x, 0.1) @ w

    @jax.jit
    def theirs(key, x, w):
        key, sub = jax.random.split(key)
        keep = jax.random.bernoulli(sub, 0.9, x.shape)
        return key, (jnp.where(keep, x / 0.9, 0.0) @ w)

    state = {"key": jax.random.key(0)}

    def baseline():
        state["key"], y = theirs(state["key"], x, w)
        return y

    seedkit.set_seed(0)
    t_ours, t_base = [], []
    for _ in range(7):
        t_ours.append(_bench(lambda: ours(x, w)))
        t_base.append(_bench(baseline))
    a, b = statistics.median(t_ours), statistics.median(t_base)
    print(f"jax {jax.__version__}, {jax.devices()[0].platform}")
    print(f"seedkit.function (dropout + matmul): {a * 1e6:7.1f} us/call")
    print(f"jax.jit with explicit key split:     {b * 1e6:7.1f} us/call")
    print(f"ratio: {a / b:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    main()
