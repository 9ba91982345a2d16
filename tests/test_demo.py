"""`python -m seedkit` prints a REPL transcript whose values show TF's rules; `--help` helps."""

import re
import subprocess
import sys

import numpy as np


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "seedkit", *args], capture_output=True, text=True, timeout=300
    )


def _values(out: str) -> list[tuple[str, str]]:
    """(code, printed value) for every `>>> expr` followed by a value line."""
    lines = out.splitlines()
    return [
        (lines[i][4:], lines[i + 1].split("    #")[0])
        for i in range(len(lines) - 1)
        if lines[i].startswith(">>> ") and not lines[i + 1].startswith((">>> ", "... ", "=="))
    ]


def test_demo_shows_code_next_to_values_and_tfs_rules():
    res = _run()
    assert res.returncode == 0, res.stderr
    values = _values(res.stdout)
    by_code: dict[str, list[str]] = {}
    for code, value in values:
        by_code.setdefault(code, []).append(value)
    # Rule 1: set_seed(1234) twice gives the same A1, A2 (and they differ from each other).
    first, again = by_code["seedkit.uniform([1]), seedkit.uniform([1])"]
    assert first == again and len(set(re.findall(r"\[[^\]]*\]", first))) == 2
    # Rule 3: an op seed without a global seed acts with TF's default graph seed.
    no_global, default_graph = by_code["seedkit.uniform([1], seed=1), seedkit.uniform([1], seed=1)"]
    assert no_global == default_graph
    assert by_code["seedkit.get_seed(None)"] == ["(1234, 1892932127)"]  # TF's own value
    # seedkit.function: two calls differ; two seed=1 ops agree within a call.
    f1, f2 = by_code["f()"]
    assert f1 != f2
    (pair,) = by_code["foo(), foo()"]
    calls = re.findall(r"\(\[([^\]]*)\], \[([^\]]*)\]\)", pair)
    assert len(calls) == 2 and all(a == b for a, b in calls) and calls[0] != calls[1]
    assert "TracingError: under plain jax.jit" in res.stdout
    # Stateless: jit gives the same as eager.
    eager = by_code["seedkit.stateless_uniform([4], seed=(1, 2))"][0]
    assert by_code["jax.jit(lambda s: seedkit.stateless_uniform([4], s))(jnp.array([1, 2]))"] == [eager]
    # Every "TensorFlow: [...]" note agrees with the value printed beside it.
    notes = re.findall(r"^(\[.*\])    # TensorFlow: (\[.*\])$", res.stdout, flags=re.M)
    assert len(notes) == 3
    for ours, tfs in notes:
        a, b = (np.array(re.findall(r"-?\d+\.\d*", x), float) for x in (ours, tfs))
        np.testing.assert_allclose(a, b, atol=1e-4)


def test_help_describes_the_tour_without_running_it():
    res = _run("--help")
    assert res.returncode == 0, res.stderr
    assert "usage: python -m seedkit" in res.stdout and "REPL transcript" in res.stdout
    assert ">>>" not in res.stdout  # nothing ran
    bad = _run("--bogus")
    assert bad.returncode == 2 and "unrecognized arguments" in bad.stderr
