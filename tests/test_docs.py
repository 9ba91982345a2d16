"""The documentation site builds with warnings as errors, documents every public name, and
every Python code block of its pages runs on its own."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

import seedkit
from tests._code_blocks import ROOT, python_blocks, run_block

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
BLOCKS = [(page, i, block) for page in PAGES for i, block in enumerate(python_blocks(page))]

# Public modules documented beside seedkit.__all__, with the names each must show.
MODULES = {
    "seedkit.nn": ["dropout", "stateless_dropout"],
    "seedkit.keras": ["SeedState", "Dropout"],
    "seedkit.nnx": ["jit", "Jit", "generator_from_stream", "rngs_from_generator", "stream_from_generator"],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> pathlib.Path:
    """``mkdocs build --strict`` into a temporary directory: any warning (a broken link or
    anchor, a docstring that does not parse, a reference that does not resolve) fails it."""
    assert importlib.util.find_spec("mkdocs") is not None, (
        'mkdocs is missing: pip install -e ".[test]" (or ".[docs]") installs the docs tools'
    )
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return out


def _ids(site: pathlib.Path) -> set[str]:
    ids: set[str] = set()
    for page in (site / "api").rglob("index.html"):
        ids.update(re.findall(r'id="(seedkit[\w.]*)"', page.read_text()))
    return ids


def test_site_builds_strict(site):
    assert (site / "index.html").is_file()
    # the README's example and tf.random map are included into the home page, not copied
    home = (site / "index.html").read_text()
    assert "tf.random.set_seed" in home and "dropped" in home


def test_api_reference_covers_every_public_name(site):
    ids = _ids(site)
    for name in seedkit.__all__:
        if name == "function":  # seedkit.function is also a module; its page documents both
            assert "seedkit.function.function" in ids
        else:
            assert f"seedkit.{name}" in ids, f"seedkit.{name} is not in the API reference (docs/api/)"
    for module, names in MODULES.items():
        assert module in ids
        missing = [n for n in names if f"{module}.{n}" not in ids]
        assert not missing, f"{module}: {missing} not in the API reference"


def test_generator_methods_are_documented(site):
    ids = _ids(site)
    for method in ("from_seed", "from_state", "normal", "uniform", "make_seeds", "split"):
        assert f"seedkit.Generator.{method}" in ids


def test_every_page_is_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    missing = [str(p.relative_to(DOCS)) for p in PAGES if str(p.relative_to(DOCS)) not in nav]
    assert not missing, f"pages missing from mkdocs.yml's nav: {missing}"


def test_docs_show_code():
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize(
    ("page", "i", "block"), BLOCKS, ids=[f"{p.relative_to(DOCS)}-{i}" for p, i, _ in BLOCKS]
)
def test_python_block_runs_alone(page, i, block, tmp_path):
    run_block(block, f"{page.relative_to(ROOT)} python block {i}", tmp_path)
