"""With ``set_default_algorithm("philox")``, the stateful ops (``seedkit.uniform``, ``normal``,
``truncated_normal``, ``nn.dropout``, ``shuffle``; ``gamma``, ``poisson`` and ``categorical``, which
TF samples in double, under ``jax_enable_x64``) and the same ops inside ``seedkit.function`` give
TensorFlow's own values, call after call, under every combination of global and op seeds.

The reference is ``tests/data/tf_stateful_philox.json``, written by
``scripts/make_tf_stateful_fixtures.py`` (TensorFlow 2.21, CPU, eager and ``tf.function``): each
scenario is a sequence of ``set_seed`` calls, eager op calls and calls of ``tf.function``s, replayed
here step by step and compared bit for bit.
"""

from __future__ import annotations

import json
import math
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import seedkit
from seedkit import _state
from tests._tf_fixtures import hex_bits

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "tf_stateful_philox.json").read_text())
SCENARIOS = DATA["scenarios"]

pytestmark = pytest.mark.usefixtures("isolated_rng", "philox_default")


def _call(op: str, args: dict):
    """One op call as the script made it in TF (x for dropout: (arange % 7 + 1) in its dtype)."""
    args = dict(args)
    if op == "dropout":
        spec = args.pop("x")
        n = math.prod(spec["shape"])
        x = (np.arange(n) % 7 + 1).reshape(spec["shape"]).astype(spec["dtype"])
        if spec["dtype"] == "bfloat16":
            x = jnp.asarray(x)
        return seedkit.nn.dropout(x, **args)
    if op == "shuffle":  # TF makes a list of ints int32
        return seedkit.shuffle(np.asarray(args.pop("value"), np.int32), **args)
    if op == "categorical":
        return seedkit.categorical(**args)
    shape = args.pop("shape")
    return getattr(seedkit, op)(shape, **args)


def _check(out, ref: dict, where: str) -> None:
    a = np.asarray(out)
    assert list(a.shape) == ref["shape"], where
    assert a.dtype.name == ref["dtype"], where
    assert hex_bits(a) == ref["out"], where


def _replay(scenario: dict) -> None:
    seedkit.set_seed(None)  # the script starts every scenario from a clean TF state
    functions: dict[str, seedkit.function] = {}
    for i, step in enumerate(scenario["steps"]):
        where = f"{scenario['name']} step {i}: {step}"
        if step["kind"] == "set_seed":
            seedkit.set_seed(step["seed"])
        elif step["kind"] == "op":
            _check(_call(step["op"], step["args"]), step, where)
        else:
            if step["id"] not in functions:
                ops = step["ops"]
                functions[step["id"]] = seedkit.function(
                    lambda ops=ops: tuple(_call(o["op"], o["args"]) for o in ops)
                )
            outs = functions[step["id"]]()
            assert len(outs) == len(step["outs"]), where
            for j, (out, ref) in enumerate(zip(outs, step["outs"], strict=True)):
                _check(out, ref, f"{where} output {j}")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario_matches_tensorflow(scenario):
    needs_x64 = any(step.get("x64") for step in scenario["steps"])
    with jax.enable_x64(needs_x64):
        _replay(scenario)


def test_fixture_covers_what_the_issue_asks():
    # Guard against a regenerated fixture that silently lost a kind of case.
    names = {s["name"] for s in SCENARIOS}
    assert {"doc_function_f_g", "collision_op_seed_1234", "set_seed_resets_midway"} <= names
    steps = [st for s in SCENARIOS for st in s["steps"]]
    ops = {st["op"] for st in steps if st["kind"] == "op"}
    assert ops == {
        "uniform",
        "normal",
        "truncated_normal",
        "dropout",
        "gamma",
        "poisson",
        "categorical",
        "shuffle",
    }
    seeds = {st["seed"] for st in steps if st["kind"] == "set_seed"}
    assert {0, -1, 2**63 - 1, -(2**63)} <= seeds
    assert any(st["kind"] == "function" for st in steps)
    assert DATA["tf_version"].startswith("2.")


def test_the_seed_documents_first_numbers():
    # tf.random.set_seed(1234); tf.random.uniform([4]) (tf_random_internals.md, appendix A).
    seedkit.set_seed(1234)
    assert hex_bits(seedkit.uniform([4])) == ["0x3f09bcf2", "0x3ebaaf4c", "0x3f14e5b6", "0x3e79ae28"]


