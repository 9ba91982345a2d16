"""Memory of the per-op counter table under philox (issue 16 case 22), in one run.

    python benchmarks/bench_counters.py [--calls 100000]

Under ``set_default_algorithm("philox")`` every unseeded stateful call names a TF kernel with a
counter of its own, so a loop of N unseeded ``uniform([1])`` calls keeps N counters. Reported:
the resident memory those calls add (after a warm-up, so compilation is not counted), the size
of a pickled ``get_state()``, and the eager time per call; the baseline is the same counters
held the way seedkit held them before (a dict keyed by ``(alg, op, dtype, g, o)`` tuples),
built in the same process from the same keys.
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import time

import seedkit
from seedkit import _state


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100_000)
    calls = parser.parse_args().calls
    seedkit.set_default_algorithm("philox")
    seedkit.set_seed(3)
    for _ in range(100):  # compile the kernel
        seedkit.uniform([1])
    seedkit.set_seed(3)
    gc.collect()
    before = _rss_mb()
    t = time.perf_counter()
    for _ in range(calls):
        seedkit.uniform([1])
    per_call = (time.perf_counter() - t) / calls
    gc.collect()
    ours = _rss_mb() - before
    state = seedkit.get_state()
    ours_pickle = len(pickle.dumps(state))

    # The baseline: the same entries as a dict of tuples (every key and int made here, as the
    # old table made them call by call).
    groups = list(_state._counters._groups.items())
    gc.collect()
    before = _rss_mb()
    as_dict = {(*group, o): n for group, g in groups for o, n in g.items()}
    gc.collect()
    theirs = _rss_mb() - before
    theirs_pickle = len(pickle.dumps(tuple(as_dict.items())))

    print(f"{calls} unseeded philox uniform([1]) calls, {len(as_dict)} counters")
    print(f"compact table: +{ours:6.1f} MB resident, get_state pickle {ours_pickle / 1e6:5.2f} MB")
    print(f"dict of tuples: +{theirs:6.1f} MB resident, pickle {theirs_pickle / 1e6:5.2f} MB")
    print(f"ratio: {ours / theirs:.2f}x the memory, {ours_pickle / theirs_pickle:.2f}x the pickle")
    print(f"eager time per unseeded call: {per_call * 1e6:.1f} us")


if __name__ == "__main__":
    main()
