"""Where seedkit's non-deterministic numbers come from: ops with neither a global nor an op
seed, ``Generator.from_non_deterministic_state`` and the global Generator.

One process: the OS (``os.urandom``) for eager draws; for ``seedkit.function`` calls, a 64-bit
per-process nonce and a process-wide call counter (see :func:`call_words`).

A job of many processes (``jax.distributed``): each process's OS entropy differs, so a
replicated value drawn from it would silently hold different numbers in each process. There
seedkit refuses such draws until :func:`share_entropy` has agreed on a nonce (process 0's,
broadcast to all); from then on every non-deterministic draw is a hash of that nonce and a
counter that each process advances in the same order, so processes running the same program
draw the same numbers, and the job still draws new ones on every run.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import struct

import jax
import numpy as np

NOT_SHARED = (
    "{what} draws non-deterministic numbers, and this is a job of {count} processes "
    "(jax.distributed): each process would draw its own, so a replicated result would differ "
    "between them. Call seedkit.share_entropy() once in every process after "
    "jax.distributed.initialize() (process 0's entropy is broadcast to all), or set a seed: "
    "seedkit.set_seed(...) for stateful ops, Generator.from_seed(...) for Generators."
)


class _Source:
    """The process's nonce and counter. A forked child starts afresh, with a nonce of its own."""

    _PACK = struct.Struct("<4IQ2I")

    def __init__(self) -> None:
        lo, hi = struct.unpack("<2I", os.urandom(8))
        # The top bit set: these words never equal a seeded op's [g, 0, o, 0] (see call_words).
        self.nonce = (lo, hi | 0x80000000)
        self.calls = itertools.count()  # next() on it is atomic in CPython: no lock needed
        self.shared = False


_source = _Source()
os.register_at_fork(after_in_child=_source.__init__)  # type: ignore[misc]


def _processes() -> int:
    return jax.process_count()


def require(what: str) -> None:
    """Raise ``RuntimeError`` if ``what`` may not draw non-deterministic numbers here: a job of
    several processes that has not called :func:`share_entropy`."""
    if not _source.shared:
        count = _processes()
        if count > 1:
            raise RuntimeError(NOT_SHARED.format(what=what, count=count))


def words(n: int, what: str) -> np.ndarray:
    """``n`` uint32 words of entropy (``n <= 16``) for ``what`` (named in the error)."""
    require(what)
    if not _source.shared:
        return np.frombuffer(os.urandom(4 * n), np.uint32)
    message = struct.pack("<2IQ", *_source.nonce, next(_source.calls))
    return np.frombuffer(hashlib.blake2b(message, digest_size=4 * n).digest(), np.uint32)


def call_words(g_word: int, has_global: int, n: int) -> np.ndarray:
    """A ``seedkit.function`` call's ``uint32[8]`` input: global seed, has-global flag, the
    function's call count lo/hi, then the process counter lo/hi and the nonce. Unseeded ops
    fold their slot into the first nonce word (distinct for every call and slot); the nonce's
    top bit is set, so these words never equal a seeded op's ``[g, 0, o, 0]``;
    ``Generator.from_non_deterministic_state`` hashes them. One ``struct.pack`` per call (fresh
    OS entropy per call cost about 0.5 us). Whether the call may use them is checked by the
    caller (:func:`require`): most calls never read them."""
    c = next(_source.calls)
    return np.frombuffer(
        _source._PACK.pack(g_word, has_global, n & 0xFFFFFFFF, (n >> 32) & 0xFFFFFFFF, c, *_source.nonce),
        np.uint32,
    )


def share_entropy() -> None:
    """Agree on non-deterministic numbers across the processes of a ``jax.distributed`` job:
    process 0's nonce goes to every process, and every process's counter restarts at 0.

    A collective: call it in every process, at the same point of the program (after
    ``jax.distributed.initialize()``, before the first unseeded draw). From then on, processes
    that make the same calls in the same order draw the same numbers from unseeded ops,
    ``Generator.from_non_deterministic_state()`` and the global Generator, and each run of the
    job draws new ones. In a single process it changes nothing observable but the source (a
    hash of a nonce and a counter instead of the OS).

    Example:
        >>> import seedkit
        >>> seedkit.share_entropy()  # one process: agrees with itself
        >>> seedkit.Generator.from_non_deterministic_state().state.shape
        (4,)
    """
    nonce = np.array(_source.nonce, np.uint32)
    if _processes() > 1:
        from jax.experimental import multihost_utils  # public; imports only where needed

        nonce = np.asarray(multihost_utils.broadcast_one_to_all(nonce))
    _source.nonce = (int(nonce[0]), int(nonce[1]) | 0x80000000)
    _source.calls = itertools.count()
    _source.shared = True
