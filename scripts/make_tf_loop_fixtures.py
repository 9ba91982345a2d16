"""Write ``tests/data/tf_function_loops_philox.json``: what TensorFlow's stateful random ops return
inside a ``tf.function`` whose body has loops (``for i in tf.range(n)``, i.e. a ``While`` op) and
conditionals (``tf.cond``, an ``If`` op), call after call, under ``tf.random.set_seed``.

    pip install tensorflow-cpu   # never a dependency of seedkit; only this script needs it
    python scripts/make_tf_loop_fixtures.py [--out tests/data]

The six functions (``FUNCTIONS`` below; their bodies are fixed and described in ``"description"``)
take an int32 scalar ``n`` and/or a bool scalar ``flag``. Each is wrapped with an ``input_signature``,
so calls with other argument values never retrace; the script asserts that every function object was
traced exactly once (a retrace would build new kernels with fresh counters).

The file holds

* ``"functions"``: ``{name: {"description", "args", "op_seeds"}}``. ``op_seeds`` lists the random op
  nodes of the graph traced under ``set_seed(1234)`` (``"op_seeds_global_seed"``) as
  ``{"op_type", "seed", "seed2", "where", "name"}`` in graph (creation) order, descending into a
  ``While``'s ``cond``/``body`` and an ``If``'s ``then_branch``/``else_branch`` where the
  ``While``/``If`` node sits. ``where`` is ``"outer"``, ``"while_body"``, ``"cond_then"``,
  ``"cond_else"``, or a ``/``-joined path when nested (``"while_body/cond_then"``). Each of those
  bodies is its own ``FuncGraph`` with its own op-seed counter (0, 1, 2, ...), so e.g. an unseeded op
  in a loop body gets ``seed2 = 0`` just like the first unseeded op outside the loop; they are still
  different nodes, i.e. different kernels.
* ``"scenarios"``: each a sequence of steps replayed in order from a clean TF state (the script calls
  ``tf.random.set_seed(None)`` before each scenario and records nothing for it). A step is

  - ``{"kind": "set_seed", "seed": int | null}``;
  - ``{"kind": "call", "fn", "args": {"n": int} | {"flag": bool} | both, "outs": [{"dtype", "shape",
    "out"}, ...]}``: call function ``fn``. The first call of ``fn`` within a scenario creates a new
    ``tf.function`` object (and traces it); that step also carries ``"op_seeds"`` for that trace
    (the same list as above, under the global seed in force). Later calls reuse the object. A
    function is only called again under the global seed it was traced with.

``out`` is the flat (C order) output: float32 values as hex strings of their bit patterns.

Before writing, the script replays every scenario with a model of the internals note (sections
1.4-1.5): every random op node is one Philox kernel keyed by its ``(seed, seed2)`` attrs whose counter
starts at 0 when the function first runs (or after ``set_seed``) and advances by ``256 * N`` blocks each
time the node *executes* (every loop iteration; only the taken ``tf.cond`` branch), evaluated with
``StatelessRandom*V2(key=[seed], counter=[blocks, seed2])``. It asserts the recorded numbers equal the
model bit for bit.

Every loop body starts with ``tf.autograph.experimental.set_loop_options(parallel_iterations=1)``
(recorded as ``"loop_parallel_iterations": 1``), so iterations run strictly one after another. With
TF's default ``parallel_iterations=10`` the executor may run a later iteration's random op before an
earlier one's: the counters advance the same, but the rows come out permuted (seen at n = 2 in about
1 run of 40, in every run for n >= 60 on a 2-core machine), which no twin can reproduce. The file
records ``tf.__version__``.
"""

from __future__ import annotations

import _tf_reference as common
import numpy as np

tf = common.import_tensorflow()
tf.get_logger().setLevel("ERROR")  # silence the "retracing" note: every tf.function here is new

# Every loop body starts with set_loop_options(parallel_iterations=1): iterations run one at a time.
# With TF's default parallel_iterations=10 the executor may run the body's random op of a later
# iteration before an earlier one (seen at n = 2 in about 1 run of 40, and in most runs for n >= 60),
# so the rows come out permuted (the kernel counters themselves advance the same). Checked below.
SEQUENTIAL = 1
OP_SEEDS_GLOBAL = 1234  # the global seed under which "functions"[name]["op_seeds"] is traced
N_SPEC = tf.TensorSpec([], tf.int32, name="n")
FLAG_SPEC = tf.TensorSpec([], tf.bool, name="flag")


# --- the functions -------------------------------------------------------------------------------


