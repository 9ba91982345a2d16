"""The supported JAX range: pyproject.toml's floors are what CI tests as the oldest releases."""

from __future__ import annotations

import importlib
import pathlib
import re
import subprocess
import sys
import zipfile

import jax
import pytest

import seedkit

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _floors() -> dict[str, str]:
    text = (ROOT / "pyproject.toml").read_text()
    deps = re.search(r"^dependencies = \[(.*?)\]", text, re.M | re.S).group(1)
    return dict(re.findall(r'"([a-z_]+)>=([0-9.]+)', deps))


def _oldest_pins() -> dict[str, str]:
    lines = (ROOT / ".ci" / "oldest.txt").read_text().splitlines()
    return dict(line.split("==") for line in lines if line and not line.startswith("#"))


def test_ci_tests_the_floors_pyproject_states():
    assert _floors() == _oldest_pins()
    assert set(_floors()) == {"jax", "jaxlib", "numpy"}


def test_running_jax_is_in_the_supported_range():
    # Catches a test environment that silently picked a JAX outside the stated range.
    version = tuple(int(p) for p in re.findall(r"\d+", jax.__version__)[:3])
    floor = tuple(int(p) for p in _floors()["jax"].split("."))
    assert floor <= version < (0, 12, 0)


def test_distribution_metadata():
    # issue 17: PyPI's "seedkit" is another project; an SPDX license with its file; one version.
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11 (CI runs 3.11)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "seedkit-jax"
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    assert "Apache License" in (ROOT / "LICENSE").read_text()[:200]
    assert project["dynamic"] == ["version"] and "version" not in project
    assert "Typing :: Typed" in project["classifiers"]
    assert (ROOT / "CHANGELOG.md").read_text().count(seedkit.__version__.split(".dev")[0]) >= 1


def test_wheel_carries_the_metadata(tmp_path):
    # What an installer sees: name, version from seedkit.__version__, license expression and file.
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "SetuptoolsDeprecationWarning" not in out.stderr
    (wheel,) = tmp_path.glob("seedkit_jax-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Name: seedkit-jax\n" in meta
    assert f"Version: {seedkit.__version__}\n" in meta
    assert "License-Expression: Apache-2.0\n" in meta
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "seedkit/py.typed" in names


@pytest.mark.parametrize("name", ["nn", "random", "stateless", "generator", "seeding", "function"])
def test_dir_of_a_public_module_is_its_api(name):
    # issue 17 item 10: dir(seedkit.nn) listed Any, functools, jnp, resolve_alg, seed_words, ...
    module = importlib.import_module(f"seedkit.{name}")
    assert dir(module) == sorted(module.__all__)
    for attr in module.__all__:
        getattr(module, attr)  # every listed name exists


def test_help_opens_with_a_map_of_the_api():
    doc = seedkit.__doc__
    missing = [name for name in seedkit.__all__ if f"``{name}``" not in doc]
    assert not missing, f"seedkit's docstring (help(seedkit)) does not map {missing}"


def test_the_test_compilation_cache_is_trimmed_read_longest_ago_first(tmp_path):
    """tests/conftest.py bounds JAX's persistent cache: over the limit, the entries read longest
    ago go first, until the rest fits."""
    import os

    from tests.conftest import _prune_cache

    for i in range(5):
        entry = tmp_path / "sub" / f"entry{i}"
        entry.parent.mkdir(exist_ok=True)
        entry.write_bytes(b"x" * 1000)
        os.utime(entry, (1_000_000 + i, 1_000_000 + i))
    _prune_cache(str(tmp_path), max_bytes=2500)
    assert sorted(p.name for p in tmp_path.glob("**/*") if p.is_file()) == ["entry3", "entry4"]
    _prune_cache(str(tmp_path), max_bytes=2500)  # within the bound: nothing more goes
    assert len([p for p in tmp_path.glob("**/*") if p.is_file()]) == 2
