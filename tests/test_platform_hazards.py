"""Platform hazards in the samplers (issue 14): what could make a backend other than this CPU
compute different numbers, found in each sampler's lowered program and pinned here by hand.

Two inventories, taken from the StableHLO that ``jax.jit(...).lower`` gives for the CPU (before
XLA compiles it; other backends lower the same program: seedkit chooses nothing by platform):

* the floating-point operations whose result is not an exactly rounded ``+ - *``:
  transcendental functions, ``sqrt``, ``divide``, ``power``. Each backend brings its own
  implementation (XLA's CPU polynomials, CUDA's libdevice, approximate ``div.full.f32`` on
  NVIDIA GPUs), so each entry is a place where a GPU may differ. float64 operations are
  listed as ``op:f64``. A sampler that gains one fails here: add it to the table only with a reason (and, for ``alg="philox"``, a TF fixture that
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
    # lowered for the CPU wherever the test runs (test_the_normals_lower_the_same_for_cpu_and_cuda)
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
            backend.add(m.group(1) + (":f64" if element == "f64" else ""))
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
# TF's: r = sqrtf(-2 logf(u1)), taken in double (correctly rounded on every backend, IEEE 754;
# NVIDIA's sqrt.rn.f64), then rounded to float, which equals sqrtf; logf and sincosf are glibc's
# steps in float64 +-* (seedkit._tf._logf, _sincosf)
_BOX_MULLER = {"sqrt:f64"}
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
    # TF's gamma (with x64 off, its double steps in float32): BoxMullerDouble's radius
    # sqrt(-2 log u1) (sin/cos as the float32 normal's), log1p/log acceptance, pow(u, 1/alpha)
    # for alpha < 1, c = (1/3) / sqrt(d)
    ("philox", "gamma"): {"divide", "log", "log_plus_one", "power", "sqrt"},
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
    # TF's float64 normal: XLA's float64 log, sin and cos, approximated (the float32 normals'
    # glibc steps in float64 hold under fast-math: their margin covers reassociation too)
    "(test_normal_and_truncated_normal_bit_exact and float64)": "philox float64 normal: approximate log/sin/cos",
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


def test_the_normals_lower_the_same_for_cpu_and_cuda():
    """The float32 Box-Muller is one program for every backend, with no sine, cosine or log
    operation of its own (lowered for CUDA without a GPU here)."""
    from seedkit._tf import _box_muller

    def fn(w):
        return _box_muller.box_muller_f32(w, w ^ jnp.uint32(0x9E3779B9))

    w = jax.ShapeDtypeStruct((8,), jnp.uint32)
    cuda = jax.jit(fn).trace(w).lower(lowering_platforms=("cuda",)).as_text()
    cpu = jax.jit(fn).trace(w).lower(lowering_platforms=("cpu",)).as_text()
    assert cuda == cpu
    for op in ("sine", "cosine", "log"):
        assert f"stablehlo.{op} " not in cpu, op
    assert _inventory(lambda s: fn(s.astype(jnp.uint32)))[0] == {"sqrt:f64"}


def _fused_mul_add(a, b, c):
    """``fma(a, b, c)``: the product exact (Dekker's split: numpy rounds every operation and
    contracts none), then one sum, exact to within 2**-104 of the sum."""
    split = 134217729.0  # 2**27 + 1
    a, b, c = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, c)))
    p = a * b
    ah = split * a - (split * a - a)
    bh = split * b - (split * b - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    return s + (((p - (s - bb)) + (c - bb)) + e)


def test_glibc_renderings_keep_their_float32_results_when_every_multiply_add_is_fused():
    """A backend that contracts ``a * b + c`` into one fused operation (NVIDIA GPUs do, where
    they can) moves glibc's double results in logf by at most 2**-47 (relative) on the
    Box-Muller grid (sincosf's by 2**-51), inside the 2**-43 / 2**-45 margin that the near-midpoint tables keep:
    with every multiply-add fused, the float32 results stay glibc's."""
    from seedkit._tf import _logf, _sincosf
    from tests.test_philox import _UNIT, ref_glibc_logf, ref_glibc_sincosf

    u1 = np.maximum(_UNIT, np.float32(1e-7))
    want, plain = ref_glibc_logf(u1)
    got, fused = ref_glibc_logf(u1, mad=_fused_mul_add)
    assert np.max(np.abs(fused - plain) / np.abs(plain)) < 2.0**-46
    table = dict(_logf._LOGF_NEAR_MIDPOINT)
    bits = got.view(np.uint32).copy()
    for i in np.nonzero(np.isin(u1.view(np.uint32), list(table)))[0]:
        bits[i] = table[int(u1.view(np.uint32)[i])]
    assert np.array_equal(bits, want.view(np.uint32))
    assert np.count_nonzero(fused != plain) > 10**6  # the fused rendering really differs

    v1 = (2 * np.pi * _UNIT.astype(np.float64)).astype(np.float32)
    near = {a: (s, c) for a, s, c in _sincosf._NEAR_MIDPOINT}
    hit = np.nonzero(np.isin(v1.view(np.uint32), list(near)))[0]
    for k, (want, got) in enumerate(
        zip(ref_glibc_sincosf(v1), ref_glibc_sincosf(v1, mad=_fused_mul_add), strict=True)
    ):
        bits = got.view(np.uint32).copy()
        bits[hit] = [near[int(v1.view(np.uint32)[i])][k] for i in hit]
        assert np.array_equal(bits, want.view(np.uint32))


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


def test_fma_f32_rounds_the_exact_value_once():
    """seedkit._float64.fma_f32, behind the threefry float32 uniform's ``u * span + lo``: the
    exact ``a * b + c`` rounded to float32 once, against rational arithmetic. The first case is
    one that float64 arithmetic alone rounds twice the wrong way (the exact sum is just below a
    float32 midpoint, its float64 rounding is on it, and ties-to-even then goes up); the rest
    are random, with exponents spread so that the sum often cancels or swallows the product."""
    from fractions import Fraction

    from seedkit._float64 import fma_f32

    rng = np.random.default_rng(14)
    n = 4000
    a = np.concatenate([[1 + 2.0**-23], rng.random(n)]).astype(np.float32)
    b = np.concatenate([[2.0**-24 - 2.0**-47], rng.standard_normal(n) * 10.0 ** rng.integers(-12, 12, n)])
    c = np.concatenate([[1 + 2.0**-23], rng.standard_normal(n) * 10.0 ** rng.integers(-12, 12, n)])
    b, c = b.astype(np.float32), c.astype(np.float32)
    got = np.asarray(jax.jit(fma_f32)(a, b, c))

    def nearest(q: Fraction) -> np.float32:
        f = np.float32(float(q))
        near = [np.nextafter(f, np.float32(-np.inf)), f, np.nextafter(f, np.float32(np.inf))]
        return min(near, key=lambda v: (abs(Fraction(float(v)) - q), int(np.float32(v).view(np.uint32)) & 1))

    want = np.array(
        [
            nearest(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)))
            for x, y, z in zip(a, b, c, strict=True)
        ],
        np.float32,
    )
    assert got[0] == np.float32(1 + 2.0**-23)
    assert np.float32(np.float64(a[0]) * np.float64(b[0]) + np.float64(c[0])) != got[0]  # the double rounding
    bad = np.nonzero(got.view(np.uint32) != want.view(np.uint32))[0]
    assert bad.size == 0, (a[bad[:3]], b[bad[:3]], c[bad[:3]])


