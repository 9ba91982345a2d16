"""One process of a two-process jax.distributed job on 127.0.0.1 (run by test_multiprocess.py).

    python tests/_multiprocess_worker.py PROCESS_ID PORT

Prints one JSON line: what it refused before share_entropy() and what it drew after. Everything
runs in main(): pytest's doctest collection imports this module too.
"""

from __future__ import annotations

import json
import os
import sys


def _refused(call) -> str:
    try:
        call()
    except RuntimeError as e:
        return "share_entropy" if "seedkit.share_entropy()" in str(e) else f"other: {e}"
    return "drew"


def main(process_id: int, port: str) -> None:
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"
    import jax

    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(f"127.0.0.1:{port}", num_processes=2, process_id=process_id)

    import numpy as np

    import seedkit

    @seedkit.function
    def step():
        return seedkit.uniform([3]), seedkit.Generator.from_non_deterministic_state().normal([2])

    def values(x) -> list:
        return np.asarray(x).tolist()

    refused = {
        "eager_op": _refused(lambda: seedkit.uniform([2])),
        "function": _refused(step),
        "generator": _refused(seedkit.Generator.from_non_deterministic_state),
        "global_generator": _refused(seedkit.get_global_generator),
    }
    seedkit.set_seed(5)
    seeded = values(seedkit.uniform([2]))
    seedkit.set_seed(None)
    seedkit.share_entropy()
    a, b = step()
    drawn = {
        "eager_op": values(seedkit.uniform([3])),
        "function": [values(a), values(b), values(step()[0])],
        "generator": values(seedkit.Generator.from_non_deterministic_state().uniform([2])),
        "global_generator": values(seedkit.get_global_generator().uniform([2])),
    }
    per_process = values(seedkit.fold_in_process((1, 2)))
    result = {"process": jax.process_index(), "refused": refused, "seeded": seeded, "drawn": drawn}
    print(json.dumps({**result, "per_process": per_process}), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
