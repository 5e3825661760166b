"""Load a saved model, with everything saved beside it, into one ``ModelFile``.

The file layout and ``save_model`` live in ``glassnet.files.model_format``;
here the parsed record becomes objects. Loading trusts nothing in the file:
every layer type is looked up in the closed registry
``glassnet.layers.LAYER_TYPES`` (a dict lookup — no name from the file is
ever imported, evaluated or used with ``getattr``), every tensor must match
the rebuilt model's weights in shape and dtype before ``set_weights`` is
called, and saved scalers/encoders are rebuilt from their own closed
registry (``preprocessor_from_dict``).

``read_model_file(path)`` returns a ``ModelFile``: the model plus its
preprocessing steps, feature spec and class names; its ``predict(X_raw)``
applies the steps first. This is the object ``glassnet predict`` and the
other commands use.
"""

from __future__ import annotations

import copy
import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet.data.features import ColumnSpec, FeatureSpec
from glassnet.data.preprocessing import feature_widths, preprocessor_from_dict
from glassnet.errors import GlassnetError, ModelFileError
from glassnet.files.model_format import (
    PARAM_PREFIX,
    RESERVED,
    ModelRecord,
    model_error,
    read_model_record,
    save_model,
    why,
)
from glassnet.layers import LAYER_TYPES, layer_from_config
from glassnet.model import Sequential, declared_shapes


@dataclass
class ModelFile:
    """A model plus what turns raw data into its inputs and its outputs into
    answers: preprocessing steps, feature spec, class names."""

    model: Any
    #: the whole saved description (format, architecture, feature_spec,
    #: class_names, training, …); empty for a model not read from a file
    info: dict[str, Any] = field(default_factory=dict)
    extra_tensors: dict[str, np.ndarray] = field(default_factory=dict)
    #: fitted scalers/encoders saved with the model, applied in this order
    preprocessing: list = field(default_factory=list)
    path: str = ""
    #: how CSV columns become X; for files without one (saved from Python),
    #: numeric columns x1..xF; None for inputs of varying length (sequences)
    spec: FeatureSpec | None = None

    def __post_init__(self) -> None:
        if self.spec is None:
            self.spec = saved_spec(self.info, self.model)

    @property
    def class_names(self) -> list[str] | None:
        """Output index → name, for classifiers."""
        if self.spec is None:
            return self.info.get("class_names")
        return self.spec.class_names

    @property
    def task(self) -> str:
        if self.spec is None:
            return "classification" if self.class_names else "regression"
        return self.spec.task or "regression"

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

    def save(self, path: str | os.PathLike[str], extra: dict | None = None) -> None:
        """Save the model with its spec, class names and preprocessing."""
        meta = {} if self.spec is None else {
            "feature_spec": self.spec.to_dict(), "class_names": self.spec.class_names,
            "feature_names": self.spec.feature_names}
        save_model(self.model, path, extra_metadata={**meta, **(extra or {})},
                   preprocessing=list(self.preprocessing))


def saved_spec(info: dict, model: Any) -> FeatureSpec | None:
    """The saved feature spec, or numeric columns x1..xF when there is none
    (None when the model takes inputs of varying length)."""
    if isinstance(info.get("feature_spec"), dict):
        return FeatureSpec.from_dict(info["feature_spec"])
    if None in model.input_shape:
        return None
    n = int(np.prod(model.input_shape))
    names = info.get("feature_names") or [f"x{i + 1}" for i in range(n)]
    classes = info.get("class_names")
    act = model.output_activation()
    if classes is None and act is not None and act.name in ("softmax", "sigmoid"):
        classes = [str(i) for i in range(max(model.n_outputs, 2))]
    task = "classification" if classes else "regression"
    return FeatureSpec([ColumnSpec(str(c), "numeric") for c in names],
                       [str(c) for c in names], None, task,
                       [str(c) for c in classes] if classes else None)


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


