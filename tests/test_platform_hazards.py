"""Platform hazards in the samplers (issue 14): what could make a backend other than this CPU
compute different numbers, found in each sampler's lowered program and pinned here by hand.

Two inventories, taken from the StableHLO that ``jax.jit(...).lower`` gives for the CPU (before
XLA compiles it; other backends lower the same program except where seedkit chooses by
platform, as the float32 Box–Muller's sin/cos do):

* the floating-point operations whose result is not an exactly rounded ``+ - *``:
  transcendental functions, ``sqrt``, ``divide``, ``power``. Each backend brings its own
  implementation (XLA's CPU polynomials, CUDA's libdevice, approximate ``div.full.f32`` on
  NVIDIA GPUs), so each entry is a place where a GPU may differ. A sampler that gains one fails
  here: add it to the table only with a reason (and, for ``alg="philox"``, a TF fixture that
  still passes on the CPU).
* half-precision (float16/bfloat16) arithmetic left in the program: under
  ``xla_allow_excess_precision`` (on by default) a backend may compute a chain of such operations
  in float32 and round once, or natively (x86 AVX512-FP16, GPUs), fused or not. Every entry left
  is exact whatever the backend does (see the reasons).

And one run of the platform-independent part of the goldens and TF fixtures in a subprocess
under ``--xla_cpu_enable_fast_math=true`` (XLA contracts, reassociates and approximates there):
the cases listed in :data:`FAST_MATH_BREAKS` are known to change under it, and why.
"""

from __future__ import annotations

import collections
import os
import pathlib
import re
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import seedkit

ROOT = pathlib.Path(__file__).resolve().parents[1]

# Operations whose floating-point result depends on the backend's implementation.
_BACKEND_DEFINED = {
    "log",
    "log_plus_one",
    "exponential",
    "exponential_minus_one",
    "sqrt",
    "rsqrt",
    "cbrt",
    "sine",
    "cosine",
    "tan",
    "tanh",
    "atan2",
    "power",
    "erf",
    "erfc",
    "erf_inv",
    "lgamma",
    "digamma",
    "logistic",
    "divide",
    "remainder",
}
_HALF_ARITHMETIC = {"add", "subtract", "multiply", "divide"}
_OP = re.compile(r'= "?(?:stablehlo|chlo)\.([a-z_]+)')
_ELEMENT = re.compile(r"tensor<(?:[0-9?]+x)*([a-z0-9]+)>")


def _inventory(fn) -> tuple[set[str], dict[str, int]]:
    """(backend-defined float operations, {half-precision arithmetic op: count}) of ``fn(seed)``."""
    # lowered for the CPU wherever the test runs: the float32 Box-Muller lowers differently for
    # other backends (test_off_the_cpu_the_normals_take_the_software_sincosf)
    seed = np.array([1, 2], np.int32)
    text = jax.jit(fn).trace(seed).lower(lowering_platforms=("cpu",)).as_text()
    backend, half = set(), collections.Counter()
    for line in text.splitlines():
        m = _OP.search(line)
        if not m:
            continue
        result = line.rsplit("->", 1)[-1] if "->" in line else line.rsplit(":", 1)[-1]
        types = _ELEMENT.findall(result)
        element = types[-1] if types else ""
        if m.group(1) in _BACKEND_DEFINED and element.startswith(("f", "bf")):
            backend.add(m.group(1))
        if element in ("f16", "bf16") and m.group(1) in _HALF_ARITHMETIC:
            half[m.group(1)] += 1
    return backend, dict(half)


def _samplers(alg: str, dtype: str) -> dict:
    return {
        "uniform": lambda s: seedkit.stateless_uniform([8], s, -2.0, 5.0, dtype=dtype, alg=alg),
        "normal": lambda s: seedkit.stateless_normal([8], s, 0.5, 2.0, dtype=dtype, alg=alg),
        "truncated_normal": lambda s: seedkit.stateless_truncated_normal(
            [8], s, 0.5, 2.0, dtype=dtype, alg=alg
        ),
        "parameterized_truncated_normal": lambda s: seedkit.stateless_parameterized_truncated_normal(
            [8], s, jnp.zeros((), dtype), 1.0, -1.0, 2.0, alg=alg
        ),
        "gamma": lambda s: seedkit.stateless_gamma([8], s, 2.0, dtype=dtype, alg=alg),
    }


