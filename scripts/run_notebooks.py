"""Execute the notebooks in ``notebooks/`` and write them back with their new outputs.

The notebooks are committed executed, so what a reader sees must be what the code prints. Run
this after changing a notebook or anything its outputs depend on, then commit the result::

    python scripts/run_notebooks.py                       # every notebooks/*.ipynb, in place
    python scripts/run_notebooks.py notebooks/01_quick_start.ipynb
    python scripts/run_notebooks.py --check               # exit 1 if a committed output is stale

Each notebook runs top to bottom in a fresh ``python3`` kernel of this interpreter, in a fresh
temporary working directory, on the CPU (``JAX_PLATFORMS=cpu``), with this checkout first on
``PYTHONPATH``. ``tests/test_notebooks.py`` uses the same functions.

A cell whose printed output legitimately changes from run to run (OS entropy) carries the cell
tag ``nondeterministic``: it still has to run, but ``--check`` does not compare its output.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NONDETERMINISTIC = "nondeterministic"
CELL_TIMEOUT_S = 120


def notebook_paths() -> list[Path]:
    """Every notebook of ``notebooks/``, in name order."""
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def kernel_env() -> dict[str, str]:
    """The kernel's environment: this checkout importable first, JAX on the CPU (the outputs
    are committed from CPU runs), and no interactive matplotlib backend."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHONPATH=path, JAX_PLATFORMS="cpu", MPLBACKEND="Agg")


def _kernel_manager() -> Any:
    """A manager for a ``python3`` kernel run by ``sys.executable``, whatever kernelspecs the
    machine has installed (a user-level ``python3`` spec may point at another interpreter)."""
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class _ThisInterpreter(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
            return KernelSpec(
                argv=argv, display_name="Python 3 (ipykernel)", language="python", name=kernel_name
            )

    return KernelManager(kernel_name="python3", kernel_spec_manager=_ThisInterpreter())


def execute(nb: Any, cwd: str | os.PathLike, timeout: int = CELL_TIMEOUT_S) -> Any:
    """Run every cell of ``nb`` (an nbformat notebook) in order, in place, in a fresh kernel
    started in ``cwd``. Raises ``nbclient.exceptions.CellExecutionError`` at the first cell that
    raises, and ``CellTimeoutError`` when a cell runs longer than ``timeout`` seconds."""
    from nbclient import NotebookClient

    km = _kernel_manager()
    client = NotebookClient(
        nb,
        km=km,
        kernel_name="python3",
        timeout=timeout,
        allow_errors=False,
        record_timing=False,  # timings in the committed files would change on every run
        coalesce_streams=True,  # one stdout output per cell: how prints are chunked varies by run
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute(env=kernel_env(), cwd=str(cwd))
    finally:
        # nbclient shuts down only kernels whose manager it made itself; this one is ours, and
        # left running it would idle (300-500 MB each) until the test run ends.
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.metadata.get("language_info", {}).pop("version", None)  # the interpreter's patch level: churn
    return nb


def comparable_outputs(nb: Any) -> list[tuple[int, str]]:
    """``(cell index, text)`` for every code cell: what it printed to stdout and the text of
    its results. Left out: stderr (warnings vary with versions), images (bytes vary with
    matplotlib and its fonts), and cells tagged ``nondeterministic``."""
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or NONDETERMINISTIC in cell.get("metadata", {}).get("tags", []):
            continue
        parts = []
        for o in cell.get("outputs", []):
            if o.output_type == "stream" and o.name == "stdout":
                parts.append(o.text)
            elif o.output_type in ("execute_result", "display_data") and "image/png" not in o.data:
                parts.append(o.data.get("text/plain", ""))
        out.append((i, "".join(parts)))
    return out


def stale_report(committed: Any, fresh: Any, name: str) -> str:
    """A diff of the outputs that differ between the committed and a fresh run; '' if none."""
    diffs = []
    for (i, old), (_, new) in zip(comparable_outputs(committed), comparable_outputs(fresh), strict=True):
        if old != new:
            diff = difflib.unified_diff(
                old.splitlines(),
                new.splitlines(),
                f"{name} cell {i} (committed)",
                f"{name} cell {i} (now)",
                lineterm="",
            )
            diffs.append("\n".join(diff))
    return "\n".join(diffs)


def _size_kib(path: Path) -> float:
    return path.stat().st_size / 1024


def main(argv: list[str] | None = None) -> int:
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks to run (default: notebooks/*.ipynb)")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if committed outputs are stale"
    )
    args = parser.parse_args(argv)
    paths = args.paths or notebook_paths()
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    stale = False
    for path in paths:
        committed = nbformat.read(path, as_version=4)
        fresh = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as cwd:
            execute(fresh, cwd)
        if args.check:
            report = stale_report(committed, fresh, path.name)
            stale |= bool(report)
            print(f"{path.name}: {'STALE' if report else 'ok'}")
            if report:
                print(report)
        else:
            nbformat.validate(fresh)
            nbformat.write(fresh, path)
            print(f"{path.name}: executed, {_size_kib(path):.0f} KiB")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
