"""Under ``set_default_algorithm("philox")``, random ops in loop bodies and ``cond`` branches of a
``seedkit.function`` give what the same ops give in TF's ``tf.function`` with ``tf.while_loop`` and
``tf.cond``: every op node is a kernel of its own whose counter moves each time the node runs
(every iteration; never for the branch not taken), and each loop body and branch numbers its
unseeded ops from 0, as TF traces each into a graph of its own.

The reference is ``tests/data/tf_function_loops_philox.json``, written by
``scripts/make_tf_loop_fixtures.py`` (TensorFlow 2.21, CPU). TF's loops run with
``parallel_iterations=1`` there: with TF's default of 10, TF may hand the random draws to the
iterations out of order (the script's author saw reversed rows), which nothing can reproduce;
seedkit draws in iteration order. The functions below are hand-written twins of the script's.
"""

from __future__ import annotations

import json
import pathlib

import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

import seedkit

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "tf_function_loops_philox.json").read_text())
SCENARIOS = DATA["scenarios"]
ROWS = 8  # buffer rows for the dynamic trip counts (the fixture's n is at most 4)

pytestmark = pytest.mark.usefixtures("isolated_rng", "philox_default")


def _rows(n, body, *widths):
    bufs = tuple(jnp.zeros((ROWS, w)) for w in widths)
    out = lax.fori_loop(0, n, body, bufs if len(bufs) > 1 else bufs[0])
    return out if len(bufs) > 1 else (out,)


def loop_uniform(n):
    before = seedkit.uniform([2])
    (rows,) = _rows(n, lambda i, r: r.at[i].set(seedkit.uniform([3])), 3)
    return before, rows, seedkit.uniform([1])


def loop_seeded(n):
    def body(i, ab):
        a, b = ab
        drop = seedkit.nn.dropout(jnp.ones([4]), rate=0.5, seed=6)
        return a.at[i].set(seedkit.normal([2], seed=5)), b.at[i].set(drop)

    return _rows(n, body, 2, 4)


def nested(n):
    def outer(i, rows):
        return lax.fori_loop(0, 2, lambda j, r: r.at[i * 2 + j].set(seedkit.uniform([1])), rows)

    return (lax.fori_loop(0, n, outer, jnp.zeros((2 * ROWS, 1))),)


def cond(flag):
    a = lax.cond(flag, lambda: seedkit.uniform([2]), lambda: jnp.zeros([2]))
    return a, seedkit.uniform([2])


def cond_both(flag):
    a = lax.cond(flag, lambda: seedkit.uniform([2]), lambda: seedkit.normal([2]))
    return a, seedkit.uniform([2], seed=3)


def loop_and_cond(n, flag):
    def body(i, rows):
        return rows.at[i].set(lax.cond(flag, lambda: seedkit.uniform([3]), lambda: seedkit.normal([3])))

    return _rows(n, body, 3)


TWINS = {f.__name__: f for f in (loop_uniform, loop_seeded, nested, cond, cond_both, loop_and_cond)}


def _bits(a: np.ndarray) -> list:
    return [hex(int(v)) for v in np.asarray(a, np.float32).view(np.uint32).reshape(-1)]


def _replay(scenario: dict) -> None:
    seedkit.set_seed(None)
    functions: dict[str, seedkit.function] = {}
    for i, step in enumerate(scenario["steps"]):
        where = f"{scenario['name']} step {i}: {step['kind']} {step.get('fn', '')} {step.get('args', step.get('seed'))}"
        if step["kind"] == "set_seed":
            seedkit.set_seed(step["seed"])
            continue
        if step["fn"] not in functions:
            functions[step["fn"]] = seedkit.function(TWINS[step["fn"]])
        args = step["args"]
        call_args = [jnp.int32(args["n"])] if "n" in args else []
        call_args += [jnp.bool_(args["flag"])] if "flag" in args else []
        outs = functions[step["fn"]](*call_args)
        assert len(outs) == len(step["outs"]), where
        for j, (out, ref) in enumerate(zip(outs, step["outs"], strict=True)):
            got = np.asarray(out)[: ref["shape"][0]]  # the loop buffers have spare rows
            assert list(got.shape) == ref["shape"], f"{where} output {j}"
            assert _bits(got) == ref["out"], f"{where} output {j}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario_matches_tensorflow(scenario):
    _replay(scenario)


def test_fixture_covers_loops_conds_and_reset():
    names = {s["name"] for s in SCENARIOS}
    assert {f"{f}_1234" for f in TWINS} <= names
    steps = [st for s in SCENARIOS for st in s["steps"]]
    assert any(st["kind"] == "call" and st["args"].get("n") == 0 for st in steps)
    assert any(st["kind"] == "call" and st["args"].get("flag") is False for st in steps)
    assert DATA["loop_parallel_iterations"] == 1
