"""The model file: architecture, weights and what was saved with them.

One safetensors file:

    tensors   param.0, param.1, ...   = model.get_weights()  (W0, b0, W1, b1, ...)
              preprocessing.<i>.<key>  arrays of fitted scalers/encoders
              any extra_tensors        (names must not start with "param.")
    metadata  glassnet.model = JSON {"format": "glassnet-model",
                                     "format_version": 1,
                                     "library_version": "0.1.0",
                                     "architecture": model.get_config(),
                                     ...extra_metadata (preprocessing,
                                        class_names, training, ...)}

Preprocessing is stored as ``"preprocessing": {"steps": [{"config": …,
"tensors": {key: name}}]}`` plus its arrays.

This module knows nothing of the model classes: ``save_model`` asks the model
only for ``get_config()``, ``get_weights()`` and ``meta``, and a fitted
scaler/encoder only for ``to_dict()``; ``read_model_record`` parses and checks
a file into a plain ``ModelRecord`` without building anything.
``glassnet.io.read_model_file`` turns the record into a model.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet.errors import ConfigError, ModelFileError
from glassnet.files._json import loads_strict
from glassnet.files.model_schema import SchemaError, check_model_description
from glassnet.files.safetensors import read_safetensors, write_safetensors

MODEL_KEY = "glassnet.model"
FORMAT = "glassnet-model"
FORMAT_VERSION = 1
PARAM_PREFIX = "param."
PRE_PREFIX = "preprocessing."
MAX_MODEL_JSON_CHARS = 4 * 1024 * 1024
#: keys of the model description that extra_metadata may not use
RESERVED = ("format", "format_version", "library_version", "architecture")


@dataclass
class ModelRecord:
    """A model file, parsed and checked, with nothing built from it yet."""

    path: str
    #: the whole model description: format, architecture, extra metadata
    info: dict[str, Any]
    #: the tensors param.0 … param.{n-1}: the weights in get_weights() order
    params: dict[str, np.ndarray]
    #: every other tensor (preprocessing arrays, extra_tensors), by name
    extra_tensors: dict[str, np.ndarray] = field(default_factory=dict)
    #: each preprocessing step as (config, {key: array}), in order
    preprocessing: list[tuple[dict, dict[str, np.ndarray]]] = field(
        default_factory=list)


def library_version() -> str | None:
    """``glassnet.__version__`` (the package is imported before its modules)."""
    package = sys.modules.get(__name__.partition(".")[0])
    version = getattr(package, "__version__", None)
    return None if version is None else str(version)


def model_error(where: Any, problem: str) -> ModelFileError:
    return ModelFileError(
        f"cannot load model {where!s}: {problem}. "
        "Re-save the model with this glassnet version, or check the path."
    )


def why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


# --------------------------------------------------------------------- save


def save_model(
    model: Any,
    path: str | os.PathLike[str],
    *,
    extra_metadata: Mapping[str, Any] | None = None,
    extra_tensors: Mapping[str, np.ndarray] | None = None,
    preprocessing: Any = None,
) -> None:
    """Atomically save ``model`` (architecture + weights) to ``path``.

    ``extra_metadata`` is JSON-able information stored beside the architecture,
    e.g. ``{"class_names": [...], "training": {...}}``; it is laid over
    ``model.meta`` (what a loaded model carries), so a loaded model saves
    again with everything it was loaded with. ``preprocessing`` is a fitted
    scaler/encoder or a list of them (also taken from
    ``extra_metadata["preprocessing"]`` when that holds such objects, as
    ``model.meta`` does after loading): stored so prediction can apply them.
    """
    extra_metadata = {**getattr(model, "meta", {}), **(extra_metadata or {})}
    if preprocessing is None and _fitted_steps(extra_metadata.get("preprocessing")):
        preprocessing = extra_metadata["preprocessing"]
    pre_tensors: dict[str, np.ndarray] = {}
    if preprocessing is not None:
        extra_metadata["preprocessing"], pre_tensors = _pack_preprocessing(
            preprocessing)
    text = describe(model.get_config(), extra_metadata)
    tensors = {f"{PARAM_PREFIX}{i}": w for i, w in enumerate(model.get_weights())}
    for name, arr in (extra_tensors or {}).items():
        if not isinstance(name, str) or name.startswith(PARAM_PREFIX):
            raise ConfigError(
                f"expected extra tensor names not starting with {PARAM_PREFIX!r}, "
                f"received {name!r}. Rename the tensor."
            )
        tensors[name] = arr
    tensors.update(pre_tensors)
    write_safetensors(path, tensors, {MODEL_KEY: text})


def describe(architecture: dict, extra_metadata: Mapping[str, Any] | None = None
             ) -> str:
    """The ``glassnet.model`` JSON text: format, version, architecture, extras."""
    info: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION}
    version = library_version()
    if version is not None:
        info["library_version"] = version
    info["architecture"] = architecture
    for key, value in (extra_metadata or {}).items():
        if key in RESERVED or not isinstance(key, str):
            raise ConfigError(
                f"expected extra_metadata keys other than {list(RESERVED)}, "
                f"received {key!r}. Rename the key."
            )
        info[key] = value
    try:
        return json.dumps(info, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"expected JSON-able architecture and extra_metadata, received "
            f"a value that is not ({exc}). Use lists, dicts, str, int, finite float."
        ) from exc


def _fitted_steps(value: Any) -> bool:
    """A fitted scaler/encoder, or a list of them (possibly empty)."""
    steps = value if isinstance(value, list | tuple) else [value]
    return all(callable(getattr(s, "to_dict", None)) for s in steps)


def _pack_preprocessing(steps: Any) -> tuple[dict, dict[str, np.ndarray]]:
    """Fitted steps → ({"steps": [{"config", "tensors"}]}, {tensor name: array})."""
    steps = list(steps) if isinstance(steps, list | tuple) else [steps]
    meta: dict[str, list] = {"steps": []}
    tensors: dict[str, np.ndarray] = {}
    for i, step in enumerate(steps):
        if not callable(getattr(step, "to_dict", None)) or not callable(
                getattr(step, "transform", None)):
            raise ConfigError(
                f"expected preprocessing as fitted gn.StandardScaler / MinMaxScaler "
                f"/ OneHotEncoder objects (or a list of them), received "
                f"{type(step).__name__} at position {i}. Pass e.g. "
                "preprocessing=[scaler]."
            )
        config, arrays = step.to_dict()
        names = {key: f"{PRE_PREFIX}{i}.{key}" for key in arrays}
        tensors.update({names[key]: np.asarray(a) for key, a in arrays.items()})
        meta["steps"].append({"config": config, "tensors": names})
    return meta, tensors


# ---------------------------------------------------------------------- read


def read_model_record(path: str | os.PathLike[str],
                      max_bytes: int | None = None) -> ModelRecord:
    """Parse and check a model file; raise ``ModelFileError`` on any problem."""
    where = os.fspath(path)
    tensors, metadata = read_safetensors(where, max_file_bytes=max_bytes)
    info = _parse_info(where, metadata)
    if not isinstance(info["architecture"].get("layers"), list):
        raise model_error(where, 'architecture has no "layers" list')
    return ModelRecord(
        where, info,
        {k: v for k, v in tensors.items() if k.startswith(PARAM_PREFIX)},
        {k: v for k, v in tensors.items() if not k.startswith(PARAM_PREFIX)},
        _preprocessing(where, info, tensors))


def _parse_info(where: Any, metadata: Mapping[str, str]) -> dict[str, Any]:
    text = metadata.get(MODEL_KEY)
    if text is None:
        raise model_error(
            where,
            f"no {MODEL_KEY!r} metadata, so it holds tensors but no model "
            "(read it with glassnet.io.read_safetensors instead)",
        )
    if len(text) > MAX_MODEL_JSON_CHARS:
        raise model_error(where,
                          f"model description over {MAX_MODEL_JSON_CHARS} chars")
    try:
        info = loads_strict(text)
    except (ValueError, RecursionError, MemoryError) as exc:
        raise model_error(where, f"model description is not valid JSON ({exc})") \
            from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise model_error(where, f'model description lacks "format": {FORMAT!r}')
    version = info.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise model_error(
            where,
            f"model format_version {version!r} is not supported (this glassnet "
            f"reads {FORMAT_VERSION}); upgrade glassnet",
        )
    if not isinstance(info.get("architecture"), dict):
        raise model_error(where, 'model description has no "architecture" object')
    try:
        check_model_description(info)
    except SchemaError as exc:
        raise model_error(where, f"its description is malformed ({exc})") from None
    return info


def _preprocessing(where: Any, info: dict, tensors: Mapping) -> list[tuple]:
    """[(config, {key: array})] for the file's "preprocessing" entry ([] if none)."""
    entry = info.get("preprocessing")
    if not isinstance(entry, dict) or "steps" not in entry:
        return []
    try:
        return [(dict(s["config"]),
                 {key: tensors[name] for key, name in s["tensors"].items()})
                for s in entry["steps"]]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise model_error(where, f"its preprocessing is malformed ({why(exc)})") \
            from None
