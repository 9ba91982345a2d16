"""Issue 16 case 22: the per-op counter table is compact and still TF's kernel cache.

Under ``alg="philox"`` every drawn op seed names a kernel with a counter of its own (TF's eager
kernel cache), so a long loop of unseeded calls makes one counter per call. The table keeps them
in sorted NumPy arrays; these tests pin that it behaves exactly as the dict it replaced (same
counters, collisions included), that snapshots round-trip, and that old snapshots still load.
The memory figures are in ``benchmarks/bench_counters.py``.
"""

from __future__ import annotations

import dataclasses
import pickle
import random

import numpy as np
import pytest

import seedkit
from seedkit import _counters, _state
from seedkit._counters import CounterTable


def _ops(n: int, seed: int, seeds_from: int) -> list[tuple[tuple, int, int]]:
    """``n`` random (group, op seed, amount) calls over two groups, op seeds drawn from
    ``range(seeds_from)`` (small: many repeats, as colliding 31-bit draws or seeded ops)."""
    r = random.Random(seed)
    groups = [("philox", "uniform", "float32", 5), ("philox", "normal", "float32", 5)]
    return [(r.choice(groups), r.randrange(seeds_from), r.choice([1, 256, 512, 2**40])) for _ in range(n)]


@pytest.mark.parametrize("seeds_from", [50, 5000, 2**31 - 1])
def test_the_table_counts_as_a_dict_does(monkeypatch, seeds_from):
    monkeypatch.setattr(_counters, "_MERGE_AT", 16)  # merge often: entries move into the arrays
    table, model = CounterTable(), {}
    for i, (group, o, amount) in enumerate(_ops(6000, seeds_from, seeds_from)):
        expected = model.get((group, o), 0)
        model[(group, o)] = expected + amount
        assert table.advance(group, o, amount) == expected, i
        if i % 1500 == 0:  # a snapshot round trip keeps every counter
            table = CounterTable.from_snapshot(pickle.loads(pickle.dumps(table.snapshot())))
    assert len(table) == len(model)
    assert sum(g.keys.size for g in table._groups.values()) > len(model) // 2  # most are compact


def test_counters_beyond_64_bits_stay_exact(monkeypatch):
    monkeypatch.setattr(_counters, "_MERGE_AT", 1)
    table, group = CounterTable(), ("g",)
    table.advance(group, 3, 2**64 - 1)  # merged into the uint64 array
    table.advance(group, 4, 1)
    assert table.advance(group, 3, 5) == 2**64 - 1  # moves back to the dict, unwrapped
    assert table.advance(group, 3, 0) == 2**64 + 4
    restored = CounterTable.from_snapshot(table.snapshot())
    assert restored.advance(group, 3, 0) == 2**64 + 4 and restored.advance(group, 4, 0) == 1


@pytest.mark.usefixtures("isolated_rng")
def test_unseeded_philox_calls_match_a_replay_with_explicit_op_seeds():
    # TF's semantics, which the compact table must keep: the k-th unseeded op after set_seed(g)
    # is the kernel named by the k-th drawn op seed (seedkit.get_seed(None) gives the same pairs),
    # so drawing with those op seeds explicitly, in order, gives the same values.
    seedkit.set_default_algorithm("philox")
    try:
        seedkit.set_seed(9)
        pairs = [seedkit.get_seed(None) for _ in range(300)]
        seeds = [o for _, o in pairs] + [pairs[7][1]] * 3  # then a kernel used again
        seedkit.set_seed(9)
        unseeded = [np.asarray(seedkit.uniform([2])) for _ in range(300)]
        seedkit.set_seed(9)
        replay = [np.asarray(seedkit.uniform([2], seed=o)) for o in seeds]
    finally:
        seedkit.set_default_algorithm("threefry")
    np.testing.assert_array_equal(np.stack(unseeded), np.stack(replay[:300]))
    assert not np.array_equal(replay[300], replay[7])  # the reused kernel continued its counter


@pytest.mark.usefixtures("isolated_rng")
def test_version_1_snapshots_still_load():
    seedkit.set_default_algorithm("philox")
    try:
        seedkit.set_seed(4)
        seedkit.uniform([3], seed=11)
        state = seedkit.get_state()
        items = tuple(((*group, o), n) for group, g in _state._counters._groups.items() for o, n in g.items())
        assert items  # the op's kernel, in version 1's ((op, dtype, g, o), counter) form
        expected = np.asarray(seedkit.uniform([3], seed=11))
        old = dataclasses.replace(state, counters=items, version=1)
        seedkit.set_seed(0)
        seedkit.set_state(pickle.loads(pickle.dumps(old)))
        np.testing.assert_array_equal(seedkit.uniform([3], seed=11), expected)
    finally:
        seedkit.set_default_algorithm("threefry")


@pytest.mark.usefixtures("isolated_rng")
@pytest.mark.parametrize(
    "counters",
    [
        ((("philox", "uniform", "float32", 4), b"\x01\x00\x00\x00", b"\x00" * 7, ()),),  # short counters
        (
            (("philox", "uniform", "float32", 4), b"\x02\x00\x00\x00\x01\x00\x00\x00", b"\x00" * 16, ()),
        ),  # unsorted
        ((("philox", "uniform", "float32", 4), b"", b"", ((-1, 3),)),),  # op seed out of range
        ((("philox", "uniform", "float32", 4), [1], [2], ()),),  # not bytes
        (([], b"", b"", ()),),  # unhashable group
    ],
)
def test_corrupted_counters_are_refused_and_change_nothing(counters):
    seedkit.set_seed(4)
    state = seedkit.get_state()
    expected = np.asarray(seedkit.uniform([3], seed=1))
    seedkit.set_state(state)
    with pytest.raises(ValueError, match="`state` is corrupted"):
        seedkit.set_state(dataclasses.replace(state, counters=counters))
    np.testing.assert_array_equal(seedkit.uniform([3], seed=1), expected)
