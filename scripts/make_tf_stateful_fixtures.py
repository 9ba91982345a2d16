"""Write ``tests/data/tf_stateful_philox.json``: what TensorFlow's *stateful* random ops
(``tf.random.uniform``, ``tf.random.normal``, ``tf.random.truncated_normal``, ``tf.nn.dropout``)
return, call after call, under ``tf.random.set_seed``, op seeds, and ``tf.function``.

    pip install tensorflow-cpu   # never a dependency of seedkit; only this script needs it
    python scripts/make_tf_stateful_fixtures.py [--out tests/data]

The file is a list of *scenarios*, each a sequence of steps replayed in order from a clean TF
state (the script calls ``tf.random.set_seed(None)`` before each scenario and records nothing for
it, which clears every kernel counter and the global seed). A step is one of

* ``{"kind": "set_seed", "seed": int | null}``;
* ``{"kind": "op", "op", "args", "dtype", "shape", "out"}``: one eager call;
* ``{"kind": "function", "id", "ops": [{"op", "args"}, ...], "outs": [{"dtype", "shape", "out"}]}``:
  call a ``tf.function`` whose body makes the listed calls in order and returns their results as a
  tuple. The first step with an ``id`` (within a scenario) creates the function; later steps with
  the same ``id`` call that same object again (same ``ops``). A function is only called again under
  the global seed it was traced with.

``op`` is ``"uniform"``, ``"normal"``, ``"truncated_normal"`` or ``"dropout"``; ``args`` are the
keyword arguments (a missing key means TF's default, dtypes by name). For dropout, ``args["x"]`` is
``{"shape", "dtype"}`` and the tensor passed is
``(np.arange(prod(shape)) % 7 + 1).reshape(shape).astype(dtype)``. ``out`` is the flat (C order)
output: floats as hex strings of their bit patterns, integers as ints. Steps that involve a 64-bit
dtype (float64, int64) carry ``"x64": true``. The file records ``tf.__version__``.
"""

from __future__ import annotations

import _tf_reference as common
import numpy as np

tf = common.import_tensorflow()
tf.get_logger().setLevel("ERROR")  # silence the "retracing" note: every tf.function here is new

COLLIDE = 1892932127  # the first op seed TF draws after set_seed(1234)
WIDE = ("float64", "int64")
OPS = {
    "uniform": tf.random.uniform,
    "normal": tf.random.normal,
    "truncated_normal": tf.random.truncated_normal,
    "gamma": tf.random.gamma,
    "poisson": tf.random.poisson,
    "categorical": tf.random.categorical,
    "shuffle": tf.random.shuffle,
}
# TF samples these in double: seedkit matches them bit for bit only with jax_enable_x64.
DOUBLE_OPS = ("gamma", "poisson", "categorical")


# --- step builders -------------------------------------------------------------------------------


def U(shape, **kw):
    return ("uniform", {"shape": shape, **kw})


def N(shape, **kw):
    return ("normal", {"shape": shape, **kw})


def T(shape, **kw):
    return ("truncated_normal", {"shape": shape, **kw})


def D(shape, dtype, rate, **kw):
    return ("dropout", {"x": {"shape": shape, "dtype": dtype}, "rate": rate, **kw})


def G(shape, **kw):
    return ("gamma", {"shape": shape, **kw})


def P(shape, **kw):
    return ("poisson", {"shape": shape, **kw})


def C(logits, num_samples, **kw):
    return ("categorical", {"logits": logits, "num_samples": num_samples, "dtype": "int32", **kw})


def SH(n, **kw):
    return ("shuffle", {"value": list(range(n)), **kw})


def S(seed):
    return ("set_seed", seed)


def F(fid, *ops):
    return ("function", fid, list(ops))


# --- scenarios -----------------------------------------------------------------------------------


def _global_mix(extra=()):
    """A mix of unseeded and seeded calls for the set_seed sweep."""
    return [
        U([]),
        U([1]),
        U([0]),
        U([3]),
        U([4], seed=1),
        U([5], seed=1),
        U([3], minval=-5.0, maxval=5.0, seed=1),
        N([3], seed=1),
        U([2], seed=1),
        N([5]),
        T([2, 3]),
        U([4, 4], dtype="float16"),
        U([3], dtype="bfloat16"),
        U([5], minval=-5, maxval=5, dtype="int32"),
        U([2], minval=2.0, maxval=5.0),
        N([2], mean=1.5, stddev=2.0),
        T([3], mean=-1.0, stddev=0.5, seed=2),
        U([3], seed=0),
        U([3], seed=2**31 - 1),  # op seed 2**31-1 wraps to 0: same kernel as seed=0
        U([1]),
        *extra,
    ]


