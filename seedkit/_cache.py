"""The one cache shape the eager hot paths use: a bounded dict of validated arguments.

Stateful ops and Generator draws validate their Python arguments once per distinct call
signature and remember the result, so that a repeated eager call costs a dict lookup instead of
the checks (the latency that notebook users feel). A cache that is full is emptied rather than
evicted entry by entry: signatures in real programs are few, and a program that makes millions
of distinct ones (new shapes in a loop) only loses the speed-up, never memory.

Example:
    >>> cache = BoundedCache(2)
    >>> cache.put(("uniform", (3,)), "spec")
    >>> cache.get(("uniform", (3,)))
    'spec'
    >>> cache.get(["unhashable"]) is None
    True
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any


class BoundedCache:
    """A dict of at most ``maxsize`` entries; unhashable keys are neither found nor stored."""

    __slots__ = ("_entries", "maxsize")

    def __init__(self, maxsize: int) -> None:
        self._entries: dict = {}
        self.maxsize = maxsize

    def get(self, key: Hashable | None) -> Any:
        """The value stored under ``key``, or None (also for None and unhashable keys)."""
        if key is None:
            return None
        try:
            return self._entries.get(key)
        except TypeError:
            return None

    def put(self, key: Hashable | None, value: Any) -> None:
        """Store ``value`` under ``key`` (nothing for None or an unhashable key)."""
        if key is None:
            return
        if len(self._entries) >= self.maxsize:
            self._entries.clear()
        try:
            self._entries[key] = value
        except TypeError:
            pass

    def __contains__(self, key: Hashable) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