def _int_samplers(alg: str) -> dict:
    return {
        "poisson": lambda s: seedkit.stateless_poisson([8], s, 3.0, alg=alg),
        "binomial": lambda s: seedkit.stateless_binomial([8], s, 10.0, 0.3, alg=alg),
        "categorical": lambda s: seedkit.stateless_categorical(jnp.zeros((1, 3)), 8, s, alg=alg),
        "uniform_int": lambda s: seedkit.stateless_uniform([8], s, -5, 9, dtype="int32", alg=alg),
        "shuffle": lambda s: seedkit.stateless_shuffle(jnp.arange(8), s, alg=alg),
        "index_shuffle": lambda s: seedkit.index_shuffle(jnp.arange(8), s, 9999, alg=alg),
    }


# (alg, sampler) -> the backend-defined operations it may contain (x64 off; the same for every
# float dtype, half types computing in float32). Written by hand from the samplers' code.
_ERFINV = {"erf_inv"}  # threefry's inverse-CDF normal: sqrt(2) * erfinv(2u - 1)
_PTN = {"erf", "erfc", "exponential", "log", "sqrt", "divide"}  # ndtr, ndtri, log-space tail
_BOX_MULLER = {"sqrt", "sine", "cosine"}  # TF's: r = sqrt(-2 logf(u1)) (logf in software), sin/cos
EXPECTED_BACKEND_OPS = {
    ("threefry", "uniform"): set(),
    ("threefry", "normal"): _ERFINV,
    ("threefry", "truncated_normal"): _ERFINV,
    ("threefry", "parameterized_truncated_normal"): _PTN,
    # Marsaglia-Tsang: a normal (erfinv), d = alpha - 1/3, c = 1 / sqrt(9d), log acceptance
    ("threefry", "gamma"): {"erf_inv", "divide", "sqrt", "log", "exponential"},
    ("threefry", "poisson"): {"log", "sqrt", "divide"},
    ("threefry", "binomial"): {"log", "log_plus_one", "sqrt", "divide"},
    ("threefry", "categorical"): {"log"},  # Gumbel noise -log(-log(u))
    ("threefry", "uniform_int"): set(),
    ("threefry", "shuffle"): set(),
    ("threefry", "index_shuffle"): set(),
    ("philox", "uniform"): set(),
    ("philox", "normal"): _BOX_MULLER,
    ("philox", "truncated_normal"): _BOX_MULLER,
    ("philox", "parameterized_truncated_normal"): _PTN,  # seedkit's algorithm on Philox bits
    # TF's gamma: Box-Muller normals, log1p/log acceptance, pow(u, 1/alpha) for alpha < 1
    ("philox", "gamma"): _BOX_MULLER | {"divide", "log", "log_plus_one", "power"},
    ("philox", "poisson"): {"divide", "exponential", "log", "sqrt"},
    ("philox", "binomial"): {"divide", "log", "log_plus_one", "sqrt"},
    ("philox", "categorical"): {"exponential"},
    ("philox", "uniform_int"): set(),
    ("philox", "shuffle"): set(),
    ("philox", "index_shuffle"): set(),
}

# (alg, sampler) -> half-precision arithmetic left in the program (float16 and bfloat16 alike),
# each exact on every backend.
EXPECTED_HALF_ARITHMETIC = {
    # the unit value: (1 + k * 2**-m) - 1, exact (Sterbenz)
    ("threefry", "uniform"): {"subtract": 1},
    ("philox", "uniform"): {"subtract": 1},
    # _inside: x + (clip(x) - x), both exact (clip moves x by less than x)
    ("threefry", "truncated_normal"): {"subtract": 1, "add": 1},
}


