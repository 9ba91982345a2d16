"""Write TensorFlow's own Philox numbers to tests/data/tf_philox_*.json.

Run with a Python that has ``tensorflow-cpu`` installed (never a dependency of seedkit):

    python scripts/make_tf_philox_fixtures.py [--out tests/data]

Everything is computed eagerly on the CPU, which is what seedkit's ``alg="philox"`` matches.
A *case* fixes what seedkit compiles for (function, shape, dtype, static arguments) and holds
*runs* over many seeds and parameter values, so that the tests compile each case once.
Arrays are stored as the base64 of their little-endian bytes (exact bits); large arrays that
are compared bit for bit are stored as the SHA-256 of those bytes plus their first values, to
keep the files small. Each file records ``tf.__version__``.

Files:

* ``tf_philox_exact.json``: key/counter scrambling, raw key/counter kernels, uniform floats
  (all float dtypes), bounded and full-range ints, split, fold_in, shuffle, index_shuffle, and
  stateful goldens (kernels built from ``(seed, seed2)``, Generators): compared bit for bit.
* ``tf_philox_normal.json``: normal and truncated normal values (float32, float16, bfloat16,
  float64), compared within a measured number of ulps.
"""

from __future__ import annotations

import base64
import hashlib

import _tf_reference as common
import numpy as np

tf = common.import_tensorflow()

# The base seeds, plus (1, 2) as int64 beside its int32 twin, and the int32 extremes.
SEEDS = [*common.BASE_SEEDS[:2], ((1, 2), "int64"), *common.BASE_SEEDS[2:], ((2**31 - 1, -(2**31)), "int32")]
SEEDS32 = [s for s in SEEDS if s[1] == "int32"] + [((0, 0), "int32"), ((-7, 99), "int32")]
LARGE = (10007,)
BIG = 64  # arrays with more elements than this are stored as a hash in the exact file
# Shapes that exercise the layout: scalar, empty, sizes not divisible by 4, rows that start
# inside a block (3, 7), a zero inside, a size-1 axis.
LAYOUT_SHAPES = [(), (0,), (1,), (3,), (5,), (3, 7), (2, 0, 3), (4, 1, 3), (2, 5, 6), LARGE]
FEW_SHAPES = [(), (3, 7), LARGE]


def _dt(name: str) -> tf.DType:
    return tf.as_dtype(name)


def encode(x: tf.Tensor, exact: bool = True) -> dict:
    a = np.array(x.numpy(), order="C")  # (ascontiguousarray would turn a scalar into shape [1])
    out = {"shape": list(a.shape), "dtype": x.dtype.name}
    if exact and a.size > BIG:
        out["sha256"] = hashlib.sha256(a.tobytes()).hexdigest()
        out["head_b64"] = base64.b64encode(a.reshape(-1)[:8].tobytes()).decode()
    else:
        out["b64"] = base64.b64encode(a.tobytes()).decode()
    return out


def seed_tensor(seed, dtype):
    return tf.constant(seed, dtype=_dt(dtype))


def run(seed, sdt, out, **extra) -> dict:
    return {"seed": list(seed), "seed_dtype": sdt, **extra, "out": out}


def uniform_cases() -> list:
    ranges = [(0.0, 1.0), (-5.5, 2.25), (2.2, 7.1), (-1000.0, 1000.0), (1e-3, 1e-3 + 2**-10), (-3e37, 3e37)]
    cases = []
    for dtype in ("float32", "float16", "bfloat16", "float64"):
        for shape in LAYOUT_SHAPES if dtype == "float32" else FEW_SHAPES:
            runs = []
            for i, (seed, sdt) in enumerate(SEEDS):
                lo, hi = ranges[i % len(ranges)]
                if dtype != "float32" and abs(hi) > 6e4:
                    lo, hi = -6e4, 6e4  # within float16's range
                x = tf.random.stateless_uniform(
                    shape, seed_tensor(seed, sdt), lo, hi, dtype=_dt(dtype), alg="philox"
                )
                runs.append(run(seed, sdt, encode(x), minval=lo, maxval=hi))
            cases.append({"shape": list(shape), "dtype": dtype, "runs": runs})
    return cases


def int_cases() -> list:
    bounds = {
        "int32": [(-5, 1000), (2, 11111), (-(2**31), 2**31 - 1), (0, 1), (-10, 10), (7, 2**31 - 1)],
        "int64": [
            (2, 11111),
            (common.INT64_MIN, common.INT64_MAX),
            (-5, 2**40),
            (0, 3),
            (-(2**62), 2**62 + 12345),
        ],
    }
    cases = []
    for dtype, rngs in bounds.items():
        for shape in [(), (5,), (3, 7), LARGE]:
            runs = []
            for i, (seed, sdt) in enumerate(SEEDS):
                lo, hi = rngs[i % len(rngs)]
                x = tf.random.stateless_uniform(
                    shape, seed_tensor(seed, sdt), lo, hi, dtype=_dt(dtype), alg="philox"
                )
                runs.append(run(seed, sdt, encode(x), minval=lo, maxval=hi))
            cases.append({"shape": list(shape), "dtype": dtype, "runs": runs})
    return cases


