"""The DATA argument: a built-in dataset name or a CSV file, read the way the
model needs it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from glassnet.data import (
    ColumnSpec,
    Dataset,
    FeatureSpec,
    builtin_names,
    load_builtin,
    load_csv,
    load_csv_features,
)
from glassnet.data._csvread import read_table
from glassnet.data.images import SHAPE_NAMES, shapes
from glassnet.data.mnist import CLASS_NAMES, load_mnist
from glassnet.errors import ConfigError, DataError
from glassnet.io import ModelFile

#: image datasets DATA may name: each row of X is one flattened image
IMAGE_SETS = ("mnist", "mnist-test", "fashion-mnist", "fashion-mnist-test",
              "shapes")


def _key(name: str) -> str:
    return str(name).strip().lower().replace("_", "-").replace(" ", "-")


def is_builtin(name: str) -> bool:
    return _key(name) in builtin_names() or _key(name) in IMAGE_SETS


def load_named(name: str, seed: int = 0) -> Dataset:
    """A built-in table (``load_builtin``) or an image set: MNIST and
    Fashion-MNIST (training or test images, pixels / 255; downloaded into the
    cache when not found) or generated shapes (``glassnet.data.images``)."""
    key = _key(name)
    if key not in IMAGE_SETS:
        return load_builtin(name, seed=seed)
    if key == "shapes":
        images, y = shapes(2000, 16, seed=seed)
        classes = list(SHAPE_NAMES)
    else:
        kind = key.removesuffix("-test")
        x_train, y_train, x_test, y_test = load_mnist(kind)
        images, y = (x_test, y_test) if key.endswith("-test") else (x_train, y_train)
        images = images[..., None].astype(np.float32) / np.float32(255)
        classes = list(CLASS_NAMES[kind])
    n, H, W, C = images.shape
    X = np.ascontiguousarray(images.reshape(n, H * W * C))
    names = [f"px{r}_{c}" for r in range(H) for c in range(W)]
    return Dataset(X, np.asarray(y, dtype=np.int64), names, "label", classes,
                   "classification", name=key, image_shape=(H, W, C))


def spec_for(data: Dataset) -> FeatureSpec:
    """The CSV spec, or an all-numeric one for built-in (array) datasets."""
    if data.spec is not None:
        return data.spec
    columns = [ColumnSpec(name, "numeric") for name in data.feature_names]
    source = list(data.feature_names) + ([data.target_name] if data.target_name
                                         else [])
    return FeatureSpec(columns, source, data.target_name, data.task,
                       data.class_names)


def load_training_data(cfg) -> Dataset:
    """DATA of ``glassnet train``: a built-in name or a CSV file."""
    if is_builtin(cfg.data) and not Path(cfg.data).is_file():
        if cfg.target is not None:
            raise ConfigError(f"--target is for CSV files; the built-in dataset "
                              f"{cfg.data!r} has its target already. Drop --target.")
        return load_named(cfg.data, seed=cfg.seed)
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


def load_data_like(saved: ModelFile, data: str, target: str | None = None,
                   seed: int = 0, unknown: str = "error",
                   builtin_only: bool = False) -> Dataset:
    """DATA of evaluate/predict/explain, encoded the way the model was trained.

    y is None when the file has no target column. ``builtin_only``: ``data``
    came from a model file, not from the command line, so only a built-in
    dataset name is used (a model file cannot make a command read a path).
    """
    if builtin_only and not is_builtin(data):
        raise DataError(f"the model file names its training data {data!r}, which "
                        "is not a built-in dataset, and a path written in a model "
                        "file is not read. Pass the data on the command line.")
    if is_builtin(data) and (builtin_only or not Path(data).is_file()):
        ds = load_named(data, seed=seed)
        if ds.n_features != len(saved.spec.feature_names):
            raise DataError(f"the built-in dataset {data!r} has {ds.n_features} "
                            f"features, the model expects "
                            f"{len(saved.spec.feature_names)}. Use the data the "
                            "model was trained on.")
        return ds
    _check_file(data)
    spec = saved.spec
    if "feature_spec" not in saved.info:  # saved from Python: columns by position
        spec = _positional_spec(data, spec, target)
    if target is not None and target != spec.target:
        spec = FeatureSpec(spec.columns, spec.source_columns, target, spec.task,
                           spec.class_names, spec.missing)
    return load_csv_features(data, spec, unknown=unknown)


def _positional_spec(path: str, spec: FeatureSpec, target: str | None
                     ) -> FeatureSpec:
    """Every column but ``target``, in file order, as the model's features."""
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
                        f"dataset ({', '.join(builtin_names() + list(IMAGE_SETS))})"
                        ". Check the path.")
    if p.is_dir():
        raise DataError(f"DATA {path!r} is a directory; pass a CSV file.")
