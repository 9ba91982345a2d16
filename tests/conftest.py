"""Shared fixtures."""

from __future__ import annotations

import pytest

import seedkit


@pytest.fixture
def isolated_rng():
    """The test starts with no global seed and leaves the global random state as it found it."""
    with seedkit.fork_rng():
        seedkit.set_seed(None)
        try:
            yield
        finally:
            seedkit.disable_op_determinism()


@pytest.fixture
def philox_default():
    """The test runs with ``set_default_algorithm("philox")`` and restores seedkit's default."""
    seedkit.set_default_algorithm("philox")
    try:
        yield
    finally:
        seedkit.set_default_algorithm("threefry")


@pytest.fixture
def unseeded():
    """The test starts and ends with no global seed, op determinism off and seedkit's default
    algorithm."""
    seedkit.disable_op_determinism()
    seedkit.set_seed(None)
    yield
    seedkit.disable_op_determinism()
    seedkit.set_seed(None)
    seedkit.set_default_algorithm("threefry")
