"""seedkit's random state in Flax NNX: a compiled training step, and ``nnx.Rngs`` conversions.

A Flax NNX step is compiled with ``nnx.jit``, which threads the Variables of the Modules and
Optimizers it is given and writes their new values back in place. It does not thread seedkit's
random state, so a seedkit stateful op in it (``seedkit.nn.dropout`` in a Module's ``__call__``,
``seedkit.uniform``, ...) raises ``TracingError``, as under ``jax.jit``; and ``seedkit.function``
threads the random state but, like ``jax.jit``, not NNX's Variables. :func:`jit` does both:

* ``@seedkit.nnx.jit`` is ``seedkit.function`` (TF's seed rules: op seeds by position,
  counters that persist across calls, reproducible after ``seedkit.set_seed``, a fresh stream at
  every call; ``Generator`` arguments advance) that also accepts NNX graph nodes (Modules,
  Optimizers, ``nnx.Rngs``, Variables), anywhere in its arguments, as ``nnx.jit`` does: their
  state is an input of the compiled call, and after the call the caller's objects hold the new
  values (``nnx.update``). Shared references between arguments stay shared. A returned graph
  node that was passed in comes back as the caller's object. It traces once per structure of
  the graph nodes (``nnx.split``'s ``GraphDef``) and argument shapes, as ``nnx.jit`` does.
* ``nnx.jit`` around a seedkit stateful op, or around a ``seedkit.function``, still raises
  ``TracingError``; the message names ``seedkit.nnx.jit``. Graph nodes that a function compiled
  with plain ``seedkit.function`` changed raise ``TypeError`` instead of losing the change.

Conversions between NNX's key streams and seedkit Generators. Both *draw* from the source, so
the source moves on and two conversions never give the same numbers:

* :func:`generator_from_stream` takes the next key of an ``nnx.RngStream`` exactly as calling
  the stream does (NNX's rule: ``jax.random.fold_in(key, count)``, then ``count += 1``) and
  returns ``seedkit.Generator.from_key`` of it (threefry): the key NNX would have handed to, say,
  ``nnx.Dropout`` becomes a Generator's seed.
* :func:`rngs_from_generator` makes an ``nnx.Rngs`` (and :func:`stream_from_generator` one
  ``nnx.RngStream``) from one draw of the Generator: ``uniform_full_int`` of two ``uint32`` words
  per stream, used as the threefry key data of the stream (count 0). The Generator advances
  by that one draw (threefry: its counter by one), under either algorithm.

Both work eagerly and inside :func:`jit`; both check their inputs before anything advances.

Importing this module imports Flax (``seedkit`` itself never does); Flax is an optional extra:
``pip install "seedkit-jax[flax]"``.

Example (a training step: seedkit dropout in the Module, updated in place by ``optax``):
    >>> import jax.numpy as jnp, optax, seedkit, seedkit.nnx
    >>> from flax import nnx
    >>> class MLP(nnx.Module):
    ...     def __init__(self, rngs):
    ...         self.hidden, self.out = nnx.Linear(2, 8, rngs=rngs), nnx.Linear(8, 1, rngs=rngs)
    ...     def __call__(self, x):
    ...         return self.out(seedkit.nn.dropout(nnx.relu(self.hidden(x)), 0.5))
    >>> @seedkit.nnx.jit
    ... def train_step(model, optimizer, x, y):
    ...     def loss_fn(model):
    ...         return ((model(x) - y) ** 2).mean()
    ...     loss, grads = nnx.value_and_grad(loss_fn)(model)
    ...     optimizer.update(model, grads)            # in place, as under nnx.jit
    ...     return loss
    >>> seedkit.set_seed(0)
    >>> model = MLP(seedkit.nnx.rngs_from_generator(seedkit.Generator.from_seed(0)))
    >>> optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)
    >>> x, y = jnp.ones((4, 2)), jnp.zeros((4, 1))
    >>> losses = [float(train_step(model, optimizer, x, y)) for _ in range(3)]
    >>> int(optimizer.step[...])                       # the caller's optimizer moved on
    3
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, overload

import jax
import jax.numpy as jnp

try:
    from flax import nnx
except ImportError as e:  # the optional extra is missing: say which one
    raise ImportError('seedkit.nnx needs Flax: pip install "seedkit-jax[flax]"') from e

from seedkit._api import public_dir
from seedkit._checks import describe
from seedkit._typing import VmapRandomness
from seedkit.function import function as _seedkit_function
from seedkit.generator import Generator

__all__ = ["Jit", "generator_from_stream", "jit", "rngs_from_generator", "stream_from_generator"]


__dir__ = public_dir(__all__)


# jax.jit options that name argument positions or pytree prefixes of the user's arguments; the
# compiled function takes the graph nodes' state apart from them, so they cannot be mapped yet.
_UNSUPPORTED = ("donate_argnums", "donate_argnames", "in_shardings", "out_shardings")


def _is_graph_node(x: Any) -> bool:
    # nnx.graph re-exports graphlib's is_graph_node (the test nnx.jit applies to its arguments):
    # Modules, Optimizers, Rngs, Variables and other registered graph types.
    return nnx.graph.is_graph_node(x)


def _is_leaf(x: Any) -> bool:
    # Generators stay whole too: seedkit.function threads them itself.
    return isinstance(x, Generator) or _is_graph_node(x)


class _Returned:
    """Stands, in the compiled call's output, for a graph node that was passed in (its index in
    ``nnx.iter_graph`` of the argument nodes); the call maps it back to the caller's object."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Returned) and other.index == self.index

    def __hash__(self) -> int:
        return hash(("_Returned", self.index))


