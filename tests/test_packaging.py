"""The supported JAX range: pyproject.toml's floors are what CI tests as the oldest releases."""

from __future__ import annotations

import pathlib
import re

import jax

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
