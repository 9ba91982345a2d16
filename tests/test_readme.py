"""Every Python code block in the README runs on its own, in a fresh interpreter."""

import pathlib

import pytest

from tests._code_blocks import python_blocks, run_block

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = python_blocks(README)


def test_readme_shows_code():
    assert BLOCKS, "the README should show code"


@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_python_block_runs_alone(i, tmp_path):
    run_block(BLOCKS[i], f"README.md python block {i}", tmp_path)


def test_quick_start_is_two_commands():
    text = README.read_text()
    block = text.split("<!-- quickstart -->", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line for line in block.splitlines() if line.strip()]
    assert len(lines) == 2 and "pip install" in lines[0] and "pytest" in lines[1]
