"""A trained model with what it needs to read new data: the run's model file.

The model file (``glassnet.io.save_model``) carries, beside the architecture
and weights, everything that turns raw data into the model's inputs and its
outputs back into answers:

    metadata   feature_spec    how CSV columns become X (FeatureSpec.to_dict())
               preprocessing   {"steps": [{"config": …, "tensors": {…}}]}
               class_names     output index → name
               data            where the training data came from
               training        the resolved configuration, loss, optimizer,
                               metrics, final results, the reproducing command
    tensors    preprocessing.<i>.<name>   e.g. the StandardScaler's mean, scale
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from glassnet import losses as loss_mod
from glassnet import optimizers as opt_mod
from glassnet.data import (
    Dataset,
    FeatureSpec,
    builtin_names,
    load_builtin,
    load_csv,
    load_csv_features,
)
from glassnet.data.features import ColumnSpec
from glassnet.errors import ConfigError, DataError, GlassnetError, ModelFileError
from glassnet.io import read_model_file, save_model


@dataclass
class Bundle:
    """A model plus its preprocessing, feature spec and class names."""

    model: Any
    spec: FeatureSpec
    steps: list = field(default_factory=list)    # fitted scalers, in order
    info: dict = field(default_factory=dict)     # everything saved with it
    path: str = ""

    @property
    def class_names(self) -> list[str] | None:
        return self.spec.class_names

    @property
    def task(self) -> str:
        return self.spec.task or "regression"

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Raw features (n, F) → model inputs, through every saved step."""
        for step in self.steps:
            X = step.transform(X)
        return X

    def predict_proba(self, X_raw: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(self.transform(X_raw))

    def save(self, path: str | os.PathLike[str], extra: dict | None = None) -> None:
        meta = {"feature_spec": self.spec.to_dict(),
                "class_names": self.spec.class_names,
                "feature_names": self.spec.feature_names, **(extra or {})}
        save_model(self.model, path, extra_metadata=meta,
                   preprocessing=list(self.steps))


def spec_for(data: Dataset) -> FeatureSpec:
    """The CSV spec, or an all-numeric one for built-in (array) datasets."""
    if data.spec is not None:
        return data.spec
    columns = [ColumnSpec(name, "numeric") for name in data.feature_names]
    source = list(data.feature_names) + ([data.target_name] if data.target_name
                                         else [])
    return FeatureSpec(columns, source, data.target_name, data.task,
                       data.class_names)


def load_bundle(path: str | os.PathLike[str]) -> Bundle:
    """Read a model file; its preprocessing and class names if it has them.

    Files saved from Python with ``net.save`` (no spec) get a numeric spec with
    columns x1..xF, so ``glassnet predict`` still reads CSVs with F columns.
    """
    where = os.fspath(path)
    inside = os.path.join(where, "model.safetensors")
    if os.path.isdir(where) and os.path.isfile(inside):
        where = inside  # a run directory
    saved = read_model_file(where)
    info, model = saved.info, saved.model
    steps = saved.preprocessing  # rebuilt and checked by read_model_file
    try:
        spec = _spec(info, model)
    except (GlassnetError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ModelFileError(f"cannot load model {where}: its preprocessing or "
                             f"feature description is malformed ({exc}). Re-save "
                             "it with this glassnet.") from None
    _compile(model, info.get("training", {}), spec)
    model.meta = {"class_names": spec.class_names, "feature_spec": spec.to_dict(),
                  "preprocessing": steps}
    return Bundle(model, spec, steps, info, where)


def _spec(info: dict, model) -> FeatureSpec:
    if isinstance(info.get("feature_spec"), dict):
        return FeatureSpec.from_dict(info["feature_spec"])
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


def _compile(model, training: dict, spec: FeatureSpec) -> None:
    """Compile with the saved loss/optimizer, or sensible ones for the output."""
    act = model.output_activation()
    default = {"softmax": "categorical_crossentropy",
               "sigmoid": "binary_crossentropy"}.get(act.name if act else "", "mse")
    loss = training.get("loss") or {"name": default}
    metrics = training.get("metrics") or (
        ["accuracy"] if spec.task == "classification" else ["mae"])
    try:
        model.compile(loss_mod.from_config(dict(loss)),
                      opt_mod.from_config(dict(training.get("optimizer") or
                                               {"name": "sgd"})),
                      metrics=list(metrics))
    except (GlassnetError, TypeError, ValueError) as exc:
        raise ModelFileError(f"the saved training settings cannot be used ({exc}). "
                             "Re-save the model with this glassnet.") from None


# ------------------------------------------------------------------ data
def is_builtin(name: str) -> bool:
    key = str(name).strip().lower().replace("_", "-").replace(" ", "-")
    return key in builtin_names()


def load_training_data(cfg) -> Dataset:
    """DATA of ``glassnet train``: a built-in name or a CSV file."""
    if is_builtin(cfg.data) and not Path(cfg.data).is_file():
        if cfg.target is not None:
            raise ConfigError(f"--target is for CSV files; the built-in dataset "
                              f"{cfg.data!r} has its target already. Drop --target.")
        return load_builtin(cfg.data, seed=cfg.seed)
    _check_file(cfg.data)
    try:
        return load_csv(cfg.data, cfg.target, one_hot=cfg.one_hot,
                        missing=cfg.missing)
    except DataError as exc:
        hint = {"one_hot": " On the command line: --one-hot.",
                "missing=": " On the command line: --missing drop (or mean, …)."}
        extra = "".join(h for key, h in hint.items() if key in str(exc))
        if not extra:
            raise
        raise DataError(f"{exc}{extra}") from None


def load_data_like(bundle: Bundle, data: str, target: str | None = None,
                   seed: int = 0) -> Dataset:
    """DATA of evaluate/predict/explain, encoded the way the model was trained.

    y is None when the file has no target column.
    """
    if is_builtin(data) and not Path(data).is_file():
        ds = load_builtin(data, seed=seed)
        if ds.n_features != len(bundle.spec.feature_names):
            raise DataError(f"the built-in dataset {data!r} has {ds.n_features} "
                            f"features, the model expects "
                            f"{len(bundle.spec.feature_names)}. Use the data the "
                            "model was trained on.")
        return ds
    _check_file(data)
    spec = bundle.spec
    if "feature_spec" not in bundle.info:  # saved from Python: columns by position
        spec = _positional_spec(data, spec, target)
    if target is not None and target != spec.target:
        spec = FeatureSpec(spec.columns, spec.source_columns, target, spec.task,
                           spec.class_names, spec.missing)
    return load_csv_features(data, spec)


def _positional_spec(path: str, spec: FeatureSpec, target: str | None
                     ) -> FeatureSpec:
    """Every column but ``target``, in file order, as the model's features."""
    from glassnet.data._csvread import read_table

    table = read_table(path)
    names = [n for n in table.names if n != target]
    if len(names) != len(spec.columns):
        raise DataError(f"{path} has {len(names)} feature columns "
                        f"({', '.join(names)}), the model expects "
                        f"{len(spec.columns)}. This model file has no saved column "
                        "names, so the columns are used in order; pass --target "
                        "for the column to leave out.")
    return FeatureSpec([ColumnSpec(n, "numeric") for n in names], list(table.names),
                       target, spec.task, spec.class_names)


def _check_file(path: str) -> None:
    p = Path(path)
    if not p.exists():
        raise DataError(f"DATA {path!r} is neither an existing file nor a built-in "
                        f"dataset ({', '.join(builtin_names())}). Check the path.")
    if p.is_dir():
        raise DataError(f"DATA {path!r} is a directory; pass a CSV file.")
