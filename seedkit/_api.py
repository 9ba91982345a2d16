"""What ``dir()`` shows of seedkit's public modules."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def public_dir(names: Iterable[str]) -> Callable[[], list[str]]:
    """A module-level ``__dir__`` (PEP 562) that lists ``names`` (the module's ``__all__``), so
    ``dir()`` and tab completion show the public API, not the names the module imports."""
    listed = sorted(names)
    return lambda: list(listed)
