"""seedkit.function: TF's tf.function random semantics, value for value, under jax.jit."""

import pickle
import threading

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

import seedkit


def _f(x):
    return float(np.asarray(x).reshape(-1)[0])


pytestmark = pytest.mark.usefixtures("unseeded")


def _two_unseeded():
    return seedkit.uniform([1]), seedkit.uniform([1])


# ------------------------------------------------------------------ the seed document's examples
def test_f_and_g_give_the_same_sequence():
    seedkit.set_seed(1234)
    f = seedkit.function(_two_unseeded)
    g = seedkit.function(lambda: (seedkit.uniform([1]), seedkit.uniform([1])))
    a1, a2 = map(_f, f())
    b1, b2 = map(_f, g())
    assert (a1, a2) == (b1, b2) and a1 != a2


def test_unseeded_ops_take_op_seeds_by_position():
    # TF: the k-th unseeded op in a traced function gets op seed k, so it draws what an eager op
    # with seed=k draws on its first call; on the function's second call, what the eager op
    # draws on its second call.
    seedkit.set_seed(1234)
    bar = seedkit.function(_two_unseeded)
    first, second = bar(), bar()
    seedkit.set_seed(1234)
    e0 = [_f(seedkit.uniform([1], seed=0)) for _ in range(2)]
    e1 = [_f(seedkit.uniform([1], seed=1)) for _ in range(2)]
    assert [_f(first[0]), _f(second[0])] == e0
    assert [_f(first[1]), _f(second[1])] == e1


def test_foo_gives_a1_a1_then_a2_a2_and_set_seed_resets():
    @seedkit.function
    def foo():
        return seedkit.uniform([1], seed=1), seedkit.uniform([1], seed=1)

    seedkit.set_seed(1234)
    (a, b), (c, d) = foo(), foo()
    assert _f(a) == _f(b) and _f(c) == _f(d) and _f(a) != _f(c)
    seedkit.set_seed(1234)
    e, f = foo()
    assert (_f(e), _f(f)) == (_f(a), _f(a))
    # and they are the eager op's A1, A2 (same seed pair, same counters)
    seedkit.set_seed(1234)
    assert [_f(seedkit.uniform([1], seed=1)) for _ in range(2)] == [_f(a), _f(c)]


def test_bar_gives_a1_a2_then_a3_a4():
    seedkit.set_seed(1234)
    bar = seedkit.function(_two_unseeded)
    vals = [_f(v) for _ in range(2) for v in bar()]
    assert len(set(vals)) == 4


def test_op_seed_without_global_seed_uses_default_graph_seed():
    foo = seedkit.function(lambda: seedkit.uniform([2], seed=7))
    a = np.asarray(foo())
    seedkit.set_seed(seedkit.DEFAULT_GRAPH_SEED)
    foo2 = seedkit.function(lambda: seedkit.uniform([2], seed=7))
    np.testing.assert_array_equal(a, foo2())


def test_no_seed_at_all_draws_fresh_entropy_every_call():
    f = seedkit.function(lambda: seedkit.uniform([4]))
    outs = {np.asarray(f()).tobytes() for _ in range(5)}
    assert len(outs) == 5


def test_no_seed_draws_differ_for_every_call_and_op_position():
    # The call's entropy words are a process nonce and call number, with the op's position
    # folded in: no (call, position) pair may repeat another's words (a scheme that put both
    # into one word by XOR would give call 0 / op 1 the numbers of call 1 / op 0).
    f = seedkit.function(_two_unseeded)
    g = seedkit.function(_two_unseeded)
    outs = [np.asarray(x).tobytes() for _ in range(8) for h in (f, g) for x in h()]
    assert len(set(outs)) == len(outs) == 32


def test_non_deterministic_generators_differ_across_functions_calls_and_iterations():
    def make(carry, _):
        return carry, seedkit.Generator.from_non_deterministic_state().uniform([2])

    @seedkit.function
    def f():
        return jax.lax.scan(make, jnp.zeros(()), length=3)[1]

    @seedkit.function
    def g():
        return seedkit.Generator.from_non_deterministic_state().uniform([2])

    rows = [r.tobytes() for _ in range(3) for r in np.asarray(f())]
    rows += [np.asarray(g()).tobytes() for _ in range(3)]
    assert len(set(rows)) == len(rows) == 12


