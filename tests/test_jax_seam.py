"""seedkit/_jax.py, the one module that touches JAX's tracing machinery.

These tests pin what seedkit needs from JAX on whatever JAX version the suite runs on (CI runs
it on the oldest and the newest supported release), so a JAX upgrade that changes the trace
context fails here, with a name, instead of in every stateful op.
"""

from __future__ import annotations

import ast
import pathlib

import jax
import jax.numpy as jnp
import pytest
from jax import lax
from jax.extend.core import set_current_trace

import seedkit
from seedkit import _jax

PACKAGE = pathlib.Path(seedkit.__file__).parent


def _probe(record: list, value=0.0):
    record.append((_jax.is_tracing(), _jax.is_staging(), _jax.evaluates_once()))
    return value


def _compile_time_eval(f):
    def g(x):
        with jax.ensure_compile_time_eval():
            f(1.0)
        return x

    return g


# (name, how to run a function of x under it, expected (is_tracing, is_staging, evaluates_once))
CONTEXTS = [
    ("jit", lambda f, x: jax.jit(f)(x), (True, True, False)),
    ("vmap", lambda f, x: jax.vmap(f)(jnp.ones(2) * x), (True, False, False)),
    ("grad", lambda f, x: jax.grad(f)(x), (True, False, True)),
    ("jvp", lambda f, x: jax.jvp(f, (x,), (x,)), (True, False, True)),
    ("vjp", lambda f, x: jax.vjp(f, x), (True, False, True)),
    ("linearize", lambda f, x: jax.linearize(f, x), (True, False, True)),
    ("grad_of_grad", lambda f, x: jax.grad(jax.grad(f))(x), (True, False, True)),
    ("jacfwd", lambda f, x: jax.jacfwd(f)(x), (True, False, False)),
    ("scan", lambda f, x: lax.scan(lambda c, _: (f(c), None), x, None, length=1), (True, True, False)),
    ("cond", lambda f, x: lax.cond(True, f, lambda y: y, x), (True, True, False)),
    ("checkpoint", lambda f, x: jax.checkpoint(f)(x), (True, True, False)),
    ("make_jaxpr", lambda f, x: jax.make_jaxpr(f)(x), (True, True, False)),
    ("eval_shape", lambda f, x: jax.eval_shape(f, x), (True, True, False)),
    ("vmap_in_jit", lambda f, x: jax.jit(jax.vmap(f))(jnp.ones(2) * x), (True, True, False)),
    ("grad_of_jit", lambda f, x: jax.grad(jax.jit(f))(x), (True, True, False)),
    ("grad_in_jit", lambda f, x: jax.jit(jax.grad(f))(x), (True, True, False)),
    # concrete values inside jit: nothing is staged, but the jit trace is still there
    ("compile_time_eval", lambda f, x: jax.jit(_compile_time_eval(f))(x), (True, False, False)),
]


def test_eager_is_neither_tracing_nor_staging():
    assert _jax.is_tracing() is False
    assert _jax.is_staging() is False
    assert _jax.evaluates_once() is True
    assert _jax.trace_token() == _jax.EAGER


@pytest.mark.parametrize("name,run,expected", CONTEXTS, ids=[c[0] for c in CONTEXTS])
def test_transformation_contexts(name, run, expected):
    record: list = []
    run(lambda x: _probe(record, x), 1.0)
    assert record, name
    assert set(record) == {expected}, (name, record)


def test_eval_context_inside_jit_is_eager():
    # jax.core.eval_context (public) evaluates at once even inside jit: not tracing.
    record = []

    def f(x):
        with jax.core.eval_context():
            record.append(_jax.is_tracing())
        return x

    jax.jit(f)(1.0)
    assert record == [False]


def test_no_current_trace_counts_as_eager():
    # Since JAX 0.11 the current trace is None (not the eval trace) inside take_current_trace()
    # and while a primitive's eager implementation runs; seedkit 0.1.0 took that for tracing and
    # every eager stateful op raised TracingError. Emulated here on any JAX version.
    assert _jax.is_eager_trace(None)
    with set_current_trace(None):
        tracing = seedkit._state.is_tracing()
    assert tracing is False


def test_trace_tokens_tell_traces_apart():
    tokens = []
    jax.jit(lambda x: tokens.append(_jax.trace_token()) or x)(1.0)
    jax.jit(lambda x: tokens.append(_jax.trace_token()) or x)(1.0)
    assert tokens[0] != _jax.EAGER
    assert tokens[0] != tokens[1]
    assert tokens[0] == tokens[0]


