"""The ``Dataset`` record returned by ``load_csv`` and ``load_builtin``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.data.features import FeatureSpec

TASKS = ("classification", "regression")


@dataclass
class Dataset:
    """Examples ready for training, with the names needed to explain them.

    X: (n, F) float array of features, one column per ``feature_names`` entry.
    y: classification -> int64 class indices (n,) into ``class_names``;
       regression -> float64 targets (n, 1); ``None`` when there is no target.
    spec: for CSV data, how raw columns became X (one-hot mapping, imputed
       values), so a new CSV can be transformed the same way for prediction.
    image_shape: for images, the shape each row of X is a flattened copy of.
    """

    X: np.ndarray
    y: np.ndarray | None
    feature_names: list[str]
    target_name: str | None = None
    class_names: list[str] | None = None
    task: str | None = None
    spec: FeatureSpec | None = None
    name: str = ""
    #: rows whose categories were not seen in training (unknown="ignore")
    unknown_rows: np.ndarray | None = None
    #: (height, width, channels) when each row of X is an image, flattened
    image_shape: tuple[int, int, int] | None = None

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int | None:
        return None if self.class_names is None else len(self.class_names)

    def __repr__(self) -> str:
        target = "" if self.target_name is None else f" target={self.target_name!r}"
        classes = "" if self.class_names is None else f" classes={self.n_classes}"
        return (
            f"Dataset({self.name!r}: {self.n_samples} x {self.n_features}"
            f"{target} task={self.task}{classes})"
        )
