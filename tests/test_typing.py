"""seedkit's public types, checked with mypy (issue 17 item 11): the package and the typed usage
examples of tests/typecheck/good.py type-check, and each line of tests/typecheck/bad.py marked
``# E: CODE`` is a mypy error of that code, the only errors there are."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import seedkit.typing

ROOT = pathlib.Path(__file__).resolve().parents[1]
GOOD = "tests/typecheck/good.py"
BAD = "tests/typecheck/bad.py"
_ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*?)(?:  \[(?P<code>[a-z-]+)\])?$")
_MARK = re.compile(r"#\s*E:\s*(?P<code>[a-z-]+)\s*$")


def _mypy(*paths: str) -> subprocess.CompletedProcess:
    # pyproject.toml's [tool.mypy] settings; the cache is .mypy_cache/ (git-ignored), so a second
    # run takes seconds.
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-color-output", "--no-error-summary", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _marked(path: str) -> set[tuple[int, str]]:
    marks = set()
    for number, line in enumerate((ROOT / path).read_text().splitlines(), 1):
        m = _MARK.search(line)
        if m:
            marks.add((number, m["code"]))
    return marks


def test_package_and_examples_type_check_and_bad_uses_are_rejected():
    res = _mypy("seedkit", GOOD, BAD)
    assert "error:" in res.stdout, res.stdout + res.stderr  # mypy ran (bad.py has errors)
    errors = [m for m in map(_ERROR.match, res.stdout.splitlines()) if m]
    elsewhere = [m.group(0) for m in errors if m["path"].replace("\\", "/") != BAD]
    assert elsewhere == [], "\n".join(elsewhere)
    found = {(int(m["line"]), m["code"]) for m in errors}
    expected = _marked(BAD)
    assert len(expected) >= 20
    assert found == expected, (
        f"marked but not an error: {sorted(expected - found)}; "
        f"an error but not marked: {sorted(found - expected)}\n{res.stdout}"
    )


def test_typing_module_names_the_aliases():
    assert dir(seedkit.typing) == sorted(seedkit.typing.__all__)
    for name in seedkit.typing.__all__:
        assert f"``{name}``" in seedkit.typing.__doc__, name
