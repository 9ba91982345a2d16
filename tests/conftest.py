"""Shared fixtures, and JAX's persistent compilation cache for the test run.

The suite compiles thousands of small programs; most of its time on a CPU is XLA compiling. With
the cache (in ``.cache/jax`` of the checkout, ignored by git) a second run of the suite compiles
almost nothing: tests/test_tf_binomial.py and test_tf_poisson.py took 20-24 s instead of 77-138 s
on a loaded 2-core machine. The cache is keyed by the program, the compile options, XLA's flags
and the JAX version, so a changed program is compiled afresh. Subprocesses (notebook kernels,
multi-process tests) inherit it through the environment. ``SEEDKIT_TEST_COMPILATION_CACHE=0``
turns it off; a ``JAX_COMPILATION_CACHE_DIR`` already set is kept. Each run first trims the cache
to 1 GiB, least recently used entries first.
"""

from __future__ import annotations

import os
import pathlib

import jax
import pytest

import seedkit

if os.environ.get("SEEDKIT_TEST_COMPILATION_CACHE", "1") != "0":
    # Set in the environment for subprocesses, and in JAX's config for this process (JAX read the
    # environment when it was imported).
    cache_dir = os.environ.setdefault(
        "JAX_COMPILATION_CACHE_DIR", str(pathlib.Path(__file__).resolve().parents[1] / ".cache" / "jax")
    )
    # Programs that compile in under 0.1 s cost more to look up and store than to compile.
    min_seconds = os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.1")
    jax.config.update("jax_compilation_cache_dir", cache_dir)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", float(min_seconds))


def _prune_cache(directory: str, max_bytes: int = 1 << 30) -> None:
    """Delete the entries read longest ago (by access time) until the cache holds at most
    ``max_bytes`` (1 GiB; one suite's programs take about 100 MB, so this only bounds what JAX
    upgrades and changed programs leave behind). JAX's own bound (``jax_compilation_cache_max_size``) needs
    the ``filelock`` package, which nothing else here needs."""
    files = [p for p in pathlib.Path(directory).glob("**/*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    for path in sorted(files, key=lambda p: p.stat().st_atime):
        if total <= max_bytes:
            break
        total -= path.stat().st_size
        path.unlink(missing_ok=True)


if os.environ.get("SEEDKIT_TEST_COMPILATION_CACHE", "1") != "0" and pathlib.Path(cache_dir).is_dir():
    _prune_cache(cache_dir)


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