# ------------------------------------------------------------------------ the setting itself
def test_default_is_threefry_and_the_setting_round_trips():
    seedkit.set_default_algorithm("threefry")
    assert seedkit.get_default_algorithm() == seedkit.Algorithm.THREEFRY
    seedkit.set_default_algorithm(seedkit.Algorithm.PHILOX)
    assert seedkit.get_default_algorithm() == seedkit.Algorithm.PHILOX
    seedkit.set_default_algorithm(2)
    assert seedkit.get_default_algorithm() == seedkit.Algorithm.THREEFRY


@pytest.mark.parametrize("bad", ["auto_select", None, 3])
def test_auto_select_is_not_a_default(bad):
    with pytest.raises(ValueError, match="set_default_algorithm\\('threefry'\\)"):
        seedkit.set_default_algorithm(bad)
    assert seedkit.get_default_algorithm() == seedkit.Algorithm.PHILOX  # unchanged


@pytest.mark.parametrize(("bad", "exc"), [("mersenne", ValueError), (7, ValueError), (1.0, TypeError)])
def test_unknown_algorithm_is_rejected(bad, exc):
    with pytest.raises(exc, match="`alg`"):
        seedkit.set_default_algorithm(bad)


def test_auto_select_follows_the_default_everywhere():
    philox = seedkit.stateless_uniform([3], seed=[1, 2], alg="philox")
    threefry = seedkit.stateless_uniform([3], seed=[1, 2], alg="threefry")
    np.testing.assert_array_equal(seedkit.stateless_uniform([3], seed=[1, 2]), philox)
    assert seedkit.Generator.from_seed(1).algorithm == seedkit.Algorithm.PHILOX
    seedkit.set_default_algorithm("threefry")
    np.testing.assert_array_equal(seedkit.stateless_uniform([3], seed=[1, 2]), threefry)
    assert seedkit.Generator.from_seed(1).algorithm == seedkit.Algorithm.THREEFRY


def test_threefry_and_philox_counters_do_not_mix():
    # Switching back and forth: each algorithm's op continues its own counter.
    seedkit.set_seed(5)
    p1 = seedkit.uniform([2], seed=1)
    seedkit.set_default_algorithm("threefry")
    t1 = seedkit.uniform([2], seed=1)
    seedkit.set_default_algorithm("philox")
    p2 = seedkit.uniform([2], seed=1)
    seedkit.set_default_algorithm("threefry")
    t2 = seedkit.uniform([2], seed=1)
    seedkit.set_seed(5)
    np.testing.assert_array_equal(seedkit.uniform([2], seed=1), t1)
    np.testing.assert_array_equal(seedkit.uniform([2], seed=1), t2)
    seedkit.set_default_algorithm("philox")
    np.testing.assert_array_equal(seedkit.uniform([2], seed=1), p1)
    np.testing.assert_array_equal(seedkit.uniform([2], seed=1), p2)


def test_philox_state_is_in_snapshots():
    seedkit.set_seed(9)
    seedkit.uniform([3], seed=1)
    snap = seedkit.get_state()
    a = seedkit.uniform([3], seed=1), seedkit.uniform([3])
    seedkit.set_state(snap)
    b = seedkit.uniform([3], seed=1), seedkit.uniform([3])
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def test_shuffle_is_tensorflows():
    # tf.random.shuffle(tf.range(10), seed=3) with no global seed (TF 2.21; the internals note:
    # same Fisher-Yates as stateless_shuffle over PhiloxRandom(seed, seed2), ceil((n-1)/4) blocks).
    seedkit.set_seed(None)
    assert seedkit.shuffle(np.arange(10), seed=3).tolist() == [7, 2, 6, 8, 9, 1, 5, 3, 4, 0]


def test_neither_seed_draws_entropy_and_respects_determinism():
    seedkit.set_seed(None)
    assert not np.array_equal(seedkit.uniform([4]), seedkit.uniform([4]))
    seedkit.enable_op_determinism()
    try:
        with pytest.raises(RuntimeError, match="require a seed"):
            seedkit.uniform([4])
    finally:
        seedkit.disable_op_determinism()


def test_unseeded_ops_keep_a_counter_each_as_tfs_kernel_cache():
    # Documented cost of TF-exactness: under philox every drawn op seed names a kernel.
    seedkit.set_seed(3)
    before = _state.counter_table_size()
    for _ in range(5):
        seedkit.uniform([1])
    assert _state.counter_table_size() == before + 5


