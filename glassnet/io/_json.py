"""Strict JSON for file headers: no duplicate keys, no NaN, one canonical form.

Python's ``json.loads`` silently keeps the *last* of two equal keys and
accepts ``NaN``/``Infinity``; a file that relies on either is ambiguous, so
both are refused here. ``canonical_json`` is the single byte form glassnet
writes, which lets a reader notice any change to a header it wrote.
"""

from __future__ import annotations

import json
from typing import Any


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