def test_float64_regions_leave_no_float64_behind():
    """The samplers that compute in float64 (seedkit._float64) with jax_enable_x64 off: their
    results are float32, the x64 setting is off again after them, eagerly, compiled and under
    jax.disable_jit (the same values each way), and no float64 reaches the program's outputs."""
    cases = {
        "philox normal": lambda s: seedkit.stateless_normal([7], s, alg="philox"),
        "philox truncated normal": lambda s: seedkit.stateless_truncated_normal([7], s, alg="philox"),
        "threefry uniform with bounds": lambda s: seedkit.stateless_uniform([7], s, -2.0, 5.0),
    }
    assert not jax.config.jax_enable_x64  # type: ignore[attr-defined]
    seed = np.array([1, 2], np.int32)
    for name, fn in cases.items():
        eager = np.asarray(fn(seed))
        compiled = np.asarray(jax.jit(fn)(seed))
        with jax.disable_jit():
            interpreted = np.asarray(fn(seed))
        assert eager.dtype == compiled.dtype == interpreted.dtype == np.float32, name
        np.testing.assert_array_equal(eager, compiled, err_msg=name)
        np.testing.assert_array_equal(eager, interpreted, err_msg=name)
        assert not jax.config.jax_enable_x64 and jnp.asarray(1.0).dtype == jnp.float32, name  # type: ignore[attr-defined]
        lowered = jax.jit(fn).lower(seed).as_text()
        assert "xf64>" in lowered, name  # the float64 steps are there ...
        assert re.search(r"func\.func public @main\([^)]*\) -> \(tensor<7xf32>", lowered), name  # ... inside
