"""Python code blocks of Markdown files, each run on its own in a fresh interpreter.

A reader copies one block, not the page: every block must import what it uses and define what
it needs. Each runs in a subprocess of its own (with this checkout first on ``sys.path``), so a
name or a seed left behind by an earlier block cannot make a later one pass."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def python_blocks(path: pathlib.Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", path.read_text(), flags=re.S | re.M)


def run_block(block: str, label: str, tmp_path: pathlib.Path, timeout: float = 240) -> None:
    """Run ``block`` with ``python -c`` in ``tmp_path`` (files it writes stay there); fail with
    its output when it exits non-zero."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("KERAS_BACKEND", None)  # a fresh shell: the block itself chooses Keras's backend
    done = subprocess.run(
        [sys.executable, "-c", block],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, (
        f"{label} failed on its own:\n{done.stdout}\n{done.stderr}\n--- block:\n{block}"
    )
