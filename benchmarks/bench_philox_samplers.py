"""Time per call of TF's double-precision samplers under ``alg="philox"`` (gamma, Poisson,
binomial, categorical), with ``jax_enable_x64`` (TF's numbers) and without (the float32
approximation), against seedkit's threefry samplers and TensorFlow's own kernels, in one run.

    python benchmarks/bench_philox_samplers.py [--n 100000] [--rounds 5]

TensorFlow is measured when ``import tensorflow`` works in the same interpreter; otherwise its
column is skipped. Each figure is the median over rounds of the time per call (compiled once
beforehand), the result blocked on. Ratios are against TF's time in the same run (against the
threefry sampler when TF is absent). The algorithms differ by design: seedkit's threefry samplers
are its own (categorical, for one, is Gumbel-max over every class), philox runs TF's.
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

import seedkit


def _time(fn, calls: int) -> float:
    out = fn()
    np.asarray(out)
    t = time.perf_counter()
    for _ in range(calls):
        out = fn()
    np.asarray(out)  # waits for JAX and TF results alike
    return (time.perf_counter() - t) / calls


def _cases(n: int) -> dict:
    """name -> (seedkit call taking alg, TF call or None): mixed parameters cover every branch."""
    rows = n // 100
    alpha = np.geomspace(0.05, 50.0, 100)
    lam = np.geomspace(0.5, 500.0, 100)
    counts, probs = np.geomspace(2.0, 2000.0, 100), np.linspace(0.05, 0.95, 100)
    logits = np.log(np.linspace(1.0, 2.0, 20))[None].repeat(rows, 0)
    seed = np.array([1, 2], np.int64)
    return {
        "gamma": (
            lambda alg: seedkit.stateless_gamma([rows, 100], seed, alpha, alg=alg),
            lambda tf: tf.random.stateless_gamma([rows, 100], seed, alpha),
        ),
        "poisson": (
            lambda alg: seedkit.stateless_poisson([rows, 100], seed, lam, alg=alg),
            lambda tf: tf.random.stateless_poisson([rows, 100], seed, lam),
        ),
        "binomial": (
            lambda alg: seedkit.stateless_binomial([rows, 100], seed, counts, probs, alg=alg),
            lambda tf: tf.random.stateless_binomial([rows, 100], seed, counts, probs),
        ),
        "categorical": (
            lambda alg: seedkit.stateless_categorical(logits, 100, seed, alg=alg),
            lambda tf: tf.random.stateless_categorical(logits, 100, seed),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=10)
    args = parser.parse_args()
    try:
        import tensorflow as tf
    except ImportError:
        tf = None
    print(
        f"jax {jax.__version__} ({jax.devices()[0].platform}, {os.cpu_count()} CPUs); n = {args.n:,} values"
    )
    print(f"{'sampler':12s} {'threefry':>10s} {'philox f32':>11s} {'philox x64':>11s} {'TF':>9s}   ms/call")
    for name, (ours, theirs) in _cases(args.n).items():
        runs = {
            "threefry": (lambda o=ours: o("threefry"), False),
            "philox f32": (lambda o=ours: o("philox"), False),
            "philox x64": (lambda o=ours: o("philox"), True),
        }
        times = {k: [] for k in runs}
        if tf is not None:
            times["TF"] = []
        for _ in range(args.rounds):
            for key, (fn, x64) in runs.items():
                with jax.enable_x64(x64):
                    times[key].append(_time(fn, args.calls))
            if tf is not None:
                times["TF"].append(_time(lambda t=theirs: t(tf), args.calls))
        med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
        cells = " ".join(
            f"{med.get(k, float('nan')):>10.2f}" for k in ("threefry", "philox f32", "philox x64", "TF")
        )
        base = med.get("TF", med["threefry"])
        against = "TF" if "TF" in med else "threefry"
        ratios = ", ".join(f"{k} {v / base:.2g}x" for k, v in med.items() if k != against)
        print(f"{name:12s} {cells}   ({ratios} {against}'s time)")


if __name__ == "__main__":
    main()
