"""`python -m seedkit` runs and shows the seed document's results."""

import re
import subprocess
import sys


def test_demo_runs_and_shows_tf_rules():
    res = subprocess.run([sys.executable, "-m", "seedkit"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "(1234, 1892932127)  (TF: (1234, 1892932127))" in out
    pairs = dict(re.findall(r"^  (.+?)\s{2,}(\(.*\))$", out, flags=re.M))
    a1 = pairs["set_seed(1234): A1, A2"]
    assert a1 == pairs["set_seed(1234) again ('re-run'): A1, A2"]
    assert pairs["no global seed, seed=1: A1, A2 (a counter)"] == pairs["== set_seed(87654321), seed=1"]
    fg = pairs["f() and g(): the same (A1, A2)"].split(") (")
    assert fg[0] + ")" == "(" + fg[1]
    assert "raises seedkit.TracingError" in out