# ------------------------------------------------------------------------ seedkit.function limits
def _loop_fn(traces: list):
    @seedkit.function
    def f(n):
        traces.append(1)
        body = lambda i, buf: buf.at[i].set(seedkit.uniform([3]))  # noqa: E731
        return seedkit.uniform([2]), jax.lax.fori_loop(0, n, body, jnp.zeros((4, 3)))

    return f


def test_function_loop_counters_are_state():
    # The per-op execution counts of loop bodies are part of get_state/set_state and set_seed.
    traces: list = []
    f = _loop_fn(traces)
    seedkit.set_seed(8)
    first = f(2)
    f(3)
    snap = seedkit.get_state()
    a = f(1)
    seedkit.set_state(snap)
    b = f(1)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    seedkit.set_seed(8)
    for x, y in zip(f(2), first, strict=True):
        np.testing.assert_array_equal(x, y)
    # One re-trace when the counts first come back (their shape changes), none after that.
    assert len(traces) == 2


def test_function_loop_counters_refuse_to_become_tracers():
    f = _loop_fn([])
    seedkit.set_seed(8)
    # Under jax.vmap with vmap_randomness="different" (the default) philox ops refuse first
    # (no per-element rule, issue 13 item 4); with "same" the loop counters refuse.
    with pytest.raises(NotImplementedError, match="vmap_randomness='same'"):
        jax.vmap(f)(jnp.array([1, 2]))
    same = seedkit.function(f.__wrapped__, vmap_randomness="same")
    with pytest.raises(seedkit.TracingError, match="threefry"):
        jax.vmap(same)(jnp.array([1, 2]))


def test_function_vmap_needs_same_randomness():
    def body(x):
        return x + seedkit.uniform([])

    seedkit.set_seed(1)
    with pytest.raises(NotImplementedError, match="vmap_randomness='same'"):
        seedkit.function(lambda xs: jax.vmap(body)(xs))(jnp.zeros(3))
    same = seedkit.function(lambda xs: jax.vmap(body)(xs), vmap_randomness="same")(jnp.zeros(3))
    assert same[0] == same[1] == same[2]


@pytest.mark.parametrize(
    ("n", "m"),
    [(0, 256), (1, 2**40 + 3), (2**32 - 1, 2**32 + 1), (2**64 - 1, 2**64 - 1), (12345678901, 256 * 70001)],
)
def test_compiled_counter_product_is_exact(n, m):
    # seedkit.function computes call count * blocks per call in 16-bit limbs (32-bit ops only).
    from seedkit._words import times_const

    words = times_const(jnp.uint32(n & 0xFFFFFFFF), jnp.uint32(n >> 32), m)
    assert sum(int(w) << (32 * i) for i, w in enumerate(words)) == (n * m) % 2**128


def test_compiled_calls_continue_like_eager_calls():
    # One op node with an op seed: its n-th call is the n-th eager call of that seed (TF).
    f = seedkit.function(lambda: seedkit.normal([1001], seed=4))
    seedkit.set_seed(2)
    compiled = [f() for _ in range(3)]
    seedkit.set_seed(2)
    for c in compiled:
        np.testing.assert_array_equal(c, seedkit.normal([1001], seed=4))


def test_live_against_tensorflow():
    """A random scenario run by the installed TensorFlow and replayed here (skipped without TF;
    CI never installs it, the fixture above covers the same ground)."""
    pytest.importorskip("tensorflow")
    import sys

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "scripts"))
    import make_tf_stateful_fixtures as tf_side

    rng = np.random.default_rng(2026)
    steps = [tf_side.S(int(rng.integers(-(2**63), 2**63 - 1)))]
    for _ in range(30):
        shape = [int(d) for d in rng.integers(0, 6, rng.integers(0, 3))]
        seed = {} if rng.random() < 0.4 else {"seed": int(rng.integers(0, 4))}
        kind = rng.integers(0, 5)
        if kind == 0:
            steps.append(tf_side.U(shape, minval=-2.5, maxval=4.0, **seed))
        elif kind == 1:
            steps.append(tf_side.U(shape, minval=-7, maxval=9, dtype="int32", **seed))
        elif kind == 2:
            steps.append(tf_side.N(shape, mean=1.0, stddev=3.0, **seed))
        elif kind == 3:
            steps.append(tf_side.T(shape, dtype="float16", **seed))
        else:
            steps.append(tf_side.D(shape, "float32", 0.3, **seed))
    steps.append(tf_side.F("f", tf_side.U([3]), tf_side.N([2], seed=1), tf_side.D([4], "float32", 0.5)))
    steps.append(steps[-1])
    _replay(tf_side.run_scenario("live", steps))
