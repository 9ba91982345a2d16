"""The Generator's draw methods (``uniform``, ``normal``, ..., ``permutation``): each validates
its arguments (cached) and makes one compiled draw that also advances the state."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
import numpy as np

from seedkit import _checks
from seedkit import _op_args as _args
from seedkit._generator_args import _is_int, _validated
from seedkit._generator_kernels import _draw_kernel
from seedkit._typing import ArrayLike, DTypeLike, IntLike, ShapeLike

if TYPE_CHECKING:
    from seedkit._algorithms import RandomAlgorithm

_NOT_DRAWABLE = (
    "A Generator with alg={alg!r} has its algorithm's methods only (for 'philox', TF's: "
    "uniform, uniform_full_int, normal, truncated_normal, binomial, make_seeds, split, skip, "
    "with TF's numbers); this one is seedkit's own and has no TF numbers to follow. Use the "
    "stateless op with the same alg and seeds from make_seeds(), or alg='threefry'."
)
_DEFAULT_FULL_INT = jnp.uint64


class _Draws:
    """Mixed into :class:`seedkit.Generator`, which provides ``_alg``, ``_lock``,
    ``_read_state`` and ``_write_state``."""

    __slots__ = ()

    if TYPE_CHECKING:  # what Generator provides
        _alg: RandomAlgorithm
        _lock: threading.RLock

        def _read_state(self) -> jax.Array: ...
        def _write_state(self, new: jax.Array) -> None: ...

    def _check_drawable(self, dist: str | None = None) -> None:
        allowed = self._alg.generator_dists
        if allowed is not None and dist not in allowed:
            raise NotImplementedError(_NOT_DRAWABLE.format(alg=self._alg.name))

    def _draw(self, dist: str, static: tuple, params: tuple) -> jax.Array:
        self._check_drawable(dist)
        with self._lock:
            sample, new = _draw_kernel(self._alg, dist, static, self._read_state(), params)
            self._write_state(new)
        return sample

    def uniform(
        self,
        shape: ShapeLike,
        minval: ArrayLike | None = 0,
        maxval: ArrayLike | None = None,
        dtype: DTypeLike = jnp.float32,
        name: str | None = None,
    ) -> jax.Array:
        """Uniform values in ``[minval, maxval)`` (TF's rules: floats default to ``[0, 1)``;
        integer dtypes need ``maxval``, or ``minval=None, maxval=None`` for the full range).

        Args:
            shape: The output shape: a 1-D sequence of non-negative ints (or a 1-D integer array).
            minval: The inclusive lower bound, default 0: for floats a number or an array that
                broadcasts to ``shape``, for integer dtypes a scalar integer, or ``None`` with
                ``maxval=None`` for every value of the dtype.
            maxval: The exclusive upper bound; ``None`` (the default) means 1 for floats.
            dtype: float16, bfloat16, float32 (the default), float64, int32, int64, uint32 or uint64
                (64-bit types with ``jax_enable_x64``).
            name: Accepted for TF compatibility and ignored.

        Returns:
            An array of ``shape`` and ``dtype``. The Generator's state advances by one draw.

        Raises:
            TypeError: A ``dtype`` outside the list; a string or non-integer bound for an integer
                dtype.
            ValueError: An integer dtype with only one of ``minval`` and ``maxval``, an array bound, or
                an empty range for a non-empty ``shape``; a ``shape`` that is not 1-D or has a negative
                dimension.
            seedkit.GeneratorTraceError: A Generator closed over by a JAX transformation it was not
                passed into (plain ``jax.jit``, ``jax.vmap``, ...).

        Example:
            >>> from seedkit.generator import Generator
            >>> g = Generator.from_seed(1)
            >>> x = g.uniform([1000], minval=2, maxval=33, dtype="int32")
            >>> int(x.min()) >= 2 and int(x.max()) < 33
            True
        """
        return self._draw(*_validated(_args.uniform_args, shape, minval, maxval, dtype))

    def uniform_full_int(
        self, shape: ShapeLike, dtype: DTypeLike = _DEFAULT_FULL_INT, name: str | None = None
    ) -> jax.Array:
        """Every value of the integer ``dtype`` equally likely. The default, TF's uint64, is
        uint32 while ``jax_enable_x64`` is off (without a warning).

        Args:
            shape: The output shape: a 1-D sequence of non-negative ints (or a 1-D integer array).
            dtype: int32, int64, uint32 or uint64 (the default; uint32 without ``jax_enable_x64``).
            name: Accepted for TF compatibility and ignored.

        Returns:
            An array of ``shape`` and ``dtype``. The Generator's state advances by one draw.

        Raises:
            TypeError: A float or unknown ``dtype``.
            ValueError: A ``shape`` that is not 1-D or has a negative dimension.
            seedkit.GeneratorTraceError: A Generator closed over by a JAX transformation it was not
                passed into, as for :meth:`normal`.

        Example:
            >>> from seedkit.generator import Generator
            >>> Generator.from_seed(1).uniform_full_int([2]).dtype
            dtype('uint32')
        """
        if dtype is _DEFAULT_FULL_INT:
            dtype = jax.dtypes.canonicalize_dtype(jnp.uint64)
        else:
            dtype = _checks.dtype(dtype, _checks.INTS)
        return self._draw(*_validated(_args.uniform_args, shape, None, None, dtype))

    def normal(
        self,
        shape: ShapeLike,
        mean: ArrayLike = 0.0,
        stddev: ArrayLike = 1.0,
        dtype: DTypeLike = jnp.float32,
        name: str | None = None,
    ) -> jax.Array:
        """Normal values (``mean``, ``stddev`` broadcast to ``shape``).

        Args:
            shape: The output shape: a 1-D sequence of non-negative ints (or a 1-D integer array).
            mean: The mean, a number or an array that broadcasts to ``shape`` (default 0).
            stddev: The standard deviation, a number or an array that broadcasts to ``shape``
                (default 1).
            dtype: float16, bfloat16, float32 (the default) or float64 (with ``jax_enable_x64``).
            name: Accepted for TF compatibility and ignored.

        Returns:
            An array of ``shape`` and ``dtype``. The Generator's state advances by one draw.

        Raises:
            TypeError: An integer or unknown ``dtype``; a ``mean`` or ``stddev`` that is not a real
                number or array.
            ValueError: A ``mean`` or ``stddev`` that does not broadcast to ``shape``; a ``shape`` that
                is not 1-D or has a negative dimension.
            seedkit.GeneratorTraceError: A Generator closed over by a JAX transformation it was not
                passed into (plain ``jax.jit``, ``jax.vmap``, ...).

        Example:
            >>> from seedkit.generator import Generator
            >>> Generator.from_seed(1).normal([2, 3], mean=1.0).shape
            (2, 3)
        """
        return self._draw(*_validated(_args.normal_args, shape, mean, stddev, dtype, "normal"))

    def truncated_normal(
        self,
        shape: ShapeLike,
        mean: ArrayLike = 0.0,
        stddev: ArrayLike = 1.0,
        dtype: DTypeLike = jnp.float32,
        name: str | None = None,
    ) -> jax.Array:
        """Normal values restricted to ``(mean - 2 stddev, mean + 2 stddev)``.

        Args:
            shape: The output shape: a 1-D sequence of non-negative ints (or a 1-D integer array).
            mean: The mean, a number or an array that broadcasts to ``shape`` (default 0).
            stddev: The standard deviation, likewise (default 1).
            dtype: float16, bfloat16, float32 (the default) or float64 (with ``jax_enable_x64``).
            name: Accepted for TF compatibility and ignored.

        Returns:
            An array of ``shape`` and ``dtype``. The Generator's state advances by one draw.

        Raises:
            TypeError: An integer or unknown ``dtype``; a ``mean`` or ``stddev`` that is not real.
            ValueError: A ``mean`` or ``stddev`` that does not broadcast to ``shape``; a bad ``shape``.
            seedkit.GeneratorTraceError: A Generator closed over by a JAX transformation it was not
                passed into, as for :meth:`normal`.

        Example:
            >>> from seedkit.generator import Generator
            >>> bool((abs(Generator.from_seed(1).truncated_normal([100])) < 2).all())
            True
        """
        return self._draw(*_validated(_args.normal_args, shape, mean, stddev, dtype, "truncated_normal"))

    def binomial(
        self,
        shape: ShapeLike,
        counts: ArrayLike,
        probs: ArrayLike,
        dtype: DTypeLike = jnp.int32,
        name: str | None = None,
    ) -> jax.Array:
        """Binomial(``counts``, ``probs``) samples, parameters broadcast to ``shape``
        (``stateless_binomial``'s rules). Under philox, TF's values and state.

        Args:
            shape: The output shape: a 1-D sequence of non-negative ints (or a 1-D integer array).
            counts: The number of trials, non-negative, a number or an array broadcasting to ``shape``.
            probs: The success probability, likewise (clipped to ``[0, 1]``, as in TF).
            dtype: int32 (the default), int64 or a float dtype.
            name: Accepted for TF compatibility and ignored.

        Returns:
            An array of ``shape`` and ``dtype``, each value in ``[0, counts]``. The Generator's state advances by one draw.

        Raises:
            TypeError: Another ``dtype`` (unsigned ones included).
            ValueError: A ``counts`` or ``probs`` that does not broadcast to ``shape``; negative ``counts``.
            seedkit.GeneratorTraceError: A Generator closed over by a JAX transformation it was not
                passed into, as for :meth:`normal`.

        Example:
            >>> from seedkit.generator import Generator
            >>> Generator.from_seed(1).binomial([4], counts=10.0, probs=0.5).tolist()
            [3, 7, 6, 8]
        """
        dtype = _checks.dtype(dtype, (*_checks.FLOATS, jnp.int32, jnp.int64))
        if self._alg.float32_list_params:  # TF computes in probs' dtype: float32 for Python lists
            counts, probs = (
                np.asarray(v, np.float32) if isinstance(v, (list, tuple)) else v for v in (counts, probs)
            )
        return self._draw(*_validated(_args.binomial_args, shape, counts, probs, dtype))

    def categorical(
        self, logits: ArrayLike, num_samples: IntLike, dtype: DTypeLike | None = None, name: str | None = None
    ) -> jax.Array:
        """Class indices ``[batch, num_samples]`` drawn from ``logits`` ``[batch, classes]``.

        Args:
            logits: A 2-D float array ``[batch, classes]`` of unnormalized log-probabilities.
            num_samples: How many draws per row: a non-negative Python or NumPy int.
            dtype: int32 or int64 (the default; int32 while ``jax_enable_x64`` is off).
            name: Accepted for TF compatibility and ignored.

        Returns:
            An integer array ``[batch, num_samples]`` of class indices. The Generator's state advances by one draw.

        Raises:
            TypeError: Integer ``logits``; a ``num_samples`` that is not an int; another ``dtype``.
            ValueError: ``logits`` not 2-D or with no class; a negative ``num_samples``.
            seedkit.GeneratorTraceError: A Generator closed over by a JAX transformation it was not
                passed into, as for :meth:`normal`.

        Example:
            >>> import jax.numpy as jnp
            >>> from seedkit.generator import Generator
            >>> Generator.from_seed(1).categorical(jnp.zeros((2, 3)), 4).shape
            (2, 4)
        """
        dist, static, params = _args.categorical_args(logits, num_samples, dtype)
        return self._draw(dist, static, (jnp.asarray(params[0]),))

    def gamma(
        self,
        shape: ShapeLike,
        alpha: ArrayLike,
        beta: ArrayLike | None = None,
        dtype: DTypeLike = jnp.float32,
        name: str | None = None,
    ) -> jax.Array:
        """Gamma(``alpha``, rate ``beta``) samples; ``shape`` ends with the parameters' shape.
        Differentiable in ``alpha`` and ``beta`` (see :func:`seedkit.stateless_gamma`).

        Args:
            shape: The output shape; it ends with the broadcast shape of ``alpha`` and ``beta``.
            alpha: The shape (concentration) parameter, a non-negative number or array.
            beta: The rate, a positive number or array (``None``, the default, means 1).
            dtype: float16, bfloat16, float32 (the default) or float64 (with ``jax_enable_x64``).
            name: Accepted for TF compatibility and ignored.

        Returns:
            A positive array of ``shape`` and ``dtype``. The Generator's state advances by one draw.

        Raises:
            ValueError: A ``shape`` that does not end with the parameters' shape; a negative
                ``alpha`` or a non-positive ``beta``.
            seedkit.GeneratorTraceError: A Generator closed over by a JAX transformation it was not
                passed into, as for :meth:`normal`.

        Example:
            >>> from seedkit.generator import Generator
            >>> Generator.from_seed(1).gamma([2, 2], alpha=[0.5, 3.0]).shape
            (2, 2)
        """
        return self._draw(*_validated(_args.gamma_args, shape, alpha, beta, dtype))

    def poisson(
        self, shape: ShapeLike, lam: ArrayLike, dtype: DTypeLike = jnp.int32, name: str | None = None
    ) -> jax.Array:
        """Poisson(``lam``) samples; ``shape`` ends with ``lam``'s shape.

        Args:
            shape: The output shape; it ends with ``lam``'s shape.
            lam: The rate, a non-negative number or array.
            dtype: int32 (the default), int64 or a float dtype.
            name: Accepted for TF compatibility and ignored.

        Returns:
            An array of ``shape`` and ``dtype`` of non-negative counts. The Generator's state advances by one draw.

        Raises:
            ValueError: A ``shape`` that does not end with ``lam``'s shape; a negative ``lam``.
            seedkit.GeneratorTraceError: A Generator closed over by a JAX transformation it was not
                passed into, as for :meth:`normal`.

        Example:
            >>> from seedkit.generator import Generator
            >>> Generator.from_seed(1).poisson([3], lam=2.0).tolist()
            [1, 2, 4]
        """
        return self._draw(*_validated(_args.poisson_args, shape, lam, dtype))

    def shuffle(self, value: ArrayLike, name: str | None = None) -> jax.Array:
        """``value`` with its first axis randomly permuted (``tf.random.shuffle``).

        Args:
            value: An array or nested list of numbers or booleans (a scalar comes back as it is).
            name: Accepted for TF compatibility and ignored.

        Returns:
            An array of ``value``'s shape and dtype, its rows in a random order. The Generator's state advances by one draw.

        Raises:
            TypeError: A ``value`` of strings or objects.
            seedkit.GeneratorTraceError: A Generator closed over by a JAX transformation it was not
                passed into, as for :meth:`normal`.

        Example:
            >>> import jax.numpy as jnp
            >>> from seedkit.generator import Generator
            >>> sorted(Generator.from_seed(1).shuffle(jnp.arange(5)).tolist())
            [0, 1, 2, 3, 4]
        """
        return self._draw("shuffle", (), (jnp.asarray(_checks.shuffle_value(value)),))

    def permutation(self, x: IntLike | ArrayLike) -> jax.Array:
        """A random permutation of ``range(x)`` for an int ``x``, else :meth:`shuffle` of ``x``
        (NumPy's ``Generator.permutation``).

        Args:
            x: A non-negative int (Python, NumPy or a concrete scalar array), or an array of rank 1
                or more.

        Returns:
            A permutation of ``arange(x)`` (int64; int32 without ``jax_enable_x64``), or ``x``
                shuffled along its first axis. The Generator's state advances by one draw.

        Raises:
            TypeError: A scalar ``x`` that is not an int.
            ValueError: A negative int ``x``.

        Example:
            >>> from seedkit.generator import Generator
            >>> Generator.from_seed(1).permutation(4).tolist()
            [1, 0, 2, 3]
        """
        if _is_int(x) or (
            isinstance(x, (np.ndarray, jax.Array))
            and not isinstance(x, jax.core.Tracer)
            and x.shape == ()
            and x.dtype.kind in "iu"
        ):
            n = _args.count(x, "x")
            _checks.shuffle_rows(n, "x")
            return self._draw("shuffle", (), (np.arange(n, dtype=jax.dtypes.canonicalize_dtype(np.int64)),))
        if np.ndim(x) == 0:  # NumPy's rule: a scalar must be an int
            raise TypeError(f"`x` must be an int or an array of at least one dimension; got {x!r}.")
        return self.shuffle(x)
