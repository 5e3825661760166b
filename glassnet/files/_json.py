"""Strict JSON for file headers: no duplicate keys, no NaN, one canonical form.

Python's ``json.loads`` silently keeps the *last* of two equal keys and
accepts ``NaN``/``Infinity``; a file that relies on either is ambiguous, so
both are refused here. ``canonical_json`` is the single byte form glassnet
writes, which lets a reader notice any change to a header it wrote.

Values JSON cannot hold exactly are encoded first: a float as itself when
finite (repr round-trips) and as "nan"/"inf"/"-inf" otherwise
(``number``/``unnumber``); a random generator's state with every integer as a
decimal string, since its 128-bit ints do not fit a JSON number
(``encode_rng``/``decode_rng``).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from glassnet.errors import ConfigError


class StrictJSONError(ValueError):
    """The text is not strict JSON (duplicate key or non-finite number)."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` that refuses ``{"a": 1, "a": 2}`` at every depth."""
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise StrictJSONError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def _no_constants(name: str) -> Any:
    raise StrictJSONError(f"non-standard constant {name}")


def loads_strict(text: str) -> Any:
    """Parse JSON; raise ``ValueError`` (``JSONDecodeError``/``StrictJSONError``).

    Deeply nested input may also raise ``RecursionError``.
    """
    return json.loads(
        text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants
    )


def canonical_json(obj: Any) -> bytes:
    """Compact UTF-8 JSON, keys in insertion order — glassnet's one written form."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


# ------------------------------------------- values JSON cannot hold exactly


def number(v: Any) -> float | str | None:
    """A float JSON can hold exactly (repr round-trips); NaN/inf as strings."""
    if v is None or not isinstance(v, int | float | np.floating | np.integer):
        return None
    v = float(v)
    return v if math.isfinite(v) else repr(v)


def unnumber(v: Any) -> float:
    if isinstance(v, str) and v in ("nan", "inf", "-inf"):
        return float(v)
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"expected a number, found {v!r}")
    return float(v)


def encode_rng(state: Any) -> Any:
    """bit_generator.state → JSON: ints become decimal strings, arrays lists."""
    if isinstance(state, dict):
        return {str(k): encode_rng(v) for k, v in state.items()}
    if isinstance(state, bool):
        return state
    if isinstance(state, int | np.integer):
        return {"int": str(int(state))}
    if isinstance(state, np.ndarray):
        return {"array": [str(int(x)) for x in state.ravel()],
                "dtype": state.dtype.str}
    if isinstance(state, str | float):
        return state
    raise ConfigError(f"cannot store a random-generator state holding "
                      f"{type(state).__name__}; use np.random.default_rng(seed).")


def decode_rng(obj: Any) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"int"}:
            return int(obj["int"])
        if set(obj) == {"array", "dtype"}:
            dtype = np.dtype(obj["dtype"])
            if dtype.kind not in "ui":
                raise ValueError(f"rng array dtype {dtype} is not an integer type")
            return np.array([int(x) for x in obj["array"]], dtype=dtype)
        return {k: decode_rng(v) for k, v in obj.items()}
    if isinstance(obj, str | bool | float):
        return obj
    raise ValueError(f"unexpected value {obj!r} in a generator state")


def clean(o: Any) -> Any:
    """JSON-able copy: arrays → lists, NumPy scalars → Python, NaN/inf → None."""
    if isinstance(o, dict):
        return {str(k): clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [clean(v) for v in o]
    if isinstance(o, np.ndarray):
        return clean(o.tolist())
    if isinstance(o, np.generic):
        return clean(o.item())
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if o is None or isinstance(o, bool | int | float | str):
        return o
    return repr(o)
