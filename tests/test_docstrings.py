"""Every public callable with parameters documents them in an ``Args:`` section (Google style, as
mkdocstrings reads it), and every one that returns something has a ``Returns:`` section."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re

import seedkit

MODULES = ["seedkit", "seedkit.nn", "seedkit.seeding", "seedkit.keras", "seedkit.nnx"]
CLASSES_WITH_METHODS = ["Generator", "RandomState"]
SKIP = {"Generator.tree_unflatten", "Generator.tree_flatten"}  # the pytree protocol
UNDOCUMENTED_PARAMS = {"self", "cls"}


def _public_callables() -> dict[str, object]:
    found: dict[str, object] = {}
    for name in MODULES:
        # seedkit.keras and seedkit.nnx need the keras and flax extras, which the test extra
        # holds: a missing one fails here rather than skipping every module's check.
        module = importlib.import_module(name)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if callable(obj) and not inspect.ismodule(obj):
                found[f"{name}.{attr}"] = obj
    for cls_name in CLASSES_WITH_METHODS:
        cls = getattr(seedkit, cls_name)
        for attr, raw in inspect.getmembers(cls):
            qual = f"{cls_name}.{attr}"
            if (
                attr.startswith("_")
                or qual in SKIP
                or isinstance(inspect.getattr_static(cls, attr), property)
            ):
                continue
            if callable(raw):
                found[f"seedkit.{qual}"] = raw
    return found


def _section(doc: str, title: str) -> list[str] | None:
    """The lines of a Google-style section, or None when the docstring has none."""
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == f"{title}:":
            indent = len(line) - len(line.lstrip())
            body = []
            for later in lines[i + 1 :]:
                if later.strip() and len(later) - len(later.lstrip()) <= indent:
                    break
                body.append(later)
            return body
    return None


def _documented(body: list[str]) -> set[str]:
    first = min((len(x) - len(x.lstrip()) for x in body if x.strip()), default=0)
    return {
        m.group(1)
        for x in body
        if len(x) - len(x.lstrip()) == first and (m := re.match(r"\s*\**(\w+)(?: \(.*\))?:", x))
    }


def _signature(obj: object) -> inspect.Signature:
    return inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)


def _problems(name: str, obj: object) -> list[str]:
    doc = inspect.getdoc(obj) or ""
    sig = _signature(obj)
    params = [
        p.name
        for p in sig.parameters.values()
        if p.name not in UNDOCUMENTED_PARAMS and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    problems = []
    if params:
        args = _section(doc, "Args")
        if args is None and dataclasses.is_dataclass(obj):  # a record: its fields are attributes
            args = _section(doc, "Attributes")
        if args is None:
            problems.append(f"{name}: no Args section (parameters {params})")
        else:
            missing = [p for p in params if p not in _documented(args)]
            if missing:
                problems.append(f"{name}: Args does not name {missing}")
    returns = sig.return_annotation
    if not inspect.isclass(obj) and returns not in (None, "None", inspect.Signature.empty):
        if _section(doc, "Returns") is None and _section(doc, "Yields") is None:
            problems.append(f"{name}: returns {returns} but has no Returns section")
    return problems


def test_public_callables_document_their_arguments_and_results():
    problems = [p for name, obj in sorted(_public_callables().items()) for p in _problems(name, obj)]
    assert problems == [], "\n".join(problems)


def test_the_walk_covers_the_generator_draws_and_the_framework_modules():
    names = _public_callables()
    for expected in ("seedkit.Generator.binomial", "seedkit.Generator.from_key", "seedkit.nn.dropout"):
        assert expected in names
    assert "seedkit.Generator.tree_unflatten" not in names