def loop_uniform(n):
    """before = uniform([2]); for i in tf.range(n): rows[i] = uniform([3]); after = uniform([1]);
    return (before, rows [n, 3], after). All ops unseeded."""
    before = tf.random.uniform([2])
    ta = tf.TensorArray(tf.float32, size=n, element_shape=[3])
    for i in tf.range(n):
        tf.autograph.experimental.set_loop_options(parallel_iterations=1)  # see SEQUENTIAL
        ta = ta.write(i, tf.random.uniform([3]))
    after = tf.random.uniform([1])
    return before, ta.stack(), after


def loop_seeded(n):
    """for i in tf.range(n): a[i] = normal([2], seed=5); b[i] = tf.nn.dropout(ones([4]), rate=0.5,
    seed=6) (values 0.0 or 2.0); return (a [n, 2], b [n, 4])."""
    ta = tf.TensorArray(tf.float32, size=n, element_shape=[2])
    tb = tf.TensorArray(tf.float32, size=n, element_shape=[4])
    for i in tf.range(n):
        tf.autograph.experimental.set_loop_options(parallel_iterations=1)  # see SEQUENTIAL
        ta = ta.write(i, tf.random.normal([2], seed=5))
        tb = tb.write(i, tf.nn.dropout(tf.ones([4]), rate=0.5, seed=6))
    return ta.stack(), tb.stack()


def nested(n):
    """for i in tf.range(n): for j in tf.range(2): rows[i*2 + j] = uniform([1]) (unseeded);
    return rows [2n, 1]."""
    ta = tf.TensorArray(tf.float32, size=n * 2, element_shape=[1])
    for i in tf.range(n):
        tf.autograph.experimental.set_loop_options(parallel_iterations=1)  # see SEQUENTIAL
        for j in tf.range(2):
            tf.autograph.experimental.set_loop_options(parallel_iterations=1)  # see SEQUENTIAL
            ta = ta.write(i * 2 + j, tf.random.uniform([1]))
    return (ta.stack(),)


def cond(flag):
    """a = tf.cond(flag, lambda: uniform([2]), lambda: zeros([2])); b = uniform([2]); return (a, b).
    All random ops unseeded."""
    a = tf.cond(flag, lambda: tf.random.uniform([2]), lambda: tf.zeros([2]))
    b = tf.random.uniform([2])
    return a, b


def cond_both(flag):
    """a = tf.cond(flag, lambda: uniform([2]), lambda: normal([2])) (both unseeded);
    b = uniform([2], seed=3); return (a, b)."""
    a = tf.cond(flag, lambda: tf.random.uniform([2]), lambda: tf.random.normal([2]))
    b = tf.random.uniform([2], seed=3)
    return a, b


def loop_and_cond(n, flag):
    """for i in tf.range(n): rows[i] = tf.cond(flag, lambda: uniform([3]), lambda: normal([3]))
    (both unseeded); return rows [n, 3]."""
    ta = tf.TensorArray(tf.float32, size=n, element_shape=[3])
    for i in tf.range(n):
        tf.autograph.experimental.set_loop_options(parallel_iterations=1)  # see SEQUENTIAL
        ta = ta.write(i, tf.cond(flag, lambda: tf.random.uniform([3]), lambda: tf.random.normal([3])))
    return (ta.stack(),)


FUNCTIONS = {
    "loop_uniform": (loop_uniform, ("n",)),
    "loop_seeded": (loop_seeded, ("n",)),
    "nested": (nested, ("n",)),
    "cond": (cond, ("flag",)),
    "cond_both": (cond_both, ("flag",)),
    "loop_and_cond": (loop_and_cond, ("n", "flag")),
}
SPECS = {"n": N_SPEC, "flag": FLAG_SPEC}


def _description(fn) -> str:
    return " ".join(fn.__doc__.split())


def _tf_function(name: str):
    body, params = FUNCTIONS[name]
    return tf.function(body, input_signature=[SPECS[p] for p in params])


# --- op seeds ------------------------------------------------------------------------------------

RANDOM_OPS = ("RandomUniform", "RandomStandardNormal")
SUBGRAPHS = {
    "While": (("cond", "while_cond"), ("body", "while_body")),
    "If": (("then_branch", "cond_then"), ("else_branch", "cond_else")),
}


