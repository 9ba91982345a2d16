"""seedkit._words against Python's integers: word splitting, carries, products, the size check."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seedkit import _words

M32 = 2**32
EDGES = [0, 1, 2**31 - 1, 2**31, M32 - 2, M32 - 1]


def _as_int(words) -> int:
    return _words.words_int([int(w) for w in words])


@pytest.mark.parametrize("value", [0, 1, -1, 2**63 - 1, -(2**63), 2**64 - 1, 12345678901234567890])
def test_int_words_round_trip(value):
    for n in (2, 4):
        words = _words.int_words(value, n)
        assert all(0 <= w < M32 for w in words)
        assert _words.words_int(words) == value % 2 ** (32 * n)


def test_int64_words_validates():
    assert _words.int64_words(np.int64(-1), "seed") == (M32 - 1, M32 - 1)
    with pytest.raises(TypeError, match="`seed`"):
        _words.int64_words(1.5, "seed")
    with pytest.raises(ValueError, match="`seed`"):
        _words.int64_words(2**64, "seed")
    with pytest.raises(ValueError, match="blocks"):
        _words.counter_words(-1)


def test_add_words_carries_every_word():
    rng = np.random.default_rng(0)
    a = [rng.choice(EDGES + list(rng.integers(0, M32, 4))) for _ in range(4 * 64)]
    b = [rng.choice(EDGES + list(rng.integers(0, M32, 4))) for _ in range(4 * 64)]
    a = np.array(a, np.uint32).reshape(4, 64)
    b = np.array(b, np.uint32).reshape(4, 64)
    for nb in (1, 2, 4):  # b shorter than a: its high words are zero
        got = jax.jit(lambda x, y, nb=nb: jnp.stack(_words.add_words(list(x), list(y[:nb]))))(a, b)
        for i in range(64):
            want = (_as_int(a[:, i]) + _as_int(b[:nb, i])) % 2**128
            assert _as_int(np.asarray(got)[:, i]) == want


def test_products_are_exact():
    x = np.array(EDGES + [0x12345678, 0x9ABCDEF0], np.uint32)
    for m in (0xD2511F53, 0xCD9E8D57, 1, M32 - 1):
        for mul in (_words._mulhilo_wide, _words._mulhilo_limbs):
            hi, lo = jax.jit(lambda v, m=m, mul=mul: mul(m, v))(x)
            assert [(int(h) << 32) | int(lo_) for h, lo_ in zip(hi, lo, strict=True)] == [
                m * int(v) for v in x
            ]
    lo, hi = jnp.asarray(x), jnp.asarray(x[::-1])
    for m in (256, 42, 2**64 + 3, 2**100 - 1):
        got = jax.jit(lambda a, b, m=m: jnp.stack(_words.times_const(a, b, m)))(lo, hi)
        for i in range(len(x)):
            assert _as_int(np.asarray(got)[:, i]) == (int(x[i]) + (int(x[::-1][i]) << 32)) * m % 2**128
    for stride in (42, 128, 256, 0xFFFF):
        lo_s, hi_s = _words.scaled_index(jnp.asarray(x), stride)
        assert [int(a) | (int(b) << 32) for a, b in zip(lo_s, hi_s, strict=True)] == [
            stride * int(v) for v in x
        ]


def test_one_size_check_one_wording():
    _words.check_units(2**32, (2**32,))
    with pytest.raises(ValueError, match=r"needs 4294967297 blocks; at most 2\*\*32 are supported per call"):
        _words.check_units(2**32 + 1, (3,), "blocks")
    with pytest.raises(ValueError, match="stateless_split"):
        _words.check_shape((2**16, 2**16 + 1))
    assert _words.check_shape((3, 4)) == 12
