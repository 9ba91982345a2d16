"""An independent, slow, pure-Python model of seedkit's documented threefry bit path.

Written from the specifications (Salmon et al. 2011 for Threefry-2x32-20; seedkit's module
docstrings for key derivation, streams and counter layout), not from seedkit's code, so that
tests comparing the two can fail.
"""

from __future__ import annotations

import math

import numpy as np

_M = 0xFFFFFFFF
# Threefry-2x32 rotation constants and key-schedule parity constant (Salmon et al., Random123).
_ROT = (13, 15, 26, 6, 17, 29, 16, 24)
_PARITY = 0x1BD11BDA


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _M


def threefry2x32(key: tuple[int, int], ctr: tuple[int, int]) -> tuple[int, int]:
    ks = (key[0], key[1], key[0] ^ key[1] ^ _PARITY)
    x0, x1 = (ctr[0] + ks[0]) & _M, (ctr[1] + ks[1]) & _M
    for block in range(5):  # 20 rounds = 5 groups of 4, key injection after each group
        for r in range(4):
            x0 = (x0 + x1) & _M
            x1 = _rotl(x1, _ROT[(block % 2) * 4 + r]) ^ x0
        x0 = (x0 + ks[(block + 1) % 3]) & _M
        x1 = (x1 + ks[(block + 2) % 3] + block + 1) & _M
    return x0, x1


def words(seed: tuple[int, int]) -> tuple[int, int, int, int]:
    a, b = (s & 0xFFFFFFFFFFFFFFFF for s in seed)
    return a & _M, a >> 32, b & _M, b >> 32


def key_of(seed: tuple[int, int]) -> tuple[int, int]:
    w = words(seed)
    return threefry2x32((w[0], w[1]), (w[2], w[3]))


def stream_key(key: tuple[int, int], n: int) -> tuple[int, int]:
    return threefry2x32(key, (n >> 32, n & _M))


def bits(key: tuple[int, int], shape: tuple[int, ...], per: int = 1) -> np.ndarray:
    """The documented counter layout: grid (..., ceil(last*per/2)); block i -> counter (0, i);
    both output words in order along the last axis."""
    full = tuple(shape) + ((per,) if per > 1 else ())
    if math.prod(full) == 0:
        return np.zeros(full, np.uint32)
    flat = full if full else (1,)
    half = (flat[-1] + 1) // 2
    grid = flat[:-1] + (half,)
    out = np.zeros(flat[:-1] + (2 * half,), np.uint32)
    view = out.reshape(-1, 2 * half)
    for i in range(math.prod(grid)):
        row, col = divmod(i, half)
        y0, y1 = threefry2x32(key, (0, i))
        view[row, 2 * col], view[row, 2 * col + 1] = y0, y1
    return out[..., : flat[-1]].reshape(full)


def uniform_f32(b: np.ndarray) -> np.ndarray:
    return ((b >> 9) | 0x3F800000).astype(np.uint32).view(np.float32) - np.float32(1.0)
