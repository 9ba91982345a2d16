"""``python -m seedkit``: a short tour of what seedkit does, readable in a terminal."""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np


def _fmt(x) -> str:
    return np.array2string(np.asarray(x), precision=4, separator=", ", max_line_width=100).replace("\n", "")


def _section(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 74 - len(title)))


def _row(label: str, value) -> None:
    print(f"  {label:<44} {value if isinstance(value, str) else _fmt(value)}")


def _pair(values) -> str:
    return "(" + ", ".join(f"{float(np.asarray(v).reshape(-1)[0]):.4f}" for v in values) + ")"


def main() -> None:
    start = time.perf_counter()
    import seedkit

    print(f"seedkit {seedkit.__version__} on jax {jax.__version__} ({jax.devices()[0].platform})")

    _section("1. The global seed and op seeds: TF's four rules")
    seedkit.set_seed(None)
    _row("no seeds: uniform([1]) twice (fresh entropy)", _pair([seedkit.uniform([1]), seedkit.uniform([1])]))
    seedkit.set_seed(1234)
    a = [seedkit.uniform([1]), seedkit.uniform([1])]
    seedkit.set_seed(1234)
    b = [seedkit.uniform([1]), seedkit.uniform([1])]
    _row("set_seed(1234): A1, A2", _pair(a))
    _row("set_seed(1234) again ('re-run'): A1, A2", _pair(b))
    seedkit.set_seed(None)
    c = [seedkit.uniform([1], seed=1), seedkit.uniform([1], seed=1)]
    seedkit.set_seed(seedkit.DEFAULT_GRAPH_SEED)
    d = [seedkit.uniform([1], seed=1), seedkit.uniform([1], seed=1)]
    _row("no global seed, seed=1: A1, A2 (a counter)", _pair(c))
    _row("== set_seed(87654321), seed=1", _pair(d))
    seedkit.set_seed(1234)
    _row("get_seed(None) after set_seed(1234)", str(seedkit.get_seed(None)) + "  (TF: (1234, 1892932127))")

    _section("2. seedkit.function: tf.function's semantics under jax.jit")

    @seedkit.function
    def f():
        return seedkit.uniform([1]), seedkit.uniform([1])

    @seedkit.function
    def g():
        return seedkit.uniform([1]), seedkit.uniform([1])

    @seedkit.function
    def foo():
        return seedkit.uniform([1], seed=1), seedkit.uniform([1], seed=1)

    seedkit.set_seed(1234)
    _row("f() and g(): the same (A1, A2)", _pair(f()) + " " + _pair(g()))
    _row("f() again: (A3, A4)", _pair(f()))
    _row("foo() twice: (A1, A1) then (A2, A2)", _pair(foo()) + " " + _pair(foo()))
    try:
        jax.jit(lambda: seedkit.uniform([1]))()
    except seedkit.TracingError:
        _row("plain jax.jit of a stateful op", "raises seedkit.TracingError (it would repeat numbers)")

    _section("3. Stateless ops: TF's signatures, a pure function of the seed")
    _row("stateless_uniform([4], seed=(1, 2))", seedkit.stateless_uniform([4], seed=(1, 2)))
    jitted = jax.jit(lambda s: seedkit.stateless_uniform([4], s))(jnp.array([1, 2]))
    _row("the same under jax.jit", jitted)
    _row("stateless_normal([4], seed=(1, 2))", seedkit.stateless_normal([4], seed=(1, 2)))
    _row("ints in [0, 10)", seedkit.stateless_uniform([8], (1, 2), 0, 10, jnp.int32))
    _row("stateless_gamma(alpha=2)", seedkit.stateless_gamma([4], (1, 2), alpha=2.0))
    _row("stateless_poisson(lam=4)", seedkit.stateless_poisson([6], (1, 2), lam=4.0))
    _row("stateless_binomial(n=20, p=0.3)", seedkit.stateless_binomial([6], (1, 2), 20.0, 0.3))
    _row("stateless_shuffle(range(8))", seedkit.stateless_shuffle(jnp.arange(8), (1, 2)))
    _row("stateless_split((1, 2), 2)", seedkit.stateless_split((1, 2), 2))
    _row("seed (2**63 - 1, -2**63), no jax_enable_x64", seedkit.stateless_uniform([3], (2**63 - 1, -(2**63))))

    _section("4. Generator: explicit state you can pass, split and checkpoint")
    gen = seedkit.Generator.from_seed(42)
    _row("Generator.from_seed(42).normal([3])", gen.normal([3]))
    saved = np.asarray(gen.state)
    x = gen.uniform([3])
    _row(
        "uniform([3]), then restored from .state",
        _fmt(x) + " == " + _fmt(seedkit.Generator.from_state(saved, "threefry").uniform([3])),
    )
    child = gen.split(1)[0]
    _row("split(1)[0].uniform([2])", child.uniform([2]))

    _section("5. TF's own numbers with alg='philox' (TF 2.21, CPU, eager)")
    _row(
        "stateless_uniform([4], (1, 2), alg='philox')",
        seedkit.stateless_uniform([4], (1, 2), alg="philox"),
    )
    _row("TensorFlow gives", "[0.8441, 0.1920, 0.9962, 0.1604]")
    # TF value from tests/data/tf_generator_philox.json (scripts/make_tf_generator_fixtures.py).
    _row(
        "from_seed(1234, alg='philox').uniform([3])",
        seedkit.Generator.from_seed(1234, alg="philox").uniform([3]),
    )
    _row("TensorFlow gives", "[0.3581, 0.1132, 0.5667]")
    seedkit.set_default_algorithm("philox")  # auto_select -> philox: the stateful ops too
    seedkit.set_seed(1234)
    _row("default 'philox': set_seed(1234); uniform([4])", seedkit.uniform([4]))
    _row("TensorFlow gives", "[0.5380, 0.3646, 0.5816, 0.2438]")  # tf_random_internals.md, A
    seedkit.set_default_algorithm("threefry")

    print(f"\n(done in {time.perf_counter() - start:.1f} s; see README.md and notebooks/ for more)")


if __name__ == "__main__":
    main()
