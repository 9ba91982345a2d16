"""Partitionable counter layout: a sharded output equals the unsharded one, with no collective.

Runs in a subprocess because the number of host devices is fixed when JAX starts.
"""

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import jax, jax.numpy as jnp, numpy as np
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
    import seedkit

    assert jax.device_count() == 8, jax.devices()
    mesh = Mesh(np.array(jax.devices()).reshape(4, 2), ("a", "b"))
    cases = [
        ("uniform", lambda s: seedkit.stateless_uniform((64, 48), s), P("a", "b")),
        ("uniform_rows", lambda s: seedkit.stateless_uniform((64, 10), s), P(("a", "b"), None)),
        ("normal", lambda s: seedkit.stateless_normal((32, 16, 6), s), P("a", None, "b")),
        ("int", lambda s: seedkit.stateless_uniform((64, 8), s, 0, 100, jnp.int32), P("a", "b")),
        ("truncated", lambda s: seedkit.stateless_truncated_normal((16, 64), s), P(None, ("a", "b"))),
        # philox (TF's layout: 4 words per block across rows): partitionable too
        ("philox_uniform", lambda s: seedkit.stateless_uniform((64, 10), s, alg="philox"), P("a", "b")),
        ("philox_normal", lambda s: seedkit.stateless_normal((32, 6), s, alg="philox"), P(("a", "b"), None)),
        ("philox_int", lambda s: seedkit.stateless_uniform((8, 64), s, 0, 9, jnp.int32, alg="philox"), P("b", "a")),
    ]
    seed = jnp.array([3, 4], jnp.int32)
    for name, f, spec in cases:
        expected = np.asarray(f(seed))
        sharded = jax.jit(f, out_shardings=NamedSharding(mesh, spec))
        out = sharded(seed)
        assert out.sharding.spec == spec, (name, out.sharding)
        np.testing.assert_array_equal(np.asarray(out), expected, err_msg=name)
        hlo = sharded.lower(seed).compile().as_text().lower()
        for op in ("all-gather", "all-to-all", "all-reduce", "collective-permute", "reduce-scatter"):
            assert op not in hlo, (name, op)
        # each device computes only its shard: the full-size array never appears
        full = "[" + ",".join(map(str, expected.shape)) + "]"
        assert full not in hlo, (name, "computed unsharded")
    print("OK")
    """
)


def test_sharded_equals_unsharded_without_collectives():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8", JAX_PLATFORMS="cpu")
    res = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and "OK" in res.stdout, res.stdout + res.stderr
