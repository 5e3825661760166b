"""Save a ``Sequential`` model to one safetensors file and load it back safely.

File contents:

    tensors   param.0, param.1, ...   = model.get_weights()  (W0, b0, W1, b1, ...)
              preprocessing.<i>.<key>  arrays of fitted scalers/encoders
              any extra_tensors        (names must not start with "param.")
    metadata  glassnet.model = JSON {"format": "glassnet-model",
                                     "format_version": 1,
                                     "library_version": "0.1.0",
                                     "architecture": model.get_config(),
                                     ...extra_metadata (preprocessing,
                                        class_names, training, ...)}

Loading trusts nothing in the file: the JSON is parsed strictly, every layer
type is looked up in the closed registry ``glassnet.layers.LAYER_TYPES`` (a
dict lookup — no name from the file is ever imported, evaluated or used with
``getattr``), and every tensor must match the rebuilt model's weights in shape
and dtype before ``set_weights`` is called.

Preprocessing (``save_model(..., preprocessing=[scaler])`` or
``net.save(path, preprocessing=[scaler])``) is stored as
``"preprocessing": {"steps": [{"config": …, "tensors": {key: name}}]}`` plus
its arrays, the layout ``glassnet predict`` reads; ``read_model_file(path)``
rebuilds the fitted objects and its ``predict(X_raw)`` applies them first.
"""

from __future__ import annotations

import copy
import json
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet.errors import ConfigError, GlassnetError, ModelFileError
from glassnet.io._json import loads_strict
from glassnet.io.safetensors_format import read_safetensors, write_safetensors

MODEL_KEY = "glassnet.model"
FORMAT = "glassnet-model"
FORMAT_VERSION = 1
PARAM_PREFIX = "param."
PRE_PREFIX = "preprocessing."
MAX_MODEL_JSON_CHARS = 4 * 1024 * 1024
_RESERVED = ("format", "format_version", "library_version", "architecture")


