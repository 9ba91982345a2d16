"""Every notebook in notebooks/ runs top to bottom, and its committed outputs are still true.

Each notebook executes in a fresh ``python3`` kernel of this interpreter, in a fresh temporary
working directory (see scripts/run_notebooks.py, which this test shares code with). A cell that
raises fails the test. So does a committed output that differs from what the cell prints now
(text only; images and stderr are not compared, and cells tagged ``nondeterministic`` are
skipped): re-run ``python scripts/run_notebooks.py`` and commit the notebooks it rewrites.
"""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "scripts"))
from run_notebooks import NONDETERMINISTIC, execute, notebook_paths, stale_report

NOTEBOOKS = notebook_paths()


def test_there_are_notebooks():
    # An empty parametrization would pass silently.
    assert len(NOTEBOOKS) >= 5, [p.name for p in NOTEBOOKS]


def test_kernel_is_shut_down_after_a_run(tmp_path):
    # issue 17 item 12: the kernels of five notebooks stayed alive for the rest of the test run.
    import os
    import time

    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os; print(os.getpid())")])
    execute(nb, tmp_path)
    pid = int(nb.cells[0].outputs[0].text)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"the notebook's kernel (pid {pid}) is still running")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_outputs_are_current(path, tmp_path):
    import nbformat  # imported here: a missing test extra fails these tests, not collection

    committed = nbformat.read(path, as_version=4)
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None for c in code), (
        f"{path.name} is committed unexecuted: run python scripts/run_notebooks.py"
    )
    fresh = nbformat.read(path, as_version=4)
    execute(fresh, tmp_path)  # raises CellExecutionError naming the failing cell
    report = stale_report(committed, fresh, path.name)
    assert not report, (
        f"{path.name}: committed outputs differ from a fresh run (if a cell's output is random "
        f"by design, tag it {NONDETERMINISTIC!r}); run python scripts/run_notebooks.py and "
        f"commit:\n{report}"
    )
