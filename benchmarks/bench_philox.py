"""Throughput of ``stateless_uniform`` (float32, 10**7 values): seedkit's philox path (TF's
numbers) against seedkit's threefry path and against TensorFlow's own ``stateless_uniform``,
in one run.

    python benchmarks/bench_philox.py [--n 10000000] [--rounds 7]

TensorFlow is measured when ``import tensorflow`` works in the same interpreter (a venv with both
``tensorflow-cpu`` and ``jax``); otherwise its row is skipped. Each figure is the median over
alternating rounds of the time per call with the seed passed at run time (no re-trace), the
result blocked on. The issue's target: philox at least TF's throughput. Also printed, outside
the target: normal and truncated normal rows (philox, and TF when present), and a check that
the philox numbers equal TF's when TF is present.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import jax
import numpy as np

from seedkit import stateless


def _time(fn, calls: int) -> float:
    jax.block_until_ready(fn())
    t = time.perf_counter()
    for _ in range(calls):
        out = fn()
    if hasattr(out, "block_until_ready"):
        out.block_until_ready()
    else:  # a TF tensor: fetching it waits for it
        np.asarray(out)
    return (time.perf_counter() - t) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**7)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=5)
    args = parser.parse_args()
    n, shape = args.n, (args.n,)
    seed = np.array([1, 2], np.int64)

    runs = {
        "seedkit philox  uniform": lambda: stateless.stateless_uniform(shape, seed, alg="philox"),
        "seedkit threefry uniform": lambda: stateless.stateless_uniform(shape, seed, alg="threefry"),
    }
    try:
        import tensorflow as tf

        tf_seed = tf.constant(seed)
        runs["tensorflow      uniform"] = lambda: tf.random.stateless_uniform(shape, tf_seed, alg="philox")
        tf_info = f"tensorflow {tf.__version__}, intra-op threads {tf.config.threading.get_intra_op_parallelism_threads() or 'default'}"
    except ImportError:
        tf = None
        tf_info = "tensorflow not importable here: its row is skipped"
    extra = {
        "seedkit philox  normal": lambda: stateless.stateless_normal(shape, seed, alg="philox"),
        "seedkit philox  truncated": lambda: stateless.stateless_truncated_normal(shape, seed, alg="philox"),
    }
    if tf is not None:
        extra["tensorflow      normal"] = lambda: tf.random.stateless_normal(shape, tf_seed, alg="philox")
        extra["tensorflow      truncated"] = lambda: tf.random.stateless_truncated_normal(
            shape, tf_seed, alg="philox"
        )

    times: dict[str, list[float]] = {k: [] for k in [*runs, *extra]}
    for _ in range(args.rounds):
        for name, fn in runs.items():
            times[name].append(_time(fn, args.calls))
    for name, fn in extra.items():
        for _ in range(max(1, args.rounds // 2)):
            times[name].append(_time(fn, max(1, args.calls // 2)))

    print(f"jax {jax.__version__} ({jax.devices()[0].platform}, {os.cpu_count()} CPUs); {tf_info}")
    print(f"stateless_uniform float32, n = {n:,}: median of {args.rounds} rounds")
    med = {k: statistics.median(v) for k, v in times.items() if v}
    for name, t in med.items():
        print(f"  {name}: {t * 1e3:8.2f} ms/call  {n / t / 1e9:6.3f} G values/s")
    philox = med["seedkit philox  uniform"]
    print(f"  philox / threefry time: {philox / med['seedkit threefry uniform']:.2f}x")
    if tf is not None:
        ratio = med["tensorflow      uniform"] / philox
        print(f"  philox throughput / TF throughput: {ratio:.2f}x (target >= 1)")
        same = np.array_equal(
            np.asarray(runs["seedkit philox  uniform"]()), runs["tensorflow      uniform"]().numpy()
        )
        print(f"  philox values == TF values: {same}")


if __name__ == "__main__":
    main()
