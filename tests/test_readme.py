"""Every Python code block in the README runs, in order, in one namespace."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(), flags=re.S)


def test_python_blocks_run():
    blocks = _blocks("python")
    assert blocks, "the README should show code"
    namespace: dict = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"README.md block {i}", "exec"), namespace)


def test_quick_start_is_two_commands():
    text = README.read_text()
    block = text.split("<!-- quickstart -->", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line for line in block.splitlines() if line.strip()]
    assert len(lines) == 2 and "pip install" in lines[0] and "pytest" in lines[1]
