"""Write TensorFlow's own ``stateless_gamma`` numbers to tests/data/tf_philox_gamma.json.

Run with a Python that has ``tensorflow-cpu`` installed (never a dependency of seedkit):

    python scripts/make_tf_gamma_fixtures.py [--out tests/data]

Everything is computed eagerly on the CPU (``tf.random.stateless_gamma`` has no ``alg``
argument; it always uses Philox there), which is what seedkit._tf._gamma matches.
A *case* fixes what the test compiles (shape, dtype, the shapes of ``alpha`` and ``beta``) and
holds *runs* over seeds and parameter values. Values are stored as hex strings of their bit
patterns (``float16`` 4 digits, ``float32`` 8, ``float64`` 16), flattened in row-major order;
parameters as float64 bit patterns too (NaN and infinities included). The file records
``tf.__version__``.

Cases cover: seeds 0, small, negative, the int64 extremes and a high word; shapes that are
empty, scalar, odd, not divisible by 4, a few hundred elements, and ``alpha`` with a shape
(``[5, 3]`` with ``alpha[3]``: output ``[..., alphas]``, streams alpha-major); a ``beta`` with
a shape (which changes the number of alphas TF sees; also a ``[5, 1]`` alpha against a ``[3]``
beta, 15 alphas); every branch (``alpha < 1``, ``== 1``,
``> 1``, tiny and huge alphas); TF's corner values (``alpha`` 0, negative, inf, NaN; ``beta``
0, negative, inf, NaN); float16, float32 and float64 outputs. ``gradients`` holds TF's
derivatives of a draw's sum in ``alpha`` and ``beta`` (float32 and float64).
"""

from __future__ import annotations

import _tf_reference as common
import numpy as np

tf = common.import_tensorflow()

# Seed values only (every seed is an int64 tensor here): the base seeds but two.
SEEDS = [s for s, _ in common.BASE_SEEDS if s not in ((-1, -2), (7, 17))]
FEW_SEEDS = SEEDS[:3]
# Alphas across the branches: boosted (< 1, tiny ones near the underflow), exponential (== 1),
# near 1 (the most rejections), and large.
ALPHAS = [1e-3, 0.01, 0.1, 0.5, 0.999, 1.0, 1.0001, 1.5, 3.7, 10.0, 100.0, 1e4]
HEX_DIGITS = {"float16": 4, "float32": 8, "float64": 16}
UINT = {"float16": np.uint16, "float32": np.uint32, "float64": np.uint64}


def hexes(a: np.ndarray, dtype: str) -> list[str]:
    bits = np.ascontiguousarray(np.asarray(a, dtype)).reshape(-1).view(UINT[dtype])
    return [format(int(b), f"0{HEX_DIGITS[dtype]}x") for b in bits]


def param(value) -> dict:
    a = np.asarray(value, np.float64)
    return {"shape": list(a.shape), "bits": hexes(a, "float64")}


def draw(shape, seed, dtype, alpha, beta=None) -> np.ndarray:
    seed_t = tf.constant(seed, tf.int64)
    out = tf.random.stateless_gamma(shape, seed_t, alpha, beta=beta, dtype=tf.as_dtype(dtype))
    return out.numpy()


def case(name, shape, dtype, runs) -> dict:
    """``runs``: (seed, alpha, beta or None) triples; alpha/beta shapes must agree across runs."""
    out_runs = []
    for seed, alpha, beta in runs:
        values = draw(shape, seed, dtype, alpha, beta)
        out_runs.append(
            {
                "seed": list(seed),
                "alpha": param(alpha),
                "beta": None if beta is None else param(beta),
                "out": hexes(values, dtype),
            }
        )
    return {"name": name, "shape": list(shape), "dtype": dtype, "runs": out_runs}


# TF's corner values (through the kernel; seedkit's public API rejects concrete alpha <= 0),
# padded to len(ALPHAS) so that the test reuses one compiled function per dtype.
ODD_ALPHAS = [0.0, -0.5, -0.66, -2.0 / 3.0, -1.0, np.inf, np.nan, 1e-30, 1e30, 5e-324, 0.7, 2.0]
ODD_BETAS = [0.0, -1.0, np.inf, np.nan, 1e-300, 1e300, 1.0, 2.0, 0.5, 1e-3, 1e3, 3.0]