def scenarios() -> list[tuple[str, list]]:
    out = []
    # 1. The tf.random.set_seed documentation's deterministic examples.
    out.append(("doc_eager_global_seed", [S(1234), U([1]), U([1]), S(1234), U([1]), U([1])]))
    out.append(("doc_eager_op_seed_only", [U([1], seed=1), U([1], seed=1)]))
    out.append(
        (
            "doc_eager_set_seed_resets_counters",
            [S(1234), U([1], seed=1), U([1], seed=1), S(1234), U([1], seed=1), U([1], seed=1)],
        )
    )
    fg = [U([1]), U([1])]
    out.append(("doc_function_f_g", [S(1234), F("f", *fg), F("g", *fg), F("f", *fg), F("g", *fg)]))
    foo = [U([1], seed=1), U([1], seed=1)]
    out.append(("doc_function_foo_no_global_seed", [F("foo", *foo), F("foo", *foo)]))
    out.append(
        (
            "doc_function_foo_bar_1234",
            [
                S(1234),
                F("foo", *foo),
                F("foo", *foo),
                F("bar", *fg),
                F("bar", *fg),
                S(1234),
                F("foo", *foo),
                F("bar", *fg),
                F("foo", *foo),
            ],
        )
    )

    # 2. set_seed sweep.
    big = [
        U([1000]),
        U([3], dtype="float64"),
        N([3], dtype="float64"),
        U([4], minval=-(10**12), maxval=10**12, dtype="int64"),
        U([5], minval=0, maxval=2**31 - 1, dtype="int32"),
        N([4], dtype="float16"),
        T([5], dtype="bfloat16"),
        N([3], mean=-2.0, stddev=3.0, dtype="bfloat16"),
        T([4], dtype="float16", seed=1),
        U([5], seed=1),
        U([2], dtype="float64", seed=1),  # different dtype attr: its own kernel
    ]
    for s in [1234, 0, 1, -1, 2**31 - 1, 2**31, 2**63 - 1, -(2**63), 87654321]:
        extra = big if s == 1234 else [N([1000])] if s == 87654321 else []
        out.append((f"global_seed_{s}", [S(s), *_global_mix(extra)]))

    # 3. Op seeds only (global seed stays unset: TF uses 87654321).
    out.append(
        (
            "op_seed_only_small",
            [
                U([3], seed=0),
                U([2], seed=1),
                U([3], seed=-1),
                N([4], seed=7),
                U([1], seed=0),
                U([5], seed=1),
                U([2, 2], seed=-1),
                N([3], seed=7),
                U([4], seed=0),
                T([3], seed=7),
                U([], seed=1),
                U([4], minval=-5, maxval=5, dtype="int32", seed=1),
            ],
        )
    )
    out.append(
        (
            "op_seed_only_extremes",
            [
                U([3], seed=2**31 - 1),  # wraps to 0
                U([3], seed=2**31),  # wraps to 1
                U([3], seed=2**63 - 1),  # wraps to 1: shares the kernel above
                U([3], seed=-(2**63)),  # wraps to 2**31-3
                U([2], seed=2**31 - 1),
                U([2], seed=-(2**63)),
                U([3], seed=0),  # wraps to the same kernel as 2**31-1
                U([2], seed=1),  # and this one to the kernel of 2**31 / 2**63-1
                N([2], seed=2**63 - 1),
                U([4], seed=2**31),
            ],
        )
    )

    # 4. Op-seed collision: an unseeded call draws op seed COLLIDE and reuses the seeded kernel.
    out.append(
        (
            "collision_op_seed_1234",
            [S(1234), U([2], seed=COLLIDE), U([2]), U([2], seed=COLLIDE), U([2])],
        )
    )

    # 5. set_seed in the middle of a sequence.
    seq = [U([3]), N([2]), U([3], seed=5), U([2], seed=5), T([2], seed=5)]
    out.append(
        (
            "set_seed_resets_midway",
            [
                S(42),
                *seq,
                S(42),
                *seq,
                S(7),
                U([3]),
                U([3], seed=5),
                S(42),
                U([3]),
                U([3], seed=5),
                S(None),
                U([2], seed=3),  # no global seed again; counters restarted
                U([2], seed=3),
                S(42),
                U([2], seed=3),
            ],
        )
    )

    # 6. tf.function.
    h = [U([2]), N([3]), T([2])]
    out.append(("fn_unseeded_positions", [S(99), F("h", *h), F("h", *h), U([2], seed=0), F("h", *h)]))
    sd = [U([2], seed=1), U([2], seed=1), N([2], seed=1), U([3], seed=2)]
    out.append(("fn_seeded", [S(99), F("s", *sd), U([2], seed=1), F("s", *sd), F("s", *sd)]))
    mx = [U([2]), U([2], seed=0), U([2]), U([3], seed=7), D([2, 3], "float32", 0.5), N([2])]
    out.append(
        (
            "fn_mixed_set_seed_between_calls",
            [S(5), F("m", *mx), F("m", *mx), S(5), F("m", *mx), U([2], seed=0), F("m", *mx)],
        )
    )
    ds = [
        N([4], mean=1.0, stddev=2.0),
        T([5]),
        D([2, 3], "float32", 0.5),
        D([4], "float32", 0.0),  # rate 0: no random op, but the op-seed slot is still taken
        U([3], minval=-5, maxval=5, dtype="int32"),
        U([2], dtype="float16"),
        T([3], dtype="bfloat16", seed=4),
        D([2, 4], "float16", 0.25, noise_shape=[1, 4], seed=4),
    ]
    out.append(("fn_distributions", [S(2024), F("d", *ds), F("d", *ds), F("d", *ds)]))
    ib = [U([2]), N([2])]
    out.append(
        (
            "fn_identical_bodies",
            [S(1234), F("f1", *ib), F("f2", *ib), F("f1", *ib), U([2]), F("f2", *ib), F("f1", *ib)],
        )
    )
    sh = [U([2, 3]), U([0]), U([2, 3], seed=1), N([0], seed=1), N([2, 3])]
    out.append(("fn_shapes", [S(3), F("sh", *sh), F("sh", *sh), S(3), F("sh", *sh)]))
    ng = [U([3], seed=1), U([3], seed=1), N([2], seed=2), D([4], "float32", 0.5, seed=3)]
    out.append(
        (
            "fn_no_global_seed_seeded_ops",
            [F("n", *ng), U([3], seed=1), F("n", *ng), U([3], seed=1), F("n", *ng)],
        )
    )
    wd = [
        U([3], dtype="float64"),
        U([3], minval=-7, maxval=9, dtype="int64"),
        N([2], dtype="float64", seed=1),
    ]
    out.append(("fn_x64", [S(77), F("w", *wd), F("w", *wd)]))

    # 7. Dropout, eager.
    out.append(
        (
            "dropout_global_seed",
            [
                S(1234),
                D([10], "float32", 0.5),
                D([10], "float32", 0.5),
                D([4, 5], "float32", 0.25),
                D([3, 4], "float16", 0.9),
                D([2, 6], "float32", 0.5, noise_shape=[1, 6]),
                D([3, 4], "float16", 0.25, noise_shape=[1, 4]),
                D([10], "float32", 0.5, seed=1),
                D([10], "float32", 0.5, seed=1),
                D([10], "float16", 0.5, seed=1),  # float16 uniform: its own kernel
                U([10], seed=1),  # float32 RandomUniform with seed=1: shares the dropout kernel
                D([2, 3], "bfloat16", 0.25),
                D([1000], "float32", 0.5),
            ],
        )
    )
    out.append(
        (
            "dropout_op_seed_only",
            [
                D([8], "float32", 0.5, seed=3),
                D([2, 5], "float32", 0.25, seed=3),
                D([3, 4], "float32", 0.9, seed=3, noise_shape=[1, 4]),
                D([8], "float16", 0.5, seed=3),
                D([8], "float16", 0.9, seed=3),
                D([2, 5], "float16", 0.25, seed=3, noise_shape=[2, 1]),
            ],
        )
    )
    logits = [[-1.0, 0.5, 2.0, 0.0], [0.3, 0.3, 0.3, 0.3]]
    others = [
        G([3], alpha=[0.5, 2.0]),
        G([3], alpha=[0.5, 2.0], seed=1),
        G([4], alpha=[1.0, 7.5], beta=[2.0, 0.5], seed=1),
        P([4], lam=[3.0, 30.0]),
        P([5], lam=[0.5, 12.0, 1e4], seed=2),
        P([3], lam=[4.0], seed=2),
        C(logits, 6),
        C(logits, 5, seed=1),
        C(logits, 3, seed=1),
        SH(10),
        SH(10, seed=3),
        SH(7, seed=3),
        SH(1, seed=3),
        U([2], seed=3),
    ]
    out.append(("gamma_poisson_categorical_shuffle", [S(1234), *others, S(1234), *others[:4]]))
    out.append(("other_ops_op_seed_only", [o for o in others if "seed" in o[1]]))
    fn = F(
        "f", G([2], alpha=[3.0]), P([3], lam=[6.0, 25.0]), C(logits, 4), SH(9), G([2], alpha=[3.0], seed=4)
    )
    out.append(("fn_other_ops", [S(99), fn, fn, fn]))
    out.append(
        (
            "dropout_rate_zero_takes_op_seed",
            [S(1234), D([4], "float32", 0.0), U([2]), D([4], "float32", 0.0, seed=1), U([2], seed=1)],
        )
    )
    out.append(
        (
            "dropout_set_seed_repeat",
            [
                S(31337),
                D([6], "float32", 0.5),
                D([6], "float32", 0.5, seed=2),
                D([6], "float32", 0.5, seed=2),
                S(31337),
                D([6], "float32", 0.5),
                D([6], "float32", 0.5, seed=2),
                D([2, 3], "float16", 0.9, seed=2, noise_shape=[1, 3]),
            ],
        )
    )
    return out