jax.tree_util.register_pytree_node(_Returned, lambda r: ((), r.index), lambda index, _: _Returned(index))


def _graph_items(nodes: list) -> list:
    """Every graph node and Variable reachable from ``nodes``, in ``nnx.iter_graph`` order (the
    same order for the traced copies and the caller's objects: they have one structure)."""
    return [n for _, n in nnx.iter_graph(nodes) if _is_graph_node(n)]


def _argnums(value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, int) else tuple(value)


def _argnames(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


class Jit:
    """A compiled function that threads seedkit's random state and NNX graph nodes; see
    :func:`jit`, which makes it.

    Args:
        fun: The function to compile.
        vmap_randomness: ``"different"`` or ``"same"``, as for :func:`jit`.
        jit_options: The ``jax.jit`` options, as for :func:`jit`.
    """

    def __init__(self, fun: Callable, vmap_randomness: VmapRandomness, jit_options: dict) -> None:
        unsupported = sorted(set(jit_options) & set(_UNSUPPORTED))
        if unsupported:
            raise TypeError(
                f"seedkit.nnx.jit does not take {', '.join(unsupported)} (the graph nodes' state is "
                "passed apart from the arguments, so positions and prefixes cannot be mapped). "
                "Drop the option, or split the nodes yourself (nnx.split) and pass their state "
                "to seedkit.function with the option."
            )
        opts = dict(jit_options)
        argnums = _argnums(opts.pop("static_argnums", None))
        argnames = _argnames(opts.pop("static_argnames", None))
        try:
            params = list(inspect.signature(fun).parameters)
        except (TypeError, ValueError):  # a builtin or C callable: no names to map
            params = []
        # As jax.jit: a static name also makes its position static, and the reverse.
        self._static_nums = frozenset(
            [n if n >= 0 else len(params) + n for n in argnums]
            + [params.index(a) for a in argnames if a in params]
        )
        self._static_names = frozenset(argnames) | {
            params[n] for n in argnums if -len(params) <= n < len(params)
        }
        self._fun = fun

        @functools.wraps(fun)  # the name seedkit.function's holder id and messages use
        def pure(static: tuple, node_state: Any, leaves: list) -> tuple:
            return self._pure(static, node_state, leaves)

        self._compiled = _seedkit_function(pure, vmap_randomness=vmap_randomness, static_argnums=(0,), **opts)
        functools.update_wrapper(self, fun)

    def _pure(self, static: tuple, node_state: Any, leaves: list) -> tuple:
        graphdef, treedef, slots, static_args, static_kwargs = static
        nodes = nnx.merge(graphdef, node_state) if slots else []
        leaves = list(leaves)
        for slot, node in zip(slots, nodes, strict=True):
            leaves[slot] = node
        args, kwargs = jax.tree_util.tree_unflatten(treedef, leaves)
        args = list(args)
        for i, value in static_args:
            args.insert(i, value)
        out = self._fun(*args, **kwargs, **dict(static_kwargs))
        if not slots:
            return None, out
        # A returned argument node must come back as the caller's object (nnx.jit's rule), not
        # as a copy unflattened from the outputs: mark it by its place in the graph.
        places = {id(n): k for k, n in enumerate(_graph_items(nodes))}
        out = jax.tree_util.tree_map(
            lambda x: _Returned(places[id(x)]) if _is_graph_node(x) and id(x) in places else x,
            out,
            is_leaf=_is_graph_node,
        )
        return nnx.state(nodes), out

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        static_args = tuple((i, a) for i, a in enumerate(args) if i in self._static_nums)
        static_kwargs = tuple(sorted((k, v) for k, v in kwargs.items() if k in self._static_names))
        dyn_args = tuple(a for i, a in enumerate(args) if i not in self._static_nums)
        dyn_kwargs = {k: v for k, v in kwargs.items() if k not in self._static_names}
        leaves, treedef = jax.tree_util.tree_flatten((dyn_args, dyn_kwargs), is_leaf=_is_leaf)
        slots = tuple(i for i, x in enumerate(leaves) if _is_graph_node(x))
        nodes = [leaves[i] for i in slots]
        for i in slots:
            leaves[i] = None  # the node travels as (static graphdef, state) instead
        if nodes:
            graphdef, node_state = nnx.split(nodes)
        else:
            graphdef, node_state = None, None
        static = (graphdef, treedef, slots, static_args, static_kwargs)
        new_state, out = self._compiled(static, node_state, leaves)
        if not nodes:
            return out
        nnx.update(nodes, new_state)
        if any(isinstance(x, _Returned) for x in jax.tree_util.tree_leaves(out, is_leaf=_is_returned)):
            items = _graph_items(nodes)
            out = jax.tree_util.tree_map(
                lambda x: items[x.index] if isinstance(x, _Returned) else x, out, is_leaf=_is_returned
            )
        return out

    def __repr__(self) -> str:
        return f"seedkit.nnx.jit({getattr(self._fun, '__qualname__', self._fun)!r})"


def _is_returned(x: Any) -> bool:
    return isinstance(x, _Returned)


@overload
def jit(fun: Callable[..., Any], *, vmap_randomness: VmapRandomness = ..., **jit_options: Any) -> Jit: ...
@overload
def jit(
    fun: None = None, *, vmap_randomness: VmapRandomness = ..., **jit_options: Any
) -> Callable[[Callable[..., Any]], Jit]: ...
def jit(
    fun: Callable[..., Any] | None = None,
    *,
    vmap_randomness: VmapRandomness = "different",
    **jit_options: Any,
) -> Jit | Callable[[Callable[..., Any]], Jit]:
    """``seedkit.function`` that also threads Flax NNX graph nodes (Modules, Optimizers,
    ``nnx.Rngs``, Variables) passed anywhere in its arguments, updating the caller's objects in
    place after each call, as ``nnx.jit`` does (rules in this module's docstring).

    Usable as ``@seedkit.nnx.jit``, ``@seedkit.nnx.jit(static_argnames=...)`` or
    ``seedkit.nnx.jit(f)``. ``static_argnums``/``static_argnames`` and the other ``jax.jit``
    options pass through, except ``donate_*`` and ``in/out_shardings`` (``TypeError``).
    ``vmap_randomness``: as in ``seedkit.function``.

    Args:
        fun: The function to compile; omit it for a decorator with options.
        vmap_randomness: ``"different"`` (the default) or ``"same"``, as for ``seedkit.function``.
        **jit_options: Passed to ``jax.jit`` (``static_argnums``, ``static_argnames``, ...).

    Returns:
        A :class:`Jit`, called like ``fun``; without ``fun``, a decorator that makes one.

    Raises:
        TypeError: A ``fun`` that is not callable; a ``donate_*`` or ``in/out_shardings`` option.

    Example:
        >>> import jax.numpy as jnp, seedkit, seedkit.nnx
        >>> from flax import nnx
        >>> counter = nnx.Variable(jnp.zeros((), jnp.int32))
        >>> @seedkit.nnx.jit
        ... def noisy(counter, x):
        ...     counter[...] += 1
        ...     return seedkit.nn.dropout(x, 0.5)
        >>> seedkit.set_seed(3)
        >>> a, b = noisy(counter, jnp.ones(8)), noisy(counter, jnp.ones(8))
        >>> int(counter[...]), bool((a != b).any())
        (2, True)
    """
    if fun is None:
        return functools.partial(jit, vmap_randomness=vmap_randomness, **jit_options)
    if not callable(fun):
        raise TypeError(f"seedkit.nnx.jit expects a callable; got {describe(fun)}.")
    return Jit(fun, vmap_randomness, jit_options)


# ------------------------------------------------------------------ conversions


def _check_stream(stream: Any) -> None:
    if not isinstance(stream, nnx.RngStream):
        hint = " (pick a stream: rngs.dropout, rngs['params'], ...)" if isinstance(stream, nnx.Rngs) else ""
        raise TypeError(f"`stream` must be an nnx.RngStream{hint}; got {describe(stream)}.")


def generator_from_stream(stream: nnx.RngStream) -> Generator:
    """A threefry ``seedkit.Generator`` from the next key of ``stream`` (``rngs.dropout``,
    ``rngs['params']``, ...): the key ``stream()`` would return, ``jax.random.fold_in(key,
    count)``, seeds ``Generator.from_key``; ``stream.count`` then advances by one, as a call of the
    stream does. Raises (``TypeError``/``ValueError``, the stream unchanged) for anything but a
    single threefry-keyed stream.

    Args:
        stream: An ``nnx.RngStream`` with a threefry key (``rngs.dropout``, ``rngs["params"]``).

    Returns:
        A new threefry ``seedkit.Generator``; ``stream.count`` has advanced by one.

    Raises:
        TypeError: A ``stream`` that is not an ``nnx.RngStream`` (an ``nnx.Rngs`` included).

    Example:
        >>> from flax import nnx
        >>> import seedkit.nnx
        >>> rngs = nnx.Rngs(0, dropout=1)
        >>> g = seedkit.nnx.generator_from_stream(rngs.dropout)
        >>> g.normal([2]).shape, int(rngs.dropout.count[...])
        ((2,), 1)
    """
    _check_stream(stream)
    count = stream.count[...]
    key = jax.random.fold_in(stream.key[...], count)  # NNX's RngStream.__call__ rule
    gen = Generator.from_key(key, alg="threefry")  # refuses an rbg or batched key, before any move
    stream.count[...] = count + 1
    return gen


def _key_words(gen: Any, n: int) -> jax.Array:
    if not isinstance(gen, Generator):
        raise TypeError(f"`gen` must be a seedkit.Generator; got {describe(gen)}.")
    # One draw of two words per stream: uniform_full_int exists under both algorithms.
    return gen.uniform_full_int([n, 2], dtype=jnp.uint32)


def stream_from_generator(gen: Generator, tag: str = "default") -> nnx.RngStream:
    """An ``nnx.RngStream`` (count 0, tag ``tag``) whose threefry key data are two ``uint32``
    words from one draw of ``gen`` (``uniform_full_int``); ``gen`` advances by that draw.

    Args:
        gen: The ``seedkit.Generator`` to draw the key from.
        tag: The stream's tag, a str (default ``"default"``).

    Returns:
        A new ``nnx.RngStream`` at count 0.

    Raises:
        TypeError: A ``gen`` that is not a ``seedkit.Generator``; a ``tag`` that is not a str.

    Example:
        >>> import seedkit, seedkit.nnx
        >>> g = seedkit.Generator.from_seed(1)
        >>> stream = seedkit.nnx.stream_from_generator(g, tag="dropout")
        >>> stream.tag, int(stream.count[...]), g.state.tolist()[:2]
        ('dropout', 0, [1, 0])
    """
    if not isinstance(tag, str):
        raise TypeError(f"`tag` must be a str; got {describe(tag)}.")
    words = _key_words(gen, 1)
    return nnx.RngStream(jax.random.wrap_key_data(words[0], impl="threefry2x32"), tag=tag)


def rngs_from_generator(gen: Generator, *names: str) -> nnx.Rngs:
    """An ``nnx.Rngs`` with one stream per name (``"default"`` when no name is given), whose
    threefry keys come from one draw of ``gen`` (two ``uint32`` words per stream, in the order
    of ``names``); ``gen`` advances by that one draw. Use it to initialize Modules from seedkit's
    seeds: ``Model(rngs=rngs_from_generator(seedkit.Generator.from_seed(0), "params", "dropout"))``.

    Args:
        gen: The ``seedkit.Generator`` to draw the keys from.
        *names: The streams' names, distinct strings (none: one stream, ``"default"``).

    Returns:
        A new ``nnx.Rngs`` with one stream per name.

    Raises:
        TypeError: A ``gen`` that is not a ``seedkit.Generator``.
        ValueError: ``names`` that are not distinct strings.

    Example:
        >>> import seedkit, seedkit.nnx
        >>> rngs = seedkit.nnx.rngs_from_generator(seedkit.Generator.from_seed(1), "params", "dropout")
        >>> sorted(name for name in rngs)
        ['dropout', 'params']
    """
    names = names or ("default",)
    bad = [n for n in names if not isinstance(n, str)]
    if bad or len(set(names)) != len(names):
        raise ValueError(f"`names` must be distinct strings; got {names!r}.")
    words = _key_words(gen, len(names))
    keys = {n: jax.random.wrap_key_data(words[i], impl="threefry2x32") for i, n in enumerate(names)}
    return nnx.Rngs(**keys)
