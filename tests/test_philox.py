"""alg="philox" gives TensorFlow's numbers: against TF fixtures, Random123 known answers, an
independent pure-Python model of Philox and TF's layout, and float64 renderings of the glibc
functions TF's normal sampler calls.

The fixtures (tests/data/tf_philox_*.json) come from scripts/make_tf_philox_fixtures.py run
with TensorFlow (version recorded in the files). Every output is compared bit for bit,
including normal and truncated normal floats: an accept/reject decision of the truncated
normal that differed from TF's would shift every later value of its group.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest

from seedkit import _op_args, _words, stateless
from seedkit._algorithms import _philox, bit_generator
from seedkit._algorithms._philox import PHILOX
from seedkit._tf import RESERVED_BLOCKS_PER_ELEMENT, _box_muller, _logf, _sincosf

DATA = pathlib.Path(__file__).parent / "data"
EXACT = json.loads((DATA / "tf_philox_exact.json").read_text())
NORMAL = json.loads((DATA / "tf_philox_normal.json").read_text())
M32 = 0xFFFFFFFF

# ---------------------------------------------------------------------------------------------
# An independent model, written from the Philox paper / Random123 and the TF facts in
# shared/reference/tf_random_internals.md (sections 2-4), in plain Python ints.


def ref_philox(ctr, key):
    c, k = list(ctr), list(key)
    for r in range(10):
        if r:
            k = [(k[0] + 0x9E3779B9) & M32, (k[1] + 0xBB67AE85) & M32]
        p0, p1 = 0xD2511F53 * c[0], 0xCD9E8D57 * c[2]
        c = [(p1 >> 32) ^ c[1] ^ k[0], p1 & M32, (p0 >> 32) ^ c[3] ^ k[1], p0 & M32]
    return tuple(c)


def ref_key(seed):
    """(key words, counter as a 128-bit int) of TF's GenerateKey."""
    w = []
    for s in seed:
        u = s & (2**64 - 1)
        w += [u & M32, u >> 32]
    m = ref_philox(w, (0x3EC8F720, 0x02461E29))
    return (m[0], m[1]), (m[2] << 64) | (m[3] << 96)


def ref_words(key, counter, n):
    """The first n words of the stream of blocks counter, counter + 1, ... (128-bit wrap)."""
    out = []
    i = 0
    while len(out) < n:
        c = (counter + i) % 2**128
        out += ref_philox([(c >> (32 * j)) & M32 for j in range(4)], key)
        i += 1
    return out[:n]


def key_array(key, counter):
    return np.array([key[0], key[1], *[(counter >> (32 * j)) & M32 for j in range(4)]], np.uint32)


# ---------------------------------------------------------------------------------------------
# Fixture decoding.

_DTYPES = {"bfloat16": ml_dtypes.bfloat16}


def np_dtype(name):
    return np.dtype(_DTYPES.get(name, name))


def decode(enc):
    return np.frombuffer(base64.b64decode(enc["b64"]), np_dtype(enc["dtype"])).reshape(enc["shape"])


def assert_exact(got, enc, what=""):
    got = np.asarray(got)
    assert got.shape == tuple(enc["shape"]), (what, got.shape, enc["shape"])
    assert got.dtype == np_dtype(enc["dtype"]), (what, got.dtype, enc["dtype"])
    if "b64" in enc:
        np.testing.assert_array_equal(
            got.view(f"u{got.itemsize}"), decode(enc).view(f"u{got.itemsize}"), err_msg=what
        )
    else:
        head = np.frombuffer(base64.b64decode(enc["head_b64"]), got.dtype)
        np.testing.assert_array_equal(got.reshape(-1)[:8], head, err_msg=what)
        assert hashlib.sha256(np.ascontiguousarray(got).tobytes()).hexdigest() == enc["sha256"], what


def seed_of(case):
    return np.array(case["seed"], np.dtype(case["seed_dtype"]))


def needs_x64(case, *keys):
    return any(str(case.get(k, "")) in ("float64", "int64", "uint64") for k in keys)


def x64(flag):
    return jax.enable_x64(bool(flag))


def _ids(cases, *keys):
    return [f"{i}-" + "-".join(str(c.get(k)) for k in keys) for i, c in enumerate(cases)]


# ---------------------------------------------------------------------------------------------
# Philox itself.

