"""Implicit reparameterization: gamma samples that are differentiable in their parameters.

TF's gamma has gradients with respect to ``alpha`` and ``beta``; a rejection sampler has none of
its own. The rule here changes derivatives only, never values.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def reparameterized_gamma(draw, static: tuple, key, alpha, beta) -> jax.Array:
    """``draw(key, *static, alpha, beta)``, differentiable in ``alpha`` and ``beta`` as TF's
    gamma is: by implicit reparameterization (Figurnov et al., "Implicit Reparameterization
    Gradients", NeurIPS 2018). A sample ``x = g / beta`` of a standard gamma ``g`` moves with
    ``alpha`` at fixed CDF, ``dg/dalpha = -(dF/dalpha)(g) / pdf(g)`` (``lax.random_gamma_grad``,
    what TF's ``RandomGammaGrad`` computes), and with ``beta`` as ``-x / beta``. The values are
    the sampler's own: the rule changes derivatives only.

    Example:
        >>> import jax, seedkit
        >>> g = jax.grad(lambda a: seedkit.stateless_gamma([1000], (1, 2), a).mean())(3.0)
        >>> bool(abs(g - 1.0) < 0.1)  # d E[x] / d alpha = 1 / beta
        True
    """
    shape, dtype = static
    cdt = jnp.float64 if jnp.dtype(dtype) == jnp.float64 else jnp.float32

    @jax.custom_jvp
    def gamma(key, alpha, beta):
        return draw(key, *static, alpha, beta)

    @gamma.defjvp
    def _gamma_jvp(primals, tangents):
        key, alpha, beta = primals
        x = gamma(key, alpha, beta)

        def full(v):
            return jnp.broadcast_to(jnp.asarray(v).astype(cdt), shape)

        def tangent(t):  # integer parameters have no tangent (JAX's float0)
            return 0 if t.dtype == jax.dtypes.float0 else full(t)

        a, b, xc = full(alpha), full(beta), x.astype(cdt)
        dx = (jax.lax.random_gamma_grad(a, xc * b) * tangent(tangents[1]) - xc * tangent(tangents[2])) / b
        return x, dx.astype(x.dtype)

    return gamma(key, alpha, beta)
