"""Write ``tests/data/tf_generator_philox.json``: sequences of ``tf.random.Generator`` draws
(alg="philox") with the state after each draw, then ``make_seeds(3)`` and ``split(2)`` (the children's
states and first draws), from TensorFlow itself.

    pip install tensorflow-cpu   # never a dependency of seedkit; only this script needs it
    python scripts/make_tf_generator_fixtures.py [--out tests/data]

Floats are stored as their bit patterns (hex) so the tests compare bit for bit. Only 32-bit
outputs are recorded: seedkit's tests run without ``jax_enable_x64``.
"""

from __future__ import annotations

import _tf_reference as common
import numpy as np

tf = common.import_tensorflow()

# Each draw: (method, shape, kwargs). Shapes cover empty, odd, not divisible by 4, and 2-D.
DRAWS = [
    ("uniform", [3], {}),
    ("uniform", [0], {}),
    ("normal", [5, 2], {}),
    ("uniform", [7], {"minval": -3, "maxval": 11, "dtype": "int32"}),
    ("truncated_normal", [9], {"mean": 1.0, "stddev": 2.0}),
    ("uniform_full_int", [5], {"dtype": "uint32"}),
    ("uniform_full_int", [3], {"dtype": "int32"}),
    ("uniform", [2, 3], {"minval": 2.0, "maxval": 5.0, "dtype": "float16"}),
    ("uniform", [4], {"dtype": "bfloat16"}),
    ("normal", [1], {}),
]

# (constructor, argument): states near the 64-bit carry and TF's from_seed rules.
STARTS = [
    ("from_seed", 1234),
    ("from_seed", 0),
    ("from_seed", -1),
    ("from_state", [2**63 - 600, 5, -7]),  # low counter word carries after a few draws
    ("from_state", [-1, -1, 42]),  # the whole 128-bit counter wraps
    ("from_key_counter", [987654321, [17, 3]]),
]


def main() -> None:
    out_dir = common.parse_out_dir(__doc__)
    cases = []
    for ctor, arg in STARTS:
        if ctor == "from_key_counter":
            g = tf.random.Generator.from_key_counter(arg[0], arg[1], alg="philox")
        elif ctor == "from_state":
            g = tf.random.Generator.from_state(np.array(arg, np.int64), alg="philox")
        else:
            g = tf.random.Generator.from_seed(arg, alg="philox")
        steps = []
        for method, shape, kwargs in DRAWS:
            kw = dict(kwargs)
            if "dtype" in kw:
                kw["dtype"] = getattr(tf, kw["dtype"])
            x = getattr(g, method)(shape, **kw)
            steps.append(
                {
                    "method": method,
                    "shape": shape,
                    "kwargs": kwargs,
                    "dtype": x.dtype.name,
                    "bits": common.encode_bits(x),
                    "state_after": [int(v) for v in g.state.numpy()],
                }
            )
        seeds = g.make_seeds(3)  # int64 [2, 3]
        streams = {"make_seeds": [[int(v) for v in row] for row in seeds.numpy()]}
        streams["state_after_make_seeds"] = [int(v) for v in g.state.numpy()]
        children = g.split(2)
        streams["state_after_split"] = [int(v) for v in g.state.numpy()]
        streams["children"] = [
            {"state": [int(v) for v in c.state.numpy()], "uniform3": common.encode_bits(c.uniform([3]))}
            for c in children
        ]
        cases.append({"ctor": ctor, "arg": arg, "steps": steps, "streams": streams})
    data = {"tensorflow": tf.__version__, "cases": cases}
    common.write_fixture(out_dir, "tf_generator_philox.json", data, indent=1)


if __name__ == "__main__":
    main()
