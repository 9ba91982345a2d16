"""``RandomState`` as a JSON-able dict, for checkpoints that hold JSON rather than pickles.

Pickle is a snapshot's native form. Checkpoint libraries store arrays and JSON instead (orbax's
``ocp.args.JsonSave``, a run's metadata file), and a pickle is code that a checkpoint should not
run. :func:`encode` gives a dict of str keys, ints, strings, lists, ``None`` and at most one
float (the op-seed stream's spare Gaussian, which seedkit never draws but Python's
``random.Random`` state includes), and :func:`decode` reads it back. Python's ``json`` round-trips
it exactly; byte strings travel as base64, and every number that can exceed 2**53 (the global
seed, counters) as a decimal string, so a JSON tool that reads numbers as doubles cannot round
them.

The dict is versioned (``"version"``, the snapshot version of :class:`RandomState`); a version-1
snapshot (the counter table before the compact one) is written as version 2.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import numpy as np

from seedkit._counters import CounterTable

FORMAT = "seedkit.RandomState"


def encode(state: Any) -> dict[str, Any]:
    """The JSON-able dict of ``state`` (a :class:`seedkit.RandomState`)."""
    rng_version, words, gauss_next = state.op_seed_stream
    counters = CounterTable.from_items(state.counters).snapshot() if state.version == 1 else state.counters
    return {
        "format": FORMAT,
        "version": 2,
        "global_seed": None if state.global_seed is None else str(state.global_seed),
        "op_seed_stream": {
            "version": rng_version,
            "words": _b64(np.asarray(words, "<u4").tobytes()),
            "gauss_next": gauss_next,
        },
        "unseeded_draws": str(state.unseeded_draws),
        "counters": [
            {
                "group": _plain(group),
                "op_seeds": _b64(keys),
                "counters": _b64(vals),
                "beyond_uint64": [[o, str(n)] for o, n in extra],
            }
            for group, keys, vals, extra in counters
        ],
        "holders": [{"id": _plain(hid), "snapshot": _plain(snap)} for hid, snap in state.holders],
    }


def decode(obj: Mapping[str, Any], make: Any) -> Any:
    """The :class:`RandomState` (made by ``make(**fields)``) that :func:`encode` wrote as ``obj``.
    Raises ``ValueError`` naming what is wrong; whether the fields form a valid state is checked
    by ``set_state`` (``_state.restore``), as for a pickled snapshot."""
    if obj.get("format") != FORMAT:
        raise ValueError(
            f"`state` is a mapping but not a seedkit state: its 'format' is {obj.get('format')!r}, "
            f"not {FORMAT!r}. Pass what seedkit.get_state().to_json() returned."
        )
    if obj.get("version") != 2:
        raise ValueError(f"`state` has version {obj.get('version')!r}; this seedkit reads JSON version 2.")
    try:
        stream = obj["op_seed_stream"]
        words = np.frombuffer(_unb64(stream["words"]), "<u4")
        seed = obj["global_seed"]
        return make(
            global_seed=None if seed is None else _int(seed),
            op_seed_stream=(stream["version"], tuple(int(w) for w in words), stream["gauss_next"]),
            unseeded_draws=_int(obj["unseeded_draws"]),
            counters=tuple(
                (
                    _tuple(c["group"]),
                    _unb64(c["op_seeds"]),
                    _unb64(c["counters"]),
                    tuple((o, _int(n)) for o, n in c["beyond_uint64"]),
                )
                for c in obj["counters"]
            ),
            holders=tuple((_tuple(h["id"]), _tuple(h["snapshot"])) for h in obj["holders"]),
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as e:
        raise ValueError(f"`state` is a corrupted seedkit state dict: {type(e).__name__}: {e}") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise TypeError(f"expected a base64 string, got {type(text).__name__}")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _int(text: Any) -> int:
    # Decimal strings (what encode writes); a JSON number that some tool wrote back is accepted
    # when it is an exact int.
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise TypeError(f"expected an int as a decimal string, got {text!r}")
    return int(text)


def _plain(value: Any) -> Any:
    """``value`` with tuples as lists; anything JSON cannot hold raises ``TypeError``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    raise TypeError(f"a {type(value).__name__} in a seedkit state has no JSON form")


def _tuple(value: Any) -> Any:
    """The inverse of :func:`_plain` for ids and snapshots, which are tuples in a snapshot."""
    return tuple(_tuple(v) for v in value) if isinstance(value, list) else value