# Random123 known answers for Philox-4x32-10 (kat_vectors); TF's own tests have none.
KATS = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((M32, M32, M32, M32), (M32, M32), (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize(("ctr", "key", "expected"), KATS)
def test_random123_known_answers(ctr, key, expected):
    assert ref_philox(ctr, key) == expected
    got = _philox.philox4x32(np.array(ctr, np.uint32), np.array(key, np.uint32))
    assert tuple(int(v) for v in got) == expected
    back = _philox.philox4x32_inverse(np.array(expected, np.uint32), np.array(key, np.uint32))
    assert tuple(int(v) for v in back) == ctr


def test_philox_is_jittable_and_32_bit_only():
    assert not jax.config.jax_enable_x64
    f = jax.jit(_philox.philox4x32)
    ctr = np.random.default_rng(0).integers(0, 2**32, (64, 4), dtype=np.uint32)
    key = np.array([0xDEADBEEF, 0x12345678], np.uint32)
    got = np.asarray(f(ctr, key))
    assert got.dtype == np.uint32
    assert [tuple(int(v) for v in row) for row in got] == [ref_philox(c.tolist(), key.tolist()) for c in ctr]
    jaxpr = jax.make_jaxpr(f)(ctr, key).jaxpr
    assert all(v.aval.dtype.itemsize <= 4 for eqn in jaxpr.eqns for v in eqn.outvars)


def test_wide_and_limb_products_agree():
    """The 64-bit product inside the kernel and the pure 32-bit (16-bit limb) one are the same."""
    x = np.concatenate(
        [
            np.array([0, 1, 0xFFFF, 0x10000, M32, M32 - 1], np.uint32),
            np.random.default_rng(3).integers(0, 2**32, 4096, dtype=np.uint32),
        ]
    )
    for m in (0xD2511F53, 0xCD9E8D57, 0x1921FB, 0x54442D18, 1, M32):
        wide = jax.jit(lambda v, m=m: _words._mulhilo_wide(m, v))(x)
        limbs = jax.jit(lambda v, m=m: _words._mulhilo_limbs(m, v))(x)
        expected = [int(v) * m for v in x.tolist()]
        assert np.asarray(wide[0]).tolist() == [e >> 32 for e in expected]
        assert np.asarray(wide[1]).tolist() == [e & M32 for e in expected]
        np.testing.assert_array_equal(wide[0], limbs[0])
        np.testing.assert_array_equal(wide[1], limbs[1])
    assert not jax.config.jax_enable_x64  # the wide product left the global setting alone


def test_bit_generator_registry_and_auto_select_unchanged():
    assert bit_generator("philox") is PHILOX
    assert bit_generator(1) is PHILOX
    assert bit_generator("auto_select") is not PHILOX  # seedkit's default stays threefry


_bits_jit = jax.jit(PHILOX.random_bits, static_argnums=(1, 2))


@pytest.mark.parametrize(
    ("shape", "words"),
    [((), 1), ((5,), 1), ((3, 7), 1), ((2, 3, 5), 2), ((3, 7), 3), ((4, 6), 2), ((5,), 4), ((3, 0), 2)],
)
def test_random_bits_layout_matches_model(shape, words):
    """Any shape: the flat row-major stream of words of the blocks base, base + 1, ... (rows
    that start inside a block take the right window)."""
    key, counter = (0x01234567, 0x89ABCDEF), (2**64 - 5) | (7 << 64)  # crosses the 64-bit boundary
    got = np.asarray(_bits_jit(key_array(key, counter), shape, words))
    out_shape = shape + ((words,) if words > 1 else ())
    n = int(np.prod(out_shape))
    expected = np.array(ref_words(key, counter, n), np.uint32).reshape(out_shape)
    np.testing.assert_array_equal(got, expected)


def test_key_counter_model_and_fixture():
    for case in EXACT["cases"]["key_counter"]:
        seed = tuple(case["seed"])
        key = np.asarray(PHILOX.key_from_words(stateless.seed_words(seed_of(case))))
        rk, rc = ref_key(seed)
        np.testing.assert_array_equal(key, key_array(rk, rc))
        tf_key = int(decode(case["key"])[0])
        tf_counter = decode(case["counter"])
        assert tf_key == int(key[0]) | int(key[1]) << 32
        assert int(tf_counter[0]) == int(key[2]) | int(key[3]) << 32
        assert int(tf_counter[1]) == int(key[4]) | int(key[5]) << 32


def test_key_from_device_seed_equals_host_seed():
    for seed in [(-3, 5), (2**31 - 1, -(2**31))]:
        host = PHILOX.key_from_words(stateless.seed_words(seed))
        dev = jax.jit(lambda s: PHILOX.key_from_words(stateless.seed_words(s)))(jnp.array(seed, jnp.int32))
        np.testing.assert_array_equal(host, dev)


def test_raw_counters_with_carries():
    for case in EXACT["cases"]["raw_counter"]:
        key = (case["key"] & M32, case["key"] >> 32)
        counter = case["counter"][0] | case["counter"][1] << 64
        got = _bits_jit(key_array(key, counter), tuple(case["shape"]), 1)
        assert_exact(got, case["out"], str(case))


def test_with_counter_is_tf_skip():
    start = (M32 - 2) | (M32 << 32) | (5 << 64)
    key = key_array((1, 2), start)
    for blocks in [0, 1, 3, 2**32 + 7, 2**40 * 3 + 11]:
        moved = np.asarray(PHILOX.with_counter(key, _words.counter_words(blocks)))
        assert sum(int(moved[2 + j]) << (32 * j) for j in range(4)) == start + blocks
        assert tuple(moved[:2]) == (1, 2)


# ---------------------------------------------------------------------------------------------
# Bit-exact fixtures. A case is one compiled kernel; its runs vary seeds and parameters.


def _case_id(case, *keys):
    return "-".join(str(case.get(k)) for k in keys)


def _run_cases(group, call):
    for case in EXACT["cases"][group]:
        yield pytest.param(case, id=_case_id(case, "fn", "dtype", "shape", "num", "seed_dtype", "data_dtype"))


def check_runs(case, call, force_x64=False):
    with x64(force_x64 or needs_x64(case, "dtype", "seed_dtype", "data_dtype")):
        for r in case["runs"]:
            assert_exact(call(case, r), r["out"], f"{case.get('dtype')} {case.get('shape')} {r}")


def _uniform(case, r):
    return stateless.stateless_uniform(
        case["shape"], seed_of(r), r.get("minval"), r.get("maxval"), dtype=case["dtype"], alg="philox"
    )


@pytest.mark.parametrize("case", list(_run_cases("uniform", None)))
def test_uniform_float_bit_exact(case):
    check_runs(case, _uniform)


@pytest.mark.parametrize("case", list(_run_cases("uniform_int", None)))
def test_uniform_int_bit_exact(case):
    check_runs(case, _uniform)


@pytest.mark.parametrize("case", list(_run_cases("full_int", None)))
def test_full_int_bit_exact(case):
    check_runs(case, _uniform)


def _split_or_fold_in(case, r):
    seed = jnp.asarray(seed_of(r))
    if case["fn"] == "split":
        return stateless.stateless_split(seed, case["num"], alg="philox")
    return stateless.stateless_fold_in(seed, jnp.asarray(r["data"], case["data_dtype"]), alg="philox")


@pytest.mark.parametrize("case", list(_run_cases("split_fold_in", None)))
def test_split_and_fold_in_bit_exact(case):
    check_runs(case, _split_or_fold_in)


@pytest.mark.parametrize("case", EXACT["cases"]["shuffle"], ids=lambda c: str(c["value_shape"]))
def test_shuffle_bit_exact(case):
    value = jnp.arange(int(np.prod(case["value_shape"])), dtype=jnp.int32).reshape(case["value_shape"])
    check_runs(case, lambda c, r: stateless.stateless_shuffle(value, seed_of(r), alg="philox"))


@pytest.mark.parametrize("case", EXACT["cases"]["index_shuffle"], ids=lambda c: str(c["max_index"]))
def test_index_shuffle_bit_exact(case):
    def call(c, r):
        idx = jnp.asarray(c["index"], jnp.int64)  # TF's fixture index is int64
        return stateless.index_shuffle(idx, seed_of(r), c["max_index"], alg="philox")

    check_runs(case, call, force_x64=True)


# ---------------------------------------------------------------------------------------------
# Stateful kernels and Generators: what the stateful layers call.


def test_constants_folded_by_a_users_jit_keep_tf_rounding():
    """Bounds and moments closed over by a jitted function become XLA constants, which lets the
    compiler reassociate and fuse; the values must still be TF's (product rounded, then added).
    The seed stays a traced argument (int32 seeds only: a user's jit truncates int64 arrays
    while jax_enable_x64 is off), so nothing is folded away."""
    runs = [
        (c, r)
        for group in ("uniform",)
        for c in EXACT["cases"][group]
        if c["dtype"] == "float32" and c["shape"] == [3, 7]
        for r in c["runs"]
        if r["seed_dtype"] == "int32"
    ]
    assert len(runs) >= 3
    for _, r in runs:
        lo, hi = r["minval"], r["maxval"]
        f = jax.jit(lambda s, lo=lo, hi=hi: stateless.stateless_uniform((3, 7), s, lo, hi, alg="philox"))
        assert_exact(f(jnp.asarray(seed_of(r))), r["out"], str(r))
    case = next(c for c in NORMAL["cases"]["normal"] if c["dtype"] == "float32" and c["shape"] == [3, 7])
    checked = 0
    for r in case["runs"]:
        if r["seed_dtype"] != "int32":
            continue
        f = jax.jit(
            lambda s, m=r["mean"], d=r["stddev"]: stateless.stateless_normal((3, 7), s, m, d, alg="philox")
        )
        np.testing.assert_array_equal(
            np.asarray(f(jnp.asarray(seed_of(r)))).view(np.uint32), decode(r["out"]).view(np.uint32)
        )
        checked += 1
    assert checked >= 3


def test_stateful_kernels_from_seed_pair():
    """A kernel built from attributes (seed, seed2) is key_from_seed_pair(seed, seed2); its calls
    reserve 256 blocks per output element, whatever the shape of each call."""
    drawn: dict = {}
    for case in EXACT["cases"]["stateful"]:
        kernel = (case["op"], case["seed"], case["seed2"])
        before = drawn.get(kernel, 0) if case["call"] else 0
        key = _philox.key_from_seed_pair(case["seed"], case["seed2"])
        counter = _words.counter_words(RESERVED_BLOCKS_PER_ELEMENT * before)
        shape, dtype = tuple(case["shape"]), np.dtype(case["dtype"])
        if case["op"] == "uniform":
            dist, static, params = "uniform_float", (shape, dtype), (0.0, 1.0)
        else:
            dist, static, params = _op_args.uniform_args(shape, case["minval"], case["maxval"], dtype)
        got = stateless._sample_from_key(dist, "philox", static, key, counter, params)
        assert_exact(got, case["out"], str(case))
        drawn[kernel] = before + int(np.prod(shape))


def test_generator_states():
    """Generator state [c_lo, c_hi, key] -> key_from_state; each draw of n elements moves the
    128-bit counter by 256 * n."""
    for case in EXACT["cases"]["generator"]:
        key = _philox.key_from_state(case["state"])
        shape = tuple(case["shape"])
        n = int(np.prod(shape))
        c = (case["state"][0] % 2**64) + (case["state"][1] % 2**64) * 2**64 + 256 * n
        after = [c % 2**64, (c >> 64) % 2**64, case["state"][2] % 2**64]
        assert after == [v % 2**64 for v in case["state_after"]]
        if case["op"] == "normal":
            continue  # compared within ulps in test_stateful_normal_within_ulps
        if case["op"] == "uniform":
            got = stateless._sample_from_key(
                "uniform_float", "philox", (shape, np.dtype("float32")), key, None, (0.0, 1.0)
            )
        else:
            got = stateless._sample_from_key("full_int", "philox", (shape, np.dtype("uint32")), key, None, ())
        assert_exact(got, case["out"], str(case))


def _f32_bits(x):
    return [hex(v) for v in np.asarray(x).view(np.uint32).reshape(-1).tolist()]


def _draw(dist, key, shape, blocks_before=0, params=(0.0, 1.0)):
    counter = _words.counter_words(blocks_before)
    return stateless._sample_from_key(dist, "philox", (shape, np.dtype("float32")), key, counter, params)


def test_stateful_goldens_from_the_internals_note():
    """TF 2.21 values from shared/reference/tf_random_internals.md, appendix A."""
    # set_seed(1234): eager op seeds 1892932127, 501869158 (random.Random(1234).randint)
    assert _f32_bits(_draw("uniform_float", _philox.key_from_seed_pair(1234, 1892932127), (4,))) == [
        "0x3f09bcf2", "0x3ebaaf4c", "0x3f14e5b6", "0x3e79ae28"
    ]  # fmt: skip
    assert _f32_bits(_draw("uniform_float", _philox.key_from_seed_pair(1234, 501869158), (4,))) == [
        "0x3ea69634", "0x3e0e0788", "0x3f25e690", "0x3e9ba84c"
    ]  # fmt: skip
    assert _f32_bits(_draw("normal", _philox.key_from_seed_pair(1234, 1892932127), (4,))) == [
        "0x3f564123", "0xbf3bfaf0", "0x3f85285d", "0x3d255071"
    ]  # fmt: skip
    # set_seed(1234); uniform([2], seed=1) twice: one kernel, the second call 2 * 256 blocks on
    key = _philox.key_from_seed_pair(1234, 1)
    assert _f32_bits(_draw("uniform_float", key, (2,))) == ["0x3e2d0940", "0x3f78f8ea"]
    assert _f32_bits(_draw("uniform_float", key, (2,), 2 * 256)) == ["0x3ed94380", "0x3ede3a68"]
    # no global seed: (DEFAULT_GRAPH_SEED, 1), second call 3 * 256 blocks on (the note prints
    # these with 8 digits, so they pin the values to within one ulp; the fixtures pin the bits)
    key = _philox.key_from_seed_pair(87654321, 1)
    for before, printed in (
        (0, [0.2390374, 0.92039955, 0.05051243]),
        (768, [0.8514762, 0.28712368, 0.7976277]),
    ):
        np.testing.assert_allclose(_draw("uniform_float", key, (3,), before), printed, rtol=1e-7, atol=0)
    # Generator.from_seed(1234) = state [1234, 0, 0]: normal([2, 3]), then uniform([3]) at 6 * 256 on
    key = _philox.key_from_state([1234, 0, 0])
    assert _f32_bits(_draw("normal", key, (2, 3))) == [
        "0x3f6f8779", "0x3f8aef63", "0xbf701926", "0xbf01935b", "0x3fa8927b", "0x3f36b8d6"
    ]  # fmt: skip
    assert _f32_bits(_draw("uniform_float", _philox.key_from_state([1234 + 6 * 256, 0, 0]), (3,))) == [
        "0x3f26b910", "0x3f6df9a6", "0x3f023c62"
    ]  # fmt: skip
    assert 1234 + 6 * 256 + 3 * 256 == 3538  # the state TF reports after both draws


def test_helper_errors():
    with pytest.raises(TypeError, match="seed"):
        _philox.key_from_seed_pair(1.5, 2)
    with pytest.raises(ValueError, match="state"):
        _philox.key_from_state([1, 2])
    with pytest.raises(ValueError, match="blocks"):
        _words.counter_words(-1)


# ---------------------------------------------------------------------------------------------
# Normal and truncated normal: ulp distance.

# Largest allowed distance to TF in ulps, per dtype. Measured: 0 everywhere (every fixture
# value bit-identical); test_normal_ulp_report prints the tally.
MAX_ULP = {"float32": 0, "float16": 0, "bfloat16": 0, "float64": 0}


def ulp_distance(a, b):
    """|a - b| in units in the last place (distance between the bit patterns as ordered ints)."""
    a, b = np.asarray(a), np.asarray(b)
    bits = f"i{a.itemsize}"
    ia, ib = a.view(bits).astype(np.int64), b.view(bits).astype(np.int64)
    lo = np.iinfo(bits).min
    ia = np.where(ia < 0, lo - ia, ia)
    ib = np.where(ib < 0, lo - ib, ib)
    return np.abs(ia - ib)


def _normal_call(fn, case, r):
    f = stateless.stateless_normal if fn == "normal" else stateless.stateless_truncated_normal
    return f(case["shape"], seed_of(r), r["mean"], r["stddev"], dtype=case["dtype"], alg="philox")


NORMAL_CASES = [(fn, c) for fn in ("normal", "truncated_normal") for c in NORMAL["cases"][fn]]
_ULP_STATS: dict = {}


@pytest.mark.parametrize(
    ("fn", "case"), NORMAL_CASES, ids=[f"{fn}-{c['dtype']}-{c['shape']}" for fn, c in NORMAL_CASES]
)
def test_normal_and_truncated_normal_bit_exact(fn, case):
    for r in case["runs"]:
        with x64(needs_x64(case, "dtype")):
            got = np.asarray(_normal_call(fn, case, r))
        want = decode(r["out"])
        assert got.shape == want.shape and got.dtype == want.dtype
        d = ulp_distance(got, want).reshape(-1)
        assert d.max(initial=0) <= MAX_ULP[case["dtype"]], (
            fn,
            case["dtype"],
            case["shape"],
            r["seed"],
            d.max(),
        )
        if fn == "truncated_normal":
            assert np.all(np.abs(got.astype(np.float64) - r["mean"]) <= 2 * r["stddev"])
        s = _ULP_STATS.setdefault(case["dtype"], [0, 0, 0])
        s[0] += d.size
        s[1] += int((d == 0).sum())
        s[2] = max(s[2], int(d.max(initial=0)))


def test_normal_ulp_report():
    """The measured agreement per dtype, over every value of test_normal_and_truncated_normal_bit_exact (run
    first, in file order): the fraction of bit-identical values and the largest distance."""
    if not _ULP_STATS:
        pytest.skip("needs test_normal_and_truncated_normal_bit_exact in the same session")
    report = {k: (n, round(exact / n, 4), worst) for k, (n, exact, worst) in _ULP_STATS.items()}
    print("\nnormal/truncated normal vs TF: dtype -> (values, fraction bit-exact, max ulp)", report)
    assert all(frac == 1.0 for _, frac, _ in report.values()), report


def test_stateful_normal_bit_exact():
    case = NORMAL["cases"]["stateful_normal"][0]
    key = _philox.key_from_seed_pair(case["seed"], case["seed2"])
    got = stateless._sample_from_key("normal", "philox", ((4,), np.dtype("float32")), key, None, (0.0, 1.0))
    assert ulp_distance(got, decode(case["out"])).max() <= MAX_ULP["float32"]
    for gcase in EXACT["cases"]["generator"]:
        if gcase["op"] == "normal":
            shape = tuple(gcase["shape"])
            key = _philox.key_from_state(gcase["state"])
            got = stateless._sample_from_key(
                "normal", "philox", (shape, np.dtype("float32")), key, None, (0.0, 1.0)
            )
            assert ulp_distance(got, decode(gcase["out"])).max() <= MAX_ULP["float32"]
            # TF's own test (stateful_random_ops_test.testTF1) golden, atol 1e-5
            np.testing.assert_allclose(
                got, [[0.9356609, 1.0854305, -0.93788373], [-0.50615472, 1.31697023, 0.71375787]], atol=1e-5
            )


# ---------------------------------------------------------------------------------------------
# Box–Muller on its whole domain. u1 = max(unit(x0), 1e-7) and v1 = float(2*pi * unit(x1)) each
# take one of 2**23 values, so logf(u1), sinf(v1) and cosf(v1) can be checked on every input,
# against float64 renderings of glibc's algorithms (sysdeps/ieee754/flt-32/e_logf.c and
# s_sincosf.c, glibc 2.28+), written here from glibc's published constants. On a machine with
# glibc, these renderings were also compared with libm itself on all 2**23 inputs: equal.

H = float.fromhex
_K = np.arange(1 << 23, dtype=np.uint32)
_UNIT = ((_K | np.uint32(0x3F800000)).view(np.float32) - np.float32(1.0)).astype(np.float32)
LOGF_INVC_LOGC = [
    (H("0x1.661ec79f8f3bep+0"), H("-0x1.57bf7808caadep-2")),
    (H("0x1.571ed4aaf883dp+0"), H("-0x1.2bef0a7c06ddbp-2")),
    (H("0x1.49539f0f010bp+0"), H("-0x1.01eae7f513a67p-2")),
    (H("0x1.3c995b0b80385p+0"), H("-0x1.b31d8a68224e9p-3")),
    (H("0x1.30d190c8864a5p+0"), H("-0x1.6574f0ac07758p-3")),
    (H("0x1.25e227b0b8eap+0"), H("-0x1.1aa2bc79c81p-3")),
    (H("0x1.1bb4a4a1a343fp+0"), H("-0x1.a4e76ce8c0e5ep-4")),
    (H("0x1.12358f08ae5bap+0"), H("-0x1.1973c5a611cccp-4")),
    (H("0x1.0953f419900a7p+0"), H("-0x1.252f438e10c1ep-5")),
    (1.0, 0.0),
    (H("0x1.e608cfd9a47acp-1"), H("0x1.aa5aa5df25984p-5")),
    (H("0x1.ca4b31f026aap-1"), H("0x1.c5e53aa362eb4p-4")),
    (H("0x1.b2036576afce6p-1"), H("0x1.526e57720db08p-3")),
    (H("0x1.9c2d163a1aa2dp-1"), H("0x1.bc2860d22477p-3")),
    (H("0x1.886e6037841edp-1"), H("0x1.1058bc8a07ee1p-2")),
    (H("0x1.767dcf5534862p-1"), H("0x1.4043057b6ee09p-2")),
]


def _mul_add(a, b, c):
    """``a * b + c`` rounded twice, as glibc (built without contraction) computes it."""
    return a * b + c


def ref_glibc_logf(x, mad=_mul_add):
    """glibc's logf in float64 (float32 in, float32 out) and the unrounded double result.
    ``mad(a, b, c)`` computes each ``a * b + c`` (tests/test_platform_hazards.py passes a fused
    one)."""
    ix = x.view(np.uint32).astype(np.int64)
    tmp = (ix - 0x3F330000) & M32
    i = (tmp >> 19) & 15
    k = (tmp.astype(np.uint32).view(np.int32) >> 23).astype(np.float64)
    z = ((ix - (tmp & (0x1FF << 23))) & M32).astype(np.uint32).view(np.float32).astype(np.float64)
    invc = np.array([a for a, _ in LOGF_INVC_LOGC])[i]
    logc = np.array([b for _, b in LOGF_INVC_LOGC])[i]
    a0, a1, a2 = H("-0x1.00ea348b88334p-2"), H("0x1.5575b0be00b6ap-2"), H("-0x1.ffffef20a4123p-2")
    r = mad(z, invc, -1.0)
    y0 = mad(k, H("0x1.62e42fefa39efp-1"), logc)
    r2 = r * r
    y = mad(mad(a0, r2, mad(a1, r, a2)), r2, y0 + r)
    return y.astype(np.float32), y


def ref_glibc_sincosf(y, mad=_mul_add):
    """glibc's sincosf in float64, for 0 <= y < 120 (Box–Muller's v1 < 2*pi); ``mad`` as in
    :func:`ref_glibc_logf`."""
    x = y.astype(np.float64)
    top = (y.view(np.uint32) >> 20) & 0x7FF
    small, tiny = top < 0x3F4, top < 0x398  # |y| < 0.75 (abstop12(pi/4)) and |y| < 2**-12
    c = [
        1.0,
        H("-0x1.ffffffd0c621cp-2"),
        H("0x1.55553e1068f19p-5"),
        H("-0x1.6c087e89a359dp-10"),
        H("0x1.99343027bf8c3p-16"),
    ]
    s = [H("-0x1.555545995a603p-3"), H("0x1.1107605230bc4p-7"), H("-0x1.994eb3774cf24p-13")]
    n = np.where(small, 0, ((x * H("0x1.45F306DC9C883p+23")).astype(np.int32) + 0x800000) >> 24)
    xr = np.where(small, x, x - n * H("0x1.921FB54442D18p0"))
    xs = xr * np.array([1.0, -1.0, -1.0, 1.0])[n & 3]
    neg = np.where(n & 2, -1.0, 1.0)  # glibc's second table negates the cosine polynomial
    x2 = xr * xr
    x3, x4 = x2 * xs, x2 * x2
    sin_poly = mad(x3 * x2, mad(x2, s[2], s[1]), mad(x3, s[0], xs)).astype(np.float32)
    cos_poly = mad(
        x4 * x2, mad(x2, neg * c[4], neg * c[3]), mad(x4, neg * c[2], mad(x2, neg * c[1], neg * c[0]))
    )
    cos_poly = cos_poly.astype(np.float32)
    odd = (n & 1) == 1
    sin_out = np.where(tiny, y, np.where(odd, cos_poly, sin_poly))
    cos_out = np.where(tiny, np.float32(1.0), np.where(odd, sin_poly, cos_poly))
    return sin_out, cos_out


def _exact_eq(a, b):
    a, b = np.asarray(a), np.asarray(b)
    bad = np.nonzero(a.view(np.uint32) != b.view(np.uint32))[0]
    return bad.size, bad[:5]


def test_two_pi_times_unit_on_every_input():
    expected = (2 * np.pi * _UNIT.astype(np.float64)).astype(np.float32)  # double product, then float
    got = jax.jit(_box_muller.two_pi_times_unit)(_K)
    assert _exact_eq(got, expected)[0] == 0


def test_glibc_logf_on_every_input():
    u1 = np.maximum(_UNIT, np.float32(1e-7))
    expected, unrounded = ref_glibc_logf(u1)
    got = jax.jit(_logf.glibc_logf)(u1)
    assert _exact_eq(got, expected)[0] == 0
    # the near-midpoint table is exactly the inputs within 2**-43 of a rounding midpoint
    e64 = expected.astype(np.float64)
    up = np.nextafter(expected, np.float32(np.inf)).astype(np.float64)
    down = np.nextafter(expected, np.float32(-np.inf)).astype(np.float64)
    dist = np.minimum(np.abs(unrounded - (e64 + up) / 2), np.abs(unrounded - (e64 + down) / 2)) / np.abs(
        unrounded
    )
    near = np.nonzero(dist < 2.0**-43)[0]
    table = {(int(u1.view(np.uint32)[j]), int(expected.view(np.uint32)[j])) for j in near}
    assert table == set(_logf._LOGF_NEAR_MIDPOINT)


def test_glibc_sincosf_on_every_input():
    v1 = (2 * np.pi * _UNIT.astype(np.float64)).astype(np.float32)
    s, c = ref_glibc_sincosf(v1)
    got_s, got_c = jax.jit(_sincosf.glibc_sincosf)(v1)
    assert _exact_eq(got_s, s)[0] == 0
    assert _exact_eq(got_c, c)[0] == 0


def test_reference_glibc_renderings_against_known_values():
    """Guards the renderings themselves with values printed by glibc 2.36's own logf/sincosf."""
    x = np.array([0.5, 0.25, 1e-7, 0.24469674, 0.9804504], np.float32)
    lg, _ = ref_glibc_logf(x)
    assert lg.view(np.uint32).tolist() == [0xBF317218, 0xBFB17218, 0xC180F1DC, 0xBFB430AF, 0xBCA1BC8D]
    s, c = ref_glibc_sincosf(np.array([0.5, 3.1415927, 4.0], np.float32))
    assert s.view(np.uint32).tolist() == [0x3EF57744, 0xB3BBBD2E, 0xBF41BDCF]
    assert c.view(np.uint32).tolist() == [0x3F60A940, 0xBF800000, 0xBF275530]


# ---------------------------------------------------------------------------------------------
# Sharding: the row layout needs no communication.

SHARD_SCRIPT = textwrap.dedent(
    """
    import jax, jax.numpy as jnp, numpy as np
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
    from seedkit import stateless as S

    mesh = Mesh(np.array(jax.devices()).reshape(4, 2), ("a", "b"))
    cases = [
        ("uniform", lambda s: S.stateless_uniform((64, 48), s, alg="philox"), P("a", "b")),
        ("uniform_rows", lambda s: S.stateless_uniform((64, 10), s, alg="philox"), P(("a", "b"), None)),
        ("normal", lambda s: S.stateless_normal((32, 16, 6), s, alg="philox"), P("a", None, "b")),
        ("int", lambda s: S.stateless_uniform((64, 8), s, 0, 100, jnp.int32, alg="philox"), P("a", "b")),
        ("truncated_rows", lambda s: S.stateless_truncated_normal((16, 6), s, alg="philox"), P(("a", "b"), None)),
    ]
    seed = jnp.array([3, 4], jnp.int32)
    for name, f, spec in cases:
        expected = np.asarray(f(seed))
        sharded = jax.jit(f, out_shardings=NamedSharding(mesh, spec))
        out = sharded(seed)
        np.testing.assert_array_equal(np.asarray(out), expected, err_msg=name)
        hlo = sharded.lower(seed).compile().as_text().lower()
        for op in ("all-gather", "all-to-all", "collective-permute", "reduce-scatter"):
            assert op not in hlo, (name, op)
        # truncated normal: only its loop condition (one scalar bool per pass) is reduced
        reduces = [ln for ln in hlo.splitlines() if "all-reduce(" in ln or "all-reduce-start(" in ln]
        assert all("pred[]" in ln for ln in reduces) and (not reduces or name.startswith("truncated")), (name, reduces)
        full = "[" + ",".join(map(str, expected.shape)) + "]"
        assert full not in hlo, (name, "computed unsharded")
    print("OK")
    """
)


def test_sharded_philox_equals_unsharded_without_collectives():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8", JAX_PLATFORMS="cpu")
    res = subprocess.run(
        [sys.executable, "-c", SHARD_SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0 and "OK" in res.stdout, res.stdout + res.stderr


# ---------------------------------------------------------------------------------------------
# Live TensorFlow (skipped where TensorFlow is not installed, as in CI).


def test_live_against_tensorflow():
    """Random seeds, shapes and dtypes against the installed TensorFlow (skipped without it)."""
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(1)
    for _ in range(12):
        seed = rng.integers(-(2**63), 2**63 - 1, 2, dtype=np.int64, endpoint=True)
        shape = tuple(int(d) for d in rng.integers(0, 9, rng.integers(0, 3)))
        ts = tf.constant(seed)
        for dtype in ("float32", "float16", "bfloat16"):
            want = tf.random.stateless_uniform(shape, ts, -3.5, 9.25, dtype=dtype, alg="philox").numpy()
            got = np.asarray(stateless.stateless_uniform(shape, seed, -3.5, 9.25, dtype=dtype, alg="philox"))
            bits = f"u{got.itemsize}"
            np.testing.assert_array_equal(got.view(bits), want.view(bits))
        want = tf.random.stateless_uniform(shape, ts, -9, 77, dtype=tf.int32, alg="philox").numpy()
        np.testing.assert_array_equal(
            stateless.stateless_uniform(shape, seed, -9, 77, dtype="int32", alg="philox"), want
        )
        for tf_fn, fn in (
            (tf.random.stateless_normal, stateless.stateless_normal),
            (tf.random.stateless_truncated_normal, stateless.stateless_truncated_normal),
        ):
            want = tf_fn(shape, ts, 0.5, 2.0, alg="philox").numpy()
            got = np.asarray(fn(shape, seed, 0.5, 2.0, alg="philox"))
            np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))
    # a stateful kernel: set_seed(g); uniform(seed=op) is PhiloxRandom(g, op), 256 blocks per element
    tf.random.set_seed(99)
    key = _philox.key_from_seed_pair(99, 5)
    for call in range(3):
        want = tf.random.uniform([7], seed=5).numpy()
        counter = _words.counter_words(256 * 7 * call)
        got = stateless._sample_from_key(
            "uniform_float", "philox", ((7,), np.dtype("float32")), key, counter, (0.0, 1.0)
        )
        np.testing.assert_array_equal(np.asarray(got), want)
