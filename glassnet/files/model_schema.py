"""The model description, checked field by field before anything reads it.

A model file's ``glassnet.model`` JSON passes its checksum whoever wrote it,
so every value is checked here against the shape glassnet writes, and the
first one out of place is named by its path (``training.optimizer.
learning_rate``): a number where a list belongs, a 600-deep nesting, an int
of 400 digits or a string where an object belongs is refused with one line,
never a ``TypeError`` or ``OverflowError`` deep inside a command.

Every value, the user's extra metadata included, must be plain JSON nested
at most ``MAX_DEPTH`` deep, with ints within ±2⁶³ and finite floats. The
fields glassnet reads have a schema below: a Python type, a tuple of
alternatives, ``[item]`` for a list, ``{key: schema}`` for an object
(``Optional`` keys may be absent; other keys are allowed), or ``ANY``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 24
MAX_INT = 2**63
ANY = object()


@dataclass(frozen=True)
class Optional:
    """A key that may be absent (``None`` is a value and needs its own entry)."""

    schema: Any


NUM = (int, float)
STR_LIST = [str]

LAYER = {"type": str, "config": dict}
ARCHITECTURE = {"name": Optional(str), "dtype": Optional(str), "layers": [LAYER]}
COLUMN = {"name": str, "kind": str, "categories": Optional(([str], None)),
          "fill": Optional((int, float, str, None))}
FEATURE_SPEC = {"columns": [COLUMN], "source_columns": STR_LIST,
                "target": Optional((str, None)), "task": Optional((str, None)),
                "class_names": Optional((STR_LIST, None)),
                "missing": Optional(str), "version": Optional(int)}
PREPROCESSING = {"steps": [{"config": {"class": str}, "tensors": dict}]}
DATA = {"source": Optional(str), "name": Optional(str),
        "path": Optional((str, None)), "seed": Optional((int, None)),
        "n_samples": Optional(int), "target": Optional((str, None)),
        "task": Optional((str, None))}
NAMED = {"name": str}
TRAINING = {"config": Optional(dict), "command": Optional(str),
            "loss": Optional(NAMED), "optimizer": Optional(NAMED),
            "metrics": Optional(STR_LIST), "epochs_run": Optional(int),
            "stopped": Optional((str, None)), "results": Optional(dict),
            "seconds": Optional(NUM)}
MODEL = {"format": str, "format_version": int, "library_version": Optional(str),
         "architecture": ARCHITECTURE, "feature_spec": Optional((FEATURE_SPEC, None)),
         "feature_names": Optional((STR_LIST, None)),
         "class_names": Optional((STR_LIST, None)),
         "preprocessing": Optional((PREPROCESSING, None)), "data": Optional(DATA),
         "training": Optional(TRAINING)}


class SchemaError(ValueError):
    """A value out of place; the message starts with its path."""


def check_model_description(info: Any) -> None:
    """Raise ``SchemaError`` naming the first field that is not as written."""
    plain(info, "the model description")
    check(info, MODEL, "")
    results = info.get("training", {}).get("results", {})
    for split, values in results.items():
        check(values, {}, f"training.results.{split}")
        for name, value in values.items():
            check(value, NUM, f"training.results.{split}.{name}")


def plain(value: Any, path: str, depth: int = 0) -> None:
    """Plain JSON values only: bounded depth and ints, finite floats."""
    if depth > MAX_DEPTH:
        raise SchemaError(f"{path}: nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        for key, item in value.items():
            plain(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            plain(item, f"{path}[{i}]", depth + 1)
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        return
    elif isinstance(value, int):
        if not -MAX_INT < value < MAX_INT:
            raise SchemaError(f"{path}: an integer of {len(str(abs(value)))} digits, "
                              "beyond the ±2**63 glassnet writes")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise SchemaError(f"{path}: {value}, not a finite number")
    else:
        raise SchemaError(f"{path}: a {type(value).__name__}, not a JSON value")


def check(value: Any, schema: Any, path: str) -> None:
    """``value`` against ``schema`` (see the module docstring)."""
    where = path or "the model description"
    if schema is ANY:
        return
    if isinstance(schema, tuple):
        for option in schema:
            try:
                check(value, option, path)
                return
            except SchemaError as exc:
                if _same_container(value, option):
                    raise exc from None  # the inner field at fault, by its path
        raise SchemaError(f"{where}: {_kind(value)}, expected "
                          + " or ".join(_name(s) for s in schema))
    if schema is None:
        if value is not None:
            raise SchemaError(f"{where}: {_kind(value)}, expected null")
        return
    if isinstance(schema, list):
        if not isinstance(value, list):
            raise SchemaError(f"{where}: {_kind(value)}, expected a list")
        for i, item in enumerate(value):
            check(item, schema[0], f"{path}[{i}]")
        return
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise SchemaError(f"{where}: {_kind(value)}, expected an object")
        for key, sub in schema.items():
            if isinstance(sub, Optional):
                if key in value:
                    check(value[key], sub.schema, _join(path, key))
            elif key not in value:
                raise SchemaError(f"{where}: no {key!r} field")
            else:
                check(value[key], sub, _join(path, key))
        return
    if not _is(value, schema):
        raise SchemaError(f"{where}: {_kind(value)}, expected {_name(schema)}")


def _same_container(value: Any, schema: Any) -> bool:
    return (isinstance(value, dict) and isinstance(schema, dict)) or (
        isinstance(value, list) and isinstance(schema, list))


def _is(value: Any, kind: type) -> bool:
    if kind in (int, float) and isinstance(value, bool):
        return False
    if kind is float:
        return isinstance(value, int | float)
    return isinstance(value, kind)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    text = repr(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"{type(value).__name__} {text}"


def _name(schema: Any) -> str:
    if schema is None:
        return "null"
    if isinstance(schema, list):
        return "a list"
    if isinstance(schema, dict):
        return "an object"
    if isinstance(schema, tuple):
        return " or ".join(_name(s) for s in schema)
    return {str: "a string", int: "an integer", float: "a number",
            bool: "true/false", dict: "an object", list: "a list"}.get(
                schema, schema.__name__)
