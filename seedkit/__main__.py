"""``python -m seedkit``: a short tour of what seedkit does, as a REPL transcript.

Each line of code is printed as ``>>> code`` and then run, with its value printed below it (as
the interactive interpreter would), so what a reader sees is what the code gives.
``python -m seedkit --help`` says what the tour shows and exits.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np

_DESCRIPTION = """\
A five-part tour of seedkit, printed as a REPL transcript (each line of code, then what it gives):
  1. the global seed and op seeds: TF's four rules (set_seed, get_seed)
  2. seedkit.function: tf.function's semantics under jax.jit
  3. stateless ops: TF's signatures, a pure function of the seed
  4. Generator: explicit state you can pass, split and checkpoint
  5. TF's own numbers with alg="philox", next to the values TensorFlow 2.21 gives
It runs on whatever device JAX picks and takes a few seconds. Documentation: README.md, docs/
(a site: mkdocs) and notebooks/ in seedkit's repository; help(seedkit) lists the API."""


def _fmt(x: Any) -> str:
    if isinstance(x, tuple):
        return "(" + ", ".join(_fmt(v) for v in x) + ")"
    if isinstance(x, (str, bool, int)) or x is None:
        return repr(x)
    return np.array2string(np.asarray(x), precision=4, separator=", ", max_line_width=100).replace("\n", "")


class _Tour:
    """Prints code and runs it in one namespace, like an interactive session."""

    def __init__(self) -> None:
        self.ns: dict[str, Any] = {}

    def section(self, title: str) -> None:
        print(f"\n== {title} " + "=" * max(0, 74 - len(title)))

    def run(self, code: str) -> None:
        """A statement: shown, then executed."""
        for i, line in enumerate(code.splitlines()):
            print(("... " if i else ">>> ") + line)
        exec(code, self.ns)

    def show(self, expr: str, note: str = "") -> Any:
        """An expression: shown, evaluated, and its value printed (with ``note`` after it)."""
        print(">>> " + expr)
        value = eval(expr, self.ns)
        print(_fmt(value) + (f"    # {note}" if note else ""))
        return value

    def say(self, text: str) -> None:
        print("# " + text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m seedkit",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args(argv)

    start = time.perf_counter()
    import jax

    import seedkit

    print(f"seedkit {seedkit.__version__} on jax {jax.__version__} ({jax.devices()[0].platform})")
    t = _Tour()
    t.run("import jax, jax.numpy as jnp, seedkit")

    t.section("1. The global seed and op seeds: TF's four rules")
    t.run("seedkit.set_seed(1234)")
    t.show("seedkit.uniform([1]), seedkit.uniform([1])", "A1, A2")
    t.run("seedkit.set_seed(1234)")
    t.show("seedkit.uniform([1]), seedkit.uniform([1])", "the same A1, A2: a re-run repeats")
    t.run("seedkit.set_seed(None)")
    t.show("seedkit.uniform([1], seed=1), seedkit.uniform([1], seed=1)", "no global seed, an op seed")
    t.run("seedkit.set_seed(seedkit.DEFAULT_GRAPH_SEED)")
    t.show("seedkit.uniform([1], seed=1), seedkit.uniform([1], seed=1)", "the same: TF's default graph seed")
    t.run("seedkit.set_seed(1234)")
    t.show("seedkit.get_seed(None)", "TensorFlow gives (1234, 1892932127)")

    t.section("2. seedkit.function: tf.function's semantics under jax.jit")
    t.run("@seedkit.function\ndef f():\n    return seedkit.uniform([1]), seedkit.uniform([1])")
    t.run(
        "@seedkit.function\ndef foo():\n    return seedkit.uniform([1], seed=1), seedkit.uniform([1], seed=1)"
    )
    t.run("seedkit.set_seed(1234)")
    t.show("f()", "unseeded ops get op seeds 0, 1, ... by position, as in a TF graph")
    t.show("f()", "new numbers: the counters persist across calls")
    t.show("foo(), foo()", "two seed=1 ops: (B1, B1), then (B2, B2)")
    t.run(
        "try:\n"
        "    jax.jit(lambda: seedkit.uniform([1]))()\n"
        "except seedkit.TracingError:\n"
        "    print('TracingError: under plain jax.jit it would repeat its numbers on every call')"
    )

    t.section("3. Stateless ops: TF's signatures, a pure function of the seed")
    t.show("seedkit.stateless_uniform([4], seed=(1, 2))")
    t.show("jax.jit(lambda s: seedkit.stateless_uniform([4], s))(jnp.array([1, 2]))", "the same under jit")
    t.show("seedkit.stateless_normal([4], seed=(1, 2))")
    t.show("seedkit.stateless_uniform([8], (1, 2), 0, 10, jnp.int32)", "ints in [0, 10)")
    t.show("seedkit.stateless_gamma([4], (1, 2), alpha=2.0)")
    t.show("seedkit.stateless_poisson([6], (1, 2), lam=4.0)")
    t.show("seedkit.stateless_binomial([6], (1, 2), 20.0, 0.3)")
    t.show("seedkit.stateless_shuffle(jnp.arange(8), (1, 2))")
    t.show("seedkit.stateless_split((1, 2), 2)")
    t.show("seedkit.stateless_uniform([3], (2**63 - 1, -(2**63)))", "64-bit seeds without jax_enable_x64")

    t.section("4. Generator: explicit state you can pass, split and checkpoint")
    t.run("gen = seedkit.Generator.from_seed(42)")
    t.show("gen.normal([3])")
    t.run("saved = gen.state  # a uint32 array: save it anywhere")
    t.show("gen.uniform([3])")
    t.show("seedkit.Generator.from_state(saved, 'threefry').uniform([3])", "the same, from the saved state")
    t.show("gen.split(1)[0].uniform([2])", "an independent child")

    t.section("5. TF's own numbers with alg='philox' (TensorFlow 2.21, CPU, eager)")
    # TF's values as TensorFlow 2.21 prints them (CPU, eager), from the first round's checks; the
    # fixtures under tests/data hold TF's values for these ops bit for bit (tf_philox_exact.json,
    # tf_generator_philox.json, tf_stateful_philox.json, each naming the script that made it),
    # and tests/test_demo.py checks that the values printed here round to these.
    t.show(
        "seedkit.stateless_uniform([4], (1, 2), alg='philox')", "TensorFlow: [0.8441, 0.1920, 0.9962, 0.1604]"
    )
    t.show(
        "seedkit.Generator.from_seed(1234, alg='philox').uniform([3])", "TensorFlow: [0.3581, 0.1132, 0.5667]"
    )
    t.run("seedkit.set_default_algorithm('philox')  # the stateful ops too")
    t.run("seedkit.set_seed(1234)")
    t.show("seedkit.uniform([4])", "TensorFlow: [0.5380, 0.3646, 0.5816, 0.2438]")
    seedkit.set_default_algorithm("threefry")

    print(f"\n(done in {time.perf_counter() - start:.1f} s; python -m seedkit --help says what this shows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