def test_eager_stateful_ops_work():
    # The first reproducer: on JAX 0.11.2 both raised TracingError.
    seedkit.set_seed(1)
    assert seedkit.uniform([1]).shape == (1,)
    assert seedkit.uniform([1], seed=1).shape == (1,)
    assert seedkit.nn.dropout(jnp.ones(4), 0.5, seed=3).shape == (4,)
    assert seedkit.Generator.from_seed(1).normal([2]).shape == (2,)


def _internal_imports(path: pathlib.Path) -> list[str]:
    """The JAX-internal names ``path`` imports: any ``jax._src`` module, and the trace objects
    of ``jax.extend.core`` / ``jax.core`` that only the seam may handle."""
    trace_names = {
        "find_top_trace",
        "set_current_trace",
        "take_current_trace",
        "get_opaque_trace_state",
        "eval_context",
    }
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("jax._src")]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("jax._src"):
                found.append(node.module)
            elif node.module in ("jax.extend.core", "jax.core"):
                found += [f"{node.module}.{a.name}" for a in node.names if a.name in trace_names]
        elif isinstance(node, ast.Attribute) and node.attr in trace_names:
            found.append(node.attr)
    return found


def test_only_the_seam_touches_jax_internals():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "_jax.py" and path.parent == PACKAGE:
            continue
        found = _internal_imports(path)
        if found:
            offenders[str(path.relative_to(PACKAGE))] = found
    assert offenders == {}


def test_the_scan_finds_internal_imports(tmp_path):
    # The check above can fail: it sees each kind of contact it forbids.
    sample = tmp_path / "m.py"
    sample.write_text(
        "import jax._src.core\n"
        "from jax._src.interpreters import batching\n"
        "from jax.extend.core import find_top_trace\n"
        "import jax\n"
        "jax.core.eval_context()\n"
    )
    assert _internal_imports(sample) == [
        "jax._src.core",
        "jax._src.interpreters",
        "jax.extend.core.find_top_trace",
        "eval_context",
    ]


def test_checkpoint_bodies_are_recognised():
    # seedkit.function walks through jax.checkpoint bodies (see _jax.base_trace); this pins the
    # private marker it reads, so a JAX release that changes it fails here by name.
    seen = []

    def probe(x):
        seen.append(_jax._is_checkpoint_body(_jax.current_trace()))
        return x

    jax.jit(jax.checkpoint(probe))(1.0)
    jax.jit(lambda x: lax.scan(lambda c, _: (probe(c), None), x, None, length=1)[0])(1.0)
    jax.jit(probe)(2.0)
    assert seen == [True, False, False]


def test_shard_axes_outside_and_inside_shard_map():
    from jax.sharding import PartitionSpec as P

    assert _jax.shard_axes() == ()
    mesh = jax.make_mesh((1,), ("x",))
    seen = []
    jax.jit(
        jax.shard_map(lambda y: seen.append(_jax.shard_axes()) or y, mesh=mesh, in_specs=P(), out_specs=P())
    )(jnp.zeros(2))
    assert seen == [("x",)]


def test_evaluates_once_above_a_base_trace():
    # seedkit.keras: a Keras step's state is an input of the trace a `with state:` block opens
    # in; draws may happen there and under autodiff above it, not in bodies or vmaps opened since.
    seen = {}

    def step(x):
        base = _jax.current_trace()
        seen["base"] = _jax.evaluates_once_above(base)

        def loss(w):
            seen["grad"] = _jax.evaluates_once_above(base)
            return w * x

        jax.grad(loss)(1.0)
        jax.vmap(lambda r: seen.setdefault("vmap", _jax.evaluates_once_above(base)) or r)(jnp.ones(2))
        lax.scan(
            lambda c, _: (seen.setdefault("scan", _jax.evaluates_once_above(base)) or c, None), x, None, 2
        )
        jax.jit(lambda y: seen.setdefault("jit", _jax.evaluates_once_above(base)) or y)(x)
        return x

    jax.jit(step)(1.0)
    assert seen == {"base": True, "grad": True, "vmap": False, "scan": False, "jit": False}
    assert _jax.evaluates_once_above(_jax.current_trace())  # eager base, eager code
    eager_base: list = []
    jax.jit(lambda x: eager_base.append(_jax.evaluates_once_above(None)) or x)(1.0)
    assert eager_base == [False]  # an eager base, staged code: nothing may draw