def test_zero_zero_pair_rule():
    seedkit.set_seed(0)
    f = seedkit.function(lambda: seedkit.uniform([2]))  # op seed 0 -> pair (0, 2**31 - 1)
    seedkit.set_seed(0)
    np.testing.assert_array_equal(f(), seedkit.uniform([2], seed=2**31 - 1))


# ------------------------------------------------------------------ runtime inputs, no re-tracing
def test_calls_and_set_seed_never_retrace():
    traces = []

    @seedkit.function
    def f(x):
        traces.append(1)
        return x + seedkit.normal(x.shape), x * seedkit.uniform(x.shape, seed=3)

    x = jnp.ones(3)
    seedkit.set_seed(1)
    first = f(x)
    for s in [1, 2, None, 5]:
        seedkit.set_seed(s)
        f(x)
    assert len(traces) == 1
    seedkit.set_seed(1)
    np.testing.assert_array_equal(f(x)[0], first[0])  # set_seed after tracing takes effect
    f(jnp.ones(5))  # a new shape traces once more
    f(jnp.ones(5))
    assert len(traces) == 2


def test_new_shape_keeps_counters_going():
    seedkit.set_seed(3)
    f = seedkit.function(lambda x: x + seedkit.uniform([1], seed=1))
    a = _f(f(jnp.zeros(1)))
    b = _f(f(jnp.zeros((1, 1))))  # re-traced, but this is the function's second call
    seedkit.set_seed(3)
    assert [a, b] == [_f(seedkit.uniform([1], seed=1)) for _ in range(2)]


def test_a_failed_call_does_not_count():
    # A call that raises (here while tracing) draws nothing: the next call draws the stream the
    # failed one would have drawn, as a failed eager op leaves its counter alone.
    def body(x):
        if x.shape[0] == 3:
            raise ValueError("boom")
        return seedkit.uniform([1], seed=1)

    f = seedkit.function(body)
    seedkit.set_seed(3)
    with pytest.raises(ValueError, match="boom"):
        f(jnp.zeros(3))
    a = _f(f(jnp.zeros(2)))
    seedkit.set_seed(3)
    assert a == _f(seedkit.uniform([1], seed=1))


def test_determinism_errors():
    f = seedkit.function(_two_unseeded)
    seedkit.enable_op_determinism()
    with pytest.raises(RuntimeError, match="seed"):
        f()
    seedkit.set_seed(1)
    f()  # fine with a global seed
    seedkit.set_seed(None)
    with pytest.raises(RuntimeError, match="seed"):
        f()  # already traced: checked before the call
    g = seedkit.function(lambda: seedkit.uniform([1], seed=2))
    g()  # an op seed is enough


# ------------------------------------------------------------------ loops, vmap, grad, nesting
def test_loops_draw_per_iteration_reproducibly():
    @seedkit.function
    def loops():
        _, a = lax.scan(lambda c, _: (c, seedkit.uniform([2])), 0, None, length=4)
        b = lax.fori_loop(0, 3, lambda i, acc: acc.at[i].set(seedkit.normal([])), jnp.zeros(3))

        def body(c):
            i, acc = c
            return i + 1, acc.at[i].set(seedkit.uniform([], seed=5))

        _, c = lax.while_loop(lambda c: c[0] < 3, body, (0, jnp.zeros(3)))
        return a, b, c

    seedkit.set_seed(7)
    first = loops()
    second = loops()
    a, b, c = (np.asarray(v) for v in first)
    assert len({tuple(r) for r in a.tolist()}) == 4
    assert len(set(b.tolist())) == 3 and len(set(c.tolist())) == 3
    assert not np.array_equal(np.asarray(second[0]), a)
    seedkit.set_seed(7)
    for x, y in zip(loops(), first, strict=True):
        np.testing.assert_array_equal(x, y)