@dataclass
class ModelFile:
    """What ``read_model_file`` returns: the model plus everything saved with it."""

    model: Any
    info: dict[str, Any]
    extra_tensors: dict[str, np.ndarray] = field(default_factory=dict)
    #: fitted scalers/encoders saved with the model, applied in this order
    preprocessing: list = field(default_factory=list)

    def transform(self, X: Any) -> Any:
        """Raw features → model inputs, through every saved preprocessing step."""
        for step in self.preprocessing:
            X = step.transform(X)
        return X

    def predict(self, X: Any) -> np.ndarray:
        """``model.predict`` on raw features (the saved transform applied first)."""
        return self.model.predict(self.transform(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        return self.model.predict_proba(self.transform(X))

    def predict_classes(self, X: Any) -> np.ndarray:
        return self.model.predict_classes(self.transform(X))


def _core() -> tuple[Any, Mapping[str, type]]:
    """The Sequential class and the closed layer registry (imported lazily,
    because the model module imports this package)."""
    from glassnet.layers import LAYER_TYPES
    from glassnet.model import Sequential

    return Sequential, LAYER_TYPES


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
    e.g. ``{"class_names": [...], "training": {...}}``. ``preprocessing`` is a
    fitted scaler/encoder or a list of them (also taken from
    ``extra_metadata["preprocessing"]`` when that holds such objects, as
    ``model.meta`` does after loading): stored so prediction can apply them.
    """
    import glassnet

    extra_metadata = dict(extra_metadata or {})
    if preprocessing is None and _fitted_steps(extra_metadata.get("preprocessing")):
        preprocessing = extra_metadata["preprocessing"]
    pre_tensors: dict[str, np.ndarray] = {}
    if preprocessing is not None:
        extra_metadata["preprocessing"], pre_tensors = _pack_preprocessing(
            preprocessing)
    info: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION}
    version = getattr(glassnet, "__version__", None)
    if version is not None:
        info["library_version"] = str(version)
    info["architecture"] = model.get_config()
    for key, value in (extra_metadata or {}).items():
        if key in _RESERVED or not isinstance(key, str):
            raise ConfigError(
                f"expected extra_metadata keys other than {list(_RESERVED)}, "
                f"received {key!r}. Rename the key."
            )
        info[key] = value
    try:
        text = json.dumps(info, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"expected JSON-able architecture and extra_metadata, received "
            f"a value that is not ({exc}). Use lists, dicts, str, int, finite float."
        ) from exc
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


def _unpack_preprocessing(where: Any, info: dict, tensors: Mapping) -> list:
    """The fitted steps a file's "preprocessing" entry describes ([] if none)."""
    entry = info.get("preprocessing")
    if not isinstance(entry, dict) or "steps" not in entry:
        return []
    from glassnet.data.preprocessing import preprocessor_from_dict

    try:
        return [preprocessor_from_dict(dict(s["config"]), {
                    key: tensors[name] for key, name in s["tensors"].items()})
                for s in entry["steps"]]
    except (GlassnetError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _error(where, f"its preprocessing is malformed ({_why(exc)})") from None


# --------------------------------------------------------------------- load


def load_model(path: str | os.PathLike[str]) -> Any:
    """Load a model saved by ``save_model``; raise ``ModelFileError`` on any
    problem with the file.

    The network expects inputs already transformed. When the file also holds
    preprocessing (a fitted scaler), a warning says so: use
    ``read_model_file(path).predict(X_raw)`` to apply it, or the steps in
    ``model.meta["preprocessing"]``.
    """
    saved = read_model_file(path)
    if saved.preprocessing:
        names = ", ".join(type(s).__name__ for s in saved.preprocessing)
        warnings.warn(
            f"{os.fspath(path)} carries preprocessing ({names}) that load_model "
            "does not apply: model.predict expects transformed inputs. Use "
            "glassnet.io.read_model_file(path).predict(X_raw) to apply it, or "
            "transform with model.meta['preprocessing'] first.",
            UserWarning, stacklevel=2)
    return saved.model


def read_model_file(path: str | os.PathLike[str]) -> ModelFile:
    """Load the model, its saved information and any extra tensors."""
    where = os.fspath(path)
    tensors, metadata = read_safetensors(where)
    info = _parse_info(where, metadata)
    sequential, registry = _core()
    _check_layer_types(where, info["architecture"], registry)
    try:
        n_stored = sum(int(t.size) for k, t in tensors.items()
                       if k.startswith(PARAM_PREFIX))
        # Refuse before allocating when the architecture asks for far more
        # parameters than the file stores (small mismatches are named below).
        model = sequential.from_config(copy.deepcopy(info["architecture"]),
                                       max_params=max(n_stored, 1 << 24))
    except Exception as exc:  # bad values in the file surface here as anything
        raise _error(where, f"cannot rebuild the architecture ({_why(exc)})") from exc
    params = _match_weights(where, tensors, model.get_weights())
    try:
        model.set_weights(params)
    except Exception as exc:
        raise _error(where, f"cannot set the weights ({_why(exc)})") from exc
    extra = {k: v for k, v in tensors.items() if not k.startswith(PARAM_PREFIX)}
    steps = _unpack_preprocessing(where, info, tensors)
    model.meta = {k: v for k, v in info.items() if k not in _RESERVED}
    if steps:  # the fitted objects, so model.save(...) writes them again
        model.meta["preprocessing"] = steps
    return ModelFile(model, info, extra, steps)


def _error(where: Any, problem: str) -> ModelFileError:
    return ModelFileError(
        f"cannot load model {where!s}: {problem}. "
        "Re-save the model with this glassnet version, or check the path."
    )


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _parse_info(where: Any, metadata: Mapping[str, str]) -> dict[str, Any]:
    text = metadata.get(MODEL_KEY)
    if text is None:
        raise _error(
            where,
            f"no {MODEL_KEY!r} metadata, so it holds tensors but no model "
            "(read it with glassnet.io.read_safetensors instead)",
        )
    if len(text) > MAX_MODEL_JSON_CHARS:
        raise _error(where, f"model description over {MAX_MODEL_JSON_CHARS} chars")
    try:
        info = loads_strict(text)
    except (ValueError, RecursionError, MemoryError) as exc:
        raise _error(where, f"model description is not valid JSON ({exc})") from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise _error(where, f'model description lacks "format": {FORMAT!r}')
    version = info.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise _error(
            where,
            f"model format_version {version!r} is not supported (this glassnet "
            f"reads {FORMAT_VERSION}); upgrade glassnet",
        )
    if not isinstance(info.get("architecture"), dict):
        raise _error(where, 'model description has no "architecture" object')
    return info


def _check_layer_types(
    where: Any, architecture: dict[str, Any], registry: Mapping[str, type]
) -> None:
    """Every layer's "type" must be a key of the closed registry."""
    layers = architecture.get("layers")
    if not isinstance(layers, list):
        raise _error(where, 'architecture has no "layers" list')
    for i, layer in enumerate(layers):
        kind = layer.get("type") if isinstance(layer, dict) else None
        if not isinstance(kind, str) or kind not in registry:
            raise _error(
                where,
                f"layer {i} has unknown type {kind!r}; known types: {sorted(registry)}",
            )


def _match_weights(
    where: Any, tensors: Mapping[str, np.ndarray], expected: list[np.ndarray]
) -> list[np.ndarray]:
    """File tensors param.0..param.{n-1}, each the exact shape and dtype."""
    names = [f"{PARAM_PREFIX}{i}" for i in range(len(expected))]
    stored = sorted(k for k in tensors if k.startswith(PARAM_PREFIX))
    if stored != sorted(names):
        raise _error(
            where,
            f"the architecture has {len(names)} weight arrays, the file holds "
            f"{len(stored)} ({stored[:6]}{'...' if len(stored) > 6 else ''})",
        )
    for name, want in zip(names, expected, strict=True):
        got = tensors[name]
        if got.shape != np.shape(want) or got.dtype.name != np.asarray(want).dtype.name:
            raise _error(
                where,
                f"{name} is {got.dtype.name}{list(got.shape)}, the architecture "
                f"needs {np.asarray(want).dtype.name}{list(np.shape(want))}",
            )
    return [tensors[name] for name in names]
