"""Stream stability: every stateless function reproduces the values pinned in
tests/data/goldens.json, bit for bit. Those values were produced by scripts/make_goldens.py;
regenerate them only for an intended change of the numbers (a major release)."""

import json
import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "scripts"))
from make_goldens import call, encode

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "goldens.json").read_text())


def _id(case):
    kw = case["kwargs"]
    extra = ",".join(f"{k}={kw[k]}" for k in ("dtype", "shape", "alpha", "lam", "counts") if k in kw)
    return f"{case['fn']}[seed={tuple(kw['seed'])},{extra}]"


@pytest.mark.parametrize("case", DATA["cases"], ids=[_id(c) for c in DATA["cases"]])
def test_golden(case):
    got = encode(np.asarray(call(case["fn"], case["kwargs"])))
    assert got == case["out"]


def test_goldens_cover_every_stateless_function():
    import seedkit

    public = {n for n in seedkit.__all__ if n.startswith("stateless_") or n == "index_shuffle"}
    assert public <= {c["fn"] for c in DATA["cases"]}
