"""The algorithm-independent behaviour, once, over every registered algorithm: seedkit's two and
a test-only third (tests/_third_algorithm.py) that nothing in seedkit knows about. A behaviour
that holds here holds because of the seam, not because of a per-algorithm branch."""

from __future__ import annotations

import pickle
import threading

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import seedkit
from seedkit._algorithms import register_algorithm, registered_algorithms, unregister_algorithm
from tests._algs import default_algorithm
from tests._third_algorithm import THIRD


@pytest.fixture(scope="module", autouse=True)
def third_registered():
    register_algorithm(THIRD)
    yield
    unregister_algorithm(THIRD.name)


ALGS = ["threefry", "philox", THIRD.name]


@pytest.fixture(params=ALGS)
def alg(request):
    """The test runs with ``request.param`` as the default algorithm, in a forked random state."""
    with default_algorithm(request.param) as name:
        yield name


def test_every_registered_algorithm_is_covered():
    assert sorted(a.name for a in registered_algorithms()) == sorted(ALGS)


def test_registering_twice_or_an_unknown_name_fails():
    with pytest.raises(ValueError, match="already registered"):
        register_algorithm(THIRD)
    with pytest.raises(ValueError, match="philox_fold_in"):
        seedkit.stateless_uniform([2], (1, 2), alg="nope")


def test_stateless_is_a_pure_function_of_the_seed(alg):
    a = seedkit.stateless_uniform([64], seed=(1, 2), alg=alg)
    assert (a == seedkit.stateless_uniform([64], seed=(1, 2), alg=alg)).all()
    assert (a == jax.jit(lambda s: seedkit.stateless_uniform([64], seed=s, alg=alg))(jnp.array([1, 2]))).all()
    assert not (a == seedkit.stateless_uniform([64], seed=(1, 3), alg=alg)).any()
    assert float(a.min()) >= 0 and float(a.max()) < 1


def test_algorithms_give_different_streams(alg):
    others = [o for o in ALGS if o != alg]
    mine = seedkit.stateless_uniform([16], seed=(5, 6), alg=alg)
    for other in others:
        assert not (mine == seedkit.stateless_uniform([16], seed=(5, 6), alg=other)).all()


def test_op_counters_advance_and_set_seed_resets(alg):
    seedkit.set_seed(3)
    a1, a2 = seedkit.uniform([4], seed=7), seedkit.uniform([4], seed=7)
    n1 = seedkit.normal([3])
    assert not (a1 == a2).any()
    seedkit.set_seed(3)
    assert (seedkit.uniform([4], seed=7) == a1).all()
    assert (seedkit.uniform([4], seed=7) == a2).all()
    assert (seedkit.normal([3]) == n1).all()


def test_state_round_trip_and_pickle(alg):
    seedkit.set_seed(11)
    seedkit.uniform([2])
    saved = pickle.loads(pickle.dumps(seedkit.get_state()))
    x = (seedkit.uniform([5]), seedkit.uniform([5], seed=1), seedkit.nn.dropout(jnp.ones(8), 0.5))
    seedkit.set_state(saved)
    y = (seedkit.uniform([5]), seedkit.uniform([5], seed=1), seedkit.nn.dropout(jnp.ones(8), 0.5))
    for u, v in zip(x, y, strict=True):
        assert (u == v).all()


def test_generator_draws_skip_split_and_pickle(alg):
    g = seedkit.Generator.from_seed(42, alg=alg)
    assert g.algorithm is seedkit._algorithms.resolve_alg(alg).public
    first = [g.uniform([1]) for _ in range(3)]
    assert len({float(v[0]) for v in first}) == 3

    again = seedkit.Generator.from_seed(42, alg=alg)
    again.skip(2)
    assert (again.uniform([1]) == first[2]).all()

    copy = pickle.loads(pickle.dumps(g))
    restored = seedkit.Generator.from_state(np.asarray(g.state), alg=alg)
    n = g.normal([4])
    assert (copy.normal([4]) == n).all()
    assert (restored.normal([4]) == n).all()

    children = g.split(2)
    draws = [c.uniform([8]) for c in children] + [g.uniform([8])]
    assert all(c.algorithm is g.algorithm for c in children)
    assert not (draws[0] == draws[1]).any() and not (draws[0] == draws[2]).any()


