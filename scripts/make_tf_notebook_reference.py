"""Rewrite the TensorFlow reference cell of ``notebooks/05_migrating_from_tensorflow.ipynb``.

Notebook 5 compares seedkit's ``alg="philox"`` numbers with TensorFlow's, bit for bit, without
importing TensorFlow: TF's outputs are stored in its code cell tagged ``tf-reference`` as a dict
``TF``. This script computes every one of them with TensorFlow (eagerly, on the CPU) and writes
that cell's source. Run it with a Python that has ``tensorflow-cpu`` (never a dependency of
seedkit), then re-execute the notebook with seedkit's Python::

    pip install tensorflow-cpu nbformat
    python scripts/make_tf_notebook_reference.py
    python scripts/run_notebooks.py notebooks/05_migrating_from_tensorflow.ipynb

float32 outputs are stored as the hex of their bits (one string per array), integers as lists
of ints, Generator states as TF's three int64 values. Each key names the TF call; the notebook
makes the seedkit call of the same name and compares the bits.
"""

from __future__ import annotations

import json
from pathlib import Path

import _tf_reference as common
import nbformat
import numpy as np

tf = common.import_tensorflow()

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_migrating_from_tensorflow.ipynb"
TAG = "tf-reference"
PHILOX = "philox"
LINE_LENGTH = 110  # pyproject.toml's [tool.ruff]


def encode(x) -> str | list[int]:
    """float32 values as one string of their bits (8 hex digits each, space-separated), which
    keeps every entry on one line; integers as a list of ints."""
    a = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    if a.dtype == np.float32:
        return " ".join(f"{int(v):08x}" for v in a.view(np.uint32).reshape(-1))
    if a.dtype.kind in "iu":
        return [int(v) for v in a.reshape(-1)]
    raise TypeError(f"no encoding for {a.dtype}")


def stateless() -> dict[str, list]:
    """Section 3: stateless ops and TF's split/fold_in/shuffle, alg="philox". Seeds are Python
    lists, so int32 tensors: split and fold_in return int32 seeds, as seedkit does without x64."""
    return {
        "stateless_uniform([4], seed=[1, 2])": tf.random.stateless_uniform([4], [1, 2], alg=PHILOX),
        "stateless_uniform([6], [1, 2], -10, 10, int32)": (
            tf.random.stateless_uniform([6], [1, 2], -10, 10, tf.int32, alg=PHILOX)
        ),
        "stateless_normal([4], seed=[7, 17])": tf.random.stateless_normal([4], [7, 17], alg=PHILOX),
        "stateless_truncated_normal([4], [7, 17], 1.0, 2.0)": (
            tf.random.stateless_truncated_normal([4], [7, 17], 1.0, 2.0, alg=PHILOX)
        ),
        "split([1, 2], num=3)": tf.random.split([1, 2], num=3, alg=PHILOX),
        "fold_in([1, 2], 5)": tf.random.fold_in([1, 2], 5, alg=PHILOX),
        "stateless_shuffle(range(10), [1, 2])": (
            tf.random.experimental.stateless_shuffle(tf.range(10), [1, 2], alg=PHILOX)
        ),
    }


def generator() -> dict[str, list]:
    """Section 3: a philox Generator's draws and its state (TF's int64 triple) after each."""
    g = tf.random.Generator.from_seed(1234, alg=PHILOX)
    out = {"from_seed(1234): state": g.state.numpy()}  # .numpy(): a copy, g.state is a variable
    for call, draw in [
        ("g.uniform([3])", lambda: g.uniform([3])),
        ("g.normal([2, 2])", lambda: g.normal([2, 2])),
        ("g.uniform([5], maxval=100, dtype=int32)", lambda: g.uniform([5], maxval=100, dtype=tf.int32)),
    ]:
        out[call] = draw()
        out[f"{call}: state"] = g.state.numpy()
    out["g.uniform([2])"] = g.uniform([2])  # the notebook resumes from the state above
    return out


def global_seed() -> dict[str, list]:
    """Section 4: the stateful ops after ``tf.random.set_seed``, eager and in a tf.function."""
    out = {}
    tf.random.set_seed(1234)
    out["uniform([4])"] = tf.random.uniform([4])
    out["uniform([4]), again"] = tf.random.uniform([4])
    out["normal([3])"] = tf.random.normal([3])
    out["truncated_normal([3])"] = tf.random.truncated_normal([3])

    tf.random.set_seed(1234)
    out["uniform([3], seed=1)"] = tf.random.uniform([3], seed=1)
    out["uniform([3], seed=1), again"] = tf.random.uniform([3], seed=1)

    tf.random.set_seed(1234)
    ones = tf.ones([12])
    out["nn.dropout(ones([12]), rate=0.5, seed=7)"] = tf.nn.dropout(ones, rate=0.5, seed=7)
    out["nn.dropout(ones([12]), rate=0.5, seed=7), again"] = tf.nn.dropout(ones, rate=0.5, seed=7)
    out["nn.dropout(ones([12]), rate=0.5)"] = tf.nn.dropout(ones, rate=0.5)

    tf.random.set_seed(1234)

    @tf.function
    def f():
        return tf.random.uniform([1]), tf.random.uniform([1])

    for label in ("f()", "f(), again"):
        a, b = f()
        out[label] = tf.concat([a, b], 0)
    return out


def cell_source(sections: dict[str, dict[str, list]]) -> str:
    """The cell's source, already as ``ruff format`` writes it (the notebooks are linted)."""
    lines = [
        f"# TensorFlow {tf.__version__} outputs (tensorflow-cpu, eager, CPU) of the calls below:",
        "# float32 values as a string of their bits in hex, ints as lists, Generator states as",
        "# TF's int64 triples. scripts/make_tf_notebook_reference.py (with TF) regenerates this cell.",
        "TF = {",
    ]
    for title, values in sections.items():
        lines.append(f"    # {title}")
        for key, value in values.items():
            encoded = encode(value)
            line = f"    {json.dumps(key)}: {json.dumps(encoded)},"
            if isinstance(encoded, list) and len(line) > LINE_LENGTH:
                raise ValueError(f"ruff format would split this line; shorten the case:\n{line}")
            lines.append(line)
    lines.append("}")
    return "\n".join(lines)


def main() -> None:
    sections = {
        "stateless ops, alg='philox'": stateless(),
        "tf.random.Generator.from_seed(1234, alg='philox')": generator(),
        "tf.random.set_seed(1234) before each group": global_seed(),
    }
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in nb.cells if TAG in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise SystemExit(f"{NOTEBOOK.name}: expected one cell tagged {TAG!r}, found {len(cells)}")
    cells[0].source = cell_source(sections)
    nbformat.validate(nb)
    nbformat.write(nb, NOTEBOOK)
    n = sum(len(v) for v in sections.values())
    print(f"wrote {n} TF {tf.__version__} reference values into {NOTEBOOK.name}; re-execute it next")


if __name__ == "__main__":
    main()