def test_vmap_randomness_different_and_same():
    def body(x):
        return jax.vmap(lambda y: y + seedkit.normal([2]))(x)

    diff = np.asarray(seedkit.function(body)(jnp.zeros(4)))
    assert len({tuple(r) for r in diff.tolist()}) == 4
    same = np.asarray(seedkit.function(body, vmap_randomness="same")(jnp.zeros(4)))
    assert len({tuple(r) for r in same.tolist()}) == 1
    nested = seedkit.function(lambda x: jax.vmap(jax.vmap(lambda y: y + seedkit.uniform([])))(x))
    out = np.asarray(nested(jnp.zeros((3, 4))))
    assert len(set(out.ravel().tolist())) == 12


def test_vmap_randomness_is_reproducible():
    f = seedkit.function(lambda x: jax.vmap(lambda y: y + seedkit.uniform([]))(x))
    seedkit.set_seed(4)
    a = f(jnp.zeros(3))
    seedkit.set_seed(4)
    np.testing.assert_array_equal(f(jnp.zeros(3)), a)


def test_grad_of_a_seedkit_function():
    @seedkit.function
    def loss(w, x):
        return jnp.sum(seedkit.nn.dropout(x, 0.5) @ w)

    seedkit.set_seed(0)
    w, x = jnp.ones((3, 2)), jnp.ones((4, 3))
    g = jax.grad(loss)(w, x)
    # the gradient is the column sums of the dropout mask times 2 (the 1/(1-rate) scale)
    seedkit.set_seed(0)
    mask = seedkit.function(lambda x: seedkit.nn.dropout(x, 0.5))(x)
    np.testing.assert_allclose(g, np.repeat(np.asarray(mask).sum(0)[:, None], 2, 1), rtol=1e-6)
    assert np.all(np.isin(np.asarray(mask), [0.0, 2.0]))


def test_grad_inside_a_seedkit_function():
    @seedkit.function
    def step(w):
        noise = seedkit.normal(w.shape, seed=1)
        return jax.grad(lambda v: jnp.sum((v * seedkit.uniform(v.shape, seed=2)) ** 2))(w + noise)

    assert step(jnp.ones(3)).shape == (3,)


def test_nested_functions_run_inline():
    inner = seedkit.function(lambda: seedkit.uniform([1]))

    @seedkit.function
    def outer():
        return inner(), seedkit.uniform([1])

    seedkit.set_seed(9)
    a, b = outer()
    seedkit.set_seed(9)
    flat = seedkit.function(_two_unseeded)
    np.testing.assert_array_equal(np.stack([a, b]), np.stack(flat()))


def test_plain_jit_around_a_seedkit_function_is_an_error():
    f = seedkit.function(lambda x: x + seedkit.uniform([1]))
    with pytest.raises(seedkit.TracingError, match=r"seedkit\.function"):
        jax.jit(f)(jnp.zeros(1))
    with pytest.raises(seedkit.TracingError):
        jax.jit(lambda x: seedkit.uniform([1]) + x)(jnp.zeros(1))