# --- running -------------------------------------------------------------------------------------


def _x(spec: dict) -> np.ndarray:
    dt = tf.as_dtype(spec["dtype"]).as_numpy_dtype
    return (np.arange(int(np.prod(spec["shape"]))) % 7 + 1).reshape(spec["shape"]).astype(dt)


def _call(op: str, args: dict) -> tf.Tensor:
    kw = dict(args)
    if "dtype" in kw:
        kw["dtype"] = tf.as_dtype(kw["dtype"])
    if op == "dropout":
        return tf.nn.dropout(_x(kw.pop("x")), **kw)
    return OPS[op](**kw)


def _wide(*names) -> bool:
    return any(n in WIDE for n in names)


def _arg_dtypes(args: dict) -> list:
    return [args.get("dtype"), args.get("x", {}).get("dtype")]


def _function(body: list, traces: dict, fid: str):
    traces[fid] = 0

    def f():
        traces[fid] += 1
        return tuple(_call(op, args) for op, args in body)

    return tf.function(f)


def run_scenario(name: str, steps: list) -> dict:
    tf.random.set_seed(None)
    seed = None
    fns = {}  # id -> (ops, tf.function, global seed at trace time)
    traces = {}  # id -> number of times traced
    rec = []
    for step in steps:
        if step[0] == "set_seed":
            seed = step[1]
            tf.random.set_seed(seed)
            rec.append({"kind": "set_seed", "seed": seed})
        elif step[0] == "function":
            _, fid, ops = step
            if fid not in fns:
                body = [(op, dict(args)) for op, args in ops]
                fns[fid] = (ops, _function(body, traces, fid), seed)
            fops, fn, traced = fns[fid]
            assert fops == ops and traced == seed, (name, fid)
            outs = [common.encode_array(x) for x in fn()]
            r = {"kind": "function", "id": fid, "ops": [{"op": op, "args": a} for op, a in ops], "outs": outs}
            wide = _wide(*[d for _, a in ops for d in _arg_dtypes(a)], *[o["dtype"] for o in outs])
            if wide or any(op in DOUBLE_OPS for op, _ in ops):
                r["x64"] = True
            rec.append(r)
        else:
            op, args = step
            r = {"kind": "op", "op": op, "args": args, **common.encode_array(_call(op, args))}
            if _wide(*_arg_dtypes(args), r["dtype"]) or op in DOUBLE_OPS:
                r["x64"] = True
            rec.append(r)
    # A retrace would build new kernels (fresh counters): every function must be traced once.
    assert all(n == 1 for n in traces.values()), (name, traces)
    return {"name": name, "steps": rec}