def _cases():
    for alg in ("threefry", "philox"):
        for dtype in ("float32", "float16", "bfloat16"):
            for name, fn in _samplers(alg, dtype).items():
                yield pytest.param(alg, name, dtype, fn, id=f"{alg}-{name}-{dtype}")
        for name, fn in _int_samplers(alg).items():
            yield pytest.param(alg, name, "", fn, id=f"{alg}-{name}")


@pytest.mark.parametrize(("alg", "name", "dtype", "fn"), list(_cases()))
def test_backend_defined_operations_are_the_known_ones(alg, name, dtype, fn):
    backend, half = _inventory(fn)
    assert backend == EXPECTED_BACKEND_OPS[(alg, name)]
    expected_half = EXPECTED_HALF_ARITHMETIC.get((alg, name), {}) if dtype in ("float16", "bfloat16") else {}
    assert half == expected_half


def test_inventory_sees_what_it_looks_for():
    """The scanner itself: a log, a float division and float16 arithmetic are found; an integer
    division is not a hazard."""
    backend, half = _inventory(
        lambda s: (jnp.log(s.astype(jnp.float32)) / 3.0, s // 2, s.astype(jnp.float16) * jnp.float16(3))
    )
    assert backend == {"log", "divide"}
    assert half == {"multiply": 1}


# Cases known to change under --xla_cpu_enable_fast_math=true, with the hazard that changes them
# (diagnosed op by op, issue 14). None is a GPU measurement.
FAST_MATH_BREAKS = {
    # sqrt(2) * erfinv(2u - 1): XLA's erfinv (its log) approximated, and the product with sqrt(2)
    # reassociated into erfinv's final multiply (37 % of values, up to 3 ulp)
    "stateless_normal": "threefry erfinv: approximate log, reassociation",
    # ndtr/ndtri/log_ndtr polynomials and their log/exp (2-20 % of values, up to 6 ulp)
    "stateless_parameterized_truncated_normal": "ndtr/ndtri: approximate log/exp, reassociation",
    # glibc logf in double-float: reassociation turns TwoSum's error terms into 0 (58 % wrong)
    "test_normal_and_truncated_normal_bit_exact": "philox normals: glibc logf's TwoSum reassociated",
    "test_glibc_logf_on_every_input": "the same",
    "test_stateful_normal_bit_exact": "the same",
    "test_stateful_goldens_from_the_internals_note": "the same",
    "test_constants_folded_by_a_users_jit_keep_tf_rounding": "the same (a normal)",
}


def test_platform_independent_goldens_hold_under_fast_math():
    """Uniform floats (all dtypes, both algorithms), integers, shuffles, splits, the truncated
    normal goldens and the exhaustive 2*pi*u and sin/cos checks give the same bits with XLA's CPU
    fast-math on. The cases known to break are deselected, by name, from FAST_MATH_BREAKS."""
    deselect = " and ".join(f"not {name}" for name in FAST_MATH_BREAKS)
    env = {
        **os.environ,
        "XLA_FLAGS": (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_enable_fast_math=true").strip(),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "JAX_PLATFORMS": "cpu",
    }
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "-o",
        "addopts=",
        "-x",
        "tests/test_goldens.py",
        "tests/test_philox.py",
        "-k",
        f"(test_golden or bit_exact or on_every_input) and {deselect}",
    ]
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    tail = "\n".join(run.stdout.splitlines()[-15:])
    assert run.returncode == 0, tail
    assert " passed" in tail and "failed" not in tail, tail


def test_software_sincosf_equals_glibc_on_every_box_muller_angle():
    """seedkit._tf._sincosf, the sin/cos that TF's normals use off the CPU, against the float64
    rendering of glibc's sincosf in tests/test_philox.py, on all 2**23 angles v1 (on the CPU;
    the GPU check runs it there too), compiled as the samplers compile it."""
    from seedkit._tf import _sincosf
    from tests.test_philox import _UNIT, ref_glibc_sincosf

    v1 = (2 * np.pi * _UNIT.astype(np.float64)).astype(np.float32)
    want_s, want_c = ref_glibc_sincosf(v1)
    got_s, got_c = jax.jit(_sincosf.glibc_sincosf)(v1)
    for got, want in ((got_s, want_s), (got_c, want_c)):
        bad = np.nonzero(np.asarray(got).view(np.uint32) != want.view(np.uint32))[0]
        assert bad.size == 0, (bad.size, v1[bad[:5]])


def test_off_the_cpu_the_normals_take_the_software_sincosf():
    """The float32 Box-Muller lowers to libm's sin/cos for the CPU and to the software sincosf
    (no sine or cosine operation) for CUDA, without a GPU here: lowered for CUDA only."""
    from seedkit._tf import _box_muller

    def fn(v):
        return _box_muller.sin_cos(jnp.float32(1.0), v)

    v = jax.ShapeDtypeStruct((8,), jnp.float32)
    cuda = jax.jit(fn).trace(v).lower(lowering_platforms=("cuda",)).as_text()
    cpu = jax.jit(fn).trace(v).lower(lowering_platforms=("cpu",)).as_text()
    assert "stablehlo.sine" in cpu and "stablehlo.cosine" in cpu
    assert "stablehlo.sine" not in cuda and "stablehlo.cosine" not in cuda


def test_software_sincosf_near_midpoint_table_is_rederived():
    """The table of angles whose glibc sine or cosine lies within 2**-45 of a float32 rounding
    midpoint, re-derived from the float64 rendering of glibc's algorithm."""
    from seedkit._tf import _sincosf
    from tests.test_philox import _UNIT, H

    y = (2 * np.pi * _UNIT.astype(np.float64)).astype(np.float32)
    x = y.astype(np.float64)
    top = (y.view(np.uint32) >> 20) & 0x7FF
    small, tiny = top < 0x3F4, top < 0x398
    n = np.where(small, 0, ((x * H("0x1.45F306DC9C883p+23")).astype(np.int32) + 0x800000) >> 24)
    xr = np.where(small, x, x - n * H("0x1.921FB54442D18p0"))
    xs = xr * np.array([1.0, -1.0, -1.0, 1.0])[n & 3]
    neg = np.where(n & 2, -1.0, 1.0)
    c = [1.0, H("-0x1.ffffffd0c621cp-2"), H("0x1.55553e1068f19p-5"), H("-0x1.6c087e89a359dp-10")]
    c.append(H("0x1.99343027bf8c3p-16"))
    s = [H("-0x1.555545995a603p-3"), H("0x1.1107605230bc4p-7"), H("-0x1.994eb3774cf24p-13")]
    x2 = xr * xr
    x3, x4 = x2 * xs, x2 * x2
    sin_d = (xs + x3 * s[0]) + (x3 * x2) * (s[1] + x2 * s[2])
    cos_d = (
        (neg * c[0] + x2 * (neg * c[1])) + x4 * (neg * c[2]) + (x4 * x2) * (neg * c[3] + x2 * (neg * c[4]))
    )
    odd = (n & 1) == 1
    sin_d, cos_d = np.where(odd, cos_d, sin_d), np.where(odd, sin_d, cos_d)

    def near(d):
        f = d.astype(np.float32)
        up = np.nextafter(f, np.float32(np.inf)).astype(np.float64)
        down = np.nextafter(f, np.float32(-np.inf)).astype(np.float64)
        f64 = f.astype(np.float64)
        dist = np.minimum(np.abs(d - (f64 + up) / 2), np.abs(d - (f64 + down) / 2)) / np.maximum(
            np.abs(d), 1e-300
        )
        return (dist < 2.0**-45) & ~tiny

    idx = np.nonzero(near(sin_d) | near(cos_d))[0]
    table = {
        (
            int(y.view(np.uint32)[j]),
            int(sin_d.astype(np.float32).view(np.uint32)[j]),
            int(cos_d.astype(np.float32).view(np.uint32)[j]),
        )
        for j in idx
    }
    assert table == set(_sincosf._NEAR_MIDPOINT)
