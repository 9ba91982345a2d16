"""The per-op counter table, stored compactly.

TF's eager kernel cache keys a stateful op's kernel by op, dtype and seed pair ``(g, o)``, and
under ``alg="philox"`` seedkit keeps one counter per such kernel to give TF's numbers, including
for unseeded ops, whose drawn op seeds each name a kernel (and continue an earlier kernel's
counter when two 31-bit draws collide). A notebook loop of 100,000 unseeded calls therefore
makes 100,000 counters. Kept as a dict of tuples they cost about 170 bytes each (measured:
16.6 MB of RSS for 100,000 calls); here the counters of one ``(op, dtype, g)`` group are two
sorted NumPy arrays (op seed as int32, counter as uint64: 12 bytes an entry) plus a dict of
recent entries, merged into the arrays once it holds an eighth as many entries as they do (at
least :data:`_MERGE_AT`), so inserting costs O(log n) amortised and the dict stays small. A
lookup is a dict probe and a binary search.

Example:
    >>> t = CounterTable()
    >>> t.advance(("uniform", "float32", 1), 7, 256)
    0
    >>> t.advance(("uniform", "float32", 1), 7, 256)
    256
    >>> len(t)
    1
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

_MERGE_AT = 4096  # fewest recent entries kept in a dict (a program with fewer kernels never
# touches the arrays, so its lookups stay dict probes)
_OP_SEEDS = 2**31  # op seeds are reduced modulo 2**31 - 1 (TF's get_seed): int32 holds them
_LIMIT = 2**64  # counters at or beyond it (unreachable by counting) stay in the dict


class _Group:
    """The counters of one ``(op, dtype, g)`` group, by op seed."""

    __slots__ = ("keys", "recent", "vals")

    def __init__(self) -> None:
        self.keys = np.zeros(0, np.int32)  # sorted op seeds
        self.vals = np.zeros(0, np.uint64)  # their counters
        self.recent: dict[int, int] = {}

    def _index(self, o: int) -> int:
        """The position of ``o`` in the arrays, or -1."""
        keys = self.keys
        if not keys.size:
            return -1
        # An int32 needle: with a Python int, NumPy casts the whole array first (O(n), 17 us).
        i = int(keys.searchsorted(np.int32(o)))
        return i if i < keys.size and int(keys[i]) == o else -1

    def advance_compact(self, o: int, amount: int) -> int:
        """:meth:`CounterTable.advance` for an op seed not among the recent entries (the
        caller looked there first)."""
        i = self._index(o)
        if i >= 0 and int(self.vals[i]) + amount < _LIMIT:
            n = int(self.vals[i])
            self.vals[i] = n + amount
            return n
        if i >= 0:  # beyond uint64: the entry moves to the dict
            n = int(self.vals[i])
            self._drop(i)
        else:
            n = 0
        self.recent[o] = n + amount
        if len(self.recent) >= max(_MERGE_AT, self.keys.size // 8):
            self._merge()
        return n

    def _drop(self, i: int) -> None:
        self.keys = np.delete(self.keys, i)
        self.vals = np.delete(self.vals, i)

    def _merge(self) -> None:
        small = [(o, n) for o, n in self.recent.items() if n < _LIMIT]
        if not small:
            return
        keys = np.concatenate([self.keys, np.array([o for o, _ in small], np.int32)])
        vals = np.concatenate([self.vals, np.array([n for _, n in small], np.uint64)])
        order = np.argsort(keys, kind="stable")
        self.keys, self.vals = keys[order], vals[order]
        for o, _ in small:
            del self.recent[o]

    def __len__(self) -> int:
        return self.keys.size + len(self.recent)

    def items(self) -> Iterator[tuple[int, int]]:
        yield from zip(self.keys.tolist(), self.vals.tolist(), strict=True)
        yield from self.recent.items()


class CounterTable:
    """Counters keyed by ``(group, op_seed)``, where ``group`` is a hashable tuple (op, dtype,
    global seed word, and the algorithm's prefix). Not thread-safe: :mod:`seedkit._state` holds
    its lock around every use."""

    def __init__(self) -> None:
        self._groups: dict[tuple, _Group] = {}

    def advance(self, group: tuple, op_seed: int, amount: int) -> int:
        """The counter of ``(group, op_seed)`` (0 if new), which then moves on by ``amount``.
        ``op_seed`` is a reduced op seed, in ``[0, 2**31)`` (``_state.combine_seeds`` makes
        them so; snapshots are checked when they are read)."""
        g = self._groups.get(group)
        if g is None:
            g = self._groups[group] = _Group()
        recent = g.recent
        n = recent.get(op_seed)
        if n is not None:  # the common case (a seeded op called again), kept short
            recent[op_seed] = n + amount
            return n
        return g.advance_compact(op_seed, amount)

    def clear(self) -> None:
        self._groups.clear()

    def __len__(self) -> int:
        return sum(len(g) for g in self._groups.values())

    def snapshot(self) -> tuple:
        """A compact picklable copy that compares by value: per group, its op seeds and counters
        as the bytes of little-endian int32 and uint64 arrays, and any counter beyond uint64 as
        ``(op_seed, counter)`` pairs."""
        out = []
        for group, g in self._groups.items():
            g._merge()
            keys, vals = g.keys.astype("<i4").tobytes(), g.vals.astype("<u8").tobytes()
            out.append((group, keys, vals, tuple(sorted(g.recent.items()))))
        return tuple(out)

    @classmethod
    def from_snapshot(cls, snap: Iterable) -> CounterTable:
        """The inverse of :meth:`snapshot`; ``ValueError``/``TypeError`` if ``snap`` is not one."""
        table = cls()
        for group, keys, vals, extra in snap:
            hash(group)
            if not isinstance(keys, bytes) or not isinstance(vals, bytes) or 2 * len(keys) != len(vals):
                raise ValueError("counter op seeds and counters must be bytes of 4 and 8 per entry")
            if len(keys) % 4:
                raise ValueError("counter bytes must hold whole 32-bit op seeds")
            keys = np.frombuffer(keys, "<i4").astype(np.int32)
            vals = np.frombuffer(vals, "<u8").astype(np.uint64)
            if keys.size and (np.any(np.diff(keys) <= 0) or keys[0] < 0):
                raise ValueError("counter op seeds must be sorted and unique")
            g = _Group()
            g.keys, g.vals = keys, vals  # astype copied them out of the bytes
            for o, n in extra:
                if type(o) is not int or type(n) is not int or not 0 <= o < _OP_SEEDS or n < 0:
                    raise ValueError(f"a counter entry must be an op seed and a count; got {(o, n)!r}")
                if g._index(o) >= 0:
                    raise ValueError(f"op seed {o} appears twice")
                g.recent[o] = n
            table._groups[group] = g
        return table

    @classmethod
    def from_items(cls, items: Iterable[tuple[tuple, int]]) -> CounterTable:
        """From ``((*group, op_seed), counter)`` pairs (version-1 snapshots)."""
        table = cls()
        for key, n in items:
            if (
                not isinstance(key, tuple)
                or not key
                or type(key[-1]) is not int
                or type(n) is not int
                or n < 0
            ):
                raise ValueError(f"a counter entry must be (key tuple, int >= 0); got {(key, n)!r}")
            g = table._groups.setdefault(key[:-1], _Group())
            g.recent[key[-1]] = n
        for g in table._groups.values():
            g._merge()
        return table