def build() -> dict:
    cases = []
    rows = {"float64": 48, "float32": 44, "float16": 40}
    for dtype, n in rows.items():
        runs = [(s, ALPHAS, None) for s in SEEDS]
        runs += [(s, ODD_ALPHAS, None) for s in FEW_SEEDS]
        if dtype == "float64":
            runs += [((7, 17), 2.0, ODD_BETAS), ((7, 17), ALPHAS, ODD_BETAS)]
        cases.append(case(f"alphas_{dtype}", (n, len(ALPHAS)), dtype, runs))
    # Layout: output [..., alphas] with alpha-major streams; a beta with a shape counts as
    # alphas (TF broadcasts alpha to the joint shape first).
    runs = [(s, [0.5, 1.0, 3.0], None) for s in FEW_SEEDS]
    runs += [(s, 2.0, [1.0, 1.0, 1.0]) for s in FEW_SEEDS]
    runs += [(s, [0.5, 2.0, 9.0], [0.5, 3.0, 1e-3]) for s in FEW_SEEDS]
    runs += [(s, [[0.2], [1.5], [7.0], [1.0], [0.9]], [1.0, 2.0, 0.5]) for s in FEW_SEEDS[:1]]
    cases.append(case("params_3_in_5x3", (5, 3), "float64", runs))
    # Odd sizes and scalars (scalar alpha).
    for shape in [(), (5, 1, 3)]:
        runs = [(s, a, None) for s in FEW_SEEDS for a in (0.3, 1.0, 2.5)]
        cases.append(case(f"scalar_alpha_{'x'.join(map(str, shape)) or 'scalar'}", shape, "float32", runs))
    # A few hundred values, and many rejections (alpha just above -2/3 rejects about half the
    # normals): more rejected items than seedkit's compact retry buffer holds.
    runs = [(s, a, None) for s in FEW_SEEDS for a in (0.3, 1.0, 2.5, -0.6)]
    cases.append(case("scalar_alpha_301", (301,), "float64", runs))
    for shape in [(0,), (2, 0), (0, 3)]:
        cases.append(case(f"empty_{'x'.join(map(str, shape))}", shape, "float64", [((1, 2), 2.0, None)]))
    return {"tf_version": tf.__version__, "cases": cases, "gradients": gradients()}


# TF differentiates gamma samples in alpha and beta (implicit reparameterization, its
# RandomGammaGrad op); these parameters span the boosted (< 1) and plain branches.
GRAD_ALPHAS = [0.01, 0.5, 1.0, 3.7, 100.0]
GRAD_BETAS = [1.0, 2.0, 0.5, 1.0, 3.0]


def gradients() -> list:
    """TF's gradients of the sum of a ``[64, 5]`` draw with respect to ``alpha`` and ``beta``."""
    out = []
    for dtype in ("float32", "float64"):
        for seed in FEW_SEEDS:
            alpha = tf.Variable(np.array(GRAD_ALPHAS, dtype))
            beta = tf.Variable(np.array(GRAD_BETAS, dtype))
            with tf.GradientTape() as tape:
                x = tf.random.stateless_gamma(
                    [64, 5], tf.constant(seed, tf.int64), alpha, beta=beta, dtype=dtype
                )
            d_alpha, d_beta = tape.gradient(x, [alpha, beta])
            out.append(
                {
                    "seed": list(seed),
                    "dtype": dtype,
                    "alpha": param(GRAD_ALPHAS),
                    "beta": param(GRAD_BETAS),
                    "out": hexes(x.numpy(), dtype),
                    "d_alpha": hexes(d_alpha.numpy(), dtype),
                    "d_beta": hexes(d_beta.numpy(), dtype),
                }
            )
    return out


def main() -> None:
    common.write_fixture(common.parse_out_dir(__doc__), "tf_philox_gamma.json", build())


if __name__ == "__main__":
    main()
