"""Running a test under a chosen default algorithm (shared by the parametrised test files)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import seedkit


@contextlib.contextmanager
def default_algorithm(name: str) -> Iterator[str]:
    """``name`` as the default algorithm, in a forked random state; seedkit's default after."""
    seedkit.set_default_algorithm(name)
    try:
        with seedkit.fork_rng():
            yield name
    finally:
        seedkit.set_default_algorithm("threefry")