def full_int_cases() -> list:
    cases = []
    for dtype in ("int32", "uint32", "int64", "uint64"):
        for shape in [(5,), (3, 7)] + ([LARGE] if dtype in ("uint32", "int64") else []):
            runs = []
            for seed, sdt in SEEDS:
                x = tf.random.stateless_uniform(
                    shape, seed_tensor(seed, sdt), None, None, dtype=_dt(dtype), alg="philox"
                )
                runs.append(run(seed, sdt, encode(x)))
            cases.append({"shape": list(shape), "dtype": dtype, "runs": runs})
    return cases


def split_fold_in_cases() -> list:
    cases = []
    for seeds, sdt in ((SEEDS32, "int32"), ([s for s in SEEDS if s[1] == "int64"], "int64")):
        for num in (1, 3):
            runs = [
                run(s, sdt, encode(tf.random.split(seed_tensor(s, sdt), num=num, alg="philox")))
                for s, _ in seeds
            ]
            cases.append({"fn": "split", "seed_dtype": sdt, "num": num, "runs": runs})
        for ddt, datas in (("int32", (0, 3, -7)), ("int64", (2**40, -1))):
            runs = []
            for (s, _), data in zip(seeds, datas * len(seeds), strict=False):
                x = tf.random.fold_in(seed_tensor(s, sdt), tf.constant(data, _dt(ddt)), alg="philox")
                runs.append(run(s, sdt, encode(x), data=data))
            cases.append({"fn": "fold_in", "seed_dtype": sdt, "data_dtype": ddt, "runs": runs})
    return cases


def shuffle_cases() -> list:
    cases = []
    for shape in [(2,), (5,), (101,), (7, 3), (5000,)]:
        value = tf.reshape(tf.range(int(np.prod(shape))), shape)
        runs = [
            run(
                s,
                sdt,
                encode(tf.random.experimental.stateless_shuffle(value, seed_tensor(s, sdt), alg="philox")),
            )
            for s, sdt in SEEDS
        ]
        cases.append({"value_shape": list(shape), "runs": runs})
    return cases