def _op_seeds(graph, funcs: dict, where: str = "outer") -> list:
    """Random op nodes of ``graph`` in creation order, descending into While/If bodies in place."""
    funcs = {**funcs, **graph._functions}
    out = []
    for op in graph.get_operations():
        if op.type.removeprefix("Stateless") == "While":
            assert op.get_attr("parallel_iterations") == SEQUENTIAL, op.name
        if op.type in RANDOM_OPS:
            out.append(
                {
                    "op_type": op.type,
                    "seed": op.get_attr("seed"),
                    "seed2": op.get_attr("seed2"),
                    "where": where,
                    "name": op.name,
                }
            )
        for attr, label in SUBGRAPHS.get(op.type.removeprefix("Stateless"), ()):
            sub = funcs[op.get_attr(attr).name].graph
            out += _op_seeds(sub, funcs, label if where == "outer" else f"{where}/{label}")
    return out


def _concrete_op_seeds(fn) -> list:
    graph = fn.get_concrete_function().graph
    return _op_seeds(graph, {})


# --- scenarios -----------------------------------------------------------------------------------


def S(seed):
    return ("set_seed", seed)


def C(fn, **args):
    return ("call", fn, args)


def _n_calls(fn, seed):
    return [S(seed), C(fn, n=3), C(fn, n=0), C(fn, n=2), S(seed), C(fn, n=1), C(fn, n=4)]


def _flag_calls(fn, seed):
    return [S(seed), C(fn, flag=True), C(fn, flag=False), C(fn, flag=True), S(seed), C(fn, flag=False)]


def _loop_cond_calls(seed):
    f = "loop_and_cond"
    return [
        S(seed),
        C(f, n=3, flag=True),
        C(f, n=2, flag=False),
        C(f, n=0, flag=True),
        C(f, n=1, flag=True),
        S(seed),
        C(f, n=2, flag=False),
        C(f, n=3, flag=True),
    ]


def scenarios() -> list[tuple[str, list]]:
    out = []
    for fn in ("loop_uniform", "loop_seeded", "nested"):
        out.append((f"{fn}_1234", _n_calls(fn, 1234)))
    for fn in ("cond", "cond_both"):
        out.append((f"{fn}_1234", [*_flag_calls(fn, 1234), C(fn, flag=True)]))
    out.append(("loop_and_cond_1234", _loop_cond_calls(1234)))
    # Global seed 0: the first unseeded op of a graph gets (0, 0) -> attrs (0, 2**31-1).
    out.append(("loop_uniform_0", [S(0), C("loop_uniform", n=2), C("loop_uniform", n=3)]))
    out.append(("cond_0", _flag_calls("cond", 0)))
    out.append(("nested_-7", [S(-7), C("nested", n=2), C("nested", n=1), S(-7), C("nested", n=3)]))
    out.append(("loop_and_cond_-7", _loop_cond_calls(-7)))
    # No global seed: only explicitly seeded ops, op seeds pair with the default graph seed 87654321.
    out.append(
        (
            "loop_seeded_no_global_seed",
            [C("loop_seeded", n=3), C("loop_seeded", n=1), S(None), C("loop_seeded", n=2)],
        )
    )
    # Several functions side by side: each graph has its own nodes, hence its own kernels.
    out.append(
        (
            "mixed_1234",
            [
                S(1234),
                C("loop_uniform", n=2),
                C("cond", flag=True),
                C("nested", n=1),
                C("loop_uniform", n=1),
                C("cond_both", flag=False),
                C("cond", flag=False),
                S(1234),
                C("cond", flag=True),
                C("loop_uniform", n=2),
                C("nested", n=2),
            ],
        )
    )
    return out


# --- running -------------------------------------------------------------------------------------


def run_scenario(name: str, steps: list) -> tuple[dict, list]:
    """Run one scenario; return its record and, for the model check, the raw outputs per call."""
    tf.random.set_seed(None)
    seed = None
    fns = {}  # name -> (tf.function, global seed at trace time)
    rec, raw = [], []
    for step in steps:
        if step[0] == "set_seed":
            seed = step[1]
            tf.random.set_seed(seed)
            rec.append({"kind": "set_seed", "seed": seed})
            continue
        _, fname, args = step
        params = FUNCTIONS[fname][1]
        assert set(args) == set(params), (name, fname, args)
        r = {"kind": "call", "fn": fname, "args": args}
        if fname not in fns:
            fns[fname] = (_tf_function(fname), seed)
            r["op_seeds"] = _concrete_op_seeds(fns[fname][0])  # traces it, under the current seed
        fn, traced = fns[fname]
        assert traced == seed, (name, fname)
        outs = [np.asarray(x.numpy()) for x in fn(*[args[p] for p in params])]
        r["outs"] = [common.encode_array(a) for a in outs]
        rec.append(r)
        raw.append(outs)
    # A retrace would build new kernels (fresh counters): every function must be traced once.
    counts = {f: fn.experimental_get_tracing_count() for f, (fn, _) in fns.items()}
    assert all(c == 1 for c in counts.values()), (name, counts)
    return {"name": name, "steps": rec}, raw


