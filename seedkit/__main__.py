"""``python -m seedkit``: a short tour of what seedkit does, readable in a terminal."""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np


def _fmt(x) -> str:
    return np.array2string(np.asarray(x), precision=4, separator=", ", max_line_width=100)


def _section(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 72 - len(title)))


def main() -> None:
    start = time.perf_counter()
    import seedkit

    print(f"seedkit {seedkit.__version__} on jax {jax.__version__} ({jax.devices()[0].platform})")

    _section("Stateless ops: TF's signatures, a pure function of the seed")
    a = seedkit.stateless_uniform([4], seed=(1, 2))
    print("stateless_uniform([4], seed=(1, 2))      ", _fmt(a))
    print("again, same seed                          ", _fmt(seedkit.stateless_uniform([4], seed=(1, 2))))
    print(
        "under jax.jit, same seed                  ",
        _fmt(jax.jit(lambda s: seedkit.stateless_uniform([4], s))(jnp.array([1, 2]))),
    )
    print("stateless_normal([4], seed=(1, 2))        ", _fmt(seedkit.stateless_normal([4], seed=(1, 2))))
    print(
        "stateless_uniform ints in [0, 10)         ",
        _fmt(seedkit.stateless_uniform([8], (1, 2), 0, 10, jnp.int32)),
    )
    print("stateless_truncated_normal (within ±2)    ", _fmt(seedkit.stateless_truncated_normal([4], (1, 2))))
    print(
        "stateless_categorical p=[.1, .2, .7]      ",
        _fmt(seedkit.stateless_categorical(jnp.log(jnp.array([[0.1, 0.2, 0.7]])), 10, (1, 2))),
    )
    print("stateless_shuffle(range(8))              ", _fmt(seedkit.stateless_shuffle(jnp.arange(8), (1, 2))))
    print("index_shuffle(range(8), max_index=7)      ", _fmt(seedkit.index_shuffle(jnp.arange(8), (1, 2), 7)))
    print(
        "stateless_split((1, 2), 3)                ",
        _fmt(seedkit.stateless_split((1, 2), 3)).replace("\n", " "),
    )
    print("stateless_fold_in((1, 2), 7)              ", _fmt(seedkit.stateless_fold_in((1, 2), 7)))
    for name, call in [
        (
            "stateless_gamma(alpha=2)                  ",
            lambda: seedkit.stateless_gamma([4], (1, 2), alpha=2.0),
        ),
        (
            "stateless_poisson(lam=4)                  ",
            lambda: seedkit.stateless_poisson([6], (1, 2), lam=4.0),
        ),
        (
            "stateless_binomial(n=20, p=.3)            ",
            lambda: seedkit.stateless_binomial([6], (1, 2), 20.0, 0.3),
        ),
    ]:
        try:
            print(name, _fmt(call()))
        except NotImplementedError:
            print(name, "(not implemented yet)")

    _section("Seeds: the whole int64 range, no jax_enable_x64 needed")
    print(
        "seed (2**63 - 1, -2**63)                  ",
        _fmt(seedkit.stateless_uniform([3], (2**63 - 1, -(2**63)))),
    )
    try:
        seedkit.stateless_uniform([3], seed=[1.5, 2])
    except TypeError as e:
        print("a float seed is refused:", e)

    _section("Interop with jax.random")
    print("jax.random.normal(seedkit.key((1, 2)))    ", _fmt(jax.random.normal(seedkit.key((1, 2)), (3,))))

    print(f"\n(done in {time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