def index_shuffle_cases() -> list:
    cases = []
    for max_index in (0, 1, 9, 129, 2389, 65535, 65536, 70000, 2**31, 2**32 - 1):
        if max_index < 200:
            idx = list(range(max_index + 1))
        else:
            idx = sorted({0, 1, 5, max_index // 3, max_index // 2, max_index - 1, max_index})
        runs = []
        for s, sdt in SEEDS:
            x = tf.random.experimental.index_shuffle(
                tf.constant(idx, tf.int64), seed_tensor(s, sdt), tf.constant(max_index, tf.int64)
            )
            runs.append(run(s, sdt, encode(x)))
        cases.append({"max_index": max_index, "index": idx, "runs": runs})
    return cases


def key_counter_runs() -> list:
    out = []
    for seed, sdt in SEEDS:
        key, counter = tf.raw_ops.StatelessRandomGetKeyCounter(seed=seed_tensor(seed, sdt))
        out.append({"seed": list(seed), "seed_dtype": sdt, "key": encode(key), "counter": encode(counter)})
    return out


def raw_counter_runs() -> list:
    """Raw V2 kernel with explicit key/counter: counters whose 128-bit increments carry."""
    out = []
    for key, counter in [
        (0x0123456789ABCDEF, [2**64 - 3, 5]),  # low 64 bits wrap into the high word
        (77, [2**64 - 2, 2**64 - 1]),  # the whole 128-bit counter wraps to 0
        (5, [2**32 - 2, 0]),  # carry from word 0 into word 1
    ]:
        x = tf.raw_ops.StatelessRandomUniformFullIntV2(
            shape=(3, 5),
            key=tf.constant([key], tf.uint64),
            counter=tf.constant(counter, tf.uint64),
            alg=1,
            dtype=tf.uint32,
        )
        out.append({"key": key, "counter": counter, "shape": [3, 5], "out": encode(x)})
    return out


def stateful_runs() -> list:
    """Stateful kernels: attributes (seed, seed2); calls advance by 256 blocks per element."""
    st = []
    tf.random.set_seed(1234)
    for call, shape in enumerate([(4,), (4,), (5,), (3, 2)]):
        x = tf.random.uniform(shape, seed=7)
        st.append(
            {
                "op": "uniform",
                "seed": 1234,
                "seed2": 7,
                "call": call,
                "shape": list(shape),
                "dtype": "float32",
                "out": encode(x),
            }
        )
    tf.random.set_seed(1234)
    for call in range(2):
        x = tf.random.uniform((6,), minval=-3, maxval=100, dtype=tf.int32, seed=7)
        st.append(
            {
                "op": "uniform_int",
                "seed": 1234,
                "seed2": 7,
                "call": call,
                "shape": [6],
                "dtype": "int32",
                "minval": -3,
                "maxval": 100,
                "out": encode(x),
            }
        )
    tf.random.set_seed(1234)
    x = tf.random.uniform([4])  # op seed 1892932127 = random.Random(1234).randint(0, 2**31 - 1)
    st.append(
        {
            "op": "uniform",
            "seed": 1234,
            "seed2": 1892932127,
            "call": 0,
            "shape": [4],
            "dtype": "float32",
            "out": encode(x),
        }
    )
    tf.random.set_seed(None)
    for call in range(2):  # no global seed: (DEFAULT_GRAPH_SEED, op seed)
        x = tf.random.uniform([3], seed=1)
        st.append(
            {
                "op": "uniform",
                "seed": 87654321,
                "seed2": 1,
                "call": call,
                "shape": [3],
                "dtype": "float32",
                "out": encode(x),
            }
        )
    for call in range(2):
        x = tf.raw_ops.RandomUniform(shape=[5], dtype=tf.float32, seed=-5, seed2=2**40 + 3)
        st.append(
            {
                "op": "uniform",
                "seed": -5,
                "seed2": 2**40 + 3,
                "call": call,
                "shape": [5],
                "dtype": "float32",
                "out": encode(x),
            }
        )
    return st


def generator_runs() -> list:
    gens = []
    g = tf.random.Generator.from_seed(1234)
    for op, shape in [("normal", (2, 3)), ("uniform", (3,)), ("uniform_full_int", (4,)), ("uniform", (7,))]:
        state = [int(v) for v in g.state.numpy()]
        if op == "normal":
            x = g.normal(shape)
        elif op == "uniform":
            x = g.uniform(shape)
        else:
            x = g.uniform_full_int(shape, dtype=tf.uint32)
        gens.append(
            {
                "op": op,
                "state": state,
                "shape": list(shape),
                "out": encode(x, exact=op != "normal"),
                "state_after": [int(v) for v in g.state.numpy()],
            }
        )
    g = tf.random.Generator.from_state([-101, 5, 77], alg="philox")  # counter low word near 2**64
    for shape in [(1000,), (3,)]:
        state = [int(v) for v in g.state.numpy()]
        x = g.uniform(shape)
        gens.append(
            {
                "op": "uniform",
                "state": state,
                "shape": list(shape),
                "out": encode(x),
                "state_after": [int(v) for v in g.state.numpy()],
            }
        )
    return gens


def normal_cases() -> dict:
    params = [(0.0, 1.0), (2.0, 3.0), (-1.5, 0.25)]
    plan = {
        "float32": [(), (5,), (3, 7), LARGE],
        "float16": [(2001,)],
        "bfloat16": [(2001,)],
        "float64": [(3, 7), (2001,)],
    }
    out: dict = {"normal": [], "truncated_normal": []}
    for fn_name, fn in (
        ("normal", tf.random.stateless_normal),
        ("truncated_normal", tf.random.stateless_truncated_normal),
    ):
        for dtype, shapes in plan.items():
            for shape in shapes:
                runs = []
                seeds = SEEDS if np.prod(shape) < 1000 else SEEDS[1:3]
                for i, (seed, sdt) in enumerate(seeds):
                    mean, std = params[i % len(params)]
                    x = fn(shape, seed_tensor(seed, sdt), mean, std, dtype=_dt(dtype), alg="philox")
                    runs.append(run(seed, sdt, encode(x, exact=False), mean=mean, stddev=std))
                out[fn_name].append({"shape": list(shape), "dtype": dtype, "runs": runs})
    tf.random.set_seed(1234)
    x = tf.random.normal([4])  # op seed 1892932127
    out["stateful_normal"] = [
        {"seed": 1234, "seed2": 1892932127, "shape": [4], "out": encode(x, exact=False)}
    ]
    return out


def main() -> None:
    out_dir = common.parse_out_dir(__doc__)
    exact = {
        "key_counter": key_counter_runs(),
        "raw_counter": raw_counter_runs(),
        "uniform": uniform_cases(),
        "uniform_int": int_cases(),
        "full_int": full_int_cases(),
        "split_fold_in": split_fold_in_cases(),
        "shuffle": shuffle_cases(),
        "index_shuffle": index_shuffle_cases(),
        "stateful": stateful_runs(),
        "generator": generator_runs(),
    }
    for name, cases in (("tf_philox_exact.json", exact), ("tf_philox_normal.json", normal_cases())):
        common.write_fixture(out_dir, name, {"meta": common.meta(__file__), "cases": cases})


if __name__ == "__main__":
    main()
