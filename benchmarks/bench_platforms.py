"""Throughput of seedkit's samplers on whatever device JAX uses (issue 14's table): float32,
compiled, G values/s, with ratio columns against ``jax.random`` and against a plain fill.

    python benchmarks/bench_platforms.py [--sizes 1e6,1e7] [--rounds 10] [--calls 3]

Columns: ``jnp.full`` (a plain fill of the same output: the memory-bound ceiling of this
device as JAX writes it), seedkit threefry and philox ``stateless_uniform``/``stateless_normal``,
``jax.random.uniform``/``normal``; ``torch.rand``/``randn`` when ``import torch`` works (on the
GPU when JAX runs on one and torch sees CUDA, else on the CPU), CuPy's ``random.random`` and
``standard_normal`` when ``import cupy`` works and JAX runs on a GPU. Neither is required.

Every figure is the median over rounds of ``n * calls / time`` for ``calls`` back-to-back calls
(compiled beforehand, seeds and keys passed at run time so nothing is constant-folded), the
result waited for. Rounds alternate between the columns so that machine noise hits them alike.
Ratios: a uniform column against ``jax.random.uniform``, a normal column against
``jax.random.normal`` (higher is faster), and every column against the fill.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import jax
import jax.numpy as jnp

import seedkit


def _sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",") if s.strip()]


def _jax_columns(n: int) -> dict:
    """name -> (kind, callable taking no argument, waiter); kind is 'uniform', 'normal', 'fill'."""
    seed = jnp.array([1, 2], jnp.int32)
    key = jax.random.key(0)
    shape = (n,)
    fill = jax.jit(lambda x: jnp.full(shape, x, jnp.float32))
    ops = {
        "threefry uniform": ("uniform", lambda s: seedkit.stateless_uniform(shape, s, alg="threefry"), seed),
        "threefry normal": ("normal", lambda s: seedkit.stateless_normal(shape, s, alg="threefry"), seed),
        "philox uniform": ("uniform", lambda s: seedkit.stateless_uniform(shape, s, alg="philox"), seed),
        "philox normal": ("normal", lambda s: seedkit.stateless_normal(shape, s, alg="philox"), seed),
        "jax.random uniform": ("uniform", lambda k: jax.random.uniform(k, shape), key),
        "jax.random normal": ("normal", lambda k: jax.random.normal(k, shape), key),
    }
    one = jnp.float32(1.0)
    cols = {"jnp.full fill": ("fill", lambda: fill(one), jax.block_until_ready)}
    for name, (kind, f, arg) in ops.items():
        g = jax.jit(f)
        cols[name] = (kind, lambda g=g, a=arg: g(a), jax.block_until_ready)
    return cols


def _torch_columns(n: int, on_gpu: bool) -> dict:
    try:
        import torch
    except ImportError:
        return {}
    device = "cuda" if on_gpu and torch.cuda.is_available() else "cpu"
    gen = torch.Generator(device=device).manual_seed(0)

    def wait(out):
        if device == "cuda":
            torch.cuda.synchronize()
        return out

    return {
        f"torch.rand ({device})": (
            "uniform",
            lambda: torch.rand(n, generator=gen, device=device, dtype=torch.float32),
            wait,
        ),
        f"torch.randn ({device})": (
            "normal",
            lambda: torch.randn(n, generator=gen, device=device, dtype=torch.float32),
            wait,
        ),
    }


def _cupy_columns(n: int, on_gpu: bool) -> dict:
    if not on_gpu:
        return {}
    try:
        import cupy
    except ImportError:
        return {}
    rs = cupy.random.RandomState(0)

    def wait(out):
        cupy.cuda.Device().synchronize()
        return out

    return {
        "cupy random": ("uniform", lambda: rs.random_sample(n, dtype=cupy.float32), wait),
        "cupy standard_normal": ("normal", lambda: rs.standard_normal(n, dtype=cupy.float32), wait),
    }


def _rate(fn, wait, n: int, calls: int) -> float:
    """G values/s over ``calls`` back-to-back calls, the last result waited for."""
    t = time.perf_counter()
    for _ in range(calls):
        out = fn()
    wait(out)
    return n * calls / (time.perf_counter() - t) / 1e9


def measure(n: int, rounds: int, calls: int) -> dict[str, tuple[str, float]]:
    """name -> (kind, median G values/s) at size ``n``."""
    on_gpu = jax.devices()[0].platform == "gpu"
    cols = {**_jax_columns(n), **_torch_columns(n, on_gpu), **_cupy_columns(n, on_gpu)}
    for _kind, fn, wait in cols.values():  # compile, allocate, warm the allocators
        wait(fn())
        wait(fn())
    rates: dict[str, list[float]] = {name: [] for name in cols}
    for _ in range(rounds):
        for name, (_kind, fn, wait) in cols.items():
            rates[name].append(_rate(fn, wait, n, calls))
    return {name: (cols[name][0], statistics.median(r)) for name, r in rates.items()}


def _sci(n: int) -> str:
    """``10000000`` -> ``1e7``; other sizes as digits."""
    e = len(str(n)) - 1
    return f"1e{e}" if n == 10**e else str(n)


def _describe_device() -> str:
    d = jax.devices()[0]
    extra = f"{os.cpu_count()} CPUs" if d.platform == "cpu" else d.device_kind
    return f"jax {jax.__version__}, {d.platform} ({extra}), {len(jax.devices())} device(s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[10**6, 10**7], help="e.g. 1e7,1e8,1e9")
    parser.add_argument("--rounds", type=int, default=10, help="the median is over this many")
    parser.add_argument("--calls", type=int, default=3, help="back-to-back calls per round")
    args = parser.parse_args()
    print(_describe_device())
    print(f"float32, compiled, G values/s, median of {args.rounds} rounds of {args.calls} calls")
    results = {n: measure(n, args.rounds, args.calls) for n in args.sizes}
    names = list(next(iter(results.values())))
    print("| n | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for n, res in results.items():
        print(f"| {_sci(n)} | " + " | ".join(f"{res[k][1]:.3g}" for k in names) + " |")
    print()
    print("ratios: throughput / jax.random's of the same kind; throughput / the fill's")
    print("| n | column | vs jax.random | vs fill |")
    print("|---|---|---|---|")
    for n, res in results.items():
        fill = res["jnp.full fill"][1]
        for name, (kind, rate) in res.items():
            if kind == "fill":
                continue
            ref = res[f"jax.random {kind}"][1]
            print(f"| {_sci(n)} | {name} | {rate / ref:.2f}x | {rate / fill:.2f}x |")


if __name__ == "__main__":
    main()
