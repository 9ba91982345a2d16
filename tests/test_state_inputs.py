"""Issue 16 cases 13, 14 and 21: the global Generator and snapshots at their edges."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import seedkit
from seedkit import generator as G

pytestmark = pytest.mark.usefixtures("isolated_rng")


@pytest.fixture
def no_global_generator():
    saved = G._global_generator
    G._global_generator = None
    try:
        yield
    finally:
        G._global_generator = saved


def test_c13_set_global_generator_none_resets_it(no_global_generator):
    first = seedkit.get_global_generator()
    seedkit.set_global_generator(None)  # TF accepts None and makes a new one on next use
    second = seedkit.get_global_generator()
    assert second is not first
    assert not np.array_equal(np.asarray(first.state), np.asarray(second.state))
    with pytest.raises(TypeError, match=r"seedkit\.Generator or None"):
        seedkit.set_global_generator(3)
    assert seedkit.get_global_generator() is second


def test_c14_op_determinism_refuses_entropy_generators(no_global_generator):
    seedkit.enable_op_determinism()
    with pytest.raises(RuntimeError, match="op determinism"):
        seedkit.Generator.from_non_deterministic_state()
    with pytest.raises(RuntimeError, match="op determinism"):
        seedkit.get_global_generator()
    assert G._global_generator is None  # nothing half-made
    seedkit.Generator.from_seed(1).uniform([1])  # seeded Generators are fine
    seedkit.disable_op_determinism()
    assert seedkit.get_global_generator() is not None


@pytest.mark.parametrize(
    "field,value",
    [
        ("global_seed", "7"),
        ("global_seed", 2**70),
        ("global_seed", 1.5),
        ("unseeded_draws", -1),
        ("unseeded_draws", None),
    ],
)
def test_c21_set_state_validates_and_leaves_state_unchanged(field, value):
    seedkit.set_seed(5)
    seedkit.uniform([1])
    good = seedkit.get_state()
    bad = dataclasses.replace(good, **{field: value})
    with pytest.raises(ValueError, match=field):
        seedkit.set_state(bad)
    # the failed call changed nothing: the next draws are those after `good`
    after_failure = (seedkit.uniform([3]), seedkit.uniform([3], seed=2))
    seedkit.set_state(good)
    assert (seedkit.uniform([3]) == after_failure[0]).all()
    assert (seedkit.uniform([3], seed=2) == after_failure[1]).all()


def test_c24_compiled_function_keeps_the_global_generator_it_traced_with(no_global_generator):
    g1, g2 = seedkit.Generator.from_seed(1), seedkit.Generator.from_seed(2)
    seedkit.set_global_generator(g1)
    f = seedkit.function(lambda: seedkit.get_global_generator().uniform([1]))
    f(), f()  # the second call traces once more, making the closed-over g1 an input
    seedkit.set_global_generator(g2)
    expected = seedkit.Generator(copy_from=g1).uniform([1])
    assert (f() == expected).all()  # continues g1's stream, as TF's traced function does
    assert np.asarray(g2.state).tolist() == np.asarray(seedkit.Generator.from_seed(2).state).tolist()


def test_c16_stateful_shuffle_of_a_scalar_returns_it_and_takes_its_op_seed():
    seedkit.set_seed(8)
    assert int(seedkit.shuffle(3)) == 3  # tf.random.shuffle(3) returns 3
    assert int(seedkit.shuffle(np.int32(4), seed=1)) == 4
    after = seedkit.get_seed(None)
    seedkit.set_seed(8)
    seedkit.get_seed(None)  # the op seed the scalar shuffle took
    assert seedkit.get_seed(None) == after


def test_c16_permutation_of_a_non_integer_scalar_raises():
    g = seedkit.Generator.from_seed(3)
    before = np.asarray(g.state).tolist()
    with pytest.raises(TypeError, match="`x` must be an int"):
        g.permutation(3.5)
    assert np.asarray(g.state).tolist() == before
    assert int(g.shuffle(3)) == 3
