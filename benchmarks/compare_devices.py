"""Counts, per sampler, algorithm and dtype, the values that differ between JAX's CPU backend and
its default device (a GPU), and the largest difference in ulp: the measured bound that issue 14
asks for where a platform difference remains.

    python benchmarks/compare_devices.py [--n 200000]

With the CPU as the only device there is nothing to compare: it says so and exits 0. Each case
is the same jitted function run on each device (the seed placed there, at run time); integers compare exactly, floats by their ulp distance.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import jax
import jax.numpy as jnp
import numpy as np

import seedkit

_INT = {2: np.int16, 4: np.int32, 8: np.int64}


def _ulp(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance in units in the last place (both arrays of one float dtype, no NaN)."""
    it = _INT[a.dtype.itemsize]
    ia = a.view(it).astype(np.int64)
    ib = b.view(it).astype(np.int64)
    top = np.int64(1) << (8 * a.dtype.itemsize - 1)
    # sign-magnitude bit patterns onto a monotone integer line: -m maps to -(its magnitude)
    ia = np.where(ia < 0, -(ia + top), ia)
    ib = np.where(ib < 0, -(ib + top), ib)
    return np.abs(ia - ib)


def _cases(n: int) -> dict:
    """name -> function of the seed (passed at run time, so that XLA cannot fold the whole
    computation into a constant on the host)."""
    alpha = np.tile(np.float32([0.3, 1.0, 2.5, 40.0, 0.05]), 2)
    cases = {}
    for alg in ("threefry", "philox"):
        for dt in ("float32", "float16", "bfloat16"):
            cases[f"{alg} uniform {dt}"] = lambda seed, alg=alg, dt=dt: seedkit.stateless_uniform(
                [n], seed, dtype=dt, alg=alg
            )
            cases[f"{alg} uniform [-2, 5) {dt}"] = lambda seed, alg=alg, dt=dt: seedkit.stateless_uniform(
                [n], seed, minval=-2.0, maxval=5.0, dtype=dt, alg=alg
            )
            cases[f"{alg} normal {dt}"] = lambda seed, alg=alg, dt=dt: seedkit.stateless_normal(
                [n], seed, dtype=dt, alg=alg
            )
            cases[f"{alg} truncated_normal {dt}"] = lambda seed, alg=alg, dt=dt: (
                seedkit.stateless_truncated_normal([n], seed, dtype=dt, alg=alg)
            )
        cases[f"{alg} parameterized_truncated_normal float32"] = lambda seed, alg=alg: (
            seedkit.stateless_parameterized_truncated_normal(
                [n], seed, means=0.5, stddevs=1.5, minvals=-1.0, maxvals=3.0, alg=alg
            )
        )
        cases[f"{alg} gamma float32"] = lambda seed, alg=alg: seedkit.stateless_gamma(
            [n // 10, 10], seed, alpha=alpha, alg=alg
        )
        cases[f"{alg} poisson int32"] = lambda seed, alg=alg: seedkit.stateless_poisson(
            [n // 10, 10], seed, lam=jnp.linspace(0.5, 500.0, 10), dtype="int32", alg=alg
        )
        cases[f"{alg} uniform int32"] = lambda seed, alg=alg: seedkit.stateless_uniform(
            [n], seed, minval=-7, maxval=1000, dtype="int32", alg=alg
        )
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    other = jax.devices()[0]
    cpu = jax.devices("cpu")[0]
    print(f"jax {jax.__version__}: {other.platform} ({other.device_kind}) against cpu")
    if other.platform == "cpu":
        print("the CPU is the only device: nothing to compare")
        return
    print(f"{'case':48s} {'differ':>9s} {'of':>9s} {'max ulp':>8s}")
    for name, fn in _cases(args.n).items():
        try:
            seed = np.array([1, 2], np.int32)
            a = np.asarray(jax.jit(fn)(jax.device_put(seed, cpu)))
            b = np.asarray(jax.jit(fn)(jax.device_put(seed, other)))
        except Exception as e:  # report and go on: one broken case must not hide the others
            print(f"{name:48s} error: {type(e).__name__}: {str(e).splitlines()[0][:80]}")
            continue
        if a.dtype.kind == "f" or a.dtype == jnp.bfloat16:
            both_nan = np.isnan(a.astype(np.float32)) & np.isnan(b.astype(np.float32))
            d = np.where(both_nan, 0, _ulp(a, b))
        else:
            d = (a != b).astype(np.int64)
        print(f"{name:48s} {int((d != 0).sum()):>9d} {d.size:>9d} {int(d.max(initial=0)):>8d}")


if __name__ == "__main__":
    main()