# ------------------------------------------------------------------ Generators
def test_generator_argument_and_closure_advance_as_eager():
    closed = seedkit.Generator.from_seed(5)

    @seedkit.function
    def f(g, x):
        return x + g.normal([2]) + closed.uniform([2])

    g = seedkit.Generator.from_seed(6)
    outs = [np.asarray(f(g, 1.0)) for _ in range(3)]
    ge, ce = seedkit.Generator.from_seed(6), seedkit.Generator.from_seed(5)
    for out in outs:
        np.testing.assert_allclose(out, 1.0 + ge.normal([2]) + ce.uniform([2]), rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(g.state, ge.state)
    np.testing.assert_array_equal(closed.state, ce.state)


def test_generator_in_a_loop_body():
    g = seedkit.Generator.from_seed(1)

    @seedkit.function
    def f():
        _, xs = lax.scan(lambda c, _: (c, g.uniform([])), 0, None, length=5)
        return xs

    xs = np.asarray(f())
    e = seedkit.Generator.from_seed(1)
    np.testing.assert_array_equal(xs, [float(e.uniform([])) for _ in range(5)])
    np.testing.assert_array_equal(g.state, e.state)


def test_generator_in_kwargs_and_containers():
    f = seedkit.function(lambda xs, *, gen: [g.uniform([1]) for g in xs] + [gen.normal([1])])
    a, b = seedkit.Generator.from_seed(1), seedkit.Generator.from_seed(2)
    f([a, {"x": 1}.get("x") and b], gen=a)
    assert int(a.state[0]) == 2 and int(b.state[0]) == 1


def test_generator_passed_twice_and_swapped():
    f = seedkit.function(lambda a, b: (a.uniform([1]), b.uniform([1])))
    g = seedkit.Generator.from_seed(1)
    x, y = f(g, g)
    assert _f(x) != _f(y)
    np.testing.assert_array_equal(
        g.state, seedkit.Generator.from_seed(1).state + np.array([2, 0, 0, 0], np.uint32)
    )
    h = seedkit.Generator.from_seed(2)
    f(g, h)
    assert int(h.state[0]) == 1


# ------------------------------------------------------------------ state snapshot and threads
def test_get_state_set_state_and_fork_rng_cover_function_counters():
    f = seedkit.function(lambda: seedkit.uniform([1], seed=1))
    seedkit.set_seed(2)
    f()
    snap = pickle.loads(pickle.dumps(seedkit.get_state()))
    a, b = _f(f()), _f(f())
    seedkit.set_state(snap)
    assert [_f(f()), _f(f())] == [a, b]
    seedkit.set_state(snap)
    with seedkit.fork_rng():
        f()
        f()
    assert _f(f()) == a


def test_threads_never_repeat_values():
    seedkit.set_seed(11)
    f = seedkit.function(lambda: seedkit.uniform([1], seed=1))
    f()
    results = []

    def worker():
        for _ in range(20):
            results.append(_f(f()))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 80


# ------------------------------------------------------------------ jit options and errors
def test_jit_options_pass_through():
    @seedkit.function(static_argnums=(1,), static_argnames=("k",))
    def f(x, n, k=2):
        return x * n * k + seedkit.uniform([n])

    assert f(jnp.ones(3), 3, k=4).shape == (3,)
    g = seedkit.function(lambda x: x + seedkit.uniform(x.shape), donate_argnums=0)
    assert g(jnp.ones(2)).shape == (2,)
    assert seedkit.function(lambda x, *, n: seedkit.uniform([n]) + x, static_argnames="n")(
        1.0, n=2
    ).shape == (2,)


def test_wrapping():
    def documented():
        """doc"""
        return seedkit.uniform([1])

    assert seedkit.function(documented).__doc__ == "doc"


def test_bad_arguments():
    with pytest.raises(TypeError, match="callable"):
        seedkit.function(3)
    with pytest.raises(ValueError, match="vmap_randomness"):
        seedkit.function(lambda: 0, vmap_randomness="maybe")


def test_each_loop_body_and_branch_numbers_its_unseeded_ops_from_zero():
    # TF traces a while body and each cond branch into a graph of its own, and get_seed numbers
    # unseeded ops per graph (checked against TF 2.21 by scripts/make_tf_loop_fixtures.py).
    seen = []

    @seedkit.function
    def f(flag):
        seen.append(("outer", seedkit.get_seed(None)))
        lax.fori_loop(0, 2, lambda i, c: (seen.append(("loop", seedkit.get_seed(None))), c)[1], 0)
        lax.cond(flag, lambda: seen.append(("then", seedkit.get_seed(None))), lambda: None)
        seen.append(("outer", seedkit.get_seed(None)))
        return jnp.zeros(())

    seedkit.set_seed(1234)
    f(jnp.bool_(True))
    assert seen == [("outer", (1234, 0)), ("loop", (1234, 0)), ("then", (1234, 0)), ("outer", (1234, 1))]