def test_generator_state_round_trip(alg):
    g = seedkit.Generator.from_seed(7, alg=alg)
    g.normal([3])
    saved = np.asarray(g.state)
    x = g.uniform([6])
    g.reset(saved)
    assert (g.uniform([6]) == x).all()


def test_generator_is_thread_safe(alg):
    g = seedkit.Generator.from_seed(9, alg=alg)
    out: list[float] = []
    lock = threading.Lock()

    def work():
        for _ in range(20):
            v = float(g.uniform([1])[0])
            with lock:
                out.append(v)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 80 and len(set(out)) == 80


def test_function_threads_op_state_and_generators(alg):
    g = seedkit.Generator.from_seed(1, alg=alg)
    eager = seedkit.Generator.from_seed(1, alg=alg)

    @seedkit.function
    def step(gen):
        return seedkit.uniform([3]), seedkit.uniform([3], seed=5), gen.normal([2])

    seedkit.set_seed(2)
    calls = [step(g) for _ in range(3)]
    for c in calls:
        assert (c[2] == eager.normal([2])).all()  # the Generator advances exactly as in eager code
    assert not (calls[0][0] == calls[1][0]).any() and not (calls[0][1] == calls[1][1]).any()
    seedkit.set_seed(2)
    again = step(seedkit.Generator.from_seed(1, alg=alg))
    assert (again[0] == calls[0][0]).all() and (again[1] == calls[0][1]).all()


def test_function_loop_bodies_draw_every_iteration(alg):
    f = seedkit.function(lambda: jax.lax.scan(lambda c, _: (c, seedkit.uniform([])), 0.0, None, length=4)[1])
    seedkit.set_seed(4)
    a, b = f(), f()
    assert len({float(v) for v in np.concatenate([a, b])}) == 8


def test_vmap_inside_function_follows_the_algorithm(alg):
    f = seedkit.function(lambda x: jax.vmap(lambda y: y + seedkit.uniform([]))(x))
    seedkit.set_seed(0)
    if seedkit._algorithms.resolve_alg(alg).per_element_vmap:
        out = f(jnp.zeros(4))
        assert len({float(v) for v in out}) == 4
    else:
        with pytest.raises(NotImplementedError, match="vmap_randomness='same'"):
            f(jnp.zeros(4))
    same = seedkit.function(lambda x: jax.vmap(lambda y: y + seedkit.uniform([]))(x), vmap_randomness="same")
    assert len({float(v) for v in same(jnp.zeros(4))}) == 1


def test_key_exists_only_for_jax_compatible_algorithms(alg):
    if seedkit._algorithms.resolve_alg(alg).jax_prng_impl is None:
        with pytest.raises(NotImplementedError, match="alg='threefry'"):
            seedkit.key((1, 2), alg=alg)
    else:
        assert jax.random.uniform(seedkit.key((1, 2), alg=alg), (2,)).shape == (2,)


@pytest.mark.parametrize("position", [0, 1, 2**32 + 5, 2**63 + 7])
def test_host_and_traced_op_states_agree(alg, position):
    impl = seedkit._algorithms.resolve_alg(alg)
    words = (1234, 0, 2**31 - 2, 0)
    pos = np.array([(position >> (32 * i)) & 0xFFFFFFFF for i in range(impl.position_words)], np.uint32)
    traced = jax.jit(impl.op_state)(jnp.asarray(words, jnp.uint32), jnp.asarray(pos))
    assert np.asarray(impl.host_op_state(words, position)).tolist() == np.asarray(traced).tolist()