def check_collision(sc: dict) -> None:
    """Check the collision scenario against the internals note (1.3, 1.5)."""
    tf.random.set_seed(None)
    tf.random.set_seed(1234)
    ref = [tf.random.uniform([2], seed=COLLIDE).numpy() for _ in range(3)]
    fresh = tf.random.uniform([2], seed=501869158).numpy()  # the second op seed after set_seed(1234)
    got = [np.array([int(h, 16) for h in s["out"]], np.uint32).view(np.float32) for s in sc["steps"][1:]]
    want = [ref[0], ref[1], ref[2], fresh]
    ok = all(np.array_equal(g, w) for g, w in zip(got, want, strict=True))
    print("collision check:", "as predicted" if ok else "NOT as predicted")
    for g, w in zip(got, want, strict=True):
        print("   ", g, w)
    assert ok


def main() -> None:
    out_dir = common.parse_out_dir(__doc__)
    out = [run_scenario(name, steps) for name, steps in scenarios()]
    check_collision(next(s for s in out if s["name"] == "collision_op_seed_1234"))
    doc = {
        "tf_version": tf.__version__,
        "generated_by": "scripts/make_tf_stateful_fixtures.py",
        "scenarios": out,
    }
    common.write_fixture(out_dir, "tf_stateful_philox.json", doc)


if __name__ == "__main__":
    main()