def read_model_file(path: str | os.PathLike[str],
                    max_bytes: int | None = None) -> ModelFile:
    """Load the model, its preprocessing, its saved information and any extra
    tensors; raise ``ModelFileError`` on any problem with the file (a file of
    more than ``max_bytes`` bytes is refused before it is read)."""
    record = read_model_record(path, max_bytes=max_bytes)
    model = _build(record)
    steps = _preprocessing(record)
    model.meta = {k: v for k, v in record.info.items() if k not in RESERVED}
    if steps:  # the fitted objects, so model.save(...) writes them again
        model.meta["preprocessing"] = steps
    try:
        spec = saved_spec(record.info, model)
    except (GlassnetError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ModelFileError(f"cannot load model {record.path}: its preprocessing "
                             f"or feature description is malformed ({exc}). "
                             "Re-save it with this glassnet.") from None
    _check_widths(record.path, spec, steps, model)
    return ModelFile(model, record.info, record.extra_tensors, steps, record.path,
                     spec)


def _build(record: ModelRecord) -> Sequential:
    """The Sequential the record describes, with its weights.

    The stored tensors are checked against the architecture (names, dtype,
    then every shape, from the layers' declarations alone) before anything
    is allocated, and become the model's initial values: loading costs what
    the file holds, whatever its architecture claims.
    """
    where, architecture = record.path, record.info["architecture"]
    for i, layer in enumerate(architecture["layers"]):
        kind = layer.get("type") if isinstance(layer, dict) else None
        if not isinstance(kind, str) or kind not in LAYER_TYPES:
            raise model_error(where, f"layer {i} has unknown type {kind!r}; known "
                              f"types: {sorted(LAYER_TYPES)}")
    weights = _stored_weights(where, record.params, architecture.get("dtype",
                                                                     "float32"))
    try:
        layers = [layer_from_config(e) for e in copy.deepcopy(architecture["layers"])]
        shapes = declared_shapes(layers) if layers[0].input_dim is not None else []
    except Exception as exc:  # bad values in the file surface here as anything
        raise model_error(where, f"cannot rebuild the architecture ({why(exc)})") \
            from exc
    if len(shapes) != len(weights):
        raise model_error(where, f"the architecture has {len(shapes)} weight arrays, "
                          f"the file holds {len(weights)}")
    for i, ((name, shape), w) in enumerate(zip(shapes, weights, strict=True)):
        if w.shape != shape:
            raise model_error(where, f"{PARAM_PREFIX}{i} is {w.dtype.name}"
                              f"{list(w.shape)}, the architecture's {name} needs "
                              f"{list(shape)}")
    try:
        return Sequential.from_config(copy.deepcopy(architecture), weights=weights)
    except Exception as exc:
        raise model_error(where, f"cannot rebuild the architecture ({why(exc)})") \
            from exc


def _stored_weights(where: str, stored: dict[str, np.ndarray], dtype: str
                    ) -> list[np.ndarray]:
    """File tensors param.0..param.{n-1}, each of the architecture's dtype."""
    names = [f"{PARAM_PREFIX}{i}" for i in range(len(stored))]
    have = sorted(stored, key=lambda k: (len(k), k))
    if have != names:
        raise model_error(where, f"its weight arrays are {have[:6]}"
                          f"{'...' if len(have) > 6 else ''}, not param.0 … "
                          f"param.{len(stored) - 1}")
    for name in names:
        if stored[name].dtype.name != dtype:
            raise model_error(where, f"{name} is {stored[name].dtype.name}, the "
                              f"architecture is {dtype}")
    return [stored[name] for name in names]


def _check_widths(where: str, spec: FeatureSpec | None, steps: list, model) -> None:
    """The feature columns, each preprocessing step and the model's input
    must agree in width, so a crafted file fails here and not in predict."""
    if len(model.input_shape) != 1:
        return
    width = len(spec.feature_names) if spec is not None else model.input_shape[0]
    source = "the feature spec"
    for i, step in enumerate(steps):
        widths = feature_widths(step)
        if widths is None:
            continue
        if widths[0] != width:
            raise model_error(where, f"preprocessing step {i} "
                              f"({type(step).__name__}) takes {widths[0]} features, "
                              f"{source} gives {width}")
        width, source = widths[1], f"preprocessing step {i}"
    if width != model.input_shape[0]:
        raise model_error(where, f"the model takes {model.input_shape[0]} inputs, "
                          f"{source} gives {width}")


def _preprocessing(record: ModelRecord) -> list:
    """The fitted steps the record describes, rebuilt ([] if none)."""
    try:
        return [preprocessor_from_dict(config, arrays)
                for config, arrays in record.preprocessing]
    except (GlassnetError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise model_error(record.path,
                          f"its preprocessing is malformed ({why(exc)})") from None