# --- model check ---------------------------------------------------------------------------------

STATELESS = {
    "RandomUniform": tf.raw_ops.StatelessRandomUniformV2,
    "RandomStandardNormal": tf.raw_ops.StatelessRandomNormalV2,
}


def _model_outputs(fname: str, args: dict, draw) -> list:
    """The function bodies again, ``draw(i, shape)`` drawing from node ``i`` of its ``op_seeds``."""
    n, flag = args.get("n"), args.get("flag")

    def rows(f, shape):
        return np.array([f() for _ in range(n)], np.float32).reshape([n, *shape])

    if fname == "loop_uniform":
        return [draw(0, [2]), rows(lambda: draw(1, [3]), [3]), draw(2, [1])]
    if fname == "loop_seeded":
        pairs = [(draw(0, [2]), np.where(draw(1, [4]) >= 0.5, 2.0, 0.0)) for _ in range(n)]
        return [np.array([p[k] for p in pairs], np.float32).reshape([n, 2 + 2 * k]) for k in (0, 1)]
    if fname == "nested":
        n *= 2
        return [rows(lambda: draw(0, [1]), [1])]
    if fname == "cond":
        return [draw(0, [2]) if flag else np.zeros([2], np.float32), draw(1, [2])]
    if fname == "cond_both":
        return [draw(0, [2]) if flag else draw(1, [2]), draw(2, [2])]
    if fname == "loop_and_cond":
        return [rows(lambda: draw(0, [3]) if flag else draw(1, [3]), [3])]
    raise KeyError(fname)


def check_model(sc: dict, raw: list) -> None:
    """Replay ``sc`` with one Philox counter per node (internals note 1.4-1.5) and compare bits."""
    blocks = {}  # (fn, node index) -> Philox blocks used since the last set_seed
    op_seeds = {}
    calls = iter(raw)
    for step in sc["steps"]:
        if step["kind"] == "set_seed":
            blocks.clear()
            continue
        fname = step["fn"]
        op_seeds.setdefault(fname, step.get("op_seeds"))
        nodes = op_seeds[fname]

        def draw(i, shape, fname=fname, nodes=nodes):
            node, key = nodes[i], (fname, i)
            b = blocks.get(key, 0)
            blocks[key] = b + 256 * int(np.prod(shape))
            op = STATELESS[node["op_type"]]
            k = tf.constant([node["seed"]], tf.uint64)
            c = tf.constant([b, node["seed2"]], tf.uint64)
            return op(shape=shape, key=k, counter=c, alg=1).numpy()

        want = _model_outputs(fname, step["args"], draw)
        got = next(calls)
        ok = len(got) == len(want) and all(
            g.shape == w.shape and np.array_equal(g.view(np.uint32), w.view(np.uint32))
            for g, w in zip(got, want, strict=True)
        )
        assert ok, (sc["name"], fname, step["args"], got, want)


def main() -> None:
    out_dir = common.parse_out_dir(__doc__)
    functions = {}
    for fname, (body, params) in FUNCTIONS.items():
        tf.random.set_seed(None)
        tf.random.set_seed(OP_SEEDS_GLOBAL)
        fn = _tf_function(fname)
        functions[fname] = {
            "description": _description(body),
            "args": list(params),
            "op_seeds": _concrete_op_seeds(fn),
        }
    out = []
    for name, steps in scenarios():
        sc, raw = run_scenario(name, steps)
        check_model(sc, raw)
        out.append(sc)
    print("model check: every call matches one-counter-per-node, 256*N blocks per execution")
    for fname, f in functions.items():
        print(f"  {fname}:", [(o["op_type"], o["seed"], o["seed2"], o["where"]) for o in f["op_seeds"]])
    doc = {
        "tf_version": tf.__version__,
        "generated_by": "scripts/make_tf_loop_fixtures.py",
        "op_seeds_global_seed": OP_SEEDS_GLOBAL,
        "loop_parallel_iterations": SEQUENTIAL,
        "functions": functions,
        "scenarios": out,
    }
    common.write_fixture(out_dir, "tf_function_loops_philox.json", doc)


if __name__ == "__main__":
    main()
